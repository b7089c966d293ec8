"""One streaming evaluation (``zjtx.services.stream``) in its own process: seconds and peak RSS.

    .venv/bin/python bench/stream_run.py bench/data/reg_10000000.parquet --policies tiers
"""

from __future__ import annotations

import argparse
import os
import time

from common import ON, line, peak_rss_mb


def watchdog(limit_mb: float, max_secs: float, every: float, bench: str, started: float) -> None:
    """Sample RSS; stop the process (with a line saying so) beyond ``limit_mb`` or ``max_secs``."""
    import psutil

    proc, peak, last = psutil.Process(), 0.0, 0.0
    while True:
        rss = proc.memory_info().rss / 2**20
        peak = max(peak, rss)
        el = time.perf_counter() - started
        if every and el - last >= every:
            line(bench, what="rss_sample", elapsed_s=el, rss_mb=rss, peak_so_far_mb=peak)
            last = el
        if rss > limit_mb or (max_secs and el > max_secs):
            line(bench, what="stopped", reason="rss" if rss > limit_mb else "time", elapsed_s=el, peak_rss_mb=peak)
            os._exit(3)
        time.sleep(0.2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("--policies", default="tiers", help="tiers | all | comma-separated ids")
    ap.add_argument("--validate", action="store_true")
    ap.add_argument("--chunk", type=int, default=250_000)
    ap.add_argument("--whatif", default=None)
    ap.add_argument("--detail", default="full", choices=["full", "status"])
    ap.add_argument("--bench", default="catalog")
    ap.add_argument("--max-rss-mb", type=float, default=8000, help="stop beyond this (a shared machine)")
    ap.add_argument("--max-seconds", type=float, default=0, help="stop after this long (0: no limit)")
    ap.add_argument("--sample-every", type=float, default=0, help="print an RSS sample every N seconds")
    ap.add_argument("--per-chunk", action="store_true", help="print the RSS after every chunk (its trough)")
    a = ap.parse_args()
    import threading

    threading.Thread(target=watchdog, args=(a.max_rss_mb, a.max_seconds, a.sample_every, a.bench,
                                            time.perf_counter()), daemon=True).start()
    from zjtx.policies import catalog
    from zjtx.services.stream import parquet_rows, stream_evaluate

    if a.whatif:
        import whatif

        whatif.apply(a.whatif.split(",") if a.whatif != "all" else "all")
    pols = {"tiers": catalog().default_policies(), "all": catalog().ids}.get(a.policies) or a.policies.split(",")
    out = os.path.join(os.path.dirname(os.path.abspath(a.input)), f"out_{os.getpid()}.parquet")
    n = parquet_rows(a.input)
    t = time.perf_counter()
    progress = None
    if a.per_chunk:
        import psutil

        proc = psutil.Process()

        def progress(done: int, total: int) -> None:
            line(a.bench, what="chunk_done", records=done, elapsed_s=time.perf_counter() - t,
                 rss_mb=proc.memory_info().rss / 2**20, load=os.getloadavg()[0])
    try:
        r = stream_evaluate(a.input, out, ON, pols, validate=a.validate, chunk_rows=a.chunk, progress=progress,
                           detail=a.detail)
    finally:
        if os.path.exists(out):
            os.remove(out)
    secs = time.perf_counter() - t
    line(a.bench, n=n, what="zjtx_streaming", policies=a.policies, n_policies=len(pols), validate=a.validate,
         secs=secs, rate=r.records / secs, peak_rss_mb=peak_rss_mb(), chunk=a.chunk, detail=a.detail)


if __name__ == "__main__":
    main()
