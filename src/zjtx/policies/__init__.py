"""zjtx.policies — the catalog: one module per policy, its parameters in ``params/*.yaml``.

``catalog()`` returns the ``Catalog`` (``zjtx.policies.catalog``): the registry, the dated parameters,
the record contract, the ladder and the title facts. Importing this package registers nothing and
has no side effect; the names below are shortcuts to the catalog for scripts and notebooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from zjtx.policies.catalog import PARAMS_DIR, SUPPORT_POLICIES, TIER_POLICIES, Catalog, Rung, catalog
from zjtx.rules.params import ParameterSet, Params

# every policy id in catalog order (tiers, then support and tax policies)
CATALOG = TIER_POLICIES + SUPPORT_POLICIES

__all__ = ["CATALOG", "PARAMS_DIR", "SUPPORT_POLICIES", "TIER_POLICIES", "Catalog", "Rung", "catalog",
           "parameter_set", "params_at"]


def parameter_set() -> ParameterSet:
    return catalog().parameters


def params_at(on: dt.date, overlay: Mapping[str, Any] | None = None, overlay_name: str | None = None) -> Params:
    """Parameters in force on ``on`` (cached per date when there is no overlay)."""
    return catalog().params_at(on, overlay, overlay_name)


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_POLICIES":  # evaluated by zjtx.evaluate when no policies are named
        return catalog().default_policies()
    raise AttributeError(name)
