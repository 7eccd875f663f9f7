"""File-level failures of every reader become the library's errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import corridors as cor
from corridors.analysis.backtest import read_journeys
from corridors.analysis.scenario import load_scenarios
from corridors.cli.app import main
from corridors.errors import ValidationError
from corridors.model.coerce import parse_number
from netfactory import build


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    net = build("two_corridors")
    net.meta = {
        "name": "two",
        "corridors": [{"name": "west", "places": ["o", "i1", "i2", "d"], "modes": ["road"]}],
    }
    return cor.write_network(net, tmp_path / "n")


def _problems(path: Path) -> list[cor.Problem]:
    with pytest.raises(ValidationError) as info:
        cor.read_network(path)
    return info.value.problems


@pytest.mark.parametrize(
    "name", ["risk.csv", "tariffs.csv", "network.toml", "corridors.toml", "SOURCES.md"]
)
def test_a_file_that_is_a_folder_is_a_problem_naming_it(folder: Path, name: str) -> None:
    f = folder / name
    if f.exists():
        f.unlink()
    f.mkdir()
    problems = _problems(folder)
    assert any(p.file == str(f) and p.record == "(file)" for p in problems), problems


@pytest.mark.parametrize(
    "body, words",
    [
        ('[[corridor]]\nname = "x"\nplaces = ["o", "d"]\nmodes = 5\n', "5 is not a list of modes"),
        ('[[corridor]]\nname = "x"\nplaces = [["o"], "d"]\n', "['o'] is not a place id"),
        ('[[corridor]]\nname = 3\nplaces = ["o", "d"]\n', "a corridor needs a name"),
        ('[[corridor]]\nname = "x"\nplaces = ["o", "d"]\nmodes = [1]\n', "1 is not allowed"),
        ("x = " + "[" * 500 + "]" * 500 + "\n", "nested too deep"),
        ('corridor = "\\xff"', "not valid TOML"),
    ],
)
def test_corridors_toml_with_wrong_types(folder: Path, body: str, words: str) -> None:
    (folder / "corridors.toml").write_text(body, encoding="utf-8")
    problems = _problems(folder)
    hits = [p for p in problems if p.file == str(folder / "corridors.toml")]
    assert any(words in p.message for p in hits), problems


def test_non_utf8_toml_and_sources(folder: Path) -> None:
    (folder / "network.toml").write_bytes(b'name = "caf\xe9"\n')
    (folder / "SOURCES.md").write_bytes(b"**[test]** caf\xe9\n")
    problems = _problems(folder)
    for name in ("network.toml", "SOURCES.md"):
        assert any(p.file == str(folder / name) and "not UTF-8" in p.message for p in problems), (
            problems
        )


def test_a_network_name_that_is_not_text(folder: Path) -> None:
    (folder / "network.toml").write_text("name = [1, 2]\n")
    problems = _problems(folder)
    assert any(p.field == "name" and "not a network name" in p.message for p in problems)


def test_a_null_place_id_named_by_a_corridor(folder: Path) -> None:
    places = json.loads((folder / "places.geojson").read_text())
    places["features"][0]["properties"]["id"] = None
    (folder / "places.geojson").write_text(json.dumps(places))
    problems = _problems(folder)
    assert any(p.field == "id" for p in problems)


@pytest.mark.parametrize(
    "cell", ["1_5", "\u0661\u0665", "nan", "inf", "1,5", "0x10", "15 km", "\uff11\uff15"]
)
def test_strict_numbers_in_csv_cells(folder: Path, cell: str) -> None:
    f = folder / "speeds.csv"
    lines = f.read_text("utf-8").splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("speed_kmh")] = f'"{cell}"'
    f.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    problems = _problems(folder)
    hit = [p for p in problems if p.file == str(f) and p.field == "speed_kmh"]
    assert hit, problems
    assert repr(cell) in hit[0].message


@pytest.mark.parametrize(
    "text, value", [("15", 15.0), (" -3.5 ", -3.5), ("1e3", 1000.0), (".5", 0.5), ("+2.", 2.0)]
)
def test_parse_number_accepts_plain_numbers(text: str, value: float) -> None:
    assert parse_number(text) == (value, None)


@pytest.mark.parametrize("text", ["1_5", "\u0661", "NaN", "-inf", "1e999", "", "1.2.3", "١٫٥"])
def test_parse_number_rejects_the_rest(text: str) -> None:
    x, error = parse_number(text)
    assert x is None and error and repr(text) in error


def test_journeys_not_utf8_is_a_problem_and_exit_2(
    tmp_path: Path, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    j = tmp_path / "j.csv"
    j.write_bytes(b"id,origin,destination,source\nx,o,d,caf\xe9\n")
    with pytest.raises(ValidationError) as info:
        read_journeys(j)
    assert info.value.problems[0].file == str(j) and "not UTF-8" in str(info.value)
    assert main(["backtest", str(j), "--network", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "Traceback" not in err
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(ValidationError, match="cannot be read as CSV"):
        read_journeys(tmp_path / "d.csv")


def test_journey_figures_are_parsed_strictly(tmp_path: Path) -> None:
    j = tmp_path / "j.csv"
    j.write_text(
        "id,origin,destination,cargo,observed_days_min,observed_days_max,date,source,"
        "confidence\nx,o,d,40ft,1_5,\u0662\u0660,2024,test,approx\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as info:
        read_journeys(j)
    got = {p.field: p.message for p in info.value.problems if p.record == "x"}
    assert "'1_5' is not a number of days" in got["observed_days_min"]
    assert "'\u0662\u0660' is not a number of days" in got["observed_days_max"]


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.mkdir(), "a folder, not a file"),
        (lambda p: p.write_bytes(b'name = "\xff"\n'), "not UTF-8"),
        (lambda p: p.write_text("x = " + "[" * 1000 + "]" * 1000 + "\n"), "nested too deep"),
        (lambda p: p.write_text('name = "s"\nod = 5\n'), "od"),
    ],
)
def test_scenario_file_failures(tmp_path: Path, make, words: str) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "s.toml"
    make(p)
    with pytest.raises(ValidationError) as info:
        load_scenarios(p)
    assert str(p) in str(info.value) and words in str(info.value)


@pytest.mark.parametrize(
    "table, field",
    [
        ("links.geojson", "time_h"),
        ("links.geojson", "usd_per_teu_km"),
        ("tariffs.csv", "usd_per_feu_km"),
    ],
)
def test_implausibly_large_numbers_are_problems(folder: Path, table: str, field: str) -> None:
    f = folder / table
    if table.endswith(".geojson"):
        doc = json.loads(f.read_text("utf-8"))
        doc["features"][0]["properties"][field] = 1e308
        f.write_text(json.dumps(doc), encoding="utf-8")
    else:
        lines = f.read_text("utf-8").splitlines()
        row = lines[1].split(",")
        row[lines[0].split(",").index(field)] = "1e308"
        f.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    problems = _problems(folder)
    assert any(
        p.file == str(f) and p.field == field and "implausibly large" in p.message for p in problems
    ), problems
