"""The demo city's VAT returns (``zjtx.demo.vat``): present where the law gives them, plausible
magnitudes, consistent figures, and credits the engine grants to the right enterprises."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest

import zjtx
from zjtx.demo.vat import FIRST_YEAR, VAT_FIELDS
from zjtx.rules.inputs import InputError

PID = "vat_plus_deduction"
MONEY = ("input_vat_deductible", "input_vat_excluded", "input_vat_transferred_out", "plus_balance_start",
         "vat_payable_before_plus")


@pytest.fixture(scope="module")
def city(demo_city):
    return demo_city(seed=11, scale=1000, today=date(2026, 12, 2))


def test_fields_years_and_small_scale_taxpayers(city) -> None:
    a = city.annual
    assert set(VAT_FIELDS) <= set(a.columns)
    assert all(a.schema[f] == pl.Boolean for f in ("small_scale_vat", "advanced_manufacturing_listed",
                                                   "ic_or_machine_tool"))
    assert a.filter(pl.col("year") < FIRST_YEAR).select(pl.col(list(VAT_FIELDS)).null_count()).row(0) == \
        (a.filter(pl.col("year") < FIRST_YEAR).height,) * len(VAT_FIELDS)
    cur = a.filter((pl.col("year") >= FIRST_YEAR) & pl.col("revenue").is_not_null())
    small = cur.filter(pl.col("small_scale_vat"))
    general = cur.filter(~pl.col("small_scale_vat"))
    assert small.height > 0 and general.height > small.height
    # a small-scale taxpayer has no input VAT, payable or balance on a general return
    assert small.select(pl.col(list(MONEY)).null_count()).row(0) == (small.height,) * len(MONEY)
    assert general.select(pl.col(list(MONEY)).null_count()).row(0) == (0,) * len(MONEY)
    # sales above the 500万元 threshold are always a general taxpayer's
    assert small["vat_sales_total"].max() <= 5_000_000


def test_magnitudes_and_consistency(city) -> None:
    g = city.annual.filter((pl.col("year") >= FIRST_YEAR) & pl.col("small_scale_vat").not_())
    ratio = (g["input_vat_deductible"] / g["revenue"]).median()
    assert 0.03 < ratio < 0.12
    assert 0.01 < (g["vat_payable_before_plus"] / g["revenue"]).median() < 0.08
    assert (g["input_vat_excluded"] <= g["input_vat_deductible"]).all()
    assert (g["input_vat_transferred_out"] <= 0.03 * g["input_vat_deductible"] + 100).all()
    a = city.annual.filter(pl.col("vat_sales_total").is_not_null())
    assert (a["vat_sales_four_services"] <= a["vat_sales_total"]).all()
    assert (a["vat_sales_life_service"] <= a["vat_sales_four_services"]).all()
    assert ((a["vat_sales_total"] - a["revenue"]).abs() <= 0.1 * a["revenue"]).all()
    share = a.join(city.enterprises.select("uscc", "industry"), on="uscc").with_columns(
        (pl.col("vat_sales_four_services") / pl.col("vat_sales_total")).alias("s"),
        pl.col("industry").str.slice(0, 1).alias("section"))
    by = dict(share.group_by("section").agg(pl.col("s").median()).iter_rows())
    assert by["I"] > 0.6 and by["M"] > 0.6 and by["C"] < 0.12 and by["F"] < 0.06


def test_lists_only_for_high_tech_manufacturers_from_2023(city) -> None:
    a = city.annual.join(city.enterprises.select("uscc", "industry"), on="uscc")
    listed = a.filter(pl.col("advanced_manufacturing_listed").is_not_null())
    assert listed.height > 0 and listed["year"].min() >= 2023
    assert listed["industry"].str.starts_with("C").all() and not listed["small_scale_vat"].any()
    assert listed["advanced_manufacturing_listed"].mean() > 0.6
    ic = a.filter(pl.col("ic_or_machine_tool").is_not_null())
    assert ic["year"].min() >= 2023 if ic.height else True


@pytest.mark.parametrize("on,sections", [("2020-06-30", {"I", "M"}), ("2024-06-30", {"C", "I", "M"}),
                                         ("2026-06-30", {"C"})])
def test_the_engine_credits_the_right_enterprises(city, on, sections) -> None:
    rec = city.records(date.fromisoformat(on))
    out = zjtx.evaluate(rec, on=on, policies=[PID]).join(rec.select("uscc", "industry", "small_scale_vat"), on="uscc")
    ok = out.filter(pl.col(f"{PID}.status").is_in(["qualified", "manual_review"]))
    assert ok.height > 0 and set(ok["industry"].str.slice(0, 1).unique()) == sections
    assert (ok[f"{PID}.relief"].cast(pl.Float64) >= 0).all() and ok[f"{PID}.relief"].cast(pl.Float64).sum() > 0
    assert not ok["small_scale_vat"].any()
    small = out.filter(pl.col("small_scale_vat"))
    assert small.height > 0 and (small[f"{PID}.status"] == "not_qualified").all()


@pytest.mark.parametrize("on", ["2020-06-30", "2024-06-30", "2026-06-30"])
def test_batch_and_exact_agree_on_every_demo_record(city, on) -> None:
    """Regression: the Polars columns and the exact explanation give every demo record the same answer
    (the demo's registry-shaped records: year-end periods, carried balances, blank list flags, shares of
    the year before, small-scale taxpayers, enterprises without a return)."""
    rec = city.records(date.fromisoformat(on))
    out = zjtx.evaluate(rec, on=on, policies=[PID])
    seen = {"period": 0, "none": 0, "qualified": 0, "manual_review": 0, "not_qualified": 0}
    for r, row in zip(rec.to_dicts(), out.iter_rows(named=True), strict=True):
        col = {k: row[f"{PID}.{k}"] for k in ("status", "tax", "baseline", "relief", "regime", "missing", "manual",
                                               "provisional")}
        if r["vat_period"] is None:
            # no return figure for the year: the register says unknown (period missing), explain refuses
            seen["none"] += 1
            assert col["status"] == "unknown" and col["missing"] == ["vat_period"], r["uscc"]
            with pytest.raises(InputError, match="所属期"):
                zjtx.explain(r, PID, on=on)
            continue
        seen["period"] += 1
        one = zjtx.explain(r, PID, on=on)
        seen[one["status"]] = seen.get(one["status"], 0) + 1
        where = f"{on} {r['uscc']}"
        for k in ("status", "tax", "baseline", "relief", "regime", "provisional"):
            assert col[k] == one[k], f"{where}: {k} {col[k]} != {one[k]}"
        assert set(col["missing"]) == set(one["missing"]) and set(col["manual"]) == set(one["manual"]), where
    # the sample reaches the regions that matter (a check that cannot fail is a defect)
    assert seen["period"] > 300 and seen["qualified"] > 0 and seen["not_qualified"] > 0
    assert seen["manual_review"] > 0 if on >= "2024" else True


def test_the_carried_balance_is_the_year_befores_balance_end(city) -> None:
    """附列资料（四）: the 期末余额 of a year is the next year's 期初余额, to the fen."""
    checked = 0
    for y in range(2019, 2025):
        nxt = {r["uscc"]: r["plus_balance_start"] for r in
               city.records(date(y + 2, 6, 30)).select("uscc", "plus_balance_start").to_dicts()}
        on = f"{y + 1}-06-30"
        for r in city.records(date(y + 1, 6, 30)).filter(pl.col("vat_period").is_not_null()).to_dicts():
            start = nxt.get(r["uscc"])
            if not start:
                continue
            one = zjtx.explain(r, PID, on=on)
            assert one["status"] in ("qualified", "manual_review"), (y, r["uscc"])
            assert one["components"]["balance_end"] == Decimal(str(start)).quantize(Decimal("0.01")), (y, r["uscc"])
            checked += 1
    assert checked > 20
