"""Generate ``docs/policies.md``: every policy's rules as tables, from the declarations and the
dated parameter files — what the engine runs is what the officer reads."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from zjtx.policies.catalog import catalog
from zjtx.rules.nodes import Ctx, fmt
from zjtx.rules.params import ParameterError

HEADER = """# 政策规则表（由参数文件自动生成）

本文件由 `zjtx docs` 从 `src/zjtx/policies/*.py` 的规则声明与 `src/zjtx/policies/params/*.yaml`
的带日期参数生成，请勿手工编辑。每个规则版本列出：适用条件（含文号条款）、评分指标及分档、直通条件、
以及该版本起始日有效的全部参数（取值、出处、核实状态；MEMORY/OPEN 为待核实参数）。
"""


def _cell(v: Any) -> str:
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False).replace("|", "\\|")
    return str(v).replace("|", "\\|").replace("\n", " ")


def policy_markdown(pid: str) -> str:
    pol = catalog().get(pid)
    out = [f"## {pol.name}（`{pid}`）", ""]
    meta = [("层级", pol.level), ("发布机关", pol.issuer), ("概要", pol.summary), ("适用对象", pol.beneficiaries),
            ("申报方式", pol.how_to_apply), ("申报时间", pol.window),
            ("免申即享", "是" if getattr(pol, "automatic", False) else "否")]
    out += [f"- **{k}**：{v}" for k, v in meta if v]
    out.append("")
    for r in pol.regimes:
        on = r.valid_from
        params = catalog().params_at(on)
        cx = Ctx(params, on, {})
        out += [f"### 规则版本 `{r.id}` — {r.name}", "",
                f"依据：{r.doc}；有效期 {r.valid_from} 至 {r.valid_to or '今'}", ""]
        try:
            rows = [("条件", g.id or "", g.label_text(cx), g.describe(cx), g.cite or "") for g in r.gates]
            if r.score_pass is not None:
                rows.append(("评分", r.score_pass.id or "", r.score_pass.label_text(cx), r.score_pass.describe(cx),
                             r.score_pass.cite or ""))
            rows += [("直通", d.id or "", d.label_text(cx), d.describe(cx), d.cite or "") for d in r.direct]
        except ParameterError as exc:  # a parameter not yet in force at the regime's start
            rows = [("说明", "", str(exc), "", "")]
        if rows:
            out += ["| 类别 | 编号 | 条件 | 判定式 | 依据 |", "|---|---|---|---|---|"]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
            out.append("")
        if r.score is not None:
            out += ["| 维度 | 指标 | 分档 / 取值 | 得分 | 依据 |", "|---|---|---|---|---|"]
            for d in r.score.dimensions:
                for ind in d.indicators:
                    try:
                        table = ind.table(cx)
                    except ParameterError:
                        table = []
                    for i, (cond, pts) in enumerate(table):
                        out.append("| " + " | ".join(_cell(c) for c in (
                            d.label if i == 0 else "", ind.label if i == 0 else "", cond, fmt(pts),
                            (ind.cite or "") if i == 0 else "")) + " |")
            out.append("")
        if r.notes:
            out += [f"> 说明：{n}" for n in r.notes] + [""]
        used = sorted(pol.used_params(params, on, {})) if hasattr(pol, "used_params") else []
        if used:
            out += ["| 参数 | 名称 | 取值 | 单位 | 自 | 出处 | 核实 |", "|---|---|---|---|---|---|---|"]
            for p in used:
                v = params[p]
                out.append("| " + " | ".join(_cell(c) for c in (
                    p, v.label, fmt(v.value) if not isinstance(v.value, list | dict) else _cell(fmt(v.value)),
                    v.unit, v.valid_from, v.source, v.tag + ("（待核实）" if v.provisional else ""))) + " |")
            out.append("")
    return "\n".join(out)


def render(generated_on: dt.date | None = None) -> str:
    parts = [HEADER]
    for pid in catalog().ids:
        if hasattr(catalog().get(pid).regimes[0], "gates"):
            parts.append(policy_markdown(pid))
    return "\n".join(parts).rstrip() + "\n"
