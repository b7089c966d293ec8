"""Audit trail: who changed what, when, with before/after JSON, grouped by request or import batch.

A context (user, request id, source) is set per request by ``AuditContextMiddleware`` and per
import by the importer; model signals for the audited registry models write one ``AuditEntry``
per create/update/delete inside the same transaction as the change (a rolled-back import leaves
no entries).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from zjtx.apps.accounts.models import AuditEntry


@dataclass(frozen=True)
class AuditContext:
    user: Any
    request_id: str
    source: str


_context: ContextVar[AuditContext | None] = ContextVar("zjtx_audit_context", default=None)


def current_context() -> AuditContext | None:
    return _context.get()


@contextmanager
def audit_context(user: Any, request_id: str | None = None, source: str = "web") -> Iterator[AuditContext]:
    """Attribute every audited change inside the block to ``user`` and one request/batch id."""
    ctx = AuditContext(user=user, request_id=request_id or uuid.uuid4().hex, source=source)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe dict of the concrete field values of ``instance``."""
    data: dict[str, Any] = {}
    for f in instance._meta.concrete_fields:
        data[f.attname] = f.value_from_object(instance)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _uscc_of(instance: models.Model) -> str:
    uscc = getattr(instance, "uscc", None)
    if uscc:
        return str(uscc)
    ent = getattr(instance, "enterprise", None) if hasattr(instance, "enterprise_id") else None
    return str(getattr(ent, "uscc", "") or "")


def log(action: str, *, obj: models.Model | None = None, before: dict | None = None, after: dict | None = None,
        user: Any = None, object_repr: str = "", model: str = "", object_id: str = "", uscc: str = "") -> AuditEntry:
    """Write one audit entry attributed to the current context (or ``user``)."""
    ctx = current_context()
    actor = user if user is not None else (ctx.user if ctx else None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    changed: list[str] = []
    if before is not None and after is not None:
        changed = sorted(k for k in after if before.get(k) != after.get(k) and k != "updated_at")
    return AuditEntry.objects.create(
        user=actor,
        username=(actor.get_username() if actor is not None else (getattr(user, "username", "") or "")),
        request_id=ctx.request_id if ctx else uuid.uuid4().hex,
        source=ctx.source if ctx else "system",
        action=action,
        model=model or (obj._meta.label if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        enterprise_uscc=uscc or (_uscc_of(obj) if obj is not None else ""),
        before=before,
        after=after,
        changed=changed,
    )


def _pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = None
    if instance.pk is not None:
        old = sender._default_manager.filter(pk=instance.pk).first()
        if old is not None:
            before = snapshot(old)
    instance._audit_before = before  # type: ignore[attr-defined]


def _post_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if before is not None and not created:
        if all(before.get(k) == v for k, v in after.items() if k != "updated_at"):
            return  # nothing changed: no entry
        log(AuditEntry.Action.UPDATE, obj=instance, before=before, after=after)
    else:
        log(AuditEntry.Action.CREATE, obj=instance, before=None, after=after)


def _post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    log(AuditEntry.Action.DELETE, obj=instance, before=snapshot(instance), after=None)


def register(*model_classes: type[models.Model]) -> None:
    """Audit every create/update/delete of these models."""
    for cls in model_classes:
        uid = f"zjtx-audit-{cls._meta.label}"
        pre_save.connect(_pre_save, sender=cls, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=cls, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=cls, dispatch_uid=uid + "-del")
