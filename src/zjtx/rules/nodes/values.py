"""Value nodes: numbers computed from the record and the parameters.

Each knows its Polars expression (``pl``), its exact value for one record (``ev``), its description,
the fields it reads, and — for the gap solver — its own inversion (``invert``): the changes of one
input that make ``value op target`` hold, or the reason none can.

Fields (``F``/``NumF``), parameters (``P``), constants; arithmetic (``Add``, ``Sub``, ``Mul``, ``Div``
— undefined, a review item, when the base ≤ 0 —, ``Sum``, ``Mean``, ``Ratio``); and values over
dates and counted fiscal years (``DaysSince``, ``CountedYears``, ``CountedSum``) and banded lookups
(``Lookup``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import datetime as dt
from abc import ABC, abstractmethod
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.nodes.base import (
    UNDEF,
    Ctx,
    band_text,
    compare,
    fmt,
    num,
    param_text,
    pl_compare,
)
from zjtx.rules.params import ParamValue


class Value(ABC):
    """A numeric (or categorical) expression."""

    def fields(self) -> set[str]:
        return set()

    def data_fields(self) -> set[str]:
        """Fields whose null means 'data missing' (excludes null-as-none and expert fields)."""
        return self.fields()

    @abstractmethod
    def pl(self, cx: Ctx) -> pl.Expr:
        ...

    def known_pl(self, cx: Ctx) -> pl.Expr:
        """True when every input is present (so a null value means 'undefined')."""
        exprs: dict[str, pl.Expr] = {}
        for c in self.children():  # each input tested once (a field read twice in a formula)
            e = c.known_pl(cx)
            exprs.setdefault(str(e), e)
        return pl.all_horizontal(list(exprs.values())) if exprs else pl.lit(True)

    @abstractmethod
    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        ...

    @abstractmethod
    def describe(self, cx: Ctx | None = None) -> str:
        ...

    def children(self) -> list[Value]:
        return []

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out: list[tuple[str, pl.Expr]] = []
        for c in self.children():
            out.extend(c.manual_pl(cx))
        return out

    @abstractmethod
    def invert(self, s: Any, op: str, target: Any, rec: dict[str, Any], cx: Ctx) -> list[dict[str, Any]]:
        """Change sets (one input each) that make ``self op target`` hold, from the node's shape;
        ``s`` is the gap solver (search and pricing: ``invert_field``, ``note``, …). A node that
        cannot be moved by the enterprise says why (``s.note``) and returns no change."""

    # arithmetic sugar
    def __truediv__(self, other: Value) -> Value:
        return Div(self, other)

    def __add__(self, other: Value) -> Value:
        return Add(self, other)

    def __sub__(self, other: Value) -> Value:
        return Sub(self, other)


class F(Value):
    """A record field. ``fallback``: another field used when this one is null (销售收入 → 营业收入)."""

    def __init__(self, name: str, fallback: str | None = None):
        self.name = name
        self.fallback = fallback

    def fields(self) -> set[str]:
        return {self.name} | ({self.fallback} if self.fallback else set())

    def data_fields(self) -> set[str]:
        return {self.name}

    def pl(self, cx: Ctx) -> pl.Expr:
        e = pl.col(self.name)
        if self.fallback:
            e = pl.coalesce(e, pl.col(self.fallback))
        return e

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return self.pl(cx).is_not_null()

    def raw(self, rec: dict[str, Any]) -> Any:
        v = rec.get(self.name)
        if v is None and self.fallback:
            v = rec.get(self.fallback)
        return v

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        v = self.raw(rec)
        if isinstance(v, str | bool | dt.date) or v is None:
            return v
        return num(v)

    def describe(self, cx: Ctx | None = None) -> str:
        return self.name

    def invert(self, s, op, target, rec, cx):
        return s.invert_field(self.name, op, target, rec)


class NumF(F):
    """A numeric field (float64 in Polars)."""

    def pl(self, cx: Ctx) -> pl.Expr:
        return super().pl(cx).cast(pl.Float64)


class Const(Value):
    def __init__(self, value: Any):
        self.value = Fraction(value) if isinstance(value, int | float | str) and not isinstance(value, bool) else value

    def pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(float(self.value))

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(True)

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        return self.value

    def describe(self, cx: Ctx | None = None) -> str:
        return str(fmt(self.value))

    def invert(self, s, op, target, rec, cx):
        return []  # a constant of the rule: the other side of the comparison moves



class P(Value):
    """A dated parameter, resolved on the evaluation date."""

    def __init__(self, pid: str, key: str | None = None):
        self.pid = pid
        self.key = key

    def value(self, cx: Ctx) -> Any:
        v = cx.p(self.pid)
        return v[self.key] if self.key else v

    def pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(float(self.value(cx)))

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(True)

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        return self.value(cx)

    def describe(self, cx: Ctx | None = None) -> str:
        if cx is None:
            return f"[{self.pid}]"
        v = self.value(cx)
        pv = cx.params[self.pid]
        return param_text(ParamValue(self.pid, v, pv.label, pv.unit) if self.key else pv)

    def invert(self, s, op, target, rec, cx):
        return []  # a parameter of the rule: the other side of the comparison moves


class _Bin(Value):
    sym = "?"

    def __init__(self, a: Value, b: Value):
        self.a, self.b = a, b

    def children(self) -> list[Value]:
        return [self.a, self.b]

    def fields(self) -> set[str]:
        return self.a.fields() | self.b.fields()

    def data_fields(self) -> set[str]:
        return self.a.data_fields() | self.b.data_fields()

    def describe(self, cx: Ctx | None = None) -> str:
        return f"({self.a.describe(cx)} {self.sym} {self.b.describe(cx)})"

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        a, b = self.a.ev(rec, cx), self.b.ev(rec, cx)
        if a is None or b is None:
            return None
        if a is UNDEF or b is UNDEF:
            return UNDEF
        return self.op(a, b)

    @abstractmethod
    def op(self, a: Fraction, b: Fraction) -> Any:
        ...


class Add(_Bin):
    sym = "+"

    def op(self, a, b):
        return a + b

    def pl(self, cx: Ctx) -> pl.Expr:
        return self.a.pl(cx) + self.b.pl(cx)

    def invert(self, s, op, target, rec, cx):
        return s.invert_sum([self.a, self.b], op, target, rec, cx)


class Sub(_Bin):
    sym = "−"

    def op(self, a, b):
        return a - b

    def pl(self, cx: Ctx) -> pl.Expr:
        return self.a.pl(cx) - self.b.pl(cx)

    def invert(self, s, op, target, rec, cx):
        b = self.b.ev(rec, cx)
        if b is None or b is UNDEF:
            return []
        return self.a.invert(s, op, Fraction(target) + b, rec, cx)


class Mul(_Bin):
    sym = "×"

    def op(self, a, b):
        return a * b

    def pl(self, cx: Ctx) -> pl.Expr:
        return self.a.pl(cx) * self.b.pl(cx)

    def invert(self, s, op, target, rec, cx):
        for x, c in ((self.a, self.b), (self.b, self.a)):
            if isinstance(c, Const | P):
                cv = Fraction(c.ev(rec, cx))
                if cv > 0:
                    return x.invert(s, op, Fraction(target) / cv, rec, cx)
        s.note(f"{self.describe(cx)} 为两个可变量之积，不自动求解（需人工研判）")
        return []


class Div(_Bin):
    """a / b; undefined (a review item) when b ≤ 0 and both are known."""

    sym = "/"
    REVIEW = True

    def op(self, a, b):
        return a / b

    def label(self) -> str:
        return f"{self.a.describe()}/{self.b.describe()}".replace("(", "").replace(")", "")

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        a, b = self.a.ev(rec, cx), self.b.ev(rec, cx)
        if a is None or b is None:
            return None
        if a is UNDEF or b is UNDEF:
            return UNDEF
        if b <= 0:
            cx.manual.add(f"无定义:{self.label()}")
            return UNDEF
        return a / b

    def pl(self, cx: Ctx) -> pl.Expr:
        b = self.b.pl(cx)
        return pl.when(b > 0).then(self.a.pl(cx) / b)

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out = super().manual_pl(cx)
        undefined = self.a.known_pl(cx) & self.b.known_pl(cx) & (self.b.pl(cx) <= 0)
        out.append((f"无定义:{self.label()}", undefined))
        return out

    def invert(self, s, op, target, rec, cx):
        """Solved for the numerator with the denominator as it is — or jointly when raising the
        numerator raises the denominator too (a 科技人员 hired is also 职工)."""
        b = self.b.ev(rec, cx)
        if b is None or b is UNDEF or b <= 0:
            s.note(f"{self.b.describe()} 为空或不大于0，比值无定义，需先核实数据")
            return []
        if isinstance(self.a, F) and isinstance(self.b, F) and op in (">=", ">"):
            spec = s.spec(self.a.name) or {}
            if self.b.name in (spec.get("parents") or []):
                return s.invert_coupled(self.a.name, self.b.name, op, Fraction(target), rec)
        return self.a.invert(s, op, Fraction(target) * b, rec, cx)


class Sum(Value):
    def __init__(self, *items: Value):
        self.items = list(items)

    def children(self) -> list[Value]:
        return self.items

    def fields(self) -> set[str]:
        return set().union(*(i.fields() for i in self.items))

    def data_fields(self) -> set[str]:
        return set().union(*(i.data_fields() for i in self.items))

    def pl(self, cx: Ctx) -> pl.Expr:
        e = self.items[0].pl(cx)
        for i in self.items[1:]:
            e = e + i.pl(cx)
        return e

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        vs = [i.ev(rec, cx) for i in self.items]
        if any(v is None for v in vs):
            return None
        if any(v is UNDEF for v in vs):
            return UNDEF
        return sum(vs, Fraction(0))

    def describe(self, cx: Ctx | None = None) -> str:
        return "(" + " + ".join(i.describe(cx) for i in self.items) + ")"

    def invert(self, s, op, target, rec, cx):
        return s.invert_sum(self.items, op, target, rec, cx)


def Mean(*items: Value) -> Value:
    return Mul(Sum(*items), Const(Fraction(1, len(items))))


def Ratio(a: str | Value, b: str | Value) -> Div:
    return Div(NumF(a) if isinstance(a, str) else a, NumF(b) if isinstance(b, str) else b)


# ---------------------------------------------------------------------------------------------
# dates, counted fiscal years, banded lookups
# ---------------------------------------------------------------------------------------------

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

    def invert(self, s, op, target, rec, cx):
        s.note(f"{s.label(self.name)}决定的时间条件不能用投入替代，只能等待")
        return []


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

    def invert(self, s, op, target, rec, cx):
        s.note(f"计算年度数由{s.label(self.name)}决定，不能通过投入改变")
        return []


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

    def invert(self, s, op, target, rec, cx):
        """A sum over the counted years: solved for one counted year's value (in practice the latest,
        ``_y1``: earlier years are history and not in the effort model)."""
        n = self.years.ev(rec, cx)
        if n is None:
            s.note(f"{s.label(self.years.name)} 缺少数据")
            return []
        return s.invert_sum(self.items[: int(n)], op, target, rec, cx)


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

    def invert(self, s, op, target, rec, cx):
        s.note(f"{self.label or self.table}由{self.key.describe(cx)}分档决定，门槛本身不作为方案")
        return []
