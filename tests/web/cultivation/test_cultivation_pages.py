"""Pages, exports and the JSON API: every list renders and exports, everything is scoped."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from cultivation_helpers import four_tech
from openpyxl import load_workbook
from webtest_helpers import GUZHEN

from zjtx.apps.cultivation.models import (
    Application,
    AppState,
    BenefitEntry,
    PoolStage,
    ServiceRequest,
    ServiceType,
    Target,
)
from zjtx.apps.cultivation.pool import set_stage
from zjtx.apps.cultivation.workflow import transition
from zjtx.apps.enterprises.models import Title

pytestmark = [pytest.mark.django_db]

LISTS = ["/cultivation/", "/cultivation/calendar/", "/cultivation/designations/", "/cultivation/applications/",
         "/cultivation/plans/", "/cultivation/services/", "/cultivation/services/stats/", "/cultivation/ledger/",
         "/cultivation/targets/"]
EXPORTS = ["/cultivation/pool", "/cultivation/calendar", "/cultivation/designations", "/cultivation/applications",
           "/cultivation/plans", "/cultivation/services", "/cultivation/ledger", "/cultivation/targets"]


@pytest.fixture
def world(enterprise, users):
    """One enterprise in 小榄镇 and one in 古镇镇 with a stage, title, application, request and ledger entry each."""
    xl = enterprise(1, name="中山市小榄测试光电有限公司", **four_tech(40))
    gz = enterprise(2, division=GUZHEN, name="中山市古镇测试灯饰有限公司", **four_tech(40))
    for e in (xl, gz):
        set_stage(e, "tech_sme", "candidate", users["staff"], "摸查调研")
        Title.objects.create(enterprise=e, title="specialized_sme", granted_on=date(2023, 1, 1),
                             expires_on=date.today().replace(day=1).replace(year=date.today().year + 1))
        Application.objects.create(enterprise=e, tier="specialized_sme", year=2025, state=AppState.CITY_REVIEW,
                                   main_product="测试产品", evaluation_record={"revenue_y1": 20_000_000.0,
                                                                             "rd_expense_y1": 1_600_000.0})
        ServiceRequest.objects.create(enterprise=e, type=ServiceType.objects.get(code="financing"), subject="贷款对接")
        BenefitEntry.objects.create(enterprise=e, policy="zs_specialized_award", policy_name="市专精特新奖补",
                                    level="city", year=2025, amount=Decimal("200000"))
    Target.objects.create(year=date.today().year, tier="specialized_sme", division_id=GUZHEN, target=4)
    return xl, gz


@pytest.mark.parametrize("url", LISTS)
def test_lists_render_for_every_role(client, users, world, url) -> None:
    for who in ("admin", "staff", "xiaolan", "auditor"):
        client.force_login(users[who])
        resp = client.get(url)
        assert resp.status_code == 200, (who, url)
        assert "培育库" in resp.content.decode()
    client.force_login(users["norole"])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("base", EXPORTS)
def test_exports_are_scoped(client, users, world, base) -> None:
    xl, gz = world
    client.force_login(users["xiaolan"])
    data = client.get(base.rstrip("/") + ".json").json()
    assert set(data) == {"count", "columns", "rows"}
    text = json.dumps(data, ensure_ascii=False)
    assert gz.uscc not in text and "古镇测试" not in text
    csv = client.get(base + ".csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    xlsx = client.get(base + ".xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    client.force_login(users["staff"])
    if base.endswith(("pool", "applications", "services", "ledger")):
        assert gz.uscc in client.get(base + ".json").content.decode()


def test_enterprise_page_scoped(client, users, world) -> None:
    xl, gz = world
    client.force_login(users["xiaolan"])
    assert client.get(f"/cultivation/enterprises/{xl.uscc}/").status_code == 200
    assert client.get(f"/cultivation/enterprises/{gz.uscc}/").status_code == 404
    resp = client.post(f"/cultivation/enterprises/{xl.uscc}/stage/", {"tier": "tech_sme", "stage": "none",
                                                                      "reason": "暂缓培育"})
    assert resp.status_code == 302 and PoolStage.objects.get(enterprise=xl, tier="tech_sme").stage == "none"
    client.force_login(users["auditor"])
    assert client.post(f"/cultivation/enterprises/{xl.uscc}/stage/", {"tier": "tech_sme", "stage": "candidate",
                                                                      "reason": "x"}).status_code == 403


def test_calendar_ics_and_filters(client, users, world) -> None:
    client.force_login(users["staff"])
    on = (date.today().replace(day=1).replace(year=date.today().year + 1)).replace(day=1)
    start = date.fromordinal(on.toordinal() - 45)
    resp = client.get(f"/cultivation/calendar/?on={start.isoformat()}")
    assert "60天内" in resp.content.decode()
    ics = client.get(f"/cultivation/calendar.ics?on={start.isoformat()}")
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    rows = client.get(f"/cultivation/calendar.json?on={start.isoformat()}&kind=expiry").json()["rows"]
    assert len(rows) == 2 and rows[0]["level"] == "60天内"


def test_summary_sheet_shape(client, users, world) -> None:
    client.force_login(users["staff"])
    resp = client.get("/cultivation/applications/summary.xlsx?year=2025&tier=specialized_sme")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws.cell(1, 1).value == "2025年专精特新中小企业推荐汇总表"
    assert [c.value for c in ws[3]][:11] == ["序号", "企业名称", "统一社会信用代码", "所属镇街", "所属行业", "主导产品",
                                             "上年度营业收入（万元）", "研发费用（万元）", "研发费用占营业收入比重（%）",
                                             "评价得分", "推荐意见"]
    first = [c.value for c in ws[4]]
    assert first[0] == 1 and first[6] == 2000.0 and first[7] == 160.0 and first[8] == 8.0
    assert ws.cell(6, 1).value == "合计：2 家"
    client.force_login(users["xiaolan"])
    ws = load_workbook(io.BytesIO(client.get("/cultivation/applications/summary.xlsx").content)).active
    assert ws.cell(4, 2).value == "中山市小榄测试光电有限公司" and ws.cell(5, 1).value == "合计：1 家"


def test_ledger_page_refuses_double_benefit(client, users, world) -> None:
    xl, _ = world
    client.force_login(users["staff"])
    data = {"uscc": xl.uscc, "policy": "zs_little_giant_award", "policy_name": "", "level": "city", "year": 2024,
            "project": "项目A", "amount": "1000000", "kind": "granted", "document": "", "paid_on": ""}
    assert client.post("/cultivation/ledger/new/", data).status_code == 302
    page = client.post("/cultivation/ledger/new/", {**data, "policy": "gd_little_giant_award", "level": "provincial"})
    assert page.status_code == 200
    assert "违反“同一项目不得重复享受市级和省级小巨人奖补”" in page.content.decode()
    client.force_login(users["xiaolan"])
    assert client.get("/cultivation/ledger/new/").status_code == 403


def test_api(client, users, world) -> None:
    xl, gz = world
    client.force_login(users["xiaolan"])
    pool = client.get("/api/cultivation/pool").json()
    assert pool["count"] == 1 and pool["items"][0]["uscc"] == xl.uscc
    resp = client.put(f"/api/cultivation/pool/{xl.uscc}/tech_sme", {"stage": "none", "reason": "迁出"},
                      content_type="application/json")
    assert resp.status_code == 200 and resp.json()["protected"] is True
    assert client.put(f"/api/cultivation/pool/{gz.uscc}/tech_sme", {"stage": "none", "reason": "x"},
                      content_type="application/json").status_code == 404
    apps = client.get("/api/cultivation/applications").json()
    assert apps["count"] == 1 and apps["items"][0]["actions"] == []
    new = client.post("/api/cultivation/applications", {"uscc": xl.uscc, "tier": "tech_sme", "year": 2025},
                      content_type="application/json")
    assert new.status_code == 201
    app_id = new.json()["id"]
    ok = client.post(f"/api/cultivation/applications/{app_id}/transitions", {"action": "submit"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == "submitted" and ok.json()["rule_version"]
    bad = client.post(f"/api/cultivation/applications/{app_id}/transitions", {"action": "recommend"},
                      content_type="application/json")
    assert bad.status_code == 409
    client.post(f"/api/cultivation/applications/{app_id}/transitions", {"action": "accept"},
                content_type="application/json")
    refused = client.post(f"/api/cultivation/applications/{app_id}/transitions", {"action": "local_return"},
                          content_type="application/json")
    assert refused.status_code == 400 and "须填写原因" in refused.json()["detail"]
    for path in ("designations", "calendar", "plans", "services", "ledger", "targets", "services/stats"):
        r = client.get(f"/api/cultivation/{path}")
        assert r.status_code == 200, path
        assert gz.uscc not in r.content.decode(), path
    client.force_login(users["staff"])
    first = client.post("/api/cultivation/ledger", {"uscc": xl.uscc, "policy": "zs_little_giant_award", "level": "city",
                                                    "year": 2024, "project": "P", "amount": "1000000"},
                        content_type="application/json")
    assert first.status_code == 201
    second = client.post("/api/cultivation/ledger", {"uscc": xl.uscc, "policy": "gd_little_giant_award",
                                                     "level": "provincial", "year": 2025, "project": "P",
                                                     "amount": "1"}, content_type="application/json")
    assert second.status_code == 409 and f"#{first.json()['id']}" in second.json()["detail"]
    plan = client.post("/api/cultivation/plans", {"uscc": xl.uscc, "tier": "zs_four_tech", "on": "2025-06-30"},
                       content_type="application/json")
    assert plan.status_code == 201 and plan.json()["items"]
    svc = client.post("/api/cultivation/services", {"uscc": xl.uscc, "type": "tech_transfer", "subject": "专利许可"},
                      content_type="application/json")
    assert svc.status_code == 201 and svc.json()["channel"] == "officer"
    stats = client.get("/api/cultivation/services/stats?by=type").json()
    assert {s["key"] for s in stats} == {"融资对接", "技术转移"}


def test_targets_league(client, users, world) -> None:
    client.force_login(users["staff"])
    year = date.today().year
    data = client.get(f"/api/cultivation/targets?year={year}&tier=specialized_sme").json()
    gz_row = next(r for r in data["rows"] if r["division"] == GUZHEN)
    assert gz_row["target"] == 4 and gz_row["actual"] == 1 and gz_row["rate"] == 0.25 and gz_row["rank"] == 1
    letter = client.get("/api/cultivation/targets?year=2022&tier=tech_sme").json()
    assert letter["city"]["target"] == 2800 and "2800" in letter["city"]["source"]


def test_pages_flow_application(client, users, world) -> None:
    xl, _ = world
    client.force_login(users["staff"])
    resp = client.post("/cultivation/applications/new/", {"uscc": xl.uscc, "tier": "innovative_sme", "year": 2025})
    assert resp.status_code == 302
    app = Application.objects.get(tier="innovative_sme")
    client.post(f"/cultivation/applications/{app.pk}/transition/", {"action": "submit"})
    app.refresh_from_db()
    assert app.state == "submitted" and app.evaluation
    page = client.get(f"/cultivation/applications/{app.pk}/").content.decode()
    assert "提交时评价结果（冻结）" in page and app.rule_version in page
    client.force_login(users["guzhen"])
    assert client.get(f"/cultivation/applications/{app.pk}/").status_code == 404
    client.force_login(users["xiaolan"])
    client.post(f"/cultivation/applications/{app.pk}/transition/", {"action": "accept"})
    app.refresh_from_db()
    transition(app, "local_pass", users["xiaolan"])
    client.force_login(users["xiaolan"])
    assert client.post(f"/cultivation/applications/{app.pk}/transition/", {"action": "recommend"}).status_code == 403


def test_pool_members_bulk_add_and_list(client, users, world) -> None:
    xl, gz = world
    client.force_login(users["xiaolan"])
    resp = client.post("/cultivation/members/add/", {"category": "little_giant_pool", "source": "2022年摸查调研",
                                                     "usccs": f"{xl.uscc}\n{gz.uscc}\n"})
    assert resp.status_code == 302
    rows = client.get("/cultivation/pool.json?view=members").json()["rows"]
    assert [(r["uscc"], r["category"], r["source"]) for r in rows] == [(xl.uscc, "小巨人培育企业", "2022年摸查调研")]
    messages = [str(m) for m in list(client.get("/cultivation/?view=members").context["messages"])]
    assert any(gz.uscc in m and "不在本账号管辖范围内" in m for m in messages)
    assert client.get("/cultivation/?category=little_giant_pool").status_code == 200


def test_command_and_api_estimate(client, users, world) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("cultivation_auto", "--on", "2025-06-30", stdout=out)
    assert "人工锁定且有分歧" in out.getvalue()
    xl, _ = world
    client.force_login(users["staff"])
    r = client.post("/api/cultivation/ledger/estimate", {"uscc": xl.uscc, "on": "2025-06-30"},
                    content_type="application/json")
    assert r.status_code == 200 and [i["policy"] for i in r.json()["items"]] == ["rd_super_deduction"]
    client.force_login(users["xiaolan"])
    assert client.post("/api/cultivation/ledger/estimate", {"uscc": xl.uscc},
                       content_type="application/json").status_code == 403
