"""``route(..., origin_arrival="sea")``: cargo that comes off a ship at the origin port pays the
port's handling from the ship instead of the land loading. Expected numbers are worked out by
hand on a small network (tests/routing_fixtures.py: port_handling 30 h and USD 250 for 40 ft,
transshipment free, terminals free; road 50 km/h and USD 2 per FEU-km; sea 25 km/h)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import corridors
import routing_fixtures as rf
from corridors import ParameterError


def _port_net() -> corridors.Network:
    """Port P --road 100 km--> city C; P --sea 500 km (headway 48 h)--> port S."""
    places = [
        rf.place("p", 0, kind="port", name="Portia"),
        rf.place("c", 1, name="Cita"),
        rf.place("s", 2, kind="port", name="Seaport"),
    ]
    links = [
        rf.link("p", "c", "road", 100),
        rf.link("p", "s", "sea", 500, headway_h=48.0),
    ]
    return rf.build(places, links, name="port")


def _sums_match(r: corridors.Route) -> None:
    assert math.isclose(r.time_h, math.fsum(leg.time_h for leg in r.steps))
    assert math.isclose(r.cost_usd, math.fsum(leg.cost_usd for leg in r.steps))


def test_land_origin_loads_a_truck_and_sea_arrival_pays_the_port_handling() -> None:
    net = _port_net()
    land = corridors.route(net, "p", "c", minimize="time_h")
    sea = corridors.route(net, "p", "c", minimize="time_h", origin_arrival="sea")
    assert land.time_h == pytest.approx(2.0)  # 100 km at 50 km/h, free terminals
    assert sea.time_h == pytest.approx(2.0 + 30.0)  # + port handling from the ship
    assert sea.cost_usd == pytest.approx(land.cost_usd + 250.0)
    first = sea.steps[0]
    assert (first.kind, first.mode, first.transfer_kind) == ("terminal", "road", "port_handling")
    assert first.terminal_time_h == pytest.approx(30.0)
    assert first.terminal_cost_usd == pytest.approx(250.0)
    assert land.steps[0].transfer_kind != "port_handling"
    _sums_match(land)
    _sums_match(sea)
    assert sea.query.constraints()["origin_arrival"] == "sea"
    assert "origin_arrival" not in land.query.constraints()


def test_sea_arrival_leaving_by_ship_is_a_transshipment_and_keeps_the_departure_rule() -> None:
    net = _port_net()
    booked = corridors.route(net, "p", "s", minimize="time_h", origin_arrival="sea")
    assert booked.steps[0].transfer_kind == "transshipment"
    assert booked.time_h == pytest.approx(20.0)  # 500 km at 25 km/h; free transshipment
    random = corridors.route(
        net, "p", "s", minimize="time_h", origin_arrival="sea", departure="random"
    )
    assert random.time_h == pytest.approx(20.0 + 24.0)  # half the 48-h headway
    _sums_match(random)


def test_sea_arrival_is_checked() -> None:
    net = _port_net()
    with pytest.raises(ParameterError, match="not a port"):
        corridors.route(net, "c", "p", origin_arrival="sea")
    with pytest.raises(ParameterError, match="land, sea"):
        corridors.route(net, "p", "c", origin_arrival="air")
    with pytest.raises(corridors.ParameterTypeError):
        corridors.route(net, "p", "c", origin_arrival=1)  # type: ignore[arg-type]


def test_bundled_chabahar_kabul_sea_arrival_adds_the_port_row() -> None:
    net = corridors.load_network()
    land = corridors.route(net, "chabahar_port", "kabul", minimize="time_h", modes=["road"])
    sea = corridors.route(
        net, "chabahar_port", "kabul", minimize="time_h", modes=["road"], origin_arrival="sea"
    )
    ops = net.tables["operations"]
    row = ops[
        (ops["place_id"] == "chabahar_port")
        & (ops["from_service"] == "sea")
        & (ops["to_service"] == "road")
    ].iloc[0]
    assert sea.steps[0].terminal_time_h == pytest.approx(float(row["time_median_h"]))
    assert sea.time_h - land.time_h == pytest.approx(
        float(row["time_median_h"]) - land.steps[0].terminal_time_h
    )
    assert [leg.to_id for leg in sea.steps[1:]] == [leg.to_id for leg in land.steps[1:]]


def test_backtest_passes_a_journeys_origin_arrival(tmp_path: Path) -> None:
    from corridors import ValidationError
    from corridors.analysis.backtest import JOURNEY_COLUMNS, backtest, read_journeys

    net = _port_net()
    header = ",".join(JOURNEY_COLUMNS)

    def row(jid: str, arrival: str) -> str:
        values = dict(
            id=jid,
            origin="p",
            destination="c",
            modes="road",
            cargo="40ft",
            observed_days_min="1",
            observed_days_max="2",
            date="2024",
            source="test 2024",
            confidence="measured",
            origin_arrival=arrival,
        )
        return ",".join(values.get(c, "") for c in JOURNEY_COLUMNS)

    path = tmp_path / "journeys.csv"
    path.write_text("\n".join([header, row("land", ""), row("sea", "sea")]) + "\n")
    df = backtest(net, read_journeys(path, net=net)).set_index("id")
    assert df.loc["land", "model_days"] == pytest.approx(2.0 / 24)
    assert df.loc["sea", "model_days"] == pytest.approx(32.0 / 24)
    assert "origin_arrival=sea" in df.loc["sea", "constraints"]
    path.write_text("\n".join([header, row("bad", "air")]) + "\n")
    with pytest.raises(ValidationError) as info:
        read_journeys(path, net=net)
    assert [(p.record, p.field) for p in info.value.problems] == [("bad", "origin_arrival")]
