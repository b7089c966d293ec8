"""The ``zjtx`` command line (also ``python -m zjtx``).

Each module of ``zjtx.commands`` defines ``register(app)``; they are discovered here, so a new
command is one new file. Errors in user input print a clear Chinese message and exit with code 2,
never a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from rich.console import Console

from zjtx.cli_zh import install as _install_chinese_texts

_install_chinese_texts()
app = typer.Typer(
    name="zjtx",
    help="专精特新梯度培育平台：规则评价、差距分析、改革模拟、培育库与统计。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _register_commands() -> None:
    import zjtx.commands as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"zjtx.commands.{mod.name}")
        if hasattr(module, "register"):
            module.register(app)


_register_commands()


def main() -> None:
    from zjtx.rules.inputs import InputError
    from zjtx.rules.params import ParameterError
    from zjtx.rules.policy import PolicyError

    try:
        app()
    except (InputError, PolicyError, ParameterError, ValueError, FileNotFoundError) as exc:
        from rich.markup import escape

        err.print(f"[bold red]错误：[/]{escape(str(exc))}")  # a message may contain brackets, e.g. zjtx[spark]
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
