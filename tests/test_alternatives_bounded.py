"""Bounded alternatives give what the exhaustive branching gives.

``alternatives`` puts off a branch while a bounded A* search proves its best route dearer than
what waits in the heap (:class:`corridors.engine.bounds.BranchBounds`), and searches far fewer
branches. These tests run both ways (``routes.routing._BOUNDED``) on random networks and on
the bundled one and ask for the same routes in the same order, the same warnings and the same
errors; and they check the two facts the method rests on: the edges a feature removes are
those of the solver's mask, and a bound never exceeds the route the search then finds.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
from corridors.engine.bounds import BranchBounds
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import topology
from corridors.engine.weights import weights
from corridors.errors import CorridorsError
from corridors.routes import routing
from corridors.routes.build import build_route
from test_routing_properties import SETTINGS, build, queries


@contextmanager
def bounded(flag: bool) -> Iterator[None]:
    old = routing._BOUNDED
    routing._BOUNDED = flag
    try:
        yield
    finally:
        routing._BOUNDED = old


def outcome(net: cor.Network, o: str, d: str, **kw: Any) -> tuple[Any, ...]:
    """Routes (edges of each leg and exact objective), warnings and error of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            alts = cor.alternatives(net, o, d, **kw)
        except CorridorsError as exc:
            return ("error", type(exc).__name__, str(exc))
    routes = [
        (
            float(r.objective).hex(),
            tuple((leg.kind, leg.link_id, leg.from_id, leg.to_id) for leg in r.steps),
        )
        for r in alts
    ]
    return ("routes", routes, [str(w.message) for w in caught])


def both(net: cor.Network, o: str, d: str, **kw: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    with bounded(False):
        want = outcome(net, o, d, **kw)
    with bounded(True):
        got = outcome(net, o, d, **kw)
    return want, got


@SETTINGS
@given(queries(), st.integers(1, 8), st.sampled_from([None, None, 2, 5]), st.data())
def test_bounded_equals_exhaustive_on_random_networks(q, k, max_solves, data):
    spec, o, d, objective, cargo = q
    net = build(spec)
    kw: dict[str, Any] = dict(k=k, minimize=objective, cargo=cargo, max_solves=max_solves)
    ids = [p["id"] for p in spec["places"] if p["id"] not in (o, d)]
    extra = data.draw(st.sampled_from(["", "via", "avoid", "transfers"]))
    if extra == "via" and ids:
        kw["via"] = data.draw(st.sampled_from(ids))
    elif extra == "avoid" and ids:
        kw["avoid_places"] = [data.draw(st.sampled_from(ids))]
    elif extra == "transfers":
        kw["max_transfers"] = data.draw(st.integers(0, 3))
    want, got = both(net, o, d, **kw)
    assert got == want


PAIRS = [
    ("karachi", "moscow"),
    ("gwadar_port", "almaty"),
    ("karachi", "tashkent"),
    ("tashkent", "karachi"),
    ("bandar_abbas", "tashkent"),
]


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


@pytest.mark.parametrize("o, d", PAIRS)
@pytest.mark.parametrize("minimize", ["cost_usd", "time_h", "distance_km", "generalized"])
def test_bounded_equals_exhaustive_on_the_bundled_network(net, o, d, minimize):
    want, got = both(net, o, d, k=8, minimize=minimize)
    assert want[0] == "routes" and len(want[1]) > 1
    assert got == want


@pytest.mark.parametrize(
    "o, d, kw",
    [
        ("karachi_port", "tashkent", dict(departure="random", sanctions="surcharge")),
        ("karachi", "moscow", dict(via="tehran", minimize="time_h")),
        ("karachi", "moscow", dict(avoid_countries=["AFG"], cross_at="astara_aze")),
        ("gwadar_port", "almaty", dict(risk_aversion=1.0, max_transfers=3)),
        ("karachi", "tashkent", dict(modes=["rail", "road"], year=2035, date="2026-01")),
    ],
)
def test_bounded_equals_exhaustive_with_constraints(net, o, d, kw):
    want, got = both(net, o, d, k=6, **kw)
    assert want[0] == "routes", want
    assert got == want


@pytest.mark.parametrize("max_solves", [1, 3, 10])
def test_same_budget_and_warning(net, max_solves):
    """A branch put off still counts as searched: the budget runs out at the same branch."""
    want, got = both(net, "karachi", "moscow", k=10, max_solves=max_solves)
    assert got == want
    assert want[2], "the budget should run out"


def _solver(net: cor.Network, o: str, d: str, minimize: str) -> tuple[_Solver, Any]:
    q = make_query(net, o, d, minimize=minimize)
    return _Solver(net, topology(net), weights(net, q.cargo), q), q


@pytest.mark.parametrize("o, d", PAIRS[:3])
def test_removed_edges_are_those_of_the_solver_mask(net, o, d):
    solver, q = _solver(net, o, d, "cost_usd")
    bounds = BranchBounds(solver, q)
    m0 = solver.mask(q)
    protected = {net.places.at[p, "country"] for p in (q.origin, q.destination)}
    features = {
        f for r in cor.alternatives(net, o, d, k=6) for f in routing._features(r, protected)
    }
    features |= {("place", "bandar_abbas"), ("link", str(net.links.index[0]))}
    assert {kind for kind, _ in features} >= {"crossing", "country", "place", "link"}
    for f in sorted(features):
        want = np.flatnonzero(m0 & ~solver.mask(q, extra_avoid=frozenset({f})))
        assert bounds.removed(f) == frozenset(want.tolist()), f


@pytest.mark.parametrize(
    "o, d, kw",
    [(o, d, {}) for o, d in PAIRS]
    + [
        ("karachi", "moscow", dict(via="tehran")),
        ("karachi", "moscow", dict(via=["quetta", "baku"])),
        ("karachi", "tashkent", dict(cross_at="torkham")),
    ],
)
@pytest.mark.parametrize("minimize", ["cost_usd", "time_h", "distance_km"])
def test_bound_never_exceeds_the_search(net, o, d, kw, minimize):
    """For every branch of every route found: the bound (exhaustive or stopped early) is at
    most the route the search finds (the relaxation may visit a place twice, so it can be
    lower), and, without via places, infinite exactly when there is none; with via places or
    crossings, on states (node, stage)."""
    q = make_query(net, o, d, minimize=minimize, **kw)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q)
    bounds = BranchBounds(solver, q)
    assert bounds.usable
    protected = {net.places.at[p, "country"] for p in (q.origin, q.destination, *q.via)}
    alts = cor.alternatives(net, o, d, k=4, minimize=minimize, **kw)
    single = sorted({f for r in alts for f in routing._features(r, protected)})
    branches = {frozenset({f}) for f in single} | {
        frozenset({a, b}) for a in single[:6] for b in single[:6]
    }
    for avoid in sorted(branches, key=sorted):
        found = solver.solve(q, extra_avoid=avoid)
        full, exact = bounds.lower(avoid, math.inf, 10**9)
        early, _ = bounds.lower(avoid, alts[0].objective, 50)
        if found is None:
            assert full == math.inf or kw  # a via route may exist only if it loops back
            continue
        obj = build_route(solver, q, found).objective
        assert exact and full <= obj and early <= full, (avoid, full, early, obj)
