"""E-mail copies of notices through Django's SMTP backend (EMAIL_* settings), with the recipient's
opt-outs, quiet hours and the weekly frequency cap applied; every attempt is a ``Delivery`` row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from zjtx.apps.outreach import windows
from zjtx.apps.outreach.models import Delivery, EarlyWarning, Notice, Preference, Topic


def preference(user: Any) -> Preference:
    pref = Preference.objects.filter(user=user).first()
    return pref or Preference(user=user)


def quiet_window(pref: Preference, day: dt.date) -> tuple[dt.time, dt.time]:
    if pref.quiet_start and pref.quiet_end:
        return pref.quiet_start, pref.quiet_end
    q = windows.setting("quiet_hours", day)
    return dt.time.fromisoformat(str(q["start"])), dt.time.fromisoformat(str(q["end"]))


def in_quiet_hours(pref: Preference, now: dt.datetime) -> bool:
    local = timezone.localtime(now)
    start, end = quiet_window(pref, local.date())
    t = local.time()
    return (start <= t or t < end) if start > end else (start <= t < end)


def render_text(notice: Notice) -> str:
    """The e-mail body: why it was sent (rule, citation, figures) and how to act."""
    why = notice.why or {}
    lines = [f"{notice.enterprise.name}：", "", notice.subject, "", "【为什么收到本通知】"]
    if why.get("reason"):
        lines.append(why["reason"])
    for k, label in (("rule", "依据规则"), ("document", "文件与条款"), ("window_source", "窗口依据")):
        if why.get(k):
            lines.append(f"{label}：{why[k]}")
    for k, v in (why.get("figures") or {}).items():
        lines.append(f"  {k}：{v}")
    lines += ["", "【如何办理】", notice.how or "—"]
    if notice.due_on:
        lines.append(f"办理截止：{notice.due_on:%Y年%m月%d日}")
    if notice.link:
        lines += ["", f"查看详情：{settings.ZJTX_SITE_URL.rstrip('/')}{notice.link}"]
    lines += ["", "本邮件由中山市专精特新梯度培育平台按您的企业数据自动生成；可在平台“通知设置”中退订主题或设置免打扰时段。"]
    return "\n".join(lines)


def _urgent(notice: Notice) -> bool:
    return notice.topic == Topic.WARNING and notice.warning is not None and \
        notice.warning.severity == EarlyWarning.Severity.HIGH


def _capped(user: Any, now: dt.datetime) -> bool:
    cap = int(windows.setting("max_emails_per_week", timezone.localdate(now)))
    sent = Delivery.objects.filter(user=user, channel=Delivery.Channel.EMAIL, status=Delivery.Status.SENT,
                                   at__gt=now - dt.timedelta(days=7)).count()
    return sent >= cap


def send(delivery: Delivery, now: dt.datetime | None = None) -> Delivery:
    """Send one e-mail delivery now (status sent / failed)."""
    now = now or timezone.now()
    n = delivery.notice
    msg = EmailMessage(f"【政策直达】{n.subject}"[:200], render_text(n), settings.DEFAULT_FROM_EMAIL, [delivery.address])
    try:
        msg.send(fail_silently=False)
        delivery.status, delivery.detail = Delivery.Status.SENT, ""
    except Exception as exc:  # the SMTP server's refusal is recorded, the pass goes on
        delivery.status, delivery.detail = Delivery.Status.FAILED, f"{type(exc).__name__}: {exc}"[:300]
    delivery.at = now
    delivery.save()
    return delivery


def deliver(notice: Notice, recipients: list[Any], now: dt.datetime | None = None) -> list[Delivery]:
    """Inbox and e-mail deliveries of ``notice`` to each recipient (an enterprise user)."""
    now = now or timezone.now()
    out = []
    for user in recipients:
        pref = preference(user)
        opted = notice.topic in (pref.opted_out or [])
        inbox = Delivery.Status.OPTED_OUT if opted else Delivery.Status.SENT
        out.append(Delivery.objects.get_or_create(notice=notice, user=user, channel=Delivery.Channel.INBOX,
                                                  defaults={"status": inbox, "at": now})[0])
        if not getattr(settings, "ZJTX_OUTREACH_EMAIL", True) or not pref.email:
            continue
        d, created = Delivery.objects.get_or_create(notice=notice, user=user, channel=Delivery.Channel.EMAIL,
                                                    defaults={"status": Delivery.Status.PENDING, "at": now,
                                                              "address": user.email or ""})
        if not created:
            out.append(d)
            continue
        if opted:
            d.status, d.detail = Delivery.Status.OPTED_OUT, f"已退订“{notice.get_topic_display()}”"
        elif not user.email:
            d.status = Delivery.Status.NO_ADDRESS
        elif not _urgent(notice) and _capped(user, now):
            d.status, d.detail = Delivery.Status.CAPPED, "7天内邮件已达上限，仅发站内信"
        elif in_quiet_hours(pref, now):
            d.status, d.detail = Delivery.Status.PENDING, "免打扰时段，顺延发送"
        else:
            out.append(send(d, now))
            continue
        d.save()
        out.append(d)
    return out


def send_pending(now: dt.datetime | None = None) -> int:
    """Send the e-mails held back by quiet hours whose quiet hours are over. Returns the number sent."""
    now = now or timezone.now()
    sent = 0
    for d in Delivery.objects.filter(channel=Delivery.Channel.EMAIL, status=Delivery.Status.PENDING).select_related(
            "notice", "notice__enterprise", "user"):
        if d.user is None or in_quiet_hours(preference(d.user), now):
            continue
        sent += send(d, now).status == Delivery.Status.SENT
    return sent
