"""Calibration of the default demo city against the letter (tolerances: docs/demo-and-stats.md)."""

from datetime import date

import pytest

from zjtx.stats import batch_averages, count_titles, rank_among, tech_sme_registrations, tier_revenue, yoy


def test_tech_sme_2021(default_city):
    n21 = tech_sme_registrations(default_city, 2021).value
    n20 = tech_sme_registrations(default_city, 2020).value
    assert abs(n21 - 2502) <= 0.03 * 2502
    assert abs(yoy(n21, n20).value - 0.342) <= 0.02
    assert n21 == 2502 and n20 == 1864  # exact by construction at the default scale


def test_tech_sme_2022_2023(default_city):
    assert tech_sme_registrations(default_city, 2022).value > 2800  # letter's 2022 target
    assert abs(tech_sme_registrations(default_city, 2023).value - 3043) <= 0.03 * 3043


def test_rank_5th_in_2021(default_city):
    n21 = tech_sme_registrations(default_city, 2021).value
    r = rank_among(default_city.city_comparison, "中山市", 2021, "tech_sme", own_value=n21)
    assert r.value == 5
    assert "示例数据（演示用）" in r.query


def test_tier_revenue_2021(default_city):
    r = tier_revenue(default_city, 2021)
    assert abs(r["revenue"].value - 308e8) <= 0.03 * 308e8
    assert abs(r["yoy"].value - 0.22) <= 0.02
    assert abs(r["avg2"].value - 0.24) <= 0.02


@pytest.mark.parametrize(
    ("title", "target"), [("innovative_sme", 1717), ("specialized_sme", 862), ("little_giant", 57)]
)
def test_valid_titles_2025_12_08(default_city, title, target):
    v = count_titles(default_city, title, date(2025, 12, 8)).value
    assert abs(v - target) <= max(1, 0.03 * target)


def test_high_tech_2023(default_city):
    assert abs(count_titles(default_city, "high_tech", date(2023, 12, 31)).value - 2863) <= 0.03 * 2863


def test_little_giant_7th_batch(default_city):
    avg = batch_averages(default_city, "little_giant", "第七批")
    assert avg["members"].value == 18
    assert avg["debt_ratio"].value == pytest.approx(0.553, abs=0.005)
    assert avg["niche_years"].value == pytest.approx(15.54, abs=0.1)
    assert avg["rd_intensity"].value == pytest.approx(0.0726, abs=0.002)
    assert avg["ip1_per_enterprise"].value == pytest.approx(26.62, abs=0.1)


def test_pools(default_city):
    counts = dict(default_city.pools.group_by("pool").len().iter_rows())
    assert counts == {"advanced_mfg": 275, "lg_cultivation": 83, "champion_cultivation": 62}
