"""six_taxes_two_fees — "六税两费" 减征 (POLICIES.md §2.13).

Eight items (资源税, 城市维护建设税, 房产税, 城镇土地使用税, 印花税, 耕地占用税, 教育费附加, 地方教育附加),
each the amount due before this reduction. Eligible: 增值税小规模纳税人 (财税〔2019〕13号 第三条, 2019–2021);
also 小型微利企业 and 个体工商户 from 2022 (财政部 税务总局公告2022年第10号 第一条; 2023年第12号 第二条,
2023–2027, 减半). Reduction rate 50% (Guangdong). ``amount`` = the reduction; ``tax`` = baseline − amount.
A null item counts as 0 only when the caller lists it as not applicable (option/input
``not_applicable``); otherwise the result is unknown.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.calc import (
    FEN,
    RATIO_SCALE,
    Calc,
    CalcRegime,
    Calculator,
    Outcome,
    Period,
    PlOutcome,
    fen_pl,
    lin_pl,
    pct,
    ratio_pl,
    to_fen,
    to_ratio,
)
from zjtx.rules.inputs import InputError, InputIssue
from zjtx.rules.params import Params

PID = "six_taxes_two_fees"

INPUTS = {
    "small_scale_vat": ("bool", "增值税小规模纳税人"),
    "small_low_profit": ("bool", "小型微利企业"),
    "individual_business": ("bool", "个体工商户"),
    "vat_paid": ("money", "实际缴纳的增值税、消费税（城建税及附加的计税依据）"),
    "urban_maintenance_rate": ("ratio", "城市维护建设税税率（0.07/0.05/0.01）"),
    "property_tax": ("money", "房产税（减征前）"),
    "land_use_tax": ("money", "城镇土地使用税（减征前）"),
    "stamp_tax": ("money", "印花税（不含证券交易印花税，减征前）"),
    "resource_tax": ("money", "资源税（2023年起不含水资源税，减征前）"),
    "farmland_tax": ("money", "耕地占用税（减征前）"),
}

ITEMS = {
    "resource_tax": "资源税",
    "property_tax": "房产税",
    "land_use_tax": "城镇土地使用税",
    "stamp_tax": "印花税",
    "farmland_tax": "耕地占用税",
}
GROUPS = {"small_scale_vat": "增值税小规模纳税人", "small_low_profit": "小型微利企业", "individual_business": "个体工商户"}


def _na(options: dict[str, Any], rec: dict[str, Any]) -> set[str]:
    v = rec.get("not_applicable", options.get("not_applicable")) or []
    if isinstance(v, str):
        v = [x.strip() for x in v.replace("，", ",").split(",") if x.strip()]
    return set(v)


class SixTaxesTwoFees(Calculator):
    id = PID
    name = "\u201c六税两费\u201d减征"
    level = "国家"
    issuer = "财政部、国家税务总局（广东省确定减征比例）"
    summary = "增值税小规模纳税人、小型微利企业和个体工商户减半征收资源税、城市维护建设税、房产税、城镇土地使用税、印花税、耕地占用税和教育费附加、地方教育附加。"
    beneficiaries = "增值税小规模纳税人（2019年起）；小型微利企业、个体工商户（2022年起）"
    how_to_apply = "免申即享：申报相关税费时系统自动带出减征额"
    automatic = True
    window = "各税费纳税申报期内"
    output = "tax"
    regimes = [
        CalcRegime(f"{PID}@2019-13", "\u201c六税两费\u201d减征（小规模纳税人）", "财税〔2019〕13号 第三条",
                   dt.date(2019, 1, 1), dt.date(2021, 12, 31)),
        CalcRegime(f"{PID}@2022-10", "\u201c六税两费\u201d减征（扩围至小型微利企业、个体工商户）",
                   "财政部 税务总局公告2022年第10号 第一条", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        CalcRegime(f"{PID}@2023-12", "\u201c六税两费\u201d减半征收", "财政部 税务总局公告2023年第12号 第二条",
                   dt.date(2023, 1, 1), dt.date(2027, 12, 31)),
    ]
    fields = ["small_scale_vat", "small_low_profit", "individual_business", "vat_paid", "urban_maintenance_rate",
              *ITEMS]
    required_params = [f"{PID}.{k}" for k in ("reduction_rate", "eligible_groups", "education_surcharge_rate",
                                             "local_education_surcharge_rate", "urban_rates")]

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        p = PID
        na = _na(options, rec)
        groups = cx.p(f"{p}.eligible_groups")
        vals = [rec.get(g) if g in groups else False for g in GROUPS]
        elig = True if any(v is True for v in vals) else (False if all(v is False for v in vals) else None)
        for g in GROUPS:
            if g in groups and rec.get(g) is None and elig is None:
                cx.missing.append(g)
        cx.step("eligible", "适用主体：" + "、".join(GROUPS[g] for g in groups), " 或 ".join(groups), elig,
                inputs={g: rec.get(g) for g in GROUPS}, params=[f"{p}.eligible_groups"],
                status="适用" if elig else ("不适用" if elig is False else "待核验"))
        rate = cx.p(f"{p}.reduction_rate")
        edu, ledu = cx.p(f"{p}.education_surcharge_rate"), cx.p(f"{p}.local_education_surcharge_rate")
        base: dict[str, Fraction | None] = {}
        vat = to_fen(rec.get("vat_paid"))
        u = to_ratio(rec.get("urban_maintenance_rate"))
        if u is not None and u not in cx.p(f"{p}.urban_rates"):
            raise InputError([InputIssue(1, rec.get("uscc"), "urban_maintenance_rate", rec.get("urban_maintenance_rate"),
                                         "城市维护建设税税率应为 0.07（市区）、0.05（县城、镇）或 0.01（其他）")])
        if vat is None and "vat_paid" in na:
            vat = 0
            u = u if u is not None else Fraction(0)
        if vat is None:
            cx.missing.append("vat_paid")
        if u is None and vat is not None and vat != 0:
            cx.missing.append("urban_maintenance_rate")
        base["城市维护建设税"] = None if vat is None or (u is None and vat != 0) else vat * (u or 0)
        base["教育费附加"] = None if vat is None else vat * edu
        base["地方教育附加"] = None if vat is None else vat * ledu
        for f, zh in ITEMS.items():
            v = to_fen(rec.get(f))
            if v is None and f in na:
                v = 0
            if v is None:
                cx.missing.append(f)
            base[zh] = None if v is None else Fraction(v)
        for zh, b in base.items():
            cx.step(f"base.{zh}", f"{zh}（减征前）", "计税依据 × 税率" if zh in ("城市维护建设税", "教育费附加", "地方教育附加")
                    else "申报应纳税额", None if b is None else b / FEN,
                    params=[f"{p}.education_surcharge_rate"] if zh == "教育费附加" else
                    [f"{p}.local_education_surcharge_rate"] if zh == "地方教育附加" else
                    [f"{p}.urban_rates"] if zh == "城市维护建设税" else [])
        known = all(b is not None for b in base.values())
        total = sum((b for b in base.values() if b is not None), Fraction(0)) if known else None
        comps: dict[str, Fraction | None] = {f"base.{k}": v for k, v in base.items()}
        if elig is False:
            cx.failed.append("eligible")
            return Outcome("not_qualified", None, total, reduction=None if total is None else Fraction(0),
                           components=comps)
        if elig is None or total is None:
            return Outcome("unknown", None, total, components=comps)
        red = total * rate
        for k, v in base.items():
            comps[f"reduction.{k}"] = None if v is None else v * rate
        cx.step("reduction", "减征额", f"Σ 各项税费 × {pct(rate)}", red / FEN, params=[f"{p}.reduction_rate"],
                status="减征")
        return Outcome("qualified", None, total, reduction=red, components=comps)

    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        assert params is not None
        p = PID
        v = lambda k: params[f"{p}.{k}"].value  # noqa: E731
        na = _na(options, {})
        groups = v("eligible_groups")
        flags = [pl.col(g) if g in groups else pl.lit(False) for g in GROUPS]
        elig = pl.any_horizontal(flags)  # Kleene OR
        vat = fen_pl("vat_paid")
        u = ratio_pl("urban_maintenance_rate")
        allowed = [int(x * RATIO_SCALE) for x in v("urban_rates")]
        u_ok = u.is_in(allowed) | u.is_null()
        if "vat_paid" in na:
            u = pl.when(vat.is_null()).then(pl.lit(0, pl.Int64)).otherwise(u)
            vat = vat.fill_null(0)
        u_eff = pl.when(vat == 0).then(u.fill_null(0)).otherwise(u)
        items = []
        miss = [("vat_paid", vat.is_null()), ("urban_maintenance_rate", u.is_null() & (vat != 0))]
        for f in ITEMS:
            e = fen_pl(f)
            if f in na:
                e = e.fill_null(0)
            items.append(e)
            miss.append((f, e.is_null()))
        rate = v("reduction_rate")
        edu, ledu = v("education_surcharge_rate"), v("local_education_surcharge_rate")
        terms_base = [(vat.cast(pl.Int128) * u_eff, Fraction(1, RATIO_SCALE)), (vat, edu + ledu)] + [(e, Fraction(1)) for e in items]
        total = lin_pl(terms_base)
        red = lin_pl([(e, r * rate) for e, r in terms_base])
        known = pl.all_horizontal([vat.is_not_null(), u_eff.is_not_null(), *[e.is_not_null() for e in items]]) & u_ok
        status = (pl.when(~u_ok).then(pl.lit("unknown")).when(elig == False).then(pl.lit("not_qualified"))  # noqa: E712
                  .when(known & elig).then(pl.lit("qualified")).otherwise(pl.lit("unknown")))
        baseline = pl.when(known).then(total).otherwise(None)
        reduction = (pl.when(~known).then(None).when(elig == False).then(pl.lit(0, pl.Int64))  # noqa: E712
                     .when(elig).then(red).otherwise(None))
        for g in GROUPS:
            if g in groups:
                miss.append((g, pl.col(g).is_null() & elig.is_null()))
        miss.append(("urban_maintenance_rate", ~u_ok))
        return PlOutcome(status, reduction, baseline, miss, reduction=reduction,
                         provisional=self.provisional_of(params, self.required_params))


CALCULATOR = (SixTaxesTwoFees())
