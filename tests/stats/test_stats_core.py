import math
from datetime import date

import polars as pl
import pytest

from zjtx.stats import (
    Stat,
    apportion,
    batch_averages,
    competition_rank,
    count_titles,
    rank_among,
    target_vs_actual,
    tech_sme_by_year,
    tech_sme_registrations,
    tier_counts,
    tier_counts_by_year,
    tier_revenue,
    two_year_avg,
    yoy,
)


def test_yoy_exact():
    s = yoy(2502, 1864)
    assert s.value == pytest.approx(2502 / 1864 - 1, abs=1e-15)
    assert round(s.value * 100, 1) == 34.2
    assert "同比" in s.query and "2,502" in s.query
    assert yoy(110, 100).value == pytest.approx(0.1, abs=1e-12)
    assert yoy(5, 0).value is None
    assert yoy(None, 5).value is None
    assert yoy(Stat(120, "q"), Stat(100, "q")).value == pytest.approx(0.2)


def test_two_year_avg_geometric():
    assert two_year_avg(121, 100).value == pytest.approx(0.1, abs=1e-12)
    # the letter: +22% now, 24% on average ⇒ about +26% the year before (DOMAIN.md §4)
    assert two_year_avg(1.22 * 1.26, 1.0).value == pytest.approx(0.2398, abs=1e-4)
    assert two_year_avg(100, 0).value is None
    assert two_year_avg(None, 100).value is None
    assert "几何" in two_year_avg(121, 100).query


def test_competition_rank_1224():
    v = {"a": 10, "b": 8, "c": 8, "d": 5}
    assert [competition_rank(v, k) for k in "abcd"] == [1, 2, 2, 4]
    assert competition_rank(v, "d", descending=False) == 1


def _cmp(rows):
    return pl.DataFrame(rows, schema=["region", "year", "count", "source"], orient="row")


def test_rank_among_ties_and_sources():
    df = _cmp([
        ("甲市", 2021, 5000, "统计公报"), ("乙市", 2021, 2502, "统计公报"), ("丙市", 2021, 2502, "统计公报"),
        ("丁市", 2021, 9000, None), ("中山市", 2021, 1, "x"), ("甲市", 2020, 1, "统计公报"),
    ])
    r = rank_among(df, "中山市", 2021, own_value=2502)
    assert r.value == 2  # 甲 5000 > 2502 = 乙 = 丙; 丁 has no source and is ignored
    assert "统计公报" in r.query and "1224" in r.query
    assert r.table.filter(pl.col("region") == "乙市")["rank"][0] == 2
    r = rank_among(df, "乙市", 2021)
    assert r.value == 2
    assert rank_among(df, "中山市", 2021).value == 4  # own row value 1 → below 甲, 乙, 丙


def test_no_source_no_rank():
    df = _cmp([("甲市", 2021, 5000, None), ("乙市", 2021, 3000, "  ")])
    r = rank_among(df, "中山市", 2021, own_value=2502)
    assert r.value is None and "不排名" in r.query
    assert rank_among(None, "中山市", 2021, own_value=1).value is None
    assert rank_among(_cmp([("甲市", 2020, 1, "s")]), "中山市", 2021, own_value=1).value is None


@pytest.fixture
def reg():
    ent = pl.DataFrame({
        "uscc": ["A", "B", "C", "D"],
        "division": ["442000118", "442000104", "442000105", "442000003"],  # B: 东升镇 (historical)
        "industry": ["C3919", "C3872", "C3872", "C1810"],
        "niche_since": [date(2010, 1, 1), date(2015, 5, 1), None, date(2020, 1, 1)],
    })
    annual = pl.DataFrame({
        "uscc": ["A", "A", "A", "B", "B", "B", "C", "C", "D"],
        "year": [2019, 2020, 2021, 2019, 2020, 2021, 2020, 2021, 2021],
        "revenue": [100.0, 110.0, 121.0, 50.0, 60.0, 70.0, 10.0, None, 999.0],
        "total_assets": [None, 200.0, 200.0, None, None, 100.0, None, 10.0, None],
        "total_liabilities": [None, 100.0, 110.0, None, None, 60.0, None, 5.0, None],
        "rd_expense": [None, 10.0, 12.1, None, None, 7.0, None, None, None],
        "ip1": [None, 3, 4, None, None, 10, None, None, None],
    })
    titles = pl.DataFrame({
        "uscc": ["A", "B", "C", "D", "A", "B", "C", "D"],
        "title": ["specialized_sme", "little_giant", "city_specialized_sme", "specialized_sme",
                  "tech_sme", "tech_sme", "tech_sme", "tech_sme"],
        "granted_on": [date(2021, 1, 1), date(2021, 7, 1), date(2021, 12, 31), date(2022, 1, 1),
                       date(2021, 5, 1), date(2021, 6, 1), date(2020, 6, 1), date(2021, 9, 1)],
        "expires_on": [date(2023, 12, 31), date(2024, 6, 30), date(2024, 12, 30), date(2024, 12, 31),
                       date(2021, 12, 31), date(2021, 12, 31), date(2020, 12, 31), date(2021, 12, 31)],
        "batch": ["2021年", "第三批", "2021年", "2022年", "x", "x", "x", "x"],
        "document": [None] * 8,
    })
    return {"enterprises": ent, "annual": annual, "titles": titles}


def test_counts_and_breakdowns(reg):
    assert tech_sme_registrations(reg, 2021).value == 3
    assert tech_sme_registrations(reg, 2020).value == 1
    t = tech_sme_registrations(reg, 2021, by="division").table
    assert dict(zip(t["division_name"], t["count"], strict=True)) == {"小榄镇": 2, "中山港街道": 1}  # 东升 → 小榄
    c = count_titles(reg, "specialized_sme", date(2021, 12, 31), by="cluster")
    assert c.value == 1 and c.table["cluster"].to_list() == ["electronics"]
    assert count_titles(reg, "specialized_sme", date(2023, 12, 31)).value == 2
    assert count_titles(reg, "specialized_sme", date(2024, 1, 1)).value == 1
    tc = tier_counts(reg, date(2021, 12, 31)).table
    assert dict(zip(tc["title"], tc["count"], strict=True))["little_giant"] == 1


def test_tier_revenue_same_set(reg):
    r = tier_revenue(reg, 2021)
    # holders on 2021-12-31: A (省级), B (小巨人), C (市级, granted that day); D granted 2022
    assert r["holders"].value == 3
    assert r["revenue"].value == 121 + 70  # C's 2021 revenue is unknown: skipped, not 0
    assert r["revenue_last"].value == 110 + 60  # 同口径: only A and B have all three years
    assert r["revenue_two_ago"].value == 150
    assert r["yoy"].value == pytest.approx(191 / 170 - 1)
    assert r["avg2"].value == pytest.approx(math.sqrt(191 / 150) - 1)
    assert r["revenue"].inputs["incomplete"] == 1
    assert "1 家未知" in r["revenue"].query


def test_batch_averages(reg):
    avg = batch_averages(reg, "specialized_sme", "2021年", on=date(2022, 6, 30))
    assert avg["members"].value == 1
    assert avg["debt_ratio"].value == pytest.approx(110 / 200)
    assert avg["rd_intensity"].value == pytest.approx(0.1)
    assert avg["ip1_per_enterprise"].value == 4
    assert avg["niche_years"].value == 12  # 2010-01-01 → 2022-01-01
    both = pl.concat([reg["titles"], pl.DataFrame({
        "uscc": ["B"], "title": ["specialized_sme"], "granted_on": [date(2021, 1, 1)],
        "expires_on": [date(2023, 12, 31)], "batch": ["2021年"], "document": [None]})], how="vertical_relaxed")
    avg = batch_averages({**reg, "titles": both}, "specialized_sme", "2021年", on=date(2022, 6, 30))
    assert avg["debt_ratio"].value == pytest.approx((110 / 200 + 60 / 100) / 2)
    assert avg["ip1_per_enterprise"].value == 7
    assert avg["niche_years"].value == pytest.approx((12 + 6) / 2)
    with pytest.raises(ValueError):
        batch_averages(reg, "specialized_sme", "第九批")


def test_apportion_and_target_vs_actual(reg):
    split = apportion(2800, {"a": 1, "b": 1, "c": 1})
    assert sum(split.values()) == 2800 and sorted(split.values()) == [933, 933, 934]
    t = target_vs_actual(reg, 2021, 10, weights={"442000118": 1, "442000003": 1}, source="测试")
    assert t.value == pytest.approx(3 / 10)
    rows = {r["division"]: r for r in t.table.iter_rows(named=True)}
    assert rows["442000118"]["target"] == 5 and rows["442000118"]["actual"] == 2
    assert rows["442000003"]["gap"] == 1 - 5
    assert "测试" in t.query and "最大余数法" in t.query
    full = target_vs_actual(reg, 2021, 2800)
    assert full.table.height == 23 and full.table["target"].sum() == 2800


def test_every_stat_has_a_query(reg):
    stats = [tech_sme_registrations(reg, 2021), count_titles(reg, "little_giant", date(2021, 12, 31)),
             *tier_revenue(reg, 2021).values()]
    assert all(isinstance(s, Stat) and len(s.query) > 10 for s in stats)


def test_series_by_year(reg):
    s = tech_sme_by_year(reg, [2019, 2020, 2021])
    assert s.table["count"].to_list() == [0, 1, 3]
    assert s.table["yoy"].to_list()[:2] == [None, None] and s.table["yoy"][2] == pytest.approx(2.0)
    assert s.value == 3
    t = tier_counts_by_year(reg, [2021, 2022]).table
    assert t.filter(pl.col("year") == 2022)["specialized_sme"][0] == 2
    assert t.filter(pl.col("year") == 2021)["little_giant"][0] == 1
