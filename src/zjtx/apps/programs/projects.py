"""揭榜挂帅 and 市级重大科技专项: problem → solver applications → selection → contract with
milestones and fund tranches (city and town shares) → acceptance and outcome.

Who may act (DOMAIN.md §1 item 10; 市镇联动 = the project's 联动镇街 co-manages it):

=====================  ==========================================  =====================================
action                 from → to                                   who
=====================  ==========================================  =====================================
发榜 post              草稿 → 张榜征集中                              city staff / administrators
截止征集 close_call     张榜征集中 → 评审中 (needs ≥ 1 application)     city
延长张榜 reopen         评审中 → 张榜征集中 (reason, new closing date)  city
揭榜 select            评审中 → 已揭榜 (reason, one application)        city
立项签约 approve         已揭榜 → 已立项 (contract no., ≥ 1 milestone)   city
申请验收 request_acceptance 已立项 → 验收中 (all milestones closed)     city, the 联动镇街 officer, the solver
验收通过 accept          验收中 → 已验收 (outcome text)                 city administrators
验收不通过 reject        验收中 → 验收未通过 (reason)                    city administrators
撤榜 cancel            草稿/张榜/评审/已揭榜 → 已撤榜 (reason)            city
=====================  ==========================================  =====================================

Milestones: 提交成果 (the solver, the 联动镇街 officer, city) → 确认完成 or 退回 (city, the 联动镇街
officer), only while the project is 已立项. Approval writes the city and town shares to the benefit
ledger (``cultivation.ledger``: refused if the solver already holds a conflicting benefit for the
same project); acceptance marks them 已兑现. Outcomes of kinds Ⅰ类/Ⅱ类知识产权 feed the solver's
annual report with provenance 已核验 (its 一企一策 plans are re-checked by the existing signal).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.programs import access
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine
from zjtx.apps.programs.models import Milestone, Project, ProjectOutcome, SolverApplication

S = Project.State
LEDGER_POLICY = {Project.Kind.JIEBANG: "zs_jiebang_guashuai", Project.Kind.MAJOR: "zs_major_sci_tech"}
LEDGER_NAMES = {"zs_jiebang_guashuai": "市级“揭榜挂帅”项目资助", "zs_major_sci_tech": "市级重大科技专项",
                "zs_town_cofund": "镇街科技项目配套资金（市镇联动）"}


def _city(user: Any, obj: Any) -> bool:
    return access.is_city(user)


def _admin(user: Any, obj: Any) -> bool:
    return access.is_admin(user)


def _manager_or_solver(user: Any, p: Project) -> bool:
    return access.manages_project(user, p) or access.is_solver(user, p)


def _visible(user: Any, p: Project) -> bool:
    return access.projects(user, Project.objects.filter(pk=p.pk)).exists()


def _parse_date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise LifecycleError(f"日期格式错误：{v}（应为YYYY-MM-DD）") from exc


# ----------------------------------------------------------------------------------- checks/hooks

def _check_post(p: Project, data: dict[str, Any]) -> str | None:
    if not p.goal.strip():
        return "发榜前须填写技术目标"
    closes = _parse_date(data.get("posting_closes")) or p.posting_closes
    if closes is None:
        return "发榜前须填写张榜截止日期"
    opens = _parse_date(data.get("posting_opens")) or p.posting_opens or timezone.localdate()
    if closes < opens:
        return "张榜截止日期不能早于张榜开始日期"
    return None


def _apply_post(p: Project, user: Any, data: dict[str, Any]) -> None:
    p.posting_opens = _parse_date(data.get("posting_opens")) or p.posting_opens or timezone.localdate()
    p.posting_closes = _parse_date(data.get("posting_closes")) or p.posting_closes


def _check_close(p: Project, data: dict[str, Any]) -> str | None:
    if not p.applications.filter(status=SolverApplication.Status.SUBMITTED).exists():
        return "尚无揭榜申请，不能截止征集（可延长张榜或撤榜）"
    return None


def _check_reopen(p: Project, data: dict[str, Any]) -> str | None:
    closes = _parse_date(data.get("posting_closes"))
    if closes is None:
        return "延长张榜须填写新的张榜截止日期"
    if closes <= (p.posting_closes or date.min):
        return "新的张榜截止日期须晚于原截止日期"
    return None


def _apply_reopen(p: Project, user: Any, data: dict[str, Any]) -> None:
    p.posting_closes = _parse_date(data.get("posting_closes"))


def _application_of(p: Project, data: dict[str, Any]) -> SolverApplication | None:
    try:
        pk = int(data.get("application") or 0)
    except (TypeError, ValueError):
        return None
    return p.applications.filter(pk=pk).first()


def _check_select(p: Project, data: dict[str, Any]) -> str | None:
    app = _application_of(p, data)
    if app is None:
        return "请选择揭榜方（本项目的揭榜申请）"
    if app.status != SolverApplication.Status.SUBMITTED:
        return f"该申请状态为“{app.get_status_display()}”，不能选为揭榜方"
    return None


def _apply_select(p: Project, user: Any, data: dict[str, Any]) -> None:
    app = _application_of(p, data)
    assert app is not None
    app.status = SolverApplication.Status.SELECTED
    app.review_note = data["reason"][:500]
    app.save()
    for other in p.applications.filter(status=SolverApplication.Status.SUBMITTED).exclude(pk=app.pk):
        other.status = SolverApplication.Status.NOT_SELECTED
        other.save()
    p.solver = app
    p.selection_reason = data["reason"][:500]
    p.selected_on = _parse_date(data.get("selected_on")) or timezone.localdate()


def _check_approve(p: Project, data: dict[str, Any]) -> str | None:
    if not (str(data.get("contract_no") or "").strip() or p.contract_no):
        return "立项须填写合同/立项文号"
    ms = list(p.milestones.all())
    if not ms:
        return "立项前须至少设置一个项目节点"
    city = sum((m.city_amount for m in ms), Decimal(0))
    town = sum((m.town_amount for m in ms), Decimal(0))
    if city > p.city_share or town > p.town_share:
        return (f"节点拨付合计（市级{city:,.2f}元、镇街{town:,.2f}元）超过项目资助"
                f"（市级{p.city_share:,.2f}元、镇街{p.town_share:,.2f}元）")
    return None


def _ledger_entries(p: Project) -> list[Any]:
    from zjtx.apps.cultivation.models import BenefitEntry, BenefitLevel

    ent = p.solver.enterprise if p.solver_id else None
    if ent is None:
        return []
    out = []
    project = f"{p.code} {p.title}"[:200]
    policy = LEDGER_POLICY[p.kind]
    if p.city_share:
        out.append(BenefitEntry(enterprise=ent, policy=policy, policy_name=LEDGER_NAMES[policy],
                                level=BenefitLevel.CITY, year=p.approved_on.year, project=project,
                                amount=p.city_share, kind=BenefitEntry.Kind.GRANTED, document=p.contract_no[:150]))
    if p.town_share:
        out.append(BenefitEntry(enterprise=ent, policy="zs_town_cofund", policy_name=LEDGER_NAMES["zs_town_cofund"],
                                level=BenefitLevel.TOWN, year=p.approved_on.year, project=project,
                                amount=p.town_share, kind=BenefitEntry.Kind.GRANTED, document=p.contract_no[:150]))
    return out


def _apply_approve(p: Project, user: Any, data: dict[str, Any]) -> None:
    from zjtx.apps.cultivation import ledger

    p.contract_no = (str(data.get("contract_no") or "").strip() or p.contract_no)[:100]
    p.approved_on = _parse_date(data.get("approved_on")) or timezone.localdate()
    for entry in _ledger_entries(p):
        entry.created_by = user if getattr(user, "is_authenticated", False) else None
        try:
            ledger.record(entry)
        except ValidationError as exc:
            raise LifecycleError("立项资助不能登记奖补台账：" + "；".join(exc.messages)) from exc


def _check_request_acceptance(p: Project, data: dict[str, Any]) -> str | None:
    open_ms = p.milestones.exclude(status=Milestone.Status.CLOSED).count()
    if open_ms:
        return f"尚有{open_ms}个项目节点未完成，不能申请验收"
    return None


def _check_accept(p: Project, data: dict[str, Any]) -> str | None:
    if not (str(data.get("outcome") or "").strip() or p.outcome.strip()):
        return "验收通过须填写验收结论与成果"
    return None


def _apply_accept(p: Project, user: Any, data: dict[str, Any]) -> None:
    from zjtx.apps.cultivation.models import BenefitEntry

    p.outcome = str(data.get("outcome") or "").strip() or p.outcome
    p.accepted_on = _parse_date(data.get("accepted_on")) or timezone.localdate()
    if p.solver_id and p.solver.enterprise_id:
        project = f"{p.code} {p.title}"[:200]
        for e in BenefitEntry.objects.filter(enterprise_id=p.solver.enterprise_id, project=project,
                                             policy__in=[LEDGER_POLICY[p.kind], "zs_town_cofund"],
                                             kind=BenefitEntry.Kind.GRANTED):
            e.kind = BenefitEntry.Kind.PAID
            e.paid_on = p.accepted_on
            e.save()


def _apply_fail(p: Project, user: Any, data: dict[str, Any]) -> None:
    p.outcome = data["reason"]
    p.accepted_on = _parse_date(data.get("accepted_on")) or timezone.localdate()


def _apply_cancel(p: Project, user: Any, data: dict[str, Any]) -> None:
    for app in p.applications.filter(status=SolverApplication.Status.SUBMITTED):
        app.status = SolverApplication.Status.NOT_SELECTED
        app.save()


CITY_TEXT = "限市级工作人员"
PROJECT = Machine("项目", Project, "state", (
    Action("post", "发榜（公开张榜征集）", (S.DRAFT,), S.POSTED, _city, check=_check_post, apply=_apply_post,
           who_text=CITY_TEXT),
    Action("close_call", "截止征集，进入评审", (S.POSTED,), S.REVIEWING, _city, check=_check_close, who_text=CITY_TEXT),
    Action("reopen", "延长张榜", (S.REVIEWING,), S.POSTED, _city, reason_required=True, check=_check_reopen,
           apply=_apply_reopen, who_text=CITY_TEXT),
    Action("select", "确定揭榜方", (S.REVIEWING,), S.SELECTED, _city, reason_required=True, check=_check_select,
           apply=_apply_select, who_text=CITY_TEXT),
    Action("approve", "签订合同，立项实施", (S.SELECTED,), S.CONTRACTED, _city, check=_check_approve,
           apply=_apply_approve, who_text=CITY_TEXT),
    Action("request_acceptance", "申请验收", (S.CONTRACTED,), S.ACCEPTING, _manager_or_solver,
           check=_check_request_acceptance, who_text="限市级、联动镇街或揭榜方"),
    Action("accept", "验收通过", (S.ACCEPTING,), S.ACCEPTED, _admin, check=_check_accept, apply=_apply_accept,
           who_text="限市级管理员"),
    Action("reject", "验收不通过", (S.ACCEPTING,), S.FAILED, _admin, reason_required=True, apply=_apply_fail,
           who_text="限市级管理员"),
    Action("cancel", "撤榜", (S.DRAFT, S.POSTED, S.REVIEWING, S.SELECTED), S.CANCELLED, _city, reason_required=True,
           apply=_apply_cancel, who_text=CITY_TEXT),
), _visible)


# ----------------------------------------------------------------------------------- milestones

M = Milestone.Status


def _ms_visible(user: Any, m: Milestone) -> bool:
    return _visible(user, m.project)


def _ms_submitter(user: Any, m: Milestone) -> bool:
    return _manager_or_solver(user, m.project)


def _ms_manager(user: Any, m: Milestone) -> bool:
    return access.manages_project(user, m.project)


def _ms_running(m: Milestone, data: dict[str, Any]) -> str | None:
    if m.project.state != S.CONTRACTED:
        return f"项目状态为“{m.project.get_state_display()}”，节点只能在立项实施期间办理"
    return None


def _check_ms_submit(m: Milestone, data: dict[str, Any]) -> str | None:
    problem = _ms_running(m, data)
    if problem:
        return problem
    if not (str(data.get("evidence") or "").strip() or m.evidence):
        return "提交节点成果须填写成果材料"
    return None


def _apply_ms_submit(m: Milestone, user: Any, data: dict[str, Any]) -> None:
    m.evidence = (str(data.get("evidence") or "").strip() or m.evidence)[:500]
    m.submitted_on = _parse_date(data.get("on")) or timezone.localdate()


def _check_ms_close(m: Milestone, data: dict[str, Any]) -> str | None:
    problem = _ms_running(m, data)
    if problem:
        return problem
    earlier = m.project.milestones.filter(seq__lt=m.seq).exclude(status=M.CLOSED).order_by("seq").first()
    if earlier is not None:
        return f"请先完成节点{earlier.seq}（{earlier.title}）"
    return None


def _apply_ms_close(m: Milestone, user: Any, data: dict[str, Any]) -> None:
    m.closed_on = _parse_date(data.get("on")) or timezone.localdate()


MILESTONE = Machine("项目节点", Milestone, "status", (
    Action("submit", "提交节点成果", (M.PLANNED,), M.SUBMITTED, _ms_submitter, check=_check_ms_submit,
           apply=_apply_ms_submit, who_text="限市级、联动镇街或揭榜方"),
    Action("close", "确认节点完成（拨付该节点资金）", (M.SUBMITTED,), M.CLOSED, _ms_manager, check=_check_ms_close,
           apply=_apply_ms_close, who_text="限市级或联动镇街"),
    Action("return", "退回补充成果", (M.SUBMITTED,), M.PLANNED, _ms_manager, reason_required=True, check=_ms_running,
           who_text="限市级或联动镇街"),
), _ms_visible)


# ----------------------------------------------------------------------------------- applications

A = SolverApplication.Status


def _app_visible(user: Any, a: SolverApplication) -> bool:
    return access.applications(user, SolverApplication.objects.filter(pk=a.pk)).exists()


def _app_editor(user: Any, a: SolverApplication) -> bool:
    if access.is_city(user):
        return True
    return a.enterprise is not None and access.can_edit_enterprise(user, a.enterprise)


def _check_withdraw(a: SolverApplication, data: dict[str, Any]) -> str | None:
    if a.project.state not in (S.POSTED, S.REVIEWING):
        return f"项目状态为“{a.project.get_state_display()}”，不能撤回揭榜申请"
    return None


APPLICATION = Machine("揭榜申请", SolverApplication, "status", (
    Action("withdraw", "撤回揭榜申请", (A.SUBMITTED,), A.WITHDRAWN, _app_editor, check=_check_withdraw,
           who_text="限申报单位或市级"),
), _app_visible)


# ----------------------------------------------------------------------------------- creation

def next_code(kind: str, year: int) -> str:
    prefix = "JB" if kind == Project.Kind.JIEBANG else "ZX"
    n = Project.objects.filter(code__startswith=f"{prefix}{year}-").count() + 1
    while Project.objects.filter(code=f"{prefix}{year}-{n:02d}").exists():
        n += 1
    return f"{prefix}{year}-{n:02d}"


def create_project(user: Any, **fields: Any) -> Project:
    """A draft 榜/专项. City: any; a town officer: its own town as 联动镇街; an enterprise user: its own
    enterprise as 发榜方 (a need it wants solved)."""
    r = access.role(user)
    if r is None or r == "auditor":
        raise LifecycleError("当前账号无权新建项目", 403)
    town = access.own_town(user)
    ent_id = access.own_enterprise_id(user)
    if r == "town_officer":
        if fields.get("division_id") not in (None, "", town):
            raise LifecycleError("镇街账号只能新建本镇街联动的项目", 403)
        fields["division_id"] = town
    if r == "enterprise_user":
        fields["poster_kind"] = Project.PosterKind.ENTERPRISE
        fields["poster_id"] = ent_id
        fields.pop("division_id", None)
    poster = fields.get("poster")
    if poster is not None and not access.enterprises(user).filter(pk=poster.pk).exists() and r != "enterprise_user":
        raise LifecycleError("发榜企业不在本账号管辖范围内", 403)
    if fields.get("poster_kind") == Project.PosterKind.ENTERPRISE and not (fields.get("poster") or fields.get("poster_id")):
        raise LifecycleError("发榜方为企业时须选择发榜企业")
    if not fields.get("poster_name"):
        from zjtx.apps.enterprises.models import Enterprise

        pid = fields.get("poster_id") or (poster.pk if poster is not None else None)
        fields["poster_name"] = (Enterprise.objects.filter(pk=pid).values_list("name", flat=True).first()
                                 if pid else "中山市科学技术局") or "中山市科学技术局"
    for key in ("city_share", "town_share"):
        if fields.get(key) in (None, ""):
            fields[key] = Decimal(0)
        if Decimal(fields[key]) < 0:
            raise LifecycleError("资助金额不能为负数")
    kind = fields.get("kind") or Project.Kind.JIEBANG
    year = int(fields.get("year") or timezone.localdate().year)
    with acting_as(user, source="programs"), transaction.atomic():
        p = Project.objects.create(code=fields.pop("code", None) or next_code(kind, year), kind=kind, year=year,
                                   created_by=user if getattr(user, "is_authenticated", False) else None,
                                   **{k: v for k, v in fields.items() if k not in ("kind", "year")})
    return p


def submit_application(project: Project, user: Any, *, enterprise: Any = None, applicant_kind: str = "enterprise",
                       applicant_name: str = "", local: bool | None = None, proposal: str = "",
                       requested_amount: Decimal | None = None, partners: str = "",
                       today: date | None = None) -> SolverApplication:
    """揭榜: an enterprise user for its own enterprise; a town officer for an enterprise of its town;
    city staff for anyone (also universities, institutes and applicants outside the city)."""
    r = access.role(user)
    if r is None or r == "auditor":
        raise LifecycleError("当前账号无权揭榜", 403)
    if not _visible(user, project):
        raise LifecycleError("项目不存在或不在本账号管辖范围内", 404)
    if project.state != S.POSTED:
        raise LifecycleError(f"项目状态为“{project.get_state_display()}”，不在张榜征集期", 409)
    day = today or timezone.localdate()
    if project.posting_closes and day > project.posting_closes:
        raise LifecycleError(f"张榜已于{project.posting_closes.isoformat()}截止", 409)
    if r == "enterprise_user":
        from zjtx.apps.enterprises.models import Enterprise

        enterprise = Enterprise.objects.get(pk=access.own_enterprise_id(user))
        applicant_kind = SolverApplication.ApplicantKind.ENTERPRISE
    elif r == "town_officer":
        if enterprise is None or not access.can_edit_enterprise(user, enterprise):
            raise LifecycleError("镇街账号只能为本镇街企业登记揭榜申请", 403)
    if enterprise is not None:
        applicant_name = enterprise.name
        if local is None:
            local = enterprise.is_local
        if project.poster_id == enterprise.pk:
            raise LifecycleError("发榜企业不能揭自己的榜")
    if not applicant_name.strip():
        raise LifecycleError("请填写申报单位")
    dup = project.applications.exclude(status=A.WITHDRAWN)
    dup = dup.filter(enterprise=enterprise) if enterprise is not None else dup.filter(applicant_name=applicant_name)
    if dup.exists():
        raise LifecycleError(f"{applicant_name}已申报本榜，不能重复申报", 409)
    if requested_amount is not None and requested_amount < 0:
        raise LifecycleError("申请资助不能为负数")
    with acting_as(user, source="programs"), transaction.atomic():
        return SolverApplication.objects.create(
            project=project, applicant_kind=applicant_kind, enterprise=enterprise, applicant_name=applicant_name[:200],
            local=True if local is None else local, proposal=proposal, requested_amount=requested_amount,
            partners=partners, submitted_by=user if getattr(user, "is_authenticated", False) else None)


def add_milestone(project: Project, user: Any, *, title: str, due_on: date, deliverable: str = "",
                  city_amount: Decimal = Decimal(0), town_amount: Decimal = Decimal(0)) -> Milestone:
    """Milestones are agreed with the solver before 立项 (state 已揭榜)."""
    if not _visible(user, project):
        raise LifecycleError("项目不存在或不在本账号管辖范围内", 404)
    if not (access.role(user) not in (None, "auditor") and access.manages_project(user, project)):
        raise LifecycleError("当前账号无权设置项目节点（限市级或联动镇街）", 403)
    if project.state != S.SELECTED:
        raise LifecycleError(f"项目状态为“{project.get_state_display()}”，节点须在确定揭榜方后、立项前设置", 409)
    if city_amount < 0 or town_amount < 0:
        raise LifecycleError("拨付金额不能为负数")
    if not title.strip():
        raise LifecycleError("请填写节点名称")
    seq = (project.milestones.aggregate(m=Max("seq"))["m"] or 0) + 1
    with acting_as(user, source="programs"), transaction.atomic():
        return Milestone.objects.create(project=project, seq=seq, title=title[:200], due_on=due_on,
                                        deliverable=deliverable[:300], city_amount=city_amount,
                                        town_amount=town_amount)


def add_outcome(project: Project, user: Any, *, kind: str, title: str, count: int = 1,
                year: int | None = None, note: str = "") -> ProjectOutcome:
    if not _visible(user, project):
        raise LifecycleError("项目不存在或不在本账号管辖范围内", 404)
    if access.role(user) in (None, "auditor") or not _manager_or_solver(user, project):
        raise LifecycleError("当前账号无权登记项目成果", 403)
    if project.state not in (S.CONTRACTED, S.ACCEPTING, S.ACCEPTED):
        raise LifecycleError(f"项目状态为“{project.get_state_display()}”，立项后才能登记成果", 409)
    if kind not in ProjectOutcome.Kind.values:
        raise LifecycleError("成果类型无效")
    if count < 1:
        raise LifecycleError("数量至少为1")
    with acting_as(user, source="programs"), transaction.atomic():
        return ProjectOutcome.objects.create(project=project, kind=kind, title=title[:200], count=count,
                                             year=year or timezone.localdate().year, note=note[:300])


def feed_outcome(outcome: ProjectOutcome, user: Any) -> Any:
    """Write an IP outcome into the solver enterprise's annual report of ``outcome.year`` (count
    added, provenance 已核验, the raw text naming the project). Refused when already written, when
    the solver is not a registry enterprise, or for other kinds."""
    from zjtx.apps.enterprises.models import AnnualReport

    p = outcome.project
    if not access.is_city(user):
        raise LifecycleError("成果写入企业数据由市级工作人员办理", 403)
    if not outcome.feeds_record:
        raise LifecycleError(f"“{outcome.get_kind_display()}”不写入企业年报")
    if outcome.fed_at is not None:
        raise LifecycleError("该成果已写入企业年报，不能重复写入", 409)
    if p.state != S.ACCEPTED:
        raise LifecycleError("项目验收通过后成果才能写入企业数据", 409)
    ent = p.solver.enterprise if p.solver_id else None
    if ent is None:
        raise LifecycleError("揭榜方不是本库企业，成果无法写入企业数据")
    with acting_as(user, source="programs"), transaction.atomic():
        rep = (AnnualReport.objects.select_for_update().filter(enterprise=ent, year=outcome.year).first()
               or AnnualReport(enterprise=ent, year=outcome.year))
        for name in ProjectOutcome.FEEDS[outcome.kind]:
            old = getattr(rep, name)
            setattr(rep, name, (old or 0) + outcome.count)
            rep.provenance[name] = "verified"
            rep.raw[name] = f"{old if old is not None else '空'}+{outcome.count}（{p.code}项目成果：{outcome.title}）"[:200]
        rep.save()
        outcome.fed_at = timezone.now()
        outcome.fed_by = user if getattr(user, "is_authenticated", False) else None
        outcome.save()
    return rep
