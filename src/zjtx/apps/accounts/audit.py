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
    ip: str = ""
    path: str = ""


_context: ContextVar[AuditContext | None] = ContextVar("zjtx_audit_context", default=None)


def current_context() -> AuditContext | None:
    return _context.get()


@contextmanager
def audit_context(user: Any, request_id: str | None = None, source: str = "web",
                  ip: str = "", path: str = "") -> Iterator[AuditContext]:
    """Attribute every audited change inside the block to ``user`` and one request/batch id."""
    ctx = AuditContext(user=user, request_id=request_id or uuid.uuid4().hex, source=source, ip=ip, path=path)
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
        user: Any = None, object_repr: str = "", model: str = "", object_id: str = "", uscc: str = "",
        username: str = "", ip: str = "") -> AuditEntry:
    """Write one chained audit entry attributed to the current context (or ``user``/``username``)."""
    from zjtx.apps.accounts.chain import append

    ctx = current_context()
    actor = user if user is not None else (ctx.user if ctx else None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    changed: list[str] = []
    if before is not None and after is not None:
        changed = sorted(k for k in after if before.get(k) != after.get(k) and k not in ("updated_at", "version"))
    return append(
        user=actor,
        username=(actor.get_username() if actor is not None else (username or getattr(user, "username", "") or ""))[:150],
        ip=(ip or (ctx.ip if ctx else ""))[:45],
        request_id=ctx.request_id if ctx else uuid.uuid4().hex,
        source=ctx.source if ctx else "system",
        action=action,
        model=model or (obj._meta.label if obj is not None else ""),
        object_id=(object_id or (str(obj.pk) if obj is not None else ""))[:64],
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        enterprise_uscc=(uscc or (_uscc_of(obj) if obj is not None else ""))[:18],
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
        if all(before.get(k) == v for k, v in after.items() if k not in ("updated_at", "version")):
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


# ------------------------------------------------------------------ accounts and roles

_USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser", "first_name", "last_name", "email")


def _user_state(user: Any) -> dict[str, Any]:
    return {k: getattr(user, k, None) for k in _USER_FIELDS}


def _user_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    old = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_user_before = _user_state(old) if old is not None else None  # type: ignore[attr-defined]
    instance._audit_password_changed = old is not None and old.password != instance.password  # type: ignore[attr-defined]


def _user_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, "_audit_user_before", None)
    after = _user_state(instance)
    if created:
        from zjtx.apps.accounts.passwords import record

        record(instance)  # accounts created with a password (create_user) start their history
    if created or before is None:
        log(AuditEntry.Action.ACCOUNT, model="auth.User", object_id=str(instance.pk),
            object_repr=f"新建账号 {instance.get_username()}", after=after)
    elif before != after:
        log(AuditEntry.Action.ACCOUNT, model="auth.User", object_id=str(instance.pk),
            object_repr=f"账号 {instance.get_username()}", before=before, after=after)
    if getattr(instance, "_audit_password_changed", False) and not created:
        log(AuditEntry.Action.PASSWORD, model="auth.User", object_id=str(instance.pk),
            object_repr=f"账号 {instance.get_username()} 的口令已修改")


def _user_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    log(AuditEntry.Action.ACCOUNT, model="auth.User", object_id=str(instance.pk),
        object_repr=f"删除账号 {instance.get_username()}", before=_user_state(instance))


def _profile_state(p: Any) -> dict[str, Any]:
    return {"user": p.user.get_username(), "role": p.role, "division": p.division_id, "enterprise": p.enterprise_id}


def _profile_pre_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    old = sender._default_manager.select_related("user").filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_role_before = _profile_state(old) if old is not None else None  # type: ignore[attr-defined]


def _profile_post_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = getattr(instance, "_audit_role_before", None)
    after = _profile_state(instance)
    if before != after:
        log(AuditEntry.Action.ROLE_CHANGE, model="accounts.Profile", object_id=str(instance.user_id),
            object_repr=f"{after['user']} 角色：{instance.get_role_display()}", before=before, after=after)


def _profile_post_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    try:
        state = _profile_state(instance)
    except Exception:  # the user row is already gone (cascade)
        state = {"role": instance.role, "division": instance.division_id, "enterprise": instance.enterprise_id}
    log(AuditEntry.Action.ROLE_CHANGE, model="accounts.Profile", object_id=str(instance.user_id),
        object_repr=f"撤销角色 {instance.get_role_display()}", before=state)


def register_accounts() -> None:
    """Audit every account change (create, activate/deactivate, superuser flag, delete), every
    password change and every role grant, change or removal."""
    from django.contrib.auth import get_user_model

    from zjtx.apps.accounts.models import Profile

    user_model = get_user_model()
    pre_save.connect(_user_pre_save, sender=user_model, dispatch_uid="zjtx-audit-user-pre")
    post_save.connect(_user_post_save, sender=user_model, dispatch_uid="zjtx-audit-user-post")
    post_delete.connect(_user_post_delete, sender=user_model, dispatch_uid="zjtx-audit-user-del")
    pre_save.connect(_profile_pre_save, sender=Profile, dispatch_uid="zjtx-audit-profile-pre")
    post_save.connect(_profile_post_save, sender=Profile, dispatch_uid="zjtx-audit-profile-post")
    post_delete.connect(_profile_post_delete, sender=Profile, dispatch_uid="zjtx-audit-profile-del")
