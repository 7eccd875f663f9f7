"""Customizable contraction hierarchies (CCH) on plain arrays, in float64, exact.

One topology, many metrics: :meth:`CCH.build` orders the nodes and contracts the graph once
(it depends only on ``n_nodes, tails, heads``; cacheable on disk by a hash of them);
:meth:`CCH.customize` turns any float64 weight vector (``inf`` = edge removed) into a
:class:`Metric` in a few vectorised passes; a metric answers :meth:`Metric.query` (distance and
the original edges of one shortest path), :meth:`Metric.one_to_all` (every node's distance, the
``dist`` that the engine's tie-breaking search takes), :meth:`Metric.many_to_all` and
:meth:`Metric.matrix` (many-to-many distances).

Why our own customization and queries, and not the C++ ones of RoutingKit: RoutingKit's CCH
(and both of its Python bindings on PyPI, ``routingkit-cch`` and ``pyroutingkit``) stores
weights as 32-bit unsigned integers, with ``2**31 - 1`` meaning infinity. The engine's weights
are float64 on a ``2**-20`` grid (``graph.on_grid``) of up to thousands of USD per edge, that
is integers up to about ``2**33`` per edge, so no 32-bit metric can hold them exactly. The
expensive, weight-independent part (the nested-dissection order) is taken from RoutingKit
through ``routingkit-cch`` when that package is installed (inertial flow on node
coordinates, or its degree order without coordinates); without it a small recursive
coordinate bisection of our own is used. Everything else works on numpy arrays:

* contraction (symbolic elimination): the upward arcs of the chordal supergraph, in rank space;
  every arc ``(low, high)`` has a forward weight (``low -> high``) and a backward weight
  (``high -> low``); the lower triangles of each arc are listed once;
* customization: the lower triangles grouped by the elimination-tree height of their lowest
  node, one ``minimum.reduceat`` per height (all triangles of one height are independent);
* queries: the upward search space of a node is its chain of ancestors in the elimination tree
  (no priority queue); one-to-all and many-to-all add a downward sweep by height (PHAST).

Exactness: every distance is a minimum over sums of the same float64 edge weights. When the
weights lie on a dyadic grid whose path sums stay exact (``graph.on_grid``: multiples of
``2**-20`` with totals below ``2**32``), any order of addition gives the same float, so the
distances equal :func:`scipy.sparse.csgraph.dijkstra`'s bit for bit. For arbitrary floats the
distances may differ from csgraph's in the last bits (csgraph adds along the path left to
right; a shortcut adds its halves); :meth:`Metric.query` then reports the left-to-right sum
along the path it found.

Ties: the engine breaks ties lexicographically (objective, then a second criterion, then
transfers, then a stable order). This module does not; it yields exact distances, and the
engine keeps its exact tie-breaking search on the tight edges: ``graph.search(topo, weight,
[mask], s, t, dist=metric.one_to_all(s), tie=...)`` runs the same lexicographic Dijkstra on
the edges with ``dist[u] + w == dist[v]`` that lie on a tight path to the target, so the path
is the one of the csgraph backend, bit for bit (same ``dist`` array, same tight set).

Only numpy, scipy and the standard library are imported (and ``routingkit_cch``, optional).
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CCH", "Metric", "topology_hash", "compute_order", "have_routingkit"]

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


def topology_hash(n_nodes: int, tails: Any, heads: Any, latitude: Any = None,
                  longitude: Any = None) -> str:
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


def compute_order(n_nodes: int, tails: Any, heads: Any, latitude: Any = None,
                  longitude: Any = None, *, method: str = "auto") -> np.ndarray:
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
        method = ("inertial" if rk and coords else "bisection" if coords
                  else "degree" if rk else "plain-degree")
    lo, hi = _skeleton(n, t, h)
    if method in ("inertial", "degree"):
        import routingkit_cch as rk_mod

        sym_t = np.concatenate([lo, hi]).tolist()
        sym_h = np.concatenate([hi, lo]).tolist()
        if method == "inertial":
            if not coords:
                raise ValueError("the inertial order needs latitude and longitude")
            order = rk_mod.compute_order_inertial(
                n, sym_t, sym_h, np.asarray(latitude, dtype=float).tolist(),
                np.asarray(longitude, dtype=float).tolist())
        else:
            order = rk_mod.compute_order_degree(n, sym_t, sym_h)
        out = np.asarray(order, dtype=np.int64)
    elif method == "bisection":
        if not coords:
            raise ValueError("the bisection order needs latitude and longitude")
        out = _bisection_order(n, lo, hi, np.asarray(latitude, dtype=float),
                               np.asarray(longitude, dtype=float))
    elif method == "plain-degree":
        deg = np.bincount(np.concatenate([lo, hi]), minlength=n)
        out = np.lexsort((np.arange(n), deg)).astype(np.int64)
    else:
        raise ValueError(f"unknown order method {method!r}")
    if len(out) != n or not np.array_equal(np.sort(out), np.arange(n)):
        raise ValueError("the order is not a permutation of the nodes")
    return out


def _bisection_order(n: int, lo: np.ndarray, hi: np.ndarray, lat: np.ndarray,
                     lon: np.ndarray, leaf: int = 64) -> np.ndarray:
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
        (np.arange(n, dtype=np.int64), lo, hi)]
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


@dataclass
class CCH:
    """The metric-independent part: order, chordal supergraph, triangles, levels.

    Arcs are in rank space, sorted by (low rank, high rank): arc ``a`` joins ranks
    ``arc_low[a] < arc_high[a]``; ``first_out[r]:first_out[r + 1]`` are the arcs of rank
    ``r`` to its upper neighbours, which are all its ancestors in the elimination tree
    (``parent[r]``, ``-1`` at a root).
    """

    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    order: np.ndarray  # rank -> node
    rank: np.ndarray  # node -> rank
    arc_low: np.ndarray
    arc_high: np.ndarray
    first_out: np.ndarray
    parent: np.ndarray
    height: np.ndarray  # elimination-tree height of each rank (leaves 0)
    # customization: triangles (arc zx, arc zy, arc xy) sorted by (height of z, arc xy)
    tri_zx: np.ndarray
    tri_zy: np.ndarray
    tri_xy: np.ndarray
    tri_level_ptr: np.ndarray  # triangles of height h: tri_level_ptr[h]:tri_level_ptr[h + 1]
    # original edges per arc direction (for the customization's first step and unpacking)
    edge_arc: np.ndarray  # arc of each edge (-1 for a loop)
    edge_up: np.ndarray  # bool: tail has the lower rank
    key: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(cls, n_nodes: int, tails: Any, heads: Any, *, latitude: Any = None,
              longitude: Any = None, order: Any = None, method: str = "auto",
              cache_dir: str | os.PathLike[str] | None = None) -> CCH:
        """Order (unless ``order`` is given) and contract the graph of ``n_nodes`` nodes and
        edges ``tails[i] -> heads[i]``. With ``cache_dir``, the result is read from (or
        written to) ``cache_dir/cch-<topology hash>.npz``, so the ordering is paid once per
        topology, not per session."""
        import time

        n = int(n_nodes)
        t = _as_index(tails, "tails", n)
        h = _as_index(heads, "heads", n)
        if len(t) != len(h):
            raise ValueError("tails and heads differ in length")
        key = topology_hash(n, t, h, latitude, longitude) + (
            f"-{method}" if order is None else "-given")
        path = Path(cache_dir) / f"cch-{key}.npz" if cache_dir is not None else None
        if path is not None and path.exists():
            t0 = time.perf_counter()
            with np.load(path) as z:
                arrays = {k: z[k] for k in z.files}
            out = cls(n_nodes=n, tails=t, heads=h, key=key, **arrays)  # type: ignore[arg-type]
            out.timings["load_s"] = time.perf_counter() - t0
            return out
        t0 = time.perf_counter()
        if order is None:
            order_a = compute_order(n, t, h, latitude, longitude, method=method)
        else:
            order_a = _as_index(order, "order", n)
            if len(order_a) != n or not np.array_equal(np.sort(order_a), np.arange(n)):
                raise ValueError("order is not a permutation of the nodes")
        t1 = time.perf_counter()
        arrays = _contract(n, t, h, order_a)
        t2 = time.perf_counter()
        out = cls(n_nodes=n, tails=t, heads=h, key=key, **arrays)  # type: ignore[arg-type]
        out.timings.update(order_s=t1 - t0, contract_s=t2 - t1)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
            os.close(fd)
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
            os.replace(tmp, path)  # atomic: a reader never sees half a file
        return out

    @property
    def n_arcs(self) -> int:
        return len(self.arc_low)

    @property
    def n_triangles(self) -> int:
        return len(self.tri_xy)

    def _get(self, name: str) -> Any:
        hit = self._derived.get(name)
        if hit is None:
            hit = self._derived[name] = _DERIVED[name](self)
        return hit

    def ancestors(self, r: int) -> list[int]:
        """Ranks on the elimination-tree path from rank ``r`` to its root, ``r`` first."""
        parent = self._get("parent_list")
        out = [r]
        p = parent[r]
        while p >= 0:
            out.append(p)
            p = parent[p]
        return out

    # ------------------------------------------------------------------ customization
    def customize(self, weights: Any) -> Metric:
        """The metric of one float64 weight per edge (``inf``: the edge is removed; weights
        must be non-negative, NaN is refused)."""
        w = np.asarray(weights, dtype=np.float64).ravel()
        if len(w) != len(self.tails):
            raise ValueError(f"need {len(self.tails)} weights, got {len(w)}")
        if np.isnan(w).any() or (w < 0).any():
            raise ValueError("weights must be non-negative (inf removes an edge), not NaN")
        fw, bw = self._initial(w)
        _customize_in_place(self, fw, bw)
        return Metric(self, w, fw, bw)

    def _initial(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each arc direction's least original weight (inf where no edge)."""
        order, starts, slot = self._get("edge_groups")
        m = self.n_arcs
        both = np.full(2 * m, np.inf)
        if len(order):
            both[slot] = np.minimum.reduceat(w[order], starts)
        return both[:m].copy(), both[m:].copy()


def _contract(n: int, tails: np.ndarray, heads: np.ndarray, order: np.ndarray
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
    arc_high = np.fromiter((x for u in up for x in sorted(u)), dtype=np.int64,
                           count=int(first_out[-1]))
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
    return {"order": order, "rank": rank, "arc_low": arc_low.astype(small),
            "arc_high": arc_high.astype(small), "first_out": first_out, "parent": parent_a,
            "height": height_a, "tri_zx": zx.astype(small), "tri_zy": zy.astype(small),
            "tri_xy": xy.astype(small), "tri_level_ptr": tri_ptr,
            "edge_arc": edge_arc.astype(np.int64), "edge_up": rt < rh}


def _edge_groups(c: CCH) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges sorted by (arc direction slot, edge), group starts, and each group's slot
    (``arc`` for up, ``n_arcs + arc`` for down)."""
    ok = c.edge_arc >= 0
    slot_e = np.where(c.edge_up, c.edge_arc, c.n_arcs + c.edge_arc)
    e = np.flatnonzero(ok)
    e = e[np.argsort(slot_e[e], kind="stable")]
    s = slot_e[e]
    if not len(e):
        return e, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.append(True, s[1:] != s[:-1]))
    return e, starts, s[starts]


def _triangles_by_arc(c: CCH) -> tuple[np.ndarray, np.ndarray]:
    """Triangles sorted by arc xy (stable) and, per arc, the slice pointer."""
    by = np.argsort(c.tri_xy, kind="stable")
    ptr = np.zeros(c.n_arcs + 1, dtype=np.int64)
    np.cumsum(np.bincount(c.tri_xy, minlength=c.n_arcs), out=ptr[1:])
    return by, ptr


def _down_sweep(c: CCH) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per height, from the top: (ranks with arcs, their arcs in low order, reduceat
    starts, the arcs' high ends) for the downward sweep of PHAST."""
    counts = np.diff(c.first_out)
    has = np.flatnonzero(counts > 0)
    lv = c.height[has]
    srt = np.lexsort((has, -lv))
    has, lv = has[srt], lv[srt]
    out = []
    bounds: list[int] = (np.flatnonzero(np.append(True, lv[1:] != lv[:-1])).tolist()
                         if len(lv) else [])
    bounds.append(len(has))
    for a, b in zip(bounds[:-1], bounds[1:]):
        nodes = has[a:b]
        cnt = counts[nodes]
        st = np.zeros(len(nodes), dtype=np.int64)
        np.cumsum(cnt[:-1], out=st[1:])
        arcs = (np.repeat(c.first_out[nodes] - st, cnt)
                + np.arange(int(cnt.sum()), dtype=np.int64))
        out.append((nodes, arcs, st, c.arc_high[arcs].astype(np.int64)))
    return out


_DERIVED: dict[str, Any] = {
    "edge_groups": _edge_groups,
    "tri_by_arc": _triangles_by_arc,
    "down_sweep": _down_sweep,
    "parent_list": lambda c: c.parent.tolist(),
    "first_list": lambda c: c.first_out.tolist(),
    "edge_tail_rank": lambda c: c.rank[c.tails],
}


def _customize_in_place(c: CCH, fw: np.ndarray, bw: np.ndarray) -> None:
    """Basic customization: for every lower triangle (z; x, y), height of z ascending,
    ``fw[xy] = min(fw[xy], bw[zx] + fw[zy])`` and ``bw[xy] = min(bw[xy], bw[zy] + fw[zx])``;
    triangles whose lowest node has the same height read only final arcs and are reduced
    together."""
    ptr = c.tri_level_ptr
    zx_all, zy_all, xy_all = c.tri_zx, c.tri_zy, c.tri_xy
    for lvl in range(len(ptr) - 1):
        a, b = int(ptr[lvl]), int(ptr[lvl + 1])
        if a == b:
            continue
        zx, zy, xy = zx_all[a:b], zy_all[a:b], xy_all[a:b]
        starts = np.flatnonzero(np.append(True, xy[1:] != xy[:-1]))
        targets = xy[starts]
        f = np.minimum.reduceat(bw[zx] + fw[zy], starts)
        g = np.minimum.reduceat(bw[zy] + fw[zx], starts)
        np.minimum(fw[targets], f, out=f)
        np.minimum(bw[targets], g, out=g)
        fw[targets] = f
        bw[targets] = g


@dataclass
class Metric:
    """A customized CCH: ``fw[a]`` / ``bw[a]`` are the least weights from the low end of arc
    ``a`` to its high end / back, over paths through lower ranks only."""

    cch: CCH
    weights: np.ndarray
    fw: np.ndarray
    bw: np.ndarray

    def update(self, weights: Any) -> None:
        """Re-customize in place for a new weight vector (same topology)."""
        m = self.cch.customize(weights)
        self.weights, self.fw, self.bw = m.weights, m.fw, m.bw

    # ------------------------------------------------------------------ point to point
    def _upward(self, r: int, arc_w: np.ndarray) -> tuple[list[int], dict[int, float],
                                                           dict[int, int]]:
        """Distances from rank ``r`` over its ancestors along upward arcs of weight
        ``arc_w`` (fw for a source, bw for a target), and the arc that reached each."""
        c = self.cch
        first = c._get("first_list")
        anc = c.ancestors(r)
        dist = {r: 0.0}
        pred: dict[int, int] = {}
        high = c.arc_high
        for v in anc:
            dv = dist.get(v, math.inf)
            if dv == math.inf:
                continue
            a, b = first[v], first[v + 1]
            if a == b:
                continue
            cand = (dv + arc_w[a:b]).tolist()
            for i, (u, x) in enumerate(zip(high[a:b].tolist(), cand)):
                if x < dist.get(u, math.inf):
                    dist[u] = x
                    pred[u] = a + i
        return anc, dist, pred

    def distance(self, source: int, target: int) -> float:
        """The least weight from node ``source`` to node ``target`` (inf: no path)."""
        return self.query(source, target, path=False)[0]

    def query(self, source: int, target: int, *, path: bool = True
              ) -> tuple[float, np.ndarray]:
        """The least weight from ``source`` to ``target`` and the original edges of one
        least-weight path, in order (``(inf, [])`` when there is none; ``(0.0, [])`` for
        ``source == target``). The distance is summed left to right along the path."""
        c = self.cch
        s, t = int(c.rank[source]), int(c.rank[target])
        if s == t:
            return 0.0, np.zeros(0, dtype=np.int64)
        anc_s, df, pf = self._upward(s, self.fw)
        anc_t, db, pb = self._upward(t, self.bw)
        best, meet = math.inf, -1
        common = set(anc_s).intersection(anc_t)
        for v in anc_s:  # ascending rank: the lowest meeting node wins ties
            if v in common:
                x = df.get(v, math.inf) + db.get(v, math.inf)
                if x < best:
                    best, meet = x, v
        if meet < 0:
            return math.inf, np.zeros(0, dtype=np.int64)
        if not path:
            return best, np.zeros(0, dtype=np.int64)
        low = c.arc_low
        up_arcs: list[int] = []
        v = meet
        while v != s:
            a = pf[v]
            up_arcs.append(a)
            v = int(low[a])
        up_arcs.reverse()
        edges: list[int] = []
        for a in up_arcs:
            self._unpack(a, True, edges)
        v = meet
        while v != t:
            a = pb[v]
            self._unpack(a, False, edges)
            v = int(low[a])
        out = np.asarray(edges, dtype=np.int64)
        total = 0.0
        for x in self.weights[out].tolist():
            total += x
        return total, out

    def _unpack(self, arc: int, forward: bool, out: list[int]) -> None:
        """Append the original edges of arc ``arc`` (low -> high if ``forward``)."""
        c = self.cch
        stack = [(arc, forward)]
        e_order, starts, slot = c._get("edge_groups")
        by, ptr = c._get("tri_by_arc")
        m = c.n_arcs
        while stack:
            a, fwd = stack.pop()
            want = self.fw[a] if fwd else self.bw[a]
            s_id = a if fwd else m + a
            g = int(np.searchsorted(slot, s_id))
            if g < len(slot) and slot[g] == s_id:
                lo_i = int(starts[g])
                hi_i = int(starts[g + 1]) if g + 1 < len(starts) else len(e_order)
                es = e_order[lo_i:hi_i]
                hit = es[self.weights[es] == want]
                if len(hit):
                    out.append(int(hit.min()))
                    continue
            tri = by[ptr[a]:ptr[a + 1]]
            zx, zy = c.tri_zx[tri], c.tri_zy[tri]
            if fwd:  # low x -> z -> high y: bw[zx] then fw[zy]
                ok = np.flatnonzero(self.bw[zx] + self.fw[zy] == want)
                i = int(ok[0])
                stack.append((int(zy[i]), True))
                stack.append((int(zx[i]), False))
            else:  # high y -> z -> low x: bw[zy] then fw[zx]
                ok = np.flatnonzero(self.bw[zy] + self.fw[zx] == want)
                i = int(ok[0])
                stack.append((int(zx[i]), True))
                stack.append((int(zy[i]), False))

    # ------------------------------------------------------------------ one / many to all
    def one_to_all(self, source: int) -> np.ndarray:
        """The least weight from ``source`` to every node (inf where unreachable), indexed by
        node: the ``dist`` array ``graph.search`` and the skims take from csgraph."""
        return self.many_to_all([source])[0]

    def many_to_all(self, sources: Any) -> np.ndarray:
        """``out[i, v]``: the least weight from ``sources[i]`` to node ``v`` (PHAST: upward
        search from each source, then one downward sweep by height for all of them)."""
        c = self.cch
        src = _as_index(sources, "sources", c.n_nodes)
        k = len(src)
        d = np.full((c.n_nodes, k), np.inf)
        self._up_sweep(c.rank[src], self.fw, d)
        for nodes, arcs, st, high in c._get("down_sweep"):
            cand = np.minimum.reduceat(d[high] + self.bw[arcs][:, None], st, axis=0)
            d[nodes] = np.minimum(d[nodes], cand)
        return np.ascontiguousarray(d[c.rank].T)

    def _up_sweep(self, ranks: np.ndarray, arc_w: np.ndarray, d: np.ndarray,
                  loc: np.ndarray | None = None) -> None:
        """Batched upward search: column ``i`` of ``d`` gets the distances from ``ranks[i]``
        (along ``arc_w``) to its ancestors; ``d`` is indexed by rank, or by ``loc[rank]``."""
        c = self.cch
        k = len(ranks)
        cols = np.arange(k)
        where = ranks if loc is None else loc[ranks]
        d[where, cols] = 0.0
        union = self._ancestor_union(ranks)
        if not len(union):
            return
        first = c.first_out
        lv = c.height[union]
        srt = np.lexsort((union, lv))
        union, lv = union[srt], lv[srt]
        cut = np.flatnonzero(np.append(True, lv[1:] != lv[:-1]))
        cut = np.append(cut, len(union))
        for a, b in zip(cut[:-1].tolist(), cut[1:].tolist()):
            nodes = union[a:b]
            cnt = first[nodes + 1] - first[nodes]
            keep = cnt > 0
            nodes, cnt = nodes[keep], cnt[keep]
            if not len(nodes):
                continue
            st = np.zeros(len(nodes), dtype=np.int64)
            np.cumsum(cnt[:-1], out=st[1:])
            arcs = np.repeat(first[nodes] - st, cnt) + np.arange(int(cnt.sum()))
            tail = np.repeat(nodes, cnt)
            high = c.arc_high[arcs].astype(np.int64)
            if loc is not None:
                tail, high = loc[tail], loc[high]
            cand = d[tail] + arc_w[arcs][:, None]
            if len(nodes) > 1:  # several tails may reach the same high node
                o = np.argsort(high, kind="stable")
                high, cand = high[o], cand[o]
                s2 = np.flatnonzero(np.append(True, high[1:] != high[:-1]))
                cand = np.minimum.reduceat(cand, s2, axis=0)
                high = high[s2]
            d[high] = np.minimum(d[high], cand)

    def _ancestor_union(self, ranks: np.ndarray) -> np.ndarray:
        parent = self.cch._get("parent_list")
        seen: set[int] = set()
        for r in ranks.tolist():
            while r >= 0 and r not in seen:
                seen.add(r)
                r = parent[r]
        return np.fromiter(seen, dtype=np.int64, count=len(seen))

    def matrix(self, sources: Any, targets: Any) -> np.ndarray:
        """``out[i, j]``: the least weight from ``sources[i]`` to ``targets[j]`` (inf: no
        path). Batched upward searches from all sources (forward) and all targets
        (backward) over the union of their ancestors, then a min-plus join over the common
        ancestors."""
        c = self.cch
        src = c.rank[_as_index(sources, "sources", c.n_nodes)]
        dst = c.rank[_as_index(targets, "targets", c.n_nodes)]
        us, ut = self._ancestor_union(src), self._ancestor_union(dst)
        loc = np.full(c.n_nodes, -1, dtype=np.int64)
        loc[us] = np.arange(len(us))
        f = np.full((len(us), len(src)), np.inf)
        self._up_sweep(src, self.fw, f, loc)
        f_all = (loc, f)
        loc2 = np.full(c.n_nodes, -1, dtype=np.int64)
        loc2[ut] = np.arange(len(ut))
        g = np.full((len(ut), len(dst)), np.inf)
        self._up_sweep(dst, self.bw, g, loc2)
        common = np.intersect1d(us, ut)
        fc = f_all[1][f_all[0][common]]
        gc = g[loc2[common]]
        out = np.full((len(src), len(dst)), np.inf)
        if not len(common):
            return out
        # only rows reachable somewhere matter: drop common nodes no source reaches
        live = np.isfinite(fc).any(axis=1) & np.isfinite(gc).any(axis=1)
        fc, gc = fc[live], gc[live]
        step = max(1, 2_000_000 // max(1, len(src) * len(dst)))
        for a in range(0, len(fc), step):
            blk = (fc[a:a + step, :, None] + gc[a:a + step, None, :]).min(axis=0)
            np.minimum(out, blk, out=out)
        return out
