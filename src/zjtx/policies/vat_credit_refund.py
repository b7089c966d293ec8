"""vat_credit_refund — 增值税期末留抵退税 (POLICIES.md §2.14).

财政部 税务总局公告2022年第14号 (第一条 小微企业, 第二条 制造业等行业, 第五条 conditions, 第六条 size),
accelerated by 2022年第17号 (中型 stock → 2022-05) and 2022年第19号 (大型 stock → 2022-06), extended by
2022年第21号 (seven more industries from 2022-07). All details MEMORY (provisional).

``amount = incremental + stock``; incremental = 增量留抵 × 进项构成比例 × 100% once the incremental window
is open; stock = 存量留抵 × 进项构成比例 × 100% once the stock window is open and the one-time stock
refund was not obtained before. Size classes use the 300号 营业收入/资产总额 bounds only (sme_size
parameters, 工信部联企业〔2011〕300号 第四条) with 营业收入 = 上一会计年度增值税销售额.
"""

from __future__ import annotations

from typing import Any

from zjtx.rules.calculators import (
    And,
    Calculation,
    Calculator,
    Case,
    Concat,
    Const,
    Decl,
    Eq,
    Fill,
    Lookup,
    Max,
    Min,
    Node,
    Not,
    OneOf,
    Or,
    StartsWith,
    Step,
    pct,
)
from zjtx.rules.calculators.base import month_code

PID = "vat_credit_refund"
SIZES = ("micro", "small", "medium", "large")
SIZE_ZH = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}

INPUTS = {
    "refund_period": ("str", "申请留抵退税的纳税申报期（YYYY-MM）"),
    "vat_sales_prev_year": ("money", "上一会计年度增值税销售额（不满一年的按实际月份换算）"),
    "total_assets_prev_year_end": ("money", "上一会计年度末资产总额"),
    "size_class": ("enum", "企业规模（留抵退税口径）", SIZES),
    "manufacturing_etc": ("bool", "制造业等行业企业（相关行业增值税销售额占比超过50%）"),
    "credit_rating": ("enum", "纳税信用等级", ("A", "B", "M", "C", "D")),
    "credit_end": ("money", "当期期末留抵税额"),
    "credit_2019_03": ("money", "2019年3月31日期末留抵税额"),
    "input_ratio": ("ratio", "进项构成比例"),
    "stock_refunded": ("bool", "已获得一次性存量留抵退税"),
    "fraud_36m": ("bool", "申请前36个月曾骗取留抵退税、出口退税或虚开增值税专用发票"),
    "evasion_count_36m": ("count", "申请前36个月因偷税受处罚次数"),
    "refund_incentive_since_2019_04": ("bool", "2019年4月1日起享受过即征即退、先征后返(退)政策"),
    "incremental_positive_6m": ("bool", "连续六个月（按季纳税的连续两个季度）增量留抵税额均大于零"),
}

FIELDS = ["refund_period", "industry", "vat_sales_prev_year", "total_assets_prev_year_end", "size_class",
          "manufacturing_etc", "credit_rating", "credit_end", "credit_2019_03", "input_ratio", "stock_refunded",
          "fraud_36m", "evasion_count_36m", "refund_incentive_since_2019_04", "incremental_positive_6m"]
AXES = {"Y": "vat_sales_prev_year", "Z": "total_assets_prev_year_end"}


def _all(nodes: list[Node]) -> Node:
    return And(*nodes) if nodes else Const(True)


class VatCreditRefund(Calculator):
    id = PID
    name = "增值税期末留抵退税"
    level = "国家"
    issuer = "财政部、国家税务总局"
    summary = "小微企业和制造业等行业企业按月全额退还增量留抵税额，并一次性退还存量留抵税额（2022年）；2023年起制造业等行业按月全额退还增量留抵，其他纳税人按一般规定退还增量留抵的60%。"
    beneficiaries = "纳税信用A级或B级、符合条件的增值税一般纳税人（2022年：小微企业和制造业等行业企业）"
    how_to_apply = "需申请：在纳税申报期内（规定期限内）通过电子税务局提交《退（抵）税申请表》，税务机关审核后退还"
    automatic = False
    window = "增量：2022年4月纳税申报期起按月申请；存量：按企业规模分批（微型4月、小型5月、中型5月、大型6月；2022年第21号扩围行业7月）"
    output = "amount"
    period_kind = "month"
    period_field = "refund_period"
    allow_quarter = False
    fields = FIELDS
    required_params = [f"{PID}.{k}" for k in ("eligible_ratings", "max_evasion_count", "refund_share",
                                             "industries_14", "industries_21", "fallback_size_bounds")]

    def size(self, d: Decl) -> tuple[Node, list[tuple[str, Node]], Node]:
        """The size class (300号 营业收入 = 上年增值税销售额, 资产总额; or as entered), what it misses,
        and the shown value."""
        code = d.text("industry", upper=True)
        entered = d.text("size_class")
        mapping: dict[str, str] = d.p("sme_size.industry_map")
        groups: dict[str, Any] = d.p("sme_size.groups")
        group = Lookup(code, mapping, default="not_covered", prefix=True, kind="str")
        y = d.money("vat_sales_prev_year", "上年增值税销售额")
        z = d.money("total_assets_prev_year_end", "上年末资产总额")
        vals = {"Y": y, "Z": z}
        fb = d.p(f"{PID}.fallback_size_bounds")
        fallback = Case([(y < fb[0], "micro"), (y < fb[1], "small"), (y < fb[2], "medium"), (y.known(), "large")])
        branches = []
        miss = {"vat_sales_prev_year": [], "total_assets_prev_year_end": []}
        for gname in [*groups, "not_covered"]:
            bounds = groups.get(gname) or {}
            axes = sorted({a for k in ("large", "medium", "small") for a in (bounds.get(k) or {}) if a in AXES})
            if not axes:
                branches.append((Eq(group, gname), fallback))
                miss["vat_sales_prev_year"].append(And(Eq(group, gname), y.is_null()))
                continue
            klass = []
            for k in ("large", "medium", "small"):
                b = {a: val for a, val in (bounds.get(k) or {}).items() if a in AXES}
                if b:
                    klass.append((_all([vals[a] >= val for a, val in b.items()]), k))
            known = _all([vals[a].known() for a in axes])
            branches.append((Eq(group, gname), Case([(Not(known), None), *klass], "micro")))
            for a in axes:
                miss[AXES[a]].append(And(Eq(group, gname), vals[a].is_null()))
        derived = Case(branches, None)
        size = Fill(entered, derived)
        missing = [("industry", And(entered.is_null(), code.is_null()))] + [
            (f, And(entered.is_null(), Or(*ns))) for f, ns in miss.items() if ns]
        return size, missing, Lookup(size, SIZE_ZH, kind="str")

    def declare(self, d: Decl) -> Calculation:
        p = PID
        v = lambda k: d.p(f"{p}.{k}")  # noqa: E731
        general = d.p(f"{p}.regime")["id"] != "2022-14"  # from 2023: 14号 第二条 and 39号 第八条
        size, size_missing, size_zh = self.size(d)
        code = d.text("industry", upper=True)
        l14, l21 = v("industries_14"), v("industries_21")
        cat_ind = Case([(StartsWith(code, l14), "14"), (StartsWith(code, l21), "21"), (code.known(), "")], None)
        ov = d.flag("manufacturing_etc")
        cat = Case([(Eq(ov, True), Case([(OneOf(cat_ind, ["14", "21"]), cat_ind)], "14")), (Eq(ov, False), "")],
                   cat_ind)
        rating = d.text("credit_rating")
        conds = {
            "credit_rating": OneOf(rating, v("eligible_ratings")),
            "fraud_36m": Not(d.flag("fraud_36m")),
            "evasion_count_36m": d.num("evasion_count_36m") < v("max_evasion_count"),
            "refund_incentive_since_2019_04": Not(d.flag("refund_incentive_since_2019_04")),
        }
        small = OneOf(size, ["micro", "small"])
        manuf = Not(Eq(cat, ""))
        end = d.money("credit_end", "当期期末留抵税额")
        ratio = d.num("input_ratio", "进项构成比例")
        refunded = d.flag("stock_refunded")
        c19_in = d.money("credit_2019_03", "2019年3月31日期末留抵税额")
        c19 = Fill(c19_in, 0)
        share = v("refund_share")
        now = d.month()
        incremental = Case([(Fill(refunded, False), end)], Max(end - c19, 0))
        steps = [
            Step("size", "企业规模（申请人填报或按300号营业收入、资产总额指标；营业收入 = 上年增值税销售额）",
                 "大型/中型/小型 下限（及以上）", size_zh,
                 inputs={"size_class": d.text("size_class"), "vat_sales_prev_year": d.money("vat_sales_prev_year"),
                         "total_assets_prev_year_end": d.money("total_assets_prev_year_end")},
                 params=["sme_size.groups", "sme_size.industry_map", f"{p}.fallback_size_bounds"],
                 cite="财政部 税务总局公告2022年第14号 第六条；工信部联企业〔2011〕300号 第四条", when=size.known()),
            Step("industry", "制造业等行业（相关行业增值税销售额占比超过50%；按行业代码近似）",
                 "14号：" + "/".join(l14) + ("；21号扩围：" + "/".join(l21) if l21 else ""),
                 Lookup(cat, {"14": "制造业等行业（14号）", "21": "扩围行业（21号）", "": "否"}, kind="str"),
                 inputs={"industry": code, "manufacturing_etc": ov}, params=[f"{p}.industries_14", f"{p}.industries_21"]),
        ]
        if not general:
            scope = Or(small, manuf)
            elig = And(*conds.values(), scope)
            need_ok = And(end.known(), ratio.known(), refunded.known(), Or(Fill(refunded, False), c19_in.known()))
            key = Case([(small, size), (Eq(cat, "14"), size), (Eq(cat, "21"), Concat(size, "_21"))], None)
            wins = v("windows")
            inc_open = now >= Lookup(key, {k: month_code(w["incremental"]) for k, w in wins.items()})
            stock_open = now >= Lookup(key, {k: month_code(w["stock"]) for k, w in wins.items()})
            stock_base = Case([(Fill(refunded, False), 0)], Min(c19, end))
            inc = Case([(inc_open, incremental * ratio * share)], 0)
            stock = Case([(And(stock_open, Not(Fill(refunded, False))), stock_base * ratio * share)], 0)
            ready = And(elig, need_ok, key.known())
            amount = Case([(Eq(elig, False), 0), (ready, Case([(inc_open, inc + stock)], 0))], None)
            status = Case([(Eq(elig, False), "not_qualified"),
                           (ready, Case([(inc_open, "qualified")], "not_qualified"))], "unknown")
            need = [("credit_end", end.is_null()), ("input_ratio", ratio.is_null()),
                    ("stock_refunded", refunded.is_null()),
                    ("credit_2019_03", And(c19_in.is_null(), Not(Fill(refunded, False))))]
            steps += [
                Step("eligible", "退税条件：纳税信用A/B级；36个月内无骗税、虚开；偷税处罚少于2次；未享受即征即退、先征后返；"
                     "小微企业或制造业等行业", "全部满足", elig, inputs={"credit_rating": rating, "size": size,
                                                                     "category": cat},
                     params=[f"{p}.eligible_ratings", f"{p}.max_evasion_count"],
                     status=Case([(elig, "符合"), (Not(elig), "不符合")], "待核验"),
                     cite="财政部 税务总局公告2022年第14号 第一条、第二条、第三条"),
                Step("window", "退税期限：增量、存量留抵可申请的首个纳税申报期（按规模与行业）", "申报期 ≥ 首个申报期",
                     Case([(inc_open, Case([(stock_open, "增量已开放；存量已开放")], "增量已开放；存量未开放"))],
                          "增量未开放；存量未开放"), params=[f"{p}.windows"], when=ready),
                Step("incremental", "增量留抵退税额", f"增量留抵税额 × 进项构成比例 × {pct(share)}", inc,
                     inputs={"增量留抵税额": incremental, "input_ratio": ratio}, params=[f"{p}.refund_share"], when=ready),
                Step("stock", "存量留抵退税额（一次性）", f"min(2019-03-31留抵, 当期期末留抵) × 进项构成比例 × {pct(share)}", stock,
                     inputs={"存量留抵税额": stock_base, "stock_refunded": refunded}, params=[f"{p}.refund_share"],
                     when=ready),
            ]
            failed = [(k, Not(c)) for k, c in conds.items()] + [("scope", Not(scope)),
                                                                 ("window", And(ready, Not(inc_open)))]
            first = Lookup(key, {k: w["incremental"] for k, w in wins.items()}, kind="str")
            notes: list[tuple] = [("本期尚未到可申请退税的纳税申报期（增量自 {value}）", And(ready, Not(inc_open)), first)]
            comps = {"incremental": Case([(ready, inc)], None), "stock": Case([(ready, stock)], None)}
        else:
            # 14号 第二条: 制造业等行业 keep the monthly full refund of the incremental credit; everyone else
            # (小微企业 included) the general regime of 39号 第八条: six months of positive incremental
            # credit, the sixth at least 50万元, 60% of it × 进项构成比例
            g_share, g_min = v("general_share"), v("general_min_incremental")
            six = d.flag("incremental_positive_6m")
            general_ok = And(six, incremental >= g_min)
            route_ok = Case([(manuf, Const(True)), (Not(manuf), general_ok)], None)
            elig = And(*conds.values(), route_ok)
            need_ok = And(end.known(), ratio.known(), Or(Fill(refunded, True), c19_in.known()))
            rate = Case([(manuf, share)], g_share)
            inc = incremental * ratio * rate
            ready = And(elig, need_ok, cat.known())
            amount = Case([(Eq(elig, False), 0), (ready, inc)], None)
            status = Case([(Eq(elig, False), "not_qualified"), (ready, "qualified")], "unknown")
            need = [("credit_end", end.is_null()), ("input_ratio", ratio.is_null()),
                    ("credit_2019_03", And(c19_in.is_null(), Not(Fill(refunded, False)))),
                    ("incremental_positive_6m", And(Not(Fill(manuf, True)), six.is_null()))]
            steps += [
                Step("eligible", "退税条件：纳税信用A/B级；36个月内无骗税、虚开；偷税处罚少于2次；未享受即征即退、先征后返；"
                     f"制造业等行业，或连续六个月增量留抵税额均大于零且第六个月不低于{g_min // 10000}万元", "全部满足", elig,
                     inputs={"credit_rating": rating, "category": cat, "incremental_positive_6m": six},
                     params=[f"{p}.eligible_ratings", f"{p}.max_evasion_count", f"{p}.general_min_incremental"],
                     status=Case([(elig, "符合"), (Not(elig), "不符合")], "待核验"),
                     cite="财政部 税务总局公告2022年第14号 第二条、第三条；财政部 税务总局 海关总署公告2019年第39号 第八条"),
                Step("incremental", "增量留抵退税额（制造业等行业100%；其他按一般规定60%）",
                     f"增量留抵税额 × 进项构成比例 × ({pct(share)} 或 {pct(g_share)})", inc,
                     inputs={"增量留抵税额": incremental, "input_ratio": ratio},
                     params=[f"{p}.refund_share", f"{p}.general_share"], when=ready),
            ]
            failed = [(k, Not(c)) for k, c in conds.items()] + [("scope", Not(route_ok))]
            notes = [("2022年12月31日后小微企业不再适用14号第一条的全额退还，按2019年第39号第八条（60%）计算；"
                      "一次性存量留抵退还为2022年政策，不再计算", None)]
            comps = {"incremental": Case([(ready, inc)], None), "stock": Case([(ready, 0)], None)}
        missing = [(k, _input_null(d, k)) for k in conds] + size_missing
        after = Or(elig.is_null(), elig)
        missing += [(k, And(Fill(after, True), n)) for k, n in need]
        return Calculation(status=status, result=amount, baseline=Case([(amount.known(), 0)], None),
                           components=comps, missing=missing, failed=failed, notes=notes, steps=steps)


def _input_null(d: Decl, name: str) -> Node:
    node = d.num(name) if name == "evasion_count_36m" else d.text(name) if name == "credit_rating" else d.flag(name)
    return node.is_null()


CALCULATOR = VatCreditRefund()
