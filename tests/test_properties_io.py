"""Hypothesis properties of reading and writing networks.

(a) Random valid networks survive write -> read unchanged, as a folder and as a GeoPackage.
(b) Random corruptions of a valid network folder are always reported as
    :class:`corridors.ValidationError`, never as a bare KeyError/TypeError/... from inside
    pandas, pyogrio or shapely.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import corridors as cor
from corridors.model.schema import (
    CONFIDENCE_LEVELS,
    GAUGES_MM,
    MODES,
    PLACE_KINDS,
    STATUSES,
    geodesic_km,
)
from netfactory import assert_same_network, build, make_network

SETTINGS = dict(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
COUNTRIES = ("PAK", "IRN", "AFG", "TKM", "KAZ", "RUS")

# Text: any printable character of any script, including combining marks and line breaks in
# free text; no surrogates, no NUL or other control characters (not representable in GDAL).
_chars = st.characters(categories=("L", "M", "N", "P", "S", "Zs"))
_name = st.text(_chars, min_size=1, max_size=20).filter(lambda s: s.strip() != "")
_alias = _name.filter(lambda s: "|" not in s)
_notes = st.none() | st.text(
    st.characters(categories=("L", "M", "N", "P", "S", "Zs"), include_characters="\n\r\t"),
    max_size=30,
)
_slug = st.from_regex(r"[a-z0-9][a-z0-9_]{0,12}", fullmatch=True)
_lon = st.floats(60.0, 75.0, allow_nan=False)
_lat = st.floats(24.0, 45.0, allow_nan=False)
_pos_or_missing = st.none() | st.just(math.nan) | st.floats(0.01, 1e4, allow_nan=False)
_confidence = st.none() | st.sampled_from(CONFIDENCE_LEVELS)
_source = st.sampled_from(["test", "a; b", "wiki-ml1", "adb.2021:cpmm"])


@st.composite
def valid_networks(draw: st.DrawFn) -> cor.Network:
    ids = draw(st.lists(_slug, min_size=2, max_size=7, unique=True))
    places = []
    for pid in ids:
        places.append(
            dict(
                id=pid,
                name=draw(_name),
                country=draw(st.sampled_from(COUNTRIES)),
                kind=draw(st.sampled_from(PLACE_KINDS)),
                lon=draw(_lon),
                lat=draw(_lat),
                aliases=draw(st.none() | st.lists(_alias, min_size=1, max_size=3).map("|".join)),
                source=draw(_source),
                confidence=draw(_confidence),
                notes=draw(_notes),
            )
        )
    by_id = {p["id"]: p for p in places}
    link_ids = draw(st.lists(_slug, min_size=1, max_size=8, unique=True))
    links, crossings = [], []
    for lid in link_ids:
        a, b = draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
        pa, pb = by_id[a], by_id[b]
        gc = float(geodesic_km(pa["lon"], pa["lat"], pb["lon"], pb["lat"]))
        mode = draw(st.sampled_from(MODES))
        status = draw(st.sampled_from(STATUSES))
        year = draw(st.integers(1850, 2090))
        if status == "operational" or status == "closed":
            year = draw(st.none() | st.just(year))
        kind = draw(st.sampled_from(["line", "access"]))
        oneway = draw(st.booleans())
        if pa["country"] != pb["country"] and draw(st.booleans()):
            kind = "border"
            for d in ("forward",) if oneway else ("forward", "reverse"):
                p50 = draw(st.floats(0.0, 200.0))
                crossings.append(
                    dict(
                        link_id=lid,
                        direction=d,
                        mode=mode,
                        dwell_median_h=p50,
                        dwell_p90_h=draw(st.none() | st.just(2 * p50)),
                        fee_usd=draw(st.none() | st.floats(0, 1e4)),
                        year=draw(st.none() | st.integers(2000, 2030)),
                        notes=draw(_notes),
                    )
                )
        gauges = None
        if mode == "rail":
            gauges = "|".join(
                str(g)
                for g in sorted(draw(st.sets(st.sampled_from(GAUGES_MM), min_size=1, max_size=2)))
            )
        links.append(
            dict(
                id=lid,
                from_id=a,
                to_id=b,
                mode=mode,
                kind=kind,
                gauge_mm=gauges,
                distance_km=max(gc * draw(st.floats(1.0, 2.0)), 0.001),
                status=status,
                year=year,
                speed_kmh=draw(_pos_or_missing),
                time_h=draw(_pos_or_missing),
                usd_per_teu_km=draw(st.none() | st.floats(0.0, 10.0)),
                headway_h=draw(_pos_or_missing),
                oneway=oneway,
                source=draw(_source),
                confidence=draw(_confidence),
                notes=draw(_notes),
            )
        )
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(MODES), st.sampled_from(("*",) + COUNTRIES)),
            unique=True,
            max_size=6,
        )
    )
    tariffs = [
        dict(
            mode=m,
            country=c,
            usd_per_teu_km=draw(st.floats(0.0, 5.0)),
            usd_per_feu_km=draw(st.none() | st.floats(0.0, 5.0)),
            usd_per_tonne_km=draw(st.none() | st.floats(0.0, 1.0)),
            year=draw(st.none() | st.integers(2000, 2030)),
            confidence=draw(_confidence),
            notes=draw(_notes),
        )
        for m, c in keys
    ]
    speeds = [
        dict(mode=m, country=c, speed_kmh=draw(st.floats(1.0, 100.0)), confidence=draw(_confidence))
        for m, c in keys
    ]
    meta = draw(
        st.none()
        | st.fixed_dictionaries(
            {"name": _name, "currency_year": st.integers(2000, 2030), "version": st.just("0.1.0")}
        )
    )
    try:
        return make_network(
            places, links, tariffs=tariffs, speeds=speeds, crossings=crossings, meta=meta
        )
    except cor.ValidationError as err:  # the strategy should only make valid networks
        raise AssertionError(f"strategy made an invalid network:\n{err}") from None


@settings(max_examples=30, **SETTINGS)
@given(net=valid_networks())
def test_valid_networks_survive_write_read(net):
    with tempfile.TemporaryDirectory() as tmp:
        for target in (Path(tmp) / "net", Path(tmp) / "net.gpkg"):
            cor.write_network(net, target)
            back = cor.read_network(target)
            assert_same_network(net, back)
            if net.meta:
                assert back.meta == net.meta


# --------------------------------------------------------------------------------------------
# (b) corruptions
# --------------------------------------------------------------------------------------------

REQUIRED = {
    "places.geojson": ["id", "name", "country", "kind", "source"],
    "links.geojson": ["id", "from_id", "to_id", "mode", "kind", "distance_km", "status", "source"],
}
CSV_FILES = ["tariffs.csv", "speeds.csv", "crossings.csv", "operations.csv", "risk.csv"]
ALL_FILES = [*REQUIRED, *CSV_FILES, "network.toml", "SOURCES.md"]
WRONG_VALUES = [
    None,
    "",
    "   ",
    "twelve",
    [1, 2],
    {"km": 3},
    True,
    -1.0,
    0.0,
    -1e-9,
    1e400,
    "NaN",
    "inf",
    "-5",
    "1e999",
    [],
    {},
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "net"
    cor.write_network(
        build(
            "two_corridors",
            meta={"name": "t", "currency_year": 2024},
            sources={"test": "Test data"},
        ),
        folder,
    )
    return folder


def _features(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text("utf-8").splitlines()
    return [json.loads(line.rstrip(",")) for line in lines[1:-1]]


def _write_features(path: Path, feats: list[dict[str, Any]]) -> None:
    body = ",\n".join(json.dumps(f, ensure_ascii=False, allow_nan=True) for f in feats)
    path.write_text('{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n", "utf-8")


@st.composite
def corruptions(draw: st.DrawFn) -> tuple[str, tuple[Any, ...]]:
    """A corruption as (kind, arguments), applied by :func:`corrupt`."""
    kind = draw(
        st.sampled_from(
            [
                "drop_field",
                "wrong_value",
                "bad_distance",
                "duplicate_id",
                "unknown_place",
                "random_bytes",
                "truncate",
                "csv_cell",
                "csv_drop_column",
                "csv_cells_count",
            ]
        )
    )
    row = draw(st.integers(0, 20))
    if kind == "drop_field":
        f = draw(st.sampled_from(sorted(REQUIRED)))
        return kind, (f, draw(st.sampled_from(REQUIRED[f])), row, draw(st.booleans()))
    if kind == "wrong_value":
        f = draw(st.sampled_from(sorted(REQUIRED)))
        field = draw(
            st.sampled_from(
                [*REQUIRED[f], "year", "oneway", "speed_kmh", "gauge_mm"]
                if f == "links.geojson"
                else REQUIRED[f]
            )
        )
        return kind, (f, field, row, draw(st.sampled_from(WRONG_VALUES)))
    if kind == "bad_distance":
        value = draw(
            st.sampled_from([math.nan, -math.inf, math.inf, 0.0, -0.0, -1.0, 1e-6, None, "NaN"])
        )
        return kind, (row, value)
    if kind == "duplicate_id":
        return kind, (draw(st.sampled_from(sorted(REQUIRED))), row)
    if kind == "unknown_place":
        return kind, (
            row,
            draw(st.sampled_from(["from_id", "to_id"])),
            draw(_slug.filter(lambda s: s not in {"o", "d", "i1", "i2", "f1", "f2"})),
        )
    if kind == "random_bytes":
        return kind, (draw(st.sampled_from(ALL_FILES)), draw(st.binary(max_size=200)))
    if kind == "truncate":
        return kind, (draw(st.sampled_from(ALL_FILES)), draw(st.floats(0.0, 1.0)))
    f = draw(st.sampled_from(CSV_FILES))
    if kind == "csv_cell":
        return kind, (
            f,
            row,
            draw(st.integers(0, 12)),
            draw(
                st.sampled_from(
                    ["", "x", "-1", "nan", "1e999", "[1, 2]", "{}", "true", "*", "rail-0"]
                )
            ),
        )
    return kind, (f, row, draw(st.integers(0, 12)))


# Corruptions that may leave a valid network (e.g. a CSV truncated at a line end, or a value
# replaced by an equally valid one): reading must then succeed or raise ValidationError.
MAY_STAY_VALID = {"truncate", "csv_cell", "csv_drop_column", "random_bytes", "wrong_value"}


def corrupt(folder: Path, kind: str, args: tuple[Any, ...]) -> None:
    if kind in ("drop_field", "wrong_value"):
        fname, field, row, extra = args
        feats = _features(folder / fname)
        targets = feats if (kind == "drop_field" and extra) else [feats[row % len(feats)]]
        for feat in targets:
            if kind == "drop_field":
                feat["properties"].pop(field, None)
            else:
                feat["properties"][field] = extra
        _write_features(folder / fname, feats)
    elif kind == "bad_distance":
        row, value = args
        feats = _features(folder / "links.geojson")
        feats[row % len(feats)]["properties"]["distance_km"] = value
        _write_features(folder / "links.geojson", feats)
    elif kind == "duplicate_id":
        fname, row = args
        feats = _features(folder / fname)
        feats.append(feats[row % len(feats)])
        _write_features(folder / fname, feats)
    elif kind == "unknown_place":
        row, field, pid = args
        feats = _features(folder / "links.geojson")
        feats[row % len(feats)]["properties"][field] = pid
        _write_features(folder / "links.geojson", feats)
    elif kind == "random_bytes":
        fname, data = args
        (folder / fname).write_bytes(data)
    elif kind == "truncate":
        fname, frac = args
        data = (folder / fname).read_bytes()
        (folder / fname).write_bytes(data[: int(frac * (len(data) - 3))])
    else:
        fname, row, col = args[:3]
        lines = (folder / fname).read_text("utf-8").splitlines()
        if len(lines) < 2:
            lines.append(",".join(["x"] * len(lines[0].split(","))))
        import csv as _csv
        import io as _io

        rows = list(_csv.reader(_io.StringIO("\n".join(lines))))
        r = 1 + row % (len(rows) - 1)
        c = col % len(rows[0])
        if kind == "csv_cell":
            rows[r][c] = args[3]
        elif kind == "csv_drop_column":
            rows = [x[:c] + x[c + 1 :] for x in rows]
        else:  # csv_cells_count
            rows[r] = rows[r][: max(c, 1)] if c < len(rows[r]) - 1 else rows[r] + ["extra"]
        buf = _io.StringIO()
        _csv.writer(buf, lineterminator="\n").writerows(rows)
        (folder / fname).write_text(buf.getvalue(), "utf-8")


@settings(max_examples=40, **SETTINGS)
@given(corruption=corruptions())
def test_corrupt_folders_raise_validation_error(template, corruption):
    kind, args = corruption
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "net"
        shutil.copytree(template, folder)
        corrupt(folder, kind, args)
        try:
            net = cor.read_network(folder)
        except cor.ValidationError as err:
            assert err.problems, "a ValidationError lists its problems"
            assert all(isinstance(p, cor.Problem) and p.file and p.message for p in err.problems)
            return
        assert kind in MAY_STAY_VALID, f"{kind}{args} was not detected"
        assert isinstance(net, cor.Network)


@settings(max_examples=25, **SETTINGS)
@given(
    fname=st.sampled_from(["places.geojson", "links.geojson"]),
    data=st.binary(min_size=0, max_size=300),
)
def test_random_bytes_in_geojson_always_invalid(template, fname, data):
    assume(not data.strip().startswith(b"{"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "net"
        shutil.copytree(template, folder)
        (folder / fname).write_bytes(data)
        with pytest.raises(cor.ValidationError) as info:
            cor.read_network(folder)
        assert any(p.file.endswith(fname) for p in info.value.problems)
