"""增值税加计抵减 on the enterprise page: the VAT-return inputs of the annual reports become the
calculator's inputs, and the benefits section shows the amount in 万元 with its calculation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from webtest_helpers import SHIQI, XIAOLAN, uscc

from zjtx.apps.enterprises.models import AnnualReport, Enterprise, Title
from zjtx.apps.evaluations import services

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MAKER, SMALL, SERVICE = uscc(301), uscc(302), uscc(303)
BASE = dict(abnormal_or_dishonest=False, major_incident_3y=False, restricted_industry=False)


def _enterprise(code: str, name: str, industry: str, division: str = XIAOLAN) -> Enterprise:
    return Enterprise.objects.create(uscc=code, name=name, division_id=division, industry=industry,
                                     founded_on=dt.date(2012, 1, 1), **BASE)


def _report(ent: Enterprise, year: int, **values: object) -> None:
    data = {k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in values.items()}
    AnnualReport.objects.create(enterprise=ent, year=year, provenance={k: "tax" for k in data}, employees=80,
                                revenue=Decimal(30_000_000), **data)


@pytest.fixture
def vat_registry(db):
    maker = _enterprise(MAKER, "中山市加计精密机械有限公司", "C3421")
    _report(maker, 2023, small_scale_vat=False, vat_sales_total=30_000_000, vat_sales_four_services=600_000,
            vat_sales_life_service=0)
    _report(maker, 2024, small_scale_vat=False, vat_sales_total=31_000_000, vat_sales_four_services=500_000,
            vat_sales_life_service=0, input_vat_deductible=1_200_000, input_vat_excluded=200_000,
            input_vat_transferred_out=10_000, plus_balance_start=0, vat_payable_before_plus=500_000,
            advanced_manufacturing_listed=True)
    Title.objects.create(enterprise=maker, title="high_tech", granted_on=dt.date(2023, 11, 1),
                         expires_on=dt.date(2026, 10, 31), document="粤科函高字〔2023〕1号")
    small = _enterprise(SMALL, "中山市加计小商店有限公司", "F5179", SHIQI)
    _report(small, 2023, small_scale_vat=True, vat_sales_total=2_000_000, vat_sales_four_services=0)
    _report(small, 2024, small_scale_vat=True, vat_sales_total=2_100_000, vat_sales_four_services=0)
    service = _enterprise(SERVICE, "中山市加计信息技术有限公司", "I6513", SHIQI)
    _report(service, 2022, small_scale_vat=False, vat_sales_total=10_000_000, vat_sales_four_services=9_000_000,
            vat_sales_life_service=0)
    _report(service, 2023, small_scale_vat=False, vat_sales_total=11_000_000, vat_sales_four_services=9_900_000,
            vat_sales_life_service=0, input_vat_deductible=300_000, vat_payable_before_plus=200_000)
    _report(service, 2024, small_scale_vat=False, vat_sales_total=12_000_000, vat_sales_four_services=10_800_000,
            vat_sales_life_service=0, input_vat_deductible=320_000, vat_payable_before_plus=220_000)
    return maker, small, service


def _benefit_row(html: str, policy: str) -> str | None:
    table = html.split('id="benefits-table"')[1].split("</table>")[0]
    for part in table.split("<tr")[1:]:
        if f'data-policy="{policy}"' in part:
            return part
    return None


def test_the_record_carries_the_last_year_return_and_the_year_before_shares(vat_registry) -> None:
    maker, small, service = vat_registry
    rec = services.record_for_enterprise(maker, dt.date(2025, 6, 30))
    assert (rec["vat_period"], rec["small_scale_vat"], rec["input_vat_deductible"]) == ("2024-12", False, 1_200_000)
    assert rec["four_services_share"] == pytest.approx(0.02)  # 2023's sales decide 2024's category
    assert rec["advanced_manufacturing_listed"] is True and rec["high_tech_valid"] is True
    assert services.record_for_enterprise(service, dt.date(2024, 6, 30))["four_services_share"] == pytest.approx(0.9)
    rec = services.record_for_enterprise(small, dt.date(2025, 6, 30))
    assert rec["small_scale_vat"] is True and rec["input_vat_deductible"] is None


def test_enterprise_page_shows_the_credit_with_its_calculation(staff_client, vat_registry) -> None:
    if not services.match_available():
        pytest.fail("the benefit matcher is part of the package")
    html = staff_client.get(f"/evaluations/enterprise/{MAKER}/?on=2025-06-30").content.decode()
    row = _benefit_row(html, "vat_plus_deduction")
    assert row is not None, "增值税加计抵减 not listed"
    # (120万 − 20万) × 5% − 1万 × 5% = 4.95万元, absorbed by the 50万 payable
    assert "增值税加计抵减" in row and "符合" in row and "4.95万元" in row
    assert "计算过程" in row and "规则版本：先进制造业企业5%" in row
    assert "适用类别与加计比例（择优适用，不得叠加）：5%（财政部 税务总局公告2023年第43号 第一条" in row
    assert "当期计提加计抵减额：5.00万元" in row and "本期实际抵减额：4.95万元" in row
    assert "按2024年度增值税申报数据（全年各期合计）测算" in row
    for raw in ("input_vat_deductible", "vat_plus_deduction@", "None"):
        assert raw not in row.split(">", 1)[1]


def test_service_enterprise_in_2023_and_small_scale_taxpayer(staff_client, vat_registry) -> None:
    html = staff_client.get(f"/evaluations/enterprise/{SERVICE}/?on=2024-06-30").content.decode()
    row = _benefit_row(html, "vat_plus_deduction")
    assert row is not None and "1.50万元" in row  # 生产性服务业 5% of 30万 (2023年第1号)
    assert "财政部 税务总局公告2023年第1号 第三条" in row
    # the service credit ended with 2023: not offered on 2025's page
    html = staff_client.get(f"/evaluations/enterprise/{SERVICE}/?on=2025-06-30").content.decode()
    assert _benefit_row(html, "vat_plus_deduction") is None
    # a small-scale taxpayer has no input VAT: never offered
    html = staff_client.get(f"/evaluations/enterprise/{SMALL}/?on=2025-06-30").content.decode()
    assert _benefit_row(html, "vat_plus_deduction") is None
