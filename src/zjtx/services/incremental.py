"""Incremental re-evaluation: re-run only what changed since the last evaluation of a register.

    from zjtx.services.incremental import evaluate_incremental
    first = evaluate_incremental(records, on="2025-06-30")                    # everything
    ...  # a few hundred enterprises edited, or one policy's parameters changed (a reform overlay)
    again = evaluate_incremental(records, on="2025-06-30", previous=first)   # only the changes
    again.frame        # identical to zjtx.evaluate(records, on=…) (+ the ``input_hash`` column)

Two keys decide what is reused:

* the **input hash** of each record: a 64-bit hash of the values of every field the policies read
  (``polars.DataFrame.hash_rows`` with a fixed seed — stable within one Polars version, which is where
  a previous result comes from); a record whose key (``uscc``) and hash are in the previous result
  keeps its previous columns;
* the **rule fingerprint** of each policy (``rule_fingerprint``): the package version, the policy's
  declaration (its module), the date's rule version and every parameter value in force for it and for
  the policies it reads, with the overlay applied. A policy whose fingerprint changed is re-evaluated
  for every record; the others only for new or edited records.

The previous result is a ``Incremental`` (or any frame with the key, ``input_hash`` and the policy
columns, plus the fingerprints it was computed with).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

HASH = "input_hash"
_SEED = 2026


@dataclass
class Incremental:
    """An evaluation that can be brought up to date: the result (with ``input_hash``), the rule
    fingerprint of each policy, and what the last call re-evaluated."""

    frame: pl.DataFrame
    fingerprints: dict[str, str]
    on: dt.date
    key: str = "uscc"
    recomputed_records: int = 0
    recomputed_policies: list[str] = field(default_factory=list)

    def result(self) -> pl.DataFrame:
        """The result without the hash column (as ``zjtx.evaluate`` returns it)."""
        return self.frame.drop(HASH)


def _jsonable(v: Any) -> Any:
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [_jsonable(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return v if isinstance(v, str | int | float | bool) or v is None else str(v)


def rule_fingerprint(policy: Any, params: Any, on: dt.date, ids: Sequence[str]) -> str:
    """sha256 (16 hex) of what decides a policy's results on ``on`` besides the record: the package
    version, the policy's module source, its rule version on that date, and — for its own parameters
    and those of the policies its module names (``PolicyOK("sme_size")``, ``sme_size.industry_map``) —
    every dated value (a tax calculator reads the period's parameters, not only today's) and the
    reform overlay."""
    import importlib

    from zjtx._version import __version__

    try:
        src = inspect.getsource(importlib.import_module(f"zjtx.policies.{policy.id}"))
    except (ImportError, OSError, TypeError):
        src = repr(policy)
    deps = {policy.id} | {i for i in ids if i != policy.id and i in src}
    mine = lambda pid: pid.split(".", 1)[0] in deps  # noqa: E731
    values: dict[str, Any] = {k: _jsonable(v.value) for k, v in params.items() if mine(k)}
    source = getattr(params, "source", None)
    if source is not None:
        for pid, prm in source.parameters.items():
            if mine(pid):
                values["history:" + pid] = [[str(e.valid_from), str(e.valid_to), _jsonable(e.value)]
                                            for e in prm.history]
    values["overlay"] = {k: _jsonable(v) for k, v in (getattr(params, "overlay", None) or {}).items() if mine(k)}
    try:
        regime = policy.regime_at(on).id
    except Exception:  # a calculator before its first period: the parameters still decide
        regime = ""
    text = json.dumps({"v": __version__, "src": hashlib.sha256(src.encode()).hexdigest(), "regime": regime,
                       "params": values}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def input_hashes(records: pl.DataFrame, fields: Sequence[str]) -> pl.Series:
    """One 64-bit hash per record of the values of ``fields`` (absent fields count as null)."""
    cols = [c for c in sorted(set(fields)) if c in records.columns]
    if not cols:
        return pl.Series(HASH, [0] * records.height, dtype=pl.UInt64)
    return records.select(cols).hash_rows(seed=_SEED).alias(HASH)


def evaluate_incremental(
    records: pl.DataFrame,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    previous: Incremental | None = None,
    key: str = "uscc",
    detail: str = "full",
) -> Incremental:
    """Evaluate ``records`` (unique ``key``), re-using ``previous`` where neither the record's inputs
    nor the policy's rules changed; the result equals a full ``zjtx.evaluate`` of ``records``."""
    from zjtx.api import evaluate, policy_list, resolve_params
    from zjtx.rules.engine import input_fields, parse_date

    day = parse_date(on)
    pols = policy_list(policies, day)
    ids = [p.id for p in pols]
    if key not in records.columns:
        raise ValueError(f"增量评价需要每户的唯一键列 '{key}'")
    if records[key].is_duplicated().any():
        dup = records.filter(pl.col(key).is_duplicated())[key][0]
        raise ValueError(f"增量评价需要唯一的 {key}：{dup} 出现多次")
    prm = resolve_params(day, params)
    from zjtx.policies import catalog

    all_ids = catalog().ids
    fps = {p.id: rule_fingerprint(p, prm, day, all_ids) for p in pols}
    hashes = input_hashes(records, input_fields(pols, day, {}))
    keyed = records.select(key).with_columns(hashes)

    def run(frame: pl.DataFrame, which: list[str]) -> pl.DataFrame:
        return evaluate(frame, on=day, policies=which, params=params, keep=(key,), validate=False, detail=detail)

    reusable = [] if previous is None or previous.on != day or previous.key != key else [
        i for i in ids if previous.fingerprints.get(i) == fps[i]
        and any(c.startswith(i + ".") for c in previous.frame.columns)]
    redo = [i for i in ids if i not in reusable]
    parts: dict[str, pl.DataFrame] = {}
    changed = records.height
    if reusable:
        assert previous is not None
        old = previous.frame.select([key, HASH, *[c for c in previous.frame.columns
                                                   if c.split(".", 1)[0] in reusable]])
        if old.height == keyed.height and old[key].equals(keyed[key]):
            # the same records in the same order (a daily re-run): no join, one gather
            same = (old[HASH] == keyed[HASH]).fill_null(False)
            fresh_rows = records.filter(~same)
            kept = old.filter(same).drop(HASH)
            changed = fresh_rows.height
            fresh = run(fresh_rows, reusable) if changed else kept.head(0)
            both = pl.concat([kept, fresh.select(kept.columns)], how="vertical", rechunk=False)
            where = pl.concat([pl.arg_where(same, eager=True), pl.arg_where(~same, eager=True)])
            parts["reused"] = both[where.arg_sort()]
        else:
            kept = keyed.join(old, on=[key, HASH], how="inner")
            fresh_rows = records.with_columns(hashes).join(old.select(key, HASH), on=[key, HASH], how="anti")
            changed = fresh_rows.height
            fresh = run(fresh_rows.drop(HASH), reusable) if fresh_rows.height else kept.head(0).drop(HASH)
            both = pl.concat([kept.drop(HASH), fresh.select(kept.drop(HASH).columns)], how="vertical")
            parts["reused"] = keyed.select(key).join(both, on=key, how="left", maintain_order="left")
    if redo:
        parts["redo"] = run(records, redo)
    out = keyed
    for name in ("reused", "redo"):
        if name in parts:
            out = out.hstack(parts[name].drop(key).get_columns())
    order = [key, *[c for i in ids for c in out.columns if c.split(".", 1)[0] == i and "." in c], HASH]
    return Incremental(out.select(order), fps, day, key,
                       recomputed_records=changed if reusable else records.height, recomputed_policies=redo)
