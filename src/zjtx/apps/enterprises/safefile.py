"""Safe reading of uploaded spreadsheets (.xlsx, .csv) — limits first, cells last.

Before any cell is read:

* the file size (``ZJTX_IMPORT_MAX_BYTES``); an empty file;
* for .xlsx, the ZIP directory: it must be a ZIP with a workbook part (an HTML page or a renamed
  .xls is named as such), at most ``MAX_MEMBERS`` parts, no encryption, a total unpacked size of at most
  ``ZJTX_IMPORT_MAX_UNZIPPED_BYTES`` and no large part compressed more than ``ZJTX_IMPORT_MAX_RATIO``
  times (zip bombs); the declared sizes bound what is ever inflated;
* each sheet's declared dimension (``<dimension ref="A1:XFD1048576"/>``) against the row and column
  limits (``ZJTX_IMPORT_MAX_ROWS``, ``ZJTX_IMPORT_MAX_COLUMNS``);
* for .csv, the encoding: UTF-8 (with or without BOM), UTF-16 (BOM, or the zero-byte pattern) or
  GBK/GB18030 when the decoded text is plausibly Chinese; otherwise a clear error, never guessed text.

Cells are then streamed (openpyxl's sheet parser; no padding to the declared size) and counted: a row or
column beyond the limits stops the reading with a clear message. A cell that cannot be used — a formula,
an Excel error value, text longer than ``ZJTX_IMPORT_MAX_CELL_CHARS`` — is returned as a :class:`BadCell`,
which the importer reports as an error of that row and column (``cells.parse_cell`` refuses it).

Every problem with the file as a whole raises :class:`FileRejected` (a ``CellError``) with the reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from typing import Any

from django.conf import settings

from zjtx.apps.enterprises.cells import CellError

MAX_MEMBERS = 500
RATIO_CHECK_FROM = 1024 * 1024  # parts smaller than this may compress as well as they like
XLSX_HINT = "请上传 .xlsx 或 .csv 文件（.xlsx 须由 Excel 2007 及以上版本保存）"


class FileRejected(CellError):
    """The file as a whole cannot be read; ``str(exc)`` is the Chinese reason."""


class BadCell(str):
    """A cell that cannot be imported; its text is kept for messages, ``reason`` says why."""

    reason: str

    def __new__(cls, text: str, reason: str) -> BadCell:
        obj = super().__new__(cls, text)
        obj.reason = reason
        return obj


def _limits() -> dict[str, int]:
    return {
        "bytes": int(getattr(settings, "ZJTX_IMPORT_MAX_BYTES", 30 * 1024 * 1024)),
        "unzipped": int(getattr(settings, "ZJTX_IMPORT_MAX_UNZIPPED_BYTES", 300 * 1024 * 1024)),
        "ratio": int(getattr(settings, "ZJTX_IMPORT_MAX_RATIO", 100)),
        "rows": int(getattr(settings, "ZJTX_IMPORT_MAX_ROWS", 50000)),
        "columns": int(getattr(settings, "ZJTX_IMPORT_MAX_COLUMNS", 200)),
        "chars": int(getattr(settings, "ZJTX_IMPORT_MAX_CELL_CHARS", 2000)),
    }


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def read_sheets(content: bytes, filename: str = "", csv_sheet: str = "Sheet1") -> dict[str, list[list[Any]]]:
    """All sheets of an upload as lists of rows (values typed by the spreadsheet; bad cells as ``BadCell``).

    A CSV file is one sheet named ``csv_sheet``."""
    limits = _limits()
    if not content:
        raise FileRejected("文件为空")
    if len(content) > limits["bytes"]:
        raise FileRejected(f"文件过大（{_mb(len(content))}），上限为 {_mb(limits['bytes'])}，请分批导入")
    if filename.lower().endswith(".csv"):
        return {csv_sheet: read_csv(content, limits)}
    return read_xlsx(content, limits)


# ---------------------------------------------------------------- CSV

def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _plausible_chinese(text: str) -> bool:
    """Bytes that decode as GB18030 are taken as Chinese only if nearly all wide characters are in the
    common GB2312 set (Latin-1/Windows-1252 text decoded as GBK gives rare ideographs instead)."""
    if "\x00" in text:
        return False
    wide = [c for c in text if ord(c) > 0x7F]
    if not wide:
        return True
    return sum(1 for c in wide if _in_gb2312(c)) / len(wide) >= 0.9


def _plausible_text(text: str) -> bool:
    """Printable ASCII, line breaks and common Chinese (for UTF-16 without a byte-order mark)."""
    if not text:
        return False
    good = sum(1 for c in text if (" " <= c <= "~") or c in "\r\n\t" or (ord(c) > 0x7F and _in_gb2312(c)))
    return good / len(text) >= 0.95


def decode_text(data: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a CSV upload, or ``FileRejected`` when the encoding is not certain."""
    unsure = FileRejected("无法确定文件编码：请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”后重新上传")
    boms = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.upper().replace("-SIG", "")
            except UnicodeDecodeError as exc:
                raise unsure from exc
    head = data[:4096]
    if head.count(0) > len(head) // 4:  # UTF-16 without BOM: every other byte of ASCII text is zero
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return data.decode(encoding), "UTF-16"
        except UnicodeDecodeError as exc:
            raise unsure from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _plausible_chinese(text):
            return text, "GBK"
    except UnicodeDecodeError:
        pass
    if len(data) % 2 == 0:  # UTF-16 without a byte-order mark and with little ASCII
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible_text(text):
                return text, "UTF-16"
    raise unsure


def read_csv(content: bytes, limits: dict[str, int] | None = None) -> list[list[Any]]:
    limits = limits or _limits()
    text, _ = decode_text(content)
    if "\x00" in text:
        raise FileRejected("CSV 文件含有空字符（可能不是文本文件）")
    rows: list[list[Any]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for n, raw in enumerate(reader, start=1):
            if n > limits["rows"] + 2:
                raise FileRejected(f"行数超过上限（最多 {limits['rows']} 行数据），请分批导入")
            if len(raw) > limits["columns"]:
                raise FileRejected(f"第{n}行列数过多（{len(raw)} 列，上限 {limits['columns']} 列）")
            rows.append([_checked_text(v, limits["chars"]) for v in raw])
    except csv.Error as exc:
        raise FileRejected(f"CSV 格式错误（第{reader.line_num}行）：请检查引号是否成对") from exc
    return rows


def _checked_text(value: str, max_chars: int) -> Any:
    if len(value) > max_chars:
        return BadCell(value[:50] + "…", f"内容过长（{len(value)} 字，上限 {max_chars} 字）")
    return value


# ---------------------------------------------------------------- XLSX

def check_zip(content: bytes, limits: dict[str, int] | None = None) -> zipfile.ZipFile:
    """The ZIP container of an .xlsx after the directory checks (nothing inflated yet)."""
    limits = limits or _limits()
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table")):
        raise FileRejected(f"文件实为网页/XML，不是 Excel 工作簿：{XLSX_HINT}")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected(f"文件为旧版 .xls 或加密的工作簿：{XLSX_HINT}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise FileRejected(f"文件不是有效的 .xlsx 工作簿（已损坏或扩展名被改过）：{XLSX_HINT}") from exc
    if len(infos) > MAX_MEMBERS:
        raise FileRejected(f"工作簿结构异常（{len(infos)} 个部件），拒绝读取")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise FileRejected(f"压缩包中没有 Excel 工作簿：{XLSX_HINT}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise FileRejected("工作簿已加密：请取消密码保护后重新上传")
        total += info.file_size
        if info.file_size >= RATIO_CHECK_FROM and info.file_size > limits["ratio"] * max(info.compress_size, 1):
            raise FileRejected(f"工作簿压缩比异常（{info.filename} 解压后为压缩前的 "
                               f"{info.file_size // max(info.compress_size, 1)} 倍，疑似压缩炸弹），拒绝读取")
    if total > limits["unzipped"]:
        raise FileRejected(f"工作簿解压后过大（{_mb(total)}，上限 {_mb(limits['unzipped'])}），请分批导入")
    return archive


def read_xlsx(content: bytes, limits: dict[str, int] | None = None) -> dict[str, list[list[Any]]]:
    limits = limits or _limits()
    check_zip(content, limits).close()
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:
        raise FileRejected(f"无法读取工作簿（文件损坏或格式不受支持）：{XLSX_HINT}") from exc
    try:
        out: dict[str, list[list[Any]]] = {}
        for ws in wb.worksheets:
            if getattr(ws, "_worksheet_path", None) is None:  # a chart sheet
                continue
            _check_dimension(ws, limits)
            try:
                out[ws.title] = _read_sheet(ws, limits)
            except FileRejected:
                raise
            except Exception as exc:
                raise FileRejected(f"工作表“{ws.title}”内容损坏，无法读取") from exc
        return out
    finally:
        wb.close()


def _check_dimension(ws: Any, limits: dict[str, int]) -> None:
    rows, cols = ws.max_row, ws.max_column
    if (rows or 0) > limits["rows"] + 2 or (cols or 0) > limits["columns"]:
        raise FileRejected(
            f"工作表“{ws.title}”声明的范围过大（{rows or 0} 行 × {cols or 0} 列，上限 {limits['rows']} 行、"
            f"{limits['columns']} 列）：请把数据复制到新工作表后重新保存")


def _read_sheet(ws: Any, limits: dict[str, int]) -> list[list[Any]]:
    """Stream one sheet's cells with openpyxl's parser, checking every row and column index first."""
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    rows: list[list[Any]] = []
    with ws._get_source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for idx, cells in parser.parse():
            if idx > limits["rows"] + 2:
                raise FileRejected(f"工作表“{ws.title}”行数超过上限（最多 {limits['rows']} 行数据），请分批导入")
            if not cells:
                continue
            width = max(c["column"] for c in cells)
            if width > limits["columns"]:
                raise FileRejected(f"工作表“{ws.title}”第{idx}行列数过多（第 {width} 列，上限 {limits['columns']} 列）")
            while len(rows) < idx - 1:
                rows.append([])
            row: list[Any] = [None] * width
            for c in cells:
                row[c["column"] - 1] = _cell_value(c, limits["chars"])
            rows.append(row)
    return rows


def _cell_value(cell: dict[str, Any], max_chars: int) -> Any:
    value, kind = cell.get("value"), cell.get("data_type")
    if kind == "f":
        return BadCell(str(value)[:50], "单元格是公式，请复制后“粘贴为数值”再导入")
    if kind == "e":
        return BadCell(str(value), f"单元格为错误值（{value}）")
    if isinstance(value, str):
        return _checked_text(value, max_chars)
    return value
