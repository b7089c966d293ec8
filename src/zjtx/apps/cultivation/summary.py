"""推荐汇总表: the batch recommendation list in the official summary-sheet shape (XLSX)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from zjtx.apps.cultivation.models import Application, tier_label

HEADERS = ["序号", "企业名称", "统一社会信用代码", "所属镇街", "所属行业", "主导产品", "上年度营业收入（万元）",
           "研发费用（万元）", "研发费用占营业收入比重（%）", "评价得分", "推荐意见", "备注"]
COLUMNS = [("no", "序号"), ("name", "企业名称"), ("uscc", "统一社会信用代码"), ("division", "所属镇街"),
           ("industry", "所属行业"), ("main_product", "主导产品"), ("revenue_wan", "上年度营业收入（万元）"),
           ("rd_wan", "研发费用（万元）"), ("rd_ratio", "研发费用占营业收入比重（%）"), ("score", "评价得分"),
           ("recommendation", "推荐意见"), ("note", "备注")]


def _wan(v: Any) -> float | None:
    if v is None:
        return None
    return round(float(Decimal(str(v)) / Decimal(10000)), 2)


def summary_rows(apps: Iterable[Application]) -> list[dict[str, Any]]:
    """One row per application, figures from the record frozen at submission (万元, 1 decimal %)."""
    from zjtx.facts import industries as fi

    rows = []
    for i, a in enumerate(apps, start=1):
        rec = a.evaluation_record or {}
        revenue = rec.get("revenue_y1")
        rd = rec.get("rd_expense_y1") if rec.get("rd_expense_y1") is not None else rec.get("rd_expense_tax_y1")
        ratio = round(100 * float(rd) / float(revenue), 1) if rd is not None and revenue else None
        ev = a.evaluation if isinstance(a.evaluation, dict) else {}
        score = a.dev_score if a.dev_score is not None else ev.get("score")
        e = a.enterprise
        industry = f"{e.industry} {fi.industry_name(e.industry) or ''}".strip() if e.industry else ""
        rows.append({"no": i, "name": e.name, "uscc": e.uscc, "division": e.division.name if e.division_id else "",
                     "industry": industry, "main_product": a.main_product, "revenue_wan": _wan(revenue),
                     "rd_wan": _wan(rd), "rd_ratio": ratio, "score": float(score) if score is not None else None,
                     "recommendation": a.recommendation or "同意推荐", "note": a.note})
    return rows


def summary_xlsx(apps: list[Application], title: str, unit: str = "中山市工业和信息化局",
                 on: date | None = None) -> bytes:
    """Title row, 填报单位/日期 row, headers, data, a signature row — the usual upward-report layout."""
    import xlsxwriter

    on = on or date.today()
    rows = summary_rows(apps)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("推荐汇总表")
    title_fmt = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    meta = wb.add_format({"font_size": 11})
    head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True,
                          "bg_color": "#D9E1F2"})
    cell = wb.add_format({"border": 1, "valign": "vcenter", "text_wrap": True})
    num = wb.add_format({"border": 1, "num_format": "#,##0.00"})
    pct = wb.add_format({"border": 1, "num_format": "0.0"})
    text = wb.add_format({"border": 1, "num_format": "@"})
    last = len(HEADERS) - 1
    ws.merge_range(0, 0, 0, last, title, title_fmt)
    ws.set_row(0, 30)
    ws.write(1, 0, f"填报单位（盖章）：{unit}", meta)
    ws.write(1, last - 2, f"填报日期：{on.year}年{on.month}月{on.day}日", meta)
    for c, h in enumerate(HEADERS):
        ws.write(2, c, h, head)
    ws.set_row(2, 36)
    widths = [6, 32, 22, 12, 24, 24, 14, 12, 12, 10, 28, 16]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    for r, row in enumerate(rows, start=3):
        for c, (key, _) in enumerate(COLUMNS):
            v = row[key]
            fmt = {"uscc": text, "revenue_wan": num, "rd_wan": num, "rd_ratio": pct, "score": num}.get(key, cell)
            if v is None:
                ws.write_blank(r, c, None, fmt)
            else:
                ws.write(r, c, v, fmt)
    end = 3 + len(rows)
    ws.write(end, 0, f"合计：{len(rows)} 家", meta)
    ws.write(end + 2, 0, "填表人：            联系电话：            审核人：", meta)
    ws.freeze_panes(3, 0)
    ws.repeat_rows(2)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()


def sheet_title(year: int | None, tier: str | None, batch: str | None) -> str:
    parts = [f"{year}年" if year else "", batch or "", tier_label(tier) if tier else "梯度培育企业"]
    return "".join(parts) + "推荐汇总表"
