"""Ordering and contraction for :mod:`corridors.engine.cch`: the metric-independent part
that a :class:`~corridors.engine.cch.CCH` is built from.

:func:`compute_order` gives a nested-dissection contraction order (RoutingKit's inertial flow
or degree order through the optional ``routingkit-cch`` package, or a numpy coordinate
bisection of our own); :func:`_contract` runs the symbolic elimination in that order (the
arcs of the chordal supergraph, the elimination tree, heights and lower triangles);
:func:`topology_hash` names the result for the on-disk cache. The public names are
re-exported by :mod:`corridors.engine.cch`.

Only numpy and the standard library are imported (and ``routingkit_cch``, optional).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

__all__ = ["topology_hash", "compute_order", "have_routingkit"]

_FORMAT = 1  # version of the on-disk cache layout


def have_routingkit() -> bool:
    """Whether the optional ``routingkit-cch`` package (RoutingKit's orderings) imports."""
    try:
        import routingkit_cch  # noqa: F401
    except ImportError:
        return False
    return True


def _as_index(a: Any, name: str, n_nodes: int | None = None) -> np.ndarray:
    arr = np.ascontiguousarray(np.asarray(a), dtype=np.int64).ravel()
    if n_nodes is not None and len(arr) and (arr.min() < 0 or arr.max() >= n_nodes):
        raise ValueError(f"{name} holds a node outside 0..{n_nodes - 1}")
    return arr


def topology_hash(
    n_nodes: int, tails: Any, heads: Any, latitude: Any = None, longitude: Any = None
) -> str:
    """SHA-256 of what a CCH's structure depends on: the node count, the edges in order and,
    if given, the coordinates the ordering uses."""
    h = hashlib.sha256()
    h.update(f"cch{_FORMAT}:{int(n_nodes)}:".encode())
    h.update(_as_index(tails, "tails").tobytes())
    h.update(b"|")
    h.update(_as_index(heads, "heads").tobytes())
    for c in (latitude, longitude):
        h.update(b"|")
        if c is not None:
            h.update(np.ascontiguousarray(c, dtype=np.float64).tobytes())
    return h.hexdigest()


def _skeleton(n: int, tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The undirected simple graph under the edges: pairs ``lo < hi``, no loops, no repeats."""
    keep = tails != heads
    lo = np.minimum(tails, heads)[keep]
    hi = np.maximum(tails, heads)[keep]
    key = np.unique(lo * n + hi)
    return key // n, key % n


def compute_order(
    n_nodes: int,
    tails: Any,
    heads: Any,
    latitude: Any = None,
    longitude: Any = None,
    *,
    method: str = "auto",
) -> np.ndarray:
    """A contraction order: ``order[r]`` is the node of rank ``r`` (contracted ``r``-th).

    ``method``: ``"inertial"`` (RoutingKit's nested dissection by inertial flow; needs
    ``routingkit-cch`` and coordinates), ``"degree"`` (RoutingKit's degree order; poor on
    large graphs), ``"bisection"`` (our numpy nested dissection by coordinate medians; needs
    coordinates), or ``"auto"``: inertial if RoutingKit and coordinates are there, else
    bisection with coordinates, else RoutingKit's degree order, else by node degree.
    """
    n = int(n_nodes)
    t = _as_index(tails, "tails", n)
    h = _as_index(heads, "heads", n)
    coords = latitude is not None and longitude is not None
    if method == "auto":
        rk = have_routingkit()
        method = (
            "inertial"
            if rk and coords
            else "bisection"
            if coords
            else "degree"
            if rk
            else "plain-degree"
        )
    lo, hi = _skeleton(n, t, h)
    if method in ("inertial", "degree"):
        import routingkit_cch as rk_mod

        sym_t = np.concatenate([lo, hi]).tolist()
        sym_h = np.concatenate([hi, lo]).tolist()
        if method == "inertial":
            if not coords:
                raise ValueError("the inertial order needs latitude and longitude")
            order = rk_mod.compute_order_inertial(
                n,
                sym_t,
                sym_h,
                np.asarray(latitude, dtype=float).tolist(),
                np.asarray(longitude, dtype=float).tolist(),
            )
        else:
            order = rk_mod.compute_order_degree(n, sym_t, sym_h)
        out = np.asarray(order, dtype=np.int64)
    elif method == "bisection":
        if not coords:
            raise ValueError("the bisection order needs latitude and longitude")
        out = _bisection_order(
            n, lo, hi, np.asarray(latitude, dtype=float), np.asarray(longitude, dtype=float)
        )
    elif method == "plain-degree":
        deg = np.bincount(np.concatenate([lo, hi]), minlength=n)
        out = np.lexsort((np.arange(n), deg)).astype(np.int64)
    else:
        raise ValueError(f"unknown order method {method!r}")
    if len(out) != n or not np.array_equal(np.sort(out), np.arange(n)):
        raise ValueError("the order is not a permutation of the nodes")
    return out


def _bisection_order(
    n: int, lo: np.ndarray, hi: np.ndarray, lat: np.ndarray, lon: np.ndarray, leaf: int = 64
) -> np.ndarray:
    """Nested dissection by recursive median cuts of the coordinates (along the longer
    side): the separator is the endpoints, on the smaller side, of the edges that cross the
    cut, ordered after both halves. Coarser than inertial flow, but numpy only."""
    x = lon * np.cos(np.radians(np.clip(lat, -89.0, 89.0)))
    y = lat
    deg = np.bincount(np.concatenate([lo, hi]), minlength=n)
    side = np.zeros(n, dtype=np.int8)
    order: list[np.ndarray] = []
    # (nodes, internal edges lo, hi) to split, or (separator, None, None) to emit
    stack: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = [
        (np.arange(n, dtype=np.int64), lo, hi)
    ]
    while stack:
        nodes, el, eh = stack.pop()
        if el is None or eh is None:
            order.append(nodes)
            continue
        if len(nodes) <= leaf or not len(el):
            order.append(nodes[np.lexsort((nodes, deg[nodes]))])
            continue
        xs, ys = x[nodes], y[nodes]
        coord = xs if np.ptp(xs) >= np.ptp(ys) else ys
        left = np.zeros(len(nodes), dtype=bool)
        left[np.argsort(coord, kind="stable")[: len(nodes) // 2]] = True
        side[nodes] = 2
        side[nodes[left]] = 1
        cross = side[el] != side[eh]
        small = 1 if left.sum() <= (~left).sum() else 2
        ends = np.concatenate([el[cross], eh[cross]])
        sep = np.unique(ends[side[ends] == small])
        side[sep] = 0
        parts = []
        for s_id in (1, 2):
            keep = (side[el] == s_id) & (side[eh] == s_id)
            parts.append((nodes[side[nodes] == s_id], el[keep], eh[keep]))
        side[nodes] = 0
        stack.append((sep, None, None))
        stack.append(parts[1])
        stack.append(parts[0])
    return np.concatenate(order).astype(np.int64)


def _contract(
    n: int, tails: np.ndarray, heads: np.ndarray, order: np.ndarray
) -> dict[str, np.ndarray]:
    """Symbolic elimination in rank order: the arcs of the chordal supergraph, the
    elimination tree, heights, triangles and the edge-to-arc map."""
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    lo, hi = _skeleton(n, rank[tails], rank[heads])
    up: list[set[int]] = [set() for _ in range(n)]
    for a, b in zip(lo.tolist(), hi.tolist()):
        up[a].add(b)
    parent = [-1] * n
    for r in range(n):
        u = up[r]
        if u:
            p = min(u)
            parent[r] = p
            if len(u) > 1:
                q = up[p]
                q.update(u)
                q.discard(p)
    counts = np.fromiter((len(u) for u in up), dtype=np.int64, count=n)
    first_out = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=first_out[1:])
    arc_high = np.fromiter(
        (x for u in up for x in sorted(u)), dtype=np.int64, count=int(first_out[-1])
    )
    del up
    arc_low = np.repeat(np.arange(n, dtype=np.int64), counts)
    parent_a = np.asarray(parent, dtype=np.int64)
    # heights in the elimination tree: a child always has a lower rank than its parent
    height = [0] * n
    for r in range(n):
        p = parent[r]
        if p >= 0 and height[p] < height[r] + 1:
            height[p] = height[r] + 1
    height_a = np.asarray(height, dtype=np.int64)
    # triangles: for every rank z, every pair x < y of its upper neighbours
    keys = arc_low * n + arc_high
    zx_l, zy_l = [], []
    for k in np.unique(counts[counts >= 2]).tolist():
        zs = np.flatnonzero(counts == k)
        i, j = np.triu_indices(k, 1)
        base = first_out[zs][:, None]
        zx_l.append((base + i).ravel())
        zy_l.append((base + j).ravel())
    if zx_l:
        zx = np.concatenate(zx_l)
        zy = np.concatenate(zy_l)
        xy = np.searchsorted(keys, arc_high[zx] * n + arc_high[zy])
        lvl = height_a[arc_low[zx]]
        srt = np.lexsort((xy, lvl))
        zx, zy, xy, lvl = zx[srt], zy[srt], xy[srt], lvl[srt]
        tri_ptr = np.searchsorted(lvl, np.arange(int(height_a.max()) + 2))
    else:
        zx = zy = xy = np.zeros(0, dtype=np.int64)
        tri_ptr = np.zeros(int(height_a.max(initial=0)) + 2, dtype=np.int64)
    # original edges -> arcs
    rt, rh = rank[tails], rank[heads]
    loop = rt == rh
    e_lo, e_hi = np.minimum(rt, rh), np.maximum(rt, rh)
    edge_arc = np.where(loop, -1, np.searchsorted(keys, e_lo * n + e_hi))
    small = np.int32 if max(len(keys), n) < 2**31 - 1 else np.int64
    return {
        "order": order,
        "rank": rank,
        "arc_low": arc_low.astype(small),
        "arc_high": arc_high.astype(small),
        "first_out": first_out,
        "parent": parent_a,
        "height": height_a,
        "tri_zx": zx.astype(small),
        "tri_zy": zy.astype(small),
        "tri_xy": xy.astype(small),
        "tri_level_ptr": tri_ptr,
        "edge_arc": edge_arc.astype(np.int64),
        "edge_up": rt < rh,
    }
