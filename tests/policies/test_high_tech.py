"""high_tech: pins outside their band are input errors (both executors); E10 trace; metadata; both
executors agree on random records with valid pins (the shared differential test leaves pins out)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zjtx
from zjtx.policies import catalog
from zjtx.rules.inputs import InputError

ON = "2025-06-30"
CASES = Path(__file__).parent / "cases" / "high_tech.yaml"


def base() -> dict[str, Any]:
    data = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    return dict(data["defaults"]["record"])


@pytest.mark.parametrize(
    ("field", "value", "band"),
    [
        ("ht_ip_quantity", 5, "7–8分"),  # ip1 ≥ 1 → 7–8
        ("ht_conversion_score", 25, "19–24分"),  # 12 conversions / 3 years = 4 → 19–24
        ("ht_standard_bonus", 3, "0–2分"),
        ("ht_ip_acquisition", 0, "1–6分"),  # the enterprise has IP
        ("ht_sales_growth_score", 8, "9–10分"),  # sales growth 50% → 9–10
    ],
)
def test_pin_outside_band_is_an_input_error(field: str, value: int, band: str) -> None:
    rec = {**base(), "uscc": "91442000MA00000001", field: value}
    with pytest.raises(InputError) as one:
        zjtx.explain(rec, "high_tech", on=ON)
    assert [i.field for i in one.value.issues] == [field]
    assert field in str(one.value) and band in str(one.value)
    with pytest.raises(InputError) as batch:
        zjtx.evaluate([rec], on=ON, policies=["high_tech"])
    issues = batch.value.issues
    assert [(i.row, i.uscc, i.field) for i in issues] == [(1, "91442000MA00000001", field)]
    assert field in str(batch.value) and band in str(batch.value)
    assert issues[0].reason == one.value.issues[0].reason


def test_batch_reports_every_bad_pin_at_once() -> None:
    good = base()
    recs = [good, {**good, "ht_ip_quantity": 6}, good, {**good, "ht_conversion_score": 30, "ht_ip_quantity": 1}]
    with pytest.raises(InputError) as err:
        zjtx.evaluate(recs, on=ON, policies=["high_tech"])
    got = sorted((i.row, i.field) for i in err.value.issues)
    assert got == [(2, "ht_ip_quantity"), (4, "ht_conversion_score"), (4, "ht_ip_quantity")]
    assert "知识产权数量得分应在所属档次 7–8分 之内" in str(err.value)


def test_pin_with_unknown_counts_may_lie_in_any_possible_band() -> None:
    rec = {**base(), "ip1": None, "ip2": 3, "ht_ip_quantity": 4}  # 3–4 (ip1 = 0) or 7–8 (ip1 ≥ 1)
    assert zjtx.explain(rec, "high_tech", on=ON)["parts"]["ip_quantity"] == 4
    with pytest.raises(InputError, match="7–8分或3–4分"):
        zjtx.explain({**rec, "ht_ip_quantity": 5}, "high_tech", on=ON)
    with pytest.raises(InputError, match="7–8分或3–4分"):
        zjtx.evaluate([{**rec, "ht_ip_quantity": 5}], on=ON, policies=["high_tech"])


def test_e10_trace_shows_the_threshold_of_the_latest_year() -> None:
    rec = {**base(), "sales_revenue_y1": 50_000_000, "sales_revenue_y2": 45_000_000, "sales_revenue_y3": 35_000_000}
    r = zjtx.explain(rec, "high_tech", on=ON)
    cond = {t["id"]: t for t in r["trace"] if t["kind"] == "condition"}
    assert cond["rd_intensity"]["result"] is True
    assert "≤5000万元→5%" in cond["rd_intensity"]["required"]
    assert cond["rd_domestic"]["result"] is True and cond["rd"]["result"] is True
    assert r["status"] == "qualified"


def test_metadata_and_notes() -> None:
    p = catalog().get("high_tech")
    assert p.level == "国家" and p.issuer == "科技部、财政部、国家税务总局"
    assert p.how_to_apply and p.window and p.kind == "tier"
    r = zjtx.explain(base(), "high_tech", on=ON)
    assert any("有效期为3年" in n for n in r["notes"])
    assert any("15%" in n for n in r["notes"])
    ids = {p["id"] for p in r["params"]}
    assert "high_tech.founding_year_counts" in ids and r["provisional"] is True


def test_every_parameter_is_sourced_and_tagged() -> None:
    params = zjtx.parameters("high_tech", ON)
    assert len(params) >= 15
    for p in params:
        assert p["source"] and p["tag"], p["id"]


def test_already_valid_title_is_noted() -> None:
    r = zjtx.explain({**base(), "high_tech_valid": True}, "high_tech", on=ON)
    assert any("有效期内高新技术企业" in n for n in r["notes"])


# ---- both executors agree on random records whose expert pins lie inside their bands -------------

PINS = {"tech_advancement": "ht_tech_advancement", "core_support": "ht_core_support",
        "ip_quantity": "ht_ip_quantity", "ip_acquisition": "ht_ip_acquisition",
        "standard_bonus": "ht_standard_bonus", "conversion": "ht_conversion_score",
        "rd_management": "ht_rd_management", "net_assets_growth": "ht_net_assets_growth_score",
        "sales_growth": "ht_sales_growth_score"}


def _records() -> Any:
    money = st.one_of(st.none(), st.sampled_from([0, 1_000_000, 10_000_000, 12_000_000, 50_000_000,
                                                  200_000_000]), st.integers(0, 300_000_000))
    fields: dict[str, Any] = {
        "founded_on": st.one_of(st.none(), st.dates(dt.date(2018, 1, 1), dt.date(2026, 6, 1))),
        "employees_y1": st.one_of(st.none(), st.integers(0, 500)),
        "tech_staff_y1": st.one_of(st.none(), st.integers(0, 200)),
        "ip1": st.one_of(st.none(), st.integers(0, 3)), "ip2": st.one_of(st.none(), st.integers(0, 8)),
        "ht_conversions_3y": st.one_of(st.none(), st.integers(0, 20)),
        "ht_field_ok": st.one_of(st.none(), st.booleans()), "led_standard_5y": st.one_of(st.none(), st.booleans()),
        "major_incident_3y": st.one_of(st.none(), st.booleans()),
        "high_tech_revenue_y1": money, "total_income_y1": money,
    }
    for k in (1, 2, 3):
        for base_name in ("rd_expense_tax", "rd_expense_domestic", "revenue", "sales_revenue", "total_assets",
                          "total_liabilities"):
            fields[f"{base_name}_y{k}"] = money
    return st.lists(st.fixed_dictionaries(fields), min_size=1, max_size=6)


def test_pinned_records_agree_in_both_executors() -> None:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_records(), st.data())
    def run(records: list[dict[str, Any]], data: Any) -> None:
        recs = []
        for i, rec in enumerate(records):
            parts = zjtx.explain(rec, "high_tech", on=ON)["parts"]
            pinned = dict(rec, uscc=f"R{i}")
            for ind, pin in PINS.items():  # pin some items at a band edge (always a valid pin)
                if data.draw(st.booleans()):
                    p = parts[ind]
                    pinned[pin] = p[0] if isinstance(p, list) else p
            recs.append(pinned)
        df = zjtx.evaluate(recs, on=ON, policies=["high_tech"])
        for rec, row in zip(recs, df.iter_rows(named=True), strict=True):
            one = zjtx.explain(rec, "high_tech", on=ON)
            for col, got in row.items():
                if not col.startswith("high_tech."):
                    continue
                key = col.removeprefix("high_tech.")
                if key.startswith("pts."):
                    part = one["parts"][key[4:]]
                    want = None if isinstance(part, list) else part
                else:
                    want = one.get(key)
                if isinstance(got, list) or isinstance(want, list):
                    assert sorted(got or []) == sorted(want or []), (key, rec)
                elif isinstance(got, float) or isinstance(want, float):
                    assert got is not None and want is not None and abs(got - want) < 1e-6, (key, rec, got, want)
                else:
                    assert got == want, (key, rec, got, want)

    run()
