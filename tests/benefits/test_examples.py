"""POLICIES.md §3 E12–E17, official worked examples and the derived tables (§2.10–§2.14).

Each expectation is checked through ``zjtx.calculate`` (exact) and, where a record form exists,
through ``zjtx.evaluate`` (Polars, integer fen).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import zjtx

CIT = "cit_small_low_profit"
RD = "rd_super_deduction"
VAT = "vat_small_scale"
SIX = "six_taxes_two_fees"
REF = "vat_credit_refund"
BENCH = "zs_innovation_benchmark"


def D(x: Any) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def batch(record: dict[str, Any], policy: str, on: str, **kw: Any) -> dict[str, Any]:
    row = zjtx.evaluate([record], on=on, policies=[policy], **kw).row(0, named=True)
    return {k.split(".", 1)[1]: v for k, v in row.items() if k.startswith(policy + ".")}


# ---- E12 ---------------------------------------------------------------------------------------
def test_e12_innovation_benchmark() -> None:
    rec = {"innovation_benchmark_selected": True, "rd_super_deduction_y1": None, "industry": "C3919",
           "rd_expense_tax_y1": 5_000_000}
    res = zjtx.explain(rec, BENCH, on="2024-06-30")
    assert res["status"] == "qualified"
    assert res["amount"] == D(300_000)
    assert res["regime"] == "zs_innovation_benchmark@2022-letter"
    assert any("中工信函〔2022〕59号" in (t.get("cite") or "") for t in res["trace"])
    b = batch(rec, BENCH, "2024-06-30")
    assert (b["status"], b["amount"]) == ("qualified", D(300_000))
    # as filed D takes precedence; not selected → 0; unknown selection → manual_review with the amount
    assert zjtx.calculate(BENCH, {"tax_year": 2023, "innovation_benchmark_selected": True,
                                  "rd_super_deduction_y1": 1_234_567}, on="2024-06-30")["amount"] == D("74074.02")
    r = zjtx.explain({**rec, "innovation_benchmark_selected": None}, BENCH, on="2024-06-30")
    assert (r["status"], r["amount"], r["manual"]) == ("manual_review", D(300_000), ["innovation_benchmark_selected"])
    r = zjtx.explain({**rec, "innovation_benchmark_selected": False}, BENCH, on="2024-06-30")
    assert (r["status"], r["amount"]) == ("not_qualified", D(0))


# ---- E13 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("year,tax", [(2020, 40_000), (2021, 20_000), (2022, 20_000), (2023, 40_000)])
def test_e13_cit_by_year(year: int, tax: int) -> None:
    inp = {"tax_year": year, "taxable_income_y1": 800_000, "employees_avg": 50, "assets_avg": 10_000_000}
    res = zjtx.calculate(CIT, inp, on=f"{year + 1}-06-30")
    assert (res["status"], res["tax"]) == ("qualified", D(tax))
    assert res["baseline"] == D(200_000) and res["relief"] == D(200_000 - tax)
    rec = {k: v for k, v in inp.items() if k != "tax_year"}
    b = batch(rec, CIT, f"{year + 1}-06-30")
    assert (b["status"], b["tax"]) == ("qualified", D(tax))


def test_e13_two_slices_2020() -> None:
    res = zjtx.calculate(CIT, {"tax_year": 2020, "taxable_income_y1": 2_800_000, "employees_avg": 50,
                               "assets_avg": 10_000_000}, on="2021-06-30")
    assert res["tax"] == D(230_000)


@pytest.mark.parametrize("year,tax", [
    (2019, 150_000),  # 国家税务总局公告2019年第2号 解读 example: 100万×25%×20% + 100万×50%×20%
    (2021, 125_000),  # 100万×12.5%×20% + 100万×50%×20%
    (2022, 75_000),   # 财政部 税务总局公告2022年第13号 解读 example: 100万×12.5%×20% + 100万×25%×20%
    (2024, 100_000),  # 财政部 税务总局公告2023年第12号: 200万×25%×20%
])
def test_official_cit_examples_200wan(year: int, tax: int) -> None:
    res = zjtx.calculate(CIT, {"tax_year": year, "taxable_income_y1": 2_000_000, "employees_avg": 100,
                               "assets_avg": 20_000_000}, on="2025-06-30")
    assert res["tax"] == D(tax)


# ---- E14 ---------------------------------------------------------------------------------------
def test_e14_rd() -> None:
    r = zjtx.calculate(RD, {"tax_year": 2021, "industry": "C3919", "rd_expense_tax_y1": 3_000_000}, on="2022-06-30")
    assert (r["status"], r["amount"]) == ("qualified", D(3_000_000))
    r = zjtx.calculate(RD, {"tax_year": 2023, "industry": "F5123", "rd_expense_tax_y1": 1_000_000}, on="2024-06-30")
    assert (r["status"], r["amount"]) == ("not_qualified", D(0))
    assert "excluded" in r["failed"]
    b = batch({"industry": "F5123", "rd_expense_tax_y1": 1_000_000}, RD, "2024-06-30")
    assert (b["status"], b["amount"]) == ("not_qualified", D(0))


# derived table §2.11: (year, industry, 科小, Q4, IC, amount on 1,000,000 expensed)
RD_TABLE = [
    (2019, "I6513", None, None, None, 750_000),
    (2020, "C3919", None, None, None, 750_000),
    (2021, "C3919", None, None, None, 1_000_000),
    (2021, "I6513", True, None, None, 750_000),
    (2021, "I6513", False, None, None, 750_000),
    (2022, "C3919", None, None, None, 1_000_000),
    (2022, "I6513", True, None, None, 1_000_000),
    (2022, "I6513", False, 400_000, None, 850_000),  # 0.75 × 600,000 + 1.00 × 400,000
    (2022, "I6513", False, 0, None, 750_000),
    (2023, "I6513", False, None, None, 1_000_000),
    (2023, "C3919", None, None, True, 1_200_000),
    (2027, "C3973", None, None, True, 1_200_000),
    (2022, "C3973", None, None, True, 1_000_000),  # 120% only 2023–2027
    (2025, "H6110", None, None, None, 0),  # 住宿业 excluded
    (2025, "C1610", None, None, None, 0),  # 烟草 excluded
]


@pytest.mark.parametrize("year,industry,tech,q4,ic,amount", RD_TABLE)
def test_rd_table(year: int, industry: str, tech: Any, q4: Any, ic: Any, amount: int) -> None:
    inp = {"tax_year": year, "industry": industry, "rd_expense_tax_y1": 1_000_000, "tech_sme_registered": tech,
           "rd_expense_tax_q4": q4, "ic_or_machine_tool": ic}
    inp = {k: v for k, v in inp.items() if v is not None}
    assert zjtx.calculate(RD, inp, on=f"{year + 1}-06-30")["amount"] == D(amount)
    b = batch({k: v for k, v in inp.items() if k != "tax_year"}, RD, f"{year + 1}-06-30")
    assert b["amount"] == D(amount)


def test_rd_2022_interval_without_q4() -> None:
    r = zjtx.calculate(RD, {"tax_year": 2022, "industry": "I6513", "rd_expense_tax_y1": 1_000_000,
                            "tech_sme_registered": False}, on="2023-06-30", strict=False)
    assert r["status"] == "unknown" and r["amount"] is None
    assert (r["amount_min"], r["amount_max"]) == (D(750_000), D(1_000_000))
    assert r["missing"] == ["rd_expense_tax_q4"]


def test_rd_amortisation() -> None:
    r = zjtx.calculate(RD, {"tax_year": 2024, "industry": "C3919", "rd_expense_tax_y1": 1_000_000,
                            "rd_amortization_y1": 200_000}, on="2025-06-30")
    assert r["amount"] == D(1_200_000)


# ---- E15 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("period,s3,s5,tax", [
    ("2022-07", 500_000, 0, 0),
    ("2024-07", 500_000, 0, 5_000),
    ("2022-07", 200_000, 100_000, 5_000),
])
def test_e15_vat(period: str, s3: int, s5: int, tax: int) -> None:
    inp = {"vat_period": period, "sales_3pct": s3, "sales_5pct": s5}
    assert zjtx.calculate(VAT, inp, on="2025-06-30")["tax"] == D(tax)
    assert batch(inp, VAT, "2025-06-30")["tax"] == D(tax)


def test_official_vat_real_estate_example() -> None:
    # 国家税务总局公告2023年第1号 解读: 季度销售额 40万 of which 不动产 20万 → other 20万 exempt, 不动产 5%
    r = zjtx.calculate(VAT, {"vat_period": "2023-Q2", "sales_3pct": 200_000, "sales_5pct": 200_000,
                             "sales_real_estate": 200_000}, on="2023-07-15")
    assert (r["status"], r["tax"]) == ("qualified", D(10_000))


# derived table §2.12: one month, 3% items only
@pytest.mark.parametrize("period,s3,tax,regime", [
    ("2019-06", 100_000, 0, "vat_small_scale@2019-13"),
    ("2019-06", 100_001, 3_000.03, "vat_small_scale@2019-13"),
    ("2020-06", 200_000, 2_000, "vat_small_scale@2019-13"),
    ("2021-06", 150_000, 0, "vat_small_scale@2021-11"),
    # 1% continued for 3% items to 2022-03-31 (2021年第7号 第一条, 2022年第15号 第一条)
    ("2021-06", 150_001, 1_500.01, "vat_small_scale@2021-11"),
    ("2022-03", 200_000, 2_000, "vat_small_scale@2021-11"),
    ("2022-04", 200_000, 0, "vat_small_scale@2022-15"),
    ("2022-12", 10_000_000, 0, "vat_small_scale@2022-15"),
    ("2023-01", 100_000, 0, "vat_small_scale@2023-19"),
    ("2023-01", 150_000, 1_500, "vat_small_scale@2023-19"),
    ("2027-12", 200_000, 2_000, "vat_small_scale@2023-19"),
    ("2023-Q1", 300_000, 0, "vat_small_scale@2023-19"),
    ("2023-Q1", 300_001, 3_000.01, "vat_small_scale@2023-19"),
    ("2021-Q3", 450_000, 0, "vat_small_scale@2021-11"),
])
def test_vat_table(period: str, s3: int, tax: float, regime: str) -> None:
    r = zjtx.calculate(VAT, {"vat_period": period, "sales_3pct": s3}, on="2028-01-01")
    assert (r["tax"], r["regime"]) == (D(tax), regime)
    b = batch({"vat_period": period, "sales_3pct": s3}, VAT, "2028-01-01")
    assert (b["tax"], b["regime"]) == (D(tax), regime)


# ---- E16 ---------------------------------------------------------------------------------------
def test_e16_six_taxes() -> None:
    inp = {"tax_year": 2023, "small_low_profit": True, "small_scale_vat": False, "vat_paid": 100_000,
           "urban_maintenance_rate": 0.07, "property_tax": 0, "land_use_tax": 0, "stamp_tax": 0,
           "resource_tax": 0, "farmland_tax": 0}
    r = zjtx.calculate(SIX, inp, on="2024-06-30")
    assert (r["status"], r["tax"], r["amount"], r["baseline"]) == ("qualified", D(6_000), D(6_000), D(12_000))
    assert r["components"]["reduction.城市维护建设税"] == D(3_500)
    assert r["components"]["reduction.教育费附加"] == D(1_500)
    assert r["components"]["reduction.地方教育附加"] == D(1_000)
    b = batch({k: v for k, v in inp.items() if k != "tax_year"}, SIX, "2024-06-30")
    assert (b["tax"], b["amount"]) == (D(6_000), D(6_000))


@pytest.mark.parametrize("year,group,eligible", [
    (2019, "small_scale_vat", True), (2021, "small_low_profit", False), (2021, "individual_business", False),
    (2022, "small_low_profit", True), (2022, "individual_business", True), (2025, "small_low_profit", True),
    (2027, "small_scale_vat", True),
])
def test_six_taxes_scope_by_year(year: int, group: str, eligible: bool) -> None:
    inp = {"tax_year": year, "small_scale_vat": False, "small_low_profit": False, "individual_business": False,
           group: True, "vat_paid": 10_000, "urban_maintenance_rate": 0.05, "not_applicable": list(
               ["property_tax", "land_use_tax", "stamp_tax", "resource_tax", "farmland_tax"])}
    r = zjtx.calculate(SIX, inp, on=f"{year + 1}-01-01")
    assert r["status"] == ("qualified" if eligible else "not_qualified")
    assert r["amount"] == (D(500) if eligible else D(0))  # (500 + 300 + 200) × 50%


def test_six_taxes_null_item_is_unknown_unless_not_applicable() -> None:
    inp = {"tax_year": 2024, "small_scale_vat": True, "vat_paid": 10_000, "urban_maintenance_rate": 0.07}
    r = zjtx.calculate(SIX, inp, on="2025-01-01", strict=False)
    assert r["status"] == "unknown" and "property_tax" in r["missing"]
    r = zjtx.calculate(SIX, {**inp, "not_applicable": "property_tax,land_use_tax,stamp_tax,resource_tax,farmland_tax"},
                       on="2025-01-01")
    assert r["amount"] == D(600)


# ---- E17 ---------------------------------------------------------------------------------------
E17 = {"refund_period": "2022-04", "size_class": "micro", "manufacturing_etc": False, "credit_rating": "A",
       "credit_2019_03": 200_000, "credit_end": 500_000, "input_ratio": 0.9, "stock_refunded": False,
       "fraud_36m": False, "evasion_count_36m": 0, "refund_incentive_since_2019_04": False}


def test_e17_refund() -> None:
    r = zjtx.calculate(REF, E17, on="2022-04-30")
    assert (r["status"], r["amount"]) == ("qualified", D(450_000))
    assert r["components"] == {"incremental": D(270_000), "stock": D(180_000)}
    b = batch(E17, REF, "2022-06-30")
    assert (b["status"], b["amount"]) == ("qualified", D(450_000))


# timing table §2.14: (size, industry / override, month, incremental open, stock open)
REF_TABLE = [
    ("micro", None, False, "2022-04", 270_000 + 180_000),
    ("small", None, False, "2022-04", 270_000),
    ("small", None, False, "2022-05", 450_000),
    ("medium", "C3919", None, "2022-04", 270_000),
    ("medium", "C3919", None, "2022-05", 450_000),
    ("large", "M7320", None, "2022-05", 270_000),
    ("large", "M7320", None, "2022-06", 450_000),
    ("medium", "F5123", None, "2022-06", 0),  # 批发零售: not in 14号; 21号 from 2022-07
    ("medium", "F5123", None, "2022-07", 450_000),
    ("large", "R8810", None, "2022-07", 450_000),
    ("large", "K7010", None, "2022-07", 0),  # 房地产: never in the lists
]


@pytest.mark.parametrize("size,industry,manuf,month,amount", REF_TABLE)
def test_refund_windows(size: str, industry: Any, manuf: Any, month: str, amount: int) -> None:
    inp = {**E17, "size_class": size, "manufacturing_etc": manuf, "industry": industry, "refund_period": month}
    inp = {k: v for k, v in inp.items() if v is not None}
    r = zjtx.calculate(REF, inp, on="2022-12-31")
    assert r["amount"] == D(amount)
    assert batch(inp, REF, "2022-12-31")["amount"] == D(amount)


def test_refund_after_stock_refunded_and_size_from_300() -> None:
    # from 2023 a 小微企业 outside 制造业等行业 refunds under 2019年第39号 第八条: six months of positive
    # incremental credit, 60%; 制造业等行业 keep the full monthly refund (2022年第14号 第二条)
    r = zjtx.calculate(REF, {**E17, "stock_refunded": True, "refund_period": "2023-03",
                             "incremental_positive_6m": True}, on="2023-03-31")
    assert r["components"] == {"incremental": D(270_000), "stock": D(0)} and r["regime"] == f"{REF}@2023-general"
    r = zjtx.calculate(REF, {**E17, "stock_refunded": True, "refund_period": "2023-03", "manufacturing_etc": True},
                       on="2023-03-31")
    assert r["components"] == {"incremental": D(450_000), "stock": D(0)}
    # size derived from 300号 营业收入/资产总额: 工业, 上年增值税销售额 1,000万 → 小型 (≥300万, <2000万)
    inp = {k: v for k, v in E17.items() if k not in ("size_class", "manufacturing_etc")}
    r = zjtx.calculate(REF, {**inp, "industry": "C3919", "vat_sales_prev_year": 10_000_000,
                             "total_assets_prev_year_end": 5_000_000}, on="2022-04-30")
    assert any(t["id"] == "size" and t["value"] == "小型" for t in r["trace"])
    assert r["amount"] == D(270_000)  # small: stock from 2022-05
    r = zjtx.calculate(REF, {**E17, "credit_rating": "M"}, on="2022-04-30")
    assert (r["status"], r["amount"]) == ("not_qualified", D(0))


@pytest.mark.parametrize("policy,inputs,on", [
    (CIT, {"tax_year": 2022, "taxable_income_y1": 2_500_000, "employees_avg": 10, "assets_avg": 1}, "2023-06-30"),
    (RD, {"tax_year": 2022, "industry": "I6513", "rd_expense_tax_y1": 1, "tech_sme_registered": False,
          "rd_expense_tax_q4": 1}, "2023-06-30"),
    (BENCH, {"tax_year": 2022, "industry": "C3919", "rd_expense_tax_y1": 100, "innovation_benchmark_selected": True},
     "2023-06-30"),
    (VAT, {"vat_period": "2023-05", "sales_3pct": 1, "sales_5pct": 200_000, "sales_real_estate": 150_000},
     "2023-06-30"),
    (SIX, {"tax_year": 2021, "small_scale_vat": True, "vat_paid": 1, "urban_maintenance_rate": 0.01,
           "property_tax": 1, "land_use_tax": 1, "stamp_tax": 1, "resource_tax": 1, "farmland_tax": 1}, "2022-06-30"),
    (REF, E17, "2022-04-30"),
])
def test_every_trace_step_is_cited_and_exact(policy: str, inputs: dict[str, Any], on: str) -> None:
    res = zjtx.calculate(policy, inputs, on=on)
    assert res["trace"] and res["document"]
    for step in res["trace"]:
        assert step["cite"], step
        assert not isinstance(step["value"], float), step
    for k in ("tax", "amount", "baseline", "relief"):
        assert res[k] is None or isinstance(res[k], Decimal)
