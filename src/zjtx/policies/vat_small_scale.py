"""vat_small_scale — 增值税小规模纳税人 免征 / 减按1% (POLICIES.md §2.12).

Per period (``vat_period`` ``YYYY-MM`` or ``YYYY-Qn``): 合计销售额 ≤ threshold (10万/月 2019–2021-03 and
from 2023, 15万/月 2021-04 – 2022-12; ×3 per quarter) → exempt; otherwise 3% items at the period's
rate (3%; 1% 2020-03 – 2022-03; exempt 2022-04 – 2022-12 per 财政部 税务总局公告2022年第15号; 1% from
2023 per 2023年第1号/第19号) and 5% items at 5%. Sales of 不动产 are carved out of the threshold test
since 2019 (国家税务总局公告2019年第4号 第一条; 2021年第5号; 2023年第1号 第一条). "未超过" is inclusive.
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
    by_segment,
    fen_pl,
    lin_pl,
    pct,
    period_end_pl,
    period_months_pl,
    period_start_pl,
    to_fen,
    wan,
)
from zjtx.rules.inputs import InputError, InputIssue
from zjtx.rules.params import Params

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
    regimes = [
        CalcRegime(f"{PID}@2019-13", "小规模纳税人月销售额10万元以下免征增值税", "财税〔2019〕13号 第一条",
                   dt.date(2019, 1, 1), dt.date(2021, 3, 31)),
        CalcRegime(f"{PID}@2021-11", "小规模纳税人月销售额15万元以下免征增值税", "财政部 税务总局公告2021年第11号",
                   dt.date(2021, 4, 1), dt.date(2022, 3, 31)),
        CalcRegime(f"{PID}@2022-15", "小规模纳税人3%征收率项目免征增值税",
                   "财政部 税务总局公告2021年第11号；财政部 税务总局公告2022年第15号", dt.date(2022, 4, 1),
                   dt.date(2022, 12, 31)),
        CalcRegime(f"{PID}@2023-19", "小规模纳税人月销售额10万元以下免征、3%减按1%",
                   "财政部 税务总局公告2023年第1号；财政部 税务总局公告2023年第19号", dt.date(2023, 1, 1),
                   dt.date(2027, 12, 31)),
    ]
    fields = ["vat_period", "sales_3pct", "sales_5pct", "sales_real_estate"]
    required_params = [f"{PID}.{k}" for k in ("monthly_threshold", "rate_3pct_items", "rate_5pct_items",
                                             "statutory_rate_3pct", "real_estate_carveout")]

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        p = PID
        s3 = to_fen(rec.get("sales_3pct"))
        s5 = to_fen(rec.get("sales_5pct")) or 0
        re_ = to_fen(rec.get("sales_real_estate")) or 0
        if re_ > s5:
            raise InputError([InputIssue(1, rec.get("uscc"), "sales_real_estate", rec.get("sales_real_estate"),
                                         "销售不动产的销售额应包含在 sales_5pct 中，不能大于 sales_5pct")])
        if not cx.need(rec, "sales_3pct"):
            return Outcome("unknown")
        assert s3 is not None
        thr = cx.p(f"{p}.monthly_threshold") * period.months * FEN
        r3, r5, st3 = cx.p(f"{p}.rate_3pct_items"), cx.p(f"{p}.rate_5pct_items"), cx.p(f"{p}.statutory_rate_3pct")
        carve = cx.p(f"{p}.real_estate_carveout")
        total = s3 + s5
        baseline = s3 * st3 + s5 * r5
        exempt = total <= thr
        cx.step("threshold", f"合计销售额未超过免征额（{period.label()}，{period.months}个月）",
                f"合计销售额 ≤ {wan(thr)}", exempt, inputs={"合计销售额": Fraction(total, FEN)},
                params=[f"{p}.monthly_threshold"], status="免征" if exempt else "超过")
        if exempt:
            tax = Fraction(0)
            status = "qualified"
        elif carve and total - re_ <= thr:
            tax = re_ * r5
            status = "qualified"
            cx.step("real_estate", "扣除销售不动产后未超过免征额：其他销售额免征，不动产照章纳税",
                    f"销售不动产 × {pct(r5)}", tax / FEN, inputs={"sales_real_estate": Fraction(re_, FEN)},
                    params=[f"{p}.real_estate_carveout", f"{p}.rate_5pct_items"], status="适用")
        else:
            tax = s3 * r3 + s5 * r5
            status = "qualified" if (r3 < st3 and s3 > 0) else "not_qualified"
            cx.step("tax", "超过免征额：3%项目按本期征收率，5%项目按5%",
                    f"3%项目 × {pct(r3)} + 5%项目 × {pct(r5)}", tax / FEN,
                    inputs={"sales_3pct": Fraction(s3, FEN), "sales_5pct": Fraction(s5, FEN)},
                    params=[f"{p}.rate_3pct_items", f"{p}.rate_5pct_items"],
                    status="减征" if status == "qualified" else "无减免")
            if status == "not_qualified":
                cx.failed.append("threshold")
        cx.step("baseline", "不享受优惠时的应纳税额（法定征收率）", f"3%项目 × {pct(st3)} + 5%项目 × {pct(r5)}",
                baseline / FEN, params=[f"{p}.statutory_rate_3pct", f"{p}.rate_5pct_items"])
        cx.notes.append("放弃免税、开具增值税专用发票的销售额不适用本计算（请人工核实）")
        return Outcome(status, tax, baseline)

    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        p = PID
        start = period_start_pl("vat_period")
        months = period_months_pl("vat_period")
        end = period_end_pl(start, months)
        s3 = fen_pl("sales_3pct")
        s5 = fen_pl("sales_5pct").fill_null(0)
        re_ = fen_pl("sales_real_estate").fill_null(0)
        total = s3 + s5

        def build(prm: Params, seg: dt.date) -> dict[str, pl.Expr]:
            v = lambda k: prm[f"{p}.{k}"].value  # noqa: E731
            thr = months * int(v("monthly_threshold") * FEN)
            r3, r5, st3 = v("rate_3pct_items"), v("rate_5pct_items"), v("statutory_rate_3pct")
            exempt = total <= thr
            carve = (total - re_ <= thr) if v("real_estate_carveout") else pl.lit(False)
            tax = (pl.when(exempt).then(pl.lit(0, pl.Int64)).when(carve).then(lin_pl([(re_, r5)]))
                   .otherwise(lin_pl([(s3, r3), (s5, r5)])))
            ok = exempt | carve | ((s3 > 0) & pl.lit(r3 < st3))
            return {"tax": tax, "baseline": lin_pl([(s3, st3), (s5, r5)]), "ok": ok,
                    "regime": pl.lit(self.regime_for(seg).id), "covered": pl.lit(True),
                    "prov": pl.lit(self.provisional_of(prm, self.required_params))}

        seg = by_segment(self, start, end, build, base, {
            "tax": pl.lit(None, pl.Int64), "baseline": pl.lit(None, pl.Int64), "ok": pl.lit(None, pl.Boolean),
            "regime": pl.lit(None, pl.String), "covered": pl.lit(False), "prov": pl.lit(False)})
        bad = ~seg["covered"] | (re_ > s5)
        unknown = bad | s3.is_null()
        status = (pl.when(unknown).then(pl.lit("unknown")).when(seg["ok"]).then(pl.lit("qualified"))
                  .otherwise(pl.lit("not_qualified")))
        tax = pl.when(unknown).then(None).otherwise(seg["tax"])
        baseline = pl.when(unknown).then(None).otherwise(seg["baseline"])
        missing = [("vat_period", ~seg["covered"]), ("sales_3pct", s3.is_null()), ("sales_real_estate", re_ > s5)]
        return PlOutcome(status, tax, baseline, missing, provisional=seg["prov"], extra={"regime": seg["regime"]})


CALCULATOR = (VatSmallScale())
