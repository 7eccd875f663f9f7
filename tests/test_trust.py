"""Regression tests for answers that could not be defended (issue 7): stale caches, NaN weights,
U-turns at via places, crossings and gateway ports, terminal handling at both ends, access
links under a mode limit, ties, border-post transfers, transshipment, cargo limits, passages.

Each test failed on the code before the fix (see the commit that added it). Networks are
small and hand-computed (tests/routing_fixtures.py: rail 40 km/h and 1.0 USD/FEU-km, road
50 km/h and 2.0 USD/FEU-km, sea 25 km/h and 0.2 USD/FEU-km).
"""

from __future__ import annotations

import numpy as np
import pytest
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors import Cargo, NoRouteError, ParameterError
from corridors.engine import topology as graph
from corridors.engine import weights as costs

C40 = Cargo.container("40ft")


def line_links(r: cor.Route) -> list[str]:
    return [leg.link_id for leg in r.steps if leg.link_id]


def places_visited(r: cor.Route) -> list[str]:
    seq = [leg.from_id for leg in r.steps] + [r.steps[-1].to_id]
    return [p for i, p in enumerate(seq) if i == 0 or seq[i - 1] != p]


# ---- caches never outlive the data ----------------------------------------------------------


def test_editing_a_table_view_never_changes_a_network_or_its_answers():
    net = rf.via_net()
    before = cor.route(net, "o", "d")
    t = net.tables["tariffs"]
    t["usd_per_feu_km"] = t["usd_per_feu_km"] * 10
    # the view was edited, the network was not: same answer as a fresh copy of the data
    assert cor.route(net, "o", "d").cost_usd == approx(before.cost_usd)
    dear = net.replace(tariffs=t)
    assert cor.route(dear, "o", "d").cost_usd == approx(before.cost_usd * 10)
    assert dear.fingerprint != net.fingerprint


def test_changed_link_distance_gives_a_new_answer():
    net = rf.via_net()
    cor.route(net, "o", "d", minimize="distance")  # fill the caches
    links = net.links
    links.loc["o_d", "distance_km"] = 1000.0
    longer = net.replace(links=links)
    assert line_links(cor.route(longer, "o", "d", minimize="distance")) == ["o_v", "v_d"]
    assert line_links(cor.route(net, "o", "d", minimize="distance")) == ["o_d"]


def test_reordered_links_never_mix_up_statuses():
    """Status is read by link, not by row position: a 2040 link stays closed in 2025 after
    the links are reordered."""
    places = [rf.place("o", 0), rf.place("v", 1, y=30.2), rf.place("d", 2)]
    links = [
        rf.link("o", "d", "road", 100, status="planned", year=2040),
        rf.link("o", "v", "road", 150),
        rf.link("v", "d", "road", 250),
    ]
    net = rf.build(places, links)
    assert line_links(cor.route(net, "o", "d", year=2025)) == ["o_v", "v_d"]
    flipped = net.replace(links=net.links.iloc[::-1])
    assert line_links(cor.route(flipped, "o", "d", year=2025)) == ["o_v", "v_d"]
    assert line_links(cor.route(flipped, "o", "d", year=2041)) == ["o_d"]


def test_setting_a_frame_attribute_is_refused():
    net = rf.via_net()
    with pytest.raises(AttributeError):
        net.links = net.links  # type: ignore[misc]


# ---- NaN weights ------------------------------------------------------------------------------


def test_nan_weight_on_a_usable_edge_is_an_error_not_zero():
    net = rf.via_net()
    w = costs.weights(net, C40)
    topo = graph.topology(net)
    e = int(
        np.flatnonzero((topo.etype == graph.LINK) & (topo.elink == topo.link_ids.index("o_d")))[0]
    )
    w.arrays["cost_usd"][e] = float("nan")
    with pytest.raises(ParameterError, match="o_d"):
        cor.route(net, "o", "d", cargo=C40)


# ---- via without U-turns; crossings; gateways ------------------------------------------------


def _spur_net() -> cor.Network:
    """O --100--> Q --100--> D, and a dead-end spur Q --50--> C; a long way O --400--> C2
    --60--> C --100--> D avoids passing Q twice."""
    places = [
        rf.place("o", 0, name="Origin"),
        rf.place("q", 1, name="Quetta"),
        rf.place("d", 2, name="Dest"),
        rf.place("c", 1, name="Chaman", y=30.3),
        rf.place("c2", 0, name="Side", y=30.5),
    ]
    links = [
        rf.link("o", "q", "road", 100),
        rf.link("q", "d", "road", 100),
        rf.link("q", "c", "road", 50),
        rf.link("o", "c2", "road", 400),
        rf.link("c2", "c", "road", 60),
        rf.link("c", "d", "road", 100),
    ]
    return rf.build(places, links)


def test_via_never_makes_a_u_turn():
    net = _spur_net()
    r = cor.route(net, "o", "d", via="Chaman", minimize="distance")
    visited = places_visited(r)
    assert len(visited) == len(set(visited)), visited
    # best simple route through C: O-Q-C-D (100+50+100), not O-Q-C-Q-D
    assert line_links(r) == ["o_q", "q_c", "c_d"]


def test_via_with_only_u_turns_left_is_no_route():
    net = _spur_net()
    links = net.links
    net2 = net.replace(links=links.drop(index=["c_d", "c2_c"]))
    with pytest.raises(NoRouteError, match="visits no place twice"):
        cor.route(net2, "o", "d", via="Chaman")


def test_destination_is_not_passed_before_the_via_place():
    """O --100--> D --100--> V (dead end beyond D) and O --300--> V: going O-D-V-D is a U-turn;
    the route must reach V first by the other way."""
    places = [rf.place("o", 0), rf.place("d", 1), rf.place("v", 2), rf.place("w", 1, y=30.3)]
    links = [
        rf.link("o", "d", "road", 100),
        rf.link("d", "v", "road", 100),
        rf.link("o", "w", "road", 200),
        rf.link("w", "v", "road", 200),
    ]
    net = rf.build(places, links)
    r = cor.route(net, "o", "d", via="v", minimize="distance")
    assert line_links(r) == ["o_w", "w_v", "d_v"]


def _two_crossings_net() -> cor.Network:
    """P (PAK) to A (AFG) over crossing T (posts 'Torkham' on both sides, 100 + 12 + 100 km)
    or over crossing C (posts 'Chaman', 50 + 12 + 50 km, cheaper)."""
    places = [
        rf.place("p", 0, "PAK", name="Peshawar"),
        rf.place("t_pk", 1, "PAK", "border_post", name="Torkham"),
        rf.place("t_af", 2, "AFG", "border_post", name="Torkham", y=30.0),
        rf.place("c_pk", 1, "PAK", "border_post", name="Chaman", y=30.3),
        rf.place("c_af", 2, "AFG", "border_post", name="Spin Boldak", y=30.3),
        rf.place("a", 3, "AFG", name="Kabul"),
    ]
    links = [
        rf.link("p", "t_pk", "road", 100),
        rf.link("t_pk", "t_af", "road", 12, kind="border"),
        rf.link("t_af", "a", "road", 100),
        rf.link("p", "c_pk", "road", 50),
        rf.link("c_pk", "c_af", "road", 12, kind="border"),
        rf.link("c_af", "a", "road", 50),
    ]
    crossings = [
        rf.crossing(lid, d, "road", 10.0, 50.0)
        for lid in ("t_pk_t_af", "c_pk_c_af")
        for d in ("forward", "reverse")
    ]
    return rf.build(places, links, crossings=crossings)


@pytest.mark.parametrize("option", ["via", "cross_at"])
def test_a_name_both_posts_share_means_the_crossing(option):
    net = _two_crossings_net()
    assert line_links(cor.route(net, "p", "a"))[1] == "c_pk_c_af"
    r = cor.route(net, "p", "a", **{option: "Torkham"})
    assert line_links(r) == ["p_t_pk", "t_pk_t_af", "t_af_a"]
    avoided = cor.route(net, "p", "a", avoid_places="Torkham")
    assert "t_pk_t_af" not in line_links(avoided)


def test_cross_at_a_single_post_or_link_id():
    net = _two_crossings_net()
    for name in ("t_pk_t_af", "t_pk"):
        assert "t_pk_t_af" in line_links(cor.route(net, "p", "a", cross_at=name))


def test_via_a_port_means_handling_there_not_sailing_past():
    """X port --sea 1000--> G port --sea 1000--> Y port; G also has a road to Y (1200 km).
    By sea all the way the ship passes G; via G the box is handled at G (sea -> road)."""
    places = [
        rf.place("x", 0, kind="port"),
        rf.place("g", 1, kind="port"),
        rf.place("y", 2, kind="port"),
    ]
    links = [
        rf.link("x", "g", "sea", 1000),
        rf.link("g", "y", "sea", 1000),
        rf.link("g", "y", "road", 1200, id="g_y_road"),
    ]
    net = rf.build(places, links)
    r = cor.route(net, "x", "y", via="g")
    kinds = [(leg.kind, leg.transfer_kind) for leg in r.steps if leg.kind == "transfer"]
    assert ("transfer", "port_handling") in kinds
    assert all(leg.from_id == "g" for leg in r.transfers)
    plain = cor.route(net, "x", "y")
    assert [t.transfer_kind for t in plain.transfers] == ["transshipment"]
    assert line_links(plain) == ["x_g", "g_y"]


# ---- terminals, transshipment, border posts -------------------------------------------------


def _terminal_ops(sea_h: float, sea_usd: float) -> list[dict[str, object]]:
    ops = [row for row in rf.DEFAULT_OPS if row["kind"] != "terminal"]
    for m, h, usd in (
        ("rail", 4.0, 40.0),
        ("road", 2.0, 0.0),
        ("sea", sea_h, sea_usd),
        ("ferry", 8.0, 90.0),
    ):
        ops.append(
            dict(
                place_id="*",
                from_service=m,
                to_service="terminal",
                kind="terminal",
                time_median_h=h,
                time_p90_h=2 * h,
                cost_usd_20ft=usd,
                cost_usd_40ft=usd,
                cost_usd_per_tonne=usd / 20,
                year=2024,
            )
        )
    return ops


def test_a_route_from_a_port_pays_handling_at_both_ends():
    places = [rf.place("x", 0, kind="port"), rf.place("y", 1, kind="port")]
    net = rf.build(places, [rf.link("x", "y", "sea", 500)], operations=_terminal_ops(30.0, 250.0))
    r = cor.route(net, "x", "y", cargo=C40)
    assert [leg.kind for leg in r.steps] == ["terminal", "link", "terminal"]
    assert r.time_h == approx(30 + 500 / 25 + 30)
    assert r.cost_usd == approx(250 + 500 * 0.2 + 250)
    assert r.time_split()["terminal"] == approx(60.0)


def test_each_end_pays_the_terminal_of_its_own_mode():
    places = [
        rf.place("o", 0, kind="rail_station"),
        rf.place("r", 1, y=30.1),
        rf.place("d", 2, kind="rail_station"),
    ]
    links = [
        rf.link("o", "r", "road", 100),
        rf.link("r", "d", "road", 100),
        rf.link("o", "d", "rail", 250),
    ]
    net = rf.build(places, links, operations=_terminal_ops(30.0, 250.0))
    rail = cor.route(net, "o", "d", modes="rail", cargo=C40)
    road = cor.route(net, "o", "d", modes="road", cargo=C40)
    assert rail.time_split()["terminal"] == approx(8.0)
    assert rail.cost_split()["terminal"] == approx(80.0)
    assert road.time_split()["terminal"] == approx(4.0)
    assert road.cost_split()["terminal"] == approx(0.0)


def test_missing_terminal_row_is_an_error_naming_the_fix():
    ops = [row for row in rf.DEFAULT_OPS if row["kind"] != "terminal"]
    net = rf.build(
        [rf.place("o", 0), rf.place("d", 1)], [rf.link("o", "d", "road", 100)], operations=ops
    )
    with pytest.raises(ParameterError, match="terminal row for road"):
        cor.route(net, "o", "d")


def test_ship_to_ship_at_an_intermediate_port_costs_a_transshipment():
    places = [
        rf.place("x", 0, kind="port"),
        rf.place("h", 1, kind="port"),
        rf.place("y", 2, kind="port"),
    ]
    ops = [dict(row) for row in rf.DEFAULT_OPS]
    for row in ops:
        if row["kind"] == "transshipment":
            row.update(
                time_median_h=48.0,
                time_p90_h=96.0,
                cost_usd_20ft=60.0,
                cost_usd_40ft=90.0,
                cost_usd_per_tonne=3.0,
            )
    net = rf.build(
        places, [rf.link("x", "h", "sea", 500), rf.link("h", "y", "sea", 500)], operations=ops
    )
    r = cor.route(net, "x", "y", cargo=C40)
    (t,) = r.transfers
    assert t.transfer_kind == "transshipment" and t.from_id == "h"
    assert r.cost_usd == approx(1000 * 0.2 + 90.0)
    assert r.time_h == approx(1000 / 25 + 48.0)


def test_border_post_rail_road_change_is_priced_as_a_transload():
    """A 1676 line ends at border post B1 (PAK); a 1435 line starts at B2 (IRN); a road
    joins them across the border. Rail -> road at B1 and road -> rail at B2 each cost the
    transload default (USD 400 for 40ft), not the intermodal one (USD 160)."""
    places = [
        rf.place("a", 0, "PAK", "rail_station"),
        rf.place("b1", 1, "PAK", "border_post"),
        rf.place("b2", 2, "IRN", "border_post"),
        rf.place("c", 3, "IRN", "rail_station"),
    ]
    links = [
        rf.link("a", "b1", "rail", 100, gauge_mm="1676"),
        rf.link("b1", "b2", "road", 12, kind="border"),
        rf.link("b2", "c", "rail", 100, gauge_mm="1435"),
    ]
    crossings = [rf.crossing("b1_b2", d, "road", 1.0, 10.0) for d in ("forward", "reverse")]
    net = rf.build(places, links, crossings=crossings)
    r = cor.route(net, "a", "c", cargo=C40)
    kinds = {leg.transfer_kind for leg in r.transfers}
    assert kinds == {"transload"}
    assert sum(leg.transfer_cost_usd for leg in r.transfers) == approx(800.0)


# ---- modes, ties, cargo limits, passages ---------------------------------------------------


def _port_city_net() -> cor.Network:
    """City K --access road 10 km--> port KP --sea 2000--> port SP --access road 10--> city S;
    and a road K --3000--> S."""
    places = [
        rf.place("k", 0, name="Karachi"),
        rf.place("kp", 0.5, kind="port"),
        rf.place("sp", 2, kind="port"),
        rf.place("s", 2.5, name="Saint Petersburg"),
    ]
    links = [
        rf.link("k", "kp", "road", 10, kind="access"),
        rf.link("kp", "sp", "sea", 2000, passages="suez|bab_el_mandeb"),
        rf.link("kp", "sp", "sea", 3000, id="kp_sp_cape", passages="cape_of_good_hope"),
        rf.link("sp", "s", "road", 10, kind="access"),
        rf.link("k", "s", "road", 3000),
    ]
    return rf.build(places, links)


def test_modes_sea_keeps_the_access_links():
    net = _port_city_net()
    r = cor.route(net, "Karachi", "Saint Petersburg", modes="sea")
    assert line_links(r) == ["k_kp", "kp_sp", "sp_s"]
    with pytest.raises(NoRouteError):
        cor.route(net, "Karachi", "Saint Petersburg", modes="rail")


def test_avoid_passages_takes_the_cape():
    net = _port_city_net()
    r = cor.route(net, "Karachi", "Saint Petersburg", modes="sea", avoid_passages="suez")
    assert "kp_sp_cape" in line_links(r)
    assert r.passages == ["cape_of_good_hope"]
    assert cor.route(net, "k", "s", modes="sea").passages == ["suez", "bab_el_mandeb"]
    with pytest.raises(ParameterError, match="allowed"):
        cor.route(net, "k", "s", avoid_passages="suess")


def test_equal_weights_prefer_fewer_transfers():
    """A --rail 10 h--> B, or A --road 2 h--> M --intermodal 3 h--> rail --5 h--> B: both take
    exactly 10 h; minimizing time, the tie goes to the route without a transfer."""
    places = [
        rf.place("a", 0, kind="city"),
        rf.place("m", 1, kind="city"),
        rf.place("b", 3, kind="rail_station"),
    ]
    links = [
        rf.link("a", "b", "rail", 400, time_h=10.0),
        rf.link("a", "m", "road", 100, time_h=2.0),
        rf.link("m", "b", "rail", 300, time_h=5.0),
    ]
    ops = [dict(row) for row in rf.DEFAULT_OPS]
    for row in ops:
        if row["kind"] == "intermodal":
            row.update(time_median_h=3.0, time_p90_h=6.0)
    net = rf.build(places, links, operations=ops)
    r = cor.route(net, "a", "b", minimize="time")
    assert r.time_h == 10.0
    assert r.transfers == []
    assert line_links(r) == ["a_b"]


def test_cargo_units_limit_a_link():
    places = [rf.place("o", 0), rf.place("v", 1, y=30.2), rf.place("d", 2)]
    links = [
        rf.link("o", "d", "road", 100, cargo_units="20ft|tonne"),
        rf.link("o", "v", "road", 150),
        rf.link("v", "d", "road", 250),
    ]
    net = rf.build(places, links)
    assert line_links(cor.route(net, "o", "d", cargo=Cargo.container("20ft"))) == ["o_d"]
    assert line_links(cor.route(net, "o", "d", cargo=C40)) == ["o_v", "v_d"]
    closed = net.replace(links=net.links.drop(index=["o_v"]))
    with pytest.raises(NoRouteError, match="cargo_units"):
        cor.route(closed, "o", "d", cargo=C40)


def test_networks_of_one_structure_share_the_topology_not_the_answers():
    net = rf.via_net()
    t = net.tables["tariffs"]
    t["usd_per_feu_km"] = t["usd_per_feu_km"] * 3
    links = net.links
    links.loc["o_d", "distance_km"] = 900.0
    other = net.replace(tariffs=t, links=links)
    a, b = graph.topology(net), graph.topology(other)
    assert graph.structure_key(net) == graph.structure_key(other)
    assert a.src is b.src and a.adjacency is b.adjacency  # shared, not rebuilt
    assert b.edistance[b.elink == b.link_ids.index("o_d")].tolist() == [900.0, 900.0]
    assert line_links(cor.route(other, "o", "d", minimize="distance")) == ["o_v", "v_d"]
    assert line_links(cor.route(net, "o", "d", minimize="distance")) == ["o_d"]
    assert cor.route(other, "o", "v").cost_usd == approx(3 * cor.route(net, "o", "v").cost_usd)
