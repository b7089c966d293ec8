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


# The enterprise's own documents, in the order it opens them; each field once (y1/y2/y3 = 上年度/上上年度/前三年度).
DOCUMENTS: list[tuple[str, str, list[str]]] = [
    ("营业执照", "企业基本信息", IDENTITY),
    ("财务报表（利润表、资产负债表）", "近三个会计年度的年度财务报表；金额单位：万元",
     [f"{f}_{y}" for y in ("y1", "y2", "y3") for f in ("revenue", "main_revenue", "sales_revenue", "rd_expense",
                                                        "total_cost", "net_profit", "total_assets", "total_liabilities")
      if f"{f}_{y}" in {f"{n}_{yy}" for yy, ns in YEAR_FIELDS.items() for n in ns}]),
    ("汇算清缴 A107012 研发费用加计扣除优惠明细表", "企业所得税年度纳税申报表及其附表；金额单位：万元",
     [f"{f}_{y}" for y in ("y1", "y2", "y3") for f in ("rd_expense_tax", "rd_expense_domestic")
      if f"{f}_{y}" in {f"{n}_{yy}" for yy, ns in YEAR_FIELDS.items() for n in ns}] + ["taxable_income_y1"]),
    ("职工花名册与社保缴纳记录", "上年度在职、兼职和临时聘用人员",
     ["employees_y1", "tech_staff_y1", "rd_staff_y1", "employees_y2", "employees_y3"]),
    ("知识产权证书", "有效且与主导产品相关的专利、软件著作权等证书",
     ["ip1", "ip1_high_value", "ip1_self_developed", "ip1_applied", "ip2", "ip2_mature", "ht_conversions_3y"]),
    ("荣誉证书与资质文件", "认定文件、入库登记、获奖证书、标准文本",
     TITLES + ["national_award_rank_3y", "provincial_award_rank_3y", "national_award_rank_5y", "led_standard_5y",
               "chuangke_rank_3y", "zjtx_dev_score"]),
    ("主导产品与经营情况", "企业自行掌握的市场、产品与管理情况",
     ["high_tech_revenue_y1", "equity_financing_y1", "equity_financing_y2", "equity_financing_y3", "niche_years",
      "strategic_emerging", "product_field", "core_tech_product", "market_share", "market_rank_cn",
      "market_rank_global", "rd_institution", "digital_level", "quality_items", "own_brand", "quality_cert",
      "it_systems"]),
    ("信用与合规（信用中国、国家企业信用信息公示系统）", "经营异常、失信、事故与产业政策情况", COMPLIANCE),
]
YEAR_FIELDS["y2"] = YEAR_FIELDS["y2"] + ["sales_revenue", "rd_expense_domestic"]
YEAR_FIELDS["y3"] = YEAR_FIELDS["y3"] + ["sales_revenue", "rd_expense_domestic"]
DOCUMENTS[1] = (DOCUMENTS[1][0], DOCUMENTS[1][1],
                [f"{f}_{y}" for y in ("y1", "y2", "y3") for f in ("revenue", "main_revenue", "sales_revenue",
                                                                  "rd_expense", "total_cost", "net_profit",
                                                                  "total_assets", "total_liabilities")
                 if f in YEAR_FIELDS[y]])
DOCUMENTS[2] = (DOCUMENTS[2][0], DOCUMENTS[2][1],
                [f"{f}_{y}" for y in ("y1", "y2", "y3") for f in ("rd_expense_tax", "rd_expense_domestic")
                 if f in YEAR_FIELDS[y]] + ["taxable_income_y1"])
EXTRA_ENTERPRISE = ["ht_conversions_3y", "zjtx_dev_score"]

YEAR_WORDS = {"y1": "上年度", "y2": "上上年度", "y3": "前三年度"}
# base field → (definition, where the number is found); the unit follows from the field's kind
HELP: dict[str, tuple[str, str]] = {
    "name": ("企业在营业执照上登记的全称", "营业执照"),
    "uscc": ("18位统一社会信用代码", "营业执照左上方"),
    "industry": ("国民经济行业分类小类代码，字母加4位数字，如C3919", "统计年报或营业执照经营范围对应的行业代码"),
    "founded_on": ("企业注册成立的日期", "营业执照“成立日期”"),
    "revenue": ("会计年度的营业收入总额", "利润表“营业收入”行"),
    "main_revenue": ("主营业务取得的收入", "利润表附注或收入明细“主营业务收入”"),
    "sales_revenue": ("主营业务收入与其他业务收入之和；不填则按营业收入计", "利润表及附注"),
    "rd_expense": ("会计口径的研发费用总额", "利润表“研发费用”行及管理费用明细"),
    "total_cost": ("营业成本、税金及附加、期间费用等成本费用支出合计", "利润表各成本费用行合计"),
    "net_profit": ("会计年度净利润，亏损填负数", "利润表“净利润”行"),
    "total_assets": ("年末资产总额", "资产负债表“资产总计”行"),
    "total_liabilities": ("年末负债总额", "资产负债表“负债合计”行"),
    "rd_expense_tax": ("可加计扣除的研发费用（税收口径）", "汇算清缴 A107012 表“可加计扣除的研发费用合计”"),
    "rd_expense_domestic": ("在中国境内发生的研发费用", "A107012 表及研发费用辅助账（剔除境外委托研发）"),
    "taxable_income": ("企业所得税应纳税所得额，亏损填负数", "汇算清缴 A100000 主表“应纳税所得额”行"),
    "employees": ("在职、兼职和临时聘用人员合计", "职工花名册、社保缴纳名单"),
    "tech_staff": ("从事研发和相关技术创新活动的科技人员（累计工作183天以上）", "职工花名册中的技术岗位人员"),
    "rd_staff": ("直接从事研发活动的人员", "研发项目立项文件的人员名单、A107012 表人员人工"),
    "ip1": ("有效的发明专利、集成电路布图设计、植物新品种等Ⅰ类知识产权", "专利证书、国家知识产权局查询"),
    "ip1_high_value": ("Ⅰ类中的高价值知识产权（海外同族、质押融资、获奖等）", "专利证书及相关证明"),
    "ip1_self_developed": ("Ⅰ类中自主研发（非受让）取得的", "专利证书上的原始权利人"),
    "ip1_applied": ("Ⅰ类中已在主导产品上应用并产生经济效益的", "专利实施证明、产品说明"),
    "ip2": ("实用新型、外观设计、软件著作权等Ⅱ类知识产权", "实用新型/外观设计专利证书、软件著作权登记证书"),
    "ip2_mature": ("软件著作权加授权后维持超过2年的实用新型/外观设计", "证书授权日期"),
    "ht_conversions_3y": ("近三年科技成果转化为产品、服务、样品等的项数", "科技成果转化证明材料"),
    "high_tech_valid": ("是否持有有效期内的高新技术企业证书", "高新技术企业证书"),
    "tech_sme_registered": ("当年是否已取得科技型中小企业入库登记编号", "科技型中小企业服务平台"),
    "innovative_sme_valid": ("是否为有效期内的创新型中小企业", "省工信部门公告"),
    "specialized_sme_valid": ("是否为有效期内的省级专精特新中小企业", "省工信部门公告"),
    "little_giant_valid": ("是否为有效期内的专精特新“小巨人”企业", "工业和信息化部公告"),
    "innovation_honor_valid": ("是否为有效期内国家级技术创新示范企业、知识产权优势/示范企业", "认定文件"),
    "national_award_rank_3y": ("近三年国家级科技奖励中本企业的最好排名（无则留空）", "获奖证书"),
    "provincial_award_rank_3y": ("近三年省级科技奖励中本企业的最好排名（无则留空）", "获奖证书"),
    "national_award_rank_5y": ("近五年国家级科技奖励中本企业的最好排名（无则留空）", "获奖证书"),
    "led_standard_5y": ("近五年是否主导制定国际、国家或行业标准", "标准文本起草单位名单"),
    "chuangke_rank_3y": ("近三年“创客中国”大赛全国最好名次（无则留空）", "获奖证书"),
    "zjtx_dev_score": ("优质中小企业梯度培育平台给出的专精特新发展评价得分", "优质中小企业梯度培育平台"),
    "high_tech_revenue": ("高新技术产品（服务）收入", "高新技术产品收入专项审计报告"),
    "equity_financing": ("当年合格机构投资者实缴的新增股权融资额", "验资报告、工商变更登记"),
    "niche_years": ("截至上年末从事当前细分市场的年数", "主导产品首次销售合同或企业简介"),
    "strategic_emerging": ("主导产品是否属于《战略性新兴产业分类》", "《战略性新兴产业分类（2018）》对照"),
    "product_field": ("主导产品所属领域", "产品说明、行业主管部门文件"),
    "core_tech_product": ("是否拥有关键核心技术的科技产品（中山“四科”标准）", "产品技术说明"),
    "market_share": ("主导产品在全国细分市场的占有率", "行业协会统计或第三方市场报告"),
    "market_rank_cn": ("主导产品在国内细分市场的排名", "行业协会统计或第三方市场报告"),
    "market_rank_global": ("主导产品在全球细分市场的排名", "行业协会统计或第三方市场报告"),
    "rd_institution": ("经认定的最高级别研发机构（技术中心、工程中心等）", "研发机构认定文件"),
    "digital_level": ("数字化水平等级（1–4级）", "中小企业数字化水平评测结果"),
    "quality_items": ("质量管理体系、品牌等质量管理项数（0–4项）", "认证证书"),
    "own_brand": ("是否拥有自主品牌", "商标注册证"),
    "quality_cert": ("是否取得管理体系认证或发达国家和地区产品认证", "认证证书"),
    "it_systems": ("有信息系统支撑的核心业务环节数", "企业信息化系统清单"),
    "abnormal_or_dishonest": ("是否被列入经营异常名录或严重失信主体名单", "信用中国、国家企业信用信息公示系统"),
    "major_incident_3y": ("近三年是否发生重大安全、质量、环境污染事故或偷漏税等违法违规行为", "主管部门处罚记录"),
    "restricted_industry": ("产品或服务是否属于国家禁止、限制或淘汰类", "《产业结构调整指导目录》"),
}
UNITS = {"money": "万元", "signed_money": "万元（亏损填负数）", "ratio": "%", "count": "个/人/项", "rank": "名",
         "number": "", "score": "分", "bool": "", "enum": "", "date": "日期，如2024-06-30"}


def base_name(name: str) -> tuple[str, str]:
    for y in ("_y1", "_y2", "_y3"):
        if name.endswith(y):
            return name[: -len(y)], y[1:]
    return name, ""


def help_text(name: str) -> str:
    """Definition, where the number is found, and its unit."""
    base, year = base_name(name)
    definition, where = HELP.get(base, ("", ""))
    spec = _spec(name)
    kind = spec.kind if spec else ""
    unit = UNITS.get(kind, "")
    if kind == "count":
        unit = "人" if base in ("employees", "tech_staff", "rd_staff") else "件" if base.startswith("ip") else \
            "个" if base == "it_systems" else "项"
    parts = [definition + (f"（{YEAR_WORDS[year]}）" if year else "")] if definition else []
    if where:
        parts.append(f"见：{where}")
    if unit:
        parts.append(f"单位：{unit}")
    return "；".join(parts)


def sections(needed: set[str] | None = None) -> list[tuple[str, list[str]]]:
    """(document, record field names) in form order; with ``needed``, only those fields (and non-empty groups)."""
    out = []
    for heading, _, names in DOCUMENTS:
        keep = [n for n in names if needed is None or n in needed or n in IDENTITY[:2]]
        if keep:
            out.append((heading, keep))
    return out


def needed_fields(policies: list[str], on: dt.date) -> set[str]:
    """The form fields the chosen tiers read (their rule versions in force on ``on``)."""
    from zjtx.policies import catalog

    cat = catalog()
    out: set[str] = set()
    for pid in policies:
        try:
            out |= set(cat.get(pid).input_fields(on))
        except Exception:  # a tier without a rule version on that date: nothing to ask
            continue
    return out


def tier_choices() -> list[tuple[str, str]]:
    from zjtx.policies.catalog import LADDER, SIDE, catalog

    cat = catalog()
    return [(r.policy, cat.name(r.policy)) for r in [*LADDER, *SIDE]]


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
        return forms.DateField(label=label, required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    return forms.CharField(label=label, required=False, max_length=200)


class SelfAssessmentForm(forms.Form):
    """评价日期 (ISO date input), the tiers of interest, and only the fields those tiers read, grouped by
    the enterprise's documents, each with its help text (definition, where found, unit)."""

    on = forms.DateField(label="评价日期", initial=dt.date.today,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                         input_formats=["%Y-%m-%d", "%Y/%m/%d"])
    tiers = forms.MultipleChoiceField(label="关心的梯度层级", required=False, widget=forms.CheckboxSelectMultiple)
    file = forms.FileField(label="或上传导入模板（.xlsx/.csv）", required=False)

    def __init__(self, *args: Any, tiers: list[str] | None = None, on: dt.date | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tiers"].choices = tier_choices()
        self.chosen = [t for t in (tiers or []) if t in dict(self.fields["tiers"].choices)]
        self.needed = needed_fields(self.chosen, on or dt.date.today()) if self.chosen else None
        for _, names in sections(self.needed):
            for name in names:
                field = _field(name)
                field.help_text = help_text(name)
                self.fields[name] = field

    def grouped(self) -> list[tuple[str, str, list[Any]]]:
        intro = {h: i for h, i, _ in DOCUMENTS}
        return [(heading, intro.get(heading, ""), [self[n] for n in names])
                for heading, names in sections(self.needed)]

    def record(self) -> dict[str, Any]:
        """The evaluation record: 万元 → 元, % → fraction, blanks → unknown (absent)."""
        rec: dict[str, Any] = {}
        for _, names in sections(self.needed):
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
