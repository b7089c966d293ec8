"""Writing result frames to files (CSV, XLSX, Parquet, JSON) — shared by the CLI and the runners."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl


def flat_for_text(df: pl.DataFrame) -> pl.DataFrame:
    """List columns joined with '；' (CSV and XLSX have no lists)."""
    return df.with_columns(
        [pl.col(c).list.join("；") for c, t in df.schema.items() if isinstance(t, pl.List)]
    )


def write_frame(df: pl.DataFrame, out: str) -> None:
    p = Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        flat_for_text(df).write_csv(p)
    elif suffix == ".xlsx":
        flat_for_text(df).write_excel(p)
    elif suffix == ".parquet":
        df.write_parquet(p)
    elif suffix == ".json":
        p.write_text(json.dumps(df.to_dicts(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    else:
        raise ValueError(f"不支持的输出格式 '{suffix}'（支持 .csv .xlsx .parquet .json）")
