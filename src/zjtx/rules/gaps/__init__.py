"""The gap solver (一企一策): the cheapest verified ways for one enterprise to reach ``qualified``.

* ``effort`` — the effort model (``effort.yaml``: planning assumptions, not law);
* ``solver`` — search and pricing over the policy's own nodes, every option re-evaluated;
* ``result`` — changes, options and the analysis of one record;
* ``batch`` — near-miss over a register (candidates verified in one Polars plan).

Catalog-aware entry points (``gaps`` for the ladder, ``solve``, ``near_miss`` by policy id) live in
``zjtx.services.gaps``; the functions here take the policy, the parameters and the schema.
"""

from zjtx.rules.gaps.batch import near_miss, near_miss_summary
from zjtx.rules.gaps.effort import EFFORT_PATH, RD_FIELDS, EffortModel, effort_model
from zjtx.rules.gaps.result import Changes, GapChange, GapOption, PolicyGaps, add_years, as_plain, yuan_text
from zjtx.rules.gaps.solver import Solver, apply_changes, prepare_record

__all__ = ["EFFORT_PATH", "RD_FIELDS", "Changes", "EffortModel", "GapChange", "GapOption", "PolicyGaps", "Solver",
           "add_years", "apply_changes", "as_plain", "effort_model", "near_miss", "near_miss_summary",
           "prepare_record", "yuan_text"]
