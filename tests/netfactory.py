"""A tiny builder of test networks.

>>> net = make_network(
...     [dict(id="a", name="A", country="PAK", kind="city", lon=67.0, lat=24.9),
...      dict(id="b", name="B", country="PAK", kind="city", lon=68.4, lat=25.4)],
...     [dict(id="ab", from_id="a", to_id="b", mode="road")])
>>> net.link("ab").distance_km > 150
True

Places are dicts with ``id, name, country, kind, lon, lat`` and optionally ``aliases``,
``source`` (default ``"test"``), ``confidence``, ``notes``. Links are dicts with ``id, from_id,
to_id, mode`` and optionally every other link field of ``docs/data-format.md``; ``kind`` defaults
to ``"line"``, ``status`` to ``"operational"``, ``distance_km`` to 1.2 x the geodesic distance of
the two places, and the geometry is a straight line between the places unless ``geometry`` is
given. Tables are lists of dicts or DataFrames.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from corridors.model.network import Network
from corridors.model.schema import TABLE_FIELDS, geodesic_km

__all__ = [
    "make_network",
    "places_frame",
    "links_frame",
    "table_frame",
    "DEFAULT_SOURCE",
    "PLACE_COLUMNS",
    "LINK_COLUMNS",
]

DEFAULT_SOURCE = "test"

PLACE_COLUMNS = ("id", "name", "aliases", "country", "kind", "source", "confidence", "notes")
LINK_COLUMNS = (
    "id",
    "from_id",
    "to_id",
    "mode",
    "kind",
    "gauge_mm",
    "distance_km",
    "status",
    "year",
    "speed_kmh",
    "time_h",
    "usd_per_teu_km",
    "headway_h",
    "oneway",
    "source",
    "confidence",
    "notes",
)

_PLACE_DEFAULTS: dict[str, Any] = {
    "aliases": None,
    "source": DEFAULT_SOURCE,
    "confidence": None,
    "notes": None,
}
_LINK_DEFAULTS: dict[str, Any] = {
    "kind": "line",
    "gauge_mm": None,
    "status": "operational",
    "year": None,
    "speed_kmh": None,
    "time_h": None,
    "usd_per_teu_km": None,
    "headway_h": None,
    "oneway": False,
    "source": DEFAULT_SOURCE,
    "confidence": None,
    "notes": None,
}

_DEFAULT_SOURCE_TABLES = ("tariffs", "speeds", "crossings", "operations", "risk")


def places_frame(places: Iterable[Mapping[str, Any]], *, crs: Any = 4326) -> gpd.GeoDataFrame:
    """The raw places GeoDataFrame (not validated): one Point per dict (``lon``, ``lat``)."""
    rows, geoms = [], []
    for p in places:
        rec = {**_PLACE_DEFAULTS, **{k: v for k, v in p.items() if k not in ("lon", "lat")}}
        geoms.append(shapely.Point(float(p["lon"]), float(p["lat"])))
        rows.append(rec)
    columns = list(PLACE_COLUMNS) + sorted({k for r in rows for k in r} - set(PLACE_COLUMNS))
    df = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs)


def links_frame(
    links: Iterable[Mapping[str, Any]],
    places: Iterable[Mapping[str, Any]] | None = None,
    *,
    crs: Any = 4326,
    factor: float = 1.2,
) -> gpd.GeoDataFrame:
    """The raw links GeoDataFrame (not validated).

    ``places`` (the list of place dicts) gives the coordinates of the ends: the geometry is a
    straight line between them and ``distance_km`` defaults to ``factor`` x their geodesic
    distance. A link dict may give ``geometry`` (a shapely geometry or None) to override.
    """
    xy = {p["id"]: (float(p["lon"]), float(p["lat"])) for p in (places or [])}
    rows, geoms = [], []
    for link in links:
        rec = {**_LINK_DEFAULTS, **{k: v for k, v in link.items() if k != "geometry"}}
        a, b = xy.get(link.get("from_id")), xy.get(link.get("to_id"))
        if "geometry" in link:
            geom = link["geometry"]
        elif a is not None and b is not None:
            geom = shapely.LineString([a, b])
        else:
            geom = None
        if "distance_km" not in link:
            if a is not None and b is not None:
                rec["distance_km"] = round(float(geodesic_km(*a, *b)) * factor, 3)
            else:
                rec["distance_km"] = 100.0
        if rec.get("gauge_mm") is not None and not isinstance(rec["gauge_mm"], str):
            rec["gauge_mm"] = str(rec["gauge_mm"])
        geoms.append(geom)
        rows.append(rec)
    columns = list(LINK_COLUMNS) + sorted({k for r in rows for k in r} - set(LINK_COLUMNS))
    df = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs)


def table_frame(
    rows: Iterable[Mapping[str, Any]] | pd.DataFrame, name: str | None = None
) -> pd.DataFrame:
    """A parameter table from a list of dicts (``source`` defaults to ``"test"``).

    With ``name`` (``"crossings"``, ...) the table has every column of that table even when
    ``rows`` is empty.
    """
    if isinstance(rows, pd.DataFrame):
        return rows.copy()
    recs = [{"source": DEFAULT_SOURCE, **r} for r in rows]
    columns = [s.name for s in TABLE_FIELDS[name]] if name else []
    columns += [c for r in recs for c in r if c not in columns]
    return pd.DataFrame(recs, columns=list(dict.fromkeys(columns)))


def make_network(
    places: Iterable[Mapping[str, Any]],
    links: Iterable[Mapping[str, Any]],
    *,
    meta: Mapping[str, Any] | None = None,
    sources: Mapping[str, str] | None = None,
    origin: str = "<memory>",
    **tables: Any,
) -> Network:
    """A validated :class:`~corridors.Network` from lists of dicts (see the module docstring).

    ``tables`` are ``tariffs``, ``speeds``, ``crossings``, ``operations``, ``risk``: lists of
    dicts or DataFrames. Raises :class:`corridors.ValidationError` like
    :meth:`Network.from_geodataframes`.
    """
    places = list(places)
    links = list(links)
    frames = {name: table_frame(rows, name) for name, rows in tables.items() if rows is not None}
    return Network.from_geodataframes(
        places_frame(places),
        links_frame(links, places),
        meta=meta,
        sources=sources,
        origin=origin,
        **frames,
    )


# --------------------------------------------------------------------------------------------
# Named fixture networks (as data, so tests can change them before building).
# conftest.py turns each into a pytest fixture of the same name.
# --------------------------------------------------------------------------------------------


def _common_tables(countries: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Tariffs, speeds, default operations and country risk for ``countries``."""
    tariffs = [
        dict(
            mode="road",
            country="*",
            usd_per_teu_km=1.5,
            usd_per_feu_km=1.8,
            usd_per_tonne_km=0.08,
            year=2024,
            confidence="assumed",
        ),
        dict(
            mode="rail",
            country="*",
            usd_per_teu_km=0.8,
            usd_per_feu_km=1.1,
            usd_per_tonne_km=0.04,
            year=2024,
            confidence="assumed",
        ),
        dict(
            mode="sea",
            country="*",
            usd_per_teu_km=0.2,
            usd_per_feu_km=0.3,
            usd_per_tonne_km=0.01,
            year=2024,
            confidence="assumed",
        ),
        dict(
            mode="ferry",
            country="*",
            usd_per_teu_km=0.6,
            usd_per_feu_km=0.8,
            usd_per_tonne_km=0.03,
            year=2024,
            confidence="assumed",
        ),
    ]
    speeds = [
        dict(mode="road", country="*", speed_kmh=50.0, confidence="assumed"),
        dict(mode="rail", country="*", speed_kmh=30.0, confidence="assumed"),
        dict(mode="sea", country="*", speed_kmh=28.0, confidence="assumed"),
        dict(mode="ferry", country="*", speed_kmh=20.0, confidence="assumed"),
    ]
    for i, c in enumerate(sorted(set(countries))):
        tariffs.append(
            dict(
                mode="road",
                country=c,
                usd_per_teu_km=1.0 + 0.25 * i,
                usd_per_feu_km=1.3 + 0.25 * i,
                usd_per_tonne_km=0.05 + 0.01 * i,
                year=2024,
                confidence="measured",
            )
        )
        speeds.append(dict(mode="road", country=c, speed_kmh=40.0 + 5 * i, confidence="measured"))
    operations = [
        dict(
            place_id="*",
            from_service="*",
            to_service="*",
            kind=k,
            time_median_h=t,
            time_p90_h=2 * t,
            cost_usd_20ft=c,
            cost_usd_40ft=1.5 * c,
            cost_usd_per_tonne=c / 20,
            year=2024,
            confidence="assumed",
        )
        for k, t, c in (
            ("transload", 24.0, 300.0),
            ("bogie_exchange", 6.0, 200.0),
            ("port_handling", 48.0, 250.0),
            ("intermodal", 12.0, 150.0),
            ("ferry_terminal", 12.0, 180.0),
            ("transshipment", 0.0, 0.0),
        )
    ] + [
        dict(
            place_id="*",
            from_service=m,
            to_service="terminal",
            kind="terminal",
            time_median_h=0.0,
            time_p90_h=0.0,
            cost_usd_20ft=0.0,
            cost_usd_40ft=0.0,
            cost_usd_per_tonne=0.0,
            year=2024,
            confidence="assumed",
        )
        for m in ("rail", "road", "sea", "ferry")
    ]
    risk = [
        dict(
            scope="country",
            ref=c,
            disruption_prob_per_trip=0.01 * (i + 1),
            disruption_median_days=2.0,
            disruption_p90_days=7.0,
            security_premium_pct=float(i),
            sanctions=None,
            year=2024,
            confidence="assumed",
        )
        for i, c in enumerate(sorted(set(countries)))
    ]
    return dict(tariffs=tariffs, speeds=speeds, operations=operations, risk=risk, crossings=[])


def _crossings(rows: Iterable[tuple[str, str, str, float, float, float]]) -> list[dict[str, Any]]:
    return [
        dict(
            link_id=lid,
            direction=d,
            mode=mode,
            dwell_median_h=p50,
            dwell_p90_h=p90,
            fee_usd=fee,
            year=2024,
            confidence="approx",
        )
        for lid, d, mode, p50, p90, fee in rows
    ]


def spec_tiny_line() -> dict[str, Any]:
    """Three places in one country (a - b - c) joined by two road links."""
    places = [
        dict(
            id="a",
            name="Alpha",
            country="PAK",
            kind="city",
            lon=67.00,
            lat=24.90,
            aliases="Alfa|Álpha Town",
        ),
        dict(id="b", name="Bravo", country="PAK", kind="junction", lon=68.40, lat=25.40),
        dict(id="c", name="Charlie", country="PAK", kind="city", lon=68.90, lat=27.70),
    ]
    links = [
        dict(id="ab", from_id="a", to_id="b", mode="road", distance_km=170.0, year=1990),
        dict(id="bc", from_id="b", to_id="c", mode="road", distance_km=300.0),
    ]
    return dict(places=places, links=links, **_common_tables(["PAK"]))


def spec_gauge_break() -> dict[str, Any]:
    """A --rail 1676--> Z (gauge break, transload) --rail 1435--> B, and a longer through
    dual-gauge (1435|1676) alternative A -> Y -> B with no break."""
    places = [
        dict(id="a", name="Alpha", country="PAK", kind="rail_station", lon=66.00, lat=29.00),
        dict(id="z", name="Zulu Break", country="PAK", kind="border_post", lon=64.00, lat=29.50),
        dict(id="b", name="Bravo", country="PAK", kind="rail_station", lon=62.00, lat=29.00),
        dict(id="y", name="Yankee", country="PAK", kind="junction", lon=64.00, lat=27.50),
    ]
    links = [
        dict(id="az", from_id="a", to_id="z", mode="rail", gauge_mm="1676"),
        dict(id="zb", from_id="z", to_id="b", mode="rail", gauge_mm="1435"),
        dict(id="ay", from_id="a", to_id="y", mode="rail", gauge_mm="1435|1676", factor=1.5),
        dict(id="yb", from_id="y", to_id="b", mode="rail", gauge_mm="1435|1676", factor=1.5),
    ]
    for link in links:  # the dual-gauge detour is longer than the direct line
        f = link.pop("factor", 1.2)
        link["distance_km"] = _km(places, link["from_id"], link["to_id"], f)
    tables = _common_tables(["PAK"])
    tables["tariffs"].append(
        dict(
            mode="rail",
            country="PAK",
            usd_per_teu_km=0.7,
            usd_per_feu_km=1.0,
            usd_per_tonne_km=0.035,
            year=2024,
            confidence="measured",
        )
    )
    tables["speeds"].append(dict(mode="rail", country="PAK", speed_kmh=25.0, confidence="measured"))
    tables["operations"].append(
        dict(
            place_id="z",
            from_service="rail-1676",
            to_service="rail-1435",
            kind="transload",
            time_median_h=36.0,
            time_p90_h=72.0,
            cost_usd_20ft=350.0,
            cost_usd_40ft=500.0,
            cost_usd_per_tonne=17.5,
            year=2024,
            confidence="estimated",
        )
    )
    return dict(places=places, links=links, **tables)


def spec_border_pair() -> dict[str, Any]:
    """p1 -> p2 (PAK) --road border--> q2 -> q1 (AFG); the border dwell is 10 h forward
    (PAK -> AFG) and 30 h reverse."""
    places = [
        dict(id="p1", name="Peshawar", country="PAK", kind="city", lon=71.58, lat=34.01),
        dict(
            id="p2",
            name="Torkham PK",
            country="PAK",
            kind="border_post",
            lon=71.10,
            lat=34.11,
            aliases="Torkham",
        ),
        dict(
            id="q2",
            name="Torkham AF",
            country="AFG",
            kind="border_post",
            lon=71.08,
            lat=34.12,
            aliases="Torkham",
        ),
        dict(id="q1", name="Jalalabad", country="AFG", kind="city", lon=70.45, lat=34.43),
    ]
    links = [
        dict(id="p1_p2", from_id="p1", to_id="p2", mode="road"),
        dict(id="p2_q2", from_id="p2", to_id="q2", mode="road", kind="border", distance_km=3.0),
        dict(id="q2_q1", from_id="q2", to_id="q1", mode="road"),
    ]
    tables = _common_tables(["PAK", "AFG"])
    tables["crossings"] = _crossings(
        [
            ("p2_q2", "forward", "road", 10.0, 24.0, 100.0),
            ("p2_q2", "reverse", "road", 30.0, 72.0, 150.0),
        ]
    )
    return dict(places=places, links=links, **tables)


def spec_two_corridors() -> dict[str, Any]:
    """Two disjoint road routes from o (PAK) to d (TKM): west through Iran (o - i1 - i2 - d)
    and east through Afghanistan (o - f1 - f2 - d); every country change is a border link."""
    places = [
        dict(id="o", name="Origin", country="PAK", kind="city", lon=67.00, lat=30.20),
        dict(id="i1", name="Iran Gate", country="IRN", kind="border_post", lon=61.50, lat=29.50),
        dict(id="i2", name="Mashhad", country="IRN", kind="city", lon=59.60, lat=36.30),
        dict(id="f1", name="Kandahar", country="AFG", kind="city", lon=65.70, lat=31.60),
        dict(id="f2", name="Herat", country="AFG", kind="city", lon=62.20, lat=34.35),
        dict(id="d", name="Destination", country="TKM", kind="city", lon=61.80, lat=37.60),
    ]
    links = [
        dict(id="o_i1", from_id="o", to_id="i1", mode="road", kind="border"),
        dict(id="i1_i2", from_id="i1", to_id="i2", mode="road"),
        dict(id="i2_d", from_id="i2", to_id="d", mode="road", kind="border"),
        dict(id="o_f1", from_id="o", to_id="f1", mode="road", kind="border"),
        dict(id="f1_f2", from_id="f1", to_id="f2", mode="road"),
        dict(id="f2_d", from_id="f2", to_id="d", mode="road", kind="border"),
    ]
    tables = _common_tables(["PAK", "IRN", "AFG", "TKM"])
    rows = []
    for lid, fwd, rev in (
        ("o_i1", 12.0, 14.0),
        ("i2_d", 20.0, 18.0),
        ("o_f1", 8.0, 9.0),
        ("f2_d", 30.0, 26.0),
    ):
        rows += [
            (lid, "forward", "road", fwd, 2 * fwd, 100.0),
            (lid, "reverse", "road", rev, 2 * rev, 120.0),
        ]
    tables["crossings"] = _crossings(rows)
    return dict(places=places, links=links, **tables)


def _km(places: list[dict[str, Any]], a: str, b: str, factor: float) -> float:
    xy = {p["id"]: (p["lon"], p["lat"]) for p in places}
    return round(float(geodesic_km(*xy[a], *xy[b])) * factor, 3)


SPECS = {
    "tiny_line": spec_tiny_line,
    "gauge_break": spec_gauge_break,
    "border_pair": spec_border_pair,
    "two_corridors": spec_two_corridors,
}


def build(name: str, **changes: Any) -> Network:
    """The named fixture network (``SPECS``), with keyword ``changes`` replacing parts."""
    spec = {**SPECS[name](), **changes}
    return make_network(spec.pop("places"), spec.pop("links"), **spec)


# --------------------------------------------------------------------------------------------
# Comparing networks
# --------------------------------------------------------------------------------------------


def assert_same_network(a: Network, b: Network, *, tolerance: float = 0.0) -> None:
    """Assert two networks hold the same records, column by column.

    Geometry is compared with ``equals_exact(tolerance)``; other columns with
    ``pandas.testing.assert_series_equal`` (NaN == NaN, None == None, same dtype).
    """
    import pandas.testing as pdt

    for attr in ("places", "links"):
        fa, fb = getattr(a, attr), getattr(b, attr)
        assert list(fa.index) == list(fb.index), f"{attr}: ids differ"
        assert list(fa.columns) == list(fb.columns), f"{attr}: columns differ"
        for col in fa.columns:
            if col == fa.geometry.name:
                same = fa.geometry.geom_equals_exact(fb.geometry, tolerance)
                bad = list(fa.index[~same.to_numpy()])
                assert not bad, f"{attr}: geometry differs for {bad}"
                continue
            pdt.assert_series_equal(fa[col], fb[col], check_names=False, obj=f"{attr}.{col}")
        assert fb.crs == fa.crs
    assert sorted(a.tables) == sorted(b.tables), "tables differ"
    for name in a.tables:
        pdt.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
