"""The job system: imports, runs and exports on the task queue (django-tasks' database backend) run by
the worker loop of ``zjtx worker``; cancellation, restart recovery, two imports submitted together,
an edit during an import, the daily schedule, the per-user job pages — and no threads in the web
process."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading

import pytest
from django.urls import reverse
from webtest_helpers import row, uscc, xlsx

from zjtx.apps.enterprises import importer
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, ImportJob
from zjtx.apps.jobs import services
from zjtx.apps.jobs.models import Job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def queue(settings):
    """The production queue: jobs wait in the database until the worker loop runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ZJTX_IMPORT_SYNC_ROWS = 0  # every import goes to the queue


def work() -> None:
    """One pass of the worker (``zjtx worker --once``): recovery, then every ready task."""
    from zjtx.commands.worker import run_worker

    run_worker(once=True, schedule=False, signals=False)


@pytest.fixture
def staff(make_user):
    return make_user("staff", "city_staff")


def _row(seq: int, **over: object) -> list:
    values = dict(uscc=uscc(seq), name=f"中山市队列{seq}号科技有限公司", division="小榄镇", industry="C3919",
                  year=2024, source="税务", employees=100, revenue=50_000_000)
    values.update(over)
    return row(**values)


def _import(user, seqs, **over) -> ImportJob:
    job = importer.create_job(user, "队列.xlsx", xlsx([_row(i, **over) for i in seqs]))
    assert job.status == ImportJob.Status.READY, job.errors
    return importer.confirm(job)


def test_import_waits_in_the_queue_and_the_worker_applies_it(staff, client) -> None:
    imp = _import(staff, range(1, 21))
    assert imp.status == ImportJob.Status.QUEUED and not Enterprise.objects.exists()
    job = importer.queue_job(imp)
    assert job.status == Job.Status.QUEUED and job.total == 20 and job.created_by == staff
    client.force_login(staff)
    assert client.get(reverse("jobs:status", args=[job.pk])).json()["status"] == "queued"
    work()
    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == Job.Status.DONE and imp.status == ImportJob.Status.DONE, (job.error, imp.errors)
    assert Enterprise.objects.count() == 20 and AnnualReport.objects.count() == 20
    data = client.get(reverse("jobs:status", args=[job.pk])).json()
    assert data["status"] == "done" and data["percent"] == 100 and "导入完成：企业年报 20 行" in data["outcome"]
    page = client.get(reverse("jobs:list")).content.decode()
    assert "导入 队列.xlsx" in page and "已完成" in page and "导入完成" in page


def test_two_imports_submitted_together_both_land(staff, make_user) -> None:
    other = make_user("staff2", "city_staff")
    a = _import(staff, range(1, 31), employees=100)
    b = _import(other, range(21, 51), employees=200)  # rows 21–30 in both files: the later import wins
    assert a.status == b.status == ImportJob.Status.QUEUED
    work()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == b.status == ImportJob.Status.DONE, (a.errors, b.errors)
    assert Enterprise.objects.count() == 50
    employees = dict(AnnualReport.objects.values_list("enterprise__uscc", "employees"))
    assert employees[uscc(1)] == 100 and employees[uscc(25)] == 200 and employees[uscc(50)] == 200
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.DONE}


def test_an_edit_during_an_import_succeeds_and_is_kept(staff, client, monkeypatch) -> None:
    from zjtx.apps.enterprises.forms import EnterpriseForm

    client.force_login(staff)
    _import(staff, [1, 2, 3])
    work()
    ent = Enterprise.objects.get(uscc=uscc(2))
    imp = importer.create_job(staff, "更新.xlsx", xlsx([_row(i, employees=300) for i in (1, 2, 3)]))
    importer.confirm(imp)
    edits = []
    real_stage = importer.stage

    def stage_while_someone_edits(result, **kw):
        staged = real_stage(result, **kw)
        if not edits:  # between staging and commit, an officer saves the enterprise page
            form = EnterpriseForm(instance=Enterprise.objects.get(pk=ent.pk))
            data = {k: v for k, v in form.initial.items() if v is not None and k not in ("raw", "provenance")}
            data.update({"uscc": ent.uscc, "contact_name": "李四", "division": "442000118",
                         "record_version": Enterprise.objects.get(pk=ent.pk).version})
            resp = client.post(reverse("enterprises:edit", args=[ent.uscc]), data)
            edits.append(resp.status_code)
        return staged

    monkeypatch.setattr(importer, "stage", stage_while_someone_edits)
    work()
    imp.refresh_from_db()
    assert edits == [302]  # the edit succeeded
    assert imp.status == ImportJob.Status.DONE, imp.errors
    ent.refresh_from_db()
    assert ent.contact_name == "李四"  # the edit is kept (the import staged again from the current data)
    assert AnnualReport.objects.get(enterprise=ent).employees == 300  # and the import landed


def test_cancel_a_queued_job_from_the_jobs_page(staff, client) -> None:
    imp = _import(staff, range(1, 6))
    job = importer.queue_job(imp)
    client.force_login(staff)
    resp = client.post(reverse("jobs:cancel", args=[job.pk]))
    assert resp.status_code == 302
    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and imp.status == ImportJob.Status.CANCELLED
    work()  # the queue entry is skipped
    assert not Enterprise.objects.exists()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and job.outcome == "已取消（未开始执行）"


def test_cancel_a_running_import_rolls_back(staff, monkeypatch) -> None:
    imp = _import(staff, range(1, 11))
    job = importer.queue_job(imp)
    real_stage = importer.stage

    def stage_then_cancel(result, **kw):
        progress = kw["progress"]

        def wrapped(done: int) -> None:
            if done == 5:
                services.cancel(Job.objects.get(pk=job.pk))  # the user presses 取消 while it runs
            progress(done)

        return real_stage(result, **{**kw, "progress": wrapped})

    monkeypatch.setattr(importer, "stage", stage_then_cancel)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 0)
    work()
    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == Job.Status.CANCELLED and imp.status == ImportJob.Status.CANCELLED
    assert job.outcome == "已取消，未写入任何数据" and not Enterprise.objects.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_restart_recovery_requeues_a_job_whose_worker_died(staff) -> None:
    imp = _import(staff, range(1, 6))
    job = importer.queue_job(imp)
    # a worker claimed it and died (kill -9, power loss): the queue entry and the job say RUNNING
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1,
                                         worker=f"{socket.gethostname()}:{_dead_pid()}")
    ImportJob.objects.filter(pk=imp.pk).update(status=ImportJob.Status.RUNNING)
    work()  # the new worker recovers it first, then runs it
    job.refresh_from_db()
    imp.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2, job.error
    assert imp.status == ImportJob.Status.DONE and Enterprise.objects.count() == 5
    assert DBTaskResult.objects.filter(status="RUNNING").count() == 0


def test_restart_recovery_gives_up_with_a_chinese_reason(staff) -> None:
    from zjtx.apps.evaluations.models import EvaluationRun, RunEnterprise
    from zjtx.apps.evaluations.services import create_run, start_run

    run = start_run(create_run(staff, dt.date(2025, 6, 30)), background=True)
    assert run.status == EvaluationRun.Status.QUEUED
    job = Job.objects.get(kind=Job.Kind.EVALUATION)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=services.MAX_ATTEMPTS,
                                         worker=f"{socket.gethostname()}:{_dead_pid()}")
    EvaluationRun.objects.filter(pk=run.pk).update(status=EvaluationRun.Status.RUNNING)
    assert [j.pk for j in services.recover()] == [job.pk]
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == Job.Status.FAILED and "后台进程在执行中退出" in job.error and "请重新提交" in job.error
    assert run.status == EvaluationRun.Status.FAILED and run.error == job.error
    assert not RunEnterprise.objects.filter(run=run).exists()
    # a live worker's job is left alone
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, worker=services.worker_name())
    assert services.recover() == []


def test_a_job_of_another_host_is_recovered_only_when_its_heartbeat_is_stale(staff, settings) -> None:
    from django.utils import timezone

    job = Job.objects.create(title="他机任务", task_path="x.y", status=Job.Status.RUNNING, worker="other-host:12",
                             heartbeat_at=timezone.now())
    assert not services.worker_dead(job)
    job.heartbeat_at = timezone.now() - dt.timedelta(seconds=settings.ZJTX_JOB_STALE_SECONDS + 1)
    assert services.worker_dead(job)


def test_evaluation_run_on_the_queue_with_progress_and_cancel(staff, client) -> None:
    from zjtx.apps.evaluations.models import EvaluationRun
    from zjtx.apps.evaluations.services import create_run, start_run

    _import(staff, range(1, 4))
    work()
    run = start_run(create_run(staff, dt.date(2025, 6, 30)), background=True)
    client.force_login(staff)
    page = client.get(reverse("evaluations:run", args=[run.pk])).content.decode()
    assert "取消评价" in page
    work()
    run.refresh_from_db()
    assert run.status == EvaluationRun.Status.DONE and run.total == 3
    job = Job.objects.get(kind=Job.Kind.EVALUATION)
    assert job.status == Job.Status.DONE and job.processed == job.total == 3
    assert job.result["link"] == f"/evaluations/runs/{run.pk}/"


def test_the_daily_pass_is_scheduled_once_a_day_and_run_by_the_worker(settings) -> None:
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    early = dt.datetime(2026, 12, 3, 1, 30, tzinfo=tz)
    late = dt.datetime(2026, 12, 3, 2, 30, tzinfo=tz)
    assert services.due_schedules(early) == []
    jobs = services.due_schedules(late)
    assert [j.schedule_key for j in jobs] == ["cultivation.daily@2026-12-03"]
    assert services.due_schedules(late) == []  # once a day
    work()
    job = Job.objects.get()
    assert job.status == Job.Status.DONE and job.kind == Job.Kind.SCHEDULED, job.error
    assert job.result["text"].startswith("每日例行（2026-12-03）") and "到期与申报提醒" in job.result["text"]


def test_jobs_are_listed_per_user(staff, make_user, client) -> None:
    imp = _import(staff, [1])
    job = importer.queue_job(imp)
    other = make_user("other", "city_staff")
    client.force_login(other)
    assert "队列.xlsx" not in client.get(reverse("jobs:list")).content.decode()
    assert client.get(reverse("jobs:status", args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 404
    client.force_login(staff)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "data-poll-url" in page and "取消任务" in page and "<script>" not in page


def test_no_threads_are_started_in_the_web_process(staff, client, settings) -> None:
    """Large imports and runs started from the pages go to the queue: the web process starts no thread."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ZJTX_EVAL_SYNC_ENTERPRISES = -1  # every run goes to the queue

    before = set(threading.enumerate())
    client.force_login(staff)
    resp = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile("a.xlsx", xlsx([_row(1), _row(2)]))})
    imp = ImportJob.objects.get()
    client.post(reverse("enterprises:import_confirm", args=[imp.pk]))
    client.post("/evaluations/runs/", {"on": "2025-06-30"})
    assert resp.status_code == 302 and Job.objects.count() == 2
    assert set(threading.enumerate()) == before
    src = os.path.join(os.path.dirname(importer.__file__), "..", "..")
    found = subprocess.run(["grep", "-rn", "--include=*.py", "threading.Thread(", os.path.normpath(src)],
                           capture_output=True, text=True).stdout
    assert found == ""


def test_the_dashboard_opens_on_the_official_run_and_reads_its_aggregate(staff, make_user, client) -> None:
    from zjtx.apps.evaluations.models import RunAggregate
    from zjtx.apps.evaluations.services import create_run, execute_run, latest_run, mark_official

    _import(staff, range(1, 4))
    work()
    city = mark_official(execute_run(create_run(staff, dt.date(2025, 6, 30), name="全市").pk))
    town = make_user("town", "town_officer", division="442000118")
    own = execute_run(create_run(town, dt.date(2025, 6, 30), name="镇街自查").pk)
    assert own.pk > city.pk and latest_run(town) == city and latest_run(staff) == city
    with pytest.raises(ValueError, match="全市评价批次"):
        mark_official(own)
    client.force_login(staff)
    page = client.get(reverse("evaluations:dashboard")).content.decode()
    assert "全市正式批次" in page and f"批次 #{city.pk}" in page
    assert RunAggregate.objects.filter(run=city, key__startswith="dashboard:all:").count() == 1
    client.get(reverse("evaluations:dashboard"))  # read back, not computed again
    assert RunAggregate.objects.filter(run=city).count() == 2  # dashboard + trends
    _import(staff, [4])  # the registry changes: the numbers are computed again
    work()
    page = client.get(reverse("evaluations:dashboard")).content.decode()
    assert RunAggregate.objects.filter(run=city, key__startswith="dashboard:all:").count() == 1


def test_the_briefing_is_computed_once_per_registry_version(staff, client, monkeypatch) -> None:
    from zjtx.apps.evaluations.views import briefing

    _import(staff, range(1, 4))
    work()
    client.force_login(staff)
    def sentences() -> str:
        page = client.get("/evaluations/briefing/?year=2024").content.decode()
        return page[page.index('<div id="briefing">'):page.index("</div>", page.index('<div id="briefing">'))]

    first = sentences()
    calls = []
    real = briefing.build_briefing
    monkeypatch.setattr(briefing, "build_briefing", lambda *a: calls.append(1) or real(*a))
    assert sentences() == first and calls == []
    _import(staff, [4])
    work()
    client.get("/evaluations/briefing/?year=2024")
    assert calls == [1]  # the registry changed: computed again


def test_exports_expire_after_the_keeping_period_in_the_nightly_pass(staff, client, settings, tmp_path) -> None:
    """An export's file is deleted by the nightly pass once kept ``EXPORT_KEEP_DAYS`` days; its job then
    shows 下载已过期 instead of a link, and the download answers 404. Newer exports stay."""
    import os

    from django.utils import timezone

    settings.DATA_DIR = str(tmp_path)
    assert services.export_keep_days() == services.EXPORT_KEEP_DAYS == 7
    tz = timezone.get_current_timezone()
    night = dt.datetime(2026, 12, 3, 4, 40, tzinfo=tz)
    jobs, files = {}, {}
    for name, age in (("旧导出", 8), ("新导出", 6)):
        job = Job.objects.create(kind=Job.Kind.EXPORT, title=name, created_by=staff, task_path="x",
                                 status=Job.Status.DONE, finished_at=night - dt.timedelta(days=age))
        result = services.save_export(services.JobHandle(job), b"PK-data", f"{name}.xlsx", f"{name}：10 行")
        Job.objects.filter(pk=job.pk).update(result=result)
        jobs[name], files[name] = job, result["file"]
    stray_old = services.export_dir() / "stray-old.csv"
    stray_new = services.export_dir() / "stray-new.csv"
    for path, age in ((stray_old, 8), (stray_new, 1)):
        path.write_bytes(b"x")
        stamp = (night - dt.timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))
    client.force_login(staff)
    assert client.get(reverse("jobs:download", args=[jobs["旧导出"].pk])).status_code == 200
    early = services.due_schedules(night - dt.timedelta(hours=1))  # 03:40: the other daily passes only
    assert early and not [j for j in early if j.schedule_key.startswith("jobs.")]
    assert [j.schedule_key for j in services.due_schedules(night) if j.schedule_key.startswith("jobs.")] == [
        "jobs.exports@2026-12-03"]
    Job.objects.filter(kind=Job.Kind.SCHEDULED).exclude(schedule_key__startswith="jobs.").delete()
    real_now = timezone.now
    timezone.now = lambda: night  # the pass runs that night
    try:
        work()
    finally:
        timezone.now = real_now
    nightly = Job.objects.get(schedule_key="jobs.exports@2026-12-03")
    assert nightly.status == Job.Status.DONE, nightly.error
    assert nightly.result["jobs"] == 1 and nightly.result["files"] == 2
    assert "1 个导出已过期（保留 7 天）" in nightly.result["text"]
    old, new = (Job.objects.get(pk=jobs[n].pk) for n in ("旧导出", "新导出"))
    assert old.download_expired and "url" not in old.result and not os.path.exists(files["旧导出"])
    assert not new.download_expired and os.path.exists(files["新导出"])
    assert not stray_old.exists() and stray_new.exists()
    page = client.get(reverse("jobs:list")).content.decode()
    row_old = next(r for r in page.split("<tr>") if "旧导出" in r)
    row_new = next(r for r in page.split("<tr>") if "新导出" in r)
    assert "下载已过期" in row_old and "/download/" not in row_old
    assert "下载已过期" not in row_new and f"/jobs/{new.pk}/download/" in row_new
    assert "下载已过期" in client.get(reverse("jobs:detail", args=[old.pk])).content.decode()
    assert client.get(reverse("jobs:download", args=[old.pk])).status_code == 404
    assert client.get(reverse("jobs:download", args=[new.pk])).status_code == 200
    assert services.status_json(old)["expired"] is True and services.status_json(old)["url"] == ""
    assert services.expire_exports(night) == {"jobs": 0, "files": 0}  # nothing left to do
