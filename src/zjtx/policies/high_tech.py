"""high_tech — 高新技术企业认定.

《高新技术企业认定管理办法》国科发火〔2016〕32号 第十一条: eight conditions, all required;
《高新技术企业认定管理工作指引》国科发火〔2016〕195号: the 企业创新能力评价 (知识产权 30, 科技成果转化能力
30, 研究开发组织管理水平 20, 企业成长性 20; more than 70 points required), the growth formulas and the
counted-year rule (POLICIES.md §2.7).

Readings of this module (DERIVED where the text is silent, documented in the trace and parameters):

* Counted years (condition 5 and growth): ``_y1 … _y3``, fewer when the enterprise has operated less
  than three years — a year counts when ``founded_on`` is on or before its December 31 (parameter
  ``high_tech.founding_year_counts``, MEMORY). At least ``_y1`` is counted.
* Condition 5: ``Σ rd_expense_tax / Σ sales_revenue`` (``sales_revenue`` falls back to ``revenue``)
  over the counted years against the threshold banded by ``sales_revenue_y1``; 境内 R&D is compared
  cross-multiplied (``Σ domestic ≥ 60% × Σ R&D``), so zero R&D leaves no undefined ratio.
* Scored sub-items are band *ranges*: the data choose the band, an expert pins the points inside it.
  Unpinned, a known band is a review item (the pin field is listed in ``manual``); several possible
  bands (missing counts) are missing data. A pin outside every possible band is an input error
  (``InputError``), raised by ``explain`` and by the batch plan (a check folded into the status
  column, see ``HighTechPolicy.columns``).
* Growth: the pins ``ht_net_assets_growth_score`` and ``ht_sales_growth_score`` are added fields
  (registered here). With three counted years: second-year value 0 → growth 0 (score 0); first-year
  value 0 → ``v_y1 / v_y2 − 1``; a negative base → undefined (review, full range). Two years:
  ``v_y1 / v_y2 − 1`` (base ≤ 0 → undefined); one year → 0.
* ``missing`` leaves out ``_y2``/``_y3`` fields of years that are not counted.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules import (
    All,
    AnyOf,
    AtLeast,
    ClearOrReview,
    Dimension,
    Expert,
    IsTrue,
    NumF,
    P,
    Policy,
    Regime,
    Score,
    ScoreAtLeast,
    Sub,
)
from zjtx.rules.inputs import InputError, InputIssue
from zjtx.rules.nodes import (
    UNDEF,
    Cmp,
    CountedSum,
    CountedYears,
    Ctx,
    DaysSince,
    Lookup,
    Materializer,
    Mul,
    PinnedBands,
    Value,
    as_date,
    fmt,
    shared_many,
)
from zjtx.rules.params import Params
from zjtx.rules.policy import _list_pl

DOC32 = "国科发火〔2016〕32号"
DOC195 = "国科发火〔2016〕195号 工作指引"

# POLICIES.md §2.7: the within-band choice of the growth items is pinned by an expert (added fields).
INPUTS = {
    "ht_net_assets_growth_score": ("score", "净资产增长率得分（档内专家评分）"),
    "ht_sales_growth_score": ("score", "销售收入增长率得分（档内专家评分）"),
}

YEARS = CountedYears("founded_on", "high_tech.rd_years", "high_tech.founding_year_counts")


class HtGrowth(Value):
    """工作指引 growth rate over the counted years (year 1 = ``_y3``, year 2 = ``_y2``, year 3 = ``_y1``).

    Three years: ``(v_y2 / v_y3 + v_y1 / v_y2) / 2 − 1``; second-year value 0 → 0 (score 0);
    first-year value 0 → ``v_y1 / v_y2 − 1``; a negative base → undefined. Two years:
    ``v_y1 / v_y2 − 1`` (base ≤ 0 → undefined). One year → 0. Undefined is a review item.
    """

    REVIEW = True

    def __init__(self, label: str, series: list[Value], years: CountedYears = YEARS):
        self.label, self.series, self.years = label, series, years

    def children(self) -> list[Value]:
        return [*self.series, self.years]

    def fields(self) -> set[str]:
        return set().union(*(c.fields() for c in self.children()))

    def data_fields(self) -> set[str]:
        return set().union(*(c.data_fields() for c in self.children()))

    @property
    def undefined_item(self) -> str:
        return f"无定义:{self.label}"

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        n = self.years.ev(rec, cx)
        vals = [s.ev(rec, cx) for s in self.series]
        if n is None:
            return None
        if n <= 1:
            return Fraction(0)
        need = vals[: int(n)]
        if any(v is None for v in need):
            return None
        if n == 2:
            v1, v2 = need
            if v2 <= 0:
                return self._undef(cx)
            return v1 / v2 - 1
        v1, v2, v3 = need
        if v2 == 0:
            return Fraction(0)
        if v3 == 0:
            return v1 / v2 - 1 if v2 > 0 else self._undef(cx)
        if v3 < 0 or v2 < 0:
            return self._undef(cx)
        return (v2 / v3 + v1 / v2) / 2 - 1

    def _undef(self, cx: Ctx) -> Any:
        cx.manual.add(self.undefined_item)
        return UNDEF

    def _parts(self, cx: Ctx) -> tuple[pl.Expr, pl.Expr]:
        value, known = shared_many(cx, ("ht_growth", id(self)), lambda: self._build(cx))
        return value, known

    def _build(self, cx: Ctx) -> list[pl.Expr]:
        n = self.years.pl(cx)
        v1, v2, v3 = (s.pl(cx) for s in self.series)
        k2 = v1.is_not_null() & v2.is_not_null()
        k3 = k2 & v3.is_not_null()
        known = n.is_not_null() & ((n <= 1) | ((n == 2) & k2) | ((n >= 3) & k3))
        g2 = pl.when(v2 > 0).then(v1 / v2 - 1)
        g3 = (
            pl.when(v2 == 0).then(pl.lit(0.0))
            .when(v3 == 0).then(pl.when(v2 > 0).then(v1 / v2 - 1))
            .when((v3 > 0) & (v2 > 0)).then((v2 / v3 + v1 / v2) / 2 - 1)
        )
        value = pl.when(known & (n <= 1)).then(pl.lit(0.0)).when(known & (n == 2)).then(g2).when(known).then(g3)
        return [value, known]

    def pl(self, cx: Ctx) -> pl.Expr:
        return self._parts(cx)[0]

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return self._parts(cx)[1]

    def manual_pl(self, cx: Ctx) -> list[tuple[str, pl.Expr]]:
        value, known = self._parts(cx)
        return [*super().manual_pl(cx), (self.undefined_item, known & value.is_null())]

    def describe(self, cx: Ctx | None = None) -> str:
        return self.label

    def invert(self, s, op, target, rec, cx):
        s.note(f"{self.label}由近三年的历年数据计算，不能通过当年投入改变（不作为方案）")
        return []


def _net_assets(k: int) -> Value:
    return Sub(NumF(f"total_assets_y{k}"), NumF(f"total_liabilities_y{k}"))


def _sales(k: int) -> Value:
    return NumF(f"sales_revenue_y{k}", fallback=f"revenue_y{k}")


# ---- 创新能力评价 (工作指引 四) --------------------------------------------------------------------

tech_advancement = PinnedBands("tech_advancement", "技术的先进程度", "high_tech.tech_advancement_bands",
                               "ht_tech_advancement", cite=f"{DOC195} 四(二)1 A")
core_support = PinnedBands("core_support", "核心支持作用", "high_tech.core_support_bands", "ht_core_support",
                           cite=f"{DOC195} 四(二)1 B")
ip_quantity = PinnedBands("ip_quantity", "知识产权数量", "high_tech.ip_quantity_bands", "ht_ip_quantity",
                          fields=("ip1", "ip2"), cite=f"{DOC195} 四(二)1 C")
ip_acquisition = PinnedBands("ip_acquisition", "知识产权获得方式", "high_tech.ip_acquisition_bands",
                             "ht_ip_acquisition", fields=("ip1", "ip2"), cite=f"{DOC195} 四(二)1 D")
standard_bonus = PinnedBands("standard_bonus", "参与编制标准（加分）", "high_tech.standard_bonus_bands",
                             "ht_standard_bonus", hints=("led_standard_5y",), cite=f"{DOC195} 四(二)1 E")
conversion = PinnedBands("conversion", "科技成果转化能力", "high_tech.conversion_bands", "ht_conversion_score",
                         value=NumF("ht_conversions_3y") / YEARS, cite=f"{DOC195} 四(二)2（年均转化数）")
rd_management = PinnedBands("rd_management", "研究开发组织管理水平", "high_tech.rd_management_bands",
                            "ht_rd_management", cite=f"{DOC195} 四(二)3")
net_assets_growth = PinnedBands(
    "net_assets_growth", "净资产增长率", "high_tech.growth_bands", "ht_net_assets_growth_score",
    value=HtGrowth("净资产增长率", [_net_assets(k) for k in (1, 2, 3)]), cite=f"{DOC195} 四(二)4")
sales_growth = PinnedBands(
    "sales_growth", "销售收入增长率", "high_tech.growth_bands", "ht_sales_growth_score",
    value=HtGrowth("销售收入增长率", [_sales(k) for k in (1, 2, 3)]), cite=f"{DOC195} 四(二)4")

PINNED = [tech_advancement, core_support, ip_quantity, ip_acquisition, standard_bonus, conversion, rd_management,
          net_assets_growth, sales_growth]

SCORE = Score("企业创新能力评价", [
    Dimension("ip", "知识产权", [tech_advancement, core_support, ip_quantity, ip_acquisition, standard_bonus],
              cap="high_tech.ip_cap"),
    Dimension("conversion_dim", "科技成果转化能力", [conversion]),
    Dimension("rd_management_dim", "研究开发组织管理水平", [rd_management]),
    Dimension("growth", "企业成长性", [net_assets_growth, sales_growth]),
])

# ---- 第十一条 conditions ------------------------------------------------------------------------

RD_TAX = CountedSum("rd_expense_tax", YEARS)
SALES = CountedSum("sales_revenue", YEARS, fallback="revenue")
RD_DOMESTIC = CountedSum("rd_expense_domestic", YEARS)

rd_condition = All(
    Cmp(RD_TAX / SALES, ">=", Lookup(_sales(1), "high_tech.rd_intensity_thresholds", "研发费用占比下限")).named(
        "rd_intensity", "近三个会计年度研发费用总额占同期销售收入总额比例达到按最近一年销售收入分档的要求",
        f"{DOC32} 第十一条(五)1-3"),
    Cmp(RD_DOMESTIC, ">=", Mul(P("high_tech.domestic_rd_share"), RD_TAX)).named(
        "rd_domestic", "在中国境内发生的研究开发费用总额占全部研究开发费用总额的比例不低于{high_tech.domestic_rd_share}",
        f"{DOC32} 第十一条(五)"),
)

REGIME = Regime(
    id="high_tech@2016-32",
    name="高新技术企业",
    doc=f"{DOC32}；{DOC195}",
    valid_from=dt.date(2016, 1, 1),
    valid_to=None,
    gates=[
        AtLeast(DaysSince("founded_on"), P("high_tech.min_days")).named(
            "founded", "企业申请认定时须注册成立一年以上", f"{DOC32} 第十一条(一)"),
        AnyOf(AtLeast("ip1", P("high_tech.min_ip")), AtLeast("ip2", P("high_tech.min_ip"))).named(
            "ip", "通过自主研发、受让、受赠、并购等方式，获得对其主要产品（服务）在技术上发挥核心支持作用的知识产权的所有权",
            f"{DOC32} 第十一条(二)"),
        Expert("ht_field_ok").named(
            "field", "对企业主要产品（服务）发挥核心支持作用的技术属于《国家重点支持的高新技术领域》规定的范围",
            f"{DOC32} 第十一条(三)"),
        AtLeast(NumF("tech_staff_y1") / NumF("employees_y1"), P("high_tech.min_tech_staff_ratio")).named(
            "tech_staff", "从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于{high_tech.min_tech_staff_ratio}",
            f"{DOC32} 第十一条(四)"),
        rd_condition.named("rd", "近三个会计年度研究开发费用总额占同期销售收入总额的比例符合要求，且境内研发费用占比不低于"
                           "{high_tech.domestic_rd_share}",
                           f"{DOC32} 第十一条(五)"),
        AtLeast(NumF("high_tech_revenue_y1") / NumF("total_income_y1", fallback="revenue_y1"),
                P("high_tech.high_tech_revenue_share")).named(
            "high_tech_revenue", "近一年高新技术产品（服务）收入占企业同期总收入的比例不低于{high_tech.high_tech_revenue_share}",
            f"{DOC32} 第十一条(六)"),
        ScoreAtLeast(SCORE, P("high_tech.pass_score"), strict=True).named(
            "score", "企业创新能力评价应达到相应要求（{high_tech.pass_score}以上，不含{high_tech.pass_score}）", f"{DOC32} 第十一条(七)；{DOC195} 四"),
        ClearOrReview("major_incident_3y").named(
            "incident", "企业申请认定前一年内未发生重大安全、重大质量事故或严重环境违法行为（有记录时人工核查时间窗口）",
            f"{DOC32} 第十一条(八)"),
    ],
    score=SCORE,
    flags=[
        IsTrue("high_tech_valid").named("already_valid", "提示：企业现为有效期内高新技术企业（期满前可申请重新认定）",
                                         DOC32),
    ],
    notes=[
        "Ⅱ类知识产权（实用新型、外观设计、软件著作权等）在申请认定时只能使用一次（证据核查，不在此计算）。",
        "科技人员指在职、兼职和临时聘用人员中累计实际工作时间在183天以上者。",
    ],
)


def _year_of(field: str) -> int | None:
    for k in (2, 3):
        if field.endswith(f"_y{k}"):
            return k
    return None


class HighTechPolicy(Policy):
    """``Policy`` with the 高企 input checks (pins inside their bands), the counted-year filter of
    ``missing`` and the dated benefit notes."""

    def _cx(self, params: Params, on: dt.date, options: dict[str, Any], mat: Materializer | None = None) -> Ctx:
        return Ctx(params, on, options, mat=mat)

    def pin_issues(self, rec: dict[str, Any], params: Params, on: dt.date, options: dict[str, Any],
                   row: int = 1) -> list[InputIssue]:
        cx = self._cx(params, on, options)
        issues = []
        for ind in PINNED:
            reason = ind.pin_issue(rec, cx)
            if reason:
                issues.append(InputIssue(row, rec.get("uscc"), ind.pin, rec.get(ind.pin), reason))
        return issues

    def explain(self, rec: dict[str, Any], params: Params, on: dt.date, options: dict[str, Any]) -> dict[str, Any]:
        issues = self.pin_issues(rec, params, on, options)
        if issues:
            raise InputError(issues, f"{self.name}（{self.id}）")
        rec = dict(rec)
        founded = as_date(rec.get("founded_on"))
        if founded is not None:  # the engine's trace cannot show a date value (F.ev → num)
            rec["founded_on"] = founded.isoformat()
        out = super().explain(rec, params, on, options)
        n = YEARS.ev(rec, self._cx(params, on, options))
        if n is not None:
            out["missing"] = [f for f in out["missing"] if (_year_of(f) or 0) <= n]
        out["notes"] = [*self._benefit_notes(params), *out["notes"]]
        return out

    @staticmethod
    def _benefit_notes(params: Params) -> list[str]:
        notes = []
        if "high_tech.validity_years" in params:
            v = params["high_tech.validity_years"]
            notes.append(f"高新技术企业资格自颁发证书之日起有效期为{fmt(v.value)}年（{v.source}）。")
        if "high_tech.cit_rate" in params:
            v = params["high_tech.cit_rate"]
            notes.append(f"认定后减按{fmt(Fraction(v.value) * 100)}%的税率征收企业所得税（{v.source}）；"
                         "不与小型微利企业优惠税率叠加，由企业择优适用（MEMORY）。")
        return notes

    def columns(self, params: Params, on: dt.date, options: dict[str, Any],
                mat: Materializer | None = None) -> list[pl.Expr]:
        out = super().columns(params, on, options, mat)
        r = self.regime_at(on, (options.get("regimes") or {}).get(self.id))
        cx = self._cx(params, on, options, mat)
        names = [e.meta.output_name() for e in out]
        # missing: as the engine's list, without the _y2/_y3 fields of years that are not counted
        n = YEARS.pl(cx)
        fb = r.fallbacks()
        missing = []
        for f in r.data_fields():
            null = (pl.coalesce(pl.col(f), pl.col(fb[f])) if f in fb else pl.col(f)).is_null()
            k = _year_of(f)
            missing.append((f, null if k is None else null & (n.is_null() | (n >= k))))
        i = names.index(f"{self.id}.missing")
        out[i] = _list_pl(missing).alias(f"{self.id}.missing")
        # pins inside their bands: a check over the whole frame, folded into the status column
        i = names.index(f"{self.id}.status")
        out[i] = pl.when(self._pin_guard(cx)).then(out[i]).alias(f"{self.id}.status")
        return out

    def input_checks(self, params: Params, on: dt.date, options: dict[str, Any],
                     mat: Materializer | None = None) -> list[tuple[str, pl.Expr]]:
        """(field, reason) pairs: the reason (Chinese) is non-null where the field's pin lies outside
        every possible band. Same rule as ``pin_issues``; usable by a vectorised input check."""
        cx = self._cx(params, on, options, mat)
        return [(ind.pin, ind.pin_issue_pl(cx)) for ind in PINNED]

    def _pin_guard(self, cx: Ctx) -> pl.Expr:
        """True on every row, or raises ``InputError`` naming every row and pin out of its band.

        Folded into the status column so that every batch evaluation (``zjtx.evaluate``, the
        streaming runner) checks the pins; rows are numbered from 1 over the whole input."""
        # A pin can only be outside its bands where it is entered (expert scores: the applicants'
        # rows). The frame hands its inputs over as they are (no computation); the pins' possible
        # bands are computed in Python for the rows with a pin only, and the reasons worded for the
        # failing ones (computing the bands on every row cost ≈ 0.35 s per million records, wording
        # a reason per row and pin more than the whole policy)
        fields = self.input_fields(cx.on, (cx.options.get("regimes") or {}).get(self.id))
        pins = [ind.pin for ind in PINNED]
        struct = pl.struct(pl.col("^uscc$"), *[pl.col(f) for f in fields])
        context = f"{self.name}（{self.id}）"

        def check(s: pl.Series) -> pl.Series:
            ok = pl.repeat(True, len(s), dtype=pl.Boolean, eager=True).alias(s.name)
            frame = s.struct.unnest()
            entered = frame.select(pl.any_horizontal(pl.col(p).is_not_null() for p in pins)).to_series()
            if not entered.any():
                return ok
            mat = Materializer()
            dcx = Ctx(cx.params, cx.on, cx.options, mat=mat)
            parts = [(ind, *ind.pin_outside_pl(dcx)) for ind in PINNED]
            cols = [e.alias(f"out.{k}") for k, (_, e, _) in enumerate(parts)]
            cols += [f.alias(f"flag.{k}.{j}") for k, (_, _, flags) in enumerate(parts) for j, f in enumerate(flags)]
            frame = frame.with_row_index("row", offset=1).filter(entered)
            frame = mat.apply(frame.lazy()).with_columns(cols).collect()
            issues = []
            for k, (ind, _, flags) in enumerate(parts):
                for row in frame.filter(pl.col(f"out.{k}")).iter_rows(named=True):
                    reason = ind.pin_reason([row[f"flag.{k}.{j}"] for j in range(len(flags))], cx)
                    issues.append(InputIssue(row["row"], row.get("uscc"), ind.pin, row[ind.pin], reason))
            if issues:
                issues.sort(key=lambda i: i.row)
                raise InputError(issues, context)
            return ok

        return struct.map_batches(check, return_dtype=pl.Boolean)


POLICY = (
    HighTechPolicy(
        id="high_tech",
        name="高新技术企业",
        kind="tier",
        level="国家",
        issuer="科技部、财政部、国家税务总局",
        regimes=[REGIME],
        summary="对照《高新技术企业认定管理办法》第十一条八项条件认定，企业创新能力评价须达到规定分数；"
                "认定后在资格有效期内减按优惠税率征收企业所得税（有效期与税率见参数）。",
        beneficiaries="在中国境内（不包括港、澳、台地区）注册一年以上的居民企业",
        how_to_apply="企业登录“高新技术企业认定管理工作网”注册并提交申请材料（含专项审计报告或鉴证报告），"
                     "经省级认定机构组织专家评审、认定报备、公示后颁发证书",
        window="每年分批受理（广东省一般上半年、下半年各一批，以省科技厅当年通知为准）",
    )
)
