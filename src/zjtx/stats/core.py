"""The statistics the bureau reports upward (Polars; no Django).

Every statistic returns a :class:`Stat`: its ``value`` **and** ``query``, a plain description of the
data and filter behind it, so every published number is traceable (DOMAIN.md §4).

Conventions (DOMAIN.md §4):

- 同比 (YoY) = this period ÷ same period last year − 1 (:func:`yoy`).
- 两年平均增长 = ``sqrt(this year / two years ago) − 1``, geometric (:func:`two_year_avg`).
- Ranks among cities come only from a comparison table with a source and a date; competition
  ranking ("1224": equal values share a rank, the next rank skips); rows without a source are
  ignored; no sourced comparison → no rank (value ``None``) (:func:`rank_among`).
- Counts are distinct enterprises (USCC). A title is held on ``on`` when
  ``granted_on ≤ on ≤ expires_on``. Sums skip nulls (unknown figures) and say how many were null.

Inputs are the registry frames documented in :mod:`zjtx.facts.records` (``enterprises``,
``annual``, ``titles``) plus, for ranks, ``city_comparison`` (``region``, ``year``, ``count``,
``source``, optional ``indicator``, ``as_of``). Functions accept a :class:`~zjtx.demo.DemoCity`, any
object with those attributes, or a mapping of frame name → frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from zjtx.facts.divisions import ENTERPRISE_WEIGHTS, division_by_code
from zjtx.facts.industries import cluster_name, clusters_of, major_of
from zjtx.facts.records import TITLE_ALIASES, TITLE_CODES, build_records, normalize_titles, valid_titles

__all__ = [
    "TIER_REVENUE_TITLES",
    "Stat",
    "apportion",
    "batch_averages",
    "competition_rank",
    "count_titles",
    "frames_of",
    "rank_among",
    "target_vs_actual",
    "tech_sme_by_year",
    "tech_sme_registrations",
    "tier_counts",
    "tier_counts_by_year",
    "tier_revenue",
    "two_year_avg",
    "yoy",
]

TIER_REVENUE_TITLES = ("little_giant", "specialized_sme", "city_specialized_sme")


@dataclass(frozen=True)
class Stat:
    """A number with the query behind it. ``table`` holds a breakdown when one was asked for."""

    value: float | int | None
    query: str
    unit: str = ""
    source: str | None = None
    table: pl.DataFrame | None = field(default=None, compare=False)
    inputs: dict[str, Any] = field(default_factory=dict, compare=False)

    def __float__(self) -> float:
        if self.value is None:
            raise ValueError(f"no value: {self.query}")
        return float(self.value)


# ---------------------------------------------------------------------------------------------
# pure arithmetic


def _v(x: Stat | float | int | None) -> float | None:
    if isinstance(x, Stat):
        x = x.value
    return None if x is None else float(x)


def _num(x: float | None) -> str:
    if x is None:
        return "未知"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:g}"


def yoy(this: Stat | float | None, last: Stat | float | None, what: str = "") -> Stat:
    """同比 = this ÷ last − 1; None when either is unknown or last is 0."""
    a, b = _v(this), _v(last)
    val = None if a is None or b is None or b == 0 else a / b - 1
    if val is None:
        q = f"同比：上年同期为{_num(b)}，无法计算增速" if b in (None, 0) else f"同比：本期为{_num(a)}，无法计算增速"
    else:
        q = f"同比 = 本期 ÷ 上年同期 − 1 = {_num(a)} ÷ {_num(b)} − 1"
    q += f"；{what}" if what else ""
    return Stat(val, q, "ratio", inputs={"this": a, "last": b})


def two_year_avg(this: Stat | float | None, two_ago: Stat | float | None, what: str = "") -> Stat:
    """两年平均增长 = sqrt(this ÷ two years ago) − 1 (geometric); None if unknown or not positive."""
    a, b = _v(this), _v(two_ago)
    val = None if a is None or b is None or b <= 0 or a < 0 else math.sqrt(a / b) - 1
    if val is None:
        q = f"两年平均增长：两年前为{_num(b)}、本年为{_num(a)}，无法计算"
    else:
        q = f"两年平均增长 = √(本年 ÷ 两年前) − 1 = √({_num(a)} ÷ {_num(b)}) − 1（几何平均）"
    q += f"；{what}" if what else ""
    return Stat(val, q, "ratio", inputs={"this": a, "two_years_ago": b})


def competition_rank(values: Mapping[str, float], key: str, descending: bool = True) -> int:
    """Competition ranking ("1224"): 1 + the number of entries strictly better than ``key``."""
    v = values[key]
    return 1 + sum(1 for k, x in values.items() if k != key and (x > v if descending else x < v))


# ---------------------------------------------------------------------------------------------
# frames


@dataclass
class _Frames:
    enterprises: pl.DataFrame | None
    annual: pl.DataFrame | None
    titles: pl.DataFrame | None
    city_comparison: pl.DataFrame | None
    pools: pl.DataFrame | None


def frames_of(obj: Any) -> _Frames:
    """Registry frames from a DemoCity, an object with frame attributes, or a mapping."""
    names = ("enterprises", "annual", "titles", "city_comparison", "pools")
    if isinstance(obj, Mapping):
        got = {n: obj.get(n) for n in names}
    else:
        got = {n: getattr(obj, n, None) for n in names}
    return _Frames(**got)


def _with_groups(df: pl.DataFrame, enterprises: pl.DataFrame | None, by: str | None) -> tuple[pl.DataFrame, str]:
    """Attach a grouping column (division, division_name, cluster, industry_major) to rows keyed by uscc."""
    if by is None:
        return df, ""
    if enterprises is None:
        raise ValueError("a breakdown needs the enterprises frame")
    ent = enterprises.select("uscc", "division", "industry")
    if by in ("division", "division_name"):
        uniq = [c for c in ent["division"].unique().to_list() if c is not None]
        code_map = {c: (d.code if (d := division_by_code(c, follow=True)) else c) for c in uniq}
        name_map = {c: (d.name if (d := division_by_code(c, follow=True)) else None) for c in uniq}
        ent = ent.with_columns(
            pl.col("division").replace_strict(name_map, default=None, return_dtype=pl.String).alias("division_name"),
            pl.col("division").replace_strict(code_map, default=None, return_dtype=pl.String).alias("division"),
        )
        desc = "按镇街（现行区划，历史区划并入继承者）"
    elif by == "cluster":
        uniq = ent["industry"].unique().to_list()
        m = dict(zip(uniq, clusters_of(uniq), strict=True))
        ent = ent.with_columns(
            pl.col("industry").replace_strict(m, default=None, return_dtype=pl.String).alias("cluster")
        ).with_columns(
            pl.col("cluster").map_elements(cluster_name, return_dtype=pl.String).alias("cluster_name")
        )
        desc = '按"4+6+4"产业集群（本项目行业映射，DERIVED；当前映射适用于各年）'
    elif by == "industry_major":
        ent = ent.with_columns(
            pl.col("industry").map_elements(major_of, return_dtype=pl.String).alias("industry_major")
        )
        desc = "按国民经济行业大类（GB/T 4754-2017）"
    else:
        raise ValueError(f"unknown grouping {by!r}")
    return df.join(ent.drop("industry") if by != "industry_major" else ent, on="uscc", how="left"), desc


def _group_cols(by: str) -> list[str]:
    return {
        "division": ["division", "division_name"],
        "division_name": ["division", "division_name"],
        "cluster": ["cluster", "cluster_name"],
        "industry_major": ["industry_major"],
    }[by]


# ---------------------------------------------------------------------------------------------
# counts


def count_titles(registry: Any, title: str, on: date, by: str | None = None) -> Stat:
    """Enterprises holding ``title`` (a code of TITLE_CODES or a Chinese alias) on ``on``; optional
    breakdown ``by``."""
    title = TITLE_ALIASES.get(title, title)
    fr = frames_of(registry)
    v = valid_titles(fr.titles, on).filter(pl.col("title") == title).select("uscc").unique()
    q = (f"titles 中 title = '{title}'（{TITLE_CODES.get(title, title)}）且 granted_on ≤ {on} ≤ expires_on，"
         f"统计不重复统一社会信用代码数")
    table = None
    if by:
        g, desc = _with_groups(v, fr.enterprises, by)
        table = g.group_by(_group_cols(by)).agg(pl.len().alias("count")).sort("count", descending=True)
        q += f"；{desc}"
    return Stat(v.height, q, "家", table=table, inputs={"title": title, "on": on})


def tech_sme_registrations(registry: Any, year: int, by: str | None = None) -> Stat:
    """科技型中小企业 入库 in ``year``: distinct enterprises with a ``tech_sme`` registration granted that year."""
    fr = frames_of(registry)
    t = normalize_titles(fr.titles)
    v = t.filter((pl.col("title") == "tech_sme") & (pl.col("granted_on").dt.year() == year)).select("uscc").unique()
    q = (f"titles 中 title = 'tech_sme'（科技型中小企业入库登记）且 granted_on 在 {year} 年内，"
         f"统计不重复统一社会信用代码数")
    table = None
    if by:
        g, desc = _with_groups(v, fr.enterprises, by)
        table = g.group_by(_group_cols(by)).agg(pl.len().alias("count")).sort("count", descending=True)
        q += f"；{desc}"
    return Stat(v.height, q, "家", table=table, inputs={"year": year})


def tier_counts(registry: Any, on: date, titles: Iterable[str] | None = None) -> Stat:
    """Counts of every tier/title held on ``on`` (table: title, name, count); value = total rows."""
    fr = frames_of(registry)
    codes = list(titles) if titles else list(TITLE_CODES)
    v = valid_titles(fr.titles, on).filter(pl.col("title").is_in(codes)).select("uscc", "title").unique()
    table = (
        pl.DataFrame({"title": codes, "name": [TITLE_CODES.get(c, c) for c in codes]})
        .join(v.group_by("title").agg(pl.len().alias("count")), on="title", how="left")
        .with_columns(pl.col("count").fill_null(0))
    )
    if "tech_sme" in codes:
        q_extra = "；tech_sme 为当年入库登记（有效至当年12月31日）"
    else:
        q_extra = ""
    q = f"titles 中各称号 granted_on ≤ {on} ≤ expires_on 的不重复企业数{q_extra}"
    return Stat(int(table["count"].sum()), q, "家", table=table, inputs={"on": on})


def tech_sme_by_year(registry: Any, years: Iterable[int] | None = None) -> Stat:
    """科技型 入库 per year with 同比 (table: year, count, yoy); value = the latest year's count."""
    fr = frames_of(registry)
    t = normalize_titles(fr.titles).filter(pl.col("title") == "tech_sme")
    ys = sorted(years) if years is not None else sorted(set(t["granted_on"].dt.year().drop_nulls().to_list()))
    counts = (
        t.select(pl.col("granted_on").dt.year().cast(pl.Int64).alias("year"), "uscc").unique()
        .group_by("year").agg(pl.len().cast(pl.Int64).alias("count"))
    )
    table = (
        pl.DataFrame({"year": ys}, schema={"year": pl.Int64})
        .join(counts, on="year", how="left").with_columns(pl.col("count").fill_null(0)).sort("year")
        .with_columns(
            pl.when(pl.col("count").shift(1) > 0).then(pl.col("count") / pl.col("count").shift(1) - 1).alias("yoy")
        )
    )
    q = "titles 中 title = 'tech_sme'，按 granted_on 所在年份统计不重复统一社会信用代码数；同比 = 本年 ÷ 上年 − 1"
    return Stat(int(table["count"][-1]) if table.height else None, q, "家", table=table)


def tier_counts_by_year(registry: Any, years: Iterable[int], titles: Iterable[str] | None = None) -> Stat:
    """Titles held on 31 December of each year (table: year × title counts); value = None."""
    codes = [c for c in (titles or TITLE_CODES) if c != "tech_sme"]
    frames = []
    for y in years:
        tc = tier_counts(registry, date(y, 12, 31), codes).table
        frames.append(tc.with_columns(pl.lit(y, pl.Int64).alias("year")))
    table = pl.concat(frames).pivot(on="title", index="year", values="count") if frames else None
    q = "各年12月31日 titles 中 granted_on ≤ 当日 ≤ expires_on 的不重复企业数，按称号分列"
    return Stat(None, q, "家", table=table)


# ---------------------------------------------------------------------------------------------
# money


def tier_revenue(
    registry: Any,
    year: int,
    titles: Iterable[str] = TIER_REVENUE_TITLES,
    on: date | None = None,
) -> dict[str, Stat]:
    """Revenue of the enterprises holding any of ``titles`` on ``on`` (default: 31 Dec of ``year``).

    Returns ``{"revenue", "revenue_last", "revenue_two_ago", "yoy", "avg2", "holders"}``. Growth is
    同口径 (the same enterprises in all three years); enterprises whose revenue is unknown in any of
    the three years are left out of the comparison and counted in ``inputs["incomplete"]``.
    """
    fr = frames_of(registry)
    codes = list(titles)
    on = on or date(year, 12, 31)
    holders = valid_titles(fr.titles, on).filter(pl.col("title").is_in(codes)).select("uscc").unique()
    ann = (
        fr.annual.select(pl.col("uscc").cast(pl.String), pl.col("year").cast(pl.Int64), pl.col("revenue").cast(pl.Float64))
        .filter(pl.col("year").is_in([year, year - 1, year - 2]))
        .unique(["uscc", "year"], keep="last")
    )
    wide = holders.join(
        ann.pivot(on="year", index="uscc", values="revenue").rename(
            {str(y): f"r{k}" for k, y in enumerate((year, year - 1, year - 2))}, strict=False
        ),
        on="uscc",
        how="left",
    )
    for k in range(3):
        if f"r{k}" not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(f"r{k}"))
    complete = wide.filter(pl.col("r0").is_not_null() & pl.col("r1").is_not_null() & pl.col("r2").is_not_null())
    s0 = wide["r0"].sum()
    c0, c1, c2 = (complete[f"r{k}"].sum() for k in range(3))
    names = "、".join(TITLE_CODES.get(c, c) for c in codes)
    base = f"{on} 持有有效称号（{names}）的企业 {holders.height} 家"
    incomplete = holders.height - complete.height
    q0 = f"{base}，annual.year = {year} 的 revenue 之和（营业收入，元；空值不计，{wide['r0'].null_count()} 家未知）"
    qs = f"{base}中三年营业收入均已知的 {complete.height} 家（同口径）"
    inputs = {"holders": holders.height, "complete": complete.height, "incomplete": incomplete, "on": on}
    return {
        "holders": Stat(holders.height, f"{base}（不重复统一社会信用代码）", "家", inputs=inputs),
        "revenue": Stat(float(s0), q0, "元", inputs=inputs),
        "revenue_last": Stat(float(c1), f"{qs}，{year - 1} 年营业收入之和", "元", inputs=inputs),
        "revenue_two_ago": Stat(float(c2), f"{qs}，{year - 2} 年营业收入之和", "元", inputs=inputs),
        "yoy": yoy(c0, c1, f"{qs}，{year} 年 ÷ {year - 1} 年"),
        "avg2": two_year_avg(c0, c2, f"{qs}，{year} 年 ÷ {year - 2} 年"),
    }


# ---------------------------------------------------------------------------------------------
# ranks


def rank_among(
    comparison: pl.DataFrame | None,
    region: str,
    year: int,
    indicator: str | None = None,
    own_value: float | None = None,
) -> Stat:
    """Rank of ``region`` among the regions of ``comparison`` for ``year`` (competition ranking).

    Rows need a non-empty ``source``; unsourced rows are dropped. ``own_value`` (e.g. the count the
    platform computed) replaces the region's own row. No sourced row for another region → no rank.
    """
    if comparison is None or comparison.height == 0:
        return Stat(None, f"无比较数据来源，不排名（{region} {year}）", "rank")
    df = comparison.filter(pl.col("year") == year)
    if indicator and "indicator" in df.columns:
        df = df.filter(pl.col("indicator") == indicator)
    src = pl.col("source").cast(pl.String).str.strip_chars() if "source" in df.columns else pl.lit(None, pl.String)
    sourced = df.filter(src.is_not_null() & (src != ""))
    others = sourced.filter(pl.col("region") != region)
    values = {r: float(c) for r, c in zip(others["region"], others["count"], strict=True) if c is not None}
    own_rows = df.filter(pl.col("region") == region)
    mine = own_value if own_value is not None else (own_rows["count"][0] if own_rows.height else None)
    if not values or mine is None:
        return Stat(None, f"{year} 年无带来源的比较数据（或缺本地数值），不排名", "rank")
    values[region] = float(mine)
    rank = competition_rank(values, region)
    sources = sorted(set(others["source"].cast(pl.String).to_list()))
    as_of = sorted({str(x) for x in others["as_of"].to_list()}) if "as_of" in others.columns else []
    q = (f"比较表 {year} 年{('（' + indicator + '）') if indicator else ''}共 {len(values)} 个地区（含本地 {mine:g}），"
         f"按数值从高到低竞争排名（并列同名次，下一名次顺延，如 1224）；来源：{'；'.join(sources)}"
         + (f"；截至 {'、'.join(as_of)}" if as_of else ""))
    table = pl.DataFrame({"region": list(values), "count": list(values.values())}).with_columns(
        pl.col("count").rank("min", descending=True).cast(pl.Int64).alias("rank")
    ).sort("rank")
    return Stat(rank, q, "rank", source="；".join(sources), table=table, inputs={"n": len(values)})


# ---------------------------------------------------------------------------------------------
# batch averages


def batch_averages(registry: Any, title: str, batch: str, on: date | None = None) -> dict[str, Stat]:
    """Averages the bureau publishes for one batch of a title (DOMAIN.md §3.4).

    Records are built as of ``on`` (default: the batch's first ``granted_on``), so figures are the
    上年度 (``_y1``) ones. Each average is the mean over enterprises with the input known:
    资产负债率 ``total_liabilities_y1 / total_assets_y1``, ``niche_years``, R&D intensity
    ``rd_expense_y1 / revenue_y1`` (accounting basis), ``ip1`` per enterprise.
    """
    fr = frames_of(registry)
    t = normalize_titles(fr.titles).filter((pl.col("title") == title) & (pl.col("batch") == batch))
    if t.height == 0:
        raise ValueError(f"no titles {title!r} in batch {batch!r}")
    on = on or t["granted_on"].min()
    members = t.select("uscc").unique()
    ent = fr.enterprises.join(members, on="uscc", how="semi")
    r = build_records(ent, fr.annual.join(members, on="uscc", how="semi"), None, on)
    what = f"{TITLE_CODES.get(title, title)}{batch}（{members.height} 家），评价记录截至 {on}（_y1 = {on.year - 1} 年）"

    def mean(expr: pl.Expr, label: str, unit: str) -> Stat:
        s = r.select(expr.alias("x"))["x"]
        n = s.drop_nulls().len()
        val = s.mean() if n else None
        return Stat(val, f"{what}：{label} 的算术平均（{n} 家已知）", unit, inputs={"n": n})

    total_assets = pl.when(pl.col("total_assets_y1") > 0).then(pl.col("total_assets_y1"))
    revenue = pl.when(pl.col("revenue_y1") > 0).then(pl.col("revenue_y1"))
    return {
        "debt_ratio": mean(pl.col("total_liabilities_y1") / total_assets, "资产负债率 total_liabilities_y1 / total_assets_y1", "ratio"),
        "niche_years": mean(pl.col("niche_years"), "从事细分市场年限 niche_years", "年"),
        "rd_intensity": mean(pl.col("rd_expense_y1") / revenue, "研发费用占营业收入比重 rd_expense_y1 / revenue_y1", "ratio"),
        "ip1_per_enterprise": mean(pl.col("ip1").cast(pl.Float64), "Ⅰ类知识产权数 ip1", "件"),
        "members": Stat(members.height, f"{what}：不重复企业数", "家"),
    }


# ---------------------------------------------------------------------------------------------
# targets


def apportion(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split an integer ``total`` by ``weights`` (largest-remainder method; ties by key order)."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (-(raw[k] - out[k]), list(weights).index(k)))[:rest]:
        out[k] += 1
    return out


def target_vs_actual(
    registry: Any,
    year: int,
    target: int,
    weights: Mapping[str, float] | None = None,
    source: str = "",
) -> Stat:
    """科技型 入库 target vs actual by town: the city target split by ``weights`` (default: the
    enterprise weights of :mod:`zjtx.facts.divisions`, DERIVED) against each town's registrations.

    ``value`` = city-wide completion rate (actual ÷ target); ``table``: division, division_name,
    target, actual, gap (actual − target), rate.
    """
    w = dict(weights or ENTERPRISE_WEIGHTS)
    split = apportion(target, w)
    actual = tech_sme_registrations(registry, year, by="division")
    act = actual.table.select("division", "count") if actual.table is not None else None
    rows = pl.DataFrame({
        "division": list(split),
        "division_name": [(d.name if (d := division_by_code(c)) else c) for c in split],
        "target": list(split.values()),
    }).join(act, on="division", how="left").with_columns(pl.col("count").fill_null(0).alias("actual")).drop("count")
    rows = rows.with_columns(
        (pl.col("actual") - pl.col("target")).alias("gap"),
        pl.when(pl.col("target") > 0).then(pl.col("actual") / pl.col("target")).alias("rate"),
    ).sort("division")
    rate = actual.value / target if target else None
    q = (f"目标 {target} 家{('（' + source + '）') if source else ''}，按镇街权重（最大余数法，"
         f"{'默认企业分布权重 ENTERPRISE_WEIGHTS，DERIVED' if weights is None else '给定权重'}）分解；"
         f"实际 = {actual.query}；完成率 = 实际 ÷ 目标")
    return Stat(rate, q, "ratio", source=source or None, table=rows,
                inputs={"target": target, "actual": actual.value, "year": year})
