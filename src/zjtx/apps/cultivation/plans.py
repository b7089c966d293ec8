"""一企一策 plans: items from the gap options; re-checked when new annual data arrive.

:func:`recheck_plans` runs from a ``post_save`` signal on ``AnnualReport`` (see ``signals.py``):
every open item whose gap no longer appears is closed as 已达标（自动关闭）, with the reason
recorded (and audited like every change of a plan item).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.cultivation.engine import gap_options
from zjtx.apps.cultivation.models import Plan, PlanItem
from zjtx.apps.enterprises.models import Enterprise

OPEN = (PlanItem.Status.OPEN, PlanItem.Status.IN_PROGRESS)


def create_plan(enterprise: Enterprise, tier: str, user: Any, on: date | None = None,
                due_on: date | None = None, note: str = "") -> Plan:
    """A plan for ``enterprise`` towards ``tier``: one item per gap option as of ``on``."""
    on = on or timezone.localdate()
    found = gap_options(enterprise, tier, on)
    status, options = found.status, found.options
    with acting_as(user), transaction.atomic():
        plan = Plan.objects.create(enterprise=enterprise, tier=tier, on=on, evaluation_status=status, note=note,
                                   created_by=user if getattr(user, "is_authenticated", False) else None,
                                   status=Plan.Status.ACHIEVED if status == "qualified" else Plan.Status.OPEN)
        for opt in options:
            PlanItem.objects.create(plan=plan, key=opt.key[:120], title=opt.title[:300], detail=opt.detail,
                                    gap=opt.data, owner=opt.owner, due_on=due_on)
    return plan


def _recheck_on(plan: Plan, enterprise: Enterprise) -> date:
    """The plan's day, moved to the same day of the year after the newest annual report when later
    (new data for year Y are the last completed year from 1 January Y+1)."""
    latest = enterprise.annual_reports.order_by("-year").values_list("year", flat=True).first()
    if latest is None:
        return plan.on
    try:
        moved = plan.on.replace(year=latest + 1)
    except ValueError:
        moved = plan.on.replace(year=latest + 1, day=28)
    return max(plan.on, moved)


@dataclass
class RecheckResult:
    plans: int = 0
    closed: list[int] = field(default_factory=list)


def recheck_plans(enterprise: Enterprise, on: date | None = None) -> RecheckResult:
    """Re-evaluate the open plans of ``enterprise``; close the items whose gap is closed."""
    result = RecheckResult()
    plans = list(Plan.objects.filter(enterprise=enterprise, status=Plan.Status.OPEN))
    if not plans:
        return result
    now = timezone.now()
    for plan in plans:
        day = on or _recheck_on(plan, enterprise)
        found = gap_options(enterprise, plan.tier, day)
        status, remaining = found.status, {k[:120] for k in found.open_keys}
        result.plans += 1
        with acting_as(None, source="recheck"), transaction.atomic():
            for item in plan.items.filter(status__in=OPEN):
                if item.key in remaining and status != "qualified":
                    continue
                item.status = PlanItem.Status.AUTO_CLOSED
                item.closed_at = now
                item.closed_reason = (f"新数据复核（基准日 {day.isoformat()}）：差距已消除"
                                      + ("，已达到目标梯度" if status == "qualified" else ""))
                item.save()
                result.closed.append(item.pk)
            plan.on = day
            plan.evaluation_status = status
            plan.checked_at = now
            if status == "qualified":
                plan.status = Plan.Status.ACHIEVED
            plan.save()
    return result
