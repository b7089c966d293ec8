"""Shared helpers of the programme pages: sub-navigation, lists (the cultivation list helper, so
every list also exports as CSV/XLSX/JSON with the same filters), and lifecycle forms."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation.views.common import divisions_for, export_urls, list_page
from zjtx.apps.enterprises.exports import Column
from zjtx.apps.programs.lifecycle import Action, LifecycleError, Machine

SUBNAV = [
    ("overview", "概览", "programs:overview"),
    ("projects", "揭榜挂帅与重大专项", "programs:projects"),
    ("targets", "招商目标", "programs:targets"),
    ("funnel", "招商进展", "programs:funnel"),
    ("carriers", "孵化载体", "programs:carriers"),
    ("graduates", "毕业企业去向", "programs:graduates"),
    ("platforms", "创新平台", "programs:platforms"),
    ("publicity", "政策宣讲", "programs:publicity"),
    ("coverage", "宣讲覆盖", "programs:coverage"),
    ("awards", "大赛获奖", "programs:awards"),
    ("briefing", "专项简报", "programs:briefing"),
]

__all__ = ["SUBNAV", "action_fields", "ctx", "divisions_for", "export_urls", "list_view", "require_role",
           "run_action"]


def require_role(request: HttpRequest) -> None:
    if scope.role_of(request.user) is None:
        raise PermissionDenied("当前账号未分配角色")


def ctx(nav: str, title: str, **more: Any) -> dict[str, Any]:
    return {"nav": nav, "subnav": SUBNAV, "title": title, **more}


def list_view(request: HttpRequest, *, name: str, title: str, columns: Sequence[Column],
              rows: Iterable[dict[str, Any]], basename: str, filters: Sequence[tuple[str, str, Any]] = (),
              fmt: str | None = None, extra: dict[str, Any] | None = None,
              template: str = "programs/list.html") -> HttpResponse:
    return list_page(request, name=name, title=title, columns=columns, rows=rows, basename=basename,
                     filters=filters, fmt=fmt, template=template, extra={"subnav": SUBNAV, **(extra or {})})


# Extra inputs per action: (field, label, kind) with kind date/text/textarea/number/select:<options key>.
ACTION_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "post": [("posting_opens", "张榜开始", "date"), ("posting_closes", "张榜截止", "date")],
    "reopen": [("posting_closes", "张榜截止", "date")],
    "select": [("application", "揭榜方", "select:applications")],
    "approve": [("contract_no", "合同/立项文号", "text"), ("approved_on", "立项日期", "date")],
    "accept": [("outcome", "验收结论与成果", "textarea"), ("accepted_on", "验收日期", "date")],
    "reject": [("accepted_on", "验收日期", "date")],
    "submit": [("evidence", "成果材料", "text"), ("on", "日期", "date")],
    "close": [("on", "日期", "date")],
    "target": [("team", "招商小组", "select:teams"), ("on", "日期", "date")],
    "assign": [("team", "招商小组", "select:teams"), ("town", "承接镇街", "select:towns")],
    "follow": [("kind", "跟进类型", "select:followup_kinds"), ("on", "日期", "date"), ("note", "情况", "text")],
    "certify": [("certified_on", "认定日期", "date"), ("document", "认定文号", "text")],
    "graduate": [("on", "日期", "date")],
    "leave": [("on", "日期", "date")],
    "hold": [("held_on", "举办日期", "date"), ("attendees", "参加人数", "number")],
    "grant": [("amount_wan", "批复金额（万元，空则按赛事政策）", "number"), ("document", "批复文件", "text")],
    "pay": [("on", "兑现日期", "date")],
}


def action_fields(actions: Sequence[Action], options: dict[str, list[tuple[str, str]]] | None = None
                  ) -> list[dict[str, Any]]:
    """The inputs the available actions need, each once (label names the actions using it)."""
    seen: dict[str, dict[str, Any]] = {}
    for a in actions:
        for name, label, kind in ACTION_FIELDS.get(a.name, []):
            if name in seen:
                seen[name]["for"].append(a.label)
                continue
            f: dict[str, Any] = {"name": name, "label": label, "kind": kind.split(":")[0], "for": [a.label]}
            if kind.startswith("select:"):
                f["options"] = (options or {}).get(kind.split(":", 1)[1], [])
            seen[name] = f
    return list(seen.values())


def run_action(request: HttpRequest, machine: Machine, obj: Any, back: str) -> HttpResponse:
    """POST a lifecycle action; refusals come back as a Chinese message (403/404 as errors pages)."""
    data = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "action", "reason")}
    for key in [k for k in data if k.endswith("_wan")]:  # forms take 万元; the lifecycle stores 元
        raw = data.pop(key)
        try:
            data[key.removesuffix("_wan")] = str(Decimal(str(raw)) * 10000) if str(raw).strip() else ""
        except InvalidOperation:
            messages.error(request, f"金额格式错误：{raw}")
            return redirect(back)
    try:
        log = machine.run(obj, request.POST.get("action", ""), request.user, request.POST.get("reason", ""), **data)
    except LifecycleError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc)) from exc
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{log.action_label}，当前状态：{machine.state_label(log.to_state)}")
    return redirect(back)


def refuse(request: HttpRequest, exc: LifecycleError) -> None:
    """Turn a refused creation into the right response (403/404) or a message."""
    if exc.status == 403:
        raise PermissionDenied(str(exc)) from exc
    if exc.status == 404:
        raise Http404(str(exc)) from exc
    messages.error(request, str(exc))


def choices(pairs: Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in pairs]


def yuan(v: Any) -> str:
    if v in (None, ""):
        return ""
    return f"{float(v) / 10000:,.2f}"
