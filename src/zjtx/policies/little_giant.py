"""little_giant — 专精特新"小巨人"企业认定 (工业和信息化部).

Two regimes (POLICIES.md §2.5), both behind the common gate G and a valid provincial 专精特新 title:

* ``little_giant@2022-63`` — 工信部企业〔2022〕63号 附件3, 2022-06-01 → 2026-03-31 (valid_from MEMORY)::

      qualified = G AND specialized_sme_valid AND 专 AND 精 AND 特 AND 新 AND 链 AND 品
      新 = (a AND b AND c) OR 国家级科技奖励前三 OR "创客中国"全国50强

  新·a is banded by 上年度营业收入 with ``[lower, upper)`` bands: exactly 5000万 → the 5000万–1亿
  band (≥ 6%), exactly 1亿 → the ≥ 1亿 band (≥ 3%) (DERIVED, OPEN §5-3). 链 and 品 are expert
  items; 链 is taken as met when ``chain_key_link`` is null and ``product_field == key_link``
  (DERIVED). Descriptive requirements without thresholds are review notes.
  The 2026 复核 of titles granted under 63号 pins this regime:
  ``options={"regimes": {"little_giant": "2022-63"}}``.
* ``little_giant@2026-2`` — 工信部企业〔2026〕2号 附件2, 2026-04-01 →: conditions 0–6. The 复核 option
  ``options={"mode": "review"}`` skips the two-year revenue CAGR test. The CAGR test is the exact
  form ``revenue_y1 ≥ (1 + g)² × revenue_y3`` with g the parameter (5%).

R&D is the accounting basis ``rd_expense`` (§1.5).
"""

from __future__ import annotations

import datetime as dt

from zjtx.policies.common import tier_gate
from zjtx.policies.specialized_sme import avg_growth_2y
from zjtx.rules import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Below,
    Const,
    Expert,
    In,
    IsTrue,
    Mul,
    NumF,
    Option,
    P,
    Policy,
    RankAtMost,
    Ratio,
    Regime,
    Sum,
)
from zjtx.rules.nodes import Add, Value

DOC63 = "工信部企业〔2022〕63号 附件3"
DOC2 = "工信部企业〔2026〕2号 附件2"
PFX = "little_giant."
V26 = "little_giant.v2026."
NAME = '专精特新"小巨人"企业'


def two_year_rd_ratio(pid: str) -> All:
    """近2年研发费用总额占营业收入总额比重均不低于 [pid]."""
    return All(AtLeast(Ratio("rd_expense_y1", "revenue_y1"), P(pid)),
               AtLeast(Ratio("rd_expense_y2", "revenue_y2"), P(pid)))


# ---------------------------------------------------------------------------------------------
# 63号 附件3
# ---------------------------------------------------------------------------------------------


def regime_63() -> Regime:
    c = DOC63
    rev = NumF("revenue_y1")
    xin_a = AnyOf(
        All(AtLeast(rev, P(PFX + "xin_revenue_high")), two_year_rd_ratio(PFX + "xin_rd_ratio_high")).named(
            "xin_a1", "上年度营业收入总额{little_giant.xin_revenue_high}以上：近2年研发费用总额占营业收入总额比重均不低于"
                      "{little_giant.xin_rd_ratio_high}", f"{c} 一(四)1(1)"),
        All(AtLeast(rev, P(PFX + "xin_revenue_mid")), Below(rev, P(PFX + "xin_revenue_high")),
            two_year_rd_ratio(PFX + "xin_rd_ratio_mid")).named(
            "xin_a2", "上年度营业收入总额{little_giant.xin_revenue_mid}—{little_giant.xin_revenue_high}：近2年研发费用总额占营业收入"
                      "总额比重均不低于{little_giant.xin_rd_ratio_mid}", f"{c} 一(四)1(1)"),
        All(Below(rev, P(PFX + "xin_revenue_mid")),
            AtLeast(Sum(NumF("equity_financing_y1"), NumF("equity_financing_y2")), P(PFX + "xin_small_equity_2y")),
            AtLeast(Sum(NumF("rd_expense_y1"), NumF("rd_expense_y2")), P(PFX + "xin_small_rd_2y")),
            AtLeast(Ratio("rd_staff_y1", "employees_y1"), P(PFX + "xin_small_rd_staff_ratio"))).named(
            "xin_a3", "上年度营业收入总额{little_giant.xin_revenue_mid}以下：近2年新增股权融资总额{little_giant.xin_small_equity_2y}以上，"
                      "且研发费用总额{little_giant.xin_small_rd_2y}以上、研发人员占职工总数比重{little_giant.xin_small_rd_staff_ratio}以上", f"{c} 一(四)1(1)"),
    ).named("xin_a", "研发投入（按上年度营业收入分档）", f"{c} 一(四)1(1)")
    xin_b = In("rd_institution", P(PFX + "xin_rd_institutions")).named(
        "xin_b", "自建或与高等院校、科研机构联合建立研发机构", f"{c} 一(四)1(2)")
    xin_c = AtLeast("ip1_applied", P(PFX + "xin_min_ip1_applied")).named(
        "xin_c", "拥有{little_giant.xin_min_ip1_applied}以上与主导产品相关的Ⅰ类知识产权，且实际应用并已产生经济效益", f"{c} 一(四)1(3)")
    return Regime(
        id="little_giant@2022-63",
        name=NAME,
        doc=f"{DOC63}《专精特新\"小巨人\"企业认定标准》",
        valid_from=dt.date(2022, 6, 1),
        valid_to=dt.date(2026, 3, 31),
        gates=[
            *tier_gate(DOC63),
            IsTrue("specialized_sme_valid").named("pre", "为有效期内的省级专精特新中小企业", DOC63),
            All(
                AtLeast("niche_years", P(PFX + "min_niche_years")),
                AtLeast(Ratio("main_revenue_y1", "revenue_y1"), P(PFX + "min_main_share")),
                AtLeast(avg_growth_2y(), P(PFX + "min_growth")),
            ).named("zhuan", "专业化：截至上年末从事特定细分市场时间达到{little_giant.min_niche_years}以上，主营业务收入总额占"
                             "营业收入总额比重不低于{little_giant.min_main_share}，近2年主营业务收入平均增长率不低于{little_giant.min_growth}", f"{c} 一(一)"),
            All(
                AtLeast("it_systems", P(PFX + "min_it_systems")),
                IsTrue("quality_cert"),
                AtMost(Ratio("total_liabilities_y1", "total_assets_y1"), P(PFX + "max_debt_ratio")),
            ).named("jing", "精细化：至少{little_giant.min_it_systems}核心业务采用信息系统支撑；取得相关管理体系认证，或产品通过发达国家"
                            "和地区产品认证；截至上年末资产负债率不高于{little_giant.max_debt_ratio}", f"{c} 一(二)"),
            All(
                AtLeast("market_share", P(PFX + "min_market_share")),
                IsTrue("own_brand"),
            ).named("te", "特色化：主导产品在全国细分市场占有率达到{little_giant.min_market_share}以上；拥有直接面向市场并具有竞争优势的自主品牌",
                    f"{c} 一(三)"),
            AnyOf(
                All(xin_a, xin_b, xin_c).named("xin_general", "一般性条件（同时满足研发投入、研发机构、Ⅰ类知识产权三项）",
                                              f"{c} 一(四)1"),
                RankAtMost("national_award_rank_3y", P(PFX + "xin_direct_award_rank")).named(
                    "xin_d1", "创新直通：近三年获得国家级科技奖励，并在获奖单位中排名前{little_giant.xin_direct_award_rank:n}", f"{c} 一(四)2(1)"),
                RankAtMost("chuangke_rank_3y", P(PFX + "xin_direct_chuangke_rank")).named(
                    "xin_d2", "创新直通：近三年进入\u201c创客中国\u201d中小企业创新创业大赛全国{little_giant.xin_direct_chuangke_rank:n}强企业组名单", f"{c} 一(四)2(2)"),
            ).named("xin", "创新能力：满足一般性条件或创新直通条件", f"{c} 一(四)"),
            Expert("chain_key_link", default_from=In("product_field", P(PFX + "chain_default_fields"))).named(
                "lian", "产业链配套：位于产业链关键环节，围绕重点产业链实现关键基础技术和产品的产业化应用，"
                        "发挥\u201c补短板\u201d\u201c锻长板\u201d\u201c填空白\u201d等重要作用", f"{c} 一(五)"),
            Expert("priority_field").named(
                "pin", "主导产品所属领域：原则上属于工业\u201c六基\u201d（核心基础零部件、元器件、关键软件、先进基础工艺、"
                       "关键基础材料和产业技术基础），或制造强国战略十大重点产业领域，或网络强国建设的信息基础设施、"
                       "关键核心技术、网络安全、数据安全领域", f"{c} 一(六)"),
        ],
        notes=[
            "专业化：坚持专业化发展道路，长期专注并深耕于产业链某一环节或某一产品（描述性要求，人工审核）。",
            "精细化：重视并实施长期发展战略，公司治理规范、信誉良好、社会责任感强，生产技术、工艺及产品质量性能"
            "国内领先，注重数字化、绿色化发展（描述性要求，人工审核）。",
            "特色化：主导产品享有较高知名度和影响力（描述性要求，人工审核）。",
        ],
    )


# ---------------------------------------------------------------------------------------------
# 工信部企业〔2026〕2号 附件2
# ---------------------------------------------------------------------------------------------


def cagr_factor() -> Value:
    """(1 + g)² with g the two-year compound growth parameter (5% → 1.1025)."""
    one_plus_g = Add(Const(1), P(V26 + "min_cagr"))
    return Mul(one_plus_g, one_plus_g)


def regime_2026() -> Regime:
    c = DOC2
    return Regime(
        id="little_giant@2026-2",
        name=NAME,
        doc=f"{DOC2}（专精特新\"小巨人\"企业认定标准）",
        valid_from=dt.date(2026, 4, 1),
        valid_to=None,
        gates=[
            *tier_gate(c),
            All(IsTrue("specialized_sme_valid"), AtLeast("niche_years", P(V26 + "min_niche_years"))).named(
                "c0", "为有效期内的专精特新中小企业，且截至上年末从事特定细分市场时间达到{little_giant.v2026.min_niche_years}以上", f"{c} 申报前提"),
            All(
                AtLeast("revenue_y1", P(V26 + "min_revenue")),
                AtLeast(Ratio("main_revenue_y1", "revenue_y1"), P(V26 + "min_main_share")),
                AnyOf(
                    Option("mode", "review", default="application"),
                    AtLeast("revenue_y1", Mul(cagr_factor(), NumF("revenue_y3"))),
                ).named("c1_cagr", "近两年营业收入复合增长率不低于{little_giant.v2026.min_cagr}（复核不考核）", f"{c} 第1项"),
                AtMost(Ratio("total_liabilities_y1", "total_assets_y1"), P(V26 + "max_debt_ratio")),
            ).named("c1", "上年度营业收入不低于{little_giant.v2026.min_revenue}，主营业务收入占比不低于{little_giant.v2026.min_main_share}，"
                          "近两年营业收入复合增长率不低于{little_giant.v2026.min_cagr}（复核不考核），上年末资产负债率不高于"
                          "{little_giant.v2026.max_debt_ratio}", f"{c} 第1项"),
            All(
                AtLeast(Sum(NumF("rd_expense_y1"), NumF("rd_expense_y2")), P(V26 + "min_rd_2y")),
                two_year_rd_ratio(V26 + "min_rd_ratio"),
            ).named("c2", "近两年研发费用合计不低于{little_giant.v2026.min_rd_2y}，且每年占营业收入比重不低于{little_giant.v2026.min_rd_ratio}", f"{c} 第2项"),
            AnyOf(
                AtLeast("ip1_applied", P(V26 + "min_ip1_applied")),
                RankAtMost("national_award_rank_3y", P(V26 + "exempt_award_rank")),
            ).named("c3", "拥有{little_giant.v2026.min_ip1_applied}以上与主导产品相关、实际应用并产生经济效益的Ⅰ类知识产权"
                          "（近三年获国家级科技奖励并排名前{little_giant.v2026.exempt_award_rank:n}的除外）", f"{c} 第3项"),
            AnyOf(
                AtLeast("market_share", P(V26 + "min_market_share")),
                AtMost("market_rank_cn", P(V26 + "max_market_rank_cn")),
            ).named("c4", "主导产品国内或国际细分市场占有率不低于{little_giant.v2026.min_market_share}，或位居国内前{little_giant.v2026.max_market_rank_cn:n}", f"{c} 第4项"),
            Expert("priority_field").named(
                "c5", "主导产品属于工业\u201c六基\u201d领域或位于产业链关键环节（审核判断）", f"{c} 第5项"),
            AtLeast("zjtx_dev_score", P(V26 + "min_dev_score")).named(
                "c6", "专精特新发展评价得分不低于{little_giant.v2026.min_dev_score}", f"{c} 第6项；工信厅企业〔2024〕75号"),
        ],
        notes=[
            "Ⅰ类知识产权不含受让取得的，且企业在权利人中排名前三（材料核查）。",
            "复核（options.mode = review）不考核营业收入复合增长率；复核2023年按63号认定的称号时可指定规则版本 2022-63。",
        ],
    )


POLICY = (
    Policy(
        id="little_giant",
        name=NAME,
        kind="tier",
        level="国家",
        issuer="工业和信息化部（省级中小企业主管部门初审推荐）",
        regimes=[regime_63(), regime_2026()],
        summary="梯度培育高层：专注细分市场、创新能力强、市场占有率高、掌握关键核心技术的专精特新企业；"
                "2026年3月31日前按63号附件3（专、精、特、新、链、品），2026年4月1日起按2026号附件2（七项条件）。"
                "称号有效期3年，期满复核。",
        beneficiaries="有效期内的省级专精特新中小企业",
        how_to_apply="企业在优质中小企业梯度培育平台申报，市级主管部门推荐、省级主管部门审核后报工业和信息化部认定公告",
        window="每年一批（以工业和信息化部当年通知为准）",
    )
)
