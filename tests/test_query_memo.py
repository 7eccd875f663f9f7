"""make_query keeps the parsed query of the latest arguments per network (issue 18): the same
arguments give the same query, other values or types of the same value do not share it, and
an argument that fails fails every time."""

from __future__ import annotations

import pytest

import corridors as cor
from corridors import Cargo
from corridors.engine.query import _make_query, make_query
from corridors.errors import CorridorsError


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def test_same_arguments_give_the_kept_query(net):
    q = make_query(net, "karachi", "moscow", avoid_countries=["IRN"])
    assert make_query(net, "karachi", "moscow", avoid_countries=["IRN"]) is q
    assert q == _make_query(net, "karachi", "moscow", avoid_countries=["IRN"])


def test_other_values_and_types_are_parsed_again(net):
    avoid = ["IRN"]
    q = make_query(net, "karachi", "moscow", avoid_countries=avoid)
    avoid.append("AFG")  # the list changed since: its new content is the key
    q2 = make_query(net, "karachi", "moscow", avoid_countries=avoid)
    assert q2 is not q and set(q2.avoid_countries) == {"IRN", "AFG"}
    c = make_query(net, "karachi", "moscow", cargo=Cargo(tonnes=20))
    c2 = make_query(net, "karachi", "moscow", cargo=Cargo(tonnes=20.0))
    assert c2 is not c and c2 == c  # 20 and 20.0: equal queries, each with its own cargo
    assert type(c2.cargo.tonnes) is float and type(c.cargo.tonnes) is int


def test_a_failing_query_fails_every_time(net):
    for _ in range(2):
        with pytest.raises(CorridorsError):
            make_query(net, "karachi", "nowhere_at_all")


def test_unhashable_arguments_are_parsed_every_time(net):
    q = make_query(net, "karachi", "moscow", sanctions={"*": "surcharge"})
    assert make_query(net, "karachi", "moscow", sanctions={"*": "surcharge"}) == q
