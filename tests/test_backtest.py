"""The backtest: journeys.csv format and validation, error arithmetic, CLI functions.

Expected numbers come from small hand-made networks (tests/routing_fixtures.py), never from
the bundled network, whose model times change as the model grows.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors
import routing_fixtures as rf
from corridors import ValidationError
from corridors.analysis.backtest import (
    BAND_POSITIONS,
    JOURNEY_COLUMNS,
    RESULT_COLUMNS,
    backtest,
    backtest_summary,
    journeys_path,
    range_error,
    read_journeys,
)
from corridors.analysis.simulate import NO_SPREADS
from corridors.cli.backtest import add_cli, run_cli
from corridors.output.tables import backtest_markdown

HEADER = ",".join(JOURNEY_COLUMNS)


def _row(**values: object) -> str:
    base: dict[str, object] = dict(
        id="j1",
        origin="a",
        destination="b",
        cargo="40ft",
        observed_days_min=1,
        observed_days_max=3,
        date="2024",
        source="test source 2024",
        confidence="measured",
    )
    base.update(values)
    cells = []
    for c in JOURNEY_COLUMNS:
        v = base.get(c, "")
        text = "" if v is None else str(v)
        cells.append(f'"{text}"' if ("," in text or '"' in text) else text)
    return ",".join(cells)


def _write(tmp_path: Path, *rows: str, name: str = "journeys.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def bundled() -> corridors.Network:
    return corridors.load_network()


# ---- the bundled journeys ----------------------------------------------------------------


def test_bundled_journeys_validate_and_resolve(bundled: corridors.Network) -> None:
    df = read_journeys(journeys_path(), net=bundled)
    assert len(df) >= 5
    assert df["id"].is_unique
    for j in df.to_dict("records"):
        bundled.place_id(j["origin"])
        bundled.place_id(j["destination"])
        for name in j["via"]:
            bundled.place_id(name)
        assert j["source"] and j["confidence"] in ("measured", "approx", "assumed")
        if math.isnan(j["observed_days_min"]):
            # a cost-only observation (a tariff quote): no time, both USD bounds
            assert math.isnan(j["observed_days_max"])
            assert j["observed_usd_min"] <= j["observed_usd_max"]
        else:
            assert j["observed_days_min"] <= j["observed_days_max"]


def test_bundled_backtest_runs_one_row_per_journey(bundled: corridors.Network) -> None:
    journeys = read_journeys(journeys_path(), net=bundled)
    df = backtest(bundled, journeys)
    assert list(df.columns) == list(RESULT_COLUMNS)
    assert list(df["id"]) == list(journeys["id"])
    assert set(df["status"]) <= {"ok", "no_route", "error"}
    ok = df[df["status"] == "ok"]
    # the time split adds up to the model's time (no value hard-coded: the model changes)
    split = ok[
        ["running_days", "waiting_days", "border_days", "transfer_days", "terminal_days"]
    ].sum(axis=1)
    span = ok["id"].map(dict(zip(journeys["id"], journeys["span"])))
    door = span == "door_to_door"
    assert (split[door] - ok["model_days"][door]).abs().max() < 1e-6
    # a departure-to-arrival figure leaves out terminals and the first wait: never more
    assert (ok["model_days"] <= split + 1e-9).all()
    assert ok["model_days"].gt(0).all()


def test_bundled_journeys_ship_next_to_the_network() -> None:
    # the wheel force-includes the whole network folder, so the file sits beside it
    assert journeys_path().parent == corridors.model.io.bundled_path()
    assert journeys_path().is_file()


# ---- validation ----------------------------------------------------------------------------


def test_corrupted_file_lists_every_problem(tmp_path: Path) -> None:
    net = rf.override_net()  # places a "Alpha" and b "Bravo"
    p = _write(
        tmp_path,
        _row(id="unknown-place", origin="Alpah"),
        _row(id="min-above-max", observed_days_min=5, observed_days_max=2),
        _row(id="no-source", source=""),
        _row(id="bad-mode", modes="rail,hovercraft"),
        _row(id="negative", observed_days_min=-1),
        _row(id="ok-row"),
    )
    with pytest.raises(ValidationError) as info:
        read_journeys(p, net=net)
    problems = {(pr.record, pr.field): pr for pr in info.value.problems}
    assert set(problems) == {
        ("unknown-place", "origin"),
        ("min-above-max", "observed_days_min"),
        ("no-source", "source"),
        ("bad-mode", "modes"),
        ("negative", "observed_days_min"),
    }
    assert all(pr.file == str(p) for pr in info.value.problems)
    assert "Alpha (a)" in problems[("unknown-place", "origin")].message  # closest name
    assert "swap" in problems[("min-above-max", "observed_days_min")].message
    assert "cite" in problems[("no-source", "source")].message
    assert "hovercraft" in problems[("bad-mode", "modes")].message
    text = str(info.value)
    for rid in ("unknown-place", "min-above-max", "no-source", "bad-mode", "negative"):
        assert rid in text


def test_more_field_checks(tmp_path: Path) -> None:
    net = rf.border_net()
    p = _write(
        tmp_path,
        _row(id="Bad Id", origin="p1", destination="q1"),
        _row(id="dup", origin="p1", destination="q1"),
        _row(id="dup", origin="p1", destination="q1"),
        _row(id="usd-half", origin="p1", destination="q1", observed_usd_min=100),
        _row(id="bad-date", origin="p1", destination="q1", date="2024-13"),
        _row(id="bad-conf", origin="p1", destination="q1", confidence="sure"),
        _row(id="bad-cargo", origin="p1", destination="q1", cargo="45ft"),
        _row(id="bad-cross", origin="p1", destination="q1", cross_at="Jalalabad"),
        _row(id="bad-country", origin="p1", destination="q1", avoid_countries="XYZ"),
        _row(id="", origin="p1", destination="q1"),
    )
    with pytest.raises(ValidationError) as info:
        read_journeys(p, net=net)
    got = {(pr.record, pr.field) for pr in info.value.problems}
    assert got == {
        ("Bad Id", "id"),
        ("dup", "id"),
        ("usd-half", "observed_usd_max"),
        ("bad-date", "date"),
        ("bad-conf", "confidence"),
        ("bad-cargo", "cargo"),
        ("bad-cross", "cross_at"),
        ("bad-country", "avoid_countries"),
        ("row 10", "id"),
    }


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    p = tmp_path / "j.csv"
    p.write_text("id,origin,destination,days\nx,a,b,3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_journeys(p)
    fields = {pr.field for pr in info.value.problems}
    assert {"cargo", "observed_days_min", "source", "days"} <= fields
    assert all(pr.record == "(header)" for pr in info.value.problems)


def test_crossing_accepts_shared_names_posts_and_link_ids(tmp_path: Path) -> None:
    net = rf.border_net()  # posts "Torkham PK" (p2) and "Torkham AF" (q2), link p2_q2
    p = _write(
        tmp_path,
        _row(id="by-post", origin="p1", destination="q1", cross_at="Torkham PK"),
        _row(id="by-link", origin="p1", destination="q1", cross_at="p2_q2"),
    )
    df = read_journeys(p, net=net)
    assert list(df["cross_at"]) == [("Torkham PK",), ("p2_q2",)]


def test_parsed_types(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        _row(
            modes="road, rail",
            via="v|w",
            avoid_countries="afg|irn",
            year=2030,
            observed_usd_min=10,
            observed_usd_max=20,
        ),
    )
    df = read_journeys(p)
    j = df.iloc[0]
    assert j["modes"] == ("road", "rail")
    assert j["via"] == ("v", "w")
    assert j["avoid_countries"] == ("AFG", "IRN")
    assert j["year"] == 2030
    assert (j["observed_usd_min"], j["observed_usd_max"]) == (10.0, 20.0)
    assert math.isnan(
        read_journeys(_write(tmp_path, _row(), name="b.csv"))["observed_usd_min"].iloc[0]
    )


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_journeys(tmp_path / "nope.csv")


# ---- arithmetic on a hand-made network -----------------------------------------------------
# override_net: A --road 100 km, time_h 48--> B, PAK; 40ft road tariff 2.0 USD/FEU-km and zero
# terminal handling, so the model route takes exactly 2 days and costs exactly USD 200.


def test_error_and_within_range_by_hand(tmp_path: Path) -> None:
    net = rf.override_net(time_h=48.0)
    p = _write(
        tmp_path,
        _row(
            id="inside",
            observed_days_min=1,
            observed_days_max=3,
            observed_usd_min=150,
            observed_usd_max=250,
        ),
        _row(
            id="model-slow",
            observed_days_min=0.5,
            observed_days_max=1.5,
            observed_usd_min=100,
            observed_usd_max=150,
        ),
        _row(id="model-fast", observed_days_min=3, observed_days_max=4),
        _row(
            id="on-bound",
            observed_days_min=2,
            observed_days_max=2,
            observed_usd_min=200,
            observed_usd_max=200,
        ),
    )
    df = backtest(net, read_journeys(p, net=net)).set_index("id")
    assert df["model_days"].tolist() == pytest.approx([2.0] * 4)
    assert df["model_usd"].tolist() == pytest.approx([200.0] * 4)
    # days: inside -> 0; above the range -> model - max; below -> model - min
    assert df.loc["inside", "error_days"] == 0.0
    assert df.loc["model-slow", "error_days"] == pytest.approx(0.5)
    assert df.loc["model-fast", "error_days"] == pytest.approx(-1.0)
    assert df.loc["on-bound", "error_days"] == 0.0
    # relative error vs the midpoint of the observed range
    assert df.loc["inside", "rel_error_days"] == pytest.approx(0.0)
    assert df.loc["model-slow", "rel_error_days"] == pytest.approx(1.0)  # (2 - 1) / 1
    assert df.loc["model-fast", "rel_error_days"] == pytest.approx((2 - 3.5) / 3.5)
    assert df["within_range_days"].tolist() == [True, False, False, True]
    # USD
    assert df.loc["inside", "error_usd"] == 0.0
    assert df.loc["model-slow", "error_usd"] == pytest.approx(50.0)
    assert df.loc["model-slow", "rel_error_usd"] == pytest.approx((200 - 125) / 125)
    assert df.loc["model-fast", "error_usd"] != df.loc["model-fast", "error_usd"]  # NaN
    assert df.loc["model-fast", "within_range_usd"] is pd.NA
    assert df.loc["on-bound", "within_range_usd"]
    # time split in days
    assert df.loc["inside", "running_days"] == pytest.approx(2.0)
    for col in ("waiting_days", "border_days", "transfer_days", "terminal_days"):
        assert df.loc["inside", col] == 0.0
    summary = backtest_summary(df.reset_index())
    assert summary["journeys"] == summary["routed"] == 4
    assert summary["mean_abs_error_days"] == pytest.approx((0 + 0.5 + 1.0 + 0) / 4)
    assert summary["share_within_range_days"] == pytest.approx(0.5)
    assert summary["usd_journeys"] == 3
    assert summary["mean_abs_error_usd"] == pytest.approx(50.0 / 3)


def test_constraints_and_border_split(tmp_path: Path) -> None:
    # border_net: P1 -> P2 ==border (dwell 10 h forward)==> Q2 -> Q1
    net = rf.border_net()
    p = _write(
        tmp_path,
        _row(
            id="p-q",
            origin="Peshawar",
            destination="Jalalabad",
            modes="road",
            cross_at="Torkham PK",
            observed_days_min=0.5,
            observed_days_max=1,
        ),
    )
    df = backtest(net, read_journeys(p, net=net))
    r = df.iloc[0]
    assert r["status"] == "ok"
    assert r["border_days"] == pytest.approx(10.0 / 24)
    assert r["countries"] == "PAK>AFG"
    assert r["crossings"] == "p2>q2"
    assert r["constraints"] == "modes=road; cross_at=Torkham PK"
    total = sum(r[f"{k}_days"] for k in ("running", "waiting", "border", "transfer", "terminal"))
    assert total == pytest.approx(r["model_days"])


def test_no_route_becomes_a_row(tmp_path: Path) -> None:
    net = rf.disconnected_net()
    p = _write(
        tmp_path,
        _row(id="gap", origin="Alpha", destination="Delta"),
        _row(id="fine", origin="Alpha", destination="Bravo"),
    )
    df = backtest(net, read_journeys(p, net=net)).set_index("id")
    assert df.loc["gap", "status"] == "no_route"
    assert "no route" in df.loc["gap", "message"].lower()
    assert math.isnan(df.loc["gap", "model_days"])
    assert df.loc["gap", "within_range_days"] is pd.NA
    assert df.loc["fine", "status"] == "ok"
    md = backtest_markdown(df.reset_index())
    assert "no_route" in md and "1 without a route" in md


def test_cargo_override_and_path_input(tmp_path: Path) -> None:
    net = rf.override_net(time_h=48.0)
    p = _write(tmp_path, _row(observed_usd_min=100, observed_usd_max=100))
    as_20ft = backtest(net, p, cargo="20ft")  # a path is read and checked against net
    assert as_20ft["cargo"].iloc[0] == "40ft"  # the journey's own box is still reported
    assert as_20ft["model_usd"].iloc[0] == pytest.approx(100.0)  # 1.0 USD/TEU-km x 100 km


@given(model=st.floats(-1e6, 1e6), low=st.floats(-1e6, 1e6), width=st.floats(0, 1e6))
def test_range_error_properties(model: float, low: float, width: float) -> None:
    high = low + width
    err = range_error(model, low, high)
    if low <= model <= high:
        assert err == 0.0
    else:
        assert err != 0.0
        nearest = high if model > high else low
        assert err == pytest.approx(model - nearest)
        assert (err > 0) == (model > high)
    assert math.isnan(range_error(math.nan, low, high))


# ---- CLI functions -------------------------------------------------------------------------


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="corridors")
    add_cli(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["backtest", *argv])


def test_cli_json_on_a_network_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "net"
    corridors.write_network(rf.override_net(time_h=48.0), folder)
    _write(folder, _row(id="inside"), _row(id="slow", observed_days_min=0.5, observed_days_max=1.5))
    args = _args("--network", str(folder), "--format", "json")
    assert args.func is run_cli
    assert run_cli(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert [j["id"] for j in out["journeys"]] == ["inside", "slow"]
    assert out["journeys"][1]["error_days"] == pytest.approx(0.5)
    assert out["journeys"][0]["observed_usd_min"] is None
    assert out["summary"]["routed"] == 2


def test_cli_markdown_bundled(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(_args("--format", "markdown")) == 0
    out = capsys.readouterr().out
    n = len(read_journeys(journeys_path()))
    assert out.count("\n| `") == n
    assert "journeys routed" in out


def test_cli_bad_file_exits_2_with_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "net"
    corridors.write_network(rf.override_net(time_h=48.0), folder)
    bad = _write(tmp_path, _row(id="x", origin="Nowhere"), _row(id="y", source=""), name="bad.csv")
    assert run_cli(_args(str(bad), "--network", str(folder))) == 2
    err = capsys.readouterr().err
    assert "x: origin" in err and "y: source" in err and "Traceback" not in err
    assert run_cli(_args(str(bad), "--network", str(folder), "--format", "json")) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False
    assert {(p["record"], p["field"]) for p in out["problems"]} == {
        ("x", "origin"),
        ("y", "source"),
    }
    assert run_cli(_args(str(tmp_path / "missing.csv"), "--network", str(folder))) == 2
    assert "not found" in capsys.readouterr().err


def test_span_departure_to_arrival_leaves_out_terminals_and_the_first_wait():
    import routing_fixtures as rf
    from corridors.analysis.backtest import span_hours

    r = corridors.route(rf.headway_net(), "Xport", "Yport", minimize="time", departure="random")
    total = r.time_h
    first_wait = next(leg.wait_h for leg in r.steps if leg.wait_h > 0)
    terminals = sum(leg.terminal_time_h for leg in r.steps if leg.kind == "terminal")
    assert span_hours(r, "door_to_door") == total
    assert span_hours(r, "departure_to_arrival") == pytest.approx(total - first_wait - terminals)
    with pytest.raises(corridors.ParameterError, match="span"):
        span_hours(r, "gate_to_gate")


def test_uncertainty_band_and_calibration_share(tmp_path: Path) -> None:
    """Without variance the P10-P90 band is the model's point; an observation (its range's
    midpoint) in the band counts, one outside does not; the seed fixes the band."""
    net = rf.override_net(time_h=48.0)
    p = _write(
        tmp_path,
        _row(id="inside", observed_days_min=1, observed_days_max=3),
        _row(id="slow", observed_days_min=0.5, observed_days_max=1.5),
    )
    df = backtest(
        net, read_journeys(p, net=net), simulate_runs=200, seed=3, spreads=NO_SPREADS
    ).set_index("id")
    for q in ("model_p10_days", "model_p50_days", "model_p90_days"):
        assert df[q].tolist() == pytest.approx([2.0, 2.0])
    assert df["within_band_days"].tolist() == [True, False]
    summary = backtest_summary(df.reset_index())
    assert summary["band_journeys"] == 2 and summary["share_within_band_days"] == 0.5
    assert "lie in the model's P10-P90 band" in backtest_markdown(df.reset_index())
    # PIT-style split: "inside" sits at the band's point (P10-P50); "slow" (the model slower
    # than the observation) has its observation below P10
    assert df["band_position"].tolist() == ["p10_p50", "below_p10"]
    assert summary["band_positions"] == {
        "below_p10": 1,
        "p10_p50": 1,
        "p50_p90": 0,
        "above_p90": 0,
    }
    md = backtest_markdown(df.reset_index())
    assert "obs. vs band" in md and "| <P10 |" in md
    assert "Where they fall: below P10 1 (50%), P10-P50 1 (50%)" in md
    plain = backtest(net, read_journeys(p, net=net))
    assert plain["model_p10_days"].isna().all() and plain["within_band_days"].isna().all()
    assert (plain["band_position"] == "").all()
    assert "Where they fall" not in backtest_markdown(plain)
    assert backtest_summary(plain)["share_within_band_days"] is None
    with pytest.raises(corridors.ParameterError, match="simulate_runs"):
        backtest(net, read_journeys(p, net=net), simulate_runs=-1)


@given(
    obs=st.floats(0, 100),
    qs=st.lists(st.floats(0, 100), min_size=3, max_size=3).map(sorted),
)
def test_band_position_partitions_the_line(obs: float, qs: list[float]) -> None:
    """Every observation gets exactly one position, consistent with the P10-P90 band."""
    from corridors.analysis.backtest import band_position

    pos = band_position(obs, *qs)
    assert pos in {name for name, _ in BAND_POSITIONS}
    assert (pos in ("p10_p50", "p50_p90")) == (qs[0] <= obs <= qs[2])
    assert (pos == "p10_p50") == (qs[0] <= obs <= qs[1])
    assert band_position(math.nan, *qs) == ""


def test_bundled_band_is_ordered_and_seeded(bundled: corridors.Network) -> None:
    a = backtest(bundled, journeys_path(), simulate_runs=300, seed=1)
    b = backtest(bundled, journeys_path(), simulate_runs=300, seed=1)
    # a cost-only journey (a tariff quote) has no band
    ok = a[(a["status"] == "ok") & a["observed_days_min"].notna()]
    assert len(ok) and (ok["model_p10_days"] <= ok["model_p50_days"]).all()
    assert (ok["model_p50_days"] <= ok["model_p90_days"]).all()
    assert a["model_p90_days"].equals(b["model_p90_days"])


def test_a_cost_only_journey_is_judged_on_money_only(tmp_path: Path) -> None:
    """A tariff quote with no published time: days empty, USD given; the row counts for the
    USD figures and not for the days or the band."""
    net = rf.override_net(time_h=48.0)
    p = _write(
        tmp_path,
        _row(id="timed", observed_days_min=1, observed_days_max=3),
        _row(
            id="quote",
            observed_days_min=None,
            observed_days_max=None,
            observed_usd_min=150,
            observed_usd_max=250,
        ),
    )
    df = backtest(net, read_journeys(p, net=net), simulate_runs=200).set_index("id")
    assert math.isnan(df.loc["quote", "error_days"])
    assert df.loc["quote", "error_usd"] == 0.0
    assert pd.isna(df.loc["quote", "within_band_days"])
    summary = backtest_summary(df.reset_index())
    assert summary["usd_journeys"] == 1 and summary["band_journeys"] == 1


def test_a_journey_needs_days_or_usd_and_both_bounds(tmp_path: Path) -> None:
    net = rf.override_net(time_h=48.0)
    p = _write(
        tmp_path,
        _row(id="nothing", observed_days_min=None, observed_days_max=None),
        _row(id="half", observed_days_min=2, observed_days_max=None),
    )
    with pytest.raises(ValidationError) as err:
        read_journeys(p, net=net)
    text = str(err.value)
    assert "give the observed days (min and max), the USD, or both" in text
    assert "give both day bounds" in text


# ---- rounding of single published figures ------------------------------------------------


def test_rounding_interval_by_hand() -> None:
    from corridors.analysis.backtest import rounding_interval

    assert rounding_interval(12.0, 12.0, "day") == (11.5, 12.5)
    assert rounding_interval(7.0, 7.0, "week") == (3.5, 10.5)
    lo, hi = rounding_interval(32 / 24, 32 / 24, "hour")
    assert (lo * 24, hi * 24) == pytest.approx((31.5, 32.5))
    assert rounding_interval(20.0, 25.0, "day") == (20.0, 25.0)  # a range as published
    assert rounding_interval(12.0, 12.0, "") == (12.0, 12.0)  # no unit: as published
    with pytest.raises(corridors.ParameterError, match="days_unit"):
        rounding_interval(12.0, 12.0, "month")


@given(
    x=st.floats(0.5, 60.0, allow_nan=False),
    unit=st.sampled_from(["hour", "day", "week"]),
)
def test_rounding_interval_contains_the_figure_and_spans_one_unit(x: float, unit: str) -> None:
    from corridors.analysis.backtest import DAYS_UNITS, rounding_interval

    lo, hi = rounding_interval(x, x, unit)
    assert lo < x < hi
    assert hi - lo == pytest.approx(DAYS_UNITS[unit])


def test_days_unit_is_checked(tmp_path: Path) -> None:
    net = rf.override_net()
    p = _write(
        tmp_path,
        _row(id="bad-unit", observed_days_min=2, observed_days_max=2, days_unit="month"),
        _row(id="not-whole", observed_days_min=1.33, observed_days_max=1.33, days_unit="week"),
        _row(
            id="no-days",
            observed_days_min="",
            observed_days_max="",
            observed_usd_min=100,
            observed_usd_max=100,
            days_unit="day",
        ),
        _row(id="hours-ok", observed_days_min=1.3333, observed_days_max=1.3333, days_unit="hour"),
        _row(id="range-ok", observed_days_min=1, observed_days_max=3, days_unit="day"),
    )
    with pytest.raises(ValidationError) as info:
        read_journeys(p, net=net)
    got = {(pr.record, pr.field) for pr in info.value.problems}
    assert got == {("bad-unit", "days_unit"), ("not-whole", "days_unit"), ("no-days", "days_unit")}
    text = str(info.value)
    assert "hour, day, week" in text and "whole number" in text


def test_backtest_judges_a_single_figure_against_its_rounding(tmp_path: Path) -> None:
    net = rf.override_net(time_h=62.4)  # the model: 2.6 days
    p = _write(
        tmp_path,
        _row(id="day-unit", observed_days_min=3, observed_days_max=3, days_unit="day"),
        _row(id="no-unit", observed_days_min=3, observed_days_max=3),
        _row(id="far", observed_days_min=4, observed_days_max=4, days_unit="day"),
        _row(id="range", observed_days_min=2.7, observed_days_max=4, days_unit="day"),
    )
    df = backtest(net, read_journeys(p, net=net)).set_index("id")
    assert list(df.reset_index().columns) == list(RESULT_COLUMNS)
    assert df["model_days"].tolist() == pytest.approx([2.6] * 4)
    assert df["within_range_days"].tolist() == [False, False, False, False]
    assert df["within_rounded_days"].tolist() == [True, False, False, False]
    assert df.loc["day-unit", "rounded_days_min"] == pytest.approx(2.5)
    assert df.loc["day-unit", "error_days_rounded"] == 0.0
    assert df.loc["far", "error_days_rounded"] == pytest.approx(-0.9)  # 2.6 - 3.5
    assert df.loc["range", "error_days_rounded"] == pytest.approx(-0.1)  # as published
    summary = backtest_summary(df.reset_index())
    assert summary["within_range_days"] == 0
    assert summary["within_rounded_days"] == 1
    assert summary["mean_abs_error_days_rounded"] == pytest.approx((0 + 0.4 + 0.9 + 0.1) / 4)
    md = backtest_markdown(df.reset_index())
    assert "| in rounded |" in md and "2.5–3.5" in md
    assert "0 of 4 journeys as published; 1 of 4 within the rounding interval" in md


# ---- issue 14 (costs): a journey's own objective; money like with like ------------------------


def test_a_journey_can_name_the_service_by_its_objective(tmp_path: Path) -> None:
    """choice_net: the fastest route O-T-D costs USD 900 (20 ft), the cheapest O-C-D 400. A
    journey whose minimize is cost_usd is routed the cheap way, the others the fast way; the
    constraints column says so, and the money split sums to model_usd."""
    net = rf.choice_net()
    p = _write(
        tmp_path,
        _row(
            id="fast",
            origin="o",
            destination="d",
            cargo="20ft",
            observed_usd_min=400,
            observed_usd_max=400,
        ),
        _row(
            id="priced",
            origin="o",
            destination="d",
            cargo="20ft",
            minimize="cost_usd",
            observed_usd_min=400,
            observed_usd_max=400,
        ),
    )
    df = backtest(net, read_journeys(p, net=net)).set_index("id")
    assert df.loc["fast", "model_usd"] == pytest.approx(900.0)
    assert df.loc["priced", "model_usd"] == pytest.approx(400.0)
    assert df.loc["priced", "within_range_usd"]
    assert df.loc["priced", "constraints"] == "minimize=cost_usd"
    for jid in ("fast", "priced"):
        parts = [df.loc[jid, f"{k}_usd"] for k in ("running", "border", "transfer", "terminal")]
        assert sum(parts) == pytest.approx(df.loc[jid, "model_usd"])
        assert df.loc[jid, "risk_usd_left_out"] >= 0.0  # reported, never in model_usd


def test_a_journey_objective_is_checked(tmp_path: Path) -> None:
    p = _write(tmp_path, _row(minimize="distance_km"))
    with pytest.raises(ValidationError, match="minimize"):
        read_journeys(p)


def test_bundled_backtest_money_leaves_out_the_risk_money(bundled: corridors.Network) -> None:
    """Like with like: a published price is a freight price, so the model's USD is the route's
    money cost (running, border fees, transfers, terminals), never the expected risk money."""
    js = read_journeys(journeys_path(), net=bundled)
    js = js[js["id"] == "pk-ru-karachi-moscow-rail-plan-2025"]
    row = backtest(bundled, js).iloc[0]
    parts = [row[f"{k}_usd"] for k in ("running", "border", "transfer", "terminal")]
    assert sum(parts) == pytest.approx(row["model_usd"])
    assert row["risk_usd_left_out"] > 0
