"""The gap solver (一企一策): verified options, cheapest first, reasons when infeasible."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from fractions import Fraction

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zjtx
from zjtx.rules.nodes import AtLeast, Const, Dimension, Score, ScoreAtLeast, Tiered
from zjtx.rules.policy import Policy, Regime
from zjtx.services import gaps as G

ON = "2025-06-30"
EFFORT = yaml.safe_load(G.EFFORT_PATH.read_text(encoding="utf-8"))["fields"]

E4 = dict(
    industry="C3919", employees_y1=60, revenue_y1=14_000_000, ip1=1, ip1_self_developed=1, ip1_high_value=0,
    ip2_mature=0, rd_expense_y1=560_000, main_revenue_y1=12_880_000, main_revenue_y2=11_500_000,
    total_liabilities_y1=8_400_000, total_assets_y1=14_000_000, strategic_emerging=True, high_tech_valid=False,
    innovation_honor_valid=False, rd_institution="none", equity_financing_y1=0, equity_financing_y2=0,
    equity_financing_y3=0, abnormal_or_dishonest=False, major_incident_3y=False, restricted_industry=False,
)
E5 = dict(E4, ip1_self_developed=0, rd_expense_y1=210_000)


def verified(record: dict, policy: str, option: G.GapOption) -> str:
    """The status after applying an option, by the public explain API (independent of the solver)."""
    rec = dict(record)
    rec.update(option.values)
    return zjtx.explain(rec, policy, on=ON)["status"]


# ---- worked case E5 ------------------------------------------------------------------------------


def test_e5_cheapest_option_exact_yuan() -> None:
    assert zjtx.explain(E5, "innovative_sme", on=ON)["status"] == "not_qualified"
    res = G.solve(E5, "innovative_sme", ON)
    assert res.status == "not_qualified" and res.score == 65 and res.feasible
    # 创新能力 15 < 20: R&D 1.5% → 2% band (+5): 14,000,000 × 2% = 280,000 → +70,000 yuan;
    # or one more self-developed Ⅰ类 IP (tier 15, +5) at the model's unit cost
    rd_cost = 280_000 - 210_000
    ip_cost = EFFORT["ip1_self_developed"]["unit_cost"]
    assert res.options[0].cost_yuan == min(rd_cost, ip_cost)
    by_fields = {tuple(sorted(c.field for c in o.changes)): o for o in res.options}
    rd = by_fields[("rd_expense_y1",)]
    assert rd.values == {"rd_expense_y1": 280_000} and rd.cost_yuan == rd_cost and rd.score == 70
    ip = by_fields[("ip1", "ip1_self_developed")]
    assert ip.values == {"ip1_self_developed": 1, "ip1": 2} and ip.cost_yuan == ip_cost
    assert "+7万元" in rd.text()
    for o in res.options:
        assert verified(E5, "innovative_sme", o) == "qualified"
    costs = [o.effort for o in res.options]
    assert costs == sorted(costs)


def test_qualified_unknown_and_veto() -> None:
    ok = G.solve(E4, "innovative_sme", ON)
    assert ok.status == "qualified" and ok.options == [] and ok.feasible
    unk = G.solve(dict(E5, rd_expense_y1=None), "innovative_sme", ON)
    assert unk.status == "unknown" and unk.feasible is None and "rd_expense_y1" in unk.reasons[0]
    veto = G.solve(dict(E5, abnormal_or_dishonest=True), "innovative_sme", ON)
    assert veto.feasible is False and veto.options == []
    assert any(r.startswith("存在否决项") for r in veto.reasons)
    assert veto.reasons[0].startswith("存在否决项")


def test_size_gate_is_not_an_option() -> None:
    big = dict(E5, employees_y1=900, revenue_y1=300_000_000, total_assets_y1=300_000_000,
               main_revenue_y1=280_000_000, main_revenue_y2=250_000_000, total_liabilities_y1=100_000_000,
               rd_expense_tax_y1=1_000_000, tech_staff_y1=100, ip1=0, ip2=0)
    res = G.solve(big, "tech_sme", ON)
    assert res.status == "not_qualified" and res.feasible is False
    assert any("不能通过投入改变" in r or "无法通过投入满足" in r for r in res.reasons)


def test_allowed_fields_and_budget() -> None:
    res = G.solve(E5, "innovative_sme", ON, allowed=G.RD_FIELDS)
    assert res.options and all(c.field in G.RD_FIELDS for o in res.options for c in o.changes)
    assert res.options[0].cost_yuan == 70_000
    none = G.solve(E5, "innovative_sme", ON, allowed=G.RD_FIELDS, max_cost_yuan=60_000)
    assert none.feasible is False


def test_time_option_gives_a_date() -> None:
    """niche_years cannot be bought: the option carries the earliest date it will hold."""
    tiers = Tiered("ip", "① 知识产权", "innovative_sme.ip_tiers",
                   fields=["ip1_high_value", "ip1_self_developed", "ip1", "ip2_mature"])
    score = Score("得分", [Dimension("d", "创新", [tiers])])
    pol = Policy("toy_niche", "示例", "tier", "市", "本项目测试", [Regime(
        "toy_niche@1", "示例", "测试", dt.date(2020, 1, 1), None,
        gates=[AtLeast("niche_years", Const(3)).named("niche", "从事细分市场3年以上")],
        score=score, score_pass=ScoreAtLeast(score, Const(15)).named("score", "得分≥15"))])
    rec = dict(niche_years=1, ip1_high_value=0, ip1_self_developed=1, ip1=1, ip2_mature=0)
    res = G.solve(rec, pol, ON)
    assert res.feasible
    o = res.options[0]
    assert o.values == {"niche_years": 3} and o.cost_yuan == 0
    assert o.wait_until == dt.date(2027, 6, 30)
    assert "2027-06-30" in o.text()
    # with the IP also short, the option combines a purchase and the wait
    res2 = G.solve(dict(rec, ip1_self_developed=0), pol, ON)
    assert res2.options[0].values == {"niche_years": 3, "ip1_self_developed": 1, "ip1": 2}


# ---- property: every option verifies; no cheaper single-indicator option exists --------------------


def _record(draw: st.DrawFn) -> dict:
    revenue = draw(st.integers(2_000_000, 60_000_000))
    main_share = draw(st.sampled_from([0.45, 0.5, 0.58, 0.65, 0.8, 0.95]))
    main = int(revenue * main_share)
    growth = draw(st.sampled_from([-0.1, 0.0, 0.03, 0.07, 0.12, 0.2]))
    assets = draw(st.integers(3_000_000, 60_000_000))
    employees = draw(st.integers(10, 300))
    return dict(
        industry="C3919", employees_y1=employees, revenue_y1=revenue,
        ip1=draw(st.integers(0, 2)), ip1_self_developed=0, ip1_high_value=0, ip2_mature=draw(st.integers(0, 2)),
        ip2=draw(st.integers(0, 3)),
        rd_expense_y1=int(revenue * draw(st.sampled_from([0.0, 0.005, 0.012, 0.025, 0.04]))),
        rd_expense_tax_y1=int(revenue * draw(st.sampled_from([0.0, 0.01, 0.025, 0.035]))),
        total_cost_y1=int(revenue * 0.9),
        tech_staff_y1=int(employees * draw(st.sampled_from([0.0, 0.05, 0.12, 0.22]))),
        main_revenue_y1=main, main_revenue_y2=max(1, int(main / (1 + growth))),
        total_liabilities_y1=int(assets * draw(st.sampled_from([0.3, 0.6, 0.8]))), total_assets_y1=assets,
        strategic_emerging=draw(st.booleans()), high_tech_valid=False, innovation_honor_valid=False,
        rd_institution="none", equity_financing_y1=0, equity_financing_y2=0, equity_financing_y3=0,
        abnormal_or_dishonest=False, major_incident_3y=False, restricted_industry=False,
        led_standard_5y=False,
    )


records = st.composite(_record)


def _single_indicator_moves(rec: dict) -> list[tuple[dict, Fraction]]:
    """Brute force over the band edges of innovative_sme, one indicator at a time (independent of
    the solver: edges from the policy's parameter file, costs from effort.yaml)."""
    params = zjtx.parameters("innovative_sme", ON)
    bands = {p["id"].split(".")[1]: p["value"] for p in params}
    out: list[tuple[dict, Fraction]] = []
    rev = rec["revenue_y1"]
    for e in bands["rd_bands"]:
        if "min" in e:
            v = math.ceil(Fraction(str(e["min"])) * rev)
            if v > rec["rd_expense_y1"]:
                out.append(({"rd_expense_y1": v}, Fraction(v - rec["rd_expense_y1"])))
    for f in ("ip1_high_value", "ip1_self_developed", "ip1", "ip2_mature"):
        ch = {f: rec[f] + 1}
        parents = EFFORT[f].get("parents", [])
        for p in parents:
            ch[p] = rec[p] + 1
        out.append((ch, Fraction(EFFORT[f]["unit_cost"])))
    per = Fraction(str(EFFORT["main_revenue_y1"]["per_yuan"]))
    for e in bands["growth_bands"]:
        if "min" in e:
            v = math.ceil((1 + Fraction(str(e["min"]))) * rec["main_revenue_y2"])
            if rec["main_revenue_y1"] < v <= rev:
                out.append(({"main_revenue_y1": v}, (v - rec["main_revenue_y1"]) * per))
    for e in bands["main_share_bands"]:
        if "min" in e:
            v = math.ceil(Fraction(str(e["min"])) * rev)
            if rec["main_revenue_y1"] < v <= rev:
                out.append(({"main_revenue_y1": v}, (v - rec["main_revenue_y1"]) * per))
    per_l = Fraction(str(EFFORT["total_liabilities_y1"]["per_yuan"]))
    for e in bands["debt_bands"]:
        if "max" in e:
            v = math.floor(Fraction(str(e["max"])) * rec["total_assets_y1"])
            if v < rec["total_liabilities_y1"]:
                out.append(({"total_liabilities_y1": v}, (rec["total_liabilities_y1"] - v) * per_l))
    return out


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_options_verify_and_first_is_cheapest_single(rec: dict) -> None:
    res = G.solve(rec, "innovative_sme", ON)
    for o in res.options:
        assert verified(rec, "innovative_sme", o) == "qualified"
    if res.status != "not_qualified":
        return
    singles = []
    for ch, cost in _single_indicator_moves(rec):
        r2 = dict(rec, **ch)
        if zjtx.explain(r2, "innovative_sme", on=ON)["status"] == "qualified":
            singles.append(cost)
    if singles:
        assert res.options, f"a single-indicator option exists at {min(singles)} yuan but none was found"
        assert res.options[0].effort <= min(singles)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_options_verify_tech_sme(rec: dict) -> None:
    res = G.solve(rec, "tech_sme", ON)
    for o in res.options:
        assert verified(rec, "tech_sme", o) == "qualified"
        assert o.cost_yuan >= 0


# ---- every registered tier policy, on demo records -------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    import zjtx.demo

    return zjtx.demo.generate(scale=3000).records(dt.date(2025, 6, 30))


def test_every_tier_policy_on_demo_records(demo: pl.DataFrame) -> None:
    tiers = G.tier_policies()
    assert {"tech_sme", "innovative_sme"} <= set(tiers)
    base = zjtx.evaluate(demo, on=ON, policies=tiers)
    rows = demo.to_dicts()
    for p in tiers:
        idx = [i for i, s in enumerate(base[f"{p}.status"].to_list()) if s == "not_qualified"][:12]
        for i in idx:
            res = G.solve(rows[i], p, ON)
            assert res.status == "not_qualified"
            assert res.options or res.reasons, (p, i)
            for o in res.options[:2]:
                assert verified(rows[i], p, o) == "qualified", (p, i, o.text())


def test_ladder(demo: pl.DataFrame) -> None:
    row = demo.row(0, named=True)
    out = zjtx.gaps(row, on=ON)
    assert out["on"] == ON and {x["policy"] for x in out["ladder"]} == set(G.tier_policies())
    json.dumps(out, ensure_ascii=False)
    for x in out["ladder"]:
        assert x["rung"] in ("current", "next", "later")
        assert (x["rung"] == "current") == (x["status"] == "qualified")
    one = zjtx.gaps(E5, "innovative_sme", on=ON)
    assert [x["policy"] for x in one["ladder"]] == ["innovative_sme"] and one["next"] == ["innovative_sme"]


# ---- batch near-miss ---------------------------------------------------------------------------------


def test_near_miss_demo_register(demo: pl.DataFrame) -> None:
    started = time.perf_counter()
    df = G.near_miss(demo, "innovative_sme", ON, max_cost_yuan=200_000)
    secs = time.perf_counter() - started
    print(f"near_miss innovative_sme on {demo.height} records: {df.height} within 20万 in {secs:.2f}s")
    assert df.height > 0 and (df["cost_yuan"] <= 200_000).all()
    assert set(df["status"].unique()) == {"not_qualified"}
    rows = {r["uscc"]: r for r in demo.to_dicts()}
    for r in df.sample(min(10, df.height), seed=1).iter_rows(named=True):
        rec = dict(rows[r["uscc"]], **json.loads(r["values"]))
        assert zjtx.explain(rec, "innovative_sme", on=ON)["status"] == "qualified"
    # the per-record solver agrees on the cheapest cost
    for r in df.head(5).iter_rows(named=True):
        res = G.solve(rows[r["uscc"]], "innovative_sme", ON)
        assert float(res.options[0].effort) == pytest.approx(r["effort"])
    summary = G.near_miss_summary(df)
    assert summary["division"]["enterprises"].sum() == df.height
    assert summary["industry"]["enterprises"].sum() == df.height


def test_near_miss_rd_only(demo: pl.DataFrame) -> None:
    started = time.perf_counter()
    df = G.near_miss(demo, "innovative_sme", ON, max_cost_yuan=500_000, fields=G.RD_FIELDS)
    print(f"near_miss R&D ≤ 50万: {df.height} in {time.perf_counter() - started:.2f}s")
    assert df.height > 0
    assert all(set(f) <= set(G.RD_FIELDS) for f in df["fields"].to_list())
    assert (df["cost_yuan"] <= 500_000).all()


def test_cli_gaps_and_nearmiss(tmp_path, demo: pl.DataFrame) -> None:
    from typer.testing import CliRunner

    from zjtx.cli import app

    path = tmp_path / "reg.parquet"
    demo.head(300).write_parquet(path)
    uscc = demo["uscc"][0]
    r = CliRunner().invoke(app, ["gaps", str(path), "--uscc", uscc, "--on", ON, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["uscc"] == uscc
    r = CliRunner().invoke(app, ["gaps", str(path), "--uscc", uscc, "--on", ON])
    assert r.exit_code == 0 and "梯度培育差距分析" in r.output
    out = tmp_path / "nm.csv"
    r = CliRunner().invoke(app, ["nearmiss", str(path), "--policy", "innovative_sme", "--on", ON,
                                 "--max-rd", "500000", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "后备梯队" in r.output and out.exists()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records())
def test_fast_effort_equals_price(rec: dict) -> None:
    """The search's cost shortcut agrees with the priced option rows."""
    res = G.solve(rec, "innovative_sme", ON)
    s = G.solver("innovative_sme", dt.date(2025, 6, 30))
    r = G.prepare_record(rec, s.fields, s.schema)
    for o in res.options:
        cost, wait, rows = s.price(o.values, r)
        assert s._effort(o.values, r) == o.effort == cost + wait * s.model.year_equivalent_yuan
        assert sum(c.cost for c in rows) == o.cost_yuan
