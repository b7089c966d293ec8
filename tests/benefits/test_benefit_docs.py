"""docs/calculators.md and docs/fields.md cover every calculator parameter and input."""

from __future__ import annotations

from pathlib import Path

from zjtx.policies import catalog
from zjtx.rules.calculators import Calculator

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_calculator_is_registered_and_documented() -> None:
    calc_doc = (DOCS / "calculators.md").read_text(encoding="utf-8")
    fields_doc = (DOCS / "fields.md").read_text(encoding="utf-8")
    params = catalog().parameters.parameters
    SCHEMA = catalog().schema
    for pid in catalog().support:
        calc = catalog().get(pid)
        assert isinstance(calc, Calculator)
        assert f"`{pid}`" in calc_doc
        for f in calc.fields:
            assert f in SCHEMA, f"{pid}: input {f} not registered"
            assert f"`{f}`" in fields_doc, f"{f} not in docs/fields.md"
        own = [k for k in params if k.startswith(pid + ".")]
        assert own, pid
        for k in own:
            assert f"`{k}`" in calc_doc, f"{k} not in docs/calculators.md"
            for e in params[k].history:
                assert e.source and e.tag, k


def test_required_parameters_cover_2019_to_2027() -> None:
    ps = catalog().parameters
    for pid in ("cit_small_low_profit", "six_taxes_two_fees"):
        assert catalog().get(pid).covered_years(ps) == list(range(2019, 2028))
    assert catalog().get("rd_super_deduction").covered_years(ps) == list(range(2018, 2028))
    assert catalog().get("vat_small_scale").coverage_text(ps) == "2019-01 – 2027-12"
