"""zjtx — 专精特新梯度培育平台.

The rules engine and the policy catalog, usable from a notebook::

    import zjtx
    zjtx.evaluate(records, on="2025-06-30")
    zjtx.explain(record, "tech_sme", on="2025-06-30")
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["evaluate", "evaluate_lazy", "explain", "parameters"]


def __getattr__(name: str) -> Any:  # lazy: `import zjtx` stays cheap for the web layer
    if name in ("evaluate", "evaluate_lazy", "explain", "parameters"):
        from zjtx import api

        return getattr(api, name)
    if name in ("calculate", "match"):
        from zjtx import benefits

        return getattr(benefits, name)
    if name in ("gaps",):
        from zjtx.rules import gaps as _gaps

        return _gaps.gaps
    raise AttributeError(name)
