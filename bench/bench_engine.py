"""Engine overhead: ``tech_sme`` compiled by zjtx vs the same rule hand-written in Polars.

    .venv/bin/python bench/bench_engine.py --n 1000000 10000000 [--whatif all]

Both run side by side on the same in-memory records (the columns tech_sme reads), interleaved,
best of ``--repeat``. The comparison is on the same outputs — status (qualified / not_qualified /
unknown / manual_review), score, score_min, score_max — and the answers are checked equal. The full
zjtx output of the policy (indicator points, route, regime, missing / manual lists, provisional) is
timed too. Target: zjtx ≤ 1.5 × hand-written.
"""

from __future__ import annotations

import argparse
import time

import polars as pl
from common import ON, ON_DATE, data_file, line, verdict
from handwritten import tech_sme as handwritten

OUT = ["uscc"] + [f"tech_sme.{c}" for c in ("status", "score", "score_min", "score_max")]


def run(n: int, repeat: int = 3, whatif: str | None = None) -> float:
    import zjtx
    from zjtx.policies.tech_sme import POLICY

    if whatif:
        import whatif as w

        w.apply(whatif.split(",") if whatif != "all" else "all")
    fields = sorted(set(POLICY.input_fields(ON_DATE)) | {"uscc"})
    df = pl.read_parquet(data_file(n), columns=fields)
    n = df.height
    jobs = {
        "zjtx_same_outputs": zjtx.evaluate_lazy(df, on=ON, policies="tech_sme", validate=False).select(OUT),
        "handwritten": handwritten(df.lazy()),
        "zjtx_all_columns": zjtx.evaluate_lazy(df, on=ON, policies="tech_sme", validate=False),
    }
    best: dict[str, float] = {}
    out: dict[str, pl.DataFrame] = {}
    for _ in range(repeat):
        for name, lf in jobs.items():
            t = time.perf_counter()
            out[name] = lf.collect()
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - t)
    same = out["zjtx_same_outputs"].equals(out["handwritten"])
    for name, secs in best.items():
        line("engine", n=n, what=name, secs=secs, rate=n / secs, whatif=whatif or "-")
    ratio = best["zjtx_same_outputs"] / best["handwritten"]
    counts = dict(out["handwritten"]["tech_sme.status"].value_counts().iter_rows())
    line("engine", n=n, ratio="zjtx/handwritten", value=ratio, ratio_all_columns=best["zjtx_all_columns"]
         / best["handwritten"], target="<=1.5", verdict=verdict(ratio, 1.5), same_answers=same,
         statuses="/".join(f"{k}:{v}" for k, v in sorted(counts.items())), whatif=whatif or "-")
    if not same:
        raise SystemExit("engine: zjtx and hand-written answers differ")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--whatif", default=None, help="apply engine what-if patches (bench/whatif.py): all|bands|lists")
    a = ap.parse_args()
    for n in a.n:
        run(n, a.repeat, a.whatif)


if __name__ == "__main__":
    main()
