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

    key = (policy.id, id(policy), id(params), on, tuple(ids))
    hit = _FINGERPRINTS.get(key)
    if hit is not None and hit[0] is params and hit[1] is policy:
        return hit[2]
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
    fp = hashlib.sha256(text.encode()).hexdigest()[:16]
    if len(_FINGERPRINTS) > 256:
        _FINGERPRINTS.clear()
    _FINGERPRINTS[key] = (params, policy, fp)  # held, so that the ids in the key stay theirs
    return fp


# fingerprints by (policy, resolved parameters object, date, catalog ids): a daily re-run with the same
# parameters (``resolve_params`` returns the same object for a date without overlay) does not re-read
# the modules' source or re-serialise the parameter histories (≈ 20 ms per policy)
_FINGERPRINTS: dict[Any, tuple[Any, Any, str]] = {}


def input_hashes(records: pl.DataFrame, fields: Sequence[str]) -> pl.Series:
    """One 64-bit hash per record of the values of ``fields`` (absent fields count as null)."""
    cols = [c for c in sorted(set(fields)) if c in records.columns]
    if not cols:
        return pl.Series(HASH, [0] * records.height, dtype=pl.UInt64)
    return records.select(cols).hash_rows(seed=_SEED).alias(HASH)


def _changed_rows(records: pl.DataFrame, fields: Sequence[str], previous: pl.DataFrame, key: str,
                  edited: Any) -> tuple[pl.Series, pl.Series]:
    """The input hashes of ``records`` (in the same order as ``previous``) and the positions whose hash
    differs from the previous one. With ``edited`` (the keys whose data may have changed), only those
    rows are hashed; every other row keeps its previous hash."""
    old_hash = previous[HASH]
    if edited is None:
        hashes = input_hashes(records, fields)
        return hashes, pl.arg_where((hashes != old_hash).fill_null(True), eager=True)
    keys = pl.Series(key, list(edited) if not isinstance(edited, pl.Series) else edited, dtype=records[key].dtype)
    pos = pl.arg_where(records[key].is_in(keys.implode()), eager=True)
    if pos.len() == 0:
        return old_hash, pos
    new = input_hashes(records[pos], fields)
    differs = (new != old_hash.gather(pos)).fill_null(True)
    hashes = old_hash.clone()
    hashes.scatter(pos, new)
    return hashes, pos.filter(differs)


def _update(old: pl.DataFrame, pos: pl.Series, fresh: pl.DataFrame) -> pl.DataFrame:
    """``old`` with the rows at ``pos`` replaced by ``fresh`` (same columns), without gathering the
    frame: a column whose values at ``pos`` are already ``fresh``'s is kept as it is (zero-copy);
    the others are copied once and written at ``pos`` — in place for numbers, booleans and text
    (``Series.scatter``), by a masked select for list columns (no scatter for lists)."""
    before = old[pos]
    schema = old.schema
    cols: dict[str, pl.Series] = {}
    lists: list[str] = []
    for name in old.columns:
        if before[name].equals(fresh[name], check_dtypes=True):
            continue  # no edited row changed this column
        if isinstance(schema[name], pl.List):
            lists.append(name)
            continue
        col = old[name].clone()
        col.scatter(pos, fresh[name])
        cols[name] = col
    if lists:
        mask = pl.zeros(old.height, pl.Boolean, eager=True).scatter(pos, True)
        at = pl.Series([None] * old.height, dtype=pl.UInt32).scatter(pos, pl.int_range(pos.len(), eager=True, dtype=pl.UInt32))
        updated = old.select([pl.when(pl.lit(mask)).then(pl.lit(fresh[n]).gather(pl.lit(at))).otherwise(pl.col(n)).alias(n)
                              for n in lists])
        cols.update({n: updated[n] for n in lists})
    return old.with_columns(list(cols.values())) if cols else old


def evaluate_incremental(
    records: pl.DataFrame,
    on: str | dt.date,
    policies: str | Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    previous: Incremental | None = None,
    key: str = "uscc",
    detail: str = "full",
    edited: Any = None,
) -> Incremental:
    """Evaluate ``records`` (unique ``key``), re-using ``previous`` where neither the record's inputs
    nor the policy's rules changed; the result equals a full ``zjtx.evaluate`` of ``records``.

    ``edited``: the keys of the records whose data may have changed since ``previous`` (an import's or
    a form's list of touched enterprises), when the caller knows them. Only those rows are then hashed
    (an unchanged one among them is still recognised and reused); every other record is taken to be
    as it was — the caller's promise, which is what saves hashing the whole register. Ignored when
    the records are not those of ``previous`` in the same order (new or removed records)."""
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
    fields = input_fields(pols, day, {})

    def run(frame: pl.DataFrame, which: list[str]) -> pl.DataFrame:
        return evaluate(frame, on=day, policies=which, params=params, keep=(key,), validate=False, detail=detail)

    reusable = [] if previous is None or previous.on != day or previous.key != key else [
        i for i in ids if previous.fingerprints.get(i) == fps[i]
        and any(c.startswith(i + ".") for c in previous.frame.columns)]
    redo = [i for i in ids if i not in reusable]
    changed = records.height
    reused: pl.DataFrame | None = None
    hashes: pl.Series | None = None
    if reusable:
        assert previous is not None
        old = previous.frame.select([key, HASH, *[c for c in previous.frame.columns
                                                   if c.split(".", 1)[0] in reusable]])
        if old.height == records.height and old[key].equals(records[key]):
            # the same records in the same order (a daily re-run): the previous result updated at the
            # positions of the edited records, no join and no gather of the whole frame
            hashes, pos = _changed_rows(records, fields, old, key, edited)
            changed = pos.len()
            kept = old.drop(HASH)
            if changed:
                fresh = run(records[pos], reusable).select(kept.columns)
                reused = _update(kept, pos, fresh)
            else:
                reused = kept
        else:
            hashes = input_hashes(records, fields)
            keyed = records.select(key).with_columns(hashes)
            kept = keyed.join(old, on=[key, HASH], how="inner")
            fresh_rows = records.with_columns(hashes).join(old.select(key, HASH), on=[key, HASH], how="anti")
            changed = fresh_rows.height
            fresh = run(fresh_rows.drop(HASH), reusable) if fresh_rows.height else kept.head(0).drop(HASH)
            both = pl.concat([kept.drop(HASH), fresh.select(kept.drop(HASH).columns)], how="vertical")
            reused = keyed.select(key).join(both, on=key, how="left", maintain_order="left")
    if hashes is None:
        hashes = input_hashes(records, fields)
    out = records.select(key).with_columns(hashes)
    if reused is not None:
        out = out.hstack(reused.drop(key).get_columns())
    if redo:
        out = out.hstack(run(records, redo).drop(key).get_columns())
    order = [key, *[c for i in ids for c in out.columns if c.split(".", 1)[0] == i and "." in c], HASH]
    return Incremental(out.select(order), fps, day, key,
                       recomputed_records=changed if reusable else records.height, recomputed_policies=redo)
