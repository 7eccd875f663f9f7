"""Scheduled services (services.csv) and honest waiting: a departure wait when cargo boards a
train, never again while it stays on it; gauge changes are coordinated hand-overs."""

from __future__ import annotations

import pytest
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors.errors import ParameterError, ValidationError

C40 = cor.Cargo.container("40ft")

CONNECTION = dict(
    place_id="*",
    from_service="*",
    to_service="*",
    kind="connection",
    time_median_h=2.0,
    time_p90_h=4.0,
    cost_usd_20ft=0.0,
    cost_usd_40ft=0.0,
    cost_usd_per_tonne=0.0,
    year=2024,
)


def _speeds(headway: float | None = 100.0) -> list[dict]:
    speeds = [dict(s) for s in rf.SPEEDS]
    for s in speeds:
        if s["mode"] == "rail":
            s["headway_h"] = headway
    return speeds


def _line(service: dict | None = None, *, headway: float | None = 100.0) -> cor.Network:
    """a - b - c - d on 1435 mm (40 km/h by default, 100 h between default trains), a road from
    r to b; gauge change to 1520 between c and d at c."""
    places = [
        rf.place("a", 0, kind="rail_station"),
        rf.place("b", 1, kind="rail_station"),
        rf.place("c", 2, kind="rail_station"),
        rf.place("d", 3, kind="rail_station"),
        rf.place("r", 1, y=30.2),
    ]
    links = [
        rf.link("a", "b", "rail", 100),
        rf.link("b", "c", "rail", 100),
        rf.link("c", "d", "rail", 100, gauge_mm="1520"),
        rf.link("r", "b", "road", 50),
    ]
    services = None
    if service is not None:
        services = [
            dict(
                dict(
                    id="s1",
                    operator="op",
                    mode="rail",
                    gauge_mm=1435,
                    path="a|b|c",
                    headway_h=48.0,
                    status="operational",
                    year=2024,
                ),
                **service,
            )
        ]
    return rf.build(
        places,
        links,
        speeds=_speeds(headway),
        operations=[*rf.DEFAULT_OPS, CONNECTION],
        services=services,
    )


def test_default_rail_waits_once_at_the_first_boarding_only():
    net = _line()
    r = cor.route(net, "a", "d", minimize="time", cargo=C40, departure="random")
    waits = [s.wait_h for s in r.steps if s.wait_h > 0]
    assert waits == [approx(50.0)]  # loading at a; none at the c gauge change
    (change,) = r.transfers
    assert change.from_id == "c" and change.wait_h == 0.0
    assert change.transfer_time_h == approx(20.0)  # the transload row: the whole hand-over
    booked = cor.route(net, "a", "d", minimize="time", cargo=C40)
    assert booked.time_h == approx(r.time_h - 50.0)


def test_a_scheduled_service_charges_its_own_headway_once():
    net = _line({"speed_kmh": 50.0})
    r = cor.route(net, "a", "c", minimize="time", cargo=C40, departure="random")
    assert r.services == ["s1"]
    rides = [s for s in r.steps if s.kind == "link"]
    assert all(s.service_id == "s1" for s in rides)
    assert [s.running_time_h for s in rides] == [approx(2.0), approx(2.0)]  # its own speed
    assert sum(s.wait_h for s in r.steps) == approx(24.0)  # 48 h headway, once
    assert r.transit_time_h == approx(4.0)


def test_boarding_a_service_midway_waits_for_it_and_a_default_train_is_said_so():
    net = _line({"speed_kmh": 50.0})
    r = cor.route(net, "r", "c", minimize="time", cargo=C40)
    (board,) = r.transfers
    assert board.from_id == "b" and board.to_service == "rail-1435"
    assert board.service_id == "s1" and board.wait_h == approx(24.0)
    plain = cor.route(_line(), "r", "c", minimize="time", cargo=C40)
    assert plain.services == ["default:rail:PAK"]
    assert plain.transfers[0].wait_h == approx(50.0)


def test_where_a_service_ties_with_the_default_train_the_route_takes_the_service():
    """A scheduled service with the default's speed and headway ties with the default train
    on every criterion; the route names the known service, not 'no service known', at the
    same figures (the service's nodes come first in the search's node order)."""
    same = {"headway_h": 100.0}  # no speed: the country's, as the default train's
    for departure in ("booked", "random"):
        r = cor.route(_line(same), "a", "c", minimize="time", cargo=C40, departure=departure)
        default = cor.route(_line(), "a", "c", minimize="time", cargo=C40, departure=departure)
        assert r.services == ["s1"] and default.services == ["default:rail:PAK"]
        assert (r.time_h, r.cost_usd) == (default.time_h, default.cost_usd)


def test_bundled_moscow_sarakhs_names_the_instc_east_train():
    net = cor.load_network()
    r = cor.route(net, "Moscow", "sarakhs_irn", modes="rail")
    assert r.services == ["rzdl_instc_east"]


def test_a_planned_service_runs_only_from_its_year():
    net = _line({"speed_kmh": 400.0, "status": "planned", "year": 2030})
    today = cor.route(net, "a", "c", minimize="time", cargo=C40)
    later = cor.route(net, "a", "c", minimize="time", cargo=C40, year=2031)
    assert today.services == ["default:rail:PAK"] and later.services == ["s1"]


@pytest.mark.parametrize(
    "path, words",
    [
        ("a|x|c", "unknown place 'x'"),
        ("a|c", "no rail link of gauge 1435 joins 'a' and 'c'"),
        ("a", "at least two places"),
    ],
)
def test_bad_service_paths_are_named(path, words):
    with pytest.raises(ValidationError) as info:
        _line({"path": path})
    text = str(info.value)
    assert "s1" in text and words in text


def test_bundled_sarakhs_hand_over_adds_no_departure_wait():
    net = cor.load_network()
    r = cor.route(
        net,
        "Moscow",
        "Bandar Abbas",
        modes="rail",
        minimize="time",
        cross_at="Sarakhs",
        departure="random",
    )
    (change,) = [s for s in r.transfers if s.from_id == "sarakhs_irn"]
    assert change.wait_h == 0.0
    # the only wait is the first departure at Moscow
    assert [s.from_id for s in r.steps if s.wait_h > 0] == ["moscow"]


def test_bundled_moscow_tehran_both_ways_differ_only_by_directional_data():
    net = cor.load_network()
    there = cor.route(net, "Moscow", "Tehran", modes="rail", minimize="time")
    back = cor.route(net, "Tehran", "Moscow", modes="rail", minimize="time")
    assert [s.link_id for s in there.steps if s.link_id] == [
        s.link_id for s in reversed(back.steps) if s.link_id
    ]
    a, b = there.time_split(), back.time_split()
    assert a["waiting"] == b["waiting"] == 0.0
    assert a["running"] == approx(b["running"]) and a["transfer"] == approx(b["transfer"])
    # what differs is the border dwell, which crossings.csv gives per direction
    dwell = {(s.link_id, s.from_id): s.dwell_h for s in [*there.crossings, *back.crossings]}
    assert abs(there.time_h - back.time_h) == approx(abs(a["border"] - b["border"]))
    assert dwell


def test_unknown_departure_is_an_error():
    with pytest.raises(ParameterError, match="booked"):
        cor.route(_line(), "a", "c", departure="tomorrow")
