"""Measured what-if patches of the engine (applied in-process by ``--whatif``; engine files untouched).

Each patch is a proposed change to ``zjtx.rules`` (see docs/benchmarks.md, "Profiling"); the
benchmarks can run with them applied to measure the expected gain before the change is made.

* ``bands``: ``Banded._pl`` computes the band value and its points once (materialized columns)
  instead of inlining the ratio in every band branch and the points expression in all four bounds.
* ``qualify``: ``Policy.columns`` materializes the qualifying expression in each review mode (q, q_lo,
  q_hi) as a column before ``_status_pl`` uses each twice and the route chain once more (here: by
  naming ``Regime.qualify`` so ``Cond.pl`` materializes it; the engine change would do it explicitly).
* ``open``: ``scoring._pl_open`` uses ``fill_null`` for the plain bounds (``value.fill_null(lo)``,
  ``value.fill_null(hi)``) and one ``when`` on ``review`` for the review-mode bounds, instead of four
  ``when(value.is_null())`` chains.
* ``lists``: ``policy._list_pl`` builds the ``.missing`` / ``.manual`` lists with ``concat_str`` +
  ``str.split`` instead of ``concat_list`` of 13–30 ``when/then`` string columns + ``list.drop_nulls``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import polars as pl

SEP = "\x1f"


def _list_pl(items: list[tuple[str, pl.Expr]]) -> pl.Expr:
    merged: dict[str, pl.Expr] = {}
    for name, e in items:
        merged[name] = merged[name] | e if name in merged else e
    if not merged:
        return pl.lit([], dtype=pl.List(pl.String))
    joined = pl.concat_str(
        [pl.when(merged[n].fill_null(False)).then(pl.lit(n)) for n in sorted(merged)],
        separator=SEP, ignore_nulls=True,
    )
    return pl.when(joined == "").then(pl.lit([], dtype=pl.List(pl.String))).otherwise(joined.str.split(SEP))


def _banded_pl(self: Any, cx: Any) -> Any:
    from zjtx.rules.nodes import _pl_open, pl_compare

    def points() -> pl.Expr:
        v = self.value.pl(cx)
        if cx.mat is not None:
            v = cx.mat.get(("bandvalue", id(self)), lambda: self.value.pl(cx))
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

    pts = cx.mat.get(("bandpoints", id(self)), points) if cx.mat is not None else points()
    lo, hi = self.range(cx)
    review = self.value.known_pl(cx)
    return _pl_open(review, pts, review, float(lo), float(hi))


def _entry_op(e: dict[str, Any]) -> Any:
    from zjtx.rules.nodes import _entry_op as op

    return op(e)


def _pl_open(known: pl.Expr, value: pl.Expr, review: pl.Expr, lo: float, hi: float) -> Any:
    return (
        value.fill_null(lo),
        value.fill_null(hi),
        value.fill_null(pl.when(review).then(pl.lit(lo)).otherwise(pl.lit(hi))),
        value.fill_null(pl.when(review).then(pl.lit(hi)).otherwise(pl.lit(lo))),
    )


def _qualify(self: Any) -> Any:
    from zjtx.rules.nodes import All, AnyOf

    routes = ([self.score_pass] if self.score_pass is not None else []) + list(self.direct)
    parts = list(self.gates) + ([AnyOf(*routes)] if routes else [])
    return All(*parts).named("__qualify", "qualify")


def apply(names: str | list[str] = ("bands", "lists", "open")) -> list[str]:
    """Apply the named patches (``"all"`` for every one); returns what was applied."""
    import zjtx.rules.nodes.indicators as scoring
    import zjtx.rules.policy as policy

    chosen = ["bands", "lists", "open"] if names == "all" else [names] if isinstance(names, str) else list(names)
    for n in chosen:
        if n == "lists":
            policy._list_pl = _list_pl
        elif n == "bands":
            scoring.Banded._pl = _banded_pl
        elif n == "open":
            scoring._pl_open = _pl_open
        elif n == "qualify":
            policy.Regime.qualify = property(_qualify)
        else:
            raise ValueError(f"unknown what-if patch {n!r}")
    return chosen
