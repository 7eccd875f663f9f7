"""Shared by the CCH skims tests (tests/test_skims_cch.py, tests/test_skims_cch_ties.py): both
engines' frames of every pair of a random network, and the comparison of two frames."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from corridors.routes.skims import route_matrix
from test_routing_properties import build

#: The numeric columns of a skim frame (with ``simple``, every column but the pair's ids).
FRAME = ("objective", "distance_km", "time_h", "cost_usd", "generalized", "transfers")


def engine_frames(q: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The csgraph and the CCH engine's frames of every pair of the random network of ``q``
    (a ``test_routing_properties.queries`` example), at its objective and cargo."""
    spec, _, _, objective, cargo = q
    net = build(spec)
    ids = sorted(net.places.index)
    a = route_matrix(net, ids, ids, minimize=objective, cargo=cargo)
    b = route_matrix(net, ids, ids, minimize=objective, cargo=cargo, engine="cch", cch_cache=False)
    return a, b


def assert_same_frames(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Every row of the same pair, every column equal (NaN equal to NaN)."""
    assert list(a["origin"]) == list(b["origin"])
    assert list(a["destination"]) == list(b["destination"])
    for c in FRAME:
        x = a[c].to_numpy(dtype=float, na_value=np.nan)
        y = b[c].to_numpy(dtype=float, na_value=np.nan)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        assert same.all(), (c, a[~same].head(), b[~same].head())
    assert (a["simple"] == b["simple"]).all()
