"""zjtx — 专精特新梯度培育平台.

The rules engine and the policy catalog, usable from a notebook::

    import zjtx
    zjtx.evaluate(records, on="2025-06-30")
    zjtx.explain(record, "tech_sme", on="2025-06-30")
"""

from __future__ import annotations

from typing import Any

from zjtx._version import __version__

__all__ = ["__version__", "calculate", "evaluate", "evaluate_lazy", "explain", "gaps", "match", "parameters"]


def __getattr__(name: str) -> Any:  # lazy: `import zjtx` stays cheap for the web layer
    if name in ("evaluate", "evaluate_lazy", "explain", "parameters", "gaps"):
        from zjtx import api

        return getattr(api, name)
    if name in ("calculate", "match"):
        from zjtx import benefits

        return getattr(benefits, name)
    raise AttributeError(name)
