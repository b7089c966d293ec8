"""The effort model of the gap solver: yuan-equivalent costs of changing record fields.

``effort.yaml`` beside this module holds the numbers — this project's planning assumptions, not
law (docs/gaps-and-reform.md). A bureau may load its own file (``EffortModel.load(path)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zjtx.rules.inputs import Schema
from zjtx.rules.params import exact

EFFORT_PATH = Path(__file__).with_name("effort.yaml")
RD_FIELDS = ("rd_expense_y1", "rd_expense_tax_y1", "rd_expense_domestic_y1")


@dataclass
class EffortModel:
    """Yuan-equivalent costs of changing record fields (``effort.yaml``; planning assumptions)."""

    fields: dict[str, dict[str, Any]]
    year_equivalent_yuan: Fraction = Fraction(200000)
    max_changes: int = 3
    options_per_policy: int = 5

    @classmethod
    def load(cls, path: str | Path | None = None) -> EffortModel:
        data = yaml.safe_load(Path(path or EFFORT_PATH).read_text(encoding="utf-8")) or {}
        return cls(
            fields={k: _ints(exact(v)) for k, v in (data.get("fields") or {}).items()},
            year_equivalent_yuan=Fraction(exact(data.get("year_equivalent_yuan", 200000))),
            max_changes=int(data.get("max_changes", 3)),
            options_per_policy=int(data.get("options_per_policy", 5)),
        )

    def spec(self, f: str) -> dict[str, Any] | None:
        return self.fields.get(f)

    def kind(self, f: str) -> str | None:
        s = self.fields.get(f)
        return s.get("kind") if s else None

    def label(self, f: str, schema: Schema | None = None) -> str:
        s = self.fields.get(f)
        if s and s.get("label"):
            return str(s["label"])
        spec = (schema or {}).get(f)
        return spec.label if spec is not None and spec.label else f


def _ints(v: Any) -> Any:
    """Integral exact numbers as ``int`` (cheaper arithmetic in the search; same values)."""
    if isinstance(v, Fraction) and v.denominator == 1:
        return v.numerator
    if isinstance(v, dict):
        return {k: _ints(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_ints(x) for x in v]
    return v


@lru_cache(maxsize=4)
def effort_model(path: str | None = None) -> EffortModel:
    return EffortModel.load(path)
