"""Compute port-to-port sea legs with the `searoute` package.

Writes build/sea_legs.csv (id, from_id, to_id, distance_km, geometry_wkt,
searoute_version). Port coordinates come from build/places.csv so that the
network has one source of truth. Run:

    /tmp/venv/bin/python data/networks/pak-russia/build/sea_legs.py
"""
from __future__ import annotations

import csv
import math
import datetime as dt
import importlib.metadata
from pathlib import Path

import geopandas as gpd
import searoute
from pyproj import Geod
from shapely.geometry import LineString, Point
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
BASEMAP = HERE.parents[2] / "basemaps" / "ne_110m_countries.geojson"
MAX_VERTICES = 60
GEOD = Geod(ellps="WGS84")

# (from, to, passages that must be used) ; restrictions keep searoute's default
LEGS = [
    ("karachi_port", "st_petersburg_port"),
    ("port_qasim", "st_petersburg_port"),
    ("karachi_port", "novorossiysk_port"),
    ("port_qasim", "novorossiysk_port"),
    ("karachi_port", "shahid_rajaee_port"),
    ("port_qasim", "shahid_rajaee_port"),
    ("gwadar_port", "shahid_rajaee_port"),
    ("karachi_port", "chabahar_port"),
    ("port_qasim", "chabahar_port"),
    ("gwadar_port", "chabahar_port"),
    ("nhava_sheva", "shahid_rajaee_port"),
    ("nhava_sheva", "chabahar_port"),
    ("nhava_sheva", "st_petersburg_port"),
]


# searoute's marine network has no coastal path along the Makran coast: Gwadar -> Chabahar is
# routed via a node 150 km offshore (218 km node-to-node, 395 km port-to-port). We replace the
# network path of that leg by offshore vertices along the coast (estimated, stated in notes).
MANUAL_VIA = {
    ("gwadar_port", "chabahar_port"): [(62.30, 24.98), (61.60, 24.95), (60.95, 25.05), (60.65, 25.22)],
}


def simplify(coords: list[tuple[float, float]]) -> LineString:
    """Simplify a route to at most MAX_VERTICES vertices, keeping the end points."""
    line = LineString(coords)
    tol = 0.005
    while len(line.coords) > MAX_VERTICES:
        line = LineString(coords).simplify(tol, preserve_topology=False)
        tol *= 1.5
    return line


def geodesic_km(coords) -> float:
    return GEOD.line_length([c[0] for c in coords], [c[1] for c in coords]) / 1000.0


def attach_ports(port_a, coords, port_b, land) -> list[tuple[float, float]]:
    """Join the real port points to searoute's network path.

    searoute snaps each end to the nearest node of its coarse marine network and does not
    include the port itself. We prepend/append the port and then short-cut the first and
    last few vertices wherever the straight segment from the port to a later vertex stays
    off land (Natural Earth 1:110m, shrunk by 0.1 deg so that coastal ports are not 'on
    land'). This removes overshoots such as Chabahar being reached via a node 200 km south.
    """
    # ignore the coarse coastline within ~0.4 deg of each port (the port itself may fall
    # "inland" at 1:110m)
    land = land.difference(Point(port_a).buffer(0.4)).difference(Point(port_b).buffer(0.4))
    pts = [port_a] + coords + [port_b]
    n = len(pts)
    window = 7  # only the first and last few vertices may be short-cut

    def may_skip(i: int, j: int) -> bool:
        return (j < window or i >= n - 1 - window) and not LineString([pts[i], pts[j]]).intersects(land)

    # shortest path over the vertex sequence (forward jumps only): dist[j], prev[j]
    inf = float("inf")
    dist = [inf] * n
    prev = [-1] * n
    dist[0] = 0.0
    for j in range(1, n):
        for i in range(max(0, j - 2 * window), j):
            if dist[i] == inf:
                continue
            if j - i > 1 and not may_skip(i, j):
                continue
            d = dist[i] + geodesic_km([pts[i], pts[j]])
            if d < dist[j]:
                dist[j], prev[j] = d, i
    out, k = [], n - 1
    while k != -1:
        out.append(pts[k])
        k = prev[k]
    return out[::-1]


def main() -> None:
    version = importlib.metadata.version("searoute")
    today = dt.date.today().isoformat()
    places = {}
    with open(HERE / "places.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            places[row["id"]] = (float(row["lon"]), float(row["lat"]))
    world = gpd.read_file(BASEMAP)
    land = unary_union(list(world.geometry)).buffer(-0.1)
    rows = []
    for a, b in LEGS:
        route = searoute.searoute(places[a], places[b], units="km", return_passages=True)
        raw = [tuple(c) for c in route["geometry"]["coordinates"]]
        sr_length = float(route["properties"]["length"])
        passages = sorted(route["properties"].get("traversed_passages", []))
        manual = (a, b) in MANUAL_VIA
        coords = attach_ports(places[a], MANUAL_VIA[(a, b)] if manual else raw, places[b], land)
        length = math.ceil(geodesic_km(coords) * 10) / 10  # never below the geodesic
        line = simplify(coords)
        wkt = "LINESTRING (" + ", ".join(f"{x:.5f} {y:.5f}" for x, y in line.coords) + ")"
        rows.append({
            "id": f"sea_{a}_{b}",
            "from_id": a,
            "to_id": b,
            "distance_km": round(length, 1),
            "geometry_wkt": wkt,
            "searoute_version": (f"searoute {version} ({today}); passages: {'|'.join(passages) or 'none'}; "
                                 f"searoute node-to-node {sr_length:.1f} km, port-to-port {length:.1f} km"
                                 + ("; network path replaced by manual coastal vertices" if manual else "")),
        })
        print(f"{a:>14} -> {b:<20} {length:8.1f} km (searoute {sr_length:.1f})  passages={passages}  vertices={len(line.coords)}")
    with open(HERE / "sea_legs.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "from_id", "to_id", "distance_km", "geometry_wkt",
                                          "searoute_version"])
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
