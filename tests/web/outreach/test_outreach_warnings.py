"""Early warnings on a real evaluation run: title criteria no longer met (failing items, citation,
gap plan), expiry, the 高企 income-share conflict, implausible jumps; idempotent passes; closing;
town officers see only their town."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from zjtx.apps.outreach.models import EarlyWarning
from zjtx.apps.outreach.prewarn import run_warnings

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
DAY = dt.date(2025, 10, 20)


def _w(ent, key: str) -> EarlyWarning:
    return EarlyWarning.objects.get(enterprise=ent, key=key)


def test_warnings_pass_finds_each_kind(run, registry) -> None:
    res = run_warnings(DAY, run)
    a, b, c = registry["A"], registry["B"], registry["C"]
    crit = _w(b, "criteria:high_tech")
    assert crit.kind == "criteria" and crit.active and crit.state == "new"
    assert "高新技术企业" in crit.title and "2026-07-31" in crit.title
    assert crit.severity == "high"  # expires within a year: before 复核
    failing = crit.detail["failing"]
    assert failing and all(i["cite"] for i in failing)
    assert any("国科发火〔2016〕32号" in i["cite"] for i in failing)
    assert any("科技人员" in (i["label"] + i["required"]) for i in failing)
    assert not [i["required"] for i in failing if re.search(r"[a-z]+_[a-z]+", i["required"])]  # labels, not ids
    assert not EarlyWarning.objects.filter(enterprise=b, key="criteria:tech_sme").exists()  # 高企 → 科技型 directly
    assert "plan" in crit.detail  # the gap plan to keep the title (an option, or why there is none)
    # 高新收入 3050/5000 = 61%: within 5 points of the 60% floor (high_tech.high_tech_revenue_share)
    assert "已低于" in _w(b, "conflict:rd_intensity").title  # 2.2% against the 5% band
    share = _w(b, "conflict:high_tech_revenue_share")
    assert "61.0%" in share.title and "60.0%" in share.title and "接近" in share.title
    assert share.detail["document"] == "国科发火〔2016〕32号 第十一条(六)"
    assert share.detail["figures"]["占比"] == "61.0%"
    # the 科技型 registration expires 2025-12-31: 72 days ahead → the 90-day level
    exp = EarlyWarning.objects.get(enterprise=b, kind="expiry")
    assert exp.detail["level"] == 90 and exp.detail["days_left"] == 72 and exp.severity == "low"
    jump = _w(c, "jump:2024:revenue")
    assert "10.0倍" in jump.title and jump.detail["figures"]["2023年"] == "300.00万元"
    assert not EarlyWarning.objects.filter(enterprise=a).exists()  # A qualifies and holds nothing
    assert res["found"]["criteria"] >= 1 and len(res["new"]) == EarlyWarning.objects.count()


def test_pass_is_idempotent_and_closes_what_is_gone(run, registry) -> None:
    run_warnings(DAY, run)
    n = EarlyWarning.objects.count()
    again = run_warnings(DAY + dt.timedelta(days=7), run)
    assert again["new"] == [] and EarlyWarning.objects.count() == n
    c = registry["C"]
    rep = c.annual_reports.get(year=2023)
    rep.revenue = Decimal("28000000")
    rep.save()
    third = run_warnings(DAY + dt.timedelta(days=14), run)
    jump = _w(c, "jump:2024:revenue")
    assert not jump.active and jump.state == "resolved" and jump.resolved_at is not None
    assert third["closed"] == 1


def test_expiry_level_moves_to_30_days(run, registry) -> None:
    run_warnings(dt.date(2025, 12, 5), run)
    exp = EarlyWarning.objects.get(enterprise=registry["B"], kind="expiry")
    assert exp.detail["level"] == 30 and exp.severity == "high"


def test_town_officer_sees_only_own_town(client, run, users, registry) -> None:
    run_warnings(DAY, run)
    client.force_login(users["xiaolan"])
    page = client.get("/outreach/warnings/").content.decode()
    assert registry["B"].name not in page  # 古镇镇
    client.force_login(users["guzhen"])
    page = client.get("/outreach/warnings/").content.decode()
    assert registry["B"].name in page and "认定条件不再满足" in page and registry["C"].name not in page
    assert "暂无预警" in client.get("/outreach/warnings/?kind=jump").content.decode()  # C is in 石岐
    client.force_login(users["staff"])
    assert registry["C"].name in client.get("/outreach/warnings/").content.decode()


def test_officer_follows_a_warning(client, run, users, registry) -> None:
    run_warnings(DAY, run)
    w = _w(registry["B"], "criteria:high_tech")
    client.force_login(users["xiaolan"])
    assert client.post(f"/outreach/warnings/{w.pk}/state/", {"state": "acted"}).status_code == 404  # not its town
    client.force_login(users["guzhen"])
    client.post(f"/outreach/warnings/{w.pk}/state/", {"state": "acted"})
    w.refresh_from_db()
    assert w.state == "acted" and w.seen_at is not None and w.acted_at is not None
    resp = client.post(f"/outreach/warnings/{w.pk}/state/", {"state": "seen"}, follow=True)
    w.refresh_from_db()
    assert w.state == "acted" and "只能向前推进" in resp.content.decode()


def test_pass_in_short_transactions_keeps_a_follow_up_made_meanwhile(run, registry, monkeypatch) -> None:
    """Written one warning per transaction, the pass finds the same warnings, repeats harmlessly and never
    overwrites the follow-up an officer recorded between passes."""
    from zjtx.apps.outreach import prewarn
    from zjtx.apps.outreach.models import FollowState

    monkeypatch.setattr(prewarn, "WRITE_CHUNK", 1)
    first = run_warnings(DAY, run)
    assert len(first["new"]) == EarlyWarning.objects.count() > 1
    crit = _w(registry["B"], "criteria:high_tech")
    crit.state, crit.state_note = FollowState.values[1], "已电话联系企业"
    crit.save()
    again = run_warnings(DAY + dt.timedelta(days=7), run)
    assert again["new"] == [] and again["closed"] == 0
    crit.refresh_from_db()
    assert crit.state == FollowState.values[1] and crit.state_note == "已电话联系企业" and crit.active
    assert crit.last_on == DAY + dt.timedelta(days=7)
