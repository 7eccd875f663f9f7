"""Liner strings and ferry lines as scheduled services (services.csv, issue 14): a box that
stays on board through a call waits once and is not handled there; a change between strings
waits for the departing string; where no string is known the link's own headway applies."""

from __future__ import annotations

import pytest
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors.errors import ValidationError

C40 = cor.Cargo.container("40ft")

# a ship-to-ship transshipment that costs something, so that a call a box stays on board
# through (no transshipment) and a change of ships differ in money as well as time
TRANSSHIPMENT = dict(
    place_id="*",
    from_service="*",
    to_service="*",
    kind="transshipment",
    time_median_h=48.0,
    time_p90_h=96.0,
    cost_usd_20ft=100.0,
    cost_usd_40ft=150.0,
    cost_usd_per_tonne=5.0,
    year=2024,
)
OPS = [o for o in rf.DEFAULT_OPS if o["kind"] != "transshipment"] + [TRANSSHIPMENT]


def _string(sid: str = "s1", path: str = "p|q|r", **changes) -> dict:
    row = dict(
        id=sid,
        operator="Line",
        mode="sea",
        path=path,
        headway_h=100.0,
        status="operational",
        year=2024,
        source="src",
    )
    row.update(changes)
    return row


def _sea(*services: dict, ferry: bool = False) -> cor.Network:
    """Ports p - q - r on a line, 500 km each by sea (headway 100 h on each link, the sea
    default 25 km/h); a city c with a 10-km access road to p; a ferry p - r of 600 km when
    ``ferry``."""
    places = [
        rf.place("p", 0, kind="port"),
        rf.place("q", 1, kind="port"),
        rf.place("r", 2, kind="port"),
        rf.place("c", 0, y=30.05),
    ]
    links = [
        rf.link("p", "q", "sea", 500, headway_h=100.0),
        rf.link("q", "r", "sea", 500, headway_h=100.0),
        rf.link("c", "p", "road", 10, kind="access"),
    ]
    if ferry:
        links.append(rf.link("p", "r", "ferry", 1200, headway_h=24.0))
    return rf.build(places, links, operations=OPS, services=list(services) or None)


def _waits(r: cor.Route) -> list[tuple[str, float]]:
    return [(s.from_id, s.wait_h) for s in r.steps if s.wait_h > 0]


def test_two_legs_of_one_string_pay_one_wait_and_no_handling_at_the_call():
    r = cor.route(_sea(_string()), "p", "r", minimize="time", cargo=C40, departure="random")
    assert r.sea_services == ["s1"]
    assert _waits(r) == [("p", approx(50.0))]  # half the string's headway, once
    assert not r.transfers  # the box stays on board at q
    assert r.time_h == approx(50.0 + 1000.0 / 25.0)
    assert r.cost_usd == approx(1000.0 * 0.2)
    # the same two legs without a known string: two sailings, two waits, a transshipment
    plain = cor.route(_sea(), "p", "r", minimize="time", cargo=C40, departure="random")
    assert plain.sea_services == ["default:sea:p_q", "default:sea:q_r"]
    assert _waits(plain) == [("p", approx(50.0)), ("q", approx(50.0))]
    assert [t.transfer_kind for t in plain.transfers] == ["transshipment"]
    assert plain.time_h == approx(r.time_h + 50.0 + 48.0)
    assert plain.cost_usd == approx(r.cost_usd + 150.0)


def test_a_booked_first_sailing_has_no_wait_and_the_string_then_none():
    net = _sea(_string())
    booked = cor.route(net, "p", "r", minimize="time", cargo=C40)
    assert booked.sea_services == ["s1"] and _waits(booked) == []
    assert booked.time_h == approx(40.0)
    # from the city one access road away: the sailing from its port is the booked one
    city = cor.route(net, "c", "r", minimize="time", cargo=C40)
    assert city.sea_services == ["s1"] and _waits(city) == []


def test_a_change_between_strings_waits_for_the_departing_string():
    net = _sea(_string("s1", "p|q"), _string("s2", "q|r", headway_h=60.0))
    r = cor.route(net, "p", "r", minimize="time", cargo=C40, departure="random")
    assert r.sea_services == ["s1", "s2"]
    assert _waits(r) == [("p", approx(50.0)), ("q", approx(30.0))]
    (change,) = r.transfers
    assert change.from_id == "q" and change.transfer_kind == "transshipment"
    assert r.time_h == approx(50.0 + 30.0 + 48.0 + 40.0)


def test_boarding_midway_and_leaving_midway():
    net = _sea(_string("s1", "p|q|r"))
    for o, d in (("p", "q"), ("q", "r")):
        r = cor.route(net, o, d, minimize="time", cargo=C40, departure="random")
        assert r.sea_services == ["s1"] and _waits(r) == [(o, approx(50.0))]


def test_a_string_sails_at_its_own_speed_else_the_links():
    fast = _sea(_string(speed_kmh=50.0))
    r = cor.route(fast, "p", "r", minimize="time", cargo=C40)
    assert [s.running_time_h for s in r.steps if s.kind == "link"] == [approx(10.0)] * 2
    slow = cor.route(_sea(_string()), "p", "r", minimize="time", cargo=C40)
    assert [s.running_time_h for s in slow.steps if s.kind == "link"] == [approx(20.0)] * 2


def test_where_a_string_ties_with_the_links_default_the_route_names_the_string():
    """One leg at the link's own headway and speed: the same figures either way; the route
    names the known string (its nodes sort first), not 'no string known'."""
    for departure in ("booked", "random"):
        known = cor.route(_sea(_string(path="p|q")), "p", "q", cargo=C40, departure=departure)
        plain = cor.route(_sea(), "p", "q", cargo=C40, departure=departure)
        assert known.sea_services == ["s1"] and plain.sea_services == ["default:sea:p_q"]
        assert (known.time_h, known.cost_usd) == (plain.time_h, plain.cost_usd)


def test_a_planned_string_sails_only_from_its_year():
    net = _sea(_string(status="planned", year=2030))
    today = cor.route(net, "p", "r", minimize="time", cargo=C40)
    later = cor.route(net, "p", "r", minimize="time", cargo=C40, year=2031)
    assert today.sea_services == ["default:sea:p_q", "default:sea:q_r"]
    assert later.sea_services == ["s1"] and not later.transfers


def test_a_headway_by_year_is_one_row_per_period():
    """A string that sailed every 200 h in 2022-2023 and every 60 h from 2024: two rows, the
    first with until_year = 2023. A query of a year takes that year's row; today (no year)
    only the current one runs."""
    early = _string("s_2022", headway_h=200.0, year=2022, until_year=2023)
    later = _string("s_2024", headway_h=60.0, year=2024)
    net = _sea(early, later)

    def ride(year):
        r = cor.route(net, "p", "r", minimize="time", cargo=C40, departure="random", year=year)
        return r.sea_services, _waits(r)

    assert ride(2023) == (["s_2022"], [("p", approx(100.0))])
    assert ride(2025) == (["s_2024"], [("p", approx(30.0))])
    assert ride(None) == (["s_2024"], [("p", approx(30.0))])
    alone = _sea(early)  # an ended row never runs today: the link's default sailings do
    today = cor.route(alone, "p", "r", minimize="time", cargo=C40)
    assert today.sea_services == ["default:sea:p_q", "default:sea:q_r"]


def test_a_ferry_line_is_a_service_too():
    """A line sailing twice a day over a link whose own headway is a day: its wait is the
    line's (the link's default sailings stay, as the default train beside a scheduled one)."""
    row = _string("f1", "p|r", mode="ferry", headway_h=12.0)
    r = cor.route(_sea(row, ferry=True), "p", "r", modes="ferry", cargo=C40, departure="random")
    assert r.sea_services == ["f1"] and _waits(r) == [("p", approx(6.0))]
    plain = cor.route(_sea(ferry=True), "p", "r", modes="ferry", cargo=C40, departure="random")
    assert plain.sea_services == ["default:ferry:p_r"] and _waits(plain) == [("p", approx(12.0))]


def test_a_rotation_may_end_where_it_began_and_sails_only_in_its_order():
    places = [rf.place(x, i, kind="port") for i, x in enumerate("pqr")]
    links = [
        rf.link("p", "q", "sea", 500, headway_h=100.0),
        rf.link("q", "r", "sea", 500, headway_h=100.0),
        rf.link("r", "p", "sea", 900, headway_h=100.0),
    ]
    net = rf.build(places, links, operations=OPS, services=[_string(path="p|q|r|p")])
    kw = dict(minimize="time", cargo=C40, departure="random")
    r = cor.route(net, "r", "p", **kw)  # the closing leg is the string's too
    assert r.sea_services == ["s1"] and _waits(r) == [("r", approx(50.0))]
    # q -> p through r: on board at r, one wait
    r = cor.route(net, "q", "p", via=["r"], **kw)
    assert r.sea_services == ["s1"] and _waits(r) == [("q", approx(50.0))]
    # against the rotation's order the string is not offered: the links' own sailings
    for o, d, link in (("q", "p", "p_q"), ("r", "q", "q_r"), ("p", "r", "r_p")):
        r = cor.route(net, o, d, **kw)
        assert r.sea_services == [f"default:sea:{link}"], (o, d)


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"path": "p|x|r"}, "unknown place 'x'"),
        ({"path": "p|r"}, "no sea link joins 'p' and 'r'"),
        ({"path": "p|q|p|r"}, "visits a place twice (a rotation may only end"),
        ({"path": "p|p"}, "visits a place twice (a rotation calls at one other port"),
        ({"gauge_mm": 1520}, "a sea service has no gauge"),
        ({"mode": "ferry"}, "no ferry link joins 'p' and 'q'"),
        ({"headway_h": 0.0}, "must be positive"),
        ({"mode": "truck"}, "truck"),
        ({"year": 2024, "until_year": 2023}, "2023 is before the row's year 2024"),
    ],
)
def test_bad_strings_are_named_with_their_file_record_and_fix(changes, words):
    with pytest.raises(ValidationError) as info:
        _sea(_string(**changes))
    text = str(info.value)
    assert "services" in text and "s1" in text and words in text


def test_a_strings_stray_gauge_is_the_only_problem_named():
    # the gauge is the one thing wrong: the ports are still joined by sea links
    with pytest.raises(ValidationError) as info:
        _sea(_string(gauge_mm=1520))
    text = str(info.value)
    assert "a sea service has no gauge" in text and "no sea link joins" not in text


def test_a_string_on_a_ferry_link_is_told_to_be_a_ferry():
    with pytest.raises(ValidationError, match="a ferry link joins them: set mode = 'ferry'"):
        _sea(_string(path="p|r"), ferry=True)


def test_a_rail_service_needs_its_gauge():
    places = [rf.place("a", 0, kind="rail_station"), rf.place("b", 1, kind="rail_station")]
    row = _string(path="a|b", mode="rail")
    with pytest.raises(ValidationError, match="a rail service needs the gauge"):
        rf.build(places, [rf.link("a", "b", "rail", 100)], services=[row])


def _scenario(*rows: dict) -> cor.Scenario:
    return cor.Scenario.from_dict({"name": "strings", "services": list(rows)})


def test_a_scenario_changes_a_strings_headway_and_says_so():
    net = _sea(_string())
    faster = _scenario({"id": "s1", "headway_h": 40.0}).apply(net)
    r = cor.route(faster, "p", "r", minimize="time", cargo=C40, departure="random")
    assert r.sea_services == ["s1"] and _waits(r) == [("p", approx(20.0))]
    row = faster._tables["services"].set_index("id").loc["s1"]
    assert "scenario 'strings' changed headway_h" in row["notes"]
    base = cor.route(net, "p", "r", minimize="time", cargo=C40, departure="random")
    assert _waits(base) == [("p", approx(50.0))]  # the base network is not changed


def test_a_scenario_closes_a_string_or_adds_one():
    closed = _scenario({"id": "s1", "status": "closed"}).apply(_sea(_string()))
    r = cor.route(closed, "p", "r", minimize="time", cargo=C40)
    assert r.sea_services == ["default:sea:p_q", "default:sea:q_r"]
    new = dict(_string("s2"), headway_h=30.0)
    added = _scenario(new).apply(_sea())
    r2 = cor.route(added, "p", "r", minimize="time", cargo=C40, departure="random")
    assert r2.sea_services == ["s2"] and _waits(r2) == [("p", approx(15.0))]


def test_a_scenarios_strings_round_trip_through_toml(tmp_path):
    s = _scenario({"id": "s1", "headway_h": 40.0, "notes": "weekly"})
    assert cor.Scenario.from_dict(s.to_dict()) == s
    path = s.write_toml(tmp_path / "strings.toml")
    assert cor.Scenario.from_toml(path) == s


@pytest.mark.parametrize(
    "row, words",
    [
        ({"id": "s1", "path": "p|x"}, "unknown place 'x'"),
        ({"id": "s1", "headway_h": "weekly"}, "services[0].headway_h: must be a finite number"),
        ({"headway_h": 40.0}, "services[0].id"),
        ({"id": "s1", "colour": "red"}, "unknown key"),
    ],
)
def test_a_scenarios_bad_string_is_named(row, words):
    with pytest.raises(ValidationError) as info:
        _scenario(row).apply(_sea(_string()))
    assert words in str(info.value)


# ---- the bundled network's strings ------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> cor.Network:
    return cor.load_network()


def test_bundled_sea_and_ferry_routes_name_their_strings(bundled):
    r = cor.route(bundled, "Novorossiysk", "Nhava Sheva", modes="sea")
    assert r.sea_services == ["fesco_filw"]
    assert r.time_h == approx(505.6, abs=0.05)
    # FIL-W is a rotation Novorossiysk - Nhava Sheva - Mundra - Novorossiysk: it does not sail
    # Nhava Sheva - Novorossiysk direct, which keeps the link's own sailing (the pinned answer)
    back = cor.route(bundled, "Nhava Sheva", "Novorossiysk", modes="sea")
    assert back.sea_services == ["default:sea:sea_nhava_sheva_novorossiysk_port"]
    assert back.time_h == approx(505.6, abs=0.05)  # the pinned answer (tests/snapshots)
    spb = cor.route(bundled, "St Petersburg", "Karachi", modes="sea")
    assert spb.sea_services == ["neco_spb_karachi"]
    ferry = cor.route(bundled, "alat_port", "aktau_port", modes="ferry")
    assert ferry.sea_services == ["asco_alat_aktau"]
    # where no string is known the route says so: the feeders Jebel Ali - Bandar Abbas
    feeder = cor.route(bundled, "jebel_ali_port", "shahid_rajaee_port", modes="sea")
    assert feeder.sea_services == ["default:sea:sea_jebel_ali_port_shahid_rajaee_port"]


def test_bundled_fil_w_through_mundra_waits_once_and_is_not_transshipped(bundled):
    kw = dict(modes="sea", via=["mundra_port"], departure="random")
    r = cor.route(bundled, "nhava_sheva", "novorossiysk_port", **kw)
    assert r.sea_services == ["fesco_filw"]
    assert [s.link_id for s in r.steps if s.link_id] == [
        "sea_nhava_sheva_mundra_port",
        "sea_mundra_port_novorossiysk_port",
    ]
    assert _waits(r) == [("nhava_sheva", approx(216.0))]  # half of FIL-W's 18 days, once
    assert not r.transfers


def test_bundled_kgs_string_through_gwadar_against_the_weekly_ps2(bundled):
    """Karachi - Jebel Ali: COSCO's KGS calls at Gwadar on the way (fortnightly); PS2 sails
    direct weekly. Booked, the KGS through Gwadar (22 km shorter, the box stays on board)
    is the faster; with a random arrival, the weekly PS2's shorter wait wins."""
    booked = cor.route(bundled, "karachi_port", "jebel_ali_port", minimize="time")
    assert booked.sea_services == ["cosco_kgs"] and not booked.transfers
    assert [s.to_id for s in booked.steps if s.kind == "link"] == ["gwadar_port", "jebel_ali_port"]
    random = cor.route(
        bundled, "karachi_port", "jebel_ali_port", minimize="time", departure="random"
    )
    assert random.sea_services == ["ps2_karachi_jebel_ali"]
    assert _waits(random) == [("karachi_port", approx(84.0))]


def test_a_scenarios_rows_may_be_given_as_mappings():
    """Scenario(services=({...},)) as a user writes it is the scenario from_dict builds (it
    was told "must name its services.csv id", which it did)."""
    row = {"id": "s1", "headway_h": 40.0}
    given = cor.Scenario(name="strings", services=(row,))
    assert given == cor.Scenario.from_dict({"name": "strings", "services": [row]})
    with pytest.raises(ValidationError, match=r"services\[0\]\.speed"):
        cor.Scenario(name="strings", services=({"id": "s1", "speed": 3.0},))
