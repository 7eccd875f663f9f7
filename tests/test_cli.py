"""The command line, run in-process with ``corridors.cli.main`` (one test runs it as a program)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import corridors as cor
from corridors.cli.app import main
from netfactory import build

META = {"name": "demo", "description": "Two corridors for the CLI tests", "currency_year": 2024}


@pytest.fixture
def good(tmp_path) -> Path:
    folder = tmp_path / "good"
    cor.write_network(build("two_corridors", meta=META, sources={"test": "Test data"}), folder)
    return folder


@pytest.fixture
def broken(tmp_path, good) -> Path:
    """A copy of ``good`` with several problems in several files."""
    folder = tmp_path / "broken"
    cor.write_network(cor.read_network(good), folder)
    links = (folder / "links.geojson").read_text("utf-8")
    links = links.replace('"mode": "road"', '"mode": "air"', 1)  # o_i1: mode
    links = links.replace('"to_id": "i2"', '"to_id": "nowhere"', 1)  # i1_i2: to_id
    (folder / "links.geojson").write_text(links, encoding="utf-8")
    places = (folder / "places.geojson").read_text("utf-8")
    places = places.replace('"country": "TKM"', '"country": "Turkmenistan"', 1)  # d: country
    (folder / "places.geojson").write_text(places, encoding="utf-8")
    speeds = (folder / "speeds.csv").read_text("utf-8").splitlines()
    speeds[1] = speeds[1] + ",surplus"  # line 2: cells
    (folder / "speeds.csv").write_text("\n".join(speeds) + "\n", encoding="utf-8")
    return folder


EXPECTED_PROBLEMS = [  # (file name, record, field)
    ("links.geojson", "id 'o_i1'", "mode"),
    ("links.geojson", "id 'i1_i2'", "to_id"),
    ("places.geojson", "id 'd'", "country"),
    ("speeds.csv", "line 2", ""),
]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------------------------
# network validate
# --------------------------------------------------------------------------------------------


def test_validate_good_folder(capsys, good):
    code, out, err = run(capsys, "network", "validate", good)
    assert code == 0, out + err
    assert out.strip() == f"{good}: valid (6 places, 6 links)"


def test_validate_good_gpkg(capsys, tmp_path, good):
    f = tmp_path / "good.gpkg"
    cor.write_network(cor.read_network(good), f)
    code, out, _ = run(capsys, "network", "validate", f, "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "path": str(f),
        "valid": True,
        "problems": [],
        "places": 6,
        "links": 6,
    }


def test_validate_broken_folder_lists_every_problem(capsys, broken):
    code, out, _ = run(capsys, "network", "validate", broken)
    assert code == 2
    with pytest.raises(cor.ValidationError) as info:
        cor.read_network(broken)
    problems = info.value.problems
    for name, record, field in EXPECTED_PROBLEMS:
        assert any(
            Path(p.file).name == name and p.record == record and p.field == field for p in problems
        ), (name, record, field)
    for p in problems:
        assert str(p) in out
    assert out.rstrip().endswith(f"{broken}: INVALID ({len(problems)} problems)")


def test_validate_broken_folder_json(capsys, broken):
    code, out, _ = run(capsys, "network", "validate", broken, "--format", "json")
    assert code == 2
    doc = json.loads(out)
    assert doc["valid"] is False and doc["path"] == str(broken)
    assert all(set(p) == {"file", "record", "field", "message"} for p in doc["problems"])
    got = {(Path(p["file"]).name, p["record"], p["field"]) for p in doc["problems"]}
    assert set(EXPECTED_PROBLEMS) <= got
    assert len(doc["problems"]) == len(got)


def test_validate_missing_path(capsys, tmp_path):
    code, out, err = run(capsys, "network", "validate", tmp_path / "nowhere")
    assert code == 2
    assert "no network at" in err and out == ""


def test_validate_unreadable_file(capsys, tmp_path, good):
    (good / "places.geojson").write_bytes(b"\x00garbage")
    code, out, _ = run(capsys, "network", "validate", good)
    assert code == 2
    assert f"{good / 'places.geojson'}: (file): cannot be read" in out


# --------------------------------------------------------------------------------------------
# network info
# --------------------------------------------------------------------------------------------


def test_info_json_is_network_info(capsys, good):
    code, out, _ = run(capsys, "network", "info", good, "--format", "json")
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(cor.read_network(good).info()))


def test_info_text(capsys, good):
    info = cor.read_network(good).info()
    code, out, _ = run(capsys, "network", "info", good)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        f"demo: 6 places, 6 links, {info['total_km']:,.0f} km, 4 border-crossing links"
    )
    assert lines[1] == META["description"]
    for title in (
        "Links by mode:",
        "Links by status:",
        "Links by kind:",
        "Links by country:",
        "Places by country:",
    ):
        assert title in lines
    assert "Sources cited: 1" in lines
    assert "crossings (8 rows)" in out


def test_info_broken_network_exit_2(capsys, broken):
    code, out, err = run(capsys, "network", "info", broken)
    assert code == 2
    assert "id 'o_i1': mode" in err


# --------------------------------------------------------------------------------------------
# places
# --------------------------------------------------------------------------------------------


def test_places_table(capsys, good):
    code, out, _ = run(capsys, "places", "--network", good)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "country", "kind", "lat", "lon", "aliases"]
    assert lines[-1] == "6 places"
    # sorted by country then id
    body = [line.split()[0] for line in lines[2:-2]]
    assert body == ["f1", "f2", "i1", "i2", "o", "d"]


@pytest.mark.parametrize("country", ["AFG", "afg", "AF", " af "])
def test_places_by_country_iso3_or_iso2(capsys, good, country):
    code, out, _ = run(
        capsys, "places", "--network", good, "--country", country, "--format", "json"
    )
    assert code == 0
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["f1", "f2"]
    assert rows[0] == {
        "id": "f1",
        "name": "Kandahar",
        "country": "AFG",
        "kind": "city",
        "lat": "31.6000",
        "lon": "65.7000",
        "aliases": "",
    }


def test_places_by_kind_csv(capsys, good):
    code, out, _ = run(
        capsys, "places", "--network", good, "--kind", "border_post", "--format", "csv"
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["id"], r["country"]) for r in rows] == [("i1", "IRN")]


def test_places_country_and_kind_combined(capsys, good):
    code, out, _ = run(
        capsys,
        "places",
        "--network",
        good,
        "--country",
        "IRN",
        "--kind",
        "city",
        "--format",
        "json",
    )
    assert code == 0 and [r["id"] for r in json.loads(out)] == ["i2"]


@pytest.mark.parametrize(
    "code_arg, message",
    [
        ("XX", "unknown country code 'XX'; use ISO 3166-1 alpha-3"),
        ("Pakistan", "'Pakistan' is not a country code"),
        ("P4K", "'P4K' is not a country code"),
    ],
)
def test_places_unknown_country_code(capsys, good, code_arg, message):
    code, out, err = run(capsys, "places", "--network", good, "--country", code_arg)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and message in err


def test_places_unknown_kind(capsys, good):
    code, _, err = run(capsys, "places", "--network", good, "--kind", "airport")
    assert code == 2
    assert "unknown place kind 'airport'" in err and "border_post" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["network", "validate", "--format", "xml"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"corridors {cor.__version__}"


# --------------------------------------------------------------------------------------------
# as a program
# --------------------------------------------------------------------------------------------


def test_entry_point_runs_as_a_program(good, broken):
    ok = subprocess.run(
        [sys.executable, "-m", "corridors.cli", "network", "validate", str(good)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "valid (6 places, 6 links)" in ok.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridors.cli",
            "network",
            "validate",
            str(broken),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2, bad.stderr
    assert json.loads(bad.stdout)["valid"] is False


def test_console_script_is_installed(good):
    script = Path(sys.executable).with_name("corridors")
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    res = subprocess.run(
        [str(script), "places", "--network", str(good), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)) == 6


# --------------------------------------------------------------------------------------------
# exit codes: one handler in main
# --------------------------------------------------------------------------------------------


def _raising(exc: BaseException):
    def func(args):
        raise exc

    return func


def _patch_places(monkeypatch, exc: BaseException) -> None:
    import corridors.cli.app as cli

    real = cli.build_parser

    def parser():
        p = real()
        sub = next(a for a in p._actions if isinstance(a, __import__("argparse")._SubParsersAction))
        sub.choices["places"].set_defaults(func=_raising(exc))
        return p

    monkeypatch.setattr(cli, "build_parser", parser)


def test_a_bug_exits_70_with_a_short_message_and_no_traceback(capsys, monkeypatch, good):
    _patch_places(monkeypatch, ZeroDivisionError("division by zero\nsecond line"))
    code, out, err = run(capsys, "places", "--network", good)
    assert code == 70
    assert err.startswith("internal error: ZeroDivisionError: division by zero\n")
    assert "second line" not in err and "Traceback" not in err
    assert "please report it" in err and "--debug" in err


def test_debug_prints_the_traceback_of_a_bug(capsys, monkeypatch, good):
    _patch_places(monkeypatch, KeyError("x"))
    code, _, err = run(capsys, "--debug", "places", "--network", good)
    assert code == 70
    assert "Traceback (most recent call last)" in err and "internal error: KeyError" in err


def test_ctrl_c_exits_130(capsys, monkeypatch, good):
    _patch_places(monkeypatch, KeyboardInterrupt())
    code, _, err = run(capsys, "places", "--network", good)
    assert code == 130 and err.strip() == "interrupted"


@pytest.mark.parametrize(
    "exc, expected",
    [
        (cor.ParameterError("bad k"), 2),
        (cor.ValidationError([]), 2),
        (cor.UnknownPlaceError("Nowhere"), 2),
        (FileNotFoundError("no such file: x.csv"), 2),
        (cor.NoRouteError("no route: all crossings closed"), 3),
        (cor.errors.WriteError("cannot write file x: disk full"), 74),
    ],
)
def test_library_errors_have_distinct_exit_codes(capsys, monkeypatch, good, exc, expected):
    _patch_places(monkeypatch, exc)
    code, out, err = run(capsys, "places", "--network", good)
    assert code == expected and out == ""
    assert "Traceback" not in err and "internal error" not in err


def test_help_documents_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for line in (
        "0    success",
        "2    bad input",
        "3    no route",
        "70   internal error",
        "74   an output file could not be written",
        "130  interrupted",
    ):
        assert line in out


def test_compare_out_that_is_a_file_exits_74_before_any_output(capsys, tmp_path):
    scen = tmp_path / "s.toml"
    scen.write_text('name = "s"\nod = [["Karachi", "Moscow"]]\n')
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    code, out, err = run(capsys, "compare", scen, "--out", blocker)
    assert code == 74 and out == ""
    assert f"cannot write to {blocker}: it is a file" in err
    assert blocker.read_text() == "not a folder"


def _drop_rows(f: Path, keep) -> None:
    with f.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(r for r in rows if keep(r))


def test_validate_reports_missing_speeds_and_tariffs(capsys, good):
    _drop_rows(
        good / "speeds.csv", lambda r: not (r["mode"] == "road" and r["country"] in ("*", "IRN"))
    )
    _drop_rows(
        good / "tariffs.csv", lambda r: not (r["mode"] == "road" and r["country"] in ("*", "AFG"))
    )
    cor.read_network(good)  # the files themselves are valid
    code, out, _ = run(capsys, "network", "validate", good, "--format", "json")
    assert code == 2
    doc = json.loads(out)
    got = {(Path(p["file"]).name, p["record"], p["field"]) for p in doc["problems"]}
    assert got == {
        ("speeds.csv", "(road, IRN)", "speed_kmh"),
        ("tariffs.csv", "(road, AFG)", "usd_per_teu_km"),
        ("tariffs.csv", "(road, AFG)", "usd_per_feu_km"),
        ("tariffs.csv", "(road, AFG)", "usd_per_tonne_km"),
    }
    speed = next(p for p in doc["problems"] if p["field"] == "speed_kmh")
    assert "i1_i2" in speed["message"] and "add a speeds row for (road, IRN)" in speed["message"]
    code, out, _ = run(capsys, "network", "validate", good)
    assert code == 2 and "routing needs data the tables lack" in out


def test_validate_passes_the_bundled_network(capsys):
    code, out, _ = run(capsys, "network", "validate")
    assert code == 0 and "valid" in out


def test_python_dash_m_corridors_is_the_corridors_command() -> None:
    """``python -m corridors`` runs the same program as ``corridors`` (users and the
    reference sheets' commands try it first)."""
    done = subprocess.run(
        [sys.executable, "-m", "corridors", "network", "info"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "places" in done.stdout
