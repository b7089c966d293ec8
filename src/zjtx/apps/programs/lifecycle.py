"""One small state-machine helper shared by every programme (like ``cultivation.workflow``).

An :class:`Action` names the states it starts from, the state it leads to, WHO may take it (a
predicate on the user and the object, built on ``programs.access``), whether a reason is required,
a precondition ``check`` (returns a Chinese message when the data are out of order) and an ``apply``
hook that writes the consequences. :meth:`Machine.run` refuses with a :class:`LifecycleError`
carrying an HTTP-like status (400 bad input, 403 role, 404 scope, 409 state) and otherwise changes
the state inside one transaction (row locked), writes a :class:`LifecycleLog` and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role
from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.programs.models import LifecycleLog

Who = Callable[[Any, Any], bool]
MACHINES: dict[str, Machine] = {}
Check = Callable[[Any, dict[str, Any]], "str | None"]
Apply = Callable[[Any, Any, dict[str, Any]], None]


class LifecycleError(Exception):
    """A refused action; ``str()`` is the Chinese message shown to the user."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the ``apply`` hook decides (e.g. a follow-up's stage)
    who: Who
    reason_required: bool = False
    check: Check | None = None
    apply: Apply | None = None
    who_text: str = ""


class Machine:
    """The actions of one model's state field; ``visible(user, obj)`` is the scope test."""

    def __init__(self, label: str, model: type, field: str, actions: tuple[Action, ...],
                 visible: Callable[[Any, Any], bool]) -> None:
        self.label, self.model, self.field, self.actions = label, model, field, actions
        self.by_name = {a.name: a for a in actions}
        self.visible = visible
        MACHINES[model._meta.model_name] = self

    def state_label(self, value: str) -> str:
        f = self.model._meta.get_field(self.field)
        return dict(f.choices).get(value, value)

    def available(self, user: Any, obj: Any) -> list[Action]:
        """The actions ``user`` may take on ``obj`` now (state, role and scope; not data checks)."""
        if not _acting_role(user) or not self.visible(user, obj):
            return []
        state = getattr(obj, self.field)
        return [a for a in self.actions if state in a.sources and a.who(user, obj)]

    def run(self, obj: Any, name: str, user: Any, reason: str = "", **data: Any) -> LifecycleLog:
        action = self.by_name.get(name)
        if action is None:
            raise LifecycleError(f"未知操作：{name}")
        if not self.visible(user, obj):
            raise LifecycleError(f"{self.label}不存在或不在本账号管辖范围内", 404)
        state = getattr(obj, self.field)
        if state not in action.sources:
            raise LifecycleError(f"当前状态为“{self.state_label(state)}”，不能执行“{action.label}”", 409)
        if not _acting_role(user) or not action.who(user, obj):
            raise LifecycleError(f"当前账号无权执行“{action.label}”" + (f"（{action.who_text}）" if action.who_text else ""),
                                 403)
        reason = (reason or "").strip()
        if action.reason_required and not reason:
            raise LifecycleError(f"“{action.label}”须填写原因")
        if len(reason) > 500:
            raise LifecycleError("意见/原因过长（最多500字）")
        if action.check is not None:
            problem = action.check(obj, data)
            if problem:
                raise LifecycleError(problem)
        with acting_as(user, source="programs"), transaction.atomic():
            locked = self.model.objects.select_for_update().get(pk=obj.pk)
            if getattr(locked, self.field) != state:
                raise LifecycleError(f"{self.label}状态已被他人更新，请刷新后重试", 409)
            if action.target is not None:
                setattr(locked, self.field, action.target)
            if action.apply is not None:
                action.apply(locked, user, {**data, "reason": reason})
            locked.save()
            log = LifecycleLog.objects.create(
                model=self.model._meta.model_name, object_id=locked.pk, action=action.name, action_label=action.label,
                from_state=state, to_state=getattr(locked, self.field),
                actor=user if getattr(user, "is_authenticated", False) else None,
                actor_name=getattr(user, "username", "") or "", actor_role=scope.role_of(user) or "", reason=reason)
        obj.refresh_from_db()
        return log


def _acting_role(user: Any) -> bool:
    """Auditors and users without a role never act."""
    return scope.role_of(user) not in (None, Role.AUDITOR)


def history(obj: Any) -> list[LifecycleLog]:
    """The moves of ``obj``, each with ``from_label`` / ``to_label`` (the Chinese state names)."""
    machine = MACHINES.get(obj._meta.model_name)
    out = list(LifecycleLog.objects.filter(model=obj._meta.model_name, object_id=obj.pk))
    for h in out:
        h.from_label = machine.state_label(h.from_state) if machine else h.from_state
        h.to_label = machine.state_label(h.to_state) if machine else h.to_state
    return out
