"""Reading and checking evaluation records.

Every problem is reported with the record (1-based row and USCC), the field and the reason, all at
once; nothing is evaluated from a record set that has errors. Batch inputs are checked with Polars
(vectorised); a single record (``explain``) with the same rules in plain Python.

The record contract (field name → ``FieldSpec``) is the catalog's: every function that reads or
checks fields takes it as its ``schema`` argument (``zjtx.policies.catalog().schema``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl


@dataclass(frozen=True)
class FieldSpec:
    """A record field: its kind (see ``DTYPES``), Chinese label and, for enums, allowed values."""

    name: str
    kind: str
    label: str
    values: tuple[str, ...] = ()


Schema = Mapping[str, FieldSpec]

TRUE_WORDS = {"true", "1", "是", "yes", "y", "t", "有"}
FALSE_WORDS = {"false", "0", "否", "no", "n", "f", "无"}

DTYPES = {
    "money": pl.Float64,
    "signed_money": pl.Float64,
    "number": pl.Float64,
    "score": pl.Float64,
    "ratio": pl.Float64,
    "count": pl.Int64,
    "rank": pl.Int64,
    "bool": pl.Boolean,
    "date": pl.Date,
    "str": pl.String,
    "enum": pl.String,
}

REASONS = {
    "number": "不是数字",
    "negative": "不能为负数",
    "integer": "应为非负整数",
    "ratio": "应为 0–1 之间的比例（如 0.03 表示 3%）",
    "rank": "排名应为不小于 1 的整数",
    "bool": "应为 是/否（true/false）",
    "date": "不是有效日期（应为 YYYY-MM-DD）",
}


_WHOLE_INPUT = {"input": "输入文件", "records": "输入数据", "uscc": "统一社会信用代码"}


@dataclass(frozen=True)
class InputIssue:
    row: int
    uscc: str | None
    field: str
    value: Any
    reason: str
    label: str = ""  # the field's Chinese label, when the schema is known

    def message(self) -> str:
        name = f"{self.field}（{self.label}）" if self.label else self.field
        if self.row <= 0:  # about the input as a whole (row 0), not one record
            what = _WHOLE_INPUT.get(self.field, f"字段 {name}")
            return f"{what}：{self.reason}" + ("" if self.value is None else f"（{self.value}）")
        who = f"第{self.row}条记录" + (f"（{self.uscc}）" if self.uscc else "")
        return f"{who} 字段 {name}：{self.reason}（值: {self.value!r}）"

    def labelled(self, schema: Schema) -> InputIssue:
        spec = schema.get(self.field)
        if self.label or spec is None:
            return self
        return InputIssue(self.row, self.uscc, self.field, self.value, self.reason, spec.label)


class InputError(ValueError):
    """Bad input: carries every issue found."""

    def __init__(self, issues: list[InputIssue], context: str = ""):
        self.issues = issues
        head = f"{context}：" if context else ""
        lines = [i.message() for i in issues[:50]]
        more = f"\n……另有 {len(issues) - 50} 处问题" if len(issues) > 50 else ""
        super().__init__(head + f"输入数据有 {len(issues)} 处问题：\n" + "\n".join(lines) + more)


# ---------------------------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------------------------


def read_path(path: str | Path) -> pl.DataFrame | pl.LazyFrame:
    p = Path(path)
    if not p.exists():
        raise InputError([InputIssue(0, None, "input", str(p), "文件不存在")])
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        return pl.scan_parquet(p)
    if suffix == ".csv":
        return pl.read_csv(p, infer_schema=False, encoding="utf8-lossy")
    if suffix in (".xlsx", ".xls"):
        return pl.read_excel(p, infer_schema_length=0)
    if suffix == ".json":
        import json

        data = json.loads(p.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("records", [data])
        return records_frame(data)
    if suffix in (".ndjson", ".jsonl"):
        return pl.read_ndjson(p)
    raise InputError([InputIssue(0, None, "input", str(p), "不支持的文件类型（支持 csv、xlsx、parquet、json）")])


def records_frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    """A list of dicts as a frame of text and native values, checked field by field afterwards."""
    if not records:
        return pl.DataFrame()
    cols: dict[str, list[Any]] = {}
    for r in records:
        for k in r:
            cols.setdefault(k, [])
    for k in cols:
        vals = [r.get(k) for r in records]
        cols[k] = vals
    series = []
    for k, vals in cols.items():
        kinds = {type(v) for v in vals if v is not None}
        if kinds <= {bool}:
            series.append(pl.Series(k, vals, dtype=pl.Boolean))
        elif kinds <= {int} or kinds <= {int, float} or kinds <= {float}:
            series.append(pl.Series(k, [None if v is None else float(v) for v in vals], dtype=pl.Float64))
        elif kinds <= {dt.date}:
            series.append(pl.Series(k, vals, dtype=pl.Date))
        else:
            series.append(pl.Series(k, [None if v is None else str(v) for v in vals], dtype=pl.String))
    return pl.DataFrame(series)


def to_frame(records: Any) -> pl.DataFrame | pl.LazyFrame:
    if isinstance(records, pl.DataFrame | pl.LazyFrame):
        return records
    if isinstance(records, str | Path):
        return read_path(records)
    if isinstance(records, dict):
        return records_frame([records])
    if isinstance(records, list):
        return records_frame(records)
    try:  # pandas
        import pandas as pd

        if isinstance(records, pd.DataFrame):
            return pl.from_pandas(records)
    except ImportError:  # pragma: no cover
        pass
    raise InputError([InputIssue(0, None, "records", type(records).__name__,
                                 "应为 DataFrame、记录列表或文件路径")])


# ---------------------------------------------------------------------------------------------
# checking (batch)
# ---------------------------------------------------------------------------------------------


def _cast(col: str, spec: FieldSpec, dtype: pl.DataType) -> pl.Expr:
    c = pl.col(col)
    target = DTYPES[spec.kind]
    if dtype == pl.String:
        s = c.str.strip_chars()
        s = pl.when(s == "").then(None).otherwise(s)
        if spec.kind == "bool":
            return s.str.to_lowercase().replace_strict(
                {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}, default=None,
                return_dtype=pl.Boolean)
        if spec.kind == "date":
            return s.str.to_date("%Y-%m-%d", strict=False)
        if spec.kind in ("str", "enum"):
            return s
        num = s.str.replace_all(",", "").cast(pl.Float64, strict=False)
        return num if target == pl.Float64 else pl.when(num == num.round(0)).then(num).cast(pl.Int64, strict=False)
    if spec.kind == "bool":
        return c.cast(pl.Boolean, strict=False)
    if target == pl.Int64 and dtype.is_float():
        return pl.when(c == c.round(0)).then(c).cast(pl.Int64, strict=False)
    if target in (pl.String,) and dtype != pl.String:
        return c.cast(pl.String)
    return c.cast(target, strict=False)


def _problem(spec: FieldSpec, raw: pl.Expr, v: pl.Expr) -> pl.Expr:
    """A reason string where the value is bad, else null."""
    parse = {
        "bool": REASONS["bool"], "date": REASONS["date"], "count": REASONS["integer"], "rank": REASONS["rank"],
    }.get(spec.kind, REASONS["number"])
    checks: list[tuple[pl.Expr, str]] = [(raw.is_not_null() & v.is_null(), parse)]
    if spec.kind in ("money", "number", "score"):
        checks.append((v < 0, REASONS["negative"]))
    if spec.kind == "count":
        checks.append((v < 0, REASONS["integer"]))
    if spec.kind == "ratio":
        checks.append(((v < 0) | (v > 1), REASONS["ratio"]))
    if spec.kind == "rank":
        checks.append((v < 1, REASONS["rank"]))
    if spec.kind == "enum":
        checks = [(v.is_not_null() & ~v.is_in(list(spec.values)), "取值应为 " + " / ".join(spec.values))]
    e: Any = None
    for cond, reason in checks:
        e = pl.when(cond).then(pl.lit(reason)) if e is None else e.when(cond).then(pl.lit(reason))
    return e if e is not None else pl.lit(None, pl.String)


def prepare(frame: pl.DataFrame | pl.LazyFrame, fields: list[str], schema: Schema, validate: bool = True,
            context: str = "") -> pl.LazyFrame:
    """Cast the fields a policy reads to their kinds (``schema``), add absent ones as nulls, and
    (when ``validate``) raise ``InputError`` listing every bad value."""
    lf = frame.lazy()
    present = lf.collect_schema()
    casts = []
    problems = []
    for f in fields:
        spec = schema.get(f)
        if spec is None:
            continue
        if f not in present:
            casts.append(pl.lit(None, DTYPES[spec.kind]).alias(f))
            continue
        v = _cast(f, spec, present[f])
        casts.append(v.alias(f))
        if validate:
            problems.append(_problem(spec, pl.col(f), v).alias(f))
    if validate and problems:
        idx = "__row"
        checked = [f for f in fields if f in present and f in schema]
        uscc = pl.col("uscc").cast(pl.String) if "uscc" in present else pl.lit(None, pl.String)
        bad = (
            lf.with_row_index(idx, offset=1)
            .select(pl.col(idx), uscc.alias("__uscc"), *problems, *[pl.col(f).alias("__raw_" + f) for f in checked])
            .filter(pl.any_horizontal([pl.col(p.meta.output_name()).is_not_null() for p in problems]))
            .head(1000)
            .collect()
        )
        if bad.height:
            issues = []
            for row in bad.iter_rows(named=True):
                for f in checked:
                    if row.get(f) is not None:
                        issues.append(InputIssue(row[idx], row["__uscc"], f, row.get("__raw_" + f), row[f],
                                                 schema[f].label))
            raise InputError(issues, context)
    return lf.with_columns(casts) if casts else lf


# ---------------------------------------------------------------------------------------------
# checking (one record)
# ---------------------------------------------------------------------------------------------


def coerce_value(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """The value of one field as the interpreter reads it, or the reason it is bad."""
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or (isinstance(raw, str) and not raw.strip()):
        return None, None
    k = spec.kind
    if k == "bool":
        if isinstance(raw, bool):
            return raw, None
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw), None
        w = str(raw).strip().lower()
        if w in TRUE_WORDS:
            return True, None
        if w in FALSE_WORDS:
            return False, None
        return None, REASONS["bool"]
    if k == "date":
        if isinstance(raw, dt.date):
            return raw, None
        try:
            return dt.date.fromisoformat(str(raw).strip()[:10]), None
        except ValueError:
            return None, REASONS["date"]
    if k in ("str", "enum"):
        s = str(raw).strip()
        if k == "enum" and s not in spec.values:
            return None, "取值应为 " + " / ".join(spec.values)
        return s, None
    if isinstance(raw, bool):
        return None, REASONS["number"]
    if isinstance(raw, int | float):
        v: Any = raw
    else:
        try:
            v = float(Decimal(str(raw).strip().replace(",", "")))
        except (InvalidOperation, ValueError):
            return None, REASONS["number"]
    if k in ("count", "rank"):
        if float(v) != int(v) or (k == "count" and v < 0):
            return None, REASONS["integer"] if k == "count" else REASONS["rank"]
        if k == "rank" and v < 1:
            return None, REASONS["rank"]
        return int(v), None
    if k in ("money", "number", "score") and v < 0:
        return None, REASONS["negative"]
    if k == "ratio" and not 0 <= v <= 1:
        return None, REASONS["ratio"]
    return float(v), None


def coerce_record(rec: dict[str, Any], fields: list[str] | None, schema: Schema, row: int = 1) -> dict[str, Any]:
    """One record with ``fields`` (default: all of its keys) read as the interpreter reads them;
    ``InputError`` lists every bad value."""
    out = dict(rec)
    issues = []
    for f in fields if fields is not None else list(rec):
        spec = schema.get(f)
        if spec is None:
            continue
        v, err = coerce_value(spec, rec.get(f))
        if err:
            issues.append(InputIssue(row, rec.get("uscc"), f, rec.get(f), err, spec.label))
        out[f] = v
    if issues:
        raise InputError(issues)
    return out
