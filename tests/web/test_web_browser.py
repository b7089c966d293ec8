"""Browser test: log in, download the template, import a file with an error, see the preview, fix, confirm."""

from __future__ import annotations

import io

import pytest
from django.db import connections
from openpyxl import load_workbook
from webtest_helpers import bad_check, row, uscc

from zjtx.apps.enterprises.models import AnnualReport, Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-browser-pass-2025"


def _fill(template: bytes, rows: list[list]) -> bytes:
    wb = load_workbook(io.BytesIO(template))
    ws = wb["企业年报"]
    for i, values in enumerate(rows, start=3):
        for j, v in enumerate(values, start=1):
            ws.cell(row=i, column=j, value=v)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_with_error_then_fixed(live_server, make_user, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    make_user("browser_staff", "city_staff", password=PASSWORD)
    good = row(uscc=uscc(11), name="中山市浏览器测试科技有限公司", division="小榄镇", industry="C3919 其他计算机制造",
               year=2024, employees=66, revenue=12_000_000)
    wrong = row(uscc=bad_check(uscc(12)), name="中山市校验位错误有限公司", division="古镇镇", year=2024, employees=5)
    fixed = row(uscc=uscc(12), name="中山市校验位错误有限公司", division="古镇镇", year=2024, employees=5)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(f"{live_server.url}/enterprises/")
            expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/enterprises/")
            page.fill("#id_username", "browser_staff")
            page.fill("#id_password", PASSWORD)
            page.click("#login")
            expect(page.locator("h1")).to_have_text("企业库")
            expect(page.locator("header nav")).to_contain_text("导入")

            page.click("header nav >> text=导入")
            with page.expect_download() as dl:
                page.click("text=下载导入模板（.xlsx）")
            template = (tmp_path / "template.xlsx")
            dl.value.save_as(template)

            bad_file = tmp_path / "第一次.xlsx"
            bad_file.write_bytes(_fill(template.read_bytes(), [good, wrong]))
            page.set_input_files("input[name=file]", str(bad_file))
            page.click("#upload")
            errors = page.locator("#import-errors li")
            expect(errors).to_have_count(1)
            expect(errors.first).to_have_text("第4行 统一社会信用代码：校验位错误")
            expect(page.locator("#confirm")).to_have_count(0)
            assert Enterprise.objects.count() == 0

            page.click("a.button:has-text('重新上传')")
            good_file = tmp_path / "第二次.xlsx"
            good_file.write_bytes(_fill(template.read_bytes(), [good, fixed]))
            page.set_input_files("input[name=file]", str(good_file))
            page.click("#upload")
            expect(page.locator("#job-status")).to_have_text("待确认")
            expect(page.locator("#job-summary")).to_contain_text("新增企业 2 家")
            assert Enterprise.objects.count() == 0  # nothing written before confirmation
            page.click("#confirm")
            expect(page.locator("#job-status")).to_have_text("已完成")
            expect(page.locator(".messages")).to_contain_text("导入完成")

            page.click("header nav >> text=企业库")
            table = page.locator("#enterprise-table")
            expect(table).to_contain_text("中山市浏览器测试科技有限公司")
            expect(table).to_contain_text("中山市校验位错误有限公司")
        finally:
            browser.close()
            # ORM calls inside Playwright's greenlet use their own connection: close it here
            connections.close_all()
    assert Enterprise.objects.count() == 2
    assert AnnualReport.objects.get(enterprise__uscc=uscc(11)).employees == 66
