"""JSON-safe values: numpy scalars become Python numbers, NaN and infinities become None.

:func:`dumps_json` is what every JSON output of the library goes through: strict JSON
(``allow_nan=False``), so ``NaN`` or ``Infinity`` can never reach a reader that rejects them.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_safe", "dumps_json"]


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
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def dumps_json(obj: Any, *, indent: int | None = 2) -> str:
    """``obj`` as strict JSON text: non-finite numbers as null (:func:`json_safe`), other
    objects as their ``str``; never ``NaN`` or ``Infinity``."""
    return json.dumps(
        json_safe(obj), indent=indent, ensure_ascii=False, allow_nan=False, default=str
    )
