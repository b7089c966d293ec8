"""Dated parameters: value in force by date, overlays, exact decimals, clear errors."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import pytest

from zjtx.rules.params import ParameterError, ParameterSet, parse_overlay_value

YAML = """
demo.rate:
  label: 税率
  unit: ratio
  history:
    - {from: 2019-01-01, value: 0.05, source: 文件A 第一条, tag: MEMORY}
    - {from: 2021-01-01, value: 0.025, source: 文件B 第二条, tag: CONFIRMED}
    - {from: 2023-01-01, to: 2027-12-31, value: 0.05, source: 文件C 第三条, tag: CONFIRMED}
"""


@pytest.fixture()
def ps(tmp_path: Path) -> ParameterSet:
    f = tmp_path / "demo.yaml"
    f.write_text(YAML, encoding="utf-8")
    return ParameterSet.load([f])


def test_value_in_force_by_date(ps: ParameterSet) -> None:
    assert ps.at(dt.date(2020, 12, 31))["demo.rate"].value == Fraction(1, 20)
    v = ps.at(dt.date(2021, 1, 1))["demo.rate"]
    assert v.value == Fraction(1, 40) and v.source == "文件B 第二条" and v.valid_to == dt.date(2022, 12, 31)
    assert ps.at(dt.date(2027, 12, 31))["demo.rate"].valid_to == dt.date(2027, 12, 31)
    assert "demo.rate" not in ps.at(dt.date(2028, 1, 1))
    assert "demo.rate" not in ps.at(dt.date(2018, 12, 31))


def test_numbers_are_exact_decimals(ps: ParameterSet) -> None:
    assert ps.at(dt.date(2022, 6, 1))["demo.rate"].value == Fraction(25, 1000)


def test_provisional_follows_the_tag(ps: ParameterSet) -> None:
    assert ps.at(dt.date(2020, 1, 1))["demo.rate"].provisional is True
    assert ps.at(dt.date(2024, 1, 1))["demo.rate"].provisional is False


def test_overlay_replaces_and_is_cited(ps: ParameterSet) -> None:
    v = ps.at(dt.date(2024, 1, 1), {"demo.rate": parse_overlay_value("0.04")}, "降税方案")["demo.rate"]
    assert v.value == Fraction(1, 25) and v.overridden and "降税方案" in v.source and "文件C" in v.source


def test_overlay_of_unknown_parameter_fails(ps: ParameterSet) -> None:
    with pytest.raises(ParameterError, match="unknown parameter 'demo.nope'"):
        ps.at(dt.date(2024, 1, 1), {"demo.nope": 1})


def test_parameter_not_in_force_names_it(ps: ParameterSet) -> None:
    with pytest.raises(ParameterError, match="demo.rate.*2018-01-01"):
        ps.at(dt.date(2018, 1, 1))["demo.rate"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x:\n  history:\n    - {from: 2020-01-01, value: 1}\n", "needs 'from', 'value' and 'source'"),
        ("x:\n  history:\n    - {from: 2020-13-01, value: 1, source: s}\n", "格式错误：month must be in 1..12"),
        ("x:\n  history:\n    - {from: '2020-1-1x', value: 1, source: s}\n", "not an ISO date"),
        ("x:\n  history:\n    - {from: 2020-01-01, value: 1, source: s, tag: GUESS}\n", "unknown tag 'GUESS'"),
        ("x: [1, 2\n", "格式错误"),
        ("x: 1\n", "needs a 'history' list"),
    ],
)
def test_malformed_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        ParameterSet.load([f])


def test_catalog_parameters_all_cite_a_source() -> None:
    import zjtx.policies as catalog

    for pid, param in catalog.parameter_set().parameters.items():
        for entry in param.history:
            assert entry.source.strip(), f"{pid} has a value without a source"
