"""Shared data of the cultivation tests (imported by the test modules; fixtures are in conftest)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

CLEAN = {"abnormal_or_dishonest": False, "major_incident_3y": False, "restricted_industry": False,
         "led_standard_5y": False}
ON = date(2025, 6, 30)  # y1 = 2024


def four_tech(tech_staff: int, ip_hv: int = 6) -> dict[str, Any]:
    """Annual figures: 50 staff, 8% R&D intensity, a core-tech product; "四科" hinges on staff and IP."""
    return {"employees": 50, "tech_staff": tech_staff, "revenue": Decimal("20000000"), "total_assets": Decimal("30000000"),
            "rd_expense_tax": Decimal("1600000"), "rd_expense": Decimal("1600000"), "total_cost": Decimal("18000000"),
            "ip1": 6, "ip1_high_value": ip_hv, "ip2": 0, "core_tech_product": True, "rd_institution": "none"}
