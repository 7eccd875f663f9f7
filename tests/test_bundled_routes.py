"""Acceptance of the routing milestone on the bundled network (issue 4)."""

from __future__ import annotations

import json

import pytest

import corridors as cor
from corridors.cli.app import main


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def test_karachi_moscow_by_rail_breaks_gauge_at_zahedan_and_sarakhs_or_incheh_borun(net) -> None:
    r = cor.route(net, "Karachi", "Moscow", modes="rail")
    assert set(r.modes) == {"rail"}
    breaks = [(t.from_id, t.service, t.to_service) for t in r.transfers]
    assert ("zahedan", "rail-1676", "rail-1435") in breaks
    assert any(
        p in ("sarakhs_irn", "saragt", "incheh_borun", "akyayla")
        and {a, b} == {"rail-1435", "rail-1520"}
        for p, a, b in breaks
    ), breaks
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
    uap = [
        lid
        for lid, notes, status in zip(
            net.links["id"], net.links["notes"].fillna(""), net.links["status"]
        )
        if status == "planned"
        and net.links.at[lid, "mode"] == "rail"
        and net.places.at[net.links.at[lid, "from_id"], "country"] == "AFG"
    ]
    assert uap, "no planned Afghan railway links"
    r2032 = cor.route(net, "Termez", "Peshawar", modes="rail", year=2032)
    assert "AFG" in r2032.countries and set(r2032.modes) == {"rail"}
    with pytest.raises(cor.NoRouteError) as err:
        cor.route(
            net, "Termez", "Peshawar", modes="rail", year=2025, avoid_countries=["IRN", "TKM"]
        )
    assert "2025" in str(err.value)


def test_karachi_tashkent_three_materially_different_routes(net) -> None:
    alts = cor.alternatives(net, "Karachi", "Tashkent", k=3)
    assert len(alts) == 3
    assert len({r.signature for r in alts}) == 3
    costs = [r.cost_usd for r in alts]
    assert costs == sorted(costs)


def test_sea_route_via_suez_exists(net) -> None:
    r = cor.route(
        net, "Karachi", "Moscow", modes=["sea", "rail", "road"], avoid_countries=["IRN", "AFG"]
    )
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


# ---- issue 7: answers a transport economist can defend ---------------------------------------


def _runs(r: cor.Route) -> list[str]:
    seq = [leg.from_id for leg in r.steps] + [r.steps[-1].to_id]
    return [p for i, p in enumerate(seq) if i == 0 or seq[i - 1] != p]


@pytest.mark.parametrize(
    "destination, via",
    [
        ("Kabul", "Chaman"),
        ("Quetta", "spin_boldak"),
        ("Moscow", "st_petersburg_port"),
        ("Tashkent", "Torkham"),
        ("Moscow", "Chabahar"),
    ],
)
def test_via_routes_visit_no_place_twice(net, destination, via) -> None:
    r = cor.route(net, "Karachi", destination, via=via)
    runs = _runs(r)
    assert len(runs) == len(set(runs)), runs


def test_via_st_petersburg_port_does_not_pass_moscow_first(net) -> None:
    r = cor.route(net, "Karachi", "Moscow", via="st_petersburg_port")
    runs = _runs(r)
    assert runs.index("st_petersburg_port") < runs.index("moscow") == len(runs) - 1


def test_torkham_means_the_crossing_in_every_option(net) -> None:
    for kw in ({"via": "Torkham"}, {"cross_at": "Torkham"}):
        r = cor.route(net, "Karachi", "Kabul", **kw)
        assert any({c.from_id, c.to_id} == {"torkham_pak", "torkham_afg"} for c in r.crossings)
    avoided = cor.route(net, "Karachi", "Kabul", avoid_crossings="Torkham")
    assert all({c.from_id, c.to_id} != {"torkham_pak", "torkham_afg"} for c in avoided.crossings)
    by_place = cor.route(net, "Karachi", "Kabul", avoid_places="Torkham")
    assert not {"torkham_pak", "torkham_afg"} & set(_runs(by_place))


@pytest.mark.parametrize("port", ["chabahar_port", "gwadar_port", "karachi_port"])
def test_routes_from_ports_pay_handling_at_the_origin(net, port) -> None:
    # cargo that starts on a ship pays the port's handling; cargo that starts on land at the
    # port pays the land mode's terminal, never ship-to-shore handling
    by_sea = cor.route(net, port, "Saint Petersburg", modes="sea")
    first = by_sea.steps[0]
    assert first.kind == "terminal" and first.transfer_kind == "load" and first.mode == "sea"
    assert first.terminal_time_h > 24 and first.terminal_cost_usd > 0
    assert by_sea.steps[-1].kind == "terminal" and by_sea.steps[-1].transfer_kind == "unload"
    by_land = cor.route(net, port, "Moscow", modes=["road", "rail", "ferry"])
    first = by_land.steps[0]
    assert first.mode in ("road", "rail")
    assert first.terminal_time_h < 24
    # issue 14: the land terminal's own row (operations.csv: *, <mode>, terminal), not the
    # port's ship-to-shore handling
    ops = net.tables["operations"]
    own = ops[(ops["place_id"] == "*") & (ops["from_service"] == first.mode)]
    own = own[own["to_service"] == "terminal"].iloc[0]
    assert first.terminal_time_h == pytest.approx(float(own["time_median_h"]))
    assert first.terminal_cost_usd == pytest.approx(float(own["cost_usd_40ft"]))


def test_no_mode_change_at_the_origin_or_destination(net) -> None:
    for o, d in [("Karachi", "Tashkent"), ("Lahore", "Moscow"), ("Kabul", "Karachi")]:
        r = cor.route(net, o, d)
        at_ends = [s for s in r.transfers if s.from_id in (r.steps[0].from_id, r.steps[-1].to_id)]
        assert not at_ends, (o, d, at_ends)


def test_modes_sea_keeps_access_links(net) -> None:
    r = cor.route(net, "Karachi", "Saint Petersburg", modes="sea")
    assert "sea" in r.modes
    assert {leg.mode for leg in r.steps if leg.kind == "link" and leg.mode != "sea"} <= {"road"}


def test_time_split_sums_to_total(net) -> None:
    r = cor.route(net, "Karachi", "Moscow", modes="rail", departure="random")
    split = r.time_split()
    assert sum(split.values()) == pytest.approx(r.time_h)
    assert split["waiting"] > 0 and split["terminal"] > 0 and split["border"] > 0


def test_suez_can_be_avoided(net) -> None:
    r = cor.route(net, "Karachi", "Saint Petersburg", modes="sea")
    assert "suez" in r.passages
    try:
        cape = cor.route(net, "Karachi", "Saint Petersburg", modes="sea", avoid_passages="suez")
    except cor.NoRouteError as err:  # no Cape leg in the data yet: the message says why
        assert "suez" in str(err)
    else:
        assert "suez" not in cape.passages and "cape_of_good_hope" in cape.passages


def test_gwadar_export_pays_the_export_tariff(net) -> None:
    """Issue 14 (costs): truck to ship at Gwadar pays the 2025 export tariff (88.5 USD per
    20 ft; 40 ft 1.5 x), ship to truck the import tariff (73 / 104)."""
    out = cor.route(net, "Quetta", "Saint Petersburg", via="gwadar_port", minimize="cost_usd")
    at = [s for s in out.transfers if s.from_id == "gwadar_port"]
    assert at and at[0].transfer_cost_usd == pytest.approx(132.75)
    back = cor.route(net, "Saint Petersburg", "Quetta", via="gwadar_port", minimize="cost_usd")
    at = [s for s in back.transfers if s.from_id == "gwadar_port"]
    assert at and at[0].transfer_cost_usd == pytest.approx(104.0)
