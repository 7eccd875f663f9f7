"""Pareto routes: properties on random networks, a hand-made front, bad input."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors import NoRouteError, ParameterError
from corridors.routes.pareto import criteria_of, dominates
from test_routing_properties import SETTINGS, build, queries

PAIRS = [
    ("time_h", "cost_usd"),
    ("distance_km", "cost_usd"),
    ("time_h", "distance_km"),
    ("time_h", "cost_usd", "distance_km"),
]


@SETTINGS
@given(queries(), st.sampled_from(PAIRS))
def test_front_is_non_dominated_and_holds_every_single_criterion_optimum(q, criteria):
    spec, o, d, _objective, cargo = q
    net = build(spec)
    try:
        front = cor.pareto(net, o, d, criteria=criteria, cargo=cargo)
    except NoRouteError:
        with pytest.raises(NoRouteError):
            cor.route(net, o, d, cargo=cargo, minimize=criteria[0])
        return
    vecs = [criteria_of(r, criteria) for r in front]
    assert vecs
    for a, b in itertools.permutations(vecs, 2):
        assert not dominates(a, b), (a, b)
    # sorted by the first criterion
    assert all(x[0] <= y[0] + 1e-9 * max(1.0, y[0]) for x, y in zip(vecs, vecs[1:]))
    for i, c in enumerate(criteria):
        best = cor.route(net, o, d, cargo=cargo, minimize=c)
        assert min(v[i] for v in vecs) == approx(best.objective, rel=1e-9, abs=1e-9)
        bv = criteria_of(best, criteria)
        assert not any(dominates(bv, v) for v in vecs)
    for r in front:  # simple routes, totals are sums of legs
        seq = [leg.from_id for leg in r.steps] + [r.steps[-1].to_id]
        runs = [p for k, p in enumerate(seq) if k == 0 or seq[k - 1] != p]
        assert len(runs) == len(set(runs))
        assert r.cost_usd == approx(math.fsum(leg.cost_usd for leg in r.steps))


def test_hand_made_front():
    """O to D: road 100 km (2 h at 50 km/h, USD 200), rail 250 km (6.25 h, USD 250), and a
    dominated road detour via R (2 x 100 km... longer and dearer)."""
    places = [
        rf.place("o", 0, kind="rail_station"),
        rf.place("r", 1, y=30.2),
        rf.place("d", 2, kind="rail_station"),
    ]
    links = [
        rf.link("o", "d", "road", 100),
        rf.link("o", "d", "rail", 250, id="o_d_rail"),
        rf.link("o", "r", "road", 100),
        rf.link("r", "d", "road", 100),
    ]
    net = rf.build(places, links)
    front = cor.pareto(
        net, "o", "d", criteria=("cost", "distance"), cargo=cor.Cargo.container("20ft")
    )
    # 20ft: road 1.0 USD/km, rail 0.5 USD/km -> rail USD 125 / 250 km, road USD 100 / 100 km:
    # the road dominates the rail on both; the front is the road alone
    assert [[leg.link_id for leg in r.steps if leg.link_id] for r in front] == [["o_d"]]
    front = cor.pareto(net, "o", "d", criteria=("time", "cost"))
    # 40ft: road 2.0/km -> USD 200 in 2 h; rail 1.0/km -> USD 250 in 6.25 h: road dominates
    assert len(front) == 1 and front[0].cost_usd == approx(200.0)


def test_two_member_front():
    places = [rf.place("o", 0, kind="rail_station"), rf.place("d", 2, kind="rail_station")]
    links = [rf.link("o", "d", "road", 300), rf.link("o", "d", "rail", 310, id="o_d_rail")]
    net = rf.build(places, links)
    front = cor.pareto(net, "o", "d", criteria=("time_h", "cost_usd"))
    # road: 6 h, USD 600; rail: 7.75 h, USD 310
    assert [(r.time_h, r.cost_usd) for r in front] == [
        (approx(6.0), approx(600.0)),
        (approx(7.75), approx(310.0)),
    ]


@pytest.mark.parametrize(
    "criteria, match",
    [
        (("time_h",), "two or three"),
        (("time_h", "cost_usd", "distance_km", "generalized"), "two or three"),
        (("time_h", "time"), "repeat"),
        (("time_h", "happiness"), "unknown criterion"),
    ],
)
def test_bad_criteria(criteria, match):
    with pytest.raises(ParameterError, match=match):
        cor.pareto(rf.via_net(), "o", "d", criteria=criteria)


def test_no_route_says_why():
    with pytest.raises(NoRouteError, match="avoid"):
        cor.pareto(rf.via_net(), "o", "d", avoid_places=["v"], avoid_links=["o_d"])


def test_cli_pareto_table_json_csv(capsys, tmp_path):
    from corridors.cli.app import main
    from corridors.model.io import write_network

    path = tmp_path / "net"
    places = [rf.place("o", 0, kind="rail_station"), rf.place("d", 2, kind="rail_station")]
    links = [rf.link("o", "d", "road", 300), rf.link("o", "d", "rail", 310, id="o_d_rail")]
    write_network(rf.build(places, links), path)
    assert main(["pareto", "o", "d", "--network", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 non-dominated routes" in out
    assert main(["pareto", "o", "d", "--network", str(path), "--format", "json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert [r["time_h"] for r in data["routes"]] == [6.0, 7.8]  # summary rounds to 0.1 h
    assert (
        main(
            [
                "pareto",
                "o",
                "d",
                "--network",
                str(path),
                "--format",
                "csv",
                "--criteria",
                "cost_usd",
                "distance_km",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("route,cost_usd,distance_km")
