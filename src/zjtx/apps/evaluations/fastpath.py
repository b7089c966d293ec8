"""``/api/evaluate`` for a handful of records without building the whole-register plan per request.

The vectorised engine (``zjtx.evaluate``) builds and optimises one Polars plan for every policy — right
for a register, but for one record the plan costs hundreds of milliseconds while the record's
explanation (``zjtx.explain``, the same rules executed exactly) takes about a millisecond per policy.
For up to :data:`MAX_RECORDS` records the API answers from the explanations, laid out in exactly the
evaluation's columns and types; the column layout comes from evaluating zero records once per catalog
version, date and policy list (cached). ``tests/web/evaluations/test_ev_fastpath.py`` checks that both
give identical frames on the demo city.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import polars as pl

MAX_RECORDS = 20
_FIELDS = ("status", "score", "score_min", "score_max", "route", "regime", "missing", "manual", "provisional")


@lru_cache(maxsize=64)
def _layout(fingerprint: str, on: dt.date, policies: tuple[str, ...] | None) -> tuple[pl.Schema, tuple[str, ...]]:
    """The evaluation's output columns and types for ``policies`` on ``on`` (catalog ``fingerprint``)."""
    import zjtx

    del fingerprint  # the cache key: a new catalog version lays out again
    empty = pl.DataFrame({"uscc": pl.Series([], dtype=pl.String)})
    out = zjtx.evaluate(empty, on, list(policies) if policies else None, keep=("uscc",), validate=False)
    ids = tuple(dict.fromkeys(c.split(".", 1)[0] for c in out.columns if "." in c))
    return out.schema, ids


def evaluate_few(records: Sequence[Mapping[str, Any]], on: dt.date, policies: Sequence[str] | str | None,
                 keep: Sequence[str] = ("uscc",)) -> pl.DataFrame:
    """Same frame as ``zjtx.evaluate(records, on, policies, keep=keep)`` (without a parameter overlay)."""
    import zjtx
    from zjtx.policies import catalog
    from zjtx.rules.inputs import to_frame

    pols = (policies,) if isinstance(policies, str) else (tuple(policies) if policies else None)
    schema, ids = _layout(catalog().fingerprint, on, pols)
    frame = to_frame(list(records))
    # the same input checks as the vectorised engine (InputError naming every bad record and field)
    from zjtx.api import policy_list
    from zjtx.rules.engine import input_fields
    from zjtx.rules.inputs import prepare

    prepare(frame, input_fields(policy_list(list(pols) if pols else None, on), on, {}), catalog().schema,
            validate=True).collect()
    rows = []
    for rec in frame.iter_rows(named=True):
        row: dict[str, Any] = {k: rec.get(k) for k in keep if k in schema}
        for pid in ids:
            e = zjtx.explain(rec, pid, on=on)
            for f in _FIELDS:
                row[f"{pid}.{f}"] = e.get(f)
            for k, v in (e.get("parts") or {}).items():  # a range [min, max] is an undetermined indicator
                row[f"{pid}.pts.{k}"] = None if isinstance(v, list | tuple) else v
            for col in schema:
                if col.startswith(pid + ".") and col not in row:
                    row[col] = e.get(col.split(".", 1)[1])
        rows.append(row)
    cols = [c for c in schema if c in rows[0]] if rows else list(schema)
    return pl.DataFrame([{c: r.get(c) for c in cols} for r in rows], schema={c: schema[c] for c in cols},
                        strict=False)
