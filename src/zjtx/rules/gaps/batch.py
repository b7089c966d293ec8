"""Batch near-miss (后备梯队): which not-yet-qualified enterprises of a register can reach a policy
within a budget, each with its cheapest option — candidates from the solver, verified all at once in
one compiled Polars plan."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import polars as pl

from zjtx.rules.engine import input_fields, plan
from zjtx.rules.gaps.effort import EffortModel
from zjtx.rules.gaps.result import Changes, add_years
from zjtx.rules.gaps.solver import Solver
from zjtx.rules.inputs import Schema, prepare
from zjtx.rules.params import Params
from zjtx.rules.policy import Policy


def near_miss(
    frame: pl.DataFrame | pl.LazyFrame,
    pol: Policy,
    prm: Params,
    day: dt.date,
    schema: Schema,
    *,
    registry: Mapping[str, Any] | None = None,
    max_cost_yuan: Any = None,
    fields: Iterable[str] | None = None,
    max_changes: int | None = None,
    options: Mapping[str, Any] | None = None,
    keep: Sequence[str] = ("uscc", "name", "division", "industry"),
    model: EffortModel | None = None,
) -> pl.DataFrame:
    """Enterprises not yet qualified for ``pol`` that can be with at most ``max_cost_yuan`` of
    effort (and only changing ``fields``, if given): one row each with the cheapest verified
    option. Candidates come from the solver; all of them are verified in one compiled Polars plan.
    """
    opts = dict(options or {})
    solver = Solver(pol, prm, day, opts, model, fields, max_cost_yuan, max_changes, schema=schema,
                    registry=registry)
    solver.keep = 4  # the cheapest option per enterprise is what the pipeline needs
    frame = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
    frame = frame.with_row_index("__rid")
    base = plan(frame, [pol], prm, day, schema, opts, keep=("__rid",)).collect()
    p = pol.id
    cand_ids = base.filter(pl.col(f"{p}.status") == "not_qualified")["__rid"].to_list()
    fields_all = input_fields([pol], day, opts)
    prepared = prepare(frame, fields_all, schema, validate=False).collect()
    if cand_ids:  # vectorised bound: every actionable field at its best within the budget, at once
        bound = prepared.filter(pl.col("__rid").is_in(cand_ids))
        opt = bound.with_columns(_optimistic_exprs(solver, bound.schema))
        best = plan(opt, [pol], prm, day, schema, opts, keep=("__rid",), validate=False).collect()
        cand_ids = best.filter(pl.col(f"{p}.status") == "qualified")["__rid"].to_list()
    rows = prepared.filter(pl.col("__rid").is_in(cand_ids)).iter_rows(named=True) if cand_ids else []
    cands: list[tuple[int, Changes, Fraction]] = []
    for row in rows:
        solver.reasons = []
        try:
            for ch in solver.candidates(row):
                cands.append((row["__rid"], ch, solver.effort_of(ch, row)))
        except (ArithmeticError, TypeError, ValueError):
            continue
    out_schema = {**{k: prepared.schema.get(k, pl.String) for k in keep if k in frame.columns},
                  "status": pl.String, "score": pl.Float64, "status_after": pl.String, "score_after": pl.Float64,
                  "cost_yuan": pl.Float64, "effort": pl.Float64, "wait_until": pl.Date,
                  "n_changes": pl.Int64, "fields": pl.List(pl.String), "option": pl.String, "values": pl.String}
    if not cands:
        return pl.DataFrame(schema=out_schema)
    changed = sorted({f for _, ch, _ in cands for f in ch})
    cand_frame = pl.DataFrame({
        "__rid": [c[0] for c in cands],
        "__cand": list(range(len(cands))),
        **{f"__new_{f}": pl.Series([_jsonish(c[1].get(f)) for c in cands], strict=False) for f in changed},
    })
    stacked = cand_frame.join(prepared, on="__rid", how="left")
    stacked = stacked.with_columns([
        pl.coalesce(pl.col(f"__new_{f}").cast(prepared.schema[f]), pl.col(f)).alias(f)
        if f in prepared.schema else pl.col(f"__new_{f}").alias(f)
        for f in changed
    ])
    checked = plan(stacked, [pol], prm, day, schema, opts, keep=("__rid", "__cand"), validate=False).collect()
    ok = checked.filter(pl.col(f"{p}.status") == "qualified").select("__rid", "__cand", pl.col(f"{p}.score").alias("score_after"))
    if ok.height == 0:
        return pl.DataFrame(schema=out_schema)
    ok = ok.with_columns(pl.col("__cand").map_elements(lambda i: float(cands[i][2]), return_dtype=pl.Float64).alias("effort"))
    best = ok.sort(["effort", "__cand"]).group_by("__rid", maintain_order=True).first()
    out_rows = []
    for r in best.iter_rows(named=True):
        rid, ch, _ = cands[r["__cand"]]
        src = prepared.row(rid, named=True) if prepared["__rid"][rid] == rid else \
            prepared.filter(pl.col("__rid") == rid).row(0, named=True)
        cost, wait, rows_ = solver.price(ch, src)
        out_rows.append({
            "__rid": rid,
            "cost_yuan": float(cost),
            "effort": float(cost + wait * solver.model.year_equivalent_yuan),
            "wait_until": add_years(day, wait) if wait > 0 else None,
            "score_after": r["score_after"],
            "n_changes": len([c for c in rows_ if not c.label.endswith("（随之增加）")]),
            "fields": sorted(ch),
            "option": "；".join(c.text() for c in rows_),
            "values": json.dumps({k: _jsonish(v) for k, v in ch.items()}, ensure_ascii=False),
        })
    res = pl.DataFrame(out_rows, schema_overrides={"wait_until": pl.Date, "fields": pl.List(pl.String)})
    meta = frame.select("__rid", *[k for k in keep if k in frame.columns]).join(
        base.select("__rid", pl.col(f"{p}.status").alias("status"), pl.col(f"{p}.score").alias("score")), on="__rid")
    res = meta.join(res, on="__rid", how="inner").with_columns(pl.lit("qualified").alias("status_after"))
    cols = [c for c in out_schema if c in res.columns]
    return res.sort(["effort", "__rid"]).select(cols)


def _optimistic_exprs(solver: Solver, schema: Mapping[str, Any]) -> list[pl.Expr]:
    """Each actionable field moved as far as the budget alone allows (an upper bound: the fields
    are monotone — more R&D, IP, levels never lower a score — so a record not qualified even so has
    no option within the budget)."""
    budget = float(solver.max_cost) if solver.max_cost is not None else 1e15
    out: list[pl.Expr] = []
    for f in solver.fields:
        s = solver.spec(f)
        if s is None or f not in schema:
            continue
        kind = s.get("kind")
        c = pl.col(f)
        e: pl.Expr | None = None
        if kind in ("money", "business"):
            units = budget / float(s.get("per_yuan", 1) or 1)
            if s.get("direction") == "down":
                e = (c.cast(pl.Float64) - units).clip(lower_bound=0)
            else:
                e = c.cast(pl.Float64) + units
                if s.get("cap") and s["cap"] in schema:
                    e = pl.min_horizontal(e, pl.col(s["cap"]).cast(pl.Float64))
                    e = pl.max_horizontal(e, c.cast(pl.Float64))
        elif kind in ("count", "level", "time"):
            per = {"count": s.get("unit_cost"), "level": s.get("step_cost")}.get(kind) or solver.model.year_equivalent_yuan
            units = math.floor(budget / float(per)) if float(per) > 0 else 10**9
            e = c.cast(pl.Float64) + float(units)
            if "max" in s:
                e = pl.max_horizontal(pl.min_horizontal(e, pl.lit(float(s["max"]))), c.cast(pl.Float64))
        elif kind == "flag":
            if float(s.get("cost", 0)) <= budget:
                e = pl.when(c.is_not_null()).then(pl.lit(bool(s.get("to", True)))).otherwise(c)
        elif kind == "title":
            e = pl.when(c.is_not_null()).then(pl.lit(True)).otherwise(c)
        elif kind == "category":
            ladder = list(s.get("ladder", []))
            cost = {k: float(v) for k, v in (s.get("cost") or {}).items()}
            cur = c.cast(pl.String).replace_strict(cost, default=0.0, return_dtype=pl.Float64)
            rank = c.cast(pl.String).replace_strict({k: i for i, k in enumerate(ladder)}, default=-1,
                                                    return_dtype=pl.Int64)
            chain: Any = None
            for i, v in reversed(list(enumerate(ladder))):
                ok = (pl.lit(cost.get(v, 0.0)) - cur <= budget) & (rank < i)
                chain = pl.when(ok).then(pl.lit(v)) if chain is None else chain.when(ok).then(pl.lit(v))
            if chain is not None:
                e = pl.when(c.is_null()).then(c.cast(pl.String)).otherwise(chain.otherwise(c.cast(pl.String)))
        if e is not None:
            out.append(e.cast(schema[f]).alias(f) if kind not in ("category",) else e.alias(f))
    return out


def _jsonish(v: Any) -> Any:
    if isinstance(v, Fraction):
        return int(v) if v.denominator == 1 else float(v)
    return v


def near_miss_summary(df: pl.DataFrame, by: Sequence[str] = ("division", "industry")) -> dict[str, pl.DataFrame]:
    """Counts of the reserve pipeline (后备梯队) by each of ``by`` (town, industry), with the median
    and total effort."""
    out: dict[str, pl.DataFrame] = {}
    for col in by:
        if col not in df.columns:
            continue
        out[col] = (
            df.group_by(col)
            .agg(pl.len().alias("enterprises"), pl.col("cost_yuan").sum().alias("total_cost_yuan"),
                 pl.col("cost_yuan").median().alias("median_cost_yuan"))
            .sort(["enterprises", col], descending=[True, False])
        )
    return out
