"""Generic nodes added alongside the core model (same contract as ``zjtx.rules.model`` / ``scoring``).

* ``StartsWith``: a code field begins with one of a list of prefixes — e.g. the GB/T 4754-2017
  门类 letter of ``industry`` (``C`` = 制造业). Null → unknown in both executors.
* ``RangedExpertPoints``: expert/entered points that must lie within their parameter range; an
  out-of-range value is a review item instead of being scored.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from zjtx.rules import model as _model
from zjtx.rules import scoring as _scoring
from zjtx.rules.model import Cond, Ctx, P


class StartsWith(Cond):
    """A string field starts with one of ``prefixes`` (a list or a list parameter); null → unknown.

    Comparison ignores surrounding whitespace and letter case (industry codes are upper case).
    """

    def __init__(self, name: str, prefixes: list[str] | P):
        self.name, self.prefixes = name, prefixes

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def _vals(self, cx: Ctx) -> list[str]:
        vals = self.prefixes.value(cx) if isinstance(self.prefixes, P) else self.prefixes
        return [str(v).strip().upper() for v in vals]

    def _ev(self, rec: dict[str, Any], cx: Ctx) -> bool | None:
        v = rec.get(self.name)
        if v is None:
            return None
        s = str(v).strip().upper()
        if not s:
            return None
        return any(s.startswith(p) for p in self._vals(cx))

    def _pl(self, cx: Ctx) -> pl.Expr:
        c = pl.col(self.name).cast(pl.String).str.strip_chars().str.to_uppercase()
        hit: pl.Expr = pl.lit(False)
        for p in self._vals(cx):
            hit = hit | c.str.starts_with(p)
        return pl.when(c.is_not_null() & (c != "")).then(hit)

    def describe(self, cx: Ctx | None = None) -> str:
        if cx is None and isinstance(self.prefixes, P):
            vals = [self.prefixes.pid]
        else:
            vals = self._vals(cx) if cx is not None else list(self.prefixes)  # type: ignore[arg-type]
        return f"{self.name} 以 {' / '.join(vals)} 开头"


# ---------------------------------------------------------------------------------------------
# dates, counted fiscal years, banded lookups and band-range indicators (added for high_tech)
# ---------------------------------------------------------------------------------------------
#
# ``DaysSince``: calendar days from a date field to the evaluation date. ``CountedYears``: how many
# of ``_y1 … _yN`` an enterprise operated (fewer than N when founded recently). ``CountedSum``: a sum
# over the counted years only. ``Lookup``: a value chosen from a banded parameter table (a threshold
# that depends on another value). ``PinnedBands``: an indicator whose band, chosen by the data, is a
# points *range* [a, b]; an expert input (the pin) fixes the points inside it and must lie inside a
# possible band (``pin_issue`` / ``pin_issue_pl`` report a pin outside it, for ``InputError``).
#
# Date fields may reach ``ev`` as ``datetime.date`` or as ISO text (``F.ev`` cannot trace a date:
# ``num`` rejects it, so a policy may pass dates as text to ``explain``).


import dataclasses  # noqa: E402
import datetime as _dt  # noqa: E402
from fractions import Fraction  # noqa: E402

from zjtx.rules.model import UNDEF, NumF, Value, compare, fmt, num, pl_compare  # noqa: E402
from zjtx.rules.scoring import Indicator, Interval, PLInterval, band_text  # noqa: E402

_BOUND_KEYS = {"min": ">=", "above": ">", "max": "<=", "below": "<"}


def _bound(e: dict[str, Any]) -> tuple[str | None, Any]:
    for k, op in _BOUND_KEYS.items():
        if k in e:
            return op, e[k]
    return None, None


def as_date(v: Any) -> _dt.date | None:
    """A date field's value as a date (date, datetime or ISO text; None stays None)."""
    if v is None:
        return None
    if isinstance(v, _dt.datetime):
        return v.date()
    if isinstance(v, _dt.date):
        return v
    return _dt.date.fromisoformat(str(v).strip()[:10])


def shared(cx: Ctx, key: Any, build: Any) -> pl.Expr:
    """``build()`` as one shared column when the context materializes (batch plans), else inline."""
    return build() if cx.mat is None else cx.mat.get(key, build)


def shared_many(cx: Ctx, key: Any, build: Any) -> list[pl.Expr]:
    return list(build()) if cx.mat is None else cx.mat.get_many(key, build)


def quiet(cx: Ctx) -> Ctx:
    """A copy of the context that records no trace and collects review items apart."""
    return dataclasses.replace(cx, trace=None, manual=set())


class DaysSince(Value):
    """Calendar days from the date field ``name`` to the evaluation date (negative if later)."""

    def __init__(self, name: str):
        self.name = name

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        d = as_date(rec.get(self.name))
        return None if d is None else Fraction((cx.on - d).days)

    def pl(self, cx: Ctx) -> pl.Expr:
        return (pl.lit(cx.on) - pl.col(self.name).cast(pl.Date)).dt.total_days().cast(pl.Float64)

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return pl.col(self.name).is_not_null()

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name}至评价日的天数"


class CountedYears(Value):
    """How many of the fiscal years ``_y1 … _yN`` count (N = parameter ``max_years``).

    ``_y1`` is the calendar year before the evaluation date. A year counts when the enterprise was
    founded on or before its December 31 (parameter ``founding_year_counts`` true) or on or before
    its January 1 (false). The result is at least 1: an enterprise with no completed year fails any
    age condition anyway, and ``_y1`` keeps the counted-year formulas defined.
    """

    def __init__(self, name: str, max_years: str, founding_year_counts: str):
        self.name, self.max_years, self.founding_year_counts = name, max_years, founding_year_counts

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def _params(self, cx: Ctx) -> tuple[int, bool]:
        n = int(cx.p(self.max_years))
        if not 1 <= n <= 3:
            raise ValueError(f"{self.max_years} = {n}: the record has _y1…_y3 only")
        return n, bool(cx.p(self.founding_year_counts))

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        cap, founding = self._params(cx)
        d = as_date(rec.get(self.name))
        if d is None:
            return None
        n = cx.on.year - d.year
        if not founding and (d.month, d.day) != (1, 1):
            n -= 1
        return Fraction(min(max(n, 1), cap))

    def pl(self, cx: Ctx) -> pl.Expr:
        cap, founding = self._params(cx)
        year = cx.on.year
        return shared(cx, ("counted_years", id(self), year), lambda: self._pl(year, cap, founding))

    def _pl(self, year: int, cap: int, founding: bool) -> pl.Expr:
        d = pl.col(self.name).cast(pl.Date)
        n = pl.lit(year) - d.dt.year().cast(pl.Int64)
        if not founding:
            n = n - pl.when((d.dt.month() == 1) & (d.dt.day() == 1)).then(0).otherwise(1)
        return n.clip(1, cap).cast(pl.Float64)

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return pl.col(self.name).is_not_null()

    def describe(self, cx: Ctx | None = None) -> str:
        return "计算年度数"


class CountedSum(Value):
    """``Σ base_yk`` over the counted years k = 1 … n (``base_yk`` falls back to ``fallback_yk``).

    Unknown when the number of years or any counted year's value is unknown.
    """

    def __init__(self, base: str, years: CountedYears, fallback: str | None = None):
        self.base, self.years = base, years
        self.items = [NumF(f"{base}_y{k}", fallback=f"{fallback}_y{k}" if fallback else None) for k in (1, 2, 3)]

    def children(self) -> list[Value]:
        return [*self.items, self.years]

    def fields(self) -> set[str]:
        return set().union(*(c.fields() for c in self.children()))

    def data_fields(self) -> set[str]:
        return set().union(*(c.data_fields() for c in self.children()))

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        n = self.years.ev(rec, cx)
        vals = [i.ev(rec, cx) for i in self.items]
        if n is None:
            return None
        counted = vals[: int(n)]
        if any(v is None for v in counted):
            return None
        return sum(counted, Fraction(0))

    def pl(self, cx: Ctx) -> pl.Expr:
        return shared(cx, ("counted_sum", id(self)), lambda: self._pl(cx))

    def _pl(self, cx: Ctx) -> pl.Expr:
        n = self.years.pl(cx)
        total: pl.Expr = pl.lit(0.0)
        for k, item in enumerate(self.items, start=1):
            total = total + pl.when(n >= k).then(item.pl(cx)).otherwise(pl.lit(0.0))
        return pl.when(n.is_not_null()).then(total)

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return self.pl(cx).is_not_null()

    def describe(self, cx: Ctx | None = None) -> str:
        return f"Σ{self.base}"


class Lookup(Value):
    """A value from a banded parameter table: entries ``{max|min|above|below: x, value: v}`` over
    ``key`` (first that holds), last ``{value: v}`` for the rest. Unknown when ``key`` is."""

    def __init__(self, key: Value, table: str, label: str = ""):
        self.key, self.table, self.label = key, table, label

    def children(self) -> list[Value]:
        return [self.key]

    def fields(self) -> set[str]:
        return self.key.fields()

    def data_fields(self) -> set[str]:
        return self.key.data_fields()

    def entries(self, cx: Ctx) -> list[dict[str, Any]]:
        entries = cx.p(self.table)
        if not entries or _bound(entries[-1])[0] is not None:
            raise ValueError(f"{self.table}: the last entry must be the rest (no bound)")
        return entries

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        entries = self.entries(cx)
        k = self.key.ev(rec, cx)
        if k is None or k is UNDEF:
            return k
        for e in entries:
            op, x = _bound(e)
            if op is None or compare(k, op, Fraction(x)):
                return Fraction(e["value"])
        return None  # pragma: no cover - the last entry always holds

    def pl(self, cx: Ctx) -> pl.Expr:
        return shared(cx, ("lookup", id(self)), lambda: self._pl(cx))

    def _pl(self, cx: Ctx) -> pl.Expr:
        k = self.key.pl(cx)
        expr: Any = None
        for e in self.entries(cx):
            op, x = _bound(e)
            v = pl.lit(float(Fraction(e["value"])))
            if op is None:
                expr = v if expr is None else expr.otherwise(v)
                break
            c = pl_compare(k, op, float(Fraction(x)))
            expr = pl.when(c).then(v) if expr is None else expr.when(c).then(v)
        return pl.when(k.is_not_null()).then(expr)

    def describe(self, cx: Ctx | None = None) -> str:
        if cx is None:
            return f"[{self.table}]"
        unit = cx.params[self.table].unit
        key_unit = "元"
        rows = []
        for e in self.entries(cx):
            op, x = _bound(e)
            v = f"{fmt(Fraction(e['value']) * 100)}%" if unit == "ratio" else str(fmt(Fraction(e["value"])))
            cond = "其他" if op is None else band_text({k: x for k, o in _BOUND_KEYS.items() if o == op}, key_unit)
            rows.append(f"{cond}→{v}")
        return f"{self.label or self.table}（按 {self.key.describe(cx)}：{'；'.join(rows)}）"


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

    def _possible_raw(self, cx: Ctx) -> list[tuple[pl.Expr, Fraction, Fraction]]:
        v = self.value.pl(cx) if self.value is not None else None
        none_true: pl.Expr = pl.lit(True)
        out = []
        for e in self.entries(cx):
            a, b = _rng(e)
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
            if c is None:
                out.append((none_true, a, b))
                break
            out.append((none_true & c.fill_null(True), a, b))
            none_true = none_true & ~c.fill_null(False)
        return out

    def _undefined_pl(self, cx: Ctx) -> pl.Expr:
        if self.value is None:
            return pl.lit(False)
        value = self.value
        return shared(cx, ("pinned_undefined", id(self)), lambda: value.pl(cx).is_null() & value.known_pl(cx))

    def _pl(self, cx: Ctx) -> PLInterval:
        lo_all, hi_all = self.range(cx)
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
        widths = [p for p, a, b in self._possible_pl(cx) if a < b]
        out.append((self.pin, unpinned & (pl.any_horizontal(widths) if widths else pl.lit(False))))
        return out

    def pin_issue_pl(self, cx: Ctx) -> pl.Expr:
        """The reason the pin is outside every possible band (as ``pin_issue``), else null."""
        pin = pl.col(self.pin).cast(pl.Float64)
        poss = self._possible_pl(cx)
        inside = pl.any_horizontal(
            [p & pl_compare(pin, ">=", float(a)) & pl_compare(pin, "<=", float(b)) for p, a, b in poss])
        texts = pl.concat_list([pl.when(p).then(pl.lit(_rng_text(a, b))).otherwise(pl.lit(None, pl.String))
                                for p, a, b in poss]).list.drop_nulls().list.unique(maintain_order=True)
        reason = pl.concat_str([pl.lit(f"{self.label}得分应在所属档次 "), texts.list.join("或"), pl.lit(" 之内")])
        return pl.when(pin.is_not_null() & ~inside.fill_null(False)).then(reason)


class RangedExpertPoints(_scoring.ExpertPoints):
    """``ExpertPoints`` whose entered value must lie within its ``[min, max]`` parameter.

    A value outside the range is not scored: the indicator stays open over ``[min, max]`` as a
    review item and ``manual`` lists ``超出范围:<field>`` (the plain ``ExpertPoints`` would score
    any entered number, e.g. 40 points on a 15-point indicator).
    """

    def _in_range(self, v: Any, cx: Ctx) -> bool:
        lo, hi = self.range(cx)
        return _model.compare(v, ">=", _model.num(lo)) and _model.compare(v, "<=", _model.num(hi))

    def interval(self, rec: dict[str, Any], cx: Ctx) -> _scoring.Interval:
        v = _model.num(rec.get(self.field))
        if v is not None and not self._in_range(v, cx):
            lo, hi = self.range(cx)
            cx.manual.add(f"超出范围:{self.field}")
            return (lo, hi, lo, hi)
        return super().interval(rec, cx)

    def _valid_pl(self, cx: Ctx) -> pl.Expr:
        lo, hi = self.range(cx)
        v = pl.col(self.field).cast(pl.Float64)
        return _model.pl_compare(v, ">=", float(lo)) & _model.pl_compare(v, "<=", float(hi))

    def _pl(self, cx: Ctx) -> _scoring.PLInterval:
        lo, hi = self.range(cx)
        v = pl.col(self.field).cast(pl.Float64)
        v = pl.when(v.is_null() | self._valid_pl(cx)).then(v)
        if self.absent is not None:
            v = pl.when(pl.col(self.field).is_null() & self.absent.pl(cx).fill_null(False)).then(
                pl.lit(0.0)).otherwise(v)
        return _scoring._pl_open(pl.lit(True), v, pl.lit(True), float(lo), float(hi))

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out = super().manual_pl(cx)
        out.append((f"超出范围:{self.field}", pl.col(self.field).is_not_null() & ~self._valid_pl(cx)))
        return out
