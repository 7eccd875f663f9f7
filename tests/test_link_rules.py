"""Link rules (issue 14): dated closures and daily time windows as a network table
(link_rules.csv), and direction-specific link speeds (speed_kmh_reverse)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

import corridors as cor
from corridors.errors import ValidationError
from corridors.model.rules import (
    link_rules,
    parse_open_hours,
    parse_rule_date,
    reference_day,
    rules_in_force,
    window_extra_factor,
)

N40 = "road_quetta_nushki"


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def _rules(**row: object) -> pd.DataFrame:
    base = {
        "id": "test_rule",
        "links": N40,
        "mode": "road",
        "open_hours": "06:00-18:00",
        "driving_day_h": 16.0,
        "valid_from": "2025-03-30",
        "valid_to": "",
        "source": "p-assumed",
        "confidence": "assumed",
        "notes": "",
    }
    base.update(row)
    return pd.DataFrame([base])


# ---- parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("06:00-18:00", 12.0),
        ("22:00-06:00", 8.0),
        ("23:00-05:00", 6.0),
        ("00:00-24:00", 24.0),
        ("closed", None),
        (" Closed ", None),
    ],
)
def test_open_hours(text: str, hours: float | None) -> None:
    assert parse_open_hours(text) == hours


@pytest.mark.parametrize("text", ["6-18", "06:00-06:00", "25:00-06:00", "night", ""])
def test_bad_open_hours(text: str) -> None:
    with pytest.raises(ValueError):
        parse_open_hours(text)


def test_dates_and_reference_day() -> None:
    assert parse_rule_date("2025") == dt.date(2025, 1, 1)
    assert parse_rule_date("2025", end=True) == dt.date(2025, 12, 31)
    assert parse_rule_date("2024-02", end=True) == dt.date(2024, 2, 29)
    assert parse_rule_date("2025-06-10") == dt.date(2025, 6, 10)
    assert reference_day("2023-08") == dt.date(2023, 8, 15)
    assert reference_day("2023") == dt.date(2023, 7, 1)
    assert reference_day("2023-08-02", year=2030) == dt.date(2023, 8, 2)
    assert reference_day(None, 2030) == dt.date(2030, 7, 1)
    assert reference_day(None, None, today=dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)


def test_window_formula() -> None:
    # r x D / min(D, w): a 12-h window on a 16-h driving day makes 3 h of running take 4 h
    assert 3.0 * (1 + window_extra_factor(12.0, 16.0)) == pytest.approx(4.0)
    assert window_extra_factor(16.0, 16.0) == 0.0
    assert window_extra_factor(20.0, 16.0) == 0.0
    assert 1.0 * (1 + window_extra_factor(8.0, 16.0)) == pytest.approx(2.0)


# ---- the table: read, validated, written ---------------------------------------------------


def test_table_is_read_validated_and_written(net: cor.Network, tmp_path: Path) -> None:
    with_rules = net.replace(link_rules=_rules())
    (rule,) = link_rules(with_rules.tables)
    assert rule.links == (N40,) and rule.open_h == 12.0 and rule.valid_to is None
    assert rules_in_force((rule,), dt.date(2025, 3, 29)) == ()
    assert rules_in_force((rule,), dt.date(2025, 3, 30)) == (rule,)
    out = cor.write_network(with_rules, tmp_path / "net")
    assert (out / "link_rules.csv").exists()
    back = cor.read_network(out)
    assert link_rules(back.tables) == (rule,)
    # a network without the table has no rules, and writing it leaves no file
    bare = net.replace(link_rules=None)
    assert link_rules(bare.tables) == ()
    assert not (cor.write_network(bare, tmp_path / "bare") / "link_rules.csv").exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"links": "road_nowhere"}, "links", "unknown link 'road_nowhere'"),
        ({"links": "rail_saragt_paharat"}, "links", "not road"),
        ({"open_hours": "dusk-dawn"}, "open_hours", "HH:MM-HH:MM"),
        ({"driving_day_h": None}, "driving_day_h", "a time window needs"),
        ({"driving_day_h": 30.0}, "driving_day_h", "at most 24"),
        ({"valid_from": "2025-13-01"}, "valid_from", "leave empty"),
        ({"valid_from": "2026-01-01", "valid_to": "2025-12"}, "valid_to", "before valid_from"),
        ({"mode": "bus"}, "mode", "not allowed"),
    ],
)
def test_validation_names_file_record_and_fix(
    net: cor.Network, change: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as err:
        net.replace(link_rules=_rules(**change))
    found = [p for p in err.value.problems if p.field == field]
    assert found, err.value.problems
    assert "link_rules" in found[0].file and "test_rule" in found[0].record
    assert words in found[0].message


def test_closed_rule_needs_no_driving_day(net: cor.Network) -> None:
    closed = net.replace(link_rules=_rules(open_hours="closed", driving_day_h=None))
    (rule,) = link_rules(closed.tables)
    assert rule.closes


def test_speed_kmh_reverse_is_validated(net: cor.Network) -> None:
    links = net.links
    links["speed_kmh_reverse"] = links["speed_kmh_reverse"].astype(float)
    links.loc[N40, "speed_kmh_reverse"] = -3.0
    with pytest.raises(ValidationError, match="speed_kmh_reverse"):
        net.replace(links=links)


# ---- routing: windows, closures by date, direction-specific speeds -----------------------

N40_LINKS = (
    "road_quetta_nushki|road_nushki_dalbandin|road_dalbandin_nok_kundi|road_nok_kundi_taftan"
)
SALANG = "road_jabal_saraj_pul_e_khumri"


@pytest.fixture(scope="module")
def ruled(net: cor.Network) -> cor.Network:
    rules = pd.concat(
        [
            _rules(id="n40_test", links=N40_LINKS),
            _rules(
                id="salang_test",
                links=SALANG,
                open_hours="closed",
                driving_day_h=None,
                valid_from="2026-07-10",
            ),
        ],
        ignore_index=True,
    )
    return net.replace(link_rules=rules)


def test_window_adds_its_formula_to_running_time(ruled: cor.Network) -> None:
    before = cor.route(ruled, "Quetta", "Taftan", modes="road", minimize="time_h", date="2025-01")
    after = cor.route(ruled, "Quetta", "Taftan", modes="road", minimize="time_h", date="2025-06")
    assert before.window_h == 0.0
    on_n40 = [leg for leg in after.steps if leg.link_id in N40_LINKS.split("|")]
    assert len(on_n40) == 4
    for leg in on_n40:
        # r x D / min(D, w) with w = 12 h, D = 16 h
        assert leg.running_time_h + leg.window_h == pytest.approx(leg.running_time_h * 16 / 12)
    assert after.window_h == pytest.approx(sum(leg.window_h for leg in on_n40))
    assert after.time_h == pytest.approx(before.time_h + after.window_h)
    split = after.time_split()
    assert split["running"] == pytest.approx(before.time_split()["running"] + after.window_h)
    assert sum(split.values()) == pytest.approx(after.time_h)
    # a year is judged on 1 July; the window does not touch other modes
    assert cor.route(ruled, "Quetta", "Taftan", modes="road", year=2025).window_h > 0
    assert cor.route(ruled, "Quetta", "Taftan", modes="road", year=2024).window_h == 0.0


def test_closure_applies_on_its_dates_only(ruled: cor.Network) -> None:
    summer_2025 = cor.route(ruled, "Kabul", "Mazar-i-Sharif", modes="road", date="2025-06")
    assert SALANG in [leg.link_id for leg in summer_2025.steps]
    later = cor.route(ruled, "Kabul", "Mazar-i-Sharif", modes="road", date="2026-08-01")
    assert SALANG not in [leg.link_id for leg in later.steps]
    assert later.time_h > summer_2025.time_h


def test_no_route_error_names_the_closing_rule(ruled: cor.Network) -> None:
    kw = dict(modes="road", cross_at=["Torkham", "Hairatan"])
    with pytest.raises(cor.NoRouteError) as err:
        cor.route(ruled, "Karachi", "Tashkent", date="2026-08", **kw)  # type: ignore[arg-type]
    msg = str(err.value)
    assert "salang_test" in msg and "p-assumed" in msg and SALANG in msg
    assert "link_rule" in (err.value.reason or "")
    r = cor.route(ruled, "Karachi", "Tashkent", date="2025-06", **kw)  # type: ignore[arg-type]
    assert SALANG in [leg.link_id for leg in r.steps]


@pytest.mark.parametrize("bad", ["2025-13", "June 2025", "25-06-01"])
def test_bad_date_is_a_parameter_error(net: cor.Network, bad: str) -> None:
    with pytest.raises(cor.ParameterError, match="YYYY-MM-DD"):
        cor.route(net, "Quetta", "Taftan", date=bad)


def test_date_reaches_alternatives_and_pareto(ruled: cor.Network) -> None:
    alts = cor.alternatives(ruled, "Quetta", "Taftan", modes="road", date="2025-06", k=1)
    assert alts[0].window_h > 0
    front = cor.pareto(
        ruled, "Quetta", "Taftan", criteria=("time_h", "cost_usd"), modes="road", date="2025-06"
    )
    assert min(r.time_h for r in front) == pytest.approx(alts[0].time_h)


def test_speed_kmh_reverse_applies_against_the_link_direction(net: cor.Network) -> None:
    links = net.links
    lid = "road_quetta_nushki"
    links["speed_kmh_reverse"] = links["speed_kmh_reverse"].astype(float)
    links.loc[lid, ["speed_kmh", "speed_kmh_reverse"]] = [40.0, 20.0]
    fast_slow = net.replace(links=links)
    km = float(links.at[lid, "distance_km"])
    fwd = cor.route(fast_slow, "Quetta", "Nushki", modes="road")
    back = cor.route(fast_slow, "Nushki", "Quetta", modes="road")
    (leg_f,) = [leg for leg in fwd.steps if leg.link_id == lid]
    (leg_b,) = [leg for leg in back.steps if leg.link_id == lid]
    assert leg_f.running_time_h == pytest.approx(km / 40.0)
    assert leg_b.running_time_h == pytest.approx(km / 20.0)


def _direction(net: cor.Network, leg: cor.Leg) -> str:
    return "forward" if net.links.at[leg.link_id, "from_id"] == leg.from_id else "reverse"


@pytest.mark.parametrize("cross_at", [None, "Sarakhs"])
def test_moscow_tehran_directions_differ_only_by_directional_data(
    net: cor.Network, cross_at: str | None
) -> None:
    """Moscow -> Tehran and Tehran -> Moscow on the same line: every link leg takes the same
    time both ways except where the data gives each direction its own figure (border dwell
    per direction in crossings.csv, speed_kmh_reverse), and those figures are what it
    takes."""
    kw = dict(modes="rail", minimize="time_h", cross_at=cross_at)
    there = cor.route(net, "Moscow", "Tehran", **kw)  # type: ignore[arg-type]
    back = cor.route(net, "Tehran", "Moscow", **kw)  # type: ignore[arg-type]
    a = {leg.link_id: leg for leg in there.steps if leg.link_id}
    b = {leg.link_id: leg for leg in back.steps if leg.link_id}
    assert list(a) == list(reversed(list(b)))  # the same line, travelled backwards
    links = net.links
    cross = net.tables["crossings"].set_index(["link_id", "direction"])
    explained = 0.0
    for lid, la in a.items():
        lb = b[lid]
        assert _direction(net, la) != _direction(net, lb)
        rev = links.at[lid, "speed_kmh_reverse"]
        if pd.notna(rev):
            km = float(links.at[lid, "distance_km"])
            for leg in (la, lb):
                own = rev if _direction(net, leg) == "reverse" else links.at[lid, "speed_kmh"]
                assert leg.running_time_h == pytest.approx(km / own)
        else:
            assert la.running_time_h == pytest.approx(lb.running_time_h)
        if la.kind == "border":
            for leg in (la, lb):
                assert leg.dwell_h == cross.at[(lid, _direction(net, leg)), "dwell_median_h"]
        else:
            assert la.dwell_h == lb.dwell_h == 0.0
        assert la.wait_h == pytest.approx(lb.wait_h)
        explained += (la.running_time_h + la.dwell_h) - (lb.running_time_h + lb.dwell_h)
    split_a, split_b = there.time_split(), back.time_split()
    for part in ("waiting", "transfer", "terminal"):
        assert split_a[part] == pytest.approx(split_b[part])
    assert there.time_h - back.time_h == pytest.approx(explained)
    if cross_at == "Sarakhs":  # the Turkmen section's published times differ by direction
        assert "rail_saragt_paharat" in a


# ---- the bundled rules ----------------------------------------------------------------------


def test_bundled_rules_are_sourced_and_dated(net: cor.Network) -> None:
    rules = {r.id: r for r in link_rules(net.tables)}
    assert {"balochistan_n40_night_ban", "salang_closed_trailers_2026"} <= set(rules)
    for r in rules.values():
        for sid in r.source.split(";"):
            assert sid in net.sources, (r.id, sid)
    salang = rules["salang_closed_trailers_2026"]
    assert salang.closes and salang.valid_from == dt.date(2026, 7, 10) and salang.valid_to is None
    # Salang night-only for trucks in Aug 2023: a window, not a closure
    night = rules["salang_trucks_night_only_2023"]
    assert night.open_h == 12.0 and rules_in_force((night,), dt.date(2023, 8, 15)) == (night,)


def test_bundled_salang_closure_names_its_rule(net: cor.Network) -> None:
    kw = dict(modes="road", cross_at=["Torkham", "Hairatan"])
    with pytest.raises(cor.NoRouteError) as err:
        cor.route(net, "Karachi", "Tashkent", date="2026-08", **kw)  # type: ignore[arg-type]
    assert "salang_closed_trailers_2026" in str(err.value)
    assert "p-pajhwok-2026-salang-trailers" in str(err.value)
    r = cor.route(net, "Karachi", "Tashkent", date="2024-05", **kw)  # type: ignore[arg-type]
    assert SALANG in [leg.link_id for leg in r.steps]


def test_backtest_routes_each_journey_under_the_rules_of_its_date(net: cor.Network) -> None:
    from corridors.analysis.backtest import backtest
    from corridors.analysis.journeys import read_journeys
    from corridors.model.io import bundled_path

    journeys = read_journeys(bundled_path() / "journeys.csv")
    df = backtest(net, journeys)
    for jid, date, day in zip(df["id"], journeys["date"], df["rules_day"]):
        assert day == reference_day(date).isoformat(), jid
    # a journey with neither date nor year is routed under today's rules, and says so
    undated = journeys.iloc[[0]].copy()
    undated["date"] = ""
    row = backtest(net, undated).iloc[0]
    assert row["rules_day"] == dt.date.today().isoformat()
    assert "today's link rules" in row["message"]


def test_cli_date_option(capsys: pytest.CaptureFixture[str]) -> None:
    from corridors.cli import main

    argv = ["route", "Karachi", "Tashkent", "--modes", "road", "--cross-at", "Torkham"]
    argv += ["Hairatan", "--date"]
    assert main([*argv, "2024-05", "--format", "json"]) == 0
    assert SALANG in capsys.readouterr().out
    assert main([*argv, "2026-08"]) == 3  # no route: the message names the rule
    assert "salang_closed_trailers_2026" in capsys.readouterr().err


@pytest.mark.parametrize("engine", ["csgraph", "cch"])
def test_skims_see_the_same_rules_as_route(net: cor.Network, engine: str) -> None:
    """route_matrix (today's rules, no date) gives route's answer: the Salang closure and the
    N-40 window hold in skims too."""
    m = cor.route_matrix(
        net,
        ["Kabul", "Quetta"],
        ["Mazar-i-Sharif", "Taftan"],
        modes="road",
        minimize="time_h",
        engine=engine,
    ).set_index(["origin", "destination"])
    for o, d in (("Kabul", "Mazar-i-Sharif"), ("Quetta", "Taftan")):
        r = cor.route(net, o, d, modes="road", minimize="time_h")
        assert m.at[(r.origin, r.destination), "time_h"] == pytest.approx(r.time_h)


def test_skims_take_a_date(net: cor.Network) -> None:
    kw = dict(modes="road", minimize="time_h")
    m = cor.route_matrix(net, "Kabul", "Mazar-i-Sharif", date="2025-05", **kw)  # type: ignore[arg-type]
    r = cor.route(net, "Kabul", "Mazar-i-Sharif", date="2025-05", **kw)  # type: ignore[arg-type]
    assert SALANG in [leg.link_id for leg in r.steps]
    assert m["time_h"].iloc[0] == pytest.approx(r.time_h)


def test_scenario_date_reaches_compare(net: cor.Network) -> None:
    from corridors.analysis.compare import compare
    from corridors.analysis.scenario import Scenario

    before = Scenario(name="may-2025", date="2025-05", od=(("Kabul", "Mazar-i-Sharif"),))
    assert before.route_kwargs()["date"] == "2025-05"
    assert Scenario.from_dict(before.to_dict()) == before
    today = Scenario(name="today", od=(("Kabul", "Mazar-i-Sharif"),))
    df = compare(net, [before, today], minimize="time_h")
    days = dict(zip(df["scenario"], df["time_h"]))
    assert days["may-2025"] < days["today"]  # the Salang pass, shut to trailers since Jul 2026
    with pytest.raises(cor.ValidationError, match="date"):
        Scenario(name="bad", date="June")
