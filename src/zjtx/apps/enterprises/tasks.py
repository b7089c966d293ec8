"""Background jobs of the registry (run by ``zjtx worker``): applying a large import."""

from __future__ import annotations

from typing import Any

from zjtx.apps.jobs.services import JobHandle, job_task


@job_task
def apply_import(job: JobHandle, import_id: str) -> dict[str, Any]:
    """Apply a confirmed import (validate again, stage, one short all-or-nothing commit)."""
    from django.urls import reverse

    from zjtx.apps.enterprises import importer
    from zjtx.apps.enterprises.models import ImportJob
    from zjtx.apps.jobs.services import JobCancelled, JobError

    status = importer.run(import_id, handle=job)
    imp = ImportJob.objects.defer("content").get(pk=import_id)
    link = {"link": reverse("enterprises:import_job", args=[imp.pk]), "link_text": "查看导入详情"}
    if status == ImportJob.Status.CANCELLED:
        raise JobCancelled
    if status != ImportJob.Status.DONE:
        first = (imp.errors or [{}])[-1].get("text", "")
        raise JobError(f"导入未完成（{imp.get_status_display()}），数据库未作任何修改。{first}")
    s = imp.summary or {}
    return {**link, "text": f"导入完成：企业年报 {s.get('rows', 0)} 行（新增企业 {s.get('new_enterprises', 0)} 家，"
                             f"更新 {s.get('updated_enterprises', 0)} 家），荣誉资质 {s.get('titles', 0)} 条"}
