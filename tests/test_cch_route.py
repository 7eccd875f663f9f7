"""``route(..., engine="cch")``: the exact search's answer, ties included (issue 18).

Every comparison is bit for bit at the solver: the same objective float and the same edge
list as the csgraph engine, or no route for both; on networks of round numbers (many routes
of the same objective, where the tie rule decides), on the routing properties' random
networks, and on the bundled network. :func:`cch_route.shortest_subgraph` is checked against
networkx's enumeration of every shortest path on small random graphs.
"""

from __future__ import annotations

import random
from typing import Any

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
from corridors.engine import cch_route
from corridors.engine.cch import CCH
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import topology
from corridors.engine.weights import weights
from corridors.errors import CorridorsError, ParameterError
from test_routing_properties import OBJECTIVES, SETTINGS, build, queries
from test_skims_ties import tied_networks


def _solve(net: cor.Network, o: str, d: str, engine: str, **kw: Any) -> Any:
    try:
        q = make_query(net, o, d, **kw)
        solver = _Solver(net, topology(net), weights(net, q.cargo), q, engine, False)
        return solver.solve(q)
    except CorridorsError as err:
        return type(err)


def _same(net: cor.Network, o: str, d: str, **kw: Any) -> None:
    a = _solve(net, o, d, "csgraph", **kw)
    b = _solve(net, o, d, "cch", **kw)
    if isinstance(a, tuple) and isinstance(b, tuple):
        assert a[0].hex() == b[0].hex() and a[1] == b[1], (o, d, kw)
    else:
        assert a == b, (o, d, kw)


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES), st.sampled_from(("booked", "random")))
def test_same_answer_where_routes_tie(data: Any, objective: str, departure: str) -> None:
    net, ids = data
    for o in ids:
        for d in ids:
            if o != d:
                _same(net, o, d, minimize=objective, departure=departure)


@SETTINGS
@given(queries(), st.sampled_from(("booked", "random")))
def test_same_answer_on_random_networks(q: Any, departure: str) -> None:
    spec, o, d, objective, cargo = q
    net = build(spec)
    _same(net, o, d, minimize=objective, cargo=cargo, departure=departure)


def test_same_answer_on_the_bundled_network() -> None:
    net = cor.load_network()
    ids = sorted(net.places.index)
    rng = random.Random(18)
    before = cch_route.STATS["cch"]
    countries = sorted(set(net.places["country"]))
    for _ in range(25):
        o, d = rng.sample(ids, 2)
        for objective in OBJECTIVES:
            _same(net, o, d, minimize=objective, departure="random")
        _same(net, o, d, minimize="cost_usd")
        _same(net, o, d, minimize="time_h")
        _same(net, o, d, minimize="generalized", risk_aversion=1.0)
        _same(net, o, d, minimize="distance_km", avoid_countries=[rng.choice(countries)])
        _same(net, o, d, minimize="cost_usd", modes=["road", "sea"], year=2032)
    assert cch_route.STATS["cch"] - before > 150  # the metric answered most of them


def test_route_engine_argument() -> None:
    net = cor.load_network()
    a = cor.route(net, "Karachi", "Tashkent")
    b = cor.route(net, "Karachi", "Tashkent", engine="cch", cch_cache=False)
    assert a.objective == b.objective and [x.link_id for x in a.steps] == [
        x.link_id for x in b.steps
    ]
    with pytest.raises(ParameterError, match="engine"):
        cor.route(net, "Karachi", "Tashkent", engine="fast")


def test_queries_the_metric_cannot_represent_are_searched_exactly() -> None:
    net = cor.load_network()
    before = dict(cch_route.STATS)
    _same(net, "karachi", "moscow", via="tehran")
    _same(net, "karachi", "moscow", max_transfers=2)
    _same(net, "karachi", "moscow", origin_arrival="sea")
    for why in ("waypoints", "max_transfers", "origin_arrival"):
        assert cch_route.STATS[why] > before.get(why, 0)


def test_booked_first_departure_and_forbidden_ends_are_metric_updates() -> None:
    """A time objective with the first departure booked (its weights differ near the
    origin) is answered by the metric updated for the query's ends, and the metric is left
    as it was."""
    net = cor.load_network()
    q = make_query(net, "karachi", "tashkent", minimize="time_h")
    solver = _Solver(net, topology(net), weights(net, q.cargo), q, "cch", False)
    solver.solve(q)
    rm = cch_route._route_metric(solver, q, False)
    table, w = rm.metric.table.copy(), rm.metric.weights.copy()
    before = cch_route.STATS["cch"]
    for d in ("tashkent", "moscow", "almaty", "kabul"):
        _same(net, "karachi", d, minimize="time_h")
        _same(net, "karachi", d, minimize="generalized")
    assert cch_route.STATS["cch"] - before >= 8
    assert np.array_equal(rm.metric.table, table) and np.array_equal(rm.metric.weights, w)


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 9))
    m = draw(st.integers(1, 30))
    tails = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    heads = np.array(draw(st.lists(st.integers(0, n - 1), min_size=m, max_size=m)))
    w = np.array(draw(st.lists(st.sampled_from((1.0, 2.0, 3.0, np.inf)), min_size=m, max_size=m)))
    return n, tails, heads, w


@SETTINGS
@given(small_graphs(), st.data())
def test_shortest_subgraph_is_every_shortest_path(g: Any, data: Any) -> None:
    n, tails, heads, w = g
    s = data.draw(st.integers(0, n - 1))
    t = data.draw(st.integers(0, n - 1).filter(lambda x: x != s))
    metric = CCH.build(n, tails, heads).customize(w)
    best, edges = cch_route.shortest_subgraph(
        metric, np.array([s]), np.array([0.0]), np.array([t]), np.array([0.0])
    )
    nxg = nx.MultiDiGraph()
    nxg.add_nodes_from(range(n))
    for e, (a, b, x) in enumerate(zip(tails.tolist(), heads.tolist(), w.tolist())):
        if a != b and np.isfinite(x):
            nxg.add_edge(a, b, key=e, weight=x)
    if not nx.has_path(nxg, s, t):
        assert not np.isfinite(best) and not len(edges)
        return
    assert best == nx.dijkstra_path_length(nxg, s, t)
    want: set[int] = set()
    for path in nx.all_shortest_paths(nxg, s, t, weight="weight"):
        for a, b in zip(path, path[1:]):
            low = min(d["weight"] for d in nxg[a][b].values())
            want |= {k for k, d in nxg[a][b].items() if d["weight"] == low}
    assert set(edges.tolist()) == want


def _solve_avoiding(net: cor.Network, o: str, d: str, engine: str, avoid: Any, **kw: Any) -> Any:
    q = make_query(net, o, d, **kw)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q, engine, False)
    return solver.solve(q, extra_avoid=frozenset(avoid))


def test_avoided_features_are_weight_updates() -> None:
    """The branches of alternatives (extra_avoid: crossings, port areas, countries, modes)
    give the exact search's answer, and the metric is left as it was."""
    net = cor.load_network()
    rng = random.Random(7)
    ids = sorted(net.places.index)
    countries = sorted(set(net.places["country"]))
    before = cch_route.STATS["cch"]
    for _ in range(12):
        o, d = rng.sample(ids, 2)
        protected = {net.places.at[o, "country"], net.places.at[d, "country"]}
        avoid = {("country", c) for c in rng.sample(countries, 2) if c not in protected}
        avoid |= {("mode", rng.choice(("sea", "rail", "road")))}
        for objective in ("cost_usd", "time_h", "distance_km"):
            a = _solve_avoiding(net, o, d, "csgraph", avoid, minimize=objective)
            b = _solve_avoiding(net, o, d, "cch", avoid, minimize=objective)
            assert (a is None and b is None) or (a[0].hex() == b[0].hex() and a[1] == b[1])
    assert cch_route.STATS["cch"] - before > 20


def test_alternatives_engine() -> None:
    net = cor.load_network()
    for o, d in (("karachi", "moscow"), ("kabul", "tashkent")):
        a = cor.alternatives(net, o, d, k=4)
        b = cor.alternatives(net, o, d, k=4, engine="cch", cch_cache=False)
        assert [(r.objective, r.signature) for r in a] == [(r.objective, r.signature) for r in b]
        assert [[x.link_id for x in r.steps] for r in a] == [
            [x.link_id for x in r.steps] for r in b
        ]
    with pytest.raises(ParameterError, match="engine"):
        cor.alternatives(net, "karachi", "moscow", engine="fast")


@SETTINGS
@given(tied_networks(), st.sampled_from(OBJECTIVES), st.data())
def test_avoiding_a_place_where_routes_tie(data: Any, objective: str, draw: Any) -> None:
    net, ids = data
    gone = draw.draw(st.sampled_from(ids))
    for o in ids:
        for d in ids:
            if len({o, d, gone}) == 3:
                avoid = {("place", gone)}
                a = _solve_avoiding(net, o, d, "csgraph", avoid, minimize=objective)
                b = _solve_avoiding(net, o, d, "cch", avoid, minimize=objective)
                assert (a is None and b is None) or (a[0].hex() == b[0].hex() and a[1] == b[1])


def test_threads_share_one_metric() -> None:
    """Queries from several threads on one network: the metric updated in place for one
    query is never read by another (each holds the metric's lock)."""
    from concurrent.futures import ThreadPoolExecutor

    net = cor.load_network()
    rng = random.Random(5)
    ids = sorted(net.places.index)
    pairs = [tuple(rng.sample(ids, 2)) for _ in range(24)]

    def both(pair: Any) -> tuple[Any, Any]:
        return (
            _solve(net, pair[0], pair[1], "csgraph", minimize="time_h"),
            _solve(net, pair[0], pair[1], "cch", minimize="time_h"),
        )

    with ThreadPoolExecutor(4) as pool:
        for a, b in pool.map(both, pairs):
            if isinstance(a, tuple) and isinstance(b, tuple):
                assert a[0].hex() == b[0].hex() and a[1] == b[1]
            else:
                assert a == b
