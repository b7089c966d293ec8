"""Application pages: list, new, detail with the allowed transitions, the 推荐汇总表 export."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.cultivation import access, workflow
from zjtx.apps.cultivation.forms import ApplicationForm, TransitionForm
from zjtx.apps.cultivation.models import TIER_CHOICES, Application, AppState
from zjtx.apps.cultivation.summary import sheet_title, summary_xlsx
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    choices,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)

COLUMNS = [("id", "编号"), ("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"),
           ("tier", "申报梯度"), ("year", "年度"), ("batch", "批次"), ("state", "状态"), ("frozen", "提交时评价"),
           ("score", "评价得分"), ("rule_version", "规则版本"), ("submitted_at", "提交时间"), ("updated_at", "最近更新")]
SUMMARY_STATES = (AppState.CITY_REVIEW, AppState.PROVINCIAL_REVIEW, AppState.MINISTRY_REVIEW, AppState.PUBLICITY,
                  AppState.ANNOUNCED)


def filter_applications(qs: QuerySet, params: object) -> QuerySet:
    """Filters: ``q``, ``tier``, ``state``, ``year``, ``batch``, ``division``."""
    get = params.get  # type: ignore[attr-defined]
    q = (get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q.upper()))
    for key in ("tier", "state", "batch"):
        if get(key):
            qs = qs.filter(**{key: get(key)})
    if str(get("year") or "").isdigit():
        qs = qs.filter(year=int(get("year")))
    if get("division"):
        qs = qs.filter(enterprise__division_id=get("division"))
    return qs


def scoped(request: HttpRequest) -> QuerySet:
    return access.visible(request.user, Application.objects.all()).select_related("enterprise__division")


@login_required
def application_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = filter_applications(scoped(request), request.GET)
    rows = [{"id": a.pk, "uscc": a.enterprise.uscc, "name": a.enterprise.name,
             "division": a.enterprise.division.name if a.enterprise.division_id else "", "tier": a.get_tier_display(),
             "year": a.year, "batch": a.batch, "state": a.get_state_display(), "frozen": a.frozen_status,
             "score": a.dev_score, "rule_version": a.rule_version,
             "submitted_at": timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
             "updated_at": timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M"),
             "_links": {"id": f"/cultivation/applications/{a.pk}/", "name": f"/cultivation/applications/{a.pk}/"}}
            for a in qs]
    filters = [("q", "关键词", None), ("tier", "申报梯度", choices(TIER_CHOICES)), ("state", "状态", choices(AppState.choices)),
               ("year", "年度", None), ("batch", "批次", None), ("division", "镇街", divisions_for(request))]
    params = request.GET.copy()
    params.pop("state", None)
    return list_page(request, name="applications", title="申报管理", columns=COLUMNS, rows=rows, basename="申报",
                     filters=filters, fmt=fmt, template="cultivation/applications.html",
                     extra={"summary_url": f"/cultivation/applications/summary.xlsx?{params.urlencode()}",
                            "states": [(s.value, s.label, scoped(request).filter(state=s.value).count())
                                       for s in AppState]})


@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = ApplicationForm(request.POST or None, initial={"uscc": request.GET.get("uscc", ""),
                                                          "year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        ent = enterprise_or_404(request, form.cleaned_data["uscc"])
        if not access.can_contribute(request.user, ent):
            raise PermissionDenied("无权为该企业新建申报")
        app = form.save(commit=False)
        app.enterprise = ent
        app.created_by = request.user
        app.save()
        messages.success(request, "申报草稿已创建")
        return redirect("cultivation:application", pk=app.pk)
    return render(request, "cultivation/form.html", {"nav": "applications", "subnav": SUBNAV, "title": "新建申报",
                                                     "form": form})


def _get(request: HttpRequest, pk: int) -> Application:
    require_role(request)
    app = scoped(request).filter(pk=pk).first()
    if app is None:
        raise Http404("申报不存在或不在本账号管辖范围内")
    return app


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, pk)
    actions = workflow.available_actions(request.user, app)
    ev = app.evaluation if isinstance(app.evaluation, dict) else None
    return render(request, "cultivation/application.html", {
        "nav": "applications", "subnav": SUBNAV, "title": str(app), "a": app, "actions": actions,
        "form": TransitionForm(), "transitions": app.transitions.select_related("actor"),
        "ev": ev, "trace": (ev or {}).get("trace") or [],
        "can_edit": app.state == AppState.DRAFT and access.can_contribute(request.user, app.enterprise),
    })


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, pk)
    if app.state != AppState.DRAFT or not access.can_contribute(request.user, app.enterprise):
        raise PermissionDenied("只有草稿可由企业或经办人员修改")
    form = ApplicationForm(request.POST or None, instance=app, initial={"uscc": app.enterprise.uscc})
    form.fields["uscc"].disabled = True
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "已保存")
        return redirect("cultivation:application", pk=app.pk)
    return render(request, "cultivation/form.html", {"nav": "applications", "subnav": SUBNAV, "title": f"修改：{app}",
                                                     "form": form})


@login_required
@require_POST
def application_transition(request: HttpRequest, pk: int) -> HttpResponse:
    app = _get(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "操作参数有误：" + "；".join(f"{k}：{','.join(v)}" for k, v in form.errors.items()))
        return redirect("cultivation:application", pk=app.pk)
    d = form.cleaned_data
    try:
        t = workflow.transition(app, d["action"], request.user, d["reason"], granted_on=d["granted_on"],
                                document=d["document"], certificate_no=d["certificate_no"],
                                expires_on=d["expires_on"], publicity_until=d["publicity_until"])
    except workflow.TransitionError as exc:
        if exc.status == 403:
            raise PermissionDenied(str(exc)) from exc
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已{workflow.ACTIONS_BY_NAME[t.action].label}，当前状态：{AppState(t.to_state).label}")
    return redirect("cultivation:application", pk=app.pk)


@login_required
def application_summary(request: HttpRequest) -> HttpResponse:
    """推荐汇总表 of the filtered applications that reached the city's recommendation."""
    require_role(request)
    qs = filter_applications(scoped(request), request.GET).filter(state__in=SUMMARY_STATES)
    qs = qs.order_by("enterprise__division_id", "enterprise__uscc")
    year = int(request.GET["year"]) if str(request.GET.get("year") or "").isdigit() else None
    title = sheet_title(year, request.GET.get("tier"), request.GET.get("batch"))
    body = summary_xlsx(list(qs), title)
    resp = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return resp
