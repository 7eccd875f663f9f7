"""Customizable contraction hierarchies (CCH) on plain arrays, in float64, exact.

One topology, many metrics: :meth:`CCH.build` orders the nodes and contracts the graph once
(it depends only on ``n_nodes, tails, heads``; cacheable on disk by a hash of them);
:meth:`CCH.customize` turns any float64 weight vector (``inf`` = edge removed) into a
:class:`Metric` in a few vectorised passes; a metric answers :meth:`Metric.query` (distance and
the original edges of one shortest path), :meth:`Metric.one_to_all` (every node's distance, the
``dist`` that the engine's tie-breaking search takes), :meth:`Metric.many_to_all` and
:meth:`Metric.matrix` (many-to-many distances). A scenario is a fork and a weight update:
``metric.copy().update(new_weights)`` re-customizes only the arcs that depend on the changed
edges (on large hierarchies; a full customization on small ones).

Why our own customization and queries, and not the C++ ones of RoutingKit: RoutingKit's CCH
(and both of its Python bindings on PyPI, ``routingkit-cch`` and ``pyroutingkit``) stores
weights as 32-bit unsigned integers, with ``2**31 - 1`` meaning infinity. The engine's weights
are float64 on a ``2**-20`` grid (``graph.on_grid``) of up to thousands of USD per edge, that
is integers up to about ``2**33`` per edge (7.5e9 on the bundled network), so no 32-bit metric can hold them exactly. The
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

The ordering and the contraction live in :mod:`corridors.engine.cch_order`; their public
names (:func:`compute_order`, :func:`topology_hash`, :func:`have_routingkit`) import from here.

Only numpy, scipy and the standard library are imported (and ``routingkit_cch``, optional).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_path
from .cch_order import (
    _as_index,
    _contract,
    compute_order,
    have_routingkit,
    topology_hash,
)

__all__ = ["CCH", "Metric", "topology_hash", "compute_order", "have_routingkit"]


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
    def build(
        cls,
        n_nodes: int,
        tails: Any,
        heads: Any,
        *,
        latitude: Any = None,
        longitude: Any = None,
        order: Any = None,
        method: str = "auto",
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> CCH:
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
            f"-{method}" if order is None else "-given"
        )
        path = Path(cache_dir) / f"cch-{key}.npz" if cache_dir is not None else None
        if path is not None and path.exists():
            t0 = time.perf_counter()
            arrays = _read_cache(path)
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
            t3 = time.perf_counter()
            # atomic (corridors._atomic): a reader, or another session writing the same
            # topology, never sees half a file
            with atomic_path(path, make_parents=True) as tmp:
                with open(tmp, "xb") as fh:
                    np.savez(fh, **arrays)  # type: ignore[arg-type]
            out.timings["write_s"] = time.perf_counter() - t3
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
        table = self._initial(w)
        _customize_in_place(self, table)
        return Metric(self, w, table)

    def _initial(self, w: np.ndarray) -> np.ndarray:
        """``(n_arcs, 2)``: each arc direction's least original weight (column 0 low ->
        high, column 1 high -> low; inf where no edge)."""
        order, starts, slot = self._get("edge_groups")
        m = self.n_arcs
        both = np.full(2 * m, np.inf)
        if len(order):
            both[slot] = np.minimum.reduceat(w[order], starts)
        return np.ascontiguousarray(both.reshape(2, m).T)


_CACHE_FIELDS = (
    "order",
    "rank",
    "arc_low",
    "arc_high",
    "first_out",
    "parent",
    "height",
    "tri_zx",
    "tri_zy",
    "tri_xy",
    "tri_level_ptr",
    "edge_arc",
    "edge_up",
)


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    """The arrays of a cache file written by :meth:`CCH.build`; an unreadable or incomplete
    file is an error that names it (it is never silently rebuilt over)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as err:
        raise ValueError(
            f"CCH cache file {path} cannot be read ({err}); delete it and it will be rebuilt"
        ) from err
    missing = sorted(set(_CACHE_FIELDS) - set(arrays))
    if missing:
        raise ValueError(
            f"CCH cache file {path} lacks {', '.join(missing)}; delete it and it will be rebuilt"
        )
    return {k: arrays[k] for k in _CACHE_FIELDS}


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


def _slot_edges(c: CCH) -> tuple[np.ndarray, np.ndarray]:
    """Edges by arc direction slot (``arc`` up, ``n_arcs + arc`` down) and the slot
    pointer: the edges of slot ``k`` are ``edges[ptr[k]:ptr[k + 1]]``."""
    e_order, _, _ = c._get("edge_groups")
    slot_e = np.where(c.edge_up, c.edge_arc, c.n_arcs + c.edge_arc)[e_order]
    ptr = np.zeros(2 * c.n_arcs + 1, dtype=np.int64)
    np.cumsum(np.bincount(slot_e, minlength=2 * c.n_arcs), out=ptr[1:])
    return e_order, ptr


def _triangles_by_arc(c: CCH) -> tuple[np.ndarray, np.ndarray]:
    """Triangles sorted by arc xy (stable) and, per arc, the slice pointer."""
    by = np.argsort(c.tri_xy, kind="stable")
    ptr = np.zeros(c.n_arcs + 1, dtype=np.int64)
    np.cumsum(np.bincount(c.tri_xy, minlength=c.n_arcs), out=ptr[1:])
    return by, ptr


def _down_sweep(
    c: CCH,
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, np.ndarray, np.ndarray]]]:
    """PHAST's downward sweep: all arcs in sweep order (heights from the top, then rank),
    their high ends, and per height (slice start, end, the ranks, their reduceat starts)."""
    counts = np.diff(c.first_out)
    has = np.flatnonzero(counts > 0)
    lv = c.height[has]
    srt = np.lexsort((has, -lv))
    has, lv = has[srt], lv[srt]
    cnt = counts[has]
    st_all = np.cumsum(cnt) - cnt
    perm = np.repeat(c.first_out[has] - st_all, cnt) + np.arange(int(cnt.sum()))
    bounds: list[int] = (
        np.flatnonzero(np.append(True, lv[1:] != lv[:-1])).tolist() if len(lv) else []
    )
    bounds.append(len(has))
    sweeps = []
    for i, j in zip(bounds[:-1], bounds[1:]):
        a = int(st_all[i])
        b = int(st_all[j]) if j < len(has) else len(perm)
        sweeps.append((a, b, has[i:j], st_all[i:j] - a))
    return perm, c.arc_high[perm].astype(np.int64), sweeps


def _level_starts(c: CCH) -> list[tuple[int, int, np.ndarray, np.ndarray]]:
    """Per height of the lowest node: the triangle slice, the reduceat starts (triangles are
    sorted by arc xy within a height) and the arcs xy they update."""
    out = []
    ptr = c.tri_level_ptr
    for lvl in range(len(ptr) - 1):
        a, b = int(ptr[lvl]), int(ptr[lvl + 1])
        if a == b:
            continue
        xy = c.tri_xy[a:b]
        st = np.flatnonzero(np.append(True, xy[1:] != xy[:-1]))
        out.append((a, b, st, xy[st].astype(np.int64)))
    return out


def _customize_in_place(c: CCH, table: np.ndarray) -> None:
    """Basic customization of ``table`` (``(n_arcs, 2)``: forward, backward): for every
    lower triangle (z; x, y), height of z ascending, ``fw[xy] = min(fw[xy], bw[zx] +
    fw[zy])`` and ``bw[xy] = min(bw[xy], bw[zy] + fw[zx])``; the triangles whose lowest node
    has one height read only final arcs and are reduced together."""
    zx_all, zy_all = c.tri_zx, c.tri_zy
    for a, b, st, targets in c._get("level_starts"):
        lo = table.take(zx_all[a:b], axis=0)
        hi = table.take(zy_all[a:b], axis=0)
        f = np.minimum.reduceat(lo[:, 1] + hi[:, 0], st)
        g = np.minimum.reduceat(hi[:, 1] + lo[:, 0], st)
        cur = table.take(targets, axis=0)
        np.minimum(cur[:, 0], f, out=f)
        np.minimum(cur[:, 1], g, out=g)
        table[targets, 0] = f
        table[targets, 1] = g


def _arcs_by_height(c: CCH) -> tuple[np.ndarray, np.ndarray]:
    """Arcs sorted by the height of their low end, and the slice pointer per height."""
    h = c.height[c.arc_low]
    by = np.argsort(h, kind="stable")
    ptr = np.searchsorted(h[by], np.arange(int(c.height.max(initial=0)) + 2))
    return by, ptr


def _uses(c: CCH) -> tuple[np.ndarray, np.ndarray]:
    """For every arc, the arcs xy of the triangles in which it is zx or zy (CSR)."""
    src = np.concatenate([c.tri_zx, c.tri_zy]).astype(np.int64)
    dst = np.concatenate([c.tri_xy, c.tri_xy]).astype(np.int64)
    by = np.argsort(src, kind="stable")
    ptr = np.zeros(c.n_arcs + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=c.n_arcs), out=ptr[1:])
    return dst[by], ptr


def _expand(ptr: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions ``ptr[i]:ptr[i + 1]`` of every item, concatenated; counts; starts."""
    cnt = ptr[items + 1] - ptr[items]
    st = np.cumsum(cnt) - cnt
    return np.repeat(ptr[items] - st, cnt) + np.arange(int(cnt.sum())), cnt, st


_DERIVED: dict[str, Any] = {
    "edge_groups": _edge_groups,
    "slot_edges": _slot_edges,
    "arc_height": lambda c: c.height[c.arc_low],
    "level_starts": _level_starts,
    "arcs_by_height": _arcs_by_height,
    "uses": _uses,
    "tri_by_arc": _triangles_by_arc,
    "down_sweep": _down_sweep,
    "parent_list": lambda c: c.parent.tolist(),
    "first_list": lambda c: c.first_out.tolist(),
    "arc_keys": lambda c: c.arc_low.astype(np.int64) * c.n_nodes + c.arc_high,
}


@dataclass
class Metric:
    """A customized CCH: ``fw[a]`` / ``bw[a]`` are the least weights from the low end of arc
    ``a`` to its high end / back, over paths through lower ranks only."""

    cch: CCH
    weights: np.ndarray
    table: np.ndarray  # (n_arcs, 2): fw, bw
    _orig: Any = field(default=None, repr=False)  # (weights, best_w, best_e) of _originals
    #: what callers derive from the table (e.g. path counts), dropped when it changes
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def fw(self) -> np.ndarray:
        return self.table[:, 0]

    @property
    def bw(self) -> np.ndarray:
        return self.table[:, 1]

    def copy(self) -> Metric:
        """An independent metric with the same weights (to fork a scenario, then update)."""
        return Metric(self.cch, self.weights.copy(), self.table.copy())

    def update(
        self, weights: Any, *, partial_limit: float = 0.25, partial_min_arcs: int = 200_000
    ) -> int:
        """Re-customize in place for a new weight vector (same topology).

        When at most ``partial_limit`` of the edges changed, on a hierarchy of at least
        ``partial_min_arcs`` arcs (below that a full customization is faster: the partial one
        pays a few numpy calls per height), only the arcs that can depend on them are
        recomputed (by height, each from its initial value and all its lower
        triangles, and their dependants only if they changed): avoiding a place or a country
        is then a partial re-customization. Returns the number of arcs recomputed (all arcs
        for a full customization)."""
        c = self.cch
        w = np.asarray(weights, dtype=np.float64).ravel()
        if len(w) != len(c.tails):
            raise ValueError(f"need {len(c.tails)} weights, got {len(w)}")
        if np.isnan(w).any() or (w < 0).any():
            raise ValueError("weights must be non-negative (inf removes an edge), not NaN")
        changed = np.flatnonzero(w != self.weights)
        if not len(changed):
            self.weights = w.copy()
            return 0
        if len(changed) > partial_limit * len(w) or c.n_arcs < partial_min_arcs:
            full = c.customize(w)
            self.weights, self.table, self._orig = full.weights, full.table, None
            self.derived = {}
            return c.n_arcs
        done = self._partial(w, changed)
        self.weights = w.copy()
        self._orig = None
        self.derived = {}
        return done

    def update_edges(
        self,
        edges: Any,
        values: Any,
        *,
        partial_limit: float = 0.25,
        partial_min_arcs: int = 200_000,
    ) -> int:
        """:meth:`update` for a few edges: ``edges`` take ``values`` (the metric's weight
        array changes in place), without a pass over every edge on a large hierarchy.
        Returns the number of arcs recomputed."""
        c = self.cch
        e = _as_index(edges, "edges", len(c.tails))
        v = np.asarray(values, dtype=np.float64).ravel()
        if len(v) != len(e):
            raise ValueError(f"{len(e)} edges but {len(v)} values")
        if np.isnan(v).any() or (v < 0).any():
            raise ValueError("weights must be non-negative (inf removes an edge), not NaN")
        if len(e) > partial_limit * len(c.tails) or c.n_arcs < partial_min_arcs:
            w = self.weights.copy()
            w[e] = v
            return self.update(w, partial_limit=partial_limit, partial_min_arcs=partial_min_arcs)
        w = self.weights
        w[e] = v
        changed = np.unique(e)
        self._orig = None
        self.derived = {}
        return self._partial(w, changed) if len(changed) else 0

    def _partial(self, w: np.ndarray, changed: np.ndarray) -> int:
        """Recompute the arcs that can depend on edges ``changed`` (weights ``w``), by
        height, each from its initial value and all its lower triangles, and their
        dependants only if they changed; returns how many."""
        c = self.cch
        table = self.table
        m = c.n_arcs
        e_order, slot_ptr = c._get("slot_edges")
        arc_h = c._get("arc_height")
        dirty = np.zeros(m, dtype=bool)
        per_h = np.zeros(len(c.tri_level_ptr), dtype=np.int64)  # dirty marks per height
        arcs_e = c.edge_arc[changed]
        arcs_e = arcs_e[arcs_e >= 0]
        dirty[arcs_e] = True
        np.add.at(per_h, arc_h[arcs_e], 1)
        by_h, h_ptr = c._get("arcs_by_height")
        t_by, t_ptr = c._get("tri_by_arc")
        use_xy, use_ptr = c._get("uses")
        done = 0
        start = int(np.flatnonzero(per_h)[0]) if per_h.any() else len(h_ptr) - 1
        for h in range(start, len(h_ptr) - 1):
            if not per_h[h]:
                continue
            sel = by_h[h_ptr[h] : h_ptr[h + 1]]
            sel = sel[dirty[sel]]
            if not len(sel):
                continue
            done += len(sel)
            # initial values of the two directions: least weight of their original edges
            new = np.full((len(sel), 2), np.inf)
            slots = np.concatenate([sel, m + sel])
            pos, cnt, st = _expand(slot_ptr, slots)
            if len(pos):
                k = cnt > 0
                flat = new.T.reshape(-1).copy()
                flat[k] = np.minimum.reduceat(w[e_order[pos]], st[k])
                new = np.ascontiguousarray(flat.reshape(2, len(sel)).T)
            has = t_ptr[sel + 1] > t_ptr[sel]
            if has.any():
                pos, cnt, st = _expand(t_ptr, sel[has])
                tri = t_by[pos]
                lo = table.take(c.tri_zx[tri], axis=0)
                hi = table.take(c.tri_zy[tri], axis=0)
                new[has, 0] = np.minimum(new[has, 0], np.minimum.reduceat(lo[:, 1] + hi[:, 0], st))
                new[has, 1] = np.minimum(new[has, 1], np.minimum.reduceat(hi[:, 1] + lo[:, 0], st))
            moved = sel[(new != table[sel]).any(axis=1)]
            table[sel] = new
            if len(moved):
                pos, _, _ = _expand(use_ptr, moved)
                up = use_xy[pos]
                up = up[~dirty[up]]
                dirty[up] = True
                np.add.at(per_h, arc_h[np.unique(up)], 1)
        return done

    # ------------------------------------------------------------------ point to point
    def distance(self, source: int, target: int) -> float:
        """The least weight from node ``source`` to node ``target`` (inf: no path)."""
        return self.query(source, target, path=False)[0]

    def query(self, source: int, target: int, *, path: bool = True) -> tuple[float, np.ndarray]:
        """The least weight from ``source`` to ``target`` and the original edges of one
        least-weight path, in order (``(inf, [])`` when there is none; ``(0.0, [])`` for
        ``source == target``).

        The two upward searches run as one compiled Dijkstra (csgraph) on a small graph: the
        source's ancestor chain with the forward arcs, the target's with the reversed
        backward arcs, and a zero-weight edge from each common ancestor's first copy to its
        second. With ``path``, the distance is the left-to-right sum along the path."""
        from scipy import sparse
        from scipy.sparse import csgraph

        c = self.cch
        s, t = int(c.rank[source]), int(c.rank[target])
        empty = np.zeros(0, dtype=np.int64)
        if s == t:
            return 0.0, empty
        cs, _ = self._chains(np.array([s]))
        ct, _ = self._chains(np.array([t]))
        ls, lt = len(cs), len(ct)
        first = c.first_out
        rows, cols, data, arcs_all = [], [], [], []
        for chain, base, back in ((cs, 0, False), (ct, ls, True)):
            cnt = first[chain + 1] - first[chain]
            st = np.cumsum(cnt) - cnt
            arcs = np.repeat(first[chain] - st, cnt) + np.arange(int(cnt.sum()))
            lo = base + np.repeat(np.arange(len(chain)), cnt)
            hi = base + np.searchsorted(chain, c.arc_high[arcs])
            rows.append(hi if back else lo)
            cols.append(lo if back else hi)
            data.append(self.bw[arcs] if back else self.fw[arcs])
            arcs_all.append(arcs)
        common, i_s, i_t = np.intersect1d(cs, ct, assume_unique=True, return_indices=True)
        rows.append(i_s)
        cols.append(ls + i_t)
        data.append(np.zeros(len(common)))
        r, cl, w = np.concatenate(rows), np.concatenate(cols), np.concatenate(data)
        ok = np.isfinite(w)
        g = sparse.csr_matrix((w[ok], (r[ok], cl[ok])), shape=(ls + lt, ls + lt))
        if not path:
            dist = csgraph.dijkstra(g, indices=0, min_only=True)
            return float(dist[ls]), empty
        dist, pred = csgraph.dijkstra(g, indices=0, return_predecessors=True)
        if not math.isfinite(dist[ls]):
            return math.inf, empty
        nodes = [ls]
        while nodes[-1] != 0:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        keys = c._get("arc_keys")
        n = c.n_nodes
        items_a: list[int] = []
        items_f: list[bool] = []
        for u, v in zip(nodes[:-1], nodes[1:]):
            if u < ls and v < ls:  # forward arc cs[u] -> cs[v]
                items_a.append(int(np.searchsorted(keys, cs[u] * n + cs[v])))
                items_f.append(True)
            elif u >= ls and v >= ls:  # backward arc ct[u] (high) -> ct[v] (low)
                items_a.append(int(np.searchsorted(keys, ct[v - ls] * n + ct[u - ls])))
                items_f.append(False)
        edges = self._unpack_all(
            np.asarray(items_a, dtype=np.int64), np.asarray(items_f, dtype=bool)
        )
        total = 0.0
        for x in self.weights[edges].tolist():
            total += x
        return total, edges

    def _originals(self) -> tuple[np.ndarray, np.ndarray]:
        """Per arc direction slot (``arc`` up, ``n_arcs + arc`` down): the least original
        weight and the lowest edge index that has it (-1: none)."""
        hit = self._orig
        if hit is not None and hit[0] is self.weights:
            return hit[1], hit[2]
        c = self.cch
        e_order, starts, slot = c._get("edge_groups")
        m2 = 2 * c.n_arcs
        best_w = np.full(m2, np.inf)
        best_e = np.full(m2, -1, dtype=np.int64)
        if len(e_order):
            we = self.weights[e_order]
            mins = np.minimum.reduceat(we, starts)
            cnt = np.diff(np.append(starts, len(e_order)))
            is_min = we == np.repeat(mins, cnt)
            idx = np.flatnonzero(is_min)
            grp = np.searchsorted(starts, idx, side="right") - 1
            g_u, first_i = np.unique(grp, return_index=True)
            best_w[slot] = mins
            best_e[slot[g_u]] = e_order[idx[first_i]]
        self._orig = (self.weights, best_w, best_e)
        return best_w, best_e

    def _unpack_all(self, arcs: np.ndarray, fwd: np.ndarray) -> np.ndarray:
        """The original edges of a sequence of arc directions, in order: an arc whose value
        equals its least original edge is that edge; else it is split at the first lower
        triangle that yields its value, round after round, all arcs at once."""
        return self._unpack_many(arcs, fwd, np.zeros(len(arcs), dtype=np.int64))[0]

    def _unpack_many(
        self, arcs: np.ndarray, fwd: np.ndarray, owner: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_unpack_all` of several sequences at once: ``owner`` labels each arc's
        sequence (sequences contiguous) and is returned for each edge."""
        c = self.cch
        best_w, best_e = self._originals()
        by, ptr = c._get("tri_by_arc")
        m = c.n_arcs
        edge = np.full(len(arcs), -1, dtype=np.int64)
        while True:
            todo = np.flatnonzero(edge < 0)
            if not len(todo):
                return edge, owner
            a, f = arcs[todo], fwd[todo]
            slot = np.where(f, a, m + a)
            want = np.where(f, self.fw[a], self.bw[a])
            orig = best_w[slot] == want
            edge[todo[orig]] = best_e[slot[orig]]
            split = todo[~orig]
            if not len(split):
                continue
            a, f, want = a[~orig], f[~orig], want[~orig]
            cnt = ptr[a + 1] - ptr[a]
            st = np.cumsum(cnt) - cnt
            tri = by[np.repeat(ptr[a] - st, cnt) + np.arange(int(cnt.sum()))]
            zx, zy = c.tri_zx[tri].astype(np.int64), c.tri_zy[tri].astype(np.int64)
            ff = np.repeat(f, cnt)
            val = np.where(ff, self.bw[zx] + self.fw[zy], self.bw[zy] + self.fw[zx])
            hit = np.flatnonzero(val == np.repeat(want, cnt))
            grp = np.searchsorted(st, hit, side="right") - 1
            _, first_i = np.unique(grp, return_index=True)
            pick = hit[first_i]  # one per split arc, in order
            zx, zy, ff = zx[pick], zy[pick], ff[pick]
            # forward low x -> z -> high y: (zx down, zy up); backward: (zy down, zx up)
            one = np.where(ff, zx, zy)
            two = np.where(ff, zy, zx)
            reps = np.ones(len(arcs), dtype=np.int64)
            reps[split] = 2
            idx = np.repeat(np.arange(len(arcs)), reps)
            new_a, new_f, new_e, owner = arcs[idx], fwd[idx], edge[idx], owner[idx]
            starts = np.cumsum(reps) - reps
            p = starts[split]
            new_a[p], new_f[p] = one, False
            new_a[p + 1], new_f[p + 1] = two, True
            arcs, fwd, edge = new_a, new_f, new_e

    # ------------------------------------------------------------------ one / many to all
    def one_to_all(self, source: int) -> np.ndarray:
        """The least weight from ``source`` to every node (inf where unreachable), indexed by
        node: the ``dist`` array ``graph.search`` and the skims take from csgraph."""
        return self.many_to_all([source])[0]

    def many_to_all(self, sources: Any) -> np.ndarray:
        """``out[i, v]``: the least weight from ``sources[i]`` to node ``v`` (PHAST: upward
        search from each source, then one downward sweep by height for all of them)."""
        c = self.cch
        src = c.rank[_as_index(sources, "sources", c.n_nodes)]
        k = len(src)
        perm, high, sweeps = c._get("down_sweep")
        bwp = self.bw[perm]
        if k == 1:  # 1-d arrays, and the upward search as one compiled Dijkstra
            d1 = np.full(c.n_nodes, np.inf)
            chain, up = self._up_single(int(src[0]), self.fw)
            d1[chain] = up
            for a, b, nodes, st in sweeps:
                cand = np.minimum.reduceat(d1[high[a:b]] + bwp[a:b], st)
                d1[nodes] = np.minimum(d1[nodes], cand)
            return d1[c.rank][None, :]  # type: ignore[no-any-return]
        d = np.full((c.n_nodes, k), np.inf)
        flat, ptr, upd = self._up_flat(src, self.fw)
        d[flat, np.repeat(np.arange(k), np.diff(ptr))] = upd
        for a, b, nodes, st in sweeps:
            cand = np.minimum.reduceat(d[high[a:b]] + bwp[a:b, None], st, axis=0)
            d[nodes] = np.minimum(d[nodes], cand)
        return np.ascontiguousarray(d[c.rank].T)

    def _up_single(self, r: int, arc_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The upward search from rank ``r`` alone: its chain and the distances on it, by
        one csgraph Dijkstra on the chain's arcs."""
        from scipy import sparse
        from scipy.sparse import csgraph

        c = self.cch
        chain, _ = self._chains(np.array([r]))
        first = c.first_out
        cnt = first[chain + 1] - first[chain]
        st = np.cumsum(cnt) - cnt
        arcs = np.repeat(first[chain] - st, cnt) + np.arange(int(cnt.sum()))
        lo = np.repeat(np.arange(len(chain)), cnt)
        hi = np.searchsorted(chain, c.arc_high[arcs])
        w = arc_w[arcs]
        ok = np.isfinite(w)
        g = sparse.csr_matrix((w[ok], (lo[ok], hi[ok])), shape=(len(chain), len(chain)))
        return chain, csgraph.dijkstra(g, indices=0)

    def _chains(self, ranks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ancestor chains of ``ranks`` (each ascending, itself first), concatenated,
        and their boundaries."""
        parent = self.cch._get("parent_list")
        flat: list[int] = []
        ptr = [0]
        for r in ranks.tolist():
            while r >= 0:
                flat.append(r)
                r = parent[r]
            ptr.append(len(flat))
        return np.asarray(flat, dtype=np.int64), np.asarray(ptr, dtype=np.int64)

    def _up_flat(
        self, ranks: np.ndarray, arc_w: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Upward searches from every rank of ``ranks`` at once (``arc_w``: fw forward from
        sources, bw backward from targets), over their own ancestor chains only: returns the
        chains (see :meth:`_chains`) and each chain entry's distance. Entries are relaxed by
        height: a chain has one node per height, so one height's updates never collide."""
        c = self.cch
        n = c.n_nodes
        flat, ptr = self._chains(ranks)
        lens = np.diff(ptr)
        owner = np.repeat(np.arange(len(ranks), dtype=np.int64), lens)
        keys = owner * n + flat  # sorted: by owner, then ascending rank
        d = np.full(len(flat), np.inf)
        d[ptr[:-1][lens > 0]] = 0.0
        first = c.first_out
        hts = c.height[flat]
        by = np.argsort(hts, kind="stable")
        hs = hts[by]
        cut = np.flatnonzero(np.append(True, hs[1:] != hs[:-1])).tolist() + [len(hs)]
        for a, b in zip(cut[:-1], cut[1:]):
            ent = by[a:b]
            ent = ent[np.isfinite(d[ent])]
            if not len(ent):
                continue
            v = flat[ent]
            lo, cnt = first[v], first[v + 1] - first[v]
            tot = int(cnt.sum())
            if not tot:
                continue
            st = np.cumsum(cnt) - cnt
            arcs = np.repeat(lo - st, cnt) + np.arange(tot)
            tail = np.repeat(ent, cnt)
            pos = np.searchsorted(keys, owner[tail] * n + c.arc_high[arcs])
            cand = d[tail] + arc_w[arcs]
            d[pos] = np.minimum(d[pos], cand)
        return flat, ptr, d

    def matrix(self, sources: Any, targets: Any) -> np.ndarray:
        """``out[i, j]``: the least weight from ``sources[i]`` to ``targets[j]`` (inf: no
        path). Batched upward searches from all sources (forward) and all targets
        (backward), each over its own ancestor chain, then per target a min over its chain:
        the meeting node of a pair is a common ancestor, so it lies on the target's chain."""
        c = self.cch
        src = c.rank[_as_index(sources, "sources", c.n_nodes)]
        dst = c.rank[_as_index(targets, "targets", c.n_nodes)]
        out = np.full((len(src), len(dst)), np.inf)
        if not len(src) or not len(dst):
            return out
        fl_s, ptr_s, d_s = self._up_flat(src, self.fw)
        union = np.unique(fl_s)
        loc = np.full(c.n_nodes, len(union), dtype=np.int64)  # missing: the inf row
        loc[union] = np.arange(len(union))
        dense = np.full((len(union) + 1, len(src)), np.inf)
        dense[loc[fl_s], np.repeat(np.arange(len(src)), np.diff(ptr_s))] = d_s
        fl_t, ptr_t, d_t = self._up_flat(dst, self.bw)
        # targets in blocks, so that a block's rows x sources stay near 4 million floats
        budget = max(1, 4_000_000 // len(src))
        j = 0
        while j < len(dst):
            k = j + 1
            while k < len(dst) and ptr_t[k + 1] - ptr_t[j] <= budget:
                k += 1
            a, b = int(ptr_t[j]), int(ptr_t[k])
            vals = dense[loc[fl_t[a:b]]] + d_t[a:b, None]
            out[:, j:k] = np.minimum.reduceat(vals, ptr_t[j:k] - a, axis=0).T
            j = k
        return out
