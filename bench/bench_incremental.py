"""Incremental re-evaluation (``zjtx.services.incremental``): a city's register evaluated once, then
a few hundred enterprises edited (and, separately, one policy's parameters changed by a reform
overlay) and brought up to date — seconds side by side with a full re-evaluation, same answers.

    .venv/bin/python bench/bench_incremental.py --n 100000 --edits 300
"""

from __future__ import annotations

import argparse
import time

import polars as pl
from common import ON, data_file, line


def run(n: int, edits: int) -> None:
    import zjtx
    from zjtx.policies import catalog
    from zjtx.services.incremental import evaluate_incremental

    ids = catalog().ids
    df = pl.read_parquet(data_file(n))
    t = time.perf_counter()
    first = evaluate_incremental(df, ON, ids)
    t_first = time.perf_counter() - t
    step = max(df.height // edits, 1)
    edited = df.with_columns(
        pl.when(pl.int_range(pl.len()) % step == 0).then(pl.col("revenue_y1").fill_null(0) * 1.1 + 1)
        .otherwise(pl.col("revenue_y1")).alias("revenue_y1"))
    evaluate_incremental(edited.head(1000), ON, ids)  # warm: what a daily run has already done
    t = time.perf_counter()
    again = evaluate_incremental(edited, ON, ids, previous=first)
    t_inc = time.perf_counter() - t
    t = time.perf_counter()
    full = zjtx.evaluate(edited, on=ON, policies=ids, validate=False)
    t_full = time.perf_counter() - t
    same = again.result().equals(full)
    line("incremental", n=n, what="edits", edited=again.recomputed_records, policies=len(ids), first_secs=t_first,
         incremental_secs=t_inc, full_secs=t_full, ratio=t_full / t_inc, target_secs="<1",
         verdict="MET" if t_inc < 1 else "MISSED", same_answers=same)
    # the caller names the records it touched (an import's list): only those are hashed
    rows = edited.filter(pl.int_range(pl.len()) % step == 0)
    keys = rows["uscc"]
    t = time.perf_counter()
    told = evaluate_incremental(edited, ON, ids, previous=first, edited=keys)
    t_keys = time.perf_counter() - t
    line("incremental", n=n, what="edits_with_keys", edited=told.recomputed_records, policies=len(ids),
         incremental_secs=t_keys, full_secs=t_full, ratio=t_full / t_keys, target_secs="<1",
         verdict="MET" if t_keys < 1 else "MISSED", same_answers=told.result().equals(full))
    t = time.perf_counter()
    zjtx.evaluate(rows, on=ON, policies=ids, validate=False)  # the floor: the engine on the edited rows alone
    line("incremental", n=n, what="evaluate_edited_rows_alone", rows=rows.height, secs=time.perf_counter() - t)
    overlay = {"tech_sme.pass_score": 65}
    t = time.perf_counter()
    reform = evaluate_incremental(edited, ON, ids, params=overlay, previous=again)
    t_ref = time.perf_counter() - t
    t = time.perf_counter()
    full_ref = zjtx.evaluate(edited, on=ON, policies=ids, params=overlay, validate=False)
    t_full_ref = time.perf_counter() - t
    line("incremental", n=n, what="reform_one_policy", recomputed_policies=",".join(reform.recomputed_policies),
         incremental_secs=t_ref, full_secs=t_full_ref, ratio=t_full_ref / t_ref,
         same_answers=reform.result().equals(full_ref))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000])
    ap.add_argument("--edits", type=int, default=300)
    a = ap.parse_args()
    for n in a.n:
        run(min(n, 100_000), a.edits)  # a city: at most 100 000 enterprises


if __name__ == "__main__":
    main()
