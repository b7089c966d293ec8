"""``zjtx audit verify`` — check the tamper-evident audit chain of the platform database."""

from __future__ import annotations

import typer

from zjtx.commands.common import console

audit_app = typer.Typer(help="审计日志：校验哈希链。", no_args_is_help=True)


@audit_app.command("verify")
def verify() -> None:
    """校验审计日志哈希链：发现被修改、插入或删除的记录时列出并以退出码 1 结束。"""
    from zjtx.web import setup

    setup()
    from zjtx.apps.accounts.chain import verify as run

    report = run()
    from zjtx.apps.accounts.chain import CHAIN_LABELS

    console.print(f"已校验 {report.checked} 条审计记录")
    for chain, (seq, digest) in report.heads.items():
        console.print(f"{CHAIN_LABELS[chain]}链头：序号 {seq}，摘要 {digest or '—'}")
    if report.ok:
        console.print("[green]审计日志完整：未发现修改、插入或删除[/]")
        return
    for line in report.problems:
        console.print(f"[red]✗[/] {line}")
    console.print(f"[bold red]发现 {len(report.problems)} 处问题[/]")
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
