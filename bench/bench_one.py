"""One record: ``zjtx.explain`` and ``zjtx.gaps`` latency, in-process, p50 / p99.

    .venv/bin/python bench/bench_one.py --records 2000

Records are drawn from the generated register (``bench/gen.py``) as plain dicts, the way the web
layer passes them. Each call is timed alone (``perf_counter``) after a warm-up call; explain is
called three times per record and ``p99_of_min3_ms`` (the p99 of each record's fastest call) separates
the record's own cost from scheduler pauses on a loaded machine (the gap ladder likewise, with the
process CPU time of each call beside it). Targets:
explain p99 ≤ 5 ms; gaps p99 ≤ 50 ms (``zjtx.rules.gaps``; reported "not available yet" without it).
"""

from __future__ import annotations

import argparse
import importlib.util
import time

import numpy as np
import polars as pl
from common import ON, data_file, line, verdict


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99)), float(a.max())


def run(k: int, n_source: int, gaps_k: int, policy: str) -> None:
    import zjtx

    recs = pl.read_parquet(data_file(n_source)).head(k).to_dicts()
    zjtx.explain(recs[0], policy, on=ON)  # warm-up: parameters, catalog
    samples, mins = [], []
    for r in recs:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            zjtx.explain(r, policy, on=ON)
            times.append(time.perf_counter() - t)
        samples.append(times[0])
        mins.append(min(times))
    p50, p99, mx = percentiles(samples)
    _, p99_min3, _ = percentiles(mins)
    line("one", what="explain", policy=policy, records=len(recs), p50_ms=p50, p99_ms=p99, max_ms=mx,
         p99_of_min3_ms=p99_min3, target="p99<=5ms", verdict=verdict(p99, 5))
    if importlib.util.find_spec("zjtx.services.gaps") is None:
        line("one", what="gaps", status="not available yet")
        return
    from zjtx.services.gaps import gaps

    for pol, label in ((policy, policy), (None, "all_tiers")):
        gaps(recs[0], pol, on=ON)
        samples, mins, cpu = [], [], []
        for r in recs[:gaps_k]:
            times = []
            for _ in range(3):
                t, c = time.perf_counter(), time.process_time()
                gaps(r, pol, on=ON)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            samples.append(times[0])
            mins.append(min(times))
        p50, p99, mx = percentiles(samples)
        _, p99_min3, _ = percentiles(mins)
        _, p99_cpu, _ = percentiles(cpu)
        line("one", what="gaps", policy=label, records=len(samples), p50_ms=p50, p99_ms=p99, max_ms=mx,
             p99_of_min3_ms=p99_min3, p99_cpu_ms=p99_cpu, target="p99<=50ms", verdict=verdict(p99, 50))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--gaps-records", type=int, default=300)
    ap.add_argument("--source-n", type=int, default=100_000, help="register the records come from")
    ap.add_argument("--policy", default="tech_sme")
    ap.add_argument("--n", type=int, nargs="*", help="ignored (run_all passes it)")
    a = ap.parse_args()
    run(a.records, a.source_n, a.gaps_records, a.policy)


if __name__ == "__main__":
    main()
