"""``zjtx briefing`` — the bureau's statistical paragraphs for a year, as Markdown and .docx."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zjtx.commands.common import console


def _frames(data: str | None, db: bool, seed: int, scale: int) -> Any:
    if data:
        from zjtx.demo import read

        return read(data)
    if db:
        from zjtx.web import setup

        setup()
        from zjtx.apps.enterprises.demo_load import briefing_frames

        return briefing_frames()
    from zjtx.demo import generate

    return generate(seed=seed, scale=scale)


def briefing(
    year: Annotated[int, typer.Option(help="统计年度")] = 2021,
    data: Annotated[str | None, typer.Option(help="名录目录（zjtx.demo.write 写出的 parquet/csv/xlsx）")] = None,
    db: Annotated[bool, typer.Option("--db", help="使用平台数据库中的企业库")] = False,
    seed: Annotated[int, typer.Option(help="未指定数据时：演示城市的随机种子")] = 2022,
    scale: Annotated[int, typer.Option(help="未指定数据时：演示城市的企业户数")] = 30000,
    out: Annotated[str | None, typer.Option("--out", help="写出 Markdown 文件")] = None,
    docx: Annotated[str | None, typer.Option("--docx", help="写出 Word 文件")] = None,
) -> None:
    """统计简报：入库数、同比、两年平均增长、全省排名等标准表述，每个数字附口径。"""
    from zjtx.stats import briefing as make

    b = make(_frames(data, db, seed, scale), year)
    console.print(b.markdown)
    if out:
        Path(out).write_text(b.markdown, encoding="utf-8")
        console.print(f"已写出 {out}")
    if docx:
        b.to_docx(docx)
        console.print(f"已写出 {docx}")


def register(app: typer.Typer) -> None:
    app.command("briefing")(briefing)
