"""Risk terms of routes (corridors.risk), checked by hand on small networks.

The network ``risk_net`` is routing_fixtures' two-corridor layout: Origin (PAK) to Dest (TKM)
by road, west through IRN (border o_i1, link i1_i2, border i2_d) or east through AFG. The
risk rows are round numbers, so every expected figure is written out as arithmetic of the
formulas in the corridors.risk docstring.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors as cor
import routing_fixtures as rf
from corridors import Cargo
from corridors.costs.risk import (
    SANCTIONS_SURCHARGE_PCT,
    Z90,
    edge_risk_usd,
    lognormal_mean,
    lognormal_sigma,
    parse_risk_table,
)
from corridors.errors import ParameterError
from corridors.routes.risk import route_risk

approx = pytest.approx
VALUE = 50_000.0
HOLD = VALUE * 0.10 / 8760.0  # USD per hour, the default cargo's holding cost


def risk_row(
    scope: str,
    ref: str,
    p: float | None = None,
    med: float | None = None,
    p90: float | None = None,
    sec: float | None = None,
    sanctions: str | None = None,
) -> dict:
    return dict(
        scope=scope,
        ref=ref,
        disruption_prob_per_trip=p,
        disruption_median_days=med,
        disruption_p90_days=p90,
        security_premium_pct=sec,
        sanctions=sanctions,
        year=2025,
        confidence="assumed",
    )


RISK = [
    risk_row("country", "PAK", sec=0.5),
    risk_row("country", "IRN", sec=0.5, sanctions="US|UN"),
    risk_row("country", "TKM", sec=0.1),
    risk_row("country", "AFG", p=0.5, med=10, p90=30, sec=1.0),
    risk_row("place", "i1", p=0.1, med=5, p90=10),
    risk_row("link", "i1_i2", p=0.02, med=2, p90=2),
    risk_row("place", "f1", p=0.2, med=3, p90=6),
]


def risk_net(risk: list[dict] | None = None) -> cor.Network:
    places = [
        rf.place("o", 0, name="Origin"),
        rf.place("i1", 1, "IRN", kind="border_post", name="Iran Gate", y=29.8),
        rf.place("i2", 2, "IRN", name="Mashhad", y=29.8),
        rf.place("d", 3, "TKM", name="Dest"),
        rf.place("f1", 1, "AFG", kind="border_post", name="Kandahar", y=30.2),
        rf.place("f2", 2, "AFG", name="Herat", y=30.2),
    ]
    links = [
        rf.link("o", "i1", "road", 100, kind="border"),
        rf.link("i1", "i2", "road", 300),
        rf.link("i2", "d", "road", 100, kind="border"),
        rf.link("o", "f1", "road", 100, kind="border"),
        rf.link("f1", "f2", "road", 200),
        rf.link("f2", "d", "road", 100, kind="border"),
    ]
    crossings = []
    for lid in ("o_i1", "i2_d", "o_f1", "f2_d"):
        crossings += [
            rf.crossing(lid, "forward", "road", 10.0, 100.0),
            rf.crossing(lid, "reverse", "road", 10.0, 120.0),
        ]
    return rf.build(
        places, links, name="risk", crossings=crossings, risk=RISK if risk is None else risk
    )


def sea_net(risk: list[dict]) -> cor.Network:
    """Xport (PAK) --sea 5000 km via suez and bab_el_mandeb--> Yport (RUS)."""
    places = [
        rf.place("x", 0, kind="port", name="Xport"),
        rf.place("y", 2, "RUS", kind="port", name="Yport"),
    ]
    links = [rf.link("x", "y", "sea", 5000, passages="bab_el_mandeb|suez")]
    return rf.build(places, links, name="sea", risk=risk)


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return risk_net()


@pytest.fixture(scope="module")
def west(net: cor.Network) -> cor.Route:
    return cor.route(net, "o", "d", avoid_countries="AFG")


@pytest.fixture(scope="module")
def east(net: cor.Network) -> cor.Route:
    return cor.route(net, "o", "d", avoid_countries="IRN")


def edge_args(r: cor.Route) -> dict:
    """The per-edge arguments of edge_risk_usd for a route's legs."""
    return dict(
        countries=[leg.country for leg in r.steps],
        places_from=[leg.from_id for leg in r.steps],
        places_to=[leg.to_id for leg in r.steps],
        link_ids=[leg.link_id for leg in r.steps],
        passages=[leg.passages for leg in r.steps],
        starts=[i == 0 for i in range(len(r.steps))],
    )


# ---- lognormal helpers -------------------------------------------------------------------------


def test_lognormal_sigma_and_mean_by_hand() -> None:
    assert Z90 == approx(1.2815515655446004)
    s = math.log(10 / 5) / 1.2815515655446004
    assert lognormal_sigma(5, 10) == approx(s)
    assert lognormal_mean(5, 10) == approx(5 * math.exp(s * s / 2))
    assert lognormal_sigma(5, 5) == 0.0
    assert lognormal_sigma(5, math.nan) == 0.0
    assert lognormal_mean(5, math.nan) == 5.0


# ---- route risk by hand --------------------------------------------------------------------------


def test_west_route_by_hand(net: cor.Network, west: cor.Route) -> None:
    assert [leg.link_id for leg in west.steps if leg.link_id] == ["o_i1", "i1_i2", "i2_d"]
    rr = route_risk(net, west)
    s = math.log(2) / Z90
    # the rest of a disruption under way: p x mean days / 2 x 24
    delay_i1 = 0.1 * 5 * math.exp(s * s / 2) / 2 * 24  # place i1
    delay_link = 0.02 * 2 / 2 * 24  # link i1_i2: p90 == median, fixed 2 days
    assert rr.expected_delay_h == approx(delay_i1 + delay_link)
    assert rr.expected_delay_cost_usd == approx((delay_i1 + delay_link) * HOLD)
    assert rr.security_usd == approx((0.5 + 0.5 + 0.1) / 100 * VALUE)  # PAK, IRN, TKM once
    assert rr.sanctions_usd == 0.0  # default policy: ignore
    assert rr.regimes == ("UN", "US")
    assert rr.compliant
    assert rr.risk_usd == approx(rr.expected_delay_cost_usd + 550.0)
    assert rr.score == approx(1000 * rr.risk_usd / VALUE)
    assert rr.p_disruption == approx(1 - (1 - 0.1) * (1 - 0.02))
    whats = sorted((c["what"], c["ref"]) for c in rr.components)
    assert whats == sorted(
        [
            ("security", "PAK"),
            ("security", "IRN"),
            ("security", "TKM"),
            ("sanctions", "IRN"),
            ("sanctions", "IRN"),
            ("disruption", "i1"),
            ("disruption", "i1_i2"),
        ]
    )
    # nothing from AFG or f1: the west route does not touch them
    assert all(c["ref"] not in ("AFG", "f1") for c in rr.components)


def test_east_route_by_hand(net: cor.Network, east: cor.Route) -> None:
    rr = route_risk(net, east)
    s_afg, s_f1 = math.log(3) / Z90, math.log(2) / Z90
    delay = 0.5 * 10 * math.exp(s_afg**2 / 2) / 2 * 24 + 0.2 * 3 * math.exp(s_f1**2 / 2) / 2 * 24
    assert rr.expected_delay_h == approx(delay)
    assert rr.security_usd == approx((0.5 + 1.0 + 0.1) / 100 * VALUE)
    assert rr.regimes == ()


def test_sanctions_policies(net: cor.Network, west: cor.Route) -> None:
    # IRN is listed with US and UN: one surcharge for the row, not two (no stacking)
    sur = route_risk(net, west, sanctions="surcharge")
    assert sur.sanctions_usd == approx(SANCTIONS_SURCHARGE_PCT / 100 * VALUE)
    own = route_risk(net, west, sanctions={"US": "surcharge"}, surcharge_pct={"US": 3.0})
    assert own.sanctions_usd == approx(0.03 * VALUE)  # UN falls back to "*": ignore
    top = route_risk(net, west, sanctions="surcharge", surcharge_pct={"US": 3.0, "UN": 5.0})
    assert top.sanctions_usd == approx(0.05 * VALUE)  # the largest of the row's regimes
    assert sorted(c["pct"] for c in top.components if c["what"] == "sanctions") == [0.0, 5.0]
    flat = route_risk(net, west, sanctions="surcharge", surcharge_pct=1.0)
    assert flat.sanctions_usd == approx(0.01 * VALUE)
    avoid = route_risk(net, west, sanctions={"UN": "avoid", "*": "surcharge"})
    assert not avoid.compliant
    assert avoid.avoided == ("UN",)
    assert avoid.sanctions_usd == approx(SANCTIONS_SURCHARGE_PCT / 100 * VALUE)  # US only
    assert avoid.risk_usd == approx(
        avoid.expected_delay_cost_usd + avoid.security_usd + avoid.sanctions_usd
    )


def test_cargo_value_and_time_value(net: cor.Network, west: cor.Route) -> None:
    cargo = Cargo.container("40ft", value_usd=100_000, value_of_time_usd_per_h=2.0)
    rr = route_risk(net, west, cargo=cargo)
    assert rr.security_usd == approx(1.1 / 100 * 100_000)
    assert rr.expected_delay_cost_usd == approx(rr.expected_delay_h * (100_000 * 0.1 / 8760 + 2.0))
    free = route_risk(net, west, cargo=Cargo.container("40ft", value_usd=0.0))
    assert free.risk_usd == 0.0 and math.isnan(free.score)
    assert json.loads(json.dumps(free.to_dict(), allow_nan=False))["score"] is None


def test_passage_rows_apply_to_sea_legs() -> None:
    net = sea_net(
        [
            risk_row("passage", "suez", p=0.5, med=10, p90=14, sec=0.5),
            risk_row("passage", "hormuz", p=0.5, med=10, p90=14, sec=0.5),
            risk_row("country", "RUS", sec=1.0, sanctions="US|EU|UK"),
        ]
    )
    r = cor.route(net, "x", "y")
    rr = route_risk(net, r, sanctions="surcharge", surcharge_pct=1.0)
    s = math.log(1.4) / Z90
    assert rr.expected_delay_h == approx(0.5 * 10 * math.exp(s * s / 2) / 2 * 24)
    assert rr.security_usd == approx(0.015 * VALUE)  # suez 0.5 % + RUS 1 %
    assert rr.sanctions_usd == approx(0.01 * VALUE)  # US|EU|UK on one row: charged once
    assert {c["ref"] for c in rr.components} == {"suez", "RUS"}
    d, u = edge_risk_usd(net, Cargo(), sanctions="surcharge", surcharge_pct=1.0, **edge_args(r))
    assert d.sum() == approx(rr.expected_delay_h)
    assert u.sum() == approx(rr.security_usd + rr.sanctions_usd)


def test_no_risk_table_means_no_risk(west: cor.Route) -> None:
    bare = risk_net(risk=[])
    r = cor.route(bare, "o", "d", avoid_countries="AFG")
    rr = route_risk(bare, r)
    assert rr.risk_usd == 0.0 and rr.components == () and rr.p_disruption == 0.0


# ---- totals equal their components -------------------------------------------------------------


def test_totals_are_sums_of_components(net: cor.Network, west: cor.Route, east: cor.Route) -> None:
    for r in (west, east):
        rr = route_risk(net, r, sanctions="surcharge")
        comps = rr.components
        assert rr.risk_usd == approx(math.fsum(c["usd"] for c in comps))
        assert rr.expected_delay_h == approx(math.fsum(c["delay_h"] for c in comps))
        for what, total in (
            ("disruption", rr.expected_delay_cost_usd),
            ("security", rr.security_usd),
            ("sanctions", rr.sanctions_usd),
        ):
            assert total == approx(math.fsum(c["usd"] for c in comps if c["what"] == what))
        assert rr.risk_usd == approx(
            rr.expected_delay_cost_usd + rr.security_usd + rr.sanctions_usd
        )
        json.dumps(rr.to_dict(), allow_nan=False)


probs = st.floats(0.0, 1.0)
days = st.floats(0.1, 60.0)
ratio = st.floats(1.0, 5.0)
pct = st.floats(0.0, 5.0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    p=st.lists(probs, min_size=7, max_size=7),
    med=st.lists(days, min_size=7, max_size=7),
    r=st.lists(ratio, min_size=7, max_size=7),
    sec=st.lists(pct, min_size=7, max_size=7),
    policy=st.sampled_from(["ignore", "surcharge", "avoid"]),
)
def test_property_totals_and_edge_sums(
    p: list[float], med: list[float], r: list[float], sec: list[float], policy: str
) -> None:
    """Random risk tables: totals equal the sums of their components, and the per-edge terms
    of edge_risk_usd sum to the route-level totals (every country is entered once here)."""
    rows = [
        risk_row(
            base["scope"],
            base["ref"],
            p=p[i],
            med=med[i],
            p90=med[i] * r[i],
            sec=sec[i],
            sanctions=base["sanctions"],
        )
        for i, base in enumerate(RISK)
    ]
    net = risk_net(rows)
    for avoid in ("AFG", "IRN"):
        route = cor.route(net, "o", "d", avoid_countries=avoid)
        rr = route_risk(net, route, sanctions=policy)
        assert rr.risk_usd == approx(math.fsum(c["usd"] for c in rr.components))
        assert rr.risk_usd == approx(
            rr.expected_delay_cost_usd + rr.security_usd + rr.sanctions_usd
        )
        assert 0.0 <= rr.p_disruption <= 1.0
        d, u = edge_risk_usd(net, Cargo(), sanctions=policy, **edge_args(route))
        assert d.shape == u.shape == (len(route.steps),)
        assert d.sum() == approx(rr.expected_delay_h, abs=1e-9)
        assert u.sum() == approx(rr.security_usd + rr.sanctions_usd, abs=1e-9)


# ---- edge helper -----------------------------------------------------------------------------------


def test_edge_risk_charges_on_entering(net: cor.Network, west: cor.Route) -> None:
    d, u = edge_risk_usd(net, Cargo(), sanctions="surcharge", **edge_args(west))
    by_kind = {leg.seq: (leg.kind, leg.link_id, leg.country) for leg in west.steps}
    assert by_kind[0][0] == "terminal"
    assert u[0] == approx(0.005 * VALUE)  # the start edge: PAK
    i_o_i1 = next(s for s, v in by_kind.items() if v[1] == "o_i1")
    # entering IRN: security 0.5 % + one surcharge (US and UN on one row do not stack)
    assert u[i_o_i1] == approx(0.005 * VALUE + SANCTIONS_SURCHARGE_PCT / 100 * VALUE)
    assert d[i_o_i1] == approx(0.1 * lognormal_mean(5, 10) / 2 * 24)
    # the same arrays from numpy inputs, and without start edges the origin is not charged
    args: dict[str, Any] = {k: np.asarray(v, dtype=object) for k, v in edge_args(west).items()}
    args["starts"] = None
    d2, u2 = edge_risk_usd(net, Cargo(), sanctions="surcharge", **args)
    assert u2[0] == 0.0 and u2[1:] == approx(u[1:]) and d2 == approx(d)


def test_edge_risk_bad_lengths(net: cor.Network) -> None:
    with pytest.raises(ParameterError, match="one length"):
        edge_risk_usd(
            net,
            Cargo(),
            countries=["PAK"],
            places_from=["o"],
            places_to=[],
            link_ids=[None],
            passages=[()],
        )
    d, u = edge_risk_usd(
        net, Cargo(), countries=[], places_from=[], places_to=[], link_ids=[], passages=[]
    )
    assert d.shape == u.shape == (0,)


# ---- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, message",
    [
        (risk_row("place", "i1", p=-0.1, med=5, p90=10), "outside"),
        (risk_row("place", "i1", p=1.5, med=5, p90=10), "outside"),
        (risk_row("place", "i1", p=0.1, med=-5, p90=10), "disruption_median_days"),
        (risk_row("place", "i1", p=0.1, med=5, p90=-1), "disruption_p90_days"),
        (risk_row("place", "i1", p=0.1, med=5, p90=4), "below the median"),
        (risk_row("place", "i1", p=0.1), "median_days is not"),
        (risk_row("country", "PAK", sec=-1.0), "security_premium_pct"),
        (risk_row("country", "PAK", sec=150.0), "above 100"),
        (risk_row("planet", "mars", sec=1.0), "scope"),
    ],
)
def test_bad_rows_raise_naming_the_row(row: dict, message: str) -> None:
    table = pd.DataFrame([risk_row("country", "PAK", sec=0.5), row])
    with pytest.raises(ParameterError, match=message) as err:
        parse_risk_table(table)
    assert f"risk row 2 ({row['scope']} {row['ref']})" in str(err.value)


def test_every_bad_row_is_reported_and_route_risk_raises(west: cor.Route) -> None:
    rows = [
        risk_row("place", "i1", p=-0.2, med=5, p90=10),
        risk_row("link", "i1_i2", p=0.1, med=5, p90=2),
    ]
    with pytest.raises(ParameterError) as err:
        parse_risk_table(pd.DataFrame(rows))
    assert "risk row 1 (place i1)" in str(err.value) and "risk row 2 (link i1_i2)" in str(err.value)
    # rows the network validator lets through (today) but the risk model does not
    bad = risk_net([risk_row("place", "i1", p=0.1), risk_row("link", "i1_i2", p=0.1, med=5, p90=2)])
    with pytest.raises(ParameterError, match="risk row 1") as err2:
        route_risk(bad, west)  # same places and links; the risk rows of ``bad``
    assert "risk row 2" in str(err2.value)


def test_bad_policies(net: cor.Network, west: cor.Route) -> None:
    with pytest.raises(ParameterError, match="unknown sanctions policy"):
        route_risk(net, west, sanctions="block")
    with pytest.raises(ParameterError, match="unknown sanctions policy"):
        route_risk(net, west, sanctions={"US": "maybe"})
    with pytest.raises(ParameterError, match="surcharge_pct"):
        route_risk(net, west, sanctions="surcharge", surcharge_pct=150.0)


def test_bundled_network_risk_is_consistent() -> None:
    net = cor.load_network()
    for r in cor.alternatives(net, "Karachi", "Tashkent", k=2):
        rr = route_risk(net, r, sanctions="surcharge")
        assert "US" in rr.regimes  # every route there crosses Iran
        assert rr.risk_usd == approx(math.fsum(c["usd"] for c in rr.components))
        d, u = edge_risk_usd(net, r.query.cargo, sanctions="surcharge", **edge_args(r))
        assert d.sum() == approx(rr.expected_delay_h)
        assert u.sum() == approx(rr.security_usd + rr.sanctions_usd)


def test_sanctions_keys_by_issuer_and_target() -> None:
    from corridors.costs.risk import sanctions_key, sanctions_policy_for

    assert sanctions_key(" us:irn ") == "US:IRN"
    assert sanctions_key("US:*") == "US" and sanctions_key("*:IRN") == "*:IRN"
    for bad in ("US:IR", "U", "US:IRN:X", "", "us irn"):
        with pytest.raises(ParameterError, match="bad sanctions key"):
            sanctions_key(bad)
    pol = {"US:IRN": "avoid", "US": "surcharge", "*:RUS": "ignore", "*": "surcharge"}
    assert sanctions_policy_for(pol, "US", "IRN") == "avoid"
    assert sanctions_policy_for(pol, "US", "RUS") == "surcharge"  # issuer before target
    assert sanctions_policy_for(pol, "EU", "RUS") == "ignore"
    assert sanctions_policy_for(pol, "EU", "IRN") == "surcharge"
    assert sanctions_policy_for({}, "US", "IRN") == "ignore"


def test_as_of_is_checked_and_reported(net: cor.Network, west: cor.Route) -> None:
    rows = parse_risk_table(
        pd.DataFrame([{**risk_row("place", "i1", p=0.1, med=5, p90=10), "as_of": "2026-01"}])
    )
    assert rows[("place", "i1")].as_of == "2026-01"
    with pytest.raises(ParameterError, match="as_of '2026-13' is not a month"):
        parse_risk_table(pd.DataFrame([{**risk_row("place", "i1"), "as_of": "2026-13"}]))
    bundled = cor.load_network()
    r = cor.route(bundled, "Karachi", "Kabul", modes="road")
    comps = route_risk(bundled, r).components
    assert any(c["ref"] == "torkham_pak" and c["as_of"] == "2026-01" for c in comps) or any(
        c["ref"] == "chaman" and c["as_of"] == "2026-01" for c in comps
    )
