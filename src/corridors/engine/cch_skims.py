"""Many-to-many least-weight paths on a customized CCH, and the CCH of a topology.

What :func:`corridors.routes.skims.route_matrix` needs from :mod:`corridors.engine.cch` for
its ``engine="cch"``:

* :func:`structure`: the CCH of a topology, built once per topology. The expensive part (the
  nested-dissection order and the contraction) is kept in a file
  ``cch-<sha256 of the topology>-<method>.npz`` in a cache folder (:func:`default_cache_dir`
  unless one is given), written atomically (:mod:`corridors._atomic`), so a session loads it
  in tens of milliseconds instead of ordering again. Nothing is read or written at import.
  In memory the CCH is kept with the topology's structure caches (shared by scenarios).
* :func:`metric`: a customized metric, kept per network state and weight key (a few at a
  time): a second skim of the same scenario and cargo does not customize again.
* :func:`paths_many`: distances from many sources to many targets (upward searches from all
  sources and all targets, joined on each target's ancestor chain), then, for the pairs
  asked for, the original edges of one least-weight path each (meeting node, the two upward
  search trees, shortcuts unpacked in vectorised rounds for all pairs at once).
* :func:`exact_sums`: per-segment sums of floats, correctly rounded, bit-identical to
  :func:`math.fsum` of each segment, computed with integer arithmetic over the whole array.

Exactness as in :mod:`corridors.engine.cch`: on weights on the engine's grid
(:func:`corridors.engine.topology.on_grid`) the distances equal csgraph's bit for bit.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..model.codes import unique_ints
from .cch import CCH, Metric, _expand
from .cch_order import have_routingkit

__all__ = [
    "default_cache_dir",
    "structure",
    "metric",
    "paths_many",
    "exact_sums",
    "unpack_shared",
    "shared_sums",
    "Shared",
    "Trees",
    "tied_subgraphs",
    "unpack_every",
    "unpack_every_many",
    "arc_counts",
    "have_routingkit",
]

#: Environment variable naming the folder of the on-disk CCH cache.
CACHE_ENV = "CORRIDORS_CACHE_DIR"
_METRICS_KEPT = 4


def default_cache_dir() -> Path:
    """The folder of the on-disk CCH cache: ``$CORRIDORS_CACHE_DIR`` if set, else the user
    cache folder (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on
    macOS, ``%LOCALAPPDATA%`` on Windows) with ``corridors/cch`` appended."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "corridors" / "cch"


def structure(
    topo: Any,
    latitude: np.ndarray,
    longitude: np.ndarray,
    cache_dir: str | os.PathLike[str] | bool | None = None,
) -> CCH:
    """The CCH of a topology (``topo.n_nodes``, ``topo.src``, ``topo.dst``), ordered with
    the node coordinates. ``cache_dir``: ``None`` for :func:`default_cache_dir`, a folder,
    or ``False`` for no file. Kept in ``topo._static`` for the rest of the session."""
    hit = topo._static.get("cch")
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    folder: str | os.PathLike[str] | None
    if cache_dir is False:
        folder = None
    elif cache_dir is None or cache_dir is True:
        folder = default_cache_dir()
    else:
        folder = cache_dir
    cch = CCH.build(
        topo.n_nodes, topo.src, topo.dst, latitude=latitude, longitude=longitude, cache_dir=folder
    )
    topo._static["cch"] = cch
    return cch


def metric(topo: Any, cch: CCH, key: Any, make_weights: Any) -> Metric:
    """The customized metric of ``key`` (weights from ``make_weights()``, computed only when
    the metric is not kept yet), kept in ``topo._weights`` (one network state) for the last
    few keys."""
    cache: dict[Any, Metric] = topo._weights.setdefault(("cch-metrics",), {})
    hit = cache.pop(key, None)
    if hit is None or hit.cch is not cch:
        hit = cch.customize(make_weights())
    cache[key] = hit  # most recent last
    while len(cache) > _METRICS_KEPT:
        del cache[next(iter(cache))]
    return hit


# ------------------------------------------------------------------------------ searches
@dataclass
class Tree:
    """Upward searches from several ranks, each over its own ancestor chain: the chains
    (``flat``, concatenated, each ascending; ``ptr``, their boundaries), each entry's
    distance ``d``, the arc that reached it (``via``) and the entry it was reached from
    (``prev``; -1 at the start and where unreached), how many least-weight paths of
    original edges reach it (``n_paths``, capped at 2), and every tight arc (``tight``:
    rows of tail entry, head entry, arc; ``d[tail] + w == d[head]``)."""

    flat: np.ndarray
    ptr: np.ndarray
    d: np.ndarray
    via: np.ndarray
    prev: np.ndarray
    n_paths: np.ndarray
    tight: np.ndarray


@dataclass
class Trees:
    """What :func:`paths_many` searched: the sources' and the targets' trees, the distance
    matrix, and each rank's row in ``dense`` (the sources' distances by rank)."""

    src: Tree
    dst: Tree
    dist: np.ndarray
    keys_s: np.ndarray  # source owner * n_nodes + rank of each source entry (sorted)


def run_starts(x: np.ndarray) -> np.ndarray:
    """Positions of the first element of each run of equal values of ``x``: for a sorted
    ``x``, ``np.unique(x, return_index=True)[1]``, without its sort."""
    return np.flatnonzero(np.append(True, x[1:] != x[:-1])[: len(x)])


def _up_tree(m: Metric, ranks: np.ndarray, arc_w: np.ndarray, arc_n: np.ndarray) -> Tree:
    """Upward searches from every rank of ``ranks`` over its own ancestor chain, with the
    search tree (:class:`Tree`; ``arc_n``: each arc's number of paths, :func:`arc_counts`).
    Relaxed by height: one node per chain and height, so one step's updates never collide;
    a later arc replaces an earlier one only if strictly shorter, and one as short adds its
    paths to the count."""
    c = m.cch
    flat, ptr = m._chains(ranks)
    lens = np.diff(ptr)
    owner = np.repeat(np.arange(len(ranks), dtype=np.int64), lens)
    # an ancestor's place in a chain from its depth: chain k holds ranks[k] first, then its
    # parent, ..., so ancestor a sits at ptr[k] + depth[ranks[k]] - depth[a]
    depth = _depth(c)
    base = ptr[:-1] + depth[ranks]
    d = np.full(len(flat), np.inf)
    via = np.full(len(flat), -1, dtype=np.int64)
    prev = np.full(len(flat), -1, dtype=np.int64)
    n_paths = np.zeros(len(flat), dtype=np.int64)
    d[ptr[:-1][lens > 0]] = 0.0
    n_paths[ptr[:-1][lens > 0]] = 1
    # relaxations at least as short as the entry's distance then: (tail, head, arc), value
    rec: list[np.ndarray] = []
    rec_val: list[np.ndarray] = []
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
        pos = base[owner[tail]] - depth[c.arc_high[arcs]]
        cand = d[tail] + arc_w[arcs]
        cur = d[pos]
        better = cand < cur
        tie = (cand == cur) & np.isfinite(cand)
        more = n_paths[tail] * arc_n[arcs]
        n_paths[pos[tie]] = np.minimum(n_paths[pos[tie]] + more[tie], 2)
        pos_b = pos[better]
        d[pos_b] = cand[better]
        via[pos_b] = arcs[better]
        prev[pos_b] = tail[better]
        n_paths[pos_b] = np.minimum(more[better], 2)
        at_most = better | tie
        rec.append(np.stack([tail[at_most], pos[at_most], arcs[at_most]]))
        rec_val.append(cand[at_most])
    if rec:
        rows = np.concatenate(rec, axis=1)
        tight = rows[:, np.concatenate(rec_val) == d[rows[1]]]
    else:
        tight = np.zeros((3, 0), dtype=np.int64)
    return Tree(flat, ptr, d, via, prev, n_paths, tight)


def _depth(c: CCH) -> np.ndarray:
    """Each rank's depth in the elimination forest (roots 0), computed once per CCH."""
    hit = c._derived.get("depth")
    if hit is None:
        parent = c.parent.tolist()
        dep = [0] * len(parent)
        for r in range(len(parent) - 1, -1, -1):  # a parent has the higher rank
            p = parent[r]
            if p >= 0:
                dep[r] = dep[p] + 1
        hit = c._derived["depth"] = np.asarray(dep, dtype=np.int64)
    return hit  # type: ignore[no-any-return]


def _walk(via: np.ndarray, prev: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The arcs on the search-tree paths ending at entries ``start``, from the end back to
    the root, for all at once: (arcs, owner index into ``start``), owner-major, each
    owner's arcs in walking order (last arc first)."""
    arcs_l: list[np.ndarray] = []
    own_l: list[np.ndarray] = []
    step_l: list[np.ndarray] = []
    cur = start.copy()
    idx = np.arange(len(start), dtype=np.int64)
    step = 0
    while len(cur):
        a = via[cur]
        go = a >= 0
        cur, idx, a = cur[go], idx[go], a[go]
        if not len(cur):
            break
        arcs_l.append(a)
        own_l.append(idx)
        step_l.append(np.full(len(a), step, dtype=np.int64))
        cur = prev[cur]
        step += 1
    if not arcs_l:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arcs, own, steps = np.concatenate(arcs_l), np.concatenate(own_l), np.concatenate(step_l)
    order = np.lexsort((steps, own))
    return arcs[order], own[order]


def paths_many(
    m: Metric,
    sources: np.ndarray,
    targets: np.ndarray,
    want: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Shared, np.ndarray, Trees | None]:
    """Least weights from nodes ``sources[i]`` to nodes ``targets[j]``, and paths.

    ``want(dist)`` gets the ``(len(sources), len(targets))`` distance matrix and returns
    the pairs whose paths are needed, as two index arrays ``(i, j)`` (finite distances,
    ``sources[i] != targets[j]``). Returns ``(dist, edges, owner, ptr, shared, count)``:
    the original edges of one least-weight path per wanted pair, concatenated in path
    order, the pair of each edge, the pairs' boundaries (``edges[ptr[k]:ptr[k + 1]]`` for
    the ``k``-th pair), the same paths by distinct shortcut (:class:`Shared`) and, per
    wanted pair, how many least-weight paths of original edges it has, capped at 2 (1: the
    path given is the only one; a count may include walks that repeat a node through a
    cycle of zero weight, never less than the simple paths: :func:`arc_counts`), and the
    searches (:class:`Trees`, for :func:`tied_subgraphs`; None when no pair is wanted)."""
    c = m.cch
    n = c.n_nodes
    src = c.rank[np.asarray(sources, dtype=np.int64)]
    dst = c.rank[np.asarray(targets, dtype=np.int64)]
    k_s, k_t = len(src), len(dst)
    dist = np.full((k_s, k_t), np.inf)
    empty = np.zeros(0, dtype=np.int64)
    none = Shared(empty, np.zeros(1, dtype=np.int64), empty, empty)
    if not k_s or not k_t:
        wi, wj = want(dist)
        return dist, empty, empty, np.zeros(len(wi) + 1, dtype=np.int64), none, empty, None
    counts = arc_counts(m)
    tree_s = _up_tree(m, src, m.fw, counts[:, 0])
    tree_t = _up_tree(m, dst, m.bw, counts[:, 1])
    dense, loc = _join(tree_s, tree_t, dist)
    fl_s, ptr_s, via_s, prev_s, n_s = (
        tree_s.flat,
        tree_s.ptr,
        tree_s.via,
        tree_s.prev,
        tree_s.n_paths,
    )
    fl_t, ptr_t, d_t, via_t, prev_t, n_t = (
        tree_t.flat,
        tree_t.ptr,
        tree_t.d,
        tree_t.via,
        tree_t.prev,
        tree_t.n_paths,
    )
    owner_s = np.repeat(np.arange(k_s), np.diff(ptr_s))
    wi, wj = want(dist)
    wi = np.asarray(wi, dtype=np.int64)
    wj = np.asarray(wj, dtype=np.int64)
    n_p = len(wi)
    if not n_p:
        return dist, empty, empty, np.zeros(1, dtype=np.int64), none, empty, None
    # meeting entry of each pair: the first entry of the target's chain that attains the
    # distance (the chain is ascending by rank)
    lens = ptr_t[wj + 1] - ptr_t[wj]
    st = np.cumsum(lens) - lens
    pos = np.repeat(ptr_t[wj] - st, lens) + np.arange(int(lens.sum()))
    pair = np.repeat(np.arange(n_p), lens)
    vals = dense[loc[fl_t[pos]], wi[pair]] + d_t[pos]
    hit = np.flatnonzero(vals == dist[wi, wj][pair])
    first_hit = hit[run_starts(pair[hit])]  # pair is ascending
    meet_t = pos[first_hit]  # entry in the target chains
    meet_r = fl_t[meet_t]
    keys_s = owner_s * n + fl_s
    meet_s = np.searchsorted(keys_s, wi * n + meet_r)
    # paths per pair: over every meeting node attaining the distance, the source side's
    # paths times the target side's (a meeting node is on both chains)
    hit_r = fl_t[pos[hit]]
    at_s = np.searchsorted(keys_s, wi[pair[hit]] * n + hit_r)
    count = np.minimum(np.bincount(pair[hit], n_s[at_s] * n_t[pos[hit]], minlength=n_p), 2).astype(
        np.int64
    )
    # the source side, walked back from the meeting node: forward arcs, last first
    a_s, o_s = _walk(via_s, prev_s, meet_s)
    # the target side, walked from the meeting node down to the target: backward arcs
    a_t, o_t = _walk(via_t, prev_t, meet_t)
    # per pair: source arcs reversed (source -> meeting), then target arcs (meeting -> target)
    cnt_s = np.bincount(o_s, minlength=n_p)
    start_s = np.cumsum(cnt_s) - cnt_s
    rank_in = np.arange(len(o_s)) - start_s[o_s]
    rev = start_s[o_s] + (cnt_s[o_s] - 1 - rank_in)
    a_s_fw = np.empty_like(a_s)
    a_s_fw[rev] = a_s
    arcs = np.concatenate([a_s_fw, a_t])
    fwd = np.concatenate([np.ones(len(a_s), dtype=bool), np.zeros(len(a_t), dtype=bool)])
    own = np.concatenate([o_s, o_t])
    side = np.concatenate([np.zeros(len(a_s), dtype=np.int8), np.ones(len(a_t), dtype=np.int8)])
    order = np.lexsort((side, own))  # stable: keeps each side's order
    arcs, fwd, own = arcs[order], fwd[order], own[order]
    edges, own, shared = unpack_shared(m, arcs, fwd, own)
    cnt = np.bincount(own, minlength=n_p)
    ptr = np.zeros(n_p + 1, dtype=np.int64)
    np.cumsum(cnt, out=ptr[1:])
    return dist, edges, own, ptr, shared, count, Trees(tree_s, tree_t, dist, keys_s)


def tied_subgraphs(
    m: Metric, trees: Trees, item_s: np.ndarray, item_t: np.ndarray
) -> dict[int, np.ndarray]:
    """Per source ``i`` of the items ``(item_s, item_t)`` (indices into :func:`paths_many`'s
    sources and targets): every original edge of every least-weight path from source ``i``
    to each of its items' targets (sorted, unique), and possibly edges of other
    least-weight paths between the searched nodes (of other sources' items to the same
    targets).

    From the searches :func:`paths_many` ran: each item's meeting nodes (the ranks of the
    target's chain attaining the distance), the tight arcs of the source's and the target's
    searches that lead to a meeting node (one breadth-first search per side over all
    items), then every shortcut unpacked into every tight lower triangle
    (:func:`unpack_every`)."""
    c = m.cch
    n = c.n_nodes
    ts, tt, dist = trees.src, trees.dst, trees.dist
    item_s = np.asarray(item_s, dtype=np.int64)
    item_t = np.asarray(item_t, dtype=np.int64)
    if not len(item_s):
        return {}
    # meeting entries: the target chain's entries attaining the pair's distance
    lens = tt.ptr[item_t + 1] - tt.ptr[item_t]
    st = np.cumsum(lens) - lens
    pos = np.repeat(tt.ptr[item_t] - st, lens) + np.arange(int(lens.sum()))
    item = np.repeat(np.arange(len(item_s)), lens)
    rank = tt.flat[pos]
    at_s = np.searchsorted(trees.keys_s, item_s[item] * n + rank)
    at_s = np.minimum(at_s, len(trees.keys_s) - 1)
    on_s = trees.keys_s[at_s] == item_s[item] * n + rank
    total = np.where(on_s, ts.d[at_s] + tt.d[pos], np.inf)
    meet = on_s & (total == dist[item_s[item], item_t[item]])
    up = _leading(ts, at_s[meet])
    down = _leading(tt, pos[meet])
    # source i: its own tight arcs up, and the tight arcs down of its items' targets
    own_up = np.repeat(np.arange(len(ts.ptr) - 1), np.diff(ts.ptr))[ts.tight[0, up]]
    own_dn = np.repeat(np.arange(len(tt.ptr) - 1), np.diff(tt.ptr))[tt.tight[0, down]]
    arcs_up, arcs_dn = ts.tight[2, up], tt.tight[2, down]
    by_t: dict[int, np.ndarray] = {}
    if len(own_dn):
        o = np.argsort(own_dn, kind="stable")
        u, first = np.unique(own_dn[o], return_index=True)
        for k, part in zip(u.tolist(), np.split(arcs_dn[o], first[1:])):
            by_t[k] = part
    slots: list[np.ndarray] = [arcs_up]
    owners: list[np.ndarray] = [own_up]
    n_t = len(tt.ptr) - 1
    ii, jj = np.divmod(unique_ints(item_s * n_t + item_t), n_t)
    for i, j in zip(ii.tolist(), jj.tolist()):
        if int(j) in by_t:
            slots.append(c.n_arcs + by_t[int(j)])
            owners.append(np.full(len(by_t[int(j)]), i, dtype=np.int64))
    edges, own = unpack_every_many(m, np.concatenate(slots), np.concatenate(owners))
    u, first = np.unique(own, return_index=True)
    out = dict.fromkeys(np.unique(item_s).tolist(), np.zeros(0, dtype=np.int64))
    out.update(zip(u.tolist(), np.split(edges, first[1:])))
    return out


def _leading(tree: Tree, meet: np.ndarray) -> np.ndarray:
    """Columns of ``tree.tight`` whose arcs lead to an entry of ``meet`` along tight arcs
    (a breadth-first search from the meeting entries down the tight arcs reversed)."""
    from scipy import sparse
    from scipy.sparse import csgraph

    n_e = len(tree.flat)
    tail, head = tree.tight[0], tree.tight[1]
    rows = np.concatenate([head, np.full(len(meet), n_e)])
    cols = np.concatenate([tail, meet])
    g = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_e + 1, n_e + 1))
    reach = np.zeros(n_e + 1, dtype=bool)
    reach[csgraph.breadth_first_order(g, n_e, return_predecessors=False)] = True
    return np.flatnonzero(reach[head])


def unpack_every(m: Metric, slots: np.ndarray) -> np.ndarray:
    """Every original edge of every least-weight path that arc directions ``slots``
    (``arc`` up, ``n_arcs + arc`` down) stand for: the slot's edges of its value, and the
    two halves of each lower triangle that attains it, each slot unpacked once (sorted,
    unique)."""
    slots = np.asarray(slots, dtype=np.int64)
    return unpack_every_many(m, slots, np.zeros(len(slots), dtype=np.int64))[0]


def unpack_every_many(
    m: Metric, slots: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`unpack_every` of several sets of slots at once (``owner``: each slot's set):
    the (edge, owner) pairs, sorted by owner then edge, unique.

    By rounds: the (set, slot) pairs of a round, each distinct slot tested once for all
    the sets that hold it (its edges of its value, its lower triangles that attain it),
    then the halves of those triangles, per set, are the next round's pairs."""
    c = m.cch
    n_arcs = c.n_arcs
    span = 2 * n_arcs
    fw, bw, w = m.fw, m.bw, m.weights
    n_w = len(w)
    e_order, slot_ptr = c._get("slot_edges")
    t_by, t_ptr = c._get("tri_by_arc")
    out: list[np.ndarray] = []
    keys = unique_ints(np.asarray(owner, dtype=np.int64) * span + slots)
    while len(keys):
        own = keys // span
        u, inv = np.unique(keys % span, return_inverse=True)
        a = u % n_arcs
        up = u < n_arcs
        val = np.where(up, fw[a], bw[a])
        pos, cnt, _ = _expand(slot_ptr, u)
        ee = e_order[pos]
        hit_e = w[ee] == np.repeat(val, cnt)
        # each distinct slot's edges of its value, then every set's copy of them
        e_ptr = np.zeros(len(u) + 1, dtype=np.int64)
        slot_of = np.repeat(np.arange(len(u)), cnt)
        np.cumsum(np.bincount(slot_of[hit_e], minlength=len(u)), out=e_ptr[1:])
        at, n_at, _ = _expand(e_ptr, inv)
        out.append(np.repeat(own, n_at) * n_w + ee[hit_e][at])
        pos, cnt, _ = _expand(t_ptr, a)
        if not len(pos):
            break
        tri = t_by[pos]
        zx, zy = c.tri_zx[tri].astype(np.int64), c.tri_zy[tri].astype(np.int64)
        ff = np.repeat(up, cnt)
        hit = np.where(ff, bw[zx] + fw[zy], bw[zy] + fw[zx]) == np.repeat(val, cnt)
        # up x -> z -> y: zx down then zy up; down y -> z -> x: zy down then zx up; each
        # distinct slot's halves (two a triangle that attains it), grouped by slot
        halves = np.stack(
            [np.where(ff, n_arcs + zx, n_arcs + zy)[hit], np.where(ff, zy, zx)[hit]], axis=1
        ).ravel()
        tri_of = np.repeat(np.arange(len(u)), cnt)
        h_ptr = np.zeros(len(u) + 1, dtype=np.int64)
        np.cumsum(2 * np.bincount(tri_of[hit], minlength=len(u)), out=h_ptr[1:])
        at, n_at, _ = _expand(h_ptr, inv)
        # each (set, slot) once per round; one reached again in a later round is unpacked
        # again (cheaper than keeping every slot seen: the rounds are few)
        keys = unique_ints(np.repeat(own, n_at) * span + halves[at])
    if not out:
        z = np.zeros(0, dtype=np.int64)
        return z, z
    pairs = unique_ints(np.concatenate(out))
    return pairs % n_w, pairs // n_w


def _join(tree_s: Tree, tree_t: Tree, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill ``dist[i, j]`` (sources x targets) with the least total over target ``j``'s
    chain (a pair's meeting node is a common ancestor, so it lies on that chain); returns
    the sources' distances by rank (``dense[loc[rank], i]``; missing: the inf row)."""
    k_s, k_t = dist.shape
    fl_s, fl_t, ptr_t, d_t = tree_s.flat, tree_t.flat, tree_t.ptr, tree_t.d
    union = unique_ints(fl_s)
    top = int(max(fl_s.max(initial=0), fl_t.max(initial=0))) + 1
    loc = np.full(top, len(union), dtype=np.int64)
    loc[union] = np.arange(len(union))
    dense = np.full((len(union) + 1, k_s), np.inf)
    dense[loc[fl_s], np.repeat(np.arange(k_s), np.diff(tree_s.ptr))] = tree_s.d
    # targets in blocks, so that a block's rows x sources stay near 4 million floats
    budget = max(1, 4_000_000 // k_s)
    j = 0
    while j < k_t:
        k = j + 1
        while k < k_t and ptr_t[k + 1] - ptr_t[j] <= budget:
            k += 1
        a, b = int(ptr_t[j]), int(ptr_t[k])
        vals = dense[loc[fl_t[a:b]]] + d_t[a:b, None]
        dist[:, j:k] = np.minimum.reduceat(vals, ptr_t[j:k] - a, axis=0).T
        j = k
    return dense, loc


def arc_counts(m: Metric) -> np.ndarray:
    """``(n_arcs, 2)``: per arc direction (forward ``low -> high``, backward), how many
    paths of original edges through lower ranks attain its value, capped at 2 (0 where the
    value is infinite); kept with the metric until it changes.

    A path through lower ranks from ``x`` to ``y`` is an original edge, or, split at its
    highest inner node ``z``, a path ``x -> z`` and a path ``z -> y`` through ranks lower
    than ``z``: the halves of the lower triangle (z; x, y). So the count is the edges of the
    arc's value plus, over the lower triangles attaining it, the product of the halves'
    counts, computed by height of ``z`` as the customization is (on the engine's grid the
    sums are exact, so "attains" is an exact test). Every least-weight simple path is
    counted once (each of its segments is a least-weight path too); a walk that repeats a
    node through a cycle of zero weight may be counted as well, so 1 means exactly one
    path."""
    hit = m.derived.get("counts")
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    c = m.cch
    table = m.table
    n_arcs = c.n_arcs
    e_order, slot_ptr = c._get("slot_edges")
    val = np.concatenate([table[:, 0], table[:, 1]])  # slot: arc up, n_arcs + arc down
    slot = np.repeat(np.arange(2 * n_arcs, dtype=np.int64), np.diff(slot_ptr))
    on = (m.weights[e_order] == val[slot]) & np.isfinite(val[slot])
    per_slot = np.bincount(slot[on], minlength=2 * n_arcs)
    counts = np.ascontiguousarray(np.minimum(per_slot, 2).reshape(2, n_arcs).T)
    fin = np.isfinite(table)
    for a, b, st, targets in c._get("level_starts"):
        zx, zy, xy = c.tri_zx[a:b], c.tri_zy[a:b], c.tri_xy[a:b]
        lo, hi, top = table.take(zx, axis=0), table.take(zy, axis=0), table.take(xy, axis=0)
        nlo, nhi = counts.take(zx, axis=0), counts.take(zy, axis=0)
        # forward x -> z -> y: (zx backward, zy forward); backward y -> z -> x
        f = np.where(lo[:, 1] + hi[:, 0] == top[:, 0], nlo[:, 1] * nhi[:, 0], 0)
        g = np.where(hi[:, 1] + lo[:, 0] == top[:, 1], nhi[:, 1] * nlo[:, 0], 0)
        add = np.stack([np.add.reduceat(f, st), np.add.reduceat(g, st)], axis=1)
        add[~fin[targets]] = 0
        counts[targets] = np.minimum(counts[targets] + add, 2)
    m.derived["counts"] = counts
    return counts


@dataclass
class Shared:
    """Paths as sequences of distinct arc directions: the original edges of distinct arc
    ``u`` are ``u_edges[u_ptr[u]:u_ptr[u + 1]]``; the paths' arcs, in order, are ``arc_u``
    with their path ``arc_owner`` (non-decreasing)."""

    u_edges: np.ndarray
    u_ptr: np.ndarray
    arc_u: np.ndarray
    arc_owner: np.ndarray

    def keep(self, keep: np.ndarray) -> Shared:
        """The paths where ``keep`` (by path index), renumbered."""
        new = np.cumsum(keep) - 1
        sel = keep[self.arc_owner]
        return Shared(self.u_edges, self.u_ptr, self.arc_u[sel], new[self.arc_owner[sel]])


def unpack_shared(
    m: Metric, arcs: np.ndarray, fwd: np.ndarray, owner: np.ndarray
) -> tuple[np.ndarray, np.ndarray, Shared]:
    """:meth:`Metric._unpack_many`, each distinct arc direction unpacked once: paths from
    one source, or to one target, share most of their shortcuts. Also returns the paths as
    :class:`Shared` (for sums per distinct arc: :func:`shared_sums`)."""
    if not len(arcs):
        z = np.zeros(0, dtype=np.int64)
        return z, z, Shared(z, np.zeros(1, dtype=np.int64), z, z)
    key = arcs.astype(np.int64) * 2 + fwd
    uniq, inv = np.unique(key, return_inverse=True)
    u_edges, u_own = m._unpack_many(uniq // 2, (uniq % 2).astype(bool), np.arange(len(uniq)))
    cnt_u = np.bincount(u_own, minlength=len(uniq))
    ptr_u = np.cumsum(cnt_u) - cnt_u
    cnt = cnt_u[inv]
    st = np.cumsum(cnt) - cnt
    pos = np.repeat(ptr_u[inv] - st, cnt) + np.arange(int(cnt.sum()))
    shared = Shared(u_edges, np.append(ptr_u, len(u_edges)), inv.astype(np.int64), owner)
    return u_edges[pos], np.repeat(owner, cnt), shared


# ------------------------------------------------------------------------------ exact sums
_LIMB = 32
_MAX_LIMBS = 12


def _scale(*arrays: np.ndarray) -> tuple[int, int] | None:
    """The least binary exponent of the finite non-zero values (every value is an integer
    times 2**e_min) and the number of 32-bit limbs their integers need; None when a value is
    not finite or the exponents spread over more than ``_MAX_LIMBS`` limbs."""
    x = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    if not np.isfinite(x).all():
        return None
    nz = x[x != 0.0]
    if not len(nz):
        return 0, 1
    _, ex = np.frexp(nz)
    e_min, e_max = int(ex.min()) - 53, int(ex.max()) - 53
    n_limbs = (e_max - e_min + 53) // _LIMB + 1
    return (e_min, n_limbs) if n_limbs <= _MAX_LIMBS else None


def _limbs(x: np.ndarray, e_min: int, n_limbs: int) -> np.ndarray:
    """``(len(x), n_limbs)`` signed 32-bit limbs of ``x / 2**e_min`` (exact integers)."""
    mant, ex = np.frexp(np.asarray(x, dtype=np.float64))
    mi = (mant * 2.0**53).astype(np.int64)
    shift = np.where(mi != 0, ex.astype(np.int64) - 53 - e_min, 0)
    sign = np.sign(mi)
    mag = np.abs(mi).astype(np.uint64)
    mask = np.uint64(2**_LIMB - 1)
    out = np.empty((len(mi), n_limbs), dtype=np.int64)
    for k in range(n_limbs):
        lo = _LIMB * k - shift
        part = np.where(
            lo >= 0,
            mag >> np.clip(lo, 0, 63).astype(np.uint64),
            mag << np.clip(-lo, 0, 63).astype(np.uint64),
        )
        part &= mask
        part[(lo >= 64) | (lo <= -_LIMB)] = 0
        out[:, k] = part.astype(np.int64) * sign
    return out


def _to_floats(rows: np.ndarray, e_min: int) -> list[float]:
    """Each row of limb sums as one integer, times 2**e_min, correctly rounded. Carries are
    propagated in numpy (each limb then in [0, 2**32) but the top one). A row with a
    non-negative top limb whose value is a normal float is rounded in numpy
    (:func:`_round_rows`); the others as one Python integer each (``int.from_bytes``, or
    limb by limb for a negative top limb), divided by ``2**-e_min``."""
    rows = rows.copy()
    n_limbs = rows.shape[1]
    for k in range(n_limbs - 1):
        carry = rows[:, k] >> _LIMB  # floor: also for negative limbs
        rows[:, k] -= carry << _LIMB
        rows[:, k + 1] += carry
    ok = (rows[:, -1] >= 0) & (rows[:, -1] < 2**_LIMB)
    fast, done = _round_rows(rows, e_min, ok)
    out: list[float] = fast.tolist()
    rest = np.flatnonzero(~done)
    if not len(rest):
        return out
    raw = rows.astype("<u4").tobytes()
    width = 4 * n_limbs
    scale = 1 << -e_min if e_min < 0 else 0
    from_bytes = int.from_bytes
    slow = rows.tolist()
    for i in rest.tolist():
        if ok[i]:
            acc = from_bytes(raw[i * width : (i + 1) * width], "little")
        else:
            acc = 0
            for limb in reversed(slow[i]):
                acc = (acc << _LIMB) + limb
        if not acc:
            out[i] = 0.0
        elif e_min < 0:
            out[i] = acc / scale
        else:
            out[i] = float(acc << e_min)
    return out


def _round_rows(rows: np.ndarray, e_min: int, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``ok`` (limbs in [0, 2**32), little end first) as floats, correctly rounded
    (half to even, as Python's integer division), where the result is a normal float:
    ``(values, which rows are done)``. The 64 bits from the top set bit down, the lowest
    one set when any bit below them is (rounding to odd at 64 bits, then to 53 bits by
    the conversion, is rounding once: 64 >= 53 + 2), scaled by a power of two (exact)."""
    n, n_limbs = rows.shape
    u = np.where(ok[:, None], rows, 0).astype(np.uint64)
    nz = u != 0
    top = n_limbs - 1 - np.argmax(nz[:, ::-1], axis=1)  # highest non-zero limb
    zero = ~nz.any(axis=1)
    idx = np.arange(n)
    one, w = np.uint64(1), np.uint64(_LIMB)

    def limb(j: np.ndarray) -> np.ndarray:
        return np.where(j >= 0, u[idx, np.maximum(j, 0)], np.uint64(0))

    l0, l1, l2 = limb(top), limb(top - 1), limb(top - 2)
    bits = np.zeros(n, dtype=np.int64)  # bit length of the top limb
    x = l0.copy()
    for s in (16, 8, 4, 2, 1):
        big = x >= (one << np.uint64(s))
        bits += np.where(big, s, 0)
        x = np.where(big, x >> np.uint64(s), x)
    bits += (x > 0).astype(np.int64)
    sh = (_LIMB - bits).astype(np.uint64)  # the top set bit to bit 63
    low = np.where(sh > 0, l2 >> np.maximum(w - sh, one), np.uint64(0))
    hi = (l0 << (w + sh)) | (l1 << sh) | low
    lost = np.where(sh > 0, l2 & ((one << (w - np.minimum(sh, w))) - one), l2)
    before = np.cumsum(nz, axis=1)[idx, np.maximum(top - 3, 0)] > 0
    sticky = (lost != 0) | ((top >= 3) & before)
    hi |= sticky.astype(np.uint64)
    ex = _LIMB * (top - 1) - sh.astype(np.int64) + e_min  # the exponent of hi's bit 0
    normal = (ex + 63 >= -1022) & (ex + 64 <= 1023)
    done = ok & (zero | normal)
    vals = np.where(zero | ~done, 0.0, np.ldexp(hi.astype(np.float64), np.where(done, ex, 0)))
    return vals, done


def shared_sums(
    values: np.ndarray,
    shared: Shared,
    n_paths: int,
    extra_path: np.ndarray,
    extra_values: np.ndarray,
) -> list[float] | None:
    """Per path, the correctly rounded sum (as :func:`math.fsum`) of ``values`` over its
    edges (:class:`Shared`) plus the ``extra_values`` of ``extra_path``: exact integer sums
    per distinct shortcut, then per path. None when a value is not finite or the
    exponents spread too wide (the caller sums edge by edge then)."""
    u_vals = values[shared.u_edges]
    sc = _scale(u_vals, extra_values)
    if sc is None:
        return None
    e_min, n_limbs = sc
    u_limbs = _limbs(u_vals, e_min, n_limbs)
    n_u = len(shared.u_ptr) - 1
    per_u = np.zeros((n_u, n_limbs), dtype=np.int64)
    full = np.flatnonzero(np.diff(shared.u_ptr) > 0)
    if len(full):
        per_u[full] = np.add.reduceat(u_limbs, shared.u_ptr[full], axis=0)
    ex_limbs = _limbs(extra_values, e_min, n_limbs)
    rows = np.zeros((n_paths, n_limbs), dtype=np.int64)
    # float64 weights are exact here: every sum stays below 2**53 (limbs below 2**32,
    # fewer than 2**21 terms a path)
    for k in range(n_limbs):
        rows[:, k] = np.rint(
            np.bincount(shared.arc_owner, per_u[shared.arc_u, k], minlength=n_paths)
            + np.bincount(extra_path, ex_limbs[:, k], minlength=n_paths)
        ).astype(np.int64)
    return _to_floats(rows, e_min)


def exact_sums(values: np.ndarray, ptr: np.ndarray) -> list[float]:
    """``[math.fsum(values[ptr[k]:ptr[k + 1]]) for k in ...]``, bit for bit, in integer
    arithmetic (:func:`_limbs`): segments summed as integers, each rounded once. Falls back
    to ``fsum`` when a value is not finite or the exponents spread too wide."""
    x = np.asarray(values, dtype=np.float64)
    ptr = np.asarray(ptr, dtype=np.int64)
    sc = _scale(x)
    if sc is None:
        return [math.fsum(x[a:b].tolist()) for a, b in zip(ptr[:-1], ptr[1:])]
    e_min, n_limbs = sc
    rows = np.zeros((len(ptr) - 1, n_limbs), dtype=np.int64)
    full = np.flatnonzero(np.diff(ptr) > 0)
    if len(full):
        rows[full] = np.add.reduceat(_limbs(x, e_min, n_limbs), ptr[:-1][full], axis=0)
    try:
        return _to_floats(rows, e_min)
    except OverflowError:  # beyond float: as fsum does (it raises)
        return [math.fsum(x[a:b].tolist()) for a, b in zip(ptr[:-1], ptr[1:])]
