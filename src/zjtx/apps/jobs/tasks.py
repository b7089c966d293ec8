"""The job system's own scheduled work (``services.BUILTIN_SCHEDULE``)."""

from __future__ import annotations

from typing import Any

from zjtx.apps.jobs.services import JobHandle, export_keep_days, job_task
from zjtx.apps.jobs.services import expire_exports as expire


@job_task
def expire_exports(job: JobHandle, on: str = "") -> dict[str, Any]:
    """Nightly: delete exports kept longer than ``EXPORT_KEEP_DAYS`` and mark their downloads 已过期."""
    counts = expire()
    return {**counts, "text": f"清理过期导出文件（{on}）：{counts['jobs']} 个导出已过期（保留 {export_keep_days()} 天），"
                              f"删除文件 {counts['files']} 个"}
