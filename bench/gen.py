"""Write N synthetic evaluation records to Parquet (vectorised numpy; ~3% nulls per field).

    .venv/bin/python bench/gen.py --n 1000000 --out bench/data/reg_1m.parquet

The fields are those read by every registered policy of the catalog (``zjtx.policies``) on ``--on``
plus ``uscc``; fields of the record schema get values by kind (money, count, ratio, rank, bool,
enum, …; expert scores left empty) with correlated magnitudes for the ones the tier policies score (staff, revenue, R&D,
assets, IP), so that every status (qualified, not_qualified, unknown, manual_review) occurs. Rows
are generated ``--chunk`` rows at a time and written in 100 000-row Parquet row groups, so memory stays
bounded both here and in the streaming readers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

NULL_RATE = 0.03

INDUSTRIES = ["C3411", "C3831", "C3990", "C2929", "C3311", "C3360", "C3562", "C3989", "C3473", "C2641",
              "C3981", "C3871", "C3857", "C1713", "C1810", "I6513", "I6510", "M7320", "M7517", "F5141",
              "E4710", "G5433", "K7010", "L7212", "A0111", "B0610", "D4411", "H6110"]


def catalog_fields(on: dt.date) -> list[str]:
    """The record fields every registered policy reads on ``on`` (the schema's order)."""
    from zjtx.policies import catalog

    SCHEMA = catalog().schema
    fields: set[str] = set()
    for p in catalog().registry.values():
        try:
            fields |= set(p.input_fields(on))
        except ValueError:  # no regime in force on that date
            continue
    return [f for f in SCHEMA if f in fields]


def _holes(rng: np.random.Generator, n: int, rate: float = NULL_RATE) -> np.ndarray:
    return rng.random(n) < rate


def chunk(rng: np.random.Generator, start: int, n: int, fields: list[str]) -> pl.DataFrame:
    """``n`` records numbered from ``start``."""
    from zjtx.policies import catalog

    SCHEMA = catalog().schema

    emp = np.maximum(1, rng.lognormal(3.3, 1.1, n)).astype(np.int64)  # median ≈ 27 staff
    emp_grow = rng.normal(1.03, 0.08, (3, n))
    revenue = rng.lognormal(17.2, 1.4, n)  # median ≈ 30 M yuan
    growth = rng.normal(1.10, 0.25, (3, n)).clip(0.3, 3.0)
    rd_rate = rng.beta(1.4, 30.0, n)  # mean ≈ 4.5%
    assets = revenue * rng.lognormal(0.0, 0.5, n)
    base: dict[str, np.ndarray] = {}

    def years(name: str, y1: np.ndarray, factors: np.ndarray, integer: bool = False) -> None:
        vals = [y1, y1 / factors[0], y1 / factors[0] / factors[1]]
        for i, v in enumerate(vals, start=1):
            base[f"{name}_y{i}"] = np.round(v).astype(np.int64) if integer else np.round(v, 2)

    years("employees", emp, emp_grow, integer=True)
    years("tech_staff", emp * rng.beta(2.0, 8.0, n), emp_grow, integer=True)
    years("rd_staff", emp * rng.beta(2.0, 10.0, n), emp_grow, integer=True)
    years("revenue", revenue, growth)
    years("main_revenue", revenue * rng.uniform(0.6, 1.0, n), growth)
    years("sales_revenue", revenue * rng.uniform(0.9, 1.0, n), growth)
    years("rd_expense", revenue * rd_rate, growth)
    years("rd_expense_tax", revenue * rd_rate * rng.uniform(0.85, 1.0, n), growth)
    years("rd_expense_domestic", revenue * rd_rate * rng.uniform(0.9, 1.0, n), growth)
    years("total_cost", revenue * rng.uniform(0.05, 1.05, n), growth)
    years("net_profit", revenue * rng.normal(0.06, 0.08, n), growth)
    years("total_assets", assets, growth)
    years("total_liabilities", assets * rng.beta(4, 4, n), growth)
    years("high_tech_revenue", revenue * rng.uniform(0.0, 0.9, n), growth)
    years("equity_financing", np.where(rng.random(n) < 0.05, rng.lognormal(15.5, 1.0, n), 0.0), growth)
    years("taxable_income", revenue * rng.normal(0.05, 0.06, n), growth)
    years("total_income", revenue * 1.02, growth)
    base["ip1"] = rng.poisson(0.35, n)
    base["ip2"] = rng.poisson(1.6, n)
    base["ip2_mature"] = rng.poisson(1.2, n)
    base["ip1_high_value"] = rng.binomial(base["ip1"], 0.4)
    base["ip1_self_developed"] = rng.binomial(base["ip1"], 0.7)
    base["ip1_applied"] = rng.binomial(base["ip1"], 0.6)
    probs = {"abnormal_or_dishonest": 0.02, "restricted_industry": 0.01, "major_incident_3y": 0.01,
             "high_tech_valid": 0.08, "led_standard_5y": 0.01, "strategic_emerging": 0.3, "own_brand": 0.4,
             "quality_cert": 0.5, "core_tech_product": 0.05}

    cols: dict[str, pl.Series] = {}
    ids = np.arange(start, start + n)
    cols["uscc"] = pl.Series("uscc", ids).cast(pl.String).str.zfill(9)
    cols["uscc"] = pl.select(pl.lit("91442000M") + pl.lit(cols["uscc"])).to_series().alias("uscc")
    for f in fields:
        if f == "uscc":
            continue
        spec = SCHEMA[f]
        k = spec.kind
        if f in base:
            v = base[f]
        elif k in ("money", "signed_money", "number"):
            v = np.round(rng.lognormal(14.0, 1.5, n) * (rng.choice([-1, 1], n) if k == "signed_money" else 1), 2)
        elif k == "count":
            v = rng.poisson(2.0, n)
        elif k == "score":  # expert points: absent from a register (→ manual review); band-checked when set
            cols[f] = pl.Series(f, [None] * n, dtype=pl.Float64)
            continue
        elif k == "ratio":
            v = rng.beta(1.5, 12, n)
        elif k == "rank":
            r = rng.integers(1, 12, n).astype(np.float64)
            r[rng.random(n) > 0.004] = np.nan  # nearly everyone: no award
            cols[f] = pl.Series(f, r, nan_to_null=True).cast(pl.Int64)
            continue
        elif k == "bool":
            v = rng.random(n) < probs.get(f, 0.1)
        elif k == "enum":
            vals = list(spec.values)
            w = np.array([0.02, 0.06, 0.10, 0.12, 0.70]) if f == "rd_institution" else np.ones(len(vals))
            v = pl.Series(f, vals).gather(rng.choice(len(vals), n, p=(w / w.sum()) if len(w) == len(vals)
                                                     else None))
        elif k == "date":
            v = np.datetime64("2000-01-01") + rng.integers(0, 9000, n).astype("timedelta64[D]")
        elif f == "industry":
            v = pl.Series(f, INDUSTRIES).gather(rng.integers(0, len(INDUSTRIES), n))
        elif k == "str" and f.endswith("_period"):  # tax periods: YYYY-MM or YYYY-Qn
            periods = [f"2024-{m:02d}" for m in range(1, 13)] + [f"2024-Q{q}" for q in range(1, 5)]
            v = pl.Series(f, periods).gather(rng.integers(0, len(periods), n))
        elif k == "str":
            v = pl.Series(f, [f"{f}-{i}" for i in range(16)]).gather(rng.integers(0, 16, n))
        else:  # pragma: no cover - a kind the schema does not have
            raise ValueError(f"{f}: unknown kind {k}")
        s = pl.Series(f, v)
        mask = _holes(rng, n)
        cols[f] = s.scatter(np.flatnonzero(mask), None) if mask.any() else s
    return pl.DataFrame(list(cols.values()))


def write(path: str | Path, n: int, on: dt.date, seed: int = 8, chunk_rows: int = 1_000_000,
          fields: list[str] | None = None, row_group: int = 100_000) -> Path:
    """Write ``n`` records to ``path``, generated ``chunk_rows`` at a time, in row groups of
    ``row_group`` rows (readers prefetch several row groups: 1 M-row groups of a wide register cost
    gigabytes in any streaming reader)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fields = fields or catalog_fields(on)
    rng = np.random.default_rng(seed)
    writer: pq.ParquetWriter | None = None
    tmp = out.with_suffix(".tmp")
    try:
        for start in range(0, n, chunk_rows):
            table = chunk(rng, start, min(chunk_rows, n - start), fields).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
            writer.write_table(table, row_group_size=row_group)
    finally:
        if writer is not None:
            writer.close()
    tmp.replace(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--out", default=None, help="default bench/data/reg_<n>.parquet")
    ap.add_argument("--on", default="2025-06-30")
    ap.add_argument("--seed", type=int, default=8)
    ap.add_argument("--chunk", type=int, default=1_000_000)
    a = ap.parse_args()
    out = a.out or f"bench/data/reg_{a.n}.parquet"
    t = time.perf_counter()
    write(out, a.n, dt.date.fromisoformat(a.on), a.seed, a.chunk)
    secs = time.perf_counter() - t
    print(f"gen n={a.n} fields={len(catalog_fields(dt.date.fromisoformat(a.on)))} secs={secs:.2f} -> {out}")


if __name__ == "__main__":
    main()
