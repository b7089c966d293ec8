"""Explanations a non-expert follows, built from the engine's trace (``zjtx.explain``).

Per item: what is required, what the enterprise has, and — for a failed or undecided item — one
sentence saying what would change the result. Per policy: a summary line (结论, 得分, 途径, 文号), the
reason of an undecided score interval, and the engine internals (rule version, parameters and their
tags, the raw formulae) for the 技术细节 toggle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from zjtx.web import present

FAILED = "未达标"
UNDECIDED = ("待核验", "待人工审核")


def _actual(inputs: Mapping[str, Any]) -> str:
    return "；".join(f"{present.field_label(k)} {present.value(k, v)}" for k, v in inputs.items()) or present.DASH


def _unknown(inputs: Mapping[str, Any]) -> list[str]:
    return [present.field_label(k) for k, v in inputs.items() if v is None]


def sentence(entry: Mapping[str, Any], manual: Sequence[str] = ()) -> str:
    """One sentence for a failed or undecided item: required, has, what would change the result."""
    kind, status = entry.get("kind"), entry.get("status") or ""
    label = present.humanize(entry.get("label") or "")
    inputs = entry.get("inputs") or {}
    unknown = _unknown(inputs)
    expert = [present.field_label(k) for k in inputs if k in manual and inputs[k] is None]
    if kind == "indicator":
        if entry.get("points") is not None:
            return ""
        lo, hi = present.number(entry.get("points_min")), present.number(entry.get("points_max"))
        who = "、".join(expert or unknown) or "相关数据"
        return f"“{label}”可得 {lo}–{hi} 分，待{who}确定后得出准确分数。"
    required = present.humanize(entry.get("required") or "")
    known = {k: v for k, v in inputs.items() if v is not None}
    has = _actual(known) if len(known) <= 3 else "“实际”一栏所列数值"
    if status == FAILED:
        if unknown and not has.strip(present.DASH):
            return f"要求{required}；企业尚无{('、'.join(unknown))}记录；补充并满足该要求后本项即达标。"
        return f"要求{required}；企业现为{has}；达到该要求后本项即达标。"
    if status in UNDECIDED or status.startswith("待"):
        if expert:
            return f"要求{required}；{('、'.join(expert))}需专家或主管部门判断，判断后即可得出结论。"
        if unknown:
            return f"要求{required}；缺少{('、'.join(unknown))}数据，补充后即可判断。"
        return f"要求{required}；需人工核实后得出结论。"
    return ""


def rows(res: Mapping[str, Any], sources: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per trace entry: 项目, 要求, 实际, 来源, 结论, and the explanation sentence."""
    out = []
    manual = res.get("manual") or []
    for e in res.get("trace") or []:
        inputs = e.get("inputs") or {}
        srcs = sorted({(sources or {}).get(k, "") for k in inputs} - {""})
        status = e.get("status") or ""
        if e.get("kind") == "indicator":
            band = present.humanize(e.get("band") or "")
            band = band.replace("→", "得") if band else "未达到任何计分档"
            required = f"计分档：{band}（满分{present.number(e.get('max_points'))}分）"
            pts = e.get("points")
            result = (f"{present.number(pts)}分" if pts is not None
                      else f"{present.number(e.get('points_min'))}–{present.number(e.get('points_max'))}分")
        else:
            required = present.humanize(e.get("required") or "")
            result = status
        out.append({"id": e.get("id"), "kind": e.get("kind"), "label": present.humanize(e.get("label") or ""),
                    "required": required, "actual": _actual(inputs), "source": "、".join(srcs) or present.DASH,
                    "result": result, "status": status, "cite": present.humanize(e.get("cite") or ""),
                    "sentence": sentence(e, manual), "formula": e.get("required") or e.get("band") or ""})
    return out


def interval_reason(res: Mapping[str, Any], pass_score: float | None) -> str:
    """Why a score is an interval: which items await whom, the interval and the pass line."""
    lo, hi = res.get("score_min"), res.get("score_max")
    if res.get("score") is not None or lo is None or hi is None or lo == hi:
        return ""
    pending = [present.humanize(e.get("label") or "") for e in res.get("trace") or []
               if e.get("kind") == "indicator" and e.get("points") is None]
    who = "、".join(pending) or "部分指标"
    line = f"，合格线 {present.number(pass_score)} 分" if pass_score is not None else ""
    verdict = ""
    if pass_score is not None:
        if float(lo) >= pass_score:
            verdict = "；区间下限已达合格线，结论为达标"
        elif float(hi) < pass_score:
            verdict = "；区间上限仍低于合格线，结论为未达标"
        else:
            verdict = "；区间跨越合格线，待评定后才能确定结论"
    return (f"{who}待专家或主管部门评定，得分区间 {present.number(lo)}–{present.number(hi)} 分"
            f"{line}{verdict}。")


def summary(res: Mapping[str, Any]) -> str:
    """The policy's line: 结论, 得分, 途径 and 文号."""
    parts = [present.status_label(res.get("status"))]
    sc = present.score(res)
    if sc != present.DASH:
        parts.append(f"得分 {sc}")
    route = present.route_label(res.get("route"), res)
    if route:
        parts.append(route)
    return "，".join(parts)


def tech_details(res: Mapping[str, Any]) -> dict[str, Any]:
    """Engine internals for analysts (the 技术细节 toggle): rule version, parameters, formulae."""
    params = []
    for p in res.get("params") or []:
        params.append({"id": p.get("id"), "label": present.humanize(p.get("label") or ""),
                       "value": p.get("value"), "unit": p.get("unit") or "",
                       "tag": present.tag_label(p.get("tag")), "source": p.get("source") or "",
                       "valid_from": p.get("valid_from") or "", "valid_to": p.get("valid_to") or "至今"})
    return {"regime": res.get("regime") or "", "route": res.get("route") or "",
            "failed": ", ".join(map(str, res.get("failed") or [])), "params": params,
            "formulae": [(e.get("id"), e.get("required") or e.get("band") or "") for e in res.get("trace") or []]}


def headline(res: Mapping[str, Any], item_rows: Sequence[Mapping[str, Any]], interval: str) -> str:
    """The one sentence of a policy's result: the route, the interval's reason, or the first item to act on."""
    status = res.get("status")
    if status == "qualified":
        route = present.route_label(res.get("route"), res)
        return route or "各项条件均已满足。"
    if interval:
        return interval
    wanted = FAILED if status == "not_qualified" else None
    todo = [r for r in item_rows if r.get("sentence") and (wanted is None or r.get("status") == wanted)]
    todo = todo or [r for r in item_rows if r.get("sentence")]
    if not todo:
        return "需补充数据或人工判断后得出结论。" if status != "not_qualified" else "未满足认定条件。"
    more = f"另有{len(todo) - 1}项需关注，见逐项说明。" if len(todo) > 1 else ""
    return f"{todo[0]['label']}：{todo[0]['sentence']}{more}"


def policy_view(res: Mapping[str, Any], sources: Mapping[str, str] | None, on: dt.date,
                pass_score: float | None = None) -> dict[str, Any]:
    """Everything a page or the PDF shows of one policy's explanation."""
    item_rows = rows(res, sources)
    if res.get("status") == "qualified":  # reached: the other routes need no advice
        for r in item_rows:
            r["sentence"] = ""
    interval = interval_reason(res, pass_score)
    return {
        "res": res, "rows": item_rows, "score": present.score(res), "headline": headline(res, item_rows, interval),
        "status_label": present.status_label(res.get("status")), "summary": summary(res),
        "route": present.route_label(res.get("route"), res),
        "document": present.regime_label(res.get("regime"), res.get("document")),
        "document_full": present.humanize(res.get("document") or ""),
        "interval": interval,
        "missing": [present.field_label(m) for m in res.get("missing") or []],
        "manual": [present.field_label(m) for m in res.get("manual") or []],
        "notes": [present.humanize(n) for n in res.get("notes") or []],
        "provisional": bool(res.get("provisional")),
        "tech": tech_details(res),
    }
