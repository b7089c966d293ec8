"""Reform simulation by policy id and date: the baseline and the overlay resolved from the catalog,
then ``zjtx.rules.reform.simulate`` (one plan over shared inputs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from zjtx.policies import catalog
from zjtx.rules import reform as engine
from zjtx.rules.engine import parse_date
from zjtx.rules.inputs import to_frame
from zjtx.rules.params import exact
from zjtx.rules.reform import Reform, ReformResult


def simulate(
    records: Any,
    on: str | dt.date,
    overlay: Mapping[str, Any] | Reform,
    policies: str | Sequence[str] | None = None,
    by: Sequence[str] = ("division", "industry"),
    *,
    name: str | None = None,
    options: Mapping[str, Any] | None = None,
    validate: bool = True,
) -> ReformResult:
    """Evaluate ``records`` under the baseline and under ``overlay`` in one pass (shared inputs;
    only the policies whose parameters the overlay touches are evaluated twice). By default every
    policy of the catalog."""
    if isinstance(overlay, Reform):
        name = name or overlay.name
        overlay = overlay.set
    overlay = {k: exact(v) for k, v in dict(overlay).items()}
    cat = catalog()
    day = parse_date(on)
    ids = cat.ids if policies is None else ([policies] if isinstance(policies, str) else list(policies))
    pols = [cat.get(p) for p in ids]
    base = cat.params_at(day)
    reform = cat.params_at(day, overlay, name or "reform")
    return engine.simulate(to_frame(records), day, pols, base, reform, cat.schema, by, name=name, options=options,
                           validate=validate)
