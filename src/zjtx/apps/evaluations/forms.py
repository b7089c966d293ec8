"""The self-assessment form (自评): FIELDS.md record fields with Chinese labels; money in 万元."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms

WAN = Decimal(10000)

IDENTITY = ["name", "uscc", "industry", "founded_on"]
YEAR_FIELDS = {
    "y1": ["employees", "tech_staff", "rd_staff", "revenue", "main_revenue", "sales_revenue", "rd_expense",
           "rd_expense_tax", "rd_expense_domestic", "total_cost", "net_profit", "total_assets", "total_liabilities",
           "high_tech_revenue", "equity_financing", "taxable_income"],
    "y2": ["employees", "revenue", "main_revenue", "rd_expense", "rd_expense_tax", "net_profit", "total_assets",
           "total_liabilities", "equity_financing"],
    "y3": ["employees", "revenue", "main_revenue", "rd_expense", "rd_expense_tax", "net_profit", "total_assets",
           "total_liabilities", "equity_financing"],
}
SNAPSHOT = ["ip1", "ip1_high_value", "ip1_self_developed", "ip1_applied", "ip2", "ip2_mature", "niche_years",
            "strategic_emerging", "product_field", "market_share", "market_rank_cn", "market_rank_global",
            "digital_level", "quality_items", "own_brand", "quality_cert", "it_systems", "rd_institution",
            "core_tech_product"]
COMPLIANCE = ["abnormal_or_dishonest", "major_incident_3y", "restricted_industry"]
AWARDS = ["national_award_rank_3y", "provincial_award_rank_3y", "national_award_rank_5y", "led_standard_5y",
          "chuangke_rank_3y"]
TITLES = ["high_tech_valid", "tech_sme_registered", "innovative_sme_valid", "specialized_sme_valid",
          "little_giant_valid", "innovation_honor_valid"]
BOOL_CHOICES = [("", "未知"), ("1", "是"), ("0", "否")]
ENUM_LABELS = {
    "key_link": "补短板/锻长板/填空白取得实效", "six_basics": "工业六基/中华老字号/服务龙头企业", "other": "其他",
    "national": "国家级", "provincial": "省级", "city": "市级", "below_city": "市级以下", "none": "无",
}


def sections() -> list[tuple[str, list[str]]]:
    """(heading, record field names) in form order."""
    out = [("企业基本信息", IDENTITY)]
    out += [(heading, [f"{f}_{y}" for f in YEAR_FIELDS[y]])
            for y, heading in (("y1", "上年度经营数据"), ("y2", "前一年度（上上年度）"), ("y3", "前两年度"))]
    out += [("知识产权、市场与管理", SNAPSHOT), ("合规情况", COMPLIANCE), ("奖励与标准", AWARDS),
            ("已持有的称号（有效期内）", TITLES)]
    return out


def _spec(name: str) -> Any:
    from zjtx.policies import catalog

    return catalog().schema.get(name)


def _field(name: str) -> forms.Field:
    spec = _spec(name)
    label = spec.label if spec else name
    kind = spec.kind if spec else "str"
    if name == "name":
        return forms.CharField(label="企业名称", max_length=200, required=False)
    if name == "uscc":
        return forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    if kind in ("money", "signed_money"):
        return forms.DecimalField(label=f"{label}（万元）", required=False, decimal_places=6, max_digits=20,
                                  min_value=None if kind == "signed_money" else Decimal(0))
    if kind == "ratio":
        return forms.DecimalField(label=f"{label}（%）", required=False, min_value=Decimal(0),
                                  max_value=Decimal(100), decimal_places=4)
    if kind in ("count", "rank"):
        return forms.IntegerField(label=label, required=False, min_value=1 if kind == "rank" else 0)
    if kind in ("number", "score"):
        return forms.DecimalField(label=label, required=False, decimal_places=4)
    if kind == "bool":
        return forms.TypedChoiceField(label=label, choices=BOOL_CHOICES, required=False,
                                      coerce=lambda v: v == "1", empty_value=None)
    if kind == "enum":
        return forms.ChoiceField(label=label, required=False,
                                 choices=[("", "未知")] + [(v, ENUM_LABELS.get(v, v)) for v in spec.values])
    if kind == "date":
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    return forms.CharField(label=label, required=False, max_length=200)


class SelfAssessmentForm(forms.Form):
    on = forms.DateField(label="评价日期", initial=dt.date.today, widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label="或上传导入模板（.xlsx/.csv）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for _, names in sections():
            for name in names:
                self.fields[name] = _field(name)

    def grouped(self) -> list[tuple[str, list[Any]]]:
        return [(heading, [self[n] for n in names]) for heading, names in sections()]

    def record(self) -> dict[str, Any]:
        """The evaluation record: 万元 → 元, % → fraction, blanks → unknown (absent)."""
        rec: dict[str, Any] = {}
        for _, names in sections():
            for name in names:
                rec[name] = to_record_value(name, self.cleaned_data.get(name))
        rec["uscc"] = (rec.get("uscc") or "").upper() or "SELF-ASSESSMENT"
        return {k: v for k, v in rec.items() if v is not None and v != ""}


def to_record_value(name: str, value: Any) -> Any:
    spec = _spec(name)
    kind = spec.kind if spec else "str"
    if value is None or value == "":
        return None
    if kind in ("money", "signed_money"):
        return float(Decimal(value) * WAN)
    if kind == "ratio":
        return float(Decimal(value) / 100)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_form_value(name: str, value: Any) -> Any:
    """A record value as the form shows it (元 → 万元, fraction → %)."""
    spec = _spec(name)
    kind = spec.kind if spec else "str"
    if value is None:
        return None
    if kind in ("money", "signed_money"):
        return _plain(Decimal(str(value)) / WAN)
    if kind == "ratio":
        return _plain(Decimal(str(value)) * 100)
    if kind == "bool":
        return "1" if value else "0"
    return value


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros ("1000", "12.5")."""
    text = format(d.normalize(), "f")
    return text
