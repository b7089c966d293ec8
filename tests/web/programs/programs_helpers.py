"""Shared builders and fixtures of the programme tests (test modules import the fixtures `enterprise` and
`actors` as `enterprise_fixture`, `actors_fixture`; a conftest.py here would shadow other directories' `from conftest import …`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from webtest_helpers import GUZHEN, XIAOLAN, uscc

TODAY = date.today()
ROLES = ["admin", "staff", "xiaolan", "guzhen", "auditor", "norole", "ent", "ent2"]


def four_tech(tech_staff: int, ip_hv: int = 6) -> dict[str, Any]:
    """Annual figures: 50 staff, 8% R&D intensity, a core-tech product; "四科" hinges on staff and IP."""
    return {"employees": 50, "tech_staff": tech_staff, "revenue": Decimal("20000000"),
            "total_assets": Decimal("30000000"), "rd_expense_tax": Decimal("1600000"), "rd_expense": Decimal("1600000"),
            "total_cost": Decimal("18000000"), "ip1": 6, "ip1_high_value": ip_hv, "ip2": 0, "core_tech_product": True,
            "rd_institution": "none"}


def project(state: str = "draft", division: str | None = XIAOLAN, **kw: Any) -> Any:
    """A project in ``state`` with the data that state implies (bypassing the lifecycle)."""
    from zjtx.apps.programs.models import Project

    n = Project.objects.count() + 1
    defaults = {"code": f"JB2025-{n:02d}", "title": f"测试榜{n}", "year": 2025, "poster_name": "中山市科学技术局",
                "goal": "突破关键技术", "city_share": Decimal("1000000"), "town_share": Decimal("200000"),
                "division_id": division, "posting_opens": TODAY - timedelta(days=10),
                "posting_closes": TODAY + timedelta(days=20), "state": state}
    defaults.update(kw)
    return Project.objects.create(**defaults)


def application(p: Any, enterprise: Any = None, status: str = "submitted", name: str = "") -> Any:
    from zjtx.apps.programs.models import SolverApplication

    return SolverApplication.objects.create(project=p, enterprise=enterprise,
                                            applicant_name=name or (enterprise.name if enterprise else "某大学"),
                                            applicant_kind="enterprise" if enterprise else "university",
                                            status=status)


def milestone(p: Any, seq: int = 1, status: str = "planned", city: str = "400000", town: str = "0") -> Any:
    from zjtx.apps.programs.models import Milestone

    return Milestone.objects.create(project=p, seq=seq, title=f"节点{seq}", due_on=TODAY + timedelta(days=90 * seq),
                                    city_amount=Decimal(city), town_amount=Decimal(town), status=status)


def selected(state: str, solver_ent: Any, **kw: Any) -> Any:
    """A project past selection with ``solver_ent`` as its solver."""
    p = project(state, **kw)
    a = application(p, solver_ent, status="selected")
    p.solver = a
    p.selected_on = TODAY
    if state in ("contracted", "accepting", "accepted", "failed"):
        p.contract_no = "中科合〔2025〕1号"
        p.approved_on = TODAY
    p.save()
    return p


# ------------------------------------------------------------------ fixtures (imported by the test modules)
CLEAN = {"abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False,
         "led_standard_5y": False}


@pytest.fixture(name="enterprise")
def enterprise_fixture(db):
    from zjtx.apps.enterprises.models import AnnualReport, Enterprise

    def make(seq: int, division: str | None = XIAOLAN, name: str | None = None, industry: str = "C3982",
             year: int = 2024, **annual: Any) -> Enterprise:
        e = Enterprise.objects.create(uscc=uscc(seq), name=name or f"中山市专项测试{seq}号科技有限公司",
                                      division_id=division, industry=industry, founded_on=date(2015, 3, 1), **CLEAN)
        if annual:
            AnnualReport.objects.create(enterprise=e, year=year, **annual)
        return e

    return make


@pytest.fixture(name="actors")
def actors_fixture(make_user, enterprise, db):
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

