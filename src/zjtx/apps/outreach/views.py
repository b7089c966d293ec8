"""政策直达 pages: application windows (calendar, .ics), early warnings (officers' list, scoped),
the enterprise user's inbox and notification settings, what was sent to whom, the follow-through
league table, and 免申即享 batches (eligibility, 意愿确认 with bank details, approval, payment)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.models import Role
from zjtx.apps.enterprises.models import Division
from zjtx.apps.outreach import exempt, follow, windows
from zjtx.apps.outreach.models import (
    Batch,
    BatchItem,
    Delivery,
    EarlyWarning,
    FollowState,
    Notice,
    Preference,
    Topic,
)
from zjtx.policies import catalog

OFFICER_ROLES = {Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER, Role.ANALYST, Role.AUDITOR}
BUREAU_ROLES = {Role.CITY_ADMIN, Role.CITY_STAFF}


def _role(request: HttpRequest) -> str:
    r = scope.role_of(request.user)
    if r is None:
        raise PermissionDenied("当前账号未分配角色")
    return r


def _officer(request: HttpRequest) -> str:
    r = _role(request)
    if r not in OFFICER_ROLES:
        raise PermissionDenied("仅工作人员可查看")
    return r


def _enterprise_user(request: HttpRequest) -> Any:
    if _role(request) != Role.ENTERPRISE_USER:
        raise PermissionDenied("仅企业用户可查看")
    ent = scope.scope_enterprises(request.user).first()
    if ent is None:
        raise PermissionDenied("账号未关联企业")
    return ent


def _on(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("on") or "")
    except ValueError:
        return timezone.localdate()


def _page(request: HttpRequest, qs: Any, per: int = 50) -> Any:
    return Paginator(qs, per).get_page(request.GET.get("page"))


# ------------------------------------------------------------------ home

@login_required
def index(request: HttpRequest) -> HttpResponse:
    role = _role(request)
    if role == Role.ENTERPRISE_USER:
        return redirect("outreach:inbox")
    if role not in OFFICER_ROLES:
        raise PermissionDenied("当前角色无权查看")
    return redirect("outreach:warnings")


# ------------------------------------------------------------------ windows

def _policy_label(pid: str) -> str:
    cat = catalog()
    return cat.name(pid) if pid in cat else pid


@login_required
def calendar(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    _role(request)
    on = _on(request)
    try:
        year = int(request.GET.get("year") or on.year)
    except ValueError:
        year = on.year
    policy = request.GET.get("policy") or ""
    ws = windows.windows(dt.date(year, 1, 1), dt.date(year, 12, 31),
                         {p for p in policy.split(",") if p} or None)
    if fmt == "ics":
        resp = HttpResponse(windows.ics(ws, f"{year}年申报窗口"), content_type="text/calendar; charset=utf-8")
        resp["Content-Disposition"] = f'attachment; filename="windows-{year}.ics"'
        return resp
    years = sorted({w.opens.year for w in windows.all_windows()})
    policies = sorted({w.policy for w in windows.all_windows()}, key=lambda p: catalog().ids.index(p)
                      if p in catalog().ids else 99)
    return render(request, "outreach/calendar.html", {
        "on": on, "year": year, "years": years, "policy": policy,
        "policies": [(p, _policy_label(p)) for p in policies],
        "rows": [(w, _policy_label(w.policy), w.state(on)) for w in ws]})


# ------------------------------------------------------------------ warnings (officers)

def scoped_warnings(user: Any) -> QuerySet:
    return scope.scope_related(user, EarlyWarning.objects.all()).select_related("enterprise", "enterprise__division")


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    _officer(request)
    qs = scoped_warnings(request.user)
    f = {k: request.GET.get(k, "") for k in ("kind", "state", "division", "active", "q")}
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["state"]:
        qs = qs.filter(state=f["state"])
    if f["division"]:
        qs = qs.filter(enterprise__division_id=f["division"])
    if f["active"] != "all":
        qs = qs.filter(active=True)
    if f["q"]:
        qs = qs.filter(Q(enterprise__name__contains=f["q"]) | Q(enterprise__uscc__icontains=f["q"]))
    own = scope.user_division_code(request.user)
    divisions = Division.objects.filter(valid_to__isnull=True)
    if own:
        divisions = divisions.filter(code=own)
    return render(request, "outreach/warnings.html", {
        "page": _page(request, qs), "f": f, "count": qs.count(), "kinds": EarlyWarning.Kind.choices,
        "states": FollowState.choices, "divisions": divisions,
        "can_follow": scope.role_of(request.user) in (Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER)})


@login_required
@require_POST
def warning_state(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request)
    w = get_object_or_404(scoped_warnings(request.user), pk=pk)
    if role not in (Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER, Role.ENTERPRISE_USER):
        raise PermissionDenied("当前角色不能更改跟进状态")
    try:
        follow.advance(w, request.POST.get("state", ""), request.POST.get("note", ""))
        messages.success(request, f"已更新为“{w.get_state_display()}”")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(request.POST.get("next") or "outreach:warnings")


# ------------------------------------------------------------------ notices

def scoped_notices(user: Any) -> QuerySet:
    return scope.scope_related(user, Notice.objects.all()).select_related("enterprise", "enterprise__division")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    ent = _enterprise_user(request)
    pref = Preference.objects.filter(user=request.user).first()
    opted = set(pref.opted_out if pref else [])
    qs = Notice.objects.filter(enterprise=ent).exclude(topic__in=opted)
    warnings_ = EarlyWarning.objects.filter(enterprise=ent, active=True)
    return render(request, "outreach/inbox.html", {
        "e": ent, "page": _page(request, qs, 30), "unread": qs.filter(state=FollowState.NEW).count(),
        "warnings": warnings_})


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request)
    n = get_object_or_404(scoped_notices(request.user), pk=pk)
    if role == Role.ENTERPRISE_USER and n.state == FollowState.NEW:
        follow.advance(n, FollowState.SEEN)
    deliveries = n.deliveries.select_related("user") if role in OFFICER_ROLES else []
    return render(request, "outreach/notice.html", {"n": n, "deliveries": deliveries,
                                                    "is_enterprise": role == Role.ENTERPRISE_USER})


@login_required
@require_POST
def notice_state(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request)
    n = get_object_or_404(scoped_notices(request.user), pk=pk)
    if role not in (Role.CITY_ADMIN, Role.CITY_STAFF, Role.TOWN_OFFICER, Role.ENTERPRISE_USER):
        raise PermissionDenied("当前角色不能更改跟进状态")
    try:
        follow.advance(n, request.POST.get("state", ""), request.POST.get("note", ""))
        messages.success(request, f"已更新为“{n.get_state_display()}”")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("outreach:notice", pk=n.pk)


@login_required
def sent(request: HttpRequest) -> HttpResponse:
    """What was sent to whom (officers, scoped)."""
    _officer(request)
    qs = Delivery.objects.filter(notice__in=scoped_notices(request.user).values("pk")).select_related(
        "notice", "notice__enterprise", "user")
    notices = scoped_notices(request.user)
    topic = request.GET.get("topic", "")
    if topic:
        qs, notices = qs.filter(notice__topic=topic), notices.filter(topic=topic)
    return render(request, "outreach/sent.html", {
        "page": _page(request, qs), "count": qs.count(), "topic": topic, "topics": Topic.choices,
        "notices": _page(request, notices), "notice_count": notices.count()})


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    _enterprise_user(request)
    pref = Preference.objects.filter(user=request.user).first() or Preference(user=request.user)
    errors: list[str] = []
    if request.method == "POST":
        pref.email = request.POST.get("email") == "on"
        pref.opted_out = [t for t, _ in Topic.choices if request.POST.get(f"topic_{t}") != "on"]
        start, end = request.POST.get("quiet_start", ""), request.POST.get("quiet_end", "")
        try:
            pref.quiet_start = dt.time.fromisoformat(start) if start else None
            pref.quiet_end = dt.time.fromisoformat(end) if end else None
        except ValueError:
            errors.append("免打扰时段：请按“时:分”填写，如 21:00")
        if bool(start) != bool(end):
            errors.append("免打扰时段：开始和结束须同时填写或同时留空")
        if not errors:
            pref.save()
            messages.success(request, "通知设置已保存")
            return redirect("outreach:preferences")
    q = windows.setting("quiet_hours", timezone.localdate())
    return render(request, "outreach/preferences.html", {
        "pref": pref, "errors": errors, "default_quiet": f"{q['start']}–{q['end']}",
        "cap": windows.setting("max_emails_per_week", timezone.localdate()),
        "topics": [(t, label, t not in (pref.opted_out or [])) for t, label in Topic.choices]})


# ------------------------------------------------------------------ follow-through

@login_required
def league(request: HttpRequest) -> HttpResponse:
    _officer(request)
    return render(request, "outreach/league.html", {
        "warnings": follow.league(scoped_warnings(request.user)),
        "notices": follow.league(scoped_notices(request.user))})


# ------------------------------------------------------------------ 免申即享

def _bureau(request: HttpRequest) -> None:
    if scope.role_of(request.user) not in BUREAU_ROLES:
        raise PermissionDenied("仅市工业和信息化局工作人员可操作免申即享批次")


@login_required
def batches(request: HttpRequest) -> HttpResponse:
    role = _officer(request)
    if request.method == "POST":
        _bureau(request)
        try:
            year = int(request.POST.get("year") or 0)
            batch = exempt.create_batch(request.POST.get("benefit", ""), year, timezone.localdate(), request.user)
            messages.success(request, f"已生成“{batch.name}”：{batch.items.count()} 家企业")
            return redirect("outreach:batch", pk=batch.pk)
        except (ValidationError, ValueError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    qs = Batch.objects.annotate(n=Count("items"), confirmed=Count("items", filter=Q(
        items__confirmation=BatchItem.Confirmation.CONFIRMED)), paid=Count("items__payment"))
    return render(request, "outreach/batches.html", {
        "batches": qs, "benefits": [(k, b.name) for k, b in exempt.BENEFITS.items()],
        "year": timezone.localdate().year, "can_create": role in BUREAU_ROLES})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = _officer(request)
    b = get_object_or_404(Batch, pk=pk)
    items = scope.scope_related(request.user, b.items.all()).select_related("enterprise", "enterprise__division",
                                                                            "payment")
    return render(request, "outreach/batch.html", {"b": b, "items": items, "can_act": role in BUREAU_ROLES})


@login_required
@require_POST
def batch_approve(request: HttpRequest, pk: int) -> HttpResponse:
    _bureau(request)
    b = get_object_or_404(Batch, pk=pk)
    try:
        exempt.approve(b, request.user)
        messages.success(request, "批次已审批")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("outreach:batch", pk=b.pk)


@login_required
@require_POST
def batch_pay(request: HttpRequest, pk: int) -> HttpResponse:
    _bureau(request)
    b = get_object_or_404(Batch, pk=pk)
    try:
        paid = exempt.pay(b, timezone.localdate(), request.user)
        messages.success(request, f"已兑付 {len(paid)} 家，已记入奖补台账")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("outreach:batch", pk=b.pk)


@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The enterprise's 意愿确认 with bank details (enterprise users only, their own item)."""
    ent = _enterprise_user(request)
    item = BatchItem.objects.filter(pk=pk, enterprise=ent).select_related("batch").first()
    if item is None:
        raise Http404("名单中没有该记录")
    errors: list[str] = []
    if request.method == "POST":
        try:
            exempt.confirm(item, request.user, accept=request.POST.get("decision") == "accept",
                           account_name=request.POST.get("account_name", ""),
                           bank_name=request.POST.get("bank_name", ""),
                           bank_account=request.POST.get("bank_account", ""))
            messages.success(request, "已提交意愿确认")
            return redirect("outreach:confirm", pk=item.pk)
        except ValidationError as exc:
            errors = exc.messages
    return render(request, "outreach/confirm.html", {"item": item, "e": ent, "errors": errors,
                                                     "post": request.POST if request.method == "POST" else {}})
