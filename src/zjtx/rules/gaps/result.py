"""What the gap solver returns: changes, verified options, the analysis of one record."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from zjtx.rules.nodes import fmt
from zjtx.rules.policy import STATUS_ZH

Changes = dict[str, Any]


def as_plain(v: Any) -> Any:
    if isinstance(v, Fraction) and v.denominator == 1:
        return int(v)
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def add_years(on: dt.date, years: Fraction) -> dt.date:
    """The date ``years`` after ``on`` (whole years by calendar, the rest by 365.25-day years)."""
    whole = int(math.floor(years))
    try:
        d = on.replace(year=on.year + whole)
    except ValueError:  # 29 February
        d = on.replace(year=on.year + whole, day=28)
    rest = years - whole
    return d + dt.timedelta(days=math.ceil(float(rest) * 365.25)) if rest else d


def yuan_text(v: Any) -> str:
    v = Fraction(v)
    if abs(v) >= 10000:
        w = v / 10000
        return f"{int(w)}万元" if w.denominator == 1 else f"{float(w):.4g}万元"
    return f"{int(v)}元" if v.denominator == 1 else f"{float(v):.2f}元"


@dataclass
class GapChange:
    """One changed input of an option."""

    field: str
    label: str
    kind: str
    from_: Any
    to: Any
    delta: Any
    cost: Fraction
    unit_text: str
    wait_until: dt.date | None = None

    def text(self) -> str:
        if self.kind in ("money", "business"):
            d = Fraction(self.delta)
            sign = "+" if d >= 0 else "−"
            return (f"{self.label}：{yuan_text(self.from_ or 0)} → {yuan_text(self.to)}（{sign}{yuan_text(abs(d))}）")
        if self.kind == "count":
            return f"{self.label}：{fmt(self.from_)} → {fmt(self.to)}（+{fmt(self.delta)}）"
        if self.kind == "time":
            when = f"，最早于 {self.wait_until.isoformat()} 满足" if self.wait_until else ""
            return f"{self.label}：{fmt(self.from_)} → {fmt(self.to)} 年（还需 {fmt(self.delta)} 年{when}，不能用投入替代）"
        if self.kind == "title":
            return f"{self.label}：先取得该称号"
        return f"{self.label}：{fmt(self.from_)} → {fmt(self.to)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label": self.label,
            "kind": self.kind,
            "from": fmt(as_plain(self.from_)),
            "to": fmt(self.to),
            "delta": fmt(self.delta) if isinstance(self.delta, int | Fraction) else self.delta,
            "cost": fmt(self.cost),
            "unit_text": self.unit_text,
            "wait_until": self.wait_until.isoformat() if self.wait_until else None,
            "text": self.text(),
        }


@dataclass
class GapOption:
    """A set of changes that makes the record ``qualified`` (verified by re-evaluation)."""

    changes: list[GapChange]
    cost_yuan: Fraction
    wait_years: Fraction
    wait_until: dt.date | None
    effort: Fraction
    status: str
    score: Any
    values: Changes = field(default_factory=dict)

    def text(self) -> str:
        return "；".join(c.text() for c in self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text(),
            "cost_yuan": fmt(self.cost_yuan),
            "cost_text": yuan_text(self.cost_yuan),
            "wait_until": self.wait_until.isoformat() if self.wait_until else None,
            "effort": fmt(self.effort),
            "status": self.status,
            "status_zh": STATUS_ZH.get(self.status, self.status),
            "score": fmt(self.score) if self.score is not None else None,
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass
class PolicyGaps:
    """The gap analysis of one record under one policy."""

    policy: str
    name: str
    on: dt.date
    regime: str
    status: str
    score: Any
    options: list[GapOption]
    reasons: list[str]
    feasible: bool | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "name": self.name,
            "on": self.on.isoformat(),
            "regime": self.regime,
            "status": self.status,
            "status_zh": STATUS_ZH.get(self.status, self.status),
            "score": fmt(self.score) if self.score is not None else None,
            "feasible": self.feasible,
            "options": [o.as_dict() for o in self.options],
            "reasons": list(self.reasons),
        }
