"""The target-list layout (Django-free, so the demo can write the shipped sample): sheet, columns
and the template workbook. Column names are FIELDS.md names (evaluation-record fields); headers
follow the registry template's conventions (Chinese header row, a notes row, money in 元)."""

from __future__ import annotations

import io
from typing import Any

from zjtx.apps.enterprises.fields import FieldSpec

NOTES_MARK = "【填写说明】"  # the registry template's notes-row mark (enterprises.importer.NOTES_MARK)
E = "enterprise"
SHEET = "招商名单"

# Columns of the target-list template. Names are FIELDS.md names (evaluation-record fields).
TARGET_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("uscc", "统一社会信用代码", "uscc", E, "18位，必填；同一名单内按此代码更新"),
    FieldSpec("name", "企业名称", "str", E, "必填"),
    FieldSpec("region", "所在地市", "str", E, "如 深圳市；空则按统一社会信用代码第3–6位判断"),
    FieldSpec("industry", "国民经济行业分类", "industry", E, "GB/T 4754-2017 小类，如C3919", aliases=("行业代码",)),
    FieldSpec("founded_on", "成立日期", "date", E, "YYYY-MM-DD"),
    FieldSpec("main_product", "主导产品", "str", E, ""),
    FieldSpec("employees_y1", "职工总数（上年度）", "int", E, "人"),
    FieldSpec("rd_staff_y1", "研发人员数（上年度）", "int", E, "人"),
    FieldSpec("revenue_y1", "营业收入（上年度）", "money", E, "元"),
    FieldSpec("revenue_y2", "营业收入（上上年度）", "money", E, "元"),
    FieldSpec("revenue_y3", "营业收入（前三年度）", "money", E, "元"),
    FieldSpec("main_revenue_y1", "主营业务收入（上年度）", "money", E, "元"),
    FieldSpec("main_revenue_y2", "主营业务收入（上上年度）", "money", E, "元"),
    FieldSpec("rd_expense_y1", "研发费用总额（上年度）", "money", E, "元"),
    FieldSpec("net_profit_y1", "净利润（上年度）", "money", E, "元；可为负数", min_value=None),
    FieldSpec("total_assets_y1", "资产总额（上年度）", "money", E, "元"),
    FieldSpec("total_liabilities_y1", "负债总额（上年度）", "money", E, "元"),
    FieldSpec("ip1", "Ⅰ类知识产权数", "int", E, "件", aliases=("I类知识产权数",)),
    FieldSpec("ip1_high_value", "其中Ⅰ类高价值知识产权数", "int", E, "件"),
    FieldSpec("niche_years", "从事特定细分市场年限", "decimal", E, "年"),
    FieldSpec("strategic_emerging", "主导产品属于战略性新兴产业分类", "bool", E, "是/否"),
    FieldSpec("high_tech_valid", "有效期内高新技术企业", "bool", E, "是/否"),
    FieldSpec("abnormal_or_dishonest", "列入经营异常名录或严重失信主体名单", "bool", E, "是/否"),
    FieldSpec("major_incident_3y", "近三年发生重大安全质量环境事故或偷漏税等违法行为", "bool", E, "是/否"),
    FieldSpec("restricted_industry", "产品或服务属于国家禁止限制或淘汰类", "bool", E, "是/否"),
)
# Registration region (USCC characters 3–6) → 地级市 of Guangdong.
GD_CITIES = {
    "4401": "广州市", "4402": "韶关市", "4403": "深圳市", "4404": "珠海市", "4405": "汕头市", "4406": "佛山市",
    "4407": "江门市", "4408": "湛江市", "4409": "茂名市", "4412": "肇庆市", "4413": "惠州市", "4414": "梅州市",
    "4415": "汕尾市", "4416": "河源市", "4417": "阳江市", "4418": "清远市", "4419": "东莞市", "4420": "中山市",
    "4451": "潮州市", "4452": "揭阳市", "4453": "云浮市",
}  # fmt: skip

# ----------------------------------------------------------------------------------- template/sample

def template_bytes(rows: list[list[Any]] | None = None) -> bytes:
    """The target-list template (Chinese headers, notes row), optionally filled."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    for col, spec in enumerate(TARGET_FIELDS, start=1):
        c = ws.cell(row=1, column=col, value=spec.header)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1F4E79")
        ws.cell(row=2, column=col, value=(NOTES_MARK if col == 1 else "") + spec.note)
        ws.column_dimensions[c.column_letter].width = max(12, min(30, len(spec.header) * 2 + 2))
    ws.column_dimensions["A"].number_format = "@"
    for r, values in enumerate(rows or [], start=3):
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and cell.data_type == "f":
                cell.data_type = "s"  # filled text, never a live formula (formula injection)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
