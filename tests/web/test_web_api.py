"""JSON API: OpenAPI schema and docs, filters, partial updates with provenance and audit."""

from __future__ import annotations

import json
import re

import pytest
from webtest_helpers import GUZHEN, XIAOLAN, uscc

from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.models import AnnualReport, Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("api_staff", "city_staff"))
    Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, industry="C3919")
    Enterprise.objects.create(uscc=uscc(2, region="440300"), name="乙（深圳）", division_id=None, industry="C3872")
    Enterprise.objects.create(uscc=uscc(3), name="丙", division_id=GUZHEN, industry="C3872")
    return client


def test_openapi_schema_and_docs(client, make_user) -> None:
    # docs and schema are behind the login (ZJTX_API_DOCS=login, the default)
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert client.get("/api/docs").status_code == 302
    client.force_login(make_user("reader", "analyst"))
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/enterprises", "/api/enterprises/{uscc}", "/api/enterprises/{uscc}/annual",
            "/api/enterprises/{uscc}/annual/{year}", "/api/annual-reports"} <= set(paths)
    props = schema["components"]["schemas"]["AnnualReportOut"]["properties"]
    for name in ("employees", "rd_expense_tax", "taxable_income", "ip2_mature", "product_field", "provenance"):
        assert name in props
    assert client.get("/api/docs").status_code == 200


def test_filters(staff_client) -> None:
    c = staff_client
    assert c.get("/api/enterprises").json()["count"] == 3
    assert [e["uscc"] for e in c.get(f"/api/enterprises?division={GUZHEN}").json()["items"]] == [uscc(3)]
    assert [e["name"] for e in c.get("/api/enterprises?local=0").json()["items"]] == ["乙（深圳）"]
    assert c.get("/api/enterprises?cluster=光电").json()["count"] == 2
    assert c.get("/api/enterprises?cluster=electronics").json()["count"] == 1
    assert c.get("/api/enterprises?industry=C38").json()["count"] == 2
    page = c.get("/api/enterprises?limit=1&offset=1").json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert c.get("/api/enterprises?q=丙").json()["items"][0]["division_name"] == "古镇镇"


def test_put_annual_partial_update_with_provenance_and_audit(staff_client) -> None:
    c = staff_client
    resp = c.put(f"/api/enterprises/{uscc(1)}/annual/2024",
                 data=json.dumps({"employees": 88, "revenue": "12345678.9", "source": "tax"}),
                 content_type="application/json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["employees"] == 88 and body["revenue"] == 12345678.9 and body["rd_expense"] is None
    assert body["provenance"] == {"employees": "tax", "revenue": "tax"}
    assert body["version"] == 1
    resp = c.put(f"/api/enterprises/{uscc(1)}/annual/2024", data=json.dumps({"rd_staff": 10, "version": 1}),
                 content_type="application/json")
    assert resp.status_code == 200 and resp.json()["version"] == 2
    r = AnnualReport.objects.get(enterprise__uscc=uscc(1), year=2024)
    assert r.employees == 88 and r.rd_staff == 10 and r.provenance["rd_staff"] == "self"
    entry = AuditEntry.objects.filter(model="enterprises.AnnualReport", action="update").get()
    assert entry.source == "api" and entry.request_id == resp["X-Request-ID"] and entry.changed == ["provenance", "rd_staff"]
    bad = c.put(f"/api/enterprises/{uscc(1)}/annual/2024", data=json.dumps({"employees": "很多", "version": 2}),
                content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["errors"] == ["employees（职工总数）：应为整数"]
    bad = c.put(f"/api/enterprises/{uscc(1)}/annual/1800", data=json.dumps({}), content_type="application/json")
    assert bad.status_code == 422
    annual = c.get(f"/api/enterprises/{uscc(1)}/annual").json()
    assert [a["year"] for a in annual] == [2024]
    assert c.get("/api/annual-reports?year=2024").json()["count"] == 1
    assert c.get("/api/annual-reports?year=2023").json()["count"] == 0


def test_docs_use_vendored_assets_not_a_cdn(client, make_user) -> None:
    client.force_login(make_user("reader", "analyst"))
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert not re.search(r'(?:src|href)=["\'](?:https?:)?//', page), "an external script or stylesheet"


def test_json_exports_use_numbers_and_field_names(staff_client) -> None:
    AnnualReport.objects.create(enterprise=Enterprise.objects.get(uscc=uscc(1)), year=2024,
                                revenue="1234.50", market_share="0.031", provenance={"revenue": "tax"})
    data = staff_client.get("/annual.json?year=2024").json()
    assert data["count"] == 1
    r = data["rows"][0]
    assert r["revenue"] == 1234.5 and r["market_share"] == 0.031 and r["rd_expense"] is None
    assert r["uscc"] == uscc(1) and r["division"] == XIAOLAN and r["provenance"] == {"revenue": "tax"}
    detail = staff_client.get(f"/enterprises/{uscc(1)}.json").json()
    assert detail["enterprise"]["name"] == "甲" and detail["annual_reports"][0]["revenue"] == 1234.5
    csv = staff_client.get("/annual.csv").content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("统一社会信用代码,企业名称,所属镇街") and uscc(1) in csv[1]
