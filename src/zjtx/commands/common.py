"""Helpers shared by CLI commands: reading inputs, writing outputs, formatting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

console = Console()

STATUS_STYLE = {
    "qualified": "[green]达标[/]",
    "not_qualified": "[red]未达标[/]",
    "unknown": "[yellow]待核验[/]",
    "manual_review": "[cyan]待人工审核[/]",
}


def find_record(path: str, uscc: str) -> dict[str, Any]:
    from zjtx.rules.inputs import InputError, InputIssue, to_frame

    frame = to_frame(path).lazy()
    schema = frame.collect_schema()
    if "uscc" not in schema:
        raise InputError([InputIssue(0, None, "uscc", None, "输入文件缺少 uscc（统一社会信用代码）列")])
    rows = frame.filter(pl.col("uscc").cast(pl.String) == uscc).collect()
    if rows.height == 0:
        raise InputError([InputIssue(0, uscc, "uscc", uscc, "输入文件中没有该统一社会信用代码")])
    if rows.height > 1:
        raise InputError([InputIssue(0, uscc, "uscc", uscc, f"输入文件中该统一社会信用代码出现 {rows.height} 次")])
    return rows.row(0, named=True)


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


def fmt_num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
