"""Bad input gets a clear error naming the record, the field and the reason; nothing is evaluated."""

from __future__ import annotations

import pytest

import zjtx
from zjtx.rules.inputs import InputError
from zjtx.rules.policy import PolicyError

GOOD = {"uscc": "91442000MA4W0JXK7M", "industry": "C3919", "employees_y1": 50, "tech_staff_y1": 12,
        "revenue_y1": 20_000_000, "total_assets_y1": 30_000_000, "rd_expense_tax_y1": 1_500_000,
        "total_cost_y1": 18_000_000, "ip1": 1, "ip2": 0, "abnormal_or_dishonest": False,
        "major_incident_3y": False, "restricted_industry": False}


@pytest.mark.parametrize(
    ("policy", "field", "value", "reason"),
    [
        ("tech_sme", "revenue_y1", "两千万", "不是数字"),
        ("tech_sme", "employees_y1", -3, "应为非负整数"),
        ("tech_sme", "employees_y1", 12.5, "应为非负整数"),
        ("tech_sme", "ip1", 0.4, "应为非负整数"),
        ("tech_sme", "total_assets_y1", -1, "不能为负数"),
        ("little_giant", "market_share", 1.2, "应为 0–1 之间的比例"),
        ("tech_sme", "high_tech_valid", "也许", "应为 是/否"),
        ("high_tech", "founded_on", "2020-02-30", "不是有效日期"),
        ("tech_sme", "rd_institution", "county", "取值应为 national / provincial"),
        ("tech_sme", "national_award_rank_5y", 0, "排名应为不小于 1 的整数"),
    ],
)
def test_bad_value_named_in_batch_and_single(policy: str, field: str, value: object, reason: str) -> None:
    bad = {**GOOD, "uscc": "91442000MA51R8KX1B", field: value}
    with pytest.raises(InputError) as exc:
        zjtx.evaluate([GOOD, bad], on="2025-06-30", policies=[policy])
    msg = str(exc.value)
    assert "第2条记录（91442000MA51R8KX1B）" in msg and field in msg and reason in msg
    assert "第1条记录" not in msg
    with pytest.raises(InputError, match=reason):
        zjtx.explain(bad, policy, on="2025-06-30")


def test_every_problem_is_listed_at_once() -> None:
    bad = {**GOOD, "revenue_y1": "abc", "employees_y1": -1}
    with pytest.raises(InputError) as exc:
        zjtx.evaluate([bad], on="2025-06-30")
    assert len({i.field for i in exc.value.issues}) == 2


def test_numbers_as_text_with_thousands_separators_are_read() -> None:
    rec = {**GOOD, "revenue_y1": "20,000,000", "employees_y1": "50", "abnormal_or_dishonest": "否"}
    df = zjtx.evaluate([rec], on="2025-06-30", policies=["tech_sme"])
    assert df["tech_sme.score"][0] == 92


def test_unknown_policy_lists_the_catalog() -> None:
    with pytest.raises(PolicyError, match="未知政策 'no_such'.*tech_sme"):
        zjtx.evaluate([GOOD], on="2025-06-30", policies=["no_such"])


def test_unparseable_date() -> None:
    with pytest.raises(ValueError, match="评价日期 '2025-13-01' 不是有效日期"):
        zjtx.evaluate([GOOD], on="2025-13-01")


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        zjtx.evaluate(tmp_path / "nope.csv", on="2025-06-30")
