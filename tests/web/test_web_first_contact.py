"""First contact, as a new user meets the platform: the README's main job (``zjtx demo``, a small
city) serves with the production server; the admin logs in for the first time in Chromium and the
dashboard is populated by the main job's evaluation run; an expired title shows 已过期.

The main job is the session's ``main_job`` (tests/conftest.py): ``zjtx demo --scale 400 --port …`` in
its own data directory, started once and serving until the session ends (tests/demo/test_demo_command.py
reads its output and reruns the command on a copy of its data)."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


_TOTP: dict[str, int | bytes] = {}


def _totp(key: bytes, step: int) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), as the authenticator app on the officer's phone computes it."""
    import hashlib
    import hmac
    import struct

    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def _next_code() -> str:
    """A code the server accepts once: the current step, or the next one when the current was used."""
    step = max(int(time.time()) // 30, int(_TOTP.get("last", 0)) + 1)
    _TOTP["last"] = step
    return _totp(_TOTP["key"], step)


def _log_in(page, base: str, password: str) -> None:
    """The admin's login: the password printed once, then the second factor the city roles require —
    enrolment on the first login (the secret shown beside the QR code), the code on later ones."""
    import base64

    from playwright.sync_api import expect

    if "/accounts/login/" not in page.url:
        page.goto(base + "/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", password)
    page.click("#login")
    page.wait_for_load_state()
    if "/accounts/2fa/setup/" in page.url or page.locator("#totp-secret").count():
        expect(page.locator("h1")).to_have_text("启用双因素认证")
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        _TOTP["key"] = base64.b32decode(secret + "=" * (-len(secret) % 8))
        page.fill("#id_token", _next_code())
        page.click("#totp-confirm")
    elif page.locator("#id_token").count():
        page.fill("#id_token", _next_code())
        page.locator("form button[type=submit]").click()
    expect(page.locator("header nav")).to_contain_text("仪表盘")


def _qualified(log: str, name: str) -> int:
    row = next(line for line in log.splitlines() if line.split("│")[0].strip() == name)
    return int(row.split("│")[1])


def test_first_login_opens_a_populated_dashboard(main_job, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    log = main_job["log"]
    password = re.search(r"已创建管理员 admin，初始密码（只显示这一次）：(\S+)", log).group(1)
    base = main_job["base"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "/")
            expect(page).to_have_url(re.compile(r"/accounts/login/"))
            _log_in(page, base, password)
            page.click("text=仪表盘")
            expect(page).to_have_url(re.compile(r"/evaluations/dashboard/"))
            expect(page.locator("#no-run")).to_have_count(0)
            today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the platform's day
            expect(page.locator("main")).to_contain_text(f"评价日 {today.year}年{today.month}月{today.day}日")
            for name, policy in (("科技型中小企业", "tech_sme"), ("专精特新中小企业", "specialized_sme"),
                                 ("高新技术企业", "high_tech")):
                cell = page.locator(f'#tier-table tr[data-policy="{policy}"] a[data-status="qualified"]')
                expect(cell).to_have_text(str(_qualified(log, name)))
                assert _qualified(log, name) > 0
            page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
            assert "Traceback" not in page.content()
        finally:
            browser.close()


def test_an_expired_title_shows_expired(main_job) -> None:
    from playwright.sync_api import expect, sync_playwright

    password = re.search(r"已创建管理员 admin，初始密码（只显示这一次）：(\S+)", main_job["log"]).group(1)
    base = main_job["base"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "/accounts/login/")
            _log_in(page, base, password)
            page.goto(base + "/titles/")
            page.select_option("select[name=kind]", "high_tech")
            page.select_option("select[name=status]", "expired")
            page.click("form.filters button[type=submit]")
            first = page.locator("table tbody tr").first
            expect(first.locator("td").nth(5)).to_have_text("已过期")
            shown = first.locator("td").nth(4).inner_text()  # dates as officers write them: 2022年12月1日
            y, m, d = (int(x) for x in re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", shown).groups())
            expires = date(y, m, d)
            assert expires < date.today()
            first.locator("td a").first.click()  # the enterprise's page lists the same title as 已过期
            row = page.locator("h2:has-text('荣誉资质') + table tr", has_text=shown).first
            expect(row).to_contain_text("已过期")
        finally:
            browser.close()


def test_town_officer_and_enterprise_user_see_their_own_scope(main_job) -> None:
    """The demo accounts the main job prints: the town officer lands on the dashboard of the city's run
    counted over their own 镇街 only; the enterprise user sees its own enterprise and nothing else."""
    from playwright.sync_api import expect, sync_playwright

    log = main_job["log"]
    town = re.search(r"镇街工作人员 town（(\S+?)，只看本镇街企业），初始密码：(\S+)", log)
    firm = re.search(r"企业用户 qiye（(\S+?)，只看本企业），初始密码：(\S+)", log)
    assert town and firm, log
    base = main_job["base"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", "town")
            page.fill("#id_password", town.group(2))
            page.click("#login")
            expect(page).to_have_url(re.compile(r"/evaluations/dashboard/"))
            expect(page.locator("#no-run")).to_have_count(0)
            cell = page.locator('#tier-table tr[data-policy="tech_sme"] a[data-status="qualified"]')
            in_town = int(cell.inner_text())
            assert 0 < in_town < _qualified(log, "科技型中小企业")
            page.goto(base + "/enterprises/")
            towns = {t.strip() for t in page.locator("table tbody tr td:nth-child(3)").all_inner_texts()}
            assert towns == {town.group(1)}, towns
            page.context.clear_cookies()

            page.goto(base + "/accounts/login/")
            page.fill("#id_username", "qiye")
            page.fill("#id_password", firm.group(2))
            page.click("#login")
            expect(page).to_have_url(re.compile(r"/enterprises/[0-9A-Z]{18}/$"))  # its own record
            expect(page.locator("h1")).to_contain_text(firm.group(1))
            expect(page.locator("header nav a.active")).to_have_text("本企业")
            page.goto(base + "/enterprises/")  # the list holds that one enterprise only
            expect(page.locator("table tbody tr")).to_have_count(1)
            expect(page.locator("table tbody")).to_contain_text(firm.group(1))
        finally:
            browser.close()
