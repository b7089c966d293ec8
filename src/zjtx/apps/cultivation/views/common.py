"""Shared helpers of the cultivation pages: role check, enterprise lookup, list rendering and exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zjtx.apps.accounts import scope
from zjtx.apps.enterprises.exports import Column, export_response, requested_format
from zjtx.apps.enterprises.models import Division, Enterprise

PAGE_SIZE = 50

SUBNAV = [
    ("pool", "培育库", "cultivation:pool"),
    ("calendar", "到期与更新日历", "cultivation:calendar"),
    ("designations", "认定信息", "cultivation:designations"),
    ("applications", "申报", "cultivation:applications"),
    ("plans", "一企一策", "cultivation:plans"),
    ("services", "企业服务", "cultivation:services"),
    ("ledger", "奖补台账", "cultivation:ledger"),
    ("targets", "目标考核", "cultivation:targets"),
]


def require_role(request: HttpRequest) -> None:
    if scope.role_of(request.user) is None:
        raise PermissionDenied("当前账号未分配角色")


def enterprise_or_404(request: HttpRequest, uscc: str) -> Enterprise:
    require_role(request)
    ent = scope.scope_enterprises(request.user).filter(uscc=uscc.upper()).select_related("division").first()
    if ent is None:
        raise Http404("企业不存在或不在本账号管辖范围内")
    return ent


def export_urls(request: HttpRequest) -> dict[str, str]:
    out = {}
    for fmt in ("xlsx", "csv", "json"):
        params = request.GET.copy()
        params["format"] = fmt
        params.pop("page", None)
        out[fmt] = f"{request.path}?{params.urlencode()}"
    return out


def divisions_for(request: HttpRequest) -> list[tuple[str, str]]:
    own = scope.user_division_code(request.user)
    qs = Division.objects.filter(valid_to__isnull=True)
    if own:
        qs = qs.filter(code=own)
    return [(d.code, d.name) for d in qs]


def list_page(request: HttpRequest, *, name: str, title: str, columns: Sequence[Column],
              rows: Iterable[dict[str, Any]], basename: str, filters: Sequence[tuple[str, str, Any]] = (),
              fmt: str | None = None, extra: dict[str, Any] | None = None,
              template: str = "cultivation/list.html") -> HttpResponse:
    """A filtered list as HTML (paginated) or, with ``?format=``, as CSV/XLSX/JSON.

    ``filters``: (param, label, options) where options is a list of (value, label) or None (text).
    Rows may carry ``_links`` ({column: url}) used by the HTML table only.
    """
    export = requested_format(request, fmt)
    rows = list(rows)
    if export:
        return export_response(export, basename, columns if export == "json" else readable_columns(columns), rows)
    columns = readable_columns(columns)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    table = [[(_display(row.get(k)), (row.get("_links") or {}).get(k)) for k, _ in columns] for row in page.object_list]
    ctx = {"nav": name, "subnav": SUBNAV, "title": title, "columns": columns, "table": table, "page": page,
           "count": len(rows), "filters": filters, "params": request.GET, "export_urls": export_urls(request)}
    ctx.update(extra or {})
    return render(request, template, ctx)


def readable_columns(columns: Sequence[Column]) -> list[Column]:
    """Pages and spreadsheets show labels, not code columns (``政策代码``…); JSON keeps them."""
    return [c for c in columns if not (c[1].endswith("代码") and c[0] != "uscc")]


def _display(value: Any) -> Any:
    """Dates as 2025年12月1日, times to the minute in local time, numbers without float noise, 是/否."""
    from zjtx.web import present

    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return present.cn_date(local)
    if isinstance(value, date):
        return present.cn_date(value)
    if isinstance(value, bool):
        return present.yes_no(value)
    if isinstance(value, float | Decimal):
        return present.number(value)
    return value


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in pairs]
