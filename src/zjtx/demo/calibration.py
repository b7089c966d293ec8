"""The letter's figures made exact on the demo city, its three lists (pools) and the comparison cities.

* :func:`calibrate_tier_revenue` — the 2021 revenue of the enterprises holding a valid "小巨人",
  省级 or 市级 专精特新 title on 2021-12-31: 308亿元, +22% on 2020, two-year average 24%. Their annual
  money fields are scaled (all fields of a year by one factor, so every ratio the rules read is
  unchanged): every year by ``c``, 2020 on by ``a``, 2021 on by ``b``. It runs when the titles of
  2021 are known and before any title of 2022 is decided, so later grants see the calibrated data.
* :func:`batch7_averages` — the 18 new "小巨人" of 第七批 (2025): averages of 55.3% debt ratio,
  15.54 niche years, R&D 7.26% of revenue, 26.62 Ⅰ类 IP (DOMAIN.md §3.4, approximate). Their 2024
  figures are moved to these means, keeping each one within what the rules require of it.
* :func:`pools` — the letter's three lists of 2022-06-13; :func:`comparison` — other cities'
  科技型 counts (示例数据（演示用）) chosen so 中山 ranks 5th in 2021.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from .firms import MONEY_FIELDS
from .targets import LETTER_DATE, TARGETS

if TYPE_CHECKING:
    from .titles import Simulation

__all__ = ["COMPARISON_SOURCE", "TIER_REVENUE_TITLES", "batch7_averages", "calibrate_tier_revenue", "comparison",
           "pools"]

COMPARISON_SOURCE = "示例数据（演示用）"
TIER_REVENUE_TITLES = ("little_giant", "specialized_sme", "city_specialized_sme")


def calibrate_tier_revenue(sim: Simulation) -> None:
    """Scale the 2021 tier holders' money fields so the letter's revenue figures hold exactly."""
    fm = sim.firms
    f = sim.f
    end21 = date(2021, 12, 31)
    h = sim.holders(TIER_REVENUE_TITLES, end21)
    t19, t20, t21 = (fm.col(y) for y in (2019, 2020, 2021))
    rev = fm.annual["revenue"]
    full = fm.meta["complete_revenue"]
    # the holders' revenue of 2019–2021 is known (a register follows its tier enterprises closely)
    for t in (t19, t20, t21):
        gap = h & fm.active[:, t] & np.isnan(rev[:, t])
        rev[gap, t] = full[gap, t]
    comp = h & fm.active[:, t19] & fm.active[:, t20] & fm.active[:, t21]
    rest = h & ~comp
    target = TARGETS["tier_revenue_2021"] * f
    other21 = float(np.nansum(rev[rest, t21]))
    c21 = target - other21
    c20 = c21 / (1 + TARGETS["tier_revenue_yoy_2021"])
    c19 = c21 / (1 + TARGETS["tier_revenue_avg2_2021"]) ** 2
    s19, s20, s21 = (float(rev[comp, t].sum()) for t in (t19, t20, t21))
    if not comp.any() or min(s19, s20, s21) <= 0:  # pragma: no cover - only at absurdly small scales
        sim.meta["revenue_calibration"] = {"c": 1.0, "a": 1.0, "b": 1.0, "holders": int(h.sum())}
        return
    c = c19 / s19
    a = (c20 / c19) / (s20 / s19)
    b = (c21 / c20) / (s21 / s20)
    mult = np.array([c * (a if y >= 2020 else 1.0) * (b if y >= 2021 else 1.0) for y in fm.years])
    for k in MONEY_FIELDS:
        fm.annual[k][comp] = fm.annual[k][comp] * mult[None, :]
    # exact to the yuan: the last holder absorbs the rounding of each calibrated year
    for k in MONEY_FIELDS:
        fm.annual[k][comp] = np.round(fm.annual[k][comp], -2)
    last = np.flatnonzero(comp)[-1]
    for t, goal in ((t19, c19), (t20, c20), (t21, c21)):
        rev[last, t] += round(goal - float(rev[comp, t].sum()), 2)
    sim.ann = fm.annual_frame()
    sim.meta["revenue_calibration"] = {"c": float(c), "a": float(a), "b": float(b), "holders": int(h.sum()),
                                       "complete": int(comp.sum())}


def _recentre(values: np.ndarray, target: float, lo: np.ndarray | float, hi: np.ndarray | float,
              multiplicative: bool = False) -> np.ndarray:
    """Values moved (shift or scale) so their mean is ``target``, each kept within [lo, hi]."""
    out = values.astype(float).copy()
    for _ in range(50):
        gap = target - out.mean()
        if abs(gap) < 1e-9:
            break
        out = np.clip(out * (target / out.mean()) if multiplicative else out + gap, lo, hi)
    return out


def batch7_averages(sim: Simulation, members: np.ndarray) -> None:
    """Move the 2024 figures of "小巨人" 第七批 to the averages DOMAIN.md §3.4 gives."""
    if len(members) == 0:
        return
    fm = sim.firms
    t24 = fm.col(2024)
    ann = fm.annual
    for k in ("revenue", "rd_expense", "rd_expense_tax", "rd_expense_domestic", "total_assets", "total_liabilities"):
        gap = np.isnan(ann[k][members, t24])
        if gap.any():  # members reported these (they were just granted on them); keep it that way
            ann[k][members[gap], t24] = np.nanmean(ann[k][members, t24]) if not gap.all() else 0.0
    assets = ann["total_assets"][members, t24]
    debt = _recentre(ann["total_liabilities"][members, t24] / assets, 0.553, 0.1, 0.69)
    ann["total_liabilities"][members, t24] = np.round(assets * debt, -2)
    rev = ann["revenue"][members, t24]
    floor = np.where((rev >= 5e7) & (rev < 1e8), 0.06, 0.03)  # 63号 附件3 一(四)1(1): R&D share by revenue band
    ratio = _recentre(ann["rd_expense"][members, t24] / rev, 0.0726, floor, 0.3, multiplicative=True)
    old_rd = ann["rd_expense"][members, t24]
    new_rd = np.round(rev * ratio, -2)
    for k in ("rd_expense_tax", "rd_expense_domestic"):
        share = np.where(old_rd > 0, ann[k][members, t24] / np.where(old_rd > 0, old_rd, 1), 0.9)
        ann[k][members, t24] = np.round(new_rd * share, -2)
    ann["rd_expense"][members, t24] = new_rd
    target_ip = 26.62
    cur = np.maximum(ann["ip1"][members, t24], 1.0)
    new = np.maximum(2, np.round(cur * (target_ip / cur.mean()))).astype(np.int64)
    diff = int(round(target_ip * len(members))) - int(new.sum())
    step = int(np.sign(diff))
    for j in range(abs(diff)):
        new[j % len(new)] = max(2, new[j % len(new)] + step)
    for t in range(t24, len(fm.years)):
        old = np.maximum(ann["ip1"][members, t], 1.0)
        for k in ("ip1_high_value", "ip1_self_developed", "ip1_applied"):
            ann[k][members, t] = np.minimum(new, np.round(ann[k][members, t] * new / old))
        ann["ip1_applied"][members, t] = np.maximum(ann["ip1_applied"][members, t], 2)  # 63号: ≥ 2 applied
        ann["ip1"][members, t] = new
    years_in_niche = np.full(len(members), 15)  # integer years; mean ≈ 15.54 (DOMAIN.md §3.4)
    years_in_niche[: int(round(0.54 * len(members)))] = 16
    for j, i in enumerate(members):
        fm.niche_since[i] = date(2025 - int(years_in_niche[j]), 1, 1)
        fm.founded[i] = min(fm.founded[i], fm.niche_since[i])
    sim.ent = fm.enterprises_frame()
    sim.ann = fm.annual_frame()


def pools(sim: Simulation, rng: np.random.Generator) -> pl.DataFrame:
    """The letter's three lists of 2022-06-13 (counts from the letter; members 演示数据)."""
    fm = sim.firms
    f = sim.f
    t21 = fm.col(2021)
    emp = np.nan_to_num(fm.annual["employees"][:, t21], nan=0)
    rev = np.nan_to_num(fm.annual["revenue"][:, t21], nan=0)
    sme = (emp < 1000) & (rev < 4e8) & (rev > 0)
    lg = sim.holders("little_giant", LETTER_DATE)
    spec = sim.holders(("specialized_sme", "city_specialized_sme"), LETTER_DATE)
    ts, zq, zs, manuf = fm.tier_score, fm.zq, fm.zs, fm.manuf
    lists = [
        ("advanced_mfg", "中小微先进制造业企业", TARGETS["pool_advanced_mfg"], np.exp(1.2 * ts) * manuf * sme),
        ("lg_cultivation", "小巨人培育企业", TARGETS["pool_lg_cultivation"], np.exp(1.5 * ts) * spec * ~lg * manuf),
        ("champion_cultivation", "单项冠军申报培育企业", TARGETS["pool_champion_cultivation"],
         np.exp(1.5 * zs + 0.5 * zq) * manuf * (zs > 0.8)),
    ]
    rows = []
    for pid, pname, k, w in lists:
        for i in sim._pick(rng, w, int(round(k * f))):
            rows.append((fm.usccs[i], pid, pname, LETTER_DATE, "中工信函〔2022〕59号 (counts); members 演示数据"))
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


def comparison(titles: pl.DataFrame, f: float) -> pl.DataFrame:
    """科技型 counts of 2020 and 2021: the city's own (from its titles) and other cities' (示例数据)."""
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
        pl.lit(LETTER_DATE).alias("as_of"),
    )
