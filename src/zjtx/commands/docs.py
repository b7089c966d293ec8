"""``zjtx docs`` — regenerate docs/policies.md from the rule declarations and parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zjtx.commands.common import console


def docs(out: Annotated[str, typer.Option("--out", help="输出文件")] = "docs/policies.md") -> None:
    """由规则声明和参数文件生成政策规则表（docs/policies.md）。"""
    from zjtx.policies.docgen import render

    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(render(), encoding="utf-8")
    console.print(f"已生成 {out}")


def register(app: typer.Typer) -> None:
    app.command("docs")(docs)
