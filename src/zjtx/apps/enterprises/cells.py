"""Cell parsers for imports: each turns one spreadsheet cell into a stored value or raises ``CellError``
with a short Chinese reason (the importer prefixes it with the row and column)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from zjtx.apps.enterprises.fields import FieldSpec
from zjtx.facts import divisions as fd
from zjtx.facts import industries as fi
from zjtx.facts.uscc import InvalidUSCC, normalize_uscc

TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "对"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "不是"}
_INDUSTRY_RE = re.compile(r"^[A-T]\d{4}$")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


class CellError(ValueError):
    """Invalid cell content; ``str(exc)`` is the Chinese reason."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def raw_text(value: Any) -> str:
    """The cell as text, as kept in ``raw`` beside the normalised value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise CellError("不是数字")
    if isinstance(value, int | float | Decimal):
        try:
            d = Decimal(str(value))
        except InvalidOperation as exc:
            raise CellError("不是数字") from exc
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        text = text.removesuffix("元")
        try:
            d = Decimal(text)
        except InvalidOperation as exc:
            raise CellError("不是数字") from exc
    if not d.is_finite():
        raise CellError("不是数字")
    return d


# largest magnitudes the database columns hold (DecimalField(20, 2), DecimalField(12, 6), IntegerField)
_MAGNITUDE = {"money": Decimal(10) ** 18, "decimal": Decimal(10) ** 6, "int": Decimal(2 ** 31)}


def _magnitude(kind: str, d: Decimal) -> None:
    top = _MAGNITUDE.get(kind)
    if top is not None and abs(d) >= top:
        raise CellError("数值过大，超出可存储的范围")


def _bounds(spec: FieldSpec, d: Decimal) -> None:
    if spec.min_value is not None and d < Decimal(str(spec.min_value)):
        raise CellError("不能为负数" if spec.min_value == 0 else f"不能小于{spec.min_value:g}")
    if spec.max_value is not None and d > Decimal(str(spec.max_value)):
        raise CellError(f"不能大于{spec.max_value:g}")


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:  # an Excel serial day number
            return date(1899, 12, 30) + timedelta(days=int(value))
        raise CellError("不是有效日期（应为YYYY-MM-DD）")
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError("不是有效日期（应为YYYY-MM-DD）")


def parse_cell(spec: FieldSpec, value: Any) -> Any:
    """The stored value for a non-blank cell of field ``spec``."""
    reason = getattr(value, "reason", None)
    if reason is not None:  # a cell the reader could not use (formula, error value, over-long text)
        raise CellError(reason)
    kind = spec.kind
    if kind == "uscc":
        if isinstance(value, float) and value >= 1e15:
            raise CellError("被Excel存成了数字（精度已丢失），请将该列设为文本格式后重新填写")
        try:
            return normalize_uscc(value)
        except InvalidUSCC as exc:
            raise CellError(exc.reason) from exc
    if kind == "str":
        text = raw_text(value)
        if spec.personal and "*" in text:
            raise CellError("含脱敏字符“*”，请填写完整信息或留空")
        if len(text) > 200:
            raise CellError("内容过长（最多200字）")
        return text
    if kind == "division":
        text = raw_text(value).replace(" ", "")
        div = fd.division_by_code(text, follow=True) if text.isdigit() else fd.division_by_name(text)
        if div is None and " " in raw_text(value):
            div = fd.division_by_code(raw_text(value).split()[0], follow=True)
        if div is None:
            raise CellError("不存在")
        if not div.current:
            succ = fd.division_by_code(div.code, follow=True)
            if succ is None:
                raise CellError("已撤销且无继承镇街")
            div = succ
        return div.code
    if kind == "industry":
        text = raw_text(value).split()[0] if raw_text(value) else ""
        code = fi.normalize_code(text)
        if not _INDUSTRY_RE.match(code):
            raise CellError("格式应为门类字母加4位数字（如C3919）")
        if fi.major_of(code) is None or fi.section_of(code) != code[0]:
            raise CellError("不存在")
        return code
    if kind == "date":
        d = parse_date(value)
        if d.year < 1900 or (d > date.today() and spec.name != "expires_on"):
            raise CellError("日期不能晚于今天" if d.year >= 1900 else "日期超出合理范围")
        return d
    if kind == "year":
        d = _number(value)
        if d != d.to_integral_value():
            raise CellError("应为四位年份")
        year = int(d)
        if not 1990 <= year <= date.today().year:
            raise CellError(f"应为1990至{date.today().year}之间的年份")
        return year
    if kind == "money":
        d = _number(value)
        _magnitude(kind, d)
        _bounds(spec, d)
        return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if kind == "int":
        d = _number(value)
        if d != d.to_integral_value():
            raise CellError("应为整数")
        _magnitude(kind, d)
        _bounds(spec, d)
        return int(d)
    if kind == "decimal":
        d = _number(value)
        _magnitude(kind, d)
        _bounds(spec, d)
        return d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    if kind == "fraction":
        text = raw_text(value).replace(" ", "")
        if text.endswith("%"):
            d = _number(text[:-1]) / 100
        else:
            d = _number(value)
        if d < 0 or d > 1:
            raise CellError("应为0到1之间的小数或百分数（如0.03或3%）")
        return d.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = raw_text(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        raise CellError("应填“是”或“否”")
    if kind == "choice":
        text = raw_text(value)
        for code, label in spec.choices:
            if text in (code, label):
                return code
        allowed = "、".join(label for _, label in spec.choices)
        raise CellError(f"不在可选值中（可选：{allowed}）")
    raise CellError("无法识别的字段类型")  # pragma: no cover
