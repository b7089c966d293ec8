"""The programme tables as Polars frames for ``zjtx.stats.programs`` (the briefing and the pages'
statistics read the same frames; column contract in that module's docstring)."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db.models import QuerySet

from zjtx.apps.programs.models import (
    Award,
    Certification,
    FollowUp,
    InvestmentTarget,
    Platform,
    Project,
    PublicityEvent,
)

D = pl.Date


def _frame(rows: list[tuple], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _benefits_text(benefits: list[dict[str, Any]]) -> str:
    kinds = []
    if any(b.get("credit") for b in benefits or []):
        kinds.append("银行授信")
    if any(b.get("grant") for b in benefits or []):
        kinds.append("资金补助")
    return "、".join(kinds)


def programme_frames(queryset: QuerySet | None = None, targets: QuerySet | None = None,
                     events: QuerySet | None = None) -> dict[str, pl.DataFrame]:
    """All programme frames. ``queryset`` (enterprises) restricts the enterprise-linked awards;
    ``targets`` / ``events`` restrict those tables (e.g. to what a user may see)."""
    projects = _frame(
        [(p.code, p.kind, p.title, p.year, p.state, p.posting_opens, p.approved_on, p.accepted_on, p.division_id,
          p.solver.applicant_name if p.solver_id else None)
         for p in Project.objects.select_related("solver").order_by("code")],
        {"code": pl.String, "kind": pl.String, "title": pl.String, "year": pl.Int64, "state": pl.String,
         "posted_on": D, "approved_on": D, "accepted_on": D, "division": pl.String, "solver_name": pl.String})
    tq = targets if targets is not None else InvestmentTarget.objects.all()
    tq = tq.select_related("target_list", "team")
    targets_df = _frame(
        [(t.pk, t.target_list.name, t.target_list.kind, t.target_list.listed_on, t.uscc, t.name, t.region, t.local,
          t.team.name if t.team_id else None, t.key_target, t.targeted_on, t.stage, t.furthest, t.town_id)
         for t in tq.order_by("pk")],
        {"id": pl.Int64, "list_name": pl.String, "list_kind": pl.String, "listed_on": D, "uscc": pl.String, "name": pl.String,
         "region": pl.String, "local": pl.Boolean, "team": pl.String, "key_target": pl.Boolean, "targeted_on": D,
         "stage": pl.String, "furthest": pl.String, "town": pl.String})
    followups = _frame(list(FollowUp.objects.filter(target__in=tq.values("pk")).order_by("pk")
                            .values_list("target_id", "kind", "on")),
                       {"target_id": pl.Int64, "kind": pl.String, "on": D})
    certs = _frame(list(Certification.objects.order_by("pk").values_list(
        "carrier__name", "carrier__kind", "level", "status", "applied_on", "certified_on")),
        {"carrier": pl.String, "kind": pl.String, "level": pl.String, "status": pl.String, "applied_on": D,
         "certified_on": D})
    platforms = _frame(list(Platform.objects.order_by("pk").values_list(
        "name", "partner", "established_on", "status", "open_shared_lab")),
        {"name": pl.String, "partner": pl.String, "established_on": D, "status": pl.String,
         "open_shared_lab": pl.Boolean})
    eq = events if events is not None else PublicityEvent.objects.all()
    events_df = _frame(list(eq.order_by("pk").values_list("pk", "division_id", "held_on", "status", "channel")),
                       {"id": pl.Int64, "division": pl.String, "held_on": D, "status": pl.String, "channel": pl.String})
    aq = Award.objects.select_related("contest", "enterprise")
    if queryset is not None:
        aq = aq.filter(enterprise__in=queryset.values("pk"))
    awards = _frame(
        [(a.contest.name, a.contest.series, a.contest.year, a.enterprise.uscc, a.enterprise.name, a.prize, a.rank,
          a.awarded_on, _benefits_text(a.contest.benefits)) for a in aq.order_by("pk")],
        {"contest": pl.String, "series": pl.String, "year": pl.Int64, "uscc": pl.String, "name": pl.String,
         "prize": pl.String, "rank": pl.Int64, "awarded_on": D, "benefits": pl.String})
    return {"projects": projects, "targets": targets_df, "followups": followups, "certifications": certs,
            "platforms": platforms, "events": events_df, "awards": awards}


def registration_titles(queryset: QuerySet | None = None) -> pl.DataFrame:
    """The 科技型中小企业 registrations (``tech_sme`` titles) of the enterprises in ``queryset``: all the
    programme sentences need of the titles (the contest winners' 科技型 test)."""
    from zjtx.apps.enterprises.models import Title

    qs = Title.objects.filter(title="tech_sme")
    if queryset is not None:
        qs = qs.filter(enterprise__in=queryset.values("pk"))
    return _frame(list(qs.values_list("enterprise__uscc", "title", "granted_on")),
                  {"uscc": pl.String, "title": pl.String, "granted_on": D})
