"""Bounded API parameter types: every paging, year and date parameter has limits, so no value a
client sends can reach the database or date arithmetic out of range (422 with a Chinese message)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)

Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY, description="日期 YYYY-MM-DD（1990-01-01 至 2100-12-31）")]
Year = Annotated[int, Field(ge=1990, le=2100, description="年度（1990–2100）")]
Limit = Annotated[int, Field(ge=1, le=1000, description="每页条数（1–1000）")]
Offset = Annotated[int, Field(ge=0, le=10_000_000, description="跳过条数")]
Horizon = Annotated[int, Field(ge=1, le=3650, description="提前天数（1–3650）")]
Id = Annotated[int, Field(ge=1, le=2**62, description="编号")]
Text = Annotated[str, Field(max_length=200)]
