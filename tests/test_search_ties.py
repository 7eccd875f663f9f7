"""The search's local tie-breaking (issue 18) gives the path of the lexicographic Dijkstra on
every tight edge, bit for bit: ``search(..., on_grid=True)`` (the walk back from the target,
ties settled between a node and the nearest node every tight path to it passes through)
against ``on_grid=False`` (the Dijkstra on all the tight edges that lead to the target), on
networks of round numbers where routes often tie (tests/test_skims_ties.py) and on every
pair of a sample of the bundled network, for every objective."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine import search as engine_search
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import topology
from corridors.engine.weights import weights
from corridors.errors import CorridorsError
from test_routing_properties import OBJECTIVES, SETTINGS
from test_skims_ties import tied_networks


def _both_ways(net: cor.Network, o: str, d: str, objective: str) -> int:
    """Search one query both ways; the number of tie-breaking cases it met (0 or 1)."""
    try:
        q = make_query(net, o, d, minimize=objective)
    except CorridorsError:
        return 0
    topo = topology(net)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    try:
        prep = solver._prepared(q, frozenset(), False, True, True)
    except CorridorsError:
        return 0
    (plan,) = prep.plans
    mask = plan.masks[0]
    dist = csgraph.dijkstra(engine_search.edge_csr(topo, prep.weight, mask), indices=plan.source)
    args = (topo, prep.weight, plan.masks, plan.source, plan.target)
    local = engine_search.search(*args, dist=dist, tie=prep.tie, on_grid=True)
    full = engine_search.search(*args, dist=dist, tie=prep.tie, on_grid=False)
    assert local == full, (o, d, objective)
    if full is None:
        return 0
    tight = mask & (dist[topo.src] + prep.weight == dist[topo.dst])
    heads = topo.dst[tight]
    return int(np.bincount(heads, minlength=topo.n_nodes)[topo.dst[full[1]]].max() > 1)


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES))
def test_local_ties_give_the_full_searchs_path_on_round_networks(data, objective):
    net, ids = data
    for o in ids:
        for d in ids:
            if o != d:
                _both_ways(net, o, d, objective)


@pytest.mark.parametrize("lists", [True, False], ids=["in-edge lists", "numpy slices"])
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_local_ties_give_the_full_searchs_path_on_the_bundled_network(
    objective, lists, monkeypatch
):
    if not lists:  # the branch of graphs above LIST_EDGES_MAX edges
        monkeypatch.setattr(engine_search, "LIST_EDGES_MAX", 0)
    net = cor.load_network()
    ids = sorted(net.places.index)[::6]
    ties = sum(_both_ways(net, o, d, objective) for o in ids for d in ids if o != d)
    assert ties > 0  # the bundled network's ties (a node and its service's node) are met


def test_a_tie_over_an_edge_that_adds_no_key_falls_back_to_the_full_search():
    """Two equal paths whose edges add nothing to any key: the settling order is the
    Dijkstra's own, so the local tie-breaking declines (None) and search still answers."""
    net = cor.load_network()
    topo = topology(net)
    weight = np.zeros(topo.n_edges)
    tie = np.zeros(topo.n_edges)
    mask = np.zeros(topo.n_edges, dtype=bool)
    # a diamond s -> a -> t, s -> b -> t on four nodes, every edge of zero weight and tie;
    # none of them a transfer
    plain = np.flatnonzero(topo.etype != engine_search.TRANSFER)
    s, a, b, t = 0, 1, 2, 3
    chosen = [int(e) for e in plain[:4]]
    src, dst = topo.src.copy(), topo.dst.copy()
    for e, (u, v) in zip(chosen, ((s, a), (s, b), (a, t), (b, t))):
        src[e], dst[e] = u, v
        mask[e] = True
    fake = _with_ends(topo, src, dst)
    dist = csgraph.dijkstra(engine_search.edge_csr(fake, weight, mask), indices=s)
    assert engine_search._tight_path(fake, weight, tie, mask, dist, s, t, True) is None
    local = engine_search.search(fake, weight, [mask], s, t, dist=dist, tie=tie, on_grid=True)
    full = engine_search.search(fake, weight, [mask], s, t, dist=dist, tie=tie, on_grid=False)
    assert local == full and local is not None


def _with_ends(topo, src, dst):
    """A copy of ``topo`` with other edge ends (its derived orders made again)."""
    import dataclasses

    return dataclasses.replace(topo, src=src, dst=dst, _static={}, _weights={})
