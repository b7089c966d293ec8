"""The job system: submit work to the task queue, report progress, cancel, recover after a restart,
and run scheduled work.

A job function is declared with :func:`job_task` in an app's ``tasks.py``::

    @job_task
    def import_file(job: JobHandle, import_id: str) -> dict:
        job.progress(0, total, "校验中")
        ...
        return {"text": "导入完成：…"}

and submitted with :func:`submit` (``submit(import_file, user=…, kind="import", title="…", import_id=…)``).
The worker (``zjtx worker``) runs it; :class:`JobHandle` records progress (throttled), serves as the
heartbeat and raises :class:`JobCancelled` once a cancellation was requested. Work that writes does so
in one short transaction at its end, so a cancelled or dead job leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from zjtx.apps.jobs.models import Job

log = logging.getLogger("zjtx.jobs")

MAX_ATTEMPTS = 2  # a job whose worker died is re-queued once, then marked failed
PROGRESS_EVERY = 0.5  # seconds between progress writes


class JobCancelled(Exception):
    """Raised by :meth:`JobHandle.progress` when the job was cancelled; the job's writes roll back."""


class JobError(Exception):
    """A failure to show the user as it is (a Chinese message)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class JobHandle:
    """What a running job function sees: its row, progress reporting and the cancellation check."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0

    @property
    def pk(self) -> Any:
        return self.job.pk

    @property
    def user(self) -> Any:
        return self.job.created_by

    def progress(self, processed: int, total: int | None = None, message: str | None = None,
                 *, force: bool = False) -> None:
        """Record progress (at most every half second unless ``force``); raise :class:`JobCancelled`
        when a cancellation was requested."""
        now = time.monotonic()
        fields: dict[str, Any] = {"processed": processed, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message[:300]
        if not force and now - self._last < PROGRESS_EVERY and total is None and message is None:
            return
        self._last = now
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for k, v in fields.items():
            setattr(self.job, k, v)
        self.check_cancel()

    def check_cancel(self) -> None:
        if Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists():
            raise JobCancelled


def job_task(fn: Callable[..., dict[str, Any] | None]) -> Any:
    """Declare a job function ``fn(job: JobHandle, **args) -> result dict`` as a queue task (by its own
    module path, so the worker finds it)."""

    @functools.wraps(fn)
    def runner(job_id: str) -> str:
        return run_job(job_id, fn)

    return task()(runner)


def submit(job_task_obj: Any, *, user: Any = None, kind: str = Job.Kind.OTHER, title: str,
           total: int = 0, schedule_key: str | None = None, **args: Any) -> Job:
    """Create a :class:`Job` and put it on the queue (the worker picks it up)."""
    path = f"{job_task_obj.func.__module__}.{job_task_obj.func.__qualname__}"
    job = Job.objects.create(kind=kind, title=title[:200], created_by=user if getattr(user, "pk", None) else None,
                             task_path=path, args=args, total=total, schedule_key=schedule_key,
                             message="排队中，等待后台进程执行")
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    result = import_string(job.task_path).enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))


def close_old_connections() -> None:
    """Drop broken or expired database connections between jobs — never inside a transaction (a worker
    pass run inside a test's transaction keeps its connection; a real worker is never inside one)."""
    from django.db import close_old_connections as close_old
    from django.db import connection

    if not connection.in_atomic_block:
        close_old()


def run_job(job_id: str, fn: Callable[..., dict[str, Any] | None]) -> str:
    """Run one job in this process: mark it running, call ``fn``, record the outcome. Never raises."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, cancel_requested=False).update(
        status=Job.Status.RUNNING, worker=worker_name(), started_at=timezone.now(), heartbeat_at=timezone.now(),
        message="运行中")
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return "missing"
    if not claimed:  # cancelled while queued, or a stale queue entry of a job already handled
        if job.status == Job.Status.QUEUED and job.cancel_requested:
            _finish(job, Job.Status.CANCELLED, message="已取消（未开始执行）")
        return job.status
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    handle = JobHandle(job)
    try:
        result = fn(handle, **(job.args or {})) or {}
    except JobCancelled:
        _finish(job, Job.Status.CANCELLED, message="已取消，未写入任何数据")
    except JobError as exc:
        _finish(job, Job.Status.FAILED, error=str(exc))
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.task_path)
        _finish(job, Job.Status.FAILED, error=f"执行失败（已回滚，未写入任何数据）：{exc}"[:2000])
    else:
        _finish(job, Job.Status.DONE, result=result, message="已完成")
    finally:
        close_old_connections()
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def _finish(job: Job, status: str, *, result: dict[str, Any] | None = None, error: str = "",
            message: str = "") -> None:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    fields: dict[str, Any] = {"status": status, "finished_at": timezone.now(), "error": error,
                              "message": message}
    if result is not None:
        fields["result"] = json.loads(json.dumps(result, cls=DjangoJSONEncoder, default=str))
    for attempt in range(5):  # the database may be busy for a moment (SQLite, one writer)
        try:
            Job.objects.filter(pk=job.pk).update(**fields)
            return
        except Exception:
            if attempt == 4:
                raise
            time.sleep(0.5 * (attempt + 1))


# What becomes of the record a job works on (an import, a run) when the job ends without running its
# function to the end — cancelled in the queue, or abandoned by a dead worker: kind → hook(args, status, reason).
END_HOOKS = {
    Job.Kind.IMPORT: "zjtx.apps.enterprises.importer.job_ended",
    Job.Kind.EVALUATION: "zjtx.apps.evaluations.services.job_ended",
}


def _ended(job: Job, status: str, reason: str) -> None:
    path = END_HOOKS.get(job.kind)
    if path:
        try:
            import_string(path)(job.args or {}, status, reason)
        except Exception:
            log.exception("end hook of job %s failed", job.pk)


def cancel(job: Job) -> Job:
    """Cancel a queued job at once; ask a running one to stop (it rolls back at its next progress)."""
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELLED, cancel_requested=True, finished_at=timezone.now(), message="已取消（未开始执行）"):
        _ended(job, Job.Status.CANCELLED, "已取消（未开始执行）")
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(cancel_requested=True, message="正在取消…")
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------ restart recovery

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_dead(job: Job, now: dt.datetime | None = None) -> bool:
    """Whether the process running ``job`` is gone: on this host, its pid no longer exists; elsewhere,
    no heartbeat for ``ZJTX_JOB_STALE_SECONDS`` (default 900)."""
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) != os.getpid() and not _pid_alive(int(pid))
    stale = int(getattr(settings, "ZJTX_JOB_STALE_SECONDS", 900))
    beat = job.heartbeat_at or job.started_at
    return beat is None or (now or timezone.now()) - beat > dt.timedelta(seconds=stale)


def recover() -> list[Job]:
    """Jobs left running by a worker that died: re-queued once (their writes were rolled back), then
    marked failed with the reason. Returns the jobs touched."""
    touched = []
    for job in Job.objects.filter(status=Job.Status.RUNNING):
        if not worker_dead(job):
            continue
        _fail_queue_entry(job)
        if job.cancel_requested:
            _finish(job, Job.Status.CANCELLED, message="已取消（执行进程已退出，未写入任何数据）")
            _ended(job, Job.Status.CANCELLED, "已取消（执行进程已退出，未写入任何数据）")
        elif job.attempts < MAX_ATTEMPTS:
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.QUEUED, worker="", message=f"后台进程在执行中退出（{job.worker}），已自动重新排队")
            _enqueue(job)
            log.warning("job %s re-queued after its worker %s died", job.pk, job.worker)
        else:
            reason = (f"后台进程在执行中退出（可能是服务器重启或内存不足），已重试 {job.attempts} 次仍未完成；"
                      "未写入任何数据，请重新提交")
            _finish(job, Job.Status.FAILED, error=reason)
            _ended(job, Job.Status.FAILED, reason)
            log.warning("job %s failed: its worker %s died %s times", job.pk, job.worker, job.attempts)
        job.refresh_from_db()
        touched.append(job)
    return touched


def _fail_queue_entry(job: Job) -> None:
    from django_tasks_db.models import DBTaskResult

    if job.task_id:
        DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
            status="FAILED", finished_at=timezone.now(), exception_class_path="zjtx.apps.jobs.WorkerDied",
            traceback="worker process exited while running the task")


# ------------------------------------------------------------------ scheduled work

# Scheduled work of the job system itself (``ZJTX_SCHEDULE`` may move it, or switch it off with ``None``):
# the nightly clean-up of expired exports, after the other daily passes (02:00, 03:00).
BUILTIN_SCHEDULE: dict[str, dict[str, Any]] = {
    "jobs.exports": {"task": "zjtx.apps.jobs.tasks.expire_exports", "at": "04:30",
                     "title": "每日例行：清理过期的导出文件"},
}


def schedules() -> dict[str, dict[str, Any]]:
    """``ZJTX_SCHEDULE``: key → {"task": dotted path of a job task, "at": "HH:MM" (local time), "title"},
    plus :data:`BUILTIN_SCHEDULE` (a key set to ``None`` in the setting switches that entry off)."""
    merged = {**BUILTIN_SCHEDULE, **(getattr(settings, "ZJTX_SCHEDULE", {}) or {})}
    return {k: dict(v) for k, v in merged.items() if v}


def due_schedules(now: dt.datetime | None = None) -> list[Job]:
    """Submit each scheduled task whose time of day has come and that has not run for today yet
    (a day missed while the worker was down runs when it starts). One job per key and day, even with
    several workers (a unique slot key)."""
    now = timezone.localtime(now or timezone.now())
    out = []
    for key, spec in schedules().items():
        hh, mm = (int(x) for x in str(spec.get("at", "02:00")).split(":"))
        if (now.hour, now.minute) < (hh, mm):
            continue
        slot = f"{key}@{now.date().isoformat()}"
        if Job.objects.filter(schedule_key=slot).exists():
            continue
        try:
            with transaction.atomic():
                out.append(submit(import_string(spec["task"]), kind=Job.Kind.SCHEDULED, schedule_key=slot,
                                  title=f"{spec.get('title') or key}（{now.date().isoformat()}）",
                                  on=now.date().isoformat()))
        except IntegrityError:  # another worker submitted it first
            continue
    return out


def status_json(job: Job) -> dict[str, Any]:
    """The JSON the progress bar polls (site.js ``data-poll-url``)."""
    return {"id": str(job.pk), "status": job.status, "status_label": job.get_status_display(),
            "processed": job.processed, "total": job.total, "percent": job.percent, "message": job.message,
            "outcome": job.outcome, "error": job.error, "url": job.result.get("url", ""),
            "expired": bool(job.result.get("expired"))}


# 2026-12-03: a background export (its file under ``DATA_DIR/exports``) is kept this many days after the
# job finished, then deleted by the nightly pass and its download shown as 已过期. Exports hold registry
# data, often personal contacts (audited as bulk reads): kept no longer than a week's follow-up needs.
# Setting ``ZJTX_EXPORT_KEEP_DAYS`` overrides it.
EXPORT_KEEP_DAYS = 7


def export_keep_days() -> int:
    return int(getattr(settings, "ZJTX_EXPORT_KEEP_DAYS", EXPORT_KEEP_DAYS))


def expire_exports(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the files of exports finished more than :func:`export_keep_days` ago, mark their jobs'
    downloads as expired (``result["expired"]``, no link any more), and delete files in the export folder
    older than that which no job refers to. Returns counts of jobs expired and files deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=export_keep_days())
    folder = export_dir().resolve()
    expired = deleted = 0
    kept: set[str] = set()
    for job in Job.objects.filter(result__has_key="file").only("pk", "result", "finished_at", "status"):
        path = Path(str(job.result.get("file") or ""))
        if job.result.get("expired"):
            continue
        if job.finished_at is None or job.finished_at >= cutoff:
            kept.add(path.name)
            continue
        if path.is_file() and path.resolve().is_relative_to(folder):
            path.unlink()
            deleted += 1
        result = {k: v for k, v in job.result.items() if k != "url"}
        result.update(expired=True, expired_at=now.isoformat())
        Job.objects.filter(pk=job.pk).update(result=result)
        expired += 1
    for path in folder.iterdir():  # left by a job record deleted since, or by an interrupted job
        if path.is_file() and path.name not in kept and path.stat().st_mtime < cutoff.timestamp():
            path.unlink()
            deleted += 1
    log.info("已清理过期的导出：%s 个任务，删除文件 %s 个", expired, deleted)
    return {"jobs": expired, "files": deleted}


def export_dir() -> Path:
    """Where finished exports are kept (``ZJTX_DATA_DIR/exports``)."""
    path = Path(settings.DATA_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def suffix_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1] if "." in filename else "bin"


def save_export(job: JobHandle, data: bytes, filename: str, text: str) -> dict[str, Any]:
    """Write an export's bytes for ``job`` and return the job result with its download link."""
    from django.urls import reverse

    from zjtx.apps.accounts.audit import audit_context
    from zjtx.apps.enterprises.exports import audit_export

    with audit_context(job.user, f"job-{job.pk}", "job"):  # an export is audited as one from the page
        audit_export(f"/jobs/{job.pk}/download/", suffix_of(filename), filename.rsplit(".", 1)[0], None)
    suffix = suffix_of(filename)
    path = export_dir() / f"{job.pk}.{suffix}"
    path.write_bytes(data)
    return {"text": text, "file": str(path), "filename": filename, "bytes": len(data),
            "url": reverse("jobs:download", args=[job.pk])}
