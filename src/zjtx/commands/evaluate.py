"""``zjtx evaluate``, ``zjtx explain``, ``zjtx params`` — the rules engine from the shell."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from zjtx.commands.common import STATUS_STYLE, console, find_record, fmt_num, require_uscc
from zjtx.rules.outputs import write_frame

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_enterprises.csv"

OnOpt = Annotated[str, typer.Option("--on", help="评价日期 YYYY-MM-DD（按该日有效的规则版本评价）")]
PolicyOpt = Annotated[list[str] | None, typer.Option("--policy", "-p", help="政策 id，可重复；默认全部层级政策")]


def _summary_table(df: pl.DataFrame, policies: list[str]) -> Table:
    t = Table(title="评价结果汇总", show_lines=False)
    t.add_column("政策")
    for s in ("qualified", "not_qualified", "unknown", "manual_review"):
        t.add_column(STATUS_STYLE[s], justify="right")
    from zjtx.policies import catalog

    for p in policies:
        col = f"{p}.status"
        if col not in df.columns:
            continue
        counts = dict(df.group_by(col).len().iter_rows())
        t.add_row(catalog().name(p), *[str(counts.get(s, 0)) for s in STATUS_STYLE])
    return t


def _rows_table(df: pl.DataFrame, policies: list[str], limit: int) -> Table:
    t = Table(title=f"逐户结果（前 {min(limit, df.height)} 户）")
    t.add_column("统一社会信用代码")
    if "name" in df.columns:
        t.add_column("企业名称")
    from zjtx.policies import catalog

    for p in policies:
        t.add_column(catalog().name(p))
    for row in df.head(limit).iter_rows(named=True):
        cells = [str(row.get("uscc"))] + ([str(row.get("name") or "")] if "name" in df.columns else [])
        for p in policies:
            s = STATUS_STYLE.get(row.get(f"{p}.status"), "—")
            score = row.get(f"{p}.score")
            if score is None and row.get(f"{p}.score_min") is not None:
                score_txt = f" {fmt_num(row[f'{p}.score_min'])}–{fmt_num(row[f'{p}.score_max'])}"
            else:
                score_txt = f" {fmt_num(score)}" if score is not None else ""
            cells.append(s + score_txt)
        t.add_row(*cells)
    return t


def _progress() -> Any:
    """The streaming run's progress bar (records done of the register's total)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("[bold]评价[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("户"),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False)


def evaluate(
    input: Annotated[str, typer.Argument(help="输入文件（csv / xlsx / parquet / json）")] = str(SAMPLE),
    on: OnOpt = "2025-06-30",
    policy: PolicyOpt = None,
    out: Annotated[str | None, typer.Option("--out", "-o", help="输出文件 .csv/.xlsx/.parquet/.json")] = None,
    engine: Annotated[str, typer.Option(help="polars（默认）或 spark")] = "polars",
    limit: Annotated[int, typer.Option(help="终端显示的户数")] = 20,
    validate: Annotated[bool, typer.Option(help="逐条检查输入（大文件可关闭）")] = True,
    detail: Annotated[str, typer.Option(help="输出详细程度：full（全部说明列）或 status（仅结论与得分/金额，大名录更快）")] = "full",
) -> None:
    """评价企业名录：每户对照各层级政策，给出 达标/未达标/待核验 及得分。"""
    from zjtx.api import evaluate_lazy, policy_list
    from zjtx.rules.engine import parse_date

    policies = [p.id for p in policy_list(policy or None, parse_date(on))]
    if Path(input).exists():
        require_uscc(input)
    started = time.perf_counter()
    if engine == "spark":
        from zjtx.services import spark as spark_runner

        n = spark_runner.evaluate_file(input, on=on, policies=policies, out=out, detail=detail)
        secs = time.perf_counter() - started
        console.print(f"[bold]完成[/]：{n} 户，{secs:.2f} 秒，{n / max(secs, 1e-9):,.0f} 户/秒（Spark）")
        return
    if engine != "polars":
        raise ValueError(f"未知计算引擎 '{engine}'（可选 polars、spark）")
    if out and out.endswith(".parquet") and input.endswith(".parquet"):
        from zjtx.services import stream

        with _progress() as bar:
            task = bar.add_task("evaluate", total=None)
            n = stream.evaluate_to_parquet(input, out, on=on, policies=policies, validate=validate, detail=detail,
                                           progress=lambda done, total: bar.update(task, completed=done, total=total))
        secs = time.perf_counter() - started
        console.print(f"[bold]完成[/]：{n} 户，{secs:.2f} 秒，{n / max(secs, 1e-9):,.0f} 户/秒 → {out}")
        return
    keep = ("uscc", "name")
    df = evaluate_lazy(input, on=on, policies=policies, keep=keep, validate=validate, detail=detail).collect()
    secs = time.perf_counter() - started
    console.print(_summary_table(df, policies))
    if limit:
        console.print(_rows_table(df, policies, limit))
    if out:
        write_frame(df, out)
        console.print(f"已写出 {out}")
    console.print(f"[bold]完成[/]：{df.height} 户，{secs:.2f} 秒，{df.height / max(secs, 1e-9):,.0f} 户/秒")


def explain(
    input: Annotated[str, typer.Argument(help="输入文件")] = str(SAMPLE),
    uscc: Annotated[str, typer.Option(help="统一社会信用代码")] = ...,  # type: ignore[assignment]
    policy: Annotated[str, typer.Option("--policy", "-p", help="政策 id")] = "tech_sme",
    on: OnOpt = "2025-06-30",
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """逐条解释一户企业的评价：每项条件的要求、实际值、得分、结论与依据。"""
    import zjtx

    rec = find_record(input, uscc)
    res = zjtx.explain(rec, policy, on=on)
    if as_json:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=1, default=str))
        return
    print_explanation(res, rec)


def print_explanation(res: dict[str, Any], rec: dict[str, Any] | None = None) -> None:
    head = f"{res['name']}（{res['regime']}，{res['document']}）评价日 {res['on']}"
    console.print(f"[bold]{head}[/]")
    if rec and rec.get("name"):
        console.print(f"企业：{rec.get('name')}（{rec.get('uscc')}）")
    t = Table(show_lines=False)
    for c in ("项目", "要求/口径", "实际", "得分", "结论", "依据"):
        t.add_column(c)
    for e in res["trace"]:
        actual = "；".join(f"{k}={fmt_num(v)}" for k, v in (e.get("inputs") or {}).items())
        if e["kind"] == "indicator":
            pts = fmt_num(e["points"]) if e["points"] is not None else f"{fmt_num(e['points_min'])}–{fmt_num(e['points_max'])}"
            band = e.get("band") or ""
            t.add_row(e["label"], band, actual, f"{pts}/{fmt_num(e['max_points'])}", e["status"], e.get("cite") or "")
        else:
            t.add_row(e["label"], e["required"], actual, "", e["status"], e.get("cite") or "")
    console.print(t)
    score = res.get("score")
    if res.get("score_min") is not None:
        s = fmt_num(score) if score is not None else f"{fmt_num(res['score_min'])}–{fmt_num(res['score_max'])}"
        console.print(f"得分：{s}")
    console.print(f"结论：{STATUS_STYLE[res['status']]}" + (f"（途径：{res['route']}）" if res.get("route") else ""))
    for k, label in (("missing", "待补充数据"), ("manual", "待人工/专家判断"), ("notes", "提示")):
        if res.get(k):
            console.print(f"{label}：" + "；".join(map(str, res[k])))
    if res.get("provisional"):
        console.print("[yellow]注意：本结论使用了待核实（provisional）参数。[/]")


def params(
    policy: Annotated[str, typer.Argument(help="政策 id")],
    on: OnOpt = "2025-06-30",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """列出某政策在某日有效的参数及其出处（文号、条款、核实状态）。"""
    import zjtx

    rows = zjtx.parameters(policy, on)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    t = Table(title=f"{policy} 参数（{on} 有效）")
    for c in ("参数", "名称", "取值", "单位", "有效期", "出处", "核实"):
        t.add_column(c)
    for r in rows:
        val = r["value"]
        txt = json.dumps(val, ensure_ascii=False) if isinstance(val, list | dict) else fmt_num(val)
        t.add_row(r["id"], r["label"], txt[:80], r["unit"], f"{r['valid_from']}→{r['valid_to'] or '至今'}",
                  r["source"], ("[yellow]" + r["tag"] + "[/]") if r["provisional"] else r["tag"])
    console.print(t)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
    app.command("explain")(explain)
    app.command("params")(params)
