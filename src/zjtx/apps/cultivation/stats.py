"""Service statistics (per 镇街 and type) and targets (target vs actual, league tables)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import QuerySet

from zjtx.apps.cultivation.models import ServiceRequest, Target, tier_label
from zjtx.apps.enterprises.models import Division, Title
from zjtx.apps.enterprises.title_status import status_q

DONE = (ServiceRequest.Status.RESOLVED, ServiceRequest.Status.CLOSED)


def service_stats(qs: QuerySet, by: str) -> list[dict[str, Any]]:
    """Counts, open, done and the mean response time (hours) per ``by`` ("division" or "type")."""
    groups: dict[str, list[ServiceRequest]] = defaultdict(list)
    for r in qs.select_related("type", "enterprise__division"):
        key = (r.enterprise.division.name if r.enterprise.division_id else "外地/未填") if by == "division" \
            else r.type.name
        groups[key].append(r)
    out = []
    for key, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        hours = [r.response_hours for r in items if r.response_hours is not None]
        done = [r for r in items if r.status in DONE]
        out.append({"key": key, "total": len(items), "open": len(items) - len(done), "done": len(done),
                    "responded": len(hours),
                    "avg_response_hours": round(sum(hours) / len(hours), 1) if hours else None})
    return out


def actual_day(year: int, today: date | None = None) -> date:
    """The day a year's actual is counted on: 31 December, or today during the year."""
    today = today or date.today()
    end = date(year, 12, 31)
    return min(end, today) if year == today.year else end


def actual_counts(year: int, tier: str, enterprises: QuerySet, today: date | None = None) -> dict[str | None, int]:
    """Enterprises holding a valid ``tier`` title on :func:`actual_day`, per 镇街 code (None: 外地/未填)."""
    day = actual_day(year, today)
    valid = Title.objects.filter(status_q("valid", day), title=tier, enterprise__in=enterprises.values("pk"))
    out: dict[str | None, int] = defaultdict(int)
    for _ent, division in set(valid.values_list("enterprise_id", "enterprise__division_id")):
        out[division] += 1
    return dict(out)


def league(year: int, tier: str, enterprises: QuerySet, today: date | None = None) -> dict[str, Any]:
    """Target vs actual per 镇街 for a year and tier, ranked by completion rate, plus the city row."""
    counts = actual_counts(year, tier, enterprises, today)
    targets = {t.division_id: t for t in Target.objects.filter(year=year, tier=tier)}
    visible = set(enterprises.values_list("division_id", flat=True).distinct())
    rows = []
    for d in Division.objects.filter(valid_to__isnull=True):
        if d.code not in visible and d.code not in targets:
            continue
        t = targets.get(d.code)
        actual = counts.get(d.code, 0)
        rate = round(actual / t.target, 4) if t and t.target else None
        rows.append({"division": d.code, "division_name": d.name, "target": t.target if t else None,
                     "actual": actual, "rate": rate, "gap": (t.target - actual) if t else None})
    rows.sort(key=lambda r: (r["rate"] is None, -(r["rate"] or 0), -r["actual"], r["division"]))
    for i, r in enumerate(rows, start=1):
        r["rank"] = i
    city_t = targets.get(None)
    total = sum(counts.values())
    return {"year": year, "tier": tier, "tier_label": tier_label(tier), "on": actual_day(year, today),
            "city": {"target": city_t.target if city_t else None, "actual": total,
                     "rate": round(total / city_t.target, 4) if city_t and city_t.target else None,
                     "source": city_t.source if city_t else ""},
            "rows": rows}
