"""Routes written to files and re-read; the HTML summary."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import corridors as cor
import routing_fixtures as rf
from corridors.output.export import route_html, routes_places, write_routes


@pytest.fixture(scope="module")
def routes() -> list[cor.Route]:
    net = rf.corridors_net()
    return cor.alternatives(net, "Origin", "Dest", k=2)


def test_gpkg_layers_and_rows(routes, tmp_path):
    out = write_routes(routes, tmp_path / "r.gpkg")
    layers = dict(pyogrio.list_layers(out))
    assert layers == {"legs": "LineString", "stops": "Point", "places": "Point"}
    legs = gpd.read_file(out, layer="legs")
    moving = [leg for r in routes for leg in r.steps if leg.kind in ("link", "border")]
    assert len(legs) == len(moving) and set(legs.geom_type) == {"LineString"}
    assert sorted(legs["route"].unique()) == [1, 2]
    assert legs["distance_km"].sum() == pytest.approx(sum(r.distance_km for r in routes))
    stops = gpd.read_file(out, layer="stops")
    still = [
        leg for r in routes for leg in r.steps if leg.kind in ("transfer", "terminal", "border")
    ]
    assert len(stops) == len(still) and set(stops.geom_type) == {"Point"}
    assert sorted(stops["kind"].unique()) == sorted({leg.kind for leg in still})
    border = stops[stops["kind"] == "border"]
    assert border["dwell_h"].sum() == pytest.approx(
        sum(leg.dwell_h for leg in still if leg.kind == "border")
    )
    places = gpd.read_file(out, layer="places")
    touched = {p for r in routes for leg in r.steps for p in (leg.from_id, leg.to_id)}
    assert set(places["place_id"]) == touched
    roles = dict(zip(places["place_id"], places["roles"]))
    assert roles["o"] == "origin|border" or roles["o"].startswith("origin")
    assert "border" in roles["i1"] and "border" in roles["f1"]
    write_routes(routes, out)  # overwrites
    assert len(gpd.read_file(out, layer="legs")) == len(legs)


def test_gpkg_version_and_ogrinfo(routes, tmp_path):
    """GeoPackage 1.3 (GDAL 3.6 warns on 1.4), and ogrinfo lists one geometry type per layer
    with no warning."""
    out = write_routes(routes, tmp_path / "r.gpkg")
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10300
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.skip("no ogrinfo (GDAL command line tools)")
    run = subprocess.run(
        [ogrinfo, "-al", "-so", str(out)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0
    text = run.stdout + run.stderr
    assert "warning" not in text.lower() and "error" not in text.lower()
    geoms = re.findall(r"^Geometry: (.+)$", run.stdout, flags=re.M)
    assert geoms == ["Line String", "Point", "Point"]


def test_parquet_csv_md(routes, tmp_path):
    pytest.importorskip("pyarrow")
    legs = gpd.read_parquet(write_routes(routes, tmp_path / "r.parquet"))
    assert len(legs) == sum(len(r.steps) for r in routes) and legs.crs.to_epsg() == 4326
    table = pd.read_csv(write_routes(routes, tmp_path / "r.csv"))
    assert "geometry_wkt" in table and len(table) == len(legs)
    md = write_routes(routes, tmp_path / "r.md").read_text(encoding="utf-8")
    assert md.count("\n") == 2 + len(routes) and "Origin → Dest" in md


def test_bad_suffix(routes, tmp_path):
    with pytest.raises(cor.ParameterError, match="unknown suffix"):
        write_routes(routes, tmp_path / "r.xlsx")


def test_route_html(routes):
    text = route_html(routes[0])
    assert text.startswith("<div") and text.endswith("</div>")
    assert "border crossing" in text and "time split" in text
    assert f"{routes[0].distance_km:,.0f} km" in text


def test_places_single_route(routes):
    p = routes_places(routes[0])
    assert p.crs.to_epsg() == 4326 and (p.geometry.geom_type == "Point").all()
