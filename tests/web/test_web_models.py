"""Registry models, reference data, audit trail and the record builder bridge (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction
from webtest_helpers import XIAOLAN, uscc

from zjtx.apps.accounts.audit import audit_context
from zjtx.apps.accounts.models import AuditEntry
from zjtx.apps.enterprises.fields import ANNUAL_FIELDS
from zjtx.apps.enterprises.models import AnnualReport, Division, Enterprise, Industry, Title, Zone
from zjtx.apps.enterprises.records import records_for, registry_frames

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_reference_data_is_loaded_from_facts() -> None:
    current = Division.objects.filter(valid_to__isnull=True)
    assert current.count() == 23
    assert Division.objects.get(code="442000104").successor_id == XIAOLAN  # 东升镇 → 小榄镇
    assert set(Zone.objects.values_list("name", flat=True)) == {"火炬开发区", "翠亨新区"}
    assert set(Zone.objects.get(code="torch").divisions.values_list("code", flat=True)) == {"442000003", "442000007"}
    assert Industry.objects.get(code="C3919").cluster == "电子信息"


def test_every_annual_field_is_stored_exactly() -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, industry="C3919")
    values = {}
    for i, f in enumerate(ANNUAL_FIELDS, start=1):
        if f.kind == "money":
            values[f.name] = Decimal("9876543210987.65") if f.name == "revenue" else Decimal(f"{i}.05")
        elif f.kind in ("decimal", "fraction"):
            values[f.name] = Decimal("0.123456")
        elif f.kind == "int":
            values[f.name] = 1 + i % 4
        elif f.kind == "bool":
            values[f.name] = True
        elif f.kind == "choice":
            values[f.name] = f.choices[0][0]
    AnnualReport.objects.create(enterprise=e, year=2024, raw={"revenue": "1.2亿"}, provenance={"revenue": "tax"},
                                **values)
    r = AnnualReport.objects.get(enterprise=e, year=2024)
    for name, v in values.items():
        assert getattr(r, name) == v, name
    assert r.raw == {"revenue": "1.2亿"}
    assert AnnualReport.objects.filter(provenance__revenue="tax").count() == 1  # provenance is queryable
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(enterprise=e, year=2024)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enterprise.objects.create(uscc=uscc(1), name="重复")


def test_audit_log_records_before_after_grouped_by_request(make_user) -> None:
    user = make_user("clerk", "city_staff")
    with audit_context(user, "req-1", "web"):
        e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN)
        e.name = "甲（更名）"
        e.save()
        e.save()  # no change → no entry
        r = AnnualReport.objects.create(enterprise=e, year=2023, revenue=Decimal("10.00"))
        r.delete()
    entries = list(AuditEntry.objects.filter(request_id="req-1").order_by("id"))
    assert [(a.action, a.model) for a in entries] == [
        ("create", "enterprises.Enterprise"), ("update", "enterprises.Enterprise"),
        ("create", "enterprises.AnnualReport"), ("delete", "enterprises.AnnualReport")]
    upd = entries[1]
    assert upd.before["name"] == "甲" and upd.after["name"] == "甲（更名）" and upd.changed == ["name"]
    assert all(a.username == "clerk" and a.enterprise_uscc == uscc(1) for a in entries)
    assert entries[3].before["revenue"] == "10.00" and entries[3].after is None
    with pytest.raises(PermissionError):
        entries[0].delete()
    entries[0].object_repr = "tampered"
    with pytest.raises(PermissionError):
        entries[0].save()


def test_registry_frames_and_records_for() -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲", division_id=XIAOLAN, industry="C3919",
                                  founded_on=date(2010, 5, 1), niche_since=date(2012, 1, 1),
                                  contact_name="张三", contact_phone="13800000000", abnormal_or_dishonest=False)
    Enterprise.objects.create(uscc=uscc(2), name="乙")
    AnnualReport.objects.create(enterprise=e, year=2024, employees=100, revenue=Decimal("50000000.00"), ip1=3)
    AnnualReport.objects.create(enterprise=e, year=2023, employees=90, revenue=Decimal("40000000.00"))
    Title.objects.create(enterprise=e, title="high_tech", granted_on=date(2023, 12, 1), expires_on=date(2026, 11, 30))
    ents, annual, titles = registry_frames()
    assert ents.height == 2 and "contact_phone" not in ents.columns and "contact_name" not in ents.columns
    assert ents.schema["founded_on"] == pl.Date
    assert annual.filter(pl.col("year") == 2024)["revenue"].to_list() == [50_000_000.0]
    assert annual.filter(pl.col("year") == 2023)["ip1"].to_list() == [None]  # unknown stays null
    assert titles.row(0, named=True)["title"] == "high_tech"
    rec = records_for(date(2025, 6, 30)).filter(pl.col("uscc") == uscc(1)).row(0, named=True)
    assert rec["employees_y1"] == 100 and rec["employees_y2"] == 90 and rec["revenue_y3"] is None
    assert rec["ip1"] == 3 and rec["high_tech_valid"] is True and rec["division"] == XIAOLAN
    scoped = records_for(date(2025, 6, 30), Enterprise.objects.filter(uscc=uscc(2)))
    assert scoped["uscc"].to_list() == [uscc(2)]


def test_reported_niche_years_become_a_start_date() -> None:
    e = Enterprise.objects.create(uscc=uscc(1), name="甲")
    AnnualReport.objects.create(enterprise=e, year=2023, niche_years=Decimal("7"))
    AnnualReport.objects.create(enterprise=e, year=2024, niche_years=Decimal("10"))
    ents, _, _ = registry_frames()
    assert ents["niche_since"].to_list() == [date(2015, 1, 1)]
    rec = records_for(date(2026, 6, 30)).row(0, named=True)
    assert rec["niche_years"] == 11  # ten years at the end of 2024 → eleven at the end of 2025
    e.niche_since = date(2020, 1, 1)
    e.save()
    assert registry_frames()[0]["niche_since"].to_list() == [date(2020, 1, 1)]  # a stated date wins


@pytest.mark.postgres_only
def test_running_on_postgresql() -> None:
    """Selected only when ZJTX_TEST_DATABASE_URL is set: the suite really runs on that server."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute("select version()")
        assert "PostgreSQL" in cur.fetchone()[0]
