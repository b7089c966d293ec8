"""``zjtx gaps``, ``zjtx nearmiss``, ``zjtx reform`` — 一企一策 gap options, the reserve pipeline
(后备梯队) and reform simulation from the shell."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from zjtx.commands.common import STATUS_STYLE, console, find_record, fmt_num
from zjtx.commands.evaluate import SAMPLE
from zjtx.rules.outputs import write_frame

OnOpt = Annotated[str, typer.Option("--on", help="评价日期 YYYY-MM-DD")]


def gaps(
    input: Annotated[str, typer.Argument(help="输入文件（csv / xlsx / parquet / json）")] = str(SAMPLE),
    uscc: Annotated[str, typer.Option(help="统一社会信用代码")] = ...,  # type: ignore[assignment]
    policy: Annotated[list[str] | None, typer.Option("--policy", "-p", help="政策 id，可重复；默认全部层级政策")] = None,
    on: OnOpt = "2025-06-30",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """一企一策：企业当前层级、下一梯级，以及达标的最低投入方案（逐条可验证）。"""
    from zjtx.services.gaps import gaps as solve_gaps

    rec = find_record(input, uscc)
    res = solve_gaps(rec, policy or None, on=on)
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=1, default=str))
        return
    console.print(f"[bold]{rec.get('name') or ''}（{uscc}）梯度培育差距分析[/]  评价日 {res['on']}")
    console.print("当前层级：" + ("、".join(x["name"] for x in res["ladder"] if x["rung"] == "current") or "无"))
    console.print("下一梯级：" + ("、".join(x["name"] for x in res["ladder"] if x["rung"] == "next") or "无"))
    for item in res["ladder"]:
        if item["rung"] == "current":
            continue
        score = f" 得分 {fmt_num(item['score'])}" if item.get("score") is not None else ""
        console.print(f"\n[bold]{item['name']}[/]（{item['regime']}）{STATUS_STYLE.get(item['status'], item['status'])}{score}"
                      + ("  [cyan]下一梯级[/]" if item["rung"] == "next" else ""))
        if item["options"]:
            t = Table(show_lines=True)
            for c in ("方案", "调整内容", "折算投入", "最早满足", "调整后"):
                t.add_column(c)
            for i, o in enumerate(item["options"], 1):
                after = STATUS_STYLE.get(o["status"], o["status"]) + (f" {fmt_num(o['score'])}分" if o.get("score") is not None else "")
                t.add_row(str(i), "\n".join(c["text"] for c in o["changes"]), o["cost_text"], o["wait_until"] or "—", after)
            console.print(t)
        for r in item["reasons"][:8]:
            console.print(f"  · {r}")
        if len(item["reasons"]) > 8:
            console.print(f"  · …… 另有 {len(item['reasons']) - 8} 条原因（--json 查看全部）")
    console.print("\n[dim]投入折算为本项目规划假设（src/zjtx/rules/gaps/effort.yaml），非政策规定。[/]")


def nearmiss(
    input: Annotated[str, typer.Argument(help="企业名录（csv / xlsx / parquet / json）")] = str(SAMPLE),
    policy: Annotated[str, typer.Option("--policy", "-p", help="政策 id")] = "innovative_sme",
    on: OnOpt = "2025-06-30",
    max_cost: Annotated[float | None, typer.Option("--max-cost", help="折算投入上限（元）")] = None,
    max_rd: Annotated[float | None, typer.Option("--max-rd", help="只增加研发费用、增量上限（元）")] = None,
    field: Annotated[list[str] | None, typer.Option("--field", help="只允许调整这些字段（可重复）")] = None,
    by: Annotated[list[str] | None, typer.Option("--by", help="汇总维度（默认 division、industry）")] = None,
    out: Annotated[str | None, typer.Option("--out", "-o", help="输出名单 .csv/.xlsx/.parquet/.json")] = None,
    limit: Annotated[int, typer.Option(help="终端显示户数")] = 20,
) -> None:
    """后备梯队：在给定投入内即可达标的企业名单，并按镇街、行业汇总。"""
    from zjtx.policies import catalog
    from zjtx.rules.gaps import RD_FIELDS
    from zjtx.services.gaps import near_miss, near_miss_summary

    started = time.perf_counter()
    fields = list(field) if field else None
    budget: Any = max_cost
    if max_rd is not None:
        fields = list(RD_FIELDS)
        budget = max_rd if max_cost is None else min(max_cost, max_rd)
    df = near_miss(input, policy, on, max_cost_yuan=budget, fields=fields)
    secs = time.perf_counter() - started
    name = catalog().name(policy)
    cond = f"折算投入 ≤ {fmt_num(budget)} 元" if budget is not None else "不限投入"
    if fields:
        cond += "，只调整 " + "、".join(fields)
    console.print(f"[bold]{name} 后备梯队[/]（{cond}）：{df.height} 户，{secs:.2f} 秒")
    t = Table(title=f"名单（前 {min(limit, df.height)} 户，按投入升序）")
    for c in ("统一社会信用代码", "企业名称", "镇街", "行业", "现得分", "折算投入(元)", "方案"):
        t.add_column(c)
    for r in df.head(limit).iter_rows(named=True):
        t.add_row(str(r.get("uscc")), str(r.get("name") or ""), str(r.get("division") or ""), str(r.get("industry") or ""),
                  fmt_num(r.get("score")), fmt_num(r.get("cost_yuan")), r.get("option") or "")
    console.print(t)
    for col, g in near_miss_summary(df, tuple(by or ("division", "industry"))).items():
        tt = Table(title=f"按 {col} 汇总")
        for c in (col, "户数", "投入合计(元)", "投入中位数(元)"):
            tt.add_column(c)
        for r in g.head(15).iter_rows():
            tt.add_row(str(r[0]), str(r[1]), fmt_num(r[2]), fmt_num(r[3]))
        console.print(tt)
    if out:
        write_frame(df, out)
        console.print(f"已写出 {out}")


def reform(
    input: Annotated[str, typer.Argument(help="企业名录（csv / xlsx / parquet / json）")] = str(SAMPLE),
    on: Annotated[str | None, typer.Option("--on", help="评价日期（默认取方案文件的 on）")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="参数=值（YAML 值，可重复）")] = None,
    file: Annotated[str | None, typer.Option("--file", "-f", help="改革方案 YAML 文件或已保存方案名")] = None,
    save: Annotated[str | None, typer.Option("--save", help="以此名称保存方案（$ZJTX_REFORMS_DIR，默认 ./reforms/）")] = None,
    description: Annotated[str, typer.Option("--description", help="方案说明")] = "",
    policy: Annotated[list[str] | None, typer.Option("--policy", "-p", help="只模拟这些政策")] = None,
    out: Annotated[str | None, typer.Option("--out", "-o", help="逐户变化输出文件")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON 汇总")] = False,
) -> None:
    """改革模拟：以参数覆盖（overlay）评价名录，对比基线，列出受益/受损企业、按镇街行业计数与支持金额变化。"""
    from zjtx.rules.reform import Reform, load_reform, parse_sets, save_reform
    from zjtx.services.reform import simulate

    base = load_reform(file) if file else Reform(save or "reform", {})
    overlay = {**base.set, **parse_sets(set_ or [])}
    day = on or (base.on.isoformat() if base.on else None)
    if not day:
        raise typer.BadParameter("需要 --on 或方案文件中的 on")
    if not overlay:
        raise typer.BadParameter("需要 --set 参数=值 或 --file 方案")
    r = Reform(save or base.name, overlay, description or base.description, dt.date.fromisoformat(str(day)))
    if save:
        p = save_reform(r, save)
        console.print(f"已保存方案 {p}")
    res = simulate(input, day, r, policy or None)
    if as_json:
        typer.echo(json.dumps(res.as_dict(), ensure_ascii=False, indent=1, default=str))
    else:
        console.print(f"[bold]改革模拟 {res.name}[/]  评价日 {res.on}  受影响政策：{'、'.join(res.touched)}  {res.seconds:.2f} 秒")
        for k, v in res.overlay.items():
            console.print(f"  {k} = {json.dumps(v, ensure_ascii=False, default=str)}")
        t = Table(title="按政策")
        for c in ("政策", "基线达标", "改革后达标", "新增", "减少", "净变化", "支持金额变化(元)"):
            t.add_column(c)
        for row in res.summary.filter(res.summary["touched"]).iter_rows(named=True):
            t.add_row(row["name"], str(row["qualified_base"]), str(row["qualified_reform"]), str(row["gained"]),
                      str(row["lost"]), f"{row['net']:+d}", fmt_num(row["amount_change"]))
        console.print(t)
        for col, g in res.by.items():
            tt = Table(title=f"按 {col}（净变化最大的 15 组）")
            for c in (col, "政策", "新增", "减少", "净变化"):
                tt.add_column(c)
            for row in g.sort("net", descending=True).head(15).iter_rows(named=True):
                tt.add_row(str(row[col]), row["policy"], str(row["gained"]), str(row["lost"]), f"{row['net']:+d}")
            console.print(tt)
    if out:
        write_frame(res.records, out)
        console.print(f"已写出 {out}")


def register(app: typer.Typer) -> None:
    app.command("gaps")(gaps)
    app.command("nearmiss")(nearmiss)
    app.command("reform")(reform)
