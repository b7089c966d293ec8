"""zs_gazelle — 中山市“瞪羚”企业认定 (a LOCAL ASSUMPTION: no Zhongshan text was found).

The letter (中工信函〔2022〕59号 四(二)) names the practice — "通过认定“瞪羚”企业等做法，发挥龙头企业的引领
带动作用" — but not its criteria, and no Zhongshan 瞪羚 recognition document could be retrieved. The
rule below is modelled on a comparable published standard of the same province, the 广州市黄埔区、
广州开发区 瞪羚企业 conditions (secondary source, 2022-11-23:
http://www.zh-tour.cn/dengling/4479.html): a 高新技术企业 that meets one of

1. base-year revenue ≥ 1,000万元, a revenue compound growth rate over the recent years ≥ 20%, and
   growth in the cutoff year;
2. at most 5 years from founding to the cutoff year, cutoff-year revenue ≥ 5亿元, and growth;
3. at most 10 years from founding to the cutoff year, cutoff-year revenue ≥ 10亿元, and growth.

Every threshold is a dated parameter in ``params/zs_gazelle.yaml`` tagged OPEN (provisional) until
the bureau confirms its own criteria; an administrator corrects them there. Derivations (DERIVED):

* the cutoff year (截止年) is ``_y1``; the record carries three years, so the compound growth runs
  over ``_y3 → _y1`` (two growth steps): ``revenue_y1 / revenue_y3 ≥ (1 + rate)²``, compared exactly
  in rationals (no square root, so the batch and traced executors agree);
* "成立时间距截止年不超过N年" counts calendar years: ``(year of _y1) − (founding year) ≤ N``;
* compliance (经营异常/严重失信, 重大事故) is required as for the tier gates.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules import (
    Above,
    All,
    AtLeast,
    AtMost,
    Const,
    Div,
    IsFalse,
    IsTrue,
    Mul,
    NumF,
    P,
    Policy,
    Regime,
    Value,
)
from zjtx.rules.nodes import Add, Ctx
from zjtx.rules.nodes.values import as_date

DOC = "中山市瞪羚企业认定（本地假设：参照广州市黄埔区、广州开发区瞪羚企业认定条件）"
LETTER = "中工信函〔2022〕59号 四(二)"
PFX = "zs_gazelle."


class YearsToCutoff(Value):
    """Calendar years from the founding year to the cutoff year ``_y1`` (= evaluation year − 1)."""

    def __init__(self, name: str = "founded_on"):
        self.name = name

    def fields(self) -> set[str]:
        return {self.name}

    def data_fields(self) -> set[str]:
        return {self.name}

    def ev(self, rec: dict[str, Any], cx: Ctx) -> Any:
        d = as_date(rec.get(self.name))
        return None if d is None else Fraction(cx.on.year - 1 - d.year)

    def pl(self, cx: Ctx) -> pl.Expr:
        return (pl.lit(cx.on.year - 1) - pl.col(self.name).cast(pl.Date).dt.year()).cast(pl.Float64)

    def known_pl(self, cx: Ctx) -> pl.Expr:
        return pl.col(self.name).is_not_null()

    def describe(self, cx: Ctx | None = None) -> str:
        return "截止年（上年度）与成立年份之差（年）"

    def invert(self, s: Any, op: str, target: Any, rec: dict[str, Any], cx: Ctx) -> list[dict[str, Any]]:
        s.note(f"成立年限由{s.label(self.name)}决定，不能通过投入改变")
        return []


def _growth_factor() -> Value:
    """(1 + rate)² — the two-step compound growth factor of the minimum rate."""
    one_plus = Add(Const(1), P(PFX + "min_cagr"))
    return Mul(one_plus, Add(Const(1), P(PFX + "min_cagr")))


def _growing() -> Any:
    return Above(NumF("revenue_y1"), NumF("revenue_y2"))


REGIME = Regime(
    id="zs_gazelle@2021-local",
    name="瞪羚企业（本地假设）",
    doc=DOC,
    valid_from=dt.date(2021, 1, 1),
    valid_to=None,
    gates=[
        IsTrue("high_tech_valid").named("G_high_tech", "有效期内高新技术企业", f"{DOC} 一"),
        IsFalse("abnormal_or_dishonest").named("G_credit", "未被列入经营异常名录或严重失信主体名单", DOC),
        IsFalse("major_incident_3y").named("G_incident", "近三年未发生重大安全、质量、环境事故或偷漏税等违法行为", DOC),
    ],
    direct=[
        All(
            AtLeast(NumF("revenue_y3"), P(PFX + "min_base_revenue")),
            AtLeast(Div(NumF("revenue_y1"), NumF("revenue_y3")), _growth_factor()),
            _growing(),
        ).named("R1", "基期年营业收入≥{zs_gazelle.min_base_revenue}，近三年营业收入复合增长率≥{zs_gazelle.min_cagr}，且截止年正增长",
                f"{DOC} 一(一)1"),
        All(
            AtMost(YearsToCutoff(), P(PFX + "young_max_years")),
            AtLeast(NumF("revenue_y1"), P(PFX + "young_min_revenue")),
            _growing(),
        ).named("R2", "成立时间距截止年≤{zs_gazelle.young_max_years}，营业收入≥{zs_gazelle.young_min_revenue}，且截止年正增长", f"{DOC} 一(一)2"),
        All(
            AtMost(YearsToCutoff(), P(PFX + "mid_max_years")),
            AtLeast(NumF("revenue_y1"), P(PFX + "mid_min_revenue")),
            _growing(),
        ).named("R3", "成立时间距截止年≤{zs_gazelle.mid_max_years}，营业收入≥{zs_gazelle.mid_min_revenue}，且截止年正增长",
                f"{DOC} 一(一)3"),
    ],
    notes=[
        "中山市瞪羚企业认定标准未检索到原文：本规则为本地假设（参照广州市黄埔区、广州开发区标准，二手来源），"
        "参数均标记为待核实（OPEN），以市局确认的认定办法为准。",
        f"认定做法见{LETTER}：“通过认定‘瞪羚’企业等做法，发挥龙头企业的引领带动作用”。",
    ],
)

POLICY = Policy(
    id="zs_gazelle",
    name="瞪羚企业（本地假设）",
    kind="tier",
    level="市",
    issuer="中山市（认定部门待市局确认）",
    regimes=[REGIME],
    summary="进入爆发增长阶段的高新技术企业：营业收入高速增长，或成立不久营业收入即达到较大规模。"
            "规则为本地假设，参数待市局确认。",
    beneficiaries="中山市有效期内的高新技术企业",
    how_to_apply="由市级主管部门依据企业年报数据筛选认定（认定办法待确认）",
    window="每年一次（待确认）",
)
