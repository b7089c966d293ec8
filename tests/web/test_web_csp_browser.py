"""Browser test (Debian chromium): with the Content-Security-Policy on, no page logs a CSP violation,
the moved scripts still work (language switch, API docs), and an injected inline script never runs."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Zs-csp-browser-2025"
PAGES = ["/accounts/login/", "/enterprises/", "/annual/", "/titles/", "/imports/", "/evaluations/dashboard/",
         "/evaluations/runs/", "/evaluations/briefing/", "/cultivation/", "/api/docs"]


def test_pages_run_under_the_csp_without_violations(live_server, make_user, monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    from zjtx.apps.enterprises.models import Enterprise

    Enterprise.objects.create(uscc="91442000MA0000001X", name="<script>window.pwned=1</script>中山市甲公司",
                              division_id="442000118")
    make_user("csp_admin", "city_admin", password=PASSWORD)
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", "csp_admin")
            page.fill("#id_password", PASSWORD)
            page.click("#login")
            expect(page.locator("h1")).to_have_text("梯度培育仪表盘")  # staff land on the dashboard
            for path in PAGES:
                resp = page.goto(f"{live_server.url}{path}")
                assert resp is not None and resp.status == 200, path
                assert "script-src 'self'" in resp.headers["content-security-policy"], path
            # Swagger UI (vendored static files) still renders under the policy
            expect(page.locator(".swagger-ui .info")).to_contain_text("中山市专精特新梯度培育平台 API")
            # an auto-submitting select (formerly an inline onchange handler) still submits
            page.goto(f"{live_server.url}/evaluations/briefing/")
            page.select_option("select[name=year]", "2022")
            expect(page).to_have_url(f"{live_server.url}/evaluations/briefing/?year=2022")
            assert page.locator("select[name=language]").count() == 0  # Chinese only: no language switch
            assert violations == []  # no page needed anything the policy forbids
            # an inline script smuggled into data is escaped by the templates and could not run anyway
            page.goto(f"{live_server.url}/enterprises/91442000MA0000001X/")
            page.evaluate("""() => { const s = document.createElement('script');
                                     s.textContent = 'window.inlineRan = 1'; document.body.appendChild(s); }""")
            assert page.evaluate("() => [window.pwned, window.inlineRan]") == [None, None]
        finally:
            browser.close()
    assert len(violations) == 1 and "inline script" in violations[0]  # the deliberate one was refused
