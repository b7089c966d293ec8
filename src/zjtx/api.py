"""The public Python API: ``evaluate`` a register, ``explain`` one record, list ``parameters``.

    import zjtx
    df = zjtx.evaluate("register.parquet", on="2025-06-30")          # one row per enterprise
    tr = zjtx.explain(record, "tech_sme", on="2025-06-30")           # the full trace, JSON-ready
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from zjtx.policies import catalog
from zjtx.rules.engine import explain_one, parse_date, plan
from zjtx.rules.params import Params

ParamsArg = Params | Mapping[str, Any] | None


def resolve_params(on: dt.date, params: ParamsArg = None, overlay_name: str | None = None) -> Params:
    """``params`` may be resolved ``Params`` or a mapping of parameter overrides (a reform overlay)."""
    return catalog().resolve(on, params, overlay_name)


def policy_list(policies: str | Sequence[str] | None = None, on: dt.date | None = None) -> list[Any]:
    """The named policies (an unknown id is an error), or by default every tier policy that has a
    rule version in force on ``on`` (e.g. 创新型 exists only from 2022-06-01)."""
    return catalog().policies(policies if policies is None or isinstance(policies, str) else list(policies), on)


def evaluate_lazy(
    records: Any,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: ParamsArg = None,
    *,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc",),
    validate: bool = True,
    detail: str = "full",
) -> pl.LazyFrame:
    """The evaluation as a lazy Polars plan (for streaming or further queries)."""
    from zjtx.rules.inputs import to_frame

    day = parse_date(on)
    return plan(to_frame(records), policy_list(policies, day), resolve_params(day, params), day, catalog().schema,
                dict(options or {}), keep=keep, validate=validate, detail=detail)


def evaluate(
    records: Any,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: ParamsArg = None,
    *,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc",),
    validate: bool = True,
    detail: str = "full",
) -> pl.DataFrame:
    """Evaluate every record against the policies as of ``on``.

    ``records``: a Polars/pandas DataFrame, a list of dicts, or a path (CSV/XLSX/Parquet/JSON).
    Returns the input's ``uscc`` plus, per policy, ``<policy>.status``, ``.score``, ``.score_min``,
    ``.score_max``, ``.route``, ``.regime``, ``.pts.<indicator>``, ``.missing``, ``.manual``,
    ``.provisional`` (POLICIES.md §1.9); with ``detail="status"`` only ``.status`` and ``.score`` /
    ``.tax`` / ``.amount``. Raises ``InputError`` naming every bad record and field.
    """
    return evaluate_lazy(records, on, policies, params, options=options, keep=keep, validate=validate,
                         detail=detail).collect()


def explain(
    record: Mapping[str, Any],
    policy: str,
    on: str | dt.date,
    params: ParamsArg = None,
    *,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The full, JSON-serialisable explanation of one record under one policy (POLICIES.md §1.9)."""
    day = parse_date(on)
    return explain_one(dict(record), catalog().get(policy), resolve_params(day, params), day, catalog().schema,
                       dict(options or {}))


def parameters(policy: str, on: str | dt.date) -> list[dict[str, Any]]:
    """The parameters of a policy in force on a date, with their sources."""
    day = parse_date(on)
    catalog().get(policy)
    return [v.as_dict() for v in catalog().params_at(day).with_prefix(policy + ".")]


def gaps(record: Mapping[str, Any], policy: str | Sequence[str] | None = None, on: str | dt.date | None = None,
         params: ParamsArg = None, *, options: Mapping[str, Any] | None = None, model: Any = None) -> dict[str, Any]:
    """The tier ladder of one enterprise with verified gap options (``zjtx.services.gaps.gaps``)."""
    from zjtx.services.gaps import gaps as _gaps

    return _gaps(record, policy, on, params, options=options, model=model)


def near_miss(records: Any, policy: str, on: str | dt.date, **kw: Any) -> pl.DataFrame:
    """Not-yet-qualified enterprises within reach of ``policy`` (``zjtx.services.gaps.near_miss``)."""
    from zjtx.services.gaps import near_miss as _near_miss

    return _near_miss(records, policy, on, **kw)
