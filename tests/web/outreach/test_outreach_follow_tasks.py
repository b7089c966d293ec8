"""Follow-through states and the league table by town; the passes as tasks (django-tasks, the
ImmediateBackend when no TASKS setting is present) and from the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zjtx.apps.outreach import follow
from zjtx.apps.outreach.models import EarlyWarning, Notice

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 10, 20)


def _warning(ent, key: str) -> EarlyWarning:
    return EarlyWarning.objects.create(enterprise=ent, kind="jump", key=key, title=key, first_on=DAY, last_on=DAY)


def test_states_move_forward_only(registry) -> None:
    w = _warning(registry["A"], "w1")
    follow.advance(w, "acted", "已电话联系企业")
    w.refresh_from_db()
    assert (w.state, w.state_note) == ("acted", "已电话联系企业") and w.seen_at and w.acted_at and not w.resolved_at
    with pytest.raises(ValidationError, match="只能向前推进"):
        follow.advance(w, "new")
    with pytest.raises(ValidationError, match="无效"):
        follow.advance(w, "done")
    follow.advance(w, "resolved")
    assert w.state == "resolved" and w.resolved_at is not None


def test_league_table_by_town(client, registry, users) -> None:
    a, d, b = registry["A"], registry["D"], registry["B"]  # A, D in 小榄; B in 古镇
    for i, ent in enumerate((a, a, d, b, b)):
        _warning(ent, f"k{i}")
    for w in EarlyWarning.objects.filter(enterprise=b):
        follow.advance(w, "resolved")
    follow.advance(EarlyWarning.objects.filter(enterprise=a).first(), "seen")
    rows = follow.league(EarlyWarning.objects.all())
    assert [(r["rank"], r["division"], r["total"], r["rate_text"]) for r in rows] == [
        (1, "古镇镇", 2, "100.0%"), (2, "小榄镇", 3, "0.0%")]
    client.force_login(users["staff"])
    page = client.get("/outreach/league/").content.decode()
    assert "跟进排行" in page and "古镇镇" in page and "100.0%" in page
    client.force_login(users["xiaolan"])  # a town officer sees its own town only
    page = client.get("/outreach/league/").content.decode()
    assert "小榄镇" in page and "古镇镇" not in page


def test_passes_run_as_tasks(run, users, registry, settings) -> None:
    from zjtx.apps.outreach import tasks

    if not hasattr(settings, "TASKS"):
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = tasks.notices_pass.enqueue(DAY.isoformat())
    assert result.status == "SUCCESSFUL", result
    out = result.return_value
    from zjtx.apps.evaluations.models import EvaluationRun

    # the run of 2025-06-30 is older than a month on 2025-10-20: the pass evaluates the city afresh
    fresh = EvaluationRun.objects.latest("id")
    assert out["run"] == fresh.pk != run.pk and fresh.on == DAY and fresh.status == "done"
    assert out["notices"] == Notice.objects.count() > 0
    assert out["warnings"]["new"] == EarlyWarning.objects.count() > 0
    again = tasks.warnings_pass.enqueue(DAY.isoformat())
    assert again.status == "SUCCESSFUL" and again.return_value["new"] == 0


def test_cli_run(run, users, registry) -> None:
    from typer.testing import CliRunner

    from zjtx.cli import app

    day = run.on + dt.timedelta(days=10)  # the run is recent enough: used as it is
    res = CliRunner().invoke(app, ["outreach", "run", "--on", day.isoformat()])
    assert res.exit_code == 0, res.output
    assert f"评价批次 #{run.pk}" in res.output and "通知：新增" in res.output
    assert Notice.objects.exists()
    bad = CliRunner().invoke(app, ["outreach", "run", "--on", "2025-13-01"])
    assert bad.exit_code != 0
