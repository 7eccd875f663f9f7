"""A port time that already contains the wait for the departing ship (operations.csv
``includes_departure_wait``, issue 14): the stop costs max(dwell, wait), not dwell + wait.

Network (tests/routing_fixtures.py tables): city C --road 100 km (2 h)--> port P --sea
500 km (20 h), headway H--> port Q. At P every operation onto a sailing (truck to ship,
ship to ship, loading at P) takes ``DWELL`` hours; terminals elsewhere are free.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import corridors as cor
from corridors.analysis.simulate import NO_SPREADS, simulate
from routing_fixtures import build, link, place, tables

DWELL = 30.0


def _row(
    frm: str, to: str, kind: str, flag: bool, p90: float, time_h: float = DWELL
) -> dict[str, object]:
    return dict(
        place_id="p",
        from_service=frm,
        to_service=to,
        kind=kind,
        time_median_h=time_h,
        time_p90_h=max(p90, time_h),
        cost_usd_20ft=0.0,
        cost_usd_40ft=0.0,
        cost_usd_per_tonne=0.0,
        includes_departure_wait=flag,
        year=2024,
    )


def port_net(
    headway: float,
    *,
    flag: bool = True,
    all_rows: bool = True,
    p90: float = DWELL,
    trans_h: float = DWELL,
):
    """C -> P -> Q; P's rows flagged (``flag``); ``all_rows=False`` leaves the transshipment
    row unflagged, ``trans_h`` gives it its own time, so the operations onto P's sailings
    differ."""
    ops = tables()["operations"] + [
        _row("sea", "road", "port_handling", flag, p90),
        _row("sea", "sea", "transshipment", flag and all_rows, p90, trans_h),
        _row("sea", "terminal", "terminal", flag, p90),
    ]
    places = [place("c", 0), place("p", 1, kind="port"), place("q", 3, kind="port")]
    links = [link("c", "p", "road", 100), link("p", "q", "sea", 500, headway_h=headway)]
    return build(places, links, name="dwellwait", operations=ops)


def _stop_h(r: cor.Route) -> float:
    """Hours of the route at P: the truck-to-ship handling and the sailing's wait."""
    return sum(leg.transfer_time_h + leg.wait_h for leg in r.steps)


@pytest.mark.parametrize(
    "headway, stop",
    [
        (100.0, 50.0),  # wait 50 h > dwell 30 h: the wait alone
        (24.0, DWELL),  # wait 12 h < dwell 30 h: the dwell alone
    ],
)
def test_flagged_port_charges_the_larger_of_dwell_and_wait(headway: float, stop: float) -> None:
    net = port_net(headway)
    r = cor.route(net, "c", "q", minimize="time_h", departure="random")
    assert [leg.kind for leg in r.steps] == ["terminal", "link", "transfer", "link", "terminal"]
    assert _stop_h(r) == stop == max(DWELL, headway / 2)
    assert r.time_h == 2.0 + stop + 20.0
    sail = r.steps[3]
    assert sail.wait_h == max(headway / 2 - DWELL, 0.0)
    assert sail.wait_overlap_h == min(DWELL, headway / 2)
    # the totals stay sums of the legs and of the split
    assert r.time_h == math.fsum(leg.time_h for leg in r.steps)
    assert math.isclose(sum(r.time_split().values()), r.time_h)
    assert r.time_split()["waiting"] == sail.wait_h


@pytest.mark.parametrize("flag, all_rows", [(False, True), (True, False)])
def test_without_the_flag_on_every_operation_dwell_and_wait_add(flag: bool, all_rows: bool) -> None:
    # today's rule where the row says nothing, and where the operations onto a sailing differ
    # (one unflagged row): a sailing cannot tell which of them came before it
    net = port_net(100.0, flag=flag, all_rows=all_rows)
    r = cor.route(net, "c", "q", minimize="time_h", departure="random")
    assert _stop_h(r) == DWELL + 50.0
    assert all(leg.wait_overlap_h == 0.0 for leg in r.steps)


def test_flagged_operations_of_different_times_leave_the_wait_whole() -> None:
    # every row onto P's sailings is flagged, but the transshipment takes 40 h, not 30 h: a
    # sailing cannot tell which time came before it, so the truck's 30 h and the wait add
    r = cor.route(port_net(100.0, trans_h=40.0), "c", "q", minimize="time_h", departure="random")
    assert _stop_h(r) == DWELL + 50.0
    assert all(leg.wait_overlap_h == 0.0 for leg in r.steps)


def test_a_booked_first_sailing_pays_the_dwell_alone() -> None:
    net = port_net(100.0)
    booked = cor.route(net, "p", "q", minimize="time_h", departure="booked")
    random = cor.route(net, "p", "q", minimize="time_h", departure="random")
    load = booked.steps[0]
    assert (load.kind, load.terminal_time_h) == ("terminal", DWELL)
    assert booked.time_h == DWELL + 20.0
    assert all(leg.wait_h == 0.0 and leg.wait_overlap_h == 0.0 for leg in booked.steps)
    assert random.time_h == max(DWELL, 50.0) + 20.0


def test_simulate_draws_the_larger_of_the_two() -> None:
    # the dwell (30 h, no spread) is longer than any wait (headway 24 h): every run is
    # exactly the route's time; adding the two would give 30 + U(0, 24)
    net = port_net(24.0)
    r = cor.route(net, "c", "q", minimize="time_h", departure="random")
    res = simulate(r, runs=2_000, seed=5, net=net, spreads=NO_SPREADS)
    assert res.time_h[:, 0] == pytest.approx(np.full(2_000, r.time_h), abs=1e-9)
    # a spread dwell against a long headway: each run is max(dwell, U(0, 100)) at P
    net = port_net(100.0, p90=60.0)
    r = cor.route(net, "c", "q", minimize="time_h", departure="random")
    res = simulate(r, runs=40_000, seed=5, net=net, spreads=NO_SPREADS)
    stop = res.time_h[:, 0] - (r.time_h - _stop_h(r))
    assert stop.min() >= 0.0
    sigma = math.log(2.0) / 1.2815515655446004
    rng = np.random.default_rng(0)
    ref = np.maximum(
        DWELL * np.exp(sigma * rng.standard_normal(400_000)), rng.uniform(0, 100.0, 400_000)
    )
    assert stop.mean() == pytest.approx(ref.mean(), rel=0.01)
    assert stop.mean() < DWELL * math.exp(sigma**2 / 2) + 50.0 - 5.0  # not the sum


def test_the_flag_is_validated() -> None:
    ops = tables()["operations"] + [
        dict(_row("sea", "road", "port_handling", True, DWELL), includes_departure_wait="maybe")
    ]
    places = [place("p", 1, kind="port"), place("q", 3, kind="port")]
    with pytest.raises(
        cor.ValidationError, match="includes_departure_wait: expected true or false"
    ):
        build(places, [link("p", "q", "sea", 500, headway_h=10.0)], operations=ops)
