"""The CCH engine of :func:`corridors.routes.skims.route_matrix` (``engine="cch"``).

All clean origins' paths on one customized contraction hierarchy
(:mod:`corridors.engine.cch_skims`), by chunks of origins: the distances to the tails of
every destination's candidate last edges, each pair's best candidate (the first that attains
the least total, as the csgraph engine picks it), and the path to it. Origins whose own rules
change a ranking weight, and paths that change mode at their origin, are left to csgraph.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.query import _replace
from ..engine.topology import TRANSFER, on_grid

if TYPE_CHECKING:  # skims imports this module where it runs the engine
    from .skims import _Prep

__all__: list[str] = []


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
        ci, cc, cs = ci[first], cc[first], cs[first]
        ok = ~same[ci, cs]
        ci, cc, cs = ci[ok], cc[ok], cs[ok]
        chosen.update(i=ci, c=cc, s=cs)
        return ci, t_idx[cc]

    _, edges, owner, ptr, shared = cch_skims.paths_many(metric, sources, targets, want)
    ci, cc, cs = chosen["i"], chosen["c"], chosen["s"]
    # a path that changes mode at its origin is not the origin's path: csgraph decides it
    oi_of = np.asarray([topo.place_index[prep.o_ids[i]] for i in clean], dtype=np.int64)
    bad = (topo.etype[edges] == TRANSFER) & (topo.src_place[edges] == oi_of[ci[owner]])
    bad_o = np.unique(ci[owner[bad]])
    # each pair's path: the CCH path, then the last two edges
    last = np.empty(2 * len(cc), dtype=np.int64)
    last[0::2], last[1::2] = f_all[cc], e_all[cc]
    full = np.insert(edges, np.repeat(ptr[1:], 2), last)
    ptr2 = ptr + 2 * np.arange(len(ptr))
    keep = ~np.isin(ci, bad_o)
    pair_ids = np.asarray(clean, dtype=np.int64)[ci] * n_d + seg_j[cs]
    if not keep.all():
        lens = np.diff(ptr2)
        full = full[np.repeat(keep, lens)]
        pair_ids = pair_ids[keep]
        ptr2 = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
        np.cumsum(lens[keep], out=ptr2[1:])
        shared = shared.keep(keep)
    sink(pair_ids, full, ptr2, shared)
    return [clean[i] for i in bad_o.tolist()]
