"""The command line, run as a user runs it (``python -m zjtx``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "zjtx" / "data" / "sample_enterprises.csv"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zjtx", *args], capture_output=True, text=True, timeout=180,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "POLARS_MAX_THREADS": "2"})


def e3_uscc() -> str:
    df = pl.read_csv(SAMPLE, infer_schema=False)
    row = df.filter((pl.col("employees_y1") == "50") & (pl.col("tech_staff_y1") == "12"))
    return row["uscc"][0]


def test_evaluate_sample_prints_summary_and_rows(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    p = run("evaluate", "--on", "2025-06-30", "--out", str(out))
    assert p.returncode == 0, p.stderr
    assert "评价结果汇总" in p.stdout and "科技型中小企业" in p.stdout and "户/秒" in p.stdout
    df = pl.read_csv(out)
    assert df.height == pl.read_csv(SAMPLE, infer_schema=False).height
    assert {"uscc", "tech_sme.status", "tech_sme.score", "tech_sme.missing"} <= set(df.columns)


def test_explain_json_matches_worked_example() -> None:
    p = run("explain", str(SAMPLE), "--uscc", e3_uscc(), "--policy", "tech_sme", "--on", "2025-06-30", "--json")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    assert res["status"] == "qualified" and res["score"] == 92 and res["route"] == "score"
    assert any(e["kind"] == "indicator" and e["id"] == "rd" and e["points"] == 50 for e in res["trace"])
    assert all(e.get("cite") for e in res["trace"] if e["kind"] == "condition")


def test_explain_table_is_chinese() -> None:
    p = run("explain", str(SAMPLE), "--uscc", e3_uscc(), "--policy", "tech_sme", "--on", "2025-06-30")
    assert p.returncode == 0, p.stderr
    assert "国科发政〔2017〕115号" in p.stdout and "结论" in p.stdout and "达标" in p.stdout


def test_params_lists_sources() -> None:
    p = run("params", "tech_sme", "--on", "2025-06-30", "--json")
    rows = {r["id"]: r for r in json.loads(p.stdout)}
    assert rows["tech_sme.pass_score"]["value"] == 60
    assert rows["tech_sme.pass_score"]["source"].startswith("国科发政〔2017〕115号")


def test_bad_input_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,employees_y1,revenue_y1\n91442000MA4W0JXK7M,-5,abc\n", encoding="utf-8")
    p = run("evaluate", str(bad), "--on", "2025-06-30")
    assert p.returncode == 2
    assert "错误" in p.stderr and "employees_y1" in p.stderr and "revenue_y1" in p.stderr
    assert "Traceback" not in p.stderr + p.stdout


def test_unknown_uscc_and_policy_are_errors() -> None:
    p = run("explain", str(SAMPLE), "--uscc", "X", "--policy", "tech_sme")
    assert p.returncode == 2 and "没有该统一社会信用代码" in p.stderr
    p = run("evaluate", str(SAMPLE), "--policy", "nope")
    assert p.returncode == 2 and "未知政策 'nope'" in p.stderr and "Traceback" not in p.stderr


def test_briefing_reproduces_the_letter(tmp_path: Path) -> None:
    docx = tmp_path / "b.docx"
    p = run("briefing", "--year", "2021", "--docx", str(docx))
    assert p.returncode == 0, p.stderr
    text = p.stdout.replace("\n", "")
    assert "2502家成功入库" in text and "增长34.2%" in text and "全省第5" in text
    assert "营业收入308亿元" in text
    assert docx.stat().st_size > 5000


def test_match_lists_the_vat_plus_deduction_with_its_trace(tmp_path: Path) -> None:
    """``zjtx match`` on VAT-return inputs: a listed 先进制造业企业 gets the 5% credit of 43号 with its
    calculation in 万元; a small-scale taxpayer with the same figures is not offered it."""
    maker = {"uscc": "91442000MA0000001X", "name": "中山市测试精密机械有限公司", "industry": "C3421",
             "vat_period": "2025-12", "small_scale_vat": "false", "four_services_share": 0.05,
             "life_service_share": 0, "high_tech_valid": "true", "advanced_manufacturing_listed": "true",
             "input_vat_deductible": 1_200_000, "input_vat_excluded": 200_000, "input_vat_transferred_out": 10_000,
             "plus_balance_start": 0, "vat_payable_before_plus": 500_000}
    small = {**maker, "uscc": "92442000MA0000002X", "name": "中山市测试小店", "small_scale_vat": "true"}
    path = tmp_path / "vat.csv"
    pl.DataFrame([maker, small]).write_csv(path)
    p = run("match", str(path), "--uscc", maker["uscc"], "--on", "2026-06-30", "--json")
    assert p.returncode == 0, p.stderr
    item = next(it for it in json.loads(p.stdout)["items"] if it["policy"] == "vat_plus_deduction")
    # (120万 − 20万) × 5% − 1万 × 5% = 4.95万, all absorbed by the 50万 payable
    assert (item["match"], item["estimate"], item["regime"]) == ("qualified", "49500.00", "vat_plus_deduction@2023-43")
    p = run("match", str(path), "--uscc", maker["uscc"], "--on", "2026-06-30")
    assert p.returncode == 0, p.stderr
    assert "增值税加计抵减 估算 4.95万元" in p.stdout and "估算金额(万元)" in p.stdout
    assert "适用类别与加计比例（择优适用，不得叠加）：5%（财政部 税务总局公告2023年第43号 第一条" in p.stdout
    assert "当期调减加计抵减额：0.05万元" in p.stdout and "本期实际抵减额：4.95万元" in p.stdout
    p = run("match", str(path), "--uscc", small["uscc"], "--on", "2026-06-30", "--json")
    assert p.returncode == 0, p.stderr
    assert "vat_plus_deduction" not in {it["policy"] for it in json.loads(p.stdout)["items"]}
