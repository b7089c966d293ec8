"""The evaluation context and the numbers every node shares.

* ``Ctx`` — what an evaluation needs besides the record (parameters, date, options, the review mode,
  the trace); ``Materializer`` — shared sub-results as temporary columns in batch plans;
* exact numbers (``num``) and the one boundary rule of both executors (``compare`` / ``pl_compare``:
  a value within a relative 1e-9 of a threshold is *on* it, POLICIES.md §1.4); Kleene ``and3``/``or3``;
* labels: ``render`` fills ``{parameter.id}`` placeholders with the values in force (``param_text``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
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

    A sub-result read once (or never) gains nothing from being a column: it costs a write and a read
    of a whole column and keeps Polars from fusing it into its reader. ``uses`` (from a first
    compilation, ``reference_counts``) names those: ``get`` then returns the expression itself, and
    only sub-results read twice or more are materialized.
    """

    def __init__(self, uses: dict[Any, list[int]] | None = None) -> None:
        self.cols: dict[Any, tuple[list[pl.Expr], int]] = {}
        self.level_of: dict[str, int] = {}
        self.stages: dict[int, list[pl.Expr]] = {}
        self.exprs: dict[str, pl.Expr] = {}
        self.key_of: dict[str, tuple[Any, int]] = {}
        self.uses = uses
        self._levels: list[int] = []
        # the distinct values of some input columns of the frame being planned (a calculator's tax
        # period field): parsed once per frame in Python instead of once per row in Polars
        self.distinct: dict[str, list[Any]] = {}

    def _note(self, level: int) -> None:
        if self._levels:
            self._levels[-1] = max(self._levels[-1], level)

    def _inline(self, key: Any, i: int) -> bool:
        if self.uses is None:
            return False
        counts = self.uses.get(key)
        return counts is not None and i < len(counts) and counts[i] <= 1

    def get_many(self, key: Any, build: Any) -> list[pl.Expr]:
        if key not in self.cols:
            self._levels.append(0)
            try:
                exprs = list(build())
            finally:
                nested = self._levels.pop()
            # also count materialized columns captured outside ``build`` (read from the expressions)
            refs = {n for e in exprs for n in e.meta.root_names()}
            deps = max([nested, *(self.level_of[n] for n in refs if n in self.level_of)])
            out: list[pl.Expr] = []
            for i, e in enumerate(exprs):
                same = next((j for j in range(i) if exprs[j] is e), None)
                if same is not None:  # the same expression twice (e.g. an interval's lh = hi): one column
                    out.append(out[same])
                    continue
                if self._inline(key, i):
                    out.append(e)
                    continue
                name = f"__m{len(self.cols)}_{i}"
                self.level_of[name] = deps + 1
                self.exprs[name] = e.alias(name)
                self.key_of[name] = (key, i)
                self.stages.setdefault(deps + 1, []).append(self.exprs[name])
                out.append(pl.col(name))
            level = max([deps, *(self.level_of[n] for e in out for n in e.meta.root_names() if n in self.level_of)])
            self.cols[key] = (out, level)
        out, level = self.cols[key]
        self._note(level)
        return list(out)

    def get(self, key: Any, build: Any) -> pl.Expr:
        return self.get_many(key, lambda: [build()])[0]

    def reference_counts(self, roots: list[pl.Expr]) -> dict[Any, list[int]]:
        """How often each materialized sub-result is read by ``roots`` (the output columns) and by the
        sub-results they read, transitively; sub-results nothing reads count 0."""
        count: dict[str, int] = {}
        todo = [n for e in roots for n in e.meta.root_names() if n in self.exprs]
        seen: set[str] = set()
        while todo:
            n = todo.pop()
            count[n] = count.get(n, 0) + 1
            if n not in seen:
                seen.add(n)
                todo.extend(m for m in self.exprs[n].meta.root_names() if m in self.exprs)
        uses: dict[Any, list[int]] = {}
        for name, (key, i) in self.key_of.items():
            row = uses.setdefault(key, [])
            row.extend([0] * (i + 1 - len(row)))
            row[i] = count.get(name, 0)
        return uses

    def apply(self, lf: pl.LazyFrame) -> pl.LazyFrame:
        for level in sorted(self.stages):
            lf = lf.with_columns(self.stages[level])
        return lf


def by_distinct(key: pl.Expr, build: Any, dtype: Any) -> pl.Expr:
    """``build(key)`` computed once per distinct value of ``key`` in a batch and joined back to the
    rows — for a function of one low-cardinality column (an industry code, a category): a register
    holds a few hundred distinct codes, so a chain of string operations and table look-ups over every
    row becomes one over a few hundred (5× cheaper for the industry group, docs/benchmarks.md)."""

    def run(s: pl.Series) -> pl.Series:
        table = pl.DataFrame({"k": s.unique()}).with_columns(build(pl.col("k")).cast(dtype).alias("v"))
        return s.to_frame("k").join(table, on="k", how="left", maintain_order="left", nulls_equal=True)["v"]

    return key.map_batches(run, return_dtype=dtype, is_elementwise=True)


def text_pl_of(k: pl.Expr, upper: bool = True) -> pl.Expr:
    """Text trimmed (and upper-cased), empty text as null (row by row: see ``text_pl``)."""
    c = k.str.strip_chars()
    c = c.str.to_uppercase() if upper else c
    return pl.when(c == "").then(None).otherwise(c)


def text_pl(name: str, mat: Materializer | None, upper: bool = True) -> pl.Expr:
    """A text input trimmed (and upper-cased), empty text as null — one shared column per field and
    form for every policy and calculator of a plan (an industry code is read by several)."""

    def build() -> pl.Expr:
        return text_pl_of(pl.col(name).cast(pl.String), upper)

    return build() if mat is None else mat.get(("text", name, upper), build)


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
    """Exact comparison with the boundary tolerance of POLICIES.md §1.4.

    Values further apart than 10⁻⁶ (relative) are compared as floats: far outside the 10⁻⁹ band the
    float comparison cannot differ from the exact one, and it costs no ``Fraction`` arithmetic."""
    fa, fb = float(a), float(b)
    if abs(fa - fb) > 1e-6 * (abs(fb) + 1.0):
        if op in (">=", ">"):
            return fa > fb
        if op in ("<=", "<"):
            return fa < fb
        if op == "==":
            return False
        raise ValueError(op)
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



def reviewable(node: Any) -> bool:
    """Whether a node's outcome can depend on the review mode (expert items, undefined formulas).
    Computed once per node (the tree does not change after it is declared)."""
    known = node.__dict__.get("_reviewable") if hasattr(node, "__dict__") else None
    if known is not None:
        return known
    out = bool(getattr(node, "REVIEW", False)) or any(reviewable(c) for c in getattr(node, "children", lambda: [])())
    if hasattr(node, "__dict__"):
        node.__dict__["_reviewable"] = out
    return out



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
