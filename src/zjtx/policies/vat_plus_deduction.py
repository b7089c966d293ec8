"""vat_plus_deduction — 增值税加计抵减 (input-VAT super-credit), every regime 2019–2027.

A general VAT taxpayer in one of the categories the texts name credits, on top of its input VAT, a
share of its deductible input VAT against the VAT it owes (rates and dates: ``params/vat_plus_deduction.yaml``):

* 生产、生活性服务业 — the four services (邮政、电信、现代服务、生活服务) are **more than 50%** of all sales:
  10%, 2019-04-01 → 2021-12-31 (财政部 税务总局 海关总署公告2019年第39号 第七条); 生活性服务业 (生活服务
  alone more than 50%) 15% from 2019-10-01 (财政部 税务总局公告2019年第87号); both to 2022-12-31
  (财政部 税务总局公告2022年第11号); 2023: 生产性服务业 5%, 生活性服务业 10% (财政部 税务总局公告2023年第1号);
  none from 2024;
* 先进制造业企业 — a 高新技术企业 in 制造业 that is a general taxpayer, on the provincial list: 5%,
  2023-01-01 → 2027-12-31 (财政部 税务总局公告2023年第43号 第一条);
* 集成电路企业 (财税〔2023〕17号 第一条) and 工业母机企业 (财税〔2023〕25号): 15%, 2023-01-01 → 2027-12-31.

An enterprise in several categories takes the most favourable one; they never add up (17号 第七条).

A small-scale taxpayer (``small_scale_vat``) has no deductible input VAT — it pays VAT at the levy rate
on its sales — so it never qualifies (its relief is ``vat_small_scale``). "超过50%" is strict: a share of
exactly 50% does not qualify. The shares are those of the determining period (39号 第七条(一)): for
2019, April 2018 – March 2019 (or the operating months); for an enterprise founded later, its first
three months; each following year, the year before — the record carries the share that decides the
tax period's year.

One tax period (39号 第七条(二)–(四); 43号 第二、三、五条; 17号 第二、三、五条), as on the VAT return
(附列资料（四） 加计抵减情况):

    当期计提 = (当期可抵扣进项税额 − 不得计提的进项税额) × 加计比例
    当期调减 = 已计提加计抵减额的进项税额本期转出额 × 加计比例
    当期可抵减额 = 期初余额 + 当期计提 − 当期调减
    本期实际抵减额 = 抵减前应纳税额 = 0 → 0（全部结转下期）；> 可抵减额 → 可抵减额；否则 → 抵减前应纳税额
    期末余额 = 当期可抵减额 − 本期实际抵减额（结转下期）

不得计提的进项税额: the input VAT of exports and cross-border services, and for an 集成电路企业 that of
purchased chips. The result is the VAT after the credit (``tax``), before it (``baseline``) and the
credit (``relief``); the components are 计提, 调减, 可抵减额 and 期末余额. When a regime ends, an unused
balance is no longer credited (the rate of the period is 0: not qualified).
"""

from __future__ import annotations

from typing import Any

from zjtx.rules.calculators import (
    And,
    Calculation,
    Calculator,
    Case,
    Decl,
    Eq,
    Fill,
    IsNull,
    Max,
    Not,
    Or,
    StartsWith,
    Step,
    pct,
)

PID = "vat_plus_deduction"

INPUTS = {
    "vat_period": ("str", "增值税所属期（YYYY-MM 按月 / YYYY-Qn 按季）"),
    "four_services_share": ("ratio", "邮政、电信、现代服务、生活服务销售额占全部销售额的比重（确定适用加计抵减的期间）"),
    "life_service_share": ("ratio", "生活服务销售额占全部销售额的比重（确定适用加计抵减的期间）"),
    "advanced_manufacturing_listed": ("bool", "列入享受增值税加计抵减政策的先进制造业企业名单"),
    "input_vat_deductible": ("money", "当期可抵扣进项税额"),
    "input_vat_excluded": ("money", "其中：不得计提加计抵减额的进项税额（出口货物劳务和跨境应税行为对应的、集成电路企业外购芯片对应的）"),
    "input_vat_transferred_out": ("money", "已计提加计抵减额的进项税额本期转出额"),
    "plus_balance_start": ("money", "加计抵减额期初余额（上期末余额）"),
    "vat_payable_before_plus": ("money", "抵减前的应纳税额（一般计税方法）"),
}

FIELDS = ["vat_period", "small_scale_vat", "four_services_share", "life_service_share", "industry",
          "high_tech_valid", "advanced_manufacturing_listed", "ic_or_machine_tool", "input_vat_deductible",
          "input_vat_excluded", "input_vat_transferred_out", "plus_balance_start", "vat_payable_before_plus"]

RATES = ("rate_ic_machine", "rate_advanced_manufacturing", "rate_consumer", "rate_producer")


class VatPlusDeduction(Calculator):
    id = PID
    name = "增值税加计抵减"
    level = "国家"
    issuer = "财政部、国家税务总局（海关总署）"
    summary = ("生产、生活性服务业（2019—2023年）、先进制造业企业、集成电路企业和工业母机企业（2023—2027年）按当期"
               "可抵扣进项税额加计一定比例，抵减应纳增值税税额。")
    beneficiaries = ("增值税一般纳税人：四项服务销售额占比超过50%的生产、生活性服务业纳税人；先进制造业企业；"
                     "集成电路企业和工业母机企业")
    how_to_apply = ("免申即享（声明）：首次适用时通过电子税务局提交《适用加计抵减政策的声明》，按期在增值税申报表"
                    "附列资料（四）中计提和抵减")
    automatic = True
    window = "每个纳税申报期（按月或按季）"
    output = "tax"
    period_kind = "month"
    period_field = "vat_period"
    fields = FIELDS
    required_params = [f"{PID}.{k}" for k in (*RATES, "min_service_share", "manufacturing_prefixes")]

    def declare(self, d: Decl) -> Calculation:
        p = PID
        rates = {k: d.p(f"{p}.{k}") for k in RATES}
        share_min = d.p(f"{p}.min_service_share")
        small = d.flag("small_scale_vat")
        general = Not(small)
        four, life = d.num("four_services_share", "四项服务销售额占比"), d.num("life_service_share", "生活服务销售额占比")
        code = d.text("industry", upper=True)
        high_tech, listed = d.flag("high_tech_valid"), d.flag("advanced_manufacturing_listed")
        candidate = And(high_tech, StartsWith(code, d.p(f"{p}.manufacturing_prefixes")))
        # 先进制造业企业: on the provincial list; where the list is not recorded, a 高新技术企业 in 制造业 is a
        # candidate (the amount is shown for review)
        advanced = Fill(listed, candidate)
        cond: dict[str, Any] = {
            "rate_ic_machine": Fill(d.flag("ic_or_machine_tool"), False),
            "rate_advanced_manufacturing": advanced,
            # 生活服务 is one of the four services: its share is never above the four services' share
            "rate_consumer": And(Fill(four > share_min, True), life > share_min),
            "rate_producer": Or(four > share_min, And(four.is_null(), life > share_min)),
        }
        # the most favourable category (17号 第七条: 择优适用，不得叠加): categories with the same rate are
        # one group; a group whose condition is unknown leaves the rate unknown unless a better one holds
        groups: dict[Any, list[Any]] = {}
        for k in RATES:
            if rates[k] > 0:
                groups.setdefault(rates[k], []).append(cond[k])
        branches: list[tuple[Any, Any]] = []
        for r in sorted(groups, reverse=True):
            c = Or(*groups[r])
            branches += [(c, r), (IsNull(c), None)]
        rate = Case(branches, 0)
        eligible = And(general, rate > 0)
        inp = d.money("input_vat_deductible", "当期可抵扣进项税额")
        excl = Fill(d.money("input_vat_excluded"), 0)
        out = Fill(d.money("input_vat_transferred_out"), 0)
        start = Fill(d.money("plus_balance_start"), 0)
        before = d.money("vat_payable_before_plus", "抵减前的应纳税额")
        accrued = Max(inp - excl, 0) * rate
        reduced = out * rate
        available = start + accrued - reduced
        actual = Case([(before <= 0, 0), (before <= available, before)], Max(available, 0))
        ready = And(eligible, inp.known(), before.known())
        bad = excl > inp
        credit = Case([(bad, None), (ready, actual)], None)
        tax = Case([(bad, None), (ready, before - actual), (And(Not(eligible), before.known()), before)], None)
        review = And(ready, listed.is_null(), advanced, Not(cond["rate_ic_machine"]),
                     Eq(rate, rates["rate_advanced_manufacturing"])) if rates["rate_advanced_manufacturing"] > 0 else None
        status = Case([(small, "not_qualified"), (And(general, Eq(rate, 0)), "not_qualified"), (bad, "unknown"),
                       *([(review, "manual_review")] if review is not None else []),
                       (ready, "qualified")], "unknown")
        undetermined = And(Fill(general, True), rate.is_null())
        steps = [
            Step("general_taxpayer", "增值税一般纳税人（小规模纳税人没有可抵扣进项税额，不适用加计抵减）",
                 "small_scale_vat = 否", general, inputs={"small_scale_vat": small},
                 status=Case([(general, "符合"), (small, "不符合")], "待核验"),
                 cite="财政部 税务总局 海关总署公告2019年第39号 第七条"),
            Step("category", "适用类别与加计比例（择优适用，不得叠加）",
                 f"集成电路/工业母机企业 {pct(rates['rate_ic_machine'])}；先进制造业企业 "
                 f"{pct(rates['rate_advanced_manufacturing'])}；生活性服务业（生活服务占比超过{pct(share_min)}） "
                 f"{pct(rates['rate_consumer'])}；生产、生活性服务业（四项服务占比超过{pct(share_min)}） "
                 f"{pct(rates['rate_producer'])}", rate,
                 inputs={"four_services_share": four, "life_service_share": life, "industry": code,
                         "high_tech_valid": high_tech, "advanced_manufacturing_listed": listed,
                         "ic_or_machine_tool": d.flag("ic_or_machine_tool")},
                 params=[f"{p}.{k}" for k in RATES] + [f"{p}.min_service_share"],
                 status=Case([(rate > 0, "适用"), (Eq(rate, 0), "不适用")], "待核验"), when=general),
            Step("accrued", "当期计提加计抵减额", "(当期可抵扣进项税额 − 不得计提的进项税额) × 加计比例", accrued,
                 inputs={"input_vat_deductible": inp, "input_vat_excluded": excl}, when=ready),
            Step("reduced", "当期调减加计抵减额", "已计提加计抵减额的进项税额转出额 × 加计比例", reduced,
                 inputs={"input_vat_transferred_out": out}, when=ready),
            Step("available", "当期可抵减加计抵减额", "期初余额 + 当期计提 − 当期调减", available,
                 inputs={"plus_balance_start": start}, when=ready),
            Step("actual", "本期实际抵减额",
                 "抵减前应纳税额为0 → 0（全部结转）；大于可抵减额 → 可抵减额全额抵减；否则 → 抵减至零", actual,
                 inputs={"vat_payable_before_plus": before}, when=ready),
        ]
        return Calculation(
            status=status, result=tax, baseline=Case([(bad, None), (tax.known(), before)], None),
            components={"accrued": Case([(ready, accrued)], None), "reduced": Case([(ready, reduced)], None),
                        "available": Case([(ready, available)], None),
                        "balance_end": Case([(ready, available - credit)], None)},
            missing=[("small_scale_vat", small.is_null()),
                     ("four_services_share", And(undetermined, four.is_null())),
                     *([("life_service_share", And(undetermined, life.is_null(), Fill(four > share_min, True)))]
                       if rates["rate_consumer"] > rates["rate_producer"] else []),
                     *([("industry", And(undetermined, code.is_null())),
                        ("high_tech_valid", And(undetermined, high_tech.is_null()))]
                       if rates["rate_advanced_manufacturing"] > 0 else []),
                     ("input_vat_deductible", And(Fill(eligible, True), inp.is_null())),
                     ("vat_payable_before_plus", And(Fill(eligible, True), before.is_null())),
                     ("input_vat_excluded", bad)],
            failed=[("general_taxpayer", Fill(small, False)), ("category", And(general, Eq(rate, 0)))],
            manual=[("advanced_manufacturing_listed", review)] if review is not None else [],
            notes=[("出口货物劳务、发生跨境应税行为对应的进项税额（集成电路企业还有外购芯片对应的进项税额）不得计提"
                    "加计抵减额；当期可抵减额不足抵减的余额结转下期，政策到期后不再抵减", ready),
                   ("调减额按本期加计比例计算；转出的进项税额若在比例不同的期间计提，请按原计提比例人工调整", out > 0),
                   *([("未记录是否列入先进制造业企业名单：按高新技术企业中的制造业一般纳税人测算，以省工业和信息化"
                       "部门确定的名单为准", review)] if review is not None else [])],
            steps=steps,
            invalid=[("input_vat_excluded", bad, "不得计提加计抵减额的进项税额不能大于当期可抵扣进项税额")])


CALCULATOR = VatPlusDeduction()
