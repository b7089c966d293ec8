"""Background entry points of the outreach passes (Django tasks API through the django-tasks
backport). Each is a thin wrapper of a plain service function; arguments are JSON (ISO dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from zjtx.apps.jobs.services import JobHandle, job_task


def _day(on: str | None) -> dt.date:
    from django.utils import timezone

    return dt.date.fromisoformat(on) if on else timezone.localdate()


@task()
def warnings_pass(on: str | None = None) -> dict[str, Any]:
    """预警 pass as of ``on`` (default today)."""
    from zjtx.apps.outreach.prewarn import run_warnings

    res = run_warnings(_day(on))
    return {**res, "new": len(res["new"])}


@task()
def notices_pass(on: str | None = None) -> dict[str, Any]:
    """Warnings, then targeted notices and their deliveries, as of ``on`` (default today)."""
    from zjtx.apps.outreach.notices import run_notices

    res = run_notices(_day(on))
    if res.get("warnings"):
        res["warnings"] = {**res["warnings"], "new": len(res["warnings"]["new"])}
    return res


@task()
def send_pending_emails() -> int:
    """E-mails held back by quiet hours, sent once the hours are over."""
    from zjtx.apps.outreach.mailer import send_pending

    return send_pending()


@task()
def exempt_batch(benefit: str, year: int, on: str | None = None) -> dict[str, Any]:
    """Build a 免申即享 batch (eligible list and confirmation notices)."""
    from zjtx.apps.outreach.exempt import create_batch

    batch = create_batch(benefit, year, _day(on))
    return {"batch": batch.pk, "items": batch.items.count()}



@job_task
def daily_pass(job: JobHandle, on: str) -> dict[str, Any]:
    """The worker's daily outreach pass (``ZJTX_SCHEDULE["outreach.daily"]``): warnings, then the notices
    due today and their e-mails, as a job listed on the 后台任务 page."""
    from zjtx.apps.outreach.notices import run_notices

    job.progress(0, 1, f"政策直达（{on}）：预警、定向通知与邮件")
    res = run_notices(_day(on))
    warned = res.get("warnings") or {}
    new = warned.get("new", 0)
    new = len(new) if isinstance(new, list) else int(new or 0)
    return {"text": f"政策直达每日例行（{on}）：新预警 {new} 条，通知 {res.get('notices', 0)} 条",
            "notices": res.get("notices", 0), "new_warnings": new, "run": res.get("run"),
            "link": "/outreach/", "link_text": "查看政策直达"}
