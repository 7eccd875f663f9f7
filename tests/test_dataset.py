"""The bundled pak-russia network: valid, connected corridor by corridor, geographically sane."""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest

import corridors as cor
from corridors.model.io import bundled_path
from corridors.model.schema import geodesic_km, link_is_usable

DATA = bundled_path("pak-russia")
BASEMAP = DATA.parent.parent / "basemaps" / "ne_110m_countries.geojson"


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def corridor_table() -> list[dict]:
    return tomllib.loads((DATA / "corridors.toml").read_text(encoding="utf-8"))["corridor"]


def test_dataset_passes_validation(net: cor.Network) -> None:
    # read_network validates; re-validate the frames explicitly to be sure nothing is skipped
    assert len(net.places) > 150 and len(net.links) > 200
    assert set(net.tables) >= {"tariffs", "speeds", "crossings", "operations", "risk"}
    assert net.sources, "SOURCES.md defines no source ids"


def test_every_record_cites_a_defined_source(net: cor.Network) -> None:
    for name, frame in [("places", net.places), ("links", net.links), *net.tables.items()]:
        for src in frame["source"]:
            ids = [s.strip() for s in str(src).split(";") if s.strip()]
            assert ids, f"{name}: record without source"
            missing = [i for i in ids if i not in net.sources]
            assert not missing, f"{name}: undefined source ids {missing}"


@pytest.mark.parametrize("corridor", corridor_table(), ids=lambda c: c["name"])
def test_corridor_is_connected_end_to_end(net: cor.Network, corridor: dict) -> None:
    year = corridor.get("year")
    modes = set(corridor.get("modes", ["rail", "road", "sea", "ferry"]))
    g = nx.Graph()
    for a, b, mode, status, y in zip(
        net.links["from_id"],
        net.links["to_id"],
        net.links["mode"],
        net.links["status"],
        net.links["year"],
    ):
        if mode in modes and link_is_usable(status, y, year):
            g.add_edge(a, b)
    stops = corridor["places"]
    for a, b in zip(stops, stops[1:]):
        assert a in g and b in g and nx.has_path(g, a, b), (
            f"{corridor['name']}: {a} -> {b} not connected over {sorted(modes)} "
            f"links usable in {year or 'today'}"
        )
    # the library's own check agrees with this independent one
    assert net.corridor_status(corridor)["connected"]


def test_every_place_lies_in_or_near_its_country(net: cor.Network) -> None:
    world = gpd.read_file(BASEMAP)
    world_m = world.to_crs(3857)
    places_m = net.places.to_crs(3857)
    far = []
    for pid, country, geom in zip(net.places["id"], net.places["country"], places_m.geometry):
        outline = world_m[world_m["iso_a3"] == country]
        if outline.empty:  # some countries have iso_a3 "-99" in Natural Earth 1:110m
            continue
        # Web Mercator stretches distances by 1/cos(lat); correct to km on the ground
        lat = float(net.places.at[pid, "geometry"].y)
        d_km = float(outline.distance(geom).min()) / 1000.0 * np.cos(np.radians(lat))
        if d_km > 25.0:
            far.append((pid, country, round(d_km, 1)))
    assert not far, f"places more than 25 km outside their country: {far}"


def test_land_link_distances_are_plausible(net: cor.Network) -> None:
    xy = {p: (g.x, g.y) for p, g in zip(net.places["id"], net.places.geometry)}
    bad = []
    for lid, a, b, mode, km in zip(
        net.links["id"],
        net.links["from_id"],
        net.links["to_id"],
        net.links["mode"],
        net.links["distance_km"],
    ):
        gc = float(geodesic_km(*xy[a], *xy[b]))
        if gc < 0.5:  # terminal spurs: the ratio is meaningless
            continue
        ratio = km / gc
        if mode in ("rail", "road") and not (1.0 * 0.98 <= ratio <= 2.5):
            bad.append((lid, round(km, 1), round(gc, 1), round(ratio, 2)))
        if mode in ("sea", "ferry") and ratio < 0.98:
            bad.append((lid, round(km, 1), round(gc, 1), round(ratio, 2)))
    assert not bad, f"links with implausible distance/great-circle ratios: {bad}"


def test_no_isolated_places(net: cor.Network) -> None:
    used = set(net.links["from_id"]) | set(net.links["to_id"])
    isolated = sorted(set(net.places["id"]) - used)
    assert not isolated


def test_no_two_places_within_1_km_unless_joined(net: cor.Network) -> None:
    joined = {
        frozenset((a, b))
        for a, b, k in zip(net.links["from_id"], net.links["to_id"], net.links["kind"])
        if k in ("border", "access")
    }
    ids = list(net.places["id"])
    lon = net.places.geometry.x.to_numpy()
    lat = net.places.geometry.y.to_numpy()
    close = []
    for i in range(len(ids)):
        d = geodesic_km(
            np.full(len(ids) - i - 1, lon[i]),
            np.full(len(ids) - i - 1, lat[i]),
            lon[i + 1 :],
            lat[i + 1 :],
        )
        for j in np.nonzero(d < 1.0)[0]:
            pair = (ids[i], ids[i + 1 + j])
            if frozenset(pair) not in joined:
                close.append(pair)
    assert not close, f"places within 1 km of each other: {close}"


def test_every_status_has_a_year_where_needed(net: cor.Network) -> None:
    future = net.links[net.links["status"].isin(["planned", "under_construction"])]
    assert len(future) > 0
    assert future["year"].notna().all()


def test_border_links_have_both_directions_in_crossings(net: cor.Network) -> None:
    cr = net.tables["crossings"]
    have = set(zip(cr["link_id"], cr["direction"]))
    for lid in net.links.index[net.links["kind"] == "border"]:
        assert (lid, "forward") in have and (lid, "reverse") in have, lid


def test_sea_legs_record_the_searoute_version() -> None:
    text = (DATA / "build" / "sea_legs.csv").read_text(encoding="utf-8")
    assert "searoute_version" in text.splitlines()[0]


def test_package_ships_the_network_and_basemap() -> None:
    assert "pak-russia" in cor.bundled_networks()
    assert BASEMAP.exists() and (BASEMAP.parent / "README.md").exists()
    assert Path(DATA / "SOURCES.md").exists()
