"""Fixtures of the outreach tests: a small registry (as the evaluation tests'), a real evaluation run,
one user per role, and a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from webtest_helpers import GUZHEN, SHIQI, XIAOLAN, uscc

ON = dt.date(2025, 6, 30)  # evaluation date: y1 = 2024
WAN = Decimal(10000)
SMTP_PORT = 8631

A, B, C, D = uscc(301), uscc(302), uscc(303), uscc(304)
NAMES = {A: "中山市甲芯电子科技有限公司", B: "中山市乙光照明有限公司", C: "中山市丙数据信息有限公司",
         D: "中山市丁精密机械有限公司"}
MONEY = {"revenue", "rd_expense", "rd_expense_tax", "total_cost", "total_assets", "total_liabilities", "net_profit",
         "high_tech_revenue", "sales_revenue"}


def annual(ent, year: int, **values) -> None:
    from zjtx.apps.enterprises.models import AnnualReport

    data = {k: (Decimal(v) * WAN if k in MONEY else v) for k, v in values.items()}
    AnnualReport.objects.create(enterprise=ent, year=year, provenance={k: "tax" for k in data}, **data)


@pytest.fixture
def registry(db):
    """As of 2025-06-30: A (小榄) qualifies for 科技型 and holds none; B (古镇) holds a valid 科技型
    registration but fails it (no 科技人员) and its 高企 share sits at 61%; C (石岐) has a 2024
    revenue ten times its 2023 revenue; D (小榄) scores below the pass mark."""
    from zjtx.apps.enterprises.models import Enterprise, Title

    base = dict(abnormal_or_dishonest=False, major_incident_3y=False, restricted_industry=False, led_standard_5y=False)
    ents = {}
    for key, code, div, ind in (("A", A, XIAOLAN, "C3919"), ("B", B, GUZHEN, "C3872"), ("C", C, SHIQI, "I6510"),
                                ("D", D, XIAOLAN, "C3484")):
        ents[key] = Enterprise.objects.create(uscc=code, name=NAMES[code], division_id=div, industry=ind,
                                              founded_on=dt.date(2012, 3, 1), **base)
    a, b, c, d = ents["A"], ents["B"], ents["C"], ents["D"]
    for year, grow in ((2022, 0.8), (2023, 0.9), (2024, 1.0)):
        annual(a, year, employees=50, tech_staff=12, rd_staff=10, revenue=2000 * grow, rd_expense=150 * grow,
               rd_expense_tax=150 * grow, total_cost=1800 * grow, total_assets=3000, total_liabilities=1200,
               net_profit=200 * grow, ip1=1, ip2=0, rd_institution="none")
        annual(b, year, employees=80, tech_staff=0, rd_staff=0, revenue=5000 * grow, rd_expense=100,
               rd_expense_tax=100, total_cost=4800, total_assets=6000, total_liabilities=3000, net_profit=150,
               ip1=0, ip2=2, rd_institution="none", high_tech_revenue=3050 * grow)
        annual(d, year, employees=100, tech_staff=25, rd_staff=10, revenue=3000 * grow, rd_expense=60 * grow,
               rd_expense_tax=60 * grow, total_cost=2900 * grow, total_assets=4000, total_liabilities=2000,
               net_profit=100, ip1=0, ip2=1, rd_institution="none")
    annual(c, 2023, employees=20, revenue=300)
    annual(c, 2024, employees=22, revenue=3000)
    Title.objects.create(enterprise=b, title="tech_sme", granted_on=dt.date(2025, 3, 1),
                         expires_on=dt.date(2025, 12, 31), document="国科火字〔2025〕1号")
    Title.objects.create(enterprise=b, title="high_tech", granted_on=dt.date(2023, 8, 1),
                         expires_on=dt.date(2026, 7, 31), document="粤科函高字〔2023〕1号")
    return ents


@pytest.fixture
def run(registry):
    """A real city-wide evaluation run of the registry as of ``ON`` (with the reserve solver)."""
    from zjtx.apps.evaluations import services

    done = services.execute_run(services.create_run(None, ON, policies=["tech_sme", "high_tech"]).pk)
    assert done.status == "done", done.error
    return done


@pytest.fixture
def users(make_user, registry):
    def ent_user(name: str, ent, email: str):
        u = make_user(name, "enterprise_user", enterprise=ent)
        u.email = email
        u.save()
        return u

    return {
        "staff": make_user("or_staff", "city_staff"),
        "xiaolan": make_user("or_xiaolan", "town_officer", division=XIAOLAN),
        "guzhen": make_user("or_guzhen", "town_officer", division=GUZHEN),
        "a": ent_user("or_a", registry["A"], "a@example.test"),
        "b": ent_user("or_b", registry["B"], "b@example.test"),
    }


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1:8631; Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    ctl = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    ctl.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", SMTP_PORT
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        ctl.stop()
