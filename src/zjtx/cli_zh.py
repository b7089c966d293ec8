"""The command line in Chinese: help panels, type labels, usage lines and every usage error.

Typer renders help and usage errors with English texts of its own (it vendors Click and formats
pydantic's validation messages). ``install()`` replaces those texts with Chinese ones so that a user
who mistypes an option or a value reads what went wrong, and where, in the language of the rest of
the tool. Every patch is guarded: with a Typer whose internals differ, the English text remains and
nothing breaks (``tests/test_cli_zh.py`` notices).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# pydantic's messages for a value typer could not convert (the first error is shown)
_VALUE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid number.*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为是或否"),
    (r"Input should be a valid date.*", "应为日期（YYYY-MM-DD）"),
    (r"Input should be a valid datetime.*", "应为日期时间（YYYY-MM-DD HH:MM:SS）"),
    (r"Input should be greater than or equal to (.+)", r"应不小于 \1"),
    (r"Input should be greater than (.+)", r"应大于 \1"),
    (r"Input should be less than or equal to (.+)", r"应不大于 \1"),
    (r"Input should be less than (.+)", r"应小于 \1"),
    (r"Input should be (.+)", r"应为 \1 之一"),
    (r"(File|Directory|Path) '(.+)' does not exist\.?", r"路径 '\2' 不存在"),
    (r"(File|Directory|Path) '(.+)' is a directory\.?", r"'\2' 是目录，应为文件"),
    (r"(File|Directory|Path) '(.+)' is a file\.?", r"'\2' 是文件，应为目录"),
    (r"(File|Directory|Path) '(.+)' is not readable\.?", r"'\2' 不可读"),
    (r"(File|Directory|Path) '(.+)' is not writable\.?", r"'\2' 不可写"),
    (r"'(.+)' is not one of (.+)\.", r"'\1' 不在可选值 \2 之中"),
    (r"'(.+)' is not (.+)\.", r"'\1' 不是 \2"),
)

# Click's usage errors that carry no attributes to rebuild them from
_USAGE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"No such command '(.+)'\.", r"没有命令 '\1'（zjtx --help 列出全部命令）"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", r"多余的参数：\1"),
    (r"Option '(.+)' requires an argument\.", r"选项 '\1' 需要一个值"),
    (r"Option '(.+)' requires (\d+) arguments\.", r"选项 '\1' 需要 \2 个值"),
    (r"Option '(.+)' does not take a value\.", r"选项 '\1' 不接受值"),
    (r"Argument '(.+)' takes (\d+) values\.", r"参数 '\1' 需要 \2 个值"),
    (r"Missing command\.", "缺少命令（zjtx --help 列出全部命令）"),
)

# typer's type labels in the help (<int>, <str>, <int range> …)
_TYPE_LABELS = {"int": "整数", "float": "数字", "str": "文本", "bool": "开关", "datetime": "日期时间",
                "path": "路径", "file": "文件", "directory": "目录", "int range": "整数",
                "float range": "数字"}

USAGE_PREFIX = "用法："
HELP_TEXT = "显示本帮助并退出。"
_installed = False


def _translate(text: str, table: tuple[tuple[str, str], ...]) -> str:
    for pattern, replacement in table:
        m = re.fullmatch(pattern, text.strip(), flags=re.S)
        if m:
            out = m.expand(replacement)
            return out.replace(" or ", " 或 ").replace("', '", "'、'")
    return text


def value_message(text: str) -> str:
    """A conversion error (pydantic's or Click's) in Chinese; unknown texts pass through."""
    return _translate(text, _VALUE_MESSAGES)


def usage_line(text: str) -> str:
    """``Usage: zjtx demo [OPTIONS]`` → ``用法：zjtx demo [选项]``."""
    text = re.sub(r"^\s*Usage:\s*", USAGE_PREFIX, text)
    return (text.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
            .replace("[ARGS]...", "[参数]..."))


def error_message(exc: Any) -> str:
    """The Chinese message of a Click/Typer usage error, built from the exception's own fields."""
    from typer._click import exceptions as ce

    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)

    def hint() -> str:
        names = getattr(exc, "param_hint", None)
        if names is None and param is not None:
            try:
                names = param.get_error_hint(ctx)
            except TypeError:  # typer's own parameters take no context
                names = param.get_error_hint()
        if isinstance(names, (list, tuple)):
            return " / ".join(str(n) for n in names)
        return str(names or "")

    if isinstance(exc, ce.MissingParameter):
        kind = getattr(exc, "param_type", None) or getattr(param, "param_type_name", "")
        return f"缺少{'选项' if kind == 'option' else '参数'} {hint()}".rstrip() + "。"
    if isinstance(exc, ce.NoSuchOption):
        msg = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            msg += f"（可用的选项：{'、'.join(sorted(exc.possibilities))}）"
        return msg + "。"
    if isinstance(exc, ce.BadParameter):
        where = hint()
        what = value_message(str(exc.message))
        return f"{where} 的值无效：{what}。" if where else f"值无效：{what}。"
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    return _translate(message, _USAGE_MESSAGES)


def _rich_format_error(exc: Any) -> None:
    """Typer's error panel, in Chinese (usage line, help hint, message)."""
    from rich.markup import escape
    from rich.panel import Panel
    from typer import rich_utils as ru

    if exc.__class__.__name__ == "NoArgsIsHelpError":
        return
    console = ru._get_rich_console(stderr=True)
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        console.print(escape(usage_line(ctx.get_usage())), style=ru.STYLE_USAGE_COMMAND)
        if ctx.command.get_help_option(ctx) is not None:
            console.print(f"运行 '{escape(ctx.command_path)} {ctx.help_option_names[0]}' 查看帮助。",
                          style=ru.STYLE_ERRORS_SUGGESTION)
    console.print(Panel(escape(error_message(exc)), border_style=ru.STYLE_ERRORS_PANEL_BORDER, title="错误",
                        title_align=ru.ALIGN_ERRORS_PANEL))


def _label(original: Callable[..., str | None]) -> Callable[..., str | None]:
    def display_type(self: Any, ctx: Any) -> str | None:
        shown = original(self, ctx)
        if shown and shown.startswith("<") and shown.endswith(">"):
            label = shown[1:-1]
            inner = re.fullmatch(r"list\[(.+)\]", label)
            if inner:
                return f"<{_TYPE_LABELS.get(inner.group(1), inner.group(1))}，可多次>"
            return f"<{_TYPE_LABELS.get(label, label)}>"
        return shown

    return display_type


def install() -> None:
    """Put the Chinese texts in place (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    try:
        from typer import core as tc
        from typer import rich_utils as ru
        from typer._click import decorators as cd
        from typer._click import formatting as cf
    except ImportError:  # another typer layout: keep its texts
        return
    for name, text in (("ARGUMENTS_PANEL_TITLE", "参数"), ("OPTIONS_PANEL_TITLE", "选项"),
                       ("COMMANDS_PANEL_TITLE", "命令"), ("ERRORS_PANEL_TITLE", "错误"),
                       ("ABORTED_TEXT", "已中止。"), ("DEFAULT_STRING", "[默认：{}]"),
                       ("ENVVAR_STRING", "[环境变量：{}]"), ("REQUIRED_LONG_STRING", "[必填]"),
                       ("DEPRECATED_STRING", "（已停用）"),
                       ("RICH_HELP", "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。")):
        if hasattr(ru, name):
            setattr(ru, name, text)
    if hasattr(ru, "rich_format_error"):
        ru.rich_format_error = _rich_format_error

    write_usage = cf.HelpFormatter.write_usage

    def zh_write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, usage_line(args), USAGE_PREFIX if prefix is None else prefix)

    cf.HelpFormatter.write_usage = zh_write_usage  # type: ignore[method-assign]

    help_option = cd.help_option

    def zh_help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = help_option(param_decls)

        def apply(command: Any) -> Any:
            out = decorate(command)
            if command.params:
                command.params[-1].help = HELP_TEXT
            return out

        return apply

    cd.help_option = zh_help_option
    for cls in (getattr(tc, "_TyperParameter", None), getattr(tc, "TyperOption", None),
                getattr(tc, "TyperArgument", None)):
        if cls is not None and "display_type_rich" in vars(cls):
            cls.display_type_rich = _label(vars(cls)["display_type_rich"])
