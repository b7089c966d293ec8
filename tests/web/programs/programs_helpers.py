"""Shared builders of the programme tests (fixtures are in conftest)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from webtest_helpers import XIAOLAN

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
