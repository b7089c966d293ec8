"""Helpers shared by the evaluation pages."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

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


class Urls:
    """Links of the evaluation pages built by string from one reversed prefix (a list of 50 results
    would otherwise reverse 100 URLs): the same strings ``reverse()`` gives for these patterns
    (``tests/web/evaluations/test_ev_pagecache.py`` compares them)."""

    def __init__(self) -> None:
        self.base = reverse("evaluations:index")  # "/evaluations/" under the current script prefix

    def enterprise(self, uscc: str) -> str:
        return f"{self.base}enterprise/{quote(uscc, safe='')}/"

    def run(self, run_id: int) -> str:
        return f"{self.base}runs/{int(run_id)}/"

    def trace(self, run_id: int, uscc: str, policy: str) -> str:
        return f"{self.base}runs/{int(run_id)}/trace/{quote(uscc, safe='')}/{quote(policy, safe='')}/"
