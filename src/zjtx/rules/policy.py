"""Policies and regimes: one declaration, executed as Polars columns or as a traced explanation.

A ``Policy`` holds dated ``Regime``s. A regime's qualifying expression is::

    qualified = AND(gates) AND (score_pass OR direct₁ OR direct₂ …)

(the parenthesis is dropped when the regime has neither a scored route nor direct routes).
The status follows POLICIES.md §1.3: ``qualified`` / ``not_qualified`` when the expression is
determined; ``manual_review`` when it is open only because of review items (both the least and the
most favourable review outcomes are determined); otherwise ``unknown`` (data missing).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from zjtx.rules.nodes import (
    All,
    AnyOf,
    Cond,
    Ctx,
    F,
    Materializer,
    Score,
    fmt,
)
from zjtx.rules.params import ParameterError, Params

STATUSES = ("qualified", "not_qualified", "unknown", "manual_review")
STATUS_ZH = {"qualified": "达标", "not_qualified": "未达标", "unknown": "待核验", "manual_review": "待人工审核"}

class PolicyError(ValueError):
    """An unknown policy, a rule version not in force, a period outside the collected parameters."""


def walk(node: Any) -> Iterator[Any]:
    yield node
    for c in getattr(node, "children", lambda: [])():
        yield from walk(c)


class Extra(ABC):
    """An extra output column of a regime (e.g. the size class of ``sme_size``)."""

    id: str

    def fields(self) -> set[str]:
        return set()

    @abstractmethod
    def pl(self, cx: Ctx) -> pl.Expr:
        ...

    @abstractmethod
    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        ...


@dataclass
class Regime:
    id: str
    name: str
    doc: str
    valid_from: dt.date
    valid_to: dt.date | None
    gates: list[Cond]
    score: Score | None = None
    score_pass: Cond | None = None
    direct: list[Cond] = field(default_factory=list)
    flags: list[Cond] = field(default_factory=list)  # informational: noted when true
    notes: list[str] = field(default_factory=list)  # descriptive requirements (review notes)
    extras: list[Extra] = field(default_factory=list)

    @property
    def qualify(self) -> Cond:
        routes = ([self.score_pass] if self.score_pass is not None else []) + list(self.direct)
        parts = list(self.gates) + ([AnyOf(*routes)] if routes else [])
        return All(*parts)

    def nodes(self) -> Iterator[Any]:
        yield from walk(self.qualify)
        if self.score is not None:
            for i in self.score.indicators:
                yield from walk(i)
        for f in self.flags:
            yield from walk(f)

    def data_fields(self) -> list[str]:
        out: set[str] = set()
        out |= self.qualify.data_fields()
        if self.score is not None:
            for i in self.score.indicators:
                out |= i.data_fields()
        return sorted(out)

    def fields(self) -> list[str]:
        out: set[str] = set(self.qualify.fields())
        if self.score is not None:
            for i in self.score.indicators:
                out |= i.fields()
        for f in self.flags:
            out |= f.fields()
        for e in self.extras:
            out |= e.fields()
        return sorted(out)

    def fallbacks(self) -> dict[str, str]:
        return {n.name: n.fallback for n in self.nodes() if isinstance(n, F) and n.fallback}

    def covers(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def _tri(c: pl.Expr) -> pl.Expr:
    """A Kleene boolean as 0 (false), 1 (true) or 2 (null)."""
    return c.cast(pl.UInt8).fill_null(2)


def _status_pl(q: pl.Expr, q_lo: pl.Expr, q_hi: pl.Expr) -> pl.Expr:
    """``status_of`` per row: the three Kleene values as one code (3³ = 27) whose status text is
    looked up in a table built by ``status_of`` itself (4× cheaper than a when/then chain of
    strings, docs/benchmarks.md)."""
    if not any(e.meta.root_names() for e in (q, q_lo, q_hi)):  # all literal: no row to index by
        return (
            pl.when(q).then(pl.lit("qualified"))
            .when(~q).then(pl.lit("not_qualified"))
            .when(q_lo).then(pl.lit("qualified"))
            .when(~q_hi).then(pl.lit("not_qualified"))
            .when(q_lo.is_not_null() & q_hi.is_not_null()).then(pl.lit("manual_review"))
            .otherwise(pl.lit("unknown"))
        )
    code = _tri(q) + _tri(q_lo) * 3 + _tri(q_hi) * 9
    return pl.lit(_STATUS_TABLE).gather(code)


def status_of(q: bool | None, q_lo: bool | None, q_hi: bool | None) -> str:
    if q is True:
        return "qualified"
    if q is False:
        return "not_qualified"
    if q_lo is True:
        return "qualified"
    if q_hi is False:
        return "not_qualified"
    if q_lo is not None and q_hi is not None:
        return "manual_review"
    return "unknown"


_TRI = (False, True, None)
_STATUS_TABLE = pl.Series("status", [status_of(_TRI[c % 3], _TRI[c // 3 % 3], _TRI[c // 9]) for c in range(27)],
                          dtype=pl.String)


_SEP = "\x1f"


def _list_pl(items: list[tuple[str, pl.Expr]], ordered: bool = False) -> pl.Expr:
    """The names whose condition holds, as a list of strings (e.g. the missing fields): sorted, or
    in the order given with ``ordered``.

    Built as one bit mask per row (one bit per name); the distinct masks of a batch — a few dozen in
    a register — are decoded in Python and joined back (3–4× cheaper than joining and splitting a
    string per row, 10× cheaper than ``concat_list`` + ``drop_nulls``; docs/benchmarks.md)."""
    merged: dict[str, pl.Expr] = {}
    for name, e in items:
        merged[name] = merged[name] | e if name in merged else e
    empty = pl.lit([], dtype=pl.List(pl.String))
    if not merged:
        return empty
    names = list(merged) if ordered else sorted(merged)
    if len(names) > 63:  # beyond one 64-bit mask: join and split a string
        joined = pl.concat_str([pl.when(merged[n].fill_null(False)).then(pl.lit(n)) for n in names],
                               separator=_SEP, ignore_nulls=True)
        return pl.when(joined.is_null() | (joined == "")).then(empty).otherwise(joined.str.split(_SEP))
    # a null condition is not listed (``when`` takes null as false); when/then of two literals is
    # 4× cheaper than casting each condition and multiplying
    zero = pl.lit(0, pl.UInt64)
    mask = pl.sum_horizontal([pl.when(merged[n]).then(pl.lit(1 << i, pl.UInt64)).otherwise(zero)
                              for i, n in enumerate(names)])
    return mask.map_batches(_decoder(tuple(names)), return_dtype=pl.List(pl.String), is_elementwise=True)


def _decoder(names: tuple[str, ...]) -> Any:
    def decode(mask: pl.Series) -> pl.Series:
        keys = mask.unique()
        lists = [[n for i, n in enumerate(names) if (k >> i) & 1] for k in keys.to_list()]
        table = pl.DataFrame({"k": keys, "v": pl.Series(lists, dtype=pl.List(pl.String))})
        return mask.to_frame("k").join(table, on="k", how="left", maintain_order="left")["v"]

    return decode


@dataclass
class Policy:
    """A tier or support policy: metadata plus dated regimes."""

    id: str
    name: str
    kind: str  # "tier" | "support" | "classification"
    level: str  # 国家 / 省 / 市
    issuer: str
    regimes: list[Regime]
    summary: str = ""
    beneficiaries: str = ""
    how_to_apply: str = ""
    automatic: bool = False  # 免申即享
    window: str = ""

    def regime_at(self, on: dt.date, pin: str | None = None) -> Regime:
        if pin:
            for r in self.regimes:
                if r.id == pin or r.id.endswith("@" + pin):
                    return r
            raise PolicyError(f"{self.id}: 没有规则版本 '{pin}'（可选: {', '.join(r.id for r in self.regimes)}）")
        for r in self.regimes:
            if r.covers(on):
                return r
        spans = "; ".join(f"{r.id}: {r.valid_from} → {r.valid_to or '至今'}" for r in self.regimes)
        raise PolicyError(f"{self.id}: {on.isoformat()} 无有效规则版本（{spans}）")

    def input_fields(self, on: dt.date, pin: str | None = None) -> list[str]:
        return self.regime_at(on, pin).fields()

    # ---- batch --------------------------------------------------------------------------
    def qualify_pl(self, params: Params, on: dt.date, options: dict[str, Any], mode: str | None) -> pl.Expr:
        r = self.regime_at(on, (options.get("regimes") or {}).get(self.id))
        return r.qualify.pl(Ctx(params, on, options, mode=mode))

    def columns(self, params: Params, on: dt.date, options: dict[str, Any],
                mat: Materializer | None = None) -> list[pl.Expr]:
        r = self.regime_at(on, (options.get("regimes") or {}).get(self.id))
        p = self.id
        cx = Ctx(params, on, options, mat=mat)

        def qualify(mode: str | None) -> pl.Expr:
            sub = cx if mode is None else Ctx(params, on, options, mode=mode, used_params=cx.used_params, mat=mat)
            if mat is None:
                return r.qualify.pl(sub)
            # read by the status (each twice) and the route: one column each unless read once
            return mat.get(("qualify", p, r.id, mode), lambda: r.qualify.pl(sub))

        q, q_lo, q_hi = qualify(None), qualify("lo"), qualify("hi")
        status = _status_pl(q, q_lo, q_hi)
        out = [status.alias(f"{p}.status")]
        if r.score is not None:
            lo, hi, _, _ = r.score.pl(cx)
            out += [
                pl.when(lo == hi).then(lo).alias(f"{p}.score"),
                lo.alias(f"{p}.score_min"),
                hi.alias(f"{p}.score_max"),
            ]
            for ind in r.score.indicators:
                ilo, ihi, _, _ = ind.pl(cx)
                out.append(pl.when(ilo == ihi).then(ilo).alias(f"{p}.pts.{ind.id}"))
        else:
            out += [pl.lit(None, pl.Float64).alias(f"{p}.{c}") for c in ("score", "score_min", "score_max")]
        route: Any = None
        routes = ([("score", r.score_pass)] if r.score_pass is not None else []) + [
            (f"direct:{d.id}", d) for d in r.direct
        ]
        qualified = pl.coalesce(q, q_lo, pl.lit(False))  # status == "qualified", without the status text
        for name, cond in routes:
            c = qualified & cond.pl(cx).fill_null(False)
            route = pl.when(c).then(pl.lit(name)) if route is None else route.when(c).then(pl.lit(name))
        out.append((route if route is not None else pl.lit(None, pl.String)).alias(f"{p}.route"))
        out.append(pl.lit(r.id).alias(f"{p}.regime"))
        fb = r.fallbacks()
        missing = [
            (f, (pl.coalesce(pl.col(f), pl.col(fb[f])) if f in fb else pl.col(f)).is_null())
            for f in r.data_fields()
        ]
        out.append(_list_pl(missing).alias(f"{p}.missing"))
        manual = list(r.qualify.manual_pl(cx))
        if r.score is not None:
            for ind in r.score.indicators:
                manual += ind.manual_pl(cx)
        out.append(_list_pl(manual).alias(f"{p}.manual"))
        for e in r.extras:
            out.append(e.pl(cx).alias(f"{p}.{e.id}"))
        out.append(pl.lit(self.provisional(params, on, options)).alias(f"{p}.provisional"))
        return out

    def used_params(self, params: Params, on: dt.date, options: dict[str, Any]) -> frozenset[str]:
        """The parameters the regime in force reads (compiled once per parameter set)."""
        key = (id(params), on, repr(sorted((options.get("regimes") or {}).items())), options.get("mode"))
        cache = self.__dict__.setdefault("_used_cache", {})
        if key not in cache:
            r = self.regime_at(on, (options.get("regimes") or {}).get(self.id))
            cx = Ctx(params, on, options, mat=Materializer())
            for mode in (None, "lo", "hi"):
                cx.mode = mode
                r.qualify.pl(cx)
            if r.score is not None:
                r.score.pl(cx)
            for e in r.extras:
                e.pl(cx)
            if len(cache) > 64:
                cache.clear()
            cache[key] = (params, frozenset(cx.used_params))
        return cache[key][1]

    def provisional(self, params: Params, on: dt.date, options: dict[str, Any]) -> bool:
        """True when the rule set in force uses a MEMORY / OPEN parameter (POLICIES.md §1.1)."""
        return any(params[pid].provisional for pid in self.used_params(params, on, options) if pid in params)

    # ---- one record -----------------------------------------------------------------------
    def explain(self, rec: dict[str, Any], params: Params, on: dt.date, options: dict[str, Any]) -> dict[str, Any]:
        r = self.regime_at(on, (options.get("regimes") or {}).get(self.id))
        cx = Ctx(params, on, options, trace=[])
        q = r.qualify.ev(rec, cx)
        score_iv = r.score.ev(rec, cx) if r.score is not None else None
        results = {e["id"]: e["result"] for e in cx.trace or [] if e["kind"] == "condition"}
        gate_results = [results.get(g.id) if g.id else None for g in r.gates]
        silent = Ctx(params, on, options, cache=cx.cache, manual=cx.manual, used_params=cx.used_params)
        silent.mode = "lo"
        q_lo = r.qualify.ev(rec, silent)
        silent.mode = "hi"
        q_hi = r.qualify.ev(rec, silent)
        silent.mode = None
        status = status_of(q, q_lo, q_hi)
        route = None
        if status == "qualified":
            if r.score_pass is not None and r.score_pass.ev(rec, silent) is True:
                route = "score"
            else:
                for d in r.direct:
                    if d.ev(rec, silent) is True:
                        route = f"direct:{d.id}"
                        break
        failed = [g.id or g.describe(cx) for g, v in zip(r.gates, gate_results, strict=True) if v is False]
        if r.score_pass is not None and status == "not_qualified" and all(v is not False for v in gate_results):
            failed.append(r.score_pass.id or "score")
        score = score_min = score_max = None
        parts: dict[str, Any] = {}
        if score_iv is not None:
            score_min, score_max = fmt(score_iv[0]), fmt(score_iv[1])
            score = score_min if score_iv[0] == score_iv[1] else None
            for ind in r.score.indicators:  # type: ignore[union-attr]
                lo, hi, _, _ = ind.ev(rec, cx)
                parts[ind.id] = fmt(lo) if lo == hi else [fmt(lo), fmt(hi)]
        fb = r.fallbacks()
        missing = [f for f in r.data_fields() if rec.get(f) is None and (f not in fb or rec.get(fb[f]) is None)]
        notes = list(r.notes)
        for fl in r.flags:
            try:
                if fl.ev(rec, silent) is True:
                    notes.append(fl.label_text(silent))
            except ParameterError:  # the flag's parameters are not in force on this date
                continue
        extras = {e.id: e.ev(rec, cx) for e in r.extras}
        provisional = self.provisional(params, on, options)
        return {
            "policy": self.id,
            "name": r.name,
            "on": on.isoformat(),
            "regime": r.id,
            "document": r.doc,
            "status": status,
            "status_zh": STATUS_ZH[status],
            "route": route,
            "score": score,
            "score_min": score_min,
            "score_max": score_max,
            "parts": parts,
            "amount": None,
            "tax": None,
            "failed": failed,
            "missing": missing,
            "manual": sorted(cx.manual),
            "provisional": provisional,
            "notes": notes,
            **extras,
            "params": [params[pid].as_dict() for pid in sorted(cx.used_params) if pid in params],
            "trace": cx.trace,
        }


class PolicyOK(Cond):
    """Another policy's qualifying expression (e.g. the 中小企业 gate on ``sme_size``)."""

    REVIEW = True

    def __init__(self, policy: Policy):
        self.policy = policy
        self.pid = policy.id

    def _regime(self, cx: Ctx) -> Regime:
        return self.policy.regime_at(cx.on, (cx.options.get("regimes") or {}).get(self.pid))

    def children(self) -> list[Any]:
        return []

    def fields(self) -> set[str]:
        return set(self.policy.regimes[0].fields())

    def data_fields(self) -> set[str]:
        return set(self.policy.regimes[0].data_fields())

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        return self._regime(cx).qualify.manual_pl(cx)

    def _ev(self, rec, cx):
        sub = Ctx(cx.params, cx.on, cx.options, mode=cx.mode, manual=cx.manual, used_params=cx.used_params)
        return self._regime(cx).qualify.ev(rec, sub)

    def _pl(self, cx: Ctx) -> pl.Expr:
        if cx.mat is None:
            return self._regime(cx).qualify.pl(cx)
        return cx.mat.get(("policy", self.pid, cx.mode), lambda: self._regime(cx).qualify.pl(cx))

    def describe(self, cx: Ctx | None = None) -> str:
        return f"{self.policy.name} 达标"

    def gap(self, s, rec, cx):
        """The other policy's own conditions, solved in place."""
        try:
            sub = self._regime(cx)
        except PolicyError as exc:
            s.note(str(exc))
            return []
        before = len(s.reasons)
        out = s.solve(sub.qualify, rec, cx)
        if not out and len(s.reasons) == before:
            s.note(f"不满足前提：{self.describe(cx)}")
        return out
