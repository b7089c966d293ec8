"""Calculators: tax reliefs and support amounts as policies (POLICIES.md §2.9–§2.14).

A ``Calculator`` implements the same interface the engine calls on a tier ``Policy`` (``id``,
``name``, metadata, ``regimes``, ``input_fields``, ``columns``, ``explain``), so
``zjtx.evaluate(..., policies=["cit_small_low_profit"])`` and ``zjtx.explain`` work unchanged.

Each calculator is written twice, on purpose, and the tests compare the two to the fen:

* ``compute`` — one record, exact (``Fraction``), with a cited trace;
* ``pl_compute`` — a whole frame, vectorised Polars on **integer fen** (``Int64``); money results are
  returned as ``pl.Decimal(38, 2)`` yuan. No binary float enters a sum.

Numbers (POLICIES.md §1.2, §1.4):

* money inputs are read to the fen: ``fen = ⌊yuan × 100 + 0.5⌋`` (the same IEEE operations in both
  executors, so both read the same fen);
* ratio inputs (``input_ratio``, ``urban_maintenance_rate``) are read to 10⁻⁶ the same way (products
  are formed in ``Int128`` and the rounded result cast back to ``Int64`` fen);
* rates are exact parameters (``Fraction``); every result is computed exactly and rounded **half-up
  to 0.01 yuan at the end** (``baseline`` and the result separately; ``relief = baseline − result``).

Tax law applies by the tax period, not by the evaluation date: parameters are resolved on the last
day of the period (``tax_year`` 12-31, or the month's last day), re-applying any reform overlay given
to the evaluation. A period where any required parameter is not in force is refused with the list
of covered periods (no guessing).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import reduce
from typing import Any

import polars as pl

from zjtx.rules.inputs import InputError, InputIssue, Schema
from zjtx.rules.params import ParameterError, ParameterSet, Params, ParamValue
from zjtx.rules.policy import STATUS_ZH, PolicyError

FEN = 100
RATIO_SCALE = 10**6
MONEY = pl.Decimal(38, 2)
COVER_YEARS = range(2010, 2041)

# ---------------------------------------------------------------------------------------------
# exact numbers
# ---------------------------------------------------------------------------------------------


def to_fen(v: Any) -> int | None:
    """Yuan (float/int/str/Decimal) → integer fen, ⌊x·100 + 0.5⌋ in IEEE double (as Polars does)."""
    if v is None:
        return None
    return math.floor(float(v) * FEN + 0.5)


def to_ratio(v: Any) -> Fraction | None:
    """A ratio input read to 10⁻⁶ (as Polars does)."""
    if v is None:
        return None
    return Fraction(math.floor(float(v) * RATIO_SCALE + 0.5), RATIO_SCALE)


def fen_pl(col: str) -> pl.Expr:
    return (pl.col(col).cast(pl.Float64) * FEN + 0.5).floor().cast(pl.Int64)


def ratio_pl(col: str) -> pl.Expr:
    """A ratio column as integer millionths."""
    return (pl.col(col).cast(pl.Float64) * RATIO_SCALE + 0.5).floor().cast(pl.Int64)


def half_up(x: Fraction) -> int:
    """Exact fen amount → integer fen, half-up (away from zero)."""
    if x < 0:
        return -half_up(-x)
    return math.floor(x + Fraction(1, 2))


def half_up_div_pl(num: pl.Expr, den: int) -> pl.Expr:
    """Half-up integer division of a non-negative Int64 numerator by a positive integer."""
    if den == 1:
        return num
    return (num * 2 + den) // (2 * den)


def lin_pl(terms: Iterable[tuple[pl.Expr, Fraction]], extra_den: int = 1) -> pl.Expr:
    """Σ eᵢ·rᵢ / extra_den, exactly, rounded half-up: ``eᵢ`` Int64 expressions (fen, or fen ×
    millionths), ``rᵢ`` exact rates. The sum is put over one common denominator first."""
    terms = [(e, Fraction(r)) for e, r in terms]
    den = reduce(math.lcm, [r.denominator for _, r in terms], 1)
    # Int128 inside: fen × millionths × rate numerators stay exact for any realistic amount
    parts = [e.cast(pl.Int128) * int(r * den) for e, r in terms if r != 0]
    total: pl.Expr = reduce(lambda a, b: a + b, parts) if parts else pl.lit(0, pl.Int128)
    return half_up_div_pl(total, den * extra_den).cast(pl.Int64)


def dec(x: Fraction | int | None, places: int | None = None) -> Decimal | None:
    """An exact number as ``Decimal`` (exact when the denominator is 2ᵃ5ᵇ; else 28 digits)."""
    if x is None:
        return None
    x = Fraction(x)
    d = x.denominator
    k = 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:
        if d % 10 == 0:
            d //= 10
        elif d % 2 == 0:
            d //= 2
        else:
            d //= 5
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


def yuan_pl(fen: pl.Expr) -> pl.Expr:
    return fen.cast(MONEY) / 100


def pct(r: Fraction) -> str:
    d = dec(r * 100)
    return f"{d.normalize():f}%" if d is not None else "—"


def wan(fen: int | Fraction | None) -> str:
    if fen is None:
        return "—"
    y = dec(Fraction(fen) / FEN)
    return f"{y:,.2f}元"


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
    q_date = pl.date(qy, qn * 3 - 2, 1)
    return pl.coalesce(m_date, q_date)


def period_months_pl(col: str) -> pl.Expr:
    s = pl.col(col).cast(pl.String).str.strip_chars().str.to_uppercase()
    return pl.when(s.str.contains(r"^\d{4}-Q[1-4]$")).then(pl.lit(3, pl.Int64)).otherwise(pl.lit(1, pl.Int64))


def period_end_pl(start: pl.Expr, months: pl.Expr) -> pl.Expr:
    return pl.when(months == 3).then(start.dt.offset_by("3mo")).otherwise(start.dt.offset_by("1mo")).dt.offset_by("-1d")


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_code(s: str) -> int:
    y, m = s.split("-")
    return int(y) * 12 + int(m) - 1


# ---------------------------------------------------------------------------------------------
# evaluation context (one record)
# ---------------------------------------------------------------------------------------------


@dataclass
class Calc:
    """One calculation: parameters in force for the tax period, the trace, what was used."""

    params: Params
    trace: list[dict[str, Any]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    doc: str = ""  # the regime's document: the citation of steps that use no parameter

    def pv(self, pid: str) -> ParamValue:
        self.used.add(pid)
        return self.params[pid]

    def p(self, pid: str) -> Any:
        return self.pv(pid).value

    def cite(self, *pids: str) -> str:
        return "；".join(dict.fromkeys(self.params[p].source for p in pids if p in self.params))

    def need(self, rec: dict[str, Any], *names: str) -> bool:
        """True when every named input is present; else records them as missing."""
        ok = True
        for n in names:
            if rec.get(n) is None:
                if n not in self.missing:
                    self.missing.append(n)
                ok = False
        return ok

    def step(self, sid: str, label: str, required: str, value: Any = None, *, inputs: dict[str, Any] | None = None,
             params: Iterable[str] = (), status: str = "", cite: str | None = None) -> None:
        ps = [p for p in params if p in self.params]
        for p in ps:
            self.used.add(p)
        if isinstance(value, Fraction):
            value = dec(value)
        self.trace.append({
            "kind": "step",
            "id": sid,
            "label": label,
            "required": required,
            "inputs": {k: (dec(v) if isinstance(v, Fraction) else v) for k, v in (inputs or {}).items()},
            "value": value,
            "status": status,
            "params": ps,
            "cite": cite or self.cite(*ps) or self.doc,
        })


@dataclass
class Outcome:
    """What ``compute`` returns: exact amounts in fen (``Fraction``), or None when unknown."""

    status: str
    result: Fraction | None = None  # the tax or the amount
    baseline: Fraction | None = None
    reduction: Fraction | None = None  # six_taxes_two_fees: the reduction (its ``amount``)
    result_min: Fraction | None = None
    result_max: Fraction | None = None
    components: dict[str, Fraction | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlOutcome:
    """What ``pl_compute`` returns: Polars expressions over Int64 fen."""

    status: pl.Expr
    result: pl.Expr  # Int64 fen (rounded)
    baseline: pl.Expr  # Int64 fen (rounded)
    missing: list[tuple[str, pl.Expr]]
    reduction: pl.Expr | None = None
    provisional: bool | pl.Expr = False
    extra: dict[str, pl.Expr] = field(default_factory=dict)


@dataclass(frozen=True)
class CalcRegime:
    id: str
    name: str
    doc: str
    valid_from: dt.date
    valid_to: dt.date | None

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def status_pl(q: pl.Expr) -> pl.Expr:
    return pl.when(q).then(pl.lit("qualified")).when(~q).then(pl.lit("not_qualified")).otherwise(pl.lit("unknown"))


def status3(q: bool | None) -> str:
    return "qualified" if q is True else "not_qualified" if q is False else "unknown"


def list_pl(items: list[tuple[str, pl.Expr]]) -> pl.Expr:
    merged: dict[str, pl.Expr] = {}
    for name, e in items:
        merged[name] = merged[name] | e if name in merged else e
    if not merged:
        return pl.lit([], dtype=pl.List(pl.String))
    return pl.concat_list(
        [pl.when(merged[n].fill_null(False)).then(pl.lit(n)).otherwise(pl.lit(None, pl.String)) for n in merged]
    ).list.drop_nulls()


# ---------------------------------------------------------------------------------------------
# the base class
# ---------------------------------------------------------------------------------------------


class Calculator(ABC):
    """A support/tax calculator (POLICIES.md §1.9 result shape; see the module docstring)."""

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
    regimes: list[CalcRegime] = []
    fields: list[str] = []  # record inputs read (all registered in the schema)
    required_params: list[str] = []  # must all be in force for a period to be covered
    param_prefix: str = ""

    # ---- periods and parameters -------------------------------------------------------------
    def params_for(self, day: dt.date, base: Params) -> Params:
        """Parameters in force on ``day``: the rule set of ``base`` (same files, same reform overlay)."""
        return base.at(day)

    def covered(self, day: dt.date, ps: ParameterSet) -> bool:
        return all(ps.covers(pid, day) for pid in self.required_params)

    def covered_years(self, ps: ParameterSet) -> list[int]:
        return [y for y in COVER_YEARS if self.covered(dt.date(y, 12, 31), ps) and self.covered(dt.date(y, 1, 1), ps)]

    def covered_months(self, ps: ParameterSet) -> tuple[dt.date, dt.date | None] | None:
        """First and last covered month (None: open end), scanning month by month."""
        first = last = None
        for y in COVER_YEARS:
            for m in range(1, 13):
                d = dt.date(y, m, calendar.monthrange(y, m)[1])
                if self.covered(d, ps):
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
            for y in ys[1:] + [None]:  # type: ignore[list-item]
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

    def check_period(self, period: Period, ps: ParameterSet) -> None:
        if not (self.covered(period.start, ps) and self.covered(period.end, ps)):
            what = "税款所属年度" if period.kind == "year" else "所属期"
            raise PolicyError(f"{self.name}（{self.id}）：{what} {period.label()} 不在已收录的政策期间内"
                              f"（已收录：{self.coverage_text(ps)}）；请由管理员补充该期间的参数后再计算")
        if period.kind != "year":
            segs = segments(self, ps)
            if not any(s <= period.start and (e is None or period.end <= e) for s, e in segs):
                cuts = [s for s, _ in segs if period.start < s <= period.end]
                raise PolicyError(f"{self.name}（{self.id}）：所属期 {period.label()} 跨越政策调整日"
                                  f"（{', '.join(c.isoformat() for c in cuts)}），请按月分别计算")

    def tax_year_of(self, on: dt.date) -> int:
        """Evaluated on a record, the tax year is the calendar year of ``_y1`` (POLICIES.md §2.10)."""
        return on.year - 1

    def period_of(self, rec: dict[str, Any], on: dt.date, from_input: bool) -> Period:
        if self.period_kind == "year":
            if from_input and rec.get("tax_year") is not None:
                y = rec["tax_year"]
                if isinstance(y, bool) or not str(y).strip().isdigit():
                    raise InputError([InputIssue(1, None, "tax_year", y, "税款所属年度应为四位整数年份")])
                return Period("year", int(str(y).strip()))
            return Period("year", self.tax_year_of(on))
        raw = rec.get(self.period_field)
        if raw is None:
            raw = f"{on.year}-{on.month:02d}" if from_input else None
        if raw is None:
            raise InputError([InputIssue(1, rec.get("uscc"), self.period_field, None, "缺少所属期")])
        return parse_period(raw, self.period_field, allow_quarter=self.allow_quarter)

    allow_quarter: bool = True

    def regime_for(self, day: dt.date) -> CalcRegime:
        for r in self.regimes:
            if r.covers(day):
                return r
        spans = "; ".join(f"{r.id}: {r.valid_from} → {r.valid_to or '至今'}" for r in self.regimes)
        raise PolicyError(f"{self.id}: {day.isoformat()} 无有效规则版本（{spans}）")

    def regime_at(self, on: dt.date, pin: str | None = None) -> CalcRegime:
        if pin:
            for r in self.regimes:
                if r.id == pin or r.id.endswith("@" + pin):
                    return r
            raise PolicyError(f"{self.id}: 没有规则版本 '{pin}'（可选: {', '.join(r.id for r in self.regimes)}）")
        if self.period_kind == "year":
            return self.regime_for(dt.date(self.tax_year_of(on), 12, 31))
        return self.regime_for(on)

    # ---- the Policy interface ---------------------------------------------------------------
    def input_fields(self, on: dt.date, pin: str | None = None) -> list[str]:
        return list(self.fields)

    @abstractmethod
    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        ...

    @abstractmethod
    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        ...

    def run(self, rec: dict[str, Any], on: dt.date, base: Params, options: dict[str, Any],
            from_input: bool = False) -> dict[str, Any]:
        """Compute one record (inputs already checked) into the §1.9 result dict."""
        period = self.period_of(rec, on, from_input)
        self.check_period(period, _source(base))
        params = self.params_for(period.end if period.kind == "year" else period.start, base)
        regime = self.regime_for(period.end if period.kind == "year" else period.start)
        cx = Calc(params, doc=regime.doc)
        out = self.compute(rec, period, cx, options)
        return self.result(out, cx, regime, period, on)

    def explain(self, rec: dict[str, Any], params: Params, on: dt.date, options: dict[str, Any]) -> dict[str, Any]:
        return self.run(rec, on, params, options, from_input=False)

    def result(self, out: Outcome, cx: Calc, regime: CalcRegime, period: Period, on: dt.date) -> dict[str, Any]:
        res_fen = None if out.result is None else half_up(out.result)
        base_fen = None if out.baseline is None else half_up(out.baseline)
        red_fen = None if out.reduction is None else half_up(out.reduction)
        if red_fen is not None and base_fen is not None and self.output == "tax" and out.reduction is not None:
            res_fen = base_fen - red_fen  # six_taxes_two_fees: tax = baseline − reduction (both rounded)
        if self.output == "tax":
            relief = None if res_fen is None or base_fen is None else base_fen - res_fen
            tax, amount = yuan(res_fen), (yuan(red_fen) if out.reduction is not None else None)
        else:
            relief = res_fen
            tax, amount = None, yuan(res_fen)
        provisional = self.provisional_of(cx.params, self.required_params) or bool(out.extra.pop("_provisional", False))
        res = {
            "policy": self.id,
            "name": self.name,
            "on": on.isoformat(),
            "period": period.code(),
            "tax_year": period.year if period.kind == "year" else None,
            "regime": regime.id,
            "document": regime.doc,
            "status": out.status,
            "status_zh": STATUS_ZH[out.status],
            "route": None,
            "score": None,
            "score_min": None,
            "score_max": None,
            "parts": {},
            "amount": amount,
            "tax": tax,
            "baseline": yuan(base_fen),
            "relief": yuan(relief),
            "components": {k: (None if v is None else yuan(half_up(v))) for k, v in out.components.items()},
            "failed": list(cx.failed),
            "missing": list(cx.missing),
            "manual": list(cx.manual),
            "provisional": provisional,
            "notes": list(cx.notes),
            "automatic": self.automatic,
            "params": [cx.params[p].as_dict() for p in sorted(cx.used) if p in cx.params],
            "trace": cx.trace,
        }
        if out.result_min is not None or out.result_max is not None:
            key = "tax" if self.output == "tax" else "amount"
            res[f"{key}_min"] = yuan(None if out.result_min is None else half_up(out.result_min))
            res[f"{key}_max"] = yuan(None if out.result_max is None else half_up(out.result_max))
        res.update(out.extra)
        return res

    def m(self, key: Any, build: Callable[[], pl.Expr]) -> pl.Expr:
        """A shared sub-result as one temporary column (the engine's ``Materializer``), else inline."""
        mat = getattr(self, "_mat", None)
        if mat is None:
            return build()

        return mat.get((self.id, key), build)

    def columns(self, params: Params, on: dt.date, options: dict[str, Any], mat: Any = None) -> list[pl.Expr]:
        p = self.id
        self._mat = mat
        if self.period_kind == "year":
            period = Period("year", self.tax_year_of(on))
            self.check_period(period, _source(params))
            tp = self.params_for(period.end, params)
            regime = self.regime_for(period.end).id
            o = self.pl_compute(period, tp, options, params)
            regime_e = pl.lit(regime)
        else:
            o = self.pl_compute(None, None, options, params)
            regime_e = o.extra.pop("regime")
        key = "tax" if self.output == "tax" else "amount"
        res = o.result
        if o.reduction is not None and self.output == "tax":
            res = o.baseline - o.reduction
        relief = (o.baseline - res) if self.output == "tax" else res
        out = [
            o.status.alias(f"{p}.status"),
            yuan_pl(res).alias(f"{p}.{key}"),
            yuan_pl(o.baseline).alias(f"{p}.baseline"),
            yuan_pl(relief).alias(f"{p}.relief"),
        ]
        if o.reduction is not None:
            out.append(yuan_pl(o.reduction).alias(f"{p}.amount"))
        out += [
            regime_e.alias(f"{p}.regime"),
            list_pl(o.missing).alias(f"{p}.missing"),
            pl.lit([], dtype=pl.List(pl.String)).alias(f"{p}.manual") if "manual" not in o.extra
            else o.extra.pop("manual").alias(f"{p}.manual"),
            (o.provisional if isinstance(o.provisional, pl.Expr) else pl.lit(o.provisional)).alias(f"{p}.provisional"),
        ]
        for k, e in o.extra.items():
            out.append(e.alias(f"{p}.{k}"))
        return out

    # ---- helpers for subclasses --------------------------------------------------------------
    def provisional_of(self, params: Params, pids: Iterable[str]) -> bool:
        return any(params[x].provisional for x in pids if x in params)


def _source(params: Params) -> ParameterSet:
    if params.source is None:
        raise ParameterError("calculators need parameters resolved from a parameter set (Params.source)")
    return params.source


def segments(calc: Calculator, ps: ParameterSet) -> list[tuple[dt.date, dt.date | None]]:
    """Maximal date intervals (within coverage) on which every required parameter is constant."""
    cuts: set[dt.date] = set()
    for pid in calc.required_params:
        prm = ps.parameters.get(pid)
        if prm is None:
            continue
        for e in prm.history:
            cuts.add(e.valid_from)
            if e.valid_to:
                cuts.add(e.valid_to + dt.timedelta(days=1))
    starts = sorted(cuts)
    out: list[tuple[dt.date, dt.date | None]] = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - dt.timedelta(days=1) if i + 1 < len(starts) else None
        if calc.covered(s, ps):
            out.append((s, end))
    return out


def by_segment(calc: Calculator, start: pl.Expr, end: pl.Expr,
               build: Callable[[Params, dt.date], dict[str, pl.Expr]],
               base: Params, defaults: dict[str, pl.Expr]) -> dict[str, pl.Expr]:
    """Per-row parameters: evaluate ``build(params)`` for every segment and pick the one holding the
    row's whole period (``start``–``end``); rows outside every segment get ``defaults``."""
    chains: dict[str, Any] = {}
    for s, e in segments(calc, _source(base)):
        cond = (start >= pl.lit(s)) if e is None else ((start >= pl.lit(s)) & (end <= pl.lit(e)))
        exprs = build(calc.params_for(s, base), s)
        for k, ex in exprs.items():
            chains[k] = pl.when(cond).then(ex) if k not in chains else chains[k].when(cond).then(ex)
    return {k: (chains[k].otherwise(defaults[k]) if k in chains else defaults[k]) for k in defaults}


def check_inputs(calc: Calculator, rec: dict[str, Any], schema: Schema) -> None:
    """Reject inputs that are neither calculator inputs nor record fields (typos), naming them."""
    known = set(calc.fields) | {"tax_year", calc.period_field, "not_applicable", "uscc", "name"}
    bad = [k for k in rec if k not in known and k not in schema]
    if bad:
        raise InputError([InputIssue(1, None, k, rec[k], f"不是 {calc.id} 的输入（可用: {', '.join(calc.fields)}）")
                          for k in bad])


__all__ = [
    "Calc", "CalcRegime", "Calculator", "Outcome", "ParameterError", "Period", "PlOutcome", "by_segment",
    "dec", "fen_pl", "half_up", "lin_pl", "list_pl", "parse_period", "ratio_pl", "status3", "status_pl",
    "to_fen", "to_ratio", "yuan", "yuan_pl",
]
