"""The registry's field catalogue: one entry per stored field, named as in FIELDS.md.

Import templates, exports, the JSON API and the model definitions are all driven by this table,
so a field is declared once. ``label`` is the Chinese column header of the Excel templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["str", "uscc", "division", "industry", "date", "money", "int", "decimal", "fraction", "bool", "choice", "year"]
Level = Literal["enterprise", "annual"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    level: Level
    note: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    min_value: float | None = 0
    max_value: float | None = None
    personal: bool = False
    aliases: tuple[str, ...] = field(default=())

    @property
    def header(self) -> str:
        unit = "（元）" if self.kind == "money" else ""
        return f"{self.label}{unit}"


PRODUCT_FIELD_CHOICES = (
    ("key_link", "补短板/锻长板/填空白取得实效"),
    ("six_basics", "工业六基/中华老字号/服务龙头企业"),
    ("other", "其他"),
)
RD_INSTITUTION_CHOICES = (
    ("national", "国家级"),
    ("provincial", "省级"),
    ("city", "市级"),
    ("below_city", "市级以下"),
    ("none", "无"),
)
PROVENANCE_CHOICES = (
    ("self", "自填"),
    ("registry", "工商"),
    ("tax", "税务"),
    ("third_party", "第三方"),
    ("verified", "已核验"),
)
PROVENANCE_LABELS = dict(PROVENANCE_CHOICES)

E, A = "enterprise", "annual"

ENTERPRISE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("uscc", "统一社会信用代码", "uscc", E, "18位，必填；按此代码更新，不会重复新增"),
    FieldSpec("name", "企业名称", "str", E, "新增企业时必填", aliases=("企业名称（全称）",)),
    FieldSpec("division", "所属镇街", "division", E, "下拉选择；可填名称或9位代码，旧名（如东升镇）自动转为现镇街",
              aliases=("镇街", "所属镇街代码")),
    FieldSpec("industry", "国民经济行业分类", "industry", E, "GB/T 4754-2017 小类，字母加4位数字，如C3919",
              aliases=("行业代码", "国民经济行业分类小类")),
    FieldSpec("founded_on", "成立日期", "date", E, "YYYY-MM-DD"),
    FieldSpec("niche_since", "进入细分市场日期", "date", E, "YYYY-MM-DD，用于计算从事特定细分市场年限"),
    FieldSpec("contact_name", "联系人", "str", E, "个人信息，列表和导出中按权限脱敏", personal=True),
    FieldSpec("contact_phone", "联系电话", "str", E, "个人信息，列表和导出中按权限脱敏", personal=True),
    FieldSpec("abnormal_or_dishonest", "列入经营异常名录或严重失信主体名单", "bool", E, "是/否"),
    FieldSpec("major_incident_3y", "近三年发生重大安全质量环境事故或偷漏税等违法行为", "bool", E, "是/否"),
    FieldSpec("restricted_industry", "产品或服务属于国家禁止限制或淘汰类", "bool", E, "是/否"),
    FieldSpec("led_standard_5y", "近五年主导制定国际国家行业标准", "bool", E, "是/否"),
    FieldSpec("national_award_rank_3y", "近三年国家级科技奖励最好排名", "int", E, "无则留空", min_value=1),
    FieldSpec("provincial_award_rank_3y", "近三年省级科技奖励最好排名", "int", E, "无则留空", min_value=1),
    FieldSpec("national_award_rank_5y", "近五年国家级科技奖励最好排名", "int", E, "无则留空", min_value=1),
    FieldSpec("chuangke_rank_3y", "近三年创客中国大赛全国最好名次", "int", E, "无则留空", min_value=1),
    FieldSpec("zjtx_dev_score", "专精特新发展评价得分", "decimal", E, "平台计算得分，照录", max_value=100),
    # Expert review and assessment conclusions (专家评审/审核判断), the latest recorded; empty = not
    # reviewed, which the rules treat as 待人工审核.
    FieldSpec("ht_conversions_3y", "近三年科技成果转化数", "int", E, "项；高新技术企业认定"),
    FieldSpec("ht_field_ok", "核心技术属于国家重点支持的高新技术领域（专家评审）", "bool", E, "是/否；未评审留空"),
    FieldSpec("ht_tech_advancement", "高企评审：技术的先进程度得分", "decimal", E, "0–8分；未评审留空", max_value=8),
    FieldSpec("ht_core_support", "高企评审：核心支持作用得分", "decimal", E, "0–8分；未评审留空", max_value=8),
    FieldSpec("ht_rd_management", "高企评审：研究开发组织管理水平得分", "decimal", E, "0–20分；未评审留空", max_value=20),
    FieldSpec("local_feature_score", "专精特新特色化指标得分（省级评审）", "decimal", E, "0–15分；未评审留空",
              max_value=15),
    FieldSpec("market_position_ok", "主导产品细分市场占有率较为靠前（审核判断）", "bool", E, "是/否；未审核留空"),
    FieldSpec("chain_key_link", "位于产业链关键环节（审核判断）", "bool", E, "是/否；未审核留空"),
    FieldSpec("priority_field", "主导产品属于工业六基或重点领域（审核判断）", "bool", E, "是/否；未审核留空"),
    FieldSpec("champion_tech_ok", "单项冠军：技术工艺质量能耗达到要求（专家评审）", "bool", E, "是/否；未评审留空"),
    FieldSpec("champion_new_product", "单项冠军：申请产品属于新产品", "bool", E, "是/否"),
    FieldSpec("champion_product_share", "单项冠军：申请产品销售收入占比", "fraction", E, "小数或百分数，如0.75或75%",
              max_value=1),
)

VAT_RETURN_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("small_scale_vat", "增值税小规模纳税人", "bool", A,
              "是/否；否为一般纳税人。小规模纳税人没有可抵扣进项税额，不适用加计抵减，以下增值税申报数据留空"),
    FieldSpec("vat_sales_total", "全部销售额（增值税申报）", "money", A,
              "元；全年各期申报的全部销售额合计（含免税、出口）；决定下一年度能否适用服务业加计抵减"),
    FieldSpec("vat_sales_four_services", "其中：邮政、电信、现代服务、生活服务销售额", "money", A,
              "元；不大于全部销售额；占比超过50%的为生产、生活性服务业纳税人"),
    FieldSpec("vat_sales_life_service", "其中：生活服务销售额", "money", A,
              "元；不大于四项服务销售额；占全部销售额超过50%的为生活性服务业纳税人"),
    FieldSpec("input_vat_deductible", "可抵扣进项税额", "money", A, "元；一般计税方法，全年各期合计"),
    FieldSpec("input_vat_excluded", "其中：不得计提加计抵减额的进项税额", "money", A,
              "元；出口货物劳务、跨境应税行为对应的（集成电路企业还有外购芯片对应的）；不大于可抵扣进项税额"),
    FieldSpec("input_vat_transferred_out", "已计提加计抵减额的进项税额转出额", "money", A, "元；全年各期合计"),
    FieldSpec("plus_balance_start", "加计抵减额年初余额", "money", A, "元；附列资料（四）上年末的期末余额，无则填0"),
    FieldSpec("vat_payable_before_plus", "抵减前的应纳税额", "money", A, "元；一般计税方法，全年各期合计"),
    FieldSpec("advanced_manufacturing_listed", "列入先进制造业企业增值税加计抵减名单", "bool", A,
              "是/否；省工业和信息化部门会同有关部门确定的名单（财政部 税务总局公告2023年第43号）；未知留空"),
    FieldSpec("ic_or_machine_tool", "集成电路企业或工业母机企业（列入清单）", "bool", A,
              "是/否；财税〔2023〕17号、25号的企业清单；未知留空"),
)
VAT_RETURN_NAMES: tuple[str, ...] = tuple(f.name for f in VAT_RETURN_FIELDS)
# (field, must be ≤ field) within one annual row, and the VAT data a small-scale taxpayer cannot have
VAT_AT_MOST: tuple[tuple[str, str], ...] = (
    ("vat_sales_four_services", "vat_sales_total"), ("vat_sales_life_service", "vat_sales_four_services"),
    ("input_vat_excluded", "input_vat_deductible"),
)
SMALL_SCALE_NONE: tuple[str, ...] = ("input_vat_deductible", "input_vat_excluded", "input_vat_transferred_out",
                                     "plus_balance_start", "vat_payable_before_plus")


def _amount(v: object) -> str:
    try:
        f = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    return f"{f:,.0f}" if f.is_integer() else f"{f:,.2f}"


def vat_return_problems(values: dict[str, object]) -> list[tuple[str, str]]:
    """(field, Chinese reason) for an annual row's VAT figures that contradict each other."""
    out: list[tuple[str, str]] = []
    for small, big in VAT_AT_MOST:
        a, b = values.get(small), values.get(big)
        if a is not None and b is not None and a > b:  # type: ignore[operator]
            out.append((small, f"不能大于{_LABEL[big]}（{_amount(b)}）"))
    if values.get("small_scale_vat") is True:
        for name in SMALL_SCALE_NONE:
            v = values.get(name)
            if v is not None and v != 0:
                out.append((name, "小规模纳税人没有可抵扣进项税额和加计抵减额，应留空或改为一般纳税人"))
    return out


ANNUAL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("employees", "职工总数", "int", A, "人；在职+兼职+临时聘用"),
    FieldSpec("tech_staff", "科技人员数", "int", A, "人"),
    FieldSpec("rd_staff", "研发人员数", "int", A, "人"),
    FieldSpec("revenue", "营业收入", "money", A, "元"),
    FieldSpec("main_revenue", "主营业务收入", "money", A, "元"),
    FieldSpec("sales_revenue", "销售收入", "money", A, "元；主营+其他，空则按营业收入"),
    FieldSpec("rd_expense", "研发费用总额", "money", A, "元；会计口径"),
    FieldSpec("rd_expense_tax", "研发费用（加计扣除口径）", "money", A, "元；财税〔2015〕119号口径"),
    FieldSpec("rd_expense_domestic", "境内研发费用", "money", A, "元"),
    FieldSpec("total_cost", "成本费用支出总额", "money", A, "元"),
    FieldSpec("net_profit", "净利润", "money", A, "元；可为负数", min_value=None),
    FieldSpec("total_assets", "资产总额", "money", A, "元"),
    FieldSpec("total_liabilities", "负债总额", "money", A, "元"),
    FieldSpec("high_tech_revenue", "高新技术产品（服务）收入", "money", A, "元"),
    FieldSpec("equity_financing", "当年新增股权融资", "money", A, "元；合格机构投资者实缴额"),
    FieldSpec("taxable_income", "应纳税所得额", "money", A, "元；可为负数", min_value=None),
    FieldSpec("ip1", "Ⅰ类知识产权数", "int", A, "件；有效且与主导产品相关", aliases=("I类知识产权数",)),
    FieldSpec("ip1_high_value", "其中Ⅰ类高价值知识产权数", "int", A, "件", aliases=("其中I类高价值知识产权数",)),
    FieldSpec("ip1_self_developed", "其中自主研发Ⅰ类知识产权数", "int", A, "件"),
    FieldSpec("ip1_applied", "其中已应用并产生经济效益的Ⅰ类知识产权数", "int", A, "件"),
    FieldSpec("ip2", "Ⅱ类知识产权数", "int", A, "件；实用新型、外观设计、软件著作权", aliases=("II类知识产权数",)),
    FieldSpec("ip2_mature", "Ⅱ类知识产权数（63号口径）", "int", A, "件；软件著作权+授权后维持超过2年的实用新型/外观设计"),
    FieldSpec("niche_years", "从事特定细分市场年限", "decimal", A, "年"),
    FieldSpec("strategic_emerging", "主导产品属于战略性新兴产业分类", "bool", A, "是/否"),
    FieldSpec("product_field", "主导产品所属领域", "choice", A, "下拉选择", choices=PRODUCT_FIELD_CHOICES),
    FieldSpec("market_share", "主导产品全国细分市场占有率", "fraction", A, "小数或百分数，如0.03或3%", max_value=1),
    FieldSpec("market_rank_cn", "主导产品国内排名", "int", A, "名次", min_value=1),
    FieldSpec("market_rank_global", "主导产品全球排名", "int", A, "名次", min_value=1),
    FieldSpec("digital_level", "数字化水平等级", "int", A, "1–4", min_value=1, max_value=4),
    FieldSpec("quality_items", "质量管理项数", "int", A, "0–4", max_value=4),
    FieldSpec("own_brand", "拥有自主品牌", "bool", A, "是/否"),
    FieldSpec("quality_cert", "管理体系认证或发达国家地区产品认证", "bool", A, "是/否"),
    FieldSpec("it_systems", "有信息系统支撑的核心业务环节数", "int", A, "个"),
    FieldSpec("rd_institution", "研发机构级别", "choice", A, "下拉选择", choices=RD_INSTITUTION_CHOICES),
    FieldSpec("core_tech_product", "拥有关键核心技术的科技产品", "bool", A, "是/否；中山“四科”"),
    # The year's VAT returns (增值税及附加税费申报表（一般纳税人适用）及附列资料（四）加计抵减情况), the
    # periods of the year added up, and the lists that decide the 加计抵减 category: the inputs of
    # vat_plus_deduction (docs/fields.md). The sales of a year decide the category of the next year.
    *VAT_RETURN_FIELDS,
)

YEAR_FIELD = FieldSpec("year", "年度", "year", A, "年报所属年度，如2024；只导入企业信息时可留空",
                       aliases=("报告年度",))
SOURCE_FIELD = FieldSpec("source", "数据来源", "choice", A, "下拉选择：自填/工商/税务/第三方/已核验，空则为自填",
                         choices=PROVENANCE_CHOICES)

ANNUAL_NAMES: tuple[str, ...] = tuple(f.name for f in ANNUAL_FIELDS)
MONEY_NAMES: tuple[str, ...] = tuple(f.name for f in ANNUAL_FIELDS if f.kind == "money")
ENTERPRISE_NAMES: tuple[str, ...] = tuple(f.name for f in ENTERPRISE_FIELDS)
IMPORT_FIELDS: tuple[FieldSpec, ...] = (*ENTERPRISE_FIELDS, YEAR_FIELD, SOURCE_FIELD, *ANNUAL_FIELDS)
BY_NAME: dict[str, FieldSpec] = {f.name: f for f in IMPORT_FIELDS}
_LABEL: dict[str, str] = {f.name: f.label for f in VAT_RETURN_FIELDS}

# Titles (荣誉资质) held by enterprises; codes are stable ids used by the record builder.
TITLE_CHOICES = (
    ("high_tech", "高新技术企业"),
    ("tech_sme", "科技型中小企业"),
    ("innovative_sme", "创新型中小企业"),
    ("tech_innovative_sme", "科技和创新型中小企业"),
    ("specialized_sme", "专精特新中小企业"),
    ("little_giant", "专精特新“小巨人”企业"),
    ("single_champion", "制造业单项冠军企业"),
    ("innovation_honor", "国家级技术创新示范企业/知识产权优势企业/知识产权示范企业"),
    ("city_specialized_sme", "市级专精特新培育企业"),
    ("innovation_benchmark", "中山市创新标杆企业"),
)
TITLE_LABELS = dict(TITLE_CHOICES)

TITLE_IMPORT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("uscc", "统一社会信用代码", "uscc", E, "18位，必填；企业须已在库或在本文件“企业年报”表中"),
    FieldSpec("title", "称号", "choice", E, "下拉选择", choices=TITLE_CHOICES),
    FieldSpec("granted_on", "认定日期", "date", E, "YYYY-MM-DD，必填"),
    FieldSpec("expires_on", "有效期至", "date", E, "YYYY-MM-DD；空则按政策有效期"),
    FieldSpec("batch", "批次", "str", E, "如 第七批"),
    FieldSpec("document", "认定文号", "str", E, "如 工信厅企业函〔2025〕xx号"),
    FieldSpec("certificate_no", "证书编号", "str", E, ""),
)
