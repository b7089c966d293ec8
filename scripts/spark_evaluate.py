"""Evaluate a register on a Spark cluster (the driver script for ``spark-submit``).

    spark-submit --master yarn … scripts/spark_evaluate.py INPUT ON OUTPUT [--policies all]
        [--partition-by division] [--detail full|status] [--overlay reform.json]

INPUT: a Parquet file or a (partitioned) Parquet directory; OUTPUT: a Parquet directory written by the
executors (partitioned by ``--partition-by`` columns of the input). zjtx must be importable on the
driver and the executors (docs/benchmarks.md, "The Spark runner": a packed environment or an image).
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("on")
    ap.add_argument("output")
    ap.add_argument("--policies", default="all", help="all | tiers | comma-separated policy ids")
    ap.add_argument("--partition-by", nargs="*", default=[])
    ap.add_argument("--detail", default="full", choices=["full", "status"])
    ap.add_argument("--overlay", default=None, help="a JSON file of parameter overrides (a reform)")
    a = ap.parse_args()

    from zjtx.policies import catalog
    from zjtx.services.spark import evaluate_file, session

    pols = {"all": catalog().ids, "tiers": catalog().default_policies()}.get(a.policies) or a.policies.split(",")
    overlay = json.loads(open(a.overlay, encoding="utf-8").read()) if a.overlay else None
    spark = session(ship=False)  # under spark-submit: the master and the environment are the submitter's
    t = time.perf_counter()
    n = evaluate_file(a.input, a.on, pols, a.output, params=overlay, validate=False, detail=a.detail,
                      partition_by=a.partition_by, spark=spark)
    secs = time.perf_counter() - t
    print(f"完成：{n} 户，{secs:.1f} 秒，{n / max(secs, 1e-9):,.0f} 户/秒 → {a.output}")
    spark.stop()


if __name__ == "__main__":
    main()
