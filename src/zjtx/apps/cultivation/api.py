"""JSON API of cultivation (django-ninja ``router``, mounted under ``/api/`` by ``zjtx.web.api``).

Pool, designations and calendar, applications (with transitions), plans, services, ledger and
targets — every query scoped through ``accounts.scope`` (via ``cultivation.access``), like the pages.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation import access, ledger, pool, renewals, workflow
from zjtx.apps.cultivation.models import (
    TIER_LABELS,
    Application,
    BenefitEntry,
    Plan,
    PoolStage,
    ServiceRequest,
    ServiceType,
    Stage,
    tier_label,
)
from zjtx.apps.cultivation.plans import create_plan
from zjtx.apps.cultivation.stats import league, service_stats
from zjtx.apps.enterprises.models import Enterprise, Title
from zjtx.web.params import Day, Horizon, Id, Limit, Offset, Year

router = Router(tags=["培育库 cultivation"])


def _role(request: HttpRequest) -> None:
    if scope.role_of(request.user) is None:
        raise HttpError(403, "当前账号未分配角色")


def _enterprise(request: HttpRequest, uscc: str) -> Enterprise:
    _role(request)
    e = scope.scope_enterprises(request.user).filter(uscc=uscc.upper()).first()
    if e is None:
        raise HttpError(404, "企业不存在或不在本账号管辖范围内")
    return e


def _iso(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


class Page(Schema):
    count: int
    items: list[dict[str, Any]]


class PoolFilters(Schema):
    tier: str | None = None
    stage: str | None = None
    category: str | None = None
    division: str | None = None
    q: str | None = None
    protected: str | None = None
    flagged: str | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class StageIn(Schema):
    stage: str = Field(..., description="none/candidate/applying/designated/re_review/lapsed/revoked")
    reason: str = Field(..., min_length=1, description="原因（必填）")


def _stage_out(s: PoolStage) -> dict[str, Any]:
    return {"uscc": s.enterprise.uscc, "name": s.enterprise.name, "division": s.enterprise.division_id,
            "tier": s.tier, "tier_label": tier_label(s.tier), "stage": s.stage, "stage_label": s.get_stage_display(),
            "source": s.source, "protected": s.protected, "reason": s.reason,
            "set_by": s.set_by.username if s.set_by_id else None, "set_at": _iso(s.set_at),
            "auto_stage": s.auto_stage or None, "auto_on": _iso(s.auto_on),
            "open_flags": [{"current": f.current, "proposed": f.proposed, "on": _iso(f.on), "detail": f.detail}
                           for f in s.flags.all() if not f.resolved]}


@router.get("/cultivation/pool", response=Page, summary="培育库：各企业各梯度阶段")
def pool_list(request: HttpRequest, filters: Query[PoolFilters]) -> dict[str, Any]:
    _role(request)
    qs = pool.stage_filter(access.visible(request.user, PoolStage.objects.all()), filters.dict())
    qs = qs.select_related("enterprise", "set_by").prefetch_related("flags").order_by("enterprise__uscc", "tier")
    items = qs[filters.offset: filters.offset + filters.limit]
    return {"count": qs.count(), "items": [_stage_out(s) for s in items]}


@router.put("/cultivation/pool/{uscc}/{tier}", response=dict[str, Any], summary="人工设定阶段（受保护，不被自动评价覆盖）")
def pool_set(request: HttpRequest, uscc: str, tier: str, payload: StageIn) -> dict[str, Any]:
    e = _enterprise(request, uscc)
    if not access.can_manage(request.user, e):
        raise HttpError(403, "无权调整该企业的培育阶段")
    if tier not in TIER_LABELS or payload.stage not in Stage.values:
        raise HttpError(422, "梯度或阶段无效")
    s = pool.set_stage(e, tier, payload.stage, request.user, payload.reason)
    return _stage_out(PoolStage.objects.select_related("enterprise", "set_by").get(pk=s.pk))


# ------------------------------------------------------------------------------------------------


@router.get("/cultivation/designations", response=Page, summary="认定信息（荣誉资质及有效期）")
def designation_list(request: HttpRequest, title: str | None = None, division: str | None = None,
                     status: str | None = None, on: Day | None = None,
                     limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """``status``（有效 valid / 已过期 expired / 未生效 pending / 已撤销 revoked）follows from the dates on ``on``
    (default today)."""
    from zjtx.apps.enterprises.title_status import STATUS_LABELS, status_q

    _role(request)
    day = on or timezone.localdate()
    qs = scope.scope_related(request.user, Title.objects.all()).select_related("enterprise")
    if status:
        if status not in STATUS_LABELS:
            raise HttpError(422, f"状态无效：{status}（可选 valid 有效、expired 已过期、pending 未生效、revoked 已撤销）")
        qs = qs.filter(status_q(status, day))
    if title:
        qs = qs.filter(title=title)
    if division:
        qs = qs.filter(enterprise__division_id=division)
    qs = qs.order_by("expires_on", "id")
    items = []
    for t in qs[offset: offset + min(limit, 1000)]:
        d = getattr(t, "designation", None)
        items.append({"id": t.pk, "uscc": t.enterprise.uscc, "name": t.enterprise.name, "title": t.title,
                      "granted_on": _iso(t.granted_on), "expires_on": _iso(t.expires_on), "batch": t.batch,
                      "document": t.document, "certificate_no": t.certificate_no,
                      "level": d.level if d else None, "registration_no": d.registration_no if d else None,
                      "status": t.status_on(day), "status_label": t.status_label(day),
                      "revoked_on": _iso(t.revoked_on)})
    return {"count": qs.count(), "items": items}


@router.get("/cultivation/calendar", response=Page, summary="到期与更新提醒（90/60/30天）")
def calendar(request: HttpRequest, on: Day | None = None, horizon: Horizon = 90) -> dict[str, Any]:
    _role(request)
    day = on or timezone.localdate()
    titles = scope.scope_related(request.user, Title.objects.all())
    items = renewals.alerts(day, titles, horizon=horizon, pool=access.visible(request.user, PoolStage.objects.all()))
    return {"count": len(items), "items": [{**{k: _iso(v) for k, v in a.as_row().items()}, "kind_code": a.kind,
                                             "level_days": a.level} for a in items]}


# ------------------------------------------------------------------------------------------------


class ApplicationIn(Schema):
    uscc: str
    tier: str
    year: Year
    batch: str = ""
    main_product: str = ""
    dev_score: Decimal | None = None
    recommendation: str = ""
    note: str = ""


class TransitionIn(Schema):
    action: str = Field(..., description="submit/accept/local_pass/local_return/recommend/city_return/not_recommend/"
                                         "provincial_pass/to_ministry/provincial_reject/ministry_pass/ministry_reject/"
                                         "announce/publicity_reject/revise")
    reason: str = ""
    granted_on: Day | None = None
    expires_on: Day | None = None
    document: str = ""
    certificate_no: str = ""
    publicity_until: Day | None = None


def _app_out(a: Application, user: Any, full: bool = False) -> dict[str, Any]:
    out = {"id": a.pk, "uscc": a.enterprise.uscc, "name": a.enterprise.name, "division": a.enterprise.division_id,
           "tier": a.tier, "year": a.year, "batch": a.batch, "state": a.state, "state_label": a.get_state_display(),
           "main_product": a.main_product, "dev_score": _iso(a.dev_score), "recommendation": a.recommendation,
           "submitted_at": _iso(a.submitted_at), "evaluation_on": _iso(a.evaluation_on),
           "evaluation_status": (a.evaluation or {}).get("status") if isinstance(a.evaluation, dict) else None,
           "rule_version": a.rule_version,
           "actions": [x.name for x in workflow.available_actions(user, a)]}
    if full:
        out["evaluation"] = a.evaluation
        out["transitions"] = [{"action": t.action, "from": t.from_state, "to": t.to_state, "actor": t.actor_name,
                               "role": t.actor_role, "at": _iso(t.at), "reason": t.reason,
                               "attachment": t.attachment} for t in a.transitions.all()]
    return out


def _app(request: HttpRequest, pk: int) -> Application:
    _role(request)
    a = access.visible(request.user, Application.objects.all()).select_related("enterprise").filter(pk=pk).first()
    if a is None:
        raise HttpError(404, "申报不存在或不在本账号管辖范围内")
    return a


@router.get("/cultivation/applications", response=Page, summary="申报列表")
def application_list(request: HttpRequest, tier: str | None = None, state: str | None = None,
                     year: Year | None = None, division: str | None = None,
                     limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    qs = access.visible(request.user, Application.objects.all()).select_related("enterprise")
    for k, v in (("tier", tier), ("state", state), ("year", year), ("enterprise__division_id", division)):
        if v:
            qs = qs.filter(**{k: v})
    return {"count": qs.count(), "items": [_app_out(a, request.user) for a in qs[offset: offset + min(limit, 1000)]]}


@router.post("/cultivation/applications", response={201: dict[str, Any]}, summary="新建申报（草稿）")
def application_create(request: HttpRequest, payload: ApplicationIn) -> Status:
    e = _enterprise(request, payload.uscc)
    if not access.can_contribute(request.user, e):
        raise HttpError(403, "无权为该企业新建申报")
    if payload.tier not in TIER_LABELS:
        raise HttpError(422, "申报梯度无效")
    data = payload.dict()
    data.pop("uscc")
    a = Application.objects.create(enterprise=e, created_by=request.user, **data)
    return Status(201, _app_out(a, request.user, full=True))


@router.get("/cultivation/applications/{pk}", response=dict[str, Any], summary="申报详情（含流转记录与冻结的评价结果）")
def application_get(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _app_out(_app(request, pk), request.user, full=True)


@router.post("/cultivation/applications/{pk}/transitions", response=dict[str, Any], summary="申报流转")
def application_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    a = _app(request, pk)
    d = payload.dict()
    try:
        workflow.transition(a, d.pop("action"), request.user, d.pop("reason"), **d)
    except workflow.TransitionError as exc:
        raise HttpError(exc.status, str(exc)) from exc
    return _app_out(_app(request, pk), request.user, full=True)


# ------------------------------------------------------------------------------------------------


class PlanIn(Schema):
    uscc: str
    tier: str
    on: Day | None = None
    due_on: Day | None = None
    note: str = ""


def _plan_out(p: Plan) -> dict[str, Any]:
    return {"id": p.pk, "uscc": p.enterprise.uscc, "name": p.enterprise.name, "tier": p.tier, "on": _iso(p.on),
            "status": p.status, "evaluation_status": p.evaluation_status, "checked_at": _iso(p.checked_at),
            "items": [{"id": i.pk, "key": i.key, "title": i.title, "detail": i.detail, "owner": i.owner,
                       "department": i.department, "due_on": _iso(i.due_on), "status": i.status,
                       "evidence": i.evidence, "closed_at": _iso(i.closed_at), "closed_reason": i.closed_reason}
                      for i in p.items.all()]}


@router.get("/cultivation/plans", response=Page, summary="一企一策方案")
def plan_list(request: HttpRequest, tier: str | None = None, status: str | None = None,
              limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    qs = access.visible(request.user, Plan.objects.all()).select_related("enterprise").prefetch_related("items")
    if tier:
        qs = qs.filter(tier=tier)
    if status:
        qs = qs.filter(status=status)
    return {"count": qs.count(), "items": [_plan_out(p) for p in qs[offset: offset + min(limit, 1000)]]}


@router.post("/cultivation/plans", response={201: dict[str, Any]}, summary="制定一企一策方案（事项来自差距分析）")
def plan_create(request: HttpRequest, payload: PlanIn) -> Status:
    e = _enterprise(request, payload.uscc)
    if not access.can_manage(request.user, e):
        raise HttpError(403, "无权为该企业制定方案")
    if payload.tier not in TIER_LABELS:
        raise HttpError(422, "目标梯度无效")
    p = create_plan(e, payload.tier, request.user, on=payload.on, due_on=payload.due_on, note=payload.note)
    return Status(201, _plan_out(p))


@router.get("/cultivation/plans/{pk}", response=dict[str, Any], summary="方案详情")
def plan_get(request: HttpRequest, pk: Id) -> dict[str, Any]:
    _role(request)
    p = access.visible(request.user, Plan.objects.all()).select_related("enterprise").filter(pk=pk).first()
    if p is None:
        raise HttpError(404, "方案不存在或不在本账号管辖范围内")
    return _plan_out(p)


# ------------------------------------------------------------------------------------------------


class ServiceIn(Schema):
    uscc: str
    type: str = Field(..., description="服务类型代码，如 policy/financing/tech_transfer")
    subject: str
    description: str = ""


def _service_out(r: ServiceRequest) -> dict[str, Any]:
    return {"id": r.pk, "uscc": r.enterprise.uscc, "name": r.enterprise.name, "type": r.type.code,
            "type_name": r.type.name, "subject": r.subject, "channel": r.channel, "status": r.status,
            "assignee": r.assignee.username if r.assignee_id else None, "team": r.team,
            "created_at": _iso(r.created_at), "first_response_at": _iso(r.first_response_at),
            "resolved_at": _iso(r.resolved_at), "response_hours": r.response_hours, "outcome": r.outcome}


@router.get("/cultivation/services", response=Page, summary="企业服务需求")
def service_list(request: HttpRequest, type: str | None = None, status: str | None = None,
                 limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    qs = access.visible(request.user, ServiceRequest.objects.all()).select_related("enterprise", "type", "assignee")
    if type:
        qs = qs.filter(type__code=type)
    if status:
        qs = qs.filter(status=status)
    return {"count": qs.count(), "items": [_service_out(r) for r in qs[offset: offset + min(limit, 1000)]]}


@router.post("/cultivation/services", response={201: dict[str, Any]}, summary="登记服务需求")
def service_create(request: HttpRequest, payload: ServiceIn) -> Status:
    e = _enterprise(request, payload.uscc)
    if not access.can_contribute(request.user, e):
        raise HttpError(403, "无权为该企业登记服务需求")
    t = ServiceType.objects.filter(code=payload.type, active=True).first()
    if t is None:
        raise HttpError(422, "服务类型无效")
    channel = "enterprise" if scope.role_of(request.user) == "enterprise_user" else "officer"
    r = ServiceRequest.objects.create(enterprise=e, type=t, subject=payload.subject, description=payload.description,
                                      channel=channel, requested_by=request.user)
    return Status(201, _service_out(r))


@router.get("/cultivation/services/stats", response=list[dict[str, Any]], summary="服务统计（按镇街或类型）")
def service_statistics(request: HttpRequest, by: str = "division") -> list[dict[str, Any]]:
    _role(request)
    return service_stats(access.visible(request.user, ServiceRequest.objects.all()),
                         "type" if by == "type" else "division")


# ------------------------------------------------------------------------------------------------


class LedgerIn(Schema):
    uscc: str
    policy: str
    policy_name: str = ""
    level: str
    year: Year
    project: str = ""
    amount: Decimal
    kind: str = "granted"
    document: str = ""
    paid_on: Day | None = None


def _ledger_out(b: BenefitEntry) -> dict[str, Any]:
    return {"id": b.pk, "uscc": b.enterprise.uscc, "name": b.enterprise.name, "policy": b.policy,
            "policy_name": b.policy_name, "level": b.level, "year": b.year, "project": b.project,
            "amount": float(b.amount), "kind": b.kind, "document": b.document, "paid_on": _iso(b.paid_on)}


@router.get("/cultivation/ledger", response=dict[str, Any], summary="奖补台账（含累计兑现）")
def ledger_list(request: HttpRequest, year: Year | None = None, level: str | None = None,
                limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    qs = access.visible(request.user, BenefitEntry.objects.all()).select_related("enterprise")
    if year:
        qs = qs.filter(year=year)
    if level:
        qs = qs.filter(level=level)
    return {"count": qs.count(), "realised": float(ledger.realised_total(qs)),
            "items": [_ledger_out(b) for b in qs[offset: offset + min(limit, 1000)]]}


@router.post("/cultivation/ledger", response={201: dict[str, Any]}, summary="登记奖补（违反不得重复享受规则时拒绝）")
def ledger_create(request: HttpRequest, payload: LedgerIn) -> Status:
    e = _enterprise(request, payload.uscc)
    if not access.can_ledger(request.user):
        raise HttpError(403, "奖补台账由市级工作人员登记")
    data = payload.dict()
    data.pop("uscc")
    entry = BenefitEntry(enterprise=e, created_by=request.user, **data)
    try:
        entry.full_clean(exclude=["enterprise", "policy_name"])
        if not entry.policy_name:
            entry.policy_name = ledger.KNOWN_POLICIES.get(entry.policy, (entry.policy, ""))[0]
        ledger.record(entry)
    except ValidationError as exc:
        raise HttpError(409 if any("不得重复享受" in m for m in exc.messages) else 422, "；".join(exc.messages)) from exc
    return Status(201, _ledger_out(entry))


class EstimateIn(Schema):
    uscc: str
    on: Day | None = None


@router.post("/cultivation/ledger/estimate", response=dict[str, Any], summary="按政策匹配（zjtx.match）测算奖补")
def ledger_estimate(request: HttpRequest, payload: EstimateIn) -> dict[str, Any]:
    e = _enterprise(request, payload.uscc)
    if not access.can_ledger(request.user):
        raise HttpError(403, "奖补台账由市级工作人员登记")
    stored, refused = ledger.estimate(e, payload.on or timezone.localdate(), request.user)
    return {"items": [_ledger_out(b) for b in stored], "refused": refused}


# ------------------------------------------------------------------------------------------------


@router.get("/cultivation/targets", response=dict[str, Any], summary="目标完成情况与镇街排名")
def targets(request: HttpRequest, year: Year | None = None, tier: str = "tech_sme") -> dict[str, Any]:
    _role(request)
    table = league(year or timezone.localdate().year, tier, scope.scope_enterprises(request.user))
    table["on"] = _iso(table["on"])
    return table


