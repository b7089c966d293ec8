"""A job for the worker-process test: reports progress for a while (so it can be killed mid-run)."""

from __future__ import annotations

import time

from zjtx.apps.jobs.services import JobHandle, job_task


@job_task
def slow(job: JobHandle, seconds: float) -> dict:
    steps = int(seconds * 10)
    for i in range(steps):
        time.sleep(0.1)
        job.progress(i + 1, steps, "慢任务")
    return {"text": f"慢任务完成（第 {job.job.attempts + 1} 次执行）"}
