"""The demo city's enterprises: identity, latent traits, annual reports and enterprise-level fields.

Everything here is 演示数据 drawn from a few latent traits per enterprise — size ``zs``, technology
``zq`` and a combined tier propensity — so that data and titles tell one story: the titles (see
:mod:`zjtx.demo.titles`) are then granted by the rules on these data, never the other way round.

Random streams: identity and per-enterprise traits come from ``default_rng([seed, scale])``; each
year's draws from its own ``default_rng([seed, scale, 1000 + year])``. So extending the history by
a year (a later "today") adds that year without changing the earlier ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from zjtx.facts.divisions import ENTERPRISE_WEIGHTS, TOWN_SPECIALTIES
from zjtx.facts.industries import CLUSTERS, cluster_of

from .ids import random_usccs

__all__ = ["MONEY_FIELDS", "Firms", "make_firms"]

# (code, base weight) of industries in the demo; the town's specialties multiply weights by 5.
_INDUSTRY_WEIGHTS: dict[str, float] = {
    "C3851": 2, "C3852": 2, "C3853": 3, "C3854": 6, "C3855": 3, "C3856": 2, "C3857": 3, "C3859": 4,
    "C3861": 3, "C3351": 5, "C3874": 3,
    "C3871": 3, "C3872": 12, "C3873": 2, "C3879": 4, "C3975": 3, "C3976": 2,
    "C3912": 2, "C3914": 2, "C3919": 3, "C3921": 2, "C3922": 2, "C3952": 3, "C3961": 1, "C3962": 1,
    "C3981": 2, "C3982": 4, "C3983": 2, "C3984": 2, "C3989": 3, "C3991": 2, "I6513": 6, "I6531": 4,
    "I6532": 2,
    "C3972": 1, "C3973": 0.5, "C3985": 1, "C3562": 0.5, "I6520": 0.8,
    "C3311": 4, "C3360": 3, "C3421": 2, "C3422": 2, "C3442": 1, "C3443": 2, "C3484": 6, "C3599": 5,
    "C3670": 4, "C3811": 1, "C3824": 1,
    "C3424": 1, "C3493": 0.6, "C3415": 0.5, "C3825": 1, "C3841": 1.2, "C3491": 0.8, "C3492": 0.4,
    "C3964": 0.5, "C4011": 1.5, "C4012": 1, "C4014": 0.8, "C4019": 1, "C4028": 0.6, "C4040": 0.6,
    "C2462": 3, "I6572": 1.2, "I6579": 1,
    "C2720": 1, "C2740": 1, "C2761": 0.8, "C2762": 0.3, "C2770": 1, "C3581": 1, "C3589": 1.2,
    "C1713": 2, "C1810": 8, "C1820": 5, "C1830": 3,
    "C2682": 3, "C2683": 1, "C2689": 2,
    "C2110": 6, "C2130": 2, "C2023": 1,
    "C1399": 3, "C1495": 1, "C2231": 3, "C2319": 3, "C2641": 2, "C2929": 8, "C3381": 3, "C3389": 4,
    "F5179": 6, "M7320": 3, "M7452": 2, "M7530": 2,
}  # fmt: skip

# Base R&D intensity by cluster (演示数据, chosen to look plausible).
_RD_BASE = {
    "smart_home": 0.030, "electronics": 0.042, "semiconductor": 0.07, "equipment": 0.034,
    "health": 0.075, "laser_am": 0.055, "new_energy": 0.045, "robotics": 0.06,
    "precision_instruments": 0.058, "digital_creative": 0.05, "textile": 0.012,
    "optoelectronics": 0.028, "cosmetics": 0.02, "panel_furniture": 0.015, None: 0.012,
}  # fmt: skip
_TECH_CLUSTERS = ("electronics", "semiconductor", "health", "laser_am", "robotics", "precision_instruments",
                  "new_energy", "digital_creative")

_NAME_WORDS = {
    "smart_home": ["电器", "家电", "厨卫电器", "智能家居", "五金制品", "电器科技"],
    "electronics": ["电子", "电子科技", "智能科技", "通讯设备", "信息技术", "软件科技"],
    "semiconductor": ["半导体", "微电子", "芯片科技", "集成电路"],
    "equipment": ["机械", "精密机械", "自动化设备", "机电", "模具", "智能装备", "汽车配件"],
    "health": ["生物科技", "医药", "医疗器械", "健康科技", "药业"],
    "laser_am": ["激光科技", "增材制造", "激光设备"],
    "new_energy": ["新能源", "储能科技", "光伏科技", "电池科技", "风电科技"],
    "robotics": ["机器人", "智能装备", "自动化科技"],
    "precision_instruments": ["仪器仪表", "精密仪器", "测控技术", "光学仪器"],
    "digital_creative": ["动漫科技", "游艺设备", "数字科技", "文化科技", "游戏科技"],
    "textile": ["服饰", "制衣", "纺织", "针织", "服装"],
    "optoelectronics": ["照明", "灯饰", "光电科技", "照明电器", "灯具"],
    "cosmetics": ["化妆品", "日化", "美容科技", "日用化工"],
    "panel_furniture": ["家具", "家居", "木业", "红木家具", "家私"],
    None: ["塑料制品", "包装", "印刷", "食品", "贸易", "检测技术", "技术服务", "金属制品", "化工"],
}
_BRAND_CHARS = list(
    "华恒泰盛德嘉宏昌隆兴鑫源达丰瑞祥安康明辉光耀锦富贵利新创联合中天佳美顺通海正信诚和荣凯卓越"
    "博远科智睿思维途航远帆启晟晖煌骏腾飞龙凤雅琪俊豪永丽金银铭铖铂晶蓝绿青海岸榄菊湾乡凯旋"
)

# Revenue in 2015 (演示数据): log-normal, median and spread of log revenue per unit of size ``zs``.
SIZE = (0.55e7, 1.05)
# Mean revenue growth of the city by year (演示数据: a 2020 dip, a 2021 rebound); later years 4%.
_GROWTH = {2016: 0.07, 2017: 0.07, 2018: 0.06, 2019: 0.05, 2020: -0.02, 2021: 0.14, 2022: 0.01, 2023: 0.04,
           2024: 0.05, 2025: 0.04}
# Extra growth of fast-growing, tier-prone firms (scaled by their momentum) in the years the letter's
# tier revenue figure covers; the calibration (zjtx.demo.calibration) makes the figure exact.
_MOMENTUM = {2019: 0.10, 2020: 0.14, 2021: 0.0}

# every money field of an annual report (scaled together by the revenue calibration)
MONEY_FIELDS = ("revenue", "main_revenue", "rd_expense", "rd_expense_tax", "rd_expense_domestic", "total_cost",
                "net_profit", "total_assets", "total_liabilities", "high_tech_revenue", "taxable_income")
_INT_COLUMNS = ("employees", "tech_staff", "rd_staff", "ip1", "ip1_high_value", "ip1_self_developed", "ip1_applied",
                "ip2", "ip2_mature", "digital_level", "quality_items", "it_systems", "market_rank_cn",
                "market_rank_global")

# yes/no annual fields kept as 1.0 / 0.0 / NaN in the arrays (the VAT returns, zjtx.demo.vat)
_BOOL_COLUMNS = ("small_scale_vat", "advanced_manufacturing_listed", "ic_or_machine_tool")


@dataclass
class Firms:
    """The enterprises as arrays (one row per enterprise; annual arrays ``n × len(years)``)."""

    n: int
    years: tuple[int, ...]
    usccs: list[str]
    names: list[str]
    division: list[str]
    industry: np.ndarray
    cluster: list[str | None]
    manuf: np.ndarray
    founded: list[date]
    fyear: np.ndarray
    niche_since: list[date]
    zs: np.ndarray  # size
    zq: np.ndarray  # technology
    tier_score: np.ndarray  # propensity to climb the ladder
    active: np.ndarray  # n × years: reports that year
    annual: dict[str, np.ndarray]  # field → n × years (float, NaN = not reported)
    static: dict[str, np.ndarray]  # snapshot fields constant across years (NaN/None = not reported)
    extras: dict[str, list]  # enterprise-level fields (awards, 发展评价得分, expert review conclusions)
    meta: dict[str, object] = field(default_factory=dict)

    def col(self, year: int) -> int:
        return self.years.index(year)

    def enterprises_frame(self) -> pl.DataFrame:
        """The enterprises frame (identity + enterprise-level fields)."""
        df = pl.DataFrame({
            "uscc": self.usccs, "name": self.names, "division": self.division, "industry": self.industry.tolist(),
            "founded_on": self.founded, "niche_since": self.niche_since,
        }, schema={"uscc": pl.String, "name": pl.String, "division": pl.String, "industry": pl.String,
                   "founded_on": pl.Date, "niche_since": pl.Date})  # fmt: skip
        # compliance flags are kept per enterprise (as the registry does), and in every annual report
        flags = [pl.Series(k, self.static[k], dtype=pl.Boolean) for k in _ENTERPRISE_FLAGS]
        return df.with_columns(*flags, *[pl.Series(k, v, dtype=_EXTRA_TYPES[k]) for k, v in self.extras.items()])

    def annual_frame(self) -> pl.DataFrame:
        """Annual reports: one row per enterprise and year it reported (with the snapshot fields)."""
        ii, tt = np.nonzero(self.active)
        yrs = np.array(self.years)
        cols: dict[str, object] = {"uscc": np.array(self.usccs, dtype=object)[ii], "year": yrs[tt]}
        for k, v in self.annual.items():
            cols[k] = v[ii, tt]
        for k, v in self.static.items():
            cols[k] = v[ii]
        df = pl.DataFrame(cols)
        floats = [k for k, v in cols.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
        return (
            df.with_columns(pl.col("uscc").cast(pl.String), pl.col("year").cast(pl.Int64))
            .with_columns([pl.col(c).fill_nan(None) for c in floats])
            .with_columns([pl.col(c).cast(pl.Int64) for c in _INT_COLUMNS if c in df.columns])
            .with_columns([pl.col(c).cast(pl.Boolean) for c in _BOOL_COLUMNS if c in df.columns])
            .sort(["uscc", "year"])
        )


_ENTERPRISE_FLAGS = ("abnormal_or_dishonest", "major_incident_3y", "restricted_industry")
_EXTRA_TYPES: dict[str, pl.DataType] = {
    "led_standard_5y": pl.Boolean, "national_award_rank_3y": pl.Int64, "provincial_award_rank_3y": pl.Int64,
    "national_award_rank_5y": pl.Int64, "chuangke_rank_3y": pl.Int64, "zjtx_dev_score": pl.Float64,
    "ht_field_ok": pl.Boolean, "ht_tech_advancement": pl.Float64, "ht_core_support": pl.Float64,
    "ht_rd_management": pl.Float64, "ht_conversions_3y": pl.Int64, "local_feature_score": pl.Float64,
    "market_position_ok": pl.Boolean, "chain_key_link": pl.Boolean, "priority_field": pl.Boolean,
    "champion_tech_ok": pl.Boolean, "champion_new_product": pl.Boolean, "champion_product_share": pl.Float64,
}  # fmt: skip


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def make_firms(seed: int, scale: int, years: tuple[int, ...]) -> Firms:
    """Draw the enterprises and their annual reports for ``years`` (deterministic)."""
    rng = np.random.default_rng([seed, scale])
    n = scale
    ny = len(years)
    yrs = np.array(years)

    def year_rng(y: int) -> np.random.Generator:
        return np.random.default_rng([seed, scale, 1000 + y])

    # ---- identity ----------------------------------------------------------------------------
    usccs = random_usccs(rng, n)
    towns = list(ENTERPRISE_WEIGHTS)
    tw = np.array([ENTERPRISE_WEIGHTS[t] for t in towns], float)
    town_idx = rng.choice(len(towns), size=n, p=tw / tw.sum())
    codes = list(_INDUSTRY_WEIGHTS)
    code_cluster = [cluster_of(c) for c in codes]
    base_w = np.array([_INDUSTRY_WEIGHTS[c] for c in codes], float)
    ind_idx = np.empty(n, dtype=int)
    for ti, t in enumerate(towns):
        mask = town_idx == ti
        cname = TOWN_SPECIALTIES.get(t, ())
        boost = np.array(
            [5.0 if (cl and next(x.name for x in CLUSTERS if x.id == cl) in cname) else 1.0 for cl in code_cluster]
        )
        w = base_w * boost
        ind_idx[mask] = rng.choice(len(codes), size=int(mask.sum()), p=w / w.sum())
    industry = np.array(codes)[ind_idx]
    cluster = [code_cluster[i] for i in ind_idx]
    manuf = np.char.startswith(industry.astype(str), "C")
    tech_cluster = np.isin(np.array([c or "" for c in cluster]), _TECH_CLUSTERS)

    age0 = np.floor(rng.exponential(10.0, size=n)).astype(int)
    fyear = np.clip(2025 - age0, 1980, 2025)
    fdoy = rng.integers(0, 365, size=n)
    founded = [date(int(y), 1, 1) + timedelta(days=int(d)) for y, d in zip(fyear, fdoy, strict=True)]
    first_year = np.where(fdoy < 181, fyear, fyear + 1)

    # ---- latent traits -----------------------------------------------------------------------
    zs = rng.normal(size=n)
    zq = 0.3 * zs + math.sqrt(1 - 0.09) * rng.normal(size=n)
    tier_score = 0.8 * zq + 0.25 * zs + 0.4 * manuf + 0.3 * tech_cluster + 0.3 * rng.normal(size=n)
    momentum = _sigmoid(3.0 * (tier_score - 1.0))
    rd_base = np.array([_RD_BASE[c] for c in cluster])

    # per-enterprise constants of the annual figures
    level0 = np.exp(math.log(SIZE[0]) + SIZE[1] * zs)
    prod0 = np.exp(math.log(5.5e5) + 0.35 * rng.normal(size=n))
    tshare = _sigmoid(-1.7 + 1.1 * zq + 0.6 * tech_cluster)
    rd_staff_share = rng.uniform(0.55, 0.9, size=n)
    has_rd = (zq + 0.5 * rng.normal(size=n) > -0.6) | (tier_score > 1.0)
    intensity0 = np.clip(rd_base * np.exp(0.6 * zq + 0.15), 0.001, 0.35)
    tax_share = rng.uniform(0.78, 1.0, size=n)
    dom_share = rng.uniform(0.95, 1.0, size=n)
    margin0 = 0.055 + 0.03 * zq + 0.05 * rng.normal(size=n)
    turnover = np.exp(math.log(0.95) + 0.35 * rng.normal(size=n))
    debt0 = rng.beta(5, 4.5, size=n)
    main_share = 1 - 0.25 * rng.beta(1.5, 4, size=n)
    tech_products = (zq > 0) | (tier_score > 0.8)
    ht_share = rng.uniform(0.6, 0.92, size=n)
    ip1_base = rng.poisson(np.exp(-0.6 + 1.0 * zq + 0.35 * zs + 0.8 * (tier_score > 1.0)))
    ip2_base = rng.poisson(np.exp(1.3 + 0.6 * zq + 0.5 * zs))

    # ---- annual figures, year by year ---------------------------------------------------------
    revenue = np.zeros((n, ny))
    employees = np.zeros((n, ny))
    cols: dict[str, np.ndarray] = {k: np.zeros((n, ny)) for k in (
        "tech_staff", "rd_staff", "rd_expense", "rd_expense_tax", "rd_expense_domestic", "net_profit", "total_cost",
        "total_assets", "total_liabilities", "main_revenue", "high_tech_revenue", "equity_financing",
        "taxable_income", "ip1", "ip1_high_value", "ip1_self_developed", "ip1_applied", "ip2", "ip2_mature")}
    logrev = np.log(level0)
    dev = np.zeros(n)
    for t, y in enumerate(years):
        r = year_rng(y)
        e = r.normal(size=(8, n))
        if t > 0:
            dev = 0.4 * dev + 0.11 * e[0]
            g = _GROWTH.get(y, 0.04) + 0.03 * zq + dev + _MOMENTUM.get(y, 0.0) * momentum
            logrev = logrev + np.log1p(np.clip(g, -0.6, 2.0))
        age = y - fyear
        ramp = np.clip(0.25 + 0.25 * age, 0.25, 1.0)
        rev = np.exp(logrev) * ramp
        revenue[:, t] = rev
        employees[:, t] = np.maximum(3, np.round(rev / (prod0 * (1 + 0.03 * (y - 2018))) * np.exp(0.05 * e[1])))
        ts = np.clip(tshare + 0.02 * e[2], 0.0, 0.95)
        cols["tech_staff"][:, t] = np.round(employees[:, t] * ts)
        cols["rd_staff"][:, t] = np.round(cols["tech_staff"][:, t] * rd_staff_share)
        rd = rev * intensity0 * np.exp(0.15 * e[3]) * has_rd
        cols["rd_expense"][:, t] = rd
        cols["rd_expense_tax"][:, t] = rd * tax_share
        cols["rd_expense_domestic"][:, t] = rd * tax_share * dom_share
        margin = np.clip(margin0 + 0.02 * e[4], -0.4, 0.35)
        cols["net_profit"][:, t] = rev * margin
        cols["total_cost"][:, t] = rev * (1 - margin) * r.uniform(0.98, 1.02, size=n)
        assets = rev * turnover * np.exp(0.05 * e[5])
        cols["total_assets"][:, t] = assets
        cols["total_liabilities"][:, t] = assets * np.clip(debt0 + 0.03 * e[6], 0.05, 0.98)
        cols["main_revenue"][:, t] = rev * main_share
        cols["high_tech_revenue"][:, t] = np.where(tech_products, rev * ht_share, np.nan)
        eq = r.random(n) < (0.01 + 0.04 * (zq > 1))
        cols["equity_financing"][:, t] = np.where(eq, np.round(np.exp(math.log(1.5e7) + 0.8 * e[7]), -4), 0.0)
        cols["taxable_income"][:, t] = np.maximum(rev * margin, 0) * r.uniform(0.9, 1.2, size=n)
        grow = min(max((y - 2014) / 8.0, 0.1), 1.0) * np.clip(age / 6.0, 0.1, 1.0)
        ip1 = np.floor(ip1_base * grow).astype(np.int64)
        cols["ip1"][:, t] = ip1
        cols["ip1_high_value"][:, t] = r.binomial(ip1, 0.45)
        cols["ip1_self_developed"][:, t] = r.binomial(ip1, 0.85)
        cols["ip1_applied"][:, t] = r.binomial(ip1, 0.6)
        ip2 = np.floor(ip2_base * grow).astype(np.int64)
        cols["ip2"][:, t] = ip2
        cols["ip2_mature"][:, t] = r.binomial(ip2, 0.7)
    active = yrs[None, :] >= first_year[:, None]

    # ---- snapshot fields (constant across years) ----------------------------------------------
    digital = np.clip(np.round(1.6 + 0.5 * zs + 0.4 * zq + 0.5 * rng.normal(size=n)), 1, 4)
    quality_items = np.clip(np.round(1.2 + 0.6 * zs + 0.3 * zq + 0.7 * rng.normal(size=n)), 0, 4)
    own_brand = rng.random(n) < _sigmoid(0.2 + 0.8 * zs + 0.3 * tier_score)
    quality_cert = rng.random(n) < _sigmoid(0.3 + 0.7 * zs + 0.3 * tier_score)
    it_systems = np.clip(np.round(2 + 1.2 * zs + 0.8 * zq + rng.normal(size=n)), 0, 8)
    inst_score = zq + 0.5 * zs + 0.5 * rng.normal(size=n) + 0.6 * (tier_score > 1.0)
    rd_inst = np.select(
        [inst_score > 3.4, inst_score > 2.3, inst_score > 1.2, inst_score > 0.2],
        ["national", "provincial", "city", "below_city"], "none")
    has_share = (tier_score > 0.7) | (zs > 1.2)
    market_share = np.where(has_share, np.round(np.clip(
        np.exp(-3.0 + 0.6 * zs + 0.5 * np.maximum(tier_score, 0) + 0.4 * rng.normal(size=n)), 0.001, 0.6), 4), np.nan)
    rank_cn = np.where(has_share, np.clip(np.round(np.exp(2.2 - 0.5 * zs - 0.3 * zq + 0.5 * rng.normal(size=n))),
                                          1, 99), np.nan)
    rank_global = np.where(has_share & (zs > 1.6), np.clip(np.round(np.exp(1.9 - 0.55 * zs - 0.3 * zq
                                                                            + 0.4 * rng.normal(size=n))), 1, 50), np.nan)
    product_field = np.where(~manuf, "other", np.select(
        [inst_score > 2.4, inst_score > 1.4], ["key_link", "six_basics"], "other"))
    strategic = np.array([c is not None and c not in ("textile", "cosmetics", "panel_furniture") for c in cluster]) \
        & (zq > -0.5)
    core_tech = zq + 0.3 * rng.normal(size=n) > 0.9
    abnormal = rng.random(n) < 0.015
    incident = rng.random(n) < 0.005
    restricted = rng.random(n) < 0.003

    niche_start = np.minimum(fyear + rng.integers(0, 6, size=n), 2025)
    niche_since = [date(int(y), int(m), 1) for y, m in zip(niche_start, rng.integers(1, 13, size=n), strict=True)]

    # ---- enterprise-level fields: awards, 发展评价得分, expert review conclusions ------------------
    def ranks(p: np.ndarray, top: int) -> list[int | None]:
        hit = rng.random(n) < p
        val = rng.integers(1, top + 1, size=n)
        return [int(v) if h else None for v, h in zip(val, hit, strict=True)]

    elite = _sigmoid(2.0 * (tier_score - 1.6))
    dev_taken = rng.random(n) < _sigmoid(2.0 * (tier_score - 0.3))  # took the 专精特新发展评价
    dev_score = np.clip(rng.normal(50 + 8 * tier_score, 8, size=n), 30, 95).round(1)
    reviewed = rng.random(n) < _sigmoid(2.5 * (tier_score - 0.9))  # went through an expert review
    u = rng.random((8, n))
    nrm = rng.normal(size=(4, n))
    conversions = rng.poisson(np.exp(2.2 + 0.5 * zq))

    def opt(mask: np.ndarray, values: np.ndarray) -> list:
        return [v.item() if m else None for v, m in zip(values, mask, strict=True)]

    extras: dict[str, list] = {
        "led_standard_5y": (rng.random(n) < 0.02 + 0.25 * elite).tolist(),
        "national_award_rank_3y": ranks(0.0005 + 0.01 * elite, 10),
        "provincial_award_rank_3y": ranks(0.003 + 0.05 * elite, 10),
        "national_award_rank_5y": ranks(0.001 + 0.015 * elite, 10),
        "chuangke_rank_3y": ranks(0.002 + 0.03 * elite, 500),
        "zjtx_dev_score": opt(dev_taken, dev_score),
        "ht_field_ok": opt(reviewed, (zq > -0.3) & (u[0] < 0.92)),
        "ht_tech_advancement": opt(reviewed, np.clip(np.round(5.5 + 1.2 * zq + 0.8 * nrm[0]), 0, 8)),
        "ht_core_support": opt(reviewed, np.clip(np.round(5.5 + 1.2 * zq + 0.8 * nrm[1]), 0, 8)),
        "ht_rd_management": opt(reviewed, np.clip(np.round(14 + 2.5 * zq + 1.5 * nrm[2]), 0, 20)),
        "ht_conversions_3y": opt(tech_products, conversions),
        "local_feature_score": opt(reviewed, np.clip(np.round(7 + 2.5 * tier_score + 2 * nrm[3]), 0, 15)),
        "market_position_ok": opt(reviewed, (np.nan_to_num(market_share) >= 0.05) | (np.nan_to_num(rank_cn, nan=99) <= 10)),
        "chain_key_link": opt(reviewed & manuf, (product_field == "key_link") | (u[1] < 0.3)),
        "priority_field": opt(reviewed & manuf, np.isin(product_field, ["key_link", "six_basics"]) | (strategic & (u[2] < 0.5))),
        "champion_tech_ok": opt(reviewed & manuf & (zs > 1.2), (zq > 0.6) & (u[3] < 0.6)),
        "champion_new_product": opt(reviewed & manuf & (zs > 1.2), u[4] < 0.1),
        "champion_product_share": opt(has_share & manuf & (zs > 1.2), np.round(0.6 + 0.35 * u[5], 4)),
    }  # fmt: skip

    # ---- gaps: real registers have them (per year and field; revenue mostly complete) -----------
    complete_revenue = np.round(revenue, -2)
    annual = {"employees": employees, "revenue": revenue, **cols}
    for t, y in enumerate(years):
        r = year_rng(y)
        for k, p in _HOLES.items():
            # firms on the ladder report more completely (revenue and R&D in full)
            holes = r.random(n) < np.where(tier_score < 0.5, p, 0.0 if k in ("revenue", "rd_expense") else p / 4)
            annual[k][holes, t] = np.nan
    annual["ip1_high_value"] = np.minimum(annual["ip1_high_value"], annual["ip1"])
    for k in MONEY_FIELDS:
        annual[k] = np.round(annual[k], -2)
    annual["equity_financing"] = np.round(annual["equity_financing"], -2)
    holes_s = {k: rng.random(n) < 0.04 for k in ("digital_level", "quality_items", "it_systems")}
    static = {
        "digital_level": np.where(holes_s["digital_level"], np.nan, digital),
        "quality_items": np.where(holes_s["quality_items"], np.nan, quality_items),
        "it_systems": np.where(holes_s["it_systems"], np.nan, it_systems),
        "market_share": market_share,
        "market_rank_cn": rank_cn,
        "market_rank_global": rank_global,
        "own_brand": own_brand, "quality_cert": quality_cert, "rd_institution": rd_inst,
        "product_field": product_field, "strategic_emerging": strategic, "core_tech_product": core_tech,
        "abnormal_or_dishonest": abnormal, "major_incident_3y": incident, "restricted_industry": restricted,
    }  # fmt: skip

    names = _names(rng, n, cluster, usccs)
    return Firms(
        n=n, years=tuple(years), usccs=usccs, names=names, division=[towns[i] for i in town_idx], industry=industry,
        cluster=cluster, manuf=manuf, founded=founded, fyear=fyear, niche_since=niche_since, zs=zs, zq=zq,
        tier_score=tier_score, active=active, annual=annual, static=static, extras=extras,
        meta={"complete_revenue": complete_revenue},
    )


# share of missing values per annual field and year
_HOLES = {
    "employees": 0.01, "tech_staff": 0.04, "rd_staff": 0.04, "revenue": 0.01, "main_revenue": 0.02,
    "rd_expense": 0.03, "rd_expense_tax": 0.03, "rd_expense_domestic": 0.05, "total_cost": 0.03,
    "net_profit": 0.02, "total_assets": 0.02, "total_liabilities": 0.03, "high_tech_revenue": 0.05,
    "equity_financing": 0.05, "taxable_income": 0.05, "ip2_mature": 0.03,
}  # fmt: skip


def _names(rng: np.random.Generator, n: int, cluster: list[str | None], usccs: list[str]) -> list[str]:
    chars = _BRAND_CHARS
    out: list[str] = []
    seen: set[str] = set()
    a = rng.integers(0, len(chars), size=(n, 3))
    wsel = rng.random(n)
    for i in range(n):
        words = _NAME_WORDS[cluster[i]]
        word = words[int(wsel[i] * len(words))]
        city = "中山市" if usccs[i][2:6] == "4420" else "广东"
        brand = chars[a[i, 0]] + chars[a[i, 1]]
        name = f"{city}{brand}{word}有限公司"
        extra = 2
        while name in seen:
            brand += chars[int(rng.integers(0, len(chars)))] if extra < 5 else str(extra)
            extra += 1
            name = f"{city}{brand}{word}有限公司"
        seen.add(name)
        out.append(name)
    return out
