"""Differential test: the Spark runner (local[2], ``mapInArrow`` → the compiled Polars plan) gives
exactly the Polars results — every output column, list columns included — on a generated register
with extra nulls, and the same column types."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

pytest.importorskip("pyspark")

import zjtx
from zjtx import demo

pytestmark = pytest.mark.spark

ON = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    """The demo city's records, with 5% of every input cell blanked (seeded), so unknowns abound
    (generated once for the module: every test reads it, none changes it)."""
    recs = demo.generate(scale=1000).records(ON)
    rng = np.random.default_rng(8)
    cols = []
    for name in recs.columns:
        s = recs[name]
        if name not in ("uscc", "name"):
            holes = np.flatnonzero(rng.random(recs.height) < 0.05)
            s = s.scatter(holes, None)
        cols.append(s)
    return pl.DataFrame(cols)


@pytest.fixture(scope="module")
def spark():
    from zjtx.services.spark import session

    s = session("local[2]", app="zjtx-test", conf={"spark.default.parallelism": "2"})
    yield s
    s.stop()


def test_spark_equals_polars(spark, register) -> None:
    from zjtx.services.spark import evaluate_spark

    recs = register
    expected = zjtx.evaluate(recs, on=ON, keep=("uscc",)).sort("uscc")
    sdf = spark.createDataFrame(recs.to_arrow())  # spark.default.parallelism = 2 partitions
    assert sdf.rdd.getNumPartitions() >= 2
    got_sdf = evaluate_spark(sdf, on=ON)
    got = pl.from_arrow(got_sdf.toArrow()).sort("uscc")

    assert got.columns == expected.columns
    assert got.schema == expected.schema
    assert got.height == expected.height == recs.height
    for col in expected.columns:
        assert got[col].equals(expected[col]), f"{col} differs between Spark and Polars"
    assert expected["tech_sme.status"].n_unique() >= 3  # the register exercises the three values
    assert expected["tech_sme.missing"].list.len().max() > 0


def test_spark_reform_overlay_is_shipped(spark, register) -> None:
    from zjtx.services.spark import evaluate_spark

    recs = register.head(300)
    overlay = {"tech_sme.pass_score": 70}
    expected = zjtx.evaluate(recs, on=ON, policies=["tech_sme"], params=overlay).sort("uscc")
    got = pl.from_arrow(
        evaluate_spark(spark.createDataFrame(recs.to_arrow()), on=ON, policies=["tech_sme"], params=overlay).toArrow()
    ).sort("uscc")
    assert got.equals(expected)
    baseline = zjtx.evaluate(recs, on=ON, policies=["tech_sme"]).sort("uscc")
    assert not baseline["tech_sme.status"].equals(expected["tech_sme.status"])


def test_evaluate_file_writes_parquet(spark, register, tmp_path) -> None:
    from zjtx.services.spark import evaluate_file

    recs = register.head(200)
    src = tmp_path / "reg.parquet"
    recs.write_parquet(src)
    out = tmp_path / "out.parquet"
    n = evaluate_file(src, on=ON, policies=["tech_sme"], out=out)
    assert n == 200
    got = pl.read_parquet(str(out / "*.parquet")).sort("uscc")
    expected = zjtx.evaluate(recs, on=ON, policies=["tech_sme"], keep=("uscc", "name")).sort("uscc")
    assert got.equals(expected)
