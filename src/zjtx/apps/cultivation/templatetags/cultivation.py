"""Template helpers of the cultivation pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    try:
        return mapping.get(key, "") or ""
    except AttributeError:
        return ""


@register.filter
def wan(value: Any) -> str:
    """元 → 万元 with two decimals."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)) / Decimal(10000):,.2f}"


@register.filter
def pct(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
