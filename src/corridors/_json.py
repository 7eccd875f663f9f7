"""JSON-safe values: numpy scalars become Python numbers, NaN and infinities become None."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["json_safe"]


def json_safe(v: Any) -> Any:
    """``v`` with numpy scalars as Python numbers and non-finite floats as None, recursively
    through dicts, lists and tuples (tuples become lists)."""
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if not math.isfinite(f) else f
    if isinstance(v, np.integer):
        return int(v)
    return v
