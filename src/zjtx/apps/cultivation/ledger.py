"""Benefit ledger: no-double-benefit rules and 累计兑现 statistics."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum

from zjtx.apps.cultivation.access import acting_as
from zjtx.apps.cultivation.models import BenefitEntry, BenefitLevel, BenefitRule

# known benefit policy codes (free codes are allowed too; rules name codes)
KNOWN_POLICIES: dict[str, tuple[str, str]] = {
    "zs_little_giant_award": ("中山市专精特新“小巨人”企业奖补", BenefitLevel.CITY),
    "gd_little_giant_award": ("广东省专精特新“小巨人”企业奖补", BenefitLevel.PROVINCIAL),
    "national_key_little_giant": ("重点“小巨人”中央财政支持", BenefitLevel.NATIONAL),
    "zs_specialized_award": ("中山市专精特新中小企业奖补", BenefitLevel.CITY),
    "zs_single_champion_award": ("中山市制造业单项冠军奖补", BenefitLevel.CITY),
    "zs_innovation_benchmark": ("中山市创新标杆企业研发支持", BenefitLevel.CITY),
    "zs_innovation_contest": ("中国创新创业大赛（中山赛区）资金补助", BenefitLevel.CITY),
    "zs_major_sci_tech": ("市级重大科技专项", BenefitLevel.CITY),
    "rd_super_deduction": ("研发费用加计扣除", BenefitLevel.NATIONAL),
}


def _fmt_amount(v: Decimal) -> str:
    return f"{Decimal(v) / Decimal(10000):,.2f}万元"


def conflicts(entry: BenefitEntry) -> list[tuple[BenefitRule, BenefitEntry]]:
    """The existing entries ``entry`` would double up with, under each active rule."""
    found: list[tuple[BenefitRule, BenefitEntry]] = []
    for rule in BenefitRule.objects.filter(active=True):
        codes = set(rule.policies or [])
        if entry.policy not in codes:
            continue
        others = BenefitEntry.objects.filter(enterprise_id=entry.enterprise_id, policy__in=codes)
        if entry.pk is not None:
            others = others.exclude(pk=entry.pk)
        if rule.same_project:
            others = others.filter(project=entry.project)
        if rule.same_year:
            others = others.filter(year=entry.year)
        for other in others.order_by("id"):
            found.append((rule, other))
    return found


def conflict_message(rule: BenefitRule, other: BenefitEntry) -> str:
    project = f"项目“{other.project}”" if other.project else "未注明项目"
    return (f"违反“{rule.name}”：该企业已有台账记录 #{other.pk}（{other.year}年 {other.policy_name}，"
            f"{project}，{_fmt_amount(other.amount)}，{other.get_kind_display()}"
            f"{'，' + other.document if other.document else ''}），不得重复享受。")


def check(entry: BenefitEntry) -> None:
    """Raise ``ValidationError`` (Chinese, naming the conflicting entry) if ``entry`` doubles up."""
    found = conflicts(entry)
    if found:
        raise ValidationError([conflict_message(rule, other) for rule, other in found])


def record(entry: BenefitEntry) -> BenefitEntry:
    """Check and save ``entry`` in one transaction (rows of the enterprise locked on PostgreSQL)."""
    with acting_as(entry.created_by), transaction.atomic():
        list(BenefitEntry.objects.select_for_update().filter(enterprise_id=entry.enterprise_id).values_list("id"))
        check(entry)
        if not entry.policy_name and entry.policy in KNOWN_POLICIES:
            entry.policy_name = KNOWN_POLICIES[entry.policy][0]
        entry.save()
    return entry


def totals(qs: QuerySet, by: str) -> list[dict[str, Any]]:
    """累计兑现: amounts per ``by`` (``year``, ``level``, ``policy_name``, ``enterprise__division__name``),
    split into 已兑现 (paid), 已批复 (granted) and 测算 (estimated)."""
    rows: dict[Any, dict[str, Any]] = defaultdict(lambda: {"paid": Decimal(0), "granted": Decimal(0),
                                                           "estimated": Decimal(0), "enterprises": set()})
    for key, kind, amount, ent in qs.values_list(by, "kind", "amount", "enterprise_id"):
        rows[key][kind] += amount or 0
        rows[key]["enterprises"].add(ent)
    out = []
    for key, r in sorted(rows.items(), key=lambda kv: str(kv[0])):
        out.append({"key": key if key is not None else "—", "paid": r["paid"], "granted": r["granted"],
                    "estimated": r["estimated"], "realised": r["paid"] + r["granted"],
                    "enterprises": len(r["enterprises"])})
    return out


def realised_total(qs: QuerySet) -> Decimal:
    """累计兑现 (已批复 + 已兑现) of ``qs``."""
    return qs.exclude(kind=BenefitEntry.Kind.ESTIMATED).aggregate(s=Sum("amount"))["s"] or Decimal(0)


def _level(value: str) -> str:
    v = str(value or "")
    if "省" in v or "provinc" in v:
        return BenefitLevel.PROVINCIAL
    if "市" in v or v == "city":
        return BenefitLevel.CITY
    if "镇" in v or v == "town":
        return BenefitLevel.TOWN
    return BenefitLevel.NATIONAL


def estimate(enterprise: Any, on: date, user: Any = None) -> tuple[list[BenefitEntry], list[str]]:
    """测算: ``zjtx.match`` the enterprise as of ``on`` and store each qualified benefit with an
    amount as an estimated entry for the tax year (the year before ``on``), replacing an earlier
    estimate of the same policy and year. Returns (entries, messages of refused ones)."""
    import zjtx
    from zjtx.apps.cultivation.engine import record_of

    record = record_of(enterprise, on)
    if record is None:
        return [], []
    year = on.year - 1
    stored: list[BenefitEntry] = []
    refused: list[str] = []
    for item in zjtx.match(record, on):
        if item.get("kind") != "benefit" or item.get("match") != "qualified" or item.get("estimate") is None:
            continue
        amount = Decimal(str(item["estimate"])).quantize(Decimal("0.01"))
        existing = BenefitEntry.objects.filter(enterprise=enterprise, policy=item["policy"], year=year,
                                               kind=BenefitEntry.Kind.ESTIMATED).first()
        entry = existing or BenefitEntry(enterprise=enterprise, policy=item["policy"], year=year,
                                         kind=BenefitEntry.Kind.ESTIMATED, created_by=user)
        entry.policy_name = str(item.get("name") or item["policy"])[:120]
        entry.level = _level(item.get("level", ""))
        entry.amount = amount
        entry.document = str(item.get("document") or "")[:150]
        try:
            stored.append(record_entry(entry))
        except ValidationError as exc:
            refused.extend(exc.messages)
    return stored, refused


record_entry = record
