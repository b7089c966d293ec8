"""The notice volume on a city: run the passes over a period as the platform would (weekly by
default, a fresh evaluation run each month) and count notices per enterprise per year and the share
that are actionable (the enterprise can do the named thing now, before its deadline)."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import Count
from django.utils import timezone

from zjtx.apps.enterprises.models import Enterprise
from zjtx.apps.outreach.models import EarlyWarning, Notice


def simulate(start: dt.date, end: dt.date, step_days: int = 7, run_every_days: int = 31,
             progress: Any = None) -> dict[str, Any]:
    """Run warnings + notices passes from ``start`` to ``end`` every ``step_days``; then ``stats``."""
    from zjtx.apps.outreach.notices import run_notices
    from zjtx.apps.outreach.source import ensure_run

    day = start
    passes = []
    while day <= end:
        run = ensure_run(day, max_age_days=run_every_days)
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
        res = run_notices(day, run=run, now=noon)
        passes.append({"on": day.isoformat(), "run": run.pk, "notices": res["notices"]})
        if progress is not None:
            progress(passes[-1])
        day += dt.timedelta(days=step_days)
    return {"passes": len(passes), **stats(start, end)}


def stats(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Notices created from ``start`` to ``end``: per enterprise (scaled to a year), by topic, and the
    actionable share."""
    qs = Notice.objects.filter(created_on__gte=start, created_on__lte=end)
    enterprises = Enterprise.objects.count()
    total = qs.count()
    years = ((end - start).days + 1) / 365
    per = list(qs.values("enterprise_id").annotate(n=Count("id")).values_list("n", flat=True))
    counts = per + [0] * (enterprises - len(per))
    by_topic = {row["topic"]: row for row in qs.values("topic").annotate(n=Count("id"))}
    topic_rows = []
    for t, label in Notice._meta.get_field("topic").choices:
        n = by_topic.get(t, {}).get("n", 0)
        a = qs.filter(topic=t, actionable=True).count()
        topic_rows.append({"topic": t, "label": label, "notices": n, "actionable": a,
                           "share": a / n if n else None})
    actionable = qs.filter(actionable=True).count()
    ordered = sorted(counts)
    return {
        "from": start.isoformat(), "to": end.isoformat(), "enterprises": enterprises, "notices": total,
        "per_enterprise_year": total / enterprises / years if enterprises else 0.0,
        "reached": len(per), "reached_share": len(per) / enterprises if enterprises else 0.0,
        "per_reached_year": total / len(per) / years if per else 0.0,
        "median": statistics.median(counts) if counts else 0,
        "p90": ordered[int(0.9 * (len(ordered) - 1))] if ordered else 0, "max": max(counts) if counts else 0,
        "actionable": actionable, "actionable_share": actionable / total if total else None,
        "by_topic": topic_rows,
        "warnings": dict(EarlyWarning.objects.filter(first_on__gte=start, first_on__lte=end).values_list(
            "kind").annotate(n=Count("id")).values_list("kind", "n")),
    }
