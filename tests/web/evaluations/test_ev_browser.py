"""Browser tests (Debian chromium via Playwright): self-assessment end to end; the dashboard draws its
charts with the vendored ECharts, shows the database's numbers, and a number leads to its list."""

from __future__ import annotations

import pytest
from django.db import connections
from ev_registry import ON, C

from zjtx.apps.enterprises.models import AnnualReport
from zjtx.apps.evaluations.models import RunResult

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-evaluation-pass-2025"


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login")


def _browser(p):
    return p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_self_assessment_end_to_end(live_server, make_user, registry, monkeypatch, device) -> None:
    """From the first click to the result, as an enterprise alone would: the date input holds an ISO date
    the browser accepts, choosing one tier asks only its fields (grouped by documents, with help), the
    result explains, plans and matches; nothing is stored until 保存; on a phone nothing overflows."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    make_user("sa_ent", "enterprise_user", enterprise=registry["C"], password=PASSWORD)
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            phone = device == "phone"
            page = browser.new_page(viewport=VIEWPORTS[device], is_mobile=phone, has_touch=phone)
            _login(page, live_server.url, "sa_ent")
            page.goto(f"{live_server.url}/evaluations/self-assessment/") if phone else \
                page.click("header nav >> text=自评")
            expect(page.locator("h1")).to_have_text("企业自评")
            # the pre-filled date is valid for the browser's date input (ISO), so the form can be submitted
            assert page.eval_on_selector("#sa-on", "e => e.value !== '' && e.checkValidity()")
            page.fill("#sa-on", "2025-06-30")
            for box in page.locator("input[name=tiers]").all():
                if box.get_attribute("value") != "tech_sme":
                    box.uncheck()
            page.click("#sa-next")
            expect(page.locator("#sa-form")).to_be_visible()
            assert page.input_value("#id_on") == "2025-06-30"
            expect(page.locator("#sa-form legend").first).to_have_text("评价日期与层级")
            expect(page.locator("#sa-form")).to_contain_text("财务报表（利润表、资产负债表）")
            expect(page.locator("#sa-form")).to_contain_text("利润表“营业收入”行")  # help: where to find it
            assert page.locator("#id_market_rank_global").count() == 0  # not asked for 科技型
            for name, value in {"employees_y1": "50", "tech_staff_y1": "12", "revenue_y1": "2000",
                                "rd_expense_tax_y1": "150", "total_cost_y1": "1800", "total_assets_y1": "3000",
                                "ip1": "1", "ip2": "0"}.items():
                page.fill(f"#id_{name}", value)
            for name in ("abnormal_or_dishonest", "major_incident_3y", "restricted_industry"):
                page.select_option(f"#id_{name}", "0")
            if phone:  # one column, nothing wider than the screen
                width = page.evaluate("document.querySelector('#sa-form').scrollWidth")
                assert width <= VIEWPORTS["phone"]["width"], width
            page.click("#sa-evaluate")
            summary = page.locator("#sa-summary")
            expect(summary.locator("tr[data-policy=tech_sme]")).to_contain_text("达标（92分）")
            expect(summary.locator("tr")).to_have_count(2)  # the header and the one chosen tier
            expect(page.locator("#policy-tech_sme table.explain")).to_contain_text("营业收入（上年度） 2,000万元")
            expect(page.locator("#sa-results")).to_contain_text("差距分析")
            expect(page.locator("#sa-results")).to_contain_text("可享受的政策与金额")
            expect(page.locator("#policy-tech_sme details.tech")).not_to_have_attribute("open", "")
            assert AnnualReport.objects.get(enterprise=registry["C"], year=2024).revenue is None  # nothing stored
            expect(page.locator("input[name=save_to]")).to_have_value(C)
            page.click("#sa-save")
            expect(page.locator(".messages")).to_contain_text("已保存到 中山市丙数据信息有限公司 的企业档案")
        finally:
            browser.close()
            connections.close_all()
    rep = AnnualReport.objects.get(enterprise=registry["C"], year=2024)
    assert rep.revenue == 20_000_000 and rep.provenance["revenue"] == "self"


def test_dashboard_charts_numbers_and_click_through(live_server, make_user, registry, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from zjtx.apps.evaluations import services

    staff = make_user("dash_staff", "city_staff", password=PASSWORD)
    run = services.execute_run(services.create_run(staff, ON, name="仪表盘批次").pk)
    qualified = RunResult.objects.filter(run=run, policy="tech_sme", status="qualified").count()
    not_qualified = RunResult.objects.filter(run=run, policy="tech_sme", status="not_qualified").count()
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            _login(page, live_server.url, "dash_staff")
            page.click("header nav >> text=仪表盘")
            expect(page.locator("h1")).to_have_text("梯度培育仪表盘")
            for chart in ("chart-tiers", "chart-reserve", "chart-towns", "chart-clusters", "chart-trends"):
                expect(page.locator(f"#{chart} canvas").first).to_be_attached()
            assert page.evaluate("typeof echarts") == "object"
            assert page.evaluate("document.querySelectorAll('script[src*=\"http\"]').length") == 0  # no CDN
            # the chart holds the database's numbers
            series = page.evaluate("window.zjtxCharts.tiers.getOption().series.map(s => s.data.map(d => d.value))")
            tech = run.policies.index("tech_sme")
            assert series[0][tech] == qualified and series[1][tech] == not_qualified
            row = page.locator("#tier-table tr[data-policy=tech_sme]")
            expect(row.locator("a[data-status=qualified]")).to_have_text(str(qualified))
            expect(row.locator("a[data-status=not_qualified]")).to_have_text(str(not_qualified))
            row.locator("a[data-status=not_qualified]").click()
            expect(page.locator("h1")).to_have_text("评价结果")
            expect(page.locator("#result-count")).to_have_text(f"共 {not_qualified} 条")
            expect(page.locator("#result-table tbody tr")).to_have_count(not_qualified)
            expect(page.locator("#result-table")).to_contain_text("中山市乙光照明有限公司")
            assert not errors, errors
        finally:
            browser.close()
            connections.close_all()
