"""Investment targets: the import (row-level errors, nothing written, upsert), rules results and chain
fit, the lifecycle by role and receiving town, the funnel against an independent computation."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from programs_helpers import ROLES, TODAY, actors_fixture, enterprise_fixture  # noqa: F401 (fixtures)
from webtest_helpers import GUZHEN, XIAOLAN, bad_check, uscc

from zjtx.apps.programs import targets
from zjtx.apps.programs.frames import programme_frames
from zjtx.apps.programs.lifecycle import LifecycleError
from zjtx.apps.programs.models import FollowUp, InvestmentTarget, InvestmentTeam, TargetImport, TargetList
from zjtx.stats.programs import funnel

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SZ = "440300"  # 深圳 registration region


def book(rows: list[dict], headers: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = targets.SHEET
    specs = targets.TARGET_FIELDS
    ws.append(headers or [s.header for s in specs])
    ws.append(["【填写说明】"] + [""] * (len(specs) - 1))
    for r in rows:
        ws.append([r.get(s.name) for s in specs])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def firm(seq: int, region: str = SZ, **kw) -> dict:
    base = {"uscc": uscc(seq, region=region), "name": f"深圳市测试{seq}号科技股份有限公司", "industry": "C3562",
            "founded_on": "2012-05-01", "employees_y1": 300, "rd_staff_y1": 80, "revenue_y1": 300_000_000,
            "revenue_y2": 240_000_000, "revenue_y3": 200_000_000, "rd_expense_y1": 21_000_000, "high_tech_valid": "是",
            "abnormal_or_dishonest": "否", "major_incident_3y": "否", "restricted_industry": "否"}
    base.update(kw)
    return base


def test_import_reports_every_bad_row_and_writes_nothing(actors) -> None:
    staff = actors["users"]["staff"]
    rows = [firm(1), firm(2, uscc=bad_check(uscc(2, region=SZ))), firm(3, name=None), firm(4, revenue_y1="三亿"),
            firm(5, rd_staff_y1=400), firm(1, name="重复行"), firm(6, industry="C99999"),
            firm(7, founded_on="2099-01-01")]
    job = targets.create_import(staff, "名单.xlsx", book(rows), list_name="测试名单", listed_on=TODAY)
    assert job.status == TargetImport.Status.INVALID
    texts = [e["text"] for e in job.errors]
    assert any(t.startswith("招商名单 第4行 统一社会信用代码：") and "校验" in t for t in texts), texts
    assert "招商名单 第5行 企业名称：不能为空" in texts
    assert "招商名单 第6行 营业收入（上年度）：不是数字" in texts
    assert any(t.startswith("招商名单 第7行 研发人员数（上年度）：不能大于职工总数（上年度）") for t in texts)
    assert "招商名单 第8行 统一社会信用代码：与第3行重复" in texts
    assert any(t.startswith("招商名单 第9行 国民经济行业分类：") for t in texts)
    assert "招商名单 第10行 成立日期：日期不能晚于今天" in texts
    with pytest.raises(LifecycleError) as err:
        targets.confirm_import(job, staff)
    assert err.value.status == 409
    assert not TargetList.objects.exists() and not InvestmentTarget.objects.exists()


def test_import_needs_city_staff_and_required_columns(actors) -> None:
    with pytest.raises(LifecycleError) as err:
        targets.create_import(actors["users"]["xiaolan"], "a.xlsx", book([firm(1)]), list_name="x", listed_on=TODAY)
    assert err.value.status == 403
    job = targets.create_import(actors["users"]["staff"], "a.xlsx", book([firm(1)], headers=["企业名称"]),
                                list_name="x", listed_on=TODAY)
    assert [e["text"] for e in job.errors] == ["招商名单 第1行 统一社会信用代码：缺少此列"]
    job = targets.create_import(actors["users"]["staff"], "a.xlsx", b"not a workbook", list_name="x", listed_on=TODAY)
    assert job.status == "invalid" and "请上传 .xlsx 或 .csv 文件" in job.errors[0]["text"]


def test_import_upserts_evaluates_and_scores(actors, enterprise) -> None:
    staff = actors["users"]["staff"]
    for i in range(60):  # an established 电子信息 cluster locally, but no 半导体器件专用设备 (C3562) maker
        enterprise(100 + i, industry="C3982")
    team = InvestmentTeam.objects.get(code="shenzhen")
    job = targets.create_import(staff, "a.xlsx", book([firm(1), firm(2, industry="C3982"), firm(3, industry="C1399"),
                                                       firm(4, region="442000")]),
                                list_name="全省名单", listed_on=date(2025, 3, 1), team=team)
    assert job.status == "ready" and job.total_rows == 4
    assert [w["text"] for w in job.warnings] == ["招商名单 第6行 统一社会信用代码：本市注册企业：导入但不作为招引目标"]
    tl = targets.confirm_import(job, staff)
    t1, t2, t3, t4 = (InvestmentTarget.objects.get(uscc=uscc(i, region=r)) for i, r in
                      ((1, SZ), (2, SZ), (3, SZ), (4, "442000")))
    assert t1.region == "深圳市" and t1.team == team and t4.local and t4.region == "中山市"
    # rules results with the list's figures (y1 = 2024 for a list dated 2025-03-01)
    assert t1.evaluated_on == date(2025, 3, 1) and t1.evaluation["zs_gazelle"]["status"] == "qualified"
    assert t1.evaluation["little_giant"]["status"] in ("unknown", "manual_review")
    assert t1.evaluation["little_giant"]["missing"]
    # chain fit with reasons: 小类 C3562 absent locally in an established cluster → fill (semiconductor maps
    # to its own cluster: the city has none of it → extend); C3982 present 60 times → strengthen
    assert t1.fit == "extend" and any("延链" in r for r in t1.fit_reasons)
    assert t2.fit == "strengthen" and any("强链" in r and "63户" in r for r in t2.fit_reasons)  # 60 + the 3 of the fixture
    assert t3.fit == "none" and t3.fit_score == 0 and "不属于“4+6+4”产业集群" in t3.fit_reasons[0]
    assert t1.fit_score > t2.fit_score > 0
    # re-importing the same list updates by USCC, keeps the follow-up state, never duplicates
    t1.key_target = True
    t1.save()
    job2 = targets.create_import(staff, "b.xlsx", book([firm(1, name="深圳市改名科技股份有限公司"), firm(9)]),
                                 list_name="全省名单", listed_on=date(2025, 3, 1))
    targets.confirm_import(job2, staff)
    assert tl.targets.count() == 5
    t1.refresh_from_db()
    assert t1.name == "深圳市改名科技股份有限公司" and t1.key_target


def test_fill_fit_for_a_missing_link_of_an_established_cluster(actors, enterprise) -> None:
    for i in range(60):
        enterprise(200 + i, industry="C3982")
    tl = TargetList.objects.create(name="L", listed_on=date(2025, 3, 1))
    t = InvestmentTarget.objects.create(target_list=tl, uscc=uscc(1, region=SZ), name="甲", industry="C3914",
                                        data={"revenue_y1": 1e8, "rd_expense_y1": 6e6})
    fit, score, reasons = targets.score_fit(t, targets.LocalChains.from_registry(), {})
    assert fit == "fill" and "仅0户" in reasons[0] and score == 35 + 10 + 15 + 10


def _target(actors, town: str | None = XIAOLAN, stage: str = "listed", furthest: str | None = None, **kw):
    tl = TargetList.objects.get_or_create(name="测试名单", listed_on=date(2024, 1, 1))[0]
    n = InvestmentTarget.objects.count() + 1
    return InvestmentTarget.objects.create(
        target_list=tl, uscc=uscc(500 + n, region=SZ), name=f"目标{n}", team=InvestmentTeam.objects.get(code="shenzhen"),
        town_id=town, stage=stage, furthest=furthest or stage, **kw)


ALLOWED = {"target": {"admin", "staff"}, "assign": {"admin", "staff"}, "follow": {"admin", "staff", "xiaolan"},
           "drop": {"admin", "staff", "xiaolan"}, "restore": {"admin", "staff"}}


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("who", ROLES)
def test_target_transition_matrix(actors, action, who) -> None:
    user = actors["users"][who]
    t = _target(actors, stage="dropped" if action == "restore" else "listed",
                furthest="contacted" if action == "restore" else None)
    data = {"follow": {"kind": "contact", "on": TODAY.isoformat(), "note": "电话联系"},
            "assign": {"town": GUZHEN}, "target": {}}.get(action, {})
    reason = "企业无投资意向" if action == "drop" else ""
    before = t.stage
    if who in ALLOWED[action]:
        targets.TARGET.run(t, action, user, reason, **data)
        t.refresh_from_db()
        expected = {"target": "targeted", "assign": "listed", "follow": "contacted", "drop": "dropped",
                    "restore": "contacted"}[action]
        assert t.stage == expected
        if action == "assign":
            assert t.town_id == GUZHEN
    else:
        with pytest.raises(LifecycleError) as err:
            targets.TARGET.run(t, action, user, reason or "原因", **data)
        assert err.value.status in (403, 404)
        t.refresh_from_db()
        assert t.stage == before and not t.followups.exists()


def test_follow_ups_in_order_with_dates(actors) -> None:
    staff = actors["users"]["staff"]
    t = _target(actors)
    run = targets.TARGET.run
    with pytest.raises(LifecycleError, match="达成投资意向前须先有联系"):
        run(t, "follow", staff, kind="intention", on=TODAY.isoformat())
    with pytest.raises(LifecycleError, match="签约前须先达成投资意向"):
        run(t, "follow", staff, kind="signed", on=TODAY.isoformat())
    with pytest.raises(LifecycleError, match="跟进日期不能晚于今天"):
        run(t, "follow", staff, kind="contact", on=(TODAY + timedelta(days=1)).isoformat())
    with pytest.raises(LifecycleError, match="不能早于名单日期"):
        run(t, "follow", staff, kind="contact", on="2023-12-31")
    with pytest.raises(LifecycleError, match="请选择跟进类型"):
        run(t, "follow", staff, kind="lunch", on=TODAY.isoformat())
    for kind in ("contact", "online", "intention", "signed"):
        run(t, "follow", staff, kind=kind, on=TODAY.isoformat(), note=kind)
    t.refresh_from_db()
    assert t.stage == t.furthest == "signed"
    run(t, "follow", staff, kind="contact", on=TODAY.isoformat())  # a later contact never moves the stage back
    t.refresh_from_db()
    assert t.stage == "signed" and t.followups.count() == 5
    t.town = None
    t.save()
    with pytest.raises(LifecycleError, match="落地须先确定承接镇街"):
        run(t, "follow", staff, kind="landed", on=TODAY.isoformat())
    local = _target(actors, local=True)
    with pytest.raises(LifecycleError, match="本市注册企业不作为招引目标"):
        run(local, "target", staff)
    no_team = _target(actors)
    no_team.team = None
    no_team.save()
    with pytest.raises(LifecycleError, match="请先分配招商小组"):
        run(no_team, "follow", staff, kind="contact", on=TODAY.isoformat())
    landed = _target(actors, stage="landed")
    with pytest.raises(LifecycleError) as err:
        run(landed, "drop", staff, "x")
    assert err.value.status == 409


def test_town_officers_see_only_the_targets_their_town_receives(actors) -> None:
    from zjtx.apps.programs import access

    mine, other, none = _target(actors, XIAOLAN), _target(actors, GUZHEN), _target(actors, None)
    u = actors["users"]
    assert set(access.targets(u["xiaolan"], InvestmentTarget.objects.all())) == {mine}
    assert set(access.targets(u["guzhen"], InvestmentTarget.objects.all())) == {other}
    assert set(access.targets(u["auditor"], InvestmentTarget.objects.all())) == {mine, other, none}
    assert not access.targets(u["ent"], InvestmentTarget.objects.all()).exists()
    with pytest.raises(LifecycleError) as err:
        targets.TARGET.run(other, "follow", u["xiaolan"], kind="contact", on=TODAY.isoformat())
    assert err.value.status == 404


def _independent_funnel(as_of: date | None) -> dict[str, tuple[int, int, int, int, int]]:
    """The funnel recomputed row by row from the ORM (no Polars, no stats module)."""
    order = {"contact": 2, "visit": 3, "online": 3, "intention": 4, "signed": 5, "landed": 6}
    out: dict[str, list[int]] = {}
    for t in InvestmentTarget.objects.select_related("team"):
        team = t.team.name if t.team else "（未分配）"
        best = 1 if t.key_target and t.targeted_on and (as_of is None or t.targeted_on <= as_of) else 0
        for f in FollowUp.objects.filter(target=t):
            if f.kind in order and (as_of is None or f.on <= as_of):
                best = max(best, order[f.kind])
        row = out.setdefault(team, [0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += best >= 1
        row[2] += best >= 3
        row[3] += best >= 5
        row[4] += best >= 6
    return {k: tuple(v) for k, v in out.items()}


def test_funnel_equals_an_independent_computation(actors) -> None:
    import random

    rnd = random.Random(7)
    teams = list(InvestmentTeam.objects.all())
    kinds = ["contact", "visit", "online", "intention", "signed", "landed", "note"]
    for _ in range(40):
        t = _target(actors)
        t.team = rnd.choice(teams + [None])
        if rnd.random() < 0.5:
            t.key_target, t.targeted_on = True, date(2024, 1, 1) + timedelta(days=rnd.randint(0, 400))
        t.save()
        for _ in range(rnd.randint(0, 4)):
            FollowUp.objects.create(target=t, kind=rnd.choice(kinds), on=date(2024, 1, 1) + timedelta(days=rnd.randint(0, 600)))
    for as_of in (None, date(2024, 6, 30), date(2025, 1, 1)):
        st = funnel(programme_frames(), as_of)
        got = {r["team"]: (r["listed"], r["targeted"], r["visited"], r["signed"], r["landed"])
               for r in st.table.iter_rows(named=True)}
        assert got == _independent_funnel(as_of), as_of
        assert st.value == sum(v[4] for v in got.values())
    assert sum(v[0] for v in got.values()) == 40


def test_shipped_sample_validates_and_matches_the_generator() -> None:
    from zjtx.demo.programs import SAMPLE_TARGETS_PATH, province_little_giants

    parsed = targets.validate_targets(SAMPLE_TARGETS_PATH.read_bytes(), SAMPLE_TARGETS_PATH.name)
    assert parsed.errors == [] and len(parsed.rows) == 299
    df = province_little_giants()
    assert [r.uscc for r in parsed.rows] == df["uscc"].to_list()
    assert sum(1 for r in parsed.rows if r.values.get("region") == "深圳市") == 118
    assert [float(r.values["revenue_y1"]) for r in parsed.rows] == df["revenue_y1"].to_list()
