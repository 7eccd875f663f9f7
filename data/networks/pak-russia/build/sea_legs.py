"""Compute port-to-port sea legs with the `searoute` package.

Writes build/sea_legs.csv (id, from_id, to_id, distance_km, geometry_wkt,
searoute_version, passages, plus the hand-edited service columns listed in SERVICE_FIELDS,
which are carried over by id from the existing file so that re-running this script never
loses them). Port coordinates come from build/places.csv so that the network has one source
of truth. Run:

    .venv/bin/python data/networks/pak-russia/build/sea_legs.py
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

# (from, to[, variant]); the default variant keeps searoute's default restrictions
# (north-west passage closed); the "cape" variant also closes Suez and Bab-el-Mandeb, so the
# route goes round the Cape of Good Hope (the Red Sea diversion of 2024-25); its link id
# gets the suffix "_cape".
LEGS = [
    ("karachi_port", "st_petersburg_port"),
    ("port_qasim", "st_petersburg_port"),
    ("karachi_port", "novorossiysk_port"),
    ("port_qasim", "novorossiysk_port"),
    ("karachi_port", "st_petersburg_port", "cape"),
    ("port_qasim", "st_petersburg_port", "cape"),
    ("nhava_sheva", "st_petersburg_port", "cape"),
    ("karachi_port", "novorossiysk_port", "cape"),
    ("port_qasim", "novorossiysk_port", "cape"),
    ("karachi_port", "shahid_rajaee_port"),
    ("port_qasim", "shahid_rajaee_port"),
    ("gwadar_port", "shahid_rajaee_port"),
    ("karachi_port", "chabahar_port"),
    ("port_qasim", "chabahar_port"),
    ("gwadar_port", "chabahar_port"),
    ("nhava_sheva", "shahid_rajaee_port"),
    ("nhava_sheva", "chabahar_port"),
    ("nhava_sheva", "st_petersburg_port"),
    # issue 15: a Chinese seaport, the Indian ports of the FESCO Indian Line West, and Mundra
    ("shanghai_port", "karachi_port"),
    ("shanghai_port", "port_qasim"),
    ("shanghai_port", "gwadar_port"),
    ("karachi_port", "gwadar_port"),
    ("nhava_sheva", "novorossiysk_port"),
    ("mundra_port", "novorossiysk_port"),
    ("nhava_sheva", "mundra_port"),
    ("karachi_port", "mundra_port"),
    ("kandla_port", "chabahar_port"),
    # Pakistan - Iran boxes are transshipped at Jebel Ali (no direct line: IRNA 2024): the
    # feeder legs into and out of the hub
    ("karachi_port", "jebel_ali_port"),
    ("port_qasim", "jebel_ali_port"),
    ("gwadar_port", "jebel_ali_port"),
    ("jebel_ali_port", "shahid_rajaee_port"),
    ("jebel_ali_port", "chabahar_port"),
]
RESTRICTIONS = {None: ["northwest"], "cape": ["northwest", "suez", "babalmandab"]}

# searoute's passage names -> the network's passage vocabulary (docs/data-format.md)
PASSAGE_NAMES = {"suez": "suez", "babalmandab": "bab_el_mandeb", "ormuz": "hormuz",
                 "gibraltar": "gibraltar", "bosporus": "bosporus", "south_africa": "cape_of_good_hope",
                 "malacca": "malacca"}
# passages searoute does not report, detected from the route's vertices (lon/lat boxes):
# the Strait of Dover / eastern English Channel, and the Kattegat-Oresund-Belts area
GEO_PASSAGES = {"english_channel": (-1.0, 50.0, 2.0, 51.3),
                "danish_straits": (10.5, 54.5, 13.0, 57.0)}
# hand-edited service columns, kept by id when the file is rewritten
SERVICE_FIELDS = ["status", "headway_h", "speed_kmh", "cargo_units", "service_source",
                  "service_confidence", "service_notes"]


def network_passages(sr_passages: list[str], coords) -> list[str]:
    """Map searoute's traversed passages to the network vocabulary and add the ones searoute
    does not know: Dardanelles (always with the Bosporus for a route between the Black Sea and
    the Mediterranean), English Channel and Danish straits (from the vertices)."""
    out = set()
    for p in sr_passages:
        if p not in PASSAGE_NAMES:
            raise SystemExit(f"searoute passage {p!r} has no network name; extend PASSAGE_NAMES")
        out.add(PASSAGE_NAMES[p])
    if "bosporus" in out:
        out.add("dardanelles")
    for name, (x0, y0, x1, y1) in GEO_PASSAGES.items():
        if any(x0 <= x <= x1 and y0 <= y <= y1 for x, y in coords):
            out.add(name)
    return sorted(out)


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
    keep = {}
    if (HERE / "sea_legs.csv").exists():
        with open(HERE / "sea_legs.csv", newline="", encoding="utf-8") as f:
            keep = {r["id"]: r for r in csv.DictReader(f)}
    rows = []
    for leg in LEGS:
        a, b = leg[0], leg[1]
        variant = leg[2] if len(leg) > 2 else None
        route = searoute.searoute(places[a], places[b], units="km", return_passages=True,
                                  restrictions=RESTRICTIONS[variant])
        raw = [tuple(c) for c in route["geometry"]["coordinates"]]
        sr_length = float(route["properties"]["length"])
        passages = sorted(route["properties"].get("traversed_passages", []))
        net_passages = network_passages(passages, raw)
        manual = (a, b) in MANUAL_VIA
        coords = attach_ports(places[a], MANUAL_VIA[(a, b)] if manual else raw, places[b], land)
        length = math.ceil(geodesic_km(coords) * 10) / 10  # never below the geodesic
        line = simplify(coords)
        wkt = "LINESTRING (" + ", ".join(f"{x:.5f} {y:.5f}" for x, y in line.coords) + ")"
        lid = f"sea_{a}_{b}" + (f"_{variant}" if variant else "")
        old = keep.get(lid, {})
        rows.append({
            "id": lid,
            "from_id": a,
            "to_id": b,
            "distance_km": round(length, 1),
            "geometry_wkt": wkt,
            "searoute_version": (f"searoute {version} ({today}); passages: {'|'.join(passages) or 'none'}; "
                                 f"restrictions: {'|'.join(RESTRICTIONS[variant])}; "
                                 f"searoute node-to-node {sr_length:.1f} km, port-to-port {length:.1f} km"
                                 + ("; network path replaced by manual coastal vertices" if manual else "")),
            "passages": "|".join(net_passages),
            **{k: old.get(k, "") for k in SERVICE_FIELDS},
        })
        print(f"{lid:>45} {length:8.1f} km (searoute {sr_length:.1f})  passages={net_passages}  vertices={len(line.coords)}")
    with open(HERE / "sea_legs.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["id", "from_id", "to_id", "distance_km", "geometry_wkt",
                                          "searoute_version", "passages"] + SERVICE_FIELDS,
                           lineterminator="\n")  # the committed file has LF line ends
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
