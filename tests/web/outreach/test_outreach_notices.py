"""Targeted notices: who is told what and why, delivered to a real SMTP server (aiosmtpd on
loopback); idempotent passes; quiet hours, frequency cap, opt-out; status changes; what officers
see of what was sent to whom."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default as email_policy

import pytest
from django.utils import timezone

from zjtx.apps.outreach import mailer
from zjtx.apps.outreach.models import Delivery, Notice, Preference, StatusMark
from zjtx.apps.outreach.notices import run_notices

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 10, 20)  # the 2025 科技型 window (2025-03-01 … 2025-10-31) closes in 11 days


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _body(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email_policy).get_body(preferencelist=("plain",)).get_content()


def test_window_notice_to_a_qualified_enterprise_reaches_the_smtp_server(run, users, registry, smtp) -> None:
    res = run_notices(DAY, run=run, now=_at(DAY, 10))
    a = registry["A"]
    n = Notice.objects.get(enterprise=a, topic="window")
    assert n.policy == "tech_sme" and n.actionable and n.due_on == dt.date(2025, 10, 31)
    assert "2025年10月31日截止" in n.subject
    assert n.why["document"].startswith("国科发政〔2017〕115号") and n.why["figures"]["评价结论"] == "达标"
    assert n.why["figures"]["评价得分"] == "92分"
    assert "待核实" in n.why["window_source"]  # the window's own verification tag travels with it
    assert "申报" in n.how
    # B holds 科技型 via its 高企 title and qualifies: its registration expires 2025-12-31, within a year
    # of the window → told to renew; D is not within a verified option that fits this window
    assert Notice.objects.filter(enterprise=registry["B"], topic="window").count() == 1
    assert not Notice.objects.filter(enterprise=registry["D"], topic="window", actionable=True).exists()
    # the SMTP server got A's e-mail, with why and how
    to_a = [m for m in smtp.messages if "a@example.test" in m[1]]
    assert len(to_a) == 1
    body = _body(to_a[0][2])
    assert "为什么收到本通知" in body and "国科发政〔2017〕115号" in body and "如何办理" in body
    assert "评价得分：92分" in body and "/evaluations/enterprise/" in body
    d = Delivery.objects.get(notice=n, channel="email")
    assert d.status == "sent" and d.address == "a@example.test" and d.user == users["a"]
    assert Delivery.objects.get(notice=n, channel="inbox").status == "sent"
    assert res["notices"] == Notice.objects.count() and res["actionable"] >= 1
    # the same pass again says nothing new and sends nothing
    sent = len(smtp.messages)
    again = run_notices(DAY, run=run, now=_at(DAY, 11))
    assert again["notices"] == 0 and len(smtp.messages) == sent


def test_quiet_hours_hold_mail_until_morning(run, users, registry, smtp) -> None:
    run_notices(DAY, run=run, now=_at(DAY, 22, 30))
    d = Delivery.objects.get(notice__enterprise=registry["A"], notice__topic="window", channel="email")
    assert d.status == "pending" and not [m for m in smtp.messages if "a@example.test" in m[1]]
    assert mailer.send_pending(_at(DAY + dt.timedelta(days=1), 7, 30)) == 0  # still quiet (until 08:00)
    assert mailer.send_pending(_at(DAY + dt.timedelta(days=1), 9)) >= 1
    d.refresh_from_db()
    assert d.status == "sent" and [m for m in smtp.messages if "a@example.test" in m[1]]


def test_opt_out_and_weekly_cap(run, users, registry, smtp) -> None:
    Preference.objects.create(user=users["b"], opted_out=["warning"])
    run_notices(DAY, run=run, now=_at(DAY, 10))
    b_warn = Delivery.objects.filter(notice__enterprise=registry["B"], notice__topic="warning", user=users["b"])
    assert b_warn.exists() and set(b_warn.values_list("status", flat=True)) == {"opted_out"}
    assert not any("预警" in _body(m[2]) for m in smtp.messages if "b@example.test" in m[1])
    # cap: 3 e-mails per user per 7 days (outreach.max_emails_per_week); the 4th goes to the inbox only
    a = registry["A"]
    extra = [Notice.objects.create(enterprise=a, topic="status", key=f"t{i}", subject=f"测试{i}", created_on=DAY)
             for i in range(4)]
    statuses = [mailer.deliver(n, [users["a"]], _at(DAY, 12))[-1].status for n in extra]
    assert statuses.count("capped") >= 1 and statuses[-1] == "capped"
    assert Delivery.objects.filter(user=users["a"], channel="email", status="sent").count() == 3


def test_smtp_failure_is_recorded_not_fatal(run, users, registry, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 8632, 2  # nothing listens
    res = run_notices(DAY, run=run, now=_at(DAY, 10))
    assert res["notices"] >= 1
    d = Delivery.objects.get(notice__enterprise=registry["A"], notice__topic="window", channel="email")
    assert d.status == "failed" and d.detail.startswith("ConnectionRefusedError")


def test_status_change_notice(run, users, registry) -> None:
    from zjtx.apps.evaluations import services

    run_notices(DAY, run=run, now=_at(DAY, 10))
    assert StatusMark.objects.filter(enterprise=registry["A"], policy="tech_sme", status="qualified").exists()
    assert not Notice.objects.filter(topic="status").exists()  # the first pass only records
    for rep in registry["A"].annual_reports.all():
        rep.tech_staff = 0
        rep.save()
    later = services.execute_run(services.create_run(None, DAY, policies=["tech_sme", "high_tech"]).pk)
    run_notices(DAY + dt.timedelta(days=7), run=later, now=_at(DAY, 10))
    n = Notice.objects.get(enterprise=registry["A"], topic="status")
    assert n.subject == "科技型中小企业评价结论由“达标”变为“未达标”"
    assert n.why["figures"]["此前结论"] == "达标" and "115号" in n.why["document"]


def test_inbox_detail_and_officer_views(client, run, users, registry, smtp) -> None:
    run_notices(DAY, run=run, now=_at(DAY, 10))
    n = Notice.objects.get(enterprise=registry["A"], topic="window")
    client.force_login(users["a"])
    page = client.get("/outreach/inbox/").content.decode()
    assert n.subject in page and "未读" in page
    detail = client.get(f"/outreach/notices/{n.pk}/").content.decode()
    assert "为什么收到" in detail and "如何办理" in detail and "国科发政〔2017〕115号" in detail
    n.refresh_from_db()
    assert n.state == "seen" and n.seen_at is not None
    client.post(f"/outreach/notices/{n.pk}/state/", {"state": "acted"})
    n.refresh_from_db()
    assert n.state == "acted"
    b_notice = Notice.objects.filter(enterprise=registry["B"]).first()
    assert client.get(f"/outreach/notices/{b_notice.pk}/").status_code == 404  # another enterprise's
    assert client.get("/outreach/warnings/").status_code == 403
    # officers: what was sent to whom, scoped to their town
    client.force_login(users["xiaolan"])
    sent = client.get("/outreach/sent/").content.decode()
    assert "a@example.test" in sent and "b@example.test" not in sent and "电子邮件" in sent
    client.force_login(users["staff"])
    sent = client.get("/outreach/sent/").content.decode()
    assert "a@example.test" in sent and "b@example.test" in sent
    detail = client.get(f"/outreach/notices/{n.pk}/").content.decode()
    assert "发送记录" in detail and "or_a" in detail


def test_preferences_page(client, users) -> None:
    client.force_login(users["a"])
    resp = client.post("/outreach/preferences/", {"email": "on", "topic_window": "on", "quiet_start": "25:00",
                                                  "quiet_end": "07:00"})
    assert "免打扰时段：请按“时:分”填写" in resp.content.decode() and not Preference.objects.exists()
    client.post("/outreach/preferences/", {"topic_window": "on", "quiet_start": "20:00", "quiet_end": "07:00"})
    p = Preference.objects.get(user=users["a"])
    assert p.email is False and set(p.opted_out) == {"status", "warning", "benefit"}
    assert p.quiet_start == dt.time(20, 0)


def test_no_closing_reminder_after_the_opening_notice_was_acted_on(run, users, registry) -> None:
    from zjtx.apps.outreach import follow

    opens = dt.date(2026, 5, 25)  # the 2026 科技型 window opens 2026-06-01: within the 14-day lead
    run_notices(opens, run=run, now=_at(opens, 10), with_warnings=False)
    n = Notice.objects.get(enterprise=registry["A"], topic="window")
    assert n.key.endswith(":opens") and "2026年06月01日开始受理" in n.subject
    follow.advance(n, "acted")
    closes = dt.date(2026, 8, 20)  # closes 2026-08-31
    run_notices(closes, run=run, now=_at(closes, 10), with_warnings=False)
    assert not Notice.objects.filter(enterprise=registry["A"], key__endswith=":closes").exists()


def test_back_to_back_batches_are_told_once_at_the_first_opening_and_the_last_closing(run, users, registry) -> None:
    from zjtx.apps.outreach.notices import window_events

    # 高企 2026: batches 03-20…05-31, 06-01…07-15, 07-16…08-31
    assert [(w.name, e) for w, e in window_events(dt.date(2026, 5, 20)) if w.policy == "high_tech"] == [
        ("2026年第二批", "opens")]  # 05-31 is not a deadline: the next batch follows the day after
    assert [(w.name, e) for w, e in window_events(dt.date(2026, 8, 20)) if w.policy == "high_tech"] == [
        ("2026年第三批", "closes")]
    # an enterprise already told of this year's programme at an earlier batch is not told again
    a = registry["A"]
    Notice.objects.create(enterprise=a, topic="window", key="window:window.tech_sme@20260115:opens", subject="早一批",
                          created_on=dt.date(2026, 1, 5))
    run_notices(dt.date(2026, 5, 25), run=run, now=_at(dt.date(2026, 5, 25), 10), with_warnings=False)
    assert not Notice.objects.filter(enterprise=a, key="window:window.tech_sme@20260601:opens").exists()
    assert Notice.objects.filter(key="window:window.tech_sme@20260601:opens").exclude(enterprise=a).exists()


def test_pages_speak_chinese(client, run, users, registry) -> None:
    """No None, no raw codes (topic, kind, state, parameter ids) on any outreach page."""
    import re

    from zjtx.apps.outreach import exempt
    from zjtx.apps.outreach.models import BatchItem

    run_notices(DAY, run=run, now=_at(DAY, 10))
    from zjtx.apps.enterprises.models import Title

    Title.objects.create(enterprise=registry["A"], title="little_giant", granted_on=dt.date(2025, 7, 1))
    batch = exempt.create_batch("zs_little_giant_award", 2025, DAY, users["staff"])
    item = BatchItem.objects.get()
    raw = re.compile(r">\s*(None|new|seen|acted|resolved|window|status|warning|benefit|criteria|expiry|conflict|jump|"
                     r"pending|confirmed|sent|capped|opted_out|inbox|email)\s*<|window\.[a-z_]+|outreach\.[a-z_]+|CONFIRMED|MEMORY|\.yaml")
    pages = {"staff": ["/outreach/warnings/", "/outreach/warnings/?active=all", "/outreach/sent/", "/outreach/league/",
                       "/outreach/batches/", f"/outreach/batches/{batch.pk}/", "/outreach/windows/", "/outreach/windows/?year=2025",
                       f"/enterprises/{registry['B'].uscc}/"],
             "a": ["/outreach/inbox/", "/outreach/preferences/", f"/outreach/confirm/{item.pk}/",
                   f"/enterprises/{registry['A'].uscc}/"]}
    for who, urls in pages.items():
        client.force_login(users[who])
        for url in urls:
            resp = client.get(url)
            assert resp.status_code == 200, url
            html = resp.content.decode()
            assert not raw.findall(html), (url, raw.findall(html)[:5])
    for n in Notice.objects.all():
        client.force_login(users["staff"])
        html = client.get(f"/outreach/notices/{n.pk}/").content.decode()
        assert not raw.findall(html), (n.key, raw.findall(html)[:5])
