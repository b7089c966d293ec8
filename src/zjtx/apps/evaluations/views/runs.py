"""Evaluation runs: list and start, progress, detail, diff between two runs, a stored result's trace."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from zjtx.apps.enterprises.models import Division
from zjtx.apps.evaluations import pagecache, services
from zjtx.apps.evaluations.models import EvaluationRun, Reform
from zjtx.apps.evaluations.views.common import can_run, parse_on, require_role
from zjtx.facts import industries as fi


def visible_run(request: HttpRequest, pk: int) -> EvaluationRun:
    require_role(request)
    run = services.visible_runs(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404("评价批次不存在或不在本账号管辖范围内")
    return run


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    require_role(request)
    if request.method == "POST":
        if not can_run(request.user):
            raise PermissionDenied("当前账号不能发起评价")
        reform_id = request.POST.get("reform", "")
        reform = Reform.objects.filter(pk=int(reform_id)).first() if reform_id.isdigit() else None
        filters = {k: request.POST.get(k, "") for k in ("division", "cluster", "industry", "q")}
        run = services.create_run(request.user, parse_on(request.POST.get("on")), reform=reform, filters=filters,
                                  name=request.POST.get("name", "").strip(), automatic=True)
        run = services.start_run(run)
        if run.status == EvaluationRun.Status.DONE:
            messages.success(request, f"评价完成：{run.total} 户企业")
        elif run.status == EvaluationRun.Status.FAILED:
            messages.error(request, f"评价失败：{run.error}")
        else:
            messages.info(request, "已在后台评价，可在本页查看进度")
        return redirect("evaluations:run", pk=run.pk)
    runs = services.visible_runs(request.user).select_related("created_by", "reform")[:100]
    return render(request, "evaluations/runs.html", {
        "runs": runs, "can_run": can_run(request.user), "reforms": Reform.objects.all(),
        "divisions": Division.objects.filter(valid_to__isnull=True), "clusters": fi.CLUSTERS,
        "today": parse_on(None).isoformat(),
    })


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = visible_run(request, pk)
    results = services.scoped_results(request.user, run)
    table = []
    counts = {(r["policy"], r["status"]): r["n"] for r in results.values("policy", "status").annotate(n=Count("id"))}
    flags = {r["policy"]: r["n"] for r in results.exclude(flag="").values("policy").annotate(n=Count("id"))}
    near = {r["policy"]: r["n"] for r in results.filter(near_miss=True).values("policy").annotate(n=Count("id"))}
    reach = {r["policy"]: r["n"] for r in results.filter(reachable=True).values("policy").annotate(n=Count("id"))}
    for p in run.policies:
        table.append({"policy": p, "name": services.policy_name(p),
                      "counts": [(s, counts.get((p, s), 0)) for s in ("qualified", "not_qualified", "unknown",
                                                                      "manual_review")],
                      "flags": flags.get(p, 0), "near": near.get(p, 0), "reachable": reach.get(p, 0)})
    others = services.visible_runs(request.user).filter(status=EvaluationRun.Status.DONE).exclude(pk=run.pk)[:50]
    return render(request, "evaluations/run_detail.html", {
        "run": run, "table": table, "others": others, "job": services.run_job(run) if run.status in (
            EvaluationRun.Status.QUEUED, EvaluationRun.Status.RUNNING) else None, "statuses": ("qualified", "not_qualified", "unknown",
                                                                   "manual_review"),
        "status_labels": [services.status_label(s) for s in ("qualified", "not_qualified", "unknown",
                                                             "manual_review")],
    })


@login_required
def run_progress(request: HttpRequest, pk: int) -> JsonResponse:
    run = visible_run(request, pk)
    return JsonResponse({"status": run.status, "status_label": run.get_status_display(), "processed": run.processed,
                         "total": run.total, "percent": run.percent, "error": run.error})


@login_required
def run_diff(request: HttpRequest, pk: int) -> HttpResponse:
    new = visible_run(request, pk)
    against = request.GET.get("against")
    if not against or not str(against).isdigit():
        old = services.visible_runs(request.user).filter(status=EvaluationRun.Status.DONE, pk__lt=new.pk).order_by(
            "-pk").first()
        if old is None:
            messages.info(request, "没有可比较的上一批次")
            return redirect("evaluations:run", pk=new.pk)
    else:
        old = visible_run(request, int(against))
    changes = services.diff_changes(old, new, request.user)
    shown = services.filter_changes(changes, request.GET)
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    scope, version = services.scope_key(request.user), services.registry_version()

    def rows() -> str:  # the explained page: two immutable runs, so explained once per page, filter and scope
        explained = services.aggregate(new, "diffpage", f"{old.pk}:{scope}:{params.urlencode()}:{page.number}",
                                       lambda: services.diff_details(old, new, list(page.object_list)), version)
        return render_to_string("evaluations/_diff_rows.html", {"changes": explained, "total": len(changes)})

    key = "zjtx:diff:" + hashlib.sha256(f"{new.pk}:{new.created_at}:{old.pk}:{old.created_at}:{scope}:"
                                        f"{params.urlencode()}:{page.number}:{version}".encode()).hexdigest()[:32]
    return render(request, "evaluations/run_diff.html", {
        "old": old, "new": new, "same_rules": old.rule_version == new.rule_version, "total": len(changes),
        "count": len(shown), "page": page, "rows_html": mark_safe(pagecache.cached(key, rows)),
        "policies": [(p, services.policy_name(p)) for p in new.policies], "params": request.GET,
        "query": params.urlencode(),
        "statuses": [(s, services.status_label(s)) for s in ("qualified", "not_qualified", "unknown", "manual_review")]
                    + [("none", "（未评价）")],
    })


@login_required
@require_POST
def run_diff_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The full comparison (every change with its flipped conditions and moved inputs) as an XLSX, built
    by the worker; the page links to the job."""
    from zjtx.apps.evaluations.tasks import export_diff
    from zjtx.apps.jobs.models import Job
    from zjtx.apps.jobs.services import submit

    new = visible_run(request, pk)
    old = visible_run(request, int(request.POST.get("against") or 0))
    job = submit(export_diff, user=request.user, kind=Job.Kind.DIFF, title=f"批次比较 #{old.pk} → #{new.pk}（全部变化）",
                 old_id=old.pk, new_id=new.pk)
    messages.info(request, "已提交后台生成完整比较表，完成后可在本页下载")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def result_trace(request: HttpRequest, pk: int, uscc: str, policy: str) -> HttpResponse:
    """A stored result, explained again from the run's input snapshot (the trace is regenerated)."""
    run = visible_run(request, pk)
    result = services.scoped_results(request.user, run).filter(item__uscc=uscc.upper(), policy=policy).select_related(
        "item", "run").first()
    if result is None:
        raise Http404("评价结果不存在或不在本账号管辖范围内")
    res = services.reproduce(result)
    ctx: dict[str, Any] = {
        "run": run, "result": result, "res": res, "rows": services.explanation_rows(res),
        "reproduced": res["status"] == result.status and _same_score(res.get("score"), result.score),
        "score_text": services.fmt_score(res),
    }
    return render(request, "evaluations/result_trace.html", ctx)


def _same_score(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9
