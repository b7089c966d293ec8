"""Signals: new annual data re-check the enterprise's 一企一策 plans (on the task queue)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def annual_report_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of ``enterprises.AnnualReport``: queue a re-check of the open plans (none: nothing).
    The gap solver never runs in the saving request; the worker runs it after the save commits."""
    if kwargs.get("raw"):
        return
    from zjtx.apps.cultivation.tasks import submit_recheck

    submit_recheck([instance.enterprise_id])  # the queue entry commits (or rolls back) with the save


def connect() -> None:
    from zjtx.apps.enterprises.models import AnnualReport

    post_save.connect(annual_report_saved, sender=AnnualReport, dispatch_uid="zjtx-cultivation-recheck-plans")
