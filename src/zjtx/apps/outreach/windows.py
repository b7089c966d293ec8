"""Application windows (申报窗口) as dated parameters, and the outreach working parameters.

``windows.yaml`` holds one parameter per programme (``window.<policy>``) whose history entries are
the windows: in force from the first day applications are received to the last, each with the
document that set it and its verification tag. ``thresholds.yaml`` holds the margins and timings of
warnings and notices. Both are read with the catalog's parameter loader (``zjtx.rules.params``),
so they have the same format, validation and citation as every other threshold.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from zjtx.rules.params import ParameterSet, Params, ParamValue

HERE = Path(__file__).parent
FILES = (HERE / "windows.yaml", HERE / "thresholds.yaml")
TAG_LABELS = {"CONFIRMED": "已核实", "CONFIRMED-1": "已核实（单一来源）", "LETTER": "市局来函", "DERIVED": "推导",
              "MEMORY": "待核实", "MEMORY-LOW": "待核实（低可信度）", "OPEN": "未定（推定）"}


@lru_cache(maxsize=1)
def parameters() -> ParameterSet:
    return ParameterSet.load(FILES)


def params_at(on: dt.date) -> Params:
    """The outreach parameters (windows and thresholds) in force on ``on``."""
    return parameters().at(on)


def setting(name: str, on: dt.date) -> Any:
    """One working parameter (``outreach.<name>``) in force on ``on``."""
    return params_at(on)[f"outreach.{name}"].value


def cite(name: str, on: dt.date) -> ParamValue:
    return params_at(on)[f"outreach.{name}"]


@dataclass(frozen=True)
class Window:
    """One application window: ``opens``..``closes`` inclusive, for ``policy``'s title or benefit."""

    param: str
    label: str
    name: str
    policy: str
    opens: dt.date
    closes: dt.date
    level: str
    action: str
    source: str
    tag: str
    note: str

    @property
    def key(self) -> str:
        return f"{self.param}@{self.opens:%Y%m%d}"

    @property
    def provisional(self) -> bool:
        return self.tag in ("MEMORY", "MEMORY-LOW", "OPEN")

    @property
    def tag_label(self) -> str:
        return TAG_LABELS.get(self.tag, self.tag)

    @property
    def title(self) -> str:
        return f"{self.label} {self.name}"

    def is_open(self, on: dt.date) -> bool:
        return self.opens <= on <= self.closes

    def state(self, on: dt.date) -> str:
        """未开始 / 受理中 / 已截止 on ``on``."""
        return "受理中" if self.is_open(on) else ("未开始" if on < self.opens else "已截止")

    def days_to(self, on: dt.date) -> int:
        """Days to the next event: opening (before it) or closing (while open); negative when closed."""
        return (self.opens - on).days if on < self.opens else (self.closes - on).days


@lru_cache(maxsize=1)
def all_windows() -> tuple[Window, ...]:
    """Every window of ``windows.yaml``, by opening date."""
    out: list[Window] = []
    for pid, param in parameters().parameters.items():
        if not pid.startswith("window."):
            continue
        for i, e in enumerate(param.history):
            if e.valid_to is None:
                raise ValueError(f"windows.yaml: {pid} 第{i + 1}个窗口缺少截止日期 to")
            v = e.value
            out.append(Window(pid, param.label, str(v["name"]), str(v["policy"]), e.valid_from, e.valid_to,
                              str(v.get("level", "")), str(v.get("action", "")), e.source, e.tag, e.note))
    out.sort(key=lambda w: (w.opens, w.param))
    return tuple(out)


def windows(start: dt.date | None = None, end: dt.date | None = None,
            policies: set[str] | None = None) -> list[Window]:
    """Windows overlapping ``start``..``end`` (either open-ended), optionally for some policies."""
    return [w for w in all_windows()
            if (start is None or w.closes >= start) and (end is None or w.opens <= end)
            and (policies is None or w.policy in policies)]


def current_and_next(on: dt.date, horizon_days: int = 365, policies: set[str] | None = None) -> list[Window]:
    """Windows open on ``on`` or opening within ``horizon_days``, soonest event first."""
    ws = windows(on, on + dt.timedelta(days=horizon_days), policies)
    return sorted(ws, key=lambda w: (w.days_to(on), w.param))


def ics(ws: list[Window], name: str = "申报窗口日历", stamp: dt.datetime | None = None) -> str:
    """An iCalendar feed: one all-day event per window (opening to closing), reminders 14 and 3 days
    before the closing day."""
    from zjtx.apps.cultivation.renewals import _fold

    stamp = stamp or dt.datetime.now(dt.UTC)

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//zjtx//outreach//ZH", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{esc(name)}"]
    for w in ws:
        uid = f"{w.key}-{zlib.crc32(w.title.encode()):08x}@zjtx"
        desc = f"受理：{w.level}\n办理：{w.action}\n依据：{w.source}（{w.tag_label}）"
        if w.note:
            desc += f"\n说明：{w.note}"
        lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
                  f"DTSTART;VALUE=DATE:{w.opens:%Y%m%d}", f"DTEND;VALUE=DATE:{w.closes + dt.timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{esc(w.title + '（' + w.opens.strftime('%m月%d日') + '—' + w.closes.strftime('%m月%d日') + '）')}",
                  f"DESCRIPTION:{esc(desc)}"]
        days_open = (w.closes - w.opens).days + 1
        for d in (14, 3):
            if d < days_open:
                lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{esc(w.title + ' 即将截止')}",
                          f"TRIGGER;RELATED=END:-P{d}D", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
