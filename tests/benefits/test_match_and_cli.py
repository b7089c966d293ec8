"""``zjtx.match`` on the sample enterprise, stacking (高企 15% vs 小型微利), and the CLI commands
``zjtx calc`` / ``zjtx match`` / ``zjtx policies``."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import zjtx
from zjtx.commands.common import find_record

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "zjtx" / "data" / "sample_enterprises.csv"
USCC = "91442000MA4X9B2N42"  # 中山市明辉照明电器有限公司 — the complete demonstration record
DATES = ["2021-06-30", "2022-06-30", "2024-06-30", "2026-06-30"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zjtx", *args], capture_output=True, text=True, timeout=300,
                          env={"COLUMNS": "220", "PATH": "/usr/bin:/bin", "POLARS_MAX_THREADS": "2"})


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    return find_record(str(SAMPLE), USCC)


@pytest.mark.parametrize("on", DATES)
def test_match_sample_is_complete_and_cited(record: dict[str, Any], on: str) -> None:
    items = zjtx.match(record, on)
    assert items
    policies = {it["policy"] for it in items}
    # every registered tier and benefit is accounted for (qualified, nearly, or not in force), except
    # those the enterprise clearly does not qualify for
    assert "sme_size" in policies and "rd_super_deduction" in policies
    for it in items:
        assert it["document"], it
        assert any(ch in it["document"] for ch in "〔号《"), it["document"]
        assert it["match"] in ("qualified", "nearly", "not_chosen", "not_in_force")
        assert it["how"] in ("免申即享", "需申报")
        assert isinstance(it["automatic"], bool)
        if it["estimate"] is not None:
            assert isinstance(it["estimate"], Decimal)
    rd = next(it for it in items if it["policy"] == "rd_super_deduction")
    assert rd["match"] == "qualified" and rd["estimate"] > 0 and rd["automatic"] is True


def test_match_dates_pick_the_regimes(record: dict[str, Any]) -> None:
    by = {on: {it["policy"]: it for it in zjtx.match(record, on)} for on in ("2021-06-30", "2024-06-30")}
    assert by["2021-06-30"]["rd_super_deduction"]["regime"] == "rd_super_deduction@2018-99"
    assert by["2024-06-30"]["rd_super_deduction"]["regime"] == "rd_super_deduction@2023-7"
    assert by["2021-06-30"]["vat_credit_refund"]["match"] == "not_in_force"
    assert "2022-04" in " ".join(by["2021-06-30"]["vat_credit_refund"]["notes"])


def _slp_record(income: int, high_tech: bool) -> dict[str, Any]:
    return {"uscc": "X", "industry": "C3919", "taxable_income_y1": income, "employees_avg": 80,
            "assets_avg": 20_000_000, "employees_y1": 80, "total_assets_y1": 20_000_000, "high_tech_valid": high_tech,
            "rd_expense_tax_y1": 1_000_000}


def test_stacking_small_low_profit_beats_high_tech() -> None:
    items = zjtx.match(_slp_record(2_000_000, True), "2024-06-30")
    cit = next(it for it in items if it["policy"] == "cit_small_low_profit")
    assert cit["match"] == "qualified" and cit["estimate"] == Decimal("400000.00")
    st = cit["stacking"]
    assert st["chosen"] == "small_low_profit" and st["high_tech_tax"] == Decimal("300000.00")
    assert st["small_low_profit_tax"] == Decimal("100000.00") and "国发〔2007〕39号" in st["source"]
    ht = next(it for it in items if it["kind"] == "benefit" and it["policy"] == "high_tech")
    assert ht["match"] == "not_chosen" and "第二十八条" in ht["document"]


def test_stacking_high_tech_above_the_cliff() -> None:
    items = zjtx.match(_slp_record(5_000_000, True), "2024-06-30")
    ht = next(it for it in items if it["kind"] == "benefit" and it["policy"] == "high_tech")
    assert ht["match"] == "qualified" and ht["estimate"] == Decimal("500000.00")  # 25% − 15% of 500万
    assert not any(it["policy"] == "cit_small_low_profit" and it["match"] == "qualified" for it in items)


def test_no_stacking_without_high_tech() -> None:
    items = zjtx.match(_slp_record(2_000_000, False), "2024-06-30")
    assert not any(it["policy"] == "high_tech" and it["kind"] == "benefit" for it in items)


# ---- CLI ---------------------------------------------------------------------------------------
def test_cli_calc_prints_trace_and_result() -> None:
    p = run("calc", "cit_small_low_profit", "--on", "2025-06-30", "--set", "tax_year=2020",
            "--set", "taxable_income_y1=2800000", "--set", "employees_avg=50", "--set", "assets_avg=10000000")
    assert p.returncode == 0, p.stderr
    assert "230000.00" in p.stdout and "财税〔2019〕13号" in p.stdout


def test_cli_calc_json_and_errors() -> None:
    p = run("calc", "vat_small_scale", "--on", "2024-07-31", "--set", "vat_period=2024-07", "--set",
            "sales_3pct=500000", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["tax"] == "5000.00" and res["trace"]
    p = run("calc", "cit_small_low_profit", "--on", "2025-06-30", "--set", "tax_year=2031",
            "--set", "taxable_income_y1=1", "--set", "employees_avg=1", "--set", "assets_avg=1")
    assert p.returncode == 2 and "2019–2027" in p.stderr and "Traceback" not in p.stderr


def test_cli_match_table_and_json() -> None:
    p = run("match", str(SAMPLE), "--uscc", USCC, "--on", "2024-06-30")
    assert p.returncode == 0, p.stderr
    assert "政策匹配" in p.stdout and "研发费用税前加计扣除" in p.stdout and "免申即享" in p.stdout
    p = run("match", str(SAMPLE), "--uscc", USCC, "--on", "2022-06-30", "--json")
    data = json.loads(p.stdout)
    assert data["items"] and all(it["document"] for it in data["items"])


def test_cli_policies_library() -> None:
    p = run("policies", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    ids = {r["id"] for r in rows}
    assert {"cit_small_low_profit", "vat_credit_refund", "tech_sme"} <= ids
    for r in rows:
        assert r["name"] and r["regimes"] and all(g["doc"] for g in r["regimes"])
    p = run("policies", "--on", "2021-06-30", "--json")
    ids21 = {r["id"] for r in json.loads(p.stdout)}
    assert "vat_credit_refund" not in ids21 and "cit_small_low_profit" in ids21
    p = run("policies", "--search", "留抵")
    assert p.returncode == 0 and "增值税期末留抵退税" in p.stdout and "小型微利" not in p.stdout
