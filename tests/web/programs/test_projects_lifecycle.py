"""揭榜挂帅 / 重大科技专项: every allowed and forbidden transition by role and town, the data checks
that refuse out-of-order moves, the benefit ledger, outcomes feeding the solver's records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from programs_helpers import (  # noqa: F401 (fixtures)
    ROLES,
    TODAY,
    actors_fixture,
    application,
    enterprise_fixture,
    four_tech,
    milestone,
    project,
    selected,
)

from zjtx.apps.cultivation.models import BenefitEntry, Plan, PlanItem
from zjtx.apps.cultivation.plans import create_plan
from zjtx.apps.enterprises.models import AnnualReport, Title
from zjtx.apps.programs import projects
from zjtx.apps.programs.lifecycle import LifecycleError
from zjtx.apps.programs.models import LifecycleLog, Milestone, Project, ProjectOutcome, SolverApplication

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# who may take each project action on a project of 小榄镇 whose solver is the enterprise of "ent"
ALLOWED = {
    "post": {"admin", "staff"},
    "close_call": {"admin", "staff"},
    "reopen": {"admin", "staff"},
    "select": {"admin", "staff"},
    "approve": {"admin", "staff"},
    "request_acceptance": {"admin", "staff", "xiaolan", "ent"},
    "accept": {"admin"},
    "reject": {"admin"},
    "cancel": {"admin", "staff"},
}


def _setup(action: str, a: dict) -> tuple[Project, dict, str]:
    """A project in the action's source state with valid data; returns (project, data, reason)."""
    xl = a["xl"]
    reason = "评审意见" if action in ("reopen", "select", "reject", "cancel") else ""
    if action == "post":
        return project("draft"), {}, reason
    if action == "cancel":
        return project("draft"), {}, reason
    if action == "close_call":
        p = project("posted")
        application(p, a["gz"])
        return p, {}, reason
    if action == "reopen":
        p = project("reviewing")
        return p, {"posting_closes": (TODAY + timedelta(days=60)).isoformat()}, reason
    if action == "select":
        p = project("reviewing")
        app = application(p, xl)
        application(p, a["gz"])
        return p, {"application": str(app.pk)}, reason
    if action == "approve":
        p = selected("selected", xl)
        milestone(p, 1, city="600000", town="100000")
        return p, {"contract_no": "中科合〔2025〕9号"}, reason
    if action == "request_acceptance":
        p = selected("contracted", xl)
        milestone(p, 1, status="closed")
        return p, {}, reason
    p = selected("accepting", xl)
    return p, ({"outcome": "全部指标达到合同要求"} if action == "accept" else {}), reason


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("who", ROLES)
def test_project_transition_matrix(actors, action, who) -> None:
    user = actors["users"][who]
    p, data, reason = _setup(action, actors)
    spec = projects.PROJECT.by_name[action]
    before = p.state
    if who in ALLOWED[action]:
        assert action in [x.name for x in projects.PROJECT.available(user, p)]
        log = projects.PROJECT.run(p, action, user, reason, **data)
        p.refresh_from_db()
        assert p.state == spec.target == log.to_state and log.from_state == before
        assert log.actor == user and log.reason == reason
    else:
        assert action not in [x.name for x in projects.PROJECT.available(user, p)]
        with pytest.raises(LifecycleError) as err:
            projects.PROJECT.run(p, action, user, reason or "原因", **data)
        assert err.value.status in (403, 404)
        p.refresh_from_db()
        assert p.state == before
        assert not LifecycleLog.objects.filter(model="project", object_id=p.pk).exists()


def test_wrong_state_is_refused_with_409(actors) -> None:
    staff = actors["users"]["staff"]
    p = project("draft")
    with pytest.raises(LifecycleError) as err:
        projects.PROJECT.run(p, "close_call", staff)
    assert err.value.status == 409 and "当前状态为“草稿”，不能执行“截止征集，进入评审”" in str(err.value)


def test_out_of_order_data_are_refused_with_reasons(actors) -> None:
    staff, xl = actors["users"]["staff"], actors["xl"]
    # posting without a closing date; a reason is required to cancel
    p = project("draft", posting_closes=None)
    with pytest.raises(LifecycleError, match="发榜前须填写张榜截止日期"):
        projects.PROJECT.run(p, "post", staff)
    with pytest.raises(LifecycleError, match="须填写原因"):
        projects.PROJECT.run(p, "cancel", staff, "")
    # closing a call without any application
    p = project("posted")
    with pytest.raises(LifecycleError, match="尚无揭榜申请"):
        projects.PROJECT.run(p, "close_call", staff)
    # reopening needs a later date
    p = project("reviewing")
    with pytest.raises(LifecycleError, match="须晚于原截止日期"):
        projects.PROJECT.run(p, "reopen", staff, "延长", posting_closes=(TODAY - timedelta(days=1)).isoformat())
    # selecting an application of another project
    other = project("reviewing")
    foreign = application(other, xl)
    with pytest.raises(LifecycleError, match="请选择揭榜方"):
        projects.PROJECT.run(p, "select", staff, "评审", application=str(foreign.pk))
    # approval without milestones, then with tranches above the shares
    p = selected("selected", xl)
    with pytest.raises(LifecycleError, match="至少设置一个项目节点"):
        projects.PROJECT.run(p, "approve", staff, contract_no="X1")
    milestone(p, 1, city="2000000")
    with pytest.raises(LifecycleError, match="超过项目资助"):
        projects.PROJECT.run(p, "approve", staff, contract_no="X1")
    # acceptance with an open milestone
    p = selected("contracted", xl)
    milestone(p, 1, status="closed")
    milestone(p, 2, status="submitted")
    with pytest.raises(LifecycleError, match="尚有1个项目节点未完成"):
        projects.PROJECT.run(p, "request_acceptance", staff)
    # a bad date is a clear message, not a server error
    p = project("draft")
    with pytest.raises(LifecycleError, match="日期格式错误"):
        projects.PROJECT.run(p, "post", staff, posting_closes="2025-13-40")


def test_selection_records_solver_and_closes_the_others(actors) -> None:
    staff = actors["users"]["staff"]
    p = project("reviewing")
    win, lose = application(p, actors["xl"]), application(p, None, name="华南理工大学")
    projects.PROJECT.run(p, "select", staff, "技术路线最优", application=str(win.pk))
    p.refresh_from_db()
    win.refresh_from_db()
    lose.refresh_from_db()
    assert p.solver == win and p.selection_reason == "技术路线最优" and p.selected_on == TODAY
    assert win.status == "selected" and lose.status == "not_selected"


MS_ALLOWED = {"submit": {"admin", "staff", "xiaolan", "ent"}, "close": {"admin", "staff", "xiaolan"},
              "return": {"admin", "staff", "xiaolan"}}


@pytest.mark.parametrize("action", list(MS_ALLOWED))
@pytest.mark.parametrize("who", ROLES)
def test_milestone_transition_matrix(actors, action, who) -> None:
    user = actors["users"][who]
    p = selected("contracted", actors["xl"])
    m = milestone(p, 1, status="planned" if action == "submit" else "submitted")
    data = {"evidence": "样机测试报告"} if action == "submit" else {}
    reason = "材料不全" if action == "return" else ""
    spec = projects.MILESTONE.by_name[action]
    if who in MS_ALLOWED[action]:
        projects.MILESTONE.run(m, action, user, reason, **data)
        m.refresh_from_db()
        assert m.status == spec.target
    else:
        with pytest.raises(LifecycleError) as err:
            projects.MILESTONE.run(m, action, user, reason or "原因", **data)
        assert err.value.status in (403, 404)
        m.refresh_from_db()
        assert m.status == spec.sources[0]


def test_milestones_close_in_order_and_only_while_running(actors) -> None:
    staff = actors["users"]["staff"]
    p = selected("contracted", actors["xl"])
    milestone(p, 1, status="planned")
    m2 = milestone(p, 2, status="submitted")
    with pytest.raises(LifecycleError, match="请先完成节点1"):
        projects.MILESTONE.run(m2, "close", staff)
    q = selected("selected", actors["xl"])
    m = milestone(q, 1)
    with pytest.raises(LifecycleError, match="节点只能在立项实施期间办理"):
        projects.MILESTONE.run(m, "submit", staff, evidence="x")
    with pytest.raises(LifecycleError, match="须在确定揭榜方后、立项前设置"):
        projects.add_milestone(p, staff, title="新增节点", due_on=TODAY)
    with pytest.raises(LifecycleError) as err:
        projects.add_milestone(q, actors["users"]["guzhen"], title="x", due_on=TODAY)
    assert err.value.status == 403


@pytest.mark.parametrize("who", ROLES)
def test_withdraw_matrix(actors, who) -> None:
    user = actors["users"][who]
    p = project("posted")
    app = application(p, actors["xl"])
    if who in {"admin", "staff", "xiaolan", "ent"}:
        projects.APPLICATION.run(app, "withdraw", user)
        app.refresh_from_db()
        assert app.status == SolverApplication.Status.WITHDRAWN
    else:
        with pytest.raises(LifecycleError) as err:
            projects.APPLICATION.run(app, "withdraw", user)
        assert err.value.status in (403, 404)


def test_applying_by_role_scope_and_window(actors) -> None:
    u, xl, gz = actors["users"], actors["xl"], actors["gz"]
    p = project("posted", poster=actors["xl2"], poster_kind="enterprise")
    a = projects.submit_application(p, u["ent"], proposal="方案", enterprise=gz)  # the user's own enterprise wins
    assert a.enterprise == xl and a.local is True
    with pytest.raises(LifecycleError) as err:
        projects.submit_application(p, u["ent"], proposal="again")
    assert err.value.status == 409 and "不能重复申报" in str(err.value)
    with pytest.raises(LifecycleError) as err:
        projects.submit_application(p, u["xiaolan"], enterprise=gz)
    assert err.value.status == 403
    with pytest.raises(LifecycleError, match="发榜企业不能揭自己的榜"):
        projects.submit_application(p, u["ent2"])
    uni = projects.submit_application(p, u["staff"], applicant_kind="university", applicant_name="长春理工大学",
                                      local=False)
    assert uni.local is False and uni.enterprise is None
    for who in ("auditor", "norole"):
        with pytest.raises(LifecycleError) as err:
            projects.submit_application(p, u[who], applicant_name="x")
        assert err.value.status in (403, 404)
    closed = project("posted", posting_closes=TODAY - timedelta(days=1))
    with pytest.raises(LifecycleError) as err:
        projects.submit_application(closed, u["ent2"])
    assert err.value.status == 409 and "张榜已于" in str(err.value)
    draft = project("draft")
    with pytest.raises(LifecycleError) as err:
        projects.submit_application(draft, u["staff"], applicant_name="x")
    assert err.value.status == 409


def test_drafts_are_visible_only_to_their_town_and_poster(actors) -> None:
    from zjtx.apps.programs import access

    u = actors["users"]
    mine = project("draft", division=None, poster=actors["xl"], poster_kind="enterprise")
    town = project("draft")
    public = project("posted", division=None)
    seen = {who: set(access.projects(u[who], Project.objects.all()).values_list("pk", flat=True)) for who in ROLES}
    assert seen["admin"] == seen["staff"] == seen["auditor"] == {mine.pk, town.pk, public.pk}
    assert seen["xiaolan"] == {mine.pk, town.pk, public.pk}    # poster in its town; 联动镇街
    assert seen["guzhen"] == {public.pk}
    assert seen["ent"] == {mine.pk, public.pk} and seen["ent2"] == {public.pk} and seen["norole"] == set()


def test_creation_by_role(actors) -> None:
    u = actors["users"]
    p = projects.create_project(u["ent"], title="我们的难题", year=2025, poster_kind="bureau", division_id="442000105")
    assert p.poster == actors["xl"] and p.poster_kind == "enterprise" and p.division_id is None and p.state == "draft"
    assert p.poster_name == actors["xl"].name and p.code == "JB2025-01"
    t = projects.create_project(u["xiaolan"], title="镇街联动项目", year=2025, kind="major")
    assert t.division_id == "442000118" and t.code == "ZX2025-01"
    with pytest.raises(LifecycleError) as err:
        projects.create_project(u["xiaolan"], title="别的镇", year=2025, division_id="442000105")
    assert err.value.status == 403
    for who in ("auditor", "norole"):
        with pytest.raises(LifecycleError):
            projects.create_project(u[who], title="x", year=2025)


def test_approval_writes_the_ledger_and_acceptance_pays_it(actors) -> None:
    staff, admin, xl = actors["users"]["staff"], actors["users"]["admin"], actors["xl"]
    p = selected("selected", xl)
    milestone(p, 1, city="1000000", town="200000")
    projects.PROJECT.run(p, "approve", staff, contract_no="中科合〔2025〕3号", approved_on="2025-05-20")
    entries = BenefitEntry.objects.filter(enterprise=xl).order_by("policy")
    assert [(e.policy, e.level, e.amount, e.kind, e.year) for e in entries] == [
        ("zs_jiebang_guashuai", "city", Decimal("1000000.00"), "granted", 2025),
        ("zs_town_cofund", "town", Decimal("200000.00"), "granted", 2025)]
    assert all(e.project == f"{p.code} {p.title}" and e.document == "中科合〔2025〕3号" for e in entries)
    Milestone.objects.filter(project=p).update(status="closed")
    projects.PROJECT.run(p, "request_acceptance", actors["users"]["ent"])
    projects.PROJECT.run(p, "accept", admin, outcome="通过", accepted_on="2026-01-10")
    assert set(BenefitEntry.objects.filter(enterprise=xl).values_list("kind", "paid_on")) == {("paid", date(2026, 1, 10))}


def test_approval_refuses_a_double_benefit_and_changes_nothing(actors) -> None:
    staff, xl = actors["users"]["staff"], actors["xl"]
    p = selected("selected", xl)
    milestone(p, 1)
    BenefitEntry.objects.create(enterprise=xl, policy="zs_major_sci_tech", policy_name="市级重大科技专项", level="city",
                                year=2024, project=f"{p.code} {p.title}", amount=Decimal("500000"))
    with pytest.raises(LifecycleError, match="不得重复享受"):
        projects.PROJECT.run(p, "approve", staff, contract_no="X")
    p.refresh_from_db()
    assert p.state == "selected" and p.contract_no == "" and BenefitEntry.objects.filter(enterprise=xl).count() == 1


def test_outcome_feeds_the_solver_record_and_closes_the_plan_gap(actors, enterprise) -> None:
    staff = actors["users"]["staff"]
    ent = enterprise(40, **four_tech(40, ip_hv=5))     # 80% tech staff, 5 high-value IP: not 超过5项
    Title.objects.create(enterprise=ent, title="tech_sme", granted_on=date(2025, 3, 1), expires_on=date(2025, 12, 31))
    plan = create_plan(ent, "zs_four_tech", staff, on=date(2025, 6, 30))
    assert plan.evaluation_status == "not_qualified" and plan.items.filter(key="ip1_high_value").exists()
    p = selected("accepted", ent, plan=plan)
    o = ProjectOutcome.objects.create(project=p, kind="ip1_high_value", title="高精度编码器发明专利", count=1, year=2024)
    with pytest.raises(LifecycleError) as err:
        projects.feed_outcome(o, actors["users"]["xiaolan"])
    assert err.value.status == 403
    rep = projects.feed_outcome(o, staff)
    assert rep.ip1 == 7 and rep.ip1_high_value == 6
    assert rep.provenance["ip1_high_value"] == "verified" and p.code in rep.raw["ip1_high_value"]
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ACHIEVED
    assert plan.items.get(key="ip1_high_value").status == PlanItem.Status.AUTO_CLOSED
    with pytest.raises(LifecycleError) as err:
        projects.feed_outcome(o, staff)
    assert err.value.status == 409
    other = ProjectOutcome.objects.create(project=p, kind="product", title="新产品", year=2024)
    with pytest.raises(LifecycleError, match="不写入企业年报"):
        projects.feed_outcome(other, staff)
    assert AnnualReport.objects.get(enterprise=ent, year=2024).ip1_high_value == 6


def test_outcomes_only_after_contract_and_by_manager_or_solver(actors) -> None:
    u = actors["users"]
    p = selected("selected", actors["xl"])
    with pytest.raises(LifecycleError) as err:
        projects.add_outcome(p, u["staff"], kind="ip1", title="x")
    assert err.value.status == 409
    p = selected("contracted", actors["xl"])
    assert projects.add_outcome(p, u["ent"], kind="ip1", title="专利", count=2, year=2025).count == 2
    with pytest.raises(LifecycleError) as err:
        projects.add_outcome(p, u["ent2"], kind="ip1", title="x")
    assert err.value.status == 403
