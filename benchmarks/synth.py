"""Seeded synthetic continental networks for the benchmarks.

``continental(n_links, seed)`` scatters places in a lat/lon box (Eurasia-sized), splits the box
into a grid of countries (each with its rail gauge: 1435, 1520 or 1676 mm), joins every place
to its nearest neighbours by rail or road, makes the links between countries border links
(with crossing rows both ways; rail border links are dual gauge, so the break of gauge is a
transfer at one end), joins a few percent of places (ports) by sea to their nearest ports, and
gives every table a default row (tariffs, speeds, transfers by kind, terminals by mode). The
result is valid for :meth:`corridors.Network.from_geodataframes`.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

import corridors as cor
from corridors.model.schema import geodesic_km

__all__ = ["continental", "continental_frames", "COUNTRIES"]

COUNTRIES = (
    "PAK",
    "IRN",
    "AFG",
    "TKM",
    "UZB",
    "KAZ",
    "RUS",
    "AZE",
    "IND",
    "CHN",
    "TUR",
    "GEO",
    "ARM",
    "KGZ",
    "TJK",
    "MNG",
)
GAUGE_OF = (
    "1676",
    "1435",
    "1520",
    "1520",
    "1520",
    "1520",
    "1520",
    "1520",
    "1676",
    "1435",
    "1435",
    "1520",
    "1520",
    "1520",
    "1520",
    "1520",
)
BOX = (20.0, 120.0, 20.0, 60.0)  # lon min, lon max, lat min, lat max
LINKS_PER_PLACE = 1.9  # about what k=3 nearest neighbours give after removing duplicates


def continental(n_links: int, seed: int = 7) -> cor.Network:
    """A network of about ``n_links`` links (see the module docstring)."""
    return cor.Network.from_geodataframes(**continental_frames(n_links, seed))


def continental_frames(n_links: int, seed: int = 7) -> dict[str, Any]:
    """The frames of :func:`continental` as keyword arguments of
    :meth:`corridors.Network.from_geodataframes` (so the benchmarks time the frames and the
    network build apart)."""
    rng = np.random.default_rng(seed)
    n = max(int(n_links / LINKS_PER_PLACE), 20)
    lon0, lon1, lat0, lat1 = BOX
    lon = rng.uniform(lon0, lon1, n)
    lat = rng.uniform(lat0, lat1, n)
    col = np.minimum(((lon - lon0) / (lon1 - lon0) * 4).astype(int), 3)
    row = np.minimum(((lat - lat0) / (lat1 - lat0) * 4).astype(int), 3)
    region = row * 4 + col
    country = np.array(COUNTRIES)[region]
    kinds = rng.choice(
        np.array(["rail_station", "city", "junction", "dry_port", "port"]),
        size=n,
        p=[0.45, 0.3, 0.15, 0.07, 0.03],
    )
    ids = np.char.add("p", np.arange(n).astype(str))
    places = gpd.GeoDataFrame(
        {
            "id": ids,
            "name": np.char.add("Place ", np.arange(n).astype(str)),
            "country": country,
            "kind": kinds,
            "source": "synthetic",
        },
        geometry=shapely.points(lon, lat),
        crs=4326,
    )

    xy = np.column_stack([lon * np.cos(np.radians(lat)), lat])
    _, nb = cKDTree(xy).query(xy, k=4)
    a = np.repeat(np.arange(n), 3)
    b = nb[:, 1:].ravel()
    pairs = np.unique(np.column_stack([np.minimum(a, b), np.maximum(a, b)]), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    land_mode = rng.choice(np.array(["rail", "road"]), size=len(pairs), p=[0.55, 0.45])
    ports = np.flatnonzero(kinds == "port")
    if len(ports) >= 4:
        _, pn = cKDTree(xy[ports]).query(xy[ports], k=4)
        pa = np.repeat(ports, 3)
        pb = ports[pn[:, 1:].ravel()]
        sea = np.unique(np.column_stack([np.minimum(pa, pb), np.maximum(pa, pb)]), axis=0)
        sea = sea[sea[:, 0] != sea[:, 1]]
    else:
        sea = np.zeros((0, 2), dtype=np.int64)
    sea_mode = np.where(rng.uniform(size=len(sea)) < 0.2, "ferry", "sea")
    ends = np.vstack([pairs, sea])
    mode = np.concatenate([land_mode, sea_mode])
    fa, ta = ends[:, 0], ends[:, 1]
    gc = geodesic_km(lon[fa], lat[fa], lon[ta], lat[ta])
    km = np.round(np.maximum(gc, 1.0) * rng.uniform(1.05, 1.6, len(ends)), 3)
    border = (region[fa] != region[ta]) & np.isin(mode, ["rail", "road"])
    gauges = np.array(GAUGE_OF).astype(int)
    ga, gb = gauges[region[fa]], gauges[region[ta]]
    lo, hi = np.minimum(ga, gb).astype(str), np.maximum(ga, gb).astype(str)
    dual = np.where(ga == gb, lo, np.char.add(np.char.add(lo, "|"), hi))
    gauge = np.where(mode == "rail", dual, None)
    link_ids = np.char.add("l", np.arange(len(ends)).astype(str))
    coords = np.stack(
        [np.column_stack([lon[fa], lat[fa]]), np.column_stack([lon[ta], lat[ta]])], axis=1
    )
    links = gpd.GeoDataFrame(
        {
            "id": link_ids,
            "from_id": ids[fa],
            "to_id": ids[ta],
            "mode": mode,
            "kind": np.where(border, "border", "line"),
            "gauge_mm": gauge,
            "distance_km": km,
            "status": np.where(rng.uniform(size=len(ends)) < 0.02, "planned", "operational"),
            "year": np.where(rng.uniform(size=len(ends)) < 0.02, 2030.0, np.nan),
            "source": "synthetic",
        },
        geometry=shapely.linestrings(coords),
        crs=4326,
    )
    links.loc[links["status"] == "operational", "year"] = np.nan
    links.loc[(links["status"] == "planned") & links["year"].isna(), "year"] = 2035.0
    bl = link_ids[border]
    crossings = pd.DataFrame(
        {
            "link_id": np.concatenate([bl, bl]),
            "direction": ["forward"] * len(bl) + ["reverse"] * len(bl),
            "mode": np.concatenate([mode[border], mode[border]]),
            "dwell_median_h": np.round(rng.uniform(2, 48, 2 * len(bl)), 2),
            "fee_usd": np.round(rng.uniform(50, 400, 2 * len(bl)), 0),
            "year": 2024,
            "source": "synthetic",
        }
    )
    modes = ("rail", "road", "sea", "ferry")
    tariffs = pd.DataFrame(
        {
            "mode": modes,
            "country": "*",
            "usd_per_teu_km": [0.15, 1.2, 0.02, 0.1],
            "usd_per_feu_km": [0.24, 1.2, 0.03, 0.15],
            "usd_per_tonne_km": [0.0075, 0.06, 0.001, 0.005],
            "year": 2024,
            "source": "synthetic",
        }
    )
    speeds = pd.DataFrame(
        {"mode": modes, "country": "*", "speed_kmh": [35, 50, 28, 22], "source": "synthetic"}
    )
    kinds_ops = (
        "transload",
        "bogie_exchange",
        "port_handling",
        "intermodal",
        "ferry_terminal",
        "transshipment",
    )
    ops = pd.DataFrame(
        [
            {
                "place_id": "*",
                "from_service": "*",
                "to_service": "*",
                "kind": k,
                "time_median_h": 6.0 + 2 * i,
                "cost_usd_20ft": 40.0 + 10 * i,
                "cost_usd_40ft": 60.0 + 10 * i,
                "cost_usd_per_tonne": 2.0,
                "year": 2024,
                "source": "synthetic",
            }
            for i, k in enumerate(kinds_ops)
        ]
        + [
            {
                "place_id": "*",
                "from_service": m,
                "to_service": "terminal",
                "kind": "terminal",
                "time_median_h": 4.0,
                "cost_usd_20ft": 30.0,
                "cost_usd_40ft": 40.0,
                "cost_usd_per_tonne": 1.5,
                "year": 2024,
                "source": "synthetic",
            }
            for m in modes
        ]
    )
    return {
        "places": places,
        "links": links,
        "tariffs": tariffs,
        "speeds": speeds,
        "crossings": crossings,
        "operations": ops,
        "origin": f"continental-{n_links}",
    }


def far_pair(net: cor.Network, seed: int = 7) -> tuple[str, str]:
    """Two places far apart (west and east ends of the box), deterministic."""
    g = net.places.geometry
    west = str(g.x.idxmin())
    east = str(g.x.idxmax())
    return west, east
