"""Designations and the expiry / renewal calendar (alerts, CSV/XLSX/JSON exports, .ics feed)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.cultivation import access, renewals
from zjtx.apps.cultivation.forms import DesignationForm
from zjtx.apps.cultivation.models import TIER_LABELS, TITLE_KIND_LABELS, AnnualUpdate, Designation, PoolStage
from zjtx.apps.cultivation.views.common import (
    SUBNAV,
    choices,
    divisions_for,
    enterprise_or_404,
    list_page,
    require_role,
)
from zjtx.apps.cultivation.workflow import LEVELS, default_expiry
from zjtx.apps.enterprises.fields import TITLE_CHOICES
from zjtx.apps.enterprises.models import Title
from zjtx.apps.enterprises.title_status import STATUS_CHOICES, STATUS_LABELS, status_q


def _on(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("on") or "")
    except ValueError:
        return timezone.localdate()


@login_required
def calendar(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    on = _on(request)
    titles = scope.scope_related(request.user, Title.objects.all())
    if request.GET.get("division"):
        titles = titles.filter(enterprise__division_id=request.GET["division"])
    if request.GET.get("title"):
        titles = titles.filter(title=request.GET["title"])
    horizon = int(request.GET.get("horizon") or 90) if str(request.GET.get("horizon") or "90").isdigit() else 90
    items = renewals.alerts(on, titles, horizon=horizon,
                            pool=access.visible(request.user, PoolStage.objects.all()))
    if request.GET.get("kind"):
        items = [a for a in items if a.kind == request.GET["kind"]]
    if fmt == "ics" or request.GET.get("format") == "ics":
        resp = HttpResponse(renewals.ics(items), content_type="text/calendar; charset=utf-8")
        resp["Content-Disposition"] = "attachment; filename=zjtx-calendar.ics"
        return resp
    filters = [("on", "基准日（YYYY-MM-DD）", None),
               ("kind", "类型", [("expiry", "到期复核"), ("annual_update", "年度更新"), ("batch", "批次申报")]),
               ("title", "称号", choices(TITLE_CHOICES)), ("division", "镇街", divisions_for(request)),
               ("horizon", "提前天数", [("30", "30天"), ("60", "60天"), ("90", "90天")])]
    rows = []
    for a in items:
        row = a.as_row()
        if a.uscc:
            row["_links"] = {"enterprise": f"/cultivation/enterprises/{a.uscc}/"}
        rows.append(row)
    params = request.GET.copy()
    params["format"] = "ics"
    return list_page(request, name="calendar", title="到期与更新日历", columns=renewals.COLUMNS, rows=rows,
                     basename="到期与更新提醒", filters=filters, fmt=fmt, template="cultivation/calendar.html",
                     extra={"on": on, "ics_url": f"{request.path}?{params.urlencode()}",
                            "levels": [(t, sum(1 for a in items if a.level == t)) for t in renewals.THRESHOLDS]})


DESIGNATION_COLUMNS = [("uscc", "统一社会信用代码"), ("name", "企业名称"), ("division", "所属镇街"), ("title", "称号"),
                       ("level", "级别"), ("granted_on", "认定日期"), ("expires_on", "有效期至"), ("batch", "批次"),
                       ("document", "认定文号"), ("certificate_no", "证书编号"), ("registration_no", "入库登记编号"),
                       ("status", "状态"), ("revoked_on", "撤销日期"), ("last_update", "最近年度更新")]


@login_required
def designations(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    qs = scope.scope_related(request.user, Title.objects.all()).select_related("enterprise__division")
    if request.GET.get("title"):
        qs = qs.filter(title=request.GET["title"])
    if request.GET.get("division"):
        qs = qs.filter(enterprise__division_id=request.GET["division"])
    on = _on(request)
    status = request.GET.get("status") or ("valid" if request.GET.get("valid") == "1" else "")
    if status in STATUS_LABELS:
        qs = qs.filter(status_q(status, on))
    extra = {d.title_id: d for d in Designation.objects.filter(title__in=qs.values("pk"))}
    updates: dict[int, int] = {}
    for tid, year in AnnualUpdate.objects.filter(title__in=qs.values("pk"), done_on__isnull=False).values_list(
            "title_id", "year"):
        updates[tid] = max(year, updates.get(tid, 0))
    rows = []
    for t in qs.order_by("expires_on", "enterprise__uscc"):
        d = extra.get(t.pk)
        rows.append({"uscc": t.enterprise.uscc, "name": t.enterprise.name,
                     "division": t.enterprise.division.name if t.enterprise.division_id else "",
                     "title": TITLE_KIND_LABELS.get(t.title, t.title), "level": d.get_level_display() if d else "",
                     "granted_on": t.granted_on, "expires_on": t.expires_on, "batch": t.batch, "document": t.document,
                     "certificate_no": t.certificate_no, "registration_no": d.registration_no if d else "",
                     "status": t.status_label(on), "revoked_on": t.revoked_on, "last_update": updates.get(t.pk),
                     "_links": {"name": f"/cultivation/enterprises/{t.enterprise.uscc}/",
                                "last_update": f"/cultivation/designations/{t.pk}/update/"}})
    filters = [("title", "称号", choices(TITLE_CHOICES)), ("division", "镇街", divisions_for(request)),
               ("status", "状态", list(STATUS_CHOICES)), ("on", "状态基准日（YYYY-MM-DD，默认今天）", None)]
    return list_page(request, name="designations", title="认定信息", columns=DESIGNATION_COLUMNS, rows=rows,
                     basename="认定信息", filters=filters, fmt=fmt, template="cultivation/designations.html",
                     extra={"can_add": access.is_officer(request.user)})


@login_required
def designation_new(request: HttpRequest) -> HttpResponse:
    require_role(request)
    form = DesignationForm(request.POST or None, initial={"uscc": request.GET.get("uscc", "")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ent = enterprise_or_404(request, d["uscc"])
        if not access.can_manage(request.user, ent):
            raise PermissionDenied("无权登记该企业的认定信息")
        with transaction.atomic():
            title, _ = Title.objects.update_or_create(
                enterprise=ent, title=d["title"], granted_on=d["granted_on"],
                defaults={"expires_on": d["expires_on"] or default_expiry(d["title"], d["granted_on"]),
                          "batch": d["batch"], "document": d["document"], "certificate_no": d["certificate_no"]})
            Designation.objects.update_or_create(title=title, defaults={
                "level": d["level"] or LEVELS.get(d["title"], ""), "registration_no": d["registration_no"]})
        messages.success(request, f"已登记：{ent.name} {TITLE_KIND_LABELS.get(d['title'])}，有效期至 {title.expires_on}")
        return redirect("cultivation:designations")
    return render(request, "cultivation/form.html", {"nav": "designations", "subnav": SUBNAV, "title": "登记认定信息",
                                                     "form": form})


@login_required
def annual_update(request: HttpRequest, title_id: int) -> HttpResponse:
    """Record the yearly update of a designation (e.g. 单项冠军 by 5-31)."""
    require_role(request)
    title = get_object_or_404(scope.scope_related(request.user, Title.objects.all()), pk=title_id)
    if request.method == "POST":
        if not access.can_manage(request.user, title.enterprise):
            raise PermissionDenied("无权登记年度更新")
        year = int(request.POST.get("year") or timezone.localdate().year)
        done = date.fromisoformat(request.POST.get("done_on") or timezone.localdate().isoformat())
        AnnualUpdate.objects.update_or_create(title=title, year=year, defaults={
            "done_on": done, "note": request.POST.get("note", "")[:200]})
        messages.success(request, f"已登记 {year} 年度更新")
        return redirect("cultivation:designations")
    return render(request, "cultivation/annual_update.html", {
        "nav": "designations", "subnav": SUBNAV, "title": f"年度更新：{title.enterprise.name} {TITLE_KIND_LABELS.get(title.title)}",
        "t": title, "updates": title.annual_updates.all(), "year": timezone.localdate().year,
        "can_manage": access.can_manage(request.user, title.enterprise)})


@login_required
@require_POST
def designation_status(request: HttpRequest, title_id: int) -> HttpResponse:
    """Revoke a designation from a date, or withdraw a revocation (a person's decision; the pool stage
    follows, protected). The status shown everywhere then follows from the dates."""
    from zjtx.apps.cultivation.pool import set_stage

    require_role(request)
    title = get_object_or_404(scope.scope_related(request.user, Title.objects.all()), pk=title_id)
    if not access.is_city(request.user):
        raise PermissionDenied("仅市级工作人员可撤销认定或恢复认定")
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "").strip()
    if action not in ("revoke", "restore") or not reason:
        messages.error(request, "须选择“撤销认定”或“恢复认定”并填写原因")
        return redirect("cultivation:annual_update", title_id=title.pk)
    if action == "revoke":
        try:
            day = date.fromisoformat(request.POST.get("revoked_on") or timezone.localdate().isoformat())
        except ValueError:
            messages.error(request, "撤销日期格式应为 YYYY-MM-DD")
            return redirect("cultivation:annual_update", title_id=title.pk)
        if day < title.granted_on:
            messages.error(request, f"撤销日期不能早于认定日期（{title.granted_on:%Y-%m-%d}）")
            return redirect("cultivation:annual_update", title_id=title.pk)
        title.revoked_on, title.revoked_reason = day, reason[:300]
    else:
        title.revoked_on, title.revoked_reason = None, ""
    title.save(update_fields=["revoked_on", "revoked_reason"])
    Designation.objects.update_or_create(title=title, defaults={
        "status": Designation.Status.REVOKED if action == "revoke" else Designation.Status.VALID,
        "status_reason": reason[:300]})
    if title.title in TIER_LABELS:
        stage = "revoked" if action == "revoke" else "designated"
        set_stage(title.enterprise, title.title, stage, request.user, reason)
    messages.success(request, f"已撤销认定（自 {title.revoked_on:%Y-%m-%d} 起）" if action == "revoke" else "已恢复认定")
    return redirect("cultivation:annual_update", title_id=title.pk)
