"""Spark overhead: the Spark runner (local[2]) vs Polars streaming on the same N records.

    .venv/bin/python bench/bench_spark.py --n 1000000 --policies tech_sme

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


def run(n: int, which: str, worker_threads: int | None = None) -> None:
    from zjtx.policies import catalog
    from zjtx.services import spark as runner
    from zjtx.services.stream import stream_evaluate

    pols = catalog().default_policies() if which == "tiers" else which.split(",")
    path = str(data_file(n))
    out_pl = DATA / f"spark_bench_polars_{n}.parquet"
    out_sp = DATA / f"spark_bench_spark_{n}.parquet"
    shutil.rmtree(out_sp, ignore_errors=True)

    t = time.perf_counter()
    stream_evaluate(path, out_pl, ON, pols, validate=False, progress=False)
    t_pl = time.perf_counter() - t
    if worker_threads:  # Python workers start after this; the driver's Polars pool is already up
        os.environ["POLARS_MAX_THREADS"] = str(worker_threads)
    t = time.perf_counter()
    spark = runner.session()
    t_start = time.perf_counter() - t
    t = time.perf_counter()
    count = runner.evaluate_file(path, ON, pols, out_sp, validate=False)
    t_sp = time.perf_counter() - t
    spark.stop()

    a = pl.read_parquet(out_pl).sort("uscc")
    b = pl.read_parquet(str(out_sp / "*.parquet")).sort("uscc")
    same = a.equals(b)
    line("spark", n=n, what="polars_streaming", policies=which, secs=t_pl, rate=n / t_pl)
    line("spark", n=n, what="spark_local2", policies=which, secs=t_sp, startup_secs=t_start, rate=n / t_sp,
         records=count, worker_polars_threads=worker_threads or "default")
    line("spark", n=n, ratio="spark/polars", value=t_sp / t_pl, ratio_with_startup=(t_sp + t_start) / t_pl,
         same_answers=same)
    out_pl.unlink(missing_ok=True)
    shutil.rmtree(out_sp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--policies", default="tech_sme")
    ap.add_argument("--worker-threads", type=int, default=None, help="POLARS_MAX_THREADS in the Python workers")
    a = ap.parse_args()
    for n in a.n:
        run(n, a.policies, a.worker_threads)


if __name__ == "__main__":
    main()
