"""Small registry fixtures for the evaluation tests (independent of the demo loader)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ev_registry import NAMES, ON, A, B, C, D
from webtest_helpers import GUZHEN, SHIQI, XIAOLAN

WAN = Decimal(10000)


def _annual(ent, year: int, **values) -> None:
    from zjtx.apps.enterprises.models import AnnualReport

    money = {"revenue", "rd_expense", "rd_expense_tax", "total_cost", "total_assets", "total_liabilities", "net_profit"}
    data = {k: (Decimal(v) * WAN if k in money else v) for k, v in values.items()}
    AnnualReport.objects.create(enterprise=ent, year=year, provenance={k: "tax" for k in data}, **data)


@pytest.fixture
def registry(db):
    """Four enterprises with 2022–2024 reports; as of 2025-06-30:

    A 小榄 qualifies for 科技型 (score 92); B 古镇 fails it (no 科技人员: veto) but holds a valid 科技型
    registration (a protected designation → flag); C 石岐 lacks the data (待核验); D 小榄 scores 52 (a near miss).
    """
    from zjtx.apps.enterprises.models import Enterprise, Title

    base = dict(abnormal_or_dishonest=False, major_incident_3y=False, restricted_industry=False, led_standard_5y=False)
    a = Enterprise.objects.create(uscc=A, name=NAMES[A], division_id=XIAOLAN, industry="C3919",
                                  founded_on=dt.date(2015, 3, 1), **base)
    b = Enterprise.objects.create(uscc=B, name=NAMES[B], division_id=GUZHEN, industry="C3872",
                                  founded_on=dt.date(2012, 5, 1), **base)
    c = Enterprise.objects.create(uscc=C, name=NAMES[C], division_id=SHIQI, industry="I6510",
                                  founded_on=dt.date(2019, 1, 1), **base)
    d = Enterprise.objects.create(uscc=D, name=NAMES[D], division_id=XIAOLAN, industry="C3484",
                                  founded_on=dt.date(2010, 1, 1), **base)
    for year, grow in ((2022, 0.8), (2023, 0.9), (2024, 1.0)):
        _annual(a, year, employees=50, tech_staff=12, rd_staff=10, revenue=2000 * grow, rd_expense=150 * grow,
                rd_expense_tax=150 * grow, total_cost=1800 * grow, total_assets=3000, total_liabilities=1200,
                net_profit=200 * grow, ip1=1, ip2=0, rd_institution="none")
        _annual(b, year, employees=80, tech_staff=0, rd_staff=0, revenue=5000 * grow, rd_expense=100,
                rd_expense_tax=100, total_cost=4800, total_assets=6000, total_liabilities=3000, net_profit=150,
                ip1=0, ip2=2, rd_institution="none")
        _annual(d, year, employees=100, tech_staff=25, rd_staff=10, revenue=3000 * grow, rd_expense=135 * grow,
                rd_expense_tax=135 * grow, total_cost=2900 * grow, total_assets=4000, total_liabilities=2000,
                net_profit=100, ip1=0, ip2=1, rd_institution="none")
    _annual(c, 2024, employees=20)
    Title.objects.create(enterprise=b, title="tech_sme", granted_on=dt.date(2025, 3, 1),
                         expires_on=dt.date(2025, 12, 31), document="国科火字〔2025〕1号")
    return {"A": a, "B": b, "C": c, "D": d}


@pytest.fixture
def staff(make_user):
    return make_user("ev_staff", "city_staff")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def done_run(registry, staff):
    from zjtx.apps.evaluations import services

    run = services.create_run(staff, ON, name="测试批次")
    return services.execute_run(run.pk)
