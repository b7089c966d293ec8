from datetime import date

import polars as pl
import pytest

from zjtx.facts.records import ANNUAL_FIELDS, SNAPSHOT_FIELDS, build_records, record_columns

ON = date(2025, 6, 30)


@pytest.fixture
def registry():
    ent = pl.DataFrame(
        {
            "uscc": ["A", "B", "C"],
            "name": ["甲", "乙", "丙"],
            "division": ["442000118", "442000105", "442000003"],
            "industry": ["C3919", "C3872", "C3854"],
            "founded_on": ["2010-03-01", "2015-01-01", None],
            "niche_since": ["2018-01-01", "2018-06-01", None],
            "niche_years": [None, None, 4.0],
            "led_standard_5y": [True, None, False],
        }
    )
    ann = pl.DataFrame(
        {
            "uscc": ["A", "A", "A", "A", "B"],
            "year": [2024, 2023, 2022, 2021, 2024],
            "revenue": [3.0e7, 2.0e7, None, 1.0e7, 5.0e6],
            "employees": [50, 45, 40, 30, 0],
            "ip1": [7, 6, 5, 1, 1],
            "rd_institution": ["city", None, None, None, "none"],
        }
    )
    titles = pl.DataFrame(
        {
            "uscc": ["A", "B", "A", "C", "C"],
            "title": ["high_tech", "小巨人", "tech_sme", "tech_sme", "省级专精特新"],
            "granted_on": [date(2022, 7, 1), date(2022, 7, 1), date(2025, 6, 30), date(2024, 5, 1), date(2025, 7, 1)],
            "expires_on": [date(2025, 6, 30), date(2025, 6, 29), date(2025, 12, 31), date(2024, 12, 31), None],
        }
    )
    return ent, ann, titles


def test_pivot_years_and_nulls(registry):
    r = build_records(*registry, ON).sort("uscc")
    a = r.row(0, named=True)
    assert (a["revenue_y1"], a["revenue_y2"], a["revenue_y3"]) == (3.0e7, 2.0e7, None)  # 2022 null stays null
    assert (a["employees_y1"], a["employees_y2"], a["employees_y3"]) == (50, 45, 40)
    assert a["ip1"] == 7 and a["rd_institution"] == "city"  # snapshot from y1 (2024)
    b = r.row(1, named=True)
    assert b["employees_y1"] == 0  # a real zero stays zero
    assert b["revenue_y2"] is None and b["total_assets_y1"] is None  # missing year/column → null
    c = r.row(2, named=True)
    assert c["revenue_y1"] is None and c["ip1"] is None
    assert a["led_standard_5y"] is True  # pass-through
    assert r["revenue_y1"].dtype == pl.Float64 and r["employees_y1"].dtype == pl.Int64


def test_niche_years(registry):
    r = build_records(*registry, ON).sort("uscc")
    assert r["niche_years"].to_list() == [7.0, 6.0, 4.0]


def test_title_validity_boundaries(registry):
    r = build_records(*registry, ON).sort("uscc")
    assert r["high_tech_valid"].to_list() == [True, False, False]  # expires_on == on → valid
    assert r["little_giant_valid"].to_list() == [False, False, False]  # expired the day before
    assert r["tech_sme_registered"].to_list() == [True, False, False]  # granted on the day; C's is 2024
    assert r["specialized_sme_valid"].to_list() == [False, False, False]  # granted the day after
    r2 = build_records(*registry, date(2025, 7, 1)).sort("uscc")
    assert r2["specialized_sme_valid"].to_list() == [False, False, True]
    assert r2["high_tech_valid"].to_list() == [False, False, False]


def test_titles_none_gives_null_flags(registry):
    ent, ann, _ = registry
    r = build_records(ent, ann, None, ON)
    assert r["high_tech_valid"].null_count() == 3
    r = build_records(ent, ann, pl.DataFrame({"uscc": [], "title": []}, schema={"uscc": pl.String, "title": pl.String}), ON)
    assert r["high_tech_valid"].to_list() == [False, False, False]


def test_columns_complete_even_when_inputs_sparse():
    r = build_records(pl.DataFrame({"uscc": ["X"]}), None, None, ON)
    assert r.columns[: len(record_columns())] == record_columns()
    for f in ANNUAL_FIELDS:
        assert r[f"{f}_y1"].null_count() == 1
    for f in SNAPSHOT_FIELDS:
        assert r[f].null_count() == 1


def test_record_columns_given_in_enterprises_win():
    ent = pl.DataFrame({"uscc": ["X"], "revenue_y1": [9.0], "ip1": [3]})
    ann = pl.DataFrame({"uscc": ["X"], "year": [2024], "revenue": [1.0], "revenue_y2": [5.0], "ip1": [1]})
    r = build_records(ent, ann, None, ON)
    assert r["revenue_y1"][0] == 9.0 and r["ip1"][0] == 3


def test_fast_on_large_registry():
    import time

    n = 300_000
    ids = [f"U{i}" for i in range(n)]
    ent = pl.DataFrame({"uscc": ids})
    ann = pl.DataFrame({"uscc": ids * 3, "year": [2024] * n + [2023] * n + [2022] * n}).with_columns(
        revenue=pl.lit(1.0), ip1=pl.lit(2)
    )
    t = time.perf_counter()
    r = build_records(ent, ann, None, ON)
    assert r.height == n
    assert time.perf_counter() - t < 10
