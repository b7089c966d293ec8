"""``zjtx outreach run|report|batch`` — the 政策直达 passes from the shell (what the tasks run)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from zjtx.commands.common import console

outreach_app = typer.Typer(help="政策直达：预警、定向通知、免申即享。", no_args_is_help=True)


def _date(text: str | None) -> dt.date:
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期“{text}”格式错误，应为 YYYY-MM-DD") from None


@outreach_app.command("run")
def run(
    on: Annotated[str | None, typer.Option("--on", help="基准日 YYYY-MM-DD（默认今天）")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """运行一次：预警、定向通知（站内信与邮件）、顺延邮件。"""
    from zjtx.web import setup

    setup()
    from zjtx.apps.outreach.notices import run_notices

    res = run_notices(_date(on))
    w = res["warnings"] or {}
    if as_json:
        console.print_json(json.dumps({**res, "warnings": {**w, "new": len(w.get("new", []))}}, ensure_ascii=False,
                                      default=str))
        return
    console.print(f"基准日 {res['on']}（评价批次 #{res['run']}）")
    console.print(f"预警：发现 {sum(w.get('found', {}).values())} 条，新增 {len(w.get('new', []))} 条，消除 {w.get('closed', 0)} 条")
    console.print(f"通知：新增 {res['notices']} 条（可立即办理 {res['actionable']} 条），发送记录 {res['deliveries']} 条，"
                  f"顺延邮件发出 {res['pending_sent']} 封")


@outreach_app.command("report")
def report(
    start: Annotated[str, typer.Option("--from", help="起始日 YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="截止日 YYYY-MM-DD")],
    step: Annotated[int, typer.Option("--step", help="运行间隔（天）")] = 7,
    run_every: Annotated[int, typer.Option("--run-every", help="重新评价间隔（天）")] = 31,
    simulate: Annotated[bool, typer.Option("--simulate/--no-simulate", help="先按间隔逐次运行，再统计")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False,
) -> None:
    """统计通知量：每企业每年通知数、可立即办理占比（可先模拟逐周运行）。"""
    from zjtx.web import setup

    setup()
    from zjtx.apps.outreach import report as rep

    a, b = _date(start), _date(end)
    if b < a:
        raise ValueError("截止日早于起始日")
    out = (rep.simulate(a, b, step, run_every, progress=lambda p: console.print(f"  {p['on']} 通知 {p['notices']}"))
           if simulate else rep.stats(a, b))
    if as_json:
        console.print_json(json.dumps(out, ensure_ascii=False, default=str))
        return
    share = out["actionable_share"]
    console.print(f"{out['from']} 至 {out['to']}：企业 {out['enterprises']} 家，通知 {out['notices']} 条")
    console.print(f"每企业每年 {out['per_enterprise_year']:.2f} 条；收到通知的企业 {out['reached']} 家"
                  f"（{out['reached_share'] * 100:.1f}%），其每年 {out['per_reached_year']:.2f} 条；最多 {out['max']} 条")
    console.print(f"可立即办理 {out['actionable']} 条（{share * 100:.1f}%）" if share is not None else "无通知")
    for t in out["by_topic"]:
        s = f"{t['share'] * 100:.1f}%" if t["share"] is not None else "—"
        console.print(f"  {t['label']}：{t['notices']} 条，可立即办理 {t['actionable']}（{s}）")


@outreach_app.command("batch")
def batch(
    benefit: Annotated[str, typer.Argument(help="事项：zs_little_giant_award 或 zs_innovation_benchmark")],
    year: Annotated[int, typer.Option("--year", help="年度")],
) -> None:
    """按规则生成免申即享名单并通知企业确认。"""
    from zjtx.web import setup

    setup()
    from django.core.exceptions import ValidationError

    from zjtx.apps.outreach.exempt import create_batch

    try:
        b = create_batch(benefit, year, dt.date.today())
    except ValidationError as exc:
        raise ValueError("；".join(exc.messages)) from None
    console.print(f"已生成“{b.name}”：{b.items.count()} 家企业待确认")


def register(app: typer.Typer) -> None:
    app.add_typer(outreach_app, name="outreach")
