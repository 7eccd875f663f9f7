"""route_matrix (compiled OD skims) against route(), and the CSR conversion's edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine.topology import edge_csr, topology
from corridors.errors import NoRouteError
from corridors.routes.skims import SKIM_COLUMNS, _csr_with_edges, route_matrix
from test_routing_properties import SETTINGS, build, queries


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@SETTINGS
@given(queries())
def test_route_matrix_matches_route_where_simple(q):
    spec, o, d, objective, cargo = q
    net = build(spec)
    df = route_matrix(net, [o], [d], minimize=objective, cargo=cargo)
    row = df.iloc[0]
    try:
        r = cor.route(net, o, d, minimize=objective, cargo=cargo)
    except NoRouteError:
        assert math.isnan(row["objective"]) or not row["simple"]
        return
    assert not math.isnan(row["objective"])
    if row["simple"]:
        assert close(row["objective"], r.objective)
        assert close(row[objective], row["objective"])
    else:
        assert r.objective >= row["objective"] * (1 - 1e-9) - 1e-9


def test_route_matrix_bundled_all_pairs_agree_with_route():
    net = cor.load_network()
    places = ["karachi", "moscow", "tashkent", "gwadar_port", "almaty"]
    df = route_matrix(net, places, places, minimize="cost_usd")
    assert list(df.columns) == list(SKIM_COLUMNS)
    assert len(df) == 25
    for rec in df.itertuples(index=False):
        if rec.origin == rec.destination:
            assert math.isnan(rec.objective) and not rec.simple
            continue
        r = cor.route(net, rec.origin, rec.destination, minimize="cost_usd")
        if rec.simple:
            assert close(rec.objective, r.objective)
            assert close(rec.cost_usd, r.cost_usd)
        else:
            assert r.objective >= rec.objective


def test_route_matrix_unknown_place_and_single_place():
    net = cor.load_network()
    with pytest.raises(cor.UnknownPlaceError):
        route_matrix(net, ["karachi"], ["atlantis"])
    with pytest.raises(cor.ParameterError):
        route_matrix(net, ["karachi"], ["karachi"])


def test_edge_csr_keeps_zero_weights_and_the_least_parallel_edge():
    net = cor.load_network()
    topo = topology(net)
    rng = np.random.default_rng(3)
    weight = rng.choice([0.0, 1.0, 2.5], size=topo.n_edges)
    mask = rng.uniform(size=topo.n_edges) < 0.9
    # a parallel copy of every edge, heavier, must not change anything: emulate by checking
    # that every stored entry holds the least weight of its (tail, head) among allowed edges
    m = edge_csr(topo, weight, mask)
    m2, entry_edge = _csr_with_edges(topo, weight, mask)
    assert (m.indptr == m2.indptr).all() and (m.indices == m2.indices).all()
    assert (m.data == m2.data).all()
    least: dict[tuple[int, int], float] = {}
    for e in np.flatnonzero(mask).tolist():
        k = (int(topo.src[e]), int(topo.dst[e]))
        least[k] = min(least.get(k, math.inf), float(weight[e]))
    assert m.nnz == len(least)
    assert (weight[entry_edge] == m2.data).all()
    assert (m.data == 0.0).any()  # explicit zeros are stored ...
    dist = csgraph.dijkstra(m, indices=int(topo.gate_of[0]))
    # ... and are edges: a node reached only over zero-weight edges has distance 0
    zero_only = edge_csr(topo, np.zeros(topo.n_edges), np.ones(topo.n_edges, dtype=bool))
    d0 = csgraph.dijkstra(zero_only, indices=int(topo.gate_of[0]))
    assert np.isfinite(d0).sum() > 1 and (d0[np.isfinite(d0)] == 0).all()
    assert np.isfinite(dist[int(topo.gate_of[0])])
