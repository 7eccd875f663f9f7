"""Validation: coerce the frames of a network to their schema and report every problem.

This module owns the checks. :func:`coerce_frame` gives each known column its canonical
type; :func:`validate_places`, :func:`validate_links`, :func:`validate_table` and
:func:`validate_corridors` append a :class:`~corridors.errors.Problem` for each thing wrong
(unknown values, bad ids, dangling references, misplaced geometry, short distances, ...);
:func:`prepare_frames` runs them all over the frames of one network. Problems are
collected, not raised one at a time, so that a user sees every fix at once.

The checks of links live in :mod:`corridors.model.validation_links`, those of the parameter
tables in :mod:`corridors.model.validation_tables`, and the helpers they share in
:mod:`corridors.model.validation_common`; their names are re-exported here.

See Also
--------
corridors.model.schema : the vocabularies and file schemas checked here.
corridors.model.network.Network.from_geodataframes : raises the problems found as one
    :class:`~corridors.errors.ValidationError`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import CrsError, Problem, ValidationError
from .coerce import _RecordNames, coerce_frame
from .schema import (
    LINK_FIELDS,
    MODES,
    PLACE_FIELDS,
    PLACE_KINDS,
    TABLE_FIELDS,
    TABLE_KEYS,
    TABLE_NAMES,
)
from .validation_common import _ID_RE as _ID_RE
from .validation_common import _ISO3_RE as _ISO3_RE
from .validation_common import _bad_enum as _bad_enum
from .validation_common import _check_ids as _check_ids
from .validation_common import _check_source as _check_source
from .validation_common import _enum as _enum
from .validation_common import _rows_where as _rows_where
from .validation_links import _GEOM_TYPES as _GEOM_TYPES
from .validation_links import _link_geometry_checks as _link_geometry_checks
from .validation_links import _links_to_check as _links_to_check
from .validation_links import validate_links as validate_links
from .validation_tables import _check_crossings_complete as _check_crossings_complete
from .validation_tables import _check_p90 as _check_p90
from .validation_tables import _check_service as _check_service
from .validation_tables import _Columns as _Columns
from .validation_tables import _Row as _Row
from .validation_tables import _valid_service as _valid_service
from .validation_tables import service_link as service_link
from .validation_tables import service_links as service_links
from .validation_tables import service_path as service_path
from .validation_tables import validate_table as validate_table

__all__ = [
    "validate_places",
    "validate_links",
    "validate_table",
    "validate_corridors",
    "prepare_frames",
]


# --------------------------------------------------------------------------------------------
# Coercion and validation
# --------------------------------------------------------------------------------------------


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
    found: dict[str, Any] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, pd.DataFrame], list[Problem]]:
    """Coerce and validate the frames of a network; return them with the list of problems.

    ``found`` (optional) receives what validation computed that the network's first build can
    reuse when there are no problems (``link_end_rows``: each link's from and to place row)."""
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
    validate_links(l_, p, fl, sources, problems, found)
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
