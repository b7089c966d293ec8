"""sme_size — 中小企业划型 (大/中/小/微).

《中小企业划型标准规定》工信部联企业〔2011〕300号 第四条; industries mapped from GB/T 4754-2017 per
国统字〔2017〕213号. A class (large, medium, small) needs **all** its lower bounds ("及以上"); micro
needs one indicator below the small bounds. ``qualified`` ⇔ large is impossible (the enterprise is
中小微). With missing indicators the set of still-possible classes is computed (three-valued): the
size is reported only when one class remains (POLICIES.md §2.1).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from zjtx.rules import Ctx, Extra, Policy, Regime
from zjtx.rules.nodes import Cond, and3, by_distinct, compare, num, pl_compare, text_pl_of
from zjtx.rules.params import Fraction

DOC = "工信部联企业〔2011〕300号"
AXES = {"X": "employees_y1", "Y": "revenue_y1", "Z": "total_assets_y1"}
CLASSES = ("large", "medium", "small")
SIZE_ZH = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}


def group_of(industry: str | None, cx: Ctx) -> str | None:
    if not industry:
        return None
    mapping: dict[str, str] = cx.p("sme_size.industry_map")
    code = industry.strip().upper()
    for n in range(len(code), 0, -1):
        if code[:n] in mapping:
            return mapping[code[:n]]
    return "not_covered"


def group_pl(cx: Ctx) -> pl.Expr:
    if cx.mat is not None:
        return cx.mat.get(("sme_group",), lambda: _group_pl(cx))
    return _group_pl(cx)


def _group_pl(cx: Ctx) -> pl.Expr:
    mapping: dict[str, str] = cx.p("sme_size.industry_map")
    lengths = sorted({len(k) for k in mapping}, reverse=True)

    def group(raw: pl.Expr) -> pl.Expr:
        k = text_pl_of(raw)  # trimmed, upper case, null when empty
        parts = [
            k.str.slice(0, n).replace_strict({a: v for a, v in mapping.items() if len(a) == n}, default=None,
                                             return_dtype=pl.String)
            for n in lengths
        ]
        return pl.when(k.is_null()).then(None).otherwise(pl.coalesce([*parts, pl.lit("not_covered")]))

    # once per distinct code of the batch, from the code as entered (one pass, not two)
    return by_distinct(pl.col("industry").cast(pl.String), group, pl.String)


def _class_ev(rec: dict[str, Any], group: str, klass: str, cx: Ctx) -> bool | None:
    bounds = cx.p("sme_size.groups")[group][klass]
    return and3([
        None if num(rec.get(AXES[a])) is None else compare(num(rec.get(AXES[a])), ">=", Fraction(b))
        for a, b in bounds.items()
    ])


def _class_pl(group: str, klass: str, cx: Ctx) -> pl.Expr:
    bounds = cx.p("sme_size.groups")[group][klass]
    e: Any = None
    for a, b in bounds.items():
        c = pl_compare(pl.col(AXES[a]).cast(pl.Float64), ">=", float(b))
        e = c if e is None else e & c
    return e


def _by_group(cx: Ctx, klass: str) -> pl.Expr:
    if cx.mat is not None:
        return cx.mat.get(("sme_class", klass), lambda: _by_group_raw(cx, klass))
    return _by_group_raw(cx, klass)


def _by_group_raw(cx: Ctx, klass: str) -> pl.Expr:
    g = group_pl(cx)
    e: Any = None
    for name in cx.p("sme_size.groups"):
        c = _class_pl(name, klass, cx)
        e = pl.when(g == name).then(c) if e is None else e.when(g == name).then(c)
    return e.otherwise(pl.lit(None, pl.Boolean))


class NotLarge(Cond):
    """The enterprise cannot be 大型 (it is 中小微)."""

    def fields(self) -> set[str]:
        return {"industry", *AXES.values()}

    def data_fields(self) -> set[str]:
        return self.fields()

    def _ev(self, rec, cx):
        g = group_of(rec.get("industry"), cx)
        if g is None or g == "not_covered":
            if g == "not_covered":
                cx.manual.add("industry_not_covered")
            return None
        large = _class_ev(rec, g, "large", cx)
        return None if large is None else not large

    def _pl(self, cx: Ctx) -> pl.Expr:
        return ~_by_group(cx, "large")

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        return [("industry_not_covered", group_pl(cx) == "not_covered")]

    def describe(self, cx: Ctx | None = None) -> str:
        return "不属于大型企业（按所属行业组别的划型标准）"

    def gap(self, s, rec, cx):
        g = group_of(rec.get("industry"), cx)
        if g is None:
            s.note("所属行业缺少数据，无法划型")
        elif g == "not_covered":
            s.note("所属行业不在《中小企业划型标准规定》范围内，需人工划型（不作为方案）")
        else:
            s.note("按从业人员、营业收入、资产总额划为大型企业，不属于中小企业（规模不作为方案）")
        return []


class SizeClass(Extra):
    id = "size"

    def fields(self) -> set[str]:
        return {"industry", *AXES.values()}

    def ev(self, rec: dict[str, Any], cx: Ctx) -> str | None:
        g = group_of(rec.get("industry"), cx)
        if g is None or g == "not_covered":
            return None
        for klass in CLASSES:
            v = _class_ev(rec, g, klass, cx)
            if v is None:
                return None
            if v:
                return klass
        return "micro"

    def pl(self, cx: Ctx) -> pl.Expr:
        lg, md, sm = (_by_group(cx, k) for k in CLASSES)
        return (
            pl.when(lg).then(pl.lit("large"))
            .when(lg.is_null()).then(pl.lit(None, pl.String))
            .when(md).then(pl.lit("medium"))
            .when(md.is_null()).then(pl.lit(None, pl.String))
            .when(sm).then(pl.lit("small"))
            .when(sm.is_null()).then(pl.lit(None, pl.String))
            .otherwise(pl.lit("micro"))
        )


POLICY = (
    Policy(
        id="sme_size",
        name="中小企业划型",
        kind="classification",
        level="国家",
        issuer="工业和信息化部、国家统计局、国家发展和改革委员会、财政部",
        summary="按行业的从业人员、营业收入、资产总额划分大、中、小、微型企业；中小微企业是梯度培育各层级的前提。",
        beneficiaries="所有企业（划型结果）",
        how_to_apply="无需申请，按统计口径自动划型",
        automatic=True,
        regimes=[
            Regime(
                id="sme_size@2011-300",
                name="中小企业划型",
                doc=DOC,
                valid_from=__import__("datetime").date(2011, 6, 18),
                valid_to=None,
                gates=[NotLarge().named("not_large", "属于中小微企业（非大型）", f"{DOC} 第四条")],
                extras=[SizeClass()],
                notes=["从业人员以职工总数（employees_y1）代替（DERIVED）；金融业、铁路运输业等不在 300号 范围内。"],
            )
        ],
    )
)
