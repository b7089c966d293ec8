import hashlib
from datetime import date

import polars as pl
import pytest
from stdnum.cn import uscc

from zjtx.demo import DemoCity, generate, history_range, read, write
from zjtx.demo.targets import last_data_year
from zjtx.facts.divisions import current_divisions
from zjtx.facts.industries import CLASSES
from zjtx.facts.records import ANNUAL_FIELDS, SNAPSHOT_FIELDS

TODAY = date(2026, 12, 2)
# the seed-11 city of test_demo_vat.py (EARLY) and the same city a season later (LATE)
EARLY, LATE = date(2026, 12, 2), date(2027, 3, 15)


def city_hash(c: DemoCity) -> str:
    h = hashlib.sha256()
    for name, df in c.frames().items():
        h.update(name.encode())
        h.update(df.write_csv().encode())
    return h.hexdigest()


def test_determinism(demo_city):
    """A city generated afresh equals the session's city of the same arguments (generated earlier, by
    whichever test first asked for it); another seed gives another city."""
    a = demo_city(seed=5, scale=200, today=TODAY)
    b = generate(seed=5, scale=200, today=TODAY)
    c = demo_city(seed=2022, scale=200, today=TODAY)
    assert a is not b
    assert city_hash(a) == city_hash(b)
    assert city_hash(a) != city_hash(c)


def test_a_later_today_only_adds_to_the_history(demo_city):
    early = demo_city(seed=11, scale=1000, today=EARLY)
    late = demo_city(seed=11, scale=1000, today=LATE)
    assert early.annual["year"].max() == 2025 and late.annual["year"].max() == 2026
    assert late.annual.filter(pl.col("year") <= 2025).equals(early.annual)
    cut = EARLY
    assert late.titles.filter(pl.col("granted_on") <= cut).equals(early.titles)
    assert late.titles.filter(pl.col("granted_on") > cut).height > 0
    assert late.titles["granted_on"].max() <= LATE
    assert late.titles.filter(pl.col("granted_on").dt.year() == 2027).height > 0  # the 2027 registrations so far


def test_identity_columns(default_city):
    e = default_city.enterprises
    assert e.height == 30_000
    assert e["uscc"].n_unique() == e.height and e["name"].n_unique() == e.height
    assert all(uscc.is_valid(x) for x in e["uscc"].to_list())
    local = e["uscc"].str.slice(2, 6) == "442000"
    assert local.mean() > 0.9
    assert e.filter(local)["name"].str.starts_with("中山市").all()
    assert e["name"].str.ends_with("有限公司").all()
    assert set(e["division"].unique()) <= {d.code for d in current_divisions()}
    assert set(e["industry"].unique()) <= set(CLASSES)
    assert e["founded_on"].dtype == pl.Date


def test_annual_years_and_gaps(default_city):
    a = default_city.annual
    today = default_city.meta["today"]
    assert set(a["year"].unique()) == set(range(2015, last_data_year(today) + 1))
    assert set(ANNUAL_FIELDS) - {"sales_revenue"} <= set(a.columns)
    assert set(SNAPSHOT_FIELDS) <= set(a.columns)
    for col in ("tech_staff", "rd_expense_tax", "total_cost", "digital_level"):
        share = a[col].null_count() / a.height
        assert 0.005 <= share <= 0.06, (col, share)
    assert (a["revenue"].drop_nulls() >= 0).all()
    assert (a["rd_expense"].drop_nulls() <= a["revenue"].max()).all()
    y = a.filter(pl.col("year") == 2021)
    debt = (y["total_liabilities"] / y["total_assets"]).drop_nulls().drop_nans()
    assert 0.4 < debt.mean() < 0.65


def test_titles_shape(default_city):
    t = default_city.titles
    assert set(t.columns) == {"uscc", "title", "granted_on", "expires_on", "batch", "document"}
    assert (t["granted_on"] <= t["expires_on"]).all()
    assert t["granted_on"].max() <= default_city.meta["today"]
    tiers = t.filter(pl.col("title").is_in(["specialized_sme", "little_giant", "high_tech", "innovative_sme"]))
    span = (tiers["expires_on"] - tiers["granted_on"]).dt.total_days()
    assert span.min() >= 3 * 365 - 2 and span.max() <= 3 * 366  # 3-year validity
    assert set(t["uscc"].unique()) <= set(default_city.enterprises["uscc"])
    assert {"tech_sme", "innovative_sme", "specialized_sme", "city_specialized_sme", "little_giant",
            "single_champion", "high_tech"} <= set(t["title"].unique())
    assert t.unique(["uscc", "title", "granted_on"]).height == t.height


def test_regime_in_force_at_each_grant(demo_city):
    t = demo_city(seed=11, scale=1000, today=LATE).titles
    new = date(2026, 4, 1)
    spec = t.filter(pl.col("title") == "specialized_sme")
    assert spec.filter(pl.col("granted_on") >= new)["document"].unique().to_list() == ["工信部企业〔2026〕2号"]
    assert spec.filter((pl.col("granted_on") >= date(2022, 6, 1)) & (pl.col("granted_on") < new))[
        "document"].unique().to_list() == ["工信部企业〔2022〕63号"]
    # 创新型 becomes 科技和创新型 under 2026号; nothing called 创新型 is granted after it
    assert t.filter((pl.col("title") == "innovative_sme") & (pl.col("granted_on") >= new)).height == 0
    assert t.filter(pl.col("title") == "tech_innovative_sme")["granted_on"].min() >= new


def test_renewals_and_expiry(default_city):
    t = default_city.titles.filter(pl.col("title") == "specialized_sme")
    renewed = t.filter(pl.col("batch").str.ends_with("复核"))
    assert renewed.height > 0
    # a 复核 starts the day after the previous title of the same holder expired
    prev = t.select("uscc", (pl.col("expires_on") + pl.duration(days=1)).alias("granted_on"))
    assert renewed.join(prev, on=["uscc", "granted_on"], how="anti").height == 0
    # some titles lapse: their holder has no title starting the day after expiry
    ended = t.filter(pl.col("expires_on") < default_city.meta["today"])
    lapsed = ended.join(t.select("uscc", (pl.col("granted_on") - pl.duration(days=1)).alias("expires_on")),
                        on=["uscc", "expires_on"], how="anti")
    assert lapsed.height > 0


def test_little_giants_climbed_the_ladder(default_city):
    t = default_city.titles
    lg = t.filter(pl.col("title") == "little_giant").group_by("uscc").agg(pl.col("granted_on").min())
    spec = t.filter(pl.col("title") == "specialized_sme").group_by("uscc").agg(pl.col("granted_on").min().alias("s"))
    j = lg.join(spec, on="uscc", how="left")
    assert j["s"].null_count() == 0 and (j["s"] < j["granted_on"]).all()


def test_scaling_is_proportional(demo_city):
    c = demo_city(scale=3000)  # the figures are of 2021 and 2025: any today of the demo's history
    from zjtx.stats import count_titles, tech_sme_registrations, tier_revenue

    assert tech_sme_registrations(c, 2021).value == round(2502 * 0.1)
    assert count_titles(c, "specialized_sme", date(2025, 12, 8)).value == round(862 * 0.1)
    assert tier_revenue(c, 2021)["revenue"].value == pytest.approx(30.8e8, rel=1e-3)
    assert c.pools.height == round(275 * 0.1) + round(83 * 0.1) + round(62 * 0.1)


def test_records_from_city(default_city):
    r = default_city.records(date(2025, 6, 30))
    assert r.height == 30_000
    assert r["revenue_y1"].null_count() > 0  # real data has gaps
    assert r["little_giant_valid"].sum() > 0 and r["tech_sme_registered"].sum() > 0


def test_history_range():
    assert history_range(date(2026, 12, 2)) == (date(2018, 1, 1), date(2026, 12, 31))
    assert history_range(date(2028, 2, 1)) == (date(2018, 1, 1), date(2028, 12, 31))
    assert history_range(date(2024, 5, 1)) == (date(2018, 1, 1), date(2026, 12, 31))  # calibrated through 2025
    with pytest.raises(ValueError, match="至少需要 100 户"):
        generate(scale=50)


@pytest.fixture(scope="module")
def small_city(demo_city):
    return demo_city(scale=200, today=TODAY)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_write(tmp_path, fmt, small_city):
    c = small_city
    paths = write(c, tmp_path, fmt)
    assert {p.stem for p in paths} == set(c.frames())
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    back = read(tmp_path)
    from zjtx.stats import tech_sme_registrations

    assert back.titles.height == c.titles.height and back.enterprises["division"].dtype == pl.String
    assert back.annual.height == c.annual.height
    assert tech_sme_registrations(back, 2021).value == tech_sme_registrations(c, 2021).value
    assert back.records(date(2025, 6, 30)).height == c.enterprises.height
    with pytest.raises(ValueError, match="未知格式"):
        write(c, tmp_path, "json")
