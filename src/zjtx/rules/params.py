"""Dated parameters: every threshold, band and rate is data with an effective date and a source.

A parameter file is YAML mapping parameter ids to a description and a value history::

    tech_sme.max_employees:
      label: 职工总数上限
      unit: 人
      history:
        - from: 2017-05-03
          value: 500
          source: 国科发政〔2017〕115号 第六条(二)
          tag: CONFIRMED

``history`` entries are ordered by ``from``; an entry is in force from its ``from`` date until the
day before the next entry's ``from`` (or its own ``to``, if given). Numbers are read as exact
decimals (``0.03`` is 3/100, never the binary float). ``tag`` is one of the specification's status
tags; MEMORY, MEMORY-LOW and OPEN values are ``provisional``.

``ParameterSet.at(on, overlay)`` resolves every parameter in force on a date; an overlay (a reform)
replaces values by id and is recorded as the source of the replaced values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

PROVISIONAL_TAGS = frozenset({"MEMORY", "MEMORY-LOW", "OPEN"})
TAGS = frozenset({"CONFIRMED", "CONFIRMED-1", "LETTER", "DERIVED"}) | PROVISIONAL_TAGS


class ParameterError(ValueError):
    """A parameter file or an overlay is malformed, or a parameter is not in force on a date."""


def exact(value: Any) -> Any:
    """Convert YAML numbers to exact values: ints stay ints, floats become ``Fraction`` via their
    shortest decimal text (``0.03`` → 3/100). Lists and dicts are converted recursively."""
    if isinstance(value, bool) or value is None or isinstance(value, str | dt.date):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, Fraction):
        return value
    if isinstance(value, list | tuple):
        return [exact(v) for v in value]
    if isinstance(value, dict):
        return {k: exact(v) for k, v in value.items()}
    raise ParameterError(f"unsupported parameter value {value!r}")


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ParameterError(f"{where}: '{value}' is not an ISO date") from exc


@dataclass(frozen=True)
class ParamValue:
    """One parameter as resolved on a date: the value and everything needed to cite it."""

    id: str
    value: Any
    label: str = ""
    unit: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source: str = ""
    tag: str = "CONFIRMED"
    note: str = ""
    overridden: bool = False

    @property
    def provisional(self) -> bool:
        return self.tag in PROVISIONAL_TAGS

    def cite(self) -> str:
        return self.source

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "value": to_jsonable(self.value),
            "unit": self.unit,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
            "tag": self.tag,
            "provisional": self.provisional,
            "overridden": self.overridden,
            "note": self.note,
        }


def to_jsonable(value: Any) -> Any:
    """Exact numbers to JSON: integral fractions as int, others as float (display only)."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class _Entry:
    valid_from: dt.date
    valid_to: dt.date | None
    value: Any
    source: str
    tag: str
    note: str


@dataclass
class Parameter:
    id: str
    label: str
    unit: str
    history: list[_Entry] = field(default_factory=list)
    file: str = ""

    def entry_at(self, on: dt.date) -> _Entry | None:
        chosen = None
        for i, e in enumerate(self.history):
            nxt = self.history[i + 1].valid_from if i + 1 < len(self.history) else None
            end = e.valid_to
            if nxt is not None:
                last = nxt - dt.timedelta(days=1)
                end = last if end is None else min(end, last)
            if e.valid_from <= on and (end is None or on <= end):
                chosen = _Entry(e.valid_from, end, e.value, e.source, e.tag, e.note)
        return chosen


def _parse_file(path: Path) -> dict[str, Parameter]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh) or {}
    except (yaml.YAMLError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise ParameterError(f"参数文件 {path.name} {where}格式错误：{getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path.name}: top level must be a mapping of parameter ids")
    out: dict[str, Parameter] = {}
    for pid, spec in data.items():
        where = f"{path.name}: {pid}"
        if not isinstance(spec, dict) or "history" not in spec:
            raise ParameterError(f"{where}: needs a 'history' list")
        entries = []
        for j, h in enumerate(spec["history"]):
            w = f"{where} history[{j}]"
            if "from" not in h or "value" not in h or "source" not in h:
                raise ParameterError(f"{w}: needs 'from', 'value' and 'source'")
            tag = h.get("tag", "CONFIRMED")
            if tag not in TAGS:
                raise ParameterError(f"{w}: unknown tag '{tag}'")
            entries.append(
                _Entry(
                    valid_from=_date(h["from"], w),
                    valid_to=_date(h["to"], w) if h.get("to") else None,
                    value=exact(h["value"]),
                    source=str(h["source"]),
                    tag=tag,
                    note=str(h.get("note", "")),
                )
            )
        entries.sort(key=lambda e: e.valid_from)
        out[pid] = Parameter(str(pid), str(spec.get("label", "")), str(spec.get("unit", "")), entries, path.name)
    return out


class Params(Mapping[str, ParamValue]):
    """Parameters in force on one date (after any overlay).

    ``source`` is the ``ParameterSet`` they were resolved from and ``overlay`` the reform overlay
    applied, so ``at(day)`` resolves the same rule set (same overlay) on another day — a tax
    calculator needs the parameters of the tax period, not of the evaluation date."""

    def __init__(self, on: dt.date, values: dict[str, ParamValue], overlay_name: str | None = None,
                 source: ParameterSet | None = None, overlay: Mapping[str, Any] | None = None):
        self.on = on
        self._values = values
        self.overlay_name = overlay_name
        self.source = source
        self.overlay = dict(overlay or {})

    def at(self, day: dt.date) -> Params:
        """The same rule set (parameter files and overlay) resolved on ``day``."""
        if day == self.on:
            return self
        if self.source is None:
            raise ParameterError("these parameters were not resolved from a parameter set")
        return self.source.at(day, self.overlay or None, self.overlay_name)

    def __getitem__(self, key: str) -> ParamValue:
        try:
            return self._values[key]
        except KeyError:
            raise ParameterError(f"parameter '{key}' is not in force on {self.on.isoformat()}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def value(self, key: str) -> Any:
        return self[key].value

    def with_prefix(self, prefix: str) -> list[ParamValue]:
        return [v for k, v in sorted(self._values.items()) if k.startswith(prefix)]


class ParameterSet:
    """All parameter files of the catalog, resolvable on any date (resolutions without an overlay
    are cached per date)."""

    def __init__(self, parameters: dict[str, Parameter]):
        self.parameters = parameters
        self._cache: dict[dt.date, Params] = {}

    def covers(self, pid: str, day: dt.date) -> bool:
        """Whether parameter ``pid`` has a value in force on ``day``."""
        p = self.parameters.get(pid)
        return p is not None and p.entry_at(day) is not None

    @classmethod
    def load(cls, paths: Iterable[Path]) -> ParameterSet:
        params: dict[str, Parameter] = {}
        for p in sorted(paths):
            for pid, param in _parse_file(p).items():
                if pid in params:
                    raise ParameterError(f"parameter '{pid}' defined twice ({params[pid].file}, {p.name})")
                params[pid] = param
        return cls(params)

    def at(self, on: dt.date, overlay: Mapping[str, Any] | None = None, overlay_name: str | None = None) -> Params:
        if not overlay and on in self._cache:
            return self._cache[on]
        values: dict[str, ParamValue] = {}
        for pid, param in self.parameters.items():
            e = param.entry_at(on)
            if e is None:
                continue
            values[pid] = ParamValue(pid, e.value, param.label, param.unit, e.valid_from, e.valid_to,
                                     e.source, e.tag, e.note)
        for pid, new in (overlay or {}).items():
            if pid not in self.parameters:
                raise ParameterError(f"overlay names unknown parameter '{pid}'")
            base = values.get(pid) or ParamValue(pid, None, self.parameters[pid].label, self.parameters[pid].unit)
            values[pid] = replace(
                base,
                value=exact(new),
                source=f"改革方案 {overlay_name or 'overlay'}（原: {base.source or '—'}）",
                tag="DERIVED",
                overridden=True,
            )
        out = Params(on, values, overlay_name, self, overlay)
        if not overlay:
            if len(self._cache) > 512:
                self._cache.clear()
            self._cache[on] = out
        return out

    def history(self, pid: str) -> Parameter:
        try:
            return self.parameters[pid]
        except KeyError:
            raise ParameterError(f"unknown parameter '{pid}'") from None


def parse_overlay_value(text: str) -> Any:
    """Parse a ``--set PARAM=VALUE`` value: YAML scalars/lists, numbers exact."""
    try:
        return exact(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ParameterError(f"cannot parse value '{text}': {exc}") from exc
