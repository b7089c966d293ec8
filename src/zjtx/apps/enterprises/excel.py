"""Excel templates (Chinese headers, notes row, dropdowns) and the registry's data layout for export."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zjtx.apps.enterprises.fields import BY_NAME, IMPORT_FIELDS, TITLE_IMPORT_FIELDS, FieldSpec
from zjtx.apps.enterprises.importer import MAIN_SHEET, NOTES_MARK, TITLE_SHEET
from zjtx.facts import divisions as fd
from zjtx.facts import industries as fi

_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_NOTE_FILL = PatternFill("solid", fgColor="F2F2F2")


def _lists_sheet(wb: Workbook) -> dict[str, str]:
    """A hidden sheet “代码表” with the dropdown lists; returns list name → range formula."""
    ws = wb.create_sheet("代码表")
    lists: dict[str, list[str]] = {
        "division": [d.name for d in fd.current_divisions()],
        "industry": [f"{code} {name}" for code, name in sorted(fi.CLASSES.items())],
        "bool": ["是", "否"],
    }
    for spec in (*IMPORT_FIELDS, *TITLE_IMPORT_FIELDS):
        if spec.kind == "choice":
            lists[spec.name] = [label for _, label in spec.choices]
    ranges: dict[str, str] = {}
    for col, (key, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value={"bool": "是/否", "title": "称号"}.get(key) or BY_NAME[key].label)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=col, value=v)
        ranges[key] = f"代码表!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _sheet(wb: Workbook, title: str, specs: Iterable[FieldSpec], ranges: dict[str, str],
           rows: Iterable[Iterable[Any]] = (), first: bool = False, max_rows: int = 5000) -> None:
    ws = wb.active if first else wb.create_sheet(title)
    ws.title = title
    specs = list(specs)
    for col, spec in enumerate(specs, start=1):
        head = ws.cell(row=1, column=col, value=spec.header)
        head.font = Font(bold=True, color="FFFFFF")
        head.fill = _HEAD_FILL
        head.alignment = Alignment(wrap_text=True, vertical="center")
        note = spec.note if col > 1 else f"{NOTES_MARK}{spec.note}"
        cell = ws.cell(row=2, column=col, value=note)
        cell.font = Font(italic=True, color="595959", size=9)
        cell.fill = _NOTE_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = max(12, min(30, len(spec.header) * 2 + 2))
        if spec.kind in ("uscc", "industry") or spec.personal:
            # text cells: Excel must not turn an all-digit code or a phone number into a float
            ws.column_dimensions[get_column_letter(col)].number_format = "@"
        key = spec.name if spec.kind == "choice" else spec.kind
        formula = ranges.get(key)
        if formula:
            strict = spec.kind != "industry"
            dv = DataValidation(type="list", formula1=f"={formula}", allow_blank=True, showErrorMessage=strict,
                                errorTitle="输入有误", error=f"请从下拉列表选择{spec.label}")
            ws.add_data_validation(dv)
            dv.add(f"{get_column_letter(col)}3:{get_column_letter(col)}{max_rows}")
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 48
    ws.freeze_panes = "B3"
    for r, values in enumerate(rows, start=3):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and cell.data_type == "f":
                cell.data_type = "s"  # exported text, never a live formula (formula injection)


def _instructions(wb: Workbook) -> None:
    ws = wb.create_sheet("填写说明")
    lines = [
        "中山市专精特新梯度培育企业库 导入模板",
        "1. “企业年报”表每行为一家企业某一年度的数据；同一企业多个年度填多行。",
        "2. 按统一社会信用代码更新已有企业，不会重复新增；只更新填写了的单元格（空白单元格保留原值）。",
        "3. 金额单位为元；比例填小数（0.03）或百分数（3%）；日期格式 YYYY-MM-DD。",
        "4. 第2行为填写说明，导入时自动忽略，可保留。",
        "5. 上传后系统先逐行检查并列出全部问题，确认后才写入；任何一行出错则整个文件不导入。",
        "6. “荣誉资质”表填写企业已获称号（高新技术企业、专精特新等），可留空。",
        "7. 联系人、联系电话属于个人信息，仅用于政策服务联系。",
    ]
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line).font = Font(bold=(i == 1))
    ws.column_dimensions["A"].width = 100


def build_workbook(main_rows: Iterable[Iterable[Any]] = (), title_rows: Iterable[Iterable[Any]] = ()) -> bytes:
    """The import template, optionally pre-filled (exports use the same layout, so they re-import)."""
    wb = Workbook()
    ranges = _lists_sheet(wb)
    _sheet(wb, MAIN_SHEET, IMPORT_FIELDS, ranges, main_rows, first=True)
    _sheet(wb, TITLE_SHEET, TITLE_IMPORT_FIELDS, ranges, title_rows)
    _instructions(wb)
    wb.move_sheet("代码表", offset=10)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_bytes() -> bytes:
    """The empty import template."""
    return build_workbook()
