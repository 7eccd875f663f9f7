"""Risk in routing: the risk objective, risk aversion, sanctions policies (issue 8)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors import NoRouteError, ParameterError
from test_routing_properties import SETTINGS, build, queries

C40 = cor.Cargo.container("40ft", value_usd=100_000)


def _risky_net(premium_b: float = 2.0) -> cor.Network:
    """O (PAK) to D (PAK) through A (AFG, 1 % premium) or B (IRN, ``premium_b`` %, US
    sanctions). Both ways 2 x 100 km of road plus two borders."""
    places = [
        rf.place("o", 0, "PAK"),
        rf.place("d", 4, "PAK"),
        rf.place("a", 2, "AFG", y=30.3),
        rf.place("b", 2, "IRN", y=29.7),
    ]
    links = [
        rf.link("o", "a", "road", 150, kind="border"),
        rf.link("a", "d", "road", 150, kind="border"),
        rf.link("o", "b", "road", 140, kind="border"),
        rf.link("b", "d", "road", 140, kind="border"),
    ]
    crossings = [
        rf.crossing(lid, d, "road", 1.0, 10.0)
        for lid in ("o_a", "a_d", "o_b", "b_d")
        for d in ("forward", "reverse")
    ]
    risk = [
        dict(scope="country", ref="AFG", security_premium_pct=1.0, year=2025),
        dict(scope="country", ref="IRN", security_premium_pct=premium_b, sanctions="US", year=2025),
        dict(
            scope="place",
            ref="a",
            disruption_prob_per_trip=0.5,
            disruption_median_days=2.0,
            disruption_p90_days=2.0,
            year=2025,
        ),
    ]
    return rf.build(places, links, crossings=crossings, risk=risk)


def test_risk_objective_and_leg_sums():
    net = _risky_net()
    cheap = cor.route(net, "o", "d", cargo=C40)
    assert [c.to_id for c in cheap.crossings] == ["b", "d"]  # 280 km is cheaper than 300
    safe = cor.route(net, "o", "d", cargo=C40, minimize="risk")
    # via A: 1 % of 100,000 + 0.5 x 48 h / 2 (the rest of a closure) x time value; via B: 2 %
    tv = C40.time_value_usd_per_h
    assert safe.objective == approx(1000.0 + 0.5 * 48 / 2 * tv)
    assert safe.risk_usd == approx(safe.objective)
    assert cheap.risk_usd == approx(2000.0)


def test_risk_aversion_switches_routes_and_zero_changes_nothing():
    net = _risky_net()
    base = cor.route(net, "o", "d", cargo=C40, minimize="generalized")
    zero = cor.route(net, "o", "d", cargo=C40, minimize="generalized", risk_aversion=0.0)
    assert zero.steps == base.steps
    averse = cor.route(net, "o", "d", cargo=C40, minimize="generalized", risk_aversion=1.0)
    assert "a" in {leg.to_id for leg in averse.steps}
    assert averse.objective == approx(averse.generalized_usd + averse.risk_usd)


def test_sanctions_avoid_and_surcharge():
    net = _risky_net(premium_b=0.0)
    r = cor.route(net, "o", "d", cargo=C40, sanctions={"US": "avoid"})
    assert "IRN" not in r.countries
    s = cor.route(net, "o", "d", cargo=C40, minimize="risk", sanctions="surcharge")
    assert "IRN" not in s.countries  # the surcharge (2 % assumed) outweighs AFG's risk
    assert cor.route(net, "o", "d", cargo=C40, minimize="risk").countries == ["PAK", "IRN"]
    with pytest.raises(ParameterError, match="contradictory"):
        cor.route(net, "o", "b", sanctions={"US": "avoid"})
    with pytest.raises(ParameterError, match="allowed"):
        cor.route(net, "o", "d", sanctions="forbid")


def test_bad_risk_arguments():
    net = _risky_net()
    for bad in (-1.0, float("nan")):
        with pytest.raises(ParameterError, match="risk_aversion"):
            cor.route(net, "o", "d", minimize="generalized", risk_aversion=bad)
    with pytest.raises(ParameterError, match="money objective"):
        cor.route(net, "o", "d", minimize="time_h", risk_aversion=1.0)


@SETTINGS
@given(queries())
def test_risk_aversion_zero_is_the_plain_optimum_and_risk_is_a_leg_sum(q):
    spec, o, d, _objective, cargo = q
    net = build(spec)
    try:
        plain = cor.route(net, o, d, minimize="generalized", cargo=cargo)
    except NoRouteError:
        return
    zero = cor.route(net, o, d, minimize="generalized", cargo=cargo, risk_aversion=0.0)
    assert zero.objective == plain.objective
    averse = cor.route(net, o, d, minimize="generalized", cargo=cargo, risk_aversion=2.0)
    assert averse.objective == approx(
        averse.generalized_usd + 2.0 * averse.risk_usd, rel=1e-9, abs=1e-6
    )
    assert averse.objective >= plain.objective - 1e-6 * max(1.0, plain.objective)
    assert averse.risk_usd <= plain.risk_usd + 1e-6 * max(1.0, plain.risk_usd)
    safest = cor.route(net, o, d, minimize="risk", cargo=cargo)
    assert safest.risk_usd <= averse.risk_usd + 1e-6 * max(1.0, averse.risk_usd)
    assert math.isclose(safest.objective, safest.risk_usd, rel_tol=1e-9, abs_tol=1e-6)


def test_routes_list_the_sanctions_regimes_they_touch():
    net = _risky_net()
    via_b = cor.route(net, "o", "d", cargo=C40)
    assert via_b.sanctions_regimes == ("US",)
    assert via_b.summary()["sanctions_regimes"] == ["US"]
    via_a = cor.route(net, "o", "d", cargo=C40, sanctions={"US": "avoid"})
    assert via_a.sanctions_regimes == ()


def test_sanctions_by_issuer_and_target_on_the_bundled_network():
    net = cor.load_network()
    # US sanctions on Iran avoided: Russia (also under US sanctions) stays reachable
    r = cor.route(net, "Karachi", "Moscow", sanctions={"US:IRN": "avoid"})
    assert "IRN" not in r.countries and r.countries[-1] == "RUS"
    same = cor.route(net, "Karachi", "Moscow", sanctions={"*:IRN": "avoid"})
    assert same.objective == approx(r.objective)
    # the issuer alone rules out Russia too: an error that names the regime and the fix
    with pytest.raises(ParameterError, match=r"sanctions policy US=avoid.*US:IRN=avoid"):
        cor.route(net, "Karachi", "Moscow", sanctions={"US": "avoid"})
    with pytest.raises(ParameterError, match="bad sanctions key"):
        cor.route(net, "Karachi", "Moscow", sanctions={"US:Iran": "avoid"})


@given(queries())
@SETTINGS
def test_sanctions_surcharge_never_exceeds_the_documented_cap(q):
    from corridors.costs.risk import sanctions_cap_pct
    from corridors.routes.risk import route_risk

    spec, o, d, objective, cargo = q
    countries = sorted({p["country"] for p in spec["places"]})
    spec = dict(
        spec,
        risk=[
            dict(
                scope="country",
                ref=c,
                sanctions="US|EU|UN|UK",
                security_premium_pct=None,
                year=2024,
                confidence="assumed",
            )
            for c in countries
        ],
    )
    net = build(spec)
    try:
        r = cor.route(net, o, d, minimize=objective, cargo=cargo)
    except NoRouteError:
        return
    pct = {"US": 2.0, "EU": 3.0, "UN": 1.0, "UK": 2.5}
    rr = route_risk(net, r, sanctions="surcharge", surcharge_pct=pct)
    # every country row lists four regimes: each row charges 3 % once, never 8.5 %
    n_rows = len({c["ref"] for c in rr.components if c["what"] == "sanctions"})
    assert rr.sanctions_usd == approx(n_rows * 0.03 * cargo.value_usd)
    assert rr.sanctions_usd <= sanctions_cap_pct(net, pct) / 100 * cargo.value_usd + 1e-9
