"""Helpers shared by the evaluation pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from zjtx.apps.accounts import scope


def require_role(request: HttpRequest) -> str:
    role = scope.role_of(request.user)
    if role is None:
        raise PermissionDenied("当前账号未分配角色")
    return role


def can_run(user: Any) -> bool:
    """Who may start evaluation runs: city staff (whole register) and town officers (their town)."""
    return scope.role_of(user) in ("city_admin", "city_staff", "town_officer")


def visible_enterprise(request: HttpRequest, uscc: str) -> Any:
    require_role(request)
    ent = scope.scope_enterprises(request.user).filter(uscc=uscc.upper()).select_related("division").first()
    if ent is None:
        raise Http404("企业不存在或不在本账号管辖范围内")
    return ent


def parse_on(value: str | None, default: dt.date | None = None) -> dt.date:
    """An evaluation date from a query parameter (``YYYY-MM-DD``), default today."""
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return default or dt.date.today()


def export_url(request: HttpRequest, fmt: str) -> str:
    params = request.GET.copy()
    params["format"] = fmt
    return f"{request.path}?{params.urlencode()}"
