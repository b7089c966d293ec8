"""``zjtx worker`` — the background worker: runs the queued jobs (imports, evaluation runs, exports,
plan re-checks) and the scheduled work, one at a time, and recovers jobs left running by a worker
that died. ``zjtx demo`` / ``zjtx serve`` start it beside the web server."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from zjtx.commands.common import console


def worker(
    interval: Annotated[float, typer.Option(help="队列为空时的轮询间隔（秒）", min=0.1)] = 1.0,
    once: Annotated[bool, typer.Option("--once", help="处理完当前队列后退出（不等待新任务）")] = False,
    no_schedule: Annotated[bool, typer.Option("--no-schedule", help="不提交定时任务")] = False,
) -> None:
    """后台任务进程：执行排队的导入、评价、导出等任务与定时任务；重启时恢复中断的任务。"""
    from zjtx.commands.demo import _django

    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    run_worker(interval=interval, once=once, schedule=not no_schedule)


def run_worker(*, interval: float = 1.0, once: bool = False, schedule: bool = True, signals: bool = True) -> None:
    """The worker loop (django-tasks-db's worker in batch passes, with recovery and the schedule between)."""
    import logging

    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.management.commands.db_worker import Worker

    from zjtx.apps.jobs import services
    from zjtx.apps.jobs.services import close_old_connections

    # the queue's own worker drops old connections between tasks the same way (a real worker is never
    # inside a transaction, so this changes nothing there)
    db_worker.close_old_connections = close_old_connections
    logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
    worker_id = services.worker_name()
    w = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
               max_tasks=None, worker_id=worker_id, excluded_queue_names=[])
    if signals:  # SIGTERM/SIGINT: finish the running task, then stop
        w.configure_signals()
    console.print(f"后台任务进程已启动（{worker_id}）")
    while w.running:
        close_old_connections()
        for job in services.recover():
            console.print(f"恢复中断的任务：{job.title} → {job.get_status_display()}")
        if schedule:
            for job in services.due_schedules():
                console.print(f"定时任务已提交：{job.title}")
        w.run()  # every ready task, then back here
        if once:
            return
        close_old_connections()
        if w.running:
            time.sleep(interval)


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
