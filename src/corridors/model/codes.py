"""Categorical codes for the build of large networks: a column's distinct values converted
once, integer keys made unique without a sort, and sets of small integers coded by their
bits, so that the topology never loops in Python once per link, edge or node.
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["per_value", "positions", "sorted_unique", "set_codes", "unique_ints"]


def per_value(column: pd.Series, convert: Any) -> list[Any]:
    """``[convert(v) for v in column]``, calling ``convert`` once per distinct value (and
    once for all None cells; other missing cells one by one, as they are)."""
    values = column.to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    missing = np.flatnonzero(codes < 0)
    none = np.fromiter(
        map(operator.is_, values[missing], itertools.repeat(None)), dtype=bool, count=len(missing)
    )
    # code -1 (missing): None converted once (an empty optional column), others one by one
    done = [convert(u) for u in uniques] + [convert(None) if none.any() else None]
    out = [done[c] for c in codes.tolist()]
    for i in missing[~none].tolist():
        out[i] = convert(values[i])
    return out


def sorted_unique(keys: np.ndarray, bound: int) -> np.ndarray:
    """``np.unique(keys)`` for integer keys in ``[0, bound)``: a presence mask when it is
    small next to the keys (one pass, no sort), else a sort (:func:`unique_ints`)."""
    if bound <= 4 * len(keys) + 1_000_000:
        present = np.zeros(bound, dtype=bool)
        present[keys] = True
        return np.flatnonzero(present)
    return unique_ints(keys)


def unique_ints(x: np.ndarray) -> np.ndarray:
    """``np.unique(x)`` of an integer array (its distinct values, sorted), by one sort:
    numpy's default unique (hash-based since 2.3) is several times slower on large arrays
    of wide keys such as ``owner * span + slot``."""
    y = np.sort(x)
    if not len(y):
        return y
    return y[np.append(True, y[1:] != y[:-1])]  # type: ignore[no-any-return]


def set_codes(
    n_places: int, pair_place: np.ndarray, pair_rank: np.ndarray
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """A code per set: place ``i`` holds the ranks ``pair_rank[pair_place == i]``
    (``pair_place`` and ``pair_rank`` sorted by place, then rank, each pair once); return each
    place's code and each code's ranks in ascending order (equal sets, equal codes)."""
    n_svc = int(pair_rank.max(initial=-1)) + 1
    if n_svc <= 52:  # each set as the bits of one exact float sum
        bits = np.bincount(pair_place, weights=np.ldexp(1.0, pair_rank), minlength=n_places).astype(
            np.int64
        )
        code, masks = pd.factorize(bits)
        sigs = [tuple(r for r in range(n_svc) if (m >> r) & 1) for m in masks.tolist()]
        return code.astype(np.int64), sigs
    starts = np.searchsorted(pair_place, np.arange(n_places + 1))
    ranks = pair_rank.tolist()
    index: dict[tuple[int, ...], int] = {}
    code = np.empty(n_places, dtype=np.int64)
    for i in range(n_places):
        code[i] = index.setdefault(tuple(ranks[starts[i] : starts[i + 1]]), len(index))
    return code, list(index)


def positions(ids: list[str], lookup: dict[str, int], values: pd.Series) -> np.ndarray:
    """The position in ``ids`` of each of ``values`` (``lookup`` maps each id to its
    position), looked up in one pass over the column; a value not in ``ids`` raises
    ``KeyError`` naming it."""
    column = values.to_numpy(dtype=object)
    if len(lookup) == len(ids):  # unique ids (always, in a validated network)
        pos = pd.Index(ids, dtype=object).get_indexer(pd.Index(column, dtype=object))
        if (pos >= 0).all():
            return pos.astype(np.int64)
    return np.array([lookup[v] for v in column.tolist()], dtype=np.int64)
