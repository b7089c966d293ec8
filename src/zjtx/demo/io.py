"""Writing a demo city to files (Parquet, CSV or XLSX; one file per frame) and reading it back."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from .city import DemoCity

__all__ = ["read", "write"]


def write(city: DemoCity, dir: str | Path, format: str = "parquet") -> list[Path]:
    """Write every frame of ``city`` to ``dir`` as ``<frame>.parquet`` / ``.csv`` / ``.xlsx``."""
    out = Path(dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in city.frames().items():
        if format == "parquet":
            p = out / f"{name}.parquet"
            df.write_parquet(p)
        elif format == "csv":
            p = out / f"{name}.csv"
            df.write_csv(p)
        elif format == "xlsx":
            p = out / f"{name}.xlsx"
            df.write_excel(p, worksheet=name)
        else:
            raise ValueError(f"未知格式 {format!r}（可选 parquet、csv、xlsx）")
        paths.append(p)
    return paths


_STRING_COLUMNS = ("uscc", "name", "division", "industry", "title", "batch", "document", "pool", "pool_name",
                   "source", "region", "indicator", "rd_institution", "product_field")
# yes/no columns that are mostly blank (a spreadsheet reader may take them for text)
_BOOL_COLUMNS = ("small_scale_vat", "advanced_manufacturing_listed", "ic_or_machine_tool")
_DATE_COLUMNS = ("founded_on", "niche_since", "granted_on", "expires_on", "listed_on", "as_of")


def read(dir: str | Path) -> DemoCity:
    """Read frames written by :func:`write` (any of the three formats) back into a :class:`DemoCity`.

    Missing files give empty frames (``pools``, ``city_comparison``) or raise (the other three)."""
    src = Path(dir)
    frames: dict[str, pl.DataFrame] = {}
    for name in ("enterprises", "annual", "titles", "pools", "city_comparison"):
        if (src / f"{name}.parquet").exists():
            df = pl.read_parquet(src / f"{name}.parquet")
        elif (src / f"{name}.csv").exists():
            head = pl.read_csv(src / f"{name}.csv", n_rows=0).columns
            df = pl.read_csv(src / f"{name}.csv", infer_schema_length=10000,
                             schema_overrides={c: pl.String for c in head if c in _STRING_COLUMNS})
        elif (src / f"{name}.xlsx").exists():
            df = pl.read_excel(src / f"{name}.xlsx")
            df = df.with_columns([pl.col(c).cast(pl.String) for c in df.columns if c in _STRING_COLUMNS])
        elif name in ("pools", "city_comparison"):
            df = pl.DataFrame()
        else:
            raise FileNotFoundError(f"在 {src} 中找不到 {name}.parquet / .csv / .xlsx")
        df = df.with_columns([
            pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            for c in df.columns if c in _DATE_COLUMNS and df.schema[c] != pl.Date
        ])
        df = df.with_columns([
            pl.col(c).cast(pl.String).str.to_lowercase().replace_strict({"true": True, "false": False}, default=None,
                                                                        return_dtype=pl.Boolean)
            for c in df.columns if c in _BOOL_COLUMNS and df.schema[c] != pl.Boolean
        ])
        frames[name] = df
    return DemoCity(frames["enterprises"], frames["annual"], frames["titles"], frames["pools"],
                    frames["city_comparison"], seed=-1, scale=frames["enterprises"].height,
                    meta={"note": f"read from {src}"})
