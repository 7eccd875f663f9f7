"""Routes written to files and re-read; the HTML summary."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import corridors as cor
import routing_fixtures as rf
from corridors.export import route_html, routes_places, write_routes


@pytest.fixture(scope="module")
def routes() -> list[cor.Route]:
    net = rf.corridors_net()
    return cor.alternatives(net, "Origin", "Dest", k=2)


def test_gpkg_layers_and_rows(routes, tmp_path):
    out = write_routes(routes, tmp_path / "r.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"legs", "places"}
    legs = gpd.read_file(out, layer="legs")
    assert len(legs) == sum(len(r.steps) for r in routes)
    assert sorted(legs["route"].unique()) == [1, 2]
    places = gpd.read_file(out, layer="places")
    touched = {p for r in routes for leg in r.steps for p in (leg.from_id, leg.to_id)}
    assert set(places["place_id"]) == touched
    roles = dict(zip(places["place_id"], places["roles"]))
    assert roles["o"] == "origin|border" or roles["o"].startswith("origin")
    assert "border" in roles["i1"] and "border" in roles["f1"]
    write_routes(routes, out)  # overwrites
    assert len(gpd.read_file(out, layer="legs")) == len(legs)


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
