"""JSON API: evaluate/explain/gaps/match on posted records, runs and results with scope, Chinese errors."""

from __future__ import annotations

import json

import pytest
from ev_registry import ON, A, B, C, D
from webtest_helpers import GUZHEN, XIAOLAN

from zjtx.apps.evaluations import services

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

RECORD = {"uscc": A, "employees_y1": 50, "tech_staff_y1": 12, "revenue_y1": 20_000_000, "rd_expense_tax_y1": 1_500_000,
          "total_cost_y1": 18_000_000, "total_assets_y1": 30_000_000, "ip1": 1, "ip2": 0,
          "abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False,
          "led_standard_5y": False, "high_tech_valid": False, "rd_institution": "none", "taxable_income_y1": 800_000}


def _post(client, path: str, body: dict):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_openapi_lists_the_evaluation_endpoints(client, make_user) -> None:
    client.force_login(make_user("schema_reader", "analyst"))  # the schema needs a login (ZJTX_API_DOCS)
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {"/api/evaluate", "/api/explain", "/api/gaps", "/api/match", "/api/runs",
            "/api/runs/{run_id}/results"} <= paths


def test_anonymous_is_refused(client) -> None:
    assert _post(client, "/api/evaluate", {"records": [RECORD], "on": "2025-06-30"}).status_code == 401
    assert client.get("/api/runs").status_code == 401


def test_evaluate_records_any_authenticated_user(client, make_user) -> None:
    client.force_login(make_user("someone", "enterprise_user"))
    resp = _post(client, "/api/evaluate", {"records": [RECORD], "on": "2025-06-30", "policies": ["tech_sme"]})
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["uscc"] == A and row["tech_sme.status"] == "qualified" and row["tech_sme.score"] == 92


def test_explain(staff_client) -> None:
    data = _post(staff_client, "/api/explain", {"record": RECORD, "policy": "tech_sme", "on": "2025-06-30"}).json()
    assert data["status"] == "qualified" and data["status_zh"] == "达标" and data["score"] == 92
    assert any(e["label"] == "科技人员" for e in data["trace"])


def test_bad_input_is_422_with_the_engines_chinese_messages(staff_client) -> None:
    bad = {**RECORD, "employees_y1": "很多"}
    resp = _post(staff_client, "/api/evaluate", {"records": [RECORD, bad], "on": "2025-06-30"})
    assert resp.status_code == 422
    body = resp.json()
    assert body["errors"] == [f"第2条记录（{A}） 字段 employees_y1（职工总数（上年度））：应为非负整数（值: '很多'）"]
    resp = _post(staff_client, "/api/explain", {"record": bad, "policy": "tech_sme", "on": "2025-06-30"})
    assert resp.status_code == 422 and "职工总数（上年度）" in resp.json()["detail"]


def test_unknown_policy_is_400_and_malformed_body_422(staff_client) -> None:
    resp = _post(staff_client, "/api/explain", {"record": RECORD, "policy": "nope", "on": "2025-06-30"})
    assert resp.status_code == 400 and "未知政策 'nope'" in resp.json()["detail"]
    assert _post(staff_client, "/api/evaluate", {"records": [RECORD], "on": "不是日期"}).status_code == 422
    assert _post(staff_client, "/api/evaluate", {"records": [], "on": "2025-06-30"}).status_code == 400


def test_gaps_and_match(staff_client) -> None:
    low = {**RECORD, "tech_staff_y1": 3}
    resp = _post(staff_client, "/api/gaps", {"record": low, "on": "2025-06-30", "policy": "tech_sme"})
    if services.gaps_available():
        assert resp.status_code == 200
        entry = resp.json()["ladder"][0]
        assert entry["policy"] == "tech_sme" and entry["status"] == "not_qualified"
        assert entry["options"] and "科技人员" in entry["options"][0]["text"]
    else:
        assert resp.status_code == 503 and resp.json()["detail"] == "（差距分析模块未加载）"
    resp = _post(staff_client, "/api/match", {"record": RECORD, "on": "2025-06-30"})
    if services.match_available():
        assert resp.status_code == 200
        items = {i["policy"]: i for i in resp.json()}
        assert items["tech_sme"]["match"] == "qualified"
        assert items["cit_small_low_profit"]["estimate"] > 0  # an amount, as a JSON number in 元
    else:
        assert resp.status_code == 503 and resp.json()["detail"] == "（政策匹配模块未加载）"


def test_runs_and_results_for_city_staff(staff_client, done_run) -> None:
    runs = staff_client.get("/api/runs").json()
    assert runs["count"] == 1 and runs["items"][0]["id"] == done_run.pk
    assert runs["items"][0]["rule_version"] == done_run.rule_version
    data = staff_client.get(f"/api/runs/{done_run.pk}/results?policy=tech_sme").json()
    assert data["count"] == 4
    by = {r["uscc"]: r for r in data["items"]}
    assert by[A]["status"] == "qualified" and by[A]["status_label"] == "达标" and by[A]["score"] == 92
    assert by[B]["flag"] and by[D]["near_miss"] is True and by[C]["status"] == "unknown"
    assert staff_client.get(f"/api/runs/{done_run.pk}/results?policy=tech_sme&near=1").json()["count"] == 2


def test_town_officer_sees_only_its_towns_results(client, make_user, done_run) -> None:
    client.force_login(make_user("xl", "town_officer", division=XIAOLAN))
    data = client.get(f"/api/runs/{done_run.pk}/results?policy=tech_sme").json()
    assert {r["uscc"] for r in data["items"]} == {A, D}


def test_town_officer_cannot_get_another_towns_run(client, make_user, registry) -> None:
    xl = make_user("xl2", "town_officer", division=XIAOLAN)
    run = services.execute_run(services.create_run(xl, ON).pk)
    assert run.total == 2 and run.division == XIAOLAN
    client.force_login(make_user("gz", "town_officer", division=GUZHEN))
    assert client.get(f"/api/runs/{run.pk}/results").status_code == 404
    assert client.get("/api/runs").json()["count"] == 0
    assert client.get(f"/evaluations/runs/{run.pk}/").status_code == 404
    assert client.get(f"/evaluations/results/?run={run.pk}").content.decode().count(A) == 0


def test_enterprise_user_sees_only_itself(client, make_user, done_run, registry) -> None:
    client.force_login(make_user("ent", "enterprise_user", enterprise=registry["B"]))
    data = client.get(f"/api/runs/{done_run.pk}/results").json()
    assert {r["uscc"] for r in data["items"]} == {B}
    assert client.get(f"/evaluations/enterprise/{A}/").status_code == 404
