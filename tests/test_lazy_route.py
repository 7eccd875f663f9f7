"""A Route found by route() makes its legs on first access: the same legs, totals, risk rows
and place kinds as when made at once, kept after the first read, and pickled made."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

import corridors as cor
from corridors.routes.route import Leg, Route, _Lazy


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def _eager(r: Route) -> Route:
    """The same route with every field made (a plain Route, nothing lazy)."""
    return Route(
        steps=tuple(r.steps),
        query=r.query,
        network=r.network,
        objective=r.objective,
        port_area_of=r.port_area_of,
        sanctions_regimes=r.sanctions_regimes,
        risk_rows=r.risk_rows,
        place_kinds=r.place_kinds,
    )


def test_legs_are_made_on_first_access_and_kept(net) -> None:
    r = cor.route(net, "Karachi", "Moscow")
    assert type(r.__dict__["steps"]) is _Lazy
    assert type(r.__dict__["risk_rows"]) is _Lazy
    assert r.objective > 0  # the objective needs no legs
    assert type(r.__dict__["steps"]) is _Lazy
    steps = r.steps
    assert isinstance(steps, tuple) and all(isinstance(leg, Leg) for leg in steps)
    assert r.steps is steps  # made once


def test_lazy_route_equals_the_eager_one(net) -> None:
    r = cor.route(net, "Karachi", "Tashkent", minimize="time_h", departure="random")
    eager = _eager(r)
    fresh = cor.route(net, "Karachi", "Tashkent", minimize="time_h", departure="random")
    assert fresh == eager and hash(fresh) == hash(eager)
    assert fresh.summary() == eager.summary()
    assert fresh.place_kinds == eager.place_kinds
    assert fresh.sanctions_regimes == eager.sanctions_regimes


def test_route_made_without_init_has_every_field_in_its_order(net) -> None:
    """route() makes its Route without the dataclass's __init__ (routes.route._made_route):
    every field is set, in the order __init__ sets them, and nothing else."""
    r = cor.route(net, "Karachi", "Moscow")
    assert list(vars(r)) == [f.name for f in dataclasses.fields(Route)]
    assert list(vars(_eager(r))) == list(vars(r))


def test_made_legs_equal_legs_built_field_by_field(net) -> None:
    r = cor.route(net, "Gwadar Port", "Almaty")
    for leg in r.steps:
        values = {f.name: getattr(leg, f.name) for f in dataclasses.fields(Leg)}
        assert Leg(**values) == leg
    with pytest.raises(TypeError, match="exactly the fields"):
        Leg._make(seq=0)


def test_a_pickled_or_copied_route_carries_its_legs(net) -> None:
    r = cor.route(net, "Karachi", "Kabul")
    back = pickle.loads(pickle.dumps(r))
    assert all(type(v) is not _Lazy for v in back.__dict__.values())
    assert back == r and back.place_kinds == r.place_kinds
    assert [repr(x) for x in back.risk_rows] == [repr(x) for x in r.risk_rows]
    assert copy.deepcopy(cor.route(net, "Karachi", "Kabul")) == r
    assert dataclasses.replace(cor.route(net, "Karachi", "Kabul"), network="x").steps == r.steps


def test_a_network_that_has_routed_pickles_with_what_it_keeps() -> None:
    """What a search keeps between queries (the prepared query, the walk's inputs) pickles
    with the network, and the network routes the same after the round trip."""
    net = cor.load_network()
    r = cor.route(net, "Karachi", "Moscow")
    back = pickle.loads(pickle.dumps(net))
    assert cor.route(back, "Karachi", "Moscow").steps == r.steps
