"""Pinned answers of the bundled network: the flagship pairs, the backtest journeys' routes
and the region's goal queries, by time, cost and route signature.

A change that moves any of them must update the snapshot deliberately and say why in its
commit:

    python tests/snapshots/answers.py          # rewrites tests/snapshots/answers.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import corridors as cor
from corridors.analysis.backtest import journeys_path, read_journeys

HERE = Path(__file__).parent
SNAPSHOT = HERE / "answers.json"
# Queries without a year are answered on this day, not today: link rules are dated, so an
# answer (or a NoRouteError's text, which names the day) must not move with the calendar.
SNAPSHOT_DATE = "2026-12-05"

FLAGSHIP = [("Karachi", "Moscow"), ("Karachi", "Tashkent"), ("Karachi", "Almaty")]
REGION = [
    ("Kashgar", "Gwadar", {}),
    ("Urumqi", "Tehran", {"modes": "rail"}),
    ("Xi'an", "Tashkent", {"modes": "rail"}),
    ("Islamabad", "Istanbul", {"modes": "rail"}),
    ("Kashgar", "Hairatan", {}),
    ("Karachi", "Dushanbe", {}),
    ("Chabahar", "Kabul", {"cross_at": "Milak"}),
    ("Gwadar", "Chabahar", {"modes": "road"}),
    ("Nhava Sheva", "Novorossiysk", {"modes": "sea"}),
    ("Karachi", "Moscow", {"sanctions": {"US:IRN": "avoid"}}),
]


def queries() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for o, d in FLAGSHIP:
        for year in (None, 2032):
            for minimize in ("cost_usd", "time_h"):
                out.append({"origin": o, "destination": d, "minimize": minimize, "year": year})
    for o, d, kw in REGION:
        out.append({"origin": o, "destination": d, "minimize": "cost_usd", **kw})
    journeys = read_journeys(journeys_path())
    for j in journeys.to_dict("records"):
        q: dict[str, Any] = {
            "origin": j["origin"],
            "destination": j["destination"],
            "minimize": "time_h",
        }
        for key in ("modes", "via", "cross_at", "avoid_countries"):
            if list(j[key]):
                q[key] = list(j[key])
        if j["year"] == j["year"] and j["year"] is not None:
            q["year"] = int(j["year"])
        if j.get("origin_arrival", "land") not in ("", "land"):
            q["origin_arrival"] = j["origin_arrival"]
        if j.get("connections", "random") not in ("", "random"):
            q["connections"] = j["connections"]
        out.append(q)
    return out


def answer(net: cor.Network, q: dict[str, Any]) -> dict[str, Any]:
    kw = {k: v for k, v in q.items() if k not in ("origin", "destination") and v is not None}
    if "year" not in kw and "date" not in kw:
        kw["date"] = SNAPSHOT_DATE
    try:
        r = cor.route(net, q["origin"], q["destination"], **kw)
    except cor.NoRouteError as err:
        return {"query": q, "no_route": str(err).splitlines()[0]}
    return {
        "query": q,
        "time_h": round(r.time_h, 6),
        "cost_usd": round(r.cost_usd, 6),
        "countries": list(r.countries),
        "crossings": [f"{c.from_id}>{c.to_id}" for c in r.crossings],
    }


def compute() -> list[dict[str, Any]]:
    net = cor.load_network()
    return [answer(net, q) for q in queries()]


if __name__ == "__main__":
    SNAPSHOT.write_text(
        json.dumps(compute(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"wrote {SNAPSHOT}", file=sys.stderr)
