"""The declarative rule model. Every node knows how to

* become a Polars expression (``pl``; batch and Spark partitions),
* evaluate one record exactly, recording a trace (``ev``; explanations),
* describe itself (``describe``; docs and traces),
* list the fields it reads (``fields``; missing-data lists and input validation).

Values are exact in the interpreter (``Fraction``) and float64 in Polars. Both executors compare with
the same rule (POLICIES.md §1.4): a value within a relative 1e-9 of a threshold is *on* it, so a
boundary value lands on the boundary in both. Conditions are three-valued (Kleene): True, False,
None (unknown).

Review items (expert-judged inputs, explicit review flags, formulas undefined because a base is
zero) are unknown too, but a *review* unknown: the evaluation runs in three modes — ``None`` (as
is), ``"lo"`` (every review item at its least favourable) and ``"hi"`` (most favourable). If the
lo and hi outcomes are both determined, only review items are open → ``manual_review``; otherwise
data are missing → ``unknown``. Scores carry ``(lo, hi, review)`` per indicator so the modes cost
two extra sums, not two extra evaluations.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.params import ParameterError, Params, ParamValue, to_jsonable

REL_TOL = Fraction(1, 10**9)
ABS_TOL = Fraction(1, 10**12)


class UndefinedValue:
    """A formula with all inputs known but no value (division by a zero or negative base)."""

    _inst: UndefinedValue | None = None

    def __new__(cls) -> UndefinedValue:
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEF = UndefinedValue()


# ---------------------------------------------------------------------------------------------
# evaluation context
# ---------------------------------------------------------------------------------------------


class Materializer:
    """Computes shared sub-results once, as temporary columns in dependency-ordered stages.

    A policy tree refers to the same sub-results many times (a gate in three review modes, an
    indicator in its dimension, the total and the output columns, another policy's gate). Inlined,
    the expression tree grows multiplicatively; materialized, each is one column. ``get`` returns
    ``pl.col`` of the result, computing it (once) at one stage past its deepest dependency.
    """

    def __init__(self) -> None:
        self.cols: dict[Any, tuple[list[str], int]] = {}
        self.level_of: dict[str, int] = {}
        self.stages: dict[int, list[pl.Expr]] = {}
        self._levels: list[int] = []

    def _note(self, level: int) -> None:
        if self._levels:
            self._levels[-1] = max(self._levels[-1], level)

    def get_many(self, key: Any, build: Any) -> list[pl.Expr]:
        if key not in self.cols:
            self._levels.append(0)
            try:
                exprs = list(build())
            finally:
                nested = self._levels.pop()
            # also count materialized columns captured outside ``build`` (read from the expressions)
            refs = {n for e in exprs for n in e.meta.root_names()}
            level = max([nested, *(self.level_of[n] for n in refs if n in self.level_of)]) + 1
            names = [f"__m{len(self.cols)}_{i}" for i in range(len(exprs))]
            self.cols[key] = (names, level)
            self.level_of.update(dict.fromkeys(names, level))
            self.stages.setdefault(level, []).extend(e.alias(n) for e, n in zip(exprs, names, strict=True))
        names, level = self.cols[key]
        self._note(level)
        return [pl.col(n) for n in names]

    def get(self, key: Any, build: Any) -> pl.Expr:
        return self.get_many(key, lambda: [build()])[0]

    def apply(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        for level in sorted(self.stages):
            lf = lf.with_columns(self.stages[level])
        return lf



@dataclass
class Ctx:
    """What an evaluation needs besides the record: parameters, the date, options, the mode."""

    params: Params
    on: dt.date
    options: dict[str, Any] = field(default_factory=dict)
    mode: str | None = None  # None | "lo" | "hi"
    trace: list[dict[str, Any]] | None = None
    manual: set[str] = field(default_factory=set)
    used_params: set[str] = field(default_factory=set)
    cache: dict[int, Any] = field(default_factory=dict)
    prefix: str = ""
    mat: Materializer | None = None

    def p(self, pid: str) -> Any:
        v = self.params[pid].value
        self.used_params.add(pid)
        return v

    def record(self, entry: dict[str, Any]) -> None:
        if self.trace is not None and self.mode is None:
            self.trace.append(entry)


def num(v: Any) -> Fraction | None:
    """A record value as an exact number (None stays None)."""
    if v is None:
        return None
    if isinstance(v, Fraction):
        return v
    if isinstance(v, bool):
        return Fraction(int(v))
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return Fraction(v)
    from decimal import Decimal

    if isinstance(v, Decimal):
        return Fraction(v)
    raise TypeError(f"not a number: {v!r}")


def _tol(t: Fraction) -> Fraction:
    return abs(t) * REL_TOL + ABS_TOL


def compare(a: Fraction, op: str, b: Fraction) -> bool:
    """Exact comparison with the boundary tolerance of POLICIES.md §1.4."""
    t = _tol(b)
    if op == ">=":
        return a >= b - t
    if op == ">":
        return a > b + t
    if op == "<=":
        return a <= b + t
    if op == "<":
        return a < b - t
    if op == "==":
        return abs(a - b) <= t
    raise ValueError(op)


def pl_compare(a: pl.Expr, op: str, b: pl.Expr | float) -> pl.Expr:
    """The same comparison on float64 columns."""
    if isinstance(b, int | float | Fraction):
        bf = float(b)
        t = abs(bf) * 1e-9 + 1e-12
        thr = {">=": bf - t, ">": bf + t, "<=": bf + t, "<": bf - t}.get(op)
        if op == "==":
            return (a - bf).abs() <= t
        return {">=": a >= thr, ">": a > thr, "<=": a <= thr, "<": a < thr}[op]
    t = b.abs() * 1e-9 + 1e-12
    if op == ">=":
        return a >= b - t
    if op == ">":
        return a > b + t
    if op == "<=":
        return a <= b + t
    if op == "<":
        return a < b - t
    if op == "==":
        return (a - b).abs() <= t
    raise ValueError(op)


def and3(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def or3(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    if any(v is None for v in values):
        return None
    return False


def status_word(v: bool | None) -> str:
    return {True: "达标", False: "未达标", None: "待核验"}[v]


def fmt(v: Any) -> Any:
    """A value for traces: exact numbers as int or rounded float."""
    if v is UNDEF:
        return "无定义"
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else round(float(v), 6)
    return to_jsonable(v)


# ---------------------------------------------------------------------------------------------
# value nodes
# ---------------------------------------------------------------------------------------------


def reviewable(node: Any) -> bool:
    """Whether a node's outcome can depend on the review mode (expert items, undefined formulas)."""
    if getattr(node, "REVIEW", False):
        return True
    return any(reviewable(c) for c in getattr(node, "children", lambda: [])())


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
        exprs = [c.known_pl(cx) for c in self.children()]
        return pl.all_horizontal(exprs) if exprs else pl.lit(True)

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


def param_text(pv: ParamValue, bare: bool = False) -> str:
    """A parameter's value as a label shows it: 元 as 万元/亿元, ratios as %, counts with their unit
    (``bare``: the number alone, e.g. 前{n}位)."""
    v, unit = pv.value, pv.unit
    if isinstance(v, bool) or not isinstance(v, int | Fraction):
        return str(fmt(v))
    if unit in ("元", "yuan") and not bare and v >= 100_000_000:
        return f"{fmt(Fraction(v) / 100_000_000)}亿元"
    if unit in ("元", "yuan") and not bare and v >= 10000:
        return f"{fmt(Fraction(v) / 10000)}万元"
    if unit == "ratio":
        return f"{fmt(Fraction(v) * 100)}%"
    if bare:
        return str(fmt(v))
    return f"{fmt(v)}{unit if unit not in ('ratio', 'count', 'bool', 'list', 'table') else ''}"


PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+)(?::(n))?\}")


def render(text: str | None, cx: Ctx | None) -> str | None:
    """A label with its ``{parameter.id}`` placeholders replaced by the values in force (``{id:n}``:
    the bare number). Without parameters (or one not in force) the id shows as ``[id]``."""
    if text is None or "{" not in text:
        return text

    def value(m: re.Match[str]) -> str:
        if cx is None:
            return f"[{m.group(1)}]"
        try:
            pv = cx.params[m.group(1)]
        except (KeyError, ParameterError):
            return f"[{m.group(1)}]"
        cx.used_params.add(m.group(1))
        return param_text(pv, bare=m.group(2) == "n")

    return PLACEHOLDER.sub(value, text)


def placeholders(text: str | None) -> list[str]:
    """The parameter ids a label refers to."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text or "")]


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


class Sub(_Bin):
    sym = "−"

    def op(self, a, b):
        return a - b

    def pl(self, cx: Ctx) -> pl.Expr:
        return self.a.pl(cx) - self.b.pl(cx)


class Mul(_Bin):
    sym = "×"

    def op(self, a, b):
        return a * b

    def pl(self, cx: Ctx) -> pl.Expr:
        return self.a.pl(cx) * self.b.pl(cx)


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


def Mean(*items: Value) -> Value:
    return Mul(Sum(*items), Const(Fraction(1, len(items))))


def Ratio(a: str | Value, b: str | Value) -> Div:
    return Div(NumF(a) if isinstance(a, str) else a, NumF(b) if isinstance(b, str) else b)


# ---------------------------------------------------------------------------------------------
# condition nodes
# ---------------------------------------------------------------------------------------------


class Cond(ABC):
    """A three-valued condition. Named conditions (``id``/``label``) appear in traces."""

    id: str | None = None
    label: str | None = None
    cite: str | None = None

    def named(self, id: str, label: str, cite: str | None = None) -> Cond:
        """Name the condition for traces: ``label`` may refer to parameters as ``{parameter.id}``
        (shown with the value in force, so an overlay shows in the label too)."""
        self.id, self.label, self.cite = id, label, cite
        return self

    def label_text(self, cx: Ctx | None = None) -> str:
        """The label with its parameter values (or, unnamed, the description)."""
        return render(self.label, cx) if self.label else self.describe(cx)

    def fields(self) -> set[str]:
        return set().union(*(c.fields() for c in self.children())) if self.children() else set()

    def data_fields(self) -> set[str]:
        return set().union(*(c.data_fields() for c in self.children())) if self.children() else set()

    def children(self) -> list[Any]:
        return []

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        out: list[tuple[str, pl.Expr]] = []
        for c in self.children():
            out.extend(c.manual_pl(cx))
        return out

    def pl(self, cx: Ctx) -> pl.Expr:
        if cx.mat is None or self.id is None:
            return self._pl(cx)
        mode = cx.mode if reviewable(self) else None
        return cx.mat.get(("cond", id(self), mode), lambda: self._pl(cx))

    @abstractmethod
    def _pl(self, cx: Ctx) -> pl.Expr:
        ...

    def ev(self, rec: dict[str, Any], cx: Ctx) -> bool | None:
        v = self._ev(rec, cx)
        if self.id is not None and cx.trace is not None and cx.mode is None:
            cx.record(
                {
                    "kind": "condition",
                    "id": self.id,
                    "label": render(self.label, cx),
                    "required": self.describe(cx),
                    "inputs": {f: fmt(F(f).ev(rec, cx)) for f in sorted(self.fields())},
                    "result": v,
                    "status": status_word(v),
                    "cite": self.cite,
                }
            )
        return v

    @abstractmethod
    def _ev(self, rec: dict[str, Any], cx: Ctx) -> bool | None:
        ...

    @abstractmethod
    def describe(self, cx: Ctx | None = None) -> str:
        ...


class Cmp(Cond):
    def __init__(self, a: Value, op: str, b: Value | int | float | str):
        self.a = a
        self.op = op
        self.b = b if isinstance(b, Value) else Const(b)

    def children(self) -> list[Any]:
        return [self.a, self.b]

    def _ev(self, rec: dict[str, Any], cx: Ctx) -> bool | None:
        a, b = self.a.ev(rec, cx), self.b.ev(rec, cx)
        if a is None or b is None:
            return None
        if a is UNDEF or b is UNDEF:
            return {None: None, "lo": False, "hi": True}[cx.mode]
        return compare(a, self.op, b)

    def _pl(self, cx: Ctx) -> pl.Expr:
        b = self.b.value(cx) if isinstance(self.b, P) else self.b.value if isinstance(self.b, Const) else None
        a_e = self.a.pl(cx)
        raw = pl_compare(a_e, self.op, b if b is not None else self.b.pl(cx))
        if cx.mode is None:
            return raw
        undefined = a_e.is_null() & self.a.known_pl(cx)
        if b is None:
            undefined = undefined | (self.b.pl(cx).is_null() & self.b.known_pl(cx))
        return pl.when(undefined).then(pl.lit(cx.mode == "hi")).otherwise(raw)

    def describe(self, cx: Ctx | None = None) -> str:
        sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}[self.op]
        return f"{_bare(self.a.describe(cx))} {sym} {_bare(self.b.describe(cx))}"


def _bare(text: str) -> str:
    """Drop one pair of enclosing parentheses when they enclose the whole text."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1]


def AtLeast(a: str | Value, b: Value | int | float) -> Cmp:
    return Cmp(NumF(a) if isinstance(a, str) else a, ">=", b)


def AtMost(a: str | Value, b: Value | int | float) -> Cmp:
    return Cmp(NumF(a) if isinstance(a, str) else a, "<=", b)


def Above(a: str | Value, b: Value | int | float) -> Cmp:
    return Cmp(NumF(a) if isinstance(a, str) else a, ">", b)


def Below(a: str | Value, b: Value | int | float) -> Cmp:
    return Cmp(NumF(a) if isinstance(a, str) else a, "<", b)


class _Junction(Cond):
    """AND / OR of conditions in Kleene logic (all children are evaluated, for complete traces)."""

    def __init__(self, *conds: Cond):
        self.conds = list(conds)

    def children(self) -> list[Any]:
        return self.conds

    @abstractmethod
    def _combine(self, values: list[bool | None]) -> bool | None:
        ...

    @abstractmethod
    def _join(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        ...

    def _ev(self, rec, cx):
        return self._combine([c.ev(rec, cx) for c in self.conds])

    def _pl(self, cx: Ctx) -> pl.Expr:
        e = self.conds[0].pl(cx)
        for c in self.conds[1:]:
            e = self._join(e, c.pl(cx))
        return e


class All(_Junction):
    def _combine(self, values: list[bool | None]) -> bool | None:
        return and3(values)

    def _join(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a & b

    def describe(self, cx: Ctx | None = None) -> str:
        return " 且 ".join(c.label_text(cx) for c in self.conds)


class AnyOf(_Junction):
    def _combine(self, values: list[bool | None]) -> bool | None:
        return or3(values)

    def _join(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a | b

    def describe(self, cx: Ctx | None = None) -> str:
        return " 或 ".join(f"({c.label_text(cx)})" for c in self.conds)


class Is(Cond):
    """A boolean field equals ``value`` (null → unknown)."""

    def __init__(self, name: str, value: bool = True):
        self.name, self.value = name, value

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def _ev(self, rec, cx):
        v = rec.get(self.name)
        return None if v is None else bool(v) == self.value

    def _pl(self, cx: Ctx) -> pl.Expr:
        c = pl.col(self.name).cast(pl.Boolean)
        return c if self.value else ~c

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name} = {'是' if self.value else '否'}"


def IsTrue(name: str) -> Is:
    return Is(name, True)


def IsFalse(name: str) -> Is:
    return Is(name, False)


class In(Cond):
    """A categorical field is one of ``values``."""

    def __init__(self, name: str, values: list[str] | P):
        self.name, self.values = name, values

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def _vals(self, cx: Ctx) -> list[str]:
        return list(self.values.value(cx)) if isinstance(self.values, P) else list(self.values)

    def _ev(self, rec, cx):
        v = rec.get(self.name)
        return None if v is None else v in self._vals(cx)

    def _pl(self, cx: Ctx) -> pl.Expr:
        c = pl.col(self.name).cast(pl.String)
        return pl.when(c.is_not_null()).then(c.is_in(self._vals(cx)))

    def describe(self, cx: Ctx | None = None) -> str:
        vals = self._vals(cx) if cx is not None or not isinstance(self.values, P) else [self.values.pid]
        return f"{self.name} ∈ {{{', '.join(vals)}}}"


class Not(Cond):
    def __init__(self, cond: Cond):
        self.cond = cond

    def children(self) -> list[Any]:
        return [self.cond]

    def _ev(self, rec, cx):
        v = self.cond.ev(rec, cx)
        return None if v is None else not v

    def _pl(self, cx: Ctx) -> pl.Expr:
        return ~self.cond.pl(cx)

    def describe(self, cx: Ctx | None = None) -> str:
        return f"非({self.cond.describe(cx)})"


class RankAtMost(Cond):
    """An award/contest rank field ≤ n; null reads as 'none' (FIELDS.md, POLICIES.md §1.3)."""

    def __init__(self, name: str, n: Value | int):
        self.name = name
        self.n = n if isinstance(n, Value) else Const(n)

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return set()

    def _ev(self, rec, cx):
        v = rec.get(self.name)
        return False if v is None else compare(num(v), "<=", self.n.ev(rec, cx))

    def _pl(self, cx: Ctx) -> pl.Expr:
        n = self.n.value(cx) if isinstance(self.n, P) else self.n.value
        return pl_compare(pl.col(self.name).cast(pl.Float64), "<=", float(n)).fill_null(False)

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name} ≤ {self.n.describe(cx)}"


class HasRank(Cond):
    """A rank field is present (any award at all)."""

    def __init__(self, name: str):
        self.name = name

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return set()

    def _ev(self, rec, cx):
        return rec.get(self.name) is not None

    def _pl(self, cx: Ctx) -> pl.Expr:
        return pl.col(self.name).is_not_null()

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name} 有记录"


class Expert(Cond):
    REVIEW = True

    """An expert-judged boolean input: null → manual review (POLICIES.md §1.7)."""

    def __init__(self, name: str, default_from: Cond | None = None):
        self.name = name
        self.default_from = default_from

    def fields(self) -> set[str]:
        return {self.name} | (self.default_from.fields() if self.default_from else set())

    def data_fields(self) -> set[str]:
        return set()

    def _ev(self, rec, cx):
        v = rec.get(self.name)
        if v is None and self.default_from is not None and self.default_from.ev(rec, cx) is True:
            return True
        if v is None:
            cx.manual.add(self.name)
            return {None: None, "lo": False, "hi": True}[cx.mode]
        return bool(v)

    def _value_pl(self, cx: Ctx) -> pl.Expr:
        c = pl.col(self.name).cast(pl.Boolean)
        if self.default_from is not None:
            c = pl.when(c.is_null() & self.default_from.pl(cx).fill_null(False)).then(True).otherwise(c)
        return c

    def _pl(self, cx: Ctx) -> pl.Expr:
        c = self._value_pl(cx)
        return c if cx.mode is None else c.fill_null(cx.mode == "hi")

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        return [(self.name, self._value_pl(cx).is_null())]

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name} = 是（专家/审核判断）"


class ClearOrReview(Cond):
    REVIEW = True

    """A compliance flag: false passes; true needs review (incident may fall outside the window)."""

    def __init__(self, name: str):
        self.name = name

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def _ev(self, rec, cx):
        v = rec.get(self.name)
        if v is None:
            return None
        if not v:
            return True
        cx.manual.add(self.name)
        return {None: None, "lo": False, "hi": True}[cx.mode]

    def _pl(self, cx: Ctx) -> pl.Expr:
        c = pl.col(self.name).cast(pl.Boolean)
        flagged = pl.lit(None, dtype=pl.Boolean) if cx.mode is None else pl.lit(cx.mode == "hi")
        return pl.when(c.is_null()).then(pl.lit(None, dtype=pl.Boolean)).when(c).then(flagged).otherwise(True)

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        return [(self.name, pl.col(self.name).cast(pl.Boolean).fill_null(False))]

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.name} = 否（为是时需人工核查时间窗口）"


class Literal(Cond):
    def __init__(self, value: bool):
        self.value = value

    def _ev(self, rec, cx):
        return self.value

    def _pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(self.value)

    def describe(self, cx: Ctx | None = None) -> str:
        return "是" if self.value else "否"


class Option(Cond):
    """True when an evaluation option equals a value (e.g. mode == review for 复核)."""

    def __init__(self, key: str, value: Any, default: Any = None):
        self.key, self.value, self.default = key, value, default

    def _ev(self, rec, cx):
        return cx.options.get(self.key, self.default) == self.value

    def _pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(cx.options.get(self.key, self.default) == self.value)

    def describe(self, cx: Ctx | None = None) -> str:
        return f"评价方式 {self.key} = {self.value}"


class ParamFlag(Cond):
    """A boolean parameter (e.g. Guangdong's 'require_innovative_sme' from a date)."""

    def __init__(self, pid: str):
        self.pid = pid

    def _ev(self, rec, cx):
        return bool(cx.p(self.pid))

    def _pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(bool(cx.p(self.pid)))

    def describe(self, cx: Ctx | None = None) -> str:
        return f"参数 {self.pid} = {cx.p(self.pid) if cx else '?'}"


def Implies(a: Cond, b: Cond) -> Cond:
    return AnyOf(Not(a), b)
