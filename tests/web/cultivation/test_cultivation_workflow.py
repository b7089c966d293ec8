"""Application state machine: every allowed and forbidden transition, by role and 镇街 scope."""

from __future__ import annotations

from datetime import date

import pytest
from cultivation_helpers import four_tech
from webtest_helpers import GUZHEN

from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.cultivation.models import Application, AppState, Designation, PoolStage, Stage
from zjtx.apps.cultivation.workflow import ACTIONS, TransitionError, available_actions, transition
from zjtx.apps.enterprises.models import Title

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# who may take each action on an enterprise of 小榄镇 (users fixture keys)
ALLOWED = {
    "submit": {"admin", "staff", "xiaolan", "ent"},
    "revise": {"admin", "staff", "xiaolan", "ent"},
    "accept": {"xiaolan"},
    "local_pass": {"xiaolan"},
    "local_return": {"xiaolan"},
    "recommend": {"admin", "staff"},
    "city_return": {"admin", "staff"},
    "not_recommend": {"admin", "staff"},
    "provincial_pass": {"admin"},
    "to_ministry": {"admin"},
    "provincial_reject": {"admin"},
    "ministry_pass": {"admin"},
    "ministry_reject": {"admin"},
    "announce": {"admin"},
    "publicity_reject": {"admin"},
}
ROLES = ["admin", "staff", "xiaolan", "guzhen", "auditor", "norole", "ent"]


@pytest.fixture
def actors(users, enterprise, make_user):
    ent = enterprise(1, **four_tech(40))
    other = enterprise(2)
    users = dict(users)
    users["ent"] = make_user("cu_ent", "enterprise_user", enterprise=ent)
    users["other_ent"] = make_user("cu_other_ent", "enterprise_user", enterprise=other)
    return ent, users


def _app(ent, state: str, tier: str = "specialized_sme") -> Application:
    return Application.objects.create(enterprise=ent, tier=tier, year=2025, state=state)


def _tier_for(action: str) -> str:
    return "little_giant" if action in ("to_ministry", "ministry_pass", "ministry_reject") else "specialized_sme"


@pytest.mark.parametrize("action", [a.name for a in ACTIONS])
@pytest.mark.parametrize("who", ROLES)
def test_transition_matrix(actors, action, who) -> None:
    ent, users = actors
    spec = next(a for a in ACTIONS if a.name == action)
    app = _app(ent, spec.source, _tier_for(action))
    reason = "材料不全" if spec.reason_required else ""
    kwargs = {"granted_on": date(2025, 12, 1), "document": "粤工信〔2025〕1号"} if action == "announce" else {}
    if who in ALLOWED[action]:
        assert action in [a.name for a in available_actions(users[who], app)]
        t = transition(app, action, users[who], reason, on=date(2025, 6, 30), **kwargs)
        app.refresh_from_db()
        assert app.state == spec.target == t.to_state and t.from_state == spec.source
        assert t.actor == users[who] and t.reason == reason and t.at is not None
    else:
        assert action not in [a.name for a in available_actions(users[who], app)]
        with pytest.raises(TransitionError) as err:
            transition(app, action, users[who], reason or "原因", **kwargs)
        assert err.value.status in (403, 404)
        app.refresh_from_db()
        assert app.state == spec.source


@pytest.mark.parametrize("action", [a.name for a in ACTIONS])
def test_actions_from_every_wrong_state_are_refused(actors, action) -> None:
    ent, users = actors
    spec = next(a for a in ACTIONS if a.name == action)
    for state in AppState.values:
        if state == spec.source:
            continue
        app = _app(ent, state, _tier_for(action))
        with pytest.raises(TransitionError) as err:
            transition(app, action, users["admin"], "原因")
        assert err.value.status == 409 and "不能执行" in str(err.value)


def test_reason_required_for_returns_and_refusals(actors) -> None:
    ent, users = actors
    for action in [a for a in ACTIONS if a.reason_required]:
        app = _app(ent, action.source, _tier_for(action.name))
        who = next(iter(sorted(ALLOWED[action.name])))
        with pytest.raises(TransitionError, match="须填写原因"):
            transition(app, action.name, users[who], "  ")


def test_route_depends_on_tier(actors) -> None:
    ent, users = actors
    lg = _app(ent, AppState.PROVINCIAL_REVIEW, "little_giant")
    assert "provincial_pass" not in [a.name for a in available_actions(users["admin"], lg)]
    with pytest.raises(TransitionError):
        transition(lg, "provincial_pass", users["admin"])
    sp = _app(ent, AppState.PROVINCIAL_REVIEW, "specialized_sme")
    with pytest.raises(TransitionError):
        transition(sp, "to_ministry", users["admin"])


def test_enterprise_without_town_is_reviewed_locally_by_city_staff(enterprise, users) -> None:
    ent = enterprise(3, division=None)
    app = _app(ent, AppState.SUBMITTED)
    with pytest.raises(TransitionError):
        transition(app, "accept", users["xiaolan"])
    transition(app, "accept", users["staff"])
    assert app.state == AppState.LOCAL_REVIEW


def test_other_town_cannot_even_see(actors) -> None:
    ent, users = actors
    app = _app(ent, AppState.LOCAL_REVIEW)
    assert available_actions(users["guzhen"], app) == []
    with pytest.raises(TransitionError) as err:
        transition(app, "local_pass", users["guzhen"])
    assert err.value.status == 404


def test_full_path_freezes_evaluation_and_creates_designation(actors) -> None:
    ent, users = actors
    app = Application.objects.create(enterprise=ent, tier="tech_sme", year=2025, main_product="光电传感器")
    transition(app, "submit", users["ent"], on=date(2025, 6, 30))
    app.refresh_from_db()
    assert app.evaluation["policy"] == "tech_sme" and app.evaluation["status"] == "qualified"
    assert app.evaluation_on == date(2025, 6, 30) and app.evaluation_record["employees_y1"] == 50
    assert app.rule_version.startswith("zjtx ") and "tech_sme@" in app.rule_version
    frozen = dict(app.evaluation)
    assert PoolStage.objects.get(enterprise=ent, tier="tech_sme").stage == Stage.APPLYING
    transition(app, "accept", users["xiaolan"])
    transition(app, "local_return", users["xiaolan"], "缺少研发费用专项审计报告")
    transition(app, "revise", users["ent"])
    transition(app, "submit", users["ent"], on=date(2025, 7, 1))
    transition(app, "accept", users["xiaolan"])
    transition(app, "local_pass", users["xiaolan"], "材料齐全")
    transition(app, "recommend", users["staff"], "同意推荐")
    transition(app, "provincial_pass", users["admin"], publicity_until=date(2025, 11, 7))
    transition(app, "announce", users["admin"], granted_on=date(2025, 11, 20), document="国科火字〔2025〕1号",
               certificate_no="202544200001")
    app.refresh_from_db()
    assert app.state == AppState.ANNOUNCED and app.recommendation == "同意推荐"
    assert app.evaluation["status"] == frozen["status"] and app.evaluation_on == date(2025, 7, 1)
    steps = list(app.transitions.values_list("action", flat=True))
    assert steps == ["submit", "accept", "local_return", "revise", "submit", "accept", "local_pass", "recommend",
                     "provincial_pass", "announce"]
    assert app.transitions.get(action="local_return").reason == "缺少研发费用专项审计报告"
    title = Title.objects.get(enterprise=ent, title="tech_sme")
    assert title.granted_on == date(2025, 11, 20) and title.expires_on == date(2025, 12, 31)  # 科技型: that year
    assert title.document == "国科火字〔2025〕1号" and title.certificate_no == "202544200001"
    assert Designation.objects.get(title=title).application == app
    ps = PoolStage.objects.get(enterprise=ent, tier="tech_sme")
    assert ps.stage == Stage.DESIGNATED and ps.protected
    audited = AuditEntry.objects.filter(model="cultivation.Transition").count()
    assert audited == 10


def test_three_year_validity(actors) -> None:
    ent, users = actors
    app = _app(ent, AppState.PUBLICITY, "specialized_sme")
    transition(app, "announce", users["admin"], granted_on=date(2025, 12, 1))
    t = Title.objects.get(enterprise=ent, title="specialized_sme")
    assert t.expires_on == date(2028, 11, 30)


def test_other_town_enterprise_for_guzhen(enterprise, users) -> None:
    ent = enterprise(5, division=GUZHEN)
    app = _app(ent, AppState.SUBMITTED)
    with pytest.raises(TransitionError):
        transition(app, "accept", users["xiaolan"])
    transition(app, "accept", users["guzhen"])
    assert app.state == AppState.LOCAL_REVIEW
