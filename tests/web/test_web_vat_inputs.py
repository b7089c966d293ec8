"""The VAT-return inputs of 增值税加计抵减 on the annual report: the import template's columns, their
checks (Chinese messages naming row and column, nothing written), the edit form, the Chinese labels."""

from __future__ import annotations

from decimal import Decimal

import pytest
from webtest_helpers import read_xlsx, row, uscc, xlsx

from zjtx.apps.enterprises import importer
from zjtx.apps.enterprises.fields import VAT_RETURN_FIELDS
from zjtx.apps.enterprises.forms import AnnualReportForm
from zjtx.apps.enterprises.models import AnnualReport, Enterprise, ImportJob

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

VAT = dict(small_scale_vat="否", vat_sales_total=31_000_000, vat_sales_four_services=500_000,
           vat_sales_life_service=0, input_vat_deductible="1,200,000", input_vat_excluded=200_000,
           input_vat_transferred_out=10_000, plus_balance_start=0, vat_payable_before_plus=500_000,
           advanced_manufacturing_listed="是")


@pytest.fixture
def staff(make_user):
    return make_user("staff", "city_staff")


def _row(seq: int, **over: object) -> list:
    values = dict(uscc=uscc(seq), name=f"中山市加计{seq}号机械有限公司", division="小榄镇", industry="C3421",
                  year=2024, source="税务", revenue=31_000_000, **VAT)
    values.update(over)
    return row(**values)


def test_template_has_the_vat_columns_with_chinese_headers_and_notes(client, staff) -> None:
    client.force_login(staff)
    content = client.get("/imports/template.xlsx").content
    head, notes = read_xlsx(content)[:2]
    for spec in VAT_RETURN_FIELDS:
        assert spec.header in head, spec.name
        assert notes[head.index(spec.header)]
    assert "可抵扣进项税额（元）" in head and "列入先进制造业企业增值税加计抵减名单" in head
    assert not any(s.name in " ".join(map(str, head)) for s in VAT_RETURN_FIELDS)


def test_import_stores_the_return_as_given(staff) -> None:
    job = importer.create_job(staff, "vat.xlsx", xlsx([_row(1), _row(1, year=2023, input_vat_deductible=None,
                                                                     vat_payable_before_plus=None)]))
    assert job.status == ImportJob.Status.READY, job.errors
    assert importer.confirm(job).status == ImportJob.Status.DONE
    r = AnnualReport.objects.get(enterprise__uscc=uscc(1), year=2024)
    assert r.input_vat_deductible == Decimal("1200000.00") and r.raw["input_vat_deductible"] == "1,200,000"
    assert (r.small_scale_vat, r.advanced_manufacturing_listed, r.ic_or_machine_tool) == (False, True, None)
    assert r.plus_balance_start == 0 and r.provenance["input_vat_excluded"] == "tax"
    assert AnnualReport.objects.get(enterprise__uscc=uscc(1), year=2023).input_vat_deductible is None


def test_contradictory_returns_are_refused_by_row_and_column(staff) -> None:
    rows = [
        _row(1),                                                                  # row 3: fine
        _row(2, input_vat_excluded=1_300_000),                                    # row 4
        _row(3, vat_sales_four_services=40_000_000, vat_sales_life_service=41_000_000),  # row 5
        _row(4, small_scale_vat="是"),                                            # row 6
        _row(5, plus_balance_start=-1, advanced_manufacturing_listed="在名单"),     # row 7
    ]
    result = importer.validate(xlsx(rows), "vat.xlsx", staff)
    assert [str(p) for p in result.errors] == [
        "第4行 其中：不得计提加计抵减额的进项税额：不能大于可抵扣进项税额（1,200,000）",
        "第5行 其中：邮政、电信、现代服务、生活服务销售额：不能大于全部销售额（增值税申报）（31,000,000）",
        "第5行 其中：生活服务销售额：不能大于其中：邮政、电信、现代服务、生活服务销售额（40,000,000）",
        "第6行 可抵扣进项税额：小规模纳税人没有可抵扣进项税额和加计抵减额，应留空或改为一般纳税人",
        "第6行 其中：不得计提加计抵减额的进项税额：小规模纳税人没有可抵扣进项税额和加计抵减额，应留空或改为一般纳税人",
        "第6行 已计提加计抵减额的进项税额转出额：小规模纳税人没有可抵扣进项税额和加计抵减额，应留空或改为一般纳税人",
        "第6行 抵减前的应纳税额：小规模纳税人没有可抵扣进项税额和加计抵减额，应留空或改为一般纳税人",
        "第7行 加计抵减额年初余额：不能为负数",
        "第7行 列入先进制造业企业增值税加计抵减名单：应填“是”或“否”",
    ]
    assert importer.confirm(importer.create_job(staff, "vat.xlsx", xlsx(rows))).status == ImportJob.Status.INVALID
    assert not Enterprise.objects.exists()


def test_edit_form_checks_the_same(db) -> None:
    data = {"year": 2024, "source": "tax", "small_scale_vat": "false", "input_vat_deductible": "100000",
            "input_vat_excluded": "200000"}
    form = AnnualReportForm(data=data)
    assert not form.is_valid()
    assert form.errors["input_vat_excluded"] == ["不能大于可抵扣进项税额（100,000）"]
    form = AnnualReportForm(data={**data, "small_scale_vat": "true", "input_vat_excluded": ""})
    assert not form.is_valid()
    assert "小规模纳税人没有可抵扣进项税额" in form.errors["input_vat_deductible"][0]
    assert form.fields["input_vat_deductible"].label == "可抵扣进项税额"


def test_api_refuses_a_contradictory_return_and_writes_nothing(client, staff) -> None:
    import json

    client.force_login(staff)
    Enterprise.objects.create(uscc=uscc(9), name="中山市加计接口机械有限公司", division_id="442000118", industry="C3421")
    url = f"/api/enterprises/{uscc(9)}/annual/2024"
    bad = client.put(url, data=json.dumps({"small_scale_vat": True, "input_vat_deductible": 50_000}),
                     content_type="application/json")
    assert bad.status_code == 422, bad.content
    assert "小规模纳税人没有可抵扣进项税额" in json.dumps(bad.json(), ensure_ascii=False)
    assert not AnnualReport.objects.exists()
    ok = client.put(url, data=json.dumps({"small_scale_vat": False, "input_vat_deductible": 50_000,
                                          "input_vat_excluded": 10_000, "source": "tax"}),
                    content_type="application/json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["input_vat_excluded"] == 10_000 and ok.json()["small_scale_vat"] is False


def test_edit_page_and_admin_show_the_chinese_labels_and_help(client, make_user) -> None:
    admin = make_user("root", "city_staff")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    ent = Enterprise.objects.create(uscc=uscc(11), name="中山市加计表单机械有限公司", division_id="442000118",
                                    industry="C3421")
    html = client.get(f"/enterprises/{uscc(11)}/annual/new/").content.decode()
    assert "可抵扣进项税额" in html and "一般计税方法，全年各期合计" in html
    assert "列入先进制造业企业增值税加计抵减名单" in html and "未知留空" in html
    html = client.get(f"/admin/enterprises/enterprise/{ent.pk}/change/").content.decode()
    assert "增值税申报（全年合计）与加计抵减名单" in html and "抵减前的应纳税额" in html
