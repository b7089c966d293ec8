"""``tech_sme`` written by hand as Polars expressions: the engine-overhead baseline.

The same rule as ``zjtx.policies.tech_sme`` (国科发政〔2017〕115号 第六–八条) with the same
three-valued semantics — null inputs make a result ``unknown``, an undefined ratio (zero base) is a
review item (``manual_review`` when only review items are open), scores are intervals
``[score_min, score_max]`` — and the same boundary tolerance (relative 1e-9). Thresholds are the
parameters in force on 2025-06-30, written as literals, as a hand-written job would.
"""

from __future__ import annotations

import polars as pl

STAFF = [(0.30, 20), (0.25, 16), (0.20, 12), (0.15, 8), (0.10, 4)]
RD_REVENUE = [(0.06, 50), (0.05, 40), (0.04, 30), (0.03, 20), (0.02, 10)]
RD_COST = [(0.30, 50), (0.25, 40), (0.20, 30), (0.15, 20), (0.10, 10)]
IP2 = [(4, 24), (3, 18), (2, 12), (1, 6)]


def _tol(x: float) -> float:
    return abs(x) * 1e-9 + 1e-12


def ge(v: pl.Expr, x: float) -> pl.Expr:
    return v >= x - _tol(x)


def le(v: pl.Expr, x: float) -> pl.Expr:
    return v <= x + _tol(x)


def band(v: pl.Expr, table: list[tuple[float, int]]) -> pl.Expr:
    e = pl.when(ge(v, table[0][0])).then(float(table[0][1]))
    for x, p in table[1:]:
        e = e.when(ge(v, x)).then(float(p))
    return pl.when(v.is_not_null()).then(e.otherwise(0.0))


def ratio_interval(a: pl.Expr, b: pl.Expr, table: list[tuple[float, int]], top: float) -> list[pl.Expr]:
    """(lo, hi, lo_review, hi_review) of a banded ratio: missing input → open in every mode;
    zero base → review item (least favourable 0 / most favourable ``top``)."""
    pts = band(pl.when(b > 0).then(a / b), table)
    undefined = a.is_not_null() & b.is_not_null()
    return [
        pts.fill_null(0.0),
        pts.fill_null(top),
        pl.when(pts.is_null()).then(pl.when(undefined).then(0.0).otherwise(top)).otherwise(pts),
        pl.when(pts.is_null()).then(pl.when(undefined).then(top).otherwise(0.0)).otherwise(pts),
    ]


def status(q: pl.Expr, q_lo: pl.Expr, q_hi: pl.Expr) -> pl.Expr:
    return (
        pl.when(q).then(pl.lit("qualified"))
        .when(~q).then(pl.lit("not_qualified"))
        .when(q_lo).then(pl.lit("qualified"))
        .when(~q_hi).then(pl.lit("not_qualified"))
        .when(q_lo.is_not_null() & q_hi.is_not_null()).then(pl.lit("manual_review"))
        .otherwise(pl.lit("unknown"))
    )


def tech_sme(lf: pl.LazyFrame, prefix: str = "tech_sme.") -> pl.LazyFrame:
    """uscc, status, score, score_min, score_max."""
    emp = pl.col("employees_y1").cast(pl.Float64)
    sales = pl.coalesce(pl.col("sales_revenue_y1"), pl.col("revenue_y1")).cast(pl.Float64)
    assets = pl.col("total_assets_y1").cast(pl.Float64)
    staff = pl.col("tech_staff_y1").cast(pl.Float64)
    rd = pl.col("rd_expense_tax_y1").cast(pl.Float64)
    cost = pl.col("total_cost_y1").cast(pl.Float64)
    ip1 = pl.col("ip1").cast(pl.Float64)
    ip2 = pl.col("ip2").cast(pl.Float64)

    s = ratio_interval(staff, emp, STAFF, 20.0)
    r1 = ratio_interval(rd, sales, RD_REVENUE, 50.0)
    r2 = ratio_interval(rd, cost, RD_COST, 50.0)
    p2 = band(ip2, IP2)
    ip_lo = pl.when(ge(ip1, 1)).then(30.0).otherwise(p2.fill_null(0.0))
    ip_hi = pl.when(ip1.is_null() | ge(ip1, 1)).then(30.0).otherwise(p2.fill_null(24.0))
    stage1 = [e.alias(f"_s{k}") for k, e in enumerate(s)]
    stage1 += [pl.max_horizontal(r1[k], r2[k]).alias(f"_r{k}") for k in range(4)]
    stage1 += [ip_lo.alias("_ilo"), ip_hi.alias("_ihi")]
    ip = [pl.col("_ilo"), pl.col("_ihi"), pl.col("_ihi"), pl.col("_ilo")]
    stage2 = [(pl.col(f"_s{k}") + pl.col(f"_r{k}") + ip[k]).alias(f"_t{k}") for k in range(4)]

    size = le(emp, 500) & le(sales, 2e8) & le(assets, 2e8)
    gates = size & ~pl.col("restricted_industry") & ~pl.col("abnormal_or_dishonest")
    major = pl.col("major_incident_3y")
    direct = (
        pl.col("high_tech_valid")
        | le(pl.col("national_award_rank_5y").cast(pl.Float64), 3).fill_null(False)
        | pl.when(pl.col("rd_institution").is_not_null()).then(
            pl.col("rd_institution").is_in(["national", "provincial"]))
        | pl.col("led_standard_5y")
    )

    def bounds(mode: str | None) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
        k = {None: (0, 1), "lo": (0, 2), "hi": (3, 1)}[mode]
        return pl.col(f"_t{k[0]}"), pl.col(f"_t{k[1]}"), pl.col(f"_s{k[0]}"), pl.col(f"_s{k[1]}")

    def qualify(mode: str | None) -> pl.Expr:
        t_lo, t_hi, s_lo, s_hi = bounds(mode)
        score_ok = pl.when(t_lo >= 60).then(True).when(t_hi < 60).then(False)
        staff_ok = pl.when(s_lo > 0).then(True).when(s_hi <= 0).then(False)
        flagged = pl.lit(None, pl.Boolean) if mode is None else pl.lit(mode == "hi")
        clear = pl.when(major.is_null()).then(pl.lit(None, pl.Boolean)).when(major).then(flagged).otherwise(True)
        return gates & clear & ((score_ok & staff_ok) | direct)

    lo, hi = pl.col("_t0"), pl.col("_t1")
    return lf.with_columns(stage1).with_columns(stage2).select(
        pl.col("uscc"),
        status(qualify(None), qualify("lo"), qualify("hi")).alias(prefix + "status"),
        pl.when(lo == hi).then(lo).alias(prefix + "score"),
        lo.alias(prefix + "score_min"),
        hi.alias(prefix + "score_max"),
    )
