"""增值税加计抵减 (``vat_plus_deduction``): the rules of 2019年第39号 第七条, 2019年第87号, 2023年第1号,
2023年第43号 and 财税〔2023〕17号 as cases, each checked in both executors (``zjtx.explain`` exact with a
trace, ``zjtx.evaluate`` Polars in integer fen), and ``zjtx match`` listing the relief."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import zjtx
from zjtx.rules.inputs import InputError
from zjtx.rules.policy import PolicyError

PID = "vat_plus_deduction"
ON = "2025-06-30"

# a 现代服务 enterprise (信息技术服务), general taxpayer, services 60% of sales
SERVICE = {"vat_period": "2019-05", "small_scale_vat": False, "four_services_share": 0.6, "life_service_share": 0.1,
           "industry": "I6513", "high_tech_valid": False, "input_vat_deductible": 100_000,
           "vat_payable_before_plus": 30_000}
# a 生活服务 enterprise (餐饮), 生活服务 80% of sales
LIFE = {**SERVICE, "industry": "H6110", "four_services_share": 0.8, "life_service_share": 0.8}
# a 高新技术企业 in 制造业 on the 先进制造业企业 list
MAKER = {**SERVICE, "vat_period": "2024-03", "industry": "C3919", "high_tech_valid": True,
         "advanced_manufacturing_listed": True, "four_services_share": 0.05, "life_service_share": 0}


def D(x: Any) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def both(rec: dict[str, Any]) -> dict[str, Any]:
    """The exact result, after checking the batch row says the same."""
    one = zjtx.explain(rec, PID, on=ON)
    row = zjtx.evaluate([rec], on=ON, policies=[PID]).row(0, named=True)
    for k in ("status", "tax", "baseline", "relief", "regime"):
        assert row[f"{PID}.{k}"] == one[k], (k, row[f"{PID}.{k}"], one[k])
    assert set(row[f"{PID}.missing"]) == set(one["missing"])
    assert set(row[f"{PID}.manual"]) == set(one["manual"])
    return one


def comp(res: dict[str, Any]) -> tuple:
    c = res["components"]
    return c["accrued"], c["reduced"], c["available"], c["balance_end"]


# ---- 39号 第七条(三) / 43号 第三条: the three cases of 抵减前的应纳税额 ---------------------------------
def test_payable_above_available_credits_all_of_it() -> None:
    r = both(SERVICE)  # 计提 100,000 × 10% = 10,000 < 30,000: the whole 10,000 is credited
    assert (r["status"], r["regime"]) == ("qualified", f"{PID}@2019-39")
    assert (r["baseline"], r["tax"], r["relief"]) == (D(30_000), D(20_000), D(10_000))
    assert comp(r) == (D(10_000), D(0), D(10_000), D(0))
    assert any("2019年第39号 第七条" in (s.get("cite") or "") for s in r["trace"])


def test_payable_below_available_is_reduced_to_zero_and_the_rest_carried() -> None:
    r = both({**SERVICE, "vat_payable_before_plus": 5_000, "plus_balance_start": 2_000})
    assert (r["tax"], r["relief"]) == (D(0), D(5_000))
    assert comp(r) == (D(10_000), D(0), D(12_000), D(7_000))


def test_payable_zero_carries_everything() -> None:
    r = both({**SERVICE, "vat_payable_before_plus": 0, "plus_balance_start": 2_000})
    assert (r["status"], r["tax"], r["relief"]) == ("qualified", D(0), D(0))
    assert comp(r) == (D(10_000), D(0), D(12_000), D(12_000))


# ---- 39号 第七条(二): transferred-out input reduces the credit; exports accrue none -------------------
def test_transferred_out_input_reduces_the_credit() -> None:
    r = both({**SERVICE, "input_vat_transferred_out": 20_000, "plus_balance_start": 500})
    assert comp(r) == (D(10_000), D(2_000), D(8_500), D(0))
    assert (r["tax"], r["relief"]) == (D(21_500), D(8_500))


def test_export_input_accrues_nothing() -> None:
    r = both({**SERVICE, "input_vat_excluded": 40_000})
    assert comp(r)[0] == D(6_000)
    with pytest.raises(InputError, match="input_vat_excluded"):
        zjtx.explain({**SERVICE, "input_vat_excluded": 140_000}, PID, on=ON)
    row = zjtx.evaluate([{**SERVICE, "input_vat_excluded": 140_000}], on=ON, policies=[PID]).row(0, named=True)
    assert (row[f"{PID}.status"], row[f"{PID}.missing"]) == ("unknown", ["input_vat_excluded"])


# ---- the share test: "超过50%" ------------------------------------------------------------------
@pytest.mark.parametrize("share,status", [(0.5, "not_qualified"), (0.5001, "qualified"), (0.49, "not_qualified")])
def test_share_exactly_half_does_not_qualify(share: float, status: str) -> None:
    r = both({**SERVICE, "four_services_share": share, "life_service_share": 0})
    assert r["status"] == status
    if status == "not_qualified":
        assert (r["tax"], r["relief"]) == (D(30_000), D(0)) and "category" in r["failed"]


# ---- regime changes: 生活性服务业 15% from 2019-10-01 (87号); 2023年第1号; services end 2023-12-31 ----
@pytest.mark.parametrize("period,regime,relief", [
    ("2019-09", "2019-39", 10_000), ("2019-10", "2019-87", 15_000), ("2019-Q3", "2019-39", 10_000),
    ("2019-Q4", "2019-87", 15_000), ("2022-12", "2019-87", 15_000), ("2023-01", "2023-1", 10_000),
])
def test_life_services_by_period(period: str, regime: str, relief: int) -> None:
    r = both({**LIFE, "vat_period": period})
    assert (r["status"], r["regime"], r["relief"]) == ("qualified", f"{PID}@{regime}", D(relief))


@pytest.mark.parametrize("period,relief", [("2022-12", 10_000), ("2023-06", 5_000)])
def test_producer_services_by_period(period: str, relief: int) -> None:
    assert both({**SERVICE, "vat_period": period})["relief"] == D(relief)


def test_services_have_no_credit_from_2024() -> None:
    r = both({**LIFE, "vat_period": "2024-01", "plus_balance_start": 50_000})
    assert (r["status"], r["relief"], r["regime"]) == ("not_qualified", D(0), f"{PID}@2023-43")


def test_outside_the_covered_periods_is_refused() -> None:
    for period in ("2019-03", "2028-01"):
        with pytest.raises(PolicyError, match="不在已收录"):
            zjtx.explain({**SERVICE, "vat_period": period}, PID, on=ON)


# ---- 43号: 先进制造业企业 5%; 17号: 集成电路 15%; 择优、不叠加 -----------------------------------------
def test_advanced_manufacturing_five_percent() -> None:
    r = both(MAKER)
    assert (r["status"], r["relief"], r["regime"]) == ("qualified", D(5_000), f"{PID}@2023-43")
    assert both({**MAKER, "vat_period": "2022-12"})["status"] == "not_qualified"  # not before 2023
    assert both({**MAKER, "industry": "I6513"})["status"] == "qualified"  # on the list: the list decides
    # list not recorded: a 高新技术企业 in 制造业 is a candidate, shown for review
    r = both({**MAKER, "advanced_manufacturing_listed": None})
    assert (r["status"], r["relief"], r["manual"]) == ("manual_review", D(5_000), ["advanced_manufacturing_listed"])
    assert both({**MAKER, "advanced_manufacturing_listed": None, "high_tech_valid": False})["status"] == "not_qualified"


def test_ic_fifteen_percent_takes_precedence_without_stacking() -> None:
    r = both({**MAKER, "ic_or_machine_tool": True})
    assert (r["status"], r["relief"]) == ("qualified", D(15_000))
    # a 生活性服务业 enterprise that is also on the list in 2023: the better rate (10% > 5%), not 15%
    r = both({**LIFE, "vat_period": "2023-05", "high_tech_valid": True, "advanced_manufacturing_listed": True})
    assert r["relief"] == D(10_000)


# ---- small-scale taxpayers never qualify; missing data --------------------------------------------
def test_small_scale_taxpayer_never_qualifies() -> None:
    r = both({**SERVICE, "small_scale_vat": True})
    assert r["status"] == "not_qualified" and "general_taxpayer" in r["failed"]


def test_missing_inputs_are_named() -> None:
    assert both({**SERVICE, "small_scale_vat": None})["missing"] == ["small_scale_vat"]
    assert both({**SERVICE, "four_services_share": None})["missing"] == ["four_services_share"]
    # 2019-10 on: the 生活服务 share decides between 15% and 10%
    r = both({**SERVICE, "vat_period": "2019-11", "life_service_share": None})
    assert (r["status"], r["missing"]) == ("unknown", ["life_service_share"])
    # four services at most half: 生活服务 cannot be more than half either
    assert both({**SERVICE, "vat_period": "2019-11", "four_services_share": 0.4,
                 "life_service_share": None})["status"] == "not_qualified"
    assert both({**SERVICE, "input_vat_deductible": None})["missing"] == ["input_vat_deductible"]


# ---- zjtx match --------------------------------------------------------------------------------
def test_match_lists_the_credit_for_an_eligible_enterprise() -> None:
    items = {it["policy"]: it for it in zjtx.match({**SERVICE, "vat_period": "2023-05"}, "2023-06-30")}
    it = items[PID]
    assert (it["match"], it["estimate"]) == ("qualified", D(5_000))
    assert "2023年第1号" in it["cite"]
    later = {it["policy"] for it in zjtx.match({**SERVICE, "vat_period": "2024-05"}, "2024-06-30")}
    assert PID not in later  # services have no credit from 2024: not listed
