"""Validation: coerce the frames of a network to their schema and report every problem.

This module owns the checks. :func:`coerce_frame` gives each known column its canonical
type; :func:`validate_places`, :func:`validate_links`, :func:`validate_table` and
:func:`validate_corridors` append a :class:`~corridors.errors.Problem` for each thing wrong
(unknown values, bad ids, dangling references, misplaced geometry, short distances, ...);
:func:`prepare_frames` runs them all over the frames of one network. Problems are
collected, not raised one at a time, so that a user sees every fix at once.

See Also
--------
corridors.model.schema : the vocabularies and file schemas checked here.
corridors.model.network.Network.from_geodataframes : raises the problems found as one
    :class:`~corridors.errors.ValidationError`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import CrsError, Problem, ValidationError
from .coerce import _record_ids, _RecordNames, coerce_frame
from .schema import (
    CARGO_UNIT_WORDS,
    CONFIDENCE_LEVELS,
    DIRECTIONS,
    DISTANCE_TOLERANCE,
    ENDPOINT_TOLERANCE_KM,
    GAUGES_MM,
    LINK_FIELDS,
    LINK_KINDS,
    MODES,
    OPERATION_KINDS,
    PASSAGES,
    PLACE_FIELDS,
    PLACE_KINDS,
    RISK_SCOPES,
    SERVICE_MODES,
    STATUSES,
    TABLE_FIELDS,
    TABLE_KEYS,
    TABLE_NAMES,
    _missing,
    geodesic_km,
    parse_gauges,
    split_list,
)

__all__ = [
    "validate_places",
    "validate_links",
    "validate_table",
    "validate_corridors",
    "prepare_frames",
]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")


# --------------------------------------------------------------------------------------------
# Coercion and validation
# --------------------------------------------------------------------------------------------


#: Largest magnitude a decimal field may hold; larger values (1e308 km, USD per TEU-km) are
#: typing or unit errors, and would overflow the sums routing makes.


def _check_crs(gdf: gpd.GeoDataFrame, file: str, problems: list[Problem]) -> None:
    if gdf.crs is None:
        problems.append(
            Problem(
                file,
                "(all records)",
                "geometry",
                "data has no CRS; set it if the coordinates are lon/lat "
                "(gdf.set_crs(4326)), otherwise set the CRS they are in and "
                "reproject with gdf.to_crs(4326)",
            )
        )
    elif gdf.crs.to_epsg() != 4326:
        problems.append(
            Problem(
                file,
                "(all records)",
                "geometry",
                f"CRS is {gdf.crs.to_string()}, not EPSG:4326; reproject with "
                "gdf.to_crs(4326) (or ogr2ogr -t_srs EPSG:4326)",
            )
        )


def _enum(
    value: Any, allowed: tuple[str, ...], file: str, rec: str, fld: str, problems: list[Problem]
) -> None:
    if value is not None and value not in allowed:
        problems.append(
            Problem(
                file, rec, fld, f"{value!r} is not allowed; allowed values: " + ", ".join(allowed)
            )
        )


def _rows_where(s: pd.Series, test: Any) -> np.ndarray:
    """Bool per row: ``test(value)``, evaluated once per distinct value (missing values one
    by one, as they are)."""
    n = len(s)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    per_value = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    out = np.zeros(n, dtype=bool)
    known = codes >= 0
    out[known] = per_value[codes[known]]
    if not known.all():
        values = s.to_numpy(dtype=object)
        singletons: dict[int, bool] = {}  # None and pd.NA, tested once each
        for i in np.flatnonzero(~known).tolist():
            v = values[i]
            if v is None or v is pd.NA:
                hit = singletons.get(id(v))
                if hit is None:
                    hit = singletons[id(v)] = bool(test(v))
                out[i] = hit
            else:
                out[i] = bool(test(v))
    return out


def _bad_enum(s: pd.Series, allowed: tuple[str, ...]) -> np.ndarray:
    """Rows for which :func:`_enum` reports a problem."""
    return _rows_where(s, lambda v: v is not None and v not in allowed)


def _check_ids(df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    ids = df["id"].tolist()
    slug = np.fromiter(
        (v is None or _ID_RE.match(v) is not None for v in ids), dtype=bool, count=len(ids)
    )
    # the first row of each id (the row the row-by-row check remembers): factorize numbers
    # the ids in order of first appearance, so first rows in order are those of codes 0, 1, ...
    codes, _ = pd.factorize(df["id"], use_na_sentinel=True)
    has = codes >= 0
    first = np.arange(len(ids))
    if has.any():
        is_first = has & ~pd.Series(codes).duplicated().to_numpy()
        first[has] = np.flatnonzero(is_first)[codes[has]]
    flagged = np.flatnonzero(~slug | (first != np.arange(len(ids))))
    for i in flagged.tolist():
        v = ids[i]
        if v is None:
            continue
        if not _ID_RE.match(v):
            problems.append(
                Problem(
                    file, f"id {v!r}", "id", "ids are slugs: lower-case letters, digits, '_' or '-'"
                )
            )
        if first[i] != i:
            problems.append(
                Problem(
                    file, f"id {v!r}", "id", f"duplicate id (rows {int(first[i]) + 1} and {i + 1})"
                )
            )


def _check_source(
    df: pd.DataFrame,
    names: _RecordNames | Sequence[str],
    file: str,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    if "confidence" in df.columns:
        confidence = df["confidence"]
        values = confidence.tolist()
        for i in np.flatnonzero(_bad_enum(confidence, CONFIDENCE_LEVELS)).tolist():
            _enum(values[i], CONFIDENCE_LEVELS, file, names[i], "confidence", problems)
    if not sources or "source" not in df.columns:
        return
    unknown: dict[str, list[str]] = {}  # source cell -> its ids not in sources, in order

    def bad_ids(src: Any) -> list[str]:
        if src is None:
            return []
        hit = unknown.get(src)
        if hit is None:
            hit = [sid for sid in (s.strip() for s in src.split(";")) if sid and sid not in sources]
            unknown[src] = hit
        return hit

    column = df["source"]
    values = column.tolist()
    hints: dict[str, str] = {}
    for i in np.flatnonzero(_rows_where(column, lambda v: bool(bad_ids(v)))).tolist():
        for sid in bad_ids(values[i]):
            if sid not in hints:
                close = difflib.get_close_matches(sid, list(sources), n=3)
                hints[sid] = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(
                Problem(
                    file,
                    names[i],
                    "source",
                    f"source id {sid!r} is not defined in SOURCES.md{hints[sid]}",
                )
            )


def validate_places(
    places: gpd.GeoDataFrame, file: str, sources: Mapping[str, str] | None, problems: list[Problem]
) -> None:
    """Append the problems of a (coerced) places frame to ``problems``."""
    _check_ids(places, file, problems)
    names = _RecordNames(places, "id")
    geoms = np.asarray(places.geometry.to_numpy(), dtype=object)
    point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    x[point] = shapely.get_x(geoms[point])
    y[point] = shapely.get_y(geoms[point])
    flagged = (
        _bad_enum(places["kind"], PLACE_KINDS)
        | _rows_where(places["country"], lambda c: c is not None and not _ISO3_RE.match(c))
        | ~point
        | ~((-180 <= x) & (x <= 180) & (-90 <= y) & (y <= 90))
    )
    # the checks of each row that may have a problem, row by row as they were written
    rows = np.flatnonzero(flagged)
    for i, row in zip(rows.tolist(), places.iloc[rows].itertuples(index=False)):
        rec = names[i]
        _enum(row.kind, PLACE_KINDS, file, rec, "kind", problems)
        if row.country is not None and not _ISO3_RE.match(row.country):
            problems.append(
                Problem(
                    file,
                    rec,
                    "country",
                    f"{row.country!r} is not an ISO 3166-1 alpha-3 code (e.g. PAK)",
                )
            )
        geom = places.geometry.iloc[i]
        if geom is None or geom.is_empty:
            problems.append(Problem(file, rec, "geometry", "missing geometry; a Point is required"))
        elif geom.geom_type != "Point":
            problems.append(
                Problem(file, rec, "geometry", f"{geom.geom_type} found; places must be Points")
            )
        elif not (-180 <= geom.x <= 180 and -90 <= geom.y <= 90):
            problems.append(
                Problem(
                    file, rec, "geometry", f"({geom.x}, {geom.y}) is not a (lon, lat) in degrees"
                )
            )
    _check_source(places, names, file, sources, problems)


def validate_links(
    links: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    file: str,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    """Append the problems of a (coerced) links frame to ``problems``."""
    _check_ids(links, file, problems)
    names = _RecordNames(links, "id")
    place_ids = [p for p in places["id"].tolist() if p is not None]
    pids = places["id"].tolist()
    geoms = np.asarray(places.geometry.to_numpy(), dtype=object)
    point = (shapely.get_type_id(geoms) == 0) & ~shapely.is_empty(geoms)
    px = np.full(len(geoms), np.nan)
    py = np.full(len(geoms), np.nan)
    px[point] = shapely.get_x(geoms[point])
    py[point] = shapely.get_y(geoms[point])
    xy: dict[str, tuple[float, float]] = {
        pid: (x, y)
        for pid, ok, x, y in zip(pids, point.tolist(), px.tolist(), py.tolist())
        if pid is not None and ok
    }
    country: dict[str, str | None] = dict(zip(pids, places["country"].tolist()))
    known = set(place_ids)
    geo = _link_geometry_checks(links, xy)
    # the checks of each row that may have a problem, row by row as they were written
    rows = _links_to_check(links, known, country, geo)
    for i, row in zip(rows.tolist(), links.iloc[rows].itertuples(index=False)):
        rec = names[i]
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
        for fld in ("from_id", "to_id"):
            pid = getattr(row, fld)
            if pid is not None and pid not in known:
                close = difflib.get_close_matches(pid, place_ids, n=3)
                hint = f"; closest place ids: {', '.join(close)}" if close else ""
                problems.append(Problem(file, rec, fld, f"unknown place {pid!r}{hint}"))
        if row.from_id is not None and row.from_id == row.to_id:
            problems.append(Problem(file, rec, "to_id", "a link cannot start and end at one place"))
        # gauges
        try:
            gauges = parse_gauges(row.gauge_mm)
        except ValueError:
            gauges = frozenset()
            problems.append(
                Problem(
                    file,
                    rec,
                    "gauge_mm",
                    f"{row.gauge_mm!r} is not a gauge; use whole mm, several "
                    "separated by '|' (e.g. 1435|1520)",
                )
            )
        else:
            if row.mode == "rail" and not gauges:
                problems.append(
                    Problem(
                        file,
                        rec,
                        "gauge_mm",
                        "rail links need a gauge in mm; allowed values: "
                        + ", ".join(map(str, GAUGES_MM)),
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
        # numbers
        for fld in ("distance_km", "speed_kmh", "time_h", "headway_h"):
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
        if row.status in ("planned", "under_construction") and (
            row.year is None or row.year is pd.NA
        ):
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
        # geometry (distances precomputed for all links at once)
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
    _check_source(links, names, file, sources, problems)


def _links_to_check(
    links: gpd.GeoDataFrame, known: set[str], country: Mapping[Any, Any], geo: Mapping[str, Any]
) -> np.ndarray:
    """Rows of ``links`` for which the row checks of :func:`validate_links` may report a
    problem: every such row, found over whole columns (each row check then runs only on
    these rows). A frame without the columns of the checks gets all its rows checked."""
    n = len(links)
    try:
        mode = links["mode"]
        flag = (
            _bad_enum(mode, MODES)
            | _bad_enum(links["kind"], LINK_KINDS)
            | _bad_enum(links["status"], STATUSES)
        )
        water = _rows_where(mode, lambda m: m in ("sea", "ferry"))
        passages = links["passages"]
        flag |= _rows_where(passages, lambda v: any(w not in PASSAGES for w in split_list(v)))
        flag |= _rows_where(passages, lambda v: bool(split_list(v))) & ~water
        flag |= _rows_where(
            links["cargo_units"], lambda v: any(w not in CARGO_UNIT_WORDS for w in split_list(v))
        )
        from_ids, to_ids = links["from_id"].tolist(), links["to_id"].tolist()
        for fld, ids in (("from_id", from_ids), ("to_id", to_ids)):
            given = np.fromiter((p is not None for p in ids), dtype=bool, count=n)
            flag |= given & ~links[fld].isin(known).to_numpy()
        flag |= np.fromiter(
            (a is not None and a == b for a, b in zip(from_ids, to_ids)), dtype=bool, count=n
        )

        def gauges_of(value: Any) -> frozenset[int] | None:
            try:
                return parse_gauges(value)
            except ValueError:
                return None

        gauge = links["gauge_mm"]
        flag |= _rows_where(
            gauge, lambda g: (gs := gauges_of(g)) is None or any(x not in GAUGES_MM for x in gs)
        )
        flag |= _rows_where(gauge, lambda g: not gauges_of(g)) & _rows_where(
            mode, lambda m: m == "rail"
        )
        flag |= _rows_where(gauge, lambda g: bool(gauges_of(g))) & _rows_where(
            mode, lambda m: m in ("road", "sea", "ferry")
        )
        for fld, strict in (
            ("distance_km", False),
            ("speed_kmh", False),
            ("time_h", False),
            ("headway_h", False),
            ("usd_per_teu_km", True),
        ):
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
        flag |= no_year & _rows_where(
            links["status"], lambda s: s in ("planned", "under_construction")
        )
        border = np.flatnonzero(_rows_where(links["kind"], lambda k: k == "border"))
        for i in border.tolist():
            a, b = from_ids[i], to_ids[i]
            if (
                a in country
                and b in country
                and country[a] is not None
                and country[a] == country[b]
            ):
                flag[i] = True
        flag |= np.fromiter((t != "LineString" for t in geo["type"]), dtype=bool, count=n)
        ends = geo["ends_known"]
        flag |= ends & (
            (geo["d_start"] > ENDPOINT_TOLERANCE_KM) | (geo["d_end"] > ENDPOINT_TOLERANCE_KM)
        )
        km = links["distance_km"].to_numpy()
        flag |= ends & (km > 0) & (km < geo["gc"] * (1 - DISTANCE_TOLERANCE))
    except KeyError:
        return np.arange(n)
    return np.flatnonzero(flag)


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


def _link_geometry_checks(
    links: gpd.GeoDataFrame, xy: Mapping[str, tuple[float, float]]
) -> dict[str, Any]:
    """Vectorised distances for the link checks: great circle between the places, and from
    each geometry end to its place (and to the other place, to detect reversed lines)."""
    n = len(links)
    geoms = np.asarray(links.geometry.to_numpy(), dtype=object)
    type_ids = shapely.get_type_id(geoms).tolist()
    empty = shapely.is_empty(geoms).tolist()
    types: list[str | None] = [
        None if t < 0 or e else _GEOM_TYPES[t] if t < len(_GEOM_TYPES) else geoms[i].geom_type
        for i, (t, e) in enumerate(zip(type_ids, empty))
    ]
    nan = (np.nan, np.nan)
    a = np.array([xy.get(p, nan) if p is not None else nan for p in links["from_id"]], dtype=float)
    b = np.array([xy.get(p, nan) if p is not None else nan for p in links["to_id"]], dtype=float)
    a = a.reshape(n, 2)
    b = b.reshape(n, 2)
    ends_known = ~(np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))
    is_line = np.array([t == "LineString" for t in types], dtype=bool)
    first = np.full((n, 2), np.nan)
    last = np.full((n, 2), np.nan)
    if is_line.any():
        lines = geoms[is_line]
        p0 = shapely.get_point(lines, 0)
        p1 = shapely.get_point(lines, -1)
        first[is_line] = np.column_stack([shapely.get_x(p0), shapely.get_y(p0)])
        last[is_line] = np.column_stack([shapely.get_x(p1), shapely.get_y(p1)])

    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        ok = ~(np.isnan(u).any(axis=1) | np.isnan(v).any(axis=1))
        out = np.full(n, np.nan)
        if ok.any():
            out[ok] = geodesic_km(u[ok, 0], u[ok, 1], v[ok, 0], v[ok, 1])
        return out

    return {
        "type": types,
        "ends_known": ends_known,
        "gc": dist(a, b),
        "d_start": dist(first, a),
        "d_end": dist(last, b),
        "rev_start": dist(first, b),
        "rev_end": dist(last, a),
    }


def validate_table(
    name: str,
    table: pd.DataFrame,
    file: str,
    places: pd.DataFrame,
    links: pd.DataFrame,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    """Append the problems of a (coerced) parameter table to ``problems``."""
    key = TABLE_KEYS[name]
    names = _record_ids(table, key)
    cells = _Columns(table)
    seen: dict[tuple[Any, ...], int] = {}
    for i, rec in enumerate(names):
        k = tuple(cells[c][i] for c in key)
        if name == "operations" and k[0] == "*" and cells["kind"][i] != "terminal":
            # default rows ('*', '*', '*') are one per transfer kind (docs/data-format.md)
            k = (*k, cells["kind"][i])
        if all(v is not None for v in k):
            if k in seen:
                problems.append(
                    Problem(file, rec, ",".join(key), f"duplicate key {k} (also row {seen[k] + 1})")
                )
            else:
                seen[k] = i
    place_ids = set(places["id"].dropna().tolist())
    link_rows = {lid: i for i, lid in enumerate(links["id"].tolist()) if lid is not None}
    countries = set(places["country"].dropna().tolist())
    for spec in TABLE_FIELDS[name]:
        if spec.type != "float":
            continue
        for rec, v in zip(names, table[spec.name].tolist()):
            if v is not None and not math.isnan(v) and v < 0:
                problems.append(Problem(file, rec, spec.name, f"must not be negative, got {v!r}"))
    for i, rec in enumerate(names):
        row = cells.row(i)
        if name in ("tariffs", "speeds"):
            _enum(row["mode"], MODES, file, rec, "mode", problems)
            c = row["country"]
            if c is not None and c != "*" and not _ISO3_RE.match(c):
                problems.append(Problem(file, rec, "country", f"{c!r} is not an ISO3 code or '*'"))
            if name == "speeds" and row["speed_kmh"] is not None and row["speed_kmh"] == 0:
                problems.append(Problem(file, rec, "speed_kmh", "must be positive"))
            if name == "tariffs" and all(
                _missing(row[c]) for c in ("usd_per_teu_km", "usd_per_feu_km", "usd_per_tonne_km")
            ):
                problems.append(
                    Problem(
                        file,
                        rec,
                        "usd_per_teu_km",
                        "a tariff row needs at least one of usd_per_teu_km, "
                        "usd_per_feu_km, usd_per_tonne_km",
                    )
                )
        elif name == "crossings":
            _enum(row["direction"], DIRECTIONS, file, rec, "direction", problems)
            lid = row["link_id"]
            if lid is not None:
                if lid not in link_rows:
                    close = difflib.get_close_matches(lid, list(link_rows), n=3)
                    hint = f"; closest link ids: {', '.join(close)}" if close else ""
                    problems.append(Problem(file, rec, "link_id", f"unknown link {lid!r}{hint}"))
                elif links["kind"].iloc[link_rows[lid]] != "border":
                    problems.append(
                        Problem(
                            file,
                            rec,
                            "link_id",
                            f"link {lid!r} is not a border link (kind='border')",
                        )
                    )
            _check_p90(
                row["dwell_median_h"], row["dwell_p90_h"], file, rec, "dwell_p90_h", problems
            )
        elif name == "operations":
            _enum(row["kind"], OPERATION_KINDS, file, rec, "kind", problems)
            pid = row["place_id"]
            if pid is not None and pid != "*" and pid not in place_ids:
                problems.append(Problem(file, rec, "place_id", f"unknown place {pid!r}"))
            for fld in ("from_service", "to_service"):
                s = row[fld]
                if s is None:
                    continue
                if row["kind"] == "terminal":
                    ok = (
                        (s == "terminal")
                        if fld == "to_service"
                        else (s in MODES or _valid_service(s) or (pid != "*" and s == "*"))
                    )
                    if not ok:
                        problems.append(
                            Problem(
                                file,
                                rec,
                                fld,
                                "terminal rows give the mode or service loaded or unloaded in "
                                "from_service (rail, road, sea, ferry or rail-<gauge mm>) and "
                                f"'terminal' in to_service, got {s!r}",
                            )
                        )
                elif pid == "*":
                    if s != "*":
                        problems.append(
                            Problem(
                                file, rec, fld, "default rows (place_id '*') use '*' for services"
                            )
                        )
                elif not _valid_service(s):
                    problems.append(
                        Problem(
                            file,
                            rec,
                            fld,
                            f"{s!r} is not a service; allowed: rail-<gauge mm> "
                            "(e.g. rail-1435), road, sea, ferry",
                        )
                    )
            _check_p90(row["time_median_h"], row["time_p90_h"], file, rec, "time_p90_h", problems)
        elif name == "services":
            _check_service(row, file, rec, place_ids, links, problems)
        elif name == "risk":
            _enum(row["scope"], RISK_SCOPES, file, rec, "scope", problems)
            ref = row["ref"]
            if ref is not None:
                if row["scope"] == "place" and ref not in place_ids:
                    problems.append(Problem(file, rec, "ref", f"unknown place {ref!r}"))
                elif row["scope"] == "link" and ref not in link_rows:
                    problems.append(Problem(file, rec, "ref", f"unknown link {ref!r}"))
                elif row["scope"] == "passage" and ref not in PASSAGES:
                    problems.append(
                        Problem(
                            file,
                            rec,
                            "ref",
                            f"unknown passage {ref!r}; allowed values: " + ", ".join(PASSAGES),
                        )
                    )
                elif row["scope"] == "country" and not _ISO3_RE.match(ref):
                    problems.append(Problem(file, rec, "ref", f"{ref!r} is not an ISO3 code"))
            p = row["disruption_prob_per_trip"]
            if not _missing(p) and p > 1:
                problems.append(
                    Problem(
                        file,
                        rec,
                        "disruption_prob_per_trip",
                        f"a probability is at most 1, got {p}",
                    )
                )
    if name == "crossings":
        _check_crossings_complete(table, links, file, problems)
    _check_source(table, names, file, sources, problems)
    del countries


def _check_service(
    row: _Row,
    file: str,
    rec: str,
    place_ids: set[Any],
    links: pd.DataFrame,
    problems: list[Problem],
) -> None:
    """A scheduled service: a known mode and status, a positive headway, and a path of known
    places whose consecutive places a link of the service's mode and gauge joins."""
    _enum(row["mode"], SERVICE_MODES, file, rec, "mode", problems)
    _enum(row["status"], STATUSES, file, rec, "status", problems)
    hw = row["headway_h"]
    if hw is not None and not math.isnan(hw) and hw <= 0:
        problems.append(Problem(file, rec, "headway_h", f"must be positive, got {hw!r}"))
    sp = row["speed_kmh"]
    if sp is not None and not math.isnan(sp) and sp <= 0:
        problems.append(Problem(file, rec, "speed_kmh", f"must be positive, got {sp!r}"))
    path = [p.strip() for p in str(row["path"] or "").split("|") if p.strip()]
    if len(path) < 2:
        problems.append(
            Problem(
                file,
                rec,
                "path",
                "a service runs over at least two places ('|'-separated place ids, in order)",
            )
        )
        return
    unknown = [p for p in path if p not in place_ids]
    if unknown:
        close = difflib.get_close_matches(unknown[0], [str(p) for p in place_ids], n=3)
        problems.append(
            Problem(
                file,
                rec,
                "path",
                f"unknown place {unknown[0]!r}"
                + (f"; closest ids: {', '.join(close)}" if close else ""),
            )
        )
        return
    if len(set(path)) != len(path):
        problems.append(Problem(file, rec, "path", "a service path visits a place twice"))
        return
    gauge = row["gauge_mm"]
    for a, b in zip(path, path[1:]):
        if service_link(links, row["mode"], gauge, a, b) is None:
            problems.append(
                Problem(
                    file,
                    rec,
                    "path",
                    f"no {row['mode']} link of gauge {gauge} joins {a!r} and "
                    f"{b!r}: list every place the service passes, in order",
                )
            )
            return


def service_link(links: pd.DataFrame, mode: Any, gauge: Any, a: str, b: str) -> int | None:
    """Row of the first link of ``mode`` carrying ``gauge`` between places ``a`` and ``b``
    (either direction), or None."""
    ends = links["from_id"].tolist(), links["to_id"].tolist()
    modes = links["mode"].tolist()
    gauges = links["gauge_mm"].tolist()
    for i, (f, t) in enumerate(zip(*ends)):
        if {f, t} == {a, b} and modes[i] == mode:
            try:
                ok = gauge is None or int(gauge) in parse_gauges(gauges[i])
            except ValueError:
                ok = False
            if ok:
                return i
    return None


class _Columns:
    """The cells of a table by column name, as lists made on first use (reading a cell of a
    list is much cheaper than ``table[name].iloc[i]`` or a row of ``table.iloc[i]``)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._table = table
        self._lists: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        hit = self._lists.get(name)
        if hit is None:
            hit = self._lists[name] = self._table[name].tolist()
        return hit

    def row(self, i: int) -> _Row:
        return _Row(self, i)


class _Row:
    """One row of a :class:`_Columns`: ``row[name]`` is the cell."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: _Columns, i: int) -> None:
        self._columns = columns
        self._i = i

    def __getitem__(self, name: str) -> Any:
        return self._columns[name][self._i]


def _check_p90(p50: Any, p90: Any, file: str, rec: str, fld: str, problems: list[Problem]) -> None:
    """A 90th percentile (hours) below its median is a problem of field ``fld``."""
    if not _missing(p50) and not _missing(p90) and p90 < p50:
        problems.append(
            Problem(file, rec, fld, f"90th percentile {p90} h is below the median {p50} h")
        )


def _valid_service(s: str) -> bool:
    if s in ("road", "sea", "ferry"):
        return True
    m = re.fullmatch(r"rail-(\d+)", s)
    return m is not None and int(m.group(1)) in GAUGES_MM


def _check_crossings_complete(
    table: pd.DataFrame, links: pd.DataFrame, file: str, problems: list[Problem]
) -> None:
    have = set(zip(table["link_id"].tolist(), table["direction"].tolist()))
    for lid, kind, oneway in zip(
        links["id"].tolist(), links["kind"].tolist(), links["oneway"].tolist()
    ):
        if kind != "border" or lid is None:
            continue
        needed = ("forward",) if oneway else DIRECTIONS
        for d in needed:
            if (lid, d) not in have:
                problems.append(
                    Problem(
                        file,
                        f"link {lid!r}",
                        "direction",
                        f"border link has no crossing row for direction {d!r} "
                        "(dwell and fee are needed for each direction)",
                    )
                )


def validate_corridors(
    corridors: Any, file: str, place_ids: set[str], problems: list[Problem]
) -> None:
    """Append the problems of a ``corridors.toml`` list to ``problems``."""
    if not isinstance(corridors, list):
        problems.append(
            Problem(file, "(file)", "corridor", "expected [[corridor]] tables (an array of tables)")
        )
        return
    known = sorted(p for p in place_ids if isinstance(p, str))
    for i, c in enumerate(corridors):
        name = c.get("name") if isinstance(c, dict) else None
        rec = f"corridor {name!r}" if isinstance(name, str) else f"corridor {i + 1}"
        if not isinstance(c, dict):
            problems.append(Problem(file, rec, "", "expected a table"))
            continue
        if not isinstance(c.get("name"), str):
            problems.append(Problem(file, rec, "name", "a corridor needs a name (a string)"))
        stops = c.get("places")
        if not isinstance(stops, list) or len(stops) < 2:
            problems.append(Problem(file, rec, "places", "a list of at least two place ids"))
        else:
            for pid in stops:
                if not isinstance(pid, str):
                    problems.append(
                        Problem(file, rec, "places", f"{pid!r} is not a place id (a string)")
                    )
                elif pid not in place_ids:
                    close = difflib.get_close_matches(pid, known, n=3)
                    hint = f"; closest place ids: {', '.join(close)}" if close else ""
                    problems.append(Problem(file, rec, "places", f"unknown place {pid!r}{hint}"))
        modes = c.get("modes", [])
        if modes is not None and not isinstance(modes, list):
            problems.append(
                Problem(
                    file,
                    rec,
                    "modes",
                    f"{modes!r} is not a list of modes; allowed values: {', '.join(MODES)}",
                )
            )
            modes = []
        for m in modes or []:
            if not isinstance(m, str) or m not in MODES:
                problems.append(
                    Problem(
                        file,
                        rec,
                        "modes",
                        f"{m!r} is not allowed; allowed values: {', '.join(MODES)}",
                    )
                )
        y = c.get("year")
        if y is not None and not (isinstance(y, int) and 1800 <= y <= 2100):
            problems.append(Problem(file, rec, "year", f"{y!r} is not a year"))


def prepare_frames(
    places: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
    tables: Mapping[str, pd.DataFrame | None] | None = None,
    *,
    sources: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, pd.DataFrame], list[Problem]]:
    """Coerce and validate the frames of a network; return them with the list of problems."""
    files = dict(files or {})
    problems: list[Problem] = []
    fp = files.get("places", "places")
    fl = files.get("links", "links")
    for gdf, f in ((places, fp), (links, fl)):
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise ValidationError(
                [
                    Problem(
                        f,
                        "(all records)",
                        "geometry",
                        f"expected a GeoDataFrame, got {type(gdf).__name__}",
                    )
                ]
            )
    crs_problems: list[Problem] = []
    _check_crs(places, fp, crs_problems)
    _check_crs(links, fl, crs_problems)
    if crs_problems:
        raise CrsError(crs_problems)
    p = gpd.GeoDataFrame(
        coerce_frame(places, PLACE_FIELDS, fp, problems, key="id"),
        geometry=places.geometry.to_numpy(),
        crs=places.crs,
    )
    l_ = gpd.GeoDataFrame(
        coerce_frame(links, LINK_FIELDS, fl, problems, key="id"),
        geometry=links.geometry.to_numpy(),
        crs=links.crs,
    )
    validate_places(p, fp, sources, problems)
    validate_links(l_, p, fl, sources, problems)
    out_tables: dict[str, pd.DataFrame] = {}
    for name, table in (tables or {}).items():
        if table is None:
            continue
        if name not in TABLE_FIELDS:
            raise ValueError(f"unknown table {name!r}; allowed: {', '.join(TABLE_NAMES)}")
        f = files.get(name, name)
        t = coerce_frame(table, TABLE_FIELDS[name], f, problems, key=TABLE_KEYS[name])
        validate_table(name, t, f, p, l_, sources, problems)
        out_tables[name] = t.reset_index(drop=True)
    p.index = pd.Index(p["id"].tolist())
    l_.index = pd.Index(l_["id"].tolist())
    return p, l_, out_tables, problems
