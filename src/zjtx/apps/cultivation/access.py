"""Who may do what in cultivation — thin rules on top of the ONE scope layer (``accounts.scope``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import QuerySet

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role

CITY = (Role.CITY_ADMIN, Role.CITY_STAFF)
OFFICERS = (Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER)


def visible(user: Any, qs: QuerySet, via: str = "enterprise") -> QuerySet:
    """Rows linked to enterprises the user may see."""
    return scope.scope_related(user, qs, via)


def is_officer(user: Any) -> bool:
    return scope.role_of(user) in OFFICERS


def is_city(user: Any) -> bool:
    return scope.role_of(user) in CITY


def can_manage(user: Any, enterprise: Any) -> bool:
    """Officers (city, or the town officer of its 镇街) manage pool stages, plans and services."""
    return is_officer(user) and scope.can_edit(user, enterprise)


def can_contribute(user: Any, enterprise: Any) -> bool:
    """Anyone who may edit the enterprise (incl. its enterprise user): applications, requests, evidence."""
    return scope.role_of(user) is not None and scope.can_edit(user, enterprise)


def can_ledger(user: Any) -> bool:
    """The benefit ledger and targets are kept by the city."""
    return is_city(user)


@contextmanager
def acting_as(user: Any, source: str = "cultivation") -> Iterator[None]:
    """Attribute audited changes to ``user`` when no request/import context is active (scripts, jobs)."""
    from zjtx.apps.accounts.audit import audit_context, current_context

    if current_context() is not None:
        yield
        return
    with audit_context(user if getattr(user, "is_authenticated", False) else None, source=source):
        yield
