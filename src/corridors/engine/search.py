"""TODO docstring (graph)"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .topology import TRANSFER, Topology, edge_csr

__all__ = ["search"]


def search(
    topo: Topology,
    weight: np.ndarray,
    masks: Sequence[np.ndarray],
    source: int,
    target: int,
    *,
    advance: Sequence[np.ndarray] = (),
    max_transfers: int | None = None,
    dist: np.ndarray | None = None,
    tie: np.ndarray | None = None,
    once: Sequence[np.ndarray] = (),
    on_grid: bool = False,
    kept: TightInputs | None = None,
) -> tuple[float, list[int]] | None:
    """Least-weight path from node ``source`` to node ``target`` through the stages of a query.

    Parameters
    ----------
    weight : array of float
        Non-negative, finite weight of each edge the masks allow.
    masks : list of bool arrays
        ``masks[s]``: edges allowed while in stage ``s`` (one per stage).
    advance : list of bool arrays
        ``advance[s]``: edges whose traversal completes stage ``s`` (entering a via place,
        handling at a gateway port, using a required crossing); ``len(masks) - 1`` of them.
        The target is reached only in the last stage.
    max_transfers : int, optional
        Most ``TRANSFER`` edges on the path.
    dist : array of float, optional
        With one stage and no ``max_transfers``: the least weight from ``source`` to every
        node over the edges of ``masks[0]``, if the caller has it (else it is computed with
        :func:`scipy.sparse.csgraph.dijkstra` on :func:`edge_csr`).

    tie : array of float, optional
        A second weight per edge that breaks ties of ``weight`` (e.g. time for a cost query),
        so that of two routes of equal cost the faster one wins.
    once : list of bool arrays, optional
        ``once[j]``: the edges that enter place j; the path enters each such place at most
        once, whatever the stage (one bit of the search state per place: used to turn a best
        path that visits a place twice into the best one that visits it once or never).
    on_grid : bool, default False
        The caller vouches that ``weight`` and ``tie`` are multiples of ``GRID``
        (:func:`~corridors.engine.topology.on_grid`): ties are then settled locally
        (:func:`_tight_path`) instead of by a Dijkstra on every tight edge.
    kept : TightInputs, optional
        :class:`TightInputs` of ``weight``, ``tie`` and ``masks[0]``, if the caller keeps
        them (one stage; else they are made when the graph needs them).

    Dijkstra on states (node, stage, transfers used) with a lexicographic key: weight, then
    ``tie``, then number of transfers, then the state's number. Equal-weight paths therefore
    prefer the better second criterion, then fewer transfers, and the result does not depend
    on float noise in a tie-breaking epsilon (callers put weights on a binary grid, see
    :func:`on_grid`, so that equal totals are equal floats whatever the order of addition).
    Returns (total weight, edges) or None when no path exists.

    With one stage and no ``max_transfers``, the compiled Dijkstra of csgraph finds the least
    weight of every node first; the edges that are tight (``dist[u] + w == dist[v]``, exactly,
    as both searches add the same floats in the same order) and lie on a tight path to the
    target are every edge a least-weight path can use, and the same lexicographic Dijkstra run
    on those edges alone settles the same states in the same order, so it returns the same
    path, bit for bit, as on the whole graph.
    """
    stages = len(masks)
    if len(advance) != stages - 1:
        raise ValueError("advance needs one edge set per stage boundary")
    if stages == 1 and max_transfers is None and not len(once):
        mask = masks[0]
        if dist is None:
            dist = csgraph().dijkstra(edge_csr(topo, weight, mask), indices=source)
        d_target = float(dist[target])
        if not math.isfinite(d_target):
            return None
        path = _tight_path(topo, weight, tie, mask, dist, source, target, on_grid, kept)
        if path is not None:
            if on_grid and d_target < EXACT_SUM and dist[source] == 0:
                # every partial sum along the path is a multiple of GRID below 2**32, so
                # exact: the distance is the path's exact sum
                return d_target, path
            return _path_sum(weight, path), path
        dag = _tight_edges(topo, weight, mask, dist, target)
        edges = dag.tolist()
        adjacency: dict[int, list[tuple[int, int]]] = {int(source): [], int(target): []}
        for e, u, v in zip(edges, topo.src[dag].tolist(), topo.dst[dag].tolist()):
            adjacency.setdefault(u, []).append((e, v))
            adjacency.setdefault(v, [])
        wd = dict(zip(edges, weight[dag].tolist()))
        td = dict(zip(edges, (tie[dag] if tie is not None else np.zeros(len(dag))).tolist()))
        tr = dict(zip(edges, (topo.etype[dag] == TRANSFER).tolist()))
        return _dijkstra(
            topo.n_nodes,
            1,
            adjacency,
            wd,
            td,
            [dict.fromkeys(edges, True)],
            [{}],
            tr,
            None,
            source,
            target,
            weight,
            {},
        )
    limit = (max_transfers + 1) if max_transfers is not None else 1
    wl = weight.tolist()
    tl = tie.tolist() if tie is not None else [0.0] * topo.n_edges
    allowed = [m.tolist() for m in masks]
    adv = [a.tolist() for a in advance] + [[False] * topo.n_edges]
    is_transfer = topo._static_array("is_transfer").tolist()
    enter_bits: dict[int, int] = {}
    for j, entering in enumerate(once):
        for e in np.flatnonzero(entering).tolist():
            enter_bits[e] = enter_bits.get(e, 0) | (1 << j)
    return _dijkstra(
        topo.n_nodes,
        stages,
        topo.adjacency,
        wl,
        tl,
        allowed,
        adv,
        is_transfer,
        limit if max_transfers is not None else None,
        source,
        target,
        weight,
        enter_bits,
    )


_MODULES: dict[str, Any] = {}


def csgraph() -> Any:
    """:mod:`scipy.sparse.csgraph`, imported on first use (``import corridors`` stays light,
    issue 18) and then read without an import statement per search."""
    hit = _MODULES.get("csgraph")
    if hit is None:
        from scipy.sparse import csgraph as mod

        hit = _MODULES["csgraph"] = mod
    return hit


def _path_sum(weight: np.ndarray, edges: Sequence[int]) -> float:
    """The exact sum (``math.fsum``, so in any order) of ``weight`` over a path's edges."""
    return math.fsum(weight[np.asarray(edges, dtype=np.int64)].tolist())


def _view(a: np.ndarray) -> Any:
    """A memoryview of a one-dimensional array (C order): its items read as Python floats,
    ints or bools, faster than ``ndarray.item`` in a loop over a few of them."""
    return memoryview(a)  # type: ignore[arg-type]  # (numpy's stubs: not a Buffer)


EXACT_SUM = 2.0**32  # below this, sums of multiples of GRID are exact in float64


InEdge = tuple[int, int, float, float, int]  # (edge, tail, weight, tie-break, 1 if transfer)


def _tight_path(
    topo: Topology,
    weight: np.ndarray,
    tie: np.ndarray | None,
    mask: np.ndarray,
    dist: np.ndarray,
    source: int,
    target: int,
    on_grid: bool,
    kept: TightInputs | None = None,
) -> list[int] | None:
    """The path the lexicographic Dijkstra (:func:`_dijkstra`) returns on the tight edges,
    found backwards from the target without searching the whole of them; None where this
    shortcut cannot vouch for that path (the caller then runs the Dijkstra).

    Tight edges are the allowed ones with ``dist[tail] + weight == dist[head]``. Walking
    back from the target, a node with exactly one tight edge in has that edge as its
    predecessor on every tight path (no tie: the common case). At a node with several (a
    tie), :func:`_tie_segment` settles the tie on the few nodes between it and the nearest
    node every tight path to it passes through, and the walk goes on from there.
    ``on_grid``: the caller vouches that ``weight`` and ``tie`` are multiples of ``GRID``
    (:func:`~corridors.engine.topology.on_grid`); else every tie falls back to the Dijkstra.

    On graphs of up to ``LIST_EDGES_MAX`` edges, the test is made only on the edges into
    the nodes the walk visits: their allowed edges in, with weight, tie-break and transfer,
    are kept in ``kept`` (:class:`TightInputs`, made here when the caller keeps none) on
    first use. Above, it is one vectorized test over every edge, and the walk reads the
    tight edge into each node that has one."""
    if kept is None:
        kept = TightInputs.make(topo, weight, tie, mask)
    source, target = int(source), int(target)
    dv = _view(np.ascontiguousarray(dist, dtype=float))
    if topo.n_edges > LIST_EDGES_MAX:
        return _tight_path_arrays(topo, weight, tie, mask, dist, dv, source, target, on_grid, kept)
    n = topo.n_nodes
    kept_ins = kept.in_edges
    edges: list[int] = []
    append = edges.append
    checked = False
    v = target
    while v != source:
        if len(edges) > n:
            return None  # a cycle of tight edges of zero weight
        into = kept_ins.get(v)
        if into is None:
            into = kept.allowed_into(topo, v)
        dx = dv[v]
        hit = None
        for p in into:  # the tight edge in, unless there are two (a tie: break)
            if dv[p[1]] + p[2] == dx:
                if hit is not None:
                    break
                hit = p
        else:
            if hit is None:
                return None  # (cannot happen: a node at a finite distance has one)
            append(hit[0])
            v = hit[1]
            continue
        if not checked:
            if not on_grid or not dv[target] < EXACT_SUM:
                return None
            if not kept.ties_ok:  # the bound over every allowed edge fails: the tight ones
                tight = mask & (dist[topo.src] + weight == dist[topo.dst])
                if not _exact_sums(dv[target], tie, np.flatnonzero(tight)):
                    return None
            checked = True
        v = _extend_by_tie(edges, None, dv, source, v, kept, topo)
        if v < 0:
            return None
    edges.reverse()
    return edges


def _tight_path_arrays(
    topo: Topology,
    weight: np.ndarray,
    tie: np.ndarray | None,
    mask: np.ndarray,
    dist: np.ndarray,
    dv: Any,
    source: int,
    target: int,
    on_grid: bool,
    kept: TightInputs,
) -> list[int] | None:
    """:func:`_tight_path` on a large graph: the tight edges by one vectorized test, a tie's
    nodes their tight edges from the topology's slices of the edges by head."""
    src, dst = topo.src, topo.dst
    n = topo.n_nodes
    tight = mask & (dist[src] + weight == dist[dst])
    te = np.flatnonzero(tight)
    heads = dst[te]
    count = np.bincount(heads, minlength=n)
    by_head = np.empty(n, dtype=np.int64)
    by_head[heads] = te  # the tight edge into each node that has one
    edges: list[int] = []
    ins: Callable[[int], list[InEdge]] | None = None
    v = target
    while v != source:
        if len(edges) > n:
            return None  # a cycle of tight edges of zero weight
        if count.item(v) == 1:
            e = by_head.item(v)
            edges.append(e)
            v = src.item(e)
            continue
        if ins is None:
            if not on_grid or not dist.item(target) < EXACT_SUM:
                return None
            if not kept.ties_ok and not _exact_sums(dist.item(target), tie, te):
                return None
            ins = _tight_ins(topo, tight, weight, tie)
        v = _extend_by_tie(edges, ins, dv, source, v, kept)
        if v < 0:
            return None
    edges.reverse()
    return edges


def _extend_by_tie(
    edges: list[int],
    ins: Callable[[int], list[InEdge]] | None,
    dv: Any,
    source: int,
    v: int,
    kept: TightInputs,
    topo: Topology | None = None,
) -> int:
    """The walk back of :func:`_tight_path` at node ``v``, where two tight edges come in:
    the Dijkstra's edges into ``v`` back to the nearest node every tight path to ``v``
    passes through (:func:`_tie_segment`) appended to ``edges`` (last edge first), and
    that node; -1 where the tie rule cannot decide (the caller returns None)."""
    found = _tie_segment(ins, dv, source, v, not kept.keys_positive, kept, topo)
    if found is None:
        return -1
    edges.extend(found[0])
    return found[1]


@dataclass
class TightInputs:
    """What :func:`_tight_path` reads for one mask, weight and tie-break (a caller that
    searches them again keeps it): whether the tie-break values of every allowed edge are
    not negative and sum below ``EXACT_SUM`` (then so do those of the tight edges:
    :func:`_exact_sums` holds without them), whether every allowed edge adds a key greater
    than zero (:func:`_tie_segment` need not test them), and, on a small graph, each node's
    allowed edges in as :data:`InEdge` (edge order), made the first time the walk visits the
    node. Plain arrays, lists and dicts: it pickles with the weights that keep it."""

    weight: np.ndarray
    tie: np.ndarray
    mask: np.ndarray
    ties_ok: bool
    keys_positive: bool
    in_edges: dict[int, list[InEdge]] = field(default_factory=dict)

    @classmethod
    def make(
        cls, topo: Topology, weight: np.ndarray, tie: np.ndarray | None, mask: np.ndarray
    ) -> TightInputs:
        weight = np.ascontiguousarray(weight, dtype=float)
        tie = np.ascontiguousarray(tie if tie is not None else np.zeros(len(weight)), dtype=float)
        t, w = tie[mask], weight[mask]
        ties_ok = bool(t.min(initial=0.0) >= 0 and t.sum() < EXACT_SUM)
        transfer = topo._static_array("is_transfer")[mask]
        positive = (w > 0) | ((w == 0) & ((t > 0) | ((t == 0) & transfer)))
        return cls(weight, tie, mask, ties_ok, bool(positive.all()))

    def allowed_into(self, topo: Topology, x: int) -> list[InEdge]:
        """Node ``x``'s allowed edges in (made once, then kept)."""
        m, w, t = _view(self.mask), _view(self.weight), _view(self.tie)
        r = _view(topo._static_array("is_transfer"))
        into = [(e, u, w[e], t[e], 1 if r[e] else 0) for e, u in topo.in_adjacency[x] if m[e]]
        self.in_edges[x] = into
        return into


def _exact_sums(d_target: float, tie: np.ndarray | None, te: np.ndarray) -> bool:
    """Whether, on the grid, every key the Dijkstra forms on the tight edges ``te`` is an
    exact sum: the weight of every tight path to the target is at most ``d_target`` and the
    tie-break values are not negative and sum (all of them) below ``EXACT_SUM``; so sums do
    not depend on the order of addition."""
    if not d_target < EXACT_SUM:
        return False
    if tie is None:
        return True
    vals = tie[te]
    return bool(vals.min(initial=0.0) >= 0 and vals.sum() < EXACT_SUM)


LIST_EDGES_MAX = 200_000  # up to this many edges, the walk reads the topology's in-edge lists


def _tight_ins(
    topo: Topology, tight: np.ndarray, weight: np.ndarray, tie: np.ndarray | None
) -> Callable[[int], list[InEdge]]:
    """node -> its tight edges in as :data:`InEdge`, in edge order, from its slice of the
    topology's edges by head (large graphs: made at the first tie of a search)."""
    in_order = topo._static_array("in_order")
    in_ptr = topo._static_array("in_ptr")
    src = topo.src
    transfer = topo._static_array("is_transfer")
    ties = tie if tie is not None else np.zeros(topo.n_edges)

    def ins(x: int) -> list[InEdge]:
        es = in_order[in_ptr.item(x) : in_ptr.item(x + 1)]
        es = es[tight[es]]
        cols = (src[es], weight[es], ties[es], transfer[es].astype(np.int64))
        return list(zip(es.tolist(), *(c.tolist() for c in cols)))

    return ins


def _tie_segment(
    ins: Callable[[int], list[InEdge]] | None,
    dv: Any,
    source: int,
    v: int,
    check_keys: bool = True,
    kept: TightInputs | None = None,
    topo: Topology | None = None,
) -> tuple[list[int], int] | None:
    """The Dijkstra's path into node ``v`` back to ``a``, the nearest node that every tight
    path from the source to ``v`` passes through, as (edges from ``v`` backwards, ``a``).
    ``ins(x)``: the tight edges into ``x`` as :data:`InEdge`, in edge order (None: tested
    on the allowed edges in that ``kept`` keeps for ``topo``, the small graphs); ``dv``: the
    distance of each node (a memoryview or a list). ``check_keys=False``: the caller knows
    that every allowed edge adds a key greater than zero (:class:`TightInputs`).

    Tight ancestors of ``v`` are expanded latest-first (largest ``dist``) until a single
    one is left unexpanded: that is ``a`` (every tight edge into the expanded nodes comes
    from a node found, so every path from the source enters them through ``a``). With exact
    sums (:func:`_exact_sums`) a node's key is ``a``'s plus its key from ``a``, and on tight
    edges the weight part of every key into a node is the same (its ``dist``). So the
    lexicographic Dijkstra from ``a`` (key, then node, then edge order), provided every
    edge adds a key strictly greater than zero (else None), settles the expanded nodes in
    the order of ``dist``, then, between nodes of equal ``dist`` (joined by edges of zero
    weight), of their (tie-break, transfers) sums from ``a``, then of node; and a node's
    predecessor is the first tight edge in that order that gives its least sums: the least
    (sums, tail's ``dist``, tail's sums, tail, edge). This computes those in that order."""
    expanded = _ancestors(ins, dv, source, v, kept, topo)
    if expanded is None:
        return None
    order, dists, ins_of, a = expanded
    if check_keys:
        for into in ins_of.values():
            for _, _, w, t, r in into:
                if not (w > 0 or (w == 0 and (t > 0 or (t == 0 and r)))):
                    return None  # an edge that adds no key: the settling order is the search's
    t2: dict[int, float] = {a: 0.0}  # tie-break sum from a, of each node settled
    r2: dict[int, int] = {a: 0}  # transfers from a
    prev: dict[int, tuple[int, int]] = {}
    i = len(order) - 1
    while i >= 0:  # earliest first
        x = order[i]
        dx = dists[i]
        if i == 0 or dists[i - 1] != dx:  # alone at its distance: every tail is settled
            into = ins_of[x]
            if len(into) == 1:
                e, u, _, t, r = into[0]
                t2[x], r2[x], prev[x] = t2[u] + t, r2[u] + r, (u, e)
            else:
                found_best = _best_in(into, t2, r2, dv)
                if found_best is None:
                    return None  # (cannot happen: its tails are settled)
                t2[x], r2[x], prev[x] = found_best[0], found_best[1], found_best[2:]
            i -= 1
            continue
        j = i - 1
        while j >= 0 and dists[j] == dx:
            j -= 1
        if j == i - 2:  # two nodes at this distance (a service's node beside the track's)
            y1, y2 = order[i - 1], x
            b1, b2 = _best_in(ins_of[y1], t2, r2, dv), _best_in(ins_of[y2], t2, r2, dv)
            if b1 is not None and (b2 is None or (b1[0], b1[1], y1) < (b2[0], b2[1], y2)):
                first, b, second = y1, b1, y2
            elif b2 is not None:
                first, b, second = y2, b2, y1
            else:
                return None  # (cannot happen: a is settled and reaches every node)
            t2[first], r2[first], prev[first] = b[0], b[1], (b[2], b[3])
            b2 = b1 if second == y1 else b2
            b2 = _best_in(ins_of[second], t2, r2, dv, b2, first)  # with the edges from first
            if b2 is None:
                return None  # (cannot happen, as above)
            t2[second], r2[second], prev[second] = b2[0], b2[1], (b2[2], b2[3])
            i = j
            continue
        group = order[j + 1 : i + 1]  # nodes at this distance, joined by edges of zero weight
        while group:
            pick: tuple[float, int, int, int] | None = None
            at = -1
            for y in group:
                by = _best_in(ins_of[y], t2, r2, dv)
                if by is not None and (pick is None or (by[0], by[1], y) < (pick[0], pick[1], at)):
                    pick, at = by, y
            if pick is None:
                return None  # (cannot happen: a is settled and reaches every node)
            t2[at], r2[at], prev[at] = pick[0], pick[1], (pick[2], pick[3])
            group.remove(at)
        i = j
    segment: list[int] = []
    x = v
    while x != a:
        x, e = prev[x]
        segment.append(e)
    return segment, a


def _ancestors(
    ins: Callable[[int], list[InEdge]] | None,
    dv: Any,
    source: int,
    v: int,
    kept: TightInputs | None = None,
    topo: Topology | None = None,
) -> tuple[list[int], list[float], dict[int, list[InEdge]], int] | None:
    """:func:`_tie_segment`'s expansion: the tight ancestors of ``v`` expanded latest-first
    (each node's tight edges in from ``ins``, or with ``ins`` None from the allowed edges
    in that ``kept`` keeps, tested here) until one is left unexpanded, as (expanded nodes
    latest first, their ``dist``, their tight edges in, the one left: ``a``); None where it
    cannot vouch for them."""
    frontier = [(-dv[v], False, v)]  # (-dist, is source, node): latest first
    found = {v}
    order: list[int] = []
    dists: list[float] = []
    ins_of: dict[int, list[InEdge]] = {}
    left = 1  # found and not expanded
    pop, push = heapq.heappop, heapq.heappush
    kept_get = None
    if ins is None:  # the lists path: each node's allowed edges in, kept in ``kept``
        assert kept is not None and topo is not None
        kept_get = kept.in_edges.get
    while left > 1 or not order:
        d, _, x = pop(frontier)
        if x == source:
            return None  # (cannot happen: the source is the last one left)
        left -= 1
        if kept_get is None:
            into = ins(x)  # type: ignore[misc]  # (not None: kept_get is set when it is)
        else:  # (read here: a call less per node)
            into = kept_get(x)
            if into is None:
                into = kept.allowed_into(topo, x)  # type: ignore[union-attr,arg-type]  # (set)
            dx = -d
            into = [p for p in into if dv[p[1]] + p[2] == dx]
        if not into:
            return None  # (cannot happen: a node at a finite distance has one)
        order.append(x)
        dists.append(-d)
        ins_of[x] = into
        for p in into:
            u = p[1]
            if u not in found:
                found.add(u)
                left += 1
                push(frontier, (-dv[u], u == source, u))
    (a,) = found.difference(ins_of)
    return order, dists, ins_of, a


def _best_in(
    into: list[InEdge],
    t2: dict[int, float],
    r2: dict[int, int],
    dv: Any,
    best: tuple[float, int, int, int] | None = None,
    only: int = -1,
) -> tuple[float, int, int, int] | None:
    """Of the edges ``into`` a node from settled tails (in ``t2``), the one the Dijkstra of
    :func:`_tie_segment` keeps: the least (tie-break sum, transfers, tail's dist, tail's
    sums, tail, edge), as (tie-break sum, transfers, tail, edge); None if no tail is
    settled yet. ``best``, ``only``: the best of the edges from the tails settled before
    ``only`` (settled since), to be compared with the edges from ``only`` alone."""
    bt, br, bu, be = best if best is not None else (0.0, 0, -1, -1)
    for e, u, _, t, r in into:
        if u not in t2 or (only >= 0 and u != only):
            continue  # (a tail at the same distance not yet settled waits)
        tu, ru = t2[u], r2[u]
        t += tu
        r += ru
        if (
            bu < 0
            or t < bt
            or (t == bt and r < br)
            or (t == bt and r == br and (dv[u], tu, ru, u, e) < (dv[bu], t2[bu], r2[bu], bu, be))
        ):
            bt, br, bu, be = t, r, u, e
    return (bt, br, bu, be) if bu >= 0 else None


def _tight_edges(
    topo: Topology, weight: np.ndarray, mask: np.ndarray, dist: np.ndarray, target: int
) -> np.ndarray:
    """Allowed edges with ``dist[tail] + weight == dist[head]`` from which the target can be
    reached along such edges (every edge of every least-weight path), in edge order.

    The test is one vectorized comparison (the same float sum per edge as a walk would
    make); which heads reach the target is a compiled breadth-first search on the tight
    edges reversed."""
    from scipy import sparse
    from scipy.sparse import csgraph

    in_order = topo._static_array("in_order")
    src, dst = topo.src, topo.dst
    tight = mask & (dist[src] + weight == dist[dst])
    rev = in_order[tight[in_order]]  # tight edges by head
    n = topo.n_nodes
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(dst[rev], minlength=n), out=indptr[1:])
    graph = sparse.csr_matrix((np.ones(len(rev)), src[rev].astype(np.int32), indptr), shape=(n, n))
    reached = np.zeros(n, dtype=bool)
    reached[csgraph.breadth_first_order(graph, int(target), return_predecessors=False)] = True
    return np.flatnonzero(tight & reached[dst])


def _dijkstra(
    n: int,
    stages: int,
    adjacency: Any,
    wl: Any,
    tl: Any,
    allowed: Any,
    adv: Any,
    is_transfer: Any,
    limit: int | None,
    source: int,
    target: int,
    weight: np.ndarray,
    enter_bits: dict[int, int],
) -> tuple[float, list[int]] | None:
    """The lexicographic Dijkstra of :func:`search` over any adjacency (list or dict by node)
    and per-edge lookups (lists or dicts by edge); ``adv[s]`` may be a dict (missing: no).
    ``enter_bits[e]``: the bits of the at-most-once places that edge ``e`` enters."""
    last = stages - 1
    counting = limit is not None
    lim = limit if limit is not None else 1
    dist: dict[int, tuple[float, float, int]] = {source: (0.0, 0.0, 0)}
    prev: dict[int, tuple[int, int]] = {}
    heap: list[tuple[float, float, int, int]] = [(0.0, 0.0, 0, source)]
    while heap:
        d, d2, ntr, st = heapq.heappop(heap)
        if (d, d2, ntr) > dist.get(st, (math.inf, 0.0, 0)):
            continue
        v = st % n
        rest = st // n
        s = rest % stages
        rest //= stages
        k = rest % lim
        bits = rest // lim
        if v == target and s == last:
            edges: list[int] = []
            cur = st
            while cur in prev:
                p, e = prev[cur]
                edges.append(e)
                cur = p
            edges.reverse()
            total = _path_sum(weight, edges)
            return total, edges
        ok = allowed[s]
        ad = adv[s]
        for e, w in adjacency[v]:
            if not ok[e]:
                continue
            tr = is_transfer[e]
            k2 = k + 1 if (counting and tr) else k
            if k2 >= lim:
                continue
            eb = enter_bits.get(e, 0)
            if eb & bits:
                continue  # a second visit of an at-most-once place
            s2 = s + 1 if (ad[e] if s < last else False) else s
            key = (d + wl[e], d2 + tl[e], ntr + (1 if tr else 0))
            st2 = w + n * (s2 + stages * (k2 + lim * (bits | eb)))
            if key < dist.get(st2, (math.inf, 0.0, 0)):
                dist[st2] = key
                prev[st2] = (st, e)
                heapq.heappush(heap, (key[0], key[1], key[2], st2))
    return None
