"""The main job (``zjtx demo``) as a user runs it: its own data directory, a small city. Its first run
is the session's (``main_job`` in tests/conftest.py, also served for the first-contact browser tests);
the runs here work on a copy of its data directory, without a server: a second run keeps the data and
says so; a date outside the demo's history names the range."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date


def main_job_env(data) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ZJTX_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update({"ZJTX_DATA_DIR": str(data), "COLUMNS": "200"})
    return env


def _zjtx(data, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zjtx", *args], cwd=data, env=main_job_env(data),
                          capture_output=True, text=True, timeout=600)


def test_first_run_loads_evaluates_and_briefs(main_job) -> None:
    text = main_job["log"]  # stdout and stderr of the running job, up to the moment it served
    assert "已创建管理员 admin，初始密码" in text and "已载入演示城市" in text
    assert re.search(rf"全量评价（评价日期 \d{{4}}-\d{{2}}-\d{{2}}，{main_job['scale']} 户", text)
    for name in ("科技型中小企业", "专精特新中小企业", "高新技术企业", "达标未认定", "认定未达标"):
        assert name in text
    assert "成功入库" in text and "Traceback" not in text


def test_the_run_is_stored_for_the_dashboard(main_job_copy) -> None:
    data = main_job_copy["data"]
    code = ("from zjtx.web import setup; setup(); from zjtx.apps.evaluations.models import EvaluationRun as R; "
            "r = R.objects.get(); print(r.status, r.total, r.created_by.username, r.division or '全市')")
    out = subprocess.run([sys.executable, "-c", code], env=main_job_env(data), capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.split() == ["done", str(main_job_copy["scale"]), "admin", "全市"], out.stderr


def test_a_date_outside_the_history_names_the_range(main_job_copy) -> None:
    data = main_job_copy["data"]
    out = _zjtx(data, "demo", "--no-serve", "--on", "2010-06-30")
    assert out.returncode == 2
    last = max(date.today().year - 1, 2025) + 1
    assert f"可评价的日期为 2018-01-01 至 {last}-12-31" in out.stdout
    out = _zjtx(data, "demo", "--no-serve", "--on", "2026-13-01")
    assert out.returncode == 2 and "不是有效日期" in out.stdout


def test_a_second_run_keeps_the_data(main_job_copy) -> None:
    data, scale = main_job_copy["data"], main_job_copy["scale"]
    out = _zjtx(data, "demo", "--no-serve", "--on", "2025-06-30")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"企业库已有 {scale} 户企业：数据保留，未重新载入演示数据" in out.stdout
    assert "已载入演示城市" not in out.stdout and f"全量评价（评价日期 2025-06-30，{scale} 户" in out.stdout
