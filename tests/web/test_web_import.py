"""Excel import: every problem listed by row and column, all-or-nothing, upsert by USCC, cancellation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from webtest_helpers import GUZHEN, XIAOLAN, bad_check, read_xlsx, row, uscc, xlsx

from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises import importer
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, ImportJob, Title

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _snapshot() -> tuple:
    return (
        list(Enterprise.objects.order_by("uscc").values()),
        list(AnnualReport.objects.order_by("enterprise__uscc", "year").values()),
        list(Title.objects.order_by("pk").values()),
        AuditEntry.objects.filter(action__in=["create", "update", "delete"]).count(),
    )


@pytest.fixture
def staff(make_user):
    return make_user("staff", "city_staff")


def _good(seq: int, year: int = 2024, **over: object) -> list:
    values = dict(uscc=uscc(seq), name=f"中山市测试{seq}号科技有限公司", division="小榄镇", industry="C3919",
                  founded_on="2015-03-01", contact_name="张三丰", contact_phone="13812345678", year=year,
                  source="税务", employees=120, tech_staff=30, rd_staff=20, revenue=50_000_000,
                  rd_expense="2,500,000.50", market_share="3%", own_brand="是", rd_institution="市级")
    values.update(over)
    return row(**values)


def test_every_problem_is_listed_by_row_and_column_and_nothing_is_written(staff) -> None:
    before = _snapshot()
    good = uscc(1)
    rows = [
        _good(1),                                                   # row 3
        _good(2),                                                   # row 4
        row(uscc=bad_check(uscc(3)), name="校验位错企业", year=2024),  # row 5
        _good(4, revenue="五千万"),                                  # row 6
        _good(5, employees=10, tech_staff=30),                      # row 7
        _good(6, division="东海镇"),                                 # row 8
        _good(2, name="重复企业"),                                   # row 9 duplicates row 4 (same USCC + year)
        _good(7, industry="3919X", founded_on="2015-13-45", own_brand="也许", employees=3.5),  # row 10
        row(uscc=uscc(8), year=2024, revenue=1),                    # row 11: new enterprise without a name
        row(name="无代码企业", year=2024),                            # row 12
        _good(9, year=None),                                        # row 13: annual values without a year
        _good(10, market_share=1.5, net_profit=-100, total_assets=-5, product_field="别的"),  # row 14
    ]
    result = importer.validate(xlsx(rows), "bad.xlsx", staff)
    texts = [str(p) for p in result.errors]
    assert texts == [
        "第5行 统一社会信用代码：校验位错误",
        "第6行 营业收入：不是数字",
        "第7行 科技人员数：不能大于职工总数（10）",
        "第7行 研发人员数：不能大于职工总数（10）",
        "第8行 所属镇街：不存在",
        "第9行 统一社会信用代码：与第4行重复",
        "第10行 国民经济行业分类：格式应为门类字母加4位数字（如C3919）",
        "第10行 成立日期：不是有效日期（应为YYYY-MM-DD）",
        "第10行 职工总数：应为整数",
        "第10行 拥有自主品牌：应填“是”或“否”",
        "第11行 企业名称：新增企业必须填写企业名称",
        "第12行 统一社会信用代码：不能为空",
        "第13行 年度：填写了年度数据时必须填写年度",
        "第14行 资产总额：不能为负数",
        "第14行 主导产品所属领域：不在可选值中（可选：补短板/锻长板/填空白取得实效、工业六基/中华老字号/服务龙头企业、其他）",
        "第14行 主导产品全国细分市场占有率：应为0到1之间的小数或百分数（如0.03或3%）",
    ]
    assert good  # the good rows were not written either
    job = importer.create_job(staff, "bad.xlsx", xlsx(rows))
    assert job.status == ImportJob.Status.INVALID
    assert importer.confirm(job).status == ImportJob.Status.INVALID
    assert _snapshot() == before


def test_unreadable_file_and_missing_uscc_column(staff) -> None:
    result = importer.validate(b"not a spreadsheet", "x.xlsx", staff)
    assert [str(p) for p in result.errors] == [
        "文件：文件不是有效的 .xlsx 工作簿（已损坏或扩展名被改过）：请上传 .xlsx 或 .csv 文件（.xlsx 须由 Excel 2007 及以上版本保存）"]
    result = importer.validate(xlsx([["甲公司"]], headers=["企业名称"]), "x.xlsx", staff)
    assert [str(p) for p in result.errors] == ["第1行 统一社会信用代码：缺少此列"]


def test_import_creates_then_upserts_by_uscc_keeping_raw_and_provenance(staff) -> None:
    job = importer.create_job(staff, "a.xlsx", xlsx([_good(1), _good(1, year=2023, revenue=40_000_000)]))
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary["new_enterprises"] == 1 and job.summary["new_reports"] == 2
    job = importer.confirm(job)
    assert job.status == ImportJob.Status.DONE
    e = Enterprise.objects.get(uscc=uscc(1))
    assert e.division_id == XIAOLAN and e.industry == "C3919" and e.contact_phone == "13812345678"
    r = AnnualReport.objects.get(enterprise=e, year=2024)
    assert r.rd_expense == Decimal("2500000.50")
    assert r.market_share == Decimal("0.03")
    assert r.own_brand is True and r.rd_institution == "city"
    assert r.raw["rd_expense"] == "2,500,000.50" and r.raw["market_share"] == "3%"
    assert r.provenance["revenue"] == "tax"
    assert r.total_assets is None  # empty cell = unknown, never 0

    # second import: same USCC → update, never a duplicate; blank cells keep stored values
    update = row(uscc=uscc(1).lower(), division=GUZHEN, year=2024, source="已核验", revenue=60_000_000)
    job2 = importer.create_job(staff, "b.xlsx", xlsx([update]))
    assert job2.summary["updated_enterprises"] == 1 and job2.summary["updated_reports"] == 1
    assert importer.confirm(job2).status == ImportJob.Status.DONE
    assert Enterprise.objects.filter(uscc=uscc(1)).count() == 1
    e.refresh_from_db()
    r.refresh_from_db()
    assert e.division_id == GUZHEN and e.name == "中山市测试1号科技有限公司"
    assert r.revenue == Decimal("60000000.00") and r.employees == 120
    assert r.provenance["revenue"] == "verified" and r.provenance["employees"] == "tax"
    assert AnnualReport.objects.filter(enterprise=e).count() == 2
    # the changes are audited, grouped by the import batch id
    entries = AuditEntry.objects.filter(request_id=f"import-{job2.pk}")
    assert {a.action for a in entries} == {"update", "import"}
    upd = entries.get(model="enterprises.AnnualReport")
    assert upd.before["revenue"] == "50000000.00" and upd.after["revenue"] == "60000000.00"
    assert upd.username == "staff" and upd.source == "import"


def test_overwrite_blank_clears_values(staff) -> None:
    importer.confirm(importer.create_job(staff, "a.xlsx", xlsx([_good(1)])))
    job = importer.create_job(staff, "b.xlsx", xlsx([row(uscc=uscc(1), year=2024, revenue=1)]), overwrite_blank=True)
    importer.confirm(job)
    r = AnnualReport.objects.get(enterprise__uscc=uscc(1), year=2024)
    assert r.revenue == Decimal("1.00") and r.employees is None and r.rd_institution == ""
    assert Enterprise.objects.get(uscc=uscc(1)).contact_name == ""


def test_titles_sheet_and_masked_contacts_are_rejected(staff) -> None:
    titles = [[uscc(1), "高新技术企业", "2023-12-01", "2026-11-30", "2023年第一批", "粤科函〔2023〕1号", "GR2023"],
              [uscc(1), "高新技术企业", "2023-12-01", None, None, None, None],
              [uscc(50), "小巨人", "2024-01-01", "2023-01-01", None, None, None]]
    result = importer.validate(xlsx([_good(1, contact_phone="138****5678")], titles=titles), "t.xlsx", staff)
    assert [str(p) for p in result.errors] == [
        "第3行 联系电话：含脱敏字符“*”，请填写完整信息或留空",
        "荣誉资质 第3行 统一社会信用代码：与第2行重复",
        "荣誉资质 第4行 称号：不在可选值中（可选：高新技术企业、科技型中小企业、创新型中小企业、科技和创新型中小企业、"
        "专精特新中小企业、专精特新“小巨人”企业、制造业单项冠军企业、国家级技术创新示范企业/知识产权优势企业/知识产权示范企业、"
        "市级专精特新培育企业、中山市创新标杆企业）",
        "荣誉资质 第4行 有效期至：不能早于认定日期",
        "荣誉资质 第4行 统一社会信用代码：企业不在库中，也不在“企业年报”表中",
    ]
    job = importer.create_job(staff, "t.xlsx", xlsx([_good(1)], titles=titles[:1]))
    assert importer.confirm(job).status == ImportJob.Status.DONE
    t = Title.objects.get()
    assert (t.title, str(t.granted_on), t.document) == ("high_tech", "2023-12-01", "粤科函〔2023〕1号")


def test_town_officer_imports_only_its_own_town(make_user, staff) -> None:
    importer.confirm(importer.create_job(staff, "a.xlsx", xlsx([_good(1, division="古镇镇")])))
    officer = make_user("xiaolan", "town_officer", division=XIAOLAN)
    result = importer.validate(xlsx([_good(2), _good(3, division="古镇"), row(uscc=uscc(1), year=2024, revenue=1)]),
                               "x.xlsx", officer)
    assert [str(p) for p in result.errors] == [
        "第4行 所属镇街：超出本账号管辖范围（仅限小榄镇）",
        "第5行 统一社会信用代码：该企业不在本账号管辖范围内，不能修改",
    ]


def test_historic_division_names_map_to_successors(staff) -> None:
    job = importer.create_job(staff, "a.xlsx", xlsx([_good(1, division="东升镇"), _good(2, division="442000105")]))
    importer.confirm(job)
    assert Enterprise.objects.get(uscc=uscc(1)).division_id == XIAOLAN
    assert Enterprise.objects.get(uscc=uscc(2)).division_id == GUZHEN


def test_failure_midway_rolls_back_everything(staff, monkeypatch) -> None:
    before = _snapshot()
    job = importer.create_job(staff, "a.xlsx", xlsx([_good(i) for i in range(1, 6)]))
    from zjtx.apps.accounts import chain

    written = {}

    def failing_audit(model, rows):  # the data rows are already written in the commit's transaction
        written["enterprises"] = Enterprise.objects.count()
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(chain, "_insert_rows", failing_audit)
    job = importer.confirm(job)
    assert written["enterprises"] == len(before[0]) + 5  # midway: the enterprises were written …
    assert job.status == ImportJob.Status.FAILED
    assert "导入失败，已全部回滚：磁盘已满" in job.errors[-1]["text"]
    assert _snapshot() == before  # … and rolled back with the rest


def test_cancel_before_confirm_writes_nothing(staff, client) -> None:
    before = _snapshot()
    client.force_login(staff)
    job = importer.create_job(staff, "a.xlsx", xlsx([_good(1)]))
    resp = client.post(reverse("enterprises:import_cancel", args=[job.pk]))
    assert resp.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    client.post(reverse("enterprises:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    assert _snapshot() == before


def test_cancel_during_apply_rolls_back(staff) -> None:
    before = _snapshot()
    job = importer.create_job(staff, "a.xlsx", xlsx([_good(i) for i in range(1, 11)]))
    real = importer.apply

    def apply_then_cancel(result, **kw):
        progress = kw["progress"]

        def wrapped(done: int) -> None:
            if done == 5:
                importer.request_cancel(job)
            progress(done)

        kw["progress"] = wrapped
        return real(result, **kw)

    importer.apply = apply_then_cancel  # type: ignore[assignment]
    try:
        job = importer.confirm(job, background=False)
    finally:
        importer.apply = real  # type: ignore[assignment]
    assert job.status == ImportJob.Status.CANCELLED
    assert _snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_large_file_runs_in_background_with_progress(make_user, settings) -> None:
    settings.ZJTX_IMPORT_SYNC_ROWS = 5
    staff = make_user("bg", "city_staff")
    job = importer.create_job(staff, "big.xlsx", xlsx([_good(i) for i in range(1, 41)]))
    assert job.total_rows == 40
    job = importer.confirm(job)  # on the task queue (run at once by the tests' immediate backend)
    from zjtx.apps.jobs.models import Job

    qjob = importer.queue_job(job)
    assert qjob is not None and qjob.kind == Job.Kind.IMPORT and qjob.status == Job.Status.DONE, qjob.error
    assert "导入完成" in qjob.outcome
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.processed_rows == 40
    assert Enterprise.objects.count() == 40
    connection.close()


def test_upload_preview_confirm_through_the_pages(staff, client) -> None:
    client.force_login(staff)
    resp = client.get(reverse("enterprises:import_template"))
    assert resp.status_code == 200
    rows = read_xlsx(resp.content)
    assert rows[0][0] == "统一社会信用代码" and rows[1][0].startswith("【填写说明】")
    bad = xlsx([_good(1), row(uscc=bad_check(uscc(2)), name="乙", year=2024)])
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile("数据.xlsx", bad)})
    assert resp.status_code == 302
    page = client.get(resp["Location"]).content.decode()
    assert "第4行 统一社会信用代码：校验位错误" in page and "确认导入" not in page
    resp = client.post(reverse("enterprises:import"), {"file": SimpleUploadedFile("数据.xlsx", xlsx([_good(1)]))})
    job_url = resp["Location"]
    assert "确认导入" in client.get(job_url).content.decode()
    job = ImportJob.objects.order_by("-created_at").first()
    resp = client.post(reverse("enterprises:import_confirm", args=[job.pk]))
    assert "导入完成" in client.get(resp["Location"]).content.decode()
    assert Enterprise.objects.filter(uscc=uscc(1)).exists()
    progress = client.get(reverse("enterprises:import_progress", args=[job.pk])).json()
    assert progress["status"] == "done" and progress["processed"] == 1


def test_template_has_dropdowns_and_exports_reimport(staff, client) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from zjtx.apps.enterprises.excel import template_bytes

    wb = load_workbook(BytesIO(template_bytes()))
    ws = wb["企业年报"]
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert any("代码表" in f for f in formulas)
    lists = wb["代码表"]
    assert lists.sheet_state == "hidden"
    column_values = {c.value for c in lists["A"]}
    assert "小榄镇" in column_values and "中山港街道" in column_values
    assert {"是", "否"} <= {c.value for c in lists["C"]}

    importer.confirm(importer.create_job(staff, "a.xlsx", xlsx([_good(1), _good(2, year=2023)])))
    client.force_login(staff)
    exported = client.get("/annual.xlsx").content
    before = _snapshot()
    job = importer.create_job(staff, "export.xlsx", exported)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.summary["updated_reports"] == 2 and job.summary["new_enterprises"] == 0
    assert importer.confirm(job).status == ImportJob.Status.DONE
    after = _snapshot()
    assert after[0] == before[0] or [
        {k: v for k, v in e.items() if k not in ("updated_at", "raw", "provenance", "version")} for e in after[0]
    ] == [{k: v for k, v in e.items() if k not in ("updated_at", "raw", "provenance", "version")} for e in before[0]]


def test_rows_of_one_enterprise_must_agree(staff) -> None:
    rows = [_good(1, year=2023), _good(1, year=2024, name="另一个名称", division="古镇镇"), _good(1, year=2022)]
    result = importer.validate(xlsx(rows), "a.xlsx", staff)
    assert [str(p) for p in result.errors] == [
        "第4行 企业名称：与第3行不一致（同一企业的企业信息须相同）",
        "第4行 所属镇街：与第3行不一致（同一企业的企业信息须相同）",
    ]


def test_overwrite_blank_never_clears_name_or_division(staff) -> None:
    importer.confirm(importer.create_job(staff, "a.xlsx", xlsx([_good(1)])))
    job = importer.create_job(staff, "b.xlsx", xlsx([row(uscc=uscc(1), year=2024)]), overwrite_blank=True)
    assert importer.confirm(job).status == ImportJob.Status.DONE
    e = Enterprise.objects.get(uscc=uscc(1))
    assert e.name == "中山市测试1号科技有限公司" and e.division_id == XIAOLAN and e.industry == ""


def test_uscc_stored_as_a_number_is_explained(staff) -> None:
    result = importer.validate(xlsx([row(uscc=914420001234567890.0, name="甲", year=2024)]), "n.xlsx", staff)
    assert [str(p) for p in result.errors] == [
        "第3行 统一社会信用代码：被Excel存成了数字（精度已丢失），请将该列设为文本格式后重新填写"]


def test_csv_upload(staff) -> None:
    from zjtx.apps.enterprises.fields import IMPORT_FIELDS

    header = ",".join(f.header for f in IMPORT_FIELDS[:6])
    body = f"{header}\n{uscc(1)},丙公司,小榄镇,C3919,2020-01-01,\n".encode("utf-8-sig")
    job = importer.create_job(staff, "a.csv", body)
    assert job.status == ImportJob.Status.READY, job.errors
    importer.confirm(job)
    assert Enterprise.objects.get(uscc=uscc(1)).name == "丙公司"


def test_import_audit_entries_prepared_before_the_commit_chain_and_match_the_rows(staff) -> None:
    """The audit entries of an import are built while staging and only chained in the commit: the chain
    verifies, and every entry holds the row as stored (ids of inserted rows filled in by the commit)."""
    from zjtx.apps.accounts import chain
    from zjtx.apps.accounts.audit import snapshot

    titles = [[uscc(1), "高新技术企业", "2023-12-01", "2026-11-30", "2023年第一批", "粤科函〔2023〕1号", "GR2023"]]
    assert importer.confirm(importer.create_job(staff, "a.xlsx", xlsx([_good(1), _good(2)], titles=titles))
                            ).status == ImportJob.Status.DONE
    titles2 = [[uscc(1), "高新技术企业", "2023-12-01", "2026-12-31", "2023年第一批", "粤科函〔2023〕1号", "GR2023"],
               [uscc(3), "科技型中小企业", "2024-05-01", "2025-12-31", "2024年", "", ""]]
    rows = [_good(1, employees=150), _good(2, year=2023), _good(3, name="中山市新增三号有限公司")]
    job = importer.confirm(importer.create_job(staff, "b.xlsx", xlsx(rows, titles=titles2)))
    assert job.status == ImportJob.Status.DONE, job.errors
    report = chain.verify()
    assert report.ok, report.problems
    entries = list(AuditEntry.objects.filter(request_id=f"import-{job.pk}", action__in=["create", "update"]))
    kinds = sorted((e.action, e.model) for e in entries)
    assert kinds == [("create", "enterprises.AnnualReport"), ("create", "enterprises.AnnualReport"),
                     ("create", "enterprises.Enterprise"), ("create", "enterprises.Title"),
                     ("update", "enterprises.AnnualReport"), ("update", "enterprises.Title")]
    models = {"enterprises.Enterprise": Enterprise, "enterprises.AnnualReport": AnnualReport,
              "enterprises.Title": Title}
    for e in entries:
        obj = models[e.model].objects.get(pk=int(e.object_id))
        assert e.after == snapshot(obj), e.model  # ids, enterprise ids, versions and times as stored
        assert e.username == "staff" and e.source == "import"
        assert e.object_repr == str(obj)[:300] and e.enterprise_uscc in (uscc(1), uscc(2), uscc(3))
    update = next(e for e in entries if e.action == "update" and e.model == "enterprises.AnnualReport")
    assert update.changed == ["employees", "raw"] and update.before["employees"] == 120
    assert update.after["employees"] == 150 and update.after["version"] == update.before["version"] + 1
    # a value altered in one of them (by someone with database access) is found
    from zjtx.apps.accounts import dbguard

    dbguard.remove(connection)
    try:
        AuditEntry.objects.filter(pk=update.pk).update(after={**update.after, "employees": 151})
    finally:
        dbguard.install(connection)
    report = chain.verify()
    assert [p for p in report.problems if "内容被修改" in p] == [
        f"数据链 序号 {update.seq}（编号 {update.pk}）：内容被修改或为伪造记录（摘要不符）"]
