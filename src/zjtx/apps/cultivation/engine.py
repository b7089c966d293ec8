"""The bridge from cultivation to the rules engine: one record, a frozen explanation, gap options.

Only the public engine API is used (``zjtx.evaluate``, ``zjtx.explain``, ``zjtx.gaps``) and the
registry's ``records_for``; nothing here knows about pages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zjtx.apps.enterprises.models import Enterprise
from zjtx.apps.enterprises.records import records_for


def engine_policies() -> set[str]:
    """Tier ids the engine can evaluate."""
    from zjtx.policies import catalog

    return set(catalog().registry)


def record_of(enterprise: Enterprise, on: date) -> dict[str, Any] | None:
    """The FIELDS.md evaluation record of one enterprise as of ``on``."""
    frame = records_for(on, Enterprise.objects.filter(pk=enterprise.pk))
    if frame.height == 0:
        return None
    return frame.row(0, named=True)


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))


def rule_version(explanation: dict[str, Any]) -> str:
    """``zjtx <catalog fingerprint> · <regime> · <文号>``: the runs' fingerprint with the rule version used."""
    from zjtx.policies import catalog

    return "zjtx " + catalog().rule_version(explanation.get("regime"), explanation.get("document"))


def explain_enterprise(enterprise: Enterprise, tier: str, on: date) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(explanation or None when the engine has no such policy, the record used)."""
    import zjtx

    record = record_of(enterprise, on) or {}
    if tier not in engine_policies():
        return None, _json_safe(record)
    return _json_safe(zjtx.explain(record, tier, on)), _json_safe(record)


def evaluate_statuses(queryset: Any, on: date, tiers: list[str]) -> dict[tuple[str, str], str]:
    """``{(uscc, tier): status}`` for every enterprise of ``queryset`` (one batch ``zjtx.evaluate``)."""
    import zjtx

    tiers = [t for t in tiers if t in engine_policies()]
    records = records_for(on, queryset)
    if records.height == 0 or not tiers:
        return {}
    df = zjtx.evaluate(records, on, tiers)
    out: dict[tuple[str, str], str] = {}
    cols = [f"{t}.status" for t in tiers]
    for row in df.select(["uscc", *cols]).iter_rows(named=True):
        for t in tiers:
            out[(row["uscc"], t)] = row[f"{t}.status"]
    return out


@dataclass
class GapOption:
    """One thing to change for the enterprise to reach the tier (a plan item seed)."""

    key: str
    title: str
    detail: str = ""
    owner: str = "enterprise"
    data: dict[str, Any] = field(default_factory=dict)


_TOWN_HINTS = ("abnormal", "incident", "dishonest", "credit")
_DIRECT = re.compile(r"^D\d+$")  # direct routes (直通) are alternatives, not gaps to close


def field_label(name: str) -> str:
    """The Chinese label of a record field (``revenue_y1`` → 营业收入（上年度）)."""
    from zjtx.apps.enterprises.fields import ANNUAL_FIELDS, ENTERPRISE_FIELDS

    labels = {f.name: f.label for f in (*ANNUAL_FIELDS, *ENTERPRISE_FIELDS)}
    m = re.match(r"^(.*)_y([123])$", name)
    if m and m.group(1) in labels:
        return f"{labels[m.group(1)]}（{['上', '前两', '前三'][int(m.group(2)) - 1]}年度）"
    return labels.get(name, name)


@dataclass
class Gaps:
    """The gap analysis used by a plan: status, the items to create, and the keys still open."""

    status: str
    options: list[GapOption]
    open_keys: set[str]
    source: str = "solver"


def _solver_entry(record: dict[str, Any], tier: str, on: date) -> dict[str, Any] | None:
    """This tier's entry of ``zjtx.gaps`` (the gap solver), or None when it is unavailable."""
    try:
        from zjtx.services.gaps import gaps as solver
    except ImportError:
        return None
    result = _json_safe(solver(record, policy=tier, on=on))
    for entry in result.get("ladder") or []:
        if entry.get("policy") == tier:
            return entry
    return None


_SIDE_EFFECT = "随之"  # "（随之增加）": a consequence of another change of the same option


def _from_solver(entry: dict[str, Any]) -> Gaps | None:
    """Items from the cheapest verified option (one per changed input), plus the reasons a gap
    cannot be closed by changing inputs (vetoes, expert review). An item stays open while its
    input still appears in any option, or its reason is still given."""
    options = entry.get("options") or []
    reasons = [r for r in entry.get("reasons") or [] if not str(r).startswith("待核验")]
    if not options and not reasons:
        return None
    items: list[GapOption] = []
    open_keys: set[str] = set()
    for opt in options:
        for ch in opt.get("changes") or []:
            open_keys.add(str(ch.get("field")))
    if options:
        best = options[0]
        alternatives = len(options) - 1
        for ch in best.get("changes") or []:
            if _SIDE_EFFECT in str(ch.get("label", "")):
                continue
            detail = f"推荐方案（测算投入 {best.get('cost_text', '—')}）：{best.get('text', '')}"
            if alternatives:
                detail += f"；另有 {alternatives} 个备选方案"
            owner = "town" if any(h in str(ch.get("field")) for h in _TOWN_HINTS) else "enterprise"
            items.append(GapOption(key=str(ch.get("field")), title=str(ch.get("text") or ch.get("label")),
                                   detail=detail, owner=owner, data={**ch, "option": best}))
    for r in reasons:
        key = f"reason:{str(r)[:100]}"
        open_keys.add(key)
        items.append(GapOption(key=key, title=str(r)[:300], detail="不能通过调整数据弥补（否决项、专家评审等）",
                               owner="department", data={"reason": r}))
    return Gaps(str(entry.get("status") or ""), items, open_keys)


def _from_trace(explanation: dict[str, Any]) -> list[GapOption]:
    """Fallback: every failed or undetermined condition of the explanation is one option."""
    options: list[GapOption] = []
    seen: set[str] = set()

    def walk(nodes: list[Any]) -> None:
        for n in nodes or []:
            if not isinstance(n, dict):
                continue
            direct = bool(_DIRECT.match(str(n.get("id") or "")))
            if n.get("kind") == "condition" and n.get("result") is not True and n.get("id") not in seen and not direct:
                key = str(n.get("id"))
                seen.add(key)
                state = "待核验（数据缺失）" if n.get("result") is None else "未达标"
                detail = f"要求：{n.get('required', '')}；现状：{json.dumps(n.get('inputs', {}), ensure_ascii=False, default=str)}"
                owner = "town" if any(h in key for h in _TOWN_HINTS) else "enterprise"
                options.append(GapOption(key=key, title=f"{n.get('label', key)}（{state}）", detail=detail,
                                         owner=owner, data=_json_safe(n)))
            walk(n.get("children") or [])

    walk(explanation.get("trace") or [])
    for name in explanation.get("missing") or []:
        key = f"missing:{name}"
        if key not in seen:
            seen.add(key)
            options.append(GapOption(key=key, title=f"补充数据：{field_label(name)}", detail=f"缺少 {name}，结果待核验"))
    return options


def gap_options(enterprise: Enterprise, tier: str, on: date) -> Gaps:
    """The gaps of ``enterprise`` under ``tier`` as of ``on`` (none when qualified).

    From the gap solver (``zjtx.gaps``) when it offers options or reasons; otherwise (no solver,
    or data missing: 待核验) from the failed and undetermined conditions of ``zjtx.explain``.
    """
    explanation, record = explain_enterprise(enterprise, tier, on)
    if explanation is None:
        return Gaps("", [], set(), "none")
    status = str(explanation.get("status") or "")
    if status == "qualified":
        return Gaps(status, [], set(), "engine")
    entry = _solver_entry(record, tier, on)
    if entry is not None:
        solved = _from_solver(entry)
        if solved is not None:
            solved.status = status
            return solved
    options = _from_trace(explanation)
    return Gaps(status, options, {o.key[:120] for o in options}, "explain")
