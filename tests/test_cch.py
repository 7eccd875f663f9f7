"""corridors.engine.cch (customizable contraction hierarchies) against csgraph on random graphs.

Skipped without the optional ``routingkit-cch`` package (``pip install corridors[cch]``),
whose nested-dissection order the backend uses; the numpy fallback order is tested too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.sparse import csgraph

pytest.importorskip("routingkit_cch")

from corridors.engine.cch import CCH, compute_order, topology_hash  # noqa: E402

GRID = 2.0**-20
METHODS = ("inertial", "degree", "bisection", "plain-degree")


def reference(n: int, tails: np.ndarray, heads: np.ndarray, w: np.ndarray) -> np.ndarray:
    """All-pairs least weights by csgraph (parallel edges collapsed to their least weight,
    explicit zeros kept, inf edges dropped), as graph.edge_csr builds its matrix."""
    ok = np.isfinite(w) & (tails != heads)
    t, h, x = tails[ok], heads[ok], w[ok]
    order = np.lexsort((x, h, t))
    t, h, x = t[order], h[order], x[order]
    first = np.ones(len(t), dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    t, h, x = t[first], h[first], x[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(t, minlength=n), out=indptr[1:])
    a = sparse.csr_matrix((x, h.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))
    return csgraph.dijkstra(a)  # type: ignore[no-any-return]


@st.composite
def graphs(
    draw: st.DrawFn,
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 30))
    m = draw(st.integers(0, 90))
    node = st.integers(0, n - 1)
    tails = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    heads = np.array(draw(st.lists(node, min_size=m, max_size=m)), dtype=np.int64)
    # weights on the engine's grid (graph.on_grid): multiples of 2**-20, zeros, removals
    ks = draw(
        st.lists(st.one_of(st.integers(0, 2**30), st.just(0), st.just(-1)), min_size=m, max_size=m)
    )
    w = np.array([math.inf if k < 0 else k * GRID for k in ks], dtype=float)
    lat = np.array(draw(st.lists(st.floats(-60, 60), min_size=n, max_size=n)))
    lon = np.array(draw(st.lists(st.floats(-170, 170), min_size=n, max_size=n)))
    return n, tails, heads, w, lat, lon


def check_path(
    tails: np.ndarray, heads: np.ndarray, w: np.ndarray, s: int, t: int, d: float, path: np.ndarray
) -> None:
    if s == t or not math.isfinite(d):
        assert len(path) == 0
        return
    assert len(path) and tails[path[0]] == s and heads[path[-1]] == t
    assert np.array_equal(heads[path[:-1]], tails[path[1:]])
    assert np.isfinite(w[path]).all()
    total = 0.0
    for x in w[path].tolist():
        total += x
    assert total == d


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.sampled_from(METHODS))
def test_equals_csgraph(g: tuple[Any, ...], method: str) -> None:
    n, tails, heads, w, lat, lon = g
    cch = CCH.build(n, tails, heads, latitude=lat, longitude=lon, method=method)
    metric = cch.customize(w)
    ref = reference(n, tails, heads, w)
    nodes = np.arange(n)
    assert np.array_equal(metric.many_to_all(nodes), ref)
    assert np.array_equal(metric.matrix(nodes, nodes), ref)
    assert np.array_equal(metric.one_to_all(0), ref[0])
    for s in range(n):
        for t in range(n):
            d, path = metric.query(s, t)
            assert d == ref[s, t]
            check_path(tails, heads, w, s, t, d, path)


@settings(max_examples=60, deadline=None)
@given(graphs(), st.data())
def test_recustomize(g: tuple[Any, ...], data: st.DataObject) -> None:
    """One topology, many metrics: removing edges (inf) or changing weights is a partial
    re-customization of a copy; the original metric is untouched."""
    n, tails, heads, w, lat, lon = g
    cch = CCH.build(n, tails, heads, latitude=lat, longitude=lon)
    metric = cch.customize(w)
    before = metric.matrix(np.arange(n), np.arange(n))
    m = len(w)
    avoid = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)), dtype=bool)
    cheaper = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)), dtype=bool)
    w2 = np.where(avoid, np.inf, w)
    w2 = np.where(cheaper & ~avoid, np.floor(w / 2 / GRID) * GRID, w2)
    ref = reference(n, tails, heads, w2)
    for limit in (1.0, 0.0):  # partial, full
        fork = metric.copy()
        fork.update(w2, partial_limit=limit, partial_min_arcs=0)
        assert np.array_equal(fork.table, cch.customize(w2).table)
        assert np.array_equal(fork.matrix(np.arange(n), np.arange(n)), ref)
        for s_ in range(n):
            d, path = fork.query(s_, (s_ + 1) % n)
            assert d == ref[s_, (s_ + 1) % n]
            check_path(tails, heads, w2, s_, (s_ + 1) % n, d, path)
        # the same change given as edges and values, then undone
        fork = metric.copy()
        e = np.flatnonzero(w2 != w)
        fork.update_edges(e, w2[e], partial_limit=limit, partial_min_arcs=0)
        assert np.array_equal(fork.table, cch.customize(w2).table)
        assert np.array_equal(fork.weights, w2)
        fork.update_edges(e, w[e], partial_limit=limit, partial_min_arcs=0)
        assert np.array_equal(fork.table, metric.table)
    assert np.array_equal(metric.matrix(np.arange(n), np.arange(n)), before)


def test_arbitrary_floats_close() -> None:
    """Off the grid, distances agree with csgraph to rounding (the order of addition differs)."""
    rng = np.random.default_rng(3)
    n, m = 200, 800
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    w = rng.uniform(0, 1000, m)
    cch = CCH.build(
        n, tails, heads, latitude=rng.uniform(0, 50, n), longitude=rng.uniform(0, 50, n)
    )
    got = cch.customize(w).many_to_all(np.arange(n))
    ref = reference(n, tails, heads, w)
    assert np.array_equal(np.isfinite(got), np.isfinite(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(got[fin], ref[fin], rtol=1e-12)


def test_disk_cache(tmp_path: Any) -> None:
    rng = np.random.default_rng(1)
    n, m = 300, 900
    tails, heads = rng.integers(0, n, m), rng.integers(0, n, m)
    lat, lon = rng.uniform(0, 40, n), rng.uniform(0, 40, n)
    a = CCH.build(n, tails, heads, latitude=lat, longitude=lon, cache_dir=tmp_path)
    files = list(tmp_path.glob("cch-*.npz"))
    assert len(files) == 1 and topology_hash(n, tails, heads, lat, lon) in files[0].name
    b = CCH.build(n, tails, heads, latitude=lat, longitude=lon, cache_dir=tmp_path)
    assert "load_s" in b.timings and "order_s" not in b.timings
    assert np.array_equal(a.order, b.order) and np.array_equal(a.tri_xy, b.tri_xy)
    w = rng.integers(0, 100, m).astype(float)
    assert np.array_equal(
        a.customize(w).matrix(np.arange(n), np.arange(n)),
        b.customize(w).matrix(np.arange(n), np.arange(n)),
    )
    # another topology: another key
    assert topology_hash(n, tails, heads[::-1].copy(), lat, lon) != topology_hash(
        n, tails, heads, lat, lon
    )


def test_bad_input() -> None:
    cch = CCH.build(3, [0, 1], [1, 2])
    with pytest.raises(ValueError):
        cch.customize([1.0])
    with pytest.raises(ValueError):
        cch.customize([1.0, -1.0])
    with pytest.raises(ValueError):
        cch.customize([1.0, math.nan])
    with pytest.raises(ValueError):
        CCH.build(3, [0, 5], [1, 2])
    with pytest.raises(ValueError):
        compute_order(3, [0], [1], method="inertial")  # no coordinates
    assert cch.customize([1.0, 2.0]).query(0, 2)[0] == 3.0
    assert cch.customize([1.0, 2.0]).query(2, 0)[0] == math.inf


def test_bundled_network_search_identical() -> None:
    """On the bundled network, the engine's tie-breaking search fed with the CCH's
    one-to-all distances returns the same path, bit for bit, as with csgraph's."""
    import corridors as cor
    from corridors.engine import search as engine_search
    from corridors.engine import topology as graph
    from corridors.engine.query import make_query
    from corridors.engine.solver import _Solver
    from corridors.engine.weights import weights

    net = cor.load_network()
    topo = graph.topology(net)
    pts = net.places.geometry
    lat = pts.y.to_numpy()[topo.node_place]
    lon = pts.x.to_numpy()[topo.node_place]
    cch = CCH.build(topo.n_nodes, topo.src, topo.dst, latitude=lat, longitude=lon)
    for o, d, obj in (
        ("karachi", "moscow", "cost_usd"),
        ("karachi", "moscow", "time_h"),
        ("tashkent", "gwadar", "cost_usd"),
    ):
        q = make_query(net, o, d, minimize=obj)
        solver = _Solver(net, topo, weights(net, q.cargo), q)
        m = solver.mask(q) & ~topo.entering(topo.place_index[q.origin])
        w = graph.on_grid(np.where(m, solver.objective(q), 0.0))
        tie = graph.on_grid(np.where(m, solver.query_array(q, graph.TIE_BREAK[q.minimize]), 0.0))
        s = int(topo.gate_of[topo.place_index[q.origin]])
        t = int(topo.gate_of[topo.place_index[q.destination]])
        metric = cch.customize(np.where(m, w, np.inf))
        dist = metric.one_to_all(s)
        ref = csgraph.dijkstra(graph.edge_csr(topo, w, m), indices=s)
        assert np.array_equal(dist, ref)
        assert metric.distance(s, t) == ref[t]
        assert engine_search.search(topo, w, [m], s, t, tie=tie, dist=dist) == engine_search.search(
            topo, w, [m], s, t, tie=tie
        )
