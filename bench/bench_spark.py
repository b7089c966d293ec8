"""Spark overhead: the Spark runner (two executor JVMs, ``local-cluster[2,1,1024]``) vs Polars streaming.

    .venv/bin/python bench/bench_spark.py --n 1000000 --policies tech_sme [--master local[2]]

Both read the same Parquet register and write a Parquet result with the same columns. Spark:
``zjtx.services.spark.evaluate_file`` (mapInArrow → the same compiled Polars plan; session start-up
timed separately). Polars: ``zjtx.services.stream.stream_evaluate``. The answers are checked equal.
"""

from __future__ import annotations

import argparse
import os
import shutil
import time

import polars as pl
from common import DATA, ON, data_file, line


def run(n: int, which: str, worker_threads: int | None = None, master: str = "local[2]", detail: str = "full") -> None:
    from zjtx.policies import catalog
    from zjtx.services import spark as runner
    from zjtx.services.stream import stream_evaluate

    pols = {"tiers": catalog().default_policies(), "all": catalog().ids}.get(which) or which.split(",")
    path = str(data_file(n))
    out_pl = DATA / f"spark_bench_polars_{n}.parquet"
    out_sp = DATA / f"spark_bench_spark_{n}.parquet"
    shutil.rmtree(out_sp, ignore_errors=True)

    t = time.perf_counter()
    stream_evaluate(path, out_pl, ON, pols, validate=False, progress=None, detail=detail)
    t_pl = time.perf_counter() - t
    if worker_threads:  # Python workers start after this; the driver's Polars pool is already up
        os.environ["POLARS_MAX_THREADS"] = str(worker_threads)
    t = time.perf_counter()
    spark = runner.session(master)
    t_start = time.perf_counter() - t
    cores = int(spark.sparkContext.defaultParallelism)
    t = time.perf_counter()
    count = runner.evaluate_file(path, ON, pols, out_sp, validate=False, detail=detail, spark=spark)
    t_sp = time.perf_counter() - t
    spark.stop()

    a = pl.read_parquet(out_pl).sort("uscc")
    b = pl.read_parquet(str(out_sp / "*.parquet")).select(a.columns).sort("uscc")
    same = a.equals(b)
    line("spark", n=n, what="polars_streaming", policies=which, secs=t_pl, rate=n / t_pl)
    line("spark", n=n, what="spark", master=master, policies=which, detail=detail, secs=t_sp, startup_secs=t_start,
         rate=n / t_sp, cores=cores, rate_per_core=n / t_sp / cores, records=count,
         worker_polars_threads=worker_threads or "default")
    # the projection of docs/benchmarks.md: a national register on a cluster, from this rate per core
    for total, c in ((50_000_000, 64), (50_000_000, 256)):
        line("spark", what="projection", records=total, cores=c, minutes=total / (n / t_sp / cores * c) / 60,
             assumption="rate per core as measured here; linear in cores; I/O not the bound")
    line("spark", n=n, ratio="spark/polars", value=t_sp / t_pl, ratio_with_startup=(t_sp + t_start) / t_pl,
         same_answers=same)
    out_pl.unlink(missing_ok=True)
    shutil.rmtree(out_sp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--policies", default="tech_sme")
    ap.add_argument("--worker-threads", type=int, default=None, help="POLARS_MAX_THREADS in the Python workers")
    ap.add_argument("--master", default="local-cluster[2,1,1024]", help="local[2] | local-cluster[2,1,1024] | …")
    ap.add_argument("--detail", default="full", choices=["full", "status"])
    a = ap.parse_args()
    for n in a.n:
        run(n, a.policies, a.worker_threads, a.master, a.detail)


if __name__ == "__main__":
    main()
