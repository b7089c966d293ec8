"""The run comparison pages (paginated, filterable; only the shown page is explained) and the large
exports handed to the worker (the full comparison, all results) with a download link."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zjtx.apps.evaluations import services
from zjtx.apps.jobs.models import Job

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ON = "2025-06-30"


@pytest.fixture
def two_runs(done_run, registry, staff):
    rep = registry["A"].annual_reports.get(year=2024)
    rep.tech_staff = 0  # 科技人员 veto: A's conclusions change
    rep.save()
    new = services.execute_run(services.create_run(staff, done_run.on, name="第二批").pk)
    return done_run, new


def test_diff_page_filters_and_pages(staff_client, two_runs) -> None:
    old, new = two_runs
    html = staff_client.get(f"/evaluations/runs/{new.pk}/diff/?against={old.pk}").content.decode()
    assert "项结论变化" in html and "科技人员：12分 → 0分" in html and "diff-export" in html
    html = staff_client.get(f"/evaluations/runs/{new.pk}/diff/?against={old.pk}&policy=tech_sme&before=qualified"
                            "&after=not_qualified").content.decode()
    assert "筛选后 1 项" in html and "科技人员：12分 → 0分" in html
    html = staff_client.get(f"/evaluations/runs/{new.pk}/diff/?against={old.pk}&q=不存在的企业").content.decode()
    assert "没有符合筛选条件的变化" in html


def test_full_diff_export_is_a_job_with_a_download(staff_client, two_runs) -> None:
    old, new = two_runs
    resp = staff_client.post(f"/evaluations/runs/{new.pk}/diff/export/", {"against": old.pk})
    job = Job.objects.get(kind=Job.Kind.DIFF)
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE, job.error
    page = staff_client.get(f"/jobs/{job.pk}/").content.decode()
    assert "下载批次比较" in page
    data = b"".join(staff_client.get(job.result["url"]).streaming_content)
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("统一社会信用代码", "企业名称", "政策", "之前")
    assert any("科技人员：12分 → 0分" in (r[7] or "") for r in rows[1:])


def test_large_results_export_is_a_job(staff_client, done_run, settings) -> None:
    settings.ZJTX_EXPORT_SYNC_ROWS = 1
    resp = staff_client.get(f"/evaluations/results.xlsx?run={done_run.pk}&policy=tech_sme")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert resp.status_code == 302 and job.status == Job.Status.DONE, job.error
    data = b"".join(staff_client.get(f"/jobs/{job.pk}/download/").streaming_content)
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 4  # header + the four enterprises under 科技型中小企业
    settings.ZJTX_EXPORT_SYNC_ROWS = 5000
    small = staff_client.get(f"/evaluations/results.xlsx?run={done_run.pk}&policy=tech_sme")
    assert small.status_code == 200 and Job.objects.count() == 1  # small exports stay immediate
