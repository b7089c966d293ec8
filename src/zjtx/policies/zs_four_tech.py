"""zs_four_tech — 中山"四科"标准科技型中小企业.

中山市工业和信息化局 中工信函〔2022〕59号 (2022-06-13) 一(一) "科技型中小企业育苗计划": 每个科技企业
要拥有关键核心技术的科技产品、科技人员占比大于60%、以高价值知识产权为代表的科技成果超过5项、研发投入
强度高于6%. POLICIES.md §2.8::

    qualified = P AND 1 AND 2 AND 3 AND 4          (all comparisons strict)

P (a registered 科技型中小企业) is DERIVED. 科技成果 is counted as ``ip1_high_value`` (DERIVED; OPEN
whether other 科技成果 count) and 研发投入强度 on the 115号 basis ``rd_expense_tax_y1 / sales_revenue_y1``
(DERIVED; OPEN which basis the bureau uses). A local elite standard, not a replacement for 115号.
"""

from __future__ import annotations

import datetime as dt

from zjtx.rules import Above, IsTrue, NumF, P, Policy, Regime
from zjtx.rules.nodes import Div

DOC = "中工信函〔2022〕59号 一(一)"
PFX = "zs_four_tech."

REGIME = Regime(
    id="zs_four_tech@2022-letter",
    name='"四科"标准科技型中小企业',
    doc="中山市工业和信息化局 中工信函〔2022〕59号",
    valid_from=dt.date(2022, 6, 13),
    valid_to=None,
    gates=[
        IsTrue("tech_sme_registered").named("P", "为科技型中小企业（当年入库）", f"{DOC}；国科发政〔2017〕115号"),
        IsTrue("core_tech_product").named("c1", "科技产品：拥有关键核心技术的科技产品", DOC),
        Above(Div(NumF("tech_staff_y1"), NumF("employees_y1")), P(PFX + "min_tech_staff_ratio")).named(
            "c2", "科技人员：科技人员占比大于{zs_four_tech.min_tech_staff_ratio}", DOC),
        Above("ip1_high_value", P(PFX + "min_achievements")).named(
            "c3", "科技成果：以高价值知识产权为代表的科技成果超过{zs_four_tech.min_achievements}", DOC),
        Above(Div(NumF("rd_expense_tax_y1"), NumF("sales_revenue_y1", fallback="revenue_y1")),
              P(PFX + "min_rd_ratio")).named("c4", "科技投入：研发投入强度高于{zs_four_tech.min_rd_ratio}", DOC),
    ],
    notes=[
        "科技成果按Ⅰ类高价值知识产权数计；研发投入强度按加计扣除口径研发费用/销售收入计（口径待市局确认）。",
    ],
)

POLICY = (
    Policy(
        id="zs_four_tech",
        name='"四科"标准科技型中小企业',
        kind="tier",
        level="市",
        issuer="中山市工业和信息化局",
        regimes=[REGIME],
        summary="中山市科技型中小企业育苗计划的培育标准：科技产品、科技人员、科技成果、科技投入\u201c四科\u201d"
                "（科技人员占比大于60%、高价值知识产权为代表的科技成果超过5项、研发投入强度高于6%）。",
        beneficiaries="中山市已入库的科技型中小企业",
        how_to_apply="无需单独申报：由市工业和信息化局依据企业入库及年报数据筛选，纳入育苗计划重点培育",
        window="常年（随科技型中小企业入库结果更新）",
    )
)
