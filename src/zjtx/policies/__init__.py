"""zjtx.policies — the catalog: one module per policy, its parameters in ``params/*.yaml``.

Importing this package registers every policy with the engine. ``parameter_set()`` loads the dated
parameters once; ``params_at(on, overlay)`` resolves them on a date (a reform is an overlay).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from zjtx.policies import fields as fields
from zjtx.rules.params import ParameterSet, Params

PARAMS_DIR = Path(__file__).parent / "params"

from zjtx.policies import (  # noqa: E402,F401  (registration order = display order)
    innovative_sme,
    sme_size,
    tech_sme,
)

TIER_POLICIES = [
    "sme_size",
    "tech_sme",
    "innovative_sme",
]
# evaluated by default (zjtx.evaluate with policies=None); calculators join when their inputs exist
DEFAULT_POLICIES = list(TIER_POLICIES)


@lru_cache(maxsize=1)
def parameter_set() -> ParameterSet:
    return ParameterSet.load(PARAMS_DIR.glob("*.yaml"))


def params_at(on: dt.date, overlay: Mapping[str, Any] | None = None, overlay_name: str | None = None) -> Params:
    return parameter_set().at(on, overlay, overlay_name)
