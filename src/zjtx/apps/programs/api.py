"""JSON API of the programmes (django-ninja ``router``, mounted under ``/api/`` by ``zjtx.web.api``).

Lists, details and lifecycle transitions of every programme, scoped through ``programs.access``
(itself on ``accounts.scope``) like the pages; refusals carry the same Chinese messages with
400 (bad input), 403 (role), 404 (scope) or 409 (state). Money in 元, dates ISO.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from zjtx.apps.programs import access, awards, incubation, projects, publicity, targets
from zjtx.apps.programs.frames import programme_frames, registration_titles
from zjtx.apps.programs.lifecycle import LifecycleError, Machine, history
from zjtx.apps.programs.models import (
    Award,
    Carrier,
    Certification,
    InvestmentTarget,
    Milestone,
    Platform,
    Project,
    PublicityEvent,
    Tenancy,
)
from zjtx.web.params import Day, Id, Limit, Offset, Year

router = Router(tags=["专项工作 programs"])


def _role(request: HttpRequest) -> None:
    if access.role(request.user) is None:
        raise HttpError(403, "当前账号未分配角色")


def _iso(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def _raise(exc: LifecycleError) -> None:
    raise HttpError(exc.status, str(exc)) from exc


class Page(Schema):
    count: int
    items: list[dict[str, Any]]


class TransitionIn(Schema):
    action: str = Field(..., description="操作代码（详情中的 actions 列出当前可用的操作）")
    reason: str = Field("", max_length=500)
    data: dict[str, Any] = Field(default_factory=dict, description="操作所需的其他字段，如 posting_closes、application")


def _run(machine: Machine, obj: Any, request: HttpRequest, payload: TransitionIn) -> dict[str, Any]:
    data = {k: v for k, v in payload.data.items() if isinstance(v, str | int | float | bool) or v is None}
    try:
        log = machine.run(obj, payload.action, request.user, payload.reason, **data)
    except LifecycleError as exc:
        _raise(exc)
    return {"action": log.action, "from": log.from_state, "to": log.to_state,
            "to_label": machine.state_label(log.to_state), "at": _iso(log.at)}


def _hist(obj: Any) -> list[dict[str, Any]]:
    return [{"action": h.action, "label": h.action_label, "from": h.from_state, "to": h.to_state,
             "actor": h.actor_name, "role": h.actor_role, "reason": h.reason, "at": _iso(h.at)} for h in history(obj)]


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= 1000 or offset < 0:
        raise HttpError(422, "limit 应为1–1000，offset 不能为负数")
    return limit, offset


# ------------------------------------------------------------------------------------ projects

def _project_out(p: Project, user: Any, full: bool = False) -> dict[str, Any]:
    out = {"id": p.pk, "code": p.code, "kind": p.kind, "kind_label": p.get_kind_display(), "title": p.title,
           "year": p.year, "state": p.state, "state_label": p.get_state_display(), "poster": p.poster_name,
           "cluster": p.cluster or None, "chain_point": p.chain_point, "division": p.division_id,
           "city_share": _iso(p.city_share), "town_share": _iso(p.town_share), "posting_opens": _iso(p.posting_opens),
           "posting_closes": _iso(p.posting_closes), "solver": p.solver.applicant_name if p.solver_id else None,
           "contract_no": p.contract_no, "approved_on": _iso(p.approved_on), "accepted_on": _iso(p.accepted_on),
           "actions": [a.name for a in projects.PROJECT.available(user, p)]}
    if full:
        out.update({"goal": p.goal, "indicators": p.indicators, "consortium": p.consortium, "outcome": p.outcome,
                    "selection_reason": p.selection_reason,
                    "applications": [{"id": a.pk, "applicant": a.applicant_name, "kind": a.applicant_kind,
                                      "local": a.local, "status": a.status,
                                      "requested_amount": _iso(a.requested_amount),
                                      "actions": [x.name for x in projects.APPLICATION.available(user, a)]}
                                     for a in access.applications(user, p.applications.all())],
                    "milestones": [{"id": m.pk, "seq": m.seq, "title": m.title, "due_on": _iso(m.due_on),
                                    "city_amount": _iso(m.city_amount), "town_amount": _iso(m.town_amount),
                                    "status": m.status, "closed_on": _iso(m.closed_on),
                                    "actions": [x.name for x in projects.MILESTONE.available(user, m)]}
                                   for m in p.milestones.all()],
                    "outcomes": [{"id": o.pk, "kind": o.kind, "title": o.title, "count": o.count, "year": o.year,
                                  "fed_at": _iso(o.fed_at)} for o in p.outcomes.all()],
                    "history": _hist(p)})
    return out


def _project(request: HttpRequest, pk: int) -> Project:
    _role(request)
    p = access.projects(request.user, Project.objects.all()).filter(pk=pk).first()
    if p is None:
        raise HttpError(404, "项目不存在或不在本账号管辖范围内")
    return p


@router.get("/programs/projects", response=Page, summary="揭榜挂帅与市级重大科技专项")
def project_list(request: HttpRequest, kind: str | None = None, state: str | None = None, year: Year | None = None,
                 limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    limit, offset = _bounds(limit, offset)
    qs = access.projects(request.user, Project.objects.all()).select_related("solver").order_by("-year", "code")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if year:
        qs = qs.filter(year=year)
    return {"count": qs.count(), "items": [_project_out(p, request.user) for p in qs[offset: offset + limit]]}


@router.get("/programs/projects/{pk}", response=dict[str, Any], summary="项目详情（申请、节点、成果、流转）")
def project_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _project_out(_project(request, pk), request.user, full=True)


class ProjectIn(Schema):
    kind: str = "jiebang"
    title: str = Field(..., min_length=1, max_length=200)
    year: int = Field(..., ge=2000, le=2100)
    poster_kind: str = "bureau"
    poster_uscc: str | None = None
    poster_name: str = ""
    cluster: str = ""
    chain_point: str = ""
    goal: str = ""
    indicators: str = ""
    city_share: Decimal = Field(Decimal(0), ge=0)
    town_share: Decimal = Field(Decimal(0), ge=0)
    division: str | None = None
    posting_opens: Day | None = None
    posting_closes: Day | None = None
    deadline: Day | None = None


@router.post("/programs/projects", response={201: dict[str, Any]}, summary="新建项目草稿")
def project_create(request: HttpRequest, payload: ProjectIn) -> Status:
    _role(request)
    if payload.kind not in Project.Kind.values or payload.poster_kind not in Project.PosterKind.values:
        raise HttpError(422, "类别或发榜方类型无效")
    fields = payload.dict(exclude={"poster_uscc", "division"})
    fields["division_id"] = payload.division or None
    if payload.poster_uscc:
        ent = access.enterprises(request.user).filter(uscc=payload.poster_uscc.upper()).first()
        if ent is None:
            raise HttpError(404, "发榜企业不存在或不在本账号管辖范围内")
        fields["poster"] = ent
    try:
        p = projects.create_project(request.user, **fields)
    except LifecycleError as exc:
        _raise(exc)
    return Status(201, _project_out(p, request.user, full=True))


@router.post("/programs/projects/{pk}/transitions", response=dict[str, Any], summary="项目流转（发榜、揭榜、立项、验收…）")
def project_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    return _run(projects.PROJECT, _project(request, pk), request, payload)


class ApplicationIn(Schema):
    enterprise_uscc: str | None = None
    applicant_kind: str = "enterprise"
    applicant_name: str = ""
    local: bool | None = None
    proposal: str = ""
    requested_amount: Decimal | None = Field(None, ge=0)
    partners: str = ""


@router.post("/programs/projects/{pk}/applications", response={201: dict[str, Any]}, summary="揭榜申请")
def project_apply(request: HttpRequest, pk: Id, payload: ApplicationIn) -> Status:
    p = _project(request, pk)
    if payload.applicant_kind not in ("enterprise", "university", "institute", "other"):
        raise HttpError(422, "申报主体类型无效")
    ent = None
    if payload.enterprise_uscc:
        ent = access.enterprises(request.user).filter(uscc=payload.enterprise_uscc.upper()).first()
        if ent is None:
            raise HttpError(404, "企业不存在或不在本账号管辖范围内")
    try:
        a = projects.submit_application(p, request.user, enterprise=ent, applicant_kind=payload.applicant_kind,
                                        applicant_name=payload.applicant_name, local=payload.local,
                                        proposal=payload.proposal, requested_amount=payload.requested_amount,
                                        partners=payload.partners)
    except LifecycleError as exc:
        _raise(exc)
    return Status(201, {"id": a.pk, "applicant": a.applicant_name, "status": a.status})


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_on: Day
    deliverable: str = ""
    city_amount: Decimal = Field(Decimal(0), ge=0)
    town_amount: Decimal = Field(Decimal(0), ge=0)


@router.post("/programs/projects/{pk}/milestones", response={201: dict[str, Any]}, summary="设置项目节点")
def milestone_create(request: HttpRequest, pk: Id, payload: MilestoneIn) -> Status:
    p = _project(request, pk)
    try:
        m = projects.add_milestone(p, request.user, **payload.dict())
    except LifecycleError as exc:
        _raise(exc)
    return Status(201, {"id": m.pk, "seq": m.seq, "status": m.status})


@router.post("/programs/milestones/{pk}/transitions", response=dict[str, Any], summary="节点流转（提交成果、确认完成、退回）")
def milestone_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    _role(request)
    m = Milestone.objects.filter(pk=pk, project__in=access.projects(request.user, Project.objects.all())).first()
    if m is None:
        raise HttpError(404, "项目节点不存在或不在本账号管辖范围内")
    return _run(projects.MILESTONE, m, request, payload)


# ------------------------------------------------------------------------------------ targets

def _target_out(t: InvestmentTarget, user: Any, full: bool = False) -> dict[str, Any]:
    out = {"id": t.pk, "uscc": t.uscc, "name": t.name, "region": t.region, "list": t.target_list.name,
           "industry": t.industry or None, "cluster": t.cluster, "fit": t.fit, "fit_label": t.get_fit_display(),
           "fit_score": t.fit_score, "team": t.team.code if t.team_id else None, "town": t.town_id,
           "key_target": t.key_target, "targeted_on": _iso(t.targeted_on), "stage": t.stage,
           "stage_label": t.get_stage_display(), "furthest": t.furthest, "stage_on": _iso(t.stage_on),
           "evaluation": {p: v.get("status") for p, v in (t.evaluation or {}).items()},
           "actions": [a.name for a in targets.TARGET.available(user, t)]}
    if full:
        out.update({"fit_reasons": t.fit_reasons, "data": t.data, "evaluation_detail": t.evaluation,
                    "evaluated_on": _iso(t.evaluated_on),
                    "followups": [{"kind": f.kind, "on": _iso(f.on), "note": f.note} for f in t.followups.all()],
                    "history": _hist(t)})
    return out


def _target(request: HttpRequest, pk: int) -> InvestmentTarget:
    _role(request)
    t = access.targets(request.user, InvestmentTarget.objects.all()).select_related("target_list", "team").filter(
        pk=pk).first()
    if t is None:
        raise HttpError(404, "招商目标不存在或不在本账号管辖范围内")
    return t


@router.get("/programs/targets", response=Page, summary="招商目标（规则评价与产业链契合度）")
def target_list(request: HttpRequest, list_id: Id | None = None, team: str | None = None, key: bool | None = None,
                stage: str | None = None, region: str | None = None, limit: Limit = 100,
                offset: Offset = 0) -> dict[str, Any]:
    _role(request)
    limit, offset = _bounds(limit, offset)
    qs = access.targets(request.user, InvestmentTarget.objects.all()).select_related("target_list", "team")
    if list_id:
        qs = qs.filter(target_list_id=list_id)
    if team:
        qs = qs.filter(team__code=team)
    if key is not None:
        qs = qs.filter(key_target=key)
    if stage:
        qs = qs.filter(stage=stage)
    if region:
        qs = qs.filter(region=region)
    qs = qs.order_by("-fit_score", "uscc")
    return {"count": qs.count(), "items": [_target_out(t, request.user) for t in qs[offset: offset + limit]]}


@router.get("/programs/targets/{pk}", response=dict[str, Any], summary="招商目标详情（契合理由、跟进记录）")
def target_detail(request: HttpRequest, pk: Id) -> dict[str, Any]:
    return _target_out(_target(request, pk), request.user, full=True)


@router.post("/programs/targets/{pk}/transitions", response=dict[str, Any],
             summary="招商目标流转（确定重点目标、分配、登记跟进、放弃、恢复）")
def target_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> dict[str, Any]:
    return _run(targets.TARGET, _target(request, pk), request, payload)


@router.get("/programs/funnel", response=dict[str, Any], summary="招商进展漏斗（按小组）")
def funnel(request: HttpRequest, as_of: Day | None = None) -> dict[str, Any]:
    from zjtx.stats.programs import funnel as funnel_stat

    _role(request)
    st = funnel_stat(programme_frames(targets=access.targets(request.user, InvestmentTarget.objects.all())), as_of)
    rows = st.table.to_dicts() if st.table is not None else []
    return {"as_of": _iso(as_of), "query": st.query, "teams": rows}


# ------------------------------------------------------------------------------------ incubation

@router.get("/programs/carriers", response=Page, summary="孵化载体（级别、认定、在孵与毕业企业数）")
def carrier_list(request: HttpRequest, kind: str | None = None, level: str | None = None) -> dict[str, Any]:
    _role(request)
    qs = Carrier.objects.all().order_by("kind", "name")
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    ten = access.tenancies(request.user, Tenancy.objects.all())
    items = [{"id": c.pk, "name": c.name, "kind": c.kind, "kind_label": c.get_kind_display(), "level": c.level,
              "certified_on": _iso(c.certified_on), "division": c.division_id,
              "residents": ten.filter(carrier=c, status="resident").count(),
              "graduates": ten.filter(carrier=c, status="graduated").count(),
              "certifications": [{"id": x.pk, "level": x.level, "status": x.status, "applied_on": _iso(x.applied_on),
                                  "certified_on": _iso(x.certified_on),
                                  "actions": [a.name for a in incubation.CERTIFICATION.available(request.user, x)]}
                                 for x in c.certifications.all()]} for c in qs]
    return {"count": len(items), "items": items}


@router.post("/programs/certifications/{pk}/transitions", response=dict[str, Any], summary="载体认定流转（认定、未通过、撤销）")
def certification_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    _role(request)
    c = Certification.objects.filter(pk=pk).first()
    if c is None:
        raise HttpError(404, "认定记录不存在")
    return _run(incubation.CERTIFICATION, c, request, payload)


@router.get("/programs/tenancies", response=Page, summary="在孵与毕业企业")
def tenancy_list(request: HttpRequest, carrier: Id | None = None, status: str | None = None) -> dict[str, Any]:
    _role(request)
    qs = access.tenancies(request.user, Tenancy.objects.all()).select_related("carrier", "enterprise")
    if carrier:
        qs = qs.filter(carrier_id=carrier)
    if status:
        qs = qs.filter(status=status)
    items = [{"id": t.pk, "carrier": t.carrier.name, "uscc": t.enterprise.uscc, "name": t.enterprise.name,
              "entered_on": _iso(t.entered_on), "status": t.status, "graduated_on": _iso(t.graduated_on),
              "left_on": _iso(t.left_on), "actions": [a.name for a in incubation.TENANCY.available(request.user, t)]}
             for t in qs.order_by("carrier", "entered_on")]
    return {"count": len(items), "items": items}


@router.post("/programs/tenancies/{pk}/transitions", response=dict[str, Any], summary="在孵企业流转（毕业、退出）")
def tenancy_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    _role(request)
    t = access.tenancies(request.user, Tenancy.objects.all()).filter(pk=pk).first()
    if t is None:
        raise HttpError(404, "在孵记录不存在或不在本账号管辖范围内")
    return _run(incubation.TENANCY, t, request, payload)


@router.get("/programs/graduates", response=Page, summary="毕业企业后续梯度（认定与最新评价）")
def graduate_list(request: HttpRequest) -> dict[str, Any]:
    _role(request)
    rows = [{k: _iso(v) for k, v in r.items() if k != "_links"} for r in incubation.graduate_rows(request.user)]
    return {"count": len(rows), "items": rows}


@router.get("/programs/platforms", response=Page, summary="创新平台（市校/院共建）")
def platform_list(request: HttpRequest) -> dict[str, Any]:
    _role(request)
    items = [{"id": p.pk, "name": p.name, "kind": p.kind, "partner": p.partner, "established_on": _iso(p.established_on),
              "status": p.status, "open_shared_lab": p.open_shared_lab, "park": p.park,
              "served": p.services.values("enterprise").distinct().count()} for p in Platform.objects.all()]
    return {"count": len(items), "items": items}


# ------------------------------------------------------------------------------------ publicity

def _event(request: HttpRequest, pk: int) -> PublicityEvent:
    _role(request)
    e = access.events(request.user, PublicityEvent.objects.all()).filter(pk=pk).first()
    if e is None:
        raise HttpError(404, "宣讲活动不存在或不在本账号管辖范围内")
    return e


def _event_out(e: PublicityEvent, user: Any) -> dict[str, Any]:
    return {"id": e.pk, "title": e.title, "division": e.division_id, "planned_on": _iso(e.planned_on),
            "held_on": _iso(e.held_on), "channel": e.channel, "status": e.status, "policies": e.policies,
            "attendees": e.attendees, "reached": e.reached.count(),
            "actions": [a.name for a in publicity.EVENT.available(user, e)]}


@router.get("/programs/publicity", response=Page, summary="政策宣讲活动")
def event_list(request: HttpRequest, division: str | None = None, year: Year | None = None,
               status: str | None = None) -> dict[str, Any]:
    _role(request)
    qs = access.events(request.user, PublicityEvent.objects.all()).order_by("-planned_on", "-id")
    if division:
        qs = qs.filter(division_id=division)
    if year:
        qs = qs.filter(planned_on__year=year)
    if status:
        qs = qs.filter(status=status)
    return {"count": qs.count(), "items": [_event_out(e, request.user) for e in qs]}


class EventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    division: str
    planned_on: Day
    channel: str = "offline"
    policies: list[str] = Field(default_factory=list)
    organiser: str = ""


@router.post("/programs/publicity", response={201: dict[str, Any]}, summary="登记宣讲活动")
def event_create(request: HttpRequest, payload: EventIn) -> Status:
    _role(request)
    try:
        e = publicity.create_event(request.user, **payload.dict())
    except LifecycleError as exc:
        _raise(exc)
    return Status(201, _event_out(e, request.user))


@router.post("/programs/publicity/{pk}/transitions", response=dict[str, Any], summary="宣讲活动流转（已举办、取消）")
def event_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    return _run(publicity.EVENT, _event(request, pk), request, payload)


@router.get("/programs/publicity/coverage", response=dict[str, Any], summary="宣讲覆盖镇街数（n/23）")
def event_coverage(request: HttpRequest, year: Year | None = None, as_of: Day | None = None) -> dict[str, Any]:
    from django.utils import timezone

    _role(request)
    day = as_of or timezone.localdate()
    cov = publicity.coverage(access.events(request.user, PublicityEvent.objects.all()), day,
                             since=date(year or day.year, 1, 1))
    return {"year": year or day.year, "as_of": _iso(day), "covered": cov["covered"], "total": cov["total"],
            "towns": [{k: _iso(v) for k, v in r.items()} for r in cov["rows"]]}


# ------------------------------------------------------------------------------------ awards

@router.get("/programs/awards", response=Page, summary="大赛获奖企业与政策兑现")
def award_list(request: HttpRequest, year: Year | None = None, contest: Id | None = None) -> dict[str, Any]:
    _role(request)
    qs = access.awards(request.user, Award.objects.all()).select_related("contest", "enterprise", "ledger_entry")
    if year:
        qs = qs.filter(contest__year=year)
    if contest:
        qs = qs.filter(contest_id=contest)
    items = [{"id": a.pk, "contest": a.contest.name, "year": a.contest.year, "uscc": a.enterprise.uscc,
              "name": a.enterprise.name, "project": a.project, "prize": a.prize, "rank": a.rank,
              "benefit_status": a.benefit_status, "ledger_entry": a.ledger_entry_id,
              "grant": _iso(a.ledger_entry.amount) if a.ledger_entry_id else None, "credit_line": _iso(a.credit_line),
              "actions": [x.name for x in awards.AWARD.available(request.user, a)]}
             for a in qs.order_by("-contest__year", "rank", "id")]
    return {"count": len(items), "items": items}


@router.post("/programs/awards/{pk}/transitions", response=dict[str, Any], summary="获奖政策兑现（批复资金补助、已兑现）")
def award_transition(request: HttpRequest, pk: Id, payload: TransitionIn) -> dict[str, Any]:
    _role(request)
    a = access.awards(request.user, Award.objects.all()).filter(pk=pk).first()
    if a is None:
        raise HttpError(404, "获奖记录不存在或不在本账号管辖范围内")
    return _run(awards.AWARD, a, request, payload)


# ------------------------------------------------------------------------------------ briefing

@router.get("/programs/briefing", response=dict[str, Any], summary="专项工作简报句（每个数字附口径）")
def briefing(request: HttpRequest, year: Year, as_of: Day | None = None) -> dict[str, Any]:
    from zjtx.stats.programs import programme_sentences

    _role(request)
    if not 2000 <= year <= 2100:
        raise HttpError(422, "年度应在2000至2100之间")
    ents = access.enterprises(request.user)
    titles = registration_titles(ents)
    frames = {"programs": programme_frames(ents, targets=access.targets(request.user, InvestmentTarget.objects.all()),
                                           events=access.events(request.user, PublicityEvent.objects.all())),
              "titles": titles}
    return {"year": year, "as_of": _iso(as_of),
            "sentences": [{"text": s.text, "queries": [st.query for st in s.stats]}
                          for s in programme_sentences(frames, year, as_of=as_of, titles=titles)]}
