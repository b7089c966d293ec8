"""``zjtx demo`` — the main job: a living demo city on embedded defaults; ``zjtx serve``; ``zjtx manage``.

The main job migrates the embedded database, loads the demo city (living up to today) when the
registry is empty — an existing registry is kept as it is —, evaluates every enterprise against
every tier policy as a city-wide evaluation run (so the platform's dashboard opens on it), prints
the counts per tier and the briefing sentences of the letter, the admin login, and serves the
platform with the production server at http://127.0.0.1:8000.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Annotated, Any

import typer
from rich.table import Table

from zjtx.commands.common import STATUS_STYLE, console

STATUS_ORDER = ("qualified", "not_qualified", "unknown", "manual_review")


def _django() -> None:
    """Configure Django; a missing secret key or bad settings end with a Chinese message (exit 2)."""
    from django.core.exceptions import ImproperlyConfigured

    from zjtx.web import setup
    from zjtx.web.secret import SecretKeyError

    try:
        setup()
    except (SecretKeyError, ImproperlyConfigured) as exc:
        console.print(f"[bold red]无法启动：[/]{exc}")
        raise typer.Exit(2) from None


def _history(today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The dates the registry can be evaluated on, and where that range comes from."""
    from django.db.models import Max, Min

    from zjtx.apps.enterprises.models import AnnualReport, Enterprise
    from zjtx.demo import history_range

    if Enterprise.objects.exists():
        span = AnnualReport.objects.aggregate(lo=Min("year"), hi=Max("year"))
        if span["lo"] is not None:
            return dt.date(span["lo"] + 3, 1, 1), dt.date(span["hi"] + 1, 12, 31), \
                f"企业库的年报覆盖 {span['lo']}–{span['hi']} 年"
    first, last = history_range(today)
    return first, last, f"演示城市的年报覆盖 {first.year - 3}–{last.year - 1} 年"


def _parse_on(on: str | None, today: dt.date) -> dt.date:
    if not on:
        return today
    try:
        day = dt.date.fromisoformat(on)
    except ValueError:
        console.print(f"[bold red]错误：[/]评价日期 '{on}' 不是有效日期（应为 YYYY-MM-DD，如 {today.isoformat()}）")
        raise typer.Exit(2) from None
    first, last, why = _history(today)
    if not first <= day <= last:
        console.print(f"[bold red]错误：[/]评价日期 {day.isoformat()} 不在演示数据的历史范围内。{why}，"
                      f"可评价的日期为 {first.isoformat()} 至 {last.isoformat()}（评价使用上一完整年度的年报）。")
        raise typer.Exit(2)
    return day


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return users.filter(username="admin").first() or users.filter(is_superuser=True).order_by("pk").first()


def _demo_accounts(run: Any) -> list[str]:
    """A town officer of the 镇街 with the most 达标 results and an enterprise user of one of its
    专精特新 enterprises, so a newcomer sees the platform as each of its users does. Created once;
    their passwords are printed only then (reset in the admin site by the 安全管理员)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from zjtx.apps.accounts.management.commands.bootstrap import random_password
    from zjtx.apps.accounts.models import Profile, Role
    from zjtx.apps.enterprises.models import Division, Enterprise
    from zjtx.apps.evaluations.models import RunResult

    users = get_user_model().objects
    if users.filter(username__in=("town", "qiye")).exists():
        return []
    qualified = RunResult.objects.filter(run=run, status="qualified")
    top = (qualified.exclude(item__division="").values("item__division").annotate(n=Count("id"))
           .order_by("-n", "item__division").first())
    division = Division.objects.filter(code=top["item__division"]).first() if top else None
    if division is None:
        return []
    firm = (qualified.filter(item__division=division.code, policy="specialized_sme", item__enterprise__isnull=False)
            .order_by("item__uscc").values_list("item__enterprise", flat=True).first())
    enterprise = Enterprise.objects.filter(pk=firm).first() if firm else None
    lines = []
    pw = random_password()
    Profile.objects.create(user=users.create_user("town", password=pw), role=Role.TOWN_OFFICER, division=division)
    lines.append(f"镇街工作人员 [bold]town[/]（{division.name}，只看本镇街企业），初始密码：[bold]{pw}[/]")
    if enterprise is not None:
        pw = random_password()
        Profile.objects.create(user=users.create_user("qiye", password=pw), role=Role.ENTERPRISE_USER,
                               enterprise=enterprise)
        lines.append(f"企业用户 [bold]qiye[/]（{enterprise.name}，只看本企业），初始密码：[bold]{pw}[/]")
    return lines


def _table(title: str, headers: tuple[str, ...]) -> Table:
    """A table that fits the terminal: on a narrow one (80 columns) long headers and policy names wrap
    onto a second line; numbers never wrap or lose digits."""
    narrow = console.width < 100
    table = Table(title=title, show_edge=False, pad_edge=False)
    for header in headers:
        if header == "政策":
            table.add_column(header, overflow="fold", max_width=16 if narrow else None)
        else:
            table.add_column(header, justify="right", overflow="fold", max_width=6 if narrow else None)
    return table


def _run_table(run: Any, secs: float) -> Table:
    """The per-tier table of a finished run: statuses, holders, and the two gaps the bureau watches."""
    from django.db.models import Count

    from zjtx.apps.evaluations.models import RunResult
    from zjtx.apps.evaluations.services import policy_name

    counts: dict[str, dict[tuple[str, bool], int]] = {}
    for row in (RunResult.objects.filter(run=run).values("policy", "status", "held").annotate(n=Count("id"))):
        counts.setdefault(row["policy"], {})[(row["status"], row["held"])] = row["n"]
    total = run.summary.get("enterprises", run.total)
    table = _table(f"全量评价（评价日期 {run.on.isoformat()}，{total} 户，{secs:.0f} 秒；批次 #{run.pk}）",
                   ("政策", *(STATUS_STYLE[s] for s in STATUS_ORDER), "持有有效称号", "达标未认定", "认定未达标"))
    for p in run.policies:
        c = counts.get(p, {})
        by_status = {s: c.get((s, True), 0) + c.get((s, False), 0) for s in STATUS_ORDER}
        held = sum(v for (s, h), v in c.items() if h)
        has_title = p not in ("sme_size", "zs_four_tech")
        table.add_row(policy_name(p), *[str(by_status[s]) for s in STATUS_ORDER],
                      str(held) if has_title else "—",
                      str(c.get(("qualified", False), 0)) if has_title else "—",
                      str(c.get(("not_qualified", True), 0)) if has_title else "—")
    return table


def demo(
    seed: Annotated[int, typer.Option(help="随机种子（相同种子生成相同城市）")] = 2022,
    scale: Annotated[int, typer.Option(help="企业户数（默认按中山市标定）", min=100)] = 30000,
    on: Annotated[str | None, typer.Option("--on", help="评价日期 YYYY-MM-DD，默认今天")] = None,
    year: Annotated[int, typer.Option(help="统计简报年度")] = 2021,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="完成后启动网站")] = True,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
) -> None:
    """演示城市：建库、载入演示数据（截至今天）、全量评价并存为评价批次、打印汇总与简报，并启动平台。"""
    _django()
    from django.core.management import call_command

    from zjtx.apps.enterprises.demo_load import briefing_frames, default_on, load_demo
    from zjtx.apps.enterprises.models import Enterprise
    from zjtx.apps.evaluations.services import create_run, execute_run
    from zjtx.stats import briefing

    started = time.perf_counter()
    call_command("bootstrap")
    today = default_on()
    day = _parse_on(on, today)
    existing = Enterprise.objects.count()
    if existing:
        console.print(f"企业库已有 {existing} 户企业：数据保留，未重新载入演示数据（评价使用现有数据）。"
                      "如需一个全新的演示城市，请换一个数据目录运行，例如 "
                      "[bold]ZJTX_DATA_DIR=./var-demo zjtx demo[/]。")
    else:
        from zjtx.demo import generate

        t = time.perf_counter()
        with console.status(f"生成演示城市（{scale} 户，种子 {seed}，截至 {today.isoformat()}）…"):
            city = generate(seed=seed, scale=scale, today=today)
        gen_secs = time.perf_counter() - t
        t = time.perf_counter()
        with console.status("载入企业库…"):
            counts = load_demo(city)
        console.print(f"已载入演示城市（截至 {today.isoformat()}）：企业 {counts['enterprises']} 户，"
                      f"年报 {counts['annual_reports']} 份，资质 {counts['titles']} 项"
                      f"（生成 {gen_secs:.0f} 秒，入库 {time.perf_counter() - t:.0f} 秒）")

    admin = _admin()
    t = time.perf_counter()
    with console.status(f"全量评价（{day.isoformat()}）…"):
        run = create_run(admin, day, name=f"全市评价 {day.isoformat()}（演示主流程）")
        run = execute_run(run.pk)
    if run.status != "done":
        console.print(f"[bold red]评价批次 #{run.pk} 未完成：[/]{run.error}")
        raise typer.Exit(1)
    from zjtx.apps.evaluations.services import mark_official

    run = mark_official(run)  # the city-wide run the dashboard and briefing open on
    console.print(_run_table(run, time.perf_counter() - t))

    b = briefing(briefing_frames(), year)
    console.print(f"\n[bold]{year}年统计简报[/]")
    for s in b.sentences:
        console.print("· " + s.text, soft_wrap=True)
    console.print(f"\n主流程用时 {time.perf_counter() - started:.0f} 秒。")
    console.print("管理员账号：[bold]admin[/]（初始密码只在首次创建时显示；忘记可运行 "
                  "[bold]zjtx admin-password[/] 重置）。首次登录时按页面提示在手机验证器应用中绑定动态口令"
                  "（市级账号须双因素认证）。")
    accounts = _demo_accounts(run)
    if accounts:
        console.print("演示账号（密码只显示这一次）：")
        for line in accounts:
            console.print("· " + line, soft_wrap=True)
    if serve:
        from zjtx.web import serve as run_server

        console.print(f"平台地址：[bold]http://{host}:{port}/[/]（按 Ctrl+C 停止；后台任务进程 zjtx worker 随之启动）")
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
    threads: Annotated[int, typer.Option(help="处理请求的线程数", min=1, max=64)] = 8,
) -> None:
    """启动平台（生产服务器 gunicorn；先迁移数据库、载入参考数据、收集静态文件）。"""
    _django()
    from zjtx.web import serve as run_server

    run_server(host=host, port=port, threads=threads)


def manage(ctx: typer.Context) -> None:
    """Django 管理命令（如 zjtx manage createsuperuser、zjtx manage check --deploy、zjtx manage help）。"""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zjtx manage", *ctx.args])


def coherence(
    seed: Annotated[int, typer.Option(help="随机种子")] = 2022,
    scale: Annotated[int, typer.Option(help="企业户数", min=100)] = 30000,
    on: Annotated[str | None, typer.Option("--on", help="现状表的评价日期 YYYY-MM-DD，默认今天")] = None,
    data: Annotated[str | None, typer.Option(help="读取 zjtx.demo.write 写出的名录目录，而不是生成")] = None,
) -> None:
    """演示城市的称号与规则是否一致：每项认定在认定日的评价结果，以及评价日各层级的达标、认定与两类差异。"""
    from zjtx.demo import generate, read
    from zjtx.demo.coherence import STATUS_ZH, coherence_summary, grant_statuses, tier_table
    from zjtx.policies import catalog

    today = dt.date.today()
    day = dt.date.fromisoformat(on) if on else today
    t = time.perf_counter()
    city = read(data) if data else generate(seed=seed, scale=scale, today=today)
    console.print(f"演示城市：{city.enterprises.height} 户（{time.perf_counter() - t:.0f} 秒）")
    t = time.perf_counter()
    summary = coherence_summary(grant_statuses(city))
    table = _table(f"认定日的评价结果（全部 {int(summary['grants'].sum())} 项认定，{time.perf_counter() - t:.0f} 秒）",
                   ("政策", "认定", "其中新认定", "其中复核", *STATUS_ZH.values(), "达标或待人工审核"))
    for r in summary.iter_rows(named=True):
        table.add_row(catalog().name(r["policy"]), str(r["grants"]), str(r["new"]), str(r["renewals"]),
                      *[str(r[s]) for s in STATUS_ZH], f"{r['coherent_share']:.1%}")
    console.print(table)
    now = tier_table(city, day)
    table = _table(f"评价日 {day.isoformat()} 的现状",
                   ("政策", "持有有效称号", "达标", "待人工审核", "达标未认定（后备）", "认定但不再达标（预警）", "认定待核验"))

    def cell(v: object) -> str:
        return "—" if v is None else str(v)

    for r in now.iter_rows(named=True):
        table.add_row(catalog().name(r["policy"]), cell(r["holders"]), cell(r["qualified"]), cell(r["manual_review"]),
                      cell(r["qualified_not_designated"]), cell(r["designated_not_qualified"]),
                      cell(r["designated_unknown"]))
    console.print(table)
    meta = getattr(city, "meta", {})
    if meta.get("exceptions") is not None:
        exc = "、".join(f"{catalog().name(k) if k != 'tech_sme' else '科技型中小企业'} {v}"
                       for k, v in meta["exceptions"].items() if v)
        console.print(f"生成时按设定比例（3%）授予的例外：{exc or '无'}；按规则收录不足：{len(meta['shortfalls'])} 批次。")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("admin-password")(admin_password)
    app.command("serve")(serve)
    app.command("demo-coherence")(coherence)
    app.command("manage", context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
                add_help_option=False)(manage)
