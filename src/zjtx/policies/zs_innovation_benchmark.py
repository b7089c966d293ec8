"""zs_innovation_benchmark — 中山市创新标杆企业 倾斜支持 (POLICIES.md §2.9).

中山市工业和信息化局 中工信函〔2022〕59号 三(一) "实施创新标杆企业崛起计划": 根据上年度研发费税前加计扣除额
按最高6%的比例给予倾斜支持. ``amount = support_ratio × D``; ``D = rd_super_deduction_y1`` (as filed) or
else the ``rd_super_deduction`` amount for the tax year of ``_y1`` (DERIVED). Selection is the bureau's
(``innovation_benchmark_selected``): true → qualified, false → not_qualified (amount 0), null →
manual_review with the amount if selected.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zjtx.policies.rd_super_deduction import CALCULATOR as RD
from zjtx.policies.rd_super_deduction import FIELDS as RD_FIELDS
from zjtx.policies.rd_super_deduction import rd_declare
from zjtx.rules.calculators import (
    And,
    Calculation,
    Calculator,
    Case,
    Const,
    Decl,
    Fill,
    Not,
    Period,
    Step,
    pct,
)
from zjtx.rules.calculators.expr import Round
from zjtx.rules.policy import PolicyError

PID = "zs_innovation_benchmark"
DOC = "中山市工业和信息化局 中工信函〔2022〕59号 三(一)"


class InnovationBenchmark(Calculator):
    id = PID
    name = "中山市创新标杆企业倾斜支持"
    kind = "support"
    level = "市"
    issuer = "中山市工业和信息化局"
    summary = "遴选主营业务优质、营收增长迅速、盈利能力较强、创新能力突出的创新标杆企业，按上年度研发费用税前加计扣除额最高6%给予倾斜支持。"
    beneficiaries = "当年入选中山市创新标杆企业的企业"
    how_to_apply = "需申报：按市工业和信息化局年度遴选通知申报，经遴选入选后按上年度加计扣除额核定支持金额"
    automatic = False
    window = "以市工业和信息化局年度遴选通知为准"
    output = "amount"
    fields = ["innovation_benchmark_selected", "rd_super_deduction_y1", *RD_FIELDS]
    required_params = [f"{PID}.support_ratio"]

    # the support year is the year of ``on``; D is of the year before (上年度)
    def tax_year_of(self, on: dt.date) -> int:
        return on.year

    def tax_year_of_input(self, year: int) -> int:
        return year + 1

    def declare(self, d: Decl) -> Calculation:
        p = PID
        year = d.params.on.year  # the support year
        assert d.params.source is not None
        try:
            RD.check_period(Period("year", year - 1), d.params.source)
        except PolicyError as exc:
            raise PolicyError(f"{self.name}：上年度加计扣除额无法计算——{exc}") from None
        rd_d = Decl(RD, d.params.at(dt.date(year - 1, 12, 31)), {})
        rd = rd_declare(rd_d)
        rd_doc = RD.regime_for(dt.date(year - 1, 12, 31)).doc
        rd_prov = RD.provisional_of(rd_d.params, rd_d.used)
        ratio = d.p(f"{p}.support_ratio")
        sel = d.flag("innovation_benchmark_selected")
        filed = d.money("rd_super_deduction_y1", "上年度研发费用税前加计扣除额")
        derived = Round(rd.result) if rd.result is not None else Const(None)
        dd = Fill(filed, derived)
        not_sel = Fill(Not(sel), False)
        amount = Case([(not_sel, 0), (dd.is_null(), None)], dd * ratio)
        status = Case([(not_sel, "not_qualified"), (dd.is_null(), "unknown"), (Fill(sel, False), "qualified")],
                      "manual_review")
        steps = [
            Step("selected", "当年入选中山市创新标杆企业（市局年度遴选）", "innovation_benchmark_selected = 是", sel,
                 inputs={"innovation_benchmark_selected": sel}, cite=DOC,
                 status=Case([(Fill(sel, False), "是"), (not_sel, "否")], "待人工审核")),
            Step("D", "上年度研发费用税前加计扣除额（汇算清缴申报数）", "D = rd_super_deduction_y1", filed,
                 inputs={"rd_super_deduction_y1": filed}, cite=DOC, when=filed.known()),
        ]
        for s in rd.steps:  # the 加计扣除 computation of the year before, as its own steps
            when = filed.is_null() if s.when is None else And(filed.is_null(), s.when)
            steps.append(Step("D." + s.id, s.label, s.required, s.value, s.inputs, [],
                              s.status, s.cite or rd_d.cite(*s.params) or rd_doc, when))
        steps += [
            Step("D", f"上年度（{year - 1}年）研发费用税前加计扣除额（按加计扣除政策计算）", "D = rd_super_deduction 金额",
                 derived, cite="POLICIES.md §2.9（DERIVED）", when=filed.is_null()),
            Step("amount", "倾斜支持金额（若入选）", f"D × {pct(ratio)}", dd * ratio, params=[f"{p}.support_ratio"],
                 when=dd.known()),
        ]
        notes: list[tuple] = [("所属行业不适用研发费用加计扣除，上年度加计扣除额为 0",
                               And(filed.is_null(), Fill(rd.failed[0][1], False)))]
        if rd_prov:
            notes.append(("上年度加计扣除额按待核实（MEMORY）参数计算", filed.is_null()))
        return Calculation(
            status=status, result=amount, baseline=Case([(amount.known(), 0)], None),
            missing=[(k, And(filed.is_null(), n)) for k, n in rd.missing],
            failed=[("selected", not_sel)], manual=[("innovation_benchmark_selected", sel.is_null())],
            notes=notes, steps=steps,
            provisional=And(filed.is_null(), Const(rd_prov)) if rd_prov else None)


def round_fen(x: Any) -> int:
    from zjtx.rules.calculators import half_up

    return half_up(x)


CALCULATOR = InnovationBenchmark()
