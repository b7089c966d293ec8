"""The calculators on a register: one declaration compiled to Polars, per calculator, seconds on N
records (best of ``--repeat``), and the exact interpreter on a sample of the same rows (same answers).

    .venv/bin/python bench/bench_calculators.py --n 1000000 [--sample 300]
"""

from __future__ import annotations

import argparse

import polars as pl
from common import ON, data_file, line, timed


def run(n: int, repeat: int, sample: int) -> None:
    import zjtx
    from zjtx.policies import catalog

    df = pl.read_parquet(data_file(n))
    for pid in catalog().support:
        try:
            secs, out = timed(lambda pid=pid: zjtx.evaluate(df, on=ON, policies=pid, validate=False), repeat)
        except Exception as exc:  # a calculator whose period inputs the generated register cannot fill
            line("calculators", n=n, policy=pid, status=f"skipped: {type(exc).__name__}")
            continue
        rows = df.head(sample).to_dicts()
        key = "tax" if f"{pid}.tax" in out.columns else "amount"
        same = 0
        from zjtx.rules.inputs import InputError

        for i, rec in enumerate(rows):
            try:
                one = zjtx.explain(rec, pid, on=ON)
            except InputError:  # contradictory inputs: refused for one record, unknown in a register
                same += out[f"{pid}.status"][i] == "unknown"
                continue
            same += (out[f"{pid}.status"][i] == one["status"] and out[f"{pid}.{key}"][i] == one[key])
        counts = dict(out.group_by(f"{pid}.status").len().iter_rows())
        line("calculators", n=n, policy=pid, secs=secs, rate=n / secs, sample=len(rows), same_answers=same,
             statuses="/".join(f"{k}:{v}" for k, v in sorted(counts.items())))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--sample", type=int, default=300)
    a = ap.parse_args()
    run(a.n, a.repeat, a.sample)


if __name__ == "__main__":
    main()
