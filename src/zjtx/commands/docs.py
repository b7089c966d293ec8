"""``zjtx docs`` — regenerate docs/policies.md and docs/calculators.md from the declarations and parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zjtx.commands.common import console


def docs(out: Annotated[str, typer.Option("--out", help="政策规则表输出文件")] = "docs/policies.md",
         calculators: Annotated[str, typer.Option("--calculators", help="计算器说明输出文件")] = "docs/calculators.md",
         ) -> None:
    """由规则声明和参数文件生成政策规则表（docs/policies.md）与计算器说明（docs/calculators.md）。"""
    from zjtx.policies.docgen import render, render_calculators

    for path, text in ((out, render()), (calculators, render_calculators())):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
        console.print(f"已生成 {path}")


def register(app: typer.Typer) -> None:
    app.command("docs")(docs)
