"""Incremental re-evaluation (``zjtx.services.incremental``): only edited records and policies whose
rules changed are re-evaluated, and the result is always that of a full evaluation."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

import zjtx
from zjtx import demo
from zjtx.policies import catalog
from zjtx.services.incremental import evaluate_incremental

ON = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    return demo.generate(scale=600).records(ON)


def test_edits_reevaluate_only_the_edited_records(register) -> None:
    ids = catalog().ids
    first = evaluate_incremental(register, ON, ids)
    assert first.recomputed_records == register.height
    assert first.result().equals(zjtx.evaluate(register, on=ON, policies=ids, validate=False))
    edited = register.with_columns(
        pl.when(pl.int_range(pl.len()) % 50 == 0).then(pl.col("revenue_y1") * 3).otherwise(pl.col("revenue_y1"))
        .alias("revenue_y1"))
    n_edited = int((edited["revenue_y1"] != register["revenue_y1"]).fill_null(False).sum())
    assert n_edited > 5
    again = evaluate_incremental(edited, ON, ids, previous=first)
    assert again.recomputed_records == n_edited
    assert again.recomputed_policies == []
    assert again.result().equals(zjtx.evaluate(edited, on=ON, policies=ids, validate=False))
    # nothing changed: nothing re-evaluated
    same = evaluate_incremental(edited, ON, ids, previous=again)
    assert same.recomputed_records == 0 and same.result().equals(again.result())


def test_a_reform_reevaluates_only_the_policies_it_touches(register) -> None:
    ids = ["sme_size", "tech_sme", "innovative_sme", "cit_small_low_profit"]
    first = evaluate_incremental(register, ON, ids)
    overlay = {"tech_sme.pass_score": 70}
    again = evaluate_incremental(register, ON, ids, params=overlay, previous=first)
    assert "tech_sme" in again.recomputed_policies
    assert "sme_size" not in again.recomputed_policies and "cit_small_low_profit" not in again.recomputed_policies
    expected = zjtx.evaluate(register, on=ON, policies=ids, params=overlay, validate=False)
    assert again.result().equals(expected)
    assert not expected["tech_sme.status"].equals(first.frame["tech_sme.status"])


def test_new_and_removed_records_and_duplicate_keys(register) -> None:
    ids = ["tech_sme"]
    first = evaluate_incremental(register.head(400), ON, ids)
    later = register.tail(300)  # 100 kept, 200 new, 300 removed
    again = evaluate_incremental(later, ON, ids, previous=first)
    assert again.recomputed_records == 200
    assert again.result().equals(zjtx.evaluate(later, on=ON, policies=ids, validate=False))
    with pytest.raises(ValueError, match="唯一"):
        evaluate_incremental(pl.concat([register.head(2), register.head(1)]), ON, ids)


def test_edits_that_change_lists_text_and_numbers_update_in_place(register) -> None:
    """Edits that blank a field (the ``.missing`` lists change), and others that move the score: the
    previous result updated at the edited rows equals a full evaluation, every column type included."""
    ids = catalog().ids
    first = evaluate_incremental(register, ON, ids)
    i = pl.int_range(pl.len())
    edited = register.with_columns(
        pl.when(i % 37 == 0).then(None).when(i % 41 == 0).then(pl.col("revenue_y1") * 5)
        .otherwise(pl.col("revenue_y1")).alias("revenue_y1"),
        pl.when(i % 43 == 0).then(pl.col("rd_expense_y1") * 0).otherwise(pl.col("rd_expense_y1")).alias("rd_expense_y1"))
    again = evaluate_incremental(edited, ON, ids, previous=first)
    expected = zjtx.evaluate(edited, on=ON, policies=ids, validate=False)
    assert again.result().equals(expected)
    changed = [c for c in expected.columns if not expected[c].equals(first.result()[c])]
    kinds = {type(expected.schema[c]) for c in changed}
    assert {pl.List, pl.String, pl.Float64} <= kinds, kinds  # the update went through every kind of column
    assert again.frame["input_hash"].equals(evaluate_incremental(edited, ON, ids).frame["input_hash"])
    # updated in place means a copy of the previous columns, never a write into them
    assert first.result().equals(zjtx.evaluate(register, on=ON, policies=ids, validate=False))


def test_edited_keys_hash_only_those_records(register) -> None:
    """With ``edited`` (the keys the caller touched) only those records are hashed: listed but
    unchanged ones are still reused, and the result equals a full evaluation."""
    ids = catalog().ids
    first = evaluate_incremental(register, ON, ids)
    touched = pl.int_range(pl.len()) % 29 == 0
    edited = register.with_columns(pl.when(touched).then(pl.col("employees_y1").fill_null(0) + 7)
                                   .otherwise(pl.col("employees_y1")).alias("employees_y1"))
    keys = register.filter(touched)["uscc"].to_list()
    listed = keys + register["uscc"][1:40:3].to_list()  # a few more listed than edited
    again = evaluate_incremental(edited, ON, ids, previous=first, edited=listed)
    assert again.recomputed_records == len(keys)
    assert again.result().equals(zjtx.evaluate(edited, on=ON, policies=ids, validate=False))
    assert again.frame["input_hash"].equals(evaluate_incremental(edited, ON, ids).frame["input_hash"])
    none = evaluate_incremental(edited, ON, ids, previous=again, edited=[])
    assert none.recomputed_records == 0 and none.result().equals(again.result())
