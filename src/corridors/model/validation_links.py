"""Validation of the links frame: every row check of :func:`validate_links`, and the
whole-column passes that find the rows those checks need to look at.

Part of :mod:`corridors.model.validation`, which re-exports :func:`validate_links`.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import Problem
from .coerce import _RecordNames
from .schema import (
    CARGO_UNIT_WORDS,
    DISTANCE_TOLERANCE,
    ENDPOINT_TOLERANCE_KM,
    GAUGES_MM,
    LINK_KINDS,
    MODES,
    PASSAGES,
    STATUSES,
    geodesic_km,
    parse_gauges,
    split_list,
)
from .validation_common import _bad_enum, _check_ids, _check_source, _enum, _rows_where

__all__ = ["validate_links"]


def validate_links(
    links: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    file: str,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
    found: dict[str, Any] | None = None,
) -> None:
    """Append the problems of a (coerced) links frame to ``problems``; ``found`` receives the
    place row of each link's ends (``link_end_rows``), valid when no problem is found."""
    _check_ids(links, file, problems)
    names = _RecordNames(links, "id")
    place_ids = [p for p in places["id"].tolist() if p is not None]
    pids = places["id"].tolist()
    xy = _place_points(places)
    country: dict[str, str | None] = dict(zip(pids, places["country"].tolist()))
    known = set(place_ids)
    geo = _link_geometry_checks(links, xy)
    if found is not None:
        found["link_end_rows"] = (geo["place_pos"]["from_id"], geo["place_pos"]["to_id"])
    # the checks of each row that may have a problem, row by row as they were written
    rows = _links_to_check(links, country, geo)
    for i, row in zip(rows.tolist(), links.iloc[rows].itertuples(index=False)):
        rec = names[i]
        _check_link_words(row, file, rec, problems)
        _check_link_ends(row, file, rec, known, place_ids, problems)
        _check_link_gauge(row, file, rec, problems)
        _check_link_values(row, file, rec, country, problems)
        _check_link_geometry(row, i, geo, file, rec, problems)
    _check_source(links, names, file, sources, problems)


def _place_points(places: gpd.GeoDataFrame) -> pd.DataFrame:
    """Columns ``x`` (lon) and ``y`` (lat) indexed by every place id (once each), NaN for the
    places whose geometry is not a non-empty Point (for an id given twice, the last row with
    a point, as a dict of the rows would keep)."""
    pids = places["id"].to_numpy(dtype=object)
    geoms = np.asarray(places.geometry.to_numpy(), dtype=object)
    point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    given = pd.notna(pids)
    keep = point & given
    xy = pd.DataFrame(
        {"x": shapely.get_x(geoms[keep]), "y": shapely.get_y(geoms[keep])},
        index=pd.Index(pids[keep], dtype=object),
    )
    xy = xy[~xy.index.duplicated(keep="last")]
    return xy.reindex(pd.Index(pids[given], dtype=object).unique())


def _check_link_words(row: Any, file: str, rec: str, problems: list[Problem]) -> None:
    """A link's mode, kind, status, passages and cargo units: known words, and passages only
    on water links."""
    _enum(row.mode, MODES, file, rec, "mode", problems)
    _enum(row.kind, LINK_KINDS, file, rec, "kind", problems)
    _enum(row.status, STATUSES, file, rec, "status", problems)
    for word in split_list(row.passages):
        if word not in PASSAGES:
            problems.append(
                Problem(
                    file,
                    rec,
                    "passages",
                    f"unknown passage {word!r}; allowed values: " + ", ".join(PASSAGES),
                )
            )
    if split_list(row.passages) and row.mode not in ("sea", "ferry"):
        problems.append(
            Problem(
                file,
                rec,
                "passages",
                f"only sea and ferry links pass sea passages ({row.mode} link)",
            )
        )
    for word in split_list(row.cargo_units):
        if word not in CARGO_UNIT_WORDS:
            problems.append(
                Problem(
                    file,
                    rec,
                    "cargo_units",
                    f"unknown cargo unit {word!r}; allowed values: "
                    + ", ".join(CARGO_UNIT_WORDS)
                    + " (empty: all)",
                )
            )


def _check_link_ends(
    row: Any, file: str, rec: str, known: set[str], place_ids: list[str], problems: list[Problem]
) -> None:
    """A link's from_id and to_id: known places, and not one place."""
    for fld in ("from_id", "to_id"):
        pid = getattr(row, fld)
        if pid is not None and pid not in known:
            close = difflib.get_close_matches(pid, place_ids, n=3)
            hint = f"; closest place ids: {', '.join(close)}" if close else ""
            problems.append(Problem(file, rec, fld, f"unknown place {pid!r}{hint}"))
    if row.from_id is not None and row.from_id == row.to_id:
        problems.append(Problem(file, rec, "to_id", "a link cannot start and end at one place"))


def _check_link_gauge(row: Any, file: str, rec: str, problems: list[Problem]) -> None:
    """A link's gauge_mm: parses, known gauges, given on rail links and only on them."""
    try:
        gauges = parse_gauges(row.gauge_mm)
    except ValueError:
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                f"{row.gauge_mm!r} is not a gauge; use whole mm, several "
                "separated by '|' (e.g. 1435|1520)",
            )
        )
        return
    if row.mode == "rail" and not gauges:
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                "rail links need a gauge in mm; allowed values: " + ", ".join(map(str, GAUGES_MM)),
            )
        )
    bad = sorted(g for g in gauges if g not in GAUGES_MM)
    if bad:
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                f"unknown gauge {bad}; allowed values: " + ", ".join(map(str, GAUGES_MM)),
            )
        )
    if row.mode in ("road", "sea", "ferry") and gauges:
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                f"only rail links have a gauge ({row.mode} link has {row.gauge_mm!r})",
            )
        )


def _check_link_values(
    row: Any, file: str, rec: str, country: Mapping[Any, Any], problems: list[Problem]
) -> None:
    """A link's numbers (positive), its year (plausible, and given when it is not open yet)
    and, for a border link, two countries at its ends."""
    for fld in ("distance_km", "speed_kmh", "speed_kmh_reverse", "time_h", "headway_h"):
        v = getattr(row, fld)
        if v is not None and not math.isnan(v) and v <= 0:
            problems.append(Problem(file, rec, fld, f"must be positive, got {v!r}"))
    if (
        row.usd_per_teu_km is not None
        and not math.isnan(row.usd_per_teu_km)
        and row.usd_per_teu_km < 0
    ):
        problems.append(Problem(file, rec, "usd_per_teu_km", "must not be negative"))
    if row.year is not None and row.year is not pd.NA and not (1800 <= int(row.year) <= 2100):
        problems.append(Problem(file, rec, "year", f"{row.year} is not a plausible year"))
    if row.status in ("planned", "under_construction") and (row.year is None or row.year is pd.NA):
        problems.append(
            Problem(
                file,
                rec,
                "year",
                f"a {row.status} link needs the year it is expected to open "
                "(mark it confidence 'assumed' if no source gives one)",
            )
        )
    if row.kind == "border" and row.from_id in country and row.to_id in country:
        if country[row.from_id] is not None and country[row.from_id] == country[row.to_id]:
            problems.append(
                Problem(
                    file,
                    rec,
                    "kind",
                    f"a border link must join two countries; both ends are in "
                    f"{country[row.from_id]}",
                )
            )


def _check_link_geometry(
    row: Any, i: int, geo: Mapping[str, Any], file: str, rec: str, problems: list[Problem]
) -> None:
    """A link's geometry (a LineString whose ends lie at its places, in its direction) and its
    distance (not shorter than the great circle), from the distances precomputed for all links
    at once (:func:`_link_geometry_checks`)."""
    geom_type = geo["type"][i]
    if geom_type is None:
        problems.append(
            Problem(file, rec, "geometry", "missing geometry; a LineString is required")
        )
    elif geom_type != "LineString":
        problems.append(
            Problem(
                file,
                rec,
                "geometry",
                f"{geom_type} found; links must be LineStrings "
                "(merge parts with shapely.line_merge)",
            )
        )
    elif geo["ends_known"][i]:
        d_start, d_end = geo["d_start"][i], geo["d_end"][i]
        if d_start > ENDPOINT_TOLERANCE_KM or d_end > ENDPOINT_TOLERANCE_KM:
            if (
                geo["rev_start"][i] <= ENDPOINT_TOLERANCE_KM
                and geo["rev_end"][i] <= ENDPOINT_TOLERANCE_KM
            ):
                msg = (
                    f"geometry runs from {row.to_id!r} to {row.from_id!r}; reverse it "
                    "(shapely.reverse) or swap from_id and to_id"
                )
            else:
                msg = (
                    f"geometry ends lie {d_start:.1f} km and {d_end:.1f} km from places "
                    f"{row.from_id!r} and {row.to_id!r} (at most "
                    f"{ENDPOINT_TOLERANCE_KM:g} km allowed)"
                )
            problems.append(Problem(file, rec, "geometry", msg))
    if (
        geo["ends_known"][i]
        and row.distance_km is not None
        and not math.isnan(row.distance_km)
        and row.distance_km > 0
    ):
        gc = geo["gc"][i]
        if row.distance_km < gc * (1 - DISTANCE_TOLERANCE):
            problems.append(
                Problem(
                    file,
                    rec,
                    "distance_km",
                    f"{row.distance_km:g} km is shorter than the great-circle "
                    f"distance between its places ({gc:.1f} km); distances are "
                    "along the real alignment, or a place is misplaced",
                )
            )


# link columns that must be positive (strict: may be 0 but not negative)
_POSITIVE_FIELDS = (
    ("distance_km", False),
    ("speed_kmh", False),
    ("speed_kmh_reverse", False),
    ("time_h", False),
    ("headway_h", False),
    ("usd_per_teu_km", True),
)


def _links_to_check(
    links: gpd.GeoDataFrame, country: Mapping[Any, Any], geo: Mapping[str, Any]
) -> np.ndarray:
    """Rows of ``links`` for which the row checks of :func:`validate_links` may report a
    problem: every such row, found over whole columns (each row check then runs only on
    these rows). A frame without the columns of the checks gets all its rows checked."""
    n = len(links)
    fz: dict[Any, tuple[np.ndarray, Any]] = {}  # each column factorized once

    def rows_where(s: pd.Series, test: Any) -> np.ndarray:
        return _rows_where(s, test, fz)

    try:
        mode = links["mode"]
        flag = (
            _bad_enum(mode, MODES, fz)
            | _bad_enum(links["kind"], LINK_KINDS, fz)
            | _bad_enum(links["status"], STATUSES, fz)
        )
        water = rows_where(mode, lambda m: m in ("sea", "ferry"))
        passages = links["passages"]
        flag |= rows_where(passages, lambda v: any(w not in PASSAGES for w in split_list(v)))
        flag |= rows_where(passages, lambda v: bool(split_list(v))) & ~water
        flag |= rows_where(
            links["cargo_units"], lambda v: any(w not in CARGO_UNIT_WORDS for w in split_list(v))
        )
        # the coerced ids are text or None
        ends = {fld: links[fld].to_numpy(dtype=object) for fld in ("from_id", "to_id")}
        given = {fld: np.asarray(v != None, dtype=bool) for fld, v in ends.items()}  # noqa: E711
        for fld in ends:  # an unknown place (the geometry checks looked every id up)
            flag |= given[fld] & (geo["place_pos"][fld] < 0)
        flag |= given["from_id"] & (ends["from_id"] == ends["to_id"])
        from_ids, to_ids = ends["from_id"], ends["to_id"]

        gauge = links["gauge_mm"]
        flag |= rows_where(
            gauge,
            lambda g: (gs := _gauges_or_none(g)) is None or any(x not in GAUGES_MM for x in gs),
        )
        flag |= rows_where(gauge, lambda g: not _gauges_or_none(g)) & rows_where(
            mode, lambda m: m == "rail"
        )
        flag |= rows_where(gauge, lambda g: bool(_gauges_or_none(g))) & rows_where(
            mode, lambda m: m in ("road", "sea", "ferry")
        )
        for fld, strict in _POSITIVE_FIELDS:
            col = links[fld]
            if col.dtype != np.float64:
                return np.arange(n)
            x = col.to_numpy()
            flag |= (x < 0) if strict else (x <= 0)
        year = links["year"]
        if not isinstance(year.dtype, pd.Int64Dtype):
            return np.arange(n)
        no_year = year.isna().to_numpy()
        y = year.to_numpy(dtype=float, na_value=np.nan)
        flag |= ~no_year & ((y < 1800) | (y > 2100))
        flag |= no_year & rows_where(
            links["status"], lambda s: s in ("planned", "under_construction")
        )
        border = np.flatnonzero(rows_where(links["kind"], lambda k: k == "border"))
        for i in border.tolist():
            a, b = from_ids[i], to_ids[i]
            if (
                a in country
                and b in country
                and country[a] is not None
                and country[a] == country[b]
            ):
                flag[i] = True
        flag |= ~geo["is_line"]
        ends = geo["ends_known"]
        flag |= ends & (
            (geo["d_start"] > ENDPOINT_TOLERANCE_KM) | (geo["d_end"] > ENDPOINT_TOLERANCE_KM)
        )
        km = links["distance_km"].to_numpy()
        flag |= ends & (km > 0) & (km < geo["gc"] * (1 - DISTANCE_TOLERANCE))
    except KeyError:
        return np.arange(n)
    return np.flatnonzero(flag)


def _gauges_or_none(value: Any) -> frozenset[int] | None:
    """The gauges of a ``gauge_mm`` cell, None when it does not parse."""
    try:
        return parse_gauges(value)
    except ValueError:
        return None


_GEOM_TYPES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)  # by shapely.get_type_id


def _link_geometry_checks(links: gpd.GeoDataFrame, xy: pd.DataFrame) -> dict[str, Any]:
    """Vectorised distances for the link checks: the geodesic between the places (on the
    rows whose distance_km may be too short for it, NaN elsewhere: :func:`_may_be_short`),
    and from each geometry end to its place (and to the other place, to detect reversed
    lines, on the rows whose ends are off). ``xy`` is :func:`_place_points`."""
    n = len(links)
    geoms = np.asarray(links.geometry.to_numpy(), dtype=object)
    type_ids = shapely.get_type_id(geoms)
    empty = shapely.is_empty(geoms)
    known_type = (type_ids >= 0) & ~empty
    types = np.full(n, None, dtype=object)
    listed = known_type & (type_ids < len(_GEOM_TYPES))
    types[listed] = np.array(_GEOM_TYPES, dtype=object)[type_ids[listed]]
    for i in np.flatnonzero(known_type & ~listed).tolist():
        types[i] = geoms[i].geom_type
    # (an Index of dtype object: a bare array would first be converted to pandas text)
    pos = {
        fld: xy.index.get_indexer(pd.Index(links[fld].to_numpy(dtype=object), dtype=object))
        for fld in _ENDS
    }
    a = _ends_xy(xy, pos["from_id"])
    b = _ends_xy(xy, pos["to_id"])
    ends_known = ~(np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))
    is_line = known_type & (type_ids == 1)
    first = np.full((n, 2), np.nan)
    last = np.full((n, 2), np.nan)
    if is_line.any():
        lines = geoms[is_line]
        coords = shapely.get_coordinates(lines)
        end = np.cumsum(shapely.get_num_coordinates(lines))
        first[is_line] = coords[end - shapely.get_num_coordinates(lines)]
        last[is_line] = coords[end - 1]

    def dist(u: np.ndarray, v: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        ok = ~(np.isnan(u).any(axis=1) | np.isnan(v).any(axis=1))
        if rows is not None:
            ok &= rows
        out = np.full(n, np.nan)
        # a geometry that ends exactly at its place is 0 km from it (most rows)
        same = ok & (u == v).all(axis=1)
        out[same] = 0.0
        ok &= ~same
        if ok.any():
            out[ok] = geodesic_km(u[ok, 0], u[ok, 1], v[ok, 0], v[ok, 1])
        return out

    d_start, d_end = dist(first, a), dist(last, b)
    off = ends_known & ((d_start > ENDPOINT_TOLERANCE_KM) | (d_end > ENDPOINT_TOLERANCE_KM))
    return {
        "place_pos": pos,
        "type": types,
        "is_line": is_line,
        "ends_known": ends_known,
        "gc": dist(a, b, _may_be_short(links, a, b)),
        "d_start": d_start,
        "d_end": d_end,
        "rev_start": dist(first, b, off),
        "rev_end": dist(last, a, off),
    }


_ENDS = ("from_id", "to_id")


SPHERE_BOUND = 1.01
"""A great circle on the mean-radius sphere is within 0.6 % of the WGS84 geodesic between the
same points; a link at least this factor over the sphere's distance (less the tolerance) is
not shorter than its geodesic."""


def _may_be_short(links: gpd.GeoDataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The rows whose distance_km may be shorter than the geodesic between their places
    (less :data:`DISTANCE_TOLERANCE`), by a cheap spherical distance: the exact geodesic is
    needed only there (None: every row, when distance_km is not a float column)."""
    km = links["distance_km"].to_numpy() if "distance_km" in links.columns else None
    if km is None or km.dtype != np.float64:
        return None
    lon1, lat1, lon2, lat2 = (np.radians(v) for v in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    sphere = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    sure = km >= sphere * SPHERE_BOUND * (1 - DISTANCE_TOLERANCE)
    return ~sure & (km > 0)


def _ends_xy(xy: pd.DataFrame, pos: np.ndarray) -> np.ndarray:
    """(lon, lat) of each link end's place (``pos``: its row in ``xy``, -1 for an unknown
    place), NaN where the place is unknown or has no point."""
    out = np.full((len(pos), 2), np.nan)
    hit = pos >= 0
    out[hit] = xy.to_numpy(dtype=float)[pos[hit]]
    return out
