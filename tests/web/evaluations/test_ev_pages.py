"""Pages: enterprise evaluation page, results list and exports, dashboard numbers, briefing, self-assessment."""

from __future__ import annotations

import io
import json
import re

import pytest
from ev_registry import NAMES, A, B, C, D
from openpyxl import load_workbook
from webtest_helpers import GUZHEN, XIAOLAN, row, xlsx

from zjtx.apps.enterprises.models import AnnualReport, Enterprise
from zjtx.apps.evaluations import services
from zjtx.apps.evaluations.models import RunResult

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


# ------------------------------------------------------------------ enterprise page

def test_enterprise_detail_links_to_the_evaluation_page(staff_client, registry) -> None:
    html = staff_client.get(f"/enterprises/{A}/").content.decode()
    assert f'href="/evaluations/enterprise/{A}/"' in html


def test_enterprise_page(staff_client, registry, done_run) -> None:
    resp = staff_client.get(f"/evaluations/enterprise/{B}/?on=2025-06-30")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert NAMES[B] in html and "梯度阶梯" in html
    # ladder: the held 科技型 registration with validity, its evaluation now, and the disagreement
    assert "持有称号，2025年3月1日认定，有效期至2025年12月31日" in html
    assert "持有称号但本次评价未达标" in html
    # explanation table: condition, required, actual (万元), source, result
    assert "职工总数≤500人、年销售收入≤2亿元、资产总额≤2亿元" in html
    assert "营业收入（上年度） 5,000万元" in html
    assert "税务" in html  # provenance of the inputs
    assert "未达标" in html and "达标" in html
    # gaps and benefits: the real modules or the adapter's notice
    assert ("差距分析" in html) and ("可享受的政策" in html)
    if services.match_available():
        benefits = html.split('id="benefits-table"')[1].split("</table>")[0]
        assert 'data-policy="sme_size"' in benefits and "工信部联企业〔2011〕300号" in benefits  # legal basis
        assert "扶持/税收优惠" in benefits
    else:
        assert "（政策匹配模块未加载）" in html
    # history chart data and the vendored ECharts
    assert 'id="history-chart"' in html and "/static/evaluations/echarts.min.js" in html
    data = json.loads(html.split('<script id="history-data" type="application/json">')[1].split("</script>")[0])
    assert data["years"] == [2022, 2023, 2024] and data["series"][0]["values"][-1] == 5000.0
    assert f"/evaluations/runs/{done_run.pk}/trace/{B}/tech_sme/" in html


def test_enterprise_page_scope(client, make_user, registry) -> None:
    client.force_login(make_user("gz", "town_officer", division=GUZHEN))
    assert client.get(f"/evaluations/enterprise/{B}/").status_code == 200
    assert client.get(f"/evaluations/enterprise/{A}/").status_code == 404
    assert client.get(f"/evaluations/enterprise/{A}/report.pdf").status_code == 404


def test_result_trace_page_reproduces(staff_client, done_run) -> None:
    html = staff_client.get(f"/evaluations/runs/{done_run.pk}/trace/{A}/tech_sme/").content.decode()
    assert "已由输入快照重新生成，与存储结果一致" in html and "科技人员" in html


# ------------------------------------------------------------------ results list and exports

def test_results_list_filters(staff_client, done_run) -> None:
    def count(q: str) -> int:
        return int(staff_client.get(f"/evaluations/results/?run={done_run.pk}&{q}").content.decode()
                   .split('id="result-count">共 ')[1].split(" ")[0])

    assert count("policy=tech_sme") == 4
    assert count("policy=tech_sme&status=qualified") == 1
    assert count("policy=tech_sme&status=undecided") == 1
    assert count(f"policy=tech_sme&division={XIAOLAN}") == 2
    assert count("policy=tech_sme&near=1") == 2
    assert count("flag=1") == 1
    from zjtx.facts.industries import cluster_of

    cl = cluster_of("C3919")
    if cl:
        assert count(f"policy=tech_sme&cluster={cl}") >= 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_results_export(staff_client, done_run, fmt) -> None:
    resp = staff_client.get(f"/evaluations/results/?run={done_run.pk}&policy=tech_sme&format={fmt}")
    assert resp.status_code == 200
    if fmt == "json":
        data = resp.json()
        assert data["count"] == 4 and {"name": "status_label", "label": "结论"} in data["columns"]
        assert {r["uscc"]: r["status_label"] for r in data["rows"]}[A] == "达标"
    elif fmt == "csv":
        text = resp.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("评价批次,评价日期,统一社会信用代码,企业名称")
        assert NAMES[A] in text and "达标" in text
    else:
        rows = list(load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
        assert rows[0][2] == "统一社会信用代码" and len(rows) == 5
    ext = staff_client.get(f"/evaluations/results.{fmt}?run={done_run.pk}&policy=tech_sme")
    assert ext.status_code == 200


def test_results_export_is_scoped(client, make_user, done_run) -> None:
    client.force_login(make_user("gz", "town_officer", division=GUZHEN))
    data = client.get(f"/evaluations/results/?run={done_run.pk}&format=json").json()
    assert {r["uscc"] for r in data["rows"]} == {B}


# ------------------------------------------------------------------ dashboard

def _dashboard_numbers(html: str) -> dict[str, str]:
    out = {}
    for chunk in html.split('<a class="count" data-status="')[1:]:
        status, rest = chunk.split('" href="', 1)
        href, rest = rest.split('">', 1)
        out[href.replace("&amp;", "&")] = rest.split("</a>", 1)[0]
    return out


def test_dashboard_numbers_match_the_database_and_link_to_lists(staff_client, done_run) -> None:
    html = staff_client.get("/evaluations/dashboard/").content.decode()
    assert "/static/evaluations/echarts.min.js" in html
    # nothing is loaded from another host (government intranets have no CDN)
    assert not re.search(r'(?:src|href)=["\'](?:https?:)?//', html), "an external script or stylesheet"
    numbers = _dashboard_numbers(html)
    assert numbers, "the tier table has linked numbers"
    for href, shown in numbers.items():
        listed = staff_client.get(href).content.decode()
        n = int(listed.split('id="result-count">共 ')[1].split(" ")[0])
        assert int(shown) == n, href
    q = RunResult.objects.filter(run=done_run, policy="tech_sme", status="qualified").count()
    assert numbers[f"/evaluations/results/?run={done_run.pk}&policy=tech_sme&status=qualified"] == str(q)
    assert "与已认定称号不一致" in html and "后备梯队" in html and "小榄镇" in html


def test_dashboard_is_scoped_to_the_town(client, make_user, done_run) -> None:
    client.force_login(make_user("xl", "town_officer", division=XIAOLAN))
    html = client.get("/evaluations/dashboard/").content.decode()
    assert "本账号范围内 2 户企业" in html
    assert "古镇镇" not in html.split('id="town-table"')[1].split("</table>")[0]


def test_dashboard_without_runs(staff_client, registry) -> None:
    assert "暂无已完成的评价批次" in staff_client.get("/evaluations/dashboard/").content.decode()


# ------------------------------------------------------------------ briefing

def test_briefing_page_and_docx(staff_client, registry) -> None:
    resp = staff_client.get("/evaluations/briefing/?year=2024")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "工作简报（2024年）" in html and "科技型中小企业" in html
    doc = staff_client.get("/evaluations/briefing/?year=2024&format=docx")
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert "工作简报（2024年）" in text


# ------------------------------------------------------------------ self-assessment

FORM = {"on": "2025-06-30", "name": "自评测试企业", "employees_y1": "50", "tech_staff_y1": "12",
        "revenue_y1": "2000", "rd_expense_tax_y1": "150", "total_cost_y1": "1800", "total_assets_y1": "3000",
        "ip1": "1", "ip2": "0", "abnormal_or_dishonest": "0", "major_incident_3y": "0", "restricted_industry": "0",
        "led_standard_5y": "0", "action": "evaluate"}


def test_self_assessment_form_converts_wan_and_stores_nothing(staff_client, registry) -> None:
    before = (Enterprise.objects.count(), AnnualReport.objects.count())
    resp = staff_client.post("/evaluations/self-assessment/", FORM)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "评价结果（评价日 2025年6月30日）" in html
    summary = html.split('id="sa-summary"')[1].split("</table>")[0]
    assert "科技型中小企业</a></td><td class=\"st-qualified\">达标（92分）" in summary
    assert "营业收入（上年度） 2,000万元" in html  # 2000 万元 → 20,000,000 元 → shown again in 万元
    assert (Enterprise.objects.count(), AnnualReport.objects.count()) == before


def test_self_assessment_record_conversion() -> None:
    from zjtx.apps.evaluations.forms import SelfAssessmentForm

    form = SelfAssessmentForm({**FORM, "market_share": "3.5"})
    assert form.is_valid(), form.errors
    rec = form.record()
    assert rec["revenue_y1"] == 20_000_000 and rec["rd_expense_tax_y1"] == 1_500_000
    assert rec["market_share"] == pytest.approx(0.035) and rec["abnormal_or_dishonest"] is False
    assert "net_profit_y1" not in rec  # blank = unknown, never 0


def test_self_assessment_labels_are_chinese(staff_client) -> None:
    html = staff_client.get("/evaluations/self-assessment/").content.decode()
    assert "选择关心的层级" in html and 'name="tiers" value="tech_sme"' in html and 'type="date"' in html
    html = staff_client.get("/evaluations/self-assessment/?on=2025-06-30&tiers=tech_sme").content.decode()
    assert "营业收入（上年度）（万元）" in html and "职工总数（上年度）" in html and "评价日期" in html
    assert 'value="2025-06-30"' in html  # ISO, as the browser's date input requires
    # only the fields 科技型中小企业 reads, grouped by the enterprise's documents, each with help
    assert "财务报表（利润表、资产负债表）" in html and "汇算清缴 A107012 研发费用加计扣除优惠明细表" in html
    assert "利润表“营业收入”行" in html and "单位：万元" in html
    assert "主导产品全球排名" not in html  # a 单项冠军 field: not asked for 科技型


def test_enterprise_user_saves_only_to_its_own_record(client, make_user, registry) -> None:
    client.force_login(make_user("ent_c", "enterprise_user", enterprise=registry["C"]))
    html = client.get("/evaluations/self-assessment/").content.decode()
    assert f'value="{C}"' in html  # the form starts from its own record
    resp = client.post("/evaluations/self-assessment/", {**FORM, "action": "save", "save_to": A})
    assert "企业账号只能保存到本企业档案" in resp.content.decode()
    assert AnnualReport.objects.get(enterprise=registry["A"], year=2024).revenue == 20_000_000  # untouched
    resp = client.post("/evaluations/self-assessment/", {**FORM, "action": "save", "save_to": C})
    assert "已保存到" in resp.content.decode()
    rep = AnnualReport.objects.get(enterprise=registry["C"], year=2024)
    assert rep.revenue == 20_000_000 and rep.tech_staff == 12 and rep.ip1 == 1
    assert rep.provenance["revenue"] == "self"
    from zjtx.apps.accounts.models import AuditEntry

    assert AuditEntry.objects.filter(enterprise_uscc=C, model__icontains="annual").exists()


def test_officer_saves_on_behalf_within_its_town_only(client, make_user, registry) -> None:
    client.force_login(make_user("gz", "town_officer", division=GUZHEN))
    resp = client.post("/evaluations/self-assessment/", {**FORM, "action": "save", "save_to": D})
    assert "无权保存到该企业档案" in resp.content.decode()
    assert AnnualReport.objects.get(enterprise=registry["D"], year=2024).employees == 100
    resp = client.post("/evaluations/self-assessment/", {**FORM, "action": "save", "save_to": B})
    assert "已保存到" in resp.content.decode()
    assert AnnualReport.objects.get(enterprise=registry["B"], year=2024).employees == 50


def test_self_assessment_from_the_import_template(staff_client, registry) -> None:
    from webtest_helpers import uscc

    rows = [row(uscc=uscc(900), name="上传自评企业", division="小榄镇", industry="C3919", year=y, employees=50,
                tech_staff=12, revenue=20_000_000, rd_expense_tax=1_500_000, total_cost=18_000_000,
                total_assets=30_000_000, ip1=1, ip2=0) for y in (2023, 2024)]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("自评.xlsx", xlsx(rows))
    resp = staff_client.post("/evaluations/self-assessment/", {"on": "2025-06-30", "file": upload,
                                                              "action": "evaluate"})
    assert resp.status_code == 200, resp.content.decode()[:2000]
    html = resp.content.decode()
    summary = html.split('id="sa-summary"')[1].split("</table>")[0]
    assert "科技型中小企业" in summary
    assert 'value="2000"' in html  # the form is filled in 万元 from the file
    assert not Enterprise.objects.filter(uscc=uscc(900)).exists()


def test_self_assessment_bad_upload(staff_client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [row(uscc="91442000MA0000999X", name="坏", division="小榄镇", year=2024, employees="很多")]
    resp = staff_client.post("/evaluations/self-assessment/", {"on": "2025-06-30", "action": "evaluate",
                                                              "file": SimpleUploadedFile("x.xlsx", xlsx(rows))})
    assert resp.status_code == 400
    assert "第3行" in resp.content.decode()


def test_runs_list_page(staff_client, done_run) -> None:
    html = staff_client.get("/evaluations/runs/").content.decode()
    assert "测试批次" in html and done_run.rule_version in html and "开始评价" in html
    assert D  # fixture used


def test_enterprise_page_gap_options(staff_client, registry) -> None:
    html = staff_client.get(f"/evaluations/enterprise/{D}/?on=2025-06-30").content.decode()
    if not services.gaps_available():
        assert "（差距分析模块未加载）" in html
        return
    gaps = html.split('id="gaps-table"')[1].split("</table>")[0]
    row = next(r for r in gaps.split("<tr>") if "科技型中小企业" in r)
    assert "方案1：" in row and "Ⅱ类知识产权" in gaps
