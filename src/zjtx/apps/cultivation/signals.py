"""Signals: new annual data re-check the enterprise's 一企一策 plans."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save


def annual_report_saved(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    """``post_save`` of ``enterprises.AnnualReport``: re-check open plans (cheap when there are none)."""
    if kwargs.get("raw"):
        return
    from zjtx.apps.cultivation.models import Plan
    from zjtx.apps.cultivation.plans import recheck_plans

    if not Plan.objects.filter(enterprise_id=instance.enterprise_id, status=Plan.Status.OPEN).exists():
        return
    recheck_plans(instance.enterprise)


def connect() -> None:
    from zjtx.apps.enterprises.models import AnnualReport

    post_save.connect(annual_report_saved, sender=AnnualReport, dispatch_uid="zjtx-cultivation-recheck-plans")
