"""First contact, as a new user meets the platform: the README's main job (``zjtx demo``, a small
city) serves with the production server; the admin logs in for the first time in Chromium and the
dashboard is populated by the main job's evaluation run; an expired title shows 已过期."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def main_job(tmp_path_factory):
    data = tmp_path_factory.mktemp("first-contact")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"})
    log = (data / "main-job.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "zjtx", "demo", "--scale", "400", "--port", str(port)], cwd=data,
                            env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        until = time.monotonic() + 600
        while time.monotonic() < until:
            assert proc.poll() is None, (data / "main-job.log").read_text()
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=5).read()
                break
            except OSError:
                time.sleep(1)
        else:
            raise AssertionError("the main job did not serve: " + (data / "main-job.log").read_text())
        yield {"base": base, "log": (data / "main-job.log").read_text(), "data": data}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def _qualified(log: str, name: str) -> int:
    row = next(line for line in log.splitlines() if f"│ {name} " in line)
    return int(row.split("│")[2])


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
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("#login")
            expect(page.locator("header nav")).to_contain_text("仪表盘")
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
            page.fill("#id_username", "admin")
            page.fill("#id_password", password)
            page.click("#login")
            page.goto(base + "/titles/")
            page.select_option("select[name=kind]", "high_tech")
            page.select_option("select[name=status]", "expired")
            page.click("form.filters button[type=submit]")
            first = page.locator("table tbody tr").first
            expect(first.locator("td").nth(5)).to_have_text("已过期")
            expires = date.fromisoformat(first.locator("td").nth(4).inner_text())
            assert expires < date.today()
            first.locator("td a").first.click()  # the enterprise's page lists the same title as 已过期
            row = page.locator("h2:has-text('荣誉资质') + table tr", has_text=expires.isoformat()).first
            expect(row).to_contain_text("已过期")
        finally:
            browser.close()
