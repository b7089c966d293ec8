"""Shared helpers of the benchmark scripts: timing, peak memory, data files, one-line output."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / "data"
ON = "2025-06-30"
ON_DATE = dt.date(2025, 6, 30)


def data_file(n: int) -> Path:
    """The generated register of ``n`` records (generated once, reused)."""
    path = DATA / f"reg_{n}.parquet"
    if not path.exists():
        subprocess.run([sys.executable, str(BENCH / "gen.py"), "--n", str(n), "--out", str(path)], check=True)
    return path


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs of ``fn`` and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(bench: str, **kv: Any) -> str:
    """Print one measurement as ``bench=… key=value …`` and return it."""
    parts = [f"bench={bench}"]
    for k, v in kv.items():
        if isinstance(v, float):
            v = f"{v:.4g}" if abs(v) < 1000 else f"{v:,.0f}"
        parts.append(f"{k}={v}")
    text = " ".join(parts)
    print(text, flush=True)
    return text


def verdict(ratio: float, target: float, higher_is_better: bool = False) -> str:
    ok = ratio >= target if higher_is_better else ratio <= target
    return "MET" if ok else "MISSED"


def machine() -> str:
    import polars as pl

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "?"
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"cpu='{cpu}' cores={os.cpu_count()} mem_gb={mem:.0f} python={platform.python_version()} "
            f"polars={pl.__version__}")
