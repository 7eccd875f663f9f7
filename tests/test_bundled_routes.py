"""Acceptance of the routing milestone on the bundled network (issue 4)."""

from __future__ import annotations

import json

import pytest

import corridors as cor
from corridors.cli import main


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def test_karachi_moscow_by_rail_breaks_gauge_at_zahedan_and_sarakhs_or_incheh_borun(net) -> None:
    r = cor.route(net, "Karachi", "Moscow", modes="rail")
    assert set(r.modes) == {"rail"}
    breaks = [(t.from_id, t.service, t.to_service) for t in r.transfers]
    assert ("zahedan", "rail-1676", "rail-1435") in breaks
    assert any(p in ("sarakhs_irn", "saragt", "incheh_borun", "akyayla")
               and {a, b} == {"rail-1435", "rail-1520"} for p, a, b in breaks), breaks
    assert "IRN" in r.countries and r.countries[-1] == "RUS"
    assert r.distance_km == pytest.approx(sum(leg.distance_km for leg in r.steps))


def test_cli_rail_route_json(capsys) -> None:
    assert main(["route", "Karachi", "Moscow", "--modes", "rail", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    transfers = out["routes"][0]["transfers"]
    assert any(t["place"] == "zahedan" for t in transfers)


def test_avoiding_iran_avoids_iran_or_names_it(net) -> None:
    try:
        r = cor.route(net, "Karachi", "Moscow", modes="rail", avoid_countries=["IRN"])
    except cor.NoRouteError as err:
        assert "IRN" in str(err)
    else:
        assert "IRN" not in r.countries


def test_trans_afghan_railway_opens_by_2032_not_2025(net) -> None:
    uap = [lid for lid, notes, status in zip(net.links["id"], net.links["notes"].fillna(""),
                                             net.links["status"])
           if status == "planned" and net.links.at[lid, "mode"] == "rail"
           and net.places.at[net.links.at[lid, "from_id"], "country"] == "AFG"]
    assert uap, "no planned Afghan railway links"
    r2032 = cor.route(net, "Termez", "Peshawar", modes="rail", year=2032)
    assert "AFG" in r2032.countries and set(r2032.modes) == {"rail"}
    with pytest.raises(cor.NoRouteError) as err:
        cor.route(net, "Termez", "Peshawar", modes="rail", year=2025,
                  avoid_countries=["IRN", "TKM"])
    assert "2025" in str(err.value)


def test_karachi_tashkent_three_materially_different_routes(net) -> None:
    alts = cor.alternatives(net, "Karachi", "Tashkent", k=3)
    assert len(alts) == 3
    assert len({r.signature for r in alts}) == 3
    costs = [r.cost_usd for r in alts]
    assert costs == sorted(costs)


def test_sea_route_via_suez_exists(net) -> None:
    r = cor.route(net, "Karachi", "Moscow", modes=["sea", "rail", "road"],
                  avoid_countries=["IRN", "AFG"])
    assert "sea" in r.modes


def test_same_query_same_answer(net) -> None:
    a = cor.route(net, "Karachi", "Moscow", minimize="generalized")
    b = cor.route(net, "Karachi", "Moscow", minimize="generalized")
    assert a.to_dict() == b.to_dict()


def test_avoiding_a_crossing_by_its_shared_name_avoids_both_sides(net) -> None:
    # "Torkham" names the Pakistani and the Afghan border post: as a crossing it means both
    base = cor.route(net, "Peshawar", "Kabul", modes="road")
    assert any("torkham" in (leg.link_id or "") for leg in base.crossings)
    r = cor.route(net, "Peshawar", "Kabul", modes="road", avoid_crossings=["Torkham"])
    assert not any("torkham" in (leg.link_id or "") for leg in r.crossings)
    assert r.cost_usd >= base.cost_usd


def test_year_diagnosis_says_opened_for_operational_links(net) -> None:
    with pytest.raises(cor.NoRouteError, match="opened 20"):
        cor.route(net, "Karachi", "Moscow", year=1990, modes="rail")
