"""Follow-through of warnings and notices: new → seen → acted → resolved, and league tables by town."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from zjtx.apps.outreach.models import STATE_ORDER, FollowState

STAMP = {FollowState.SEEN: "seen_at", FollowState.ACTED: "acted_at", FollowState.RESOLVED: "resolved_at"}


def advance(obj: Any, state: str, note: str = "") -> Any:
    """Move a warning or notice forward to ``state`` (never back); later states stamp the earlier ones."""
    if state not in FollowState.values:
        raise ValidationError(f"跟进状态“{state}”无效，可选：新、已查看、已处理、已办结")
    new, old = STATE_ORDER.index(FollowState(state)), STATE_ORDER.index(FollowState(obj.state))
    if new < old:
        raise ValidationError(f"跟进状态只能向前推进：当前为“{obj.get_state_display()}”")
    if new == old and not note:
        return obj
    now = timezone.now()
    for s in STATE_ORDER[1:new + 1]:
        if getattr(obj, STAMP[s]) is None:
            setattr(obj, STAMP[s], now)
    obj.state = state
    if note:
        obj.state_note = note[:300]
    obj.save(update_fields=["state", "seen_at", "acted_at", "resolved_at", "state_note"])
    return obj


def league(qs: QuerySet) -> list[dict[str, Any]]:
    """Per 镇街: how many, how many in each state, and the follow-through rate (acted or resolved)."""
    rows = qs.values("enterprise__division__name").annotate(
        total=Count("id"),
        new=Count("id", filter=Q(state=FollowState.NEW)),
        seen=Count("id", filter=Q(state=FollowState.SEEN)),
        acted=Count("id", filter=Q(state=FollowState.ACTED)),
        resolved=Count("id", filter=Q(state=FollowState.RESOLVED)))
    out = []
    for r in rows:
        done = r["acted"] + r["resolved"]
        out.append({"division": r["enterprise__division__name"] or "未填镇街", "total": r["total"], "new": r["new"],
                    "seen": r["seen"], "acted": r["acted"], "resolved": r["resolved"],
                    "rate": done / r["total"] if r["total"] else 0.0})
    out.sort(key=lambda r: (-r["rate"], -r["total"], r["division"]))
    for i, r in enumerate(out, 1):
        r["rank"] = i
        r["rate_text"] = f"{r['rate'] * 100:.1f}%"
    return out
