"""tech_sme — 科技型中小企业评价.

《科技型中小企业评价办法》国科发政〔2017〕115号: 第六条 conditions (一)–(五), 第七条 and its annex
(科技人员 20, 研发投入 50, 科技成果 30), 第八条 direct confirmation (D1–D4). Since 2026-04-01
工信部企业〔2026〕2号 第三十条 keeps this standard until the merged 科技和创新型 standard is issued —
the same regime continues (POLICIES.md §2.2).
"""

from __future__ import annotations

import datetime as dt

from zjtx.rules import (
    AtMost,
    Banded,
    Below,
    BestOf,
    ClearOrReview,
    Dimension,
    In,
    IsFalse,
    IsTrue,
    NumF,
    P,
    Policy,
    RankAtMost,
    Regime,
    Score,
    ScoreAtLeast,
    Sum,
    Tiered,
)
from zjtx.rules.nodes import All, Cmp, Const, Div

DOC = "国科发政〔2017〕115号"

staff = Banded("tech_staff", "科技人员", Div(NumF("tech_staff_y1"), NumF("employees_y1")),
               "tech_sme.staff_bands", cite=f"{DOC} 附件 评价指标(一)")
rd = BestOf(
    "rd",
    "研发投入",
    Banded("rd_revenue", "① 研发费用/销售收入", Div(NumF("rd_expense_tax_y1"), NumF("sales_revenue_y1", fallback="revenue_y1")),
           "tech_sme.rd_revenue_bands", cite=f"{DOC} 附件 评价指标(二)①"),
    Banded("rd_cost", "② 研发费用/成本费用支出总额", Div(NumF("rd_expense_tax_y1"), NumF("total_cost_y1")),
           "tech_sme.rd_cost_bands", cite=f"{DOC} 附件 评价指标(二)②"),
    cite=f"{DOC} 第七条：企业可选择①或②，取较优者",
)
ip = Tiered("ip", "科技成果", "tech_sme.ip_tiers", fields=["ip1", "ip2"], cite=f"{DOC} 附件 评价指标(三)")
score = Score("综合评价得分", [Dimension("total", "综合评价", [staff, rd, ip])])

REGIME = Regime(
    id="tech_sme@2017-115",
    name="科技型中小企业",
    doc=DOC,
    valid_from=dt.date(2017, 5, 3),
    valid_to=None,
    gates=[
        All(
            AtMost("employees_y1", P("tech_sme.max_employees")),
            AtMost(NumF("sales_revenue_y1", fallback="revenue_y1"), P("tech_sme.max_sales")),
            AtMost("total_assets_y1", P("tech_sme.max_assets")),
        ).named("size", "职工总数≤{tech_sme.max_employees}、年销售收入≤{tech_sme.max_sales}、资产总额≤{tech_sme.max_assets}", f"{DOC} 第六条(二)"),
        IsFalse("restricted_industry").named("industry", "产品和服务不属于禁止、限制和淘汰类", f"{DOC} 第六条(三)"),
        All(IsFalse("abnormal_or_dishonest"), ClearOrReview("major_incident_3y")).named(
            "compliance", "未发生重大事故、严重失信，未列入经营异常名录和严重违法失信名单", f"{DOC} 第六条(四)"),
    ],
    score=score,
    score_pass=All(
        ScoreAtLeast(score, P("tech_sme.pass_score")),
        ScoreAtLeast(Dimension("staff_only", "科技人员指标得分", [staff]), Const(0), strict=True),
    ).named("score", "综合评价得分≥{tech_sme.pass_score}，且科技人员指标得分不为0", f"{DOC} 第六条(五)"),
    direct=[
        IsTrue("high_tech_valid").named("D1", "有效期内高新技术企业", f"{DOC} 第八条(一)"),
        RankAtMost("national_award_rank_5y", P("tech_sme.award_rank")).named(
            "D2", "近五年国家级科技奖励获奖单位排名前{tech_sme.award_rank:n}", f"{DOC} 第八条(二)"),
        In("rd_institution", P("tech_sme.rd_institutions")).named("D3", "拥有经认定的省部级以上研发机构",
                                                                  f"{DOC} 第八条(三)"),
        IsTrue("led_standard_5y").named("D4", "近五年主导制定国际、国家或行业标准", f"{DOC} 第八条(四)"),
    ],
    flags=[
        AtMost("employees_y1", P("tech_sme.check_max_employees")).named(
            "check_staff", "核查提示：职工总数不超过{tech_sme.check_max_employees}", "工企业函〔2026〕160号"),
        Cmp(Sum(NumF("ip1"), NumF("ip2")), "==", 0).named("check_ip", "核查提示：无知识产权", "工企业函〔2026〕160号"),
        Below("rd_expense_tax_y1", P("tech_sme.check_min_rd")).named(
            "check_rd", "核查提示：研发费用低于{tech_sme.check_min_rd}", "工企业函〔2026〕160号"),
    ],
    notes=["入库登记编号当年有效（tech_sme_registered 记录当年入库）。"],
)

POLICY = (
    Policy(
        id="tech_sme",
        name="科技型中小企业",
        kind="tier",
        level="国家",
        issuer="科技部、财政部、国家税务总局（2023年起由工业和信息化部中小企业局组织评价）",
        regimes=[REGIME],
        summary="依托科技人员、研发投入、科技成果综合评价入库；入库企业享受研发费用加计扣除等政策。",
        beneficiaries="职工≤500人、年销售收入≤2亿元、资产≤2亿元的科技型企业",
        how_to_apply="企业在科技型中小企业评价系统自主填报，评价机构审核、公示后取得入库登记编号（当年有效）",
        window="每年开放（2025年：6月30日—9月30日）",
    )
)
