"""specialized_sme — 专精特新中小企业认定 (省级).

Two regimes (POLICIES.md §2.4):

* ``specialized_sme@2022-63`` — 工信部企业〔2022〕63号 附件2《专精特新中小企业认定标准》,
  2022-06-01 → 2026-03-31 (valid_from MEMORY)::

      qualified = G AND [require_innovative_sme ⇒ innovative_sme_valid]
                  AND B1 AND B2 AND B3 AND (score ≥ pass_score OR D1 OR D2 OR D3 OR D4)

  The 13-indicator table (专业化 25, 精细化 25, 特色化 15, 创新能力 35) has no dimension floors.
  特色化 is set by the province; Guangdong's indicators are not in this catalog, so the points are
  an input (``local_feature_score``): null → ``[0, 15]`` as a review item (OPEN, §5-1); a value
  outside ``[0, 15]`` is not scored but flagged (``RangedExpertPoints``).
  ``pass_score`` (60; Guangdong 70 OPEN) and ``require_innovative_sme`` (Guangdong 粤工信规字〔2024〕5号,
  effective date OPEN, default false) are parameters an administrator corrects.
* ``specialized_sme@2026-2`` — 工信部企业〔2026〕2号, 2026-04-01 →: conditions P and 1–8, all required;
  no score and no direct routes. Condition 7 (市场占有率较为靠前) is an expert item.

R&D is the accounting basis ``rd_expense`` (§1.5). Growth rates with a base year ≤ 0 are undefined
(review item).
"""

from __future__ import annotations

import datetime as dt

from zjtx.policies.common import tier_gate
from zjtx.rules import (
    All,
    AnyOf,
    AtLeast,
    AtMost,
    Banded,
    BestOf,
    Categorical,
    Dimension,
    Expert,
    Implies,
    In,
    IsTrue,
    Mean,
    NumF,
    P,
    ParamFlag,
    Policy,
    RankAtMost,
    Ratio,
    Regime,
    Score,
    ScoreAtLeast,
    Stepped,
    Sub,
    Sum,
    Tiered,
)
from zjtx.rules.nodes import Div, RangedExpertPoints, Value

DOC63 = "工信部企业〔2022〕63号 附件2"
DOC2 = "工信部企业〔2026〕2号"
DOC2_C = f"{DOC2} 专精特新中小企业认定条件"
PFX = "specialized_sme."
V26 = "specialized_sme.v2026."


def growth_rate(this: str, base: str) -> Value:
    """(this − base) / base; undefined (review) when base ≤ 0."""
    return Div(Sub(NumF(this), NumF(base)), NumF(base))


def avg_growth_2y() -> Value:
    """近2年主营业务收入平均增长率: arithmetic mean of the two yearly growth rates (MEMORY)."""
    return Mean(growth_rate("main_revenue_y1", "main_revenue_y2"), growth_rate("main_revenue_y2", "main_revenue_y3"))


# ---------------------------------------------------------------------------------------------
# 63号 附件2
# ---------------------------------------------------------------------------------------------


def regime_63() -> Regime:
    c = DOC63
    main_share = Banded("main_share", "上年度主营业务收入总额占营业收入总额比重", Ratio("main_revenue_y1", "revenue_y1"),
                        PFX + "main_share_bands", cite=f"{c} 二(一)1")
    growth = Banded("growth", "近2年主营业务收入平均增长率", avg_growth_2y(), PFX + "growth_bands", cite=f"{c} 二(一)2")
    niche = Stepped("niche", "从事特定细分市场年限", NumF("niche_years"), PFX + "niche_rule", cite=f"{c} 二(一)3")
    field = Categorical("field", "主导产品所属领域情况", "product_field", PFX + "field_points", cite=f"{c} 二(一)4")
    digital = Banded("digital", "数字化水平", NumF("digital_level"), PFX + "digital_bands", cite=f"{c} 二(二)5")
    quality = Stepped("quality", "质量管理水平", NumF("quality_items"), PFX + "quality_rule", cite=f"{c} 二(二)6")
    profit = Banded("net_profit", "上年度净利润率", Ratio("net_profit_y1", "revenue_y1"), PFX + "net_profit_bands",
                    cite=f"{c} 二(二)7")
    debt = Banded("debt", "上年度资产负债率", Ratio("total_liabilities_y1", "total_assets_y1"), PFX + "debt_bands",
                  cite=f"{c} 二(二)8")
    local = RangedExpertPoints("local", "特色化指标（省级中小企业主管部门自主设定）", "local_feature_score",
                         PFX + "local_feature_bounds", cite=f"{c} 二(三)")
    ip = Tiered("ip", "与企业主导产品相关的有效知识产权数量", PFX + "ip_tiers",
                fields=["ip1_high_value", "ip1_self_developed", "ip1", "ip2_mature"], cite=f"{c} 二(四)")
    rd = BestOf(
        "rd",
        "上年度研发费用投入",
        Banded("rd_amount", "研发费用总额", NumF("rd_expense_y1"), PFX + "rd_amount_bands", cite=f"{c} 二(四)"),
        Banded("rd_ratio", "研发费用总额占营业收入总额比重", Ratio("rd_expense_y1", "revenue_y1"),
               PFX + "rd_ratio_bands", cite=f"{c} 二(四)"),
        cite=f"{c} 二(四)：金额或比重，取较优档",
    )
    rd_staff = Banded("rd_staff", "上年度研发人员占比", Ratio("rd_staff_y1", "employees_y1"), PFX + "rd_staff_bands",
                      cite=f"{c} 二(四)")
    rd_inst = Categorical("rd_institution", "建立研发机构级别", "rd_institution", PFX + "rd_institution_points",
                          cite=f"{c} 二(四)")
    score = Score("评价得分", [
        Dimension("specialization", "专业化", [main_share, growth, niche, field]),
        Dimension("refinement", "精细化", [digital, quality, profit, debt]),
        Dimension("feature", "特色化", [local]),
        Dimension("innovation", "创新能力", [ip, rd, rd_staff, rd_inst]),
    ])
    equity_2y = Sum(NumF("equity_financing_y1"), NumF("equity_financing_y2"))
    return Regime(
        id="specialized_sme@2022-63",
        name="专精特新中小企业",
        doc=f"{DOC63}《专精特新中小企业认定标准》",
        valid_from=dt.date(2022, 6, 1),
        valid_to=dt.date(2026, 3, 31),
        gates=[
            *tier_gate(DOC63),
            Implies(ParamFlag(PFX + "require_innovative_sme"), IsTrue("innovative_sme_valid")).named(
                "GD", "申报企业为有效期内创新型中小企业（广东，自规定生效之日起）", "粤工信规字〔2024〕5号"),
            AtLeast("niche_years", P(PFX + "min_niche_years")).named(
                "B1", "从事特定细分市场时间达到{specialized_sme.min_niche_years}以上", f"{c} 一(一)"),
            All(AtLeast("rd_expense_y1", P(PFX + "min_rd_expense")),
                AtLeast(Ratio("rd_expense_y1", "revenue_y1"), P(PFX + "min_rd_ratio"))).named(
                "B2", "上年度研发费用总额不低于{specialized_sme.min_rd_expense}，且占营业收入总额比重不低于{specialized_sme.min_rd_ratio}", f"{c} 一(二)"),
            AnyOf(AtLeast("revenue_y1", P(PFX + "min_revenue")), AtLeast(equity_2y, P(PFX + "min_equity_2y"))).named(
                "B3", "上年度营业收入总额在{specialized_sme.min_revenue}以上，或在{specialized_sme.min_revenue}以下但近2年新增股权融资"
                      "总额（合格机构投资者的实缴额）达到{specialized_sme.min_equity_2y}以上", f"{c} 一(三)"),
        ],
        score=score,
        score_pass=ScoreAtLeast(score, P(PFX + "pass_score")).named(
            "B4", "评价得分达到{specialized_sme.pass_score}以上", f"{c} 一(四)"),
        direct=[
            AnyOf(RankAtMost("provincial_award_rank_3y", P(PFX + "direct_provincial_award_rank")),
                  RankAtMost("national_award_rank_3y", P(PFX + "direct_national_award_rank"))).named(
                "D1", "近三年获得过省级科技奖励并在获奖单位中排名前{specialized_sme.direct_provincial_award_rank:n}，"
                "或获得国家级科技奖励并在获奖单位中排名前{specialized_sme.direct_national_award_rank:n}",
                f"{c} 一(四)1"),
            AtLeast(Mean(NumF("rd_expense_y1"), NumF("rd_expense_y2")), P(PFX + "direct_rd_avg_2y")).named(
                "D2", "近两年研发费用总额均值在{specialized_sme.direct_rd_avg_2y}以上", f"{c} 一(四)2"),
            AtLeast(equity_2y, P(PFX + "direct_equity_2y")).named(
                "D3", "近两年新增股权融资总额（合格机构投资者的实缴额）{specialized_sme.direct_equity_2y}以上", f"{c} 一(四)3"),
            RankAtMost("chuangke_rank_3y", P(PFX + "direct_chuangke_rank")).named(
                "D4", "近三年进入\u201c创客中国\u201d中小企业创新创业大赛全国{specialized_sme.direct_chuangke_rank:n}强企业组名单", f"{c} 一(四)4"),
        ],
        notes=[
            "特色化指标（15分）由省级中小企业主管部门设定；广东指标及分值未纳入本目录，"
            "以 local_feature_score 录入，未录入时按[0, 15]计并待人工审核（待定事项）。",
            "广东合格线是否曾为70分、广东创新型前置条件的生效日期为待定事项，由管理员维护参数。",
        ],
    )


# ---------------------------------------------------------------------------------------------
# 工信部企业〔2026〕2号
# ---------------------------------------------------------------------------------------------


def regime_2026() -> Regime:
    c = DOC2_C
    return Regime(
        id="specialized_sme@2026-2",
        name="专精特新中小企业",
        doc=f"{DOC2}《优质中小企业梯度培育管理办法》",
        valid_from=dt.date(2026, 4, 1),
        valid_to=None,
        gates=[
            *tier_gate(DOC2),
            AnyOf(IsTrue("innovative_sme_valid"), IsTrue("tech_sme_registered")).named(
                "P", "为有效期内的科技和创新型中小企业（含有效期内创新型中小企业、当年科技型中小企业入库）",
                f"{DOC2}；工企业函〔2026〕160号"),
            AtLeast("niche_years", P(V26 + "min_niche_years")).named(
                "c1", "截至上年末从事特定细分市场时间达到{specialized_sme.v2026.min_niche_years}以上", f"{c}(1)"),
            AnyOf(AtLeast("revenue_y1", P(V26 + "min_revenue")),
                  AtLeast(Sum(NumF("equity_financing_y1"), NumF("equity_financing_y2")), P(V26 + "min_equity_2y"))).named(
                "c2", "上年度营业收入不低于{specialized_sme.v2026.min_revenue}，或近两年新增股权投资（合格机构投资者实缴额）"
                "不低于{specialized_sme.v2026.min_equity_2y}",
                f"{c}(2)"),
            AtLeast(Ratio("main_revenue_y1", "revenue_y1"), P(V26 + "min_main_share")).named(
                "c3", "上年度主营业务收入占营业收入比重不低于{specialized_sme.v2026.min_main_share}", f"{c}(3)"),
            AtMost(Ratio("total_liabilities_y1", "total_assets_y1"), P(V26 + "max_debt_ratio")).named(
                "c4", "上年末资产负债率不高于{specialized_sme.v2026.max_debt_ratio}", f"{c}(4)"),
            All(AtLeast("rd_expense_y1", P(V26 + "min_rd_expense")),
                AtLeast(Ratio("rd_expense_y1", "revenue_y1"), P(V26 + "min_rd_ratio")),
                AtLeast("rd_expense_y2", P(V26 + "min_rd_expense")),
                AtLeast(Ratio("rd_expense_y2", "revenue_y2"), P(V26 + "min_rd_ratio"))).named(
                "c5", "近两年研发费用每年不低于{specialized_sme.v2026.min_rd_expense}，且每年占营业收入比重不低于"
                "{specialized_sme.v2026.min_rd_ratio}", f"{c}(5)"),
            AnyOf(AtLeast("ip1_applied", P(V26 + "min_ip1_applied")),
                  RankAtMost("provincial_award_rank_3y", P(V26 + "exempt_award_rank")),
                  RankAtMost("national_award_rank_3y", P(V26 + "exempt_award_rank")),
                  In("rd_institution", P(V26 + "exempt_rd_institutions"))).named(
                "c6", "拥有{specialized_sme.v2026.min_ip1_applied}以上与主导产品相关、已应用并产生经济效益的Ⅰ类知识产权"
                      "（近三年获省部级以上科技奖励排名前{specialized_sme.v2026.exempt_award_rank:n}或拥有省部级以上研发机构的除外）", f"{c}(6)"),
            Expert("market_position_ok").named(
                "c7", "主导产品在国内或国际细分市场占有率较为靠前（审核判断）", f"{c}(7)"),
            AtLeast("zjtx_dev_score", P(V26 + "min_dev_score")).named(
                "c8", "专精特新发展评价得分不低于{specialized_sme.v2026.min_dev_score}", f"{c}(8)；工信厅企业〔2024〕75号"),
        ],
        notes=[
            "2026号取消评价得分、直通条件和省级特色化分值。",
            "复核时专精特新发展评价得分近两年任一年达到即可；本平台按所录 zjtx_dev_score 判断。",
        ],
    )


POLICY = (
    Policy(
        id="specialized_sme",
        name="专精特新中小企业",
        kind="tier",
        level="省",
        issuer="工业和信息化部（省级中小企业主管部门组织认定；广东省工业和信息化厅）",
        regimes=[regime_63(), regime_2026()],
        summary="梯度培育中间层：专业化、精细化、特色化、新颖化中小企业；"
                "2026年3月31日前按63号附件2（基本条件+13项指标评分或直通），2026年4月1日起按2026号文件（八项条件）。"
                "称号有效期3年。",
        beneficiaries="符合中小企业划型标准、从事特定细分市场的中小企业（广东：须为有效期内创新型中小企业）",
        how_to_apply="企业在优质中小企业梯度培育平台申报，镇街/市工业和信息化主管部门初审推荐，省级认定并公告",
        window="每年一批（以省工业和信息化厅当年通知为准）",
    )
)
