"""cit_small_low_profit — 小型微利企业 企业所得税 (POLICIES.md §2.10).

Definition (财税〔2019〕13号 第二条; 财政部 税务总局公告2023年第12号 第五条): 从事国家非限制和禁止行业,
年度应纳税所得额 ≤ 300万元, 从业人数 ≤ 300人, 资产总额 ≤ 5000万元 (both as 全年季度平均值). Rates by tax
year in ``params/cit_small_low_profit.yaml``; above 300万 the whole income is taxed at 25%
(企业所得税法 第四条 — a cliff, no marginal relief).

Also: ``annual_average`` (全年季度平均值, 财税〔2019〕13号 第二条 / 财政部 税务总局公告2023年第6号 第三条,
incl. a business opened mid-year) and ``cumulative_prepayment`` (quarterly prepayment on cumulative
figures, 国家税务总局公告2022年第5号).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from zjtx.rules.calculators import (
    FEN,
    And,
    Calculation,
    Calculator,
    Case,
    Decl,
    Fill,
    Max,
    Min,
    Node,
    Not,
    Or,
    Period,
    Step,
    half_up,
    pct,
    to_fen,
    wan,
)
from zjtx.rules.inputs import InputError, InputIssue
from zjtx.rules.params import Params

PID = "cit_small_low_profit"

INPUTS = {
    "employees_avg": ("number", "从业人数（全年季度平均值）"),
    "assets_avg": ("money", "资产总额（全年季度平均值）"),
}

AVG_DOC = "财税〔2019〕13号 第二条；财政部 税务总局公告2023年第6号 第三条"


def _num(v: Any, name: str) -> Fraction:
    if v is None or isinstance(v, bool):
        raise InputError([InputIssue(1, None, name, v, "缺少或不是数字")])
    try:
        x = Fraction(str(v)) if not isinstance(v, float) else Fraction(repr(v))
    except (ValueError, ZeroDivisionError):
        raise InputError([InputIssue(1, None, name, v, "不是数字")]) from None
    if x < 0:
        raise InputError([InputIssue(1, None, name, v, "不能为负数")])
    return x


def annual_average(quarters: Sequence[tuple[Any, Any] | None]) -> Fraction:
    """全年季度平均值 from (季初值, 季末值) per quarter (POLICIES.md §2.10; 财税〔2019〕13号 第二条).

    ``quarters``: four entries Q1–Q4; ``None`` for a quarter in which the business did not operate
    (opened or closed during the year: the actual operating period counts as the year, so the sum of
    quarterly averages is divided by the number of operating quarters). For the quarter of opening,
    季初值 is the value on the opening day. 季度平均值 = (季初值 + 季末值) ÷ 2.
    """
    if len(quarters) != 4:
        raise InputError([InputIssue(1, None, "quarters", len(quarters), "应提供第1–4季度共4项（未经营的季度为 None）")])
    ops = [(i, q) for i, q in enumerate(quarters, start=1) if q is not None]
    if not ops:
        raise InputError([InputIssue(1, None, "quarters", None, "全年没有经营季度")])
    idx = [i for i, _ in ops]
    if idx != list(range(idx[0], idx[-1] + 1)):
        raise InputError([InputIssue(1, None, "quarters", idx, "经营季度应连续（年度中间开业或终止经营，以实际经营期计算）")])
    total = Fraction(0)
    for i, (start, end) in ops:
        total += (_num(start, f"Q{i}季初值") + _num(end, f"Q{i}季末值")) / 2
    return total / len(ops)


class CitSmallLowProfit(Calculator):
    id = PID
    name = "小型微利企业所得税优惠"
    level = "国家"
    issuer = "财政部、国家税务总局"
    summary = "年应纳税所得额≤300万元、从业人数≤300人、资产总额≤5000万元的小型微利企业减按低税负缴纳企业所得税。"
    beneficiaries = "从事国家非限制和禁止行业、符合小型微利企业条件的居民企业"
    how_to_apply = "免申即享：预缴和汇算清缴时在申报表中填报从业人数、资产总额等即可自行享受"
    automatic = True
    window = "季度预缴（季度终了15日内）与年度汇算清缴（次年5月31日前）"
    output = "tax"
    period_kind = "year"
    fields = ["taxable_income_y1", "employees_avg", "assets_avg", "restricted_industry", "employees_y1",
              "total_assets_y1"]
    required_params = [f"{PID}.{k}" for k in ("max_taxable_income", "max_employees", "max_assets", "low_slice",
                                             "rate_low", "rate_high", "standard_rate")]

    def declare(self, d: Decl) -> Calculation:
        p = PID
        v = lambda k: d.p(f"{p}.{k}")  # noqa: E731
        income = d.money("taxable_income_y1", "应纳税所得额")
        emp: Node = d.num("employees_avg", "从业人数")
        assets: Node = d.money("assets_avg", "资产总额")
        approx: Node | None = None
        if d.options.get("approximate_averages"):
            y_emp, y_ast = d.num("employees_y1"), d.money("total_assets_y1")
            approx = Or(And(emp.is_null(), y_emp.known()), And(assets.is_null(), y_ast.known()))
            emp, assets = Fill(emp, y_emp), Fill(assets, y_ast)
        restricted = d.flag("restricted_industry")
        c_ind = Not(Fill(restricted, False))
        c_inc = income <= v("max_taxable_income")
        c_emp = emp <= v("max_employees")
        c_ast = assets <= v("max_assets")
        q = And(c_ind, c_inc, c_emp, c_ast)
        rl, rh, std, cut = v("rate_low"), v("rate_high"), v("standard_rate"), v("low_slice")
        pos = Max(income, 0)
        low, high = Min(pos, cut), Max(pos - cut, 0)
        tax = Case([(income.is_null(), None), (income <= 0, 0), (q, low * rl + high * rh), (Not(q), income * std)])
        baseline = Case([(income.is_null(), None), (income <= 0, 0)], income * std)
        status = Case([(q, "qualified"), (Not(q), "not_qualified")], "unknown")
        steps = [
            Step("industry", "从事国家非限制和禁止行业", "restricted_industry ≠ 是", c_ind,
                 inputs={"restricted_industry": restricted}, params=[f"{p}.max_taxable_income"],
                 status=Case([(c_ind, "符合")], "不符合")),
            Step("income", f"年度应纳税所得额不超过{wan(v('max_taxable_income'))}",
                 f"应纳税所得额 ≤ {wan(v('max_taxable_income'))}", c_inc, inputs={"taxable_income_y1": income},
                 params=[f"{p}.max_taxable_income"], status=_zh(c_inc)),
            Step("employees", f"从业人数（全年季度平均值）不超过{fmt_n(v('max_employees'))}人",
                 f"从业人数 ≤ {fmt_n(v('max_employees'))}", c_emp, inputs={"employees_avg": emp},
                 params=[f"{p}.max_employees"], status=_zh(c_emp)),
            Step("assets", f"资产总额（全年季度平均值）不超过{wan(v('max_assets'))}",
                 f"资产总额 ≤ {wan(v('max_assets'))}", c_ast, inputs={"assets_avg": assets},
                 params=[f"{p}.max_assets"], status=_zh(c_ast)),
            Step("tax", "应纳税所得额不大于零", "应纳所得税额 = 0", 0, status="0", when=income <= 0),
            Step("tax", "按小型微利企业优惠计算应纳所得税额",
                 f"min(所得, {wan(cut)}) × {pct(rl)} + max(所得 − {wan(cut)}, 0) × {pct(rh)}", tax,
                 params=[f"{p}.low_slice", f"{p}.rate_low", f"{p}.rate_high"], status="适用优惠",
                 when=And(income > 0, q)),
            Step("tax", "不符合小型微利企业条件：全部所得按法定税率计税（无超额累进过渡）", f"所得 × {pct(std)}", tax,
                 params=[f"{p}.standard_rate"], status="不适用优惠", when=And(income > 0, Not(q))),
            Step("baseline", "不享受优惠时的应纳所得税额（法定税率）", f"所得 × {pct(std)}", baseline,
                 params=[f"{p}.standard_rate"], when=income.known()),
        ]
        notes = []
        if approx is not None:
            notes.append(("从业人数/资产总额以年末数近似全年季度平均值（approximate_averages），结果为临时结论", approx))
        return Calculation(
            status=status, result=tax, baseline=baseline,
            missing=[("taxable_income_y1", income.is_null()), ("employees_avg", emp.is_null()),
                     ("assets_avg", assets.is_null())],
            failed=[("industry", Not(c_ind)), ("income", Not(c_inc)), ("employees", Not(c_emp)),
                    ("assets", Not(c_ast))],
            notes=notes, steps=steps, provisional=approx)

    def high_tech_alternative(self, income_yuan: Any, year: int, base: Params) -> dict[str, Any]:
        """The 高企 15% tax on the same taxable income (企业所得税法 第二十八条第二款), for stacking."""
        prm = self.params_for(dt.date(year, 12, 31), base)
        pv = prm[f"{PID}.high_tech_rate"]
        fen = to_fen(income_yuan)
        tax = Fraction(0) if fen is None or fen <= 0 else fen * pv.value
        return {"tax": Fraction(half_up(tax), FEN), "rate": pv.value, "source": pv.source, "tag": pv.tag}


def _zh(c: Node) -> Node:
    return Case([(c, "符合"), (Not(c), "不符合")], "待核验")


def fmt_n(x: Any) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else str(float(x))


CALCULATOR = (CitSmallLowProfit())


def cumulative_prepayment(quarters: Sequence[dict[str, Any]], on: Any = None,
                          params: Params | None = None) -> list[dict[str, Any]]:
    """Quarterly CIT prepayment of a 小型微利企业 on cumulative figures (国家税务总局公告2022年第5号, MEMORY).

    ``params``: the rule set to use (default: the catalog's, no overlay).
    ``quarters``: consecutive quarters of one tax year, in order, each
    ``{"quarter": "2024-Q1", "taxable_income_cum": 累计应纳税所得额, "employees": (季初, 季末),
    "assets": (季初, 季末)}``; the first may be later than Q1 only for a business opened that year.
    For each quarter the 小型微利 test uses the figures to date (the quarterly averages so far), the
    tax is computed on the cumulative income, and the payable is that tax minus what was prepaid
    before (not below zero). Returns one dict per quarter with exact ``Decimal`` yuan.
    """
    from zjtx.rules.calculators import parse_period, yuan

    if not quarters:
        raise InputError([InputIssue(1, None, "quarters", None, "至少需要一个季度")])
    periods = []
    for i, q in enumerate(quarters, start=1):
        per = parse_period(q.get("quarter"), "quarter")
        if per.kind != "quarter":
            raise InputError([InputIssue(i, None, "quarter", q.get("quarter"), "应为 YYYY-Qn")])
        periods.append(per)
    years = {per.year for per in periods}
    if len(years) != 1:
        raise InputError([InputIssue(1, None, "quarter", sorted(years), "预缴季度应属于同一纳税年度")])
    idx = [per.index for per in periods]
    if idx != list(range(idx[0], idx[0] + len(idx))):
        raise InputError([InputIssue(1, None, "quarter", [per.code() for per in periods],
                                     "季度应按顺序连续申报（如 Q1、Q2、Q3），不得跳季或重复")])
    year = periods[0].year
    calc = CALCULATOR
    if params is None:
        from zjtx.policies.catalog import catalog

        params = catalog().params_at(dt.date(year, 12, 31))
    assert params.source is not None
    calc.check_period(Period("year", year), params.source)
    prm = calc.params_for(dt.date(year, 12, 31), params)
    out: list[dict[str, Any]] = []
    paid = 0
    emp_avgs: list[Fraction] = []
    ast_avgs: list[Fraction] = []
    prev_income: Fraction | None = None
    for i, (q, per) in enumerate(zip(quarters, periods, strict=True), start=1):
        income = q.get("taxable_income_cum")
        if income is None:
            raise InputError([InputIssue(i, None, "taxable_income_cum", None, f"{per.code()} 缺少累计应纳税所得额")])
        emp, ast = q.get("employees"), q.get("assets")
        if not emp or not ast or len(emp) != 2 or len(ast) != 2:
            raise InputError([InputIssue(i, None, "employees/assets", (emp, ast), f"{per.code()} 应提供 (季初值, 季末值)")])
        emp_avgs.append((_num(emp[0], "employees") + _num(emp[1], "employees")) / 2)
        ast_avgs.append((_num(ast[0], "assets") + _num(ast[1], "assets")) / 2)
        e_avg = sum(emp_avgs) / len(emp_avgs)
        a_avg = sum(ast_avgs) / len(ast_avgs)
        inc_fen = to_fen(income)
        assert inc_fen is not None
        # the declaration itself, on the figures to date (averages read to the fen / 10⁻⁶ like any input)
        res = calc.run({"tax_year": year, "taxable_income_y1": Fraction(inc_fen, FEN), "employees_avg": e_avg,
                        "assets_avg": a_avg, "restricted_industry": q.get("restricted_industry")},
                       dt.date(year + 1, 1, 1), prm, {}, from_input=True)
        qualifies = res["status"] == "qualified"
        tax_fen = half_up(Fraction(res["tax"]) * FEN)
        payable = max(tax_fen - paid, 0)
        out.append({
            "quarter": per.code(),
            "taxable_income_cum": yuan(inc_fen),
            "employees_avg_to_date": e_avg,
            "assets_avg_to_date": a_avg,
            "small_low_profit": qualifies,
            "tax_cum": yuan(tax_fen),
            "prepaid_before": yuan(paid),
            "payable": yuan(payable),
            "cite": "国家税务总局公告2022年第5号（按截至本期末的累计情况判断和计算）；" + prm[f"{PID}.rate_low"].source,
            "income_decreased": prev_income is not None and Fraction(inc_fen) < prev_income,
        })
        paid += payable
        prev_income = Fraction(inc_fen)
    return out
