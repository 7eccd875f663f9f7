"""`corridors route` on small networks written to tmp_path (never the bundled dataset)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import corridors as cor
import routing_fixtures as rf
from corridors.cli.app import main


@pytest.fixture
def seg_path(tmp_path):
    """segments_net: Alpha ... gauge break at Zulu ... border Quebec > Romeo ... Sierra."""
    return str(cor.write_network(rf.segments_net(), tmp_path / "segments"))


@pytest.fixture
def corridors_path(tmp_path):
    return str(cor.write_network(rf.corridors_net(), tmp_path / "corridors"))


def run(capsys, *argv):
    code = main(["route", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_table_output_shows_totals_border_and_transfer(capsys, seg_path):
    code, out, err = run(capsys, "Alpha", "Sierra", "--network", seg_path)
    assert code == 0, err
    # 560 km; 560 / 40 + 20 h transload + 12 h border = 46 h; 560 + 400 + 80 = USD 1,040
    assert "560 km" in out
    assert "46 h" in out and "1.9 days" in out
    assert "USD 1,040" in out
    assert "1 border crossings" in out and "1 transfers" in out
    lines = out.splitlines()
    border = [ln for ln in lines if "BORDER" in ln]
    assert len(border) == 1 and "Quebec" in border[0] and "Romeo" in border[0]
    transfer = [ln for ln in lines if "transfer at" in ln]
    assert len(transfer) == 1
    assert "Zulu" in transfer[0] and "rail-1676 > rail-1435" in transfer[0]
    assert "transload" in transfer[0]
    total = [ln for ln in lines if ln.strip().startswith("TOTAL")]
    assert len(total) == 1
    assert total[0].split()[1:] == ["560", "46.0", "1,040"]
    assert "PAK > AFG" in out


def test_json_output(capsys, seg_path):
    code, out, err = run(capsys, "a", "s", "--network", seg_path, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    r = data["routes"][0]
    assert len(data["routes"]) == 1
    assert len(r["legs"]) == 8
    assert [leg["kind"] for leg in r["legs"]] == [
        "terminal",
        "link",
        "link",
        "transfer",
        "link",
        "border",
        "link",
        "terminal",
    ]
    assert r["cost_usd"] == pytest.approx(1040.0)
    assert r["time_h"] == pytest.approx(46.0)
    assert r["n_border_crossings"] == 1 and r["n_transfers"] == 1
    assert r["origin"] == "a" and r["destination"] == "s"
    assert "NaN" not in out


def test_json_matches_library(capsys, seg_path):
    code, out, _ = run(
        capsys,
        "a",
        "s",
        "--network",
        seg_path,
        "--format",
        "json",
        "--minimize",
        "time",
        "--cargo",
        "20ft",
    )
    assert code == 0
    r = cor.route(
        cor.read_network(seg_path), "a", "s", minimize="time", cargo=cor.Cargo.container("20ft")
    )
    got = json.loads(out)["routes"][0]
    assert got["minimize"] == "time_h"
    assert got["cost_usd"] == pytest.approx(r.cost_usd, abs=0.01)
    assert [leg["link_id"] for leg in got["legs"]] == [leg.link_id for leg in r.steps]


def test_csv_output_one_row_per_leg(capsys, seg_path):
    code, out, err = run(capsys, "Alpha", "Sierra", "--network", seg_path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert set(rows[0]) >= {
        "route",
        "seq",
        "kind",
        "from_id",
        "to_id",
        "distance_km",
        "time_h",
        "cost_usd",
        "cum_distance_km",
        "cum_time_h",
        "cum_cost_usd",
    }
    assert [r["seq"] for r in rows] == [str(i) for i in range(8)]
    assert {r["route"] for r in rows} == {"1"}
    assert float(rows[-1]["cum_distance_km"]) == pytest.approx(560.0)
    assert float(rows[-1]["cum_cost_usd"]) == pytest.approx(1040.0)
    assert [r["kind"] for r in rows].count("border") == 1


def test_k3_alternatives(capsys, corridors_path):
    code, out, err = run(
        capsys, "Origin", "Dest", "--network", corridors_path, "--k", "3", "--format", "json"
    )
    assert code == 0, err
    routes = json.loads(out)["routes"]
    # only two materially different routes exist: west via IRN (USD 1200), east via AFG (1300)
    assert len(routes) == 2
    assert [r["objective"] for r in routes] == [pytest.approx(1200.0), pytest.approx(1300.0)]
    assert routes[0]["countries"] == ["PAK", "IRN", "TKM"]
    assert routes[1]["countries"] == ["PAK", "AFG", "TKM"]
    code, out, err = run(capsys, "Origin", "Dest", "--network", corridors_path, "--k", "3")
    assert code == 0
    assert "Route 1 of 2" in out and "Route 2 of 2" in out


def test_k3_csv_numbers_routes(capsys, corridors_path):
    code, out, _ = run(capsys, "o", "d", "--network", corridors_path, "--k", "3", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["route"] for r in rows] == ["1"] * 5 + ["2"] * 5


def test_avoid_country_options(capsys, corridors_path):
    code, out, err = run(
        capsys, "o", "d", "--network", corridors_path, "--avoid-country", "IRN", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["routes"][0]["countries"] == ["PAK", "AFG", "TKM"]
    # ISO2 code works too
    code, out, err = run(
        capsys, "o", "d", "--network", corridors_path, "--avoid-country", "IR", "--format", "json"
    )
    assert code == 0, err
    assert "IRN" not in json.loads(out)["routes"][0]["countries"]


def test_avoid_country_without_route_exits_3_naming_country(capsys, tmp_path):
    path = str(cor.write_network(rf.corridors_net(east=False), tmp_path / "west_only"))
    code, out, err = run(capsys, "Origin", "Dest", "--network", path, "--avoid-country", "IRN")
    assert code == 3
    assert "no route" in err and "IRN" in err
    assert out == ""


def test_avoiding_both_transit_countries_exits_3(capsys, corridors_path):
    code, out, err = run(
        capsys, "o", "d", "--network", corridors_path, "--avoid-country", "IRN", "AFG"
    )
    assert code == 3
    assert "no route" in err and "IRN" in err
    assert out == ""


def test_unknown_place_exits_2_with_suggestions(capsys, seg_path):
    code, out, err = run(capsys, "Alpah", "Sierra", "--network", seg_path)
    assert code == 2
    assert "unknown place" in err and "Alpah" in err
    assert "Alpha (a)" in err
    assert out == ""


def test_bad_objective_exits_2(capsys, seg_path):
    code, _, err = run(capsys, "a", "s", "--network", seg_path, "--minimize", "fastest")
    assert code == 2
    assert "cost_usd" in err


def test_options_passed_through(capsys, seg_path, tmp_path):
    # via, max-transfers, modes and year reach the library
    code, out, err = run(
        capsys,
        "a",
        "s",
        "--network",
        seg_path,
        "--via",
        "Quebec",
        "--modes",
        "rail",
        "--year",
        "2030",
        "--cargo",
        "5t",
        "--format",
        "json",
    )
    assert code == 0, err
    r = json.loads(out)["routes"][0]
    assert r["constraints"] == {"year": 2030, "modes": ["rail"], "via": ["q"]}
    assert r["cargo"].startswith("5 t")
    code, out, err = run(capsys, "a", "s", "--network", seg_path, "--max-transfers", "0")
    assert code == 3
    assert "max_transfers=0" in err


@pytest.fixture
def headway_path(tmp_path):
    """headway_net: Xport --ferry 200 km, a departure every 24 h--> Yport."""
    return str(cor.write_network(rf.headway_net(), tmp_path / "headway"))


@pytest.mark.parametrize(("departure", "door_h"), [("booked", 10.0), ("random", 22.0)])
def test_departure_option_matches_library_and_text_reports_both_spans(
    capsys, headway_path, departure, door_h
):
    # booked: no wait for the ferry; random: half its 24-h headway; transit 10 h either way
    lib = cor.route(cor.read_network(headway_path), "Xport", "Yport", departure=departure)
    assert lib.time_h == pytest.approx(door_h) and lib.transit_time_h == pytest.approx(10.0)
    argv = ["Xport", "Yport", "--network", headway_path, "--departure", departure]
    code, out, err = run(capsys, *argv, "--format", "json")
    assert code == 0, err
    summary = json.loads(out)["routes"][0]
    assert summary["departure"] == departure
    assert summary["time_h"] == pytest.approx(door_h)
    assert summary["transit_time_h"] == pytest.approx(10.0)
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert (
        f"door to door {door_h / 24:.1f} d (first departure {departure}, connections random)" in out
    )
    assert "transit 0.4 d from the first departure" in out


def test_unknown_departure_is_refused(capsys, seg_path):
    with pytest.raises(SystemExit) as exc:
        main(["route", "Alpha", "Sierra", "--network", seg_path, "--departure", "whenever"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
