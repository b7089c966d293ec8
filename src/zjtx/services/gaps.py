"""The gap solver by policy id and date: one enterprise's ladder (``gaps``), one policy (``solve``),
a register's reserve pipeline (``near_miss``). The engine part is ``zjtx.rules.gaps``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from zjtx.policies import catalog
from zjtx.rules import gaps as engine
from zjtx.rules.engine import parse_date
from zjtx.rules.gaps import EffortModel, PolicyGaps, Solver, prepare_record
from zjtx.rules.inputs import to_frame
from zjtx.rules.policy import Policy


def solve(
    record: Mapping[str, Any],
    policy: str | Policy,
    on: str | dt.date,
    params: Any = None,
    *,
    options: Mapping[str, Any] | None = None,
    allowed: Iterable[str] | None = None,
    max_cost_yuan: Any = None,
    max_changes: int | None = None,
    model: EffortModel | None = None,
) -> PolicyGaps:
    """The cheapest verified options for one record to reach ``qualified`` under one policy."""
    cat = catalog()
    day = parse_date(on)
    pol = cat.get(policy) if isinstance(policy, str) else policy
    return Solver(pol, cat.resolve(day, params), day, options, model, allowed, max_cost_yuan, max_changes,
                  schema=cat.schema, registry=cat.registry).run(record)


def tier_policies() -> list[str]:
    """The tier policies the ladder covers (classification policies such as 划型 excluded)."""
    cat = catalog()
    return [p for p in cat.tiers if cat.get(p).kind == "tier"]


def gaps(
    record: Mapping[str, Any],
    policy: str | Sequence[str] | None = None,
    on: str | dt.date | None = None,
    params: Any = None,
    *,
    options: Mapping[str, Any] | None = None,
    model: EffortModel | None = None,
) -> dict[str, Any]:
    """The tier ladder of one enterprise: its current tiers, the next rungs and, for every tier it
    does not meet (or the named ``policy``), the verified gap options. JSON-ready."""
    if on is None:
        raise ValueError("gaps: 需要评价日期 on（YYYY-MM-DD）")
    cat = catalog()
    day = parse_date(on)
    ids = tier_policies() if policy is None else ([policy] if isinstance(policy, str) else list(policy))
    prm = cat.resolve(day, params)
    results = []
    shared: dict[Any, Any] = {}  # title prerequisites solved once for the whole ladder
    solvers = {p: Solver(cat.get(p), prm, day, options, model, schema=cat.schema, registry=cat.registry,
                         shared=shared) for p in ids}
    try:  # the record read once (title prerequisites then recognise it as the same record)
        rec: Any = prepare_record(record, sorted({f for s in solvers.values() for f in s.fields}), cat.schema)
    except ValueError:
        rec = None  # a bad value: each policy reads (and reports) its own fields below
    for p in ids:
        pol = cat.get(p)
        try:
            results.append(solvers[p].run(rec, prepared=True) if rec is not None else solvers[p].run(record))
        except (ArithmeticError, TypeError, ValueError, KeyError) as exc:  # one policy must not sink the ladder
            if policy is not None:
                raise
            results.append(PolicyGaps(p, pol.name, day, "", "unknown", None, [], [f"求解出错：{exc}"], None))
    main = cat.main_ladder
    current = [r.policy for r in results if r.status == "qualified"]
    held = set(current) | {p for p, t in cat.title_fields.items() if record.get(t) is True}
    nxt = [p for p in main if p in ids and p not in held][:1]
    nxt += [r.policy for r in results if r.policy not in main and r.status != "qualified"]
    ladder = []
    for r in results:
        d = r.as_dict()
        d["rung"] = "current" if r.status == "qualified" else "next" if r.policy in nxt else "later"
        ladder.append(d)
    return {
        "uscc": record.get("uscc"),
        "name": record.get("name"),
        "on": day.isoformat(),
        "current": current,
        "next": nxt,
        "ladder": ladder,
        "effort_model": "zjtx/rules/gaps/effort.yaml（本项目规划假设，非法规）",
    }


def near_miss(
    records: Any,
    policy: str,
    on: str | dt.date,
    *,
    max_cost_yuan: Any = None,
    fields: Iterable[str] | None = None,
    max_changes: int | None = None,
    params: Any = None,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc", "name", "division", "industry"),
    model: EffortModel | None = None,
) -> pl.DataFrame:
    """Enterprises not yet qualified for ``policy`` that can be with at most ``max_cost_yuan`` of
    effort (and only changing ``fields``, if given): one row each with the cheapest verified option."""
    cat = catalog()
    day = parse_date(on)
    return engine.near_miss(to_frame(records), cat.get(policy), cat.resolve(day, params), day, cat.schema,
                            registry=cat.registry, max_cost_yuan=max_cost_yuan, fields=fields,
                            max_changes=max_changes, options=options, keep=keep, model=model)


near_miss_summary = engine.near_miss_summary


def solver(policy: str, on: str | dt.date, params: Any = None, **kw: Any) -> Solver:
    """A ``Solver`` for one policy on one date, wired to the catalog (schema, title policies)."""
    cat = catalog()
    day = parse_date(on)
    return Solver(cat.get(policy), cat.resolve(day, params), day, schema=cat.schema, registry=cat.registry, **kw)


# the engine's names, for callers that use this module as "the gap solver"
EFFORT_PATH = engine.EFFORT_PATH
RD_FIELDS = engine.RD_FIELDS
GapChange = engine.GapChange
GapOption = engine.GapOption
