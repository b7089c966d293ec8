"""Run every benchmark, one line per measurement (``bench=… key=value …``).

    .venv/bin/python bench/run_all.py --n 1000000
    nice -n 10 .venv/bin/python bench/run_all.py --n 10000000 --only engine catalog openfisca

Each benchmark runs in its own process (so peak memory and caches do not leak between them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from common import BENCH, line, machine

BENCHES = {
    "engine": ["bench_engine.py"],
    "catalog": ["bench_catalog.py"],
    "openfisca": ["bench_openfisca.py"],
    "one": ["bench_one.py"],
    "reform": ["bench_reform.py"],
    "spark": ["bench_spark.py"],
    "incremental": ["bench_incremental.py"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--only", nargs="*", default=list(BENCHES), choices=list(BENCHES))
    ap.add_argument("--whatif", default=None, help="engine what-if patches for engine/catalog (bench/whatif.py)")
    ap.add_argument("--quick", action="store_true", help="100 000 records (to iterate; the table uses 1 M)")
    a = ap.parse_args()
    if a.quick:
        a.n = [100_000]
    line("machine", info=machine(), load=os.getloadavg())
    for name in a.only:
        cmd = [sys.executable, str(BENCH / BENCHES[name][0]), "--n", *map(str, a.n)]
        if a.whatif and name in ("engine", "catalog", "openfisca"):
            cmd += ["--whatif", a.whatif]
        res = subprocess.run(cmd, cwd=BENCH)
        if res.returncode:
            line(name, status=f"failed (exit {res.returncode})")
        line("load", after=name, loadavg=os.getloadavg())


if __name__ == "__main__":
    main()
