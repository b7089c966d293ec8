"""Catalog throughput: every registered policy on N records from Parquet vs a scan floor.

    .venv/bin/python bench/bench_catalog.py --n 1000000 [--policies all|tiers] [--whatif all]

Scan floor: Polars reading the same columns from the same Parquet file and summing each (numbers
summed, booleans counted, strings by byte length) — the least any evaluation must do. zjtx: the
streaming run of ``zjtx evaluate in.parquet --out out.parquet`` (``zjtx.services.stream``) in a child
process, so its peak RSS is its own. ``--per-policy`` adds one in-memory line per policy (where the
time goes). Targets: all policies ≤ 10 × the scan floor, the tier policies ≤ 5 ×; peak memory
≤ 4 GB at 10 M with streaming. Without ``--detail`` both detail levels are measured.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import polars as pl
from common import BENCH, ON, ON_DATE, data_file, line, verdict


def policies(which: str) -> list[str]:
    from zjtx.policies import catalog

    return {"tiers": catalog().default_policies(), "all": catalog().ids}.get(which) or which.split(",")


def scan_floor(path: str, fields: list[str]) -> float:
    schema = pl.read_parquet_schema(path)
    cols = [f for f in fields if f in schema]

    def agg(c: str) -> pl.Expr:
        dt = schema[c]
        if dt == pl.String:
            return pl.col(c).str.len_bytes().sum()
        if dt == pl.Date:
            return pl.col(c).cast(pl.Int32).sum()
        return pl.col(c).cast(pl.Float64).sum()

    t = time.perf_counter()
    pl.scan_parquet(path).select([agg(c) for c in cols]).collect()
    return time.perf_counter() - t


def run(n: int, which: str, whatif: str | None, per_policy: bool, validate: bool, detail: str = "full",
        target: float = 10, chunk: int = 250_000) -> float:
    from zjtx.api import policy_list
    from zjtx.rules.engine import input_fields

    path = str(data_file(n))
    pols = policies(which)
    fields = sorted(set(input_fields(policy_list(pols), ON_DATE, {})) | {"uscc"})
    floor = min(scan_floor(path, fields) for _ in range(3))
    line("catalog", n=n, what="scan_floor", columns=len(fields), secs=floor, rate=n / floor)
    cmd = [sys.executable, str(BENCH / "stream_run.py"), path, "--policies", ",".join(pols), "--detail", detail,
           "--chunk", str(chunk)]
    if whatif:
        cmd += ["--whatif", whatif]
    if validate:
        cmd += ["--validate"]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    out = res.stdout.strip().splitlines()[-1]
    print(out, flush=True)
    kv = dict(p.split("=", 1) for p in out.split() if "=" in p)
    secs = float(kv["secs"].replace(",", ""))
    rss = float(kv["peak_rss_mb"].replace(",", ""))
    ratio = secs / floor
    line("catalog", n=n, ratio="zjtx_streaming/scan_floor", policies=which, detail=detail, value=ratio,
         target=f"<={target:g}", verdict=verdict(ratio, target), n_policies=len(pols), rate=n / secs,
         peak_rss_mb=rss, memory_target_mb=4096, memory_verdict="MET" if rss <= 4096 else "MISSED")
    if per_policy:
        import zjtx

        df = pl.read_parquet(path, columns=fields)
        for p in pols:
            t = time.perf_counter()
            zjtx.evaluate(df, on=ON, policies=[p], validate=False)
            secs_p = time.perf_counter() - t
            line("catalog", n=n, what="per_policy", policy=p, secs=secs_p, rate=n / secs_p, whatif=whatif or "-")
    return ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--policies", default="all", help="all (every registered policy) | tiers | ids")
    ap.add_argument("--whatif", default=None)
    ap.add_argument("--per-policy", action="store_true")
    ap.add_argument("--validate", action="store_true")
    ap.add_argument("--detail", default=None, choices=["full", "status"], help="one detail level (default: the table)")
    ap.add_argument("--chunk", type=int, default=250_000)
    a = ap.parse_args()
    for n in a.n:
        if a.detail or a.policies not in ("all",):
            run(n, a.policies, a.whatif, a.per_policy, a.validate, a.detail or "full",
                5 if a.policies == "tiers" else 10, a.chunk)
            continue
        # the table: the whole catalog (both detail levels) ≤ 10×, the tiers ≤ 5×
        run(n, "all", a.whatif, a.per_policy, a.validate, "full", 10, a.chunk)
        run(n, "all", a.whatif, False, a.validate, "status", 10, a.chunk)
        run(n, "tiers", a.whatif, False, a.validate, "full", 5, a.chunk)
        run(n, "tiers", a.whatif, False, a.validate, "status", 5, a.chunk)


if __name__ == "__main__":
    main()
