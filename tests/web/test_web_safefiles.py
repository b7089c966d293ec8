"""Bad-file corpus: every hostile or broken upload gets a clear Chinese message, never a server error, and
leaves the registry exactly as it was (zero partial writes). Plus the CSV encodings that must work."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from webtest_helpers import row, uscc, xlsx

from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.fields import IMPORT_FIELDS
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, ImportJob, Title

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

HEAD = [f.header for f in IMPORT_FIELDS]


def _good(seq: int, **over: object) -> list:
    values = dict(uscc=uscc(seq), name=f"中山市测试{seq}号科技有限公司", division="小榄镇", industry="C3919",
                  year=2024, employees=120, revenue=50_000_000)
    values.update(over)
    return row(**values)


def _rezip(content: bytes, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
           compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(content))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as out:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = (replace or {}).get(info.filename, src.read(info.filename))
            out.writestr(info.filename, data)
    return buf.getvalue()


def _sheet_xml(content: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()


def _declared(content: bytes, ref: str) -> bytes:
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', _sheet_xml(content))
    return _rezip(content, {"xl/worksheets/sheet1.xml": xml.encode()})


def _undeclared(content: bytes) -> bytes:
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", _sheet_xml(content))
    return _rezip(content, {"xl/worksheets/sheet1.xml": xml.encode()})


def _bomb() -> bytes:
    """A valid workbook whose sheet part is 40 MB of padding: 440 KB or so once compressed."""
    base = xlsx([_good(1)])
    xml = _sheet_xml(base)
    padded = xml.replace("<sheetData>", "<sheetData>" + " " * (40 * 1024 * 1024), 1)
    return _rezip(base, {"xl/worksheets/sheet1.xml": padded.encode()})


def _wide_row() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "企业年报"
    ws.append(HEAD)
    ws.cell(row=3, column=1, value=uscc(1))
    ws.cell(row=3, column=300, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _bad_shared_string() -> bytes:
    base = xlsx([_good(1)])
    xml = _sheet_xml(base)
    xml = re.sub(r'(<c r="A3"[^>]*t=")s(">)<v>\d+</v>', r'\1s\2<v>999999</v>', xml, count=1)
    if "<v>999999</v>" not in xml:  # inline strings: point the first cell of row 3 at a missing shared string
        xml = re.sub(r'<c r="A3"[^>]*>.*?</c>', '<c r="A3" t="s"><v>999999</v></c>', xml, count=1)
    return _rezip(base, {"xl/worksheets/sheet1.xml": xml.encode()})


def _zip_without_workbook() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def _csv(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows) + "\n"
    return text.encode(encoding)


SMALL_LIMITS = {"ZJTX_IMPORT_MAX_ROWS": 50, "ZJTX_IMPORT_MAX_COLUMNS": 120}
MANY = [_good(i) for i in range(1, 61)]

# (case, filename, content builder, expected fragment of the first error)
CORPUS = [
    ("empty xlsx", "a.xlsx", lambda: b"", "文件为空"),
    ("empty csv", "a.csv", lambda: b"", "文件为空"),
    ("html named .xlsx", "a.xlsx", lambda: b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
     "网页/XML"),
    ("xml named .xlsx", "a.xlsx", lambda: b"<?xml version='1.0'?><Workbook/>", "网页/XML"),
    ("old xls / encrypted (OLE)", "a.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 .xls"),
    ("random bytes", "a.xlsx", lambda: bytes(range(256)) * 8, "不是有效的 .xlsx"),
    ("truncated workbook", "a.xlsx", lambda: xlsx([_good(1)])[:3000], "不是有效的 .xlsx"),
    ("zip without workbook", "a.xlsx", _zip_without_workbook, "没有 Excel 工作簿"),
    ("zip bomb", "a.xlsx", _bomb, "压缩比异常"),
    ("declared A1:XFD1048576", "a.xlsx", lambda: _declared(xlsx([_good(1)]), "A1:XFD1048576"), "声明的范围过大"),
    ("too many rows (declared)", "a.xlsx", lambda: xlsx(MANY), "声明的范围过大"),
    ("too many rows (undeclared, streamed)", "a.xlsx", lambda: _undeclared(xlsx(MANY)), "行数超过上限"),
    ("too many columns (declared)", "a.xlsx", _wide_row, "声明的范围过大"),
    ("too many columns (undeclared, streamed)", "a.xlsx", lambda: _undeclared(_wide_row()), "列数过多"),
    ("missing shared string", "a.xlsx", _bad_shared_string, "内容损坏"),
    ("too many csv rows", "a.csv", lambda: _csv([HEAD, *MANY]), "行数超过上限"),
    ("too many csv columns", "a.csv", lambda: _csv([HEAD + ["x"] * 130]), "列数过多"),
    ("latin-1 csv", "a.csv", lambda: _csv([["uscc", "name", "division"],
                                           [uscc(1), "Müller Gesellschaft für Lösungen", "442000118"]], "latin-1"),
     "无法确定文件编码"),
    ("csv with NUL bytes", "a.csv", lambda: b"uscc,name\n\x001,2\n" + b"a" * 20, "空字符"),
    ("oversized file", "a.csv", lambda: b"a" * (2 * 1024 * 1024 + 1), "文件过大"),
]

# cell-level problems: the file is readable, the bad cell is an error of its row and column
CELL_CASES = [
    ("formula cell", {"revenue": "=1+1"}, "营业收入：单元格是公式"),
    ("formula injection in a number column", {"employees": '=HYPERLINK("http://x","y")'}, "职工总数：单元格是公式"),
    ("Excel error value", {"revenue": "#DIV/0!"}, "营业收入：单元格为错误值"),
    ("text in a money column", {"revenue": "五千万"}, "营业收入：不是数字"),
    ("fraction of a person", {"employees": 3.5}, "职工总数：应为整数"),
    ("impossible date", {"founded_on": "2015-13-45"}, "成立日期：不是有效日期"),
    ("1e30 revenue", {"revenue": 1e30}, "营业收入：数值过大"),
    ("huge head count", {"employees": 10 ** 12}, "职工总数：数值过大"),
    ("over-long name", {"name": "长" * 3000}, "企业名称：内容过长"),
    ("year 99999", {"year": 99999}, "年度：应为1990至"),
]


def _state() -> tuple:
    return (Enterprise.objects.count(), AnnualReport.objects.count(), Title.objects.count(),
            AuditEntry.objects.filter(action__in=["create", "update", "delete"]).count(),
            AuditEntry.objects.filter(action="import").exclude(after__stage="upload").count())


def _post(client, name: str, content: bytes):
    resp = client.post("/imports/", {"file": _file(name, content)})
    assert resp.status_code in (200, 302), resp.status_code
    return (ImportJob.objects.order_by("-created_at").first() if resp.status_code == 302 else None), resp


def _upload(client, name: str, content: bytes) -> ImportJob | None:
    return _post(client, name, content)[0]


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("staff", "city_staff"))
    return client


@pytest.mark.parametrize(("case", "filename", "build", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_is_refused_clearly_and_writes_nothing(staff_client, settings, case, filename, build,
                                                        expected) -> None:
    for k, v in SMALL_LIMITS.items():
        setattr(settings, k, v)
    settings.ZJTX_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    _good_row = Enterprise.objects.create(uscc=uscc(900), name="已有企业", division_id="442000118")
    before = _state()
    content = build()
    job, resp = _post(staff_client, filename, content)
    if job is None:  # refused before the job was stored (size check on the upload)
        assert expected in resp.content.decode(), case
    else:
        assert job.status == ImportJob.Status.INVALID, (case, job.errors)
        assert expected in job.errors[0]["text"], (case, job.errors[0]["text"])
        page = staff_client.get(f"/imports/{job.pk}/").content.decode()
        assert expected in page
        resp = staff_client.post(f"/imports/{job.pk}/confirm/")
        assert resp.status_code == 302
        job.refresh_from_db()
        assert job.status == ImportJob.Status.INVALID
        upload = AuditEntry.objects.get(action="import", object_id=str(job.pk))
        assert upload.after["stage"] == "upload" and upload.after["status"] == "invalid"
    assert _state() == before, case
    assert Enterprise.objects.get(pk=_good_row.pk).name == "已有企业"


@pytest.mark.parametrize(("case", "bad", "expected"), CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_bad_cell_is_a_row_error_and_nothing_is_written(staff_client, case, bad, expected) -> None:
    before = _state()
    content = xlsx([_good(1), _good(2, **bad), _good(3)])
    job = _upload(staff_client, "cells.xlsx", content)
    assert job is not None and job.status == ImportJob.Status.INVALID
    texts = [e["text"] for e in job.errors]
    assert any(t.startswith("第4行 ") and expected in t for t in texts), (case, texts)
    assert all(t.startswith("第4行 ") for t in texts), (case, texts)  # the good rows are fine
    staff_client.post(f"/imports/{job.pk}/confirm/")
    assert _state() == before


def test_many_errors_are_capped_with_a_count(staff_client, settings) -> None:
    settings.ZJTX_IMPORT_MAX_ERRORS = 20
    job = _upload(staff_client, "many.xlsx", xlsx([_good(i, revenue="x", employees="y") for i in range(1, 40)]))
    assert job is not None and len(job.errors) == 21
    assert "另有 58 处问题未列出" in job.errors[-1]["text"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_csv_encodings_import_chinese_correctly(staff_client, encoding) -> None:
    content = _csv([HEAD, _good(1, name="中山市甲灯饰照明有限公司", division="古镇镇")], encoding)
    job = _upload(staff_client, f"{encoding}.csv", content)
    assert job is not None and job.status == ImportJob.Status.READY, job.errors
    staff_client.post(f"/imports/{job.pk}/confirm/")
    e = Enterprise.objects.get(uscc=uscc(1))
    assert e.name == "中山市甲灯饰照明有限公司" and e.division.name == "古镇镇"


def test_formula_text_in_a_name_is_stored_as_text_and_exported_inert(staff_client) -> None:
    """A CSV (plain text) name that looks like a formula is kept as typed, and no export runs it."""
    evil = '=HYPERLINK("http://x.example","点我")'
    job = _upload(staff_client, "evil.csv", _csv([HEAD, _good(1, name=evil.replace(",", "，"))]))
    assert job.status == ImportJob.Status.READY, job.errors
    staff_client.post(f"/imports/{job.pk}/confirm/")
    stored = Enterprise.objects.get(uscc=uscc(1)).name
    assert stored.startswith("=HYPERLINK(")
    import csv

    csv_rows = list(csv.reader(io.StringIO(staff_client.get("/enterprises.csv").content.decode("utf-8-sig"))))
    assert csv_rows[1][1] == "'" + stored
    from openpyxl import load_workbook

    for url in ("/enterprises.xlsx", "/annual.xlsx"):
        wb = load_workbook(io.BytesIO(staff_client.get(url).content))
        cells = [c for ws in wb.worksheets for r in ws.iter_rows() for c in r if c.value == stored]
        assert cells and all(c.data_type == "s" for c in cells), url
        # and no formula anywhere in the data rows
        assert not any(c.data_type == "f" for ws in wb.worksheets if ws.title != "代码表"
                       for r in ws.iter_rows(min_row=3) for c in r), url
