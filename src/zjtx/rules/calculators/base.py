"""Calculators declared once: a tax relief or support amount as one declaration (``declare``) that
the engine both evaluates exactly for one record (with a cited trace) and compiles to Polars for a
register. The two cannot drift apart: they are the same nodes (``zjtx.rules.calculators.expr``).

A calculator implements the interface the engine calls on a tier ``Policy`` (``id``, metadata,
``regimes``, ``input_fields``, ``columns``, ``explain``), so ``zjtx.evaluate``/``zjtx.explain`` work
unchanged, and its result has the POLICIES.md §1.9 shape (``status``, ``tax`` or ``amount``,
``baseline``, ``relief``, ``components``, ``missing``, ``manual``, ``provisional``, ``trace``).

**Dates are data.** The rule versions and their dates are the history of the dated parameter
``<id>.regime`` (value ``{id, name, doc}``); tax law applies by the tax period: parameters are
resolved on the last day of the tax year, or per row on the first day of a month/quarter period
(``period_kind = "month"``), re-applying any reform overlay. A period where a required parameter is
not in force is refused with the covered periods (no guessing); a quarter that straddles a change of
the parameters is refused ("请按月分别计算").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.calculators.expr import (
    FEN,
    Env,
    Flag,
    Money,
    Node,
    Num,
    PEnv,
    S,
    Text,
    compiled_fen,
    exact_fen,
    half_up,
    reused,
)
from zjtx.rules.inputs import InputError, InputIssue, Schema
from zjtx.rules.params import ParameterError, ParameterSet, Params
from zjtx.rules.policy import STATUS_ZH, PolicyError
from zjtx.rules.policy import _list_pl as _names_pl

COVER_YEARS = range(2010, 2041)
MONEY = pl.Decimal(38, 2)

# ---------------------------------------------------------------------------------------------
# periods
# ---------------------------------------------------------------------------------------------

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A tax period: a year, a quarter or a month."""

    kind: str  # "year" | "quarter" | "month"
    year: int
    index: int = 0  # quarter 1–4 or month 1–12

    @property
    def start(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 1, 1)
        if self.kind == "quarter":
            return dt.date(self.year, 3 * self.index - 2, 1)
        return dt.date(self.year, self.index, 1)

    @property
    def end(self) -> dt.date:
        if self.kind == "year":
            return dt.date(self.year, 12, 31)
        m = 3 * self.index if self.kind == "quarter" else self.index
        return dt.date(self.year, m, calendar.monthrange(self.year, m)[1])

    @property
    def months(self) -> int:
        return {"year": 12, "quarter": 3, "month": 1}[self.kind]

    def label(self) -> str:
        if self.kind == "year":
            return f"{self.year}年度"
        if self.kind == "quarter":
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年{self.index}月"

    def code(self) -> str:
        if self.kind == "year":
            return str(self.year)
        if self.kind == "quarter":
            return f"{self.year}-Q{self.index}"
        return f"{self.year}-{self.index:02d}"


def parse_period(text: Any, field_name: str, allow_quarter: bool = True) -> Period:
    s = str(text).strip()
    m = MONTH_RE.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period("month", int(m.group(1)), int(m.group(2)))
    q = QUARTER_RE.match(s)
    if q and allow_quarter:
        return Period("quarter", int(q.group(1)), int(q.group(2)))
    fmt_txt = "YYYY-MM（按月）或 YYYY-Qn（按季）" if allow_quarter else "YYYY-MM"
    raise InputError([InputIssue(1, None, field_name, text, f"纳税期格式应为 {fmt_txt}")])


def period_start_pl(col: str, allow_quarter: bool = True) -> pl.Expr:
    """The first day of a ``YYYY-MM`` / ``YYYY-Qn`` column (null when malformed)."""
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_uppercase()
    month = s.str.extract(r"^(\d{4}-(0[1-9]|1[0-2]))$", 1)
    m_date = (month + "-01").str.to_date("%Y-%m-%d", strict=False)
    if not allow_quarter:
        return m_date
    qy = s.str.extract(r"^(\d{4})-Q([1-4])$", 1).cast(pl.Int32, strict=False)
    qn = s.str.extract(r"^(\d{4})-Q([1-4])$", 2).cast(pl.Int32, strict=False)
    return pl.coalesce(m_date, pl.date(qy, qn * 3 - 2, 1))


def period_months_pl(col: str) -> pl.Expr:
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(s.str.contains(r"^\d{4}-Q[1-4]$")).then(pl.lit(3, pl.Int64)).otherwise(pl.lit(1, pl.Int64))


def month_code(s: str) -> int:
    y, m = s.split("-")
    return int(y) * 12 + int(m) - 1


def period_of_text(v: Any, allow_quarter: bool = True) -> Period | None:
    """A period text as ``parse_period`` reads it (None when malformed), as the Polars columns do."""
    if v is None:
        return None
    s = str(v).strip().upper()
    m = MONTH_RE.match(s)
    if m and 1 <= int(m.group(2)) <= 12 and s.isascii():
        return Period("month", int(m.group(1)), int(m.group(2)))
    q = QUARTER_RE.match(s)
    if q and allow_quarter and s.isascii():
        return Period("quarter", int(q.group(1)), int(q.group(2)))
    return None


def period_map(env: PEnv, col: str, allow_quarter: bool, what: Callable[[Period], int]) -> pl.Expr | None:
    """``what(period)`` per row, looked up from the frame's distinct period texts (parsed once in
    Python), or None when the plan was built without them."""
    values = getattr(env.mat, "distinct", {}).get(col) if env.mat is not None else None
    if values is None:
        return None
    m = {v: what(p) for v in values if v is not None and (p := period_of_text(v, allow_quarter)) is not None}
    if not m:
        return pl.lit(None, pl.Int64)
    return pl.col(col).cast(pl.String).replace_strict(m, default=None, return_dtype=pl.Int64)


class PeriodMonths(Node):
    """Months in the record's tax period (3 for a quarter)."""

    def __init__(self, col: str):
        self.col = col

    def _ev(self, env: Env) -> Any:
        return Fraction(env.period.months)

    def _pl(self, env: PEnv) -> S:
        e = period_map(env, self.col, True, lambda p: p.months)
        if e is None:
            return S(period_months_pl(self.col).cast(pl.Int128), 1)
        return S(env.mat.get(("period.months", self.col), lambda: e).cast(pl.Int128), 1)

    def text(self) -> str:
        return "所属期月数"


class PeriodMonth(Node):
    """The record's period start as a month number (year × 12 + month − 1)."""

    def __init__(self, col: str, allow_quarter: bool):
        self.col, self.allow_quarter = col, allow_quarter

    def _ev(self, env: Env) -> Any:
        d = env.period.start
        return Fraction(d.year * 12 + d.month - 1)

    def _pl(self, env: PEnv) -> S:
        e = period_map(env, self.col, self.allow_quarter, lambda p: p.start.year * 12 + p.start.month - 1)
        if e is not None:
            return S(env.mat.get(("period.month", self.col, self.allow_quarter), lambda: e).cast(pl.Int128), 1)
        d = period_start_pl(self.col, self.allow_quarter)
        return S((d.dt.year().cast(pl.Int128) * 12 + d.dt.month().cast(pl.Int128) - 1), 1)

    def text(self) -> str:
        return "所属期"


# ---------------------------------------------------------------------------------------------
# what a declaration yields
# ---------------------------------------------------------------------------------------------


@dataclass
class Step:
    """A trace entry: what was checked or computed, the requirement, the value, the citation.
    ``when``: recorded only when it holds; ``status``: a text or a text node."""

    id: str
    label: str
    required: str
    value: Node | Any = None
    inputs: dict[str, Node] = field(default_factory=dict)
    params: list[str] = field(default_factory=list)
    status: Node | str = ""
    cite: str | None = None
    when: Node | None = None


@dataclass
class Calculation:
    """A calculator's declaration for one rule set: every output as a node."""

    status: Node
    result: Node | None = None  # the tax or the amount (yuan)
    baseline: Node | None = None
    reduction: Node | None = None  # six_taxes_two_fees: the reduction (its ``amount``)
    result_min: Node | None = None  # the range when the result is open (``tax_min``/``amount_min``)
    result_max: Node | None = None
    components: dict[str, Node] = field(default_factory=dict)
    missing: list[tuple[str, Node]] = field(default_factory=list)
    failed: list[tuple[str, Node]] = field(default_factory=list)
    manual: list[tuple[str, Node]] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)  # (text, when | None[, amount node for "{amount}"])
    steps: list[Step] = field(default_factory=list)
    provisional: Node | None = None  # provisional beyond the parameters (an approximation used)
    explain_extra: dict[str, Node] = field(default_factory=dict)  # keys of the explanation only
    # inputs that contradict each other: one record raises ``InputError`` (field, reason); in a
    # register the row is ``unknown`` with the field listed as missing (the declaration says so)
    invalid: list[tuple[str, Node, str]] = field(default_factory=list)


class Decl:
    """What a declaration reads: the parameters in force for the tax period (recording which),
    the options, and the inputs as nodes."""

    def __init__(self, calc: Calculator, params: Params, options: dict[str, Any]):
        self.calc, self.params, self.options = calc, params, dict(options)
        self.used: set[str] = set()

    def p(self, pid: str) -> Any:
        self.used.add(pid)
        return self.params[pid].value

    def pv(self, pid: str) -> Any:
        self.used.add(pid)
        return self.params[pid]

    def has(self, pid: str) -> bool:
        return pid in self.params

    def cite(self, *pids: str) -> str:
        return "；".join(dict.fromkeys(self.params[p].source for p in pids if p in self.params))

    money = staticmethod(Money)
    num = staticmethod(Num)
    flag = staticmethod(Flag)

    @staticmethod
    def text(name: str, upper: bool = False) -> Text:
        return Text(name, upper)

    def months(self) -> Node:
        return PeriodMonths(self.calc.period_field)

    def month(self) -> Node:
        return PeriodMonth(self.calc.period_field, self.calc.allow_quarter)


@dataclass(frozen=True)
class CalcRegime:
    id: str
    name: str
    doc: str
    valid_from: dt.date
    valid_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def zh(v: bool | None, yes: str = "符合", no: str = "不符合", unknown: str = "待核验") -> str:
    return yes if v is True else no if v is False else unknown


def dec(x: Fraction | int | None, places: int | None = None) -> Decimal | None:
    """An exact number as ``Decimal`` (exact when the denominator is 2ᵃ5ᵇ; else 28 digits)."""
    if x is None:
        return None
    x = Fraction(x)
    d, k = x.denominator, 0
    while d % 2 == 0 or d % 5 == 0:
        d //= 2 if d % 2 == 0 else 5
        k += 1
    if d == 1:
        out = Decimal(x.numerator * 10**k // x.denominator).scaleb(-k)
    else:
        out = Decimal(x.numerator) / Decimal(x.denominator)
    if places is not None:
        out = out.quantize(Decimal(1).scaleb(-places))
    return out


def yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


def pct(r: Any) -> str:
    d = dec(Fraction(r) * 100)
    return f"{d.normalize():f}%" if d is not None else "—"


def wan(v: Any) -> str:
    """A yuan amount as text (元, two decimals, thousands separators)."""
    if v is None:
        return "—"
    return f"{dec(Fraction(v)):,.2f}元"


def _list_pl(items: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """The names whose condition holds, in declaration order (one bit mask per row, decoded per
    distinct mask; ``zjtx.rules.policy._list_pl``)."""
    return _names_pl(items, ordered=True)


def _note(note: tuple, env: Env) -> str:
    text = note[0]
    if len(note) > 2:
        v = note[2].ev(env)
        if isinstance(v, str):
            return text.format(value=v)
        text = text.format(amount="—" if v is None else f"{dec(Fraction(half_up(Fraction(v) * FEN), FEN), 2)}")
    return text


def _shown(v: Any) -> Any:
    return dec(v) if isinstance(v, Fraction) else v


# ---------------------------------------------------------------------------------------------
# the calculator
# ---------------------------------------------------------------------------------------------


class Calculator(ABC):
    """A support/tax calculator: metadata, periods, and ``declare`` (see the module docstring)."""

    id: str = ""
    name: str = ""
    kind: str = "support"
    level: str = "国家"
    issuer: str = ""
    summary: str = ""
    beneficiaries: str = ""
    how_to_apply: str = ""
    automatic: bool = False
    window: str = ""
    output: str = "tax"  # "tax" | "amount"
    period_kind: str = "year"  # "year": tax_year; "month": a period input (``period_field``)
    period_field: str = "tax_year"
    allow_quarter: bool = True
    fields: list[str] = []  # record inputs read (all in the schema)
    required_params: list[str] = []  # must all be in force for a period to be covered
    regimes: list[CalcRegime] = []  # from ``<id>.regime`` (``bind``)

    # ---- the declaration ------------------------------------------------------------------------
    @abstractmethod
    def declare(self, d: Decl) -> Calculation:
        """Every output of the calculator as nodes, for the rule set ``d.params``."""

    # ---- rule versions and coverage (from the parameters) ---------------------------------------
    def bind(self, ps: ParameterSet) -> None:
        """Read the rule versions from ``<id>.regime`` (the catalog calls this once)."""
        prm = ps.parameters.get(f"{self.id}.regime")
        if prm is None:
            raise ParameterError(f"{self.id}: 参数文件缺少规则版本 {self.id}.regime")
        out = []
        for i, e in enumerate(prm.history):
            nxt = prm.history[i + 1].valid_from if i + 1 < len(prm.history) else None
            end = e.valid_to if e.valid_to else (nxt - dt.timedelta(days=1) if nxt else None)
            v = e.value
            out.append(CalcRegime(f"{self.id}@{v['id']}", str(v["name"]), str(v.get("doc") or e.source),
                                  e.valid_from, end))
        self.regimes = out

    def covered(self, day: dt.date, ps: ParameterSet) -> bool:
        return all(ps.covers(pid, day) for pid in [f"{self.id}.regime", *self.required_params])

    def covered_years(self, ps: ParameterSet) -> list[int]:
        return [y for y in COVER_YEARS if self.covered(dt.date(y, 12, 31), ps) and self.covered(dt.date(y, 1, 1), ps)]

    def covered_months(self, ps: ParameterSet) -> tuple[dt.date, dt.date | None] | None:
        first = last = None
        for y in COVER_YEARS:
            for m in range(1, 13):
                if self.covered(dt.date(y, m, calendar.monthrange(y, m)[1]), ps):
                    first = first or dt.date(y, m, 1)
                    last = dt.date(y, m, 1)
        if first is None:
            return None
        return first, (None if last == dt.date(COVER_YEARS[-1], 12, 1) else last)

    def coverage_text(self, ps: ParameterSet) -> str:
        if self.period_kind == "year":
            ys = self.covered_years(ps)
            if not ys:
                return "无"
            spans: list[str] = []
            start = prev = ys[0]
            for y in [*ys[1:], None]:
                if y is not None and y == prev + 1:
                    prev = y
                    continue
                spans.append(f"{start}–{prev}" if start != prev else f"{start}")
                if y is not None:
                    start = prev = y
            return "、".join(spans) + " 年"
        span = self.covered_months(ps)
        if span is None:
            return "无"
        a, b = span
        return f"{a:%Y-%m} – {b:%Y-%m}" if b else f"{a:%Y-%m} 起"

    def segments(self, ps: ParameterSet) -> list[tuple[dt.date, dt.date | None]]:
        """Maximal date intervals (within coverage) on which every required parameter is constant."""
        cuts: set[dt.date] = set()
        for pid in [f"{self.id}.regime", *self.required_params]:
            prm = ps.parameters.get(pid)
            for e in prm.history if prm else []:
                cuts.add(e.valid_from)
                if e.valid_to:
                    cuts.add(e.valid_to + dt.timedelta(days=1))
        starts = sorted(cuts)
        out: list[tuple[dt.date, dt.date | None]] = []
        for i, s in enumerate(starts):
            end = starts[i + 1] - dt.timedelta(days=1) if i + 1 < len(starts) else None
            if self.covered(s, ps):
                out.append((s, end))
        return out

    def check_period(self, period: Period, ps: ParameterSet) -> None:
        if not (self.covered(period.start, ps) and self.covered(period.end, ps)):
            what = "税款所属年度" if period.kind == "year" else "所属期"
            raise PolicyError(f"{self.name}（{self.id}）：{what} {period.label()} 不在已收录的政策期间内"
                              f"（已收录：{self.coverage_text(ps)}）；请由管理员补充该期间的参数后再计算")
        if period.kind != "year":
            segs = self.segments(ps)
            if not any(s <= period.start and (e is None or period.end <= e) for s, e in segs):
                cuts = [s for s, _ in segs if period.start < s <= period.end]
                raise PolicyError(f"{self.name}（{self.id}）：所属期 {period.label()} 跨越政策调整日"
                                  f"（{', '.join(c.isoformat() for c in cuts)}），请按月分别计算")

    def regime_for(self, day: dt.date) -> CalcRegime:
        for r in self.regimes:
            if r.covers(day):
                return r
        spans = "; ".join(f"{r.id}: {r.valid_from} → {r.valid_to or '至今'}" for r in self.regimes)
        raise PolicyError(f"{self.id}: {day.isoformat()} 无有效规则版本（{spans}）")

    def tax_year_of(self, on: dt.date) -> int:
        """Evaluated on a record, the tax year is the calendar year of ``_y1`` (POLICIES.md §2.10)."""
        return on.year - 1

    def regime_at(self, on: dt.date, pin: str | None = None) -> CalcRegime:
        if pin:
            for r in self.regimes:
                if r.id == pin or r.id.endswith("@" + pin):
                    return r
            raise PolicyError(f"{self.id}: 没有规则版本 '{pin}'（可选: {', '.join(r.id for r in self.regimes)}）")
        if self.period_kind == "year":
            return self.regime_for(dt.date(self.tax_year_of(on), 12, 31))
        return self.regime_for(on)

    def period_of(self, rec: dict[str, Any], on: dt.date, from_input: bool) -> Period:
        if self.period_kind == "year":
            if from_input and rec.get("tax_year") is not None:
                y = rec["tax_year"]
                if isinstance(y, bool) or not str(y).strip().isdigit():
                    raise InputError([InputIssue(1, None, "tax_year", y, "税款所属年度应为四位整数年份")])
                return Period("year", self.tax_year_of_input(int(str(y).strip())))
            return Period("year", self.tax_year_of(on))
        raw = rec.get(self.period_field)
        if raw is None:
            raw = f"{on.year}-{on.month:02d}" if from_input else None
        if raw is None:
            raise InputError([InputIssue(1, rec.get("uscc"), self.period_field, None, "缺少所属期")])
        return parse_period(raw, self.period_field, allow_quarter=self.allow_quarter)

    def tax_year_of_input(self, year: int) -> int:
        """The period year for an input ``tax_year`` (a support year may follow the tax year)."""
        return year

    def params_for(self, day: dt.date, base: Params) -> Params:
        """Parameters in force on ``day``: the rule set of ``base`` (same files, same reform overlay)."""
        return base.at(day)

    def input_fields(self, on: dt.date, pin: str | None = None) -> list[str]:
        return list(self.fields)

    def provisional_of(self, params: Params, pids: Iterable[str]) -> bool:
        return any(params[x].provisional for x in pids if x in params)

    # ---- one record, exactly ------------------------------------------------------------------
    def run(self, rec: dict[str, Any], on: dt.date, base: Params, options: dict[str, Any],
            from_input: bool = False) -> dict[str, Any]:
        """Compute one record (inputs already checked) into the §1.9 result dict."""
        period = self.period_of(rec, on, from_input)
        self.check_period(period, _source(base))
        day = period.end if period.kind == "year" else period.start
        params = self.params_for(day, base)
        regime = self.regime_for(day)
        d = Decl(self, params, options)
        c = self.declare(d)
        env = Env(rec, period=period)
        bad = [InputIssue(1, rec.get("uscc"), f, rec.get(f), reason) for f, n, reason in c.invalid if n.ev(env) is True]
        if bad:
            raise InputError(bad)
        return self.result(c, d, env, regime, period, on)

    def explain(self, rec: dict[str, Any], params: Params, on: dt.date, options: dict[str, Any]) -> dict[str, Any]:
        return self.run(rec, on, params, options, from_input=False)

    def result(self, c: Calculation, d: Decl, env: Env, regime: CalcRegime, period: Period, on: dt.date) -> dict[str, Any]:
        def fen(n: Node | None) -> int | None:
            return None if n is None else exact_fen(n.ev(env))

        status = c.status.ev(env) or "unknown"
        res_fen, base_fen, red_fen = fen(c.result), fen(c.baseline), fen(c.reduction)
        if c.reduction is not None and self.output == "tax":
            res_fen = None if base_fen is None or red_fen is None else base_fen - red_fen
        if self.output == "tax":
            relief = None if res_fen is None or base_fen is None else base_fen - res_fen
            tax, amount = yuan(res_fen), (yuan(red_fen) if c.reduction is not None else None)
        else:
            relief = res_fen
            tax, amount = None, yuan(res_fen)
        trace = []
        for s in c.steps:
            if s.when is not None and s.when.ev(env) is not True:
                continue
            ps = [p for p in s.params if p in d.params]
            d.used.update(ps)
            value = s.value.ev(env) if isinstance(s.value, Node) else s.value
            trace.append({
                "kind": "step", "id": s.id, "label": s.label, "required": s.required,
                "inputs": {k: _shown(v.ev(env)) for k, v in s.inputs.items()},
                "value": _shown(value),
                "status": s.status.ev(env) if isinstance(s.status, Node) else s.status,
                "params": ps,
                "cite": s.cite or d.cite(*ps) or regime.doc,
            })
        used = d.used | {f"{self.id}.regime"}
        provisional = self.provisional_of(d.params, d.used) or (c.provisional is not None and c.provisional.ev(env) is True)
        out = {
            "policy": self.id, "name": self.name, "on": on.isoformat(), "period": period.code(),
            "tax_year": period.year if period.kind == "year" else None,
            "regime": regime.id, "document": regime.doc, "status": status, "status_zh": STATUS_ZH[status],
            "route": None, "score": None, "score_min": None, "score_max": None, "parts": {},
            "amount": amount, "tax": tax, "baseline": yuan(base_fen), "relief": yuan(relief),
            "components": {k: yuan(fen(v)) for k, v in c.components.items()},
            "failed": [k for k, n in c.failed if n.ev(env) is True],
            "missing": list(dict.fromkeys(k for k, n in c.missing if n.ev(env) is True)),
            "manual": list(dict.fromkeys(k for k, n in c.manual if n.ev(env) is True)),
            "provisional": provisional,
            "notes": [_note(note, env) for note in c.notes if note[1] is None or note[1].ev(env) is True],
            "automatic": self.automatic,
            "params": [d.params[p].as_dict() for p in sorted(used) if p in d.params],
            "trace": trace,
        }
        if c.result_min is not None or c.result_max is not None:
            key = "tax" if self.output == "tax" else "amount"
            out[f"{key}_min"] = yuan(fen(c.result_min))
            out[f"{key}_max"] = yuan(fen(c.result_max))
        for k, n in c.explain_extra.items():
            v = n.ev(env)
            out[k] = None if v is None else dec(Fraction(half_up(Fraction(v) * FEN), FEN), 2)
        return out

    # ---- a register, in Polars ---------------------------------------------------------------
    def columns(self, params: Params, on: dt.date, options: dict[str, Any], mat: Any = None) -> list[pl.Expr]:
        """The output columns for a frame. A month calculator compiles one declaration per parameter
        segment and picks, per row, the segment its period falls in (an unmatched row is ``unknown``
        with its period field listed as missing); lists and money columns are built once, after."""
        p = self.id
        ps = _source(params)
        if self.period_kind == "year":
            period = Period("year", self.tax_year_of(on))
            self.check_period(period, ps)
            raw = self._compile(self.params_for(period.end, params), options, mat, "y")
            raw["regime"] = pl.lit(self.regime_for(period.end).id)
            covered: pl.Expr = pl.lit(True)
        else:
            segs = self.segments(ps)
            values = mat.distinct.get(self.period_field) if mat is not None else None
            if values is not None:
                # the frame's distinct periods, parsed once: each to the segment that holds it whole;
                # only the segments that occur are compiled (a row-wise ``when`` evaluates every branch)
                seg_of: dict[Any, int] = {}
                for v in values:
                    per = period_of_text(v, self.allow_quarter)
                    for i, (s_, e) in enumerate(segs):
                        if per is not None and s_ <= per.start and (e is None or per.end <= e):
                            seg_of[v] = i
                            break
                present = sorted(set(seg_of.values())) or [0]
                idx: pl.Expr = (pl.col(self.period_field).cast(pl.String).replace_strict(
                    seg_of, default=None, return_dtype=pl.Int32) if seg_of else pl.lit(None, pl.Int32))
            else:
                start = period_start_pl(self.period_field, self.allow_quarter)
                end = start.dt.offset_by("1mo").dt.offset_by("-1d")
                if self.allow_quarter:
                    end = pl.when(period_months_pl(self.period_field) == 3).then(
                        start.dt.offset_by("3mo").dt.offset_by("-1d")).otherwise(end)
                which: Any = None
                for i, (s_, e) in enumerate(segs):
                    cond = (start >= pl.lit(s_)) if e is None else ((start >= pl.lit(s_)) & (end <= pl.lit(e)))
                    which = pl.when(cond).then(pl.lit(i)) if which is None else which.when(cond).then(pl.lit(i))
                idx = which.otherwise(None) if which is not None else pl.lit(None, pl.Int32)
                present = list(range(len(segs)))
            if mat is not None:
                built = idx
                idx = mat.get((self.id, "segment", tuple(present)), lambda: built)
            chains: dict[str, Any] = {}
            for i in present:
                s_ = segs[i][0]
                seg = self._compile(self.params_for(s_, params), options, mat, s_.isoformat())
                seg["regime"] = pl.lit(self.regime_for(s_).id)
                for k, ex in seg.items():
                    hit = idx == i
                    chains[k] = pl.when(hit).then(ex) if k not in chains else chains[k].when(hit).then(ex)
            raw = {k: ch.otherwise(None) for k, ch in chains.items()}
            covered = idx.is_not_null()
        key = "tax" if self.output == "tax" else "amount"
        res, base = raw["result"], raw["baseline"]
        if "reduction" in raw and self.output == "tax":
            res = base - raw["reduction"]
        relief = (base - res) if self.output == "tax" else res

        def money(e: pl.Expr) -> pl.Expr:
            return e.cast(MONEY) / 100

        names = lambda prefix: sorted({k[len(prefix):] for k in raw if k.startswith(prefix)})  # noqa: E731
        missing = _list_pl([(n, raw["miss." + n]) for n in names("miss.")])
        manual = _list_pl([(n, raw["manual." + n]) for n in names("manual.")])
        if self.period_kind != "year":
            missing = pl.when(covered).then(missing).otherwise(pl.lit([self.period_field], dtype=pl.List(pl.String)))
        cols = [pl.when(covered).then(raw["status"]).otherwise(pl.lit("unknown")).fill_null("unknown").alias(f"{p}.status"),
                money(res).alias(f"{p}.{key}"), money(base).alias(f"{p}.baseline"), money(relief).alias(f"{p}.relief")]
        if "reduction" in raw:
            cols.append(money(raw["reduction"]).alias(f"{p}.amount"))
        cols += [raw["regime"].alias(f"{p}.regime"), missing.alias(f"{p}.missing"), manual.alias(f"{p}.manual"),
                 raw["provisional"].fill_null(False).alias(f"{p}.provisional")]
        return cols

    def _compile(self, prm: Params, options: dict[str, Any], mat: Any, seg: str) -> dict[str, pl.Expr]:
        """One rule set's outputs as raw Polars expressions: status, amounts in Int64 fen, the
        provisional flag, and one boolean per missing / manual name (``miss.<name>``, ``manual.<name>``)."""
        d = Decl(self, prm, options)
        c = self.declare(d)
        roots = [n for n in (c.status, c.result, c.baseline, c.reduction, c.provisional) if n is not None]
        roots += [n for _, n in c.missing] + [n for _, n in c.manual]
        env = PEnv(mat, (self.id, seg), reused(roots))

        def fen(n: Node | None) -> pl.Expr:
            return pl.lit(None, pl.Int64) if n is None else compiled_fen(n.pl(env))

        out: dict[str, pl.Expr] = {"status": c.status.pl(env), "result": fen(c.result), "baseline": fen(c.baseline)}
        if c.reduction is not None:
            out["reduction"] = fen(c.reduction)
        for prefix, items in (("miss.", c.missing), ("manual.", c.manual)):
            for k, n in items:
                e = n.pl(env).fill_null(False)
                out[prefix + k] = out[prefix + k] | e if prefix + k in out else e
        prov = pl.lit(self.provisional_of(prm, d.used))
        if c.provisional is not None:
            prov = prov | c.provisional.pl(env).fill_null(False)
        out["provisional"] = prov
        return out


def _source(params: Params) -> ParameterSet:
    if params.source is None:
        raise ParameterError("calculators need parameters resolved from a parameter set (Params.source)")
    return params.source


def check_inputs(calc: Calculator, rec: dict[str, Any], schema: Schema) -> None:
    """Reject inputs that are neither calculator inputs nor record fields (typos), naming them."""
    known = set(calc.fields) | {"tax_year", calc.period_field, "not_applicable", "uscc", "name"}
    bad = [k for k in rec if k not in known and k not in schema]
    if bad:
        raise InputError([InputIssue(1, None, k, rec[k], f"不是 {calc.id} 的输入（可用: {', '.join(calc.fields)}）")
                          for k in bad])


Builder = Callable[[Decl], Calculation]
