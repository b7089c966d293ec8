"""Condition nodes: three-valued (Kleene) tests on the record.

Each knows its Polars expression, its exact value with a trace entry when named (``.named(id,
label, cite)``; the label may show parameters as ``{parameter.id}``), the fields it reads, and — for
the gap solver — its own inversion (``gap``): the alternative change sets that make it hold, or the
specific reason it cannot be made to hold by changing inputs (a veto, an expert judgement, an award,
the rule itself).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import polars as pl

from zjtx.rules.nodes.base import (
    Ctx,
    and3,
    compare,
    fmt,
    num,
    or3,
    pl_compare,
    render,
    reviewable,
    status_word,
    text_pl,
)
from zjtx.rules.nodes.values import UNDEF, Const, F, NumF, P, Value, shared


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
        if cx.trace is None and not reviewable(self):
            # the same in every review mode: evaluated once per evaluation (the modes share the cache)
            key = ("cond", id(self))
            if key not in cx.cache:
                cx.cache[key] = self._ev(rec, cx)
            return cx.cache[key]
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

    # ---- the gap solver --------------------------------------------------------------------
    @abstractmethod
    def gap(self, s: Any, rec: dict[str, Any], cx: Ctx) -> list[dict[str, Any]]:
        """Alternative change sets that would make this condition hold (``s``: the solver, for
        search and pricing), or none with the specific reason noted (``s.note``)."""

    def gap_negated(self, s: Any, rec: dict[str, Any], cx: Ctx) -> list[dict[str, Any]]:
        """As ``gap``, for ``Not(self)``."""
        s.note(f"须不满足「{self.label_text(cx)}」，不能通过投入改变（不作为方案）")
        return []


FLIP = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "=="}


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
        # the comparison and its "undefined" flag are the same in every review mode: computed once
        # (shared columns, inlined where read once) and combined per mode — the three modes of a
        # status read each ratio once instead of three times
        b = self.b.value(cx) if isinstance(self.b, P) else self.b.value if isinstance(self.b, Const) else None
        raw = shared(cx, ("cmp", id(self)),
                     lambda: pl_compare(self.a.pl(cx), self.op, b if b is not None else self.b.pl(cx)))
        if cx.mode is None or not reviewable(self):
            return raw

        def undefined_pl() -> pl.Expr:
            und = self.a.pl(cx).is_null() & self.a.known_pl(cx)
            if b is None:
                und = und | (self.b.pl(cx).is_null() & self.b.known_pl(cx))
            return und

        undefined = shared(cx, ("cmp_undefined", id(self)), undefined_pl)
        return pl.when(undefined).then(pl.lit(cx.mode == "hi")).otherwise(raw)

    def describe(self, cx: Ctx | None = None) -> str:
        sym = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}[self.op]
        return f"{_bare(self.a.describe(cx))} {sym} {_bare(self.b.describe(cx))}"

    def gap(self, s, rec, cx):
        label = self.label_text(cx)
        t = self.b.ev(rec, cx)
        if self.a.ev(rec, cx) is None or t is None:
            s.note(f"{label}：缺少数据")
            return []
        if s.date_only(self):
            s.note_earliest(self, rec, label)
            return []
        alts = s.invert(self.a, self.op, t, rec, cx)
        if not alts:
            s.note(f"未满足且无法通过投入满足：{label}")
        return alts

    def gap_negated(self, s, rec, cx):
        if self.op == "==":
            return super().gap_negated(s, rec, cx)
        return Cmp(self.a, FLIP[self.op], self.b).gap(s, rec, cx)


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

    def gap(self, s, rec, cx):
        """Every failing part fixed together: the others each by their own inversion, scored parts
        in one search (they share indicators), then the cheapest combinations. A part that cannot be
        fixed (its reason noted) ends the search: no combination can hold."""
        scored = [c for c in self.conds if getattr(c, "SCORED", False)]
        parts: list[list[dict[str, Any]]] = []
        for c in self.conds:
            if getattr(c, "SCORED", False) or s.holds(c, rec) is True:
                continue
            parts.append(s.solve(c, rec, cx))
            if not parts[-1]:
                return []
        if scored and any(s.holds(c, rec) is not True for c in scored):
            parts.append(s.score_options(scored, rec, cx))
        return s.product(parts, rec)


class AnyOf(_Junction):
    def _combine(self, values: list[bool | None]) -> bool | None:
        return or3(values)

    def _join(self, a: pl.Expr, b: pl.Expr) -> pl.Expr:
        return a | b

    def describe(self, cx: Ctx | None = None) -> str:
        return " 或 ".join(f"({c.label_text(cx)})" for c in self.conds)

    def gap(self, s, rec, cx):
        out: list[dict[str, Any]] = []
        for c in self.conds:
            out += s.solve(c, rec, cx)
        return s.best(out, rec)


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

    def gap(self, s, rec, cx):
        return s.flag(self.name, self.value, rec)

    def gap_negated(self, s, rec, cx):
        return s.flag(self.name, not self.value, rec)


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

    def gap(self, s, rec, cx):
        spec = s.spec(self.name)
        if spec is None or spec.get("kind") != "category":
            s.blocked_field(self.name)
            return []
        out = [{self.name: v} for v in self._vals(cx) if s.category_value(self.name, v, rec) is not None]
        if not out:
            s.note(f"未满足：{self.label_text(cx)}")
        return out


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

    def gap(self, s, rec, cx):
        return self.cond.gap_negated(s, rec, cx)


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

    def gap(self, s, rec, cx):
        s.note(f"需获得相应奖项或名次（不作为方案）：{self.label_text(cx)}")
        return []


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

    def gap(self, s, rec, cx):
        s.note(f"需获得相应奖项（不作为方案）：{self.label_text(cx)}")
        return []


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

    def gap(self, s, rec, cx):
        s.note(f"需专家评审：{s.label(self.name)}")
        return []


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

    def gap(self, s, rec, cx):
        if rec.get(self.name):
            s.note(f"存在否决项：{s.label(self.name)}（需人工核查时间窗口）")
        else:
            s.note(f"{s.label(self.name)} 缺少数据")
        return []


class Literal(Cond):
    def __init__(self, value: bool):
        self.value = value

    def _ev(self, rec, cx):
        return self.value

    def _pl(self, cx: Ctx) -> pl.Expr:
        return pl.lit(self.value)

    def describe(self, cx: Ctx | None = None) -> str:
        return "是" if self.value else "否"

    def gap(self, s, rec, cx):
        s.note(f"由规则决定，企业无法改变：{self.label_text(cx)}")
        return []

    def gap_negated(self, s, rec, cx):
        return self.gap(s, rec, cx)


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

    def gap(self, s, rec, cx):
        s.note(f"由评价方式决定，企业无法改变：{self.label_text(cx)}")
        return []

    def gap_negated(self, s, rec, cx):
        return self.gap(s, rec, cx)


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

    def gap(self, s, rec, cx):
        s.note(f"由规则决定，企业无法改变：{self.label_text(cx)}")
        return []

    def gap_negated(self, s, rec, cx):
        label = cx.params[self.pid].label if self.pid in cx.params else self.pid
        s.note(f"由规则决定，企业无法改变：{label}（该要求现行有效）")
        return []


def Implies(a: Cond, b: Cond) -> Cond:
    return AnyOf(Not(a), b)


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
        c = text_pl(self.name, cx.mat)  # null when empty
        hit: pl.Expr = pl.lit(False)
        for p in self._vals(cx):
            hit = hit | c.str.starts_with(p)
        return pl.when(c.is_not_null()).then(hit)

    def describe(self, cx: Ctx | None = None) -> str:
        if cx is None and isinstance(self.prefixes, P):
            vals = [self.prefixes.pid]
        else:
            vals = self._vals(cx) if cx is not None else list(self.prefixes)  # type: ignore[arg-type]
        return f"{self.name} 以 {' / '.join(vals)} 开头"

    def gap(self, s, rec, cx):
        if rec.get(self.name) is None:
            s.note(f"{s.label(self.name)} 缺少数据")
        else:
            s.note(f"不符合适用范围（{s.label(self.name)}不能通过投入改变，不作为方案）：{self.label_text(cx)}")
        return []


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
