"""rd_super_deduction — 研发费用税前加计扣除 (POLICIES.md §2.11).

``amount = rate × (rd_expense_tax_y1 + rd_amortization_y1)`` with the rate by tax year and enterprise:
财税〔2018〕99号 第一条 (75%); 财政部 税务总局公告2021年第13号 第一条 (制造业 100%, 2021–2022);
财政部 税务总局 科技部公告2022年第16号 第一条 (科技型中小企业 100% from 2022, 入库登记 as the gate);
财政部 税务总局 科技部公告2022年第28号 第二条 (others: 100% on 2022-10-01 – 12-31 expenses);
财政部 税务总局公告2023年第7号 第一条 (all 100% from 2023); 财政部 税务总局公告2023年第44号 第一条
(集成电路/工业母机 120%, 2023–2027). Excluded industries: 财税〔2015〕119号 第四条 → amount 0.
"""

from __future__ import annotations

import datetime as dt
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
    to_fen,
)
from zjtx.rules.params import Params

PID = "rd_super_deduction"

INPUTS = {
    "rd_amortization_y1": ("money", "研发形成的无形资产当年摊销额"),
    "rd_expense_tax_q4": ("money", "2022年10–12月发生的研发费用（加计扣除口径）"),
    "ic_or_machine_tool": ("bool", "集成电路企业或工业母机企业"),
}

FIELDS = ["rd_expense_tax_y1", "rd_amortization_y1", "industry", "tech_sme_registered", "rd_expense_tax_q4",
          "ic_or_machine_tool"]
REQUIRED = [f"{PID}.{k}" for k in ("rate_general", "rate_manufacturing", "rate_tech_sme", "rate_ic_machine",
                                   "excluded_industries", "manufacturing_prefixes")]


def _code(industry: Any) -> str | None:
    if industry is None:
        return None
    s = str(industry).strip().upper()
    return s or None


def rd_exact(rec: dict[str, Any], cx: Calc) -> Outcome:
    """The 加计扣除额 (exact fen) of one record for the tax year whose parameters ``cx`` holds."""
    p = PID
    code = _code(rec.get("industry"))
    r_fen = to_fen(rec.get("rd_expense_tax_y1"))
    a_fen = to_fen(rec.get("rd_amortization_y1")) or 0
    q4_fen = to_fen(rec.get("rd_expense_tax_q4"))
    cx.need(rec, "rd_expense_tax_y1", "industry")
    excluded_list = cx.p(f"{p}.excluded_industries")
    excluded = None if code is None else any(code.startswith(x) for x in excluded_list)
    cx.step("excluded", "不属于不适用加计扣除的行业（烟草、住宿餐饮、批发零售、房地产、租赁和商务服务、娱乐业）",
            "industry 不以 " + "/".join(excluded_list) + " 开头", None if excluded is None else not excluded,
            inputs={"industry": code}, params=[f"{p}.excluded_industries"],
            status="待核验" if excluded is None else ("不适用" if excluded else "适用"))
    if excluded is True:
        cx.failed.append("excluded")
        cx.step("amount", "行业不适用：加计扣除额为 0", "0", Fraction(0), params=[f"{p}.excluded_industries"])
        return Outcome("not_qualified", Fraction(0), Fraction(0))
    if excluded is None or r_fen is None:
        return Outcome("unknown")
    base = r_fen + a_fen
    ic_rate = cx.p(f"{p}.rate_ic_machine")
    manuf = any(code.startswith(x) for x in cx.p(f"{p}.manufacturing_prefixes"))
    ic = rec.get("ic_or_machine_tool") is True and ic_rate is not None
    if ic:
        cx.step("rate", "集成电路企业、工业母机企业", f"加计扣除比例 {pct(ic_rate)}", ic_rate,
                inputs={"ic_or_machine_tool": True}, params=[f"{p}.rate_ic_machine"], status="适用")
        amt = base * ic_rate
        return _done(cx, amt, base)
    if manuf:
        rate = cx.p(f"{p}.rate_manufacturing")
        cx.step("rate", "制造业企业（行业门类C）", f"加计扣除比例 {pct(rate)}", rate, inputs={"industry": code},
                params=[f"{p}.rate_manufacturing", f"{p}.manufacturing_prefixes"], status="适用")
        return _done(cx, base * rate, base)
    # others: 科技型中小企业 or the general rate (2022: Q4 at 100%)
    t_rate = cx.p(f"{p}.rate_tech_sme")
    amt_t = base * t_rate
    amt_o, lo_o, hi_o = _others(cx, r_fen, a_fen, q4_fen, record=False)
    tech = rec.get("tech_sme_registered")
    if tech is True:
        cx.step("rate", "科技型中小企业（取得当年入库登记编号）", f"加计扣除比例 {pct(t_rate)}", t_rate,
                inputs={"tech_sme_registered": True}, params=[f"{p}.rate_tech_sme"], status="适用")
        return _done(cx, amt_t, base)
    if tech is False or (amt_o is not None and half_up(amt_o) == half_up(amt_t)):
        amt_o, lo_o, hi_o = _others(cx, r_fen, a_fen, q4_fen, record=True)
        if amt_o is None:
            cx.missing.append("rd_expense_tax_q4")
            return Outcome("unknown", None, None, result_min=lo_o, result_max=hi_o)
        return _done(cx, amt_o, base)
    # tech_sme_registered unknown and the two rates differ
    cx.missing.append("tech_sme_registered")
    if amt_o is None:
        cx.missing.append("rd_expense_tax_q4")
    lo = min(x for x in (amt_t, lo_o) if x is not None)
    hi = max(x for x in (amt_t, hi_o) if x is not None)
    cx.step("rate", "是否取得科技型中小企业入库登记编号未知：加计扣除额为区间", "科技型中小企业比例 vs 一般比例",
            None, inputs={"tech_sme_registered": None}, params=[f"{p}.rate_tech_sme", f"{p}.rate_general"],
            status="待核验")
    return Outcome("unknown", None, None, result_min=lo, result_max=hi)


def _others(cx: Calc, r_fen: int, a_fen: int, q4_fen: int | None, record: bool
            ) -> tuple[Fraction | None, Fraction | None, Fraction | None]:
    p = PID
    g = cx.p(f"{p}.rate_general")
    q4_rate = cx.params[f"{p}.rate_q4_2022"].value if f"{p}.rate_q4_2022" in cx.params else None
    if q4_rate is None:
        amt = (r_fen + a_fen) * g
        if record:
            cx.step("rate", "一般企业", f"加计扣除比例 {pct(g)}", g, params=[f"{p}.rate_general"], status="适用")
        return amt, amt, amt
    lo = r_fen * g + a_fen * g
    hi = r_fen * q4_rate + a_fen * g
    if q4_fen is None:
        if record:
            cx.step("rate", "一般企业（2022年）：1–9月按一般比例，10–12月按100%；缺少10–12月研发费用",
                    f"区间 [{pct(g)} × 研发费用, {pct(q4_rate)} × 研发费用]", None,
                    inputs={"rd_expense_tax_q4": None}, params=[f"{p}.rate_general", f"{p}.rate_q4_2022"],
                    status="待核验")
        return None, lo, hi
    q4 = min(q4_fen, r_fen)
    amt = (r_fen - q4) * g + q4 * q4_rate + a_fen * g
    if record:
        cx.step("rate", "一般企业（2022年）：2022年10月1日—12月31日发生的研发费用按100%，其余按一般比例",
                f"{pct(g)} × (研发费用 − 10–12月研发费用) + {pct(q4_rate)} × 10–12月研发费用 + {pct(g)} × 摊销", None,
                inputs={"rd_expense_tax_q4": Fraction(q4, FEN)},
                params=[f"{p}.rate_general", f"{p}.rate_q4_2022"], status="适用")
    return amt, amt, amt


def _done(cx: Calc, amt: Fraction, base: int) -> Outcome:
    cx.step("amount", "加计扣除额", "比例 × (费用化研发费用 + 无形资产摊销)", amt / FEN,
            inputs={"研发费用+摊销": Fraction(base, FEN)}, cite="")
    return Outcome("qualified", amt, Fraction(0))


def rd_pl(params: Params) -> tuple[pl.Expr, pl.Expr, list[tuple[str, pl.Expr]]]:
    """(status, amount in fen, missing) as Polars expressions for the tax year of ``params``."""
    p = PID
    v = lambda k: params[f"{p}.{k}"].value  # noqa: E731
    code = pl.col("industry").cast(pl.String).str.strip_chars().str.to_uppercase()
    code = pl.when(code == "").then(None).otherwise(code)
    excluded = pl.any_horizontal([code.str.starts_with(x) for x in v("excluded_industries")])
    manuf = pl.any_horizontal([code.str.starts_with(x) for x in v("manufacturing_prefixes")])
    r = fen_pl("rd_expense_tax_y1")
    a = fen_pl("rd_amortization_y1").fill_null(0)
    q4_raw = fen_pl("rd_expense_tax_q4")
    q4 = pl.when(q4_raw.is_null() | r.is_null()).then(None).otherwise(pl.min_horizontal(q4_raw, r))
    ic_rate = v("rate_ic_machine")
    ic = pl.col("ic_or_machine_tool").fill_null(False) if ic_rate is not None else pl.lit(False)
    tech = pl.col("tech_sme_registered")
    g = v("rate_general")
    amt_t = lin_pl([(r, v("rate_tech_sme")), (a, v("rate_tech_sme"))])
    q4_rate = params[f"{p}.rate_q4_2022"].value if f"{p}.rate_q4_2022" in params else None
    if q4_rate is None:
        amt_o = lin_pl([(r, g), (a, g)])
        q4_needed = pl.lit(False)
    else:
        amt_o = lin_pl([(r - q4, g), (q4, q4_rate), (a, g)])
        q4_needed = pl.lit(True)
    amount = (
        pl.when(code.is_null() | r.is_null()).then(pl.when(excluded).then(pl.lit(0, pl.Int64)).otherwise(None))
        .when(excluded).then(pl.lit(0, pl.Int64))
        .when(ic).then(lin_pl([(r, ic_rate or 0), (a, ic_rate or 0)]))
        .when(manuf).then(lin_pl([(r, v("rate_manufacturing")), (a, v("rate_manufacturing"))]))
        .when(tech.fill_null(False)).then(amt_t)
        .when((tech == False) | (amt_o == amt_t)).then(amt_o)  # noqa: E712
        .otherwise(None)
    )
    status = (
        pl.when(excluded.fill_null(False)).then(pl.lit("not_qualified"))
        .when(amount.is_not_null()).then(pl.lit("qualified"))
        .otherwise(pl.lit("unknown"))
    )
    others = ~excluded & ~ic & ~manuf
    tech_decides = others & ~tech.fill_null(False)
    missing = [
        ("rd_expense_tax_y1", r.is_null()),
        ("industry", code.is_null()),
        ("tech_sme_registered", tech_decides & tech.is_null() & r.is_not_null()
         & (amt_o.is_null() | (amt_o != amt_t))),
        ("rd_expense_tax_q4", tech_decides & q4_needed & pl.col("rd_expense_tax_q4").is_null() & r.is_not_null()),
    ]
    return status, amount, missing


class RdSuperDeduction(Calculator):
    id = PID
    name = "研发费用税前加计扣除"
    level = "国家"
    issuer = "财政部、国家税务总局、科学技术部"
    summary = "企业开展研发活动实际发生的研发费用，在据实扣除的基础上按比例加计扣除（2023年起100%，集成电路和工业母机企业120%）。"
    beneficiaries = "会计核算健全、实行查账征收并能准确归集研发费用的居民企业（负面清单行业除外）"
    how_to_apply = "免申即享：预缴（7月、10月）或年度汇算清缴时填报《研发费用加计扣除优惠明细表》自行享受，留存备查资料"
    automatic = True
    window = "10月预缴申报（前三季度）及次年5月31日前汇算清缴"
    output = "amount"
    regimes = [
        CalcRegime(f"{PID}@2018-99", "研发费用加计扣除（75%）", "财税〔2018〕99号 第一条", dt.date(2018, 1, 1),
                   dt.date(2020, 12, 31)),
        CalcRegime(f"{PID}@2021-13", "研发费用加计扣除（制造业100%）", "财政部 税务总局公告2021年第13号 第一条",
                   dt.date(2021, 1, 1), dt.date(2021, 12, 31)),
        CalcRegime(f"{PID}@2022-16", "研发费用加计扣除（科技型中小企业100%，四季度100%）",
                   "财政部 税务总局 科技部公告2022年第16号 第一条；2022年第28号 第二条", dt.date(2022, 1, 1),
                   dt.date(2022, 12, 31)),
        CalcRegime(f"{PID}@2023-7", "研发费用加计扣除（100%，集成电路/工业母机120%）",
                   "财政部 税务总局公告2023年第7号 第一条；财政部 税务总局公告2023年第44号 第一条", dt.date(2023, 1, 1),
                   None),
    ]
    fields = FIELDS
    required_params = REQUIRED

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        out = rd_exact(rec, cx)
        if out.result is not None:
            std = cx.params["cit_small_low_profit.standard_rate"]
            out.extra["tax_effect"] = _d(Fraction(half_up(out.result * std.value), FEN))
            cx.notes.append(f"按法定税率{pct(std.value)}测算的减税效果（参考）：{out.extra['tax_effect']}元"
                            f"（{std.source}）")
        return out

    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        assert params is not None
        status, amount, missing = rd_pl(params)
        return PlOutcome(status, amount, pl.when(amount.is_null()).then(None).otherwise(pl.lit(0, pl.Int64)),
                         missing, provisional=self.provisional_of(params, self.required_params))


def _d(x: Fraction) -> Any:
    from zjtx.rules.calc import dec

    return dec(x, 2)


CALCULATOR = (RdSuperDeduction())
