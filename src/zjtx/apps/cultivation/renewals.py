"""Expiry and renewal calendar: alerts 90/60/30 days before an expiry, an annual-update deadline
or a batch window closes, as of a given day; an iCalendar (.ics) feed of the same events."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from zjtx.apps.cultivation.models import (
    TITLE_KIND_LABELS,
    AnnualUpdate,
    BatchWindow,
    PoolStage,
    Stage,
    UpdateDeadline,
    tier_label,
)
from zjtx.apps.enterprises.models import Title

THRESHOLDS = (30, 60, 90)  # days before the event; the smallest that contains it is the alert level


@dataclass(frozen=True)
class Alert:
    kind: str          # expiry / annual_update / batch
    due: date
    days_left: int
    level: int         # 30 / 60 / 90
    title: str         # the event, in Chinese
    uscc: str = ""
    enterprise: str = ""
    division: str = ""
    title_id: int | None = None

    @property
    def kind_label(self) -> str:
        return {"expiry": "到期复核", "annual_update": "年度更新", "batch": "批次申报"}[self.kind]

    def as_row(self) -> dict[str, Any]:
        return {"due": self.due, "days_left": self.days_left, "level": f"{self.level}天内", "kind": self.kind_label,
                "uscc": self.uscc, "enterprise": self.enterprise, "division": self.division, "title": self.title}


COLUMNS = [("due", "日期"), ("days_left", "剩余天数"), ("level", "提醒级别"), ("kind", "类型"),
           ("uscc", "统一社会信用代码"), ("enterprise", "企业名称"), ("division", "所属镇街"), ("title", "事项")]


def level_for(days_left: int) -> int | None:
    """The alert level of an event ``days_left`` days ahead (None: not yet, or past)."""
    if days_left < 0:
        return None
    for t in THRESHOLDS:
        if days_left <= t:
            return t
    return None


def _next_deadline(dl: UpdateDeadline, on: date) -> date:
    day = date(on.year, dl.month, dl.day)
    return day if day >= on else date(on.year + 1, dl.month, dl.day)


def alerts(on: date, titles: QuerySet | None = None, horizon: int = THRESHOLDS[-1],
           include_batches: bool = True, pool: QuerySet | None = None) -> list[Alert]:
    """Every alert due within ``horizon`` days of ``on``, soonest first.

    ``titles`` are the (scoped) ``enterprises.Title`` rows to consider; titles revoked on or before
    ``on`` are skipped. An annual update already recorded for the deadline's year is not
    alerted. Batch windows alert once each (with the number of 培育对象 of their tier in ``pool``).
    """
    out: list[Alert] = []
    titles = Title.objects.all() if titles is None else titles
    titles = titles.select_related("enterprise", "enterprise__division").exclude(revoked_on__lte=on)
    until = on + timedelta(days=horizon)
    for t in titles.filter(expires_on__gte=on, expires_on__lte=until):
        days = (t.expires_on - on).days
        lvl = level_for(days)
        if lvl is None:
            continue
        label = TITLE_KIND_LABELS.get(t.title, t.title)
        what = "入库登记编号到期，需重新评价入库" if t.title == "tech_sme" else "有效期届满，准备复核/重新申报"
        out.append(Alert("expiry", t.expires_on, days, lvl, f"{label}{what}", t.enterprise.uscc, t.enterprise.name,
                         t.enterprise.division.name if t.enterprise.division_id else "", t.pk))
    deadlines = {d.title_kind: d for d in UpdateDeadline.objects.all()}
    if deadlines:
        valid = titles.filter(title__in=list(deadlines)).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
        done = set(AnnualUpdate.objects.filter(title__in=valid.values("pk"), done_on__isnull=False)
                   .values_list("title_id", "year"))
        for t in valid:
            due = _next_deadline(deadlines[t.title], on)
            if t.expires_on is not None and due > t.expires_on or (t.pk, due.year) in done or t.granted_on > due:
                continue
            days = (due - on).days
            lvl = level_for(days)
            if lvl is None or days > horizon:
                continue
            label = TITLE_KIND_LABELS.get(t.title, t.title)
            out.append(Alert("annual_update", due, days, lvl, f"{label}{due.year}年度信息更新截止",
                             t.enterprise.uscc, t.enterprise.name,
                             t.enterprise.division.name if t.enterprise.division_id else "", t.pk))
    if include_batches:
        for w in BatchWindow.objects.filter(closes_on__gte=on, closes_on__lte=until):
            days = (w.closes_on - on).days
            lvl = level_for(days)
            if lvl is None:
                continue
            n = ""
            if pool is not None:
                n = f"（培育对象 {pool.filter(tier=w.tier, stage=Stage.CANDIDATE).count()} 家）"
            opens = f"{w.opens_on:%Y-%m-%d} 起，" if w.opens_on > on else ""
            out.append(Alert("batch", w.closes_on, days, lvl,
                             f"{tier_label(w.tier)}{w.name}申报截止（{opens}{w.closes_on:%Y-%m-%d} 止）{n}"))
    out.sort(key=lambda a: (a.due, a.kind, a.uscc))
    return out


def ics(events: list[Alert], name: str = "培育库到期与申报提醒", stamp: datetime | None = None) -> str:
    """An iCalendar feed: one all-day event per alert, with 90/60/30-day reminders."""
    stamp = stamp or datetime.now(UTC)

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//zjtx//cultivation//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{esc(name)}"]
    for a in events:
        uid = f"{a.kind}-{a.title_id or 'batch'}-{a.due:%Y%m%d}-{zlib.crc32((a.uscc + a.title).encode()):08x}@zjtx"
        summary = f"{a.enterprise}：{a.title}" if a.enterprise else a.title
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{a.due:%Y%m%d}", f"DTEND;VALUE=DATE:{a.due + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{esc(summary)}", f"DESCRIPTION:{esc(a.kind_label + ' ' + a.uscc)}"]
        for d in THRESHOLDS:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{esc(summary)}", f"TRIGGER:-P{d}D",
                      "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    cur = ""
    for ch in line:
        if len((cur + ch).encode()) > (75 if not parts else 74):
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    parts.append(cur)
    return "\r\n ".join(parts)


def pool_stages_for(queryset: QuerySet) -> QuerySet:
    return PoolStage.objects.filter(enterprise__in=queryset.values("pk"))
