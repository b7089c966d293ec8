"""Designation status from dates: 有效 / 已过期 / 未生效 / 已撤销.

One rule for every page, filter, export, API and statistic (enterprises ``Title`` and the
cultivation ``Designation`` that extends it): on a day D a title is

* **已撤销** (``revoked``) when it was revoked on or before D (``revoked_on`` ≤ D);
* **未生效** (``pending``) when it is granted after D (``granted_on`` > D);
* **已过期** (``expired``) when its validity ended before D (``expires_on`` < D);
* **有效** (``valid``) otherwise (``granted_on`` ≤ D ≤ ``expires_on``; no expiry = open-ended).

:func:`status_q` gives the same rule as a queryset filter, :func:`annotate_status` as a column.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

__all__ = ["STATUS_CHOICES", "STATUS_LABELS", "annotate_status", "status_of", "status_q"]

STATUS_CHOICES = (("valid", "有效"), ("expired", "已过期"), ("pending", "未生效"), ("revoked", "已撤销"))
STATUS_LABELS = dict(STATUS_CHOICES)


def _day(day: Any) -> date:
    if day is None:
        return timezone.localdate()
    if isinstance(day, str):
        return date.fromisoformat(day)
    return day


def status_of(granted_on: date | None, expires_on: date | None, revoked_on: date | None, day: Any = None) -> str:
    """The status code on ``day`` (default: today in Asia/Shanghai)."""
    d = _day(day)
    if revoked_on is not None and revoked_on <= d:
        return "revoked"
    if granted_on is None or granted_on > d:
        return "pending"
    if expires_on is not None and expires_on < d:
        return "expired"
    return "valid"


def status_q(status: str, day: Any = None, prefix: str = "") -> Q:
    """A filter for titles with ``status`` on ``day`` (``prefix`` e.g. ``"title__"`` from a related model)."""
    d = _day(day)
    p = prefix
    not_revoked = Q(**{f"{p}revoked_on__isnull": True}) | Q(**{f"{p}revoked_on__gt": d})
    if status == "revoked":
        return Q(**{f"{p}revoked_on__lte": d})
    if status == "pending":
        return not_revoked & Q(**{f"{p}granted_on__gt": d})
    if status == "expired":
        return not_revoked & Q(**{f"{p}granted_on__lte": d, f"{p}expires_on__lt": d})
    if status == "valid":
        return not_revoked & Q(**{f"{p}granted_on__lte": d}) & (
            Q(**{f"{p}expires_on__isnull": True}) | Q(**{f"{p}expires_on__gte": d}))
    raise ValueError(f"未知状态 '{status}'（可选：{'、'.join(f'{k} {v}' for k, v in STATUS_CHOICES)}）")


def annotate_status(qs: QuerySet, day: Any = None, prefix: str = "", name: str = "status_code") -> QuerySet:
    """``qs`` with a ``status_code`` column computed in the database by the same rule."""
    whens = [When(status_q(s, day, prefix), then=Value(s)) for s, _ in STATUS_CHOICES]
    return qs.annotate(**{name: Case(*whens, default=Value("valid"), output_field=CharField())})
