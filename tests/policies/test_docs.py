"""docs/policies.md is generated from the declarations and parameters: it must be current."""

from pathlib import Path

from zjtx.policies.docgen import render, render_calculators

DOC = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
CALC_DOC = Path(__file__).resolve().parents[2] / "docs" / "calculators.md"


def test_policy_docs_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run `zjtx docs` to regenerate docs/policies.md"


def test_calculator_docs_are_current() -> None:
    assert CALC_DOC.read_text(encoding="utf-8") == render_calculators(), "run `zjtx docs` to regenerate docs/calculators.md"


def test_policy_docs_cite_every_condition() -> None:
    text = render()
    for line in text.splitlines():
        if line.startswith(("| 条件 |", "| 直通 |", "| 评分 |")):
            assert line.rstrip(" |").rsplit("|", 1)[1].strip(), f"condition without a citation: {line}"
