"""Evaluation runs: stored results, versions and hashes, reproducibility, protected designations, diffs,
background execution with DB-polled progress."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
from ev_registry import ON, A, B, C, D

from zjtx.apps.evaluations import services
from zjtx.apps.evaluations.models import EvaluationRun, Reform, RunEnterprise, RunResult

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _result(run: EvaluationRun, uscc: str, policy: str = "tech_sme") -> RunResult:
    return RunResult.objects.select_related("item", "run").get(run=run, item__uscc=uscc, policy=policy)


def test_run_stores_every_enterprise_and_policy(done_run) -> None:
    assert done_run.status == EvaluationRun.Status.DONE, done_run.error
    assert done_run.total == done_run.processed == 4
    policies = services.available_policies()
    assert done_run.policies == policies and "tech_sme" in policies
    assert RunEnterprise.objects.filter(run=done_run).count() == 4
    assert RunResult.objects.filter(run=done_run).count() == 4 * len(policies)
    a = _result(done_run, A)
    assert (a.status, a.score, a.score_min, a.score_max) == ("qualified", 92, 92, 92)
    assert a.points == {"tech_staff": 12, "rd": 50, "ip": 30}
    assert a.regime == "tech_sme@2017-115" and a.route == "score"
    assert _result(done_run, B).status == "not_qualified"
    c = _result(done_run, C)
    assert c.status == "unknown" and "tech_staff_y1" in c.missing  # missing data is never 未达标
    assert done_run.summary["counts"]["tech_sme"] == {"qualified": 1, "not_qualified": 2, "unknown": 1}


def test_versions_and_input_hashes(done_run, registry) -> None:
    import zjtx

    assert done_run.package_version == zjtx.__version__
    assert done_run.rule_version.startswith(zjtx.__version__ + "+") and len(done_run.rule_version.split("+")[1]) == 12
    assert done_run.rule_version == services.rule_version()
    item = RunEnterprise.objects.get(run=done_run, uscc=A)
    assert item.record["revenue_y1"] == 20_000_000 and item.record["uscc"] == A
    assert item.input_hash == services.input_hash(item.record)
    assert len(item.input_hash) == 64 and item.enterprise == registry["A"]
    # the same data evaluated again gives the same hashes; a change in the data changes it
    again = services.execute_run(services.create_run(None, ON).pk)
    assert RunEnterprise.objects.get(run=again, uscc=A).input_hash == item.input_hash
    rep = registry["A"].annual_reports.get(year=2024)
    rep.revenue = Decimal("20000001")
    rep.save()
    third = services.execute_run(services.create_run(None, ON).pk)
    assert RunEnterprise.objects.get(run=third, uscc=A).input_hash != item.input_hash


def test_trace_regenerated_from_snapshot_reproduces_every_stored_result(done_run) -> None:
    for result in RunResult.objects.filter(run=done_run).select_related("item", "run"):
        res = services.reproduce(result)
        assert res["status"] == result.status, (result.item.uscc, result.policy)
        assert res.get("score") == result.score
        assert res.get("score_min") == result.score_min and res.get("score_max") == result.score_max
        assert res["trace"], "the trace is regenerated on demand"
    # deterministic: twice the same
    a = _result(done_run, A)
    assert services.reproduce(a) == services.reproduce(a)


def test_snapshot_is_what_was_evaluated_not_the_current_registry(done_run, registry) -> None:
    rep = registry["A"].annual_reports.get(year=2024)
    rep.tech_staff = 0
    rep.save()
    assert services.reproduce(_result(done_run, A))["status"] == "qualified"


def test_protected_designation_is_flagged_never_changed(done_run, registry) -> None:
    from zjtx.apps.enterprises.models import Title

    b = _result(done_run, B)
    assert b.held and b.status == "not_qualified"
    assert "持有有效“科技型中小企业”称号" in b.flag and "称号不受影响" in b.flag
    assert done_run.summary["flags"] == 1
    title = Title.objects.get(enterprise=registry["B"])
    assert (title.title, title.expires_on) == ("tech_sme", dt.date(2025, 12, 31))  # untouched
    assert not _result(done_run, A).flag and not _result(done_run, A).held
    # after the title expired there is nothing to protect
    later = services.execute_run(services.create_run(None, dt.date(2026, 1, 10), policies=["tech_sme"]).pk)
    assert _result(later, B).flag == "" and not _result(later, B).held


def test_near_miss_reserve(done_run) -> None:
    d = _result(done_run, D)
    assert d.status == "not_qualified" and d.score == 52 and d.near_miss  # within 10 points of 60
    assert _result(done_run, B).near_miss is False  # 22 points
    assert _result(done_run, C).near_miss is True  # 待核验
    assert _result(done_run, A).near_miss is False


def test_diff_between_runs_names_the_flipped_conditions(done_run, registry, staff) -> None:
    rep = registry["A"].annual_reports.get(year=2024)
    rep.tech_staff = 0  # 科技人员 veto
    rep.save()
    new = services.execute_run(services.create_run(staff, ON, name="第二批").pk)
    diff = services.diff_runs(done_run, new, staff)
    changes = {(c["uscc"], c["policy"]): c for c in diff["changes"]}
    a = changes[(A, "tech_sme")]
    assert (a["before"], a["after"]) == ("qualified", "not_qualified")
    assert (a["before_label"], a["after_label"]) == ("达标", "未达标")
    labels = {f["label"]: (f["before"], f["after"]) for f in a["flipped"]}
    assert labels["科技人员"] == ("12分", "0分")
    assert any(before == "达标" and after == "未达标" for before, after in labels.values())
    assert {"field": "科技人员数（上年度）", "before": "12", "after": "0"} in a["inputs"]
    assert (D, "tech_sme") not in changes  # unchanged enterprises are not listed
    assert diff["same_rules"]


def test_diff_page(staff_client, done_run, registry, staff) -> None:
    rep = registry["A"].annual_reports.get(year=2024)
    rep.tech_staff = 0
    rep.save()
    new = services.execute_run(services.create_run(staff, ON).pk)
    html = staff_client.get(f"/evaluations/runs/{new.pk}/diff/?against={done_run.pk}").content.decode()
    assert "中山市甲芯电子科技有限公司" in html and "达标" in html and "科技人员：12分 → 0分" in html


def test_reform_overlay_run(registry, staff) -> None:
    reform = Reform.objects.create(name="合格分50", overrides={"tech_sme.pass_score": 50})
    run = services.execute_run(services.create_run(staff, ON, reform=reform, policies=["tech_sme"]).pk)
    assert run.parameter_set == "合格分50" and run.overlay == {"tech_sme.pass_score": 50}
    d = _result(run, D)
    assert d.status == "qualified"  # 52 ≥ 50 under the reform
    assert services.reproduce(d)["status"] == "qualified"  # reproduced with the run's overlay


def test_start_run_from_page_and_progress(staff_client, registry) -> None:
    resp = staff_client.post("/evaluations/runs/", {"on": "2025-06-30", "name": "页面发起", "division": "442000118"})
    run = EvaluationRun.objects.get(name="页面发起")
    assert resp.status_code == 302 and resp["Location"] == f"/evaluations/runs/{run.pk}/"
    assert run.status == "done" and run.total == 2  # 小榄镇: A and D
    data = staff_client.get(f"/evaluations/runs/{run.pk}/progress/").json()
    assert data == {"status": "done", "status_label": "已完成", "processed": 2, "total": 2, "percent": 100,
                    "error": ""}
    page = staff_client.get(f"/evaluations/runs/{run.pk}/").content.decode()
    assert "结果汇总" in page and run.rule_version in page


def test_enterprise_user_cannot_start_runs(client, make_user, registry) -> None:
    client.force_login(make_user("ent_user", "enterprise_user", enterprise=registry["A"]))
    assert client.post("/evaluations/runs/", {"on": "2025-06-30"}).status_code == 403


def test_failed_run_records_the_error_and_keeps_nothing(registry, staff, monkeypatch) -> None:
    import zjtx

    def boom(*args, **kwargs):
        raise RuntimeError("引擎故障")

    monkeypatch.setattr(zjtx, "evaluate", boom, raising=False)
    run = services.execute_run(services.create_run(staff, ON).pk)
    assert run.status == "failed" and "引擎故障" in run.error
    assert not RunEnterprise.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True)
def test_background_run_with_polled_progress(registry, staff, settings) -> None:
    settings.ZJTX_EVAL_SYNC_ENTERPRISES = 0  # force the thread
    run = services.start_run(services.create_run(staff, ON))
    deadline = time.monotonic() + 60
    while run.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.processed == run.total == 4
    assert RunResult.objects.filter(run=run, policy="tech_sme").count() == 4


def test_gap_solver_marks_reachable_enterprises(done_run) -> None:
    assert done_run.summary["reachable_max_cost"] == 2_000_000
    reachable = done_run.summary["reachable"]
    assert reachable is not None and set(reachable) <= set(done_run.policies)
    for r in RunResult.objects.filter(run=done_run, reachable=True):
        assert r.status != "qualified" and r.gap_option and r.gap_cost is not None and r.gap_cost <= 2_000_000
    assert not RunResult.objects.filter(run=done_run, status="qualified", reachable=True).exists()
    d = _result(done_run, D)  # 52 points: two more Ⅱ类知识产权 (+12) reach 60
    assert d.reachable and "Ⅱ类知识产权" in d.gap_option and d.gap_cost < 100_000


def test_gap_solver_can_be_switched_off(registry, staff, settings) -> None:
    settings.ZJTX_EVAL_GAP_SOLVER_MAX = 0
    run = services.execute_run(services.create_run(staff, ON).pk)
    assert run.summary["reachable"] is None and not RunResult.objects.filter(run=run, reachable=True).exists()


def test_manual_decisions_in_the_pool_are_flagged_not_changed(registry, staff) -> None:
    from django.apps import apps

    if not apps.is_installed("zjtx.apps.cultivation"):
        pytest.skip("cultivation app not installed")
    from zjtx.apps.cultivation.models import Designation, PoolStage
    from zjtx.apps.enterprises.models import Title

    stage = PoolStage.objects.create(enterprise=registry["D"], tier="tech_sme", stage="designated", source="manual",
                                     protected=True, reason="专家复核后保留")
    revoked = Title.objects.create(enterprise=registry["A"], title="tech_sme", granted_on=dt.date(2025, 2, 1),
                                   expires_on=dt.date(2025, 12, 31))
    Designation.objects.update_or_create(title=revoked, defaults={"status": "revoked", "status_reason": "抽查不合格"})
    run = services.execute_run(services.create_run(staff, ON, policies=["tech_sme"]).pk)
    d = _result(run, D)
    assert d.status == "not_qualified" and "培育库阶段由人工设定为“已认定”" in d.flag
    a = _result(run, A)
    assert a.status == "qualified" and not a.held and "已被认定为撤销" in a.flag
    stage.refresh_from_db()
    assert stage.stage == "designated" and stage.protected  # untouched
    assert Designation.objects.get(title=revoked).status == "revoked"
