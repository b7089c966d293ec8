"""The demo city: a deterministic synthetic registry calibrated to the letter's figures.

``generate(seed=2022, scale=30000)`` builds a city of ``scale`` enterprises (1,000 ≈ one town,
300,000 ≈ a large city). Everything is 演示数据 except the calibration targets, which come from the
letter (中工信函〔2022〕59号) and DOMAIN.md §3.4:

=========================================  ==============================  =====================
figure                                     target at the default scale     source
=========================================  ==============================  =====================
科技型中小企业 入库 2020 / 2021 / 2022 / 2023    1,864 / 2,502 / 2,846 / 3,043   letter (2021: 2,502,
                                                                           +34.2% → 2020 = 1,864);
                                                                           2022 "超2800" (2,846 is
                                                                           演示); 2023 中山年鉴2024
"小巨人" + 省/市专精特新 revenue 2021          308亿元, +22%, 两年平均 24%      letter
valid 创新型 / 专精特新 / "小巨人" at 2025-12-08  1,717 / 862 / 57               DOMAIN.md §3.4
"小巨人" 7th batch (2025)                     18 new; averages 55.3% debt,    DOMAIN.md §3.4
                                           15.54 niche years, R&D 7.26%,
                                           26.62 Ⅰ类 IP (approximate)
valid 高新技术企业 at 2023-12-31               2,863                           中山年鉴2024
pools (2022-06-13)                          275 / 83 ("80多") / 62         letter
=========================================  ==============================  =====================

**Scaling.** At ``scale`` ≠ 30,000 every count target is multiplied by ``scale / 30000`` and rounded
(money targets likewise), so a 3,000-enterprise city has ~250 科技型 registrations in 2021 and
~30.8亿元 of tier revenue; the comparison cities scale with it so the rank is kept. Counts are hit
exactly by construction (the last batch of each tier absorbs the remainder); revenue by exact
multiplicative calibration of the tier holders' revenue. Where a scaled target is very small
(a town), rounding dominates.

The 2021 revenue statistic is defined as: enterprises holding a valid 专精特新"小巨人", 省级 or 市级
专精特新 title on 2021-12-31; the sum of their 2021 revenue, compared with the same enterprises'
2020 and 2019 revenue (同口径).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from zjtx.facts.divisions import ENTERPRISE_WEIGHTS, TOWN_SPECIALTIES
from zjtx.facts.industries import CLUSTERS, cluster_of
from zjtx.facts.records import build_records

from .ids import random_usccs

__all__ = ["DEFAULT_SCALE", "DEFAULT_SEED", "TARGETS", "YEARS", "DemoCity", "generate", "read", "write"]

DEFAULT_SEED = 2022
DEFAULT_SCALE = 30_000
YEARS = tuple(range(2018, 2026))
DEMO_NOTE = "演示数据"
COMPARISON_SOURCE = "示例数据（演示用）"

# Calibration targets at the default scale (see module docstring for sources).
TARGETS: dict[str, float] = {
    "tech_sme_2020": 1864,  # letter: 2,502 in 2021 = +34.2% → 2020 = 2,502 / 1.342
    "tech_sme_2021": 2502,  # letter
    "tech_sme_2022": 2846,  # letter: target "超2800"; 2,846 is 演示
    "tech_sme_2023": 3043,  # DOMAIN.md §3.4 (中山年鉴2024)
    "tier_revenue_2021": 308e8,  # letter
    "tier_revenue_yoy_2021": 0.22,  # letter
    "tier_revenue_avg2_2021": 0.24,  # letter (geometric two-year average)
    "innovative_sme_2025_12_08": 1717,  # DOMAIN.md §3.4
    "specialized_sme_2025_12_08": 862,  # DOMAIN.md §3.4
    "little_giant_2025_12_08": 57,  # DOMAIN.md §3.4
    "little_giant_batch7_new": 18,  # DOMAIN.md §3.4
    "high_tech_2023_12_31": 2863,  # DOMAIN.md §3.4 (中山年鉴2024)
    "pool_advanced_mfg": 275,  # letter
    "pool_lg_cultivation": 83,  # letter: "80多家"; 83 is 演示
    "pool_champion_cultivation": 62,  # letter
}

# 科技型 registrations per year (2018, 2019, 2024, 2025 are 演示).
_TECH_SME_COUNTS = {2018: 1180, 2019: 1395, 2020: 1864, 2021: 2502, 2022: 2846, 2023: 3043, 2024: 3180, 2025: 3310}

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


@dataclass
class DemoCity:
    """A synthetic registry (all frames Polars). See the module docstring for calibration."""

    enterprises: pl.DataFrame
    annual: pl.DataFrame
    titles: pl.DataFrame
    pools: pl.DataFrame
    city_comparison: pl.DataFrame
    seed: int = DEFAULT_SEED
    scale: int = DEFAULT_SCALE
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def factor(self) -> float:
        return self.scale / DEFAULT_SCALE

    def records(self, on: date) -> pl.DataFrame:
        """FIELDS.md evaluation records as of ``on`` (via :func:`zjtx.facts.records.build_records`)."""
        return build_records(self.enterprises, self.annual, self.titles, on)

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            "enterprises": self.enterprises,
            "annual": self.annual,
            "titles": self.titles,
            "pools": self.pools,
            "city_comparison": self.city_comparison,
        }


# ---------------------------------------------------------------------------------------------
# titles


@dataclass
class _Tier:
    code: str
    batches: list[tuple[date, int]]  # (announcement date, new grants at the default scale)
    renew_p: float
    name: str
    document: str
    adjust: tuple[int, float, date] | None = None  # (batch index, target at default scale, date)


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class _TitleBook:
    """Title rows and per-tier holding intervals (continuous through renewals)."""

    HORIZON = date(2027, 12, 31)

    def __init__(self, n: int) -> None:
        self.n = n
        self.rows: list[tuple[int, str, date, date, str, str]] = []
        self.intervals: dict[str, list[tuple[int, date, date]]] = {}
        self.ever: dict[str, np.ndarray] = {}

    def holders(self, code: str, on: date) -> np.ndarray:
        m = np.zeros(self.n, dtype=bool)
        for i, g, u in self.intervals.get(code, []):
            if g <= on <= u:
                m[i] = True
        return m

    def count(self, code: str, on: date) -> int:
        return int(self.holders(code, on).sum())

    def grant(self, rng: np.random.Generator, tier: _Tier, idx: np.ndarray, when: date, batch: str) -> None:
        ever = self.ever.setdefault(tier.code, np.zeros(self.n, dtype=bool))
        ivs = self.intervals.setdefault(tier.code, [])
        for i in idx:
            ever[i] = True
            g = when
            k = 0
            while True:
                e = _add_years(g, 3) - timedelta(days=1)
                label = batch if k == 0 else f"{g.year}年复核"
                self.rows.append((int(i), tier.code, g, e, label, tier.document))
                if e >= self.HORIZON or rng.random() >= tier.renew_p:
                    break
                g = e + timedelta(days=1)
                k += 1
            ivs.append((int(i), when, e))


def _pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    w = np.clip(weights, 0, None).astype(float)
    pos = np.flatnonzero(w > 0)
    k = min(k, len(pos))
    if k <= 0:
        return np.array([], dtype=int)
    p = w[pos] / w[pos].sum()
    return np.sort(rng.choice(pos, size=k, replace=False, p=p))


# ---------------------------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED, scale: int = DEFAULT_SCALE) -> DemoCity:
    """Generate the demo city (deterministic for a given ``seed`` and ``scale``)."""
    if scale < 100:
        raise ValueError("scale must be at least 100 enterprises")
    rng = np.random.default_rng([seed, scale])
    f = scale / DEFAULT_SCALE
    n = scale
    ny = len(YEARS)
    yrs = np.array(YEARS)

    def sc(x: float) -> int:
        return int(round(x * f))

    # ---- identity and latent traits --------------------------------------------------------
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

    age0 = np.floor(rng.exponential(10.0, size=n)).astype(int)
    fyear = np.clip(2025 - age0, 1980, 2025)
    fdoy = rng.integers(0, 365, size=n)
    founded = [date(int(y), 1, 1) + timedelta(days=int(d)) for y, d in zip(fyear, fdoy, strict=True)]
    first_year = np.where(fdoy < 181, fyear, fyear + 1)

    zs = rng.normal(size=n)  # size
    zq = 0.3 * zs + math.sqrt(1 - 0.09) * rng.normal(size=n)  # technology
    rd_base = np.array([_RD_BASE[c] for c in cluster])
    tech_cluster = np.isin(np.array([c or "" for c in cluster]), ["electronics", "semiconductor", "health",
                                                                  "laser_am", "robotics", "precision_instruments",
                                                                  "new_energy", "digital_creative"])
    tier_score = 0.8 * zq + 0.25 * zs + 0.4 * manuf + 0.3 * tech_cluster + 0.3 * rng.normal(size=n)

    # ---- titles (latent-driven) ----------------------------------------------------------------
    book = _TitleBook(n)
    old_enough = lambda d: fyear <= d.year - 3  # noqa: E731

    tiers = _tier_table()
    # 高企 (independent ladder)
    _run_tier(rng, book, tiers["high_tech"], f,
              lambda d: np.exp(2.0 * zq + 0.3 * zs) * (fyear <= d.year - 1) * (zq > -0.3))
    _run_tier(rng, book, tiers["city_specialized_sme"], f,
              lambda d: np.exp(1.6 * tier_score) * old_enough(d) * manuf)
    _run_tier(rng, book, tiers["innovative_sme"], f,
              lambda d: np.exp(1.3 * tier_score) * old_enough(d)
              * (1 + 2 * book.holders("high_tech", d)) * (zq > -0.8))
    _run_tier(rng, book, tiers["specialized_sme"], f,
              lambda d: np.exp(1.8 * tier_score) * old_enough(d) * (0.25 + 0.75 * manuf)
              * (1 + 4 * (book.holders("innovative_sme", d) | book.holders("city_specialized_sme", d))))
    _run_tier(rng, book, tiers["little_giant"], f,
              lambda d: np.exp(2.0 * tier_score) * book.holders("specialized_sme", d) * manuf)
    _run_tier(rng, book, tiers["single_champion"], f,
              lambda d: np.exp(2.0 * zs) * manuf * (zs > 1.0) * old_enough(d))
    _run_tier(rng, book, tiers["innovation_honor"], f,
              lambda d: np.exp(2.0 * zq) * (zq > 0.5) * old_enough(d))

    end21 = date(2021, 12, 31)
    holders21 = (book.holders("little_giant", end21) | book.holders("specialized_sme", end21)
                 | book.holders("city_specialized_sme", end21))
    any_tier = np.zeros(n, dtype=bool)
    for c in ("little_giant", "specialized_sme", "city_specialized_sme", "innovative_sme", "single_champion"):
        any_tier |= book.ever.get(c, np.zeros(n, dtype=bool))

    # ---- revenue paths ----------------------------------------------------------------------
    mu = {2019: 0.05, 2020: -0.02, 2021: 0.14, 2022: 0.01, 2023: 0.04, 2024: 0.05, 2025: 0.04}
    bonus = {2019: 0.10, 2020: 0.22, 2021: 0.06}
    level0 = np.exp(math.log(1.0e7) + 1.25 * zs)
    logrev = np.zeros((n, ny))
    dev = np.zeros(n)
    for t, y in enumerate(YEARS):
        if t == 0:
            logrev[:, 0] = np.log(level0)
            continue
        dev = 0.4 * dev + 0.11 * rng.normal(size=n)
        g = mu[y] + 0.03 * zq + dev + np.where(holders21, bonus.get(y, 0.0), 0.0)
        logrev[:, t] = logrev[:, t - 1] + np.log1p(np.clip(g, -0.6, 2.0))
    age = yrs[None, :] - fyear[:, None]
    ramp = np.clip(0.25 + 0.25 * age, 0.25, 1.0)
    active = yrs[None, :] >= first_year[:, None]
    revenue = np.exp(logrev) * ramp

    # exact calibration of the tier holders' revenue (同口径 2019–2021)
    h = holders21 & active[:, YEARS.index(2019)]
    s19, s20, s21 = (revenue[h, YEARS.index(y)].sum() for y in (2019, 2020, 2021))
    t21 = TARGETS["tier_revenue_2021"] * f
    t20 = t21 / (1 + TARGETS["tier_revenue_yoy_2021"])
    t19 = t21 / (1 + TARGETS["tier_revenue_avg2_2021"]) ** 2
    if h.any():
        c_all = t19 / s19
        a = (t20 / t19) / (s20 / s19)
        b = (t21 / t20) / (s21 / s20)
        mult = np.array([c_all * (a if y >= 2020 else 1.0) * (b if y >= 2021 else 1.0) for y in YEARS])
        revenue[h] *= mult[None, :]
    else:  # pragma: no cover - only at absurdly small scales
        c_all = a = b = 1.0
    revenue = np.round(revenue, -2)

    # ---- derived financials -----------------------------------------------------------------
    prod = np.exp(math.log(5.5e5) + 0.35 * rng.normal(size=n))[:, None] * (1 + 0.03 * (yrs - 2018))[None, :]
    employees = np.maximum(3, np.round(revenue / prod * np.exp(0.05 * rng.normal(size=(n, ny))))).astype(np.int64)
    tshare = 1 / (1 + np.exp(-(-1.7 + 1.1 * zq + 0.6 * tech_cluster)))
    tshare_t = np.clip(tshare[:, None] + 0.02 * rng.normal(size=(n, ny)), 0.0, 0.95)
    tech_staff = np.round(employees * tshare_t).astype(np.int64)
    rd_staff = np.round(tech_staff * rng.uniform(0.55, 0.9, size=n)[:, None]).astype(np.int64)
    high_tech = book.ever.get("high_tech", np.zeros(n, dtype=bool))
    has_rd = (zq + 0.5 * rng.normal(size=n) > -0.6) | any_tier | high_tech
    intensity = np.clip(rd_base * np.exp(0.55 * zq), 0.001, 0.35)[:, None] * np.exp(0.15 * rng.normal(size=(n, ny)))
    rd_expense = np.round(revenue * intensity * has_rd[:, None], -2)
    rd_tax = np.round(rd_expense * rng.uniform(0.78, 1.0, size=n)[:, None], -2)
    rd_dom = np.round(rd_tax * rng.uniform(0.95, 1.0, size=n)[:, None], -2)
    margin = np.clip(0.055 + 0.03 * zq[:, None] + 0.05 * rng.normal(size=n)[:, None]
                     + 0.02 * rng.normal(size=(n, ny)), -0.4, 0.35)
    net_profit = np.round(revenue * margin, -2)
    total_cost = np.round(revenue * (1 - margin) * rng.uniform(0.98, 1.02, size=(n, ny)), -2)
    turnover = np.exp(math.log(0.95) + 0.35 * rng.normal(size=n))[:, None]
    total_assets = np.round(revenue * turnover * np.exp(0.05 * rng.normal(size=(n, ny))), -2)
    debt = np.clip(rng.beta(5, 4.5, size=n)[:, None] + 0.03 * rng.normal(size=(n, ny)), 0.05, 0.98)
    total_liabilities = np.round(total_assets * debt, -2)
    main_share = rng.uniform(0.82, 1.0, size=n)[:, None]
    main_revenue = np.round(revenue * main_share, -2)
    ht_share = rng.uniform(0.6, 0.92, size=n)[:, None]
    high_tech_revenue = np.where(high_tech[:, None], np.round(revenue * ht_share, -2), np.nan)
    eq_mask = rng.random((n, ny)) < (0.01 + 0.04 * (zq > 1))[:, None]
    equity_financing = np.where(eq_mask, np.round(np.exp(math.log(1.5e7) + 0.8 * rng.normal(size=(n, ny))), -4), 0.0)
    taxable_income = np.round(np.maximum(net_profit, 0) * rng.uniform(0.9, 1.2, size=(n, ny)), -2)

    # snapshots (IP grows over time)
    ip1_base = rng.poisson(np.exp(-0.6 + 1.0 * zq + 0.35 * zs + 1.0 * any_tier))
    grow = np.clip((yrs - 2017) / 8.0, 0.1, 1.0)[None, :] * np.clip(age / 6.0, 0.1, 1.0)
    ip1 = np.floor(ip1_base[:, None] * grow).astype(np.int64)
    ip1_hv = rng.binomial(ip1, 0.45)
    ip1_self = rng.binomial(ip1, 0.85)
    ip1_applied = rng.binomial(ip1, 0.6)
    ip2 = np.floor(rng.poisson(np.exp(1.3 + 0.6 * zq + 0.5 * zs))[:, None] * grow).astype(np.int64)
    ip2_mature = rng.binomial(ip2, 0.7)
    digital = np.clip(np.round(1.6 + 0.5 * zs + 0.4 * zq + 0.5 * rng.normal(size=n)), 1, 4).astype(np.int64)
    quality_items = np.clip(np.round(1.2 + 0.6 * zs + 0.3 * zq + 0.7 * rng.normal(size=n)), 0, 4).astype(np.int64)
    own_brand = rng.random(n) < 1 / (1 + np.exp(-(0.2 + 0.8 * zs)))
    quality_cert = rng.random(n) < 1 / (1 + np.exp(-(0.3 + 0.7 * zs)))
    it_systems = np.clip(np.round(2 + 1.2 * zs + 0.8 * zq + rng.normal(size=n)), 0, 8).astype(np.int64)
    inst_score = zq + 0.5 * zs + 0.5 * rng.normal(size=n) + 0.6 * any_tier
    rd_inst = np.select(
        [inst_score > 3.4, inst_score > 2.3, inst_score > 1.2, inst_score > 0.2],
        ["national", "provincial", "city", "below_city"], "none")
    has_share = any_tier | (zs > 1.2)
    market_share = np.where(has_share, np.round(np.clip(np.exp(-3.0 + 0.6 * zs + 0.4 * rng.normal(size=n)), 0.001, 0.6), 4), np.nan)
    rank_cn = np.where(has_share, np.clip(np.round(np.exp(2.2 - 0.5 * zs - 0.3 * zq + 0.5 * rng.normal(size=n))), 1, 99), -1).astype(np.int64)
    product_field = np.where(~manuf, "other", np.select(
        [inst_score > 2.4, inst_score > 1.4], ["key_link", "six_basics"], "other"))
    strategic = np.array([c is not None and c not in ("textile", "cosmetics", "panel_furniture") for c in cluster]) & (zq > -0.5)
    core_tech = zq + 0.3 * rng.normal(size=n) > 0.9
    abnormal = rng.random(n) < 0.015
    incident = rng.random(n) < 0.005
    restricted = rng.random(n) < 0.003

    # niche_since: a few years after founding
    niche_start = np.minimum(fyear + rng.integers(0, 6, size=n), 2025)
    niche_since = [date(int(y), int(m), 1) for y, m in zip(niche_start, rng.integers(1, 13, size=n), strict=True)]

    # ---- 科技型 registrations (size gates on the previous year's figures) -------------------------
    prev_reg = np.zeros(n, dtype=bool)
    for t, y in enumerate(YEARS):
        tp = max(t - 1, 0)
        ok = (active[:, tp] & (employees[:, tp] <= 500) & (revenue[:, tp] <= 2e8) & (total_assets[:, tp] <= 2e8)
              & (rd_tax[:, tp] > 0) & (tshare >= 0.08))
        w = np.exp(1.2 * zq) * (1 + 3 * prev_reg) * ok
        k = sc(_TECH_SME_COUNTS[y])
        idx = _pick(rng, w, k)
        days = rng.integers(0, 214, size=len(idx))  # registrations from March to September
        for i, d in zip(idx, days, strict=True):
            g = date(y, 3, 1) + timedelta(days=int(d))
            book.rows.append((int(i), "tech_sme", g, date(y, 12, 31), f"{y}年第{g.month}批入库",
                              "科技型中小企业评价入库（国科发政〔2017〕115号）"))
        prev_reg = np.zeros(n, dtype=bool)
        prev_reg[idx] = True

    # ---- 7th-batch "小巨人" averages (DOMAIN.md §3.4; approximate) ------------------------------
    b7 = np.array(sorted({r[0] for r in book.rows if r[1] == "little_giant" and r[4] == "第七批"}), dtype=int)
    if len(b7):
        t24 = YEARS.index(2024)
        d = total_liabilities[b7, t24] / total_assets[b7, t24]
        d = np.clip(d + (0.553 - d.mean()), 0.1, 0.95)
        total_liabilities[b7, t24] = np.round(total_assets[b7, t24] * d, -2)
        r = rd_expense[b7, t24] / revenue[b7, t24]
        r = np.clip(r * (0.0726 / max(r.mean(), 1e-6)), 0.03, 0.3)
        r = r + (0.0726 - r.mean())
        rd_expense[b7, t24] = np.round(revenue[b7, t24] * r, -2)
        target_ip = 26.62
        cur = ip1[b7, t24].astype(float)
        new = np.maximum(1, np.round(cur * (target_ip / max(cur.mean(), 1e-6)))).astype(np.int64)
        diff = int(round(target_ip * len(b7))) - int(new.sum())
        new[: abs(diff)] += int(np.sign(diff))
        ip1[b7, t24:] = new[:, None]
        yrs_niche = np.full(len(b7), 15)  # integer years; mean ≈ 15.54 (DOMAIN.md §3.4)
        yrs_niche[: int(round(0.54 * len(b7)))] = 16
        for j, i in enumerate(b7):
            niche_since[i] = date(2025 - int(yrs_niche[j]), 1, 1)
            founded[i] = min(founded[i], niche_since[i])

    # ---- missing values (real data has gaps); never in tier holders' revenue ----------------
    def holes(p: float, shape: tuple[int, ...] = (n, ny)) -> np.ndarray:
        return rng.random(shape) < p

    fl = lambda a: a.astype(float)  # noqa: E731
    revenue_f = np.where(holes(0.01) & ~any_tier[:, None], np.nan, revenue)
    cols_y = {
        "employees": np.where(holes(0.01), np.nan, fl(employees)),
        "tech_staff": np.where(holes(0.04), np.nan, fl(tech_staff)),
        "rd_staff": np.where(holes(0.04), np.nan, fl(rd_staff)),
        "revenue": revenue_f,
        "main_revenue": np.where(holes(0.02), np.nan, main_revenue),
        "rd_expense": np.where(holes(0.03) & ~any_tier[:, None], np.nan, rd_expense),
        "rd_expense_tax": np.where(holes(0.03), np.nan, rd_tax),
        "rd_expense_domestic": np.where(holes(0.05), np.nan, rd_dom),
        "total_cost": np.where(holes(0.03), np.nan, total_cost),
        "net_profit": np.where(holes(0.02), np.nan, net_profit),
        "total_assets": np.where(holes(0.02), np.nan, total_assets),
        "total_liabilities": np.where(holes(0.03), np.nan, total_liabilities),
        "high_tech_revenue": np.where(holes(0.05), np.nan, high_tech_revenue),
        "equity_financing": np.where(holes(0.05), np.nan, equity_financing),
        "taxable_income": np.where(holes(0.05), np.nan, taxable_income),
        "ip1": fl(ip1), "ip1_high_value": fl(ip1_hv), "ip1_self_developed": fl(ip1_self),
        "ip1_applied": fl(ip1_applied), "ip2": fl(ip2),
        "ip2_mature": np.where(holes(0.03), np.nan, fl(ip2_mature)),
    }
    cols_s = {  # constant across years, with a few gaps
        "digital_level": np.where(holes(0.04, (n,)), np.nan, fl(digital)),
        "quality_items": np.where(holes(0.04, (n,)), np.nan, fl(quality_items)),
        "it_systems": np.where(holes(0.04, (n,)), np.nan, fl(it_systems)),
        "market_share": market_share,
        "market_rank_cn": np.where(rank_cn < 0, np.nan, fl(rank_cn)),
        "market_rank_global": np.where((rank_cn < 0) | (zs < 1.8), np.nan, fl(rank_cn) * 3 + 2),
    }

    # ---- frames -----------------------------------------------------------------------------
    names = _names(rng, n, cluster, usccs)
    enterprises = pl.DataFrame({
        "uscc": usccs,
        "name": names,
        "division": [towns[i] for i in town_idx],
        "industry": industry.tolist(),
        "founded_on": founded,
        "niche_since": niche_since,
    }).with_columns(pl.col("niche_since").cast(pl.Date))  # fmt: skip

    ii, tt = np.nonzero(active)
    ann = {"uscc": np.array(usccs)[ii], "year": yrs[tt]}
    for k, v in cols_y.items():
        ann[k] = v[ii, tt]
    for k, v in cols_s.items():
        ann[k] = v[ii]
    ann.update({
        "own_brand": own_brand[ii], "quality_cert": quality_cert[ii], "rd_institution": rd_inst[ii],
        "product_field": product_field[ii], "strategic_emerging": strategic[ii],
        "core_tech_product": core_tech[ii], "abnormal_or_dishonest": abnormal[ii],
        "major_incident_3y": incident[ii], "restricted_industry": restricted[ii],
    })  # fmt: skip
    int_cols = ["employees", "tech_staff", "rd_staff", "ip1", "ip1_high_value", "ip1_self_developed",
                "ip1_applied", "ip2", "ip2_mature", "digital_level", "quality_items", "it_systems",
                "market_rank_cn", "market_rank_global"]
    annual = (
        pl.DataFrame(ann)
        .with_columns(pl.col("year").cast(pl.Int64))
        .with_columns([pl.col(c).fill_nan(None) for c in ann if isinstance(ann[c], np.ndarray) and ann[c].dtype.kind == "f"])
        .with_columns([pl.col(c).cast(pl.Int64) for c in int_cols])
        .sort(["uscc", "year"])
    )

    cols = list(zip(*book.rows, strict=True)) if book.rows else [[]] * 6
    titles = (
        pl.DataFrame({
            "uscc": np.array(usccs, dtype=object)[np.array(cols[0], dtype=int)].tolist(),
            "title": list(cols[1]), "granted_on": list(cols[2]), "expires_on": list(cols[3]),
            "batch": list(cols[4]), "document": list(cols[5]),
        }, schema={"uscc": pl.String, "title": pl.String, "granted_on": pl.Date, "expires_on": pl.Date,
                   "batch": pl.String, "document": pl.String})
        .sort(["title", "granted_on", "uscc"])
    )

    pools = _pools(rng, book, f, usccs, manuf, zq, zs, employees, revenue, tier_score)
    comparison = _comparison(titles, f)
    enterprises = _enterprise_extras(enterprises, titles, seed)

    meta = {
        "note": DEMO_NOTE,
        "seed": seed,
        "scale": scale,
        "factor": f,
        "targets": {k: v * f if not k.endswith(("yoy_2021", "avg2_2021")) else v for k, v in TARGETS.items()},
        "revenue_calibration": {"c": float(c_all), "a": float(a), "b": float(b), "holders": int(h.sum())},
        "tier_revenue_definition": "valid 小巨人/省级/市级专精特新 on 2021-12-31; 同口径 revenue 2019–2021",
    }
    return DemoCity(enterprises, annual, titles, pools, comparison, seed, scale, meta)


def _enterprise_extras(enterprises: pl.DataFrame, titles: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Enterprise-level fields (演示数据): standards led, award and contest ranks, and the
    专精特新发展评价得分 for 专精特新 / "小巨人" holders. Drawn from their own random stream so the
    calibrated draws above are unchanged."""
    rng = np.random.default_rng(seed + 7919)
    n = enterprises.height
    elite = set(titles.filter(pl.col("title").is_in(["specialized_sme", "little_giant", "high_tech"]))["uscc"])
    is_elite = np.array([u in elite for u in enterprises["uscc"]])

    def ranks(p_plain: float, p_elite: float, top: int) -> list[int | None]:
        hit = rng.random(n) < np.where(is_elite, p_elite, p_plain)
        val = rng.integers(1, top + 1, size=n)
        return [int(v) if h else None for v, h in zip(val, hit, strict=True)]

    score = np.clip(rng.normal(62, 9, size=n), 30, 95).round(1)
    has_score = is_elite | (rng.random(n) < 0.03)
    return enterprises.with_columns(
        pl.Series("led_standard_5y", rng.random(n) < np.where(is_elite, 0.25, 0.02)),
        pl.Series("national_award_rank_3y", ranks(0.0005, 0.01, 10), dtype=pl.Int64),
        pl.Series("provincial_award_rank_3y", ranks(0.003, 0.05, 10), dtype=pl.Int64),
        pl.Series("national_award_rank_5y", ranks(0.001, 0.015, 10), dtype=pl.Int64),
        pl.Series("chuangke_rank_3y", ranks(0.002, 0.03, 500), dtype=pl.Int64),
        pl.Series("zjtx_dev_score", [float(v) if h else None for v, h in zip(score, has_score, strict=True)],
                  dtype=pl.Float64),
    )


def _tier_table() -> dict[str, _Tier]:
    d = date
    return {
        "high_tech": _Tier(
            "high_tech",
            [(d(2016, 11, 30), 380), (d(2017, 12, 11), 420), (d(2018, 11, 28), 470), (d(2019, 12, 2), 520),
             (d(2020, 12, 1), 600), (d(2021, 12, 20), 640), (d(2022, 12, 19), 700), (d(2023, 12, 28), 0),
             (d(2024, 12, 24), 760), (d(2025, 12, 15), 800)],
            0.55, "高新技术企业", "高新技术企业认定（国科发火〔2016〕32号）",
            adjust=(7, TARGETS["high_tech_2023_12_31"], d(2023, 12, 31)),
        ),
        "city_specialized_sme": _Tier(
            "city_specialized_sme",
            [(d(2020, 10, 30), 130), (d(2021, 10, 29), 150), (d(2022, 10, 28), 140), (d(2023, 10, 27), 120),
             (d(2024, 10, 25), 110), (d(2025, 10, 24), 100)],
            0.5, "市级专精特新培育企业", "中山市专精特新企业培育（2020年实施意见）",
        ),
        "innovative_sme": _Tier(
            "innovative_sme",
            [(d(2022, 11, 15), 520), (d(2023, 10, 20), 480), (d(2024, 10, 18), 520), (d(2025, 10, 24), 0)],
            0.65, "创新型中小企业", "工信部企业〔2022〕63号",
            adjust=(3, TARGETS["innovative_sme_2025_12_08"], d(2025, 12, 8)),
        ),
        "specialized_sme": _Tier(
            "specialized_sme",
            [(d(2018, 12, 20), 30), (d(2019, 12, 20), 45), (d(2020, 12, 21), 70), (d(2021, 12, 20), 120),
             (d(2022, 12, 20), 170), (d(2023, 12, 15), 200), (d(2024, 12, 16), 210), (d(2025, 11, 20), 0)],
            0.85, "专精特新中小企业", "广东省专精特新中小企业认定（工信部企业〔2022〕63号起）",
            adjust=(7, TARGETS["specialized_sme_2025_12_08"], d(2025, 12, 8)),
        ),
        "little_giant": _Tier(
            "little_giant",
            [(d(2019, 6, 1), 1), (d(2020, 11, 30), 4), (d(2021, 7, 19), 6), (d(2022, 8, 15), 9),
             (d(2023, 7, 20), 11), (d(2024, 8, 20), 0), (d(2025, 9, 15), 18)],
            0.9, '专精特新"小巨人"企业', "工业和信息化部专精特新\"小巨人\"企业名单",
            adjust=(5, TARGETS["little_giant_2025_12_08"], d(2025, 12, 8)),
        ),
        "single_champion": _Tier(
            "single_champion",
            [(d(2019, 11, 20), 1), (d(2021, 11, 25), 1), (d(2023, 12, 5), 2), (d(2025, 11, 28), 1)],
            0.9, "制造业单项冠军企业", "工业和信息化部制造业单项冠军企业名单",
        ),
        "innovation_honor": _Tier(
            "innovation_honor",
            [(d(2019, 12, 1), 4), (d(2021, 12, 1), 5), (d(2023, 12, 1), 6), (d(2025, 11, 1), 6)],
            0.5, "国家知识产权优势企业等", "国家知识产权局/工业和信息化部公告",
        ),
    }


_BATCH_ORDINALS = ["第一批", "第二批", "第三批", "第四批", "第五批", "第六批", "第七批", "第八批", "第九批", "第十批"]


def _run_tier(rng: np.random.Generator, book: _TitleBook, tier: _Tier, f: float, weight_fn) -> None:
    for bi, (when, k0) in enumerate(tier.batches):
        k = int(round(k0 * f))
        if tier.adjust and bi == tier.adjust[0]:
            _, target, on = tier.adjust
            later = sum(int(round(kk * f)) for (ww, kk) in tier.batches[bi + 1:] if ww <= on)
            k = max(0, int(round(target * f)) - book.count(tier.code, on) - later)
        ever = book.ever.get(tier.code, np.zeros(book.n, dtype=bool))
        w = weight_fn(when) * ~ever
        idx = _pick(rng, w, k)
        label = _BATCH_ORDINALS[bi] if tier.code == "little_giant" else f"{when.year}年"
        book.grant(rng, tier, idx, when, label)


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


def _pools(rng, book, f, usccs, manuf, zq, zs, employees, revenue, tier_score) -> pl.DataFrame:
    listed = date(2022, 6, 13)  # the letter's date
    t21 = YEARS.index(2021)
    sme = (employees[:, t21] < 1000) & (revenue[:, t21] < 4e8) & (revenue[:, t21] > 0)
    lg = book.holders("little_giant", listed)
    spec = book.holders("specialized_sme", listed) | book.holders("city_specialized_sme", listed)
    pools = [
        ("advanced_mfg", "中小微先进制造业企业", TARGETS["pool_advanced_mfg"],
         np.exp(1.2 * tier_score) * manuf * sme),
        ("lg_cultivation", "小巨人培育企业", TARGETS["pool_lg_cultivation"],
         np.exp(1.5 * tier_score) * spec * ~lg * manuf),
        ("champion_cultivation", "单项冠军申报培育企业", TARGETS["pool_champion_cultivation"],
         np.exp(1.5 * zs + 0.5 * zq) * manuf * (zs > 0.8)),
    ]
    rows = []
    for pid, pname, k, w in pools:
        for i in _pick(rng, w, int(round(k * f))):
            rows.append((usccs[i], pid, pname, listed, "中工信函〔2022〕59号 (counts); members 演示数据"))
    return pl.DataFrame(
        rows, schema={"uscc": pl.String, "pool": pl.String, "pool_name": pl.String, "listed_on": pl.Date,
                      "source": pl.String}, orient="row")


# Other Guangdong cities' 科技型 入库 counts (示例数据（演示用）, not published figures), chosen so
# that 中山 ranks 5th in 2021 as the letter says.
_OTHER_CITIES = {
    "广州市": (10420, 12850), "深圳市": (9530, 11540), "东莞市": (4310, 5620), "佛山市": (3820, 4930),
    "珠海市": (1905, 2215), "惠州市": (1210, 1560), "江门市": (1150, 1410), "汕头市": (702, 880),
    "肇庆市": (498, 612), "湛江市": (410, 530), "清远市": (300, 395), "韶关市": (260, 330),
}  # fmt: skip


def _comparison(titles: pl.DataFrame, f: float) -> pl.DataFrame:
    own = {
        y: titles.filter((pl.col("title") == "tech_sme") & (pl.col("granted_on").dt.year() == y)).height
        for y in (2020, 2021)
    }
    rows = [("中山市", y, own[y], "本平台（演示数据）") for y in (2020, 2021)]
    for city, (c20, c21) in _OTHER_CITIES.items():
        rows.append((city, 2020, int(round(c20 * f)), COMPARISON_SOURCE))
        rows.append((city, 2021, int(round(c21 * f)), COMPARISON_SOURCE))
    return pl.DataFrame(
        rows, schema={"region": pl.String, "year": pl.Int64, "count": pl.Int64, "source": pl.String},
        orient="row",
    ).with_columns(
        pl.lit("tech_sme").alias("indicator"),
        pl.lit(date(2022, 6, 13)).alias("as_of"),
    )


def write(city: DemoCity, dir: str | Path, format: str = "parquet") -> list[Path]:
    """Write every frame of ``city`` to ``dir`` as ``<frame>.parquet`` / ``.csv`` / ``.xlsx``."""
    out = Path(dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in city.frames().items():
        if format == "parquet":
            p = out / f"{name}.parquet"
            df.write_parquet(p)
        elif format == "csv":
            p = out / f"{name}.csv"
            df.write_csv(p)
        elif format == "xlsx":
            p = out / f"{name}.xlsx"
            df.write_excel(p, worksheet=name)
        else:
            raise ValueError(f"unknown format {format!r} (parquet, csv, xlsx)")
        paths.append(p)
    return paths


_STRING_COLUMNS = ("uscc", "name", "division", "industry", "title", "batch", "document", "pool", "pool_name",
                   "source", "region", "indicator", "rd_institution", "product_field")
_DATE_COLUMNS = ("founded_on", "niche_since", "granted_on", "expires_on", "listed_on", "as_of")


def read(dir: str | Path) -> DemoCity:
    """Read frames written by :func:`write` (any of the three formats) back into a :class:`DemoCity`.

    Missing files give empty frames (``pools``, ``city_comparison``) or raise (the other three)."""
    src = Path(dir)
    frames: dict[str, pl.DataFrame] = {}
    for name in ("enterprises", "annual", "titles", "pools", "city_comparison"):
        if (src / f"{name}.parquet").exists():
            df = pl.read_parquet(src / f"{name}.parquet")
        elif (src / f"{name}.csv").exists():
            head = pl.read_csv(src / f"{name}.csv", n_rows=0).columns
            df = pl.read_csv(src / f"{name}.csv", infer_schema_length=10000,
                             schema_overrides={c: pl.String for c in head if c in _STRING_COLUMNS})
        elif (src / f"{name}.xlsx").exists():
            df = pl.read_excel(src / f"{name}.xlsx")
            df = df.with_columns([pl.col(c).cast(pl.String) for c in df.columns if c in _STRING_COLUMNS])
        elif name in ("pools", "city_comparison"):
            df = pl.DataFrame()
        else:
            raise FileNotFoundError(f"{name}.parquet/.csv/.xlsx not found in {src}")
        df = df.with_columns([
            pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            for c in df.columns if c in _DATE_COLUMNS and df.schema[c] != pl.Date
        ])
        frames[name] = df
    return DemoCity(frames["enterprises"], frames["annual"], frames["titles"], frames["pools"],
                    frames["city_comparison"], seed=-1, scale=frames["enterprises"].height,
                    meta={"note": f"read from {src}"})
