"""Boundary cases and bad input for the calculators (POLICIES.md §1.4, §2.10–§2.14)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import zjtx
from zjtx.policies.cit_small_low_profit import annual_average, cumulative_prepayment
from zjtx.rules.inputs import InputError
from zjtx.rules.policy import PolicyError

CIT = "cit_small_low_profit"
VAT = "vat_small_scale"


def D(x: Any) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def cit(income: Any, year: int = 2024, **kw: Any) -> dict[str, Any]:
    inp = {"tax_year": year, "taxable_income_y1": income, "employees_avg": 50, "assets_avg": 10_000_000, **kw}
    return zjtx.calculate(CIT, inp, on=f"{year + 1}-06-30")


# ---- the 300万 cliff ------------------------------------------------------------------------------
def test_exactly_300wan_qualifies() -> None:
    r = cit(3_000_000)
    assert (r["status"], r["tax"]) == ("qualified", D(150_000))


def test_300wan_plus_one_yuan_is_25pct_on_the_whole() -> None:
    r = cit(3_000_001)
    assert (r["status"], r["tax"]) == ("not_qualified", D("750000.25"))
    assert "income" in r["failed"]
    b = zjtx.evaluate([{"taxable_income_y1": 3_000_001, "employees_avg": 50, "assets_avg": 1}], on="2025-06-30",
                      policies=[CIT]).row(0, named=True)
    assert b[f"{CIT}.tax"] == D("750000.25")


def test_300wan_plus_one_fen_2022() -> None:
    assert cit(3_000_000.01, 2022)["tax"] == D("750000.00")  # 3,000,000.01 × 25% = 750,000.0025 → half-up
    assert cit(3_000_000, 2022)["tax"] == D(125_000)


@pytest.mark.parametrize("kw,status", [
    ({"employees_avg": 300}, "qualified"), ({"employees_avg": 300.25}, "not_qualified"),
    ({"assets_avg": 50_000_000}, "qualified"), ({"assets_avg": 50_000_000.01}, "not_qualified"),
    ({"restricted_industry": True}, "not_qualified"),
])
def test_size_bounds(kw: dict[str, Any], status: str) -> None:
    assert cit(1_000_000, **kw)["status"] == status


def test_loss_pays_nothing() -> None:
    r = cit(-500_000)
    assert (r["tax"], r["baseline"]) == (D(0), D(0))


def test_half_up_rounding_at_the_end() -> None:
    # 0.10 yuan × 5% = 0.005 → 0.01 (half-up), not 0.00 (half-even)
    assert cit(0.10)["tax"] == D("0.01")
    assert zjtx.evaluate([{"taxable_income_y1": 0.10, "employees_avg": 1, "assets_avg": 1}], on="2025-06-30",
                         policies=[CIT]).item(0, f"{CIT}.tax") == D("0.01")


def test_unknown_averages_and_the_approximation_option() -> None:
    rec = {"taxable_income_y1": 800_000, "employees_y1": 50, "total_assets_y1": 10_000_000}
    r = zjtx.explain(rec, CIT, on="2025-06-30")
    assert r["status"] == "unknown" and set(r["missing"]) == {"employees_avg", "assets_avg"} and r["tax"] is None
    r = zjtx.explain(rec, CIT, on="2025-06-30", options={"approximate_averages": True})
    assert (r["status"], r["tax"], r["provisional"]) == ("qualified", D(40_000), True)
    # the cliff decides even without the averages
    r = zjtx.explain({"taxable_income_y1": 4_000_000}, CIT, on="2025-06-30")
    assert (r["status"], r["tax"]) == ("not_qualified", D(1_000_000))


# ---- 全年季度平均值 ------------------------------------------------------------------------------
def test_annual_average_full_year() -> None:
    q = [(100, 120), (120, 140), (140, 160), (160, 180)]
    assert annual_average(q) == Fraction(110 + 130 + 150 + 170, 4)


def test_annual_average_opened_mid_year() -> None:
    # opened in Q3 (季初值 = value on the opening day): the actual operating period is the year
    q = [None, None, (10, 30), (30, 50)]
    assert annual_average(q) == Fraction(20 + 40, 2)
    avg = annual_average([None, None, (0, 290_000_000), (290_000_000, 310_000_000)])
    assert avg == 222_500_000


def test_annual_average_rejects_gaps_and_negatives() -> None:
    with pytest.raises(InputError, match="连续"):
        annual_average([(1, 2), None, (1, 2), None])
    with pytest.raises(InputError, match="负数"):
        annual_average([(1, -2), (1, 2), (1, 2), (1, 2)])


# ---- cumulative quarterly prepayment (国家税务总局公告2022年第5号) -------------------------------
def _q(code: str, income: int, emp: tuple[int, int] = (50, 50), assets: tuple[int, int] = (9_000_000, 9_000_000)
       ) -> dict[str, Any]:
    return {"quarter": code, "taxable_income_cum": income, "employees": emp, "assets": assets}


def test_cumulative_prepayment_q1_to_q3() -> None:
    out = cumulative_prepayment([_q("2024-Q1", 400_000), _q("2024-Q2", 1_200_000), _q("2024-Q3", 2_000_000)])
    assert [o["tax_cum"] for o in out] == [D(20_000), D(60_000), D(100_000)]
    assert [o["payable"] for o in out] == [D(20_000), D(40_000), D(40_000)]
    assert all(o["small_low_profit"] for o in out)


def test_cumulative_prepayment_crossing_the_cliff_2022() -> None:
    out = cumulative_prepayment([_q("2022-Q1", 1_000_000), _q("2022-Q2", 2_000_000), _q("2022-Q3", 3_500_000)])
    assert [o["tax_cum"] for o in out] == [D(25_000), D(75_000), D(875_000)]
    assert [o["payable"] for o in out] == [D(25_000), D(50_000), D(800_000)]
    assert out[2]["small_low_profit"] is False


def test_cumulative_prepayment_validates_the_sequence() -> None:
    with pytest.raises(InputError, match="连续"):
        cumulative_prepayment([_q("2024-Q1", 1), _q("2024-Q3", 2)])
    with pytest.raises(InputError, match="同一纳税年度"):
        cumulative_prepayment([_q("2023-Q4", 1), _q("2024-Q1", 2)])
    with pytest.raises(InputError, match="连续"):
        cumulative_prepayment([_q("2024-Q2", 1), _q("2024-Q1", 2)])
    with pytest.raises(PolicyError, match="2019–2027"):
        cumulative_prepayment([_q("2030-Q1", 1)])
    # a business opened in Q2 starts there
    assert cumulative_prepayment([_q("2024-Q2", 100), _q("2024-Q3", 200)])[1]["payable"] == D(5)


# ---- VAT thresholds --------------------------------------------------------------------------------
@pytest.mark.parametrize("period,s3,tax", [
    ("2024-05", 100_000, 0), ("2024-05", 100_000.01, D("1000.00")),
    ("2021-05", 150_000, 0), ("2021-05", 150_000.01, D("1500.00")),
    ("2022-03", 150_001, D("1500.01")), ("2022-04", 150_001, 0),
])
def test_vat_thresholds_inclusive(period: str, s3: Any, tax: Any) -> None:
    assert zjtx.calculate(VAT, {"vat_period": period, "sales_3pct": s3}, on="2025-01-01")["tax"] == D(tax)


def test_vat_2022_march_vs_april_for_3pct_items() -> None:
    mar = zjtx.calculate(VAT, {"vat_period": "2022-03", "sales_3pct": 300_000}, on="2022-06-30")
    apr = zjtx.calculate(VAT, {"vat_period": "2022-04", "sales_3pct": 300_000}, on="2022-06-30")
    assert (mar["tax"], mar["status"], mar["relief"]) == (D(3_000), "qualified", D(6_000))  # 1% to 2022-03-31
    assert (apr["tax"], apr["status"], apr["relief"]) == (D(0), "qualified", D(9_000))


def test_vat_quarter_across_a_change_is_refused() -> None:
    with pytest.raises(PolicyError, match="按月"):
        zjtx.calculate(VAT, {"vat_period": "2020-Q1", "sales_3pct": 1}, on="2022-06-30")
    assert zjtx.calculate(VAT, {"vat_period": "2022-Q2", "sales_3pct": 1}, on="2022-06-30")["tax"] == D(0)


# ---- bad input ------------------------------------------------------------------------------------
def test_negative_amount_names_the_input() -> None:
    with pytest.raises(InputError, match="assets_avg.*不能为负数"):
        cit(1_000, assets_avg=-1)
    with pytest.raises(InputError, match="sales_3pct"):
        zjtx.calculate(VAT, {"vat_period": "2024-01", "sales_3pct": -5}, on="2024-06-30")


@pytest.mark.parametrize("policy,inputs,covered", [
    (CIT, {"tax_year": 2018, "taxable_income_y1": 1, "employees_avg": 1, "assets_avg": 1}, "2019–2027 年"),
    (CIT, {"tax_year": 2028, "taxable_income_y1": 1, "employees_avg": 1, "assets_avg": 1}, "2019–2027 年"),
    ("rd_super_deduction", {"tax_year": 2030, "industry": "C", "rd_expense_tax_y1": 1}, "2018–2027 年"),
    ("six_taxes_two_fees", {"tax_year": 2017, "small_scale_vat": True}, "2019–2027 年"),
    (VAT, {"vat_period": "2028-01", "sales_3pct": 1}, "2019-01 – 2027-12"),
    ("vat_credit_refund", {"refund_period": "2022-03"}, "2022-04 起"),
])
def test_period_outside_coverage_lists_covered(policy: str, inputs: dict[str, Any], covered: str) -> None:
    with pytest.raises(PolicyError) as exc:
        zjtx.calculate(policy, inputs, on="2025-06-30")
    assert covered in str(exc.value) and "已收录" in str(exc.value)


def test_record_evaluated_outside_coverage() -> None:
    with pytest.raises(PolicyError, match="2019–2027"):
        zjtx.evaluate([{"taxable_income_y1": 1}], on="2029-06-30", policies=[CIT])
    with pytest.raises(PolicyError, match="2019–2027"):
        zjtx.explain({"taxable_income_y1": 1}, CIT, on="2019-06-30")


def test_missing_required_input_is_named() -> None:
    with pytest.raises(InputError) as exc:
        zjtx.calculate(CIT, {"tax_year": 2024, "taxable_income_y1": 100}, on="2025-06-30")
    assert "employees_avg" in str(exc.value) and "assets_avg" in str(exc.value) and "缺少必填输入" in str(exc.value)
    with pytest.raises(InputError, match="sales_3pct"):
        zjtx.calculate(VAT, {"vat_period": "2024-01"}, on="2024-06-30")
    with pytest.raises(InputError, match="credit_rating"):
        zjtx.calculate("vat_credit_refund", {k: v for k, v in {
            "refund_period": "2022-04", "size_class": "micro", "credit_end": 1, "credit_2019_03": 0,
            "input_ratio": 1, "stock_refunded": False, "fraud_36m": False, "evasion_count_36m": 0,
            "refund_incentive_since_2019_04": False}.items()}, on="2022-04-30")


def test_other_bad_input() -> None:
    with pytest.raises(InputError, match="taxable_incme"):
        zjtx.calculate(CIT, {"tax_year": 2024, "taxable_incme": 1}, on="2025-06-30")
    with pytest.raises(InputError, match="vat_period"):
        zjtx.calculate(VAT, {"vat_period": "2024/01", "sales_3pct": 1}, on="2025-06-30")
    with pytest.raises(InputError, match="sales_real_estate"):
        zjtx.calculate(VAT, {"vat_period": "2024-01", "sales_3pct": 1, "sales_5pct": 1, "sales_real_estate": 2},
                       on="2025-06-30")
    with pytest.raises(InputError, match="urban_maintenance_rate"):
        zjtx.calculate("six_taxes_two_fees", {"tax_year": 2024, "small_scale_vat": True, "vat_paid": 1,
                                              "urban_maintenance_rate": 0.06}, on="2025-06-30")
    with pytest.raises(PolicyError, match="不是计算器"):
        zjtx.calculate("tech_sme", {}, on="2025-06-30")
    with pytest.raises(InputError, match="tax_year"):
        zjtx.calculate(CIT, {"tax_year": "二〇二四", "taxable_income_y1": 1}, on="2025-06-30")


def test_reform_overlay_reaches_the_tax_year() -> None:
    r = zjtx.explain({"taxable_income_y1": 800_000, "employees_avg": 1, "assets_avg": 1}, CIT, on="2025-06-30",
                     params={"cit_small_low_profit.rate_low": 0.025})
    assert r["tax"] == D(20_000)
    b = zjtx.evaluate([{"taxable_income_y1": 800_000, "employees_avg": 1, "assets_avg": 1}], on="2025-06-30",
                      policies=[CIT], params={"cit_small_low_profit.rate_low": 0.025})
    assert b.item(0, f"{CIT}.tax") == D(20_000)


def test_large_amounts_stay_exact_in_both_executors() -> None:
    inp = {"refund_period": "2022-04", "size_class": "micro", "credit_rating": "A", "credit_2019_03": 0,
           "credit_end": 90_000_000_000.01, "input_ratio": 0.999999, "stock_refunded": False, "fraud_36m": False,
           "evasion_count_36m": 0, "refund_incentive_since_2019_04": False}
    r = zjtx.calculate("vat_credit_refund", inp, on="2022-04-30")
    b = zjtx.evaluate([inp], on="2022-04-30", policies=["vat_credit_refund"]).item(0, "vat_credit_refund.amount")
    assert r["amount"] == b == D("89999910000.01")
