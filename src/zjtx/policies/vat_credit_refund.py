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
    by_segment,
    fen_pl,
    lin_pl,
    month_code,
    month_index,
    period_start_pl,
    ratio_pl,
    to_fen,
    to_ratio,
)
from zjtx.rules.params import Params

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
}

FIELDS = ["refund_period", "industry", "vat_sales_prev_year", "total_assets_prev_year_end", "size_class",
          "manufacturing_etc", "credit_rating", "credit_end", "credit_2019_03", "input_ratio", "stock_refunded",
          "fraud_36m", "evasion_count_36m", "refund_incentive_since_2019_04"]
AXES = {"Y": "vat_sales_prev_year", "Z": "total_assets_prev_year_end"}


def _group(code: str | None, mapping: dict[str, str]) -> str | None:
    if not code:
        return None
    for n in range(len(code), 0, -1):
        if code[:n] in mapping:
            return mapping[code[:n]]
    return "not_covered"


def _and3(vals: list[bool | None]) -> bool | None:
    if any(v is False for v in vals):
        return False
    return None if any(v is None for v in vals) else True


def _or3(vals: list[bool | None]) -> bool | None:
    if any(v is True for v in vals):
        return True
    return None if any(v is None for v in vals) else False


class VatCreditRefund(Calculator):
    id = PID
    name = "增值税期末留抵退税"
    level = "国家"
    issuer = "财政部、国家税务总局"
    summary = "小微企业和制造业等行业企业按月全额退还增量留抵税额，并一次性退还存量留抵税额（2022年起）。"
    beneficiaries = "纳税信用A级或B级、符合条件的小微企业和制造业等行业企业"
    how_to_apply = "需申请：在纳税申报期内（规定期限内）通过电子税务局提交《退（抵）税申请表》，税务机关审核后退还"
    automatic = False
    window = "增量：2022年4月纳税申报期起按月申请；存量：按企业规模分批（微型4月、小型5月、中型5月、大型6月；2022年第21号扩围行业7月）"
    output = "amount"
    period_kind = "month"
    period_field = "refund_period"
    allow_quarter = False
    regimes = [
        CalcRegime(f"{PID}@2022-14", "增值税期末留抵退税（2022年大规模留抵退税）",
                   "财政部 税务总局公告2022年第14号（2022年第17号、第19号、第21号）", dt.date(2022, 4, 1), None),
    ]
    fields = FIELDS
    required_params = [f"{PID}.{k}" for k in ("eligible_ratings", "max_evasion_count", "refund_share",
                                             "industries_14", "industries_21", "fallback_size_bounds", "windows")]

    # ---- size and industry (exact) -------------------------------------------------------------
    def size_of(self, rec: dict[str, Any], cx: Calc) -> str | None:
        if rec.get("size_class") is not None:
            cx.step("size", "企业规模（申请人填报）", "size_class", SIZE_ZH[rec["size_class"]],
                    inputs={"size_class": rec["size_class"]}, cite="财政部 税务总局公告2022年第14号 第六条")
            return rec["size_class"]
        code = (rec.get("industry") or "").strip().upper() or None
        group = _group(code, cx.p("sme_size.industry_map")) if code else None
        if group is None:
            cx.missing.append("industry")
            return None
        bounds = (cx.p("sme_size.groups").get(group) or {}) if group != "not_covered" else {}
        axes = sorted({a for k in ("large", "medium", "small") for a in (bounds.get(k) or {}) if a in AXES})
        y = to_fen(rec.get("vat_sales_prev_year"))
        if not axes:
            if y is None:
                cx.missing.append("vat_sales_prev_year")
                return None
            fb = cx.p(f"{PID}.fallback_size_bounds")
            size = next((s for s, b in zip(("micro", "small", "medium"), fb, strict=True) if y < b * FEN), "large")
            cx.step("size", "企业规模（未列明行业：按增值税销售额）", "微型<100万 / 小型<2000万 / 中型<1亿", SIZE_ZH[size],
                    inputs={"vat_sales_prev_year": Fraction(y, FEN)}, params=[f"{PID}.fallback_size_bounds"])
            return size
        vals = {"Y": y, "Z": to_fen(rec.get("total_assets_prev_year_end"))}
        miss = [AXES[a] for a in axes if vals[a] is None]
        if miss:
            cx.missing.extend(m for m in miss if m not in cx.missing)
            return None
        size = "micro"
        for k in ("large", "medium", "small"):
            b = {a: v for a, v in (bounds.get(k) or {}).items() if a in AXES}
            if b and all(vals[a] >= v * FEN for a, v in b.items()):
                size = k
                break
        cx.step("size", "企业规模（300号 营业收入、资产总额指标；营业收入 = 上年增值税销售额）",
                "大型/中型/小型 下限（及以上）", SIZE_ZH[size],
                inputs={AXES[a]: Fraction(vals[a], FEN) for a in axes if vals[a] is not None},
                params=["sme_size.groups", "sme_size.industry_map"])
        return size

    def category(self, rec: dict[str, Any], cx: Calc) -> str | None:
        """"14" (制造业等, 14号), "21" (扩围行业), "" (neither) or None (unknown)."""
        code = (rec.get("industry") or "").strip().upper() or None
        l14, l21 = cx.p(f"{PID}.industries_14"), cx.p(f"{PID}.industries_21")
        cat = None if code is None else ("14" if any(code.startswith(x) for x in l14)
                                         else "21" if any(code.startswith(x) for x in l21) else "")
        ov = rec.get("manufacturing_etc")
        if ov is True:
            cat = cat if cat in ("14", "21") else "14"
        elif ov is False:
            cat = ""
        cx.step("industry", "制造业等行业（相关行业增值税销售额占比超过50%；按行业代码近似）",
                "14号：" + "/".join(l14) + ("；21号扩围：" + "/".join(l21) if l21 else ""),
                {"14": "制造业等行业（14号）", "21": "扩围行业（21号）", "": "否", None: "未知"}[cat],
                inputs={"industry": code, "manufacturing_etc": ov}, params=[f"{PID}.industries_14", f"{PID}.industries_21"])
        return cat

    def compute(self, rec: dict[str, Any], period: Period, cx: Calc, options: dict[str, Any]) -> Outcome:
        p = PID
        size = self.size_of(rec, cx)
        cat = self.category(rec, cx)
        rating = rec.get("credit_rating")
        conds = {
            "credit_rating": None if rating is None else rating in cx.p(f"{p}.eligible_ratings"),
            "fraud_36m": None if rec.get("fraud_36m") is None else rec["fraud_36m"] is False,
            "evasion_count_36m": None if rec.get("evasion_count_36m") is None
            else rec["evasion_count_36m"] < cx.p(f"{p}.max_evasion_count"),
            "refund_incentive_since_2019_04": None if rec.get("refund_incentive_since_2019_04") is None
            else rec["refund_incentive_since_2019_04"] is False,
        }
        for k, c in conds.items():
            if c is None:
                cx.missing.append(k)
            if c is False:
                cx.failed.append(k)
        scope = _or3([None if size is None else size in ("micro", "small"), None if cat is None else cat != ""])
        if scope is False:
            cx.failed.append("scope")
        elig = _and3([*conds.values(), scope])
        cx.step("eligible", "退税条件：纳税信用A/B级；36个月内无骗税、虚开；偷税处罚少于2次；未享受即征即退、先征后返；小微企业或制造业等行业",
                "全部满足", elig, inputs={"credit_rating": rating, "size": size, "category": cat},
                params=[f"{p}.eligible_ratings", f"{p}.max_evasion_count"], status=_zh(elig),
                cite="财政部 税务总局公告2022年第14号 第一条、第二条、第五条")
        if elig is False:
            return Outcome("not_qualified", Fraction(0), Fraction(0))
        refunded = rec.get("stock_refunded")
        need = ["credit_end", "input_ratio", "stock_refunded"] + ([] if refunded is True else ["credit_2019_03"])
        cx.need(rec, *need)
        win_key = self.window_key(size, cat)
        if elig is None or any(rec.get(n) is None for n in need) or win_key is None:
            return Outcome("unknown")
        win = cx.p(f"{p}.windows")[win_key]
        now = month_index(period.start)
        inc_open = now >= month_code(win["incremental"])
        stock_open = now >= month_code(win["stock"])
        end = to_fen(rec["credit_end"])
        c19 = to_fen(rec.get("credit_2019_03")) or 0
        ratio = to_ratio(rec["input_ratio"])
        share = cx.p(f"{p}.refund_share")
        assert end is not None and ratio is not None
        if refunded:
            inc_base, stock_base = end, 0
        else:
            inc_base, stock_base = max(end - c19, 0), min(c19, end)
        inc = inc_base * ratio * share if inc_open else Fraction(0)
        stock = stock_base * ratio * share if (stock_open and not refunded) else Fraction(0)
        cx.step("window", f"退税期限（{win_key}）：增量自{win['incremental']}、存量自{win['stock']}纳税申报期",
                f"申报期 {period.code()}", f"增量{'已' if inc_open else '未'}开放；存量{'已' if stock_open else '未'}开放",
                params=[f"{p}.windows"])
        cx.step("incremental", "增量留抵退税额", "增量留抵税额 × 进项构成比例 × 100%", inc / FEN,
                inputs={"增量留抵税额": Fraction(inc_base, FEN), "input_ratio": ratio}, params=[f"{p}.refund_share"])
        cx.step("stock", "存量留抵退税额（一次性）", "min(2019-03-31留抵, 当期期末留抵) × 进项构成比例 × 100%", stock / FEN,
                inputs={"存量留抵税额": Fraction(stock_base, FEN), "stock_refunded": refunded},
                params=[f"{p}.refund_share"])
        if not inc_open:
            cx.failed.append("window")
            cx.notes.append(f"本期尚未到可申请退税的纳税申报期（增量自 {win['incremental']}）")
            return Outcome("not_qualified", Fraction(0), Fraction(0), components={"incremental": inc, "stock": stock})
        return Outcome("qualified", inc + stock, Fraction(0), components={"incremental": inc, "stock": stock})

    @staticmethod
    def window_key(size: str | None, cat: str | None) -> str | None:
        if size in ("micro", "small"):
            return size
        if size is None or cat is None:
            return None
        if cat == "14":
            return size
        if cat == "21":
            return f"{size}_21"
        return None

    # ---- vectorised --------------------------------------------------------------------------
    def pl_compute(self, period: Period | None, params: Params | None, options: dict[str, Any],
                   base: Params) -> PlOutcome:
        p = PID
        m = self.m
        start = m("start", lambda: period_start_pl("refund_period", allow_quarter=False))
        now = m("now", lambda: start.dt.year().cast(pl.Int64) * 12 + start.dt.month().cast(pl.Int64) - 1)
        code = pl.col("industry").cast(pl.String).str.strip_chars().str.to_uppercase()
        code = m("code", lambda: pl.when(code == "").then(None).otherwise(code))
        y = fen_pl("vat_sales_prev_year")
        z = fen_pl("total_assets_prev_year_end")
        end = fen_pl("credit_end")
        c19 = fen_pl("credit_2019_03")
        ratio = ratio_pl("input_ratio")
        refunded = pl.col("stock_refunded")
        rating = pl.col("credit_rating")

        def build(prm: Params, seg: dt.date) -> dict[str, pl.Expr]:
            v = lambda k: prm[f"{p}.{k}"].value  # noqa: E731
            mapping: dict[str, str] = prm["sme_size.industry_map"].value
            groups: dict[str, Any] = prm["sme_size.groups"].value
            lengths = sorted({len(k) for k in mapping}, reverse=True)
            group = m("group", lambda: pl.when(code.is_null()).then(None).otherwise(pl.coalesce(
                [code.str.slice(0, n).replace_strict({k: g for k, g in mapping.items() if len(k) == n},
                                                     default=None, return_dtype=pl.String) for n in lengths]
                + [pl.lit("not_covered")])))
            fb = v("fallback_size_bounds")
            fallback = (pl.when(y < int(fb[0] * FEN)).then(pl.lit("micro")).when(y < int(fb[1] * FEN))
                        .then(pl.lit("small")).when(y < int(fb[2] * FEN)).then(pl.lit("medium"))
                        .when(y.is_not_null()).then(pl.lit("large")).otherwise(None))
            derived: Any = None
            size_missing = {"vat_sales_prev_year": pl.lit(False), "total_assets_prev_year_end": pl.lit(False)}
            for gname in list(groups) + ["not_covered"]:
                bounds = groups.get(gname) or {}
                axes = sorted({a for k in ("large", "medium", "small") for a in (bounds.get(k) or {}) if a in AXES})
                if not axes:
                    e = fallback
                    size_missing["vat_sales_prev_year"] = size_missing["vat_sales_prev_year"] | (
                        (group == gname) & y.is_null())
                else:
                    vals = {"Y": y, "Z": z}
                    e = pl.lit("micro")
                    for k in ("small", "medium", "large"):
                        b = {a: val for a, val in (bounds.get(k) or {}).items() if a in AXES}
                        if b:
                            c = pl.all_horizontal([vals[a] >= int(val * FEN) for a, val in b.items()])
                            e = pl.when(c).then(pl.lit(k)).otherwise(e)
                    known = pl.all_horizontal([vals[a].is_not_null() for a in axes])
                    e = pl.when(known).then(e).otherwise(None)
                    for a in axes:
                        size_missing[AXES[a]] = size_missing[AXES[a]] | ((group == gname) & vals[a].is_null())
                derived = (pl.when(group == gname).then(e) if derived is None
                           else derived.when(group == gname).then(e))
            size = m("size", lambda: pl.coalesce(pl.col("size_class").cast(pl.String), derived.otherwise(None)))
            size_missing = {k: m(("size_missing", k), lambda e=e: e) for k, e in size_missing.items()}
            l14, l21 = v("industries_14"), v("industries_21")
            in14 = pl.any_horizontal([code.str.starts_with(x) for x in l14])
            in21 = pl.any_horizontal([code.str.starts_with(x) for x in l21]) if l21 else pl.lit(False)
            cat_ind = pl.when(code.is_null()).then(None).when(in14).then(pl.lit("14")).when(in21).then(
                pl.lit("21")).otherwise(pl.lit(""))
            ov = pl.col("manufacturing_etc")
            cat = m(("cat", seg), lambda: pl.when(ov == True).then(pl.when(cat_ind.is_in(["14", "21"])).then(cat_ind)  # noqa: E712
                                               .otherwise(pl.lit("14")))
                   .when(ov == False).then(pl.lit("")).otherwise(cat_ind))  # noqa: E712
            scope = size.is_in(["micro", "small"]) | (cat != "")
            conds = [rating.is_in(v("eligible_ratings")), ~pl.col("fraud_36m"),
                     pl.col("evasion_count_36m") < int(v("max_evasion_count")), ~pl.col("refund_incentive_since_2019_04"),
                     scope]
            elig = m(("elig", seg), lambda: pl.all_horizontal(conds))
            key = m(("key", seg), lambda: pl.when(size.is_in(["micro", "small"])).then(size)
                    .when(cat == "14").then(size).when(cat == "21").then(size + "_21").otherwise(None))
            wins = v("windows")
            inc_w = key.replace_strict({k: month_code(w["incremental"]) for k, w in wins.items()}, default=None,
                                       return_dtype=pl.Int64)
            stk_w = key.replace_strict({k: month_code(w["stock"]) for k, w in wins.items()}, default=None,
                                       return_dtype=pl.Int64)
            inc_open = m(("inc_open", seg), lambda: now >= inc_w)
            stock_open = m(("stock_open", seg), lambda: now >= stk_w)
            c19v = c19.fill_null(0)
            inc_base = pl.when(refunded).then(end).otherwise(pl.max_horizontal(end - c19v, pl.lit(0)))
            stock_base = pl.when(refunded).then(pl.lit(0, pl.Int64)).otherwise(pl.min_horizontal(c19v, end))
            share = v("refund_share")
            inc_t = pl.when(inc_open).then(inc_base.cast(pl.Int128) * ratio).otherwise(0)
            stk_t = pl.when(stock_open & ~refunded).then(stock_base.cast(pl.Int128) * ratio).otherwise(0)
            total = m(("total", seg), lambda: lin_pl([(inc_t, Fraction(share)), (stk_t, Fraction(share))], extra_den=RATIO_SCALE))
            need_ok = end.is_not_null() & ratio.is_not_null() & refunded.is_not_null() & (
                refunded | c19.is_not_null())
            amount = (pl.when(elig == False).then(pl.lit(0, pl.Int64))  # noqa: E712
                      .when(elig & need_ok & key.is_not_null())
                      .then(pl.when(inc_open).then(total).otherwise(pl.lit(0, pl.Int64)))
                      .otherwise(None))
            status = (pl.when(elig == False).then(pl.lit("not_qualified"))  # noqa: E712
                      .when(elig & need_ok & key.is_not_null())
                      .then(pl.when(inc_open).then(pl.lit("qualified")).otherwise(pl.lit("not_qualified")))
                      .otherwise(pl.lit("unknown")))
            miss = {
                "credit_rating": rating.is_null(), "fraud_36m": pl.col("fraud_36m").is_null(),
                "evasion_count_36m": pl.col("evasion_count_36m").is_null(),
                "refund_incentive_since_2019_04": pl.col("refund_incentive_since_2019_04").is_null(),
                "industry": pl.col("size_class").is_null() & code.is_null(),
                "vat_sales_prev_year": pl.col("size_class").is_null() & size_missing["vat_sales_prev_year"],
                "total_assets_prev_year_end": pl.col("size_class").is_null() & size_missing["total_assets_prev_year_end"],
            }
            after = elig.is_null() | elig
            for n, e in (("credit_end", end.is_null()), ("input_ratio", ratio.is_null()),
                         ("stock_refunded", refunded.is_null()), ("credit_2019_03", c19.is_null() & ~refunded.fill_null(False))):
                miss[n] = after.fill_null(True) & e
            out = {"status": status, "amount": amount, "covered": pl.lit(True),
                   "regime": pl.lit(self.regime_for(seg).id),
                   "prov": pl.lit(self.provisional_of(prm, self.required_params))}
            out.update({f"miss.{k}": e for k, e in miss.items()})
            return out

        names = ["credit_rating", "fraud_36m", "evasion_count_36m", "refund_incentive_since_2019_04", "industry",
                 "vat_sales_prev_year", "total_assets_prev_year_end", "credit_end", "input_ratio", "stock_refunded",
                 "credit_2019_03"]
        defaults = {"status": pl.lit("unknown"), "amount": pl.lit(None, pl.Int64), "covered": pl.lit(False),
                    "regime": pl.lit(None, pl.String), "prov": pl.lit(False),
                    **{f"miss.{n}": pl.lit(False) for n in names}}
        seg = by_segment(self, start, start, build, base, defaults)
        missing = [("refund_period", ~seg["covered"])] + [(n, seg[f"miss.{n}"]) for n in names]
        amount = seg["amount"]
        return PlOutcome(seg["status"], amount, pl.when(amount.is_null()).then(None).otherwise(pl.lit(0, pl.Int64)),
                         missing, provisional=seg["prov"], extra={"regime": seg["regime"]})


def _zh(v: bool | None) -> str:
    return "符合" if v is True else "不符合" if v is False else "待核验"


CALCULATOR = (VatCreditRefund())
