"""zjtx.policies — the catalog: one module per policy, its parameters in ``params/*.yaml``.

Importing this package registers every policy of ``CATALOG`` with the engine (each module calls
``register``). ``parameter_set()`` loads the dated parameters once; ``params_at(on, overlay)``
resolves them on a date (a reform is an overlay).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from zjtx.policies import fields as fields  # registers the record schema
from zjtx.rules.params import ParameterSet, Params

PARAMS_DIR = Path(__file__).parent / "params"

# The catalog in display order (FIELDS.md policy ids). Tiers first, then support and tax policies.
TIER_POLICIES = [
    "sme_size",
    "tech_sme",
    "innovative_sme",
    "specialized_sme",
    "little_giant",
    "single_champion",
    "high_tech",
    "zs_four_tech",
    "zs_gazelle",  # 瞪羚企业: a local assumption (policies/zs_gazelle.py), self-contained
]
SUPPORT_POLICIES = [
    "zs_innovation_benchmark",
    "cit_small_low_profit",
    "rd_super_deduction",
    "vat_small_scale",
    "six_taxes_two_fees",
    "vat_credit_refund",
]
CATALOG = TIER_POLICIES + SUPPORT_POLICIES

for _pid in CATALOG:
    if importlib.util.find_spec(f"zjtx.policies.{_pid}") is not None:
        importlib.import_module(f"zjtx.policies.{_pid}")

from zjtx.rules.policy import REGISTRY  # noqa: E402

# evaluated by zjtx.evaluate when no policies are named
DEFAULT_POLICIES = [p for p in TIER_POLICIES if p in REGISTRY]


@lru_cache(maxsize=1)
def parameter_set() -> ParameterSet:
    return ParameterSet.load(PARAMS_DIR.glob("*.yaml"))


@lru_cache(maxsize=256)
def _params_on(on: dt.date) -> Params:
    return parameter_set().at(on)


def params_at(on: dt.date, overlay: Mapping[str, Any] | None = None, overlay_name: str | None = None) -> Params:
    """Parameters in force on ``on`` (cached per date when there is no overlay)."""
    if not overlay:
        return _params_on(on)
    return parameter_set().at(on, overlay, overlay_name)
