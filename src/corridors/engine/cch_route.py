"""Point queries of :func:`corridors.route` on a customized CCH, with route's own answer.

``route(..., engine="cch")`` answers from a metric (:mod:`corridors.engine.cch`) customized
once per network state, cargo, objective and constraints (the query without its two ends), so
that a second query of the same kind costs a few upward searches instead of a search of the
whole expanded graph. The answer is the exact search's, ties included, by this argument:

1. The metric holds every edge the constraints allow (:meth:`_Solver.shared_mask`) but the
   loading and unloading edges, at the query's own objective on the engine's grid. A query's
   graph is that graph minus the edges its ends forbid (transfers at the origin or the
   destination, leaving the destination, entering the origin) plus the loading edges of its
   origin and the unloading edges of its destination, at the same weights; so its least
   objective ``D_q`` is at least the metric's ``D``, and when they are equal every
   least-objective path of the query is one of the metric's.
2. :func:`shortest_subgraph` gives every edge of every least-weight simple path of the metric
   between the ends (the two upward searches, every tight arc between them, every shortcut
   unpacked into every tight triangle: a least-weight path's upward and downward arcs are all
   tight, and each shortcut's value is the least weight through lower ranks). Exact on the
   grid: sums of grid weights are exact floats whatever the order of addition.
3. Restricted to what the query allows, that subgraph ``H`` holds every least-objective path
   of the query when its own least objective is ``D``; the exact search's lexicographic
   Dijkstra (objective, tie-break criterion, transfers, then its stable order,
   :func:`corridors.engine.search.search`) run on the tight edges of ``H`` settles the nodes of
   the answer as it does on the whole graph: a node's predecessor is the first relaxation
   that attains its least key, and every such relaxation lies on a least-key path, which is a
   simple path unless key-neutral edges (zero in all three keys) close a cycle.

So the query is answered on ``H`` when ``H`` reaches ``D`` and no node of ``H`` lies on a cycle
of zero-objective, non-transfer edges; otherwise, and for the queries the metric cannot
represent (waypoints, ``max_transfers``, cargo landed from a ship), the exact search runs
instead. Nothing is dropped silently: the result is the exact search's either way
(``tests/test_cch_route.py``), and :data:`STATS` counts which path answered.
"""

from __future__ import annotations

import math
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .cch import Metric
from .query import Query, _replace, by_origin
from .search import _dijkstra
from .topology import LINK, LOAD, TRANSFER, UNLOAD, on_grid

if TYPE_CHECKING:
    from .solver import _Solver

__all__ = ["solve", "shortest_subgraph", "STATS"]

#: How many point queries each path answered (``"cch"``) or sent to the exact search, by
#: reason; for tests and benchmarks (never read by the engine).
STATS: Counter[str] = Counter()

_ROUTE_METRICS_KEPT = 4
_CACHE_LOCK = threading.Lock()
_REWEIGHTED = ("time_h", "generalized", "wait_h")  # objectives the departure timing changes


@dataclass
class _RouteMetric:
    """A customized metric for route's point queries and what a query needs besides it."""

    metric: Metric
    objective: np.ndarray  # the query's objective (not on the grid), for the route's total
    grid: np.ndarray  # the objective on the grid (what the search ranks on)
    shared: np.ndarray  # the constraints' mask (loading and unloading included)
    usable: bool  # False: weights fail the checks, or a gate is not closed (exact search)
    bad_nodes: np.ndarray  # nodes on a cycle of zero-objective non-transfer edges
    lock: Any = field(default_factory=threading.Lock, repr=False)


def eligible(q: Query) -> str | None:
    """Why the metric cannot answer ``q`` (a reason for :data:`STATS`), None when it can."""
    if q.waypoints:
        return "waypoints"
    if q.max_transfers is not None:
        return "max_transfers"
    if q.origin_arrival != "land":
        return "origin_arrival"
    return None


def solve(
    solver: _Solver,
    q: Query,
    cache_dir: str | os.PathLike[str] | bool | None = None,
    extra_avoid: frozenset[tuple[str, str]] = frozenset(),
) -> tuple[float, list[int]] | None | bool:
    """``solver.solve(q)`` from the CCH: (objective, edges), None when no route exists, or
    False when the exact search must answer (the reason is counted in :data:`STATS`).

    First on the metric as it is (when the query's objective is the metric's on every edge:
    no booked first departure under a time objective); when the metric's best paths use an
    edge the query's ends forbid, or the query's weights differ near its origin, the metric
    is updated in place for the query's ends (those edges removed, the first departures at
    the query's weights: a partial re-customization), answers, and is restored. Features
    avoided by ``extra_avoid`` (the branches of :func:`corridors.alternatives`) are removed
    in the same update."""
    why = eligible(q)
    if why is not None:
        STATS[why] += 1
        return False
    with _CACHE_LOCK:
        rm = _route_metric(solver, q, cache_dir)
    if not rm.usable:
        STATS["metric_unusable"] += 1
        return False
    with rm.lock:  # the metric is updated in place for a query, then restored
        return _solve_on(solver, q, rm, extra_avoid)


def _solve_on(
    solver: _Solver, q: Query, rm: _RouteMetric, extra_avoid: frozenset[tuple[str, str]]
) -> tuple[float, list[int]] | None | bool:
    """:func:`solve` on metric ``rm`` (held by this thread)."""
    topo = solver.topo
    oi, di = solver.place_idx(q.origin), solver.place_idx(q.destination)
    loads = out_edges(topo, [int(topo.gate_of[oi])])
    shared = rm.shared
    avoided = np.zeros(0, dtype=np.int64)
    if extra_avoid:
        shared = solver.shared_mask(q, extra_avoid=extra_avoid)
        avoided = np.flatnonzero(rm.shared & ~shared & np.isfinite(rm.metric.weights))
    loads = loads[(topo.etype[loads] == LOAD) & shared[loads]]
    in_order, in_ptr = topo._static_array("in_order"), topo._static_array("in_ptr")
    dg = int(topo.gate_of[di])
    unloads = in_order[in_ptr[dg] : in_ptr[dg + 1]]
    unloads = unloads[(topo.etype[unloads] == UNLOAD) & shared[unloads]]
    if not len(loads) or not len(unloads):
        STATS["cch"] += 1
        return None
    reweighted = by_origin(q) and q.minimize in _REWEIGHTED
    if not reweighted and not extra_avoid:
        found = _answer(solver, q, rm, loads, unloads, rm.grid)
        if found is not False:
            return found
    edges, values = _end_changes(solver, q, rm, reweighted)
    if reweighted and (values <= 0).any():
        STATS["neutral_cycle"] += 1  # a first departure of no weight: could close a cycle
        return False
    keep = ~np.isin(edges, avoided)
    edges = np.concatenate([edges[keep], avoided])
    values = np.concatenate([values[keep], np.full(len(avoided), np.inf)])
    metric = rm.metric
    orig = metric.weights[edges].copy()
    grid = rm.grid
    if reweighted:
        grid = rm.grid.copy()
        near = np.concatenate([loads, edges[np.isfinite(values)]])
        grid[near] = on_grid(solver.objective_on(q, near))
    metric.update_edges(edges, values)
    try:
        return _answer(solver, q, rm, loads, unloads, grid)
    finally:
        metric.update_edges(edges, orig)


def _end_changes(
    solver: _Solver, q: Query, rm: _RouteMetric, reweighted: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The metric's edges whose weight the query's ends change, and their weights for the
    query: edges the ends forbid (inf: transfers at either end, leaving the destination,
    entering the origin) and, with ``reweighted``, first departures at the query's weights."""
    topo = solver.topo
    oi, di = solver.place_idx(q.origin), solver.place_idx(q.destination)
    in_order, in_ptr = topo._static_array("in_order"), topo._static_array("in_ptr")
    places = {oi, di, *(solver.first_places(q) if reweighted else ())}
    outs = out_edges(topo, [v for p in places for v in topo.nodes_at(p)])
    ins = np.concatenate(
        [in_order[in_ptr[v] : in_ptr[v + 1]] for v in topo.nodes_at(oi)]
        or [np.zeros(0, dtype=np.int64)]
    )
    cand = np.unique(np.concatenate([outs, ins]))
    cand = cand[np.isfinite(rm.metric.weights[cand])]
    values = rm.metric.weights[cand].copy()
    forbid = np.isin(cand, _query_edges(solver.topo, cand, oi, di), invert=True)
    if reweighted:
        values = on_grid(solver.objective_on(q, cand))  # below zero: the exact search
    values[forbid] = np.inf
    change = values != rm.metric.weights[cand]
    return cand[change], values[change]


def _answer(
    solver: _Solver,
    q: Query,
    rm: _RouteMetric,
    loads: np.ndarray,
    unloads: np.ndarray,
    grid: np.ndarray,
) -> tuple[float, list[int]] | None | bool:
    """The query's answer from the metric as it stands (objective ``grid`` on the grid), or
    False for the exact search."""
    topo = solver.topo
    oi, di = solver.place_idx(q.origin), solver.place_idx(q.destination)
    og, dg = int(topo.gate_of[oi]), int(topo.gate_of[di])
    total, middle = shortest_subgraph(
        rm.metric, topo.dst[loads], grid[loads], topo.src[unloads], grid[unloads]
    )
    if not np.isfinite(total):
        STATS["cch"] += 1  # the query's graph is part of the metric's: no route either
        return None
    h = _query_edges(topo, middle, oi, di)
    ends = np.concatenate([topo.src[h], topo.dst[h]])
    if len(rm.bad_nodes) and np.isin(ends, rm.bad_nodes).any():
        STATS["neutral_cycle"] += 1
        return False
    h = np.unique(np.concatenate([loads, h, unloads]))
    found = _lex_on(solver, q, h, grid, og, dg, total)
    if found is None:
        STATS["not_tight"] += 1
        return False
    if _visits_twice(topo, found) and solver._first_repeat(found, []) is not None:
        STATS["repeated_place"] += 1
        return False
    STATS["cch"] += 1
    return math.fsum(solver.objective_on(q, np.asarray(found, dtype=np.int64)).tolist()), found


def out_edges(topo: Any, nodes: list[int]) -> np.ndarray:
    """The edges leaving ``nodes`` (by tail, from arrays kept with the topology's structure:
    no Python adjacency lists on a large graph)."""
    hit = topo._static.get("cch_out")
    if hit is None:
        order = np.argsort(topo.src, kind="stable")
        ptr = np.zeros(topo.n_nodes + 1, dtype=np.int64)
        np.cumsum(np.bincount(topo.src, minlength=topo.n_nodes), out=ptr[1:])
        hit = topo._static["cch_out"] = (order, ptr)
    order, ptr = hit
    if not nodes:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([order[ptr[v] : ptr[v + 1]] for v in nodes])  # type: ignore[no-any-return]


def _visits_twice(topo: Any, edges: list[int]) -> bool:
    """Whether a path enters some place twice (then :meth:`_Solver._first_repeat` says
    where): the places it enters, in order, with a repeat."""
    e = np.asarray(edges, dtype=np.int64)
    sp, dp = topo.src_place[e], topo.dst_place[e]
    seq = np.concatenate([sp[:1], dp[dp != sp]])
    return len(np.unique(seq)) < len(seq)


def _query_edges(topo: Any, edges: np.ndarray, oi: int, di: int) -> np.ndarray:
    """The metric's ``edges`` the query's ends allow (:meth:`_Solver.mask`, and the stage
    rule that the origin is never re-entered)."""
    et, sp, dp = topo.etype[edges], topo.src_place[edges], topo.dst_place[edges]
    ok = (et != TRANSFER) | ((sp != oi) & (sp != di))
    ok &= (et != LINK) | (sp != di)
    ok &= ~((dp == oi) & (sp != oi))
    return edges[ok]  # type: ignore[no-any-return]


def _lex_on(
    solver: _Solver,
    q: Query,
    h: np.ndarray,
    grid: np.ndarray,
    og: int,
    dg: int,
    total: float,
) -> list[int] | None:
    """Route's lexicographic search on the tight edges of subgraph ``h`` (sorted edges;
    objective ``grid``, the query's tie-break criterion), or None when ``h`` does not reach
    the least objective ``total``.

    On the tight edges (``dist[tail] + w == dist[head]``, on a tight path to the target),
    as in :class:`corridors.engine.lex.Lex`: where one tight edge enters each node, the
    only tight path is the answer; else the tie-break and transfer keys are two compiled
    searches on the tight edges, and each node's predecessor is the tail of least (keys,
    node, edge) among its edges tight in all three keys, the order in which the exact
    search relaxes them; an edge that adds nothing to any key (its order of settling
    depends on the search) sends the tight edges to the exact search's own Dijkstra."""
    from scipy.sparse import csgraph

    topo = solver.topo
    hw = grid[h]
    nodes, inv = np.unique(
        np.concatenate([topo.src[h], topo.dst[h], [og, dg]]), return_inverse=True
    )
    k, n = len(h), len(nodes)
    ls, ld = inv[:k], inv[k : 2 * k]
    s_loc, t_loc = int(inv[2 * k]), int(inv[2 * k + 1])
    dist = csgraph.dijkstra(_csr(ls, ld, hw, n), indices=s_loc)
    if dist[t_loc] != total:
        return None
    tight = dist[ls] + hw == dist[ld]
    # tight edges from whose heads the target is reached along tight edges
    ones = np.ones(int(tight.sum()))
    rev = _csr(ld[tight], ls[tight], ones, n)
    reached = np.zeros(n, dtype=bool)
    reached[csgraph.breadth_first_order(rev, t_loc, return_predecessors=False)] = True
    keep = np.flatnonzero(tight & reached[ld])  # positions in h: in edge order
    if not len(keep):
        return None
    if np.bincount(ld[keep]).max() > 1:
        tie = solver.tie_on(q, h[keep])
        tr = (topo.etype[h[keep]] == TRANSFER).astype(float)
        keys = _lex_keys(ls[keep], ld[keep], hw[keep], tie, tr, n, s_loc)
        if keys is None:  # a key-neutral edge: the exact search's Dijkstra decides
            return _python_lex(solver, h[keep], hw[keep], tie, grid, og, dg)
        d2, d3, e3 = keys
        keep = keep[e3]
        # the exact search relaxes a node's edges by (key, node number) of the tail, then
        # edge order: the first that attains the head's key stays its predecessor
        tl = ls[keep]
        order = np.lexsort((h[keep], nodes[tl], d3[tl], d2[tl], dist[tl], ld[keep]))
        keep = keep[order]
        heads = ld[keep]
        keep = keep[np.append(True, heads[1:] != heads[:-1])]
    pred = np.full(n, -1, dtype=np.int64)
    pred[ld[keep]] = keep
    tails, pl = ls.tolist(), pred.tolist()
    path: list[int] = []
    v = t_loc
    while v != s_loc:
        i = pl[v]
        path.append(i)
        v = tails[i]
    return h[path[::-1]].tolist()  # type: ignore[no-any-return]


def _csr(rows: np.ndarray, cols: np.ndarray, w: np.ndarray, n: int) -> Any:
    """A csgraph matrix of the edges ``rows -> cols``, parallel edges at their least weight
    (``csr_matrix`` would add them up), zero weights kept as edges."""
    from scipy import sparse

    key = rows.astype(np.int64) * n + cols
    order = np.argsort(key, kind="stable")
    k = key[order]
    first = np.flatnonzero(np.append(True, k[1:] != k[:-1]))
    if len(first) >= len(k):  # no parallel edges (or none at all)
        return sparse.csr_matrix((w, (rows, cols)), shape=(n, n))
    least = np.minimum.reduceat(w[order], first)
    sel = order[first]
    return sparse.csr_matrix((least, (rows[sel], cols[sel])), shape=(n, n))


def _lex_keys(
    ls: np.ndarray,
    ld: np.ndarray,
    w: np.ndarray,
    tie: np.ndarray,
    tr: np.ndarray,
    n: int,
    s_loc: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """On objective-tight edges: the least tie-break and transfer keys of every node, and
    which edges are tight in all three (positions); None when one of those adds nothing to
    any key."""
    from scipy.sparse import csgraph

    d2 = csgraph.dijkstra(_csr(ls, ld, tie, n), indices=s_loc)
    e2 = np.flatnonzero(d2[ls] + tie == d2[ld])
    d3 = csgraph.dijkstra(_csr(ls[e2], ld[e2], tr[e2], n), indices=s_loc)
    e3 = e2[d3[ls[e2]] + tr[e2] == d3[ld[e2]]]
    if ((w[e3] == 0) & (tie[e3] == 0) & (tr[e3] == 0)).any():
        return None
    return d2, d3, e3


def _python_lex(
    solver: _Solver,
    dag: np.ndarray,
    w: np.ndarray,
    tie: np.ndarray,
    grid: np.ndarray,
    og: int,
    dg: int,
) -> list[int] | None:
    """The exact search's lexicographic Dijkstra (:func:`corridors.engine.search._dijkstra`)
    on the tight edges ``dag`` (sorted)."""
    topo = solver.topo
    edges = dag.tolist()
    wd = dict(zip(edges, w.tolist()))
    td = dict(zip(edges, tie.tolist()))
    tr = dict(zip(edges, (topo.etype[dag] == TRANSFER).tolist()))
    adjacency: dict[int, list[tuple[int, int]]] = {og: [], dg: []}
    for e, u, v in zip(edges, topo.src[dag].tolist(), topo.dst[dag].tolist()):
        adjacency.setdefault(u, []).append((e, v))
        adjacency.setdefault(v, [])
    allowed = [dict.fromkeys(edges, True)]
    found = _dijkstra(topo.n_nodes, 1, adjacency, wd, td, allowed, [{}], tr, None, og, dg, grid, {})
    return None if found is None else found[1]


def _route_metric(
    solver: _Solver, q: Query, cache_dir: str | os.PathLike[str] | bool | None
) -> _RouteMetric:
    """The metric of ``q``'s kind (its constraints, cargo and objective), kept per network
    state for the last few kinds."""
    topo = solver.topo
    # a query without a date or year is judged on today's link rules: the day is part of
    # the key, as it is of the solver's kept arrays
    day = q.rules_day() if q.date is None and q.year is None else None
    key = (_replace(q, origin="", destination=""), day, "route")
    cache: dict[Any, _RouteMetric] = topo._weights.setdefault(("cch-route",), {})
    hit = cache.pop(key, None)
    if hit is None:
        hit = _make_metric(solver, q, cache_dir)
    cache[key] = hit  # most recent last
    while len(cache) > _ROUTE_METRICS_KEPT:
        del cache[next(iter(cache))]
    return hit


def _make_metric(
    solver: _Solver, q: Query, cache_dir: str | os.PathLike[str] | bool | None
) -> _RouteMetric:
    from scipy import sparse
    from scipy.sparse import csgraph

    from . import cch_skims
    from .weights import check_weights

    topo = solver.topo
    shared = solver.shared_mask(q)
    # every departure timed as the connections are: no origin's own
    objective = solver.objective(_replace(q, departure=q.connections))
    usable = True
    try:
        check_weights(solver.w, q.minimize, shared, solver.net.name)
    except Exception:  # the exact search raises (or not) for its own mask
        usable = False
    grid = on_grid(objective)
    inner = shared & (topo.etype != LOAD) & (topo.etype != UNLOAD)
    if not np.isfinite(grid[shared]).all() or (grid[shared] < 0).any():
        usable = False
    gate = np.zeros(topo.n_nodes, dtype=bool)
    gate[topo.gate_of] = True
    if (inner & (gate[topo.src] | gate[topo.dst])).any():
        usable = False  # a path could pass through another place's gate
    wm = np.where(inner & np.isfinite(grid) & (grid >= 0), grid, np.inf)
    pts = solver.net.places.geometry
    lat = pts.y.to_numpy()[topo.node_place]
    lon = pts.x.to_numpy()[topo.node_place]
    cch = cch_skims.structure(topo, lat, lon, cache_dir)
    metric = cch.customize(wm)
    # nodes on cycles of zero-objective non-transfer edges (a superset of the key-neutral
    # edges: their order of settling depends on the search, see the module's docstring)
    zero = np.flatnonzero(inner & (grid == 0) & (topo.etype != TRANSFER))
    bad = np.zeros(0, dtype=np.int64)
    if len(zero):
        n = topo.n_nodes
        g = sparse.csr_matrix((np.ones(len(zero)), (topo.src[zero], topo.dst[zero])), shape=(n, n))
        _, label = csgraph.connected_components(g, directed=True, connection="strong")
        size = np.bincount(label)
        loops = topo.src[zero][topo.src[zero] == topo.dst[zero]]
        bad = np.union1d(np.flatnonzero(size[label] > 1), loops)
    return _RouteMetric(metric, objective, grid, shared, usable, bad)


# ------------------------------------------------------------------------------ subgraph
def shortest_subgraph(
    metric: Metric,
    sources: np.ndarray,
    source_dist: np.ndarray,
    targets: np.ndarray,
    target_dist: np.ndarray,
) -> tuple[float, np.ndarray]:
    """The least weight from the sources (node ids, each starting at its ``source_dist``)
    to the targets (each ending with its ``target_dist``), and every original edge of every
    least-weight simple path between them (sorted, unique; empty when there is none).

    Upward searches from all sources and from all targets (one compiled Dijkstra each on
    their ancestor chains); the meeting nodes attaining the least total; the tight arcs of
    both searches that lead to a meeting node; each tight arc unpacked into its original
    edges of the same weight and every lower triangle that attains its value, round after
    round (each arc direction once)."""
    c = metric.cch
    f_nodes, d_f, f_arcs, f_lo, f_hi = _up_search(metric, sources, source_dist, metric.fw)
    b_nodes, d_b, b_arcs, b_lo, b_hi = _up_search(metric, targets, target_dist, metric.bw)
    common, i_f, i_b = np.intersect1d(f_nodes, b_nodes, assume_unique=True, return_indices=True)
    empty = np.zeros(0, dtype=np.int64)
    if not len(common):
        return float("inf"), empty
    tot = d_f[i_f] + d_b[i_b]
    best = float(tot.min())
    if not np.isfinite(best):
        return best, empty
    meet = tot == best
    up = _useful_arcs(d_f, f_arcs, f_lo, f_hi, metric.fw, i_f[meet])
    down = _useful_arcs(d_b, b_arcs, b_lo, b_hi, metric.bw, i_b[meet])
    slots = np.concatenate([up, c.n_arcs + down])
    return best, _unpack_every(metric, slots)


def _up_search(
    metric: Metric, nodes: np.ndarray, start: np.ndarray, arc_w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The upward search from several nodes at once: the ranks searched (ascending), their
    distances, and the arcs among them (arc ids, local low and high ends)."""
    from scipy import sparse
    from scipy.sparse import csgraph

    c = metric.cch
    ranks = c.rank[np.asarray(nodes, dtype=np.int64)]
    flat, _ = metric._chains(np.unique(ranks))
    u = np.unique(flat)
    first = c.first_out
    cnt = first[u + 1] - first[u]
    st = np.cumsum(cnt) - cnt
    arcs = np.repeat(first[u] - st, cnt) + np.arange(int(cnt.sum()))
    lo = np.repeat(np.arange(len(u)), cnt)
    hi = np.searchsorted(u, c.arc_high[arcs])
    w = arc_w[arcs]
    ok = np.isfinite(w)
    arcs, lo, hi, w = arcs[ok], lo[ok], hi[ok], w[ok]
    n = len(u)
    # a start node at its least start weight (csr_matrix adds duplicates up)
    loc = np.searchsorted(u, ranks)
    srt = np.lexsort((start, loc))
    keep = np.append(True, loc[srt][1:] != loc[srt][:-1])
    s_loc, s_w = loc[srt][keep], np.asarray(start, dtype=float)[srt][keep]
    rows = np.concatenate([lo, np.full(len(s_loc), n)])
    cols = np.concatenate([hi, s_loc])
    g = sparse.csr_matrix((np.concatenate([w, s_w]), (rows, cols)), shape=(n + 1, n + 1))
    d = csgraph.dijkstra(g, indices=n)[:n]
    return u, d, arcs, lo, hi


def _useful_arcs(
    d: np.ndarray,
    arcs: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    arc_w: np.ndarray,
    meet: np.ndarray,
) -> np.ndarray:
    """The arcs of an upward search that are tight (``d[lo] + w == d[hi]``) and lead to a
    meeting node along tight arcs."""
    from scipy import sparse
    from scipy.sparse import csgraph

    n = len(d)
    tight = np.isfinite(d[lo]) & (d[lo] + arc_w[arcs] == d[hi])
    # from a super node to every meeting node, then down the tight arcs reversed
    rows = np.concatenate([np.full(len(meet), n), hi[tight]])
    cols = np.concatenate([meet, lo[tight]])
    g = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1))
    useful = np.zeros(n + 1, dtype=bool)
    useful[csgraph.breadth_first_order(g, n, return_predecessors=False)] = True
    return arcs[tight & useful[hi]]  # type: ignore[no-any-return]


def _unpack_every(metric: Metric, slots: np.ndarray) -> np.ndarray:
    """Every original edge of every least-weight path that arc directions ``slots``
    (``arc`` up, ``n_arcs + arc`` down) stand for (:func:`cch_skims.unpack_every`)."""
    from .cch_skims import unpack_every

    return unpack_every(metric, slots)
