"""Condition labels take their thresholds from the parameters: every threshold parameter a named
condition reads appears in its label as ``{parameter.id}``, no other number is written into a label,
and under a reform overlay the trace shows the overlay's value."""

from __future__ import annotations

import re

import pytest

import zjtx
from zjtx.policies import catalog
from zjtx.rules.nodes import PLACEHOLDER, Cond, P, placeholders, render

# numbers that are part of the wording, not thresholds ("近2年" is the period the text names; a score
# "不为0"); parameters whose value the text states in words ("注册成立一年以上" ↔ min_days 365)
WORDING = {"近2年", "不为0"}
IN_WORDS = {"high_tech.min_days", "high_tech.min_ip"}


def named_conditions() -> list:
    out = []
    cat = catalog()
    for pid in cat.tiers:
        for r in cat.get(pid).regimes:
            for node in r.nodes():
                if isinstance(node, Cond) and node.id and node.label:
                    out.append(pytest.param(r, node, id=f"{r.id}:{node.id}"))
    return out


def own_params(cond: Cond) -> set[str]:
    """Parameters read by ``cond`` itself, not by named conditions inside it."""
    out: set[str] = set()

    def rec(n: object) -> None:
        if n is not cond and isinstance(n, Cond) and n.id:
            return
        if isinstance(n, P):
            out.add(n.pid)
        for attr in ("n", "values", "prefixes", "threshold", "b"):
            v = getattr(n, attr, None)
            if isinstance(v, P):
                out.add(v.pid)
        for ch in getattr(n, "children", list)():
            rec(ch)

    rec(cond)
    return out


@pytest.mark.parametrize("regime,cond", named_conditions())
def test_label_thresholds_come_from_parameters(regime, cond) -> None:
    params = catalog().parameters.parameters
    refs = placeholders(cond.label)
    assert set(refs) <= set(params), f"unknown parameters in label: {set(refs) - set(params)}"
    thresholds = {p for p in own_params(cond) if params[p].unit not in ("list", "table", "bool")} - IN_WORDS
    assert thresholds <= set(refs), f"label states no value for {sorted(thresholds - set(refs))}: {cond.label}"
    literal = PLACEHOLDER.sub("", cond.label)
    for w in WORDING:
        literal = literal.replace(w, "")
    assert not re.search(r"\d", literal), f"a number written into the label: {cond.label}"
    # rendered on the regime's start, every placeholder resolves to the value in force
    day = max(regime.valid_from, *(params[p].history[0].valid_from for p in refs)) if refs else regime.valid_from
    prm = catalog().params_at(day)
    from zjtx.rules.nodes import Ctx

    text = render(cond.label, Ctx(prm, day))
    assert "[" not in text and "{" not in text, text


def test_overlay_value_shows_in_label_and_requirement() -> None:
    rec = {"industry": "C3919", "employees_y1": 50, "tech_staff_y1": 12, "revenue_y1": 20_000_000,
           "total_assets_y1": 30_000_000, "rd_expense_tax_y1": 1_500_000, "total_cost_y1": 18_000_000,
           "ip1": 1, "ip2": 0, "abnormal_or_dishonest": False, "major_incident_3y": False,
           "restricted_industry": False}
    base = {e["id"]: e for e in zjtx.explain(rec, "tech_sme", on="2025-06-30")["trace"]}
    assert "≥60分" in base["score"]["label"] and "≥ 60分" in base["score"]["required"]
    res = zjtx.explain(rec, "tech_sme", on="2025-06-30", params={"tech_sme.pass_score": 55})
    by = {e["id"]: e for e in res["trace"]}
    assert "≥55分" in by["score"]["label"] and "60" not in by["score"]["label"]
    assert "≥ 55分" in by["score"]["required"]
    res = zjtx.explain(rec, "tech_sme", on="2025-06-30", params={"tech_sme.max_employees": 300})
    by = {e["id"]: e for e in res["trace"]}
    assert by["size"]["label"].startswith("职工总数≤300人、年销售收入≤2亿元")


def test_money_and_ratio_labels_read_naturally() -> None:
    rec = {"industry": "C3919"}
    res = zjtx.explain(rec, "specialized_sme", on="2025-06-30")
    by = {e["id"]: e for e in res["trace"]}
    assert by["B2"]["label"] == "上年度研发费用总额不低于100万元，且占营业收入总额比重不低于3%"
    assert "全国500强企业组" in by["D4"]["label"] and "前3，或获得国家级科技奖励并在获奖单位中排名前5" in by["D1"]["label"]
