"""Browser: an enterprise user logs in, sees a targeted notice in the inbox (why and how), marks it
acted, and sees the early warning and the application windows on its enterprise page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-outreach-pass-2025"
DAY = dt.date(2025, 10, 20)


def test_enterprise_user_sees_notice_and_warning(live_server, run, registry, make_user, monkeypatch,
                                                 settings) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from zjtx.apps.outreach.models import Notice
    from zjtx.apps.outreach.notices import run_notices

    settings.ZJTX_OUTREACH_EMAIL = False  # inbox only here; e-mail is tested against the SMTP server
    b = registry["B"]
    make_user("browser_b", "enterprise_user", enterprise=b, password=PASSWORD)
    run_notices(DAY, run=run, now=timezone.make_aware(dt.datetime.combine(DAY, dt.time(10))))
    warning = Notice.objects.filter(enterprise=b, topic="warning", warning__kind="criteria").first()
    assert warning is not None

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/outreach/")
            page.fill("#id_username", "browser_b")
            page.fill("#id_password", PASSWORD)
            page.click("#login")
            expect(page.locator("h1")).to_have_text("站内通知")
            expect(page.locator("#inbox-warnings")).to_contain_text("认定条件不再满足")
            row = page.locator("#inbox-table tr", has_text=warning.subject)
            expect(row).to_contain_text("新")
            row.locator("a").click()
            expect(page.locator("#notice-subject")).to_have_text(warning.subject)
            expect(page.locator("#notice-body")).to_contain_text("为什么收到")
            expect(page.locator("#notice-body")).to_contain_text("国科发火〔2016〕32号")
            expect(page.locator("#notice-body")).to_contain_text("如何办理")
            expect(page.locator("#notice-state")).to_have_text("已查看")
            page.click("#mark-acted")
            expect(page.locator("#notice-state")).to_have_text("已处理")
            page.goto(f"{live_server.url}/enterprises/{b.uscc}/")
            expect(page.locator("#enterprise-warnings")).to_contain_text("持有“高新技术企业”称号，但最新数据已不满足认定条件")
            expect(page.locator("#enterprise-windows")).to_be_visible()
            expect(page.locator("body")).not_to_contain_text("None")
            page.screenshot(path="/tmp/outreach/enterprise_page.png", full_page=True)
        finally:
            browser.close()
    warning.refresh_from_db()
    assert warning.state == "acted"
