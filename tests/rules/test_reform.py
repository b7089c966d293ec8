"""Reform simulation: a parameter overlay, baseline and reform in one pass."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import polars as pl
import pytest

import zjtx
from zjtx.rules import reform as R
from zjtx.rules.params import ParameterError
from zjtx.services import reform as S

ON = "2025-06-30"


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    import zjtx.demo

    return zjtx.demo.generate(scale=1500).records(dt.date(2025, 6, 30))


def test_pass_score_gainers_counted_independently(demo: pl.DataFrame) -> None:
    res = S.simulate(demo, ON, {"tech_sme.pass_score": 55}, policies=["tech_sme", "innovative_sme"])
    assert res.touched == ["tech_sme"]
    # independently: not qualified at baseline, 55 ≤ score < 60, and the score route is the only
    # thing that failed (gates hold, 科技人员 points > 0) — from the baseline scores and traces
    base = zjtx.evaluate(demo, on=ON, policies="tech_sme")
    cand = base.with_row_index("i").filter(
        (pl.col("tech_sme.status") == "not_qualified") & (pl.col("tech_sme.score") >= 55)
        & (pl.col("tech_sme.score") < 60) & (pl.col("tech_sme.pts.tech_staff") > 0))
    rows = demo.to_dicts()
    expected = sum(1 for i in cand["i"] if zjtx.explain(rows[i], "tech_sme", on=ON)["failed"] == ["score"])
    row = res.summary.filter(pl.col("policy") == "tech_sme").row(0, named=True)
    assert row["gained"] == expected > 0
    assert row["lost"] == 0 and row["net"] == expected
    assert res.gainers("tech_sme").height == expected and res.losers("tech_sme").height == 0
    assert res.summary.filter(pl.col("policy") == "innovative_sme")["gained"].item() == 0
    for col in ("division", "industry"):
        g = res.by[col].filter(pl.col("policy") == "tech_sme")
        assert g["gained"].sum() == expected


def test_band_table_overlay_matches_evaluate(demo: pl.DataFrame) -> None:
    bands = [{"min": 0.06, "points": 20}, {"min": 0.04, "points": 15}, {"min": 0.03, "points": 10},
             {"min": 0.02, "points": 5}, {"points": 0}]
    overlay = {"innovative_sme.rd_bands": bands}
    res = S.simulate(demo, ON, overlay, policies=["innovative_sme", "tech_sme", "specialized_sme"])
    assert res.touched == ["innovative_sme"]
    direct = zjtx.evaluate(demo, on=ON, policies="innovative_sme", params=overlay)
    assert res.records["innovative_sme.status@reform"].to_list() == direct["innovative_sme.status"].to_list()
    row = res.summary.filter(pl.col("policy") == "innovative_sme").row(0, named=True)
    assert row["gained"] == 0 and row["lost"] > 0
    # the specialized_sme tier (which may read innovative_sme titles, not its bands) is untouched
    assert "specialized_sme" not in res.touched


def test_amount_change(demo: pl.DataFrame) -> None:
    """Policies with an ``<id>.amount`` column: the change in support equals the difference of two
    separate evaluations."""
    from zjtx.policies import catalog

    day = dt.date(2025, 6, 30)
    base = catalog().params_at(day)
    for pid in catalog().ids:
        pol = catalog().get(pid)
        try:
            cols = zjtx.evaluate(demo.head(50), on=ON, policies=pid).columns
        except Exception:
            continue
        if f"{pid}.amount" not in cols:
            continue
        numeric = [k for k in sorted(R.params_read(pol, base, day))
                   if k.startswith(pid + ".") and isinstance(base[k].value, int | Fraction)
                   and not isinstance(base[k].value, bool) and base[k].value > 0]
        for k in numeric:
            overlay = {k: Fraction(base[k].value) * 2}
            res = S.simulate(demo, ON, overlay, policies=[pid])
            a0 = zjtx.evaluate(demo, on=ON, policies=pid)[f"{pid}.amount"].fill_null(0).sum()
            a1 = zjtx.evaluate(demo, on=ON, policies=pid, params=overlay)[f"{pid}.amount"].fill_null(0).sum()
            row = res.summary.row(0, named=True)
            assert row["amount_change"] == pytest.approx(float(a1 - a0), abs=0.01)
            if a1 != a0:
                return
    pytest.skip("no catalog policy with an amount column changes under a doubled parameter")


def test_touched_and_errors(demo: pl.DataFrame) -> None:
    with pytest.raises(ParameterError):
        S.simulate(demo, ON, {"no_such.param": 1}, policies=["tech_sme"])
    with pytest.raises(ParameterError):
        S.simulate(demo, ON, {"innovative_sme.pass_score": 50}, policies=["tech_sme"])


def test_reform_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ZJTX_REFORMS_DIR", str(tmp_path / "rf"))
    overlay = R.parse_sets(["tech_sme.pass_score=55", "innovative_sme.rd_bands=[{min: 0.04, points: 20}, {points: 0}]"])
    assert overlay["tech_sme.pass_score"] == 55
    assert overlay["innovative_sme.rd_bands"][0]["min"] == Fraction(1, 25)
    ref = R.Reform("科小降门槛", overlay, "合格分60→55", dt.date(2025, 6, 30))
    path = R.save_reform(ref)
    assert path == tmp_path / "rf" / "科小降门槛.yaml"
    back = R.load_reform("科小降门槛")
    assert back.set == overlay and back.on == dt.date(2025, 6, 30) and back.description == "合格分60→55"
    assert [r.name for r in R.list_reforms()] == ["科小降门槛"]
    with pytest.raises(ParameterError):
        R.load_reform("../etc/passwd")
    with pytest.raises(ParameterError):
        R.parse_sets(["no-equals-sign"])


def test_cli_reform(tmp_path, monkeypatch, demo: pl.DataFrame) -> None:
    from typer.testing import CliRunner

    from zjtx.cli import app

    monkeypatch.setenv("ZJTX_REFORMS_DIR", str(tmp_path / "rf"))
    path = tmp_path / "reg.parquet"
    demo.head(400).write_parquet(path)
    r = CliRunner().invoke(app, ["reform", str(path), "--on", ON, "--set", "tech_sme.pass_score=55",
                                 "--policy", "tech_sme", "--save", "low55", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output[r.output.index("{"):])
    assert data["touched"] == ["tech_sme"] and data["overlay"] == {"tech_sme.pass_score": 55}
    assert (tmp_path / "rf" / "low55.yaml").exists()
    r = CliRunner().invoke(app, ["reform", str(path), "--file", "low55", "--policy", "tech_sme",
                                 "--out", str(tmp_path / "diff.csv")])
    assert r.exit_code == 0, r.output
    assert "改革模拟" in r.output and (tmp_path / "diff.csv").exists()
