"""Browser test: city staff posts a 榜, an enterprise applies (揭榜), staff selects it as solver and
signs the contract with a milestone, the solver submits the milestone and the 联动镇街 officer closes it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connections
from programs_helpers import actors_fixture, enterprise_fixture  # noqa: F401 (fixtures)

from zjtx.apps.cultivation.models import BenefitEntry
from zjtx.apps.programs.models import Milestone, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-browser-pass-2025"


def test_post_a_bang_select_a_solver_close_a_milestone(live_server, make_user, enterprise, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright
    from webtest_helpers import XIAOLAN

    ent = enterprise(31, XIAOLAN, name="中山市浏览器揭榜测试有限公司")
    make_user("pb_staff", "city_staff", password=PASSWORD)
    make_user("pb_ent", "enterprise_user", enterprise=ent, password=PASSWORD)
    make_user("pb_town", "town_officer", division=XIAOLAN, password=PASSWORD)
    closes = (date.today() + timedelta(days=30)).isoformat()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            def login(username: str):
                page = browser.new_context().new_page()
                page.goto(f"{live_server.url}/accounts/login/?next=/programs/projects/")
                page.fill("#id_username", username)
                page.fill("#id_password", PASSWORD)
                page.click("#login")
                expect(page.locator("h1")).to_have_text("揭榜挂帅与重大科技专项")
                return page

            def act(page, action: str, state: str, form: str = "#transition-form", reason: str = "", **fields: str):
                page.check(f"{form} input[name=action][value={action}]")
                for name, value in fields.items():
                    el = page.locator(f"{form} [name={name}]")
                    if el.evaluate("e => e.tagName") == "SELECT":
                        el.select_option(label=value)
                    else:
                        el.fill(value)
                if reason:
                    page.fill(f"{form} textarea[name=reason]", reason)
                page.click(f"{form} button[type=submit]")
                expect(page.locator("ul.messages")).to_contain_text(f"当前状态：{state}")

            # city staff drafts the 榜 with 小榄镇 as 联动镇街 and posts it
            staff = login("pb_staff")
            staff.click("#new-project")
            staff.select_option("#id_kind", "jiebang")
            staff.fill("#id_title", "车规级传感器封装可靠性攻关")
            staff.fill("#id_year", "2025")
            staff.select_option("#id_poster_kind", "bureau")
            staff.select_option("#id_cluster", "electronics")
            staff.fill("#id_goal", "封装可靠性达到车规级AEC-Q100要求")
            staff.fill("#id_city_share_wan", "100")
            staff.fill("#id_town_share_wan", "20")
            staff.select_option("#id_division", XIAOLAN)
            staff.fill("#id_posting_closes", closes)
            staff.click("#save")
            expect(staff.locator("#project-state")).to_have_text("草稿")
            url = staff.url
            act(staff, "post", "张榜征集中")

            # the enterprise applies (揭榜)
            company = login("pb_ent")
            company.goto(url)
            company.click("#apply summary")
            company.fill("#apply-form textarea[name=proposal]", "采用国产封装材料与加速老化验证方案")
            company.fill("#apply-form input[name=requested_amount_wan]", "90")
            company.click("#submit-apply")
            expect(company.locator("ul.messages")).to_contain_text("已提交揭榜申请")
            expect(company.locator("#applications")).to_contain_text("中山市浏览器揭榜测试有限公司")

            # staff closes the call, selects the solver, sets a milestone and signs the contract
            staff.goto(url)
            act(staff, "close_call", "评审中")
            act(staff, "select", "已揭榜（待立项）", application="中山市浏览器揭榜测试有限公司", reason="方案可行，产业化基础好")
            expect(staff.locator("#solver")).to_contain_text("中山市浏览器揭榜测试有限公司")
            staff.click("#add-milestone summary")
            staff.fill("#milestone-form input[name=title]", "完成样品封装与可靠性测试")
            staff.fill("#milestone-form input[name=due_on]", (date.today() + timedelta(days=180)).isoformat())
            staff.fill("#milestone-form input[name=city_amount_wan]", "60")
            staff.fill("#milestone-form input[name=town_amount_wan]", "10")
            staff.click("#save-milestone")
            expect(staff.locator("#milestone-1")).to_contain_text("完成样品封装与可靠性测试")
            act(staff, "approve", "已立项（实施中）", contract_no="中科合〔2025〕18号")

            # the solver submits the milestone; the 联动镇街 officer closes it
            company.goto(url)
            act(company, "submit", "已提交成果", form="#ms-form-1", evidence="样品可靠性测试报告")
            town = login("pb_town")
            town.goto(url)
            act(town, "close", "已完成", form="#ms-form-1")
            expect(town.locator("#milestone-1 .ms-status")).to_have_text("已完成")
            expect(town.locator("table.history")).to_contain_text("签订合同，立项实施")
        finally:
            browser.close()
            connections.close_all()
    proj = Project.objects.get(title="车规级传感器封装可靠性攻关")
    assert proj.state == "contracted" and proj.solver.enterprise == ent and proj.contract_no == "中科合〔2025〕18号"
    m = Milestone.objects.get(project=proj)
    assert m.status == "closed" and m.evidence == "样品可靠性测试报告" and m.city_amount == 600000
    assert set(BenefitEntry.objects.filter(enterprise=ent).values_list("policy", "amount")) == {
        ("zs_jiebang_guashuai", 1000000), ("zs_town_cofund", 200000)}
