"""Application windows: dated parameters with citations, the calendar page, the .ics feed, the
enterprise page's panel."""

from __future__ import annotations

import datetime as dt

import pytest

from zjtx.apps.outreach import windows

pytestmark = pytest.mark.django_db


def test_every_window_is_dated_cited_and_tagged() -> None:
    ws = windows.all_windows()
    assert len(ws) >= 15
    for w in ws:
        assert w.opens <= w.closes, w.key
        assert w.source and w.level and w.action, w.key
        assert w.tag in ("CONFIRMED", "CONFIRMED-1", "LETTER", "DERIVED", "MEMORY", "MEMORY-LOW", "OPEN")
    tags = {w.tag for w in ws}
    assert {"MEMORY", "OPEN"} <= tags  # unknown dates are flagged, not passed off as confirmed
    tech_2026 = next(w for w in ws if w.param == "window.tech_sme" and w.opens.year == 2026)
    assert (tech_2026.opens, tech_2026.closes) == (dt.date(2026, 6, 1), dt.date(2026, 8, 31))
    assert tech_2026.source == "工企业函〔2026〕160号" and tech_2026.provisional
    assert tech_2026.state(dt.date(2026, 5, 31)) == "未开始" and tech_2026.state(dt.date(2026, 6, 1)) == "受理中"
    assert tech_2026.state(dt.date(2026, 9, 1)) == "已截止" and tech_2026.days_to(dt.date(2026, 8, 21)) == 10


def test_windows_in_force_follow_parameter_semantics() -> None:
    prm = windows.params_at(dt.date(2026, 7, 1))
    assert prm["window.tech_sme"].valid_to == dt.date(2026, 8, 31)
    assert "window.tech_sme" not in windows.params_at(dt.date(2026, 9, 1))  # closed: nothing in force
    nxt = windows.current_and_next(dt.date(2026, 5, 20), horizon_days=30)
    assert [w.param for w in nxt][:1] == ["window.little_giant"]  # closes 5-25: the soonest event
    assert windows.setting("window_lead_days", dt.date(2026, 1, 1)) == 14


def test_calendar_page_and_ics(client, make_user) -> None:
    client.force_login(make_user("w_staff", "city_staff"))
    page = client.get("/outreach/windows/?year=2026").content.decode()
    assert "申报窗口日历" in page and "工企业函〔2026〕160号" in page and "2026年6月1日 至 2026年8月31日" in page
    assert "待核实" in page and "未定（推定）" in page
    assert "None" not in page and "window.tech_sme" not in page
    resp = client.get("/outreach/windows.ics?year=2026&policy=tech_sme")
    assert resp["Content-Type"].startswith("text/calendar")
    body = resp.content.decode()
    assert body.count("BEGIN:VEVENT") == 1 and "DTSTART;VALUE=DATE:20260601" in body
    assert "DTEND;VALUE=DATE:20260901" in body  # all-day events end the day after
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    full = client.get("/outreach/windows.ics?year=2026").content.decode()
    assert full.count("BEGIN:VEVENT") == len(windows.windows(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))


def test_calendar_needs_login_and_role(client, make_user) -> None:
    assert client.get("/outreach/windows/").status_code == 302
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("w_norole"))
    assert client.get("/outreach/windows/").status_code == 403


def test_enterprise_page_shows_windows_and_warnings(client, make_user, registry) -> None:
    from zjtx.apps.outreach.models import EarlyWarning

    b = registry["B"]
    EarlyWarning.objects.create(enterprise=b, kind="jump", key="jump:2024:revenue", title="2024年营业收入异常，请核实",
                                first_on=dt.date(2025, 7, 1), last_on=dt.date(2025, 7, 1))
    client.force_login(make_user("w_staff2", "city_staff"))
    page = client.get(f"/enterprises/{b.uscc}/").content.decode()
    assert 'id="outreach-windows"' in page and 'id="outreach-warnings"' in page
    assert "2024年营业收入异常，请核实" in page and "数据异常变动" in page
