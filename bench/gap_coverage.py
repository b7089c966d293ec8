"""Gap-solver coverage on the demo city: for each tier, of the records not qualified with complete
data (empty ``missing``), how many get verified options or a specific reason (no generic
"无法自动求解"); the same over every not-qualified record; and the ladder latency per record.

    .venv/bin/python bench/gap_coverage.py --scale 3000 --seed 2022 [--limit 300]

Records come from ``zjtx.demo.generate(seed, scale).records(on)`` (read-only). Target: ≥ 95 % per tier.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections import Counter

from common import line

GENERIC = ("无法自动求解",)


def run(seed: int, scale: int, on: dt.date, limit: int | None) -> None:
    import zjtx
    import zjtx.demo
    from zjtx.services.gaps import gaps, tier_policies

    recs = zjtx.demo.generate(seed=seed, scale=scale).records(on)
    tiers = tier_policies()
    base = zjtx.evaluate(recs, on=on, policies=tiers)
    rows = recs.to_dicts()
    status = {t: base[f"{t}.status"].to_list() for t in tiers}
    missing = {t: base[f"{t}.missing"].to_list() for t in tiers}
    per: dict[str, Counter] = {t: Counter() for t in tiers}
    per_all: dict[str, Counter] = {t: Counter() for t in tiers}
    generic_reasons: Counter = Counter()
    times: list[float] = []
    idx = [i for i in range(len(rows))
           if any(status[t][i] == "not_qualified" for t in tiers)]
    if limit:
        idx = idx[:limit]
    for i in idx:
        started = time.perf_counter()
        out = gaps(rows[i], on=on)
        times.append(time.perf_counter() - started)
        for entry in out["ladder"]:
            t = entry["policy"]
            if status[t][i] != "not_qualified":
                continue
            generic = [r for r in entry["reasons"] if any(g in r for g in GENERIC)]
            a = per_all[t]
            a["records"] += 1
            a["covered"] += bool(entry["options"] or (entry["reasons"] and not generic))
            if missing[t][i]:
                continue
            c = per[t]
            c["records"] += 1
            generic = [r for r in entry["reasons"] if any(g in r for g in GENERIC)]
            if entry["options"]:
                c["options"] += 1
            elif entry["reasons"] and not generic:
                c["reasons"] += 1
            else:
                c["generic"] += 1
                for r in generic:
                    generic_reasons[r] += 1
    for t in tiers:
        c = per[t]
        n = c["records"]
        covered = c["options"] + c["reasons"]
        line("gap_coverage", seed=seed, scale=scale, on=on.isoformat(), policy=t, not_qualified_complete=n,
             with_options=c["options"], with_specific_reason=c["reasons"], generic_or_none=c["generic"],
             coverage_pct=100.0 * covered / n if n else 100.0,
             verdict="MET" if not n or covered / n >= 0.95 else "MISSED",
             not_qualified_all=per_all[t]["records"],
             coverage_all_pct=100.0 * per_all[t]["covered"] / per_all[t]["records"] if per_all[t]["records"] else 100.0)
    for r, k in generic_reasons.most_common(8):
        line("gap_coverage", generic_reason=r, count=k)
    if times:
        import numpy as np

        a = np.array(times) * 1000
        line("gap_coverage", what="ladder_per_record", records=len(times), p50_ms=float(np.percentile(a, 50)),
             p99_ms=float(np.percentile(a, 99)), max_ms=float(a.max()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--scale", type=int, default=3000)
    ap.add_argument("--on", default="2025-06-30")
    ap.add_argument("--limit", type=int, default=None)
    a = ap.parse_args()
    run(a.seed, a.scale, dt.date.fromisoformat(a.on), a.limit)


if __name__ == "__main__":
    main()
