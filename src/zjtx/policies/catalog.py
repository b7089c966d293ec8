"""The catalog: every policy of the platform with its dated parameters and the facts about it.

One ``Catalog`` object owns what the engine needs from outside and what several layers used to keep
their own copies of:

* the **registry** (policy id → ``Policy`` / ``Calculator``), built by importing the modules of
  ``TIER_POLICIES`` and ``SUPPORT_POLICIES`` (each module defines ``POLICY`` or ``CALCULATOR``);
* the **parameter set** (``params/*.yaml``) and its resolution on a date (a reform is an overlay);
* the **record contract**: field name → ``FieldSpec`` (``fields.py`` plus every module's ``INPUTS``);
* the **tier ladder** (its rungs bottom to top, the side rungs), the **title maps** (policy → the
  record flag of its valid title; registry title code → policy) and the **validity** of titles
  (dated parameters ``<policy>.validity_years``);
* the **rule-version fingerprint** that runs and the cultivation workflow store with a result.

The engine (``zjtx.rules``) never imports this module: callers resolve what they need here and pass
policies, parameters and the schema down. ``catalog()`` is the process-wide instance.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from zjtx._version import __version__
from zjtx.facts.records import TITLE_FLAGS
from zjtx.policies.fields import base_schema, specs
from zjtx.rules.inputs import FieldSpec
from zjtx.rules.params import ParameterSet, Params
from zjtx.rules.policy import PolicyError

PARAMS_DIR = Path(__file__).parent / "params"
POLICIES_DIR = Path(__file__).parent

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
    "zs_gazelle",  # 瞪羚企业: a local assumption (policies/zs_gazelle.py)
]
SUPPORT_POLICIES = [
    "zs_innovation_benchmark",
    "cit_small_low_profit",
    "rd_super_deduction",
    "vat_small_scale",
    "six_taxes_two_fees",
    "vat_credit_refund",
    "vat_plus_deduction",
]


@dataclass(frozen=True)
class Rung:
    """One tier of the ladder. ``title_field``: the record flag that says the title is held now;
    ``main``: on the main ladder 创新型 → 专精特新 → "小巨人" → 单项冠军 (DOMAIN.md §1.6), whose
    first rung not held is the enterprise's next step; the others are side rungs."""

    policy: str
    title_field: str | None
    main: bool


# bottom to top; 科技型 sits at the bottom beside 创新型 (merged as 科技和创新型 from 2026-04-01, 工信部企业〔2026〕2号),
# 高企 and 中山"四科" beside the ladder
LADDER: tuple[Rung, ...] = (
    Rung("tech_sme", "tech_sme_registered", main=False),
    Rung("innovative_sme", "innovative_sme_valid", main=True),
    Rung("specialized_sme", "specialized_sme_valid", main=True),
    Rung("little_giant", "little_giant_valid", main=True),
    Rung("single_champion", "single_champion_valid", main=True),
)
SIDE: tuple[Rung, ...] = (
    Rung("high_tech", "high_tech_valid", main=False),
    Rung("zs_four_tech", None, main=False),
)


class Catalog:
    """The registry, the parameters, the record contract and the ladder (see the module docstring)."""

    def __init__(self, tier_ids: list[str] | None = None, support_ids: list[str] | None = None,
                 params_dir: Path = PARAMS_DIR):
        self.tier_ids = list(TIER_POLICIES if tier_ids is None else tier_ids)
        self.support_ids = list(SUPPORT_POLICIES if support_ids is None else support_ids)
        self.params_dir = params_dir

    @cached_property
    def _loaded(self) -> tuple[dict[str, Any], dict[str, FieldSpec]]:
        """Import every policy module once: (registry, record contract). Deferred until first use,
        so the ladder and title facts cost nothing to a caller that needs only them."""
        registry: dict[str, Any] = {}
        schema = base_schema()
        for pid in self.tier_ids + self.support_ids:
            if importlib.util.find_spec(f"zjtx.policies.{pid}") is None:
                continue
            module = importlib.import_module(f"zjtx.policies.{pid}")
            policy = getattr(module, "POLICY", None) or getattr(module, "CALCULATOR", None)
            if policy is None or policy.id != pid:
                raise PolicyError(f"zjtx.policies.{pid} 应定义 POLICY 或 CALCULATOR（id = {pid}）")
            registry[pid] = policy
            schema.update(specs(getattr(module, "INPUTS", {})))
            if hasattr(policy, "bind"):  # calculators read their rule versions from the parameters
                policy.bind(self.parameters)
        return registry, schema

    @property
    def registry(self) -> dict[str, Any]:
        """Policy id → ``Policy`` / ``Calculator``."""
        return self._loaded[0]

    @property
    def schema(self) -> dict[str, FieldSpec]:
        """The record contract: field name → ``FieldSpec`` (kind, Chinese label, allowed values)."""
        return self._loaded[1]

    # ---- the registry ----------------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """Every registered policy id, in catalog order."""
        return [p for p in self.tier_ids + self.support_ids if p in self.registry]

    @property
    def tiers(self) -> list[str]:
        return [p for p in self.tier_ids if p in self.registry]

    @property
    def support(self) -> list[str]:
        return [p for p in self.support_ids if p in self.registry]

    def __contains__(self, pid: object) -> bool:
        return pid in self.registry

    def get(self, pid: str) -> Any:
        try:
            return self.registry[pid]
        except KeyError:
            raise PolicyError(f"未知政策 '{pid}'（可选: {', '.join(self.ids)}）") from None

    def policies(self, ids: str | list[str] | tuple[str, ...] | None = None, on: dt.date | None = None) -> list[Any]:
        """The named policies (an unknown id is an error), or by default every tier policy with a
        rule version in force on ``on`` (e.g. 创新型 exists only from 2022-06-01)."""
        if ids is None:
            return [self.registry[p] for p in self.default_policies(on)]
        return [self.get(p) for p in ([ids] if isinstance(ids, str) else list(ids))]

    def default_policies(self, on: dt.date | None = None) -> list[str]:
        """The tier policies ``zjtx.evaluate`` runs when none are named (those in force on ``on``)."""
        return [p for p in self.tiers
                if on is None or any(r.covers(on) for r in self.registry[p].regimes)]

    def name(self, pid: str) -> str:
        return str(self.get(pid).name)

    # ---- parameters ----------------------------------------------------------------------------
    @cached_property
    def parameters(self) -> ParameterSet:
        return ParameterSet.load(self.params_dir.glob("*.yaml"))

    def params_at(self, on: dt.date, overlay: Mapping[str, Any] | None = None,
                  overlay_name: str | None = None) -> Params:
        """Parameters in force on ``on`` (cached per date when there is no overlay)."""
        return self.parameters.at(on, overlay or None, overlay_name)

    def resolve(self, on: dt.date, params: Params | Mapping[str, Any] | None = None,
                overlay_name: str | None = None) -> Params:
        """``params`` may be resolved ``Params`` or a mapping of overrides (a reform overlay)."""
        if isinstance(params, Params):
            return params
        return self.params_at(on, params or None, overlay_name)

    # ---- the ladder and the titles ----------------------------------------------------------------
    @property
    def ladder(self) -> list[Rung]:
        """The rungs of the ladder, bottom to top, then the side rungs."""
        return [*LADDER, *SIDE]

    @property
    def main_ladder(self) -> list[str]:
        return [r.policy for r in LADDER if r.main]

    def title_field(self, pid: str) -> str | None:
        """The record flag that says the enterprise holds ``pid``'s title now (None: no title)."""
        return next((r.title_field for r in (*LADDER, *SIDE) if r.policy == pid), None)

    @property
    def title_fields(self) -> dict[str, str]:
        return {r.policy: r.title_field for r in (*LADDER, *SIDE) if r.title_field}

    def title_policy(self, code: str) -> str | None:
        """The policy whose designation a registry title code is (``tech_innovative_sme`` →
        ``innovative_sme``); None for titles outside the catalog (市级专精特新, 示范企业)."""
        by_flag = {f: p for p, f in self.title_fields.items()}
        for flag, codes in TITLE_FLAGS.items():
            if code in codes and flag in by_flag:
                return by_flag[flag]
        return None

    def validity_years(self, code: str, on: dt.date) -> int | None:
        """Years a title granted on ``on`` is valid (``<policy>.validity_years``), None if the
        catalog has no such parameter (科技型: the calendar year of its 入库登记编号)."""
        pid = self.title_policy(code) or code
        prm = self.params_at(on)
        key = f"{pid}.validity_years"
        return int(prm[key].value) if key in prm else None

    # ---- the rule-version fingerprint ------------------------------------------------------------
    @cached_property
    def fingerprint(self) -> str:
        """``<package version>+<sha256 of the parameter files and policy declarations, 12 hex>``."""
        h = hashlib.sha256()
        files = sorted(self.params_dir.glob("*.yaml")) + sorted(POLICIES_DIR.glob("*.py"))
        for path in files:
            h.update(path.name.encode())
            h.update(b"\0")
            h.update(path.read_bytes())
        return f"{__version__}+{h.hexdigest()[:12]}"

    def rule_version(self, regime: str | None = None, document: str | None = None) -> str:
        """The fingerprint, followed by the rule version and its document when given:
        ``0.1.0+1a2b3c4d5e6f · innovative_sme@2022-63 · 工信部企业〔2022〕63号 附件1``."""
        return " · ".join(p for p in (self.fingerprint, regime or "", document or "") if p)


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The catalog of this installation (built once per process)."""
    return Catalog()
