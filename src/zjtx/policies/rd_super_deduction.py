"""rd_super_deduction — 研发费用税前加计扣除 (POLICIES.md §2.11).

``amount = rate × (rd_expense_tax_y1 + rd_amortization_y1)`` with the rate by tax year and enterprise:
财税〔2018〕99号 第一条 (75%); 财政部 税务总局公告2021年第13号 第一条 (制造业 100%, 2021–2022);
财政部 税务总局 科技部公告2022年第16号 第一条 (科技型中小企业 100% from 2022, 入库登记 as the gate);
财政部 税务总局 科技部公告2022年第28号 第二条 (others: 100% on 2022-10-01 – 12-31 expenses);
财政部 税务总局公告2023年第7号 第一条 (all 100% from 2023); 财政部 税务总局公告2023年第44号 第一条
(集成电路/工业母机 120%, 2023–2027). Excluded industries: 财税〔2015〕119号 第四条 → amount 0.
"""

from __future__ import annotations

from typing import Any

from zjtx.rules.calculators import (
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
    StartsWith,
    Step,
    pct,
)
from zjtx.rules.calculators.expr import Cmp, Const, Round

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


def rd_declare(d: Decl) -> Calculation:
    """The 加计扣除额 of one tax year (the rule set ``d.params``), every case as nodes."""
    p = PID
    v = lambda k: d.p(f"{p}.{k}")  # noqa: E731
    code = d.text("industry", upper=True)
    r = d.money("rd_expense_tax_y1", "研发费用")
    a = Fill(d.money("rd_amortization_y1", "摊销"), 0)
    q4_in = d.money("rd_expense_tax_q4", "10–12月研发费用")
    excluded_list = v("excluded_industries")
    excluded = StartsWith(code, excluded_list)
    manuf = StartsWith(code, v("manufacturing_prefixes"))
    ic_rate = v("rate_ic_machine")
    ic = And(Fill(d.flag("ic_or_machine_tool"), False), ic_rate is not None)
    tech = d.flag("tech_sme_registered")
    base = r + a
    g, t_rate = v("rate_general"), v("rate_tech_sme")
    q4_rate = d.p(f"{p}.rate_q4_2022") if d.has(f"{p}.rate_q4_2022") else None
    amt_t = base * t_rate
    if q4_rate is None:
        amt_o: Node = base * g
        lo_o = hi_o = amt_o
        q4_needed: Any = False
    else:
        q4 = Min(q4_in, r)
        amt_o = (r - q4) * g + q4 * q4_rate + a * g
        lo_o, hi_o = r * g + a * g, r * q4_rate + a * g
        q4_needed = True
    open_ = Or(excluded.is_null(), r.is_null())
    others = And(Not(excluded), Not(ic), Not(manuf))
    same = Cmp(Round(amt_o), "==", Round(amt_t))
    by_o = And(others, Not(Fill(tech, False)), Or(Cmp(Fill(tech, True), "==", Const(False)), same))
    unknown_tech = And(others, tech.is_null(), Not(Fill(same, False)))
    amount = Case([(Fill(excluded, False), 0), (open_, None), (ic, base * (ic_rate or 0)),
                   (manuf, base * v("rate_manufacturing")), (Fill(tech, False), amt_t), (by_o, amt_o)], None)
    status = Case([(Fill(excluded, False), "not_qualified"), (amount.known(), "qualified")], "unknown")
    rng = And(Not(open_), others, amount.is_null())
    lo = Case([(And(rng, unknown_tech), Min(amt_t, lo_o)), (rng, lo_o)], None)
    hi = Case([(And(rng, unknown_tech), Max(amt_t, hi_o)), (rng, hi_o)], None)
    tech_decides = And(others, Not(Fill(tech, False)))
    q4_open = And(tech_decides, q4_needed, q4_in.is_null(), r.known())
    steps = [
        Step("excluded", "不属于不适用加计扣除的行业（烟草、住宿餐饮、批发零售、房地产、租赁和商务服务、娱乐业）",
             "industry 不以 " + "/".join(excluded_list) + " 开头", Not(excluded), inputs={"industry": code},
             params=[f"{p}.excluded_industries"], status=Case([(excluded, "不适用"), (Not(excluded), "适用")], "待核验")),
        Step("amount", "行业不适用：加计扣除额为 0", "0", 0, params=[f"{p}.excluded_industries"],
             when=Fill(excluded, False)),
        Step("rate", "制造业企业（行业门类C）", f"加计扣除比例 {pct(v('rate_manufacturing'))}", v("rate_manufacturing"),
             inputs={"industry": code}, params=[f"{p}.rate_manufacturing", f"{p}.manufacturing_prefixes"],
             status="适用", when=And(Not(open_), Not(excluded), Not(ic), manuf)),
        Step("rate", "科技型中小企业（取得当年入库登记编号）", f"加计扣除比例 {pct(t_rate)}", t_rate,
             inputs={"tech_sme_registered": tech}, params=[f"{p}.rate_tech_sme"], status="适用",
             when=And(Not(open_), others, Fill(tech, False))),
    ]
    if ic_rate is not None:
        steps.insert(2, Step("rate", "集成电路企业、工业母机企业", f"加计扣除比例 {pct(ic_rate)}", ic_rate,
                             inputs={"ic_or_machine_tool": d.flag("ic_or_machine_tool")},
                             params=[f"{p}.rate_ic_machine"], status="适用", when=And(Not(open_), Not(excluded), ic)))
    if q4_rate is None:
        steps.append(Step("rate", "一般企业", f"加计扣除比例 {pct(g)}", g, params=[f"{p}.rate_general"], status="适用",
                          when=And(Not(open_), by_o)))
    else:
        steps += [
            Step("rate", "一般企业（2022年）：1–9月按一般比例，10–12月按100%；缺少10–12月研发费用",
                 f"区间 [{pct(g)} × 研发费用, {pct(q4_rate)} × 研发费用]", None, inputs={"rd_expense_tax_q4": q4_in},
                 params=[f"{p}.rate_general", f"{p}.rate_q4_2022"], status="待核验",
                 when=And(Not(open_), by_o, q4_in.is_null())),
            Step("rate", "一般企业（2022年）：2022年10月1日—12月31日发生的研发费用按100%，其余按一般比例",
                 f"{pct(g)} × (研发费用 − 10–12月研发费用) + {pct(q4_rate)} × 10–12月研发费用 + {pct(g)} × 摊销", None,
                 inputs={"rd_expense_tax_q4": Min(q4_in, r)}, params=[f"{p}.rate_general", f"{p}.rate_q4_2022"],
                 status="适用", when=And(Not(open_), by_o, q4_in.known())),
        ]
    steps += [
        Step("rate", "是否取得科技型中小企业入库登记编号未知：加计扣除额为区间", "科技型中小企业比例 vs 一般比例", None,
             inputs={"tech_sme_registered": tech}, params=[f"{p}.rate_tech_sme", f"{p}.rate_general"],
             status="待核验", when=And(Not(open_), unknown_tech)),
        Step("amount", "加计扣除额", "比例 × (费用化研发费用 + 无形资产摊销)", amount, inputs={"研发费用+摊销": base},
             cite=d.cite(f"{p}.rate_general"), when=And(amount.known(), Not(Fill(excluded, False)))),
    ]
    return Calculation(
        status=status, result=amount, baseline=Case([(amount.known(), 0)], None), result_min=lo, result_max=hi,
        missing=[("rd_expense_tax_y1", r.is_null()), ("industry", code.is_null()),
                 ("tech_sme_registered", And(Not(open_), unknown_tech)),
                 ("rd_expense_tax_q4", q4_open)],
        failed=[("excluded", Fill(excluded, False))], steps=steps)


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
    fields = FIELDS
    required_params = REQUIRED

    def declare(self, d: Decl) -> Calculation:
        c = rd_declare(d)
        std = d.pv("cit_small_low_profit.standard_rate")
        effect = c.result * std.value  # type: ignore[operator]
        c.explain_extra["tax_effect"] = effect
        c.notes.append((f"按法定税率{pct(std.value)}测算的减税效果（参考）：{{amount}}元（{std.source}）",
                        c.result.known(), effect))  # type: ignore[union-attr]
        return c


CALCULATOR = RdSuperDeduction()
