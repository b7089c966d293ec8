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


# ---------------------------------------------------------------------------------------------
# docs/calculators.md
# ---------------------------------------------------------------------------------------------

CALC_HEADER = """# 政策计算器（由声明与参数文件自动生成）

本文件由 `zjtx docs` 从各计算器的声明（`src/zjtx/policies/<id>.py` 的 `declare`）与带日期参数
（`src/zjtx/policies/params/<id>.yaml`）生成，请勿手工编辑；测试会检查它是否为最新。

每个计算器只声明一次（`zjtx.rules.calculators`）：同一组节点既逐户精确计算（`zjtx.calculate` /
`zjtx.explain`，带引用条款的计算过程），也编译为 Polars 对整个名录计算（`zjtx.evaluate`），两者逐分一致
（`tests/benefits/test_benefits_differential.py`）。

| 方式 | 调用 | 结果 |
|---|---|---|
| 按计算器自身的输入 | `zjtx.calculate(policy, inputs, on)` · `zjtx calc POLICY --on DATE --set 名=值 …` | `status`、`tax` 或 `amount`、`baseline`、`relief`、`components`、带出处的 `trace`（精确 `Decimal`） |
| 一户企业的评价记录 | `zjtx.explain(record, policy, on)` | 同上；税款所属年度为 `_y1` 所在年度（评价日前一年） |
| 企业名录（Polars） | `zjtx.evaluate(records, on, policies=[…])` | 列 `<id>.status`、`<id>.tax`/`<id>.amount`、`.baseline`、`.relief`、`.regime`、`.missing`、`.manual`、`.provisional`（金额为 `Decimal(38, 2)` 元） |

## 约定

* **精确计算、最后一次舍入。** 金额输入读到分，比率与人数读到 10⁻⁶，税率为精确小数参数；结果精确计算后
  **四舍五入到分（半数进位）**。`relief = baseline − 结果`；`six_taxes_two_fees` 的 `tax = baseline − amount`。
* **按所属期取参数，不按评价日。** 年度计算器取税款所属年度末日的参数，按月/季的计算器按所属期首日取参数；
  跨越参数调整日的季度被拒绝（请按月计算）。改革方案（参数覆盖）随之应用。规则版本及其起止日期是参数
  `<id>.regime` 的历史（只在参数文件中）。
* **不猜测。** 所属期不在已收录期间内时报错并列出已收录期间；名录计算中该行为 `unknown`，所属期字段列入 `missing`。
* **未知不是零。** 输入为空时结果为 `unknown` 并列入 `missing`；`zjtx.calculate` 默认直接报错并列出缺少的输入。
  相互矛盾的输入（如不动产销售额大于5%项目销售额）逐户报错，名录中该行为 `unknown`。
* **provisional** 为真：该所属期使用了 MEMORY / OPEN 参数（或采用了近似，如年末数近似平均值）。

各计算器的输入及类型见 `docs/fields.md`。
"""


def _value_text(v: Any) -> str:
    return _cell(fmt(v)) if not isinstance(v, list | dict) else _cell(fmt(v))


def calculator_markdown(pid: str) -> str:
    import inspect
    import sys

    from zjtx.rules.calculators import Decl

    cat = catalog()
    calc = cat.get(pid)
    ps = cat.parameters
    out = [f"## {calc.name}（`{pid}`）", ""]
    meta = [("层级", calc.level), ("发布机关", calc.issuer), ("概要", calc.summary), ("适用对象", calc.beneficiaries),
            ("申报方式", calc.how_to_apply), ("申报时间", calc.window), ("免申即享", "是" if calc.automatic else "否"),
            ("收录期间", calc.coverage_text(ps)),
            ("所属期", "税款所属年度（记录：`_y1` 所在年度）" if calc.period_kind == "year"
             else f"`{calc.period_field}`（{'YYYY-MM 或 YYYY-Qn' if calc.allow_quarter else 'YYYY-MM'}）")]
    out += [f"- **{k}**：{v}" for k, v in meta if v]
    doc = inspect.getdoc(sys.modules[type(calc).__module__]) or ""
    if doc:
        out += ["", "```text", doc.strip(), "```"]
    out += ["", "| 输入 | 含义 |", "|---|---|"]
    for f in calc.fields:
        spec = cat.schema.get(f)
        out.append(f"| `{f}` | {_cell(spec.label if spec else f)} |")
    out += ["", "| 规则版本 | 名称 | 依据 | 自 | 至 |", "|---|---|---|---|---|"]
    for r in calc.regimes:
        out.append("| " + " | ".join(_cell(x) for x in (f"`{r.id}`", r.name, r.doc, r.valid_from, r.valid_to or "—")) + " |")
    out.append("")
    for s, _ in calc.segments(ps):
        prm = cat.params_at(s)
        try:
            c = calc.declare(Decl(calc, prm, {}))
        except Exception as exc:
            out += [f"**自 {s}**：{exc}", ""]
            continue
        out += [f"**计算过程（自 {s}，{calc.regime_for(s).id}）**", "", "| 步骤 | 内容 | 要求/公式 |", "|---|---|---|"]
        seen = set()
        for st in c.steps:
            key = (st.id, st.label, st.required)
            if key in seen:
                continue
            seen.add(key)
            out.append("| " + " | ".join(_cell(x) for x in (f"`{st.id}`", st.label, st.required)) + " |")
        out.append("")
    out += ["| 参数 | 名称 | 自 | 至 | 取值 | 出处 | 核实 |", "|---|---|---|---|---|---|---|"]
    for k in sorted(x for x in ps.parameters if x.startswith(pid + ".")):
        prm_ = ps.parameters[k]
        for i, e in enumerate(prm_.history):
            out.append("| " + " | ".join(_cell(x) for x in (
                f"`{k}`", prm_.label if i == 0 else "", e.valid_from, e.valid_to or "—", _value_text(e.value), e.source,
                e.tag + ("（待核实）" if e.tag in ("MEMORY", "MEMORY-LOW", "OPEN") else ""))) + " |")
    out.append("")
    return "\n".join(out)


def render_calculators() -> str:
    parts = [CALC_HEADER]
    for pid in catalog().support:
        parts.append(calculator_markdown(pid))
    return "\n".join(parts).rstrip() + "\n"
