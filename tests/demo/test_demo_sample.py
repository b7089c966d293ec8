from datetime import date

import polars as pl
from stdnum.cn import uscc

from zjtx.demo.sample import SAMPLE_PATH, sample_records, write_sample
from zjtx.facts.records import record_columns


def test_shipped_csv_is_current(tmp_path):
    fresh = write_sample(tmp_path / "s.csv")
    assert fresh.read_bytes() == SAMPLE_PATH.read_bytes()


def test_sample_content():
    df = pl.read_csv(SAMPLE_PATH, infer_schema_length=None)
    assert df.height == 12
    assert df.columns[: len(record_columns())] == record_columns()
    assert all(uscc.is_valid(u) for u in df["uscc"])
    assert df["name"].n_unique() == 12
    notes = " ".join(df["sample_note"].to_list())
    for e in ("E3", "E4", "E7", "E8", "E11"):
        assert f"§3 {e} " in notes


def test_worked_example_inputs():
    df = sample_records()
    row = {r["sample_note"].split()[2]: r for r in df.iter_rows(named=True) if r["sample_note"].startswith("POLICIES")}
    e3 = row["E3"]
    assert (e3["employees_y1"], e3["tech_staff_y1"], e3["revenue_y1"], e3["rd_expense_tax_y1"]) == (50, 12, 2e7, 1.5e6)
    assert e3["ip1"] == 1 and e3["ip2"] == 0 and e3["high_tech_valid"] is False
    e4 = row["E4"]
    assert (e4["rd_expense_y1"], e4["main_revenue_y2"], e4["total_liabilities_y1"]) == (560_000, 11_500_000, 8_400_000)
    assert e4["ip1_high_value"] == 0 and e4["equity_financing_y3"] == 0
    e7 = row["E7"]
    assert e7["niche_years"] == 7 and e7["local_feature_score"] == 5 and e7["product_field"] == "six_basics"
    assert (e7["main_revenue_y1"], e7["main_revenue_y2"], e7["main_revenue_y3"]) == (42_500_000, 39_000_000, 35_750_000)
    e8 = row["E8"]
    assert e8["rd_expense_y2"] == 4_650_000 and e8["market_share"] == 0.12 and e8["chain_key_link"] is True
    e11 = row["E11"]
    assert e11["ip1_high_value"] == 5 and e11["tech_staff_y1"] == 70 and e11["tech_sme_registered"] is True
    # fields not given stay unknown (null), never 0
    assert e11["employees_y2"] is None and e3["rd_expense_y1"] is None
    assert df.filter(pl.col("sample_note").str.contains("missing"))["abnormal_or_dishonest"].null_count() >= 1
    assert date(2025, 6, 30)  # evaluation date of the sample: SAMPLE_ON
