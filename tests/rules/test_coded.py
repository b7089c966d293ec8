"""Look-up tables in batch plans: the status from its three Kleene values, the intervals of
"first entry that holds" indicators (tiers, pinned bands) from their conditions' states, and
functions of a low-cardinality text column computed once per distinct value. Each is checked
against the form it replaces and against the exact interpreter, over every combination of states."""

from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from zjtx import demo
from zjtx.api import resolve_params
from zjtx.policies.high_tech import PINNED
from zjtx.policies.tech_sme import ip as TECH_SME_IP
from zjtx.rules.nodes import Ctx, Materializer, by_distinct, text_pl
from zjtx.rules.nodes import indicators as ind_mod
from zjtx.rules.policy import _status_pl, status_of

ON = dt.date(2025, 6, 30)


def test_status_table_equals_status_of_for_all_27_combinations() -> None:
    vals = [True, False, None]
    rows = list(itertools.product(vals, repeat=3))
    frame = pl.DataFrame(rows, schema={"q": pl.Boolean, "lo": pl.Boolean, "hi": pl.Boolean}, orient="row")
    got = frame.select(_status_pl(pl.col("q"), pl.col("lo"), pl.col("hi")).alias("s"))["s"].to_list()
    assert got == [status_of(*r) for r in rows]
    assert set(got) == {"qualified", "not_qualified", "manual_review", "unknown"}
    # literal inputs (a regime without conditions) still give one status per row
    lit = pl.DataFrame({"x": [1, 2]}).with_columns(_status_pl(pl.lit(True), pl.lit(True), pl.lit(True)).alias("s"))
    assert lit["s"].to_list() == ["qualified", "qualified"]


def test_tiered_table_equals_chain_and_interpreter() -> None:
    params = resolve_params(ON)
    cx = Ctx(params, ON, {})
    values = [None, 0, 1, 2, 3, 4, 5]
    frame = pl.DataFrame(list(itertools.product(values, values)), schema={"ip1": pl.Int64, "ip2": pl.Int64},
                         orient="row")
    coded = frame.select([e.alias(f"b{k}") for k, e in enumerate(TECH_SME_IP.pl(cx))])
    chain = frame.select([e.alias(f"b{k}") for k, e in enumerate(TECH_SME_IP._pl_chain(TECH_SME_IP.entries(cx)))])
    assert coded.equals(chain)
    for rec, row in zip(frame.iter_rows(named=True), coded.iter_rows(), strict=True):
        assert tuple(float(x) for x in TECH_SME_IP.interval(rec, cx)) == row


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    """Demo records with every pinned indicator's inputs nulled in turn (unknown conditions) and the
    pins left empty (the bands decide)."""
    recs = demo.generate(scale=300).records(ON)
    pins = [i.pin for i in PINNED]
    recs = recs.with_columns([pl.lit(None, pl.Float64).alias(p) for p in pins])
    fields = sorted({f for i in PINNED for f in i.fields()} - set(pins))
    blanked = [recs.with_columns(pl.lit(None).cast(recs.schema[f]).alias(f)) for f in fields if f in recs.columns]
    return pl.concat([recs, *blanked])


def test_pinned_bands_tables_equal_the_when_then_form(records: pl.DataFrame, monkeypatch) -> None:
    params = resolve_params(ON)
    for ind in PINNED:
        for mode in (None, "lo", "hi"):
            cx = Ctx(params, ON, {}, mode=mode, mat=Materializer())
            exprs = [e.alias(f"b{k}") for k, e in enumerate(ind.pl(cx))]
            exprs += [e.alias(f"m{k}") for k, (_, e) in enumerate(ind.manual_pl(cx))]
            coded = cx.mat.apply(records.lazy()).select(exprs).collect()
            with monkeypatch.context() as m:
                m.setattr(ind_mod, "MAX_CODED", -1)  # force the min/max over when/then per entry
                cx2 = Ctx(params, ON, {}, mode=mode, mat=Materializer())
                exprs2 = [e.alias(f"b{k}") for k, e in enumerate(ind.pl(cx2))]
                exprs2 += [e.alias(f"m{k}") for k, (_, e) in enumerate(ind.manual_pl(cx2))]
                chain = cx2.mat.apply(records.lazy()).select(exprs2).collect()
            assert coded.equals(chain), (ind.id, mode)
        # and the interpreter: the same interval on every record
        cx = Ctx(params, ON, {}, mat=Materializer())
        bounds = [e.alias(f"b{k}") for k, e in enumerate(ind.pl(cx))]
        got = cx.mat.apply(records.lazy()).select(bounds).collect()
        for rec, row in zip(records.iter_rows(named=True), got.iter_rows(), strict=True):
            want = tuple(float(x) for x in ind.interval(rec, Ctx(params, ON, {})))
            assert want == row, (ind.id, rec["uscc"])


def test_by_distinct_equals_the_direct_expression() -> None:
    frame = pl.DataFrame({"industry": [" c3981 ", "C3981", "", None, "k7010", "  ", "G5433", "c3981"]})

    def clean(k: pl.Expr) -> pl.Expr:
        c = k.str.strip_chars().str.to_uppercase()
        return pl.when(c == "").then(None).otherwise(c.str.slice(0, 3))

    direct = frame.select(clean(pl.col("industry")).alias("v"))
    once = frame.select(by_distinct(pl.col("industry"), clean, pl.String).alias("v"))
    assert once.equals(direct)
    assert once["v"].to_list() == ["C39", "C39", None, None, "K70", None, "G54", "C39"]
    # the shared, cleaned column of the plans: trimmed, upper case, empty text as null
    cleaned = frame.select(text_pl("industry", None).alias("v"))["v"].to_list()
    assert cleaned == ["C3981", "C3981", None, None, "K7010", None, "G5433", "C3981"]
    empty = frame.head(0).select(by_distinct(pl.col("industry"), clean, pl.String).alias("v"))
    assert empty.height == 0 and empty.schema["v"] == pl.String
