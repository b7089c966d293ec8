"""Running policies: a whole frame at once (compiled Polars plan) or one record with its trace."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from zjtx.rules.inputs import Schema, coerce_record, prepare
from zjtx.rules.nodes import Materializer
from zjtx.rules.params import Params

DETAILS = ("full", "status")
STATUS_COLUMNS = frozenset({"status", "score", "tax", "amount"})


def parse_date(on: str | dt.date | dt.datetime) -> dt.date:
    if isinstance(on, dt.datetime):
        return on.date()
    if isinstance(on, dt.date):
        return on
    try:
        return dt.date.fromisoformat(str(on))
    except ValueError:
        raise ValueError(f"评价日期 '{on}' 不是有效日期（应为 YYYY-MM-DD）") from None


def input_fields(policies: Sequence[Any], on: dt.date, options: dict[str, Any]) -> list[str]:
    fields: set[str] = set()
    for p in policies:
        fields |= set(p.input_fields(on, (options.get("regimes") or {}).get(p.id)))
    return sorted(fields)


def plan(
    frame: pl.DataFrame | pl.LazyFrame,
    policies: Sequence[Any],
    params: Params,
    on: dt.date,
    schema: Schema,
    options: dict[str, Any] | None = None,
    keep: Sequence[str] = ("uscc",),
    validate: bool = True,
    detail: str = "full",
) -> pl.LazyFrame:
    """The lazy evaluation plan: input casting (by the record contract ``schema``) + one column
    block per policy, with ``params`` resolved on ``on``.

    ``detail``: ``"full"`` (every column of POLICIES.md §1.9) or ``"status"`` (per policy only
    ``.status`` and its headline number — ``.score`` of a tier, ``.tax`` / ``.amount`` of a
    calculator; the explanation columns — points, bounds, lists — are neither built nor computed)."""
    if detail not in DETAILS:
        raise ValueError(f"未知的输出详细程度 '{detail}'（可选：{'、'.join(DETAILS)}）")
    options = dict(options or {})
    fields = input_fields(policies, on, options)
    lf = prepare(frame, fields, schema, validate=validate)
    names = lf.collect_schema()
    distinct: dict[str, list[Any]] = {}
    for p in policies:
        f = getattr(p, "period_field", None)
        if getattr(p, "period_kind", None) == "month" and f in names and f not in distinct:
            distinct[f] = lf.select(pl.col(f).unique()).collect().to_series().to_list()
    key = (tuple(id(p) for p in policies), _params_key(params), on, repr(sorted(options.items())), detail,
           tuple(k for k in keep if k in names))
    seen = {f: set(v) for f, v in distinct.items()}
    # a compilation for a superset of this frame's periods serves it too (its extra segments match no row)
    hit = next((h for d, h in _COMPILED.get(key, []) if all(seen[f] <= d.get(f, set()) for f in seen)), None)
    if hit is None:
        hit = _compile(policies, params, on, options, detail, [k for k in keep if k in names], distinct)
        if sum(len(v) for v in _COMPILED.values()) >= 32:
            _COMPILED.clear()
        _COMPILED.setdefault(key, []).append((seen, hit))
    stages, exprs = hit[0], hit[1]
    for stage in stages:
        lf = lf.with_columns(stage)
    # unused temporaries are dropped by Polars' projection pushdown
    return lf.select(exprs)


# compiled column expressions by (policies, rule set, date, options, detail, kept columns, distinct
# periods): a register evaluated chunk by chunk (streaming, Spark batches, incremental runs) compiles
# its expressions once, not once per chunk
_COMPILED: dict[Any, list[tuple[dict[str, set[Any]], tuple[list[list[pl.Expr]], list[pl.Expr], Any, Any]]]] = {}


def _params_key(params: Params) -> Any:
    src = getattr(params, "source", None)
    if src is None:
        return ("id", id(params))
    return (id(src), params.on, params.overlay_name, repr(sorted(params.overlay.items())))


def _compile(policies: Sequence[Any], params: Params, on: dt.date, options: dict[str, Any], detail: str,
             keep: list[str], distinct: dict[str, list[Any]]) -> tuple[list[list[pl.Expr]], list[pl.Expr], Any, Any]:
    # two passes: the first counts how often each shared sub-result is read by the columns kept
    # (``detail``); the second materializes only those read twice or more and inlines the rest, so
    # that Polars fuses them into their reader and nothing the kept columns do not need is computed
    uses = None
    for _ in range(2):
        exprs: list[pl.Expr] = [pl.col(k) for k in keep]
        mat = Materializer(uses)
        mat.distinct = distinct
        for p in policies:
            cols = p.columns(params, on, options, mat)
            if detail == "status":
                cols = [e for e in cols if e.meta.output_name()[len(p.id) + 1:] in STATUS_COLUMNS]
            exprs.extend(cols)
        uses = mat.reference_counts(exprs)
    stages = [mat.stages[level] for level in sorted(mat.stages)]
    # the policies and parameters are held so that the ids in the key stay theirs
    return stages, exprs, tuple(policies), params


def explain_one(
    record: dict[str, Any], policy: Any, params: Params, on: dt.date, schema: Schema,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record under one policy, exactly, with its trace (inputs read by ``schema``)."""
    options = dict(options or {})
    fields = policy.input_fields(on, (options.get("regimes") or {}).get(policy.id))
    rec = coerce_record(record, sorted(set(fields) | set(record)), schema)
    return policy.explain(rec, params, on, options)
