"""Scored indicators, dimensions with floors, totals with thresholds.

Each indicator also knows its own upgrades for the gap solver (``upgrades``): for every better band,
the smallest change of one input that lands on it.

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
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.nodes.base import Ctx, _entry_op, band_text, compare, fmt, num, pl_compare
from zjtx.rules.nodes.conditions import Cond
from zjtx.rules.nodes.values import UNDEF, F, Value, _bound, quiet, shared, shared_many

Interval = tuple[Any, Any, Any, Any]
PLInterval = tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]

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

    @abstractmethod
    def upgrades(self, s: Any, rec: dict[str, Any], cx: Ctx, cur: Any) -> list[tuple[Any, dict[str, Any]]]:
        """(points after, change set) for every better level than ``cur`` points: the smallest
        change of one input that lands on it (``s``: the gap solver), or none with the reason."""


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


# A "first entry whose condition holds" table (tiers, pinned bands) over k three-valued
# conditions: each row's conditions as one code Σ state_j·3^j (state 0 false, 1 true, 2 unknown),
# and the interval bounds of every code worked out in Python by the interpreter's own rule — a
# few look-ups per row instead of a min/max over a when/then per entry (5–10× cheaper,
# docs/benchmarks.md). Beyond MAX_CODED conditions (3^k table rows) the when/then form is kept.
MAX_CODED = 8


def first_match_code(conds: Sequence[pl.Expr]) -> pl.Expr:
    code: pl.Expr = pl.lit(0, pl.UInt16)
    for j, c in enumerate(conds):
        code = code + c.cast(pl.UInt16).fill_null(2) * (3**j)
    return code


def first_match_states(k: int) -> list[list[int]]:
    """Every combination of k condition states, in code order."""
    return [[code // 3**j % 3 for j in range(k)] for code in range(3**k)]


def lookup(values: Sequence[Any], code: pl.Expr, dtype: Any = pl.Float64) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=dtype)).gather(code)


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

    def upgrades(self, s, rec, cx, cur):
        out = []
        for e in self.entries(cx):
            op, x = _entry_op(e)
            if op is None or e["points"] <= cur:
                continue
            for ch in s.invert(self.value, op, Fraction(x), rec, cx):
                out.append((e["points"], ch))
        return out


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
        entries = self.entries(cx)
        conds = [e for e in entries if "field" in e]
        if len(conds) > MAX_CODED:
            return self._pl_chain(entries)
        code = shared(cx, ("tiered_code", id(self)), lambda: first_match_code([
            pl_compare(pl.col(e["field"]).cast(pl.Float64), ">=", float(Fraction(e.get("min", 1)))) for e in conds]))
        bounds = [self._interval_of(states, entries) for states in first_match_states(len(conds))]
        lo = lookup([None if a is None else float(a) for a, _ in bounds], code)
        hi = lookup([None if b is None else float(b) for _, b in bounds], code)
        return lo, hi, hi, lo

    @staticmethod
    def _interval_of(states: list[int], entries: list[dict[str, Any]]) -> tuple[Any, Any]:
        """``interval`` from the tiers' condition states (0 false, 1 true, 2 unknown)."""
        possible: list[Any] = []
        it = iter(states)
        for e in entries:
            if "field" not in e:
                possible.append(e["points"])
                break
            t = next(it)
            if t != 0:
                possible.append(e["points"])
            if t == 1:
                break
        return (min(possible), max(possible)) if possible else (None, None)

    def _pl_chain(self, entries: list[dict[str, Any]]) -> PLInterval:
        none_true = pl.lit(True)
        cands = []
        for e in entries:
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

    def upgrades(self, s, rec, cx, cur):
        out = []
        for e in self.entries(cx):
            if "field" not in e or e["points"] <= cur:
                continue
            for ch in s.invert_field(e["field"], ">=", Fraction(e.get("min", 1)), rec):
                out.append((e["points"], ch))
        return out

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

    def upgrades(self, s, rec, cx, cur):
        m = self.table_of(cx)
        out: list[tuple[Any, dict[str, Any]]] = []
        if s.spec(self.field) is None:
            if any(p > cur for p in m.values()):
                s.blocked_field(self.field)
            return out
        for k, p in m.items():
            if p <= cur or k == "other":
                continue
            v = s.category_value(self.field, k, rec)
            if v is not None:
                out.append((p, {self.field: v}))
        return out


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

    def upgrades(self, s, rec, cx, cur):
        r = cx.p(self.rule)
        out = []
        steps = math.ceil(Fraction(r["cap"]) / Fraction(r["points"]))
        for k in range(1, steps + 1):
            p = min(k * r["points"], r["cap"])
            if p <= cur:
                continue
            for ch in s.invert(self.value, ">=", Fraction(k) * Fraction(r["per"]), rec, cx):
                out.append((p, ch))
        return out


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

    def upgrades(self, s, rec, cx, cur):
        out = []
        for o in self.options:
            lo, hi = s.points(o, rec, None)
            if lo != hi:
                continue
            out += [(p, ch) for p, ch in o.upgrades(s, rec, cx, lo) if p > cur]
        return out


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

    def upgrades(self, s, rec, cx, cur):
        s.note(f"需专家评审：{self.label}")
        return []


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
        out = [sum(iv[k] for iv in ivs) for k in range(4)]  # int points stay int (exact either way)
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
        iv = tuple(sum(x[k] for x in ivs) for k in range(4))
        cx.cache[key] = iv
        return iv  # type: ignore[return-value]


def mode_bounds(iv: tuple[Any, Any, Any, Any], mode: str | None) -> tuple[Any, Any]:
    lo, hi, lh, hl = iv
    return {None: (lo, hi), "lo": (lo, lh), "hi": (hl, hi)}[mode]


class ScoreAtLeast(Cond):
    """Score (or one dimension) reaches a threshold: true if its minimum does, false if its
    maximum does not, else unknown (POLICIES.md §1.3)."""

    SCORED = True  # solved together with the other scored constraints of its conjunction

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

    def gap(self, s, rec, cx):
        return s.score_options([self], rec, cx)


# ---------------------------------------------------------------------------------------------
# band ranges pinned by an expert (高企) and range-checked expert points
# ---------------------------------------------------------------------------------------------

def _rng(e: dict[str, Any]) -> tuple[Fraction, Fraction]:
    r = e.get("range")
    if r is None:
        p = Fraction(e["points"])
        return p, p
    return Fraction(r[0]), Fraction(r[1])


def _rng_text(a: Fraction, b: Fraction) -> str:
    return f"{fmt(a)}分" if a == b else f"{fmt(a)}–{fmt(b)}分"


class PinnedBands(Indicator):
    """Points inside a band range chosen by the data and pinned by an expert input.

    The table (parameter ``bands``) lists entries with ``range: [a, b]`` (or ``points: p``) and one
    condition: a bound on ``value`` (``min``/``above``/``max``/``below``), or a record field —
    ``{field: f, min: n}`` (count ≥ n) or ``{field: f, is: true|false}``; an entry without a
    condition is the rest (required, last). Fields listed in ``hints`` read null as "no" (they only
    narrow the band and are not data); ``fields`` are data fields.

    Interval: with the pin given, its value. Otherwise the possible bands are those that can still
    be the first to hold: ``[min a, max b]``; the choice inside a band is a review item (the pin is
    listed in ``manual``), while several possible bands mean data are missing. A value whose
    formula is undefined (``UNDEF``) opens the whole table as a review item.
    """

    REVIEW = True

    def __init__(self, id: str, label: str, bands: str, pin: str, value: Value | None = None,
                 fields: tuple[str, ...] = (), hints: tuple[str, ...] = (), cite: str | None = None):
        self.id, self.label, self.bands, self.pin, self.value, self.cite = id, label, bands, pin, value, cite
        self._fields, self._hints = set(fields), set(hints)

    def children(self) -> list[Any]:
        return [self.value] if self.value is not None else []

    def fields(self) -> set[str]:
        out = {self.pin} | self._fields | self._hints
        return out | (self.value.fields() if self.value is not None else set())

    def data_fields(self) -> set[str]:
        return self.value.data_fields() if self.value is not None else set(self._fields)

    def entries(self, cx: Ctx) -> list[dict[str, Any]]:
        entries = cx.p(self.bands)
        named = {e["field"] for e in entries if "field" in e}
        if named - self._fields - self._hints:
            raise ValueError(f"{self.bands}: entries name undeclared fields {sorted(named - self._fields - self._hints)}")
        if not entries or "field" in entries[-1] or _bound(entries[-1])[0] is not None:
            raise ValueError(f"{self.bands}: the last entry must be the rest (no condition)")
        return entries

    def range(self, cx: Ctx) -> tuple[Any, Any]:
        rs = [_rng(e) for e in self.entries(cx)]
        return min(a for a, _ in rs), max(b for _, b in rs)

    # ---- the interpreter ---------------------------------------------------------------------
    def _cond(self, e: dict[str, Any], rec: dict[str, Any], v: Any) -> bool | None:
        if "field" in e:
            raw = rec.get(e["field"])
            if raw is None:
                return False if e["field"] in self._hints else None
            if "is" in e:
                return bool(raw) == bool(e["is"])
            return compare(num(raw), ">=", Fraction(e.get("min", 1)))
        op, x = _bound(e)
        if op is None:
            return True
        return compare(v, op, Fraction(x))

    def _possible(self, rec: dict[str, Any], cx: Ctx) -> tuple[list[dict[str, Any]], bool, set[str]]:
        """(possible entries, value undefined, review items of the value)."""
        entries = self.entries(cx)
        v: Any = None
        review: set[str] = set()
        if self.value is not None:
            q = quiet(cx)
            v = self.value.ev(rec, q)
            review = q.manual
            if v is None:
                return entries, False, review
            if v is UNDEF:
                return entries, True, review
        out = []
        for e in entries:
            c = self._cond(e, rec, v)
            if c is not False:
                out.append(e)
            if c is True:
                break
        return out, False, review

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        lo_all, hi_all = self.range(cx)
        possible, undefined, review = self._possible(rec, cx)
        pin = num(rec.get(self.pin))
        if pin is not None:
            return (pin, pin, pin, pin)
        cx.manual |= review
        rs = [_rng(e) for e in possible]
        if any(a < b for a, b in rs):
            cx.manual.add(self.pin)
        if undefined:
            return (lo_all, hi_all, lo_all, hi_all)
        return (min(a for a, _ in rs), max(b for _, b in rs), max(a for a, _ in rs), min(b for _, b in rs))

    def pin_issue(self, rec: dict[str, Any], cx: Ctx) -> str | None:
        """Why the pin is outside every possible band (Chinese), or None."""
        pin = num(rec.get(self.pin))
        if pin is None:
            return None
        possible, _, _ = self._possible(rec, quiet(cx))
        rs = list(dict.fromkeys(_rng(e) for e in possible))
        if any(compare(pin, ">=", a) and compare(pin, "<=", b) for a, b in rs):
            return None
        return f"{self.label}得分应在所属档次 {'或'.join(_rng_text(a, b) for a, b in rs)} 之内"

    def shown_value(self, rec: dict[str, Any], cx: Ctx) -> Any:
        return None if self.value is None else self.value.ev(rec, quiet(cx))

    def band_of(self, rec: dict[str, Any], cx: Ctx) -> str | None:
        possible, undefined, _ = self._possible(rec, cx)
        if undefined or len(possible) != 1:
            return None
        e = possible[0]
        return f"{self._cond_text(e, cx)} → {_rng_text(*_rng(e))}"

    def _cond_text(self, e: dict[str, Any], cx: Ctx) -> str:
        if "field" in e:
            if "is" in e:
                return f"{e['field']} = {'是' if e['is'] else '否'}"
            return f"{e['field']} ≥ {e.get('min', 1)}"
        if _bound(e)[0] is None:
            return "其他" if len(self.entries(cx)) > 1 else "专家评分"
        return band_text(e, cx.params[self.bands].unit)

    def table(self, cx: Ctx) -> list[tuple[str, Any]]:
        what = f"{self.value.describe()} " if self.value is not None else ""
        return [(f"{what}{self._cond_text(e, cx)}（专家在档内评分: {self.pin}）", _rng_text(*_rng(e)))
                for e in self.entries(cx)]

    # ---- Polars --------------------------------------------------------------------------------
    def _possible_pl(self, cx: Ctx) -> list[tuple[pl.Expr, Fraction, Fraction]]:
        rngs = [_rng(e) for e in self.entries(cx)]
        flags = shared_many(cx, ("pinned_possible", id(self)), lambda: [p for p, _, _ in self._possible_raw(cx)])
        return [(f, a, b) for f, (a, b) in zip(flags, rngs, strict=True)]

    def _conds_pl(self, cx: Ctx) -> list[pl.Expr | None]:
        """Each entry's condition (None for the rest, which ends the list)."""
        v = self.value.pl(cx) if self.value is not None else None
        out: list[pl.Expr | None] = []
        for e in self.entries(cx):
            c: pl.Expr | None
            if "field" in e:
                col = pl.col(e["field"])
                if "is" in e:
                    c = col.cast(pl.Boolean) if e["is"] else ~col.cast(pl.Boolean)
                else:
                    c = pl_compare(col.cast(pl.Float64), ">=", float(Fraction(e.get("min", 1))))
                if e["field"] in self._hints:
                    c = c.fill_null(False)
            else:
                op, x = _bound(e)
                c = None if op is None else pl_compare(v, op, float(Fraction(x)))  # type: ignore[arg-type]
            out.append(c)
            if c is None:
                break
        return out

    def _possible_raw(self, cx: Ctx) -> list[tuple[pl.Expr, Fraction, Fraction]]:
        none_true: pl.Expr = pl.lit(True)
        out = []
        for e, c in zip(self.entries(cx), self._conds_pl(cx), strict=False):
            a, b = _rng(e)
            if c is None:
                out.append((none_true, a, b))
                break
            out.append((none_true & c.fill_null(True), a, b))
            none_true = none_true & ~c.fill_null(False)
        return out

    def _possible_of(self, states: list[int], cx: Ctx) -> list[tuple[Fraction, Fraction]]:
        """The possible entries' ranges from their conditions' states (0 false, 1 true, 2 unknown)."""
        out = []
        for e, t in zip(self.entries(cx), [*states, None], strict=False):
            if t is None:  # the rest
                out.append(_rng(e))
                break
            if t != 0:
                out.append(_rng(e))
            if t == 1:
                break
        return out

    def _coded(self, cx: Ctx) -> tuple[pl.Expr, list[list[tuple[Fraction, Fraction]]]] | None:
        """The rows' condition code and the possible ranges of every code (None: too many entries)."""
        # the conditions before the first entry without one (the rest: last, ``entries`` checks)
        k = next(i for i, e in enumerate(self.entries(cx)) if "field" not in e and _bound(e)[0] is None)
        if k > MAX_CODED:
            return None
        code = shared(cx, ("pinned_code", id(self)), lambda: first_match_code(self._conds_pl(cx)[:k]))
        return code, [self._possible_of(states, cx) for states in first_match_states(k)]

    def _undefined_pl(self, cx: Ctx) -> pl.Expr:
        if self.value is None:
            return pl.lit(False)
        value = self.value
        return shared(cx, ("pinned_undefined", id(self)), lambda: value.pl(cx).is_null() & value.known_pl(cx))

    def _pl(self, cx: Ctx) -> PLInterval:
        lo_all, hi_all = self.range(cx)
        coded = self._coded(cx)
        if coded is not None:
            code, possible = coded
            lo = lookup([float(min(a for a, _ in rs)) for rs in possible], code)
            hi = lookup([float(max(b for _, b in rs)) for rs in possible], code)
            lh = lookup([float(max(a for a, _ in rs)) for rs in possible], code)
            hl = lookup([float(min(b for _, b in rs)) for rs in possible], code)
        else:
            poss = self._possible_pl(cx)
            lo = pl.min_horizontal([pl.when(p).then(pl.lit(float(a))) for p, a, _ in poss])
            hi = pl.max_horizontal([pl.when(p).then(pl.lit(float(b))) for p, _, b in poss])
            lh = pl.max_horizontal([pl.when(p).then(pl.lit(float(a))) for p, a, _ in poss])
            hl = pl.min_horizontal([pl.when(p).then(pl.lit(float(b))) for p, _, b in poss])
        und = self._undefined_pl(cx)
        lh = pl.when(und).then(pl.lit(float(lo_all))).otherwise(lh)
        hl = pl.when(und).then(pl.lit(float(hi_all))).otherwise(hl)
        pin = pl.col(self.pin).cast(pl.Float64)
        return tuple(pl.when(pin.is_not_null()).then(pin).otherwise(x) for x in (lo, hi, lh, hl))  # type: ignore[return-value]

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        unpinned = pl.col(self.pin).is_null()
        out = [(name, e & unpinned) for name, e in super().manual_pl(cx)]
        coded = self._coded(cx)
        if coded is not None:  # a band still open (several possible, or one with a range)
            code, possible = coded
            wide = lookup([any(a < b for a, b in rs) for rs in possible], code, pl.Boolean)
            out.append((self.pin, unpinned & wide))
            return out
        widths = [p for p, a, b in self._possible_pl(cx) if a < b]
        out.append((self.pin, unpinned & (pl.any_horizontal(widths) if widths else pl.lit(False))))
        return out

    def upgrades(self, s, rec, cx, cur):
        s.note(f"需专家评审：{self.label}（档内分值由专家评定）")
        return []

    def pin_outside_pl(self, cx: Ctx) -> tuple[pl.Expr, list[pl.Expr]]:
        """Whether the pin lies outside every possible band (false without a pin), and the flags of
        the possible bands (``pin_reason`` words the reason from them for the rows that fail)."""
        pin = pl.col(self.pin).cast(pl.Float64)
        poss = self._possible_pl(cx)
        inside = pl.any_horizontal(
            [p & pl_compare(pin, ">=", float(a)) & pl_compare(pin, "<=", float(b)) for p, a, b in poss])
        return pin.is_not_null() & ~inside.fill_null(False), [p for p, _, _ in poss]

    def pin_reason(self, flags: Sequence[bool | None], cx: Ctx) -> str:
        """The reason of ``pin_issue`` from the possible-band flags of ``pin_outside_pl`` (one row)."""
        rngs = [_rng(e) for e in self.entries(cx)]
        texts = dict.fromkeys(_rng_text(a, b) for f, (a, b) in zip(flags, rngs, strict=True) if f)
        return f"{self.label}得分应在所属档次 {'或'.join(texts)} 之内"

    def pin_issue_pl(self, cx: Ctx) -> pl.Expr:
        """The reason the pin is outside every possible band (as ``pin_issue``), else null."""
        outside, flags = self.pin_outside_pl(cx)
        rngs = [_rng(e) for e in self.entries(cx)]
        texts = pl.concat_list([pl.when(p).then(pl.lit(_rng_text(a, b))).otherwise(pl.lit(None, pl.String))
                                for p, (a, b) in zip(flags, rngs, strict=True)]).list.drop_nulls().list.unique(
            maintain_order=True)
        reason = pl.concat_str([pl.lit(f"{self.label}得分应在所属档次 "), texts.list.join("或"), pl.lit(" 之内")])
        return pl.when(outside).then(reason)


class RangedExpertPoints(ExpertPoints):
    """``ExpertPoints`` whose entered value must lie within its ``[min, max]`` parameter.

    A value outside the range is not scored: the indicator stays open over ``[min, max]`` as a
    review item and ``manual`` lists ``超出范围:<field>`` (the plain ``ExpertPoints`` would score
    any entered number, e.g. 40 points on a 15-point indicator).
    """

    def _in_range(self, v: Any, cx: Ctx) -> bool:
        lo, hi = self.range(cx)
        return compare(v, ">=", num(lo)) and compare(v, "<=", num(hi))

    def interval(self, rec: dict[str, Any], cx: Ctx) -> Interval:
        v = num(rec.get(self.field))
        if v is not None and not self._in_range(v, cx):
            lo, hi = self.range(cx)
            cx.manual.add(f"超出范围:{self.field}")
            return (lo, hi, lo, hi)
        return super().interval(rec, cx)

    def _valid_pl(self, cx: Ctx) -> pl.Expr:
        lo, hi = self.range(cx)
        v = pl.col(self.field).cast(pl.Float64)
        return pl_compare(v, ">=", float(lo)) & pl_compare(v, "<=", float(hi))

    def _pl(self, cx: Ctx) -> PLInterval:
        lo, hi = self.range(cx)
        v = pl.col(self.field).cast(pl.Float64)
        v = pl.when(v.is_null() | self._valid_pl(cx)).then(v)
        if self.absent is not None:
            v = pl.when(pl.col(self.field).is_null() & self.absent.pl(cx).fill_null(False)).then(
                pl.lit(0.0)).otherwise(v)
        return _pl_open(pl.lit(True), v, pl.lit(True), float(lo), float(hi))

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out = super().manual_pl(cx)
        out.append((f"超出范围:{self.field}", pl.col(self.field).is_not_null() & ~self._valid_pl(cx)))
        return out
