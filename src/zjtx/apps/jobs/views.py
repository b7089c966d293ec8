"""后台任务 pages: the user's jobs with their outcome, one job with a polled progress bar, its status JSON,
cancellation and the download of a finished export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zjtx.apps.accounts import scope
from zjtx.apps.jobs import services
from zjtx.apps.jobs.models import Job


def _visible(request: HttpRequest) -> Any:
    """A user's own jobs; the city administrator sees every job (including scheduled ones)."""
    qs = Job.objects.select_related("created_by")
    if scope.role_of(request.user) == "city_admin":
        return qs
    return qs.filter(created_by=request.user)


def _job(request: HttpRequest, pk: Any) -> Job:
    job = _visible(request).filter(pk=pk).first()
    if job is None:
        raise Http404("后台任务不存在或不属于本账号")
    return job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    qs = _visible(request)
    if request.GET.get("mine") == "1":
        qs = qs.filter(created_by=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/list.html", {"page": page, "jobs": page.object_list,
                                              "is_admin": scope.role_of(request.user) == "city_admin",
                                              "keep_days": services.export_keep_days()})


@login_required
def job_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    return render(request, "jobs/detail.html", {"job": _job(request, pk)})


@login_required
def job_status(request: HttpRequest, pk: Any) -> JsonResponse:
    return JsonResponse(services.status_json(_job(request, pk)))


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: Any) -> HttpResponse:
    job = _job(request, pk)
    if not job.active:
        messages.error(request, f"该任务已{job.get_status_display()}，不能取消")
    else:
        job = services.cancel(job)
        messages.info(request, "已取消" if job.status == Job.Status.CANCELLED else "已请求取消，任务将在下一步停止并回滚")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def job_download(request: HttpRequest, pk: Any) -> FileResponse:
    job = _job(request, pk)
    if job.download_expired:
        raise Http404(f"导出文件已过期（保留 {services.export_keep_days()} 天后自动删除），请重新导出")
    path = job.result.get("file") if job.status == Job.Status.DONE else None
    if not path:
        raise Http404("该任务没有可下载的文件")
    file = Path(path)
    if not file.is_file() or not file.resolve().is_relative_to(services.export_dir().resolve()):
        raise Http404("文件已被清理，请重新导出")
    return FileResponse(file.open("rb"), as_attachment=True, filename=job.result.get("filename") or file.name)
