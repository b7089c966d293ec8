"""zs_innovation_benchmark — 中山市创新标杆企业 倾斜支持 (POLICIES.md §2.9).

中山市工业和信息化局 中工信函〔2022〕59号 三(一) "实施创新标杆企业崛起计划": 根据上年度研发费税前加计扣除额
按最高6%的比例给予倾斜支持. ``amount = support_ratio × D``; ``D = rd_super_deduction_y1`` (as filed) or
else the ``rd_super_deduction`` amount for the tax year of ``_y1`` (DERIVED). Selection is the bureau's
(``innovation_benchmark_selected``): true → qualified, false → not_qualified (amount 0), null →
manual_review with the amount if selected.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.policies.rd_super_deduction import CALCULATOR as RD
from zjtx.policies.rd_super_deduction import FIELDS as RD_FIELDS
from zjtx.policies.rd_super_deduction import rd_exact, rd_pl
from zjtx.rules.calc import (
    FEN,
    Calc,
    CalcRegime,
    Calculator,
    Outcome,
    Period,
    PlOutcome,
    fen_pl,
    lin_pl,
    pct,
    to_fen,
)
from zjtx.rules.inputs import InputError, InputIssue
from zjtx.rules.params import Params
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
    regimes = [CalcRegime(f"{PID}@2022-letter", "中山市创新标杆企业倾斜支持", DOC, dt.date(2022, 1, 1), None)]
    fields = ["innovation_benchmark_selected", "rd_super_deduction_y1", *RD_FIELDS]
    required_params = [f"{PID}.support_ratio"]

    # the support year is the year of ``on``; D is of the year before (上年度)
    def tax_year_of(self, on: dt.date) -> int:
        return on.year

    def period_of(self, rec: dict[str, Any], on: dt.date, from_input: bool) -> Period:
        if from_input and rec.get("tax_year") is not None:
            y = rec["tax_year"]
            if isinstance(y, bool) or not str(y).strip().isdigit():
                raise InputError([InputIssue(1, None, "tax_year", y, "税款所属年度应为四位整数年份")])
            return Period("year", int(str(y).strip()) + 1)
        return Period("year", on.year)

    def _rd_params(self, support_year: int, base: Params) -> Params:
        try:
            RD.check_period(Period("year", support_year - 1), base.source)
        except PolicyError as exc:
            raise PolicyError(f"{self.name}：上年度加计扣除额无法计算——{exc}") from None
        return RD.params_for(dt.date(support_year - 1, 12, 31), base)

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        p = PID
        ratio = cx.p(f"{p}.support_ratio")
        sel = rec.get("innovation_benchmark_selected")
        cx.step("selected", "当年入选中山市创新标杆企业（市局年度遴选）", "innovation_benchmark_selected = 是", sel,
                inputs={"innovation_benchmark_selected": sel}, cite=DOC,
                status="是" if sel is True else "否" if sel is False else "待人工审核")
        filed = to_fen(rec.get("rd_super_deduction_y1"))
        rd_prov = False
        d: Fraction | None
        if filed is not None:
            d = Fraction(filed)
            cx.step("D", "上年度研发费用税前加计扣除额（汇算清缴申报数）", "D = rd_super_deduction_y1", d / FEN,
                    inputs={"rd_super_deduction_y1": d / FEN}, cite=DOC)
        else:
            rcx = Calc(self._rd_params(period.year, cx.params), doc=RD.regime_for(dt.date(period.year - 1, 12, 31)).doc)
            rd = rd_exact(rec, rcx)
            for t in rcx.trace:
                t = dict(t, id="D." + t["id"])
                cx.trace.append(t)
            cx.missing.extend(m for m in rcx.missing if m not in cx.missing)
            if rd.status == "not_qualified":
                cx.notes.append("所属行业不适用研发费用加计扣除，上年度加计扣除额为 0")
            d = None if rd.result is None else Fraction(rd.result)
            if d is not None:
                d = Fraction(round_fen(d))
            cx.step("D", f"上年度（{period.year - 1}年）研发费用税前加计扣除额（按加计扣除政策计算）",
                    "D = rd_super_deduction 金额", None if d is None else d / FEN, cite="POLICIES.md §2.9（DERIVED）")
            if RD.provisional_of(rcx.params, RD.required_params):
                cx.notes.append("上年度加计扣除额按待核实（MEMORY）参数计算")
                rd_prov = True
        if sel is None:
            cx.manual.append("innovation_benchmark_selected")
        amount = None if d is None else d * ratio
        if amount is not None:
            cx.step("amount", "倾斜支持金额（若入选）", f"D × {pct(ratio)}", amount / FEN, params=[f"{p}.support_ratio"])
        extra = {"_provisional": rd_prov}
        if sel is False:
            cx.failed.append("selected")
            return Outcome("not_qualified", Fraction(0), Fraction(0), extra=extra)
        if d is None:
            return Outcome("unknown", extra=extra)
        return Outcome("qualified" if sel is True else "manual_review", amount, Fraction(0), extra=extra)

    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        assert params is not None and period is not None
        ratio = params[f"{PID}.support_ratio"].value
        rparams = self._rd_params(period.year, base)
        rd_status, rd_amount, rd_missing = rd_pl(rparams)
        filed = fen_pl("rd_super_deduction_y1")
        d = pl.coalesce(filed, rd_amount)
        sel = pl.col("innovation_benchmark_selected")
        not_sel = sel.not_().fill_null(False)
        amount = pl.when(not_sel).then(pl.lit(0, pl.Int64)).when(d.is_null()).then(None).otherwise(
            lin_pl([(d, ratio)]))
        status = (
            pl.when(not_sel).then(pl.lit("not_qualified"))
            .when(d.is_null()).then(pl.lit("unknown"))
            .when(sel).then(pl.lit("qualified"))
            .otherwise(pl.lit("manual_review"))
        )
        missing = [(n, e & filed.is_null()) for n, e in rd_missing]
        own = self.provisional_of(params, self.required_params)
        rd_prov = RD.provisional_of(rparams, RD.required_params)
        return PlOutcome(status, amount, pl.when(amount.is_null()).then(None).otherwise(pl.lit(0, pl.Int64)), missing,
                         provisional=pl.lit(own) | (pl.lit(rd_prov) & filed.is_null()),
                         extra={"manual": pl.when(sel.is_null()).then(pl.lit(["innovation_benchmark_selected"]))
                                .otherwise(pl.lit([], dtype=pl.List(pl.String)))})


def round_fen(x: Fraction) -> int:
    from zjtx.rules.calc import half_up

    return half_up(x)


CALCULATOR = (InnovationBenchmark())
