"""six_taxes_two_fees — "六税两费" 减征 (POLICIES.md §2.13).

Eight items (资源税, 城市维护建设税, 房产税, 城镇土地使用税, 印花税, 耕地占用税, 教育费附加, 地方教育附加),
each the amount due before this reduction. Eligible: 增值税小规模纳税人 (财税〔2019〕13号 第三条, 2019–2021);
also 小型微利企业 and 个体工商户 from 2022 (财政部 税务总局公告2022年第10号 第一条; 2023年第12号 第二条,
2023–2027, 减半). Reduction rate 50% (Guangdong). ``amount`` = the reduction; ``tax`` = baseline − amount.
A null item counts as 0 only when the caller lists it as not applicable (option/input
``not_applicable``); otherwise the result is unknown.
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
    Node,
    Not,
    Or,
    Step,
    pct,
)
from zjtx.rules.calculators.expr import Cmp, lift

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
    fields = ["small_scale_vat", "small_low_profit", "individual_business", "vat_paid", "urban_maintenance_rate",
              *ITEMS]
    required_params = [f"{PID}.{k}" for k in ("reduction_rate", "eligible_groups", "education_surcharge_rate",
                                             "local_education_surcharge_rate", "urban_rates")]

    def declare(self, d: Decl) -> Calculation:
        p = PID
        na = _na(d.options, {})
        groups = d.p(f"{p}.eligible_groups")
        flags = {g: d.flag(g) for g in GROUPS}
        elig = Or(*[flags[g] if g in groups else lift(False) for g in GROUPS])
        rate = d.p(f"{p}.reduction_rate")
        edu, ledu = d.p(f"{p}.education_surcharge_rate"), d.p(f"{p}.local_education_surcharge_rate")
        vat_in = d.money("vat_paid", "实际缴纳的增值税、消费税")
        u_in = d.num("urban_maintenance_rate", "城市维护建设税税率")
        rates = [str(x) for x in d.p(f"{p}.urban_rates")]
        u_ok = Or(u_in.is_null(), Or(*[Cmp(u_in, "==", lift(x)) for x in d.p(f"{p}.urban_rates")]))
        vat: Node = vat_in
        u: Node = u_in
        if "vat_paid" in na:
            u = Case([(vat_in.is_null(), 0)], u_in)
            vat = Fill(vat_in, 0)
        u_eff = Case([(Cmp(vat, "==", lift(0)), Fill(u, 0))], u)
        base: dict[str, Node] = {
            "城市维护建设税": vat * u_eff,
            "教育费附加": vat * edu,
            "地方教育附加": vat * ledu,
        }
        missing: list[tuple[str, Node]] = [("vat_paid", vat.is_null()),
                                           ("urban_maintenance_rate", And(u.is_null(), Not(Cmp(vat, "==", lift(0))))),
                                           ("urban_maintenance_rate", Not(u_ok))]
        for f, name in ITEMS.items():
            e: Node = d.money(f, name)
            if f in na:
                e = Fill(e, 0)
            base[name] = e
            missing.append((f, e.is_null()))
        for g in GROUPS:
            if g in groups:
                missing.append((g, And(flags[g].is_null(), elig.is_null())))
        known = And(*[Not(v.is_null()) for v in base.values()], u_ok)
        total = Case([(Not(known), None)], _sum(list(base.values())))
        red = total * rate
        reduction = Case([(Not(known), None), (Not(elig), 0), (elig, red)], None)
        status = Case([(Not(u_ok), "unknown"), (Not(elig), "not_qualified"), (And(known, elig), "qualified")],
                      "unknown")
        steps = [Step("eligible", "适用主体：" + "、".join(GROUPS[g] for g in groups), " 或 ".join(groups), elig,
                      inputs={g: flags[g] for g in GROUPS}, params=[f"{p}.eligible_groups"],
                      status=Case([(elig, "适用"), (Not(elig), "不适用")], "待核验"))]
        for name, b in base.items():
            formula = "计税依据 × 税率" if name in ("城市维护建设税", "教育费附加", "地方教育附加") else "申报应纳税额"
            ps = {"教育费附加": [f"{p}.education_surcharge_rate"], "地方教育附加": [f"{p}.local_education_surcharge_rate"],
                  "城市维护建设税": [f"{p}.urban_rates"]}.get(name, [])
            steps.append(Step(f"base.{name}", f"{name}（减征前）", formula, b, params=ps))
        steps.append(Step("reduction", "减征额", f"Σ 各项税费 × {pct(rate)}", red, params=[f"{p}.reduction_rate"],
                          status="减征", when=And(known, elig)))
        comps: dict[str, Node] = {f"base.{k}": v for k, v in base.items()}
        comps.update({f"reduction.{k}": Case([(And(known, elig), v * rate)], None) for k, v in base.items()})
        return Calculation(
            status=status, baseline=total, reduction=reduction, components=comps, missing=missing,
            failed=[("eligible", Not(elig))], steps=steps,
            invalid=[("urban_maintenance_rate", Not(u_ok),
                      "城市维护建设税税率应为 " + " / ".join(rates) + "（市区 / 县城、镇 / 其他）")])


def _sum(items: list[Node]) -> Node:
    out = items[0]
    for i in items[1:]:
        out = out + i
    return out


CALCULATOR = SixTaxesTwoFees()
