"""Layer 7, the command line: ``corridors <command>``.

One module per command family (``app`` holds the parser, ``main`` and the one error handler
that maps exceptions to exit codes; ``network`` adds ``network validate|info`` and
``places``, ``route`` adds ``route``, ``pareto`` and ``closure``, and ``compare``,
``simulate``, ``skims``, ``criticality`` and ``backtest`` add theirs). Nothing below imports
from here.

May import: every layer.
"""

from __future__ import annotations

from typing import Any

from .app import build_parser, main

__all__ = ["build_parser", "main"]


def __getattr__(name: str) -> Any:
    # release 0.1 had ``corridors.cli`` as one module
    from .._compat import moved_getattr

    return moved_getattr("cli")(name)
