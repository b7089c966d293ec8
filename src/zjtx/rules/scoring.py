"""Scored indicators, dimensions with floors, totals with thresholds.

An indicator yields four numbers ``(lo, hi, lh, hl)``: the points interval ``[lo, hi]`` as the
record stands, and the interval in the two review modes — ``[lo, lh]`` with every review item at its
least favourable, ``[hl, hi]`` at its most favourable. A known value gives ``(p, p, p, p)``; a
missing input ``(min, max, max, min)`` (data: open in every mode); a review item (expert input
absent, formula undefined) ``(min, max, min, max)``.

Band tables are parameters: a list of entries ``{min: x, points: p}`` (value ≥ x, the favourable
boundary of POLICIES.md §1.4), ``{above: x, ...}`` (value > x), ``{max: x, ...}`` (value ≤ x, for
lower-is-better indicators), ``{below: x, ...}`` (value < x), and a last ``{points: p}`` for the
rest. The first entry that holds gives the points.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.model import (
    UNDEF,
    Cond,
    Ctx,
    F,
    Value,
    compare,
    fmt,
    num,
    pl_compare,
)

Interval = tuple[Any, Any, Any, Any]
PLInterval = tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]

_KEYS = {"min": ">=", "above": ">", "max": "<=", "below": "<"}


def _entry_op(e: dict[str, Any]) -> tuple[str | None, Any]:
    for k, op in _KEYS.items():
        if k in e:
            return op, e[k]
    return None, None


def band_text(e: dict[str, Any], unit: str = "") -> str:
    op, x = _entry_op(e)
    if op is None:
        return "其他"
    sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}[op]
    if unit == "ratio":
        return f"{sym}{fmt(Fraction(x) * 100)}%"
    if unit in ("元", "yuan") and Fraction(x) >= 10000:
        return f"{sym}{fmt(Fraction(x) / 10000)}万元"
    return f"{sym}{fmt(x)}"


class Indicator(ABC):
    id: str
    label: str
    cite: str | None = None

    def children(self) -> list[Any]:
        return []

    def fields(self) -> set[str]:
        out: set[str] = set()
        for c in self.children():
            out |= c.fields()
        return out

    def data_fields(self) -> set[str]:
        out: set[str] = set()
        for c in self.children():
            out |= c.data_fields()
        return out

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out: list[tuple[str, pl.Expr]] = []
        for c in self.children():
            out.extend(c.manual_pl(cx))
        return out

    @abstractmethod
    def range(self, cx: Ctx) -> tuple[Any, Any]:
        ...

    def pl(self, cx: Ctx) -> PLInterval:
        if cx.mat is None:
            return self._pl(cx)
        return tuple(cx.mat.get_many(("ind", id(self)), lambda: self._pl(cx)))  # type: ignore[return-value]

    @abstractmethod
    def _pl(self, cx: Ctx) -> PLInterval:
        ...

    @abstractmethod
    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        ...

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        key = id(self)
        if key in cx.cache:
            return cx.cache[key]
        iv = self.interval(rec, cx)
        cx.cache[key] = iv
        if cx.trace is None or cx.mode is not None:
            return iv
        lo, hi = iv[0], iv[1]
        cx.record(
            {
                "kind": "indicator",
                "id": self.id,
                "label": self.label,
                "inputs": {f: fmt(F(f).ev(rec, cx)) for f in sorted(self.fields())},
                "value": fmt(self.shown_value(rec, cx)),
                "band": self.band_of(rec, cx),
                "points": fmt(lo) if lo == hi else None,
                "points_min": fmt(lo),
                "points_max": fmt(hi),
                "max_points": fmt(self.range(cx)[1]),
                "status": "已计分" if lo == hi else "待核验",
                "cite": self.cite,
            }
        )
        return iv

    def shown_value(self, rec: dict[str, Any], cx: Ctx) -> Any:
        return None

    def band_of(self, rec: dict[str, Any], cx: Ctx) -> str | None:
        return None

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        """(condition, points) rows for the docs."""
        return []


def _open(lo: Any, hi: Any, review: bool) -> Interval:
    return (lo, hi, lo, hi) if review else (lo, hi, hi, lo)


def _pl_open(known: pl.Expr, value: pl.Expr, review: pl.Expr, lo: float, hi: float) -> PLInterval:
    """The four interval bounds from a points expression that is null when open."""
    _ = known
    return (
        value.fill_null(lo),
        value.fill_null(hi),
        value.fill_null(pl.when(review).then(pl.lit(lo)).otherwise(pl.lit(hi))),
        value.fill_null(pl.when(review).then(pl.lit(hi)).otherwise(pl.lit(lo))),
    )


class Banded(Indicator):
    """Points from a band table over a value (ratio, amount, count)."""

    def __init__(self, id: str, label: str, value: Value, bands: str, cite: str | None = None):
        self.id, self.label, self.value, self.bands, self.cite = id, label, value, bands, cite

    def children(self) -> list[Any]:
        return [self.value]

    def entries(self, cx: Ctx) -> list[dict[str, Any]]:
        return cx.p(self.bands)

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        pts = [e["points"] for e in self.entries(cx)]
        return min(pts), max(pts)

    def points_of(self, v: Fraction, cx: Ctx) -> Any:
        for e in self.entries(cx):
            op, x = _entry_op(e)
            if op is None or compare(v, op, Fraction(x)):
                return e["points"]
        return 0

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        v = self.value.ev(rec, cx)
        lo, hi = self.range(cx)
        if v is None:
            return _open(lo, hi, False)
        if v is UNDEF:
            return _open(lo, hi, True)
        p = self.points_of(v, cx)
        return (p, p, p, p)

    def _pl(self, cx: Ctx) -> PLInterval:
        # the value and its points are computed once (Polars does not share when/then chains)
        v = cx.mat.get(("bandvalue", id(self)), lambda: self.value.pl(cx)) if cx.mat else self.value.pl(cx)

        def points() -> pl.Expr:
            expr: Any = None
            for e in self.entries(cx):
                op, x = _entry_op(e)
                pts = pl.lit(float(e["points"]))
                if op is None:
                    expr = pts if expr is None else expr.otherwise(pts)
                    break
                c = pl_compare(v, op, float(Fraction(x)))
                expr = pl.when(c).then(pts) if expr is None else expr.when(c).then(pts)
            return pl.when(v.is_not_null()).then(expr)

        pts = cx.mat.get(("bandpoints", id(self)), points) if cx.mat else points()
        lo, hi = self.range(cx)
        review = self.value.known_pl(cx)
        return _pl_open(review, pts, review, float(lo), float(hi))

    def shown_value(self, rec, cx):
        return self.value.ev(rec, cx)

    def band_of(self, rec, cx):
        v = self.value.ev(rec, cx)
        if v is None or v is UNDEF:
            return None
        unit = cx.params[self.bands].unit
        for e in self.entries(cx):
            op, x = _entry_op(e)
            if op is None or compare(v, op, Fraction(x)):
                return band_text(e, unit)
        return None

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        unit = cx.params[self.bands].unit
        return [(f"{self.value.describe()} {band_text(e, unit)}", e["points"]) for e in self.entries(cx)]


class Tiered(Indicator):
    """First tier whose count condition holds: entries ``{field: f, min: n, points: p}``, last
    ``{points: p}``. Missing counts make every still-reachable tier possible."""

    def __init__(self, id: str, label: str, tiers: str, fields: list[str], cite: str | None = None):
        self.id, self.label, self.tiers, self.cite = id, label, tiers, cite
        self._fields = set(fields)

    def entries(self, cx: Ctx) -> list[dict[str, Any]]:
        tiers = cx.p(self.tiers)
        unknown = {e["field"] for e in tiers if "field" in e} - self._fields
        if unknown:
            raise ValueError(f"{self.tiers}: tiers name undeclared fields {sorted(unknown)}")
        return tiers

    def fields(self) -> set[str]:
        return set(self._fields)

    def data_fields(self) -> set[str]:
        return set(self._fields)

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        pts = [e["points"] for e in self.entries(cx)]
        return min(pts), max(pts)

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        possible: list[Any] = []
        earlier_true = False
        for e in self.entries(cx):
            if earlier_true:
                break
            if "field" not in e:
                possible.append(e["points"])
                break
            v = num(rec.get(e["field"]))
            c = None if v is None else compare(v, ">=", Fraction(e.get("min", 1)))
            if c is not False:
                possible.append(e["points"])
            if c is True:
                earlier_true = True
        lo, hi = min(possible), max(possible)
        return (lo, hi, hi, lo)

    def _pl(self, cx: Ctx) -> PLInterval:
        none_true = pl.lit(True)
        cands = []
        for e in self.entries(cx):
            pts = pl.lit(float(e["points"]))
            if "field" not in e:
                cands.append(pl.when(none_true).then(pts))
                break
            c = pl_compare(pl.col(e["field"]).cast(pl.Float64), ">=", float(Fraction(e.get("min", 1))))
            cands.append(pl.when(none_true & c.fill_null(True)).then(pts))
            none_true = none_true & ~c.fill_null(False)
        lo, hi = pl.min_horizontal(cands), pl.max_horizontal(cands)
        return lo, hi, hi, lo

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        rows = []
        for e in self.entries(cx):
            rows.append((f"{e['field']} ≥ {e.get('min', 1)}" if "field" in e else "其他", e["points"]))
        return rows

    def band_of(self, rec, cx):
        for e in self.entries(cx):
            if "field" not in e:
                return "其他"
            v = num(rec.get(e["field"]))
            if v is None:
                return None
            if compare(v, ">=", Fraction(e.get("min", 1))):
                return f"{e['field']} ≥ {e.get('min', 1)}"
        return None


class Categorical(Indicator):
    """Points by a categorical (or boolean) field: parameter ``{value: points, ...}``."""

    def __init__(self, id: str, label: str, field: str, mapping: str, cite: str | None = None):
        self.id, self.label, self.field, self.mapping, self.cite = id, label, field, mapping, cite

    def fields(self) -> set[str]:
        return {self.field}

    def data_fields(self) -> set[str]:
        return {self.field}

    def table_of(self, cx: Ctx) -> dict[Any, Any]:
        return cx.p(self.mapping)

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        pts = list(self.table_of(cx).values())
        return min(pts), max(pts)

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        v = rec.get(self.field)
        lo, hi = self.range(cx)
        if v is None:
            return (lo, hi, hi, lo)
        m = self.table_of(cx)
        key = bool(v) if any(isinstance(k, bool) for k in m) else str(v)
        p = m.get(key, m.get("other", lo))
        return (p, p, p, p)

    def _pl(self, cx: Ctx) -> PLInterval:
        m = self.table_of(cx)
        lo, hi = self.range(cx)
        if any(isinstance(k, bool) for k in m):
            c = pl.col(self.field).cast(pl.Boolean)
            pts = pl.when(c).then(pl.lit(float(m[True]))).when(~c).then(pl.lit(float(m[False])))
        else:
            c = pl.col(self.field).cast(pl.String)
            default = float(m.get("other", lo))
            pts = pl.when(c.is_not_null()).then(
                c.replace_strict({str(k): float(v) for k, v in m.items()}, default=default, return_dtype=pl.Float64)
            )
        return _pl_open(pl.lit(True), pts, pl.lit(False), float(lo), float(hi))

    def shown_value(self, rec, cx):
        return rec.get(self.field)

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        return [(f"{self.field} = {k}", v) for k, v in self.table_of(cx).items()]


class Stepped(Indicator):
    """``min(floor(value / per) × points, cap)`` (e.g. 1 point per full 2 years, cap 5)."""

    def __init__(self, id: str, label: str, value: Value, rule: str, cite: str | None = None):
        self.id, self.label, self.value, self.rule, self.cite = id, label, value, rule, cite

    def children(self) -> list[Any]:
        return [self.value]

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        return 0, cx.p(self.rule)["cap"]

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        r = cx.p(self.rule)
        v = self.value.ev(rec, cx)
        if v is None or v is UNDEF:
            return _open(0, r["cap"], v is UNDEF)
        steps = math.floor(Fraction(v) / Fraction(r["per"]) + Fraction(1, 10**9))
        p = min(max(steps, 0) * r["points"], r["cap"])
        return (p, p, p, p)

    def _pl(self, cx: Ctx) -> PLInterval:
        r = cx.p(self.rule)
        v = self.value.pl(cx)
        steps = (v / float(r["per"]) + 1e-9).floor().clip(lower_bound=0)
        pts = (steps * float(r["points"])).clip(upper_bound=float(r["cap"]))
        return _pl_open(pl.lit(True), pts, self.value.known_pl(cx), 0.0, float(r["cap"]))

    def shown_value(self, rec, cx):
        return self.value.ev(rec, cx)

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        r = cx.p(self.rule)
        return [(f"每满{fmt(r['per'])} {self.value.describe()} 得{fmt(r['points'])}分", f"最高{fmt(r['cap'])}")]


class BestOf(Indicator):
    """The better of several options (the enterprise chooses; the engine takes the best)."""

    def __init__(self, id: str, label: str, *options: Indicator, cite: str | None = None):
        self.id, self.label, self.options, self.cite = id, label, list(options), cite

    def children(self) -> list[Any]:
        return self.options

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        rs = [o.range(cx) for o in self.options]
        return max(r[0] for r in rs), max(r[1] for r in rs)

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        ivs = [o.ev(rec, cx) for o in self.options]
        return tuple(max(iv[k] for iv in ivs) for k in range(4))  # type: ignore[return-value]

    def _pl(self, cx: Ctx) -> PLInterval:
        ivs = [o.pl(cx) for o in self.options]
        return tuple(pl.max_horizontal([iv[k] for iv in ivs]) for k in range(4))  # type: ignore[return-value]

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        rows = []
        for o in self.options:
            rows.extend((f"[{o.label}] {c}", p) for c, p in o.table(cx))
        return rows


class ExpertPoints(Indicator):
    """Points entered by an expert within ``[min, max]`` (a parameter); absent → review item."""

    REVIEW = True

    def __init__(self, id: str, label: str, field: str, bounds: str, cite: str | None = None,
                 absent: Cond | None = None):
        self.id, self.label, self.field, self.bounds, self.cite = id, label, field, bounds, cite
        self.absent = absent  # when this holds and the input is null, the item is 0 (e.g. no IP)

    def fields(self) -> set[str]:
        return {self.field} | (self.absent.fields() if self.absent else set())

    def data_fields(self) -> set[str]:
        return self.absent.data_fields() if self.absent else set()

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        b = cx.p(self.bounds)
        return b["min"], b["max"]

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        v = num(rec.get(self.field))
        lo, hi = self.range(cx)
        if v is not None:
            return (v, v, v, v)
        if self.absent is not None:
            a = self.absent.ev(rec, cx)
            if a is True:
                return (0, 0, 0, 0)
        cx.manual.add(self.field)
        return (lo, hi, lo, hi)

    def _pl(self, cx: Ctx) -> PLInterval:
        lo, hi = self.range(cx)
        v = pl.col(self.field).cast(pl.Float64)
        if self.absent is not None:
            v = pl.when(v.is_null() & self.absent.pl(cx).fill_null(False)).then(pl.lit(0.0)).otherwise(v)
        return _pl_open(pl.lit(True), v, pl.lit(True), float(lo), float(hi))

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        v = pl.col(self.field).is_null()
        if self.absent is not None:
            v = v & ~self.absent.pl(cx).fill_null(False)
        return [(self.field, v)]

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        lo, hi = self.range(cx)
        return [(f"专家评分 {self.field}", f"{fmt(lo)}–{fmt(hi)}")]


@dataclass
class Dimension:
    id: str
    label: str
    indicators: list[Indicator]
    floor: str | None = None  # parameter id of the dimension floor
    cap: str | None = None  # parameter id of a cap on the dimension sum

    def pl(self, cx: Ctx) -> PLInterval:
        def build() -> list[pl.Expr]:
            ivs = [i.pl(cx) for i in self.indicators]
            out = [pl.sum_horizontal([iv[k] for iv in ivs]) for k in range(4)]
            if self.cap:
                c = float(cx.p(self.cap))
                out = [e.clip(upper_bound=c) for e in out]
            return out

        if cx.mat is None:
            return tuple(build())  # type: ignore[return-value]
        return tuple(cx.mat.get_many(("dim", id(self)), build))  # type: ignore[return-value]

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        ivs = [i.ev(rec, cx) for i in self.indicators]
        out = [sum((iv[k] for iv in ivs), Fraction(0)) for k in range(4)]
        if self.cap:
            c = cx.p(self.cap)
            out = [min(x, c) for x in out]
        return tuple(out)  # type: ignore[return-value]


@dataclass
class Score:
    label: str
    dimensions: list[Dimension]

    @property
    def indicators(self) -> list[Indicator]:
        return [i for d in self.dimensions for i in d.indicators]

    def pl(self, cx: Ctx) -> PLInterval:
        def build() -> list[pl.Expr]:
            ivs = [d.pl(cx) for d in self.dimensions]
            return [pl.sum_horizontal([iv[k] for iv in ivs]) for k in range(4)]

        if cx.mat is None:
            return tuple(build())  # type: ignore[return-value]
        return tuple(cx.mat.get_many(("score", id(self)), build))  # type: ignore[return-value]

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        key = ("score", id(self))
        if key in cx.cache:
            return cx.cache[key]
        ivs = [d.ev(rec, cx) for d in self.dimensions]
        iv = tuple(sum((x[k] for x in ivs), Fraction(0)) for k in range(4))
        cx.cache[key] = iv
        return iv  # type: ignore[return-value]


def mode_bounds(iv: tuple[Any, Any, Any, Any], mode: str | None) -> tuple[Any, Any]:
    lo, hi, lh, hl = iv
    return {None: (lo, hi), "lo": (lo, lh), "hi": (hl, hi)}[mode]


class ScoreAtLeast(Cond):
    """Score (or one dimension) reaches a threshold: true if its minimum does, false if its
    maximum does not, else unknown (POLICIES.md §1.3)."""

    def __init__(self, target: Score | Dimension, threshold: Value, strict: bool = False):
        self.target, self.threshold, self.strict = target, threshold, strict

    def children(self) -> list[Any]:
        inds = self.target.indicators if isinstance(self.target, Score) else self.target.indicators
        return [*inds, self.threshold]

    def _ev(self, rec, cx):
        iv = self.target.ev(rec, cx)
        lo, hi = mode_bounds(iv, cx.mode)
        t = self.threshold.ev(rec, cx)
        if self.strict:
            return True if lo > t else False if hi <= t else None
        return True if lo >= t else False if hi < t else None

    def _pl(self, cx: Ctx) -> pl.Expr:
        iv = self.target.pl(cx)
        lo, hi = mode_bounds(iv, cx.mode)
        t = float(self.threshold.ev({}, cx))
        if self.strict:
            return pl.when(lo > t).then(True).when(hi <= t).then(False)
        return pl.when(lo >= t).then(True).when(hi < t).then(False)

    def describe(self, cx: Ctx | None = None) -> str:
        t = self.threshold.describe(cx)
        return f"{self.target.label} {'>' if self.strict else '≥'} {t}{'' if t.endswith('分') else '分'}"
