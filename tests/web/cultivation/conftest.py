"""Fixtures of the cultivation tests: two towns, enterprises with annual data, one user per role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from cultivation_helpers import CLEAN
from webtest_helpers import GUZHEN, XIAOLAN, uscc


@pytest.fixture
def enterprise(db):
    from zjtx.apps.enterprises.models import AnnualReport, Enterprise

    def make(seq: int, division: str | None = XIAOLAN, year: int = 2024, name: str | None = None,
             **annual: Any) -> Enterprise:
        e = Enterprise.objects.create(uscc=uscc(seq), name=name or f"中山市培育测试{seq}号科技有限公司",
                                      division_id=division, industry="C3982", founded_on=date(2015, 3, 1), **CLEAN)
        if annual:
            AnnualReport.objects.create(enterprise=e, year=year, **annual)
        return e

    return make


@pytest.fixture
def users(make_user, db):
    """One user per role: city admin/staff, town officers of 小榄镇 and 古镇镇, auditor, no role."""
    from django.contrib.auth import get_user_model

    out = {
        "admin": make_user("cu_admin", "city_admin"),
        "staff": make_user("cu_staff", "city_staff"),
        "xiaolan": make_user("cu_xiaolan", "town_officer", division=XIAOLAN),
        "guzhen": make_user("cu_guzhen", "town_officer", division=GUZHEN),
        "auditor": make_user("cu_auditor", "auditor"),
        "norole": get_user_model().objects.create_user("cu_norole"),
    }
    return out
