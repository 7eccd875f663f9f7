"""The CCH engine of route_matrix where routes tie (issue 18): the same frame as the csgraph
engine in every column, so route's route for every simple pair, ties included.

Where several least-objective paths tie, the hierarchy's own path is any one of them; the
engine counts the least-objective paths of every pair (``cch_skims.arc_counts`` and the
upward searches), and for the pairs with two or more runs route's tie rule on every
least-objective path (``cch_skims.tied_subgraphs``, ``skims_cch._Ties``). Tested here:
the counts against networkx's enumeration of every shortest path on random graphs with many
equal weights, the subgraphs against the union of those paths, and the frames against the
csgraph engine's on round-number networks, on random networks and on a bundled sample.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
from corridors.engine import cch_skims
from corridors.engine.cch import CCH
from corridors.routes import skims_cch
from corridors.routes.skims import route_matrix
from skims_frames import assert_same_frames, engine_frames
from test_routing_properties import OBJECTIVES, SETTINGS, queries
from test_skims_ties import tied_networks


@st.composite
def equal_weight_graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Small digraphs with parallel edges and weights 1, 2 or 3 (many equal paths)."""
    n = draw(st.integers(2, 12))
    m = draw(st.integers(1, 40))
    node = st.integers(0, n - 1)
    tails = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    heads = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    w = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=m, max_size=m)))
    return n, tails, heads, w


def _paths(n: int, tails: np.ndarray, heads: np.ndarray, w: np.ndarray, s: int, t: int) -> Any:
    """Every least-weight path s -> t as a tuple of edge indices (networkx, parallel
    edges distinct), and the least weight (inf: none)."""
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(n))
    for e, (a, b) in enumerate(zip(tails.tolist(), heads.tolist())):
        if a != b:
            g.add_edge(a, b, key=e, weight=float(w[e]))
    try:
        d = nx.shortest_path_length(g, s, t, weight="weight")
    except nx.NetworkXNoPath:
        return [], math.inf
    out = []
    for nodes in nx.all_shortest_paths(g, s, t, weight="weight"):
        choices: list[list[int]] = [[]]
        for a, b in zip(nodes[:-1], nodes[1:]):
            best = min(x["weight"] for x in g[a][b].values())
            keys = [k for k, x in g[a][b].items() if x["weight"] == best]
            choices = [c + [k] for c in choices for k in keys]
        out += [tuple(c) for c in choices]
    return out, d


@SETTINGS
@given(equal_weight_graphs(), st.data())
def test_path_counts_and_tied_subgraphs_match_networkx(graph: Any, data: Any) -> None:
    """paths_many's count of least-weight paths (capped at 2) is networkx's, and
    tied_subgraphs holds every edge of every one of them."""
    n, tails, heads, w = graph
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)
    metric = CCH.build(n, tails, heads, order=order).customize(w)
    sources = np.arange(n)
    targets = np.arange(n)
    wanted: dict[str, Any] = {}

    def want(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        i, j = np.nonzero(np.isfinite(dist) & (sources[:, None] != targets[None, :]))
        wanted.update(i=i, j=j)
        return i, j

    dist, edges, owner, ptr, _, count, trees = cch_skims.paths_many(metric, sources, targets, want)
    i_all, j_all = wanted["i"], wanted["j"]
    for k, (i, j) in enumerate(zip(i_all.tolist(), j_all.tolist())):
        paths, d = _paths(n, tails, heads, w, i, j)
        assert dist[i, j] == d
        assert min(len(paths), 2) == count[k], (i, j, paths)
        assert tuple(edges[ptr[k] : ptr[k + 1]].tolist()) in paths
    for i in range(n):  # unreachable pairs: inf, as networkx
        for j in range(n):
            if i != j and not ((i_all == i) & (j_all == j)).any():
                assert _paths(n, tails, heads, w, i, j)[1] == math.inf
    if trees is None:
        return
    subs = cch_skims.tied_subgraphs(metric, trees, i_all, j_all)
    for i, j in zip(i_all.tolist(), j_all.tolist()):
        every = {e for p in _paths(n, tails, heads, w, i, j)[0] for e in p}
        assert every <= set(subs[i].tolist()), (i, j)


@SETTINGS
@given(equal_weight_graphs(), st.data())
def test_unpack_every_many_is_unpack_every_per_set(graph: Any, data: Any) -> None:
    """unpack_every_many tests each distinct slot once for all the sets that hold it: per
    set, the edges are those of unpack_every of each of its slots alone, united."""
    n, tails, heads, w = graph
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)
    metric = CCH.build(n, tails, heads, order=order).customize(w)
    n_slots = 2 * metric.cch.n_arcs
    if not n_slots:
        return
    slots = data.draw(st.lists(st.integers(0, n_slots - 1), max_size=16))
    owner = data.draw(st.lists(st.integers(0, 3), min_size=len(slots), max_size=len(slots)))
    edges, own = cch_skims.unpack_every_many(
        metric, np.array(slots, dtype=np.int64), np.array(owner, dtype=np.int64)
    )
    assert np.all(np.diff(own * len(w) + edges) > 0)  # sorted by set then edge, unique
    for k in range(4):
        want: set[int] = set()
        for s, o in zip(slots, owner):
            if o == k:
                want |= set(cch_skims.unpack_every(metric, np.array([s])).tolist())
        assert edges[own == k].tolist() == sorted(want)


def _one_origin_a_chunk(net: cor.Network, o: Any, d: Any, objective: str, **kw: Any) -> Any:
    """route_matrix(engine="cch") with chunks of one origin: the tie rule runs for one
    origin at a time (not for all of a chunk's origins at once, as by default)."""
    old = skims_cch.CHUNK_PAIRS
    skims_cch.CHUNK_PAIRS = 1
    try:
        return route_matrix(net, o, d, minimize=objective, engine="cch", **kw)
    finally:
        skims_cch.CHUNK_PAIRS = old


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES))
def test_ties_of_all_origins_at_once_as_one_by_one(data: Any, objective: str) -> None:
    """The tie rule runs for all the tied origins of a chunk at once (``skims_cch._Ties``:
    their subgraphs as one graph of disjoint parts): the frame is the one of chunks of one
    origin each."""
    net, ids = data
    a = route_matrix(net, ids, ids, minimize=objective, engine="cch", cch_cache=False)
    assert_same_frames(a, _one_origin_a_chunk(net, ids, ids, objective, cch_cache=False))


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES))
def test_cch_skims_are_the_csgraph_skims_where_routes_tie(data: Any, objective: str) -> None:
    """Round-number networks (tests/test_skims_ties.py), every objective: the CCH engine's
    frame is the csgraph engine's, every column (so route's route for every simple pair)."""
    net, ids = data
    a = route_matrix(net, ids, ids, minimize=objective)
    b = route_matrix(net, ids, ids, minimize=objective, engine="cch", cch_cache=False)
    assert_same_frames(a, b)


@SETTINGS
@given(queries())
def test_cch_skims_on_random_networks(q: Any) -> None:
    """The routing properties' random networks (cargo, objectives): the same frames."""
    assert_same_frames(*engine_frames(q))


@pytest.mark.parametrize("objective", ["cost_usd", "time_h", "distance_km", "generalized"])
def test_cch_skims_bundled_sample(objective: str, tmp_path: Any) -> None:
    """A seeded 40 x 40 bundled sample (many exact ties for cost and distance): the same
    frame as csgraph, and the ties were settled on the hierarchy, not sent to csgraph."""
    net = cor.load_network()
    ids = np.asarray(sorted(net.places.index))
    rng = np.random.default_rng(18)
    o = [str(x) for x in rng.choice(ids, size=40, replace=False)]
    d = [str(x) for x in rng.choice(ids, size=40, replace=False)]
    a = route_matrix(net, o, d, minimize=objective)
    skims_cch.STATS.clear()
    b = route_matrix(net, o, d, minimize=objective, engine="cch", cch_cache=tmp_path)
    assert_same_frames(a, b)
    if objective in ("cost_usd", "distance_km"):
        assert skims_cch.STATS["tied_pairs"] > 100
        assert skims_cch.STATS["origins_resolved"] > 1  # settled together
        assert_same_frames(b, _one_origin_a_chunk(net, o, d, objective, cch_cache=tmp_path))
