"""Build the bundled pak-russia network from the hand-edited tables in this folder.

Reads   build/places.csv, build/links.csv, build/sea_legs.csv, ../crossings.csv,
        ../corridors.toml, build/SOURCES-network.md, build/SOURCES-parameters.md (optional)
Writes  ../places.geojson, ../links.geojson, ../SOURCES.md, ../ESTIMATES.md

and runs self-checks; it exits with status 1 listing every failure. Standard library plus
geopandas/shapely/pyproj only (it does not import ``corridors``). Run from anywhere:

    .venv/bin/python data/networks/pak-russia/build/sea_legs.py       # sea legs (searoute)
    .venv/bin/python data/networks/pak-russia/build/estimate_distances.py  # tagged estimates
    .venv/bin/python data/networks/pak-russia/build/build.py
"""
from __future__ import annotations

import csv
import json
import re
import sys
import tomllib
from collections import defaultdict, deque
from pathlib import Path

import geopandas as gpd
from pyproj import Geod
from shapely.geometry import Point
from shapely.ops import nearest_points

HERE = Path(__file__).resolve().parent
NET = HERE.parent
BASEMAP = NET.parent.parent / "basemaps" / "ne_110m_countries.geojson"
GEOD = Geod(ellps="WGS84")

PLACE_FIELDS = ["id", "name", "aliases", "country", "kind", "source", "confidence", "notes"]
LINK_FIELDS = ["id", "from_id", "to_id", "mode", "kind", "gauge_mm", "distance_km", "status", "year",
               "speed_kmh", "speed_kmh_reverse", "time_h", "usd_per_teu_km", "headway_h", "oneway", "passages",
               "cargo_units", "closed_months", "closed_until", "source", "confidence", "notes"]
CROSSING_FIELDS = ["link_id", "direction", "mode", "dwell_median_h", "dwell_p90_h", "fee_usd",
                   "year", "source", "confidence", "notes"]
FLOAT_FIELDS = {"distance_km", "speed_kmh", "speed_kmh_reverse", "time_h", "usd_per_teu_km",
                "headway_h"}
PLACE_KINDS = {"port", "rail_station", "junction", "city", "dry_port", "border_post", "waypoint"}
MODES = {"rail", "road", "sea", "ferry"}
LINK_KINDS = {"line", "border", "access"}
STATUSES = {"operational", "under_construction", "planned", "closed"}
CONFIDENCE = {"measured", "derived", "approx", "estimated", "assumed"}
GAUGES = {"1676", "1435", "1520"}
# sea passages (links.passages, risk.csv scope 'passage') and cargo units, as in docs/data-format.md
PASSAGES = {"suez", "bab_el_mandeb", "hormuz", "bosporus", "dardanelles", "gibraltar",
            "cape_of_good_hope", "english_channel", "danish_straits", "kerch", "malacca",
            "volga_caspian_canal"}
CARGO_UNITS = {"20ft", "40ft", "tonne"}
COUNTRIES = {"PAK", "IRN", "AFG", "TKM", "KAZ", "UZB", "RUS", "AZE", "IND", "CHN", "KGZ", "TJK", "TUR", "ARE"}
COUNTRY_NAMES = {"PAK": "Pakistan", "IRN": "Iran", "AFG": "Afghanistan", "TKM": "Turkmenistan",
                 "KAZ": "Kazakhstan", "UZB": "Uzbekistan", "RUS": "Russia", "AZE": "Azerbaijan",
                 "IND": "India", "CHN": "China", "KGZ": "Kyrgyzstan", "TJK": "Tajikistan",
                 "TUR": "Turkey", "ARE": "United Arab Emirates"}
SLUG = re.compile(r"^[a-z0-9_]+$")
SOURCE_DEF = re.compile(r"^- \*\*\[([^\]]+)\]\*\*", re.M)

SEA_PORT_SOURCES = {
    "karachi_port": "wiki-port-karachi", "port_qasim": "wiki-port-qasim",
    "gwadar_port": "wiki-gwadar-port", "chabahar_port": "wiki-chabahar-port",
    "shahid_rajaee_port": "starmarine-bnd", "nhava_sheva": "wiki-jnpt",
    "st_petersburg_port": "est-corridors", "novorossiysk_port": "est-corridors",
    "jebel_ali_port": "wiki-jebel-ali",
}
# published sea distances to compare with (fact sheet L095, L096)
PUBLISHED_SEA = {("nhava_sheva", "chabahar_port"): (1422, "thephilatelist"),
                 ("karachi_port", "chabahar_port"): (643, "aimstv-2015")}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def geodesic_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def null(v: str):
    return v if v != "" else None


def sea_links(places: dict[str, dict]) -> list[dict[str, str]]:
    """Turn build/sea_legs.csv into link rows (mode sea)."""
    out = []
    for r in read_csv(HERE / "sea_legs.csv"):
        a, b = r["from_id"], r["to_id"]
        ver = r["searoute_version"]
        passages = set(r.get("passages", "").split("|")) - {""}
        cape = r["id"].endswith("_cape")
        parts = [f"Port-to-port sea route computed with {ver}."]
        if b in ("st_petersburg_port", "novorossiysk_port"):
            if cape:
                parts.append("Checked: the route goes round the Cape of Good Hope (Suez and "
                             "Bab-el-Mandeb closed)." if "cape_of_good_hope" in passages and
                             "suez" not in passages else "WARNING: route does not go round the Cape.")
            else:
                parts.append("Checked: the route passes through the Suez Canal (searoute passages "
                             "include 'suez'), not round the Cape." if "suez" in passages else
                             "WARNING: route does not use Suez.")
        if passages:
            parts.append("Passages: " + ", ".join(sorted(passages)) + " (searoute's, mapped to the "
                         "network names; Dardanelles added with the Bosporus, English Channel and "
                         "Danish straits detected from the route vertices).")
        pub = PUBLISHED_SEA.get((a, b))
        if pub:
            d = float(r["distance_km"])
            parts.append(f"Published figure {pub[0]} km ({pub[1]}); searoute figure differs by "
                         f"{d - pub[0]:+.0f} km ({(d / pub[0] - 1) * 100:+.1f}%).")
        if a == "port_qasim":
            parts.append("Port Qasim shares searoute's Karachi node; the port-to-port figure adds "
                         "the straight run from Port Qasim to the route (its 45 km approach channel "
                         "is not modelled in detail).")
        srcs = ["searoute", SEA_PORT_SOURCES.get(a, "est-corridors"),
                SEA_PORT_SOURCES.get(b, "est-corridors")]
        if pub:
            srcs.append(pub[1])
        if r.get("service_source"):
            srcs += [x.strip() for x in r["service_source"].split(";") if x.strip()]
        if r.get("service_notes"):
            conf = r.get("service_confidence") or "assumed"
            parts.append(f"Service ({conf}): {r['service_notes']}")
        src = ";".join(dict.fromkeys(srcs))
        wkt = r["geometry_wkt"].strip()
        coords = [tuple(float(x) for x in p.split())
                  for p in wkt[wkt.index("(") + 1: wkt.rindex(")")].split(",")]
        out.append({
            "id": r["id"], "from_id": a, "to_id": b, "mode": "sea", "kind": "line", "gauge_mm": "",
            "distance_km": r["distance_km"], "status": r.get("status") or "operational", "year": "",
            "speed_kmh": r.get("speed_kmh", ""), "speed_kmh_reverse": "", "time_h": "", "usd_per_teu_km": "",
            "headway_h": r.get("headway_h", ""),
            "oneway": "false", "passages": r.get("passages", ""), "cargo_units": r.get("cargo_units", ""),
            "closed_months": "", "closed_until": "",
            "shape": "",
            "source": src, "confidence": "estimated", "notes": " ".join(parts),
            "_coords": coords,
        })
    return out


def link_coords(link: dict, places: dict[str, dict]) -> list[tuple[float, float]]:
    if "_coords" in link:
        pts = list(link["_coords"])
        # make sure the ends are exactly the places
        pts[0] = places[link["from_id"]]["xy"]
        pts[-1] = places[link["to_id"]]["xy"]
        return pts
    pts = [places[link["from_id"]]["xy"]]
    if link["shape"]:
        for pair in link["shape"].split(";"):
            lon, lat = pair.split()
            pts.append((float(lon), float(lat)))
    pts.append(places[link["to_id"]]["xy"])
    return pts


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
            "features": features}


def write_json(path: Path, obj: dict) -> None:
    text = json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":"))
    # one feature per line: diffs well
    text = text.replace('"features":[{', '"features":[\n{').replace("},{\"type\":\"Feature\"",
                                                                     "},\n{\"type\":\"Feature\"")
    path.write_text(text + "\n", encoding="utf-8")


def typed_link_props(link: dict) -> dict:
    props = {}
    for k in LINK_FIELDS:
        v = link.get(k, "")
        if k in FLOAT_FIELDS:
            props[k] = float(v) if v != "" else None
        elif k in ("year", "closed_until"):
            props[k] = int(v) if v != "" else None
        elif k == "oneway":
            props[k] = v.lower() == "true"
        else:
            props[k] = null(v)
    return props


def source_ids(text: str) -> list[str]:
    return SOURCE_DEF.findall(text)


def main() -> int:
    fail: list[str] = []
    places_rows = read_csv(HERE / "places.csv")
    links_rows = read_csv(HERE / "links.csv")
    places: dict[str, dict] = {}
    for p in places_rows:
        if p["id"] in places:
            fail.append(f"place {p['id']}: duplicate id")
        try:
            p["xy"] = (float(p["lon"]), float(p["lat"]))
        except ValueError:
            fail.append(f"place {p['id']}: bad lat/lon")
            p["xy"] = (0.0, 0.0)
        places[p["id"]] = p
    links = links_rows + sea_links(places)

    # ---------------------------------------------------------------- field checks
    for p in places_rows:
        pid = p["id"]
        if not SLUG.match(pid):
            fail.append(f"place {pid}: id is not a slug [a-z0-9_]+")
        if p["kind"] not in PLACE_KINDS:
            fail.append(f"place {pid}: kind {p['kind']!r} not in {sorted(PLACE_KINDS)}")
        if p["country"] not in COUNTRIES:
            fail.append(f"place {pid}: country {p['country']!r} not in {sorted(COUNTRIES)}")
        if p["confidence"] not in CONFIDENCE:
            fail.append(f"place {pid}: confidence {p['confidence']!r}")
        if not p["source"] or not p["name"]:
            fail.append(f"place {pid}: empty name or source")
    link_ids: set[str] = set()
    for link in links:
        lid = link["id"]
        if lid in link_ids or lid in places:
            fail.append(f"link {lid}: duplicate id")
        link_ids.add(lid)
        if not SLUG.match(lid):
            fail.append(f"link {lid}: id is not a slug")
        for end in ("from_id", "to_id"):
            if link[end] not in places:
                fail.append(f"link {lid}: {end} {link[end]!r} is not a known place")
        if link["mode"] not in MODES:
            fail.append(f"link {lid}: mode {link['mode']!r}")
        if link["kind"] not in LINK_KINDS:
            fail.append(f"link {lid}: kind {link['kind']!r}")
        if link["status"] not in STATUSES:
            fail.append(f"link {lid}: status {link['status']!r}")
        if link["confidence"] not in CONFIDENCE:
            fail.append(f"link {lid}: confidence {link['confidence']!r}")
        if not link["source"]:
            fail.append(f"link {lid}: empty source")
        if link["mode"] == "rail":
            if not link["gauge_mm"] or not set(link["gauge_mm"].split("|")) <= GAUGES:
                fail.append(f"link {lid}: rail gauge_mm {link['gauge_mm']!r}")
        elif link["gauge_mm"]:
            fail.append(f"link {lid}: gauge_mm on a {link['mode']} link")
        if link["status"] in ("planned", "under_construction") and not link["year"]:
            fail.append(f"link {lid}: {link['status']} without year")
        if link["year"] and not re.fullmatch(r"\d{4}", link["year"]):
            fail.append(f"link {lid}: year {link['year']!r}")
        if link["oneway"].lower() not in ("true", "false", ""):
            fail.append(f"link {lid}: oneway {link['oneway']!r}")
        for k in FLOAT_FIELDS:
            if link.get(k, ""):
                try:
                    float(link[k])
                except ValueError:
                    fail.append(f"link {lid}: {k} {link[k]!r} is not a number")
        if link["mode"] in ("ferry", "sea") and not link["headway_h"]:
            fail.append(f"link {lid}: {link['mode']} link without headway_h")
        for word in [w for w in link.get("passages", "").split("|") if w]:
            if word not in PASSAGES:
                fail.append(f"link {lid}: unknown passage {word!r}")
            if link["mode"] not in ("sea", "ferry"):
                fail.append(f"link {lid}: passages on a {link['mode']} link")
        months = [w for w in link.get("closed_months", "").split("|") if w]
        if any(not (m.isdigit() and 1 <= int(m) <= 12) for m in months):
            fail.append(f"link {lid}: closed_months {link['closed_months']!r} (months 1-12, '|'-separated)")
        if link.get("closed_until", "") and (not months or not re.fullmatch(r"\d{4}", link["closed_until"])):
            fail.append(f"link {lid}: closed_until {link['closed_until']!r} needs closed_months and a year")
        for word in [w for w in link.get("cargo_units", "").split("|") if w]:
            if word not in CARGO_UNITS:
                fail.append(f"link {lid}: unknown cargo unit {word!r}")
        if re.match(r"^\[(geo|split|caspian)", link["notes"]) and ":" not in link["notes"].split("]")[0]:
            fail.append(f"link {lid}: estimate tag not expanded; run estimate_distances.py")

    # ---------------------------------------------------------------- geometry checks
    for link in links:
        lid = link["id"]
        if link["from_id"] not in places or link["to_id"] not in places:
            continue
        try:
            d = float(link["distance_km"])
        except ValueError:
            fail.append(f"link {lid}: distance_km {link['distance_km']!r} missing")
            continue
        gc = geodesic_km(places[link["from_id"]]["xy"], places[link["to_id"]]["xy"])
        if d <= 0:
            fail.append(f"link {lid}: distance_km must be > 0")
        if gc < 0.5:
            continue
        ratio = d / gc
        if link["mode"] in ("rail", "road") and not (1.0 <= ratio <= 2.5):
            fail.append(f"link {lid}: {link['mode']} distance {d} km is {ratio:.2f}x the "
                        f"{gc:.1f} km geodesic (allowed 1.0–2.5)")
        if link["mode"] in ("sea", "ferry") and ratio < 1.0:
            fail.append(f"link {lid}: {link['mode']} distance {d} km is shorter than the "
                        f"{gc:.1f} km geodesic")

    used = {link["from_id"] for link in links} | {link["to_id"] for link in links}
    for pid in places:
        if pid not in used:
            fail.append(f"place {pid}: not used by any link")

    joined = {frozenset((link["from_id"], link["to_id"])) for link in links
              if link["kind"] in ("border", "access")}
    ids = list(places)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if geodesic_km(places[a]["xy"], places[b]["xy"]) < 1.0 and frozenset((a, b)) not in joined:
                fail.append(f"places {a} and {b} are within 1 km and not joined by a border/access link")

    world = gpd.read_file(BASEMAP)
    for pid, p in places.items():
        c = p["country"]
        outline = world[world["iso_a3"] == c]
        if outline.empty:  # Natural Earth 1:110m has iso_a3 "-99" for some countries
            outline = world[world["name"] == COUNTRY_NAMES.get(c, "")]
        if outline.empty:
            fail.append(f"place {pid}: country {c} not found in the basemap")
            continue
        geom = outline.geometry.union_all() if hasattr(outline.geometry, "union_all") else outline.unary_union
        pt = Point(p["xy"])
        if geom.contains(pt):
            continue
        q = nearest_points(geom, pt)[0]
        dkm = geodesic_km(p["xy"], (q.x, q.y))
        if dkm > 25.0:
            fail.append(f"place {pid}: {dkm:.1f} km outside {c} (allowed 25 km)")

    # ---------------------------------------------------------------- crossings
    crossings = read_csv(NET / "crossings.csv") if (NET / "crossings.csv").exists() else []
    by_id = {link["id"]: link for link in links}
    have = set()
    for c in crossings:
        key = (c["link_id"], c["direction"])
        if key in have:
            fail.append(f"crossings.csv: duplicate row {key}")
        have.add(key)
        if c["link_id"] not in by_id:
            fail.append(f"crossings.csv: unknown link {c['link_id']}")
        elif by_id[c["link_id"]]["kind"] != "border":
            fail.append(f"crossings.csv: link {c['link_id']} is not a border link")
        elif by_id[c["link_id"]]["mode"] != c["mode"]:
            fail.append(f"crossings.csv: {key} mode {c['mode']} != link mode")
        if c["direction"] not in ("forward", "reverse"):
            fail.append(f"crossings.csv: {key} direction")
        if c["confidence"] not in CONFIDENCE:
            fail.append(f"crossings.csv: {key} confidence {c['confidence']!r}")
        try:
            med, p90 = float(c["dwell_median_h"]), float(c["dwell_p90_h"])
            float(c["fee_usd"])
            if p90 < med:
                fail.append(f"crossings.csv: {key} p90 < median")
        except ValueError:
            fail.append(f"crossings.csv: {key} non-numeric dwell/fee")
    for link in links:
        if link["kind"] == "border":
            for d in ("forward", "reverse"):
                if d == "reverse" and link["oneway"].lower() == "true":
                    continue
                if (link["id"], d) not in have:
                    fail.append(f"border link {link['id']}: no crossings.csv row for {d}")

    # ---------------------------------------------------------------- sources
    net_src = (HERE / "SOURCES-network.md").read_text(encoding="utf-8")
    par_path = HERE / "SOURCES-parameters.md"
    par_src = par_path.read_text(encoding="utf-8") if par_path.exists() else ""
    net_ids, par_ids = source_ids(net_src), source_ids(par_src)
    for sid in {s for s in net_ids if net_ids.count(s) > 1}:
        fail.append(f"SOURCES-network.md defines [{sid}] twice")
    for sid in sorted(set(net_ids) & set(par_ids)):
        fail.append(f"source id [{sid}] defined in both SOURCES-network.md and SOURCES-parameters.md")
    defined = set(net_ids) | set(par_ids)
    cited: dict[str, list[str]] = defaultdict(list)
    for kind, rows in (("place", places_rows), ("link", links), ("crossing", crossings)):
        for r in rows:
            for s in r["source"].split(";"):
                s = s.strip()
                if s:
                    cited[s].append(f"{kind} {r.get('id') or r.get('link_id')}")
    for s, who in sorted(cited.items()):
        if s not in defined:
            fail.append(f"source id [{s}] cited by {who[0]} (+{len(who) - 1} more) is not defined")

    # ---------------------------------------------------------------- corridors
    corridors = tomllib.loads((NET / "corridors.toml").read_text(encoding="utf-8"))["corridor"]
    for cor in corridors:
        year = cor.get("year")
        modes = set(cor.get("modes", sorted(MODES)))
        adj: dict[str, set[str]] = defaultdict(set)
        for link in links:
            if link["mode"] not in modes:
                continue
            st, y = link["status"], link["year"]
            if st == "closed":
                continue
            if year is None:
                ok = st == "operational"
            elif st == "operational":
                ok = (not y) or int(y) <= year
            else:
                ok = bool(y) and int(y) <= year
            if ok:
                adj[link["from_id"]].add(link["to_id"])
                if link["oneway"].lower() != "true":
                    adj[link["to_id"]].add(link["from_id"])
        stops = cor["places"]
        for s in stops:
            if s not in places:
                fail.append(f"corridor {cor['name']}: unknown place {s}")
        for a, b in zip(stops, stops[1:]):
            seen, queue = {a}, deque([a])
            while queue:
                n = queue.popleft()
                for m in adj[n]:
                    if m not in seen:
                        seen.add(m)
                        queue.append(m)
            if b not in seen:
                fail.append(f"corridor {cor['name']}: {a} -> {b} not connected over "
                            f"{sorted(modes)} (year {year or 'today'})")

    # ---------------------------------------------------------------- outputs
    pfeatures = []
    for p in places_rows:
        props = {k: null(p[k]) for k in PLACE_FIELDS}
        pfeatures.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "Point",
                                       "coordinates": [round(p["xy"][0], 5), round(p["xy"][1], 5)]}})
    write_json(NET / "places.geojson", feature_collection(pfeatures))
    lfeatures = []
    for link in links:
        if link["from_id"] not in places or link["to_id"] not in places:
            continue
        coords = [[round(x, 5), round(y, 5)] for x, y in link_coords(link, places)]
        lfeatures.append({"type": "Feature", "properties": typed_link_props(link),
                          "geometry": {"type": "LineString", "coordinates": coords}})
    write_json(NET / "links.geojson", feature_collection(lfeatures))

    header = ("# Sources\n\nBibliography of the bundled `pak-russia` network. Every `source` field in "
              "`places.geojson`, `links.geojson`, `crossings.csv` and the parameter tables cites "
              "one or more ids defined here (separated by `;`).\n\nGenerated by `build/build.py` from "
              "`build/SOURCES-network.md` (network: places, links, crossings) and "
              "`build/SOURCES-parameters.md` (tariffs, speeds, operations, risk). Edit those, not "
              "this file.\n\n")
    body = "## Network (places, links, crossings)\n\n" + net_src.strip() + "\n"
    if par_src.strip():
        body += "\n## Parameters (tariffs, speeds, operations, risk)\n\n" + par_src.strip() + "\n"
    (NET / "SOURCES.md").write_text(header + body, encoding="utf-8")

    write_estimates(places_rows, links, crossings)

    counts = defaultdict(int)
    for link in links:
        counts[link["mode"]] += 1
    print(f"{len(places_rows)} places, {len(links)} links "
          f"({', '.join(f'{m} {n}' for m, n in sorted(counts.items()))}), {len(crossings)} crossing rows, "
          f"{len(corridors)} corridors")
    if fail:
        print(f"\n{len(fail)} check(s) FAILED:", file=sys.stderr)
        for f_ in fail:
            print("  - " + f_, file=sys.stderr)
        return 1
    print("all checks passed")
    return 0


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_estimates(places_rows, links, crossings) -> None:
    lines = ["# Estimated and assumed figures", "",
             "Generated by `build/build.py`. Every place, link and crossing record whose "
             "confidence is `estimated` or `assumed`, with the field the confidence refers to and "
             "the notes that say how the figure was obtained. A second table lists records with a "
             "better confidence on their main field but an ASSUMED secondary value (year, gauge, "
             "headway) stated in their notes.", "",
             "Tags such as `[geo*1.15: …]` and `[split:…]` are written by "
             "`build/estimate_distances.py`: a geodesic (WGS84) length along the drawn alignment "
             "times a stated detour factor, or a published/derived total apportioned over a chain "
             "of links by geodesic length.", ""]
    rows, extra = [], []
    for p in places_rows:
        if p["confidence"] in ("estimated", "assumed"):
            rows.append(("place", p["id"], "lat, lon", p["confidence"], f"{p['lat']}, {p['lon']}", p["notes"]))
    for link in links:
        if link["confidence"] in ("estimated", "assumed"):
            rows.append(("link", link["id"], "distance_km", link["confidence"], link["distance_km"], link["notes"]))
        elif re.search(r"assumed", link["notes"], re.I):
            extra.append(("link", link["id"], "year/gauge/headway (see notes)", link["confidence"],
                          link["year"] or "", link["notes"]))
    for c in crossings:
        if c["confidence"] in ("estimated", "assumed"):
            rows.append(("crossing", f"{c['link_id']} {c['direction']}",
                         "dwell_median_h, dwell_p90_h, fee_usd", c["confidence"],
                         f"{c['dwell_median_h']}, {c['dwell_p90_h']}, {c['fee_usd']}", c["notes"]))
    lines += [f"## Records with confidence `estimated` or `assumed` ({len(rows)})", "",
              "| record | id | field | confidence | value | how (notes) |", "|---|---|---|---|---|---|"]
    lines += [f"| {a} | `{b}` | {c} | {d} | {md_cell(e)} | {md_cell(f)} |" for a, b, c, d, e, f in rows]
    lines += ["", f"## Other assumed values stated in notes ({len(extra)})", "",
              "| record | id | field | confidence of main field | year | notes |", "|---|---|---|---|---|---|"]
    lines += [f"| {a} | `{b}` | {c} | {d} | {md_cell(e)} | {md_cell(f)} |" for a, b, c, d, e, f in extra]
    (NET / "ESTIMATES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
