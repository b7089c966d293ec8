"""vat_small_scale — 增值税小规模纳税人 免征 / 减按1% (POLICIES.md §2.12).

Per period (``vat_period`` ``YYYY-MM`` or ``YYYY-Qn``): 合计销售额 ≤ threshold (10万/月 2019–2021-03 and
from 2023, 15万/月 2021-04 – 2022-12; ×3 per quarter) → exempt; otherwise 3% items at the period's
rate (3%; 1% 2020-03 – 2022-03; exempt 2022-04 – 2022-12 per 财政部 税务总局公告2022年第15号; 1% from
2023 per 2023年第1号/第19号) and 5% items at 5%. Sales of 不动产 are carved out of the threshold test
since 2019 (国家税务总局公告2019年第4号 第一条; 2021年第5号; 2023年第1号 第一条). "未超过" is inclusive.
"""

from __future__ import annotations

from zjtx.rules.calculators import (
    And,
    Calculation,
    Calculator,
    Case,
    Decl,
    Fill,
    Not,
    Or,
    Step,
    pct,
    wan,
)

PID = "vat_small_scale"

INPUTS = {
    "vat_period": ("str", "增值税所属期（YYYY-MM 按月 / YYYY-Qn 按季）"),
    "sales_3pct": ("money", "适用3%征收率（含3%预征率）项目的不含税销售额"),
    "sales_5pct": ("money", "适用5%征收率项目的不含税销售额"),
    "sales_real_estate": ("money", "其中：销售不动产的销售额（含在5%项目中）"),
}


class VatSmallScale(Calculator):
    id = PID
    name = "增值税小规模纳税人免征/减征增值税"
    level = "国家"
    issuer = "财政部、国家税务总局"
    summary = "小规模纳税人月销售额未超过免征额的免征增值税；超过的，适用3%征收率的应税销售收入按期减按1%（2022年4–12月免征）。"
    beneficiaries = "增值税小规模纳税人"
    how_to_apply = "免申即享：按月或按季申报增值税时在申报表中直接填报免税销售额/减征额"
    automatic = True
    window = "每个纳税期申报期内（月/季终了15日内）"
    output = "tax"
    period_kind = "month"
    period_field = "vat_period"
    fields = ["vat_period", "sales_3pct", "sales_5pct", "sales_real_estate"]
    required_params = [f"{PID}.{k}" for k in ("monthly_threshold", "rate_3pct_items", "rate_5pct_items",
                                             "statutory_rate_3pct", "real_estate_carveout")]

    def declare(self, d: Decl) -> Calculation:
        p = PID
        s3 = d.money("sales_3pct", "3%项目销售额")
        s5 = Fill(d.money("sales_5pct", "5%项目销售额"), 0)
        re_ = Fill(d.money("sales_real_estate", "销售不动产"), 0)
        thr_m = d.p(f"{p}.monthly_threshold")
        thr = d.months() * thr_m
        r3, r5, st3 = d.p(f"{p}.rate_3pct_items"), d.p(f"{p}.rate_5pct_items"), d.p(f"{p}.statutory_rate_3pct")
        carve = bool(d.p(f"{p}.real_estate_carveout"))
        bad = re_ > s5
        total = s3 + s5
        exempt = total <= thr
        carved = And(Not(exempt), total - re_ <= thr) if carve else And(Not(exempt), False)
        reduced = And(Not(exempt), Not(carved))
        tax = Case([(bad, None), (exempt, 0), (carved, re_ * r5)], s3 * r3 + s5 * r5)
        baseline = Case([(bad, None)], s3 * st3 + s5 * r5)
        ok = Or(exempt, carved, And(s3 > 0, r3 < st3))
        status = Case([(Or(bad, s3.is_null()), "unknown"), (ok, "qualified")], "not_qualified")
        steps = [
            Step("threshold", f"合计销售额未超过免征额（每月{wan(thr_m)}，按所属期月数计）",
                 f"合计销售额 ≤ {wan(thr_m)} × 所属期月数", exempt, inputs={"合计销售额": total},
                 params=[f"{p}.monthly_threshold"], status=Case([(exempt, "免征")], "超过"), when=s3.known()),
            Step("real_estate", "扣除销售不动产后未超过免征额：其他销售额免征，不动产照章纳税",
                 f"销售不动产 × {pct(r5)}", tax, inputs={"sales_real_estate": re_},
                 params=[f"{p}.real_estate_carveout", f"{p}.rate_5pct_items"], status="适用", when=carved),
            Step("tax", "超过免征额：3%项目按本期征收率，5%项目按5%", f"3%项目 × {pct(r3)} + 5%项目 × {pct(r5)}", tax,
                 inputs={"sales_3pct": s3, "sales_5pct": s5}, params=[f"{p}.rate_3pct_items", f"{p}.rate_5pct_items"],
                 status=Case([(ok, "减征")], "无减免"), when=reduced),
            Step("baseline", "不享受优惠时的应纳税额（法定征收率）", f"3%项目 × {pct(st3)} + 5%项目 × {pct(r5)}", baseline,
                 params=[f"{p}.statutory_rate_3pct", f"{p}.rate_5pct_items"], when=And(s3.known(), Not(bad))),
        ]
        return Calculation(
            status=status, result=tax, baseline=baseline,
            missing=[("sales_3pct", s3.is_null()), ("sales_real_estate", bad)],
            failed=[("threshold", And(s3.known(), Not(ok)))],
            notes=[("放弃免税、开具增值税专用发票的销售额不适用本计算（请人工核实）", s3.known())],
            steps=steps,
            invalid=[("sales_real_estate", bad, "销售不动产的销售额应包含在 sales_5pct 中，不能大于 sales_5pct")])


CALCULATOR = VatSmallScale()
