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

import polars as pl

from zjtx.rules.calc import (
    FEN,
    Calc,
    CalcRegime,
    Calculator,
    Outcome,
    Period,
    PlOutcome,
    fen_pl,
    half_up,
    lin_pl,
    pct,
    status3,
    status_pl,
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


def _cit_exact(income_fen: int, qualifies: bool | None, cx: Calc) -> tuple[Fraction | None, Fraction]:
    """(tax, baseline) in exact fen for a taxable income in fen."""
    std = cx.p(f"{PID}.standard_rate")
    if income_fen <= 0:
        return Fraction(0), Fraction(0)
    baseline = income_fen * std
    if qualifies is None:
        return None, baseline
    if not qualifies:
        return baseline, baseline
    slice_fen = cx.p(f"{PID}.low_slice") * FEN
    low = min(Fraction(income_fen), slice_fen)
    high = max(income_fen - slice_fen, Fraction(0))
    return low * cx.p(f"{PID}.rate_low") + high * cx.p(f"{PID}.rate_high"), baseline


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
    regimes = [
        CalcRegime(f"{PID}@2019-13", "小型微利企业所得税优惠（财税〔2019〕13号）", "财税〔2019〕13号 第二条",
                   dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
        CalcRegime(f"{PID}@2021-12", "小型微利企业所得税优惠（再减半）", "财税〔2019〕13号；财政部 税务总局公告2021年第12号 第一条",
                   dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        CalcRegime(f"{PID}@2022-13", "小型微利企业所得税优惠（2022）", "财政部 税务总局公告2021年第12号；财政部 税务总局公告2022年第13号 第一条",
                   dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        CalcRegime(f"{PID}@2023-12", "小型微利企业所得税优惠（2023–2027）", "财政部 税务总局公告2023年第12号 第三条",
                   dt.date(2023, 1, 1), dt.date(2027, 12, 31)),
    ]
    fields = ["taxable_income_y1", "employees_avg", "assets_avg", "restricted_industry", "employees_y1",
              "total_assets_y1"]
    required_params = [f"{PID}.{k}" for k in ("max_taxable_income", "max_employees", "max_assets", "low_slice",
                                             "rate_low", "rate_high", "standard_rate")]

    # ---- exact ------------------------------------------------------------------------------
    def averages(self, rec: dict[str, Any], cx: Calc, options: dict[str, Any]) -> tuple[Any, Any, bool]:
        emp, assets = rec.get("employees_avg"), rec.get("assets_avg")
        approx = False
        if options.get("approximate_averages"):
            if emp is None and rec.get("employees_y1") is not None:
                emp, approx = rec["employees_y1"], True
            if assets is None and rec.get("total_assets_y1") is not None:
                assets, approx = rec["total_assets_y1"], True
        if approx:
            cx.notes.append("从业人数/资产总额以年末数近似全年季度平均值（approximate_averages），结果为临时结论")
        return emp, assets, approx

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        p = PID
        emp, assets, approx = self.averages(rec, cx, options)
        income = to_fen(rec.get("taxable_income_y1"))
        for name, v in (("taxable_income_y1", income), ("employees_avg", emp), ("assets_avg", assets)):
            if v is None:
                cx.missing.append(name)
        restricted = rec.get("restricted_industry")
        c_ind = restricted is not True
        cx.step("industry", "从事国家非限制和禁止行业", "restricted_industry ≠ 是", c_ind,
                inputs={"restricted_industry": restricted}, status="符合" if c_ind else "不符合",
                params=[f"{p}.max_taxable_income"])
        c_inc = None if income is None else income <= cx.p(f"{p}.max_taxable_income") * FEN
        cx.step("income", "年度应纳税所得额不超过300万元",
                f"应纳税所得额 ≤ {wan(cx.p(f'{p}.max_taxable_income') * FEN)}", c_inc,
                inputs={"taxable_income_y1": None if income is None else Fraction(income, FEN)},
                params=[f"{p}.max_taxable_income"], status=_zh(c_inc))
        c_emp = None if emp is None else Fraction(repr(float(emp))) <= cx.p(f"{p}.max_employees")
        cx.step("employees", "从业人数（全年季度平均值）不超过300人", f"从业人数 ≤ {cx.p(f'{p}.max_employees')}",
                c_emp, inputs={"employees_avg": emp}, params=[f"{p}.max_employees"], status=_zh(c_emp))
        a_fen = to_fen(assets)
        c_ast = None if a_fen is None else a_fen <= cx.p(f"{p}.max_assets") * FEN
        cx.step("assets", "资产总额（全年季度平均值）不超过5000万元", f"资产总额 ≤ {wan(cx.p(f'{p}.max_assets') * FEN)}",
                c_ast, inputs={"assets_avg": assets}, params=[f"{p}.max_assets"], status=_zh(c_ast))
        q = _and3([c_ind, c_inc, c_emp, c_ast])
        for cid, c in (("industry", c_ind), ("income", c_inc), ("employees", c_emp), ("assets", c_ast)):
            if c is False:
                cx.failed.append(cid)
        if income is None:
            return Outcome(status3(q), extra={"_provisional": approx})
        tax, baseline = _cit_exact(income, q, cx)
        rl, rh = cx.p(f"{p}.rate_low"), cx.p(f"{p}.rate_high")
        std = cx.p(f"{p}.standard_rate")
        if income <= 0:
            cx.step("tax", "应纳税所得额不大于零", "应纳所得税额 = 0", Fraction(0), status="0")
        elif q is True:
            cx.step("tax", "按小型微利企业优惠计算应纳所得税额",
                    f"min(所得, 100万) × {pct(rl)} + max(所得 − 100万, 0) × {pct(rh)}", tax / FEN,
                    params=[f"{p}.low_slice", f"{p}.rate_low", f"{p}.rate_high"], status="适用优惠")
        elif q is False:
            cx.step("tax", "不符合小型微利企业条件：全部所得按法定税率计税（无超额累进过渡）",
                    f"所得 × {pct(std)}", tax / FEN, params=[f"{p}.standard_rate"], status="不适用优惠")
        cx.step("baseline", "不享受优惠时的应纳所得税额（法定税率）", f"所得 × {pct(std)}", baseline / FEN,
                params=[f"{p}.standard_rate"])
        return Outcome(status3(q), tax, baseline, extra={"_provisional": approx})

    # ---- vectorised ---------------------------------------------------------------------------
    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        assert params is not None
        p = PID
        v = lambda k: params[f"{p}.{k}"].value  # noqa: E731
        emp = pl.col("employees_avg").cast(pl.Float64)
        assets = pl.col("assets_avg").cast(pl.Float64)
        approx = pl.lit(False)
        if options.get("approximate_averages"):
            approx = (emp.is_null() & pl.col("employees_y1").is_not_null()) | (
                assets.is_null() & pl.col("total_assets_y1").is_not_null())
            emp = pl.coalesce(emp, pl.col("employees_y1").cast(pl.Float64))
            assets = pl.coalesce(assets, pl.col("total_assets_y1").cast(pl.Float64))
        income = fen_pl("taxable_income_y1")
        a_fen = (assets * FEN + 0.5).floor().cast(pl.Int64)
        c_ind = ~pl.col("restricted_industry").fill_null(False)
        q = (c_ind & (income <= int(v("max_taxable_income") * FEN)) & (emp <= float(v("max_employees")))
             & (a_fen <= int(v("max_assets") * FEN)))
        slice_fen = int(v("low_slice") * FEN)
        pos = income.clip(lower_bound=0)
        low = pl.min_horizontal(pos, pl.lit(slice_fen))
        high = (pos - slice_fen).clip(lower_bound=0)
        std = lin_pl([(pos, v("standard_rate"))])
        tax = (
            pl.when(income.is_null()).then(None)
            .when(income <= 0).then(pl.lit(0, pl.Int64))
            .when(q).then(lin_pl([(low, v("rate_low")), (high, v("rate_high"))]))
            .when(~q).then(std)
            .otherwise(None)
        )
        baseline = pl.when(income.is_null()).then(None).otherwise(std)
        missing = [("taxable_income_y1", income.is_null()), ("employees_avg", emp.is_null()),
                   ("assets_avg", assets.is_null())]
        prov = self.provisional_of(params, self.required_params)
        return PlOutcome(status_pl(q), tax, baseline, missing, provisional=pl.lit(prov) | approx)

    def high_tech_alternative(self, income_yuan: Any, year: int, base: Params) -> dict[str, Any]:
        """The 高企 15% tax on the same taxable income (企业所得税法 第二十八条第二款), for stacking."""
        prm = self.params_for(dt.date(year, 12, 31), base)
        pv = prm[f"{PID}.high_tech_rate"]
        fen = to_fen(income_yuan)
        tax = Fraction(0) if fen is None or fen <= 0 else fen * pv.value
        return {"tax": Fraction(half_up(tax), FEN), "rate": pv.value, "source": pv.source, "tag": pv.tag}


def _and3(vals: list[bool | None]) -> bool | None:
    if any(v is False for v in vals):
        return False
    if any(v is None for v in vals):
        return None
    return True


def _zh(v: bool | None) -> str:
    return "符合" if v is True else "不符合" if v is False else "待核验"


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
    from zjtx.rules.calc import parse_period, yuan

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
        cx = Calc(prm)
        qualifies = (inc_fen <= prm[f"{PID}.max_taxable_income"].value * FEN
                     and e_avg <= prm[f"{PID}.max_employees"].value
                     and a_avg * FEN <= prm[f"{PID}.max_assets"].value * FEN
                     and q.get("restricted_industry") is not True)
        tax, _ = _cit_exact(inc_fen, qualifies, cx)
        assert tax is not None
        tax_fen = half_up(tax)
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
