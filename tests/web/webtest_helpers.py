"""Shared helpers for the platform tests: valid USCCs and .xlsx files built with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook
from stdnum.cn.uscc import calc_check_digit

XIAOLAN = "442000118"   # 小榄镇
GUZHEN = "442000105"    # 古镇镇
SHIQI = "442000001"     # 石岐街道


def uscc(seq: int, region: str = "442000", head: str = "91") -> str:
    """A valid USCC: ``head`` + 6-digit region + 9-char organisation code + check character."""
    body = f"{head}{region}MA{seq:07d}"
    return body + calc_check_digit(body)


def bad_check(code: str) -> str:
    """The same code with a wrong check character."""
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


def xlsx(rows: list[list[Any]], headers: list[str] | None = None, notes: bool = True,
         titles: list[list[Any]] | None = None) -> bytes:
    """A workbook in the template layout: header row, optional notes row, data rows."""
    from zjtx.apps.enterprises.fields import IMPORT_FIELDS, TITLE_IMPORT_FIELDS

    wb = Workbook()
    ws = wb.active
    ws.title = "企业年报"
    heads = headers or [f.header for f in IMPORT_FIELDS]
    ws.append(heads)
    if notes:
        ws.append(["【填写说明】18位"] + ["说明"] * (len(heads) - 1))
    for r in rows:
        ws.append(r)
    if titles is not None:
        ts = wb.create_sheet("荣誉资质")
        ts.append([f.header for f in TITLE_IMPORT_FIELDS])
        for r in titles:
            ts.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(**values: Any) -> list[Any]:
    """One data row in the template column order from field-name keyword arguments."""
    from zjtx.apps.enterprises.fields import IMPORT_FIELDS

    return [values.get(f.name) for f in IMPORT_FIELDS]


def read_xlsx(content: bytes, sheet: str | None = None) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]
