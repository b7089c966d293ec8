"""Reform simulation: a reform is a parameter overlay (ARCHITECTURE.md principle 2).

``simulate(frame, on, policies, base, reform, schema)`` evaluates the baseline and the reform in one Polars plan over the
same prepared inputs. Only the policies whose compiled plan reads an overlaid parameter are
evaluated twice (the parameters a policy reads are recorded while it compiles), so a reform of one
threshold costs one extra policy, not the catalog. The result lists gainers and losers per policy,
counts by policy, town (``division``) and industry, and the change in estimated support cost for
policies with an ``<id>.amount`` column.

Reform files are YAML::

    name: 科小门槛下调
    description: 科技型中小企业评价合格分由60分降至55分
    on: 2025-06-30
    set:
      tech_sme.pass_score: 55
      tech_sme.rd_revenue_bands:            # a band table is overlaid whole
        - {min: 0.05, points: 50}
        - {points: 0}

Named reforms are stored under ``$ZJTX_REFORMS_DIR`` (default ``./reforms/``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from zjtx.rules.engine import input_fields
from zjtx.rules.inputs import Schema, prepare
from zjtx.rules.nodes import Materializer
from zjtx.rules.params import ParameterError, Params, exact, parse_overlay_value, to_jsonable

BASE = "base"
REFORM = "reform"


# ---------------------------------------------------------------------------------------------
# reform files
# ---------------------------------------------------------------------------------------------


def reforms_dir() -> Path:
    return Path(os.environ.get("ZJTX_REFORMS_DIR") or "reforms")


@dataclass
class Reform:
    """A named parameter overlay."""

    name: str
    set: dict[str, Any]
    description: str = ""
    on: dt.date | None = None

    def as_yaml(self) -> str:
        data: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.on:
            data["on"] = self.on.isoformat()
        data["set"] = {k: to_jsonable(v) for k, v in self.set.items()}
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parse_sets(items: Sequence[str]) -> dict[str, Any]:
    """``PARAM=VALUE`` strings (CLI ``--set``) to an overlay; values parsed as YAML, numbers exact."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--set 需要 参数=值 的形式：'{item}'")
        k, v = item.split("=", 1)
        out[k.strip()] = parse_overlay_value(v.strip())
    return out


def _reform_path(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    if not re.fullmatch(r"[\w\-\u4e00-\u9fff]+", str(name_or_path)):
        raise ParameterError(f"改革方案名称只能含字母、数字、汉字、下划线和短横线：'{name_or_path}'")
    return reforms_dir() / f"{name_or_path}.yaml"


def load_reform(name_or_path: str | Path) -> Reform:
    """A reform file by path, or a saved reform by name (``$ZJTX_REFORMS_DIR/<name>.yaml``)."""
    p = _reform_path(name_or_path)
    if not p.exists():
        raise ParameterError(f"找不到改革方案 '{name_or_path}'（{p}）")
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("set"), dict):
        raise ParameterError(f"{p}: 改革方案需要 set: {{参数: 值}}")
    on = data.get("on")
    if on is not None and not isinstance(on, dt.date):
        on = dt.date.fromisoformat(str(on))
    return Reform(str(data.get("name") or p.stem), {k: exact(v) for k, v in data["set"].items()},
                  str(data.get("description") or ""), on)


def save_reform(reform: Reform, name: str | None = None) -> Path:
    """Store a reform under ``$ZJTX_REFORMS_DIR`` as ``<name>.yaml``; returns the path."""
    p = _reform_path(name or reform.name)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(reform.as_yaml(), encoding="utf-8")
    return p


def list_reforms() -> list[Reform]:
    d = reforms_dir()
    return [load_reform(p) for p in sorted(d.glob("*.yaml"))] if d.exists() else []


# ---------------------------------------------------------------------------------------------
# which policies an overlay touches
# ---------------------------------------------------------------------------------------------


class _Recording(Params):
    """Params that remember every parameter read (also through another policy's gate)."""

    def __init__(self, inner: Params):
        super().__init__(inner.on, dict(inner.items()), inner.overlay_name, inner.source, inner.overlay)
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)

    def items(self) -> Any:  # iterating (e.g. to copy the overlay) is not reading
        return self._values.items()

    def values(self) -> Any:
        return self._values.values()


def params_read(policy: Any, params: Params, on: dt.date, options: Mapping[str, Any] | None = None) -> set[str]:
    """The parameters a policy's compiled plan reads on a date (``Ctx.used_params`` plus any read
    outside the context, e.g. by a calculator)."""
    rec = _Recording(params)
    policy.columns(rec, on, dict(options or {}), Materializer())
    # calculators resolve their own dated parameters per tax period; they declare them
    return rec.read | set(getattr(policy, "required_params", None) or [])


def touched_policies(policies: Sequence[Any], params: Params, on: dt.date, overlay: Mapping[str, Any],
                     options: Mapping[str, Any] | None = None) -> list[Any]:
    keys = set(overlay)
    return [p for p in policies if params_read(p, params, on, options) & keys]


# ---------------------------------------------------------------------------------------------
# simulation
# ---------------------------------------------------------------------------------------------


@dataclass
class ReformResult:
    """Baseline vs reform. ``records``: one row per enterprise with ``<policy>.status`` (baseline),
    ``<policy>.status@reform``, scores and amounts of the touched policies and ``<policy>.change``
    (``gain`` / ``loss`` / null). ``summary``: one row per policy. ``by``: counts per group."""

    name: str
    on: dt.date
    overlay: dict[str, Any]
    policies: list[str]
    touched: list[str]
    records: pl.DataFrame
    summary: pl.DataFrame
    by: dict[str, pl.DataFrame] = field(default_factory=dict)
    seconds: float = 0.0

    def gainers(self, policy: str) -> pl.DataFrame:
        return self.records.filter(pl.col(f"{policy}.change") == "gain") if policy in self.touched \
            else self.records.clear()

    def losers(self, policy: str) -> pl.DataFrame:
        return self.records.filter(pl.col(f"{policy}.change") == "loss") if policy in self.touched \
            else self.records.clear()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "on": self.on.isoformat(),
            "overlay": {k: to_jsonable(v) for k, v in self.overlay.items()},
            "policies": self.policies,
            "touched": self.touched,
            "summary": self.summary.to_dicts(),
            "by": {k: v.to_dicts() for k, v in self.by.items()},
            "seconds": round(self.seconds, 3),
        }


def simulate(
    frame: Any,
    day: dt.date,
    pols: Sequence[Any],
    base_params: Params,
    reform_params: Params,
    schema: Schema,
    by: Sequence[str] = ("division", "industry"),
    *,
    name: str | None = None,
    options: Mapping[str, Any] | None = None,
    validate: bool = True,
) -> ReformResult:
    """Evaluate ``frame`` under ``base_params`` and under ``reform_params`` (the same rule set with
    the overlay) in one pass: shared inputs; only the policies whose parameters the overlay touches
    are evaluated twice. ``zjtx.services.reform.simulate`` resolves both by policy id and date."""
    started = time.perf_counter()
    overlay = dict(reform_params.overlay)
    opts = dict(options or {})
    ids = [p.id for p in pols]
    touched = touched_policies(pols, base_params, day, overlay, opts)
    if not touched:
        unknown = [k for k in overlay if k not in base_params]
        hint = f"（不在 {day.isoformat()} 有效的参数中：{', '.join(unknown)}）" if unknown else ""
        raise ParameterError(f"改革方案未影响任何所选政策{hint}")

    fields = input_fields(pols, day, opts)
    lf = prepare(frame, fields, schema, validate=validate)
    schema = lf.collect_schema()
    keep = [c for c in ("uscc", "name", *by) if c in schema]
    keep = list(dict.fromkeys(keep))
    mat_b = Materializer()
    base_cols: list[pl.Expr] = []
    for p in pols:
        base_cols.extend(p.columns(base_params, day, opts, mat_b))
    lf = mat_b.apply(lf).with_columns(base_cols)
    base_names = lf.collect_schema().names()
    mat_r = Materializer()
    ref_cols: list[pl.Expr] = []
    for p in touched:
        for e in p.columns(reform_params, day, opts, mat_r):
            ref_cols.append(e.alias(e.meta.output_name() + "@reform"))
    # the reform's temporary columns may reuse the baseline's names: the baseline results are
    # already in named columns when they are overwritten
    lf = mat_r.apply(lf).with_columns(ref_cols)
    out_cols = [c for c in base_names if any(c.startswith(p.id + ".") for p in pols)]
    ref_names = [e.meta.output_name() for e in ref_cols]
    df = lf.select(*keep, *out_cols, *ref_names).collect()

    changes = []
    rows = []
    for p in pols:
        pid = p.id
        s0 = pl.col(f"{pid}.status")
        base_q = int(df.select((s0 == "qualified").sum()).item())
        row: dict[str, Any] = {"policy": pid, "name": p.name, "touched": p in touched,
                               "qualified_base": base_q, "qualified_reform": base_q, "gained": 0, "lost": 0,
                               "net": 0, "amount_base": None, "amount_reform": None, "amount_change": None}
        amt = f"{pid}.amount"
        if amt in df.columns:
            row["amount_base"] = row["amount_reform"] = float(df[amt].fill_null(0).sum())
            row["amount_change"] = 0.0
        if p in touched:
            s1 = pl.col(f"{pid}.status@reform")
            change = (pl.when((s0 != "qualified") & (s1 == "qualified")).then(pl.lit("gain"))
                      .when((s0 == "qualified") & (s1 != "qualified")).then(pl.lit("loss"))
                      .otherwise(pl.lit(None, pl.String)).alias(f"{pid}.change"))
            changes.append(change)
            q1 = int(df.select((s1 == "qualified").sum()).item())
            g = int(df.select(((s0 != "qualified") & (s1 == "qualified")).sum()).item())
            lo = int(df.select(((s0 == "qualified") & (s1 != "qualified")).sum()).item())
            row.update(qualified_reform=q1, gained=g, lost=lo, net=q1 - base_q)
            if amt in df.columns and f"{amt}@reform" in df.columns:
                a1 = float(df[f"{amt}@reform"].fill_null(0).sum())
                row.update(amount_reform=a1, amount_change=a1 - row["amount_base"])
        rows.append(row)
    if changes:
        df = df.with_columns(changes)
    summary = pl.DataFrame(rows, schema_overrides={"amount_base": pl.Float64, "amount_reform": pl.Float64,
                                                   "amount_change": pl.Float64})
    groups: dict[str, pl.DataFrame] = {}
    for col in by:
        if col not in df.columns:
            continue
        parts = []
        for p in touched:
            pid = p.id
            aggs = [
                pl.lit(pid).alias("policy"),
                (pl.col(f"{pid}.status") == "qualified").sum().alias("qualified_base"),
                (pl.col(f"{pid}.status@reform") == "qualified").sum().alias("qualified_reform"),
                (pl.col(f"{pid}.change") == "gain").sum().alias("gained"),
                (pl.col(f"{pid}.change") == "loss").sum().alias("lost"),
            ]
            if f"{pid}.amount" in df.columns and f"{pid}.amount@reform" in df.columns:
                aggs.append((pl.col(f"{pid}.amount@reform").fill_null(0) - pl.col(f"{pid}.amount").fill_null(0))
                            .sum().cast(pl.Float64).alias("amount_change"))
            else:
                aggs.append(pl.lit(None, pl.Float64).alias("amount_change"))
            parts.append(df.group_by(col).agg(aggs))
        if parts:
            g = pl.concat(parts, how="vertical_relaxed").with_columns(
                (pl.col("qualified_reform").cast(pl.Int64) - pl.col("qualified_base").cast(pl.Int64)).alias("net"))
            groups[col] = g.select(col, "policy", "qualified_base", "qualified_reform", "gained", "lost", "net",
                                   "amount_change").sort(["policy", "net", col], descending=[False, True, False])
    return ReformResult(
        name=name or "reform",
        on=day,
        overlay=overlay,
        policies=ids,
        touched=[p.id for p in touched],
        records=df,
        summary=summary,
        by=groups,
        seconds=time.perf_counter() - started,
    )
