"""Closures with a duration: wait or divert (issue 8)."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors import ParameterError
from corridors.analysis.closures import WAIT_CHARGES, WaitCharges, closure_choice

C40 = cor.Cargo.container("40ft", value_usd=87_600)  # 1 USD/h of holding cost


def _net(with_risk: bool = True) -> cor.Network:
    """P to A over crossing T (12 km, road, 1 h dwell) or the long way over C (300 km more)."""
    places = [
        rf.place("p", 0, "PAK", name="Peshawar"),
        rf.place("t_pk", 1, "PAK", "border_post", name="Torkham"),
        rf.place("t_af", 2, "AFG", "border_post", name="Torkham"),
        rf.place("c_pk", 1, "PAK", "border_post", name="Chaman", y=30.5),
        rf.place("c_af", 2, "AFG", "border_post", name="Spin Boldak", y=30.5),
        rf.place("a", 3, "AFG", name="Kabul"),
    ]
    links = [
        rf.link("p", "t_pk", "road", 100),
        rf.link("t_pk", "t_af", "road", 12, kind="border"),
        rf.link("t_af", "a", "road", 100),
        rf.link("p", "c_pk", "road", 250),
        rf.link("c_pk", "c_af", "road", 12, kind="border"),
        rf.link("c_af", "a", "road", 250),
    ]
    crossings = [
        rf.crossing(lid, d, "road", 1.0, 10.0)
        for lid in ("t_pk_t_af", "c_pk_c_af")
        for d in ("forward", "reverse")
    ]
    risk = [
        dict(
            scope="place",
            ref="t_pk",
            disruption_prob_per_trip=0.1,
            disruption_median_days=10.0,
            disruption_p90_days=40.0,
            year=2025,
        )
    ]
    return rf.build(places, links, crossings=crossings, risk=risk if with_risk else None)


def test_short_closure_waits_long_closure_diverts_at_the_break_even():
    net = _net()
    short = closure_choice(net, "p", "a", closed="Torkham", days=1, cargo=C40)
    assert short.affected and short.winner == "wait"
    planned, divert = short.planned, short.divert
    assert divert is not None and "c_pk_c_af" in [c.link_id for c in divert.crossings]
    daily = WAIT_CHARGES.detention_usd_per_day + WAIT_CHARGES.truck_usd_per_day
    assert short.charge_usd_per_day == approx(daily)
    assert short.wait_cost_usd == approx(planned.cost_usd + daily)
    assert short.wait_time_h == approx(planned.time_h + 24)
    be = (divert.generalized_usd - planned.generalized_usd) / (daily + 24 * 1.0)
    assert short.break_even_days == approx(be)
    long = closure_choice(net, "p", "a", closed="Torkham", days=be + 0.5, cargo=C40)
    assert long.winner == "divert"
    just = closure_choice(net, "p", "a", closed="Torkham", days=be - 0.01, cargo=C40)
    assert just.winner == "wait"


def test_uncertain_closure_uses_the_risk_row():
    net = _net()
    c = closure_choice(net, "p", "a", closed="Torkham", cargo=C40)
    sigma = math.log(40.0 / 10.0) / NormalDist().inv_cdf(0.9)
    assert c.uncertain and c.days == approx(10.0 * math.exp(sigma**2 / 2))
    assert c.p_wait_wins == approx(
        NormalDist().cdf((math.log(c.break_even_days) - math.log(10.0)) / sigma)
    )
    with pytest.raises(ParameterError, match="days="):
        closure_choice(_net(with_risk=False), "p", "a", closed="Torkham", cargo=C40)


def test_closure_off_the_route_changes_nothing():
    c = closure_choice(_net(), "p", "a", closed="Chaman", days=30, cargo=C40)
    assert not c.affected and c.winner == "planned" and c.divert is None
    assert c.wait_time_h == c.planned.time_h


def test_bad_input():
    net = _net()
    with pytest.raises(ParameterError, match="days"):
        closure_choice(net, "p", "a", closed="Torkham", days=-1)
    with pytest.raises(ParameterError, match="detention"):
        WaitCharges(detention_usd_per_day=-5)
    with pytest.raises(cor.UnknownPlaceError):
        closure_choice(net, "p", "a", closed="Torkhum", days=1)


def test_cli_closure(capsys, tmp_path):
    import json

    from corridors.cli.app import main

    path = tmp_path / "net"
    cor.write_network(_net(), path)
    assert (
        main(
            [
                "closure",
                "p",
                "a",
                "--closed",
                "Torkham",
                "--days",
                "30",
                "--network",
                str(path),
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["winner"] == "divert" and data["divert"]["crossings"] == ["c_pk>c_af"]
    assert (
        main(["closure", "p", "a", "--closed", "Torkham", "--days", "1", "--network", str(path)])
        == 0
    )
    assert "wait" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("origin", "destination", "closed", "constraints"),
    [
        ("Karachi", "Kabul", "torkham_pak", {"cross_at": "Torkham"}),
        ("Kabul", "karachi_port", "chaman", {"cross_at": "Chaman"}),
        ("karachi_port", "Moscow", "taftan", {"modes": "rail", "cross_at": "Taftan"}),
    ],
)
def test_simulate_charges_the_standing_charges_closure_choice_applies(
    origin: str, destination: str, closed: str, constraints: dict[str, str]
) -> None:
    """Issue 14: a simulated trip held by a closure pays, per day, the standing charges that
    closure_choice charges for waiting at the same closure on the same planned route."""
    from corridors.analysis.simulate_plan import _standing_usd_per_h
    from corridors.costs.risk import risk_rows

    net = cor.load_network()
    choice = closure_choice(net, origin, destination, closed=closed, **constraints)
    row = risk_rows(net)[("place", closed)]
    kinds = {str(k): str(v) for k, v in net._places["kind"].items()}  # as simulate builds it
    per_h = _standing_usd_per_h(choice.planned, row, choice.planned.query.cargo, kinds)
    assert per_h * 24.0 == approx(choice.charge_usd_per_day)
    assert choice.charge_usd_per_day > 0
