"""Reading and writing networks: round trips, atomic writes, unreadable files, bundled data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import corridors as cor
import corridors.model.io as cio
from corridors.errors import Problem, ValidationError
from netfactory import SPECS, assert_same_network, build

SOURCES = {"test": "A test citation, 2025.", "wiki-ml1": 'Wikipedia, "ML-1" (route map).'}
META = {
    "name": "demo",
    "description": "A démo network — with unicode",
    "currency_year": 2024,
    "version": "0.1.0",
}


def demo(name: str = "border_pair", **changes) -> cor.Network:
    return build(name, meta=META, sources=SOURCES, **changes)


def problems_of(err: ValidationError, file_suffix: str) -> list[Problem]:
    return [p for p in err.problems if p.file.endswith(file_suffix)]


def read_error(path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        cor.read_network(path)
    return info.value


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


# --------------------------------------------------------------------------------------------
# round trips
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("target", ["net", "net.gpkg"])
def test_round_trip(tmp_path, name, target):
    net = demo(name)
    out = cor.write_network(net, tmp_path / target)
    assert out == tmp_path / target
    back = cor.read_network(out)
    assert_same_network(net, back)
    assert back.meta == META
    assert back.sources == SOURCES
    assert back.origin == str(out)


@pytest.mark.parametrize("target", ["net", "net.gpkg"])
def test_round_trip_twice_is_stable(tmp_path, target):
    net = demo("gauge_break")
    cor.write_network(net, tmp_path / target)
    once = cor.read_network(tmp_path / target)
    cor.write_network(once, tmp_path / f"again-{target}")
    assert_same_network(once, cor.read_network(tmp_path / f"again-{target}"))


def test_folder_files_are_written(tmp_path):
    cor.write_network(demo(), tmp_path / "net")
    assert sorted(os.listdir(tmp_path / "net")) == [
        "SOURCES.md",
        "crossings.csv",
        "links.geojson",
        "network.toml",
        "operations.csv",
        "places.geojson",
        "risk.csv",
        "speeds.csv",
        "tariffs.csv",
    ]
    text = (tmp_path / "net" / "links.geojson").read_text("utf-8")
    assert text.count("\n") == len(demo().links) + 2  # one feature per line
    header = (tmp_path / "net" / "crossings.csv").read_text("utf-8").splitlines()[0]
    assert header.startswith("link_id,direction,mode,dwell_median_h")
    assert cio.parse_sources_md((tmp_path / "net" / "SOURCES.md").read_text("utf-8")) == SOURCES


def test_folder_and_gpkg_read_the_same(tmp_path):
    net = demo("two_corridors")
    cor.write_network(net, tmp_path / "net")
    cor.write_network(net, tmp_path / "net.gpkg")
    assert_same_network(cor.read_network(tmp_path / "net"), cor.read_network(tmp_path / "net.gpkg"))


def test_text_with_line_breaks_and_unicode_survives(tmp_path):
    spec = SPECS["tiny_line"]()
    spec["places"][0]["notes"] = 'first line\r\nsecond\rthird\n"quoted", comma'
    spec["places"][1]["name"] = "Türkmenbaşy — Ələt 港"
    spec["tariffs"][0]["notes"] = 'a,b\r\n"c"\rd'
    spec["speeds"][0]["notes"] = "a bare\rcarriage return"  # was written unquoted
    net = build("tiny_line", **spec)
    for target in ("net", "net.gpkg"):
        cor.write_network(net, tmp_path / target)
        assert_same_network(net, cor.read_network(tmp_path / target))


def test_crlf_csv_files_are_read(tmp_path):
    cor.write_network(demo(), tmp_path / "net")
    f = tmp_path / "net" / "speeds.csv"
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    assert_same_network(demo(), cor.read_network(tmp_path / "net"))


def test_default_name_is_the_folder_name(tmp_path):
    net = build("tiny_line")  # no meta
    cor.write_network(net, tmp_path / "my-net")
    assert not (tmp_path / "my-net" / "network.toml").exists()
    assert cor.read_network(tmp_path / "my-net").name == "my-net"
    cor.write_network(net, tmp_path / "other.gpkg")
    assert cor.read_network(tmp_path / "other.gpkg").name == "other"


def test_write_creates_parent_folders(tmp_path):
    cor.write_network(demo(), tmp_path / "a" / "b" / "net")
    cor.write_network(demo(), tmp_path / "c" / "d" / "net.gpkg")
    assert cor.read_network(tmp_path / "a" / "b" / "net").name == "demo"
    assert cor.read_network(tmp_path / "c" / "d" / "net.gpkg").name == "demo"


# --------------------------------------------------------------------------------------------
# atomic writes
# --------------------------------------------------------------------------------------------


def test_overwrite_keeps_unknown_files_and_drops_stale_tables(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "build").mkdir()
    (folder / "build" / "make.py").write_text("print('build')\n")
    (folder / "README.md").write_text("notes\n")
    smaller = build("border_pair", risk=None, meta=META, sources=SOURCES)
    cor.write_network(smaller, folder)
    assert (folder / "build" / "make.py").read_text() == "print('build')\n"
    assert (folder / "README.md").read_text() == "notes\n"
    assert not (folder / "risk.csv").exists()  # a table the network no longer has
    assert_same_network(smaller, cor.read_network(folder))
    assert leftovers(tmp_path) == []


def test_overwrite_keeps_hand_written_sources_md(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    hand = "# Bibliography\n\nWritten by hand.\n\n" + "".join(
        f"- **[{k}]** {v}\n" for k, v in SOURCES.items()
    )
    (folder / "SOURCES.md").write_text(hand, encoding="utf-8")
    cor.write_network(cor.read_network(folder), folder)
    assert (folder / "SOURCES.md").read_text("utf-8") == hand


def test_failed_folder_write_leaves_old_folder_intact(tmp_path, monkeypatch):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "build").mkdir()
    (folder / "build" / "keep.txt").write_text("x")
    before = snapshot(folder)

    calls = []

    def broken_csv(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # after places, links and two tables were written
            raise OSError("disk full")
        return real_csv(*args, **kwargs)

    real_csv = cio._csv
    monkeypatch.setattr(cio, "_csv", broken_csv)
    with pytest.raises(OSError, match="disk full"):
        cor.write_network(build("two_corridors"), folder)
    assert len(calls) == 3
    assert snapshot(folder) == before
    assert leftovers(tmp_path) == []
    monkeypatch.undo()
    assert_same_network(demo(), cor.read_network(folder))


def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("crash")

    monkeypatch.setattr(cio, "_geojson", boom)
    with pytest.raises(RuntimeError):
        cor.write_network(demo(), tmp_path / "net")
    assert os.listdir(tmp_path) == []


def test_failed_gpkg_write_leaves_old_file_intact(tmp_path, monkeypatch):
    f = tmp_path / "net.gpkg"
    cor.write_network(demo(), f)
    before = f.read_bytes()
    import pyogrio  # (corridors.model.io imports it where it reads or writes a file)

    real = pyogrio.write_dataframe

    def broken(df, path, layer=None, **kwargs):
        if layer == "crossings":
            raise OSError("disk full")
        return real(df, path, layer=layer, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(OSError, match="disk full"):
        cor.write_network(build("two_corridors"), f)
    monkeypatch.undo()
    assert f.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.gpkg"]
    assert_same_network(demo(), cor.read_network(f))


def test_overwrite_gpkg_replaces_layers(tmp_path):
    f = tmp_path / "net.gpkg"
    cor.write_network(demo("two_corridors"), f)
    small = build("tiny_line", risk=None)
    cor.write_network(small, f)
    back = cor.read_network(f)
    assert_same_network(small, back)
    assert "risk" not in back.tables and back.meta == {"name": "net"}


# --------------------------------------------------------------------------------------------
# unreadable or incomplete data
# --------------------------------------------------------------------------------------------


def test_missing_path_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no network at"):
        cor.read_network(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError):
        cor.read_network(tmp_path / "nowhere.gpkg")


def test_not_a_network_file(tmp_path):
    f = tmp_path / "net.txt"
    f.write_text("hello")
    err = read_error(f)
    assert err.problems[0].file == str(f) and "not a network" in err.problems[0].message


@pytest.mark.parametrize("missing", ["links.geojson", "places.geojson"])
def test_folder_missing_a_geojson(tmp_path, missing):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / missing).unlink()
    err = read_error(folder)
    (p,) = problems_of(err, missing)
    assert p.file == str(folder / missing) and "missing" in p.message
    assert str(folder / missing) in str(err)


def test_empty_folder_names_both_files(tmp_path):
    err = read_error(tmp_path)
    assert {Path(p.file).name for p in err.problems} == {"places.geojson", "links.geojson"}


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe garbage \x89PNG\r\n",
        b'{"type": "FeatureCollection", "features": [',
        b"",
        "not json at all ✓".encode(),
    ],
)
def test_unreadable_places_geojson(tmp_path, content):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "places.geojson").write_bytes(content)
    err = read_error(folder)
    (p,) = problems_of(err, "places.geojson")
    assert p.record == "(file)" and "cannot be read" in p.message


def test_geojson_without_geometry_or_features(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "links.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    err = read_error(folder)
    assert problems_of(err, "links.geojson")
    assert all(isinstance(p, Problem) for p in err.problems)


def test_csv_with_wrong_number_of_cells(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    f = folder / "crossings.csv"
    lines = f.read_text("utf-8").splitlines()
    lines[1] += ",extra"
    lines[2] = lines[2].rsplit(",", 3)[0]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = read_error(folder)
    got = {(p.record, p.message) for p in problems_of(err, "crossings.csv")}
    assert ("line 2", "11 cells but the header has 10") in got
    assert ("line 3", "7 cells but the header has 10") in got


@pytest.mark.parametrize(
    "content, contains",
    [
        (b"\xff\xfe\x00mode,country\n", "not a UTF-8 CSV"),
        (b"", "empty file"),
    ],
)
def test_unreadable_csv(tmp_path, content, contains):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "tariffs.csv").write_bytes(content)
    err = read_error(folder)
    (p,) = problems_of(err, "tariffs.csv")
    assert contains in p.message


def test_csv_missing_a_required_column(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "speeds.csv").write_text("mode,country,source\nroad,*,test\n")
    err = read_error(folder)
    (p,) = problems_of(err, "speeds.csv")
    assert (p.record, p.field) == ("(all records)", "speed_kmh")


def test_invalid_toml(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "network.toml").write_text('name = "unterminated\ncurrency_year = = 2024\n')
    err = read_error(folder)
    (p,) = problems_of(err, "network.toml")
    assert "not valid TOML" in p.message


def test_read_problems_and_validation_problems_together(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(demo(), folder)
    (folder / "network.toml").write_text("= broken")
    links = (folder / "links.geojson").read_text("utf-8")
    (folder / "links.geojson").write_text(
        links.replace('"mode": "road"', '"mode": "air"', 1), encoding="utf-8"
    )
    err = read_error(folder)
    assert problems_of(err, "network.toml")
    (p,) = problems_of(err, "links.geojson")
    assert p.field == "mode" and p.record == "id 'p1_p2'"
    assert str(err).startswith(f"2 problems found in {folder}")


def test_wrong_crs_in_file_is_crs_error(tmp_path):
    net = demo()
    folder = tmp_path / "net"
    cor.write_network(net, folder)
    net.links.to_crs(3857).to_file(
        folder / "links.geojson", driver="GeoJSON", engine="pyogrio", WRITE_NAME=False
    )
    err = read_error(folder)
    assert any(p.field == "geometry" and "EPSG" in p.message for p in err.problems)


def test_gpkg_missing_layer_and_garbage(tmp_path):
    f = tmp_path / "net.gpkg"
    cor.write_network(demo(), f)
    import pyogrio

    only_places = tmp_path / "places-only.gpkg"
    pyogrio.write_dataframe(cor.read_network(f).places, only_places, layer="places")
    err = read_error(only_places)
    assert any("missing layer 'links'" in p.message for p in err.problems)
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"SQLite format 3\x00" + os.urandom(200))
    err = read_error(bad)
    assert err.problems and err.problems[0].file == str(bad)
    assert "cannot be read as a GeoPackage" in err.problems[0].message


# --------------------------------------------------------------------------------------------
# sources
# --------------------------------------------------------------------------------------------


def test_parse_sources_md():
    text = """# Sources

Some prose that mentions [wiki-ml1] without bold, ignored.

- **[wiki-ml1]** Wikipedia, "Karachi–Peshawar Railway Line" (route map), accessed 2025.
- **[adb.2021:cpmm]** - ADB, CAREC CPMM annual report 2021.
* **[bare]**
  **[Indented_ID]**: indented entry
"""
    assert cio.parse_sources_md(text) == {
        "wiki-ml1": 'Wikipedia, "Karachi–Peshawar Railway Line" (route map), accessed 2025.',
        "adb.2021:cpmm": "ADB, CAREC CPMM annual report 2021.",
        "bare": "bare",
        "Indented_ID": "indented entry",
    }
    assert cio.parse_sources_md("") == {}


def test_undefined_source_ids_reported_when_sources_md_exists(tmp_path):
    folder = tmp_path / "net"
    cor.write_network(build("border_pair"), folder)  # every record cites 'test'
    assert cor.read_network(folder).sources == {}  # no SOURCES.md: not checked
    (folder / "SOURCES.md").write_text("- **[tset]** A typo of the real id\n")
    err = read_error(folder)
    sources = [p for p in err.problems if p.field == "source"]
    assert sources and all("'test' is not defined in SOURCES.md" in p.message for p in sources)
    assert any("did you mean tset" in p.message for p in sources)
    files = {Path(p.file).name for p in sources}
    assert {"places.geojson", "links.geojson", "tariffs.csv", "crossings.csv"} <= files
    # validate=False skips only the cross-check
    assert cor.read_network(folder, validate=False).sources == {"tset": "A typo of the real id"}


def test_multiple_source_ids_per_record(tmp_path):
    spec = SPECS["tiny_line"]()
    spec["links"][0]["source"] = "test; wiki-ml1"
    net = build("tiny_line", sources=SOURCES, **{k: v for k, v in spec.items()})
    cor.write_network(net, tmp_path / "net")
    assert cor.read_network(tmp_path / "net").links.loc["ab", "source"] == "test; wiki-ml1"


# --------------------------------------------------------------------------------------------
# bundled data
# --------------------------------------------------------------------------------------------


def test_bundled_path_unknown_name():
    with pytest.raises(ValueError, match="no bundled network named 'atlantis'"):
        cio.bundled_path("atlantis")


@pytest.mark.skipif(not cor.bundled_networks(), reason="the bundled network is not built yet")
def test_load_network_returns_a_network():
    net = cor.load_network()
    assert isinstance(net, cor.Network)
    assert len(net.places) > 0 and len(net.links) > 0
