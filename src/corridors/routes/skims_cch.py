"""The CCH engine of :func:`corridors.routes.skims.route_matrix` (``engine="cch"``).

All clean origins' paths on one customized contraction hierarchy
(:mod:`corridors.engine.cch_skims`), by chunks of origins: the distances to the tails of
every destination's candidate last edges, each pair's best candidate (the first that attains
the least total), the path to it, and how many least-objective paths the pair has. Where it
has one, that path is the csgraph engine's (and ``route``'s). Where two or more tie (round
tariffs, parallel services of equal cost), the csgraph engine's tie rule
(:class:`corridors.engine.lex.Lex`) runs on every edge of every least-objective path of the
origin's tied pairs (:func:`corridors.engine.cch_skims.tied_subgraphs`; :class:`_Local`),
which gives the same keys and predecessors as on the whole graph. Origins whose own rules
change a ranking weight, and paths that change mode at their origin, are left to csgraph.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.query import _replace
from ..engine.topology import LOAD, TRANSFER, on_grid

if TYPE_CHECKING:  # skims imports this module where it runs the engine
    from .skims import _Prep

__all__: list[str] = []

#: Pairs answered, pairs with tied least-objective paths, and origins sent to csgraph by
#: the CCH engine (for tests and benchmarks; never read by the engine).
STATS: Counter[str] = Counter()


def _gates_closed(prep: _Prep) -> bool:
    """One metric serves every origin because a gate is left by loading edges only and
    entered by unloading edges only (not in the skims' graph): a path cannot pass through
    another origin's gate. A network where another allowed edge enters a gate goes to
    csgraph."""
    topo = prep.topo
    gate = np.zeros(topo.n_nodes, dtype=bool)
    gate[topo.gate_of] = True
    return not bool((prep.allowed & gate[topo.dst]).any())


#: Pairs whose paths the CCH engine unpacks at a time (their edges are held in memory).
CHUNK_PAIRS = 20_000


def _cch_paths(
    prep: _Prep, sink: Any, cache_dir: str | os.PathLike[str] | bool | None
) -> list[int]:
    """All clean origins' paths on one customized CCH, by chunks of origins, each chunk's
    paths given to ``sink(pairs, edges, ptr, shared)`` (a :class:`skims._Block`'s fields); returns the origins left to csgraph (their rules change a
    ranking weight, or a path found changes mode at the origin)."""
    from ..engine import cch_skims

    topo = prep.topo
    if not _gates_closed(prep):
        return list(range(len(prep.o_ids)))
    rest: list[int] = []
    clean: list[int] = []
    for i, o in enumerate(prep.o_ids):
        (rest if len(prep.reweighted(topo.place_index[o], grid=True)) else clean).append(i)
    STATS["origins_reweighted"] += len(rest)
    cand = _candidates(prep)
    if not clean or cand is None:  # without candidates no pair has a path
        return rest
    pts = prep.net.places.geometry
    lat = pts.y.to_numpy()[topo.node_place]
    lon = pts.x.to_numpy()[topo.node_place]
    cch = cch_skims.structure(topo, lat, lon, cache_dir)
    key = (_replace(prep.q, origin="", destination=""), "skims")
    # ranked on the grid (exact sums: the distances are csgraph's on the same weights)
    wg = on_grid(prep.wr)  # inf stays inf
    metric = cch_skims.metric(topo, cch, key, lambda: np.where(prep.allowed, wg, np.inf))
    step = max(1, CHUNK_PAIRS // max(len(prep.d_ids), 1))
    for a in range(0, len(clean), step):
        rest += _cch_chunk(prep, metric, wg, cand, clean[a : a + step], sink)
    return sorted(rest)


def _candidates(prep: _Prep) -> tuple[np.ndarray, ...] | None:
    """Every destination's candidate last two edges (non-transfer edge f, unloading edge e)
    in :func:`_destination_ends` order, the destination of each, the nodes to reach (the
    tails of f) and each candidate's node; None when no destination has one."""
    cand_f, cand_e, cand_j = [], [], []
    for j, dg in enumerate(prep.d_gates.tolist()):
        pair = prep.ends.get(dg)
        if pair is None or not len(pair[0]):
            continue
        cand_f.append(pair[0])
        cand_e.append(pair[1])
        cand_j.append(np.full(len(pair[0]), j))
    if not cand_f:
        return None
    f_all, e_all, j_all = np.concatenate(cand_f), np.concatenate(cand_e), np.concatenate(cand_j)
    targets, t_idx = np.unique(prep.topo.src[f_all], return_inverse=True)
    return f_all, e_all, j_all, targets, t_idx


def _cch_chunk(
    prep: _Prep,
    metric: Any,
    wg: np.ndarray,
    cand: tuple[np.ndarray, ...],
    clean: list[int],
    sink: Any,
) -> list[int]:
    """The paths of origins ``clean`` (a chunk) to every destination; returns the origins
    that go to csgraph instead (a path changes mode at its origin)."""
    from ..engine import cch_skims

    topo = prep.topo
    n_d = len(prep.d_ids)
    f_all, e_all, j_all, targets, t_idx = cand
    sources = prep.o_gates[clean]
    seg = np.flatnonzero(np.append(True, j_all[1:] != j_all[:-1]))
    seg_j = j_all[seg]
    o_clean = np.asarray([prep.o_ids[i] for i in clean], dtype=object)
    same = o_clean[:, None] == np.asarray(prep.d_ids, dtype=object)[seg_j][None, :]
    chosen: dict[str, np.ndarray] = {}

    def want(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        totals = dist[:, t_idx] + wg[f_all] + wg[e_all]
        best = np.minimum.reduceat(totals, seg, axis=1)
        hit = totals == np.repeat(best, np.diff(np.append(seg, len(j_all))), axis=1)
        # first candidate of each destination that attains its minimum
        ci, cc = np.nonzero(hit & np.isfinite(totals))
        cs = np.searchsorted(seg, cc, side="right") - 1
        first = np.unique(ci * len(seg) + cs, return_index=True)[1]
        # candidates attaining it: two or more are two least-objective paths (a tie)
        n_hit = np.add.reduceat((hit & np.isfinite(totals)).astype(np.int64), seg, axis=1)
        ci, cc, cs = ci[first], cc[first], cs[first]
        ok = ~same[ci, cs]
        ci, cc, cs = ci[ok], cc[ok], cs[ok]
        chosen.update(i=ci, c=cc, s=cs, several=n_hit[ci, cs] > 1)
        return ci, t_idx[cc]

    dist, edges, owner, ptr, shared, count, trees = cch_skims.paths_many(
        metric, sources, targets, want
    )
    ci, cc, cs = chosen["i"], chosen["c"], chosen["s"]
    # a path that changes mode at its origin is not the origin's path: csgraph decides
    # the whole origin
    oi_of = np.asarray([topo.place_index[prep.o_ids[i]] for i in clean], dtype=np.int64)
    bad = (topo.etype[edges] == TRANSFER) & (topo.src_place[edges] == oi_of[ci[owner]])
    bad_o = np.unique(ci[owner[bad]])
    # where two least-objective paths tie, route's tie rule (not the hierarchy's) picks
    # one: on every least-objective path of the origin's tied pairs (:func:`_resolve`)
    tied = chosen["several"] | (count > 1)
    STATS["pairs"] += len(ci)
    STATS["tied_pairs"] += int(tied.sum())
    seg_end = np.append(seg[1:], len(j_all))
    resolved, failed = _settle(
        prep, metric, wg, cand, clean, (ci, cc, cs, tied, bad_o), dist, trees, seg, seg_end
    )
    STATS["origins_resolved"] += len(resolved)
    bad_o = np.union1d(bad_o, np.asarray(failed, dtype=np.int64))
    STATS["origins_to_csgraph"] += len(bad_o)
    # each pair's path: the CCH path, then the last two edges
    last = np.empty(2 * len(cc), dtype=np.int64)
    last[0::2], last[1::2] = f_all[cc], e_all[cc]
    full = np.insert(edges, np.repeat(ptr[1:], 2), last)
    ptr2 = ptr + 2 * np.arange(len(ptr))
    keep = ~np.isin(ci, bad_o) & ~tied
    pair_ids = np.asarray(clean, dtype=np.int64)[ci] * n_d + seg_j[cs]
    if not keep.all():
        lens = np.diff(ptr2)
        full = full[np.repeat(keep, lens)]
        pair_ids = pair_ids[keep]
        ptr2 = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(lens[keep], out=ptr2[1:])
        shared = shared.keep(keep)
    sink(pair_ids, full, ptr2, shared)
    for k, (js, paths, lens) in resolved.items():
        p = np.zeros(len(lens) + 1, dtype=np.int64)
        np.cumsum(lens, out=p[1:])
        sink(clean[k] * n_d + js, paths, p)
    return [clean[i] for i in bad_o.tolist()]


def _settle(
    prep: _Prep,
    metric: Any,
    wg: np.ndarray,
    cand: tuple[np.ndarray, ...],
    clean: list[int],
    chosen: tuple[np.ndarray, ...],
    dist: np.ndarray,
    trees: Any,
    seg: np.ndarray,
    seg_end: np.ndarray,
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]], list[int]]:
    """Route's paths of the tied pairs (``chosen``: each pair's origin in the chunk, first
    attaining candidate, destination segment, whether it ties, and the origins already
    left to csgraph), by origin (:func:`_resolve`): the origins settled and their paths,
    and the origins that go to csgraph."""
    from ..engine import cch_skims

    f_all, e_all, _, _, t_idx = cand
    ci, cc, cs, tied, bad_o = chosen
    tied_o = np.setdiff1d(np.unique(ci[tied]), bad_o)
    # per tied pair, the tails of its candidates that attain its least total
    is_t = tied & np.isin(ci, tied_o)
    lens = seg_end[cs[is_t]] - seg[cs[is_t]]
    st = np.cumsum(lens) - lens
    c_all = np.repeat(seg[cs[is_t]] - st, lens) + np.arange(int(lens.sum()))
    k_all = np.repeat(ci[is_t], lens)
    tot = dist[k_all, t_idx[c_all]] + wg[f_all[c_all]] + wg[e_all[c_all]]
    low = np.repeat(
        dist[ci[is_t], t_idx[cc[is_t]]] + wg[f_all[cc[is_t]]] + wg[e_all[cc[is_t]]], lens
    )
    at = tot == low
    subs = (
        cch_skims.tied_subgraphs(metric, trees, k_all[at], t_idx[c_all[at]])
        if trees is not None
        else {}
    )
    resolved: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    failed: list[int] = []
    for k in tied_o.tolist():
        segs = cs[tied & (ci == k)]
        got = _resolve(prep, subs[k], clean[k], dist[k], cand, seg[segs], seg_end[segs])
        if got is None:
            failed.append(k)
        else:
            resolved[k] = got
    return resolved, failed


def _resolve(
    prep: _Prep,
    sub: np.ndarray,
    i: int,
    dist_row: np.ndarray,
    cand: tuple[np.ndarray, ...],
    starts: np.ndarray,
    ends: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Route's paths from origin ``i`` to the destinations whose candidates are
    ``cand[...][starts[k]:ends[k]]`` (destinations where least-objective paths tie):
    ``(destination indices, paths concatenated, path lengths)``, or None for csgraph.

    ``sub``: every edge of every least-objective path from the origin to those
    candidates' tails (:func:`corridors.engine.cch_skims.tied_subgraphs`), maybe more
    edges of the metric's graph. On that subgraph the csgraph engine's rule
    (:class:`corridors.engine.lex.Lex`, and the choice of the last two edges in
    :func:`corridors.routes.skims._csgraph_paths`) runs on local arrays (:class:`_Local`):
    every least-objective path to a tail, and so every tight edge into one of its nodes,
    is in the subgraph, so each such node's keys (objective, tie-break, transfers) and
    predecessor are the ones of the whole graph. A subgraph that does not reach the
    hierarchy's distances (a least path changing mode at the origin) sends the origin to
    csgraph."""
    f_all, e_all, j_all, targets, t_idx = cand
    wg = prep.wg
    # the tails of each destination's candidates attaining its least total
    sel = np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist())])
    d_tail = dist_row[t_idx[sel]]
    tot = d_tail + wg[f_all[sel]] + wg[e_all[sel]]
    grp = np.repeat(np.arange(len(starts)), ends - starts)
    best = np.full(len(starts), np.inf)
    np.minimum.at(best, grp, tot)
    at = tot == best[grp]
    several = len(np.unique(grp[at])) < int(at.sum())  # a destination's last edges tie
    loc = _Local.make(prep, sub, i, targets[t_idx[sel[at]]], d_tail[at], several)
    if loc is None:
        STATS["unresolved_origin_rules"] += 1  # a least path changes mode at the origin
        return None
    js: list[int] = []
    paths: list[np.ndarray] = []
    for a, b in zip(starts.tolist(), ends.tolist()):
        path = loc.path(f_all[a:b], e_all[a:b])
        if path is None:  # not expected: every tail is reached along tight edges
            STATS["unresolved_no_path"] += 1
            return None
        js.append(int(j_all[a]))
        paths.append(path)
    lens = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    return np.asarray(js, dtype=np.int64), np.concatenate(paths), lens


@dataclass
class _Local:
    """The csgraph engine's tie rule from one origin on a subgraph ``sub`` (sorted edge
    ids) of its least-objective paths: local nodes (``nodes``, global ids), each edge's
    local ends, objective and tie-break (the origin's own), the keys ``d1`` (``d2``,
    ``d3`` when needed) and each local node's predecessor (a position in ``sub``)."""

    prep: _Prep
    og: int
    red: np.ndarray
    sub: np.ndarray
    nodes: np.ndarray
    ls: np.ndarray
    s_loc: int
    d1: np.ndarray
    d2: np.ndarray | None
    d3: np.ndarray | None
    pred: list[int]

    @classmethod
    def make(
        cls,
        prep: _Prep,
        sub: np.ndarray,
        i: int,
        tails: np.ndarray,
        tail_d: np.ndarray,
        keys: bool,
    ) -> _Local | None:
        """The rule on ``sub`` from origin ``i`` to nodes ``tails`` (whose least objectives
        are ``tail_d``: None when the subgraph does not reach them); ``keys``: compute the
        tie-break and transfer keys even without a node of two tight edges in."""
        from scipy.sparse import csgraph

        from ..engine.cch_route import _csr

        topo = prep.topo
        og = int(prep.o_gates[i])
        oi = topo.place_index[prep.o_ids[i]]
        # the csgraph engine's graph of the origin: no change of mode at it, loading only
        # at its gate, its first departures' tie-break reduced (their objective is the
        # same on the grid for an origin the CCH answers)
        et = topo.etype[sub]
        src_ok = (et != TRANSFER) | (topo.src_place[sub] != oi)
        sub = sub[src_ok & ((et != LOAD) | (topo.src[sub] == og))]
        red = prep.reweighted(oi)
        w = prep.wg[sub]
        t = np.where(np.isin(sub, red), prep.tg_red[sub], prep.tg[sub])
        nodes, inv = np.unique(
            np.concatenate([topo.src[sub], topo.dst[sub], [og], tails]), return_inverse=True
        )
        k, n = len(sub), len(nodes)
        ls, ld = inv[:k], inv[k : 2 * k]
        s_loc, t_loc = int(inv[2 * k]), inv[2 * k + 1 :]
        d1 = csgraph.dijkstra(_csr(ls, ld, w, n), indices=s_loc)
        if not np.array_equal(d1[t_loc], tail_d):
            return None
        tight = np.flatnonzero(d1[ls] + w == d1[ld])
        # tight edges from whose heads a tail is reached along tight edges (super node n)
        rows = np.concatenate([ld[tight], np.full(len(t_loc), n)])
        cols = np.concatenate([ls[tight], t_loc])
        reached = np.zeros(n + 1, dtype=bool)
        rev = _csr(rows, cols, np.ones(len(rows)), n + 1)
        reached[csgraph.breadth_first_order(rev, n, return_predecessors=False)] = True
        keep = tight[reached[ld[tight]]]
        tr = (topo.etype[sub] == TRANSFER).astype(float)
        multi = bool(len(keep)) and int(np.bincount(ld[keep]).max()) > 1
        pred = np.full(n, -1, dtype=np.int64)
        d2 = d3 = None
        if multi or keys:
            d2 = csgraph.dijkstra(_csr(ls[keep], ld[keep], t[keep], n), indices=s_loc)
            e2 = keep[d2[ls[keep]] + t[keep] == d2[ld[keep]]]
            d3 = csgraph.dijkstra(_csr(ls[e2], ld[e2], tr[e2], n), indices=s_loc)
            e3 = e2[d3[ls[e2]] + tr[e2] == d3[ld[e2]]]
        if not multi:
            pred[ld[keep]] = keep
        elif ((w[e3] == 0) & (t[e3] == 0) & (tr[e3] == 0)).any():
            # an edge adds nothing to any key: the settling order of Lex's lexicographic
            # Dijkstra decides, run on these tight edges (every tight edge into a node of a
            # least path to a tail is one of them, so those nodes settle in the same order
            # as on the whole graph)
            STATS["neutral_dijkstra"] += 1
            pred = _lex_preds(prep, sub[keep], red, og)[nodes]
            pred = np.where(pred >= 0, np.searchsorted(sub, pred), -1)
        else:
            assert d2 is not None and d3 is not None
            tl = ls[e3]
            order = np.lexsort((sub[e3], nodes[tl], d3[tl], d2[tl], d1[tl], ld[e3]))
            e3 = e3[order]
            heads = ld[e3]
            first = e3[np.append(True, heads[1:] != heads[:-1])]
            pred[ld[first]] = first
        return cls(prep, og, red, sub, nodes, ls, s_loc, d1, d2, d3, pred.tolist())

    def path(self, fs: np.ndarray, es: np.ndarray) -> np.ndarray | None:
        """The path to a destination of candidate last edges ``fs`` (into the unloading
        edges' tails) and ``es`` (unloading), as :func:`_csgraph_paths` picks them."""
        prep, topo = self.prep, self.prep.topo
        src, wg = topo.src, prep.wg
        ok = prep.allowed[fs] & ((topo.etype[fs] != LOAD) | (src[fs] == self.og))
        fs, es = fs[ok], es[ok]
        tl = np.searchsorted(self.nodes, src[fs])
        have = (tl < len(self.nodes)) & (self.nodes[np.minimum(tl, len(self.nodes) - 1)] == src[fs])
        fs, es, tl = fs[have], es[have], tl[have]
        tot1 = self.d1[tl] + wg[fs] + wg[es]
        at_min = np.flatnonzero(tot1 == tot1.min())
        if len(at_min) == 1:
            pick = int(at_min[0])
        else:  # the keys as in _csgraph_paths
            assert self.d2 is not None and self.d3 is not None
            fs, es, tl = fs[at_min], es[at_min], tl[at_min]
            k1, k2, k3 = self.d1[tl], self.d2[tl], self.d3[tl]
            red = self.red
            v1 = k1 + wg[fs]
            v2 = k2 + np.where(np.isin(fs, red), prep.tg_red[fs], prep.tg[fs])
            tot2 = v2 + np.where(np.isin(es, red), prep.tg_red[es], prep.tg[es])
            keys = (fs, self.nodes[tl], k3, k2, k1, es, src[es], k3, v2, v1, k3, tot2)
            pick = int(np.lexsort(keys)[0])
        path = [int(es[pick]), int(fs[pick])]
        v = int(tl[pick])
        pred, tails, sub = self.pred, self.ls, self.sub
        while v != self.s_loc:
            e = pred[v]
            if e < 0:
                return None
            path.append(int(sub[e]))
            v = int(tails[e])
        return np.asarray(path[::-1], dtype=np.int64)


def _lex_preds(prep: _Prep, edges: np.ndarray, red: np.ndarray, og: int) -> np.ndarray:
    """Each node's predecessor edge by :func:`corridors.engine.lex._lex_dijkstra` from
    gate ``og`` over ``edges`` (the origin's tie-break on its first departures)."""
    from ..engine.lex import _lex_dijkstra

    topo = prep.topo
    tie = prep.tg.copy()
    tie[red] = prep.tg_red[red]
    pred = np.full(topo.n_nodes, -1, dtype=np.int64)
    is_tr = topo._static_array("is_transfer").astype(float)
    _lex_dijkstra(topo, edges, prep.wg, tie, is_tr, og, pred)
    return pred
