"""innovative_sme — 创新型中小企业评价 (2026-04-01 起: 科技和创新型中小企业).

工信部企业〔2022〕63号 附件1《创新型中小企业评价标准》: direct routes 一(一)–(四), or a score ≥ 60
with 创新能力 ≥ 20, 成长性 ≥ 15, 专业化 ≥ 15. 工信部企业〔2026〕2号 第三十条 keeps the same table
from 2026-04-01 until the merged standard is issued (POLICIES.md §2.3).
"""

from __future__ import annotations

import datetime as dt

from zjtx.policies.common import tier_gate
from zjtx.rules import (
    All,
    AnyOf,
    AtLeast,
    Banded,
    Categorical,
    Dimension,
    HasRank,
    In,
    IsTrue,
    NumF,
    P,
    Policy,
    Ratio,
    Regime,
    Score,
    ScoreAtLeast,
    Sub,
    Sum,
    Tiered,
)
from zjtx.rules.nodes import Div

DOC63 = "工信部企业〔2022〕63号 附件1"
DOC2 = "工信部企业〔2026〕2号 第三十条（沿用63号附件1）"


def regime(rid: str, name: str, doc: str, start: dt.date, end: dt.date | None) -> Regime:
    ip = Tiered("ip", "① 有效知识产权", "innovative_sme.ip_tiers",
                fields=["ip1_high_value", "ip1_self_developed", "ip1", "ip2_mature"], cite=f"{doc} 指标①")
    rd = Banded("rd_ratio", "② 研发费用占营业收入比重", Ratio("rd_expense_y1", "revenue_y1"),
                "innovative_sme.rd_bands", cite=f"{doc} 指标②")
    growth = Banded("growth", "③ 主营业务收入增长率",
                    Div(Sub(NumF("main_revenue_y1"), NumF("main_revenue_y2")), NumF("main_revenue_y2")),
                    "innovative_sme.growth_bands", cite=f"{doc} 指标③")
    debt = Banded("debt", "④ 资产负债率", Ratio("total_liabilities_y1", "total_assets_y1"),
                  "innovative_sme.debt_bands", cite=f"{doc} 指标④")
    field = Categorical("field", "⑤ 主导产品所属领域", "strategic_emerging", "innovative_sme.field_points",
                        cite=f"{doc} 指标⑤")
    share = Banded("main_share", "⑥ 主营业务收入占比", Ratio("main_revenue_y1", "revenue_y1"),
                   "innovative_sme.main_share_bands", cite=f"{doc} 指标⑥")
    innovation = Dimension("innovation", "创新能力", [ip, rd], floor="innovative_sme.floor_innovation")
    growth_dim = Dimension("growth_dim", "成长性", [growth, debt], floor="innovative_sme.floor_growth")
    spec = Dimension("specialization", "专业化", [field, share], floor="innovative_sme.floor_specialization")
    score = Score("评价得分", [innovation, growth_dim, spec])
    return Regime(
        id=rid,
        name=name,
        doc=doc,
        valid_from=start,
        valid_to=end,
        gates=tier_gate(doc),
        score=score,
        score_pass=All(
            ScoreAtLeast(score, P("innovative_sme.pass_score")),
            *(ScoreAtLeast(d, P(d.floor)) for d in (innovation, growth_dim, spec)),
        ).named("score", "评价得分≥{innovative_sme.pass_score}，且创新能力≥{innovative_sme.floor_innovation}、成长性≥{innovative_sme.floor_growth}、"
                      "专业化≥{innovative_sme.floor_specialization}", f"{doc} 二"),
        direct=[
            AnyOf(HasRank("national_award_rank_3y"), HasRank("provincial_award_rank_3y")).named(
                "D1", "近三年内获得过国家级、省级科技奖励", f"{doc} 一(一)"),
            AnyOf(IsTrue("high_tech_valid"), IsTrue("innovation_honor_valid")).named(
                "D2", "有效期内高新技术企业、国家级技术创新示范企业、知识产权优势/示范企业等", f"{doc} 一(二)"),
            In("rd_institution", P("innovative_sme.rd_institutions")).named(
                "D3", "拥有经认定的省部级以上研发机构", f"{doc} 一(三)"),
            AtLeast(Sum(NumF("equity_financing_y1"), NumF("equity_financing_y2"), NumF("equity_financing_y3")),
                    P("innovative_sme.equity_3y")).named(
                "D4", "近三年新增股权融资总额（合格机构投资者实缴额）{innovative_sme.equity_3y}以上", f"{doc} 一(四)"),
        ],
    )


POLICY = (
    Policy(
        id="innovative_sme",
        name="创新型中小企业",
        kind="tier",
        level="省",
        issuer="工业和信息化部（省级中小企业主管部门组织评价）",
        regimes=[
            regime("innovative_sme@2022-63", "创新型中小企业", DOC63, dt.date(2022, 6, 1), dt.date(2026, 3, 31)),
            regime("innovative_sme@2026-2", "科技和创新型中小企业", DOC2, dt.date(2026, 4, 1), None),
        ],
        summary="梯度培育基础层：创新能力、成长性、专业化评价，或满足直通条件；有效期3年。",
        beneficiaries="中小企业",
        how_to_apply="企业在优质中小企业梯度培育平台自评，镇街/市级初审、省级评价公告",
        window="每年一批（广东：市级于7月中旬前完成）",
    )
)
