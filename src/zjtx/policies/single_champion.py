"""single_champion — 制造业单项冠军企业.

Not an SME programme: the common gate G does not apply, but the compliance vetoes do
(``abnormal_or_dishonest``, ``major_incident_3y`` incl. 数据造假, ``restricted_industry`` must be false),
and the scope is 制造业 (``industry`` in GB/T 4754 门类 C, DERIVED). POLICIES.md §2.6.

* ``single_champion@2016-105`` — 工信部产业〔2016〕105号, 2016-03-01 → 2018-12-31 (dates and criteria
  MEMORY): ≥ 10 years in the field (new product ≥ 3), global market rank ≤ 3, single-product revenue
  share ≥ 70%, technology/quality/management leadership (expert).
* ``single_champion@2019-notice`` — the annual notices 2019–2022, → 2023-08-31 (MEMORY-LOW): the 70%
  share test dropped, 销售收入 ≥ 4亿元 added (enterprise sales revenue, OPEN whether of the product).
* ``single_champion@2023-138`` — 工信部政法〔2023〕138号 附件1, 2023-09-01 →: ≥ 10 years (new product
  ≥ 5), three-year average 主营业务收入 ≥ 4亿 (2亿 for 省级以上专精特新 incl. 小巨人, one source),
  global market rank ≤ 3, technology/quality/energy leadership (expert ``champion_tech_ok``).

Computable failures → ``not_qualified``; everything computable passes and ``champion_tech_ok`` null →
``manual_review``.
"""

from __future__ import annotations

import datetime as dt

from zjtx.rules import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Expert,
    IsFalse,
    IsTrue,
    Mean,
    NumF,
    P,
    Policy,
    Regime,
)
from zjtx.rules.nodes import Cond, StartsWith

DOC105 = "工信部产业〔2016〕105号"
DOC138 = "工信部政法〔2023〕138号 附件1"
PFX = "single_champion."
V16 = "single_champion.v2016."
V19 = "single_champion.v2019."
NAME = "制造业单项冠军企业"


def compliance(doc: str) -> list[Cond]:
    """Scope and the compliance vetoes (no SME size gate)."""
    return [
        StartsWith("industry", P(PFX + "scope_sections")).named("scope", "属于制造业企业（国民经济行业分类门类C）", doc),
        IsFalse("abnormal_or_dishonest").named("credit", "未被列入经营异常名录或严重失信主体名单", doc),
        IsFalse("major_incident_3y").named(
            "incident", "近三年未发生重大安全（含网络安全、数据安全）、质量、环境污染等事故，无偷漏税、数据造假等违法违规行为", doc),
        IsFalse("restricted_industry").named("industry_policy", "产品（服务）不属于国家禁止、限制或淘汰类", doc),
    ]


def niche_years(general: str, new_product: str) -> Cond:
    """niche_years ≥ (new-product years if champion_new_product else general years), three-valued."""
    return AnyOf(
        AtLeast("niche_years", P(general)),
        All(IsTrue("champion_new_product"), AtLeast("niche_years", P(new_product))),
    )


def regime_2016() -> Regime:
    c = DOC105
    return Regime(
        id="single_champion@2016-105",
        name=NAME,
        doc=f"《制造业单项冠军企业培育提升专项行动实施方案》{c}",
        valid_from=dt.date(2016, 3, 1),
        valid_to=dt.date(2018, 12, 31),
        gates=[
            *compliance(c),
            niche_years(V16 + "min_niche_years", V16 + "min_niche_years_new_product").named(
                "c1", "从事相关业务领域的时间达到{single_champion.v2016.min_niche_years}以上（新产品达到"
                      "{single_champion.v2016.min_niche_years_new_product}以上）", f"{c}（企业基本条件）"),
            AtMost("market_rank_global", P(V16 + "max_market_rank_global")).named(
                "c2", "单项产品市场占有率位居全球前{single_champion.v2016.max_market_rank_global:n}位", f"{c}（企业基本条件）"),
            AtLeast("champion_product_share", P(V16 + "min_product_share")).named(
                "c3", "单项产品销售收入占企业全部业务收入的比重在{single_champion.v2016.min_product_share}以上", f"{c}（企业基本条件）"),
            Expert("champion_tech_ok").named(
                "c4", "生产技术、工艺国际领先，产品质量精良，重视研发投入和知识产权，经营管理规范（专家评审）",
                f"{c}（企业基本条件）"),
        ],
        notes=[
            "2016—2018年分示范企业、培育企业，2019年起另设单项冠军产品（MEMORY）。",
            "本规则版本的条件与日期均为记忆（MEMORY），结果为暂定。",
        ],
    )


def regime_2019() -> Regime:
    c = "工业和信息化部办公厅 2019—2022年度制造业单项冠军遴选通知"
    return Regime(
        id="single_champion@2019-notice",
        name=NAME,
        doc=f"{c}（在{DOC105}基础上调整）",
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2023, 8, 31),
        gates=[
            *compliance(c),
            niche_years(V19 + "min_niche_years", V19 + "min_niche_years_new_product").named(
                "c1", "从事相关业务领域的时间达到{single_champion.v2019.min_niche_years}以上（新产品达到"
                      "{single_champion.v2019.min_niche_years_new_product}以上）", c),
            AtLeast(NumF("sales_revenue_y1", fallback="revenue_y1"), P(V19 + "min_sales")).named(
                "c2", "销售收入达到{single_champion.v2019.min_sales}", c),
            AtMost("market_rank_global", P(V19 + "max_market_rank_global")).named(
                "c3", "申请产品市场占有率位居全球前{single_champion.v2019.max_market_rank_global:n}位", c),
            Expert("champion_tech_ok").named(
                "c4", "生产技术、工艺国际领先，产品质量精良，重视研发投入和知识产权，经营管理规范（专家评审）", c),
        ],
        notes=[
            "2019—2022年度遴选通知不再要求单项产品收入占比70%以上，增加销售收入4亿元的要求（MEMORY-LOW，通知原文待核实）。",
        ],
    )


def regime_2023() -> Regime:
    c = DOC138
    avg_main = Mean(NumF("main_revenue_y1"), NumF("main_revenue_y2"), NumF("main_revenue_y3"))
    return Regime(
        id="single_champion@2023-138",
        name=NAME,
        doc=f"《制造业单项冠军企业认定管理办法》{DOC138} 认定标准",
        valid_from=dt.date(2023, 9, 1),
        valid_to=None,
        gates=[
            *compliance(c),
            niche_years(PFX + "min_niche_years", PFX + "min_niche_years_new_product").named(
                "c1", "截至上年末从事相关领域{single_champion.min_niche_years}以上（新产品{single_champion.min_niche_years_new_product}以上）", f"{c} 认定标准(一)"),
            AnyOf(
                AtLeast(avg_main, P(PFX + "min_avg_main_revenue")),
                All(AnyOf(IsTrue("specialized_sme_valid"), IsTrue("little_giant_valid")),
                    AtLeast(avg_main, P(PFX + "min_avg_main_revenue_zjtx"))),
            ).named("c2", "近三年平均主营业务收入{single_champion.min_avg_main_revenue}以上（省级以上专精特新中小企业含\u201c小巨人\u201d"
                    "企业{single_champion.min_avg_main_revenue_zjtx}以上）",
                    f"{c} 认定标准(二)"),
            AtMost("market_rank_global", P(PFX + "max_market_rank_global")).named(
                "c3", "申请产品（生产性服务）市场占有率位居全球前{single_champion.max_market_rank_global:n}位", f"{c} 认定标准(三)"),
            Expert("champion_tech_ok").named(
                "c4", "产品质量精良，生产技术或工艺国际先进，关键性能指标国际领先，能耗达到行业能耗限额先进值；"
                      "拥有高水平研发机构，研发投入强度行业领先，拥有核心自主知识产权（专家评审）", f"{c} 认定标准(四)"),
        ],
        notes=[
            "申请产品按《统计用产品分类目录》8位或10位代码确定（材料核查）。",
            "称号有效期3年，期满复核；每年5月31日前报送更新信息（第十条、第十一条）。",
            "专精特新\"小巨人\"企业可优先推荐。",
        ],
    )


POLICY = (
    Policy(
        id="single_champion",
        name=NAME,
        kind="tier",
        level="国家",
        issuer="工业和信息化部、中国工业经济联合会",
        regimes=[regime_2016(), regime_2019(), regime_2023()],
        summary="长期专注于制造业某些特定细分产品市场，生产技术或工艺国际领先，单项产品市场占有率位居全球前列的企业；"
                "称号有效期3年，\u201c小巨人\u201d企业可优先推荐。",
        beneficiaries="制造业企业（不限于中小企业）",
        how_to_apply="企业自愿申报，省级工业和信息化主管部门推荐，工业和信息化部组织评审、公示并公布",
        window="每年一批（以工业和信息化部当年通知为准）",
    )
)
