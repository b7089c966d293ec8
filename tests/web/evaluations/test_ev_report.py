"""The PDF evaluation report: Chinese text extracted with pdftotext, the CJK font embedded, rendered to PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ev_registry import NAMES, A, B, D

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _pdf(client, uscc: str, tmp_path: Path) -> Path:
    resp = client.get(f"/evaluations/enterprise/{uscc}/report.pdf?on=2025-06-30")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF")
    path = tmp_path / f"{uscc}.pdf"
    path.write_bytes(resp.content)
    return path


def test_report_text(staff_client, registry, tmp_path) -> None:
    text = subprocess.run(["pdftotext", "-layout", str(_pdf(staff_client, B, tmp_path)), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert NAMES[B] in flat and B in flat
    assert "古镇镇" in flat and "2025年6月30日" in flat
    assert "科技型中小企业" in flat and "国科发政〔2017〕115号" in flat
    assert "达标" in flat and "未达标" in flat
    assert "规则与参数版本" in flat
    assert "预评估" in flat and "不构成任何官方认定" in flat
    assert "与称号不一致" in flat  # the held 科技型 registration vs the evaluation
    assert "差距分析与培育计划" in flat and "可享受的政策与金额" in flat


def test_report_font_is_embedded_and_renders(staff_client, registry, tmp_path) -> None:
    pdf = _pdf(staff_client, A, tmp_path)
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    line = next(x for x in fonts.splitlines() if "WenQuanYi" in x or "WenQuanYiZenHei" in x)
    assert " yes " in line.split("TrueType")[-1] or line.split()[-5] == "yes"  # emb column
    assert "STSong" not in fonts
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 5000 for p in pages)
    assert pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_font_gives_a_clear_error(settings, registry) -> None:
    from django.core.exceptions import ImproperlyConfigured
    from reportlab.pdfbase import pdfmetrics

    from zjtx.apps.evaluations import report

    settings.ZJTX_PDF_FONT = "/nonexistent/font.ttc"
    registered = report.FONT_NAME in pdfmetrics.getRegisteredFontNames()
    if registered:  # the font is registered once per process; check the path test directly
        pdfmetrics._fonts.pop(report.FONT_NAME)
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-wqy-zenhei"):
            report.register_font()
    finally:
        settings.ZJTX_PDF_FONT = report.DEFAULT_FONT
        report.register_font()


def test_tools_present() -> None:
    for tool in ("pdftotext", "pdftoppm", "pdffonts"):
        assert shutil.which(tool), f"{tool} (Debian poppler-utils) is needed"


def test_report_gaps_and_benefits(staff_client, registry, tmp_path) -> None:
    from zjtx.apps.evaluations import services

    text = subprocess.run(["pdftotext", str(_pdf(staff_client, D, tmp_path)), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = "".join(text.split())
    if services.gaps_available():
        assert "方案1" in flat and "Ⅱ类知识产权" in flat
    if services.match_available():
        assert "工信部联企业〔2011〕300号" in flat  # a matched item with its legal basis


def test_report_includes_the_one_enterprise_one_plan(staff_client, registry, staff, tmp_path) -> None:
    import datetime as dt

    from django.apps import apps

    if not apps.is_installed("zjtx.apps.cultivation"):
        pytest.skip("cultivation app not installed")
    from zjtx.apps.cultivation.models import Plan, PlanItem

    plan = Plan.objects.create(enterprise=registry["B"], tier="tech_sme", on=dt.date(2025, 6, 30))
    PlanItem.objects.create(plan=plan, key="tech_staff", title="新增科技人员至职工总数的10%以上",
                            due_on=dt.date(2025, 12, 31))
    flat = "".join(subprocess.run(["pdftotext", str(_pdf(staff_client, B, tmp_path)), "-"], check=True,
                                  capture_output=True, text=True).stdout.split())
    assert "一企一策培育计划" in flat and "新增科技人员至职工总数的10%以上" in flat
    html = staff_client.get(f"/evaluations/enterprise/{B}/?on=2025-06-30").content.decode()
    assert "新增科技人员至职工总数的10%以上" in html
