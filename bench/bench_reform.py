"""Reform: baseline + reform + diff over N records, as a ratio to one evaluation.

    .venv/bin/python bench/bench_reform.py --n 1000000

Overlay: ``tech_sme.pass_score`` 60 → 55 (a typical one-threshold reform). Measured side by side on
the same in-memory records and policies: one evaluation (``zjtx.evaluate``); ``zjtx.rules.reform
.simulate`` (one plan, shared inputs, only touched policies evaluated twice; if the module exists);
and the naive way, ``zjtx.evaluate`` twice + a join of the status columns. Target ≤ 1.6×.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import polars as pl
from common import ON, ON_DATE, data_file, line, verdict

OVERLAY = {"tech_sme.pass_score": 55}


def run(n: int, which: str) -> None:
    import zjtx
    from zjtx.api import policy_list
    from zjtx.policies import catalog
    from zjtx.rules.engine import input_fields

    pols = catalog().default_policies() if which == "tiers" else which.split(",")
    fields = sorted(set(input_fields(policy_list(pols), ON_DATE, {})) | {"uscc", "division", "industry"})
    schema = pl.read_parquet_schema(data_file(n))
    df = pl.read_parquet(data_file(n), columns=[f for f in fields if f in schema])
    n = df.height

    def one() -> pl.DataFrame:
        return zjtx.evaluate(df, on=ON, policies=pols, validate=False)

    def twice() -> pl.DataFrame:
        base = zjtx.evaluate(df, on=ON, policies=pols, validate=False)
        ref = zjtx.evaluate(df, on=ON, policies=pols, params=OVERLAY, validate=False)
        st = [f"{p}.status" for p in pols]
        diff = base.select("uscc", *st).join(ref.select("uscc", *st), on="uscc", suffix=".reform")
        changed = pl.any_horizontal([pl.col(c) != pl.col(c + ".reform") for c in st])
        return diff.filter(changed)

    t = time.perf_counter()
    one()
    t_one = time.perf_counter() - t
    t = time.perf_counter()
    changed = twice()
    t_twice = time.perf_counter() - t
    line("reform", n=n, what="one_evaluation", policies=which, secs=t_one)
    line("reform", n=n, what="evaluate_twice_and_diff", secs=t_twice, changed=changed.height)
    if importlib.util.find_spec("zjtx.services.reform") is not None:
        from zjtx.services.reform import simulate

        t = time.perf_counter()
        res = simulate(df, ON, OVERLAY, policies=pols, validate=False)
        t_sim = time.perf_counter() - t
        line("reform", n=n, what="reform.simulate", secs=t_sim, touched=",".join(res.touched))
        ratio = t_sim / t_one
        line("reform", n=n, ratio="simulate/one", value=ratio, ratio_twice=t_twice / t_one, target="<=1.6",
             verdict=verdict(ratio, 1.6))
    else:
        ratio = t_twice / t_one
        line("reform", n=n, ratio="twice/one", value=ratio, target="<=1.6", verdict=verdict(ratio, 1.6),
             note="zjtx.rules.reform not available")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--policies", default="tiers")
    a = ap.parse_args()
    for n in a.n:
        run(n, a.policies)


if __name__ == "__main__":
    main()
