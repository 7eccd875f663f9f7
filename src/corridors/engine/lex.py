"""Route's tie rule for many destinations at once: lexicographic keys from one origin.

:func:`corridors.route` ranks paths by (objective, tie-break criterion, transfers), each on
the engine's grid (:func:`~corridors.engine.topology.on_grid`), then by the order in which its
lexicographic Dijkstra (:func:`corridors.engine.search.search`) settles nodes. :class:`Lex`
gives, from one origin, every node's least key and the edge that Dijkstra reaches it by, with
compiled searches (:mod:`scipy.sparse.csgraph`) instead of a Python heap, so that the skims
of :func:`corridors.routes.skims.route_matrix` pick the very route ``route`` picks.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from .topology import LOAD, Topology

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["Lex"]


class Lex:
    """Each node's least key (objective, tie-break, transfers) from gate ``og`` and the edge
    route's lexicographic Dijkstra (:func:`corridors.engine.search.search`) reaches it by.

    Every least-objective path uses only tight edges (``d1[tail] + w == d1[head]``,
    exactly: the sums are on the grid), and every path of tight edges is a least-objective
    path; so the least tie-break sum among them is a Dijkstra on the tight edges, and so on.
    Where every edge adds a positive key, the search settles nodes by (key, number), so a
    node's predecessor is its least (key, number, edge) tight-for-all tail; a key-neutral
    edge (zero in all three) makes the settling order depend on the search: then the
    lexicographic Dijkstra itself runs on the tight edges. Where no node has two tight
    edges in (no tie at all) the tight edges are the predecessors, and the two other keys
    are computed only when a destination's last edges tie."""

    def __init__(
        self,
        topo: Topology,
        allowed: np.ndarray,
        og: int,
        w: np.ndarray,
        t: np.ndarray,
        d1: np.ndarray,
    ) -> None:
        self.topo, self.og, self.w, self.t, self.d1 = topo, og, w, t, d1
        src, dst = topo.src, topo.dst
        reach = np.isfinite(d1)
        tight = allowed & reach[src]
        tight &= (topo.etype != LOAD) | (src == og)
        e1 = np.flatnonzero(tight)
        e1 = e1[d1[src[e1]] + w[e1] == d1[dst[e1]]]
        tight[:] = False
        tight[e1] = True
        self.tight, self.e1 = tight, e1
        self.tr = topo._static_array("is_transfer").astype(float)
        self._d23: tuple[np.ndarray, np.ndarray] | None = None
        self.pred_edge = np.full(topo.n_nodes, -1, dtype=np.int64)
        heads = dst[e1]
        if not len(e1) or np.bincount(heads).max() <= 1:
            self.pred_edge[heads] = e1
            return
        d2, d3, e3 = self._keys()
        neutral = (w[e3] == 0) & (t[e3] == 0) & (self.tr[e3] == 0)
        if neutral.any():
            _lex_dijkstra(topo, e1, w, t, self.tr, og, self.pred_edge)
            return
        s3 = src[e3]
        order = np.lexsort((e3, s3, d3[s3], d2[s3], d1[s3], dst[e3]))
        e3 = e3[order]
        heads = dst[e3]
        first = np.append(True, heads[1:] != heads[:-1])
        self.pred_edge[heads[first]] = e3[first]

    def _keys(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        from scipy.sparse import csgraph

        topo, t, tr, e1 = self.topo, self.t, self.tr, self.e1
        src, dst = topo.src, topo.dst
        d2 = csgraph.dijkstra(_sub_csr(topo, self.tight, t), indices=self.og)
        e2 = e1[d2[src[e1]] + t[e1] == d2[dst[e1]]]
        tight2 = np.zeros(topo.n_edges, dtype=bool)
        tight2[e2] = True
        d3 = csgraph.dijkstra(_sub_csr(topo, tight2, tr), indices=self.og)
        e3 = e2[d3[src[e2]] + tr[e2] == d3[dst[e2]]]
        self._d23 = (d2, d3)
        return d2, d3, e3

    @property
    def d2(self) -> np.ndarray:
        if self._d23 is None:
            self._keys()
        assert self._d23 is not None
        return self._d23[0]

    @property
    def d3(self) -> np.ndarray:
        if self._d23 is None:
            self._keys()
        assert self._d23 is not None
        return self._d23[1]


def _lex_dijkstra(
    topo: Topology,
    edges: np.ndarray,
    w: np.ndarray,
    t: np.ndarray,
    tr: np.ndarray,
    source: int,
    pred_edge: np.ndarray,
) -> None:
    """The lexicographic Dijkstra of :func:`corridors.engine.search._dijkstra` over
    ``edges`` (in edge order), from ``source`` to every node: fills ``pred_edge``."""
    adjacency: dict[int, list[int]] = {}
    for e, u in zip(edges.tolist(), topo.src[edges].tolist()):
        adjacency.setdefault(u, []).append(e)
    dst = topo.dst.tolist()
    wl, tl, rl = w.tolist(), t.tolist(), tr.tolist()
    best: dict[int, tuple[float, float, float]] = {source: (0.0, 0.0, 0.0)}
    heap: list[tuple[float, float, float, int]] = [(0.0, 0.0, 0.0, source)]
    while heap:
        a, b, c, v = heapq.heappop(heap)
        if (a, b, c) > best[v]:
            continue
        for e in adjacency.get(v, ()):
            key = (a + wl[e], b + tl[e], c + rl[e])
            h = dst[e]
            if key < best.get(h, (math.inf, 0.0, 0.0)):
                best[h] = key
                pred_edge[h] = e
                heapq.heappush(heap, (*key, h))


def _sub_csr(topo: Topology, mask: np.ndarray, weight: np.ndarray) -> sparse.csr_matrix:
    """The edges of ``mask`` as a CSR matrix for csgraph (parallel edges at their least
    weight, zero weights as explicit entries)."""
    from scipy import sparse

    order = topo._static_array("out_order")  # by (tail, head, edge)
    e = order[mask[order]]
    s, d, wv = topo.src[e], topo.dst[e], weight[e]
    if len(e):
        first = np.append(True, (s[1:] != s[:-1]) | (d[1:] != d[:-1]))
        if not first.all():
            runs = np.flatnonzero(first)
            s, d, wv = s[runs], d[runs], np.minimum.reduceat(wv, runs)
    n = topo.n_nodes
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    return sparse.csr_matrix(
        (wv.astype(float), d.astype(np.int32), indptr.astype(np.int32)), shape=(n, n)
    )
