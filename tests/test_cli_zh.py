"""The command line speaks Chinese for help and for every kind of mistyped command (``python -m zjtx``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from zjtx.cli_zh import error_message, usage_line, value_message

ENGLISH = re.compile(r"\b(Usage|Options|Commands|Error|Invalid|Missing|No such|Try|Show this|Input should|"
                     r"default|required|Got unexpected|requires)\b")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zjtx", *args], capture_output=True, text=True, timeout=120,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "POLARS_MAX_THREADS": "2"})


@pytest.mark.parametrize(("args", "expected"), [
    (("evaluate", "--foo"), "没有选项 --foo（可用的选项："),
    (("demo", "--scale", "abc"), "'--scale' 的值无效：应为整数。"),
    (("demo", "--scale", "5"), "'--scale' 的值无效：应不小于 100。"),
    (("explain",), "缺少选项 '--uscc'。"),
    (("nosuch",), "没有命令 'nosuch'"),
    (("evaluate", "a.csv", "b.csv"), "多余的参数：b.csv"),
    (("evaluate", "--on"), "选项 '--on' 需要一个值"),
])
def test_usage_errors_are_chinese(args: tuple[str, ...], expected: str) -> None:
    p = run(*args)
    assert p.returncode == 2
    assert expected in p.stderr, p.stderr
    assert not ENGLISH.search(p.stderr), p.stderr
    assert "Traceback" not in p.stderr


def test_help_is_chinese() -> None:
    p = run("evaluate", "--help")
    assert p.returncode == 0, p.stderr
    assert "用法：" in p.stdout and "选项" in p.stdout and "显示本帮助并退出。" in p.stdout
    assert "<整数>" in p.stdout and "<文本，可多次>" in p.stdout and "[默认：2025-06-30]" in p.stdout
    assert not ENGLISH.search(p.stdout), p.stdout


def test_register_without_key_column_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("name,employees_y1\n甲公司,10\n", encoding="utf-8")
    p = run("evaluate", str(f))
    assert p.returncode == 2
    assert "输入文件缺少 uscc（统一社会信用代码）列" in p.stderr and "Traceback" not in p.stderr
    p = run("evaluate", str(tmp_path / "none.csv"))
    assert p.returncode == 2 and "输入文件：文件不存在" in p.stderr and "第0条" not in p.stderr


def test_unknown_texts_pass_through() -> None:
    assert value_message("something new") == "something new"
    assert usage_line("Usage: zjtx demo [OPTIONS]") == "用法：zjtx demo [选项]"
    assert value_message("Input should be 'status' or 'full'") == "应为 'status' 或 'full' 之一"
    assert error_message(ValueError("x")) == "x"
