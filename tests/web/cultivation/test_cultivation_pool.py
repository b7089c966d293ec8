"""Pool stages: automatic runs set unprotected stages and only flag protected ones."""

from __future__ import annotations

from datetime import date

import pytest
from cultivation_helpers import ON, four_tech

from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.cultivation.models import Application, AppState, PoolFlag, PoolStage, Stage
from zjtx.apps.cultivation.pool import auto_update, release, set_stage
from zjtx.apps.enterprises.models import Title

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_auto_update_proposes_stages(enterprise) -> None:
    qualified = enterprise(1, **four_tech(40))
    applying = enterprise(2, **four_tech(40))
    designated = enterprise(3, **four_tech(40))
    empty = enterprise(4)
    Application.objects.create(enterprise=applying, tier="tech_sme", year=2025, state=AppState.CITY_REVIEW)
    Title.objects.create(enterprise=designated, title="tech_sme", granted_on=date(2025, 3, 1),
                         expires_on=date(2025, 12, 31))
    result = auto_update(ON, tiers=["tech_sme"])
    stages = {s.enterprise_id: s for s in PoolStage.objects.filter(tier="tech_sme")}
    assert stages[qualified.pk].stage == Stage.CANDIDATE and stages[qualified.pk].source == "auto"
    assert stages[applying.pk].stage == Stage.APPLYING
    assert stages[designated.pk].stage == Stage.DESIGNATED
    assert empty.pk not in stages  # 未入库 is not stored
    assert result.evaluated == 4 and len(result.changed) == 3 and not result.flagged
    # within 90 days of expiry: 复核期; after expiry: 失效
    auto_update(date(2025, 11, 1), tiers=["tech_sme"])
    assert PoolStage.objects.get(enterprise=designated, tier="tech_sme").stage == Stage.RE_REVIEW
    auto_update(date(2026, 1, 5), tiers=["tech_sme"])
    assert PoolStage.objects.get(enterprise=designated, tier="tech_sme").stage == Stage.LAPSED
    assert AuditEntry.objects.filter(model="cultivation.PoolStage").exists()


def test_protected_stage_survives_and_is_flagged(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(40))
    set_stage(ent, "tech_sme", Stage.NONE, users["xiaolan"], "企业已迁出，暂不培育")
    before = AuditEntry.objects.filter(model="cultivation.PoolStage").count()
    result = auto_update(ON, tiers=["tech_sme"])
    ps = PoolStage.objects.get(enterprise=ent, tier="tech_sme")
    assert ps.stage == Stage.NONE and ps.protected and ps.source == "manual"
    assert ps.reason == "企业已迁出，暂不培育" and ps.set_by == users["xiaolan"]
    assert ps.auto_stage == Stage.CANDIDATE and ps.auto_on == ON
    assert result.flagged == [(ent.uscc, "tech_sme", Stage.NONE, Stage.CANDIDATE)] and not result.changed
    flag = PoolFlag.objects.get(stage=ps)
    assert flag.current == Stage.NONE and flag.proposed == Stage.CANDIDATE and not flag.resolved
    assert "未自动覆盖" in flag.detail
    # a second run does not duplicate the open flag
    auto_update(ON, tiers=["tech_sme"])
    assert PoolFlag.objects.filter(stage=ps).count() == 1
    assert AuditEntry.objects.filter(model="cultivation.PoolStage").count() >= before
    # the manual move is in the audit log with who and why
    entry = AuditEntry.objects.filter(model="cultivation.PoolStage", user=users["xiaolan"]).first()
    assert entry is not None and entry.after["reason"] == "企业已迁出，暂不培育"
    # once released, the next run applies the proposal
    release(ps, users["staff"])
    auto_update(ON, tiers=["tech_sme"])
    ps.refresh_from_db()
    assert ps.stage == Stage.CANDIDATE and ps.source == "auto"


def test_manual_stage_resolves_flags(enterprise, users) -> None:
    ent = enterprise(1, **four_tech(40))
    set_stage(ent, "tech_sme", Stage.NONE, users["staff"], "暂缓")
    auto_update(ON, tiers=["tech_sme"])
    set_stage(ent, "tech_sme", Stage.CANDIDATE, users["staff"], "复核后纳入培育")
    assert not PoolFlag.objects.filter(resolved=False).exists()
    ps = PoolStage.objects.get(enterprise=ent, tier="tech_sme")
    assert [c.to_stage for c in ps.changes.order_by("at", "id")] == [Stage.NONE, Stage.CANDIDATE]


def test_daily_runs_log_changes_not_bookkeeping(enterprise, monkeypatch) -> None:
    """A day's run records its proposal on every stage but logs (audit, change history) only real changes;
    written in chunks, the result is the same as in one go."""
    from zjtx.apps.cultivation import pool
    from zjtx.apps.cultivation.models import PoolStageChange

    firms = [enterprise(i, **four_tech(40)) for i in range(1, 6)]
    monkeypatch.setattr(pool, "AUTO_CHUNK", 2)  # three write transactions for five enterprises
    first = auto_update(ON, tiers=["tech_sme"])
    assert first.evaluated == 5 and len(first.changed) == 5
    audited = AuditEntry.objects.filter(model="cultivation.PoolStage").count()
    changes = PoolStageChange.objects.count()
    assert audited == 5 and changes == 5
    later = date(2025, 10, 1)
    second = auto_update(later, tiers=["tech_sme"])
    assert second.evaluated == 5 and not second.changed and second.unchanged == 5
    stages = PoolStage.objects.filter(enterprise__in=firms, tier="tech_sme")
    assert {s.auto_on for s in stages} == {later} and {s.stage for s in stages} == {Stage.CANDIDATE}
    assert AuditEntry.objects.filter(model="cultivation.PoolStage").count() == audited
    assert PoolStageChange.objects.count() == changes
