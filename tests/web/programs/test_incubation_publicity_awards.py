"""Incubation ladder, publicity and awards: lifecycles by role and town, coverage against an
independent computation, uptake, the benefit ledger (no double benefit) and award ranks in the rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from programs_helpers import ROLES, TODAY, actors_fixture, enterprise_fixture  # noqa: F401 (fixtures)
from webtest_helpers import GUZHEN, XIAOLAN

from zjtx.apps.cultivation.models import Application, BenefitEntry
from zjtx.apps.enterprises.models import Division, Title
from zjtx.apps.programs import awards, incubation, publicity
from zjtx.apps.programs.lifecycle import LifecycleError
from zjtx.apps.programs.models import Award, Carrier, Certification, Contest, PublicityEvent, Reach, Tenancy

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _check(machine, obj, action, user, allowed, reason="", **data):
    field = machine.field
    before = getattr(obj, field)
    if allowed:
        machine.run(obj, action, user, reason, **data)
        obj.refresh_from_db()
        assert getattr(obj, field) == machine.by_name[action].target
    else:
        with pytest.raises(LifecycleError) as err:
            machine.run(obj, action, user, reason or "原因", **data)
        assert err.value.status in (403, 404)
        obj.refresh_from_db()
        assert getattr(obj, field) == before


# ------------------------------------------------------------------------------------ incubation

@pytest.mark.parametrize("action", ["certify", "reject", "revoke"])
@pytest.mark.parametrize("who", ROLES)
def test_certification_matrix(actors, action, who) -> None:
    c = Carrier.objects.create(name="小榄测试众创空间", kind="maker_space", division_id=XIAOLAN)
    cert = Certification.objects.create(carrier=c, level="city", applied_on=TODAY - timedelta(days=30),
                                        status="certified" if action == "revoke" else "applying",
                                        certified_on=TODAY - timedelta(days=1) if action == "revoke" else None)
    data = {"certified_on": TODAY.isoformat(), "document": "中科〔2025〕1号"} if action == "certify" else {}
    _check(incubation.CERTIFICATION, cert, action, actors["users"][who], who == "admin",
           reason="" if action == "certify" else "不符合条件", **data)


def test_levels_follow_certifications_and_filing_is_scoped(actors) -> None:
    u = actors["users"]
    c = Carrier.objects.create(name="小榄测试孵化器", kind="incubator", division_id=XIAOLAN)
    city = incubation.apply_certification(c, u["xiaolan"], "city", TODAY - timedelta(days=400))
    with pytest.raises(LifecycleError) as err:
        incubation.apply_certification(c, u["guzhen"], "provincial")
    assert err.value.status == 403
    with pytest.raises(LifecycleError) as err:
        incubation.apply_certification(c, u["xiaolan"], "city")
    assert err.value.status == 409
    with pytest.raises(LifecycleError, match="认定日期不能早于申报日期"):
        incubation.CERTIFICATION.run(city, "certify", u["admin"], certified_on=(TODAY - timedelta(days=500)).isoformat(),
                                     document="x")
    incubation.CERTIFICATION.run(city, "certify", u["admin"], certified_on=(TODAY - timedelta(days=300)).isoformat(),
                                 document="市认定")
    prov = incubation.apply_certification(c, u["staff"], "provincial", TODAY - timedelta(days=100))
    incubation.CERTIFICATION.run(prov, "certify", u["admin"], certified_on=TODAY.isoformat(), document="省认定")
    c.refresh_from_db()
    assert (c.level, c.certified_on) == ("provincial", TODAY)
    incubation.CERTIFICATION.run(prov, "revoke", u["admin"], "复核不合格")
    c.refresh_from_db()
    assert (c.level, c.certified_on) == ("city", TODAY - timedelta(days=300))


@pytest.mark.parametrize("action", ["graduate", "leave"])
@pytest.mark.parametrize("who", ROLES)
def test_tenancy_matrix(actors, action, who) -> None:
    c = Carrier.objects.create(name="小榄测试孵化器", kind="incubator", division_id=XIAOLAN)
    t = Tenancy.objects.create(carrier=c, enterprise=actors["gz"], entered_on=TODAY - timedelta(days=700))
    _check(incubation.TENANCY, t, action, actors["users"][who], who in {"admin", "staff", "xiaolan"},
           reason="迁出" if action == "leave" else "", on=TODAY.isoformat())


def test_admission_and_graduates_later_tiers(actors) -> None:
    u, xl, gz = actors["users"], actors["xl"], actors["gz"]
    c = Carrier.objects.create(name="小榄测试孵化器", kind="incubator", division_id=XIAOLAN)
    with pytest.raises(LifecycleError) as err:
        incubation.admit(c, gz, u["guzhen"])
    assert err.value.status == 403
    t = incubation.admit(c, xl, u["xiaolan"], TODAY - timedelta(days=800))
    with pytest.raises(LifecycleError) as err:
        incubation.admit(c, xl, u["staff"])
    assert err.value.status == 409
    with pytest.raises(LifecycleError, match="不能早于入驻日期"):
        incubation.TENANCY.run(t, "graduate", u["staff"], on=(TODAY - timedelta(days=900)).isoformat())
    grad_on = TODAY - timedelta(days=200)
    incubation.TENANCY.run(t, "graduate", u["staff"], on=grad_on.isoformat())
    Title.objects.create(enterprise=xl, title="high_tech", granted_on=grad_on - timedelta(days=10))
    Title.objects.create(enterprise=xl, title="innovative_sme", granted_on=grad_on + timedelta(days=30))
    rows = incubation.graduate_rows(u["admin"])
    assert len(rows) == 1 and rows[0]["titles_after"].startswith("创新型中小企业（") and "高新" not in rows[0]["titles_after"]
    assert incubation.graduate_rows(u["ent2"]) == [] and len(incubation.graduate_rows(u["ent"])) == 1


# ------------------------------------------------------------------------------------ publicity

@pytest.mark.parametrize("action", ["hold", "cancel"])
@pytest.mark.parametrize("who", ROLES)
def test_event_matrix(actors, action, who) -> None:
    e = PublicityEvent.objects.create(title="宣讲", division_id=XIAOLAN, planned_on=TODAY)
    _check(publicity.EVENT, e, action, actors["users"][who], who in {"admin", "staff", "xiaolan"},
           reason="改期" if action == "cancel" else "", held_on=TODAY.isoformat(), attendees="60")


def test_event_creation_reach_and_checks(actors) -> None:
    u = actors["users"]
    with pytest.raises(LifecycleError) as err:
        publicity.create_event(u["xiaolan"], title="宣讲", division=GUZHEN, planned_on=TODAY)
    assert err.value.status == 403
    with pytest.raises(LifecycleError, match="未知政策代码：nope"):
        publicity.create_event(u["staff"], title="宣讲", division=XIAOLAN, planned_on=TODAY, policies=["nope"])
    for who in ("ent", "auditor", "norole"):
        with pytest.raises(LifecycleError):
            publicity.create_event(u[who], title="宣讲", division=XIAOLAN, planned_on=TODAY)
    e = publicity.create_event(u["xiaolan"], title="宣讲", division=XIAOLAN, planned_on=TODAY,
                               policies=["specialized_sme"])
    with pytest.raises(LifecycleError, match="举办日期不能晚于今天"):
        publicity.EVENT.run(e, "hold", u["xiaolan"], held_on=(TODAY + timedelta(days=1)).isoformat())
    with pytest.raises(LifecycleError) as err:
        publicity.add_reach(e, u["xiaolan"], [actors["xl"], actors["gz"]])
    assert err.value.status == 403 and Reach.objects.count() == 0
    assert publicity.add_reach(e, u["xiaolan"], [actors["xl"], actors["xl2"]]) == 2
    assert publicity.add_reach(e, u["staff"], [actors["xl"], actors["gz"]]) == 1  # the city may add any; no doubles


def test_coverage_equals_an_independent_computation(actors) -> None:
    import random

    rnd = random.Random(3)
    towns = list(Division.objects.filter(valid_to__isnull=True).values_list("code", flat=True))
    assert len(towns) == 23
    for i in range(60):
        held = date(2022, 1, 1) + timedelta(days=rnd.randint(0, 500))
        PublicityEvent.objects.create(title=f"宣讲{i}", division_id=rnd.choice(towns), planned_on=held,
                                      held_on=held if rnd.random() < 0.8 else None,
                                      status=rnd.choice(["held", "held", "held", "planned", "cancelled"]))
    for as_of in (date(2022, 3, 31), date(2022, 6, 13), date(2022, 12, 31)):
        expected = {e.division_id for e in PublicityEvent.objects.all()
                    if e.status == "held" and e.held_on and date(2022, 1, 1) <= e.held_on <= as_of}
        cov = publicity.coverage(PublicityEvent.objects.all(), as_of, since=date(2022, 1, 1))
        assert cov["covered"] == len(expected) and cov["total"] == 23
        assert {r["code"] for r in cov["rows"] if r["covered"]} == expected
        from zjtx.apps.programs.frames import programme_frames
        from zjtx.stats.programs import publicity_coverage

        st = publicity_coverage(programme_frames(), 2022, as_of)
        assert st.value == len(expected) and st.inputs["total"] == 23


def test_uptake_counts_applications_and_new_qualifications(actors) -> None:
    from zjtx.apps.evaluations.models import EvaluationRun, RunEnterprise, RunResult

    u, xl, xl2 = actors["users"], actors["xl"], actors["xl2"]
    e = publicity.create_event(u["staff"], title="宣讲", division=XIAOLAN, planned_on=TODAY - timedelta(days=30),
                               policies=["specialized_sme"])
    publicity.EVENT.run(e, "hold", u["staff"], held_on=(TODAY - timedelta(days=30)).isoformat())
    publicity.add_reach(e, u["staff"], [xl])
    Application.objects.create(enterprise=xl, tier="specialized_sme", year=TODAY.year)  # created after the event

    def run(on: date, qualified: set) -> None:
        r = EvaluationRun.objects.create(on=on, status="done", policies=["specialized_sme"])
        for ent in (xl, xl2):
            item = RunEnterprise.objects.create(run=r, enterprise=ent, uscc=ent.uscc, input_hash="x")
            RunResult.objects.create(run=r, item=item, policy="specialized_sme",
                                     status="qualified" if ent in qualified else "not_qualified")

    run(TODAY - timedelta(days=60), set())
    run(TODAY, {xl, xl2})
    up = publicity.uptake(e, u["staff"])
    assert up["reached"]["applied"] == {"n": 1, "of": 1, "rate": 1.0}
    assert up["reached"]["qualified"]["n"] == 1 and up["others"]["qualified"] == {"n": 1, "of": 1, "rate": 1.0}
    assert up["others"]["applied"]["n"] == 0 and up["applied_names"] == [xl.name]


# ------------------------------------------------------------------------------------ awards

def _contest(**kw) -> Contest:
    data = {"name": "2025年中国创新创业大赛（广东·中山赛区）", "series": "innovation_contest", "year": 2025, "level": "city",
            "benefits": [{"prize": "一等奖", "grant": 300000, "credit": 5000000}, {"prize": "优秀奖", "grant": 0}]}
    data.update(kw)
    return Contest.objects.create(**data)


@pytest.mark.parametrize("action", ["grant", "pay"])
@pytest.mark.parametrize("who", ROLES)
def test_award_matrix(actors, action, who) -> None:
    c = _contest()
    a = Award.objects.create(contest=c, enterprise=actors["xl"], project="光电芯片", prize="一等奖", rank=1,
                             awarded_on=TODAY)
    if action == "pay":
        awards.AWARD.run(a, "grant", actors["users"]["staff"])
        a.refresh_from_db()
    _check(awards.AWARD, a, action, actors["users"][who], who in {"admin", "staff"})


def test_benefits_go_to_the_ledger_without_doubles(actors) -> None:
    staff, xl = actors["users"]["staff"], actors["xl"]
    c = _contest()
    a = awards.record_award(staff, c, xl, project="光电芯片", prize="一等奖", rank=1, awarded_on=TODAY)
    awards.AWARD.run(a, "grant", staff)
    a.refresh_from_db()
    e = a.ledger_entry
    assert (e.policy, e.amount, e.kind, e.project, e.year) == ("zs_innovation_contest", Decimal("300000.00"),
                                                              "granted", "光电芯片", 2025)
    assert a.credit_line == Decimal("5000000") and a.benefit_status == "granted"
    # the same project wins again the next year: its grant is refused, nothing written
    c2 = _contest(name="2026年中国创新创业大赛（广东·中山赛区）", year=2026)
    b = awards.record_award(staff, c2, xl, project="光电芯片", prize="一等奖", rank=1, awarded_on=TODAY)
    with pytest.raises(LifecycleError, match="违反“同一参赛项目不得重复享受创新创业大赛资金补助”"):
        awards.AWARD.run(b, "grant", staff)
    b.refresh_from_db()
    assert b.benefit_status == "none" and BenefitEntry.objects.filter(enterprise=xl).count() == 1
    # a prize without a grant needs an amount
    d = awards.record_award(staff, c, actors["xl2"], project="另一个项目", prize="优秀奖", awarded_on=TODAY)
    with pytest.raises(LifecycleError, match="没有资金补助"):
        awards.AWARD.run(d, "grant", staff)
    awards.AWARD.run(d, "grant", staff, amount="50000")
    awards.AWARD.run(a, "pay", staff, on=TODAY.isoformat())
    e.refresh_from_db()
    assert e.kind == "paid" and e.paid_on == TODAY
    with pytest.raises(LifecycleError) as err:
        awards.record_award(staff, c, xl, project="光电芯片", prize="一等奖", awarded_on=TODAY)
    assert err.value.status == 409
    with pytest.raises(LifecycleError) as err:
        awards.record_award(actors["users"]["xiaolan"], c, xl, project="x", prize="一等奖", awarded_on=TODAY)
    assert err.value.status == 403


def test_award_ranks_feed_the_rules(actors) -> None:
    import zjtx
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.enterprises.records import records_for

    staff, xl = actors["users"]["staff"], actors["xl"]
    ck = _contest(name="“创客中国”中小企业创新创业大赛", series="chuangke", level="national", rank_field="chuangke_rank_3y")
    old = awards.record_award(staff, ck, xl, project="旧项目", prize="全国500强", rank=80,
                              awarded_on=TODAY - timedelta(days=365 * 4))
    xl.refresh_from_db()
    assert xl.chuangke_rank_3y is None and old.pk  # outside the three-year window
    awards.record_award(staff, ck, xl, project="新项目", prize="全国500强", rank=120, awarded_on=TODAY - timedelta(days=10))
    xl.refresh_from_db()
    assert xl.chuangke_rank_3y == 120 and xl.provenance["chuangke_rank_3y"] == "verified" and "创客中国" in xl.raw[
        "chuangke_rank_3y"]
    awards.record_award(staff, ck, xl, project="第三个项目", prize="全国50强", rank=40, awarded_on=TODAY)
    xl.refresh_from_db()
    assert xl.chuangke_rank_3y == 40
    Enterprise.objects.filter(pk=xl.pk).update(chuangke_rank_3y=5)  # a better rank known from another source
    assert awards.sync_ranks(Enterprise.objects.get(pk=xl.pk)) == {}
    # the rules read it: 专精特新 (63号) direct route D4 (创客中国 全国500强) sees the rank
    rec = records_for(date(2025, 6, 30), Enterprise.objects.filter(pk=xl.pk)).row(0, named=True)
    assert rec["chuangke_rank_3y"] == 5
    r = zjtx.explain(rec, "specialized_sme", on=date(2025, 6, 30))
    d4 = next(t for t in r["trace"] if t.get("id") == "D4")
    assert d4["status"] == "达标"
