"""Service requests (政策咨询, 融资对接, 技术转移 …): intake, assignment, status, response time, stats."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation import access
from zjtx.apps.cultivation.forms import ServiceForm, ServiceUpdateForm
from zjtx.apps.cultivation.models import ServiceRequest, ServiceType
from zjtx.apps.cultivation.stats import service_stats
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)

COLUMNS = [("id", "编号"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"), ("type", "服务类型"),
           ("subject", "事项"), ("channel", "来源"), ("status", "状态"), ("assignee", "承办人"), ("team", "承办单位"),
           ("created_at", "提出时间"), ("response_hours", "响应时长（小时）"), ("resolved_at", "办结时间"), ("outcome", "办理结果")]
STAT_COLUMNS = [("key", "分组"), ("total", "需求数"), ("open", "办理中"), ("done", "已办结"), ("responded", "已响应"),
                ("avg_response_hours", "平均响应时长（小时）")]


def _fmt(dt: object) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""  # type: ignore[arg-type]


def _scoped(request: HttpRequest):
    qs = access.visible(request.user, ServiceRequest.objects.all()).select_related("enterprise__division", "type",
                                                                                  "assignee")
    g = request.GET
    for key, field in (("type", "type__code"), ("status", "status"), ("division", "enterprise__division_id"),
                       ("channel", "channel")):
        if g.get(key):
            qs = qs.filter(**{field: g[key]})
    if g.get("q"):
        qs = qs.filter(enterprise__name__icontains=g["q"])
    return qs


@login_required
def service_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = _scoped(request)
    rows = [{"id": r.pk, "uscc": r.enterprise.uscc, "name": r.enterprise.name,
             "division": r.enterprise.division.name if r.enterprise.division_id else "", "type": r.type.name,
             "subject": r.subject, "channel": r.get_channel_display(), "status": r.get_status_display(),
             "assignee": r.assignee.username if r.assignee_id else "", "team": r.team,
             "created_at": _fmt(r.created_at), "response_hours": r.response_hours, "resolved_at": _fmt(r.resolved_at),
             "outcome": r.outcome, "_links": {"id": f"/cultivation/services/{r.pk}/",
                                              "subject": f"/cultivation/services/{r.pk}/"}} for r in qs]
    filters = [("q", "企业名称", None), ("type", "服务类型", [(t.code, t.name) for t in ServiceType.objects.all()]),
               ("status", "状态", list(ServiceRequest.Status.choices)), ("channel", "来源", list(ServiceRequest.Channel.choices)),
               ("division", "镇街", divisions_for(request))]
    return list_page(request, name="services", title="企业服务", columns=COLUMNS, rows=rows, basename="企业服务",
                     filters=filters, fmt=fmt, template="cultivation/services.html",
                     extra={"by_division": service_stats(qs, "division"), "by_type": service_stats(qs, "type")})


@login_required
def service_stats_view(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    by = "type" if request.GET.get("by") == "type" else "division"
    rows = service_stats(_scoped(request), by)
    return list_page(request, name="services", title="企业服务统计（按" + ("服务类型" if by == "type" else "镇街") + "）",
                     columns=STAT_COLUMNS, rows=rows, basename="企业服务统计", fmt=fmt,
                     filters=[("by", "分组", [("division", "按镇街"), ("type", "按服务类型")])])


@login_required
def service_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    own = scope.scope_enterprises(request.user).first() if scope.role_of(request.user) == "enterprise_user" else None
    form = ServiceForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "") or (own.uscc if own else "")})
    if request.method == "POST" and form.is_valid():
        ent = enterprise_or_404(request, form.cleaned_data["uscc"])
        if not access.can_contribute(request.user, ent):
            raise PermissionDenied("无权为该企业登记服务需求")
        r = form.save(commit=False)
        r.enterprise = ent
        r.requested_by = request.user
        r.channel = ServiceRequest.Channel.ENTERPRISE if scope.role_of(request.user) == "enterprise_user" \
            else ServiceRequest.Channel.OFFICER
        r.save()
        messages.success(request, "服务需求已登记")
        return redirect("cultivation:service", pk=r.pk)
    return render(request, "cultivation/form.html", {"nav": "services", "subnav": SUBNAV, "title": "登记服务需求",
                                                     "form": form})


def _get(request: HttpRequest, pk: int) -> ServiceRequest:
    require_role(request)
    r = access.visible(request.user, ServiceRequest.objects.all()).filter(pk=pk).first()
    if r is None:
        raise Http404("服务需求不存在或不在本账号管辖范围内")
    return r


def officers_for(request_obj: ServiceRequest) -> list:
    """Users who may be assigned: city staff, and the town officers of the enterprise's 镇街."""
    from django.db.models import Q

    q = Q(zjtx_profile__role__in=("city_admin", "city_staff"))
    if request_obj.enterprise.division_id:
        q |= Q(zjtx_profile__role="town_officer", zjtx_profile__division_id=request_obj.enterprise.division_id)
    return list(get_user_model().objects.filter(q, is_active=True).order_by("username"))


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = _get(request, pk)
    manage = access.can_manage(request.user, r.enterprise)
    form = ServiceUpdateForm(request.POST or None, instance=r)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("无权办理该服务需求")
        if form.is_valid():
            r = form.save(commit=False)
            assignee = request.POST.get("assignee")
            if assignee:
                r.assignee = next((u for u in officers_for(r) if str(u.pk) == assignee), r.assignee)
                if r.status == ServiceRequest.Status.NEW:
                    r.status = ServiceRequest.Status.ASSIGNED
            if r.first_response_at is None and r.status != ServiceRequest.Status.NEW:
                r.first_response_at = timezone.now()
            if r.status in (ServiceRequest.Status.RESOLVED, ServiceRequest.Status.CLOSED) and r.resolved_at is None:
                r.resolved_at = timezone.now()
            r.save()
            messages.success(request, "已更新")
            return redirect("cultivation:service", pk=r.pk)
    return render(request, "cultivation/service.html", {"nav": "services", "subnav": SUBNAV, "title": r.subject, "r": r,
                                                        "form": form, "manage": manage,
                                                        "officers": officers_for(r) if manage else []})


