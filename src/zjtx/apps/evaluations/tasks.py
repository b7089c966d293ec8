"""Background jobs of the evaluations app (run by ``zjtx worker``): evaluation runs and exports."""

from __future__ import annotations

from typing import Any

from zjtx.apps.jobs.services import JobError, JobHandle, job_task


@job_task
def run_evaluation(job: JobHandle, run_id: int) -> dict[str, Any]:
    """Execute an evaluation run with progress; cancellation deletes what the run stored so far."""
    from django.urls import reverse

    from zjtx.apps.evaluations.models import EvaluationRun
    from zjtx.apps.evaluations.services import execute_run

    job.progress(0, None, "读取企业数据、生成评价记录")
    run = execute_run(run_id, progress=lambda done, total: job.progress(done, total, "逐户评价"))
    link = {"link": reverse("evaluations:run", args=[run.pk]), "link_text": "查看评价批次"}
    if run.status != EvaluationRun.Status.DONE:
        raise JobError(f"评价失败：{run.error}")
    return {**link, "text": f"评价完成：{run.total} 户企业，{len(run.policies)} 项政策"}


@job_task
def export_diff(job: JobHandle, old_id: int, new_id: int) -> dict[str, Any]:
    """The full comparison of two runs (every change, explained) as an XLSX download."""
    from zjtx.apps.enterprises.exports import xlsx_bytes
    from zjtx.apps.evaluations import services
    from zjtx.apps.evaluations.models import EvaluationRun
    from zjtx.apps.jobs.services import save_export

    old, new = EvaluationRun.objects.get(pk=old_id), EvaluationRun.objects.get(pk=new_id)
    changes = services.diff_changes(old, new, job.user)
    rows: list[dict[str, Any]] = []
    for i in range(0, len(changes), 200):
        rows += services.diff_details(old, new, changes[i:i + 200])
        job.progress(min(len(changes), i + 200), len(changes), "逐项解释结论变化")
    data = xlsx_bytes(services.DIFF_COLUMNS, services.diff_export_rows(rows), sheet="结论变化")
    return save_export(job, data, f"批次比较_{old.pk}_{new.pk}.xlsx",
                       f"批次比较 #{old.pk} → #{new.pk}：{len(rows)} 项结论变化")


@job_task
def export_results(job: JobHandle, run_id: int, query: dict[str, str], fmt: str = "xlsx") -> dict[str, Any]:
    """All results of a run (the results list's filters applied, the user's scope) as a download."""
    from django.http import QueryDict

    from zjtx.apps.enterprises.exports import xlsx_bytes
    from zjtx.apps.evaluations import services
    from zjtx.apps.evaluations.models import EvaluationRun
    from zjtx.apps.evaluations.views.results import FILE_COLUMNS, filter_results, result_rows
    from zjtx.apps.jobs.services import save_export

    run = EvaluationRun.objects.get(pk=run_id)
    params = QueryDict(mutable=True)
    for k, v in query.items():
        params[k] = v
    qs = (filter_results(services.scoped_results(job.user, run), params).select_related("item", "run")
          .defer("item__record", "run__summary").order_by("item__uscc", "policy"))
    total = qs.count()
    rows: list[dict[str, Any]] = []
    for i in range(0, total, 2000):
        rows += result_rows(qs[i:i + 2000])
        job.progress(min(total, i + 2000), total, "读取评价结果")
    data = xlsx_bytes(FILE_COLUMNS, rows, sheet="评价结果")
    return save_export(job, data, f"评价结果_批次{run.pk}.xlsx", f"评价结果（批次 #{run.pk}）：{len(rows)} 行")
