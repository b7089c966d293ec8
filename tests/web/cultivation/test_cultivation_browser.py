"""Browser test: one application from draft to approved, each step by the role that owns it."""

from __future__ import annotations

import pytest
from cultivation_helpers import four_tech
from django.db import connections

from zjtx.apps.cultivation.models import Application, AppState, PoolStage
from zjtx.apps.enterprises.models import Title

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-browser-pass-2025"


def test_application_from_draft_to_approved(live_server, make_user, enterprise, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright
    from webtest_helpers import XIAOLAN

    ent = enterprise(21, division=XIAOLAN, name="中山市浏览器申报测试有限公司", **four_tech(40))
    make_user("b_ent", "enterprise_user", enterprise=ent, password=PASSWORD)
    make_user("b_town", "town_officer", division=XIAOLAN, password=PASSWORD)
    make_user("b_staff", "city_staff", password=PASSWORD)
    make_user("b_admin", "city_admin", password=PASSWORD)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            def login(username: str):
                page = browser.new_context().new_page()
                page.goto(f"{live_server.url}/accounts/login/?next=/cultivation/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("#login")
                expect(page.locator("h1")).to_have_text("培育库")
                return page

            def act(page, action: str, state: str, reason: str = "", **fields: str) -> None:
                page.check(f"#transition-form input[name=action][value={action}]")
                if reason:
                    page.fill("#transition-form textarea[name=reason]", reason)
                for name, value in fields.items():
                    page.fill(f"#transition-form input[name={name}]", value)
                page.click("#do-transition")
                expect(page.locator("#app-state")).to_have_text(state)

            # the enterprise drafts and submits
            page = login("b_ent")
            page.goto(f"{live_server.url}/cultivation/enterprises/{ent.uscc}/")
            page.click("text=新建申报")
            page.select_option("#id_tier", "specialized_sme")
            page.fill("#id_year", "2025")
            page.fill("#id_main_product", "高精度光电编码器")
            page.click("#save")
            expect(page.locator("#app-state")).to_have_text("草稿")
            url = page.url
            act(page, "submit", "已提交")
            expect(page.locator("#frozen-evaluation")).to_contain_text("规则版本")
            expect(page.locator("#transition-form")).to_have_count(0)  # nothing more for the enterprise

            # the town officer: accept, return with a reason; the enterprise revises and resubmits
            town = login("b_town")
            town.goto(url)
            act(town, "accept", "镇街初审")
            act(town, "local_return", "已退回", reason="请补充研发费用专项审计报告")
            page.goto(url)
            act(page, "revise", "草稿")
            act(page, "submit", "已提交")
            town.goto(url)
            act(town, "accept", "镇街初审")
            act(town, "local_pass", "市级审核", reason="材料齐全")

            # the city recommends; the administrator records the provincial outcome and the announcement
            staff = login("b_staff")
            staff.goto(url)
            act(staff, "recommend", "省级审核", reason="同意推荐")
            admin = login("b_admin")
            admin.goto(url)
            act(admin, "provincial_pass", "拟认定公示", publicity_until="2025-11-07")
            act(admin, "announce", "已认定", granted_on="2025-12-01", document="粤工信融资函〔2025〕99号",
                certificate_no="GD2025-0001")
            expect(admin.locator("#transitions tbody tr")).to_have_count(10)
            expect(admin.locator("#transitions")).to_contain_text("请补充研发费用专项审计报告")

            admin.goto(f"{live_server.url}/cultivation/designations/")
            expect(admin.locator("#designations-table")).to_contain_text("中山市浏览器申报测试有限公司")
            expect(admin.locator("#designations-table")).to_contain_text("2028年11月30日")
            admin.goto(f"{live_server.url}/cultivation/?tier=specialized_sme")
            expect(admin.locator("#pool-table")).to_contain_text("已认定")
        finally:
            browser.close()
            connections.close_all()
    app = Application.objects.get(enterprise=ent)
    assert app.state == AppState.ANNOUNCED and app.evaluation and app.rule_version
    assert Title.objects.get(enterprise=ent, title="specialized_sme").document == "粤工信融资函〔2025〕99号"
    assert PoolStage.objects.get(enterprise=ent, tier="specialized_sme").stage == "designated"
