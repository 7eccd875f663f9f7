"""Fill estimated link distances in build/links.csv from tags in the notes.

Hand-edited rows in links.csv may carry one tag at the start of `notes`; this script
recomputes `distance_km` for them and rewrites the tag's explanation, so estimates stay
reproducible when coordinates or shape vertices change. It rewrites links.csv in place
(run it before build.py). Tags:

[geo*F]          distance = geodesic length (WGS84) from the from-place through the `shape`
                 vertices to the to-place, times the detour factor F.
[geo*F+A]        as above plus A km (stated in the free notes).
[caspian*F+A]    Caspian ferry ending in the Volga–Caspian canal: geodesic from the
                 from-place through the shape vertices up to the canal's sea end
                 (47.90 E 45.25 N, which must be a shape vertex) times F, plus A km of canal.
[split:G=T]      a published or derived total T km for a chain of links (all rows with group
                 G) is apportioned to the links in proportion to their geodesic lengths.
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

from pyproj import Geod

HERE = Path(__file__).resolve().parent
GEOD = Geod(ellps="WGS84")
CANAL_END = (47.90, 45.25)
TAG = re.compile(r"^\[(geo\*[0-9.]+(?:\+[0-9.]+)?|caspian\*[0-9.]+\+[0-9.]+|split:[a-z0-9_]+=[0-9.]+)(?::[^\]]*)?\]\s*")
WORD = {"rail": "rail detour factor", "road": "road detour factor", "ferry": "sea-route factor",
        "sea": "sea-route factor"}


def vertices(row, places):
    pts = [places[row["from_id"]]]
    if row["shape"].strip():
        for pair in row["shape"].split(";"):
            lon, lat = pair.split()
            pts.append((float(lon), float(lat)))
    pts.append(places[row["to_id"]])
    return pts


def length_km(pts) -> float:
    return GEOD.line_length([p[0] for p in pts], [p[1] for p in pts]) / 1000.0


def main() -> None:
    places = {}
    with open(HERE / "places.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            places[r["id"]] = (float(r["lon"]), float(r["lat"]))
    with open(HERE / "links.csv", newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    groups = defaultdict(list)
    for r in rows:
        m = TAG.match(r["notes"])
        if not m:
            continue
        tag, rest = m.group(1), r["notes"][m.end():]
        g = length_km(vertices(r, places))
        if tag.startswith("geo*"):
            f_, _, a = tag[4:].partition("+")
            d = g * float(f_) + (float(a) if a else 0.0)
            extra = f" + {a} km" if a else ""
            r["distance_km"] = f"{d:.1f}"
            r["notes"] = (f"[{tag}: geodesic {g:.1f} km along the drawn alignment x {f_} "
                          f"{WORD[r['mode']]}{extra}; no published figure] {rest}").strip()
        elif tag.startswith("caspian*"):
            f_, _, a = tag[8:].partition("+")
            pts = vertices(r, places)
            k = pts.index(CANAL_END)
            gs = length_km(pts[: k + 1])
            d = gs * float(f_) + float(a)
            r["distance_km"] = f"{d:.1f}"
            r["notes"] = (f"[{tag}: geodesic {gs:.1f} km from the port to the sea end of the "
                          f"Volga–Caspian canal x {f_} sea-route factor + {a} km of canal; no "
                          f"published port-to-port figure] {rest}").strip()
        else:
            grp, _, total = tag[6:].partition("=")
            groups[grp].append((r, g, float(total), rest, tag))
    for grp, items in groups.items():
        totals = {t for _, _, t, _, _ in items}
        if len(totals) != 1:
            raise SystemExit(f"split group {grp} has different totals {totals}")
        total = totals.pop()
        gsum = sum(g for _, g, _, _, _ in items)
        for r, g, _, rest, tag in items:
            d = total * g / gsum
            r["distance_km"] = f"{d:.1f}"
            r["notes"] = (f"[{tag}: share of the {total:g} km total of this chain of "
                          f"{len(items)} links, apportioned by geodesic length ({g:.1f} of "
                          f"{gsum:.1f} km)] {rest}").strip()
    with open(HERE / "links.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"updated {sum(1 for r in rows if TAG.match(r['notes']))} estimated rows")


if __name__ == "__main__":
    main()
