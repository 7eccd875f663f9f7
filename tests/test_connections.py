"""``connections="random"|"booked"``: the wait at each later boarding (issue 14).

``random`` (the default) charges half the departing service's headway at every change of
service and every sailing after the first, as before; ``booked`` times the cargo to each
connection: no wait at changes, the hand-over, transfer and border times still charged. The
first departure stays ``departure``'s."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
import routing_fixtures as rf
from corridors.analysis.scenario import Scenario, load_scenarios
from corridors.cli.app import main
from corridors.engine import topology as graph
from corridors.engine import weights as costs
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.errors import NoRouteError, ParameterError, ValidationError
from corridors.routes.skims import route_matrix
from test_routing_properties import (
    SETTINGS,
    best,
    build,
    close,
    first_departures,
    oracle_mask,
    oracle_path,
    queries,
)

TIMINGS = [(d, c) for d in ("booked", "random") for c in ("random", "booked")]


@st.composite
def waiting_queries(draw: st.DrawFn) -> tuple[dict[str, Any], str, str, str, Any]:
    """:func:`test_routing_properties.queries` with a headway on about half the links (a
    tenth there): first departures and later sailings that wait, so that the two timings
    differ on most networks."""
    spec, o, d, objective, cargo = draw(queries())
    links = []
    for rec in spec["links"]:
        if "headway_h" not in rec and draw(st.booleans()):
            rec = {**rec, "headway_h": draw(st.floats(1.0, 200.0))}
        links.append(rec)
    return {**spec, "links": links}, o, d, objective, cargo


def two_ferries() -> cor.Network:
    """X --ferry 200 km, every 24 h--> Y --ferry 100 km, every 48 h--> Z (ports): the second
    sailing is a connection."""
    places = [
        rf.place("x", 0, kind="port", name="Xport"),
        rf.place("y", 2, kind="port", name="Yport"),
        rf.place("z", 3, kind="port", name="Zport"),
    ]
    links = [
        rf.link("x", "y", "ferry", 200, headway_h=24.0),
        rf.link("y", "z", "ferry", 100, headway_h=48.0),
    ]
    return rf.build(places, links, name="two_ferries")


@pytest.mark.parametrize(
    ("departure", "connections", "wait_h"),
    [
        ("booked", "random", 24.0),  # the second sailing: half its 48 h
        ("random", "random", 36.0),  # 12 h for the first, 24 h for the second
        ("booked", "booked", 0.0),
        ("random", "booked", 12.0),  # only the first departure's
    ],
)
def test_each_timing_charges_its_own_waits(departure, connections, wait_h):
    net = two_ferries()
    r = cor.route(net, "Xport", "Zport", departure=departure, connections=connections)
    assert r.time_split()["waiting"] == pytest.approx(wait_h)
    assert r.time_h == pytest.approx(15.0 + wait_h)  # 300 km at 20 km/h
    assert r.transit_time_h == pytest.approx(15.0 + (0.0 if connections == "booked" else 24.0))
    assert r.timing == {"departure": departure, "connections": connections}
    s = r.summary()
    assert (s["departure"], s["connections"]) == (departure, connections)


def test_unknown_connections_names_the_allowed_values():
    with pytest.raises(
        ParameterError, match=r"unknown connections 'timed'; allowed: random, booked"
    ):
        cor.route(two_ferries(), "Xport", "Zport", connections="timed")
    with pytest.raises(cor.errors.ParameterTypeError, match="connections"):
        cor.route(two_ferries(), "Xport", "Zport", connections=1)


def test_default_is_random_and_unchanged():
    net = two_ferries()
    a = cor.route(net, "Xport", "Zport")
    b = cor.route(net, "Xport", "Zport", connections="random")
    assert a.query == b.query and a.time_h == b.time_h and a.summary() == b.summary()
    assert "connections" not in a.query.constraints()
    assert cor.route(net, "Xport", "Zport", connections="booked").query.constraints() == {
        "connections": "booked"
    }


# ------------------------------------------------------------------ random networks


def timed(topo, w, origin, objective, cargo, departure, connections):
    """The oracle's objective under a timing: the wait of each edge removed where the query
    books it (the first departures, :func:`test_routing_properties.booked`'s, by
    ``departure``; every other wait by ``connections``), restated here."""
    arr = w.objective(objective)
    if objective not in ("time_h", "generalized"):
        return arr
    first = first_departures(topo, origin)
    off = np.where(first, departure == "booked", connections == "booked")
    coef = cargo.time_value_usd_per_h if objective == "generalized" else 1.0
    return arr - coef * np.where(off, w.arrays["wait_h"], 0.0)


@SETTINGS
@given(waiting_queries(), st.sampled_from(TIMINGS))
def test_route_matches_oracle_under_every_timing(q, timing):
    spec, o, d, objective, cargo = q
    departure, connections = timing
    net = build(spec)
    r = best(net, o, d, objective, cargo, departure=departure, connections=connections)
    topo = graph.topology(net)
    w = timed(topo, costs.weights(net, cargo), o, objective, cargo, departure, connections)
    g = topo.to_networkx(w, oracle_mask(topo, o, d))
    g.graph["node_place"] = topo.node_place.tolist()
    expected = oracle_path(
        g, int(topo.gate_of[topo.place_index[o]]), int(topo.gate_of[topo.place_index[d]])
    )
    if expected is None:
        assert r is None
        return
    length, simple = expected
    if r is not None and simple:
        assert close(r.objective, length), (r.objective, length)


@SETTINGS
@given(waiting_queries(), st.sampled_from(("booked", "random")))
def test_booked_connections_are_never_slower(q, departure):
    """A forwarder who times the cargo to every connection never arrives later than one
    whose cargo meets them at random (the same first departure), by time and by generalized
    cost; the random timing's best path, re-timed, loses exactly its later waits (those
    after the first departure, :func:`timed`), so a path with no change keeps its time."""
    spec, o, d, objective, cargo = q
    net = build(spec)
    for obj in ("time_h", "generalized"):
        rand = best(net, o, d, obj, cargo, departure=departure, connections="random")
        book = best(net, o, d, obj, cargo, departure=departure, connections="booked")
        assert (rand is None) == (book is None)
        if rand is None:
            continue
        assert book.objective <= rand.objective + 1e-9 * max(1.0, abs(rand.objective))
    q_rand = make_query(net, o, d, minimize="time_h", cargo=cargo, departure=departure)
    q_book = make_query(
        net, o, d, minimize="time_h", cargo=cargo, departure=departure, connections="booked"
    )
    solver = _Solver(net, graph.topology(net), costs.weights(net, cargo), q_rand)
    found = solver.solve(q_rand, check=False)
    if found is None:
        return
    path = np.asarray(found[1], dtype=np.int64)
    topo, w = solver.topo, solver.w
    t_rand = timed(topo, w, o, "time_h", cargo, departure, "random")[path]
    t_book = timed(topo, w, o, "time_h", cargo, departure, "booked")[path]
    later = math.fsum(t_rand) - math.fsum(t_book)  # the oracle's later waits on the path
    got_rand = solver.query_array(q_rand, "time_h")[path]
    got_book = solver.query_array(q_book, "time_h")[path]
    assert close(math.fsum(got_rand) - math.fsum(got_book), later)
    if later == 0.0:  # no change after the first departure: the same hours, edge by edge
        assert np.array_equal(got_rand, got_book)
    r_book = best(net, o, d, "time_h", cargo, departure=departure, connections="booked")
    assert r_book is not None and r_book.time_h <= math.fsum(got_book) + 1e-7


def test_booked_equals_random_on_a_route_with_no_change():
    """One ferry, no change: both connection timings give the same route and hours, bit for
    bit, under either departure."""
    net = rf.headway_net()
    for departure in ("booked", "random"):
        a = cor.route(net, "Xport", "Yport", departure=departure, minimize="time_h")
        b = cor.route(
            net, "Xport", "Yport", departure=departure, connections="booked", minimize="time_h"
        )
        assert [leg.time_h for leg in a.steps] == [leg.time_h for leg in b.steps]
        assert a.time_h == b.time_h and a.objective == b.objective


@SETTINGS
@given(waiting_queries(), st.sampled_from(TIMINGS))
def test_route_skims_and_compare_agree_under_every_timing(q, timing):
    """route_matrix (csgraph and cch) and compare give route's answer with the option on."""
    spec, o, d, objective, cargo = q
    departure, connections = timing
    net = build(spec)
    r = best(net, o, d, objective, cargo, departure=departure, connections=connections)
    rc = best(
        net,
        o,
        d,
        objective,
        cargo,
        departure=departure,
        connections=connections,
        engine="cch",
        cch_cache=False,
    )
    assert (r is None) == (rc is None)
    if r is not None:  # route's own CCH engine: the exact search's answer, bit for bit
        assert rc.objective == r.objective and rc.time_h == r.time_h
        assert [leg.link_id or leg.kind for leg in rc.steps] == [
            leg.link_id or leg.kind for leg in r.steps
        ]
    # two origins: the query's own first departures and another origin's
    others = [p["id"] for p in spec["places"] if p["id"] not in (o, d)][:1]
    kw = dict(minimize=objective, cargo=cargo, departure=departure, connections=connections)
    routes = {o: r}
    for p in others:
        routes[p] = best(net, p, d, objective, cargo, departure=departure, connections=connections)
    for engine in ("csgraph", "cch"):
        df = route_matrix(net, [o, *others], [d], engine=engine, cch_cache=False, **kw)
        for row in df.to_dict("records"):
            ro = routes[row["origin"]]
            assert (ro is None) == math.isnan(row["objective"]), engine
            if ro is None or not row["simple"]:
                continue
            assert row["time_h"] == ro.time_h and row["cost_usd"] == ro.cost_usd, engine
            assert row["objective"] == ro.objective, engine
    scen = cor.Scenario.baseline(
        od=((o, d),), objectives=("time_h",), departure=departure, connections=connections
    )
    row = cor.compare(net, scen).to_dict("records")[0]
    assert row["connections"] == connections
    try:
        rt = cor.route(net, o, d, minimize="time_h", departure=departure, connections=connections)
    except NoRouteError:
        assert row["status"] == "no route"
        return
    assert [row["time_h"], row["transit_time_h"], row["cost_usd"]] == [
        rt.time_h,
        rt.transit_time_h,
        rt.cost_usd,
    ]


def triangle() -> cor.Network:
    """:func:`two_ferries` and a direct ferry X -> Z, 600 km every 2 h: by time, the direct
    sailing (30 h + its wait) against the two (15 h + their waits), which the timing
    decides (direct 30 h booked first / 31 h random; via Y 15 h all booked, 39 h with
    one 24-h wait)."""
    places = [
        rf.place("x", 0, kind="port", name="Xport"),
        rf.place("y", 2, kind="port", name="Yport"),
        rf.place("z", 3, kind="port", name="Zport"),
    ]
    links = [
        rf.link("x", "y", "ferry", 200, headway_h=48.0),
        rf.link("y", "z", "ferry", 100, headway_h=48.0),
        rf.link("x", "z", "ferry", 600, headway_h=2.0),
    ]
    return rf.build(places, links, name="triangle")


@pytest.mark.parametrize(
    ("departure", "connections", "direct"),
    [
        ("booked", "random", True),
        ("booked", "booked", False),
        ("random", "random", True),
        ("random", "booked", True),
    ],
)
def test_the_timing_chooses_the_route(departure, connections, direct):
    r = cor.route(
        triangle(),
        "Xport",
        "Zport",
        minimize="time_h",
        departure=departure,
        connections=connections,
    )
    assert (r.steps[1].link_id == "x_z") == direct


@pytest.mark.parametrize("make", [two_ferries, triangle])
@pytest.mark.parametrize(("departure", "connections"), TIMINGS)
@pytest.mark.parametrize("minimize", ["time_h", "generalized"])
def test_skims_and_cch_route_time_both_origins_as_route(make, departure, connections, minimize):
    """From Xport (whose first sailing is its own) and Yport (whose first sailing is the
    Xport route's connection), every engine gives route's answer under every timing."""
    net = make()
    kw = dict(minimize=minimize, departure=departure, connections=connections)
    want = [cor.route(net, o, "Zport", **kw) for o in ("Xport", "Yport")]
    for engine in ("csgraph", "cch"):
        got = [
            cor.route(net, o, "Zport", engine=engine, cch_cache=False, **kw)
            for o in ("Xport", "Yport")
        ]
        assert [r.time_h for r in got] == [r.time_h for r in want], engine
        assert [r.objective for r in got] == [r.objective for r in want], engine
        df = route_matrix(net, ["Xport", "Yport"], ["Zport"], engine=engine, cch_cache=False, **kw)
        assert list(df["time_h"]) == [r.time_h for r in want], engine
        assert list(df["objective"]) == [r.objective for r in want], engine


def test_pareto_and_alternatives_take_the_option():
    net = two_ferries()
    front = cor.pareto(net, "Xport", "Zport", criteria=("time_h", "cost_usd"), connections="booked")
    assert all(r.query.connections == "booked" for r in front)
    assert min(r.time_h for r in front) == pytest.approx(15.0)
    alts = cor.alternatives(net, "Xport", "Zport", k=2, connections="booked")
    assert alts[0].time_h == pytest.approx(15.0)


def test_simulate_draws_no_wait_at_booked_connections():
    """The second sailing's wait is drawn Uniform(0, 48 h) at a random connection (mean
    about 24 h) and not at all at a booked one; the first departure is booked either way."""
    net = two_ferries()
    waits = {}
    for connections in ("random", "booked"):
        r = cor.route(net, "Xport", "Zport", connections=connections)
        sim = cor.simulate(r, runs=2000, seed=3, disruptions=False)
        waits[connections] = sim.mean_split_h[0]["waiting"]
    assert waits["booked"] == 0.0
    assert 22.0 < waits["random"] < 26.0


# ------------------------------------------------------------------ files and the CLI


def test_scenario_file_key_is_validated(tmp_path: Path):
    """A shared ``connections`` key that a scenario overrides; written back the same; a bad
    value names the file, the key and the allowed values."""
    path = tmp_path / "s.toml"
    path.write_text(
        'od = [["Xport", "Zport"]]\nconnections = "booked"\n'
        '[[scenario]]\nname = "a"\n[[scenario]]\nname = "b"\nconnections = "random"\n',
        encoding="utf-8",
    )
    a, b = load_scenarios(path)
    assert (a.connections, b.connections) == ("booked", "random")
    assert a.route_kwargs()["connections"] == "booked"
    assert Scenario.from_toml(a.write_toml(tmp_path / "a.toml")) == a
    df = cor.compare(two_ferries(), [a, b], minimize="time_h")
    assert list(df["connections"]) == ["booked", "random"]
    assert list(df["time_h"]) == pytest.approx([15.0, 39.0])
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\nconnections = "timed"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="connections") as exc:
        Scenario.from_toml(bad)
    assert "bad.toml" in str(exc.value) and "random, booked" in str(exc.value)
    with pytest.raises(ValidationError, match="connections"):
        Scenario(name="x", connections="sometime")


@pytest.mark.parametrize(("connections", "door_h"), [("random", 39.0), ("booked", 15.0)])
def test_cli_connections_matches_library(capsys, tmp_path, connections, door_h):
    path = str(cor.write_network(two_ferries(), tmp_path / "ferries"))
    lib = cor.route(cor.read_network(path), "Xport", "Zport", connections=connections)
    assert lib.time_h == pytest.approx(door_h)
    argv = ["route", "Xport", "Zport", "--network", path, "--connections", connections]
    assert main([*argv, "--format", "json"]) == 0
    s = json.loads(capsys.readouterr().out)["routes"][0]
    assert s["connections"] == connections and s["time_h"] == pytest.approx(door_h)
    assert main(argv) == 0
    assert f"connections {connections})" in capsys.readouterr().out
    assert (
        main(
            [
                "skim",
                "--from",
                "Xport",
                "--to",
                "Zport",
                "--network",
                path,
                "--minimize",
                "time_h",
                "--connections",
                connections,
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["time_h"] == pytest.approx(door_h)
    pareto_argv = [
        "pareto",
        "Xport",
        "Zport",
        "--network",
        path,
        "--criteria",
        "time_h",
        "cost_usd",
    ]
    assert main([*pareto_argv, "--connections", connections, "--format", "json"]) == 0
    front = json.loads(capsys.readouterr().out)["routes"]
    assert min(r["time_h"] for r in front) == pytest.approx(door_h)
    sim_argv = ["simulate", "Xport", "Zport", "--network", path, "--k", "1", "--runs", "200"]
    assert main([*sim_argv, "--seed", "1", "--connections", connections, "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)["routes"][0]
    assert rec["summary"]["connections"] == connections
    assert rec["summary"]["time_h"] == pytest.approx(door_h)
    with pytest.raises(SystemExit):
        main([*argv[:-1], "whenever"])
    assert "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------------ backtest journeys


def test_journeys_connections_column_reaches_the_route(tmp_path: Path):
    """journeys.csv ``connections``: empty is random (the second sailing waits 24 h), booked
    routes with connections="booked" and says so in the constraints; a bad word names the
    column and the allowed values."""
    from corridors.analysis.backtest import backtest
    from corridors.analysis.journeys import read_journeys
    from test_backtest import _row, _write

    net = two_ferries()
    kw = dict(origin="x", destination="z", observed_days_min=0.5, observed_days_max=2)
    p = _write(tmp_path, _row(id="walk", **kw), _row(id="timed", connections="booked", **kw))
    journeys = read_journeys(p, net=net)
    assert list(journeys["connections"]) == ["random", "booked"]
    df = backtest(net, journeys).set_index("id")
    assert df.loc["walk", "model_days"] * 24 == pytest.approx(
        cor.route(net, "x", "z", minimize="time_h").time_h
    )
    assert (df.loc["walk", "model_days"] - df.loc["timed", "model_days"]) * 24 == pytest.approx(
        24.0
    )
    assert df.loc["timed", "constraints"] == "connections=booked"
    assert df.loc["walk", "constraints"] == ""
    bad = _write(tmp_path, _row(connections="timed", **kw), name="bad.csv")
    with pytest.raises(ValidationError, match=r"connections.*random, booked"):
        read_journeys(bad)
