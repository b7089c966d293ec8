"""Helpers shared by CLI commands: reading inputs, writing outputs, formatting."""

from __future__ import annotations

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


def require_uscc(path: str) -> None:
    """Refuse a register without the key column before evaluating it (results could not be told apart)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        columns = pl.scan_csv(path, infer_schema=False).collect_schema().names()
    elif suffix == ".parquet":
        columns = list(pl.read_parquet_schema(path))
    else:
        return  # xlsx / json are read whole by the engine, which reports their problems
    _require_column(columns)


def _require_column(columns: list[str]) -> None:
    from zjtx.rules.inputs import InputError, InputIssue

    if "uscc" not in columns:
        raise InputError([InputIssue(0, None, "uscc", None, "输入文件缺少 uscc（统一社会信用代码）列")])


def find_record(path: str, uscc: str) -> dict[str, Any]:
    from zjtx.rules.inputs import InputError, InputIssue, to_frame

    frame = to_frame(path).lazy()
    _require_column(frame.collect_schema().names())
    rows = frame.filter(pl.col("uscc").cast(pl.String) == uscc).collect()
    if rows.height == 0:
        raise InputError([InputIssue(0, uscc, "uscc", uscc, "输入文件中没有该统一社会信用代码")])
    if rows.height > 1:
        raise InputError([InputIssue(0, uscc, "uscc", uscc, f"输入文件中该统一社会信用代码出现 {rows.height} 次")])
    return rows.row(0, named=True)


def fmt_num(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)
