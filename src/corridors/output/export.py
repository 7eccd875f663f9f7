"""Writing routes to files (GeoPackage, GeoParquet, CSV, Markdown) and to HTML for notebooks."""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from .._atomic import atomic_path, gdal_write_errors, write_text_atomic
from ..analysis.indicators import describe_route
from ..errors import OptionalDependencyError, ParameterError
from ..routes.route import Route

__all__ = [
    "write_routes",
    "routes_legs",
    "routes_stops",
    "routes_places",
    "routes_markdown",
    "route_html",
    "GPKG_VERSION",
]

SUFFIXES = (".gpkg", ".parquet", ".csv", ".md")

GPKG_VERSION = "1.3"
"""GeoPackage version of written files: 1.3, which GDAL 3.6 (the GDAL of common QGIS builds)
opens without the warning it gives for 1.4."""


def _as_routes(routes: Route | Iterable[Route]) -> list[Route]:
    rs = [routes] if isinstance(routes, Route) else list(routes)
    if not rs:
        raise ParameterError("no routes given")
    return rs


def routes_legs(routes: Route | Iterable[Route]) -> gpd.GeoDataFrame:
    """Every leg of every route, with ``route`` (1-based) and ``route_label`` columns."""
    parts = []
    for i, r in enumerate(_as_routes(routes)):
        legs = r.legs
        legs.insert(0, "route_label", describe_route(r))
        legs.insert(0, "route", i + 1)
        parts.append(legs)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)


def _point(g: shapely.Geometry, end: int = 0) -> shapely.Point:
    return g if g.geom_type == "Point" else shapely.get_point(g, end)


def _line(g: shapely.Geometry) -> shapely.Geometry:
    """A leg's geometry as one LineString: a point becomes a zero-length line, a multi-part
    line is merged (its parts chained end to start when they do not touch)."""
    if g.geom_type == "LineString":
        return g
    if g.geom_type == "Point":
        return shapely.LineString([g, g])
    merged = shapely.line_merge(g)
    if merged.geom_type == "LineString":
        return merged
    coords = [c for part in getattr(merged, "geoms", [merged]) for c in part.coords]
    return shapely.LineString(coords)


def routes_stops(routes: Route | Iterable[Route]) -> gpd.GeoDataFrame:
    """Where the routes stop without moving, as points: each transfer (gauge break, mode
    change, port call), terminal (loading, unloading) and border crossing (at its exit post),
    with ``route``, ``route_label``, ``seq`` (the leg), ``kind`` (``transfer``, ``terminal``,
    ``border``), ``what`` (transfer kind, or the crossing), ``place_id``, ``name``, ``mode``,
    ``time_h``, ``cost_usd`` (the whole leg's, for a border: dwell and fee included) and
    ``dwell_h`` (EPSG:4326)."""
    rows = []
    for i, r in enumerate(_as_routes(routes)):
        label = describe_route(r)
        for leg in r.steps:
            if leg.kind not in ("transfer", "terminal", "border"):
                continue
            what = (
                f"{leg.from_name} → {leg.to_name}"
                if leg.kind == "border"
                else str(leg.transfer_kind or leg.kind)
            )
            rows.append(
                {
                    "route": i + 1,
                    "route_label": label,
                    "seq": leg.seq,
                    "kind": leg.kind,
                    "what": what,
                    "place_id": leg.from_id,
                    "name": leg.from_name,
                    "mode": leg.mode,
                    "time_h": leg.time_h,
                    "cost_usd": leg.cost_usd,
                    "dwell_h": leg.dwell_h,
                    "geometry": _point(leg.geometry),
                }
            )
    cols = [
        "route",
        "route_label",
        "seq",
        "kind",
        "what",
        "place_id",
        "name",
        "mode",
        "time_h",
        "cost_usd",
        "dwell_h",
        "geometry",
    ]
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=4326)


def routes_places(routes: Route | Iterable[Route]) -> gpd.GeoDataFrame:
    """The places the routes touch, one row each: ``place_id``, ``name``, ``roles`` (origin,
    destination, border, transfer, via; ``|``-joined) and ``routes`` (their numbers)."""
    names: dict[str, str] = {}
    points: dict[str, shapely.Point] = {}
    roles: dict[str, list[str]] = {}
    nums: dict[str, list[int]] = {}

    def add(pid: str, name: str, point: shapely.Point, role: str, n: int) -> None:
        names.setdefault(pid, name)
        points.setdefault(pid, point)
        if role not in roles.setdefault(pid, []):
            roles[pid].append(role)
        if n not in nums.setdefault(pid, []):
            nums[pid].append(n)

    for i, r in enumerate(_as_routes(routes)):
        n = i + 1
        last = len(r.steps) - 1
        for j, leg in enumerate(r.steps):
            g = leg.geometry
            start = g if g.geom_type == "Point" else shapely.get_point(g, 0)
            end = g if g.geom_type == "Point" else shapely.get_point(g, -1)
            if leg.kind == "transfer":
                add(leg.from_id, leg.from_name, start, "transfer", n)
                continue
            if leg.kind == "terminal":
                continue
            passing = "border" if leg.kind == "border" else "via"
            add(leg.from_id, leg.from_name, start, "origin" if j <= 1 else passing, n)
            add(leg.to_id, leg.to_name, end, "destination" if j >= last - 1 else passing, n)
    rows = [
        {
            "place_id": pid,
            "name": names[pid],
            "roles": "|".join(roles[pid]),
            "routes": "|".join(str(x) for x in nums[pid]),
            "geometry": points[pid],
        }
        for pid in names
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def routes_markdown(routes: Route | Iterable[Route]) -> str:
    """A Markdown table: one row per route with its totals, crossings and transfers."""
    from ..routes.emissions import route_co2e_kg

    head = (
        "| # | route | km | days | USD | border crossings | transfers | t CO2e |\n"
        "|---:|---|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for i, r in enumerate(_as_routes(routes)):
        co2 = route_co2e_kg(r) / 1000.0
        lines.append(
            f"| {i + 1} | {_md(describe_route(r))} | {r.distance_km:,.0f} | "
            f"{r.time_h / 24:.1f} | {r.cost_usd:,.0f} | {len(r.crossings)} | "
            f"{len(r.transfers)} | {co2:.2f} |"
        )
    return head + "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def write_routes(routes: Route | Iterable[Route], path: str | os.PathLike[str]) -> Path:
    """Write routes to a file chosen by its suffix; returns the path.

    - ``.gpkg`` (GeoPackage :data:`GPKG_VERSION`), one geometry type per layer: ``legs``
      (LineString: the legs that move, links and border links, with a ``route`` column and
      cumulative totals), ``stops`` (Point: transfers, terminals and border crossings,
      :func:`routes_stops`) and ``places`` (Point: the places the routes touch,
      :func:`routes_places`);
    - ``.parquet``: GeoParquet of the legs (needs pyarrow);
    - ``.csv``: the legs with geometry as WKT;
    - ``.md``: a Markdown summary table (:func:`routes_markdown`).

    Raises
    ------
    ParameterError
        For another suffix.
    OptionalDependencyError
        For ``.parquet`` without pyarrow.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise ParameterError(
            f"cannot write routes to {out.name!r}: unknown suffix "
            f"{suffix or '(none)'}; allowed: {', '.join(SUFFIXES)}"
        )
    if suffix == ".md":
        write_text_atomic(out, routes_markdown(routes))
        return out
    legs = routes_legs(routes)
    if suffix == ".gpkg":
        moving = legs[legs["kind"].isin(["link", "border"])].copy()
        moving["geometry"] = [_line(g) for g in moving.geometry]
        layers = (
            ("legs", gpd.GeoDataFrame(moving, geometry="geometry", crs=4326), "LineString"),
            ("stops", routes_stops(routes), "Point"),
            ("places", routes_places(routes), "Point"),
        )
        with atomic_path(out, write_errors=gdal_write_errors()) as tmp:
            for name, frame, gtype in layers:
                frame.to_file(
                    tmp,
                    layer=name,
                    driver="GPKG",
                    engine="pyogrio",
                    geometry_type=gtype,
                    promote_to_multi=False,
                    dataset_options={"VERSION": GPKG_VERSION},
                )
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError as err:  # pragma: no cover - exercised without pyarrow
            raise OptionalDependencyError(
                "GeoParquet needs pyarrow: pip install pyarrow (or the extra that "
                "provides it, 'corridors[parquet]')"
            ) from err
        with atomic_path(out) as tmp:
            legs.to_parquet(tmp)
    else:
        table = pd.DataFrame(legs.drop(columns="geometry"))
        table["geometry_wkt"] = legs.geometry.to_wkt()
        with atomic_path(out) as tmp:
            table.to_csv(tmp, index=False)
    return out


def route_html(route: Route) -> str:
    """A compact HTML summary of a route (totals, time split, crossings, transfers), for
    ``Route._repr_html_`` in Jupyter."""
    e = html.escape
    split = route.time_split()
    total = route.time_h or 1.0
    parts = [
        f"<div class='corridors-route'><b>{e(describe_route(route))}</b>",
        "<table><tr><th>distance</th><th>time</th><th>cost</th></tr>",
        f"<tr><td>{route.distance_km:,.0f} km</td><td>{route.time_h / 24:.1f} days "
        f"({route.time_h:,.0f} h)</td><td>USD {route.cost_usd:,.0f}</td></tr></table>",
        "<table><tr><th>time split</th><th>h</th><th>share</th></tr>",
    ]
    for k, v in split.items():
        parts.append(f"<tr><td>{e(k)}</td><td>{v:,.1f}</td><td>{v / total:.0%}</td></tr>")
    parts.append("</table>")
    if route.crossings:
        parts.append(
            "<table><tr><th>border crossing</th><th>mode</th><th>dwell h</th><th>fee USD</th></tr>"
        )
        for c in route.crossings:
            parts.append(
                f"<tr><td>{e(c.from_name)} → {e(c.to_name)} ({e(c.country)})</td>"
                f"<td>{e(c.mode)}</td><td>{c.dwell_h:,.1f}</td>"
                f"<td>{c.fee_usd:,.0f}</td></tr>"
            )
        parts.append("</table>")
    if route.transfers:
        parts.append("<table><tr><th>transfer</th><th>kind</th><th>h</th><th>USD</th></tr>")
        for t in route.transfers:
            parts.append(
                f"<tr><td>{e(t.from_name)}: {e(t.service)} → {e(t.to_service)}</td>"
                f"<td>{e(str(t.transfer_kind))}</td><td>{t.time_h:,.1f}</td>"
                f"<td>{t.cost_usd:,.0f}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)
