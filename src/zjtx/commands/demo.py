"""``zjtx demo`` — the main job: a living demo city on embedded defaults, and ``zjtx serve``.

Migrates the embedded database, loads the calibrated demo city when the registry is empty, evaluates
every enterprise against every tier policy, prints the counts per tier and the briefing sentences of
the letter, the admin login, and serves the platform at http://127.0.0.1:8000.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated

import typer
from rich.table import Table

from zjtx.commands.common import STATUS_STYLE, console


def _django() -> None:
    from zjtx.web import setup

    setup()


def demo(
    seed: Annotated[int, typer.Option(help="随机种子（相同种子生成相同城市）")] = 2022,
    scale: Annotated[int, typer.Option(help="企业户数（默认按中山市标定）")] = 30000,
    on: Annotated[str | None, typer.Option("--on", help="评价日期，默认今天")] = None,
    year: Annotated[int, typer.Option(help="统计简报年度")] = 2021,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="完成后启动网站")] = True,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """演示城市：建库、载入演示数据、全量评价、打印汇总与简报，并启动平台。"""
    _django()
    from django.core.management import call_command

    import zjtx
    from zjtx.apps.enterprises.demo_load import briefing_frames, default_on, load_demo
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.enterprises.records import records_for
    from zjtx.stats import briefing

    call_command("bootstrap")
    if not Enterprise.objects.exists():
        from zjtx.demo import generate

        t = time.perf_counter()
        with console.status(f"生成并载入演示城市（{scale} 户，种子 {seed}）…"):
            counts = load_demo(generate(seed=seed, scale=scale))
        console.print(f"已载入演示城市：企业 {counts['enterprises']} 户，年报 {counts['annual_reports']} 份，"
                      f"资质 {counts['titles']} 项（{time.perf_counter() - t:.1f} 秒）")
    else:
        console.print(f"企业库已有 {Enterprise.objects.count()} 户，未重新载入演示数据")

    day = dt.date.fromisoformat(on) if on else default_on()
    t = time.perf_counter()
    records = records_for(day)
    df = zjtx.evaluate(records, on=day, keep=("uscc",))
    secs = time.perf_counter() - t
    table = Table(title=f"全量评价（{day.isoformat()}，{df.height} 户，{secs:.1f} 秒）")
    table.add_column("政策")
    for s in STATUS_STYLE:
        table.add_column(STATUS_STYLE[s], justify="right")
    from zjtx.policies import catalog

    for p in [c.split(".")[0] for c in df.columns if c.endswith(".status")]:
        counts = dict(df.group_by(f"{p}.status").len().iter_rows())
        table.add_row(catalog().name(p), *[str(counts.get(s, 0)) for s in STATUS_STYLE])
    console.print(table)

    b = briefing(briefing_frames(), year)
    console.print(f"\n[bold]{year}年统计简报[/]")
    for s in b.sentences:
        console.print("· " + s.text)
    console.print("\n管理员账号：[bold]admin[/]（初始密码只在首次创建时显示；忘记可运行 "
                  "[bold]zjtx admin-password[/] 重置）")
    if serve:
        from zjtx.web import serve as run_server

        console.print(f"平台地址：[bold]http://{host}:{port}/[/]")
        run_server(host=host, port=port, bootstrap=False)


def admin_password() -> None:
    """重置 admin 密码并打印一次（无 admin 时创建）。"""
    _django()
    from django.contrib.auth import get_user_model

    from zjtx.apps.accounts.management.commands.bootstrap import random_password
    from zjtx.apps.accounts.models import Profile, Role

    user_model = get_user_model()
    pw = random_password()
    user = user_model.objects.filter(username="admin").first()
    if user is None:
        user = user_model.objects.create_superuser("admin", email="", password=pw)
    else:
        user.set_password(pw)
        user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": Role.CITY_ADMIN})
    console.print(f"admin 新密码（只显示这一次）：[bold]{pw}[/]")


def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """启动平台（迁移数据库、载入参考数据后运行）。"""
    from zjtx.web import serve as run_server

    run_server(host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("admin-password")(admin_password)
    app.command("serve")(serve)



