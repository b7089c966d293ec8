"""The small shipped sample: hand-checked evaluation records as of 2025-06-30.

Written to ``src/zjtx/data/sample_enterprises.csv`` (FIELDS.md names; money in yuan; booleans
``true``/``false``; an empty cell = unknown). Rows 1–5 carry exactly the inputs of the worked
examples E3, E4, E7, E8 and E11 of POLICIES.md §3 (plus identity columns and, for the tier examples,
the compliance fields that §3 says tier records carry). The other rows are 演示数据, several with
deliberately missing fields. ``sample_note`` says which is which.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from zjtx.facts.records import ANNUAL_FIELDS, SNAPSHOT_FIELDS, TITLE_FLAGS, record_columns

from .ids import make_uscc

__all__ = ["SAMPLE_ON", "SAMPLE_PATH", "sample_records", "write_sample"]

SAMPLE_ON = date(2025, 6, 30)
SAMPLE_PATH = Path(__file__).resolve().parent.parent / "data" / "sample_enterprises.csv"

EXTRA_COLUMNS = [
    "local_feature_score", "chain_key_link", "priority_field", "national_award_rank_3y",
    "provincial_award_rank_3y", "national_award_rank_5y", "led_standard_5y", "chuangke_rank_3y",
    "sample_note",
]  # fmt: skip

_CLEAN = {"abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False}

_ROWS: list[dict[str, object]] = [
    {   # E3
        "uscc": make_uscc("442000", "MA4W3E8K"), "name": "中山市睿芯电子科技有限公司",
        "division": "442000003", "industry": "C3982", "founded_on": "2016-04-12",
        "employees_y1": 50, "tech_staff_y1": 12, "revenue_y1": 20_000_000, "total_assets_y1": 30_000_000,
        "rd_expense_tax_y1": 1_500_000, "total_cost_y1": 18_000_000, "ip1": 1, "ip2": 0,
        "high_tech_valid": False, "rd_institution": "none", "led_standard_5y": False, **_CLEAN,
        "sample_note": "POLICIES.md §3 E3 (tech_sme → qualified, score 92)",
    },
    {   # E4
        "uscc": make_uscc("442000", "MA51K7PD"), "name": "中山市恒拓智能装备有限公司",
        "division": "442000118", "industry": "C3919", "founded_on": "2014-09-03",
        "employees_y1": 60, "revenue_y1": 14_000_000, "ip1": 1, "ip1_self_developed": 1, "ip1_high_value": 0,
        "rd_expense_y1": 560_000, "main_revenue_y1": 12_880_000, "main_revenue_y2": 11_500_000,
        "total_liabilities_y1": 8_400_000, "total_assets_y1": 14_000_000, "strategic_emerging": True,
        "high_tech_valid": False, "innovation_honor_valid": False, "rd_institution": "none",
        "equity_financing_y1": 0, "equity_financing_y2": 0, "equity_financing_y3": 0, **_CLEAN,
        "sample_note": "POLICIES.md §3 E4 (innovative_sme → qualified, score 80)",
    },
    {   # E7
        "uscc": make_uscc("442000", "MA4UH2QX"), "name": "中山市精工微控电子有限公司",
        "division": "442000002", "industry": "C3919", "founded_on": "2012-05-20",
        "employees_y1": 100, "revenue_y1": 50_000_000, "innovative_sme_valid": True, "niche_years": 7,
        "main_revenue_y1": 42_500_000, "main_revenue_y2": 39_000_000, "main_revenue_y3": 35_750_000,
        "product_field": "six_basics", "digital_level": 2, "quality_items": 2, "net_profit_y1": 3_500_000,
        "total_liabilities_y1": 22_500_000, "total_assets_y1": 50_000_000, "local_feature_score": 5,
        "ip1": 1, "ip1_self_developed": 1, "ip1_high_value": 0, "ip2_mature": 0,
        "rd_expense_y1": 2_600_000, "rd_expense_y2": 2_000_000, "rd_staff_y1": 12, "rd_institution": "city",
        "equity_financing_y1": 0, "equity_financing_y2": 0, **_CLEAN,
        "sample_note": "POLICIES.md §3 E7 (specialized_sme 63号 → score 62: qualified at pass_score 60)",
    },
    {   # E8
        "uscc": make_uscc("442000", "28205171"), "name": "中山市联丰精密机电有限公司",
        "division": "442000111", "industry": "C3919", "founded_on": "2006-11-08",
        "employees_y1": 260, "revenue_y1": 80_000_000, "revenue_y2": 75_000_000,
        "specialized_sme_valid": True, "niche_years": 6, "main_revenue_y1": 65_600_000,
        "main_revenue_y2": 61_300_000, "main_revenue_y3": 57_300_000, "it_systems": 1, "quality_cert": True,
        "total_liabilities_y1": 44_000_000, "total_assets_y1": 80_000_000, "market_share": 0.12,
        "own_brand": True, "rd_expense_y1": 5_200_000, "rd_expense_y2": 4_650_000,
        "rd_institution": "provincial", "ip1_applied": 3, "chain_key_link": True, "priority_field": True,
        **_CLEAN,
        "sample_note": "POLICIES.md §3 E8 (little_giant 63号 → qualified)",
    },
    {   # E11
        "uscc": make_uscc("442000", "MA53RL0C"), "name": "中山市光启量子传感科技有限公司",
        "division": "442000008", "industry": "C3983", "founded_on": "2019-08-16",
        "tech_sme_registered": True, "core_tech_product": True, "employees_y1": 100, "tech_staff_y1": 70,
        "ip1_high_value": 5, "rd_expense_tax_y1": 1_600_000, "revenue_y1": 20_000_000,
        "sample_note": "POLICIES.md §3 E11 (zs_four_tech → not_qualified: 5 is not 超过5项)",
    },
    # ---- 演示数据 ----
    {
        "uscc": make_uscc("442000", "MA4X9B2N"), "name": "中山市明辉照明电器有限公司",
        "division": "442000105", "industry": "C3872", "founded_on": "2003-02-14",
        "employees_y1": 180, "employees_y2": 176, "employees_y3": 170, "tech_staff_y1": 22, "rd_staff_y1": 18,
        "revenue_y1": 96_000_000, "revenue_y2": 88_000_000, "revenue_y3": 83_000_000,
        "main_revenue_y1": 91_000_000, "main_revenue_y2": 84_000_000, "main_revenue_y3": 79_000_000,
        "rd_expense_y1": 3_100_000, "rd_expense_y2": 2_700_000, "rd_expense_tax_y1": 2_800_000,
        "total_cost_y1": 90_000_000, "net_profit_y1": 4_800_000, "total_assets_y1": 70_000_000,
        "total_liabilities_y1": 39_000_000, "ip1": 3, "ip1_self_developed": 3, "ip1_high_value": 1,
        "ip2": 46, "ip2_mature": 31, "digital_level": 2, "quality_items": 3, "own_brand": True,
        "quality_cert": True, "it_systems": 3, "rd_institution": "city", "strategic_emerging": False,
        "niche_years": 18, "product_field": "other", "high_tech_valid": True, **_CLEAN,
        "sample_note": "演示数据: 古镇灯饰, complete record",
    },
    {
        "uscc": make_uscc("442000", "MA52DT7W"), "name": "中山市凤翔小家电有限公司",
        "division": "442000103", "industry": "C3854", "founded_on": "2011-07-01",
        "employees_y1": 320, "tech_staff_y1": 35, "rd_staff_y1": 28, "revenue_y1": 150_000_000,
        "revenue_y2": 132_000_000, "main_revenue_y1": 146_000_000, "main_revenue_y2": 128_000_000,
        "rd_expense_y1": 5_400_000, "rd_expense_y2": 4_700_000, "total_assets_y1": 120_000_000,
        "total_liabilities_y1": 71_000_000, "net_profit_y1": 7_900_000, "ip1": 5, "ip2": 88,
        "specialized_sme_valid": True, "digital_level": 3, "quality_items": 3, "own_brand": True,
        "abnormal_or_dishonest": False, "major_incident_3y": None, "restricted_industry": False,
        "sample_note": "演示数据: 东凤小家电; major_incident_3y unknown, no y3 figures",
    },
    {
        "uscc": make_uscc("442000", "MA4Y6C1R"), "name": "中山市沙溪盈彩服饰有限公司",
        "division": "442000106", "industry": "C1810", "founded_on": "2008-03-18",
        "employees_y1": 140, "tech_staff_y1": 6, "revenue_y1": 45_000_000, "revenue_y2": 47_500_000,
        "revenue_y3": 44_000_000, "rd_expense_y1": 380_000, "total_assets_y1": 32_000_000,
        "total_liabilities_y1": 21_000_000, "ip1": 0, "ip2": 12, "own_brand": True, **_CLEAN,
        "sample_note": "演示数据: 沙溪服装, low R&D",
    },
    {
        "uscc": make_uscc("442000", "MA55NA3F"), "name": "中山市翠亨康源生物医药有限公司",
        "division": "442000008", "industry": "C2761", "founded_on": "2020-10-09",
        "employees_y1": 85, "tech_staff_y1": 52, "rd_staff_y1": 47, "revenue_y1": 12_000_000,
        "revenue_y2": 6_500_000, "total_assets_y1": 160_000_000, "total_liabilities_y1": 40_000_000,
        "ip1": 6, "ip1_high_value": 6, "ip1_self_developed": 6, "equity_financing_y1": 80_000_000,
        "core_tech_product": True, "strategic_emerging": True, "tech_sme_registered": True,
        "sample_note": "演示数据: 翠亨生物医药; R&D expense and compliance fields missing",
    },
    {
        "uscc": make_uscc("442000", "MA56EP8H"), "name": "中山市云帆软件科技有限公司",
        "division": "442000001", "industry": "I6513", "founded_on": "2021-03-02",
        "employees_y1": 18, "tech_staff_y1": 14, "revenue_y1": 3_200_000, "total_assets_y1": 2_600_000,
        "rd_expense_tax_y1": 900_000, "total_cost_y1": 3_000_000, "ip1": 0, "ip2": 9,
        "high_tech_valid": False, "rd_institution": "none", **_CLEAN,
        "sample_note": "演示数据: 石岐 micro software firm",
    },
    {
        "uscc": make_uscc("442000", "MA4TQ5LB"), "name": "中山市榄源五金制品有限公司",
        "division": "442000118", "industry": "C3351", "founded_on": "2009-12-21",
        "employees_y1": 75, "revenue_y1": 26_000_000, "total_assets_y1": 19_000_000,
        "abnormal_or_dishonest": True, "major_incident_3y": False, "restricted_industry": False,
        "sample_note": "演示数据: 小榄五金; listed as abnormal (经营异常) → fails the common gate",
    },
    {
        "uscc": make_uscc("442000", "MA57GW2U"), "name": "中山市港口乐游游艺科技有限公司",
        "division": "442000108", "industry": "C2462", "founded_on": "2015-06-30",
        "employees_y1": 120, "revenue_y1": 68_000_000, "revenue_y2": 61_000_000, "revenue_y3": 52_000_000,
        "sample_note": "演示数据: 港口游戏游艺; only size and revenue known",
    },
]


def sample_records() -> pl.DataFrame:
    """The sample as a DataFrame with every record column (typed; missing → null)."""
    from zjtx.facts.records import IDENTITY

    types: dict[str, pl.DataType] = dict(IDENTITY)
    for f, dt in ANNUAL_FIELDS.items():
        for k in (1, 2, 3):
            types[f"{f}_y{k}"] = dt
    types.update(SNAPSHOT_FIELDS)
    types["niche_years"] = pl.Float64
    types.update({f: pl.Boolean for f in TITLE_FLAGS})
    types.update({
        "local_feature_score": pl.Float64, "chain_key_link": pl.Boolean, "priority_field": pl.Boolean,
        "national_award_rank_3y": pl.Int64, "provincial_award_rank_3y": pl.Int64,
        "national_award_rank_5y": pl.Int64, "led_standard_5y": pl.Boolean, "chuangke_rank_3y": pl.Int64,
        "sample_note": pl.String,
    })  # fmt: skip
    cols = record_columns() + EXTRA_COLUMNS
    data = {c: [r.get(c) for r in _ROWS] for c in cols}
    data["founded_on"] = [date.fromisoformat(str(v)) if v else None for v in data["founded_on"]]
    return pl.DataFrame(data, schema={c: types[c] for c in cols})


def write_sample(path: str | Path = SAMPLE_PATH) -> Path:
    """Write the sample CSV (UTF-8, header = FIELDS.md names)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    df = sample_records()
    whole = [
        c for c, dt in df.schema.items()
        if dt == pl.Float64 and bool((df[c].drop_nulls() == df[c].drop_nulls().round(0)).all())
    ]
    df.with_columns([pl.col(c).cast(pl.Int64) for c in whole]).write_csv(p)
    return p
