"""Registry pages: lists (with CSV/XLSX/JSON export), detail, edit, import."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.accounts.audit import log
from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises import importer
from zjtx.apps.enterprises.excel import build_workbook, template_bytes
from zjtx.apps.enterprises.exports import (
    NumberEncoder,
    audit_personal_read,
    export_response,
    requested_format,
)
from zjtx.apps.enterprises.fields import ANNUAL_FIELDS, ENTERPRISE_FIELDS, PROVENANCE_LABELS, TITLE_LABELS
from zjtx.apps.enterprises.filters import filter_annual, filter_enterprises
from zjtx.apps.enterprises.forms import AnnualReportForm, EnterpriseForm
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise, ImportJob, Title
from zjtx.apps.enterprises.tables import (
    ANNUAL_COLUMNS,
    LIST_COLUMNS,
    TITLE_COLUMNS,
    annual_dicts,
    contact,
    enterprise_rows,
    template_row,
    title_dicts,
    title_template_row,
)
from zjtx.apps.enterprises.title_status import STATUS_CHOICES, STATUS_LABELS, status_q
from zjtx.facts import industries as fi
from zjtx.web import present

CHOICE_NAMES = {"product_field", "rd_institution"}

PAGE_SIZE = 50


def _require_role(request: HttpRequest) -> None:
    if scope.role_of(request.user) is None:
        raise PermissionDenied("当前账号未分配角色")


def _filter_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "divisions": Division.objects.filter(valid_to__isnull=True),
        "clusters": fi.CLUSTERS,
        "titles": TITLE_LABELS.items(),
        "params": request.GET,
        "query": request.GET.urlencode(),
    }


def _export_url(request: HttpRequest, fmt: str) -> str:
    params = request.GET.copy()
    params["format"] = fmt
    return f"{request.path}?{params.urlencode()}"


@login_required
def enterprise_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    _require_role(request)
    qs = filter_enterprises(scope.scope_enterprises(request.user), request.GET).select_related("division")
    qs = qs.prefetch_related(Prefetch("annual_reports", queryset=AnnualReport.objects.only("id", "year",
                                                                                              "enterprise_id")))
    export = requested_format(request, fmt)
    if export:
        return export_response(export, "企业库", LIST_COLUMNS, enterprise_rows(qs, request.user))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    facets = (scope.scope_enterprises(request.user).values("division__name", "division_id")
              .annotate(n=Count("id")).order_by("-n")[:30])
    rows = enterprise_rows(page.object_list, request.user)
    audit_personal_read(rows, "企业库列表")
    return render(request, "enterprises/list.html", {
        "page": page, "rows": rows, "count": page.paginator.count,
        "facets": facets, "export_urls": {f: _export_url(request, f) for f in ("xlsx", "csv", "json")},
        **_filter_context(request),
    })


def _visible(request: HttpRequest, uscc: str) -> Enterprise:
    _require_role(request)
    ent = scope.scope_enterprises(request.user).filter(uscc=uscc.upper()).select_related("division").first()
    if ent is None:
        raise Http404("企业不存在或不在本账号管辖范围内")
    return ent


@login_required
def enterprise_detail(request: HttpRequest, uscc: str, fmt: str | None = None) -> HttpResponse:
    ent = _visible(request, uscc)
    show = scope.can_see_personal(request.user, ent)
    if show and (ent.contact_name or ent.contact_phone):
        log(AuditEntry.Action.VIEW_PERSONAL, obj=ent, object_repr=f"{ent} 联系人信息")
    reports = list(ent.annual_reports.order_by("-year"))
    titles = list(ent.titles.order_by("-granted_on"))
    if requested_format(request, fmt) == "json":
        return JsonResponse({
            "enterprise": {**{f.name: getattr(ent, f.name) for f in ENTERPRISE_FIELDS if f.name != "division"},
                           "division": ent.division_id, **contact(ent, show), "provenance": ent.provenance},
            "annual_reports": annual_dicts(reports, request.user),
            "titles": title_dicts(titles),
        }, encoder=NumberEncoder, json_dumps_params={"ensure_ascii": False})
    annual_table = [
        {"field": f, "cells": [(present.registry_value(f, getattr(r, f.name)) if getattr(r, f.name) is not None else None,
                                PROVENANCE_LABELS.get(r.provenance.get(f.name), ""),
                                r.raw.get(f.name, "")) for r in reports]}
        for f in ANNUAL_FIELDS
    ]
    return render(request, "enterprises/detail.html", {
        "e": ent, "contact": contact(ent, show), "reports": reports, "annual_table": annual_table,
        "titles": [(t, TITLE_LABELS.get(t.title, t.title), t.status_on(), t.status_label()) for t in titles],
        "can_edit": scope.can_edit(request.user, ent),
        "industry_name": fi.industry_name(ent.industry) if ent.industry else "",
        "cluster": fi.cluster_name(fi.cluster_of(ent.industry)) if ent.industry else "",
        "enterprise_fields": [(f, present.registry_value(f, getattr(ent, f.name))) for f in ENTERPRISE_FIELDS[5:]
                              if not f.personal],
    })


@login_required
def enterprise_edit(request: HttpRequest, uscc: str | None = None) -> HttpResponse:
    _require_role(request)
    ent = _visible(request, uscc) if uscc else None
    divisions = Division.objects.filter(valid_to__isnull=True)
    own = scope.user_division_code(request.user)
    if own:
        divisions = divisions.filter(code=own)
    if ent is not None and not scope.can_edit(request.user, ent):
        raise PermissionDenied("无权修改该企业")
    if ent is None and not (scope.can_create_in(request.user, own) if own else scope.can_create_in(request.user, None)):
        raise PermissionDenied("无权新增企业")
    form = EnterpriseForm(request.POST or None, instance=ent, divisions=divisions)
    role = scope.role_of(request.user)
    if own:
        form.fields["division"].required = True  # a town officer cannot move an enterprise out of its town
    if role == "enterprise_user":
        form.fields["division"].disabled = True
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        for name in form.changed_data:
            obj.provenance[name] = "self" if role == "enterprise_user" else "verified"
        obj.save()
        messages.success(request, "已保存")
        return redirect("enterprises:detail", uscc=obj.uscc)
    return render(request, "enterprises/form.html", {"form": form, "e": ent})


@login_required
def annual_edit(request: HttpRequest, uscc: str, year: int | None = None) -> HttpResponse:
    ent = _visible(request, uscc)
    if not scope.can_edit(request.user, ent):
        raise PermissionDenied("无权修改该企业")
    report = get_object_or_404(AnnualReport, enterprise=ent, year=year) if year else None
    form = AnnualReportForm(request.POST or None, instance=report or AnnualReport(enterprise=ent))
    if scope.role_of(request.user) == "enterprise_user":
        form.fields["source"].choices = [("self", "自填")]  # enterprises report; they do not verify
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        source = form.cleaned_data["source"]
        for name in form.changed_data:
            if name not in ("source", "year"):
                obj.provenance[name] = source
                obj.raw.pop(name, None)
        obj.save()
        messages.success(request, "已保存")
        return redirect("enterprises:detail", uscc=ent.uscc)
    return render(request, "enterprises/annual_form.html", {"form": form, "e": ent, "report": report})


@login_required
def annual_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    _require_role(request)
    qs = filter_annual(scope.scope_related(request.user, AnnualReport.objects.all()), request.GET)
    qs = qs.select_related("enterprise", "enterprise__division").order_by("enterprise__uscc", "year")
    export = requested_format(request, fmt)
    if export == "xlsx":
        shown = [(r, scope.can_see_personal(request.user, r.enterprise)) for r in qs]
        rows = [template_row(r.enterprise, r, show) for r, show in shown]
        personal = sum(1 for r, show in shown if show and (r.enterprise.contact_name or r.enterprise.contact_phone))
        return export_response("xlsx", "年度数据", ANNUAL_COLUMNS, [], xlsx=build_workbook(rows), count=len(rows),
                               personal=personal)
    if export:
        rows = annual_dicts(qs, request.user)
        if export == "csv":  # a file for people: choices as their labels (JSON keeps the codes)
            rows = [{k: (present.choice_label(v, k) if isinstance(v, str) and k in CHOICE_NAMES else v)
                     for k, v in row.items()} for row in rows]
        return export_response(export, "年度数据", ANNUAL_COLUMNS, rows)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/annual_list.html", {
        "page": page, "count": page.paginator.count,
        "export_urls": {f: _export_url(request, f) for f in ("xlsx", "csv", "json")},
        "years": AnnualReport.objects.values_list("year", flat=True).distinct().order_by("-year"),
        **_filter_context(request),
    })


@login_required
def title_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    _require_role(request)
    qs = scope.scope_related(request.user, Title.objects.all()).select_related("enterprise")
    qs = qs.filter(enterprise__in=filter_enterprises(Enterprise.objects.all(), request.GET).values("pk"))
    if request.GET.get("kind"):
        qs = qs.filter(title=request.GET["kind"])
    if request.GET.get("status") in STATUS_LABELS:
        qs = qs.filter(status_q(request.GET["status"]))
    export = requested_format(request, fmt)
    if export == "xlsx":
        title_rows = [title_template_row(t) for t in qs]
        return export_response("xlsx", "荣誉资质", TITLE_COLUMNS, [], xlsx=build_workbook(title_rows=title_rows),
                               count=len(title_rows), personal=0)
    if export:
        return export_response(export, "荣誉资质", TITLE_COLUMNS, title_dicts(qs))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enterprises/title_list.html", {
        "page": page, "count": page.paginator.count, "rows": title_dicts(page.object_list),
        "export_urls": {f: _export_url(request, f) for f in ("xlsx", "csv", "json")},
        "statuses": STATUS_CHOICES, "status": request.GET.get("status", ""), "kind": request.GET.get("kind", ""),
        **_filter_context(request),
    })


# ------------------------------------------------------------------ import

def _require_import(request: HttpRequest) -> None:
    if not scope.can_import(request.user):
        raise PermissionDenied("当前账号无导入权限")


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    resp = HttpResponse(template_bytes(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('企业库导入模板.xlsx')}"
    return resp


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择要上传的文件")
        elif not upload.name.lower().endswith((".xlsx", ".csv")):
            messages.error(request, "文件格式不支持：请上传 .xlsx 或 .csv 文件")
        elif upload.size > settings.ZJTX_IMPORT_MAX_BYTES:
            messages.error(request, f"文件过大（{upload.size / 1024 / 1024:.0f} MB），上限为 "
                                    f"{settings.ZJTX_IMPORT_MAX_BYTES / 1024 / 1024:.0f} MB，请分批导入")
        else:
            job = importer.create_job(request.user, upload.name, upload.read(),
                                      overwrite_blank=bool(request.POST.get("overwrite_blank")))
            log(AuditEntry.Action.IMPORT, model="enterprises.ImportJob", object_id=str(job.pk),
                object_repr=f"上传 {job.filename}"[:300],
                after={"stage": "upload", "bytes": upload.size, "status": job.status, "rows": job.total_rows,
                       "errors": len(job.errors)})
            return redirect("enterprises:import_job", job_id=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user).defer("content")[:20]
    return render(request, "enterprises/import.html", {"jobs": jobs})


def _job(request: HttpRequest, job_id: Any) -> ImportJob:
    _require_import(request)
    job = ImportJob.objects.filter(pk=job_id).defer("content").first()
    if job is None or (job.created_by_id != request.user.pk and scope.role_of(request.user) != "city_admin"):
        raise Http404("导入任务不存在")
    return job


@login_required
def import_job(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "enterprises/import_job.html", {"job": job, "progress": importer.job_progress(job),
                                                           "queue_job": importer.queue_job(job)})


@login_required
def import_progress(request: HttpRequest, job_id: Any) -> JsonResponse:
    job = _job(request, job_id)
    done = importer.job_progress(job)
    return JsonResponse({"status": job.status, "status_label": job.get_status_display(), "processed": done,
                         "total": job.total_rows, "percent": int(100 * done / job.total_rows) if job.total_rows else 0})


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ImportJob.Status.READY:
        messages.error(request, f"该导入任务不能确认（状态：{job.get_status_display()}）")
        return redirect("enterprises:import_job", job_id=job.pk)
    job = importer.confirm(job)
    if job.status == ImportJob.Status.DONE:
        messages.success(request, "导入完成")
    elif job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        messages.info(request, "文件较大，已交后台进程导入，可在本页或“后台任务”查看进度")
    else:
        messages.error(request, f"导入未完成：{job.get_status_display()}，数据库未作任何修改")
    return redirect("enterprises:import_job", job_id=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job(request, job_id)
    importer.request_cancel(job)
    messages.info(request, "已取消导入，数据库未作修改")
    return redirect("enterprises:import_job", job_id=job.pk)


@login_required
def import_file(request: HttpRequest, job_id: Any) -> FileResponse:
    job = _job(request, job_id)
    data = ImportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    return FileResponse(io.BytesIO(bytes(data)), as_attachment=True, filename=job.filename)
