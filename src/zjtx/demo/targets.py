"""The demo city's calibration targets (the letter 中工信函〔2022〕59号 and DOMAIN.md §3.4) and its dates.

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

At ``scale`` ≠ 30,000 every count and money target is multiplied by ``scale / 30000`` and rounded.
Everything else in the demo is 演示数据 (synthetic).
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "DEFAULT_SCALE",
    "DEFAULT_SEED",
    "DEMO_NOTE",
    "FIRST_DATA_YEAR",
    "FIRST_TITLE_YEAR",
    "LETTER_DATE",
    "TARGETS",
    "data_years",
    "history_range",
    "last_data_year",
]

DEFAULT_SEED = 2022
DEFAULT_SCALE = 30_000
DEMO_NOTE = "演示数据"
LETTER_DATE = date(2022, 6, 13)  # the letter's date: the pools and the comparison table are as of it

# The registry holds annual reports from 2015 (three years before the first titles of 2018, so every
# grant can be checked on the three years of data the rules read) through the last complete year.
FIRST_DATA_YEAR = 2015
FIRST_TITLE_YEAR = 2018
CALIBRATED_THROUGH = date(2025, 12, 31)  # the calibrated history always reaches this date

# Calibration targets at the default scale (see the module docstring for sources).
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


def last_data_year(today: date) -> int:
    """The last complete calendar year on ``today`` (annual reports exist through it); at least 2025."""
    return max(today.year - 1, CALIBRATED_THROUGH.year)


def data_years(today: date) -> tuple[int, ...]:
    """Years with annual reports: 2015 through the last complete year."""
    return tuple(range(FIRST_DATA_YEAR, last_data_year(today) + 1))


def history_range(today: date) -> tuple[date, date]:
    """The dates the demo city can be evaluated on: from 1 January 2018 (three years of data behind it)
    to the end of the year after the last annual reports (``y1`` = the last complete year)."""
    return date(FIRST_TITLE_YEAR, 1, 1), date(last_data_year(today) + 1, 12, 31)
