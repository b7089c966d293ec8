"""Security controls of #13: one guarded login (admin path included), per-IP throttling, TOTP, password
rules, the tamper-evident insert-only audit, exports in the audit, lost updates, enterprise writes,
API errors and bounds, security headers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from webtest_helpers import GUZHEN, XIAOLAN, uscc

from zjtx.apps.accounts import chain, dbguard
from zjtx.apps.accounts.models import AuditEntry, LoginLock, PasswordHistory, Profile
from zjtx.apps.enterprises.models import AnnualReport, Enterprise

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
PASSWORD = "Zs-test-pass-2025"


def _login(client: Client, username: str, password: str, path: str = "/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ------------------------------------------------------------------ one guarded way in

def test_admin_login_is_the_one_login(client, make_user) -> None:
    make_user("root_sec", "security_admin", password=PASSWORD)
    resp = client.get("/admin/login/?next=/admin/")
    assert resp.status_code == 302 and resp["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # posting credentials to the admin path never authenticates (no second door)
    resp = _login(client, "root_sec", PASSWORD, path="/admin/login/")
    assert resp.status_code == 302 and not _logged_in(client)
    resp = client.post("/accounts/login/?next=/admin/", {"username": "root_sec", "password": PASSWORD,
                                                          "next": "/admin/"})
    assert resp.status_code == 302 and resp["Location"] == "/admin/" and _logged_in(client)
    assert client.get("/admin/").status_code == 200
    login = AuditEntry.objects.get(action="login", username="root_sec")
    assert login.ip == "127.0.0.1"


def test_lockout_holds_on_every_login_path(client, make_user) -> None:
    make_user("admin2", "security_admin", password=PASSWORD)
    for _ in range(5):
        _login(client, "admin2", "wrong")
    for path in ("/admin/login/", "/accounts/login/", "/admin/login/?next=/admin/"):
        _login(client, "admin2", PASSWORD, path=path)
        assert not _logged_in(client), path
    page = _login(client, "admin2", PASSWORD).content.decode()
    assert "账号已锁定" in page
    reasons = list(AuditEntry.objects.filter(username="admin2", action__in=["login_failed", "locked"])
                   .order_by("seq").values_list("action", flat=True))
    assert reasons[:5] == ["login_failed"] * 4 + ["locked"] and len(reasons) >= 6


def test_per_ip_throttle_stops_password_spraying(client, make_user, settings) -> None:
    settings.ZJTX_IP_ATTEMPTS = 5
    for i in range(12):
        make_user(f"spray{i}", "city_staff", password=PASSWORD)
    for i in range(12):
        _login(client, f"spray{i}", "Winter2025!")
    checked = AuditEntry.objects.filter(action="login_failed", after__reason="bad_credentials").count()
    refused = AuditEntry.objects.filter(action="login_failed", after__reason="ip_throttled").count()
    assert (checked, refused) == (5, 7)
    assert LoginLock.objects.get(kind="ip", username="127.0.0.1").locked_until > timezone.now()
    # the right password from the throttled address is refused too; another address is not affected
    assert not _logged_in(client) and "过于频繁" in _login(client, "spray11", PASSWORD).content.decode()
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert _login(other, "spray11", PASSWORD).status_code == 302 and _logged_in(other)


def test_trusted_proxy_forwarded_address_is_used(client, make_user, settings) -> None:
    settings.ZJTX_TRUSTED_PROXIES = ["127.0.0.1"]
    make_user("viaproxy", "city_staff", password=PASSWORD)
    _login(client, "viaproxy", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AuditEntry.objects.get(action="login_failed", username="viaproxy").ip == "198.51.100.7"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_check_at_most_the_limit(make_user) -> None:
    """40 wrong passwords at once for one account: at most 5 password checks happen."""
    import threading

    make_user("target", "city_staff", password=PASSWORD)
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def attempt(i: int) -> None:
        from django.db import connections

        c = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        barrier.wait()
        try:
            statuses.append(_login(c, "target", f"wrong{i}").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 40
    checked = AuditEntry.objects.filter(username="target", after__reason="bad_credentials").count()
    assert checked == 5, checked  # five reservations, five password checks, then the lock
    assert AuditEntry.objects.filter(username="target", action="locked").count() == 1
    assert AuditEntry.objects.filter(username="target", after__reason="locked").count() == 40 - checked


# ------------------------------------------------------------------ two-factor

def _token(device) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


@pytest.mark.two_factor
def test_city_staff_must_enrol_totp_then_log_in_with_it(client, make_user) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    make_user("carol2", "city_staff", password=PASSWORD)
    assert _login(client, "carol2", PASSWORD).status_code == 302
    resp = client.get("/enterprises/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/2fa/setup/")
    api = client.get("/api/enterprises")
    assert api.status_code == 403 and api.json()["detail"] == "本账号须先启用双因素认证"
    page = client.get("/accounts/2fa/setup/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page
    device = TOTPDevice.objects.get(user__username="carol2", confirmed=False)
    assert "动态验证码错误" in client.post("/accounts/2fa/setup/", {"token": "000000"}).content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp's own back-off after a wrong code …
    device.throttle_reset()  # … which a person waits out
    resp = client.post("/accounts/2fa/setup/?next=/enterprises/", {"token": _token(device), "next": "/enterprises/"})
    assert resp.status_code == 302 and client.get("/enterprises/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor", username="carol2").exists()
    # next login: password, then the code; a wrong code is counted like a wrong password
    client.post("/accounts/logout/")
    resp = _login(client, "carol2", PASSWORD)
    assert resp.status_code == 200 and 'name="token"' in resp.content.decode() and not _logged_in(client)
    resp = client.post("/accounts/login/", {"step": "token", "token": "123456"})
    assert "动态验证码错误" in resp.content.decode() and not _logged_in(client)
    device.refresh_from_db()
    device.last_t = -1  # the enrolment code's time step may be reused in this test only
    device.throttle_reset()
    resp = client.post("/accounts/login/", {"step": "token", "token": _token(device)})
    assert resp.status_code == 302 and _logged_in(client) and client.get("/enterprises/").status_code == 200
    assert AuditEntry.objects.filter(action="login", username="carol2").order_by("seq").last().after == {"two_factor": True}


@pytest.mark.two_factor
def test_town_officer_may_work_without_totp_but_admin_site_needs_it(client, make_user) -> None:
    make_user("town2", "town_officer", division=XIAOLAN, password=PASSWORD)
    _login(client, "town2", PASSWORD)
    assert client.get("/enterprises/").status_code == 200
    make_user("sec2", "security_admin", password=PASSWORD)
    other = Client()
    _login(other, "sec2", PASSWORD)
    assert other.get("/admin/").status_code == 302  # enrol first


# ------------------------------------------------------------------ passwords

def test_password_change_history_and_complexity(client, make_user) -> None:
    make_user("pw", "city_staff", password=PASSWORD)
    _login(client, "pw", PASSWORD)
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "abcdefghijkl",
                                               "new_password2": "abcdefghijkl"})
    assert "至少三类" in weak.content.decode()
    new = "Another-Pass-2026"
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert resp.status_code == 302
    reuse = client.post("/accounts/password/", {"old_password": new, "new_password1": PASSWORD,
                                                "new_password2": PASSWORD})
    assert "不能使用最近5次用过的口令" in reuse.content.decode()
    assert PasswordHistory.objects.filter(user__username="pw").count() == 2
    assert AuditEntry.objects.filter(action="password", object_repr__contains="pw").count() == 1


def test_expired_password_must_be_changed_first(client, make_user, settings) -> None:
    user = make_user("old", "city_staff", password=PASSWORD)
    PasswordHistory.objects.filter(user=user).update(changed_at=timezone.now() - timedelta(days=91))
    _login(client, "old", PASSWORD)
    resp = client.get("/enterprises/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/password/")
    assert "已使用超过90天" in client.get("/accounts/password/").content.decode()
    settings.ZJTX_PASSWORD_MAX_AGE_DAYS = 0
    assert client.get("/enterprises/").status_code == 200


# ------------------------------------------------------------------ audit

def test_audit_is_insert_only_in_the_database(make_user) -> None:
    make_user("someone", "city_staff")
    entry = AuditEntry.objects.order_by("seq").first()
    for sql in (f"UPDATE accounts_auditentry SET username = 'x' WHERE id = {entry.pk}",
                f"DELETE FROM accounts_auditentry WHERE id = {entry.pk}"):
        with pytest.raises(Exception, match="审计日志只允许追加"), connection.cursor() as cur:
            from django.db import transaction

            with transaction.atomic():
                cur.execute(sql)
    assert AuditEntry.objects.filter(pk=entry.pk, username=entry.username).exists()


def test_audit_verify_finds_altered_deleted_and_inserted_entries(make_user) -> None:
    from typer.testing import CliRunner

    from zjtx.cli import app

    for i in range(6):
        make_user(f"chain{i}", "city_staff")
    assert chain.verify().ok and chain.verify().checked == 12
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0 and "审计日志完整" in result.output
    entries = list(AuditEntry.objects.order_by("seq"))
    dbguard.remove(connection)  # what an intruder with database access would do
    try:
        with connection.cursor() as cur:
            cur.execute("UPDATE accounts_auditentry SET object_repr = 'x' WHERE id = %s", [entries[2].pk])
            cur.execute("DELETE FROM accounts_auditentry WHERE id = %s", [entries[5].pk])
        forged = {k: getattr(entries[8], k) for k in chain.HASHED_FIELDS}
        AuditEntry.objects.create(**{**forged, "seq": 100, "object_repr": "伪造", "hash": "0" * 64})
    finally:
        dbguard.install(connection)
    report = chain.verify()
    text = "\n".join(report.problems)
    assert f"序号 {entries[2].seq}（编号 {entries[2].pk}）：内容被修改" in text
    assert f"序号 {entries[5].seq}–{entries[5].seq}：记录缺失" in text
    assert "序号 100" in text and "链尾不符" in text
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "内容被修改" in result.output


def test_deleting_a_user_keeps_its_audit_entries(client, make_user) -> None:
    staff = make_user("leaver", "city_staff")
    client.force_login(staff)
    client.post("/enterprises/new/", {"uscc": uscc(1), "name": "甲公司", "division": XIAOLAN})
    before = list(AuditEntry.objects.filter(username="leaver").values_list("seq", "hash"))
    assert before
    get_user_model().objects.filter(pk=staff.pk).delete()
    after = list(AuditEntry.objects.filter(username="leaver").values_list("seq", "hash"))
    assert after[: len(before)] == before
    assert AuditEntry.objects.filter(action="account", object_repr="删除账号 leaver").exists()
    assert chain.verify().ok


def test_role_changes_are_audited(make_user) -> None:
    user = make_user("promoted", "town_officer", division=XIAOLAN)
    Profile.objects.filter(user=user).first().__class__  # noqa: B018
    profile = user.zjtx_profile
    profile.role = "city_admin"
    profile.division = None
    profile.save()
    entry = AuditEntry.objects.filter(action="role_change", object_id=str(user.pk)).order_by("-seq").first()
    assert entry.before["role"] == "town_officer" and entry.after["role"] == "city_admin"


def test_exports_and_bulk_personal_reads_are_audited(client, make_user) -> None:
    Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, contact_name="张三丰",
                              contact_phone="13812345678")
    Enterprise.objects.create(uscc=uscc(2), name="乙", division_id=GUZHEN)
    client.force_login(make_user("exporter", "city_staff"))
    client.get("/enterprises.csv?division=" + XIAOLAN)
    export = AuditEntry.objects.get(action="export", username="exporter")
    assert export.after["rows"] == 1 and export.after["path"] == f"/enterprises.csv?division={XIAOLAN}"
    bulk = AuditEntry.objects.get(action="bulk_personal", username="exporter")
    assert bulk.after["rows"] == 1
    client.force_login(make_user("masked", "analyst"))
    client.get("/annual.xlsx")
    assert AuditEntry.objects.filter(action="export", username="masked").count() == 1
    assert not AuditEntry.objects.filter(action="bulk_personal", username="masked").exists()
    Enterprise.objects.create(uscc=uscc(3), name="丙", division_id=XIAOLAN, contact_name="王五",
                              contact_phone="13700000000")
    client.get("/enterprises/")  # a list page with several clear contacts is a bulk read too
    client.get("/api/enterprises")
    client.force_login(make_user("exporter2", "city_staff"))
    client.get("/enterprises/")
    client.get("/api/enterprises")
    reads = AuditEntry.objects.filter(action="bulk_personal", username="exporter2").order_by("seq")
    assert [e.after["rows"] for e in reads] == [2, 2] and reads[1].after["path"] == "/api/enterprises"
    client.force_login(make_user("aud", "auditor"))
    client.get("/audit.csv")
    assert AuditEntry.objects.filter(action="export", username="aud", object_repr="导出 审计日志.csv").exists()


# ------------------------------------------------------------------ lost updates and enterprise writes

def test_two_sessions_editing_one_enterprise_do_not_lose_an_update(make_user) -> None:
    Enterprise.objects.create(uscc=uscc(1), name="甲公司", division_id=XIAOLAN)
    first, second = Client(), Client()
    first.force_login(make_user("ed1", "city_staff"))
    second.force_login(make_user("ed2", "city_staff"))
    form1 = first.get(f"/enterprises/{uscc(1)}/edit/").content.decode()
    form2 = second.get(f"/enterprises/{uscc(1)}/edit/").content.decode()
    assert 'name="record_version" value="1"' in form1 and 'name="record_version" value="1"' in form2
    assert first.post(f"/enterprises/{uscc(1)}/edit/", {"uscc": uscc(1), "name": "甲公司（一）", "division": XIAOLAN,
                                                        "record_version": 1}).status_code == 302
    stale = second.post(f"/enterprises/{uscc(1)}/edit/", {"uscc": uscc(1), "name": "甲公司（二）",
                                                          "division": XIAOLAN, "record_version": 1})
    page = stale.content.decode()
    assert stale.status_code == 200 and "保存冲突" in page
    assert "您填写“甲公司（二）”，当前为“甲公司（一）”" in page and "ed1" in page and "第2版" in page
    assert Enterprise.objects.get(uscc=uscc(1)).name == "甲公司（一）"
    # having seen both, the second user saves deliberately (the form now carries version 2)
    assert 'name="record_version" value="2"' in page
    resp = second.post(f"/enterprises/{uscc(1)}/edit/", {"uscc": uscc(1), "name": "甲公司（二）", "division": XIAOLAN,
                                                         "record_version": 2})
    assert resp.status_code == 302 and Enterprise.objects.get(uscc=uscc(1)).version == 3


def test_stale_api_write_gets_a_conflict_with_both_versions(client, make_user) -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
    AnnualReport.objects.create(enterprise=e, year=2024, employees=10)
    client.force_login(make_user("api1", "city_staff"))
    put = lambda body: client.put(f"/api/enterprises/{uscc(1)}/annual/2024", data=json.dumps(body),  # noqa: E731
                                  content_type="application/json")
    missing = put({"employees": 11})
    assert missing.status_code == 428 and "当前为第1版" in missing.json()["detail"]
    assert put({"employees": 11, "version": 1}).status_code == 200
    stale = put({"employees": 12, "version": 1})
    assert stale.status_code == 409
    body = stale.json()
    assert body["yours"] == 1 and body["current"] == 2 and body["who"] == "api1"
    assert {"field": "职工总数", "mine": "12", "current": "11"} in body["rows"]
    assert AnnualReport.objects.get(enterprise=e, year=2024).employees == 11


def test_model_level_check_catches_a_save_between_check_and_write(db) -> None:
    from zjtx.apps.enterprises.versioning import StaleVersion

    Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
    a, b = Enterprise.objects.get(uscc=uscc(1)), Enterprise.objects.get(uscc=uscc(1))
    a.name = "甲一"
    a.save()
    b.name = "甲二"
    with pytest.raises(StaleVersion, match="您基于第1版修改，当前已是第2版"):
        b.save()
    assert Enterprise.objects.get(uscc=uscc(1)).name == "甲一"


def test_enterprise_user_cannot_verify_through_the_api(client, make_user) -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
    client.force_login(make_user("ent", "enterprise_user", enterprise=e))
    for source in ("verified", "tax", "registry", "third_party"):
        resp = client.put(f"/api/enterprises/{uscc(1)}/annual/2024",
                          data=json.dumps({"employees": 5, "source": source}), content_type="application/json")
        assert resp.status_code == 403 and "只能填报自填数据" in resp.json()["detail"]
    assert not AnnualReport.objects.exists()
    ok = client.put(f"/api/enterprises/{uscc(1)}/annual/2024", data=json.dumps({"employees": 5}),
                    content_type="application/json")
    assert ok.status_code == 200 and ok.json()["provenance"] == {"employees": "self"}


# ------------------------------------------------------------------ API errors and bounds, headers

@pytest.mark.parametrize(("url", "error"), [
    ("/api/enterprises?offset=-1", "offset：不能小于0"),
    ("/api/enterprises?offset=99999999999", "offset：不能大于10000000"),
    ("/api/enterprises?limit=0", "limit：不能小于1"),
    ("/api/annual-reports?year=99999", "year（年度）：不能大于2100"),
    ("/api/cultivation/calendar?horizon=99999999999", "horizon：不能大于3650"),
    ("/api/cultivation/calendar?on=0001-01-01", "on：不能小于1990-01-01"),
    ("/api/cultivation/applications?offset=-5", "offset：不能小于0"),
    ("/api/runs?limit=abc", "limit：应为整数"),
])
def test_api_bounds_answer_in_chinese(client, make_user, url: str, error: str) -> None:
    client.force_login(make_user("bounds", "city_admin"))
    resp = client.get(url)
    assert resp.status_code == 422 and resp["Content-Type"].startswith("application/json")
    assert resp.json()["detail"] == "请求参数有误" and error in resp.json()["errors"], resp.json()


def test_api_odd_requests_are_json_not_server_errors(client, make_user) -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
    AnnualReport.objects.create(enterprise=e, year=2024)
    client.force_login(make_user("odd", "city_admin"))
    resp = client.generic("POST", "/api/evaluate", b"--x\r\n", content_type="multipart/form-data")
    assert 400 <= resp.status_code < 500 and resp["Content-Type"].startswith("application/json")
    resp = client.put(f"/api/enterprises/{uscc(1)}/annual/2024", data=json.dumps({"revenue": 1e30, "version": 1}),
                      content_type="application/json")
    assert resp.status_code == 422 and resp.json()["detail"] == "数据校验未通过"
    assert client.delete("/api/enterprises").status_code == 405
    assert client.delete("/api/enterprises").json()["detail"] == "不支持该请求方法"
    assert client.get("/api/no-such-thing").json()["detail"].startswith("未找到：")


def test_security_headers(client, make_user, settings) -> None:
    resp = client.get("/accounts/login/")
    csp = resp["Content-Security-Policy"]
    script = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script.strip() == "script-src 'self'" and "frame-ancestors 'none'" in csp
    assert resp["Referrer-Policy"] == "same-origin" and resp["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in resp
    settings.SECURE_HSTS_SECONDS = 31536000  # ZJTX_HTTPS=1 (served behind TLS)
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    tls = Client()  # middleware reads the settings when the client's handler is built
    assert "Strict-Transport-Security" not in tls.get("/accounts/login/")  # plain HTTP: never
    secure = tls.get("/accounts/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_security_admin_unlocks_an_account_in_the_admin(client, make_user) -> None:
    make_user("locked_out", "city_staff", password=PASSWORD)
    for _ in range(5):
        _login(Client(), "locked_out", "wrong")
    lock = LoginLock.objects.get(kind="user", username="locked_out")
    assert lock.locked_until is not None
    client.force_login(make_user("sec3", "security_admin"))
    resp = client.post("/admin/accounts/loginlock/", {"action": "unlock", "_selected_action": [lock.pk]})
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="unlock", username="sec3", object_id="locked_out").exists()
    assert _login(Client(), "locked_out", PASSWORD).status_code == 302


def test_every_logout_is_audited(client, make_user, settings) -> None:
    make_user("bye", "security_admin", password=PASSWORD)
    _login(client, "bye", PASSWORD)
    client.post("/accounts/logout/")
    _login(client, "bye", PASSWORD)
    client.post("/admin/logout/")
    _login(client, "bye", PASSWORD)
    client.get("/enterprises/")
    session = client.session
    session["zjtx_last_seen"] = session["zjtx_last_seen"] - settings.ZJTX_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    client.get("/enterprises/")
    reasons = [e.after["reason"] for e in AuditEntry.objects.filter(action="logout", username="bye").order_by("seq")]
    assert reasons == ["user", "user", "idle"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_long_data_transaction_does_not_hold_up_logins(make_user) -> None:
    """The data chain's head stays locked while an import-like transaction is open; a login (auth chain)
    completes meanwhile. The writer waits for the login to finish before it commits: if the login had to
    wait for the writer, the writer's wait would run out and the test fail (no timing is measured)."""
    import threading

    from django.db import connections, transaction

    from zjtx.apps.accounts.audit import log

    make_user("during_import", "town_officer", division=XIAOLAN, password=PASSWORD)
    holding, login_done = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def writer() -> None:
        try:
            with transaction.atomic():
                log(AuditEntry.Action.IMPORT, object_repr="长时间导入")  # takes the data head
                holding.set()
                outcome["login_finished_first"] = login_done.wait(60)
        finally:
            connections.close_all()

    t = threading.Thread(target=writer)
    t.start()
    assert holding.wait(60)
    c = Client()
    assert _login(c, "during_import", PASSWORD).status_code == 302
    login_done.set()
    t.join()
    assert outcome == {"login_finished_first": True}
    assert chain.verify().ok


def test_cultivation_form_conflict_shows_both_versions(make_user) -> None:
    from zjtx.apps.cultivation.models import ServiceRequest, ServiceType

    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
    kind = ServiceType.objects.filter(active=True).first()
    r = ServiceRequest.objects.create(enterprise=e, type=kind, subject="融资对接")
    first, second = Client(), Client()
    first.force_login(make_user("svc1", "city_staff"))
    second.force_login(make_user("svc2", "city_staff"))
    url = f"/cultivation/services/{r.pk}/"
    assert 'name="record_version"' in first.get(url).content.decode()
    ok = first.post(url, {"status": "in_progress", "team": "金融专班", "outcome": "", "record_version": 1})
    assert ok.status_code == 302
    stale = second.post(url, {"status": "closed", "team": "", "outcome": "已办结", "record_version": 1})
    page = stale.content.decode()
    assert stale.status_code == 200 and "保存冲突" in page and "svc1" in page
    assert "您填写“已办结”，当前为“（空）”" in page
    r.refresh_from_db()
    assert (r.status, r.team, r.version) == ("in_progress", "金融专班", 2)


def test_reset_2fa_command_removes_the_authenticator_and_is_audited(make_user) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from typer.testing import CliRunner

    from zjtx.cli import app

    user = make_user("lostphone", "city_staff")
    TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    result = CliRunner().invoke(app, ["reset-2fa", "lostphone", "--reason", "手机丢失"])
    assert result.exit_code == 0 and "已删除 lostphone 的 1 个" in result.output
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.filter(action="two_factor", object_id=str(user.pk)).order_by("seq").last()
    assert entry.after == {"devices": 1, "reason": "手机丢失"} and entry.source == "cli"
    assert CliRunner().invoke(app, ["reset-2fa", "nobody"]).exit_code == 2
    assert chain.verify().ok
