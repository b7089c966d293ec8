"""The Spark runner on a local multi-executor cluster (``local-cluster[2,1,1024]``: a master, two
workers, two executor JVMs besides the driver), zjtx shipped to the executors as an archive, reading
a partitioned Parquet register and writing partitioned results — and the three executors agree:
streaming (chunked Parquet → Parquet), in memory (``zjtx.evaluate``) and Spark give identical
answers for every policy of the catalog, tiers and calculators, list columns included."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

pytest.importorskip("pyspark")

import zjtx
from zjtx import demo
from zjtx.policies import catalog

pytestmark = pytest.mark.spark

ON = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def register() -> pl.DataFrame:
    recs = demo.generate(scale=300).records(ON)
    rng = np.random.default_rng(19)
    cols = []
    for name in recs.columns:
        s = recs[name]
        if name not in ("uscc", "name", "division"):
            s = s.scatter(np.flatnonzero(rng.random(recs.height) < 0.05), None)
        cols.append(s)
    # tax periods across several parameter segments (and malformed ones), so that each partition and
    # each streamed chunk compiles its own set of segments of vat_small_scale
    periods = ["2019-01", "2020-Q2", "2021-06", "2022-05", "2023-Q1", "2024-03", "2024-Q4", "2024-13", None]
    n = recs.height
    sales5 = rng.integers(0, 200_000, n).astype(float)
    extra = pl.DataFrame({
        "vat_period": [periods[i] for i in rng.integers(0, len(periods), n)],
        "sales_3pct": pl.Series(rng.integers(0, 900_000, n).astype(float)).scatter(
            np.flatnonzero(rng.random(n) < 0.05), None),
        "sales_5pct": sales5,
        "sales_real_estate": sales5 * rng.integers(0, 2, n),
    })
    base = pl.DataFrame(cols)
    return pl.concat([base.drop([c for c in extra.columns if c in base.columns]), extra], how="horizontal")


@pytest.fixture(scope="module")
def cluster():
    from pyspark.sql import SparkSession

    from zjtx.services.spark import session

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()
    s = session("local-cluster[2,1,1024]", app="zjtx-cluster-test")
    yield s
    s.stop()


def test_executors_are_separate_and_run_the_shipped_package(cluster) -> None:
    sc = cluster.sparkContext
    assert sc.master.startswith("local-cluster")

    def where(_):
        import os

        import zjtx as z

        yield os.getpid(), z.__file__

    seen = sc.parallelize(range(8), 8).mapPartitions(where).collect()  # runs once executors registered
    assert all("zjtx_pkg" in f for _, f in seen), seen  # the archive, not the driver's installation
    assert len(sc.statusTracker().getExecutorInfos()) == 3  # the driver and two executor JVMs


def test_streaming_in_memory_and_spark_agree(cluster, register, tmp_path) -> None:
    from zjtx.services.spark import evaluate_file
    from zjtx.services.stream import stream_evaluate

    ids = catalog().ids
    src = tmp_path / "register"
    register.write_parquet(src, partition_by="division")  # division=…/….parquet
    flat = tmp_path / "register.parquet"
    register.write_parquet(flat, row_group_size=64)

    memory = zjtx.evaluate(register, on=ON, policies=ids, keep=("uscc",)).sort("uscc")
    stream_out = tmp_path / "streamed.parquet"
    stream_evaluate(flat, stream_out, ON, ids, keep=("uscc",), chunk_rows=100, progress=None)
    streamed = pl.read_parquet(stream_out).sort("uscc")

    out = tmp_path / "results"
    n = evaluate_file(src, ON, ids, out=out, keep=("uscc",), partition_by=["division"], spark=cluster)
    assert n == register.height
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(
        f"division={d}" for d in register["division"].unique().to_list())
    sparked = pl.read_parquet(out / "**/*.parquet", hive_partitioning=True).select(memory.columns).sort("uscc")

    assert streamed.equals(memory)
    assert sparked.schema == memory.schema
    for col in memory.columns:
        assert sparked[col].equals(memory[col]), f"{col} differs between Spark and Polars"
    assert memory["tech_sme.status"].n_unique() >= 3
    assert set(memory["vat_small_scale.status"]) >= {"qualified", "not_qualified", "unknown"}
    assert memory["vat_small_scale.regime"].n_unique() >= 4  # several parameter segments
