"""The Materializer's reference counts: sub-results read once are inlined, read twice are one column,
unread ones are not built; plans compiled that way give the same answers at both detail levels."""

from __future__ import annotations

import polars as pl

import zjtx
from zjtx.policies import catalog
from zjtx.rules import engine
from zjtx.rules.nodes import Materializer

FRAME = pl.DataFrame({"x": [1.0, 2.0, None, 4.0]})


def _build(mat: Materializer) -> list[pl.Expr]:
    a = mat.get("a", lambda: pl.col("x") + 1)
    b = mat.get("b", lambda: pl.col("x") * 2)
    mat.get("unread", lambda: pl.col("x") - 7)
    def pair() -> list[pl.Expr]:
        e = b * 5
        return [a * 3, e, e]  # the same expression twice (as an interval's lh = hi)

    lo, hi, lh = mat.get_many("pair", pair)
    return [(a * a).alias("o1"), (lo + 1).alias("o2"), (hi + lh).alias("o3")]


def _run(mat: Materializer, exprs: list[pl.Expr]) -> pl.DataFrame:
    return mat.apply(FRAME.lazy()).select(exprs).collect()


def test_reference_counts_decide_what_is_materialized() -> None:
    first = Materializer()
    exprs = _build(first)
    uses = first.reference_counts(exprs)
    # a: read by o1 twice and by the pair once; b: once (the pair's two equal bounds are one column)
    assert uses["a"] == [3]
    assert uses["b"] == [1]
    assert uses["unread"] == [0]
    assert uses["pair"][0] == 1 and uses["pair"][1] == 2
    second = Materializer(uses)
    exprs2 = _build(second)
    built = {second.key_of[n][0] for n in second.exprs}
    assert built == {"a", "pair"}  # b and the unread one are inlined / not built
    assert [second.key_of[n] for n in second.exprs if second.key_of[n][0] == "pair"] == [("pair", 1)]
    expected = pl.DataFrame({
        "o1": [4.0, 9.0, None, 25.0],
        "o2": [7.0, 10.0, None, 16.0],
        "o3": [20.0, 40.0, None, 80.0],
    })
    assert _run(first, exprs).equals(expected)
    assert _run(second, exprs2).equals(expected)


RECORDS = [
    {"uscc": "91330000000000001X", "industry": "C3919", "employees_y1": 120, "tech_staff_y1": 30,
     "revenue_y1": 50_000_000, "sales_revenue_y1": 48_000_000, "rd_expense_tax_y1": 3_000_000,
     "total_cost_y1": 40_000_000, "ip1": 1, "ip2": 3, "total_assets_y1": 60_000_000},
    {"uscc": "91330000000000002X", "industry": " c3857 ", "employees_y1": 8, "revenue_y1": 0},
    {"uscc": "91330000000000003X", "industry": None, "employees_y1": None},
    {"uscc": "91330000000000004X", "industry": "K7010", "employees_y1": 400, "revenue_y1": 900_000_000,
     "total_assets_y1": 500_000_000, "ip1": 0, "ip2": 6},
]


def test_status_detail_compiles_fewer_temporaries_and_same_answers() -> None:
    on = "2025-06-30"
    ids = catalog().ids
    engine._COMPILED.clear()
    full = zjtx.evaluate(RECORDS, on, ids, detail="full")
    n_full = sum(len(s) for hits in engine._COMPILED.values() for _, h in hits for s in h[0])
    engine._COMPILED.clear()
    status = zjtx.evaluate(RECORDS, on, ids, detail="status")
    n_status = sum(len(s) for hits in engine._COMPILED.values() for _, h in hits for s in h[0])
    assert 0 < n_status < n_full
    assert status.equals(full.select(status.columns))
