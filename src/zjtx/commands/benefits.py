"""``zjtx calc``, ``zjtx match``, ``zjtx policies`` — the policy calculator and library from the shell."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zjtx.commands.common import STATUS_STYLE, console, find_record, fmt_num

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_enterprises.csv"
MATCH_STYLE = {"qualified": "[green]符合[/]", "nearly": "[yellow]接近/待核验[/]", "not_chosen": "[dim]不叠加（未选）[/]",
               "not_in_force": "[dim]该日无有效规则[/]"}


def _value(text: str) -> Any:
    """A ``--set`` value: JSON/YAML scalars (numbers, true/false, null), lists, or text."""
    import yaml

    try:
        v = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return v


def _json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1, default=str)


def calc(
    policy: Annotated[str, typer.Argument(help="计算器 id，如 cit_small_low_profit、vat_small_scale")],
    on: Annotated[str, typer.Option("--on", help="计算日期 YYYY-MM-DD（未给所属期时据此确定）")] = "",
    set_: Annotated[list[str] | None, typer.Option("--set", help="输入 name=value，可重复")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
    strict: Annotated[bool, typer.Option(help="缺少必填输入时报错")] = True,
) -> None:
    """政策计算器：按输入计算税收优惠或支持金额，并列出逐步计算与依据。"""
    from zjtx.benefits import calculate

    inputs: dict[str, Any] = {}
    for item in set_ or []:
        if "=" not in item:
            raise ValueError(f"--set 应为 name=value（收到 '{item}'）")
        k, v = item.split("=", 1)
        inputs[k.strip()] = _value(v.strip())
    day = on or dt.date.today().isoformat()
    res = calculate(policy, inputs, day, strict=strict)
    if as_json:
        typer.echo(_json(res))
        return
    console.print(f"[bold]{res['name']}[/]（{res['regime']}；{res['document']}）所属期 {res['period']}")
    t = Table(show_lines=False)
    for c in ("步骤", "口径/公式", "输入", "结果", "依据"):
        t.add_column(c)
    for e in res["trace"]:
        inputs_txt = "；".join(f"{k}={fmt_num(v)}" for k, v in (e.get("inputs") or {}).items())
        val = e.get("value")
        val_txt = {True: "是", False: "否", None: "—"}.get(val, str(val)) if isinstance(val, bool | None) else str(val)
        t.add_row(e["label"], e.get("required") or "", inputs_txt, (e.get("status") or "") + (
            f" {val_txt}" if not isinstance(val, bool) and val is not None else ""), e.get("cite") or "")
    console.print(t)
    key = "tax" if res.get("tax") is not None else "amount"
    console.print(f"结论：{STATUS_STYLE[res['status']]}")
    for k, label in (("tax", "应纳税额"), ("amount", "金额"), ("baseline", "不享受优惠时"), ("relief", "优惠额")):
        if res.get(k) is not None:
            console.print(f"{label}：{res[k]} 元")
    if res.get(f"{key}_min") is not None:
        console.print(f"区间：{res[f'{key}_min']} – {res[f'{key}_max']} 元")
    for k, label in (("missing", "待补充输入"), ("notes", "提示")):
        if res.get(k):
            console.print(f"{label}：" + "；".join(map(str, res[k])))
    if res.get("provisional"):
        console.print("[yellow]注意：本结果使用了待核实（provisional）参数。[/]")


def match(
    input: Annotated[str, typer.Argument(help="企业名录文件（csv / xlsx / parquet / json）")] = str(SAMPLE),
    uscc: Annotated[str, typer.Option(help="统一社会信用代码")] = ...,  # type: ignore[assignment]
    on: Annotated[str, typer.Option("--on", help="评价日期 YYYY-MM-DD")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """政策匹配：列出企业在该日符合或接近符合的层级、称号与惠企政策，附估算金额、依据与申报方式。"""
    from zjtx.benefits import match as do_match

    rec = find_record(input, uscc)
    day = on or dt.date.today().isoformat()
    items = do_match(rec, day)
    if as_json:
        typer.echo(_json({"uscc": uscc, "name": rec.get("name"), "on": day, "items": items}))
        return
    t = Table(title=f"{rec.get('name') or uscc} 政策匹配（{day}）", show_lines=True)
    for c in ("类别", "政策", "匹配", "状态", "估算金额(万元)", "申报方式", "申报窗口", "依据文件", "待补充/说明"):
        t.add_column(c)
    kind_zh = {"tier": "层级/称号", "classification": "规模", "benefit": "惠企政策"}
    for it in items:
        notes = "；".join([*(f"缺 {_label(m)}" for m in it["missing"][:4]), *(it["notes"] or [])[:2]])
        t.add_row(kind_zh.get(it["kind"], it["kind"]), it["name"], MATCH_STYLE.get(it["match"], it["match"]),
                  STATUS_STYLE.get(it["status"] or "", "—"), _wan(it["estimate"]),
                  it["how"], it.get("window") or "—", it.get("document") or "—", notes[:120])
    console.print(t)
    for it in items:
        if it["kind"] == "benefit" and it["estimate"] is not None and it.get("trace_summary"):
            console.print(f"[bold]{it['name']}[/] 估算 {_wan(it['estimate'])}万元（{it['estimate_basis'] or '估算金额'}"
                          + (f"，所属期 {it['period']}" if it.get("period") else "") + "）", highlight=False)
            for line in it["trace_summary"]:
                console.print(f"  · {line}", highlight=False, markup=False)


def _label(field: str) -> str:
    """A record field's Chinese label (the id when the catalog has none)."""
    from zjtx.policies.catalog import catalog

    spec = catalog().schema.get(field)
    return spec.label if spec is not None and spec.label else field


def _wan(v: Any) -> str:
    """An amount in yuan as 万元 with two decimals (— when unknown)."""
    return "—" if v is None else f"{float(v) / 1e4:,.2f}"


def policies(
    on: Annotated[str, typer.Option("--on", help="只列出该日有效的政策 YYYY-MM-DD")] = "",
    search: Annotated[str, typer.Option("--search", help="按名称、文号、发文机关等搜索")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """政策库：列出全部已登记政策的名称、层级、发文机关、文号、有效期、适用对象、申报方式。"""
    from zjtx.benefits import policy_library

    rows = policy_library(on or None, search or None)
    if as_json:
        typer.echo(_json(rows))
        return
    t = Table(title="政策库" + (f"（{on} 有效）" if on else ""), show_lines=True)
    for c in ("id", "名称", "层级", "发文机关", "文号（规则版本）", "有效期", "适用对象", "申报方式"):
        t.add_column(c)
    for r in rows:
        docs = "\n".join(f"{g['doc']}（{g['valid_from']}→{g['valid_to'] or '至今'}）" for g in r["regimes"])
        span = f"{r['valid_from']} → {r['valid_to'] or '至今'}"
        t.add_row(r["id"], r["name"], r["level"], r["issuer"], docs, span, r["beneficiaries"],
                  ("免申即享" if r["automatic"] else "需申报") + ("：" + r["how_to_apply"] if r["how_to_apply"] else ""))
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command("calc")(calc)
    app.command("match")(match)
    app.command("policies")(policies)
