"""The pool pipeline (DOMAIN.md §2.5): 未入库 → 培育对象 → 申报中 → 已认定 → 复核期 → 失效/撤销.

A stage set by a person is protected (ARCHITECTURE.md principle 4): :func:`auto_update` never
overwrites it; it records the disagreement as a :class:`PoolFlag`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.cultivation.models import (
    TIER_CHOICES,
    Application,
    AppState,
    PoolFlag,
    PoolStage,
    PoolStageChange,
    Stage,
)
from zjtx.apps.enterprises.models import Enterprise, Title

RE_REVIEW_DAYS = 90  # a designation within this many days of expiry is in 复核期
OPEN_APPLICATION_STATES = (AppState.SUBMITTED, AppState.LOCAL_REVIEW, AppState.CITY_REVIEW,
                           AppState.PROVINCIAL_REVIEW, AppState.MINISTRY_REVIEW, AppState.PUBLICITY)
TIERS = [t for t, _ in TIER_CHOICES]


def set_stage(enterprise: Enterprise, tier: str, stage: str, user: Any, reason: str = "",
              protect: bool = True) -> PoolStage:
    """A person moves ``enterprise`` to ``stage`` for ``tier`` (protected from automatic runs)."""
    if stage not in Stage.values:
        raise ValueError(f"未知阶段：{stage}")
    with acting_as(user), transaction.atomic():
        ps, _ = PoolStage.objects.get_or_create(enterprise=enterprise, tier=tier)
        before = ps.stage
        ps.stage = stage
        ps.source = PoolStage.Source.MANUAL
        ps.protected = protect
        ps.reason = reason[:300]
        ps.set_by = user if getattr(user, "is_authenticated", False) else None
        ps.save()
        PoolStageChange.objects.create(stage=ps, from_stage=before, to_stage=stage, source=PoolStage.Source.MANUAL,
                                       user=ps.set_by, reason=reason[:300])
        ps.flags.filter(resolved=False).update(resolved=True)
    return ps


def release(ps: PoolStage, user: Any, reason: str = "") -> PoolStage:
    """Hand a stage back to automatic evaluation (unprotect it)."""
    ps.refresh_from_db()  # act on the current row (the daily pass may have recorded a proposal meanwhile)
    ps.protected = False
    ps.reason = (reason or "解除人工锁定，交由自动评价")[:300]
    ps.set_by = user if getattr(user, "is_authenticated", False) else None
    with acting_as(user):
        ps.save()
    return ps


def proposed_stage(status: str | None, title: Title | None, open_application: bool, on: date,
                   lapsed: bool = False) -> str:
    """The stage the data suggest: a title decides, then an open application, then the evaluation."""
    if title is not None:
        if title.revoked_on is not None and title.revoked_on <= on:
            return Stage.REVOKED
        if title.expires_on is None or title.expires_on >= on:
            if title.expires_on is not None and title.expires_on - on <= timedelta(days=RE_REVIEW_DAYS):
                return Stage.RE_REVIEW
            return Stage.DESIGNATED
    if open_application:
        return Stage.APPLYING
    if title is not None or lapsed:
        return Stage.LAPSED
    if status == "qualified":
        return Stage.CANDIDATE
    return Stage.NONE


@dataclass
class AutoResult:
    on: date
    evaluated: int = 0
    changed: list[tuple[str, str, str, str]] = field(default_factory=list)  # uscc, tier, from, to
    flagged: list[tuple[str, str, str, str]] = field(default_factory=list)  # uscc, tier, current, proposed
    unchanged: int = 0


def _latest_titles(ents: QuerySet) -> dict[tuple[int, str], Title]:
    out: dict[tuple[int, str], Title] = {}
    for t in Title.objects.filter(enterprise__in=ents.values("pk")).select_related("designation").order_by("granted_on"):
        out[(t.enterprise_id, t.title)] = t  # the latest grant wins
    return out


AUTO_CHUNK = 500  # enterprises per write transaction of an automatic run


def auto_update(on: date, queryset: QuerySet | None = None, tiers: Iterable[str] | None = None) -> AutoResult:
    """Evaluate every enterprise (``zjtx.evaluate``) and propose a stage per tier.

    Unprotected stages are set to the proposal (source 自动评价); a protected stage that disagrees
    gets a :class:`PoolFlag` (one open flag per stage and proposal) and keeps its value.
    ``未入库`` proposals for enterprises with no stage row yet are not stored.

    The evaluation runs outside any transaction; the results are written in short transactions of
    :data:`AUTO_CHUNK` enterprises, each re-reading its stage rows, so a person's edit or login made
    meanwhile waits at most one chunk and is never overwritten. Only a change of stage (and a new
    stage or flag) is a change-logged save; the proposal bookkeeping (建议、基准日、评价结果) of the
    other rows is one bulk update per chunk.
    """
    from zjtx.apps.cultivation.engine import evaluate_statuses

    ents = Enterprise.objects.all() if queryset is None else queryset
    tier_list = list(tiers or TIERS)
    statuses = evaluate_statuses(ents, on, tier_list)
    titles = _latest_titles(ents)
    open_apps = set(Application.objects.filter(enterprise__in=ents.values("pk"), state__in=OPEN_APPLICATION_STATES)
                    .values_list("enterprise_id", "tier"))
    firms = list(ents.order_by("pk").values_list("id", "uscc"))
    result = AutoResult(on=on)
    for i in range(0, len(firms), AUTO_CHUNK):
        chunk = firms[i:i + AUTO_CHUNK]
        with acting_as(None, source="auto"), transaction.atomic():
            rows = PoolStage.objects.filter(enterprise_id__in=[f for f, _ in chunk], tier__in=tier_list)
            if _locks_rows():
                rows = rows.select_for_update()
            existing = {(ps.enterprise_id, ps.tier): ps for ps in rows}
            bookkeeping: list[PoolStage] = []
            for ent_id, uscc in chunk:
                result.evaluated += 1
                for tier in tier_list:
                    status = statuses.get((uscc, tier))
                    ps = existing.get((ent_id, tier))
                    proposal = proposed_stage(status, titles.get((ent_id, tier)), (ent_id, tier) in open_apps, on,
                                              lapsed=ps is not None and ps.stage in (Stage.LAPSED, Stage.RE_REVIEW,
                                                                                     Stage.DESIGNATED))
                    if ps is None:
                        if proposal == Stage.NONE:
                            continue
                        ps = PoolStage(enterprise_id=ent_id, tier=tier, stage=Stage.NONE)
                    if _apply(ps, proposal, status or "", on, result, uscc):
                        bookkeeping.append(ps)
            PoolStage.objects.bulk_update(bookkeeping, ["auto_stage", "auto_on", "auto_status"], batch_size=500)
    return result


def _locks_rows() -> bool:
    """Whether the database takes row locks (PostgreSQL); SQLite's IMMEDIATE transactions lock it whole."""
    from django.db import connection

    return bool(connection.features.has_select_for_update)


def _apply(ps: PoolStage, proposal: str, status: str, on: date, result: AutoResult, uscc: str) -> bool:
    """Record the proposal on ``ps``; save what changed. True: only the bookkeeping fields are left to
    write (the caller bulk-updates them)."""
    ps.auto_stage = proposal
    ps.auto_on = on
    ps.auto_status = status
    if ps.protected:
        if ps.stage != proposal:
            result.flagged.append((uscc, ps.tier, ps.stage, proposal))
            if not ps.flags.filter(resolved=False, proposed=proposal).exists():
                PoolFlag.objects.create(stage=ps, current=ps.stage, proposed=proposal, on=on,
                                        detail=f"自动评价建议“{Stage(proposal).label}”，人工设定为“{Stage(ps.stage).label}”，"
                                               f"未自动覆盖")
        else:
            result.unchanged += 1
        return True
    if ps.stage == proposal and ps.pk is not None:
        result.unchanged += 1
        return True
    before = ps.stage if ps.pk is not None else ""
    ps.stage = proposal
    ps.source = PoolStage.Source.AUTO
    from zjtx.web.present import cn_date, status_label

    ps.reason = f"自动评价（基准日 {cn_date(on)}，评价结果 {status_label(status)}）"
    ps.set_by = None
    ps.save()
    PoolStageChange.objects.create(stage=ps, from_stage=before, to_stage=proposal, source=PoolStage.Source.AUTO,
                                   reason=ps.reason)
    result.changed.append((uscc, ps.tier, before, proposal))
    return False


def open_flags(queryset: QuerySet) -> QuerySet:
    return PoolFlag.objects.filter(resolved=False, stage__enterprise__in=queryset.values("pk"))


def stage_filter(qs: QuerySet, params: Any) -> QuerySet:
    """Pool filters: ``tier``, ``stage``, ``category``, ``division``, ``q``, ``protected``, ``flagged``."""
    if params.get("tier"):
        qs = qs.filter(tier=params["tier"])
    if params.get("stage"):
        qs = qs.filter(stage=params["stage"])
    if params.get("category"):
        qs = qs.filter(enterprise__pool_memberships__category__code=params["category"])
    if params.get("division"):
        qs = qs.filter(enterprise__division_id=params["division"])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__icontains=q.upper()))
    if str(params.get("protected") or "") == "1":
        qs = qs.filter(protected=True)
    if str(params.get("flagged") or "") == "1":
        qs = qs.filter(flags__resolved=False)
    return qs.distinct()
