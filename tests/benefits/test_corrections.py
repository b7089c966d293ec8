"""Rule corrections checked against the official texts, each with the text's own example or a case
built from its wording (citations in the parameter files)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import zjtx

VAT = "vat_small_scale"


def D(x: Any) -> Decimal:
    return Decimal(str(x)).quantize(Decimal("0.01"))


def batch(record: dict[str, Any], policy: str, on: str) -> dict[str, Any]:
    row = zjtx.evaluate([record], on=on, policies=[policy]).row(0, named=True)
    return {k.split(".", 1)[1]: v for k, v in row.items() if k.startswith(policy + ".")}


def test_real_estate_carveout_2019_official_example() -> None:
    """国家税务总局公告2019年第4号 第一条 and its 解读: January 2019, 货物4万 + 服务3万 + 不动产10万 =
    17万 > 10万; without 不动产 7万 ≤ 10万 → 货物、服务 exempt, 不动产 10万 × 5% = 5,000."""
    rec = {"vat_period": "2019-01", "sales_3pct": 70_000, "sales_5pct": 100_000, "sales_real_estate": 100_000}
    r = zjtx.calculate(VAT, rec, on="2019-02-15")
    assert (r["status"], r["tax"]) == ("qualified", D(5_000))
    assert any(t["id"] == "real_estate" and "2019年第4号" in t["cite"] for t in r["trace"])
    b = batch(rec, VAT, "2019-02-15")
    assert (b["status"], b["tax"]) == ("qualified", D(5_000))


@pytest.mark.parametrize("period,s3,s5,re_,tax", [
    ("2021-07", 100_000, 100_000, 100_000, 5_000),  # 15万 threshold (2021年第5号): 10万 other sales exempt
    ("2020-09", 80_000, 60_000, 60_000, 3_000),      # 2020: 8万 exempt, 不动产 6万 × 5%
    ("2019-06", 90_000, 20_000, 10_000, 500),        # 9万 + 1万 other = 10万 (未超过): only 不动产 1万 × 5%
    ("2019-06", 90_000, 30_000, 10_000, 4_200),      # 9万 + 2万 other > 10万: 9万 × 3% + 3万 × 5%
])
def test_real_estate_carveout_every_year(period: str, s3: int, s5: int, re_: int, tax: int) -> None:
    rec = {"vat_period": period, "sales_3pct": s3, "sales_5pct": s5, "sales_real_estate": re_}
    assert zjtx.calculate(VAT, rec, on="2028-01-01")["tax"] == D(tax)
    assert batch(rec, VAT, "2028-01-01")["tax"] == D(tax)


@pytest.mark.parametrize("period,tax", [("2020-03", 2_000), ("2021-03", 2_000), ("2021-04", 2_000),
                                        ("2021-12", 2_000), ("2022-03", 2_000), ("2022-04", 0),
                                        ("2020-02", 6_000)])
def test_one_percent_until_march_2022(period: str, tax: int) -> None:
    """3% items at 1% from 2020-03 (2020年第13号) continuously to 2022-03-31 (2021年第7号 第一条,
    2022年第15号 第一条), exempt 2022-04 – 2022-12 (2022年第15号 第二条)."""
    rec = {"vat_period": period, "sales_3pct": 200_000}
    assert zjtx.calculate(VAT, rec, on="2028-01-01")["tax"] == D(tax)
    assert batch(rec, VAT, "2028-01-01")["tax"] == D(tax)


REF = "vat_credit_refund"
E17 = {"refund_period": "2022-04", "size_class": "micro", "manufacturing_etc": False, "credit_rating": "A",
       "credit_2019_03": 200_000, "credit_end": 500_000, "input_ratio": 0.9, "stock_refunded": False,
       "fraud_36m": False, "evasion_count_36m": 0, "refund_incentive_since_2019_04": False}


def test_refund_conditions_cite_article_three() -> None:
    r = zjtx.calculate(REF, E17, on="2022-04-30")
    assert any("第三条" in t["cite"] for t in r["trace"] if t["id"] == "eligible")
    assert {p["id"]: p["source"] for p in r["params"]}[f"{REF}.eligible_ratings"].startswith(
        "财政部 税务总局公告2022年第14号 第三条")


@pytest.mark.parametrize("six,end,amount,status", [
    (True, 700_000, 270_000, "qualified"),       # incremental 50万 (exactly the floor): 50万 × 0.9 × 60%
    (True, 699_999.99, 0, "not_qualified"),      # the sixth month's incremental credit below 50万
    (False, 900_000, 0, "not_qualified"),        # not six months of positive incremental credit
])
def test_refund_after_2022_general_regime(six: bool, end: float, amount: int, status: str) -> None:
    """The 小微企业 full refund of 2022年第14号 第一条 ends on 2022-12-31; a 小微企业 outside 制造业等行业
    then refunds under 2019年第39号 第八条 (six months, 50万元, 60%)."""
    inp = {**E17, "refund_period": "2023-06", "credit_end": end, "incremental_positive_6m": six}
    r = zjtx.calculate(REF, inp, on="2023-06-30")
    assert (r["status"], r["amount"], r["regime"]) == (status, D(amount), f"{REF}@2023-general")
    assert r["provisional"] is True
    b = batch(inp, REF, "2023-06-30")
    assert (b["status"], b["amount"]) == (status, D(amount))


def test_refund_december_2022_still_full() -> None:
    r = zjtx.calculate(REF, {**E17, "refund_period": "2022-12", "stock_refunded": True}, on="2022-12-31")
    assert (r["amount"], r["regime"]) == (D(450_000), f"{REF}@2022-14")
