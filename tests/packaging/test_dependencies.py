"""Every third-party module imported under src/zjtx is a declared dependency of the package, or sits
behind an optional extra with a clear Chinese message when missing (a fresh ``pip install .`` must be
enough for everything the README's first command runs; scripts/test.sh proves that in a clean venv)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "zjtx"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(reqs: list[str]) -> set[str]:
        return {_norm(re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0]) for r in reqs}

    return names(project["dependencies"]), {k: names(v) for k, v in project["optional-dependencies"].items()}


def _imports() -> dict[str, list[tuple[Path, ast.AST, list[ast.AST]]]]:
    """Top-level module → (file, import node, its ancestors) for every import under src/zjtx."""
    out: dict[str, list[tuple[Path, ast.AST, list[ast.AST]]]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        stack: list[tuple[ast.AST, list[ast.AST]]] = [(tree, [])]
        while stack:
            node, parents = stack.pop()
            for child in ast.iter_child_nodes(node):
                names: list[str] = []
                if isinstance(child, ast.Import):
                    names = [a.name for a in child.names]
                elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                    names = [child.module]
                for n in names:
                    out.setdefault(n.split(".")[0], []).append((path, child, [*parents, node]))
                stack.append((child, [*parents, node]))
    return out


def _third_party() -> dict[str, list[tuple[Path, ast.AST, list[ast.AST]]]]:
    return {m: v for m, v in _imports().items() if m not in sys.stdlib_module_names and m != "zjtx"}


def _guarded(parents: list[ast.AST], child: ast.AST) -> bool:
    """Inside ``try: … except ImportError/ModuleNotFoundError`` (the handler gives the message)."""
    for p in parents:
        if isinstance(p, ast.Try) and any(child in ast.walk(b) for b in p.body):
            for h in p.handlers:
                caught = ast.unparse(h.type) if h.type is not None else ""
                if "ImportError" in caught or "ModuleNotFoundError" in caught:
                    return True
    return False


def _type_checking(parents: list[ast.AST]) -> bool:
    return any(isinstance(p, ast.If) and "TYPE_CHECKING" in ast.unparse(p.test) for p in parents)


def _in_function(parents: list[ast.AST]) -> bool:
    return any(isinstance(p, ast.FunctionDef | ast.AsyncFunctionDef) for p in parents)


def test_every_import_is_declared_or_behind_an_extra() -> None:
    core, extras = _requirements()
    dist_of = packages_distributions()
    undeclared = {}
    for module, sites in _third_party().items():
        dists = {_norm(d) for d in dist_of.get(module, [module])}
        if dists & core:
            continue
        extra = [name for name, reqs in extras.items() if dists & reqs and name != "test"]
        if not extra:
            undeclared[module] = sorted({str(p.relative_to(ROOT)) for p, _, _ in sites})
            continue
        # an extra-only module: imported lazily, in modules that explain what to install when it is missing
        for path, node, parents in sites:
            if _type_checking(parents) or _guarded(parents, node):
                continue
            text = path.read_text(encoding="utf-8")
            assert _in_function(parents), f"{path}: top-level import of {module}"
            assert re.search(r"except (ModuleNotFoundError|ImportError)", text) and any(
                f"zjtx[{e}]" in text for e in extra), \
                f"{path}: no Chinese message naming pip install 'zjtx[{'/'.join(extra)}]' when {module} is missing"
    assert not undeclared, f"third-party modules imported but not declared in pyproject.toml: {undeclared}"


def test_the_main_job_needs_no_extra() -> None:
    """What the README's first command runs (CLI, demo city, platform, engine) imports only core
    dependencies, at any depth: no module of these packages imports an extra-only distribution."""
    core, extras = _requirements()
    dist_of = packages_distributions()
    extra_only = {m for m in _third_party() if not {_norm(d) for d in dist_of.get(m, [m])} & core}
    main_job = ("demo", "commands", "web", "apps", "facts", "stats", "policies")
    for module, sites in _third_party().items():
        if module not in extra_only:
            continue
        for path, node, parents in sites:
            rel = path.relative_to(SRC).parts
            if rel[0] in main_job:
                assert _guarded(parents, node), f"{path}: the main job imports the extra-only module {module}"
    assert {"numpy", "gunicorn", "whitenoise", "pydantic"} <= {_norm(c) for c in core}
