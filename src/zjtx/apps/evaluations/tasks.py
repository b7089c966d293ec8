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
