"""Lower bounds on restricted searches: how good can the best route of a query be once some
features (border crossings, port areas, countries, modes) are avoided, without solving it?

:func:`corridors.routes.routing.alternatives` branches on features as Lawler's method branches
on edges, and most branches end far above the routes it returns. :class:`BranchBounds`
answers "is this branch's best route worth at least X?" with a bounded A* search on the
branch's edges, guided by the exact distance to the destination over the query's own edges
(one reverse csgraph Dijkstra per query). A branch only removes edges, so that distance never
overestimates a branch's remaining distance: the heuristic is admissible and consistent for
every branch, and the search explores only the nodes whose estimate is below X.

The bound is on the *relaxed* branch (one stage, no transfer limit, places may repeat), whose
optimum never exceeds the real search's (every real route is a relaxed path), and it is given
on the exact objective, below the search's grid weights by a safe margin (see :meth:`lower`).
A bound decides only when a branch is searched, never what the search returns, so the routes
found are those of the exhaustive method (tested against it).
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np

from .query import Query, port_areas
from .solver import _Solver, _waypoint_orders
from .topology import GRID, LINK, edge_csr, on_grid

__all__ = ["BranchBounds"]

Feature = tuple[str, str]


class BranchBounds:
    """Lower bounds on the best route of ``q`` with extra avoided features (``extra_avoid``
    of :meth:`_Solver.solve`), for one query.

    Parameters
    ----------
    solver : _Solver
    q : Query
        The unrestricted query; every branch is ``q`` plus a set of avoided features.

    Attributes
    ----------
    usable : bool
        False when the query's weights cannot guide a search (a weight that is not a finite
        number >= 0): then :meth:`lower` always returns the trivial bound.
    nodes : int
        Nodes expanded by every bounded search so far (for benchmarks).
    """

    def __init__(self, solver: _Solver, q: Query) -> None:
        topo = solver.topo
        self.solver = solver
        self.q = q
        self.nodes = 0
        m0 = solver.mask(q)
        objective = solver.objective(q)
        used = objective[m0]
        self.usable = bool(np.all(np.isfinite(used)) and np.all(used >= 0))
        self.source = int(topo.gate_of[topo.place_index[q.origin]])
        self.target = int(topo.gate_of[topo.place_index[q.destination]])
        if not self.usable:
            return
        weight = on_grid(np.where(m0, objective, 0.0))
        self._m0 = m0
        # distance to the destination over the query's edges: the heuristic of every branch
        reverse = edge_csr(topo, weight, m0).T.tocsr()
        from scipy.sparse import csgraph  # here: import corridors stays light (issue 18)

        h = csgraph.dijkstra(reverse, indices=self.target)
        self._h: list[float] = h.tolist()
        # via places and required crossings (in one order): stage s's heuristic is the
        # distance to the destination through an edge that completes each stage left
        orders = _waypoint_orders(q.waypoints)
        advance = [solver.advance_set(k, r) & m0 for k, r in orders[0]] if len(orders) == 1 else []
        stages = [h]
        for adv in reversed(advance):
            stages.insert(0, _through(topo, reverse, weight, adv, stages[0]))
        self._hs: list[list[float]] = [x.tolist() for x in stages]
        self._adv: list[frozenset[int]] = [frozenset(np.flatnonzero(a).tolist()) for a in advance]
        self._w: list[float] = weight.tolist()
        self._ok: list[bool] = m0.tolist()
        order = np.argsort(topo.src, kind="stable")
        self._edges: list[int] = order.tolist()
        self._heads: list[int] = topo.dst[order].tolist()
        self._ptr: list[int] = [
            0,
            *np.cumsum(np.bincount(topo.src, minlength=topo.n_nodes)).tolist(),
        ]
        self._out: dict[int, list[tuple[int, int, float, float]]] = {}
        self._removed: dict[Feature, frozenset[int]] = {}
        # a route's exact objective differs from its grid weight by at most GRID / 2 an edge,
        # and a route has fewer edges than the graph has nodes; the relative term covers any
        # rounding of sums beyond the exact range of the grid
        self._slack = topo.n_nodes * GRID
        self.h_source = float(stages[0][self.source])

    def removed(self, feature: Feature) -> frozenset[int]:
        """Edges of the query that avoiding ``feature`` removes (cached): the rules of
        :meth:`_Solver.mask` for one avoided feature (tests check that they agree)."""
        hit = self._removed.get(feature)
        if hit is None:
            hit = frozenset(np.flatnonzero(self._m0 & self._avoided(feature)).tolist())
            self._removed[feature] = hit
        return hit

    def _avoided(self, feature: Feature) -> np.ndarray:
        """Every edge (of any query) that avoiding ``feature`` removes."""
        kind, ref = feature
        solver, topo, q = self.solver, self.solver.topo, self.q
        if kind in ("country", "place", "port_area"):
            if kind == "country":
                places = self._places_by_country().get(ref, [])
            elif kind == "place":
                places = [topo.place_index[ref]]
            else:
                protected = {q.origin, q.destination, *q.via}
                places = [
                    topo.place_index[p]
                    for p, area in port_areas(solver.net).items()
                    if area == ref and p not in protected
                ]
            hit = np.zeros(len(topo.place_country), dtype=bool)
            hit[places] = True
            return hit[topo.src_place] | hit[topo.dst_place]  # type: ignore[no-any-return]
        if kind in ("link", "crossing"):
            ids = {ref} if kind == "link" else solver.border_links_between(*ref.split("|"))
            index = self._link_index()
            li = np.array(sorted(index[x] for x in ids if x in index), dtype=np.int64)
            return (topo.etype == LINK) & np.isin(topo.elink, li)  # type: ignore[no-any-return]
        if kind == "mode":
            return (topo.emode == ref) & ~topo.eaccess  # type: ignore[no-any-return]
        raise ValueError(f"unknown feature kind {kind!r}")

    def _places_by_country(self) -> dict[str, list[int]]:
        topo = self.solver.topo
        hit: dict[str, list[int]] | None = topo._static.get("places_by_country")
        if hit is None:
            hit = {}
            for i, c in enumerate(topo.place_country):
                hit.setdefault(c, []).append(i)
            topo._static["places_by_country"] = hit
        return hit

    def _link_index(self) -> dict[str, int]:
        topo = self.solver.topo
        hit: dict[str, int] | None = topo._static.get("link_index")
        if hit is None:
            hit = {lid: i for i, lid in enumerate(topo.link_ids)}
            topo._static["link_index"] = hit
        return hit

    def lower(self, avoid: frozenset[Feature], limit: float, max_nodes: int) -> tuple[float, bool]:
        """A lower bound on the objective of the best route of the query avoiding ``avoid``.

        The search stops once every path left is estimated above ``limit`` (objective units),
        once it reaches the destination, or after ``max_nodes`` expansions. Returns
        ``(bound, exact)``: ``exact`` when the search reached the destination (the bound is
        then the relaxed branch's optimum, less the margin); ``inf`` when the branch has no
        route at all.
        """
        if not self.usable:
            return -math.inf, False
        grid_limit = limit * (1 + 1e-9) + self._slack
        sets = tuple(self.removed(f) for f in sorted(avoid))
        if self._adv:
            got, exact = self._astar_staged(sets, grid_limit, max_nodes)
        else:
            got, exact = self._astar(sets, grid_limit, max_nodes)
        if math.isinf(got):
            return got, exact
        return self._to_objective(got), exact

    def _to_objective(self, grid: float) -> float:
        return grid * (1 - 1e-9) - self._slack

    def _astar(
        self, removed: tuple[frozenset[int], ...], grid_limit: float, max_nodes: int
    ) -> tuple[float, bool]:
        """Bounded A* on the branch's edges: (relaxed distance, True) if the destination is
        reached within the limit, else (least estimate left, False), inf if none is left."""
        h, out = self._h, self._out
        source, target = self.source, self.target
        inf = math.inf
        best: dict[int, float] = {source: 0.0}
        heap: list[tuple[float, float, int]] = [(h[source], 0.0, source)]
        expanded = 0
        try:
            while heap:
                f, g, v = heapq.heappop(heap)
                if g > best[v]:
                    continue
                if v == target:
                    return g, True
                if f > grid_limit or expanded >= max_nodes:
                    return f, False
                expanded += 1
                arcs = out.get(v)
                if arcs is None:
                    arcs = self._arcs(v)
                for e, u, we, hu in arcs:
                    for r in removed:
                        if e in r:
                            break
                    else:
                        g2 = g + we
                        if g2 < best.get(u, inf):
                            best[u] = g2
                            heapq.heappush(heap, (g2 + hu, g2, u))
            return inf, False
        finally:
            self.nodes += expanded

    def _astar_staged(
        self, removed: tuple[frozenset[int], ...], grid_limit: float, max_nodes: int
    ) -> tuple[float, bool]:
        """:meth:`_astar` on states (node, stage): an edge that completes the current stage
        (entering the via place, using the crossing) moves to the next, and the destination
        counts only in the last stage, as in :func:`~corridors.engine.search.search`."""
        hs, adv, out = self._hs, self._adv, self._out
        last = len(hs) - 1
        n = len(hs[0])
        source, target = self.source, self.target
        inf = math.inf
        best: dict[int, float] = {source: 0.0}
        heap: list[tuple[float, float, int]] = [(hs[0][source], 0.0, source)]
        expanded = 0
        try:
            while heap:
                f, g, state = heapq.heappop(heap)
                if g > best[state]:
                    continue
                s, v = divmod(state, n)
                if v == target and s == last:
                    return g, True
                if f > grid_limit or expanded >= max_nodes:
                    return f, False
                expanded += 1
                arcs = out.get(v)
                if arcs is None:
                    arcs = self._arcs(v)
                here = hs[s]
                ends = adv[s] if s < last else frozenset()
                for e, u, we, _ in arcs:
                    for r in removed:
                        if e in r:
                            break
                    else:
                        if e in ends:
                            s2, hu = s + 1, hs[s + 1][u]
                        else:
                            s2, hu = s, here[u]
                        if hu == inf:
                            continue
                        g2 = g + we
                        state2 = u + n * s2
                        if g2 < best.get(state2, inf):
                            best[state2] = g2
                            heapq.heappush(heap, (g2 + hu, g2, state2))
            return inf, False
        finally:
            self.nodes += expanded

    def _arcs(self, v: int) -> list[tuple[int, int, float, float]]:
        """The query's edges out of node ``v`` towards nodes that reach the destination, as
        (edge, head, grid weight, head's distance to the destination); built on first use."""
        a, b = self._ptr[v], self._ptr[v + 1]
        h = self._h
        arcs = [
            (e, u, self._w[e], h[u])
            for e, u in zip(self._edges[a:b], self._heads[a:b])
            if self._ok[e] and h[u] != math.inf
        ]
        self._out[v] = arcs
        return arcs

    def stats(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "features": len(getattr(self, "_removed", {}))}


def _through(
    topo: Any, reverse: Any, weight: np.ndarray, adv: np.ndarray, after: np.ndarray
) -> np.ndarray:
    """Least weight from each node to the destination through one edge of ``adv``, given the
    least weight ``after`` from each node once past it: one Dijkstra on the reversed graph
    from a super node joined to the tail of each such edge ``e`` by ``weight[e] + after[head]``
    (the least of them per tail)."""
    from scipy import sparse
    from scipy.sparse import csgraph

    n = topo.n_nodes
    e = np.flatnonzero(adv)
    offset = weight[e] + after[topo.dst[e]]
    keep = np.isfinite(offset)
    start = np.full(n, np.inf)
    np.minimum.at(start, topo.src[e[keep]], offset[keep])
    cols = np.flatnonzero(np.isfinite(start))
    indptr = np.concatenate([reverse.indptr, [reverse.indptr[-1] + len(cols)]])
    indices = np.concatenate([reverse.indices, cols]).astype(reverse.indices.dtype)
    data = np.concatenate([reverse.data, start[cols]])  # explicit zeros stay edges
    graph = sparse.csr_matrix(
        (data, indices, indptr.astype(reverse.indptr.dtype)), shape=(n + 1, n + 1)
    )
    return csgraph.dijkstra(graph, indices=n)[:n]  # type: ignore[no-any-return]
