"""Accounts: Argon2, password validators, login lockout, idle timeout, audit log pages, bootstrap."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from webtest_helpers import XIAOLAN, uscc

from zjtx.apps.accounts.models import AuditEntry, LoginLock
from zjtx.apps.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db
PASSWORD = "Zs-test-pass-2025"


def test_argon2_first_and_validators_on(make_user) -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    user = make_user("alice", "city_staff", password=PASSWORD)
    assert identify_hasher(user.password).algorithm == "argon2"
    for weak in ("12345678", "password123", "alice"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [c for c, _ in settings.LANGUAGES] == ["zh-hans"]  # no half-translated second language


def test_login_lockout_after_five_failures(client, make_user) -> None:
    make_user("bob", "city_staff", password=PASSWORD)
    for i in range(4):
        resp = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
        assert "用户名或密码错误" in resp.content.decode(), i
    resp = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    assert "账号已锁定" in resp.content.decode()
    # even the right password is refused while locked
    resp = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert resp.status_code == 200 and "账号已锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="locked", object_repr="bob").count() == 1
    failed = AuditEntry.objects.filter(action="login_failed").order_by("seq")
    # four wrong passwords, then the right one refused while locked (never checked)
    assert [e.after["reason"] for e in failed] == ["bad_credentials"] * 4 + ["locked"]
    assert all(e.ip == "127.0.0.1" for e in failed)
    # after the lock expires the right password works and the counter resets
    from datetime import timedelta

    from django.utils import timezone

    LoginLock.objects.filter(username="bob").update(locked_until=timezone.now() - timedelta(seconds=1))
    resp = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert resp.status_code == 302
    assert LoginLock.objects.get(kind="user", username="bob").failures == 0
    assert AuditEntry.objects.filter(action="login", username="bob").exists()


def test_login_rejects_external_next(client, make_user) -> None:
    make_user("carol", "city_staff", password=PASSWORD)
    resp = client.post("/accounts/login/?next=https://evil.example/", {"username": "carol", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"


def test_each_role_lands_on_its_own_start_page(client, make_user) -> None:
    """After login: staff on the dashboard, administrators on the admin site, an enterprise on its own list."""
    for name, role, where in (("s1", "city_staff", "/evaluations/dashboard/"), ("t1", "town_officer", "/evaluations/dashboard/"),
                              ("a1", "security_admin", "/admin/"), ("e1", "enterprise_user", "/enterprises/")):
        client.force_login(make_user(name, role))
        resp = client.get("/")
        assert resp.status_code == 302 and resp["Location"] == where, (role, resp["Location"])


def test_idle_session_times_out(client, make_user, settings) -> None:
    user = make_user("dave", "city_staff")
    client.force_login(user)
    assert client.get("/enterprises/").status_code == 200
    session = client.session
    session["zjtx_last_seen"] = session["zjtx_last_seen"] - settings.ZJTX_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    resp = client.get("/enterprises/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_logout_is_post_only(client, make_user) -> None:
    client.force_login(make_user("erin", "city_staff"))
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/enterprises/").status_code == 302


def test_audit_pages_filter_and_export(client, make_user) -> None:
    staff = make_user("frank", "city_staff")
    auditor = make_user("grace", "auditor")
    client.force_login(staff)
    resp = client.post("/enterprises/new/", {"uscc": uscc(1), "name": "甲公司", "division": XIAOLAN,
                                              "industry": "c3919"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    request_id = resp["X-Request-ID"]
    e = Enterprise.objects.get(uscc=uscc(1))
    assert e.industry == "C3919" and e.provenance["name"] == "verified"
    client.post(f"/enterprises/{uscc(1)}/edit/", {"uscc": uscc(1), "name": "甲公司（更名）", "division": XIAOLAN})
    client.force_login(auditor)
    page = client.get(f"/audit/?request_id={request_id}").content.decode()
    assert "甲公司" in page and "新增" in page
    data = client.get(f"/audit.json?uscc={uscc(1)}").json()
    actions = [r["action"] for r in data["rows"]]
    assert actions == ["update", "create"]
    upd = data["rows"][0]
    assert upd["before"]["name"] == "甲公司" and upd["after"]["name"] == "甲公司（更名）" and upd["username"] == "frank"
    entry = AuditEntry.objects.get(action="update")
    detail = client.get(f"/audit/{entry.pk}/").content.decode()
    assert "甲公司（更名）" in detail
    csv = client.get("/audit/?format=csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("链,序号,时间,用户,操作,来源,来源IP")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(client.get("/audit.xlsx").content))
    assert wb.active["A1"].value == "链" and wb.active["B1"].value == "序号"


def test_viewing_personal_data_is_logged(client, make_user) -> None:
    Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, contact_name="张三丰",
                              contact_phone="13812345678")
    client.force_login(make_user("henry", "city_staff"))
    page = client.get(f"/enterprises/{uscc(1)}/").content.decode()
    assert "13812345678" in page
    assert AuditEntry.objects.filter(action="view_personal", enterprise_uscc=uscc(1), username="henry").count() == 1
    client.force_login(make_user("ivy", "auditor"))
    page = client.get(f"/enterprises/{uscc(1)}/").content.decode()
    assert "138****5678" in page and "张**" in page and "13812345678" not in page


def test_bootstrap_creates_admin_once(capsys) -> None:
    out = io.StringIO()
    call_command("bootstrap", stdout=out)
    text = out.getvalue()
    assert "已创建管理员 admin" in text and "镇街 27" in text
    password = text.strip().split("：")[-1]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    out2 = io.StringIO()
    call_command("bootstrap", stdout=out2)
    assert "已有超级用户" in out2.getvalue()
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_chinese_only_whatever_the_browser_asks(client, make_user) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page and "登录" in page and 'name="language"' not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})  # not an offered language
    assert '<html lang="zh-hans">' in client.get("/accounts/login/").content.decode()


def test_a_new_login_ends_the_previous_session(make_user) -> None:
    from django.test import Client

    make_user("kim", "city_staff", password=PASSWORD)
    first, second = Client(), Client()
    assert first.post("/accounts/login/", {"username": "kim", "password": PASSWORD}).status_code == 302
    assert first.get("/enterprises/").status_code == 200
    assert second.post("/accounts/login/", {"username": "kim", "password": PASSWORD}).status_code == 302
    assert second.get("/enterprises/").status_code == 200
    resp = first.get("/enterprises/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
