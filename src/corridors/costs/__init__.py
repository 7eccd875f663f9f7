"""Layer 2, costs: the parameters of cargo, money and risk, with no graph.

Enters: a :class:`~corridors.model.network.Network`'s tables. Leaves: :class:`Cargo`,
:class:`CostModel` (tariffs, transfer and terminal rules), risk rows and sanctions policies
(``risk``), emission factors (``emissions``). Nothing here knows the expanded graph: per-edge
arrays are built by :mod:`corridors.engine.weights` from these rules.

May import: ``corridors.model`` and the shared modules (``errors``, ``units``, ``_json``,
``_atomic``).
"""

from __future__ import annotations

from typing import Any

from .cargo import CARGO_UNITS, Cargo, CostModel, TransferSpec, transfer_kind_between

__all__ = ["CARGO_UNITS", "Cargo", "CostModel", "TransferSpec", "transfer_kind_between"]


def __getattr__(name: str) -> Any:
    # release 0.1 had ``corridors.costs`` as one module that also held the per-edge weights
    from .._compat import moved_getattr

    return moved_getattr("costs")(name)
