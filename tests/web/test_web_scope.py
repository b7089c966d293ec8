"""Scope matrix: every list / detail / export / API route × every role.

A town officer never sees another town's enterprise; an enterprise user only its own; personal data
is masked for roles without permission.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from webtest_helpers import GUZHEN, XIAOLAN, uscc

from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title

pytestmark = pytest.mark.django_db

A, B = uscc(1), uscc(2)  # A in 小榄镇, B in 古镇镇
ROLES = ["city_admin", "city_staff", "town_officer", "enterprise_user", "analyst", "auditor", "system_admin",
         "security_admin", "no_role"]
VISIBLE = {
    "city_admin": {A, B}, "city_staff": {A, B}, "auditor": {A, B}, "analyst": {A, B},
    "town_officer": {A}, "enterprise_user": {A}, "no_role": set(),
    # 三权分立: the system and security administrators administer; they do not read the registry
    "system_admin": set(), "security_admin": set(),
}
EDITABLE = {"city_admin": {A, B}, "city_staff": {A, B}, "town_officer": {A}, "enterprise_user": {A},
            "analyst": set(), "auditor": set(), "system_admin": set(), "security_admin": set(), "no_role": set()}
FULL_CONTACT = {"city_admin", "city_staff", "town_officer", "enterprise_user"}

LIST_ROUTES = [
    "/enterprises/", "/enterprises.csv", "/enterprises.xlsx", "/enterprises.json", "/enterprises/?format=csv",
    "/enterprises/?format=json&division=" + GUZHEN, "/enterprises/?q=中山",
    "/annual/", "/annual.csv", "/annual.xlsx", "/annual.json", "/annual/?year=2024&format=json",
    "/titles/", "/titles.csv", "/titles.xlsx", "/titles.json",
    "/api/enterprises", "/api/enterprises?division=" + GUZHEN, "/api/annual-reports", "/api/annual-reports?year=2024",
]
DETAIL_ROUTES = ["/enterprises/{u}/", "/enterprises/{u}.json", "/enterprises/{u}/?format=json",
                 "/api/enterprises/{u}", "/api/enterprises/{u}/annual"]
EDIT_ROUTES = ["/enterprises/{u}/edit/", "/enterprises/{u}/annual/2024/edit/", "/enterprises/{u}/annual/new/"]


@pytest.fixture
def registry(db):
    a = Enterprise.objects.create(uscc=A, name="中山市甲科技有限公司", division_id=XIAOLAN, industry="C3919",
                                  contact_name="张三丰", contact_phone="13812345678")
    b = Enterprise.objects.create(uscc=B, name="中山市乙灯饰有限公司", division_id=GUZHEN, industry="C3872",
                                  contact_name="李四", contact_phone="13987654321")
    for e in (a, b):
        AnnualReport.objects.create(enterprise=e, year=2024, employees=50, revenue=1000)
        Title.objects.create(enterprise=e, title="high_tech", granted_on=date(2024, 1, 1))
    return a, b


@pytest.fixture
def users(make_user, registry):
    a, _ = registry
    return {
        "city_admin": make_user("u_admin", "city_admin"),
        "city_staff": make_user("u_staff", "city_staff"),
        "town_officer": make_user("u_town", "town_officer", division=XIAOLAN),
        "enterprise_user": make_user("u_ent", "enterprise_user", enterprise=a),
        "auditor": make_user("u_audit", "auditor"),
        "analyst": make_user("u_analyst", "analyst"),
        "system_admin": make_user("u_sys", "system_admin"),
        "security_admin": make_user("u_sec", "security_admin"),
        "no_role": get_user_model().objects.create_user("u_none"),
    }


def _body(resp) -> str:
    if resp["Content-Type"].startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(resp.content))
        return "\n".join(str(c) for ws in wb.worksheets if ws.title != "代码表"
                         for r in ws.iter_rows(values_only=True) for c in r if c is not None)
    return resp.content.decode("utf-8")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", LIST_ROUTES)
def test_lists_and_exports_are_scoped(client, users, role: str, route: str) -> None:
    client.force_login(users[role])
    resp = client.get(route)
    if role == "no_role":
        assert resp.status_code == 403
        return
    assert resp.status_code == 200, resp.content[:300]
    body = _body(resp)
    expected = set(VISIBLE[role])
    if f"division={GUZHEN}" in route:
        expected &= {B}
    for code in (A, B):
        assert (code in body) == (code in expected), (role, route, code)
    if route.startswith("/enterprises") or (route.startswith("/annual") and route != "/annual/"):
        full = "13812345678" in body
        masked = "138****5678" in body
        if A in expected:
            assert full == (role in FULL_CONTACT) and masked == (role not in FULL_CONTACT), (role, route)
    assert "13987654321" not in body or role in ("city_admin", "city_staff")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", DETAIL_ROUTES)
def test_detail_routes_are_scoped(client, users, role: str, route: str) -> None:
    client.force_login(users[role])
    for code in (A, B):
        resp = client.get(route.format(u=code))
        if role == "no_role":
            assert resp.status_code == 403
        elif code in VISIBLE[role]:
            assert resp.status_code == 200 and code in resp.content.decode()
        else:
            assert resp.status_code == 404, (role, route, code)
            assert code not in resp.content.decode()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", EDIT_ROUTES)
def test_edit_routes_are_scoped(client, users, role: str, route: str) -> None:
    client.force_login(users[role])
    for code in (A, B):
        resp = client.get(route.format(u=code))
        if code in EDITABLE[role]:
            assert resp.status_code == 200
        elif role != "no_role" and code in VISIBLE[role]:
            assert resp.status_code == 403
        else:
            assert resp.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_api_writes_are_scoped(client, users, role: str) -> None:
    client.force_login(users[role])
    for code in (A, B):
        resp = client.put(f"/api/enterprises/{code}/annual/2023", data=json.dumps({"employees": 7}),
                          content_type="application/json")
        if code in EDITABLE[role]:
            assert resp.status_code == 200, resp.content
        else:
            assert resp.status_code in (403, 404)
    assert AnnualReport.objects.filter(year=2023).count() == len(EDITABLE[role])


@pytest.mark.parametrize("route", ["/enterprises/", "/annual.csv", f"/enterprises/{A}/", "/audit/", "/imports/"])
def test_anonymous_is_sent_to_login(client, registry, route: str) -> None:
    resp = client.get(route)
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_anonymous_api_is_refused(client, registry) -> None:
    assert client.get("/api/enterprises").status_code == 401
    assert client.get(f"/api/enterprises/{A}").status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_audit_and_import_pages_by_role(client, users, role: str) -> None:
    client.force_login(users[role])
    audit = client.get("/audit/").status_code
    assert audit == (200 if role == "auditor" else 403)  # only the audit administrator
    assert client.get("/audit.csv").status_code == audit
    imports = client.get("/imports/").status_code
    assert imports == (200 if role in ("city_admin", "city_staff", "town_officer") else 403)


def test_town_officer_cannot_move_enterprise_to_another_town(client, users) -> None:
    client.force_login(users["town_officer"])
    resp = client.get(f"/enterprises/{A}/edit/")
    assert GUZHEN not in resp.content.decode()  # only its own 镇街 is offered
    resp = client.post(f"/enterprises/{A}/edit/", {"uscc": A, "name": "甲", "division": GUZHEN})
    assert resp.status_code == 200  # form error, not saved
    assert Enterprise.objects.get(uscc=A).division_id == XIAOLAN


def test_import_jobs_are_private_to_their_uploader(client, users) -> None:
    from webtest_helpers import row, xlsx

    from zjtx.apps.enterprises import importer

    job = importer.create_job(users["city_staff"], "a.xlsx", xlsx([row(uscc=uscc(9), name="丁", year=2024)]))
    client.force_login(users["town_officer"])
    for suffix in ("", "progress/", "file/"):
        assert client.get(f"/imports/{job.pk}/{suffix}").status_code == 404
    assert client.post(f"/imports/{job.pk}/confirm/").status_code == 404
    client.force_login(users["city_staff"])
    assert client.get(f"/imports/{job.pk}/file/").status_code == 200
    client.force_login(users["city_admin"])
    assert client.get(f"/imports/{job.pk}/").status_code == 200


def test_enterprise_user_cannot_move_or_verify(client, users) -> None:
    client.force_login(users["enterprise_user"])
    resp = client.post(f"/enterprises/{A}/edit/", {"uscc": A, "name": "甲（新名）", "division": GUZHEN})
    assert resp.status_code == 302
    e = Enterprise.objects.get(uscc=A)
    assert e.name == "甲（新名）" and e.division_id == XIAOLAN and e.provenance["name"] == "self"
    resp = client.post(f"/enterprises/{A}/annual/2024/edit/", {"year": 2024, "employees": 51, "source": "verified"})
    assert resp.status_code == 200  # "已核验" is not offered to an enterprise
    resp = client.post(f"/enterprises/{A}/annual/2024/edit/", {"year": 2024, "employees": 51, "source": "self"})
    assert resp.status_code == 302
    r = AnnualReport.objects.get(enterprise__uscc=A, year=2024)
    assert r.employees == 51 and r.provenance["employees"] == "self"


def test_town_officer_must_keep_a_division(client, users) -> None:
    client.force_login(users["town_officer"])
    resp = client.post(f"/enterprises/{A}/edit/", {"uscc": A, "name": "甲", "division": ""})
    assert resp.status_code == 200
    assert Enterprise.objects.get(uscc=A).division_id == XIAOLAN


# 三权分立 in the admin site: (role, URL) → may open it
ADMIN_PAGES = {
    "/admin/": {"system_admin", "security_admin"},
    "/admin/auth/user/": {"security_admin"},
    "/admin/accounts/profile/": {"security_admin"},
    "/admin/accounts/loginlock/": {"security_admin"},
    "/admin/otp_totp/totpdevice/": {"security_admin"},
    "/admin/enterprises/division/": {"system_admin"},
    "/admin/cultivation/servicetype/": {"system_admin"},
    "/admin/enterprises/enterprise/": set(),
    "/admin/accounts/auditentry/": set(),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(ADMIN_PAGES))
def test_admin_site_separates_the_three_administrators(client, users, role: str, url: str) -> None:
    client.force_login(users[role])
    resp = client.get(url)
    if role in ADMIN_PAGES[url]:
        assert resp.status_code == 200, (role, url)
    elif role in ("system_admin", "security_admin"):
        assert resp.status_code in (403, 404), (role, url)
    else:  # not an administrator at all: sent (via /admin/login/) to the one login page
        assert resp.status_code == 302, (role, url)
        if resp["Location"].startswith("/admin/login/"):
            resp = client.get(resp["Location"])
        assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/"), (role, url, resp)


def test_security_admin_cannot_grant_itself_or_make_superusers(client, users) -> None:
    sec = users["security_admin"]
    client.force_login(sec)
    own = client.get(f"/admin/auth/user/{sec.pk}/change/")
    assert own.status_code == 200 and 'name="_save"' not in own.content.decode()  # read-only
    assert client.post(f"/admin/auth/user/{sec.pk}/change/", {"username": sec.username}).status_code == 403
    page = client.get(f"/admin/auth/user/{users['analyst'].pk}/change/").content.decode()
    assert "is_superuser" not in page and "user_permissions" not in page
    assert client.get("/audit/").status_code == 403


def test_analyst_reads_the_city_without_contacts(client, users) -> None:
    client.force_login(users["analyst"])
    body = client.get("/enterprises.csv").content.decode("utf-8-sig")
    assert A in body and B in body and "13812345678" not in body and "138****5678" in body
    assert client.get("/imports/").status_code == 403
    assert client.put(f"/api/enterprises/{A}/annual/2024", data=json.dumps({"employees": 1, "version": 1}),
                      content_type="application/json").status_code == 403
