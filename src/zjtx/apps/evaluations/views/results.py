"""The results list behind every dashboard number: filters run/policy/status/division/cluster/near/flag,
exportable as XLSX/CSV/JSON (the platform's export helpers)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from zjtx.apps.enterprises.exports import export_response, requested_format
from zjtx.apps.enterprises.models import Division
from zjtx.apps.evaluations import services
from zjtx.apps.evaluations.models import EvaluationRun, RunResult
from zjtx.apps.evaluations.views.common import Urls, export_url, require_role
from zjtx.facts import industries as fi
from zjtx.web import present

RESULT_COLUMNS = [
    ("run", "评价批次"), ("on", "评价日期"), ("uscc", "统一社会信用代码"), ("name", "企业名称"),
    ("division", "所属镇街代码"), ("division_name", "所属镇街"), ("cluster", "产业集群"), ("policy", "政策"),
    ("policy_name", "政策名称"), ("status", "结论代码"), ("status_label", "结论"), ("score", "得分"),
    ("score_min", "最低可能得分"), ("score_max", "最高可能得分"), ("route", "途径"), ("regime", "规则版本"),
    ("missing", "缺失数据"), ("manual", "待人工判断"), ("near_miss", "后备（接近达标）"), ("held", "持有有效称号"),
    ("reachable", "可补足（差距分析）"), ("gap_cost", "最低补足投入（元）"), ("gap_option", "最低投入补足方案"),
    ("flag", "与人工认定不一致"), ("input_hash", "输入哈希"),
]
# Spreadsheet files speak the reader's language: no code columns (JSON keeps them for machines).
FILE_COLUMNS = [c for c in RESULT_COLUMNS if c[0] not in ("division", "policy", "status")]


def filter_results(qs: QuerySet, params: Mapping[str, Any]) -> QuerySet:
    """Filters: ``policy``, ``status`` (``undecided`` = 待核验 of both kinds), ``division``, ``cluster``,
    ``near`` (1: reserve pipeline), ``reachable`` (1: the gap solver found an option within the cap), ``flag`` (1: disagrees with a held title), ``q`` (name/USCC)."""
    if params.get("policy"):
        qs = qs.filter(policy=params["policy"])
    status = params.get("status")
    if status == "undecided":
        qs = qs.filter(status__in=("unknown", "manual_review"))
    elif status:
        qs = qs.filter(status=status)
    if params.get("division"):
        qs = qs.filter(item__division=params["division"])
    if params.get("cluster"):
        c = fi.cluster_by_id(str(params["cluster"]))
        qs = qs.filter(item__cluster=c.id if c else params["cluster"])
    if str(params.get("near") or "") == "1":
        qs = qs.filter(near_miss=True)
    if str(params.get("reachable") or "") == "1":
        qs = qs.filter(reachable=True)
    if str(params.get("flag") or "") == "1":
        qs = qs.exclude(flag="")
    if params.get("q"):
        q = str(params["q"]).strip()
        qs = qs.filter(item__name__icontains=q) | qs.filter(item__uscc__icontains=q.upper())
    return qs


def result_rows(results: Iterable[RunResult]) -> list[dict[str, Any]]:
    names = dict(Division.objects.values_list("code", "name"))
    rows = []
    for r in results:
        rows.append({
            "run": r.run_id, "on": r.run.on, "uscc": r.item.uscc, "name": r.item.name, "division": r.item.division,
            "division_name": names.get(r.item.division, ""), "cluster": fi.cluster_name(r.item.cluster) or "",
            "policy": r.policy, "policy_name": services.policy_name(r.policy), "status": r.status,
            "status_label": r.status_label, "score": r.score, "score_min": r.score_min, "score_max": r.score_max,
            "route": present.route_label(r.route, regime=r.regime), "route_code": r.route,
            "regime": present.regime_label(r.regime), "regime_id": r.regime, "missing": "、".join(map(services.field_label, r.missing)),
            "manual": "、".join(map(services.field_label, r.manual)), "near_miss": r.near_miss, "held": r.held,
            "reachable": r.reachable, "gap_cost": r.gap_cost, "gap_option": present.humanize(r.gap_option),
            "flag": present.humanize(r.flag), "input_hash": r.item.input_hash,
        })
    return rows


def page_ids(user: Any, run: EvaluationRun, params: Mapping[str, Any]) -> QuerySet:
    """The ids of ``run``'s (scoped, filtered) results in list order (USCC, policy), for slicing a page.

    The same rows as ``filter_results(scoped_results(user, run), params)``, written so the database walks
    the run's enterprises in USCC order (unique index run + USCC) and each one's results by policy (unique
    index item + policy), and stops after the page, instead of sorting every result of the run: the
    run is matched on the enterprise rows, and on the result rows by an expression no index serves."""
    base = services.scoped_results(user).filter(item__run=run).alias(run_0=F("run_id") + 0).filter(run_0=run.pk)
    return filter_results(base, params).order_by("item__uscc", "policy").values_list("pk", flat=True)


def selected_run(request: HttpRequest) -> EvaluationRun | None:
    runs = services.visible_runs(request.user)
    run_id = request.GET.get("run")
    if run_id and str(run_id).isdigit():
        return runs.filter(pk=int(run_id)).first()
    return services.latest_run(request.user)


@login_required
def result_list(request: HttpRequest, fmt: str | None = None) -> HttpResponse:
    require_role(request)
    run = selected_run(request)
    qs = services.scoped_results(request.user, run) if run else RunResult.objects.none()
    qs = (filter_results(qs, request.GET).select_related("item", "run").defer("item__record", "run__summary")
          .order_by("item__uscc", "policy"))
    export = requested_format(request, fmt)
    if export and run is not None and export in ("xlsx", "csv") and qs.count() > getattr(
            settings, "ZJTX_EXPORT_SYNC_ROWS", 5000):  # large: built by the worker, handed back as a link
        from zjtx.apps.evaluations.tasks import export_results
        from zjtx.apps.jobs.models import Job
        from zjtx.apps.jobs.services import submit

        query = {k: v for k, v in request.GET.items() if k not in ("page", "format")}
        job = submit(export_results, user=request.user, kind=Job.Kind.EXPORT, title=f"导出评价结果（批次 #{run.pk}）",
                     run_id=run.pk, query=query, fmt="xlsx")
        messages.info(request, "结果较多，已交后台生成 XLSX，完成后在本页下载")
        return redirect("jobs:detail", pk=job.pk)
    if export:
        columns = RESULT_COLUMNS + [("route_code", "途径代码"), ("regime_id", "规则版本代码")] if export == "json" \
            else FILE_COLUMNS
        return export_response(export, "评价结果", columns, result_rows(qs))
    params = request.GET.copy()
    params.pop("page", None)
    paginator = Paginator(page_ids(request.user, run, request.GET) if run is not None
                          else qs.values_list("pk", flat=True), 50)
    if run is not None:  # the count of a run's (filtered, scoped) results, once per registry version
        paginator.count = services.aggregate(run, "results_count", f"{services.scope_key(request.user)}:"
                                             f"{params.urlencode()}", qs.count)
    page = paginator.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    by_id = {r.pk: r for r in RunResult.objects.filter(pk__in=ids).select_related("item").defer(
        "item__record", "points")}
    for r in by_id.values():  # every row is of the selected run
        r.run = run
    urls = Urls()
    rows = [{**r, "url": urls.enterprise(r["uscc"]), "trace_url": urls.trace(r["run"], r["uscc"], r["policy"])}
            for r in result_rows(by_id[i] for i in ids if i in by_id)]
    return render(request, "evaluations/results.html", {
        "run": run, "page": page, "rows": rows, "count": page.paginator.count,
        "runs": services.visible_runs(request.user).filter(status=EvaluationRun.Status.DONE).only(
            "pk", "on", "name", "official")[:50],
        "policies": [(p, services.policy_name(p)) for p in (run.policies if run else [])],
        "statuses": [("qualified", "达标"), ("not_qualified", "未达标"), ("undecided", "待核验（全部）"),
                     ("unknown", "待核验（缺数据）"), ("manual_review", "待核验（需人工判断）")],
        "divisions": Division.objects.filter(valid_to__isnull=True), "clusters": fi.CLUSTERS,
        "params": request.GET, "query": params.urlencode(),
        "export_urls": {f: export_url(request, f) for f in ("xlsx", "csv", "json")},
    })
