"""Where the outreach passes read what the platform knows: the latest city-wide evaluation run
(catalog parameters, whole register), created and executed when there is none recent enough."""

from __future__ import annotations

import datetime as dt

from zjtx.apps.evaluations.models import EvaluationRun

MAX_AGE_DAYS = 31


def latest_run(on: dt.date | None = None) -> EvaluationRun | None:
    """The newest finished city-wide run under the catalog's parameters dated on or before ``on``."""
    qs = EvaluationRun.objects.filter(status=EvaluationRun.Status.DONE, parameter_set="catalog",
                                      reform__isnull=True, division="")
    if on is not None:
        qs = qs.filter(on__lte=on)
    for run in qs.order_by("-on", "-finished_at", "-id")[:20]:
        if not run.filters and run.created_by_id is None or not run.filters and _city_wide(run):
            return run
    return None


def _city_wide(run: EvaluationRun) -> bool:
    from zjtx.apps.accounts import scope

    return scope.role_of(run.created_by) in scope.READ_ALL


def ensure_run(on: dt.date, max_age_days: int = MAX_AGE_DAYS) -> EvaluationRun:
    """The latest run no older than ``max_age_days`` before ``on``; otherwise a new one, executed now."""
    from zjtx.apps.evaluations.services import create_run, execute_run

    run = latest_run(on)
    if run is not None and (on - run.on).days <= max_age_days:
        return run
    run = create_run(None, on, name=f"政策直达 {on:%Y-%m-%d} 自动评价")
    run = execute_run(run.pk)
    if run.status != EvaluationRun.Status.DONE:
        raise RuntimeError(f"评价批次 #{run.pk} 未完成：{run.error}")
    return run
