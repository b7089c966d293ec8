"""Fixtures of the programme tests: two towns, enterprises, one user per role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from webtest_helpers import GUZHEN, XIAOLAN, uscc

CLEAN = {"abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False,
         "led_standard_5y": False}


@pytest.fixture
def enterprise(db):
    from zjtx.apps.enterprises.models import AnnualReport, Enterprise

    def make(seq: int, division: str | None = XIAOLAN, name: str | None = None, industry: str = "C3982",
             year: int = 2024, **annual: Any) -> Enterprise:
        e = Enterprise.objects.create(uscc=uscc(seq), name=name or f"中山市专项测试{seq}号科技有限公司",
                                      division_id=division, industry=industry, founded_on=date(2015, 3, 1), **CLEAN)
        if annual:
            AnnualReport.objects.create(enterprise=e, year=year, **annual)
        return e

    return make


@pytest.fixture
def actors(make_user, enterprise, db):
    """Enterprises of 小榄镇 (``xl``, ``xl2``) and 古镇镇 (``gz``) and one user per role."""
    from django.contrib.auth import get_user_model

    xl = enterprise(1, XIAOLAN)
    xl2 = enterprise(2, XIAOLAN)
    gz = enterprise(3, GUZHEN)
    users = {
        "admin": make_user("pg_admin", "city_admin"),
        "staff": make_user("pg_staff", "city_staff"),
        "xiaolan": make_user("pg_xiaolan", "town_officer", division=XIAOLAN),
        "guzhen": make_user("pg_guzhen", "town_officer", division=GUZHEN),
        "auditor": make_user("pg_auditor", "auditor"),
        "norole": get_user_model().objects.create_user("pg_norole"),
        "ent": make_user("pg_ent", "enterprise_user", enterprise=xl),
        "ent2": make_user("pg_ent2", "enterprise_user", enterprise=xl2),
    }
    return {"xl": xl, "xl2": xl2, "gz": gz, "users": users}

