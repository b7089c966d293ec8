"""Policy publicity (宣讲): events per 镇街, coverage n/23, and uptake afterwards.

Lifecycle of an event: 计划中 → 已举办 (date not in the future; the enterprises reached) or →
已取消 (reason). City staff act on every event, a town officer on its own town's events and only
for enterprises it may see.

Uptake (the bureau's evidence that a 宣讲 worked): for the enterprises reached, and as a baseline
for the other enterprises of the same town, the share that (a) started an application
(``cultivation.Application`` created on or after the event) and (b) started to qualify: not
达标 in the latest completed evaluation run before the event, 达标 in the latest completed run
after it, for a policy the event covered (all tier policies when it named none).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.programs import access
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine
from zjtx.apps.programs.models import PublicityEvent, Reach

P = PublicityEvent.Status


def _date(v: Any) -> date | None:
    if v in (None, ""):
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise LifecycleError(f"日期格式错误：{v}（应为YYYY-MM-DD）") from exc


def _visible(user: Any, e: PublicityEvent) -> bool:
    return access.events(user, PublicityEvent.objects.filter(pk=e.pk)).exists()


def _manager(user: Any, e: PublicityEvent) -> bool:
    return access.manages_event(user, e)


def _check_hold(e: PublicityEvent, data: dict[str, Any]) -> str | None:
    on = _date(data.get("held_on")) or e.held_on
    if on is None:
        return "请填写举办日期"
    if on > timezone.localdate():
        return "举办日期不能晚于今天（尚未举办的活动请保持“计划中”）"
    att = data.get("attendees")
    if att not in (None, "") and (not str(att).isdigit()):
        return "参加人数应为非负整数"
    return None


def _apply_hold(e: PublicityEvent, user: Any, data: dict[str, Any]) -> None:
    e.held_on = _date(data.get("held_on")) or e.held_on
    if data.get("attendees") not in (None, ""):
        e.attendees = int(data["attendees"])


EVENT = Machine("宣讲活动", PublicityEvent, "status", (
    Action("hold", "登记已举办", (P.PLANNED,), P.HELD, _manager, check=_check_hold, apply=_apply_hold,
           who_text="限市级或本镇街"),
    Action("cancel", "取消", (P.PLANNED,), P.CANCELLED, _manager, reason_required=True, who_text="限市级或本镇街"),
), _visible)


def create_event(user: Any, *, title: str, division: str, planned_on: date, channel: str = "offline",
                 policies: list[str] | None = None, organiser: str = "", note: str = "") -> PublicityEvent:
    from zjtx.apps.enterprises.models import Division

    r = access.role(user)
    if r not in ("city_admin", "city_staff", "town_officer"):
        raise LifecycleError("当前账号无权登记宣讲活动", 403)
    town = access.own_town(user)
    if town and division != town:
        raise LifecycleError("镇街账号只能登记本镇街的宣讲活动", 403)
    if not Division.objects.filter(code=division, valid_to__isnull=True).exists():
        raise LifecycleError("镇街不存在或已撤销")
    if channel not in PublicityEvent.Channel.values:
        raise LifecycleError("宣讲方式无效")
    if not title.strip():
        raise LifecycleError("请填写宣讲主题")
    known = _policy_ids()
    bad = [p for p in (policies or []) if p not in known]
    if bad:
        raise LifecycleError("未知政策代码：" + "、".join(bad))
    with acting_as(user, source="programs"), transaction.atomic():
        return PublicityEvent.objects.create(title=title[:200], division_id=division, planned_on=planned_on,
                                             channel=channel, policies=list(policies or []), organiser=organiser[:120],
                                             note=note[:300],
                                             created_by=user if getattr(user, "is_authenticated", False) else None)


def _policy_ids() -> set[str]:
    from zjtx.policies import catalog

    return set(catalog().registry)


def add_reach(event: PublicityEvent, user: Any, enterprises: list[Any]) -> int:
    """Record enterprises reached (only enterprises the user may see; events not cancelled)."""
    if not _visible(user, event) or access.role(user) in (None, "auditor") or not _manager(user, event):
        raise LifecycleError("当前账号无权登记该活动的覆盖企业", 403)
    if event.status == P.CANCELLED:
        raise LifecycleError("活动已取消，不能登记覆盖企业", 409)
    allowed = set(access.enterprises(user).filter(pk__in=[e.pk for e in enterprises]).values_list("pk", flat=True))
    outside = [e.name for e in enterprises if e.pk not in allowed]
    if outside:
        raise LifecycleError("企业不在本账号管辖范围内：" + "、".join(outside[:5]), 403)
    n = 0
    with acting_as(user, source="programs"), transaction.atomic():
        for e in enterprises:
            _, created = Reach.objects.get_or_create(event=event, enterprise=e)
            n += int(created)
    return n


# ------------------------------------------------------------------------------------ coverage & uptake

def coverage(qs: Any, as_of: date, since: date | None = None) -> dict[str, Any]:
    """Towns (current 镇街) with at least one event held in [since, as_of] out of all current towns."""
    from zjtx.apps.enterprises.models import Division

    towns = list(Division.objects.filter(valid_to__isnull=True).order_by("code"))
    held = qs.filter(status=P.HELD, held_on__lte=as_of)
    if since is not None:
        held = held.filter(held_on__gte=since)
    first: dict[str, date] = {}
    counts: dict[str, int] = {}
    for div, on in held.values_list("division_id", "held_on"):
        counts[div] = counts.get(div, 0) + 1
        if div not in first or on < first[div]:
            first[div] = on
    rows = [{"code": d.code, "name": d.name, "events": counts.get(d.code, 0), "first_held_on": first.get(d.code),
             "covered": d.code in first} for d in towns]
    return {"covered": sum(1 for r in rows if r["covered"]), "total": len(towns), "rows": rows}


def uptake(event: PublicityEvent, user: Any) -> dict[str, Any]:
    """Applications started and policies newly 达标 after the event, reached vs the town's others."""
    from zjtx.apps.cultivation.models import Application
    from zjtx.apps.enterprises.models import Enterprise

    day = event.held_on or event.planned_on
    reached = set(event.reached.values_list("enterprise_id", flat=True))
    town = set(access.enterprises(user).filter(division_id=event.division_id).values_list("pk", flat=True))
    others = town - reached
    applied = set(Application.objects.filter(enterprise_id__in=reached | others, created_at__date__gte=day)
                  .values_list("enterprise_id", flat=True))
    before, after = runs_around(day)
    newly: set[int] = set()
    if before is not None and after is not None:
        newly = newly_qualified(before, after, reached | others, event.policies or None)
    visible_reached = set(access.enterprises(user).filter(pk__in=reached).values_list("pk", flat=True))

    def rate(group: set[int], hit: set[int]) -> dict[str, Any]:
        n = len(group & hit)
        return {"n": n, "of": len(group), "rate": (n / len(group)) if group else None}

    names = dict(Enterprise.objects.filter(pk__in=visible_reached).values_list("pk", "name"))
    return {
        "since": day, "before_run": before, "after_run": after,
        "reached": {"applied": rate(reached, applied), "qualified": rate(reached, newly)},
        "others": {"applied": rate(others, applied), "qualified": rate(others, newly)},
        "applied_names": sorted(names[i] for i in visible_reached & applied),
        "qualified_names": sorted(names[i] for i in visible_reached & newly),
    }


def runs_around(day: date) -> tuple[Any, Any]:
    """The latest completed city-wide evaluation runs dated before ``day`` and on/after it."""
    from zjtx.apps.evaluations.models import EvaluationRun

    done = EvaluationRun.objects.filter(status=EvaluationRun.Status.DONE, division="", reform__isnull=True)
    before = done.filter(on__lt=day).order_by("-on", "-finished_at", "-id").first()
    after = done.filter(on__gte=day).order_by("-on", "-finished_at", "-id").first()
    return before, after


def newly_qualified(before: Any, after: Any, enterprise_ids: set[int], policies: list[str] | None) -> set[int]:
    from zjtx.apps.evaluations.models import RunResult

    def qualified(run: Any) -> set[tuple[int, str]]:
        qs = RunResult.objects.filter(run=run, status="qualified", item__enterprise_id__in=enterprise_ids)
        if policies:
            qs = qs.filter(policy__in=policies)
        return set(qs.exclude(policy="sme_size").values_list("item__enterprise_id", "policy"))

    return {e for e, _ in qualified(after) - qualified(before)}
