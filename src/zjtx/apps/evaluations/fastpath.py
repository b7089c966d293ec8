"""``/api/evaluate`` for a handful of records without building the whole-register plan per request.

The vectorised engine (``zjtx.evaluate``) builds and optimises one Polars plan for every policy — right
for a register, but for one record the plan costs hundreds of milliseconds while the record's
explanation (``zjtx.explain``, the same rules executed exactly) takes about a millisecond per policy.
For up to :data:`MAX_RECORDS` records the API answers from the explanations, laid out in exactly the
evaluation's columns and types; the column layout comes from evaluating zero records once per catalog
version, date and policy list (cached). ``tests/web/evaluations/test_ev_fastpath.py`` checks that both
give identical frames on the demo city.

Answers are kept (:data:`MEMO_SIZE` most recent, in the process): the same records, date, policies and
catalog version give the same frame, so a repeated request (a form re-submitted, a client polling one
enterprise) is answered without evaluating again. Values are keyed with their types (``1``, ``1.0``,
``"1"`` and ``True`` are different inputs); bad input is never kept, so it is reported every time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import polars as pl

MAX_RECORDS = 20
#: answers kept in the process (2026-12-03): about 30 KB each for one record
MEMO_SIZE = 512
_memo: OrderedDict[Hashable, pl.DataFrame] = OrderedDict()
_memo_lock = threading.Lock()
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


def _frozen(value: Any) -> Hashable:
    """A hashable image of a JSON-like value that keeps types apart (``1`` ≠ ``1.0`` ≠ ``True``)."""
    if isinstance(value, Mapping):
        return ("{}", tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("[]", tuple(_frozen(v) for v in value))
    hash(value)  # TypeError: not kept
    return (type(value).__name__, value)


def evaluate_few(records: Sequence[Mapping[str, Any]], on: dt.date, policies: Sequence[str] | str | None,
                 keep: Sequence[str] = ("uscc",)) -> pl.DataFrame:
    """Same frame as ``zjtx.evaluate(records, on, policies, keep=keep)`` (without a parameter overlay)."""
    from zjtx.policies import catalog

    pols = (policies,) if isinstance(policies, str) else (tuple(policies) if policies else None)
    fingerprint = catalog().fingerprint
    try:
        key: Hashable | None = (fingerprint, on, pols, tuple(keep), _frozen(list(records)))
    except TypeError:
        key = None
    if key is not None:
        with _memo_lock:
            hit = _memo.get(key)
            if hit is not None:
                _memo.move_to_end(key)
                return hit
    out = _evaluate_few(records, on, pols, keep, fingerprint)
    if key is not None:
        with _memo_lock:
            _memo[key] = out
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return out


def _evaluate_few(records: Sequence[Mapping[str, Any]], on: dt.date, pols: tuple[str, ...] | None,
                  keep: Sequence[str], fingerprint: str) -> pl.DataFrame:
    import zjtx
    from zjtx.policies import catalog
    from zjtx.rules.inputs import to_frame

    schema, ids = _layout(fingerprint, on, pols)
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
