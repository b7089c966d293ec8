"""The evaluation record's fields (FIELDS.md, POLICIES.md §1.8): name → kind and Chinese label.

Kinds: ``money`` (yuan, ≥ 0), ``signed_money`` (yuan, may be negative: profits, taxable income),
``count`` (integer ≥ 0), ``ratio`` (fraction 0–1), ``number`` (≥ 0), ``score`` (expert points ≥ 0),
``rank`` (integer ≥ 1; null = none), ``bool``, ``date``, ``str`` and ``enum`` (one of the listed
values). A policy module that reads further inputs (the calculators, 高企's pins) declares them in
its module-level ``INPUTS``; the catalog merges them into the one record contract
(``zjtx.policies.catalog().schema``).
"""

from __future__ import annotations

from zjtx.rules.inputs import FieldSpec

YEARS = ("_y1", "_y2", "_y3")


ANNUAL = {
    "employees": ("count", "职工总数"),
    "tech_staff": ("count", "科技人员数"),
    "rd_staff": ("count", "研发人员数"),
    "revenue": ("money", "营业收入"),
    "main_revenue": ("money", "主营业务收入"),
    "sales_revenue": ("money", "销售收入"),
    "rd_expense": ("money", "研发费用总额（会计口径）"),
    "rd_expense_tax": ("money", "研发费用（加计扣除口径）"),
    "rd_expense_domestic": ("money", "境内研发费用"),
    "total_cost": ("money", "成本费用支出总额"),
    "net_profit": ("signed_money", "净利润"),
    "total_assets": ("money", "资产总额"),
    "total_liabilities": ("money", "负债总额"),
    "high_tech_revenue": ("money", "高新技术产品(服务)收入"),
    "equity_financing": ("money", "当年新增股权融资"),
    "taxable_income": ("signed_money", "应纳税所得额"),
}

OTHER: dict[str, tuple] = {
    "uscc": ("str", "统一社会信用代码"),
    "name": ("str", "企业名称"),
    "division": ("str", "所属镇街代码"),
    "industry": ("str", "国民经济行业分类"),
    "founded_on": ("date", "成立日期"),
    "ip1": ("count", "Ⅰ类知识产权数"),
    "ip1_high_value": ("count", "Ⅰ类高价值知识产权数"),
    "ip1_self_developed": ("count", "自主研发Ⅰ类知识产权数"),
    "ip1_applied": ("count", "已应用并产生经济效益的Ⅰ类知识产权数"),
    "ip2": ("count", "Ⅱ类知识产权数（科小口径）"),
    "ip2_mature": ("count", "Ⅱ类知识产权数（63号口径）"),
    "niche_years": ("number", "从事特定细分市场年限"),
    "strategic_emerging": ("bool", "主导产品属于战略性新兴产业"),
    "product_field": ("enum", "主导产品所属领域", ("key_link", "six_basics", "other")),
    "market_share": ("ratio", "主导产品全国细分市场占有率"),
    "market_rank_cn": ("rank", "主导产品国内排名"),
    "market_rank_global": ("rank", "主导产品全球排名"),
    "digital_level": ("count", "数字化水平等级"),
    "quality_items": ("count", "质量管理项数"),
    "own_brand": ("bool", "拥有自主品牌"),
    "quality_cert": ("bool", "管理体系认证或发达国家/地区产品认证"),
    "it_systems": ("count", "有信息系统支撑的核心业务环节数"),
    "rd_institution": ("enum", "研发机构级别", ("national", "provincial", "city", "below_city", "none")),
    "core_tech_product": ("bool", "拥有关键核心技术的科技产品"),
    "high_tech_valid": ("bool", "有效期内高新技术企业"),
    "innovation_honor_valid": ("bool", "有效期内国家级技术创新示范企业/知识产权优势/示范企业"),
    "national_award_rank_3y": ("rank", "近三年国家级科技奖励最好排名"),
    "provincial_award_rank_3y": ("rank", "近三年省级科技奖励最好排名"),
    "national_award_rank_5y": ("rank", "近五年国家级科技奖励最好排名"),
    "led_standard_5y": ("bool", "近五年主导制定国际/国家/行业标准"),
    "chuangke_rank_3y": ("rank", "近三年创客中国大赛全国最好名次"),
    "tech_sme_registered": ("bool", "当年科技型中小企业入库"),
    "innovative_sme_valid": ("bool", "有效期内创新型中小企业"),
    "specialized_sme_valid": ("bool", "有效期内省级专精特新中小企业"),
    "little_giant_valid": ("bool", "有效期内专精特新\u201c小巨人\u201d"),
    "zjtx_dev_score": ("number", "专精特新发展评价得分"),
    "abnormal_or_dishonest": ("bool", "列入经营异常名录或严重失信主体名单"),
    "major_incident_3y": ("bool", "近三年发生重大事故或违法行为"),
    "restricted_industry": ("bool", "产品或服务属于禁止、限制或淘汰类"),
    # POLICIES.md §1.8
    "local_feature_score": ("score", "专精特新特色化指标得分"),
    "market_position_ok": ("bool", "主导产品细分市场占有率较为靠前（审核判断）"),
    "chain_key_link": ("bool", "位于产业链关键环节（链）"),
    "priority_field": ("bool", "主导产品属于重点领域（品）"),
    "ht_field_ok": ("bool", "核心技术属于国家重点支持的高新技术领域"),
    "ht_tech_advancement": ("score", "技术的先进程度得分"),
    "ht_core_support": ("score", "核心支持作用得分"),
    "ht_ip_quantity": ("score", "知识产权数量得分"),
    "ht_ip_acquisition": ("score", "知识产权获得方式得分"),
    "ht_standard_bonus": ("score", "参与编制标准加分"),
    "ht_conversions_3y": ("count", "近三年科技成果转化数"),
    "ht_conversion_score": ("score", "科技成果转化能力得分"),
    "ht_rd_management": ("score", "研究开发组织管理水平得分"),
    "total_income_y1": ("money", "高企总收入"),
    "champion_new_product": ("bool", "申请产品属于新产品"),
    "champion_product_share": ("ratio", "申请产品销售收入占比"),
    "champion_tech_ok": ("bool", "技术/工艺/质量/能耗要求（专家评审）"),
    "innovation_benchmark_selected": ("bool", "当年入选中山市创新标杆企业"),
    "rd_super_deduction_y1": ("money", "上年度研发费用税前加计扣除额"),
}

def specs(fields: dict[str, tuple]) -> dict[str, FieldSpec]:
    """Field specs from ``name → (kind, label[, values])``."""
    out = {}
    for name, spec in fields.items():
        kind, label, *rest = spec
        out[name] = FieldSpec(name, kind, label, tuple(rest[0]) if rest else ())
    return out


def base_schema() -> dict[str, FieldSpec]:
    """The record fields every policy may read: the annual fields ×3 years and the others."""
    out: dict[str, FieldSpec] = {}
    for base, (kind, lab) in ANNUAL.items():
        for i, sfx in enumerate(YEARS, start=1):
            out[base + sfx] = FieldSpec(base + sfx, kind, f"{lab}（{('上年度', '上上年度', '前三年度')[i - 1]}）")
    out.update(specs(OTHER))
    return out
