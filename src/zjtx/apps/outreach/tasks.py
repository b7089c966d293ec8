"""Background entry points of the outreach passes (Django tasks API through the django-tasks
backport). Each is a thin wrapper of a plain service function; arguments are JSON (ISO dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task


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
