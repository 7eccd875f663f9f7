"""The CCH engine of :func:`corridors.routes.skims.route_matrix` (``engine="cch"``).

All clean origins' paths on one customized contraction hierarchy
(:mod:`corridors.engine.cch_skims`), by chunks of origins: the distances to the tails of
every destination's candidate last edges, each pair's best candidate (the first that attains
the least total), the path to it, and how many least-objective paths the pair has. Where it
has one, that path is the csgraph engine's (and ``route``'s). Where two or more tie (round
tariffs, parallel services of equal cost), the csgraph engine's tie rule
(:class:`corridors.engine.lex.Lex`) runs on every edge of every least-objective path of the
origin's tied pairs (:func:`corridors.engine.cch_skims.tied_subgraphs`), which gives the same
keys and predecessors as on the whole graph; for all the tied origins of a chunk at once, their
subgraphs side by side as one graph (:class:`_Ties`). Origins whose own rules
change a ranking weight, and paths that change mode at their origin, are left to csgraph.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.cch_skims import run_starts
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
    seg = run_starts(j_all)
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
        first = run_starts(ci * len(seg) + cs)  # ascending: row-major, seg by column
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
    # one: on every least-objective path of the origin's tied pairs (:func:`_settle`)
    tied = chosen["several"] | (count > 1)
    STATS["pairs"] += len(ci)
    STATS["tied_pairs"] += int(tied.sum())
    seg_end = np.append(seg[1:], len(j_all))
    resolved, failed = _settle(
        prep, metric, wg, cand, clean, (ci, cc, cs, tied, bad_o), dist, trees, seg, seg_end
    )
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
    if resolved is not None:
        r_pairs, r_paths, r_lens = resolved
        p = np.zeros(len(r_lens) + 1, dtype=np.int64)
        np.cumsum(r_lens, out=p[1:])
        sink(r_pairs, r_paths, p)
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
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray] | None, list[int]]:
    """Route's paths of the tied pairs (``chosen``: each pair's origin in the chunk, first
    attaining candidate, destination segment, whether it ties, and the origins already
    left to csgraph): ``(pair indices, paths concatenated, path lengths)`` of the origins
    settled (None when there are none), and the origins (in the chunk) that go to csgraph.

    :func:`corridors.engine.cch_skims.tied_subgraphs` gives, per origin with tied pairs,
    every edge of every least-objective path to the tails of its tied pairs' candidates
    that attain their least totals; on those subgraphs the csgraph engine's rule runs for
    all these origins at once (:class:`_Ties`)."""
    from ..engine import cch_skims

    f_all, e_all, j_all, targets, t_idx = cand
    ci, cc, cs, tied, bad_o = chosen
    tied_o = np.setdiff1d(np.unique(ci[tied]), bad_o)
    if not len(tied_o):
        return None, []
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
    # per origin: the tails to reach and their least objectives; whether a destination has
    # two last edges attaining its least total (then the keys are needed to pick one)
    k_at = k_all[at]
    per_pair = np.bincount(np.repeat(np.arange(len(lens)), lens)[at], minlength=len(lens))
    several = np.isin(tied_o, ci[is_t][per_pair > 1])
    cut = np.append(np.searchsorted(k_at, tied_o), len(k_at))  # ci is origin-major
    tails = targets[t_idx[c_all[at]]]
    tail_d = dist[k_at, t_idx[c_all[at]]]
    ties = _Ties.make(
        prep,
        [subs.get(k, np.zeros(0, dtype=np.int64)) for k in tied_o.tolist()],
        [clean[k] for k in tied_o.tolist()],
        [(tails[a:b], tail_d[a:b]) for a, b in zip(cut[:-1].tolist(), cut[1:].tolist())],
        several,
    )
    STATS["unresolved_origin_rules"] += int(ties.failed.sum())  # a least path changes mode
    # the tied pairs: their origin's part, their destination's candidate last edges
    p_blk = np.searchsorted(tied_o, ci[is_t])
    edges, p_lens, lost = ties.paths(p_blk, seg[cs[is_t]], seg_end[cs[is_t]], f_all, e_all)
    STATS["unresolved_no_path"] += int(lost.sum())  # not expected: tails are reached
    failed = ties.failed | lost
    STATS["origins_resolved"] += int((~failed).sum())
    keep = ~failed[p_blk]
    if not keep.all():
        edges = edges[np.repeat(keep, p_lens)]
        p_lens = p_lens[keep]
    n_d = len(prep.d_ids)
    pairs = np.asarray(clean, dtype=np.int64)[ci[is_t]] * n_d + j_all[seg[cs[is_t]]]
    out = (pairs[keep], edges, p_lens) if keep.any() else None
    return out, tied_o[failed].tolist()


@dataclass
class _Ties:
    """The csgraph engine's tie rule (:class:`corridors.engine.lex.Lex`, and the choice of
    the last two edges in :func:`corridors.routes.skims._csgraph_paths`) from several
    origins at once, each on a subgraph of its least-objective paths.

    The origins' subgraphs are laid side by side as one graph of disjoint parts: a local
    node per (part, node of its subgraph), ``keys`` (``part * n_nodes + node``, sorted, so
    a part's nodes are a slice in node order), each local edge's part ``blk``, global id
    ``sub`` (sorted within a part) and local ends ``ls``, ``ld``. Each compiled search runs
    once for all the parts (``min_only``: a part is reached only from its own origin,
    ``s_loc``), every test is per part, as it would be alone. Every least-objective path
    to a tail, and so every tight edge into one of its nodes, is in its part, so the keys
    ``d1`` (objective), ``d2`` (tie-break), ``d3`` (transfers; both inf in a part that
    does not need them) and each node's predecessor ``pred`` (a local edge, -1 none) are
    the ones of the whole graph. ``failed``: parts whose subgraph does not reach the
    hierarchy's distances (a least path changes mode at the origin: csgraph decides)."""

    prep: _Prep
    og: np.ndarray
    red_keys: np.ndarray  # part * n_edges + edge of each part's reduced first departures
    keys: np.ndarray
    blk: np.ndarray
    sub: np.ndarray
    ls: np.ndarray
    s_loc: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    d3: np.ndarray
    pred: np.ndarray
    keyed: np.ndarray
    failed: np.ndarray

    @classmethod
    def make(
        cls,
        prep: _Prep,
        subs: list[np.ndarray],
        origins: list[int],
        tails: list[tuple[np.ndarray, np.ndarray]],
        several: np.ndarray,
    ) -> _Ties:
        """The rule from origins ``origins`` (indices into ``prep.o_ids``), each on its
        subgraph ``subs[k]`` of every least-objective path to nodes ``tails[k][0]`` (of
        least objectives ``tails[k][1]``); ``several[k]``: two last edges of a destination
        tie (compute the tie-break and transfer keys in any case)."""
        from scipy.sparse import csgraph

        from ..engine.cch_route import _csr

        topo, nb = prep.topo, len(origins)
        n_e, n_n = topo.n_edges, topo.n_nodes
        og = np.asarray([int(prep.o_gates[i]) for i in origins], dtype=np.int64)
        oi = np.asarray([topo.place_index[prep.o_ids[i]] for i in origins], dtype=np.int64)
        reds = [prep.reweighted(int(x)) for x in oi.tolist()]
        red_keys = np.concatenate(
            [np.zeros(0, dtype=np.int64)] + [k * n_e + r for k, r in enumerate(reds)]
        ).astype(np.int64)
        sub = np.concatenate([np.zeros(0, dtype=np.int64), *subs]).astype(np.int64)
        blk = np.repeat(np.arange(nb), [len(x) for x in subs])
        # the csgraph engine's graph of each origin: no change of mode at it, loading only
        # at its gate, its first departures' tie-break reduced (their objective is the
        # same on the grid for an origin the CCH answers)
        et = topo.etype[sub]
        ok = (et != TRANSFER) | (topo.src_place[sub] != oi[blk])
        ok &= (et != LOAD) | (topo.src[sub] == og[blk])
        sub, blk = sub[ok], blk[ok]
        w = prep.wg[sub]
        t = np.where(np.isin(blk * n_e + sub, red_keys), prep.tg_red[sub], prep.tg[sub])
        tr = (topo.etype[sub] == TRANSFER).astype(float)
        t_node = np.concatenate([np.zeros(0, dtype=np.int64)] + [x[0] for x in tails])
        t_dist = np.concatenate([np.zeros(0)] + [x[1] for x in tails])
        t_blk = np.repeat(np.arange(nb), [len(x[0]) for x in tails])
        keys, inv = np.unique(
            np.concatenate(
                [
                    blk * n_n + topo.src[sub],
                    blk * n_n + topo.dst[sub],
                    np.arange(nb) * n_n + og,
                    t_blk * n_n + t_node,
                ]
            ),
            return_inverse=True,
        )
        k, n = len(sub), len(keys)
        ls, ld = inv[:k], inv[k : 2 * k]
        s_loc, t_loc = inv[2 * k : 2 * k + nb], inv[2 * k + nb :]
        d1 = csgraph.dijkstra(_csr(ls, ld, w, n), indices=s_loc, min_only=True)
        failed = np.zeros(nb, dtype=bool)
        failed[t_blk[d1[t_loc] != t_dist]] = True
        tight = np.flatnonzero(d1[ls] + w == d1[ld])
        # tight edges from whose heads a tail is reached along tight edges (super node n)
        rows = np.concatenate([ld[tight], np.full(len(t_loc), n)])
        cols = np.concatenate([ls[tight], t_loc])
        reached = np.zeros(n + 1, dtype=bool)
        rev = _csr(rows, cols, np.ones(len(rows)), n + 1)
        reached[csgraph.breadth_first_order(rev, n, return_predecessors=False)] = True
        keep = tight[reached[ld[tight]]]
        # a part with a node of two such edges in needs the keys to pick its predecessor
        multi = np.zeros(nb, dtype=bool)
        multi[blk[keep[np.bincount(ld[keep], minlength=n)[ld[keep]] > 1]]] = True
        keyed = multi | several
        pred = np.full(n, -1, dtype=np.int64)
        one = keep[~multi[blk[keep]]]  # each node has one such edge in
        pred[ld[one]] = one
        d2, d3 = np.full(n, np.inf), np.full(n, np.inf)  # inf: keys not needed
        if keyed.any():
            kk = keep[keyed[blk[keep]]]
            srcs = s_loc[keyed]
            d2 = csgraph.dijkstra(_csr(ls[kk], ld[kk], t[kk], n), indices=srcs, min_only=True)
            e2 = kk[d2[ls[kk]] + t[kk] == d2[ld[kk]]]
            d3 = csgraph.dijkstra(_csr(ls[e2], ld[e2], tr[e2], n), indices=srcs, min_only=True)
            e3 = e2[d3[ls[e2]] + tr[e2] == d3[ld[e2]]]
            e3 = e3[multi[blk[e3]]]
            zero = e3[(w[e3] == 0) & (t[e3] == 0) & (tr[e3] == 0)]
            neutral = np.zeros(nb, dtype=bool)
            neutral[blk[zero]] = True
            neutral &= ~failed
            _neutral_preds(prep, pred, neutral, (keep, sub, blk, keys), reds, og)
            # else each node's least (key, node, edge) predecessor
            e3 = e3[~neutral[blk[e3]]]
            tl = ls[e3]
            e3 = e3[np.lexsort((sub[e3], keys[tl], d3[tl], d2[tl], d1[tl], ld[e3]))]
            first = e3[run_starts(ld[e3])]
            pred[ld[first]] = first
        return cls(prep, og, red_keys, keys, blk, sub, ls, s_loc, d1, d2, d3, pred, keyed, failed)

    def paths(
        self,
        p_blk: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        f_all: np.ndarray,
        e_all: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The paths of pairs from the origins of parts ``p_blk`` to the destinations of
        candidate last edges ``f_all[starts[p]:ends[p]]`` (into the unloading edges'
        tails) and ``e_all[...]`` (unloading), each last two edges picked as
        :func:`corridors.routes.skims._csgraph_paths` picks them, then the predecessors
        back to the origin: ``(paths concatenated, lengths, parts with a pair not
        reached)``."""
        prep, topo = self.prep, self.prep.topo
        src, wg, n_n, n_e = topo.src, prep.wg, topo.n_nodes, topo.n_edges
        keys, n = self.keys, len(self.keys)
        lost = np.zeros(len(self.og), dtype=bool)
        n_p = len(p_blk)
        lens = ends - starts
        pc = np.repeat(np.arange(n_p), lens)
        c = np.repeat(starts - (np.cumsum(lens) - lens), lens) + np.arange(int(lens.sum()))
        fs, es, b = f_all[c], e_all[c], p_blk[pc]
        node = b * n_n + src[fs]
        tl = np.minimum(np.searchsorted(keys, node), n - 1)  # n >= 1: the origins
        ok = prep.allowed[fs] & ((topo.etype[fs] != LOAD) | (src[fs] == self.og[b]))
        ok &= keys[tl] == node
        pc, fs, es, b, tl = pc[ok], fs[ok], es[ok], b[ok], tl[ok]
        tot1 = self.d1[tl] + wg[fs] + wg[es]
        low = np.full(n_p, np.inf)
        np.minimum.at(low, pc, tot1)
        at = tot1 == low[pc]
        pc, fs, es, b, tl = pc[at], fs[at], es[at], b[at], tl[at]
        # among the least objectives, the keys as in _csgraph_paths (computed for a part
        # with two: ``several``; a part without them goes to csgraph, not expected)
        two = np.bincount(pc, minlength=n_p) > 1
        lost[p_blk[two & ~self.keyed[p_blk]]] = True
        k1, k2, k3 = self.d1[tl], self.d2[tl], self.d3[tl]

        def tie(e: np.ndarray) -> np.ndarray:
            return np.where(np.isin(b * n_e + e, self.red_keys), prep.tg_red[e], prep.tg[e])

        v1, v2 = k1 + wg[fs], k2 + tie(fs)
        tot2 = v2 + tie(es)
        node_id = keys[tl] - b * n_n
        order = np.lexsort(
            (fs, node_id, k3, k2, k1, es, src[es], k3, v2, v1, k3, tot2, pc)
        )  # pc first: one pick per pair
        pick = order[run_starts(pc[order])]
        has = np.zeros(n_p, dtype=bool)
        has[pc[pick]] = True
        lost[p_blk[~has]] = True  # no candidate left (not expected)
        f_p = np.zeros(n_p, dtype=np.int64)
        e_p = np.zeros(n_p, dtype=np.int64)
        start = np.zeros(n_p, dtype=np.int64)
        f_p[pc[pick]], e_p[pc[pick]], start[pc[pick]] = fs[pick], es[pick], tl[pick]
        # back to the origin along the predecessors, every pair at once
        walked: list[np.ndarray] = []
        owner: list[np.ndarray] = []
        idx = np.flatnonzero(has)
        cur = start[idx]
        for _ in range(n + 1):
            go = cur != self.s_loc[p_blk[idx]]
            idx, cur = idx[go], cur[go]
            if not len(idx):
                break
            e = self.pred[cur]
            lost[p_blk[idx[e < 0]]] = True  # not reached along tight edges (not expected)
            idx, e = idx[e >= 0], e[e >= 0]
            walked.append(e)
            owner.append(idx)
            cur = self.ls[e]
        else:
            lost[p_blk[idx]] = True  # a cycle of predecessors (not expected)
        w_e = np.concatenate([np.zeros(0, dtype=np.int64), *walked])
        w_o = np.concatenate([np.zeros(0, dtype=np.int64), *owner])
        cnt = np.bincount(w_o, minlength=n_p)
        p_lens = cnt + 2
        ptr = np.cumsum(p_lens) - p_lens
        # the walk met each pair's edges last first, in order of step
        by = np.argsort(w_o, kind="stable")
        rank = np.arange(len(by)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        out = np.empty(int(p_lens.sum()), dtype=np.int64)
        out[ptr[w_o[by]] + cnt[w_o[by]] - 1 - rank] = self.sub[w_e[by]]
        out[ptr + cnt], out[ptr + cnt + 1] = f_p, e_p
        return out, p_lens, lost


def _neutral_preds(
    prep: _Prep,
    pred: np.ndarray,
    neutral: np.ndarray,
    parts: tuple[np.ndarray, ...],
    reds: list[np.ndarray],
    og: np.ndarray,
) -> None:
    """Predecessors (into ``pred``, local edges) of the parts ``neutral`` of :class:`_Ties`,
    where an edge tight for every key adds nothing to any key: the settling order of Lex's
    lexicographic Dijkstra decides, run on the part's kept tight edges (every tight edge
    into a node of a least path to a tail is one of them, so those nodes settle in the
    same order as on the whole graph). ``parts``: the kept edges, and ``_Ties``' ``sub``,
    ``blk`` and ``keys``."""
    keep, sub, blk, keys = parts
    nb, n_n = len(neutral), prep.topo.n_nodes
    s_ptr = np.searchsorted(blk, np.arange(nb + 1))
    n_ptr = np.searchsorted(keys, np.arange(nb + 1) * n_n)
    for b in np.flatnonzero(neutral).tolist():
        STATS["neutral_dijkstra"] += 1
        s0, s1, n0, n1 = s_ptr[b], s_ptr[b + 1], n_ptr[b], n_ptr[b + 1]
        kb = keep[(keep >= s0) & (keep < s1)]
        pb = _lex_preds(prep, sub[kb], reds[b], int(og[b]))[keys[n0:n1] - b * n_n]
        pred[n0:n1] = np.where(pb >= 0, s0 + np.searchsorted(sub[s0:s1], pb), -1)


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
