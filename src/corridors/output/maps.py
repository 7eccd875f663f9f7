"""Maps of routes: a static map over Natural Earth country outlines (:func:`route_map`,
:func:`save_map`; the ``plot`` extra) and an interactive map that needs nothing beyond the
core (:func:`explore`): one self-contained HTML page (inline SVG over the outlines shipped
with the package) that works offline. A corridor has the same colour as in the charts
(:func:`corridors.output.charts.corridor_colours`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._atomic import atomic_path
from ..routes.route import Route
from .charts import _as_routes, _colour_list, _labels, _pyplot, od_title

__all__ = [
    "route_map",
    "save_map",
    "explore",
    "save_explore",
    "basemap_path",
    "routes_frame",
    "OfflineMap",
]

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def basemap_path() -> Path:
    """The Natural Earth 1:110m country outlines shipped with the package."""
    here = Path(__file__).resolve().parent.parent  # the corridors package
    for root in (here / "_data" / "basemaps", here.parent.parent / "data" / "basemaps"):
        f = root / "ne_110m_countries.geojson"
        if f.exists():
            return f
    raise FileNotFoundError(
        "ne_110m_countries.geojson is missing from the package data (reinstall corridors)"
    )


def routes_frame(
    routes: Route | Iterable[Route], *, labels: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """The legs of several routes in one GeoDataFrame, with ``route`` (1-based number) and
    ``route_label`` columns (EPSG:4326)."""
    rs = _as_routes(routes)
    parts = []
    for i, (r, lab) in enumerate(zip(rs, _labels(rs, labels))):
        legs = r.legs
        legs.insert(0, "route_label", lab)
        legs.insert(0, "route", i + 1)
        parts.append(legs)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=4326)


def _marks(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Border crossings (a point at each border link's exit post) and transfer places."""
    border = gdf[gdf["kind"] == "border"].drop_duplicates("link_id")
    bpts = gpd.GeoDataFrame(
        {"name": [f"{a}–{b}" for a, b in zip(border["from_name"], border["to_name"])]},
        geometry=[shapely.get_point(g, 0) for g in border.geometry],
        crs=4326,
    )
    tr = gdf[gdf["kind"] == "transfer"].drop_duplicates("from_id")
    tpts = gpd.GeoDataFrame(
        {"name": [f"{n}: {k}" for n, k in zip(tr["from_name"], tr["transfer_kind"])]},
        geometry=list(tr.geometry),
        crs=4326,
    )
    return bpts, tpts


def route_map(
    routes: Route | Iterable[Route],
    *,
    ax: Axes | None = None,
    margin_deg: float = 2.0,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Static map: the routes over Natural Earth country outlines cropped to their extent.

    One colour per route (``colours``, default :data:`PALETTE` in order); border crossings
    (black diamonds, named) and transfer places (white circles) marked; origin and
    destination as stars; legend by route description; titled with the origin and
    destination unless ``title`` says otherwise.
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D

    rs = _as_routes(routes)
    gdf = routes_frame(rs, labels=labels)
    if ax is None:
        fig, ax = plt.subplots(figsize=(11, 8))
    else:
        fig = ax.figure
    x0, y0, x1, y1 = gdf.total_bounds
    x0, y0, x1, y1 = x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg
    world = gpd.read_file(basemap_path(), engine="pyogrio")
    world = world.clip((x0, y0, x1, y1))
    world.plot(ax=ax, color="#eeeeea", edgecolor="#b5b5b0", lw=0.6, zorder=1)
    cols = _colour_list(rs, colours)
    handles = []
    for i, lab in enumerate(_labels(rs, labels)):
        c = cols[i]
        sub = gdf[(gdf["route"] == i + 1) & gdf["kind"].isin(["link", "border"])]
        # earlier routes wider and underneath, so shared track shows every colour
        sub.plot(
            ax=ax, color=c, lw=max(5.5 - 1.8 * i, 1.2), alpha=0.9, zorder=3 + i, gid=f"route-{i}"
        )
        handles.append(Line2D([], [], color=c, lw=2.4, label=lab))
    _map_marks(ax, gdf, rs)
    ax.legend(
        handles=handles + _map_mark_handles(),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.07),
        fontsize=7.5,
        frameon=False,
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / max(np.cos(np.radians((y0 + y1) / 2.0)), 0.2))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title or od_title(rs), fontsize=10)
    return fig


def _map_marks(ax: Axes, gdf: gpd.GeoDataFrame, rs: Sequence[Route]) -> None:
    """Transfer places (white circles), border crossings (black diamonds, named), and the
    first route's origin and destination (stars) on :func:`route_map`."""
    bpts, tpts = _marks(gdf)
    if len(tpts):
        tpts.plot(
            ax=ax,
            marker="o",
            color="white",
            edgecolor="0.2",
            markersize=28,
            zorder=20,
            gid="transfers",
        )
    if len(bpts):
        bpts.plot(ax=ax, marker="D", color="black", markersize=26, zorder=21, gid="borders")
        for name, pt in zip(bpts["name"], bpts.geometry):
            ax.annotate(
                name,
                (pt.x, pt.y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=6.5,
                zorder=22,
            )
    ends = [rs[0].steps[0].geometry, rs[0].steps[-1].geometry] if rs[0].steps else []
    for g in ends:
        pt = g if g.geom_type == "Point" else shapely.get_point(g, 0)
        ax.plot(pt.x, pt.y, marker="*", ms=13, color="gold", mec="0.2", zorder=23)


def _map_mark_handles() -> list[Any]:
    """Legend entries of :func:`route_map`'s marks: border crossing, transfer, ends."""
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], ls="none", marker="D", color="black", label="border crossing"),
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            mfc="white",
            mec="0.2",
            label="transfer (gauge, mode, port)",
        ),
        Line2D(
            [],
            [],
            ls="none",
            marker="*",
            ms=11,
            mfc="gold",
            mec="0.2",
            label="origin / destination",
        ),
    ]


def save_map(
    routes: Route | Iterable[Route],
    path: str | os.PathLike[str],
    *,
    dpi: int = 150,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
) -> Path:
    """Draw :func:`route_map` and save it (PNG, SVG, PDF by suffix); returns the path."""
    plt = _pyplot()
    fig = route_map(routes, labels=labels, colours=colours)
    out = Path(path)
    try:
        with atomic_path(out) as tmp:
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out


_MAP_JS = """
(function () {
  var svg = document.getElementById("cor-map-__CORUID__");
  var tip = document.getElementById("cor-tip-__CORUID__");
  var vb = svg.getAttribute("viewBox").split(" ").map(Number), home = vb.slice();
  function set() { svg.setAttribute("viewBox", vb.join(" ")); }
  function pt(e) { var r = svg.getBoundingClientRect();
    return [vb[0] + (e.clientX - r.left) / r.width * vb[2],
            vb[1] + (e.clientY - r.top) / r.height * vb[3]]; }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault(); var p = pt(e), k = e.deltaY < 0 ? 0.8 : 1.25;
    vb = [p[0] - (p[0] - vb[0]) * k, p[1] - (p[1] - vb[1]) * k, vb[2] * k, vb[3] * k]; set();
  }, {passive: false});
  var drag = null;
  svg.addEventListener("mousedown", function (e) { drag = pt(e); });
  window.addEventListener("mouseup", function () { drag = null; });
  svg.addEventListener("mousemove", function (e) {
    if (drag) { var p = pt(e); vb[0] -= p[0] - drag[0]; vb[1] -= p[1] - drag[1]; set(); }
    var t = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (t) { tip.textContent = t.getAttribute("data-tip"); tip.style.display = "block";
             tip.style.left = (e.pageX + 12) + "px"; tip.style.top = (e.pageY + 12) + "px"; }
    else { tip.style.display = "none"; }
  });
  svg.addEventListener("mouseleave", function () { tip.style.display = "none"; });
  document.getElementById("cor-home-__CORUID__").addEventListener("click", function () {
    vb = home.slice(); set(); });
  document.body.setAttribute("data-rendered", String(svg.querySelectorAll(".route").length));
})();
"""

_MAP_CSS = """
body { font: 13px/1.35 system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 8px 12px; } h1 { font-size: 16px; margin: 0 0 4px; }
.cor-map { width: 100%; height: 72vh; background: #dfeaf2; display: block; cursor: grab; }
.cor-tip { position: absolute; display: none; background: #fff; border: 1px solid #999;
  padding: 4px 6px; white-space: pre; pointer-events: none; font-size: 12px; }
ul.legend { list-style: none; padding: 6px 12px; margin: 0; columns: 2; }
ul.legend li { margin: 2px 0; } .sw { display: inline-block; width: 22px; height: 5px;
  margin-right: 6px; vertical-align: middle; }
button { font: inherit; } footer { padding: 4px 12px; color: #666; font-size: 11px; }
"""


@dataclass(frozen=True)
class OfflineMap:
    """An interactive route map as one self-contained HTML page (inline SVG, CSS and a few
    lines of script; no file, font, tile or script from the network). Shows in Jupyter
    (``_repr_html_``) and saves with :meth:`save`."""

    html: str

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page (atomically); returns the path."""
        from .._atomic import write_text_atomic

        return write_text_atomic(path, self.html)

    def _repr_html_(self) -> str:
        return self.html


def _svg_coords(x: np.ndarray, y: np.ndarray, k: float, y1: float) -> str:
    """SVG points of lon/lat arrays: x scaled by cos(mid latitude), y flipped; 3 decimals."""
    return " ".join(f"{a * k:.3f},{(y1 - b):.3f}" for a, b in zip(x, y))


def _geom_paths(geom: Any, k: float, y1: float) -> list[str]:
    parts = list(getattr(geom, "geoms", [geom]))
    out = []
    for g in parts:
        if g.geom_type == "Polygon":
            for ring in [g.exterior, *g.interiors]:
                xy = np.asarray(ring.coords)
                out.append("M" + _svg_coords(xy[:, 0], xy[:, 1], k, y1) + "Z")
        elif g.geom_type == "LineString":
            xy = np.asarray(g.coords)
            out.append("M" + _svg_coords(xy[:, 0], xy[:, 1], k, y1))
    return out


def _fmt(v: Any, digits: int = 1) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    return f"{x:,.{digits}f}" if np.isfinite(x) else "–"


def explore(
    routes: Route | Iterable[Route],
    *,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
    margin_deg: float = 2.0,
) -> OfflineMap:
    """Interactive map that works offline: one self-contained HTML page drawing the routes
    over the Natural Earth outlines shipped with the package (inline SVG; mouse wheel zooms,
    dragging pans, hovering shows a tooltip). Legs coloured by route with the same colours as
    :func:`route_map` (``colours``, default :data:`PALETTE` in order), border crossings as
    black diamonds, transfer places as white circles, origin and destination as stars.
    Tooltips give place names and rounded figures (km, hours, days, USD); every name is
    HTML-escaped and set as text by the script, never as markup.

    Returns
    -------
    OfflineMap
        ``.html`` (the page), ``.save(path)``; shows itself in Jupyter.
    """
    import html as htmllib

    rs = _as_routes(routes)
    names = _labels(rs, labels)
    cols = _colour_list(rs, colours)
    gdf = routes_frame(rs, labels=names)
    x0, y0, x1, y1 = gdf.total_bounds
    x0, y0, x1, y1 = x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg
    k = float(max(np.cos(np.radians((y0 + y1) / 2.0)), 0.2))
    wx, wy = x1 - x0, y1 - y0  # outlines beyond the frame too, for a window of another shape
    world = gpd.read_file(basemap_path(), engine="pyogrio").clip(
        (x0 - wx, max(y0 - wy, -89.0), x1 + wx, min(y1 + wy, 89.0))
    )
    esc = htmllib.escape
    width, height = (x1 - x0) * k, y1 - y0
    parts = [
        f'<svg id="cor-map-__CORUID__" class="cor-map" '
        f'viewBox="{x0 * k:.3f} 0 {width:.3f} {height:.3f}" '
        'preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-label="{esc(title or od_title(rs))}">',
    ]
    parts += _svg_basemap(world, k, y1)
    parts += _svg_routes(gdf, names, cols, k, y1)
    parts += _svg_marks(gdf, rs, k, y1, 0.13 * max(width, height) / 20.0)
    parts.append("</svg>")
    page = _map_page(parts, names, cols, esc(title or od_title(rs)))
    # element ids unique to this map (several maps in one notebook), and the same for the
    # same map: a digest of its drawing
    uid = hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()[:10]
    return OfflineMap(page.replace("__CORUID__", uid))


def _svg_basemap(world: gpd.GeoDataFrame, k: float, y1: float) -> list[str]:
    """The country outlines as one SVG group, each country's name as its tooltip."""
    import html as htmllib

    parts = ['<g class="basemap" fill="#f2f1ec" stroke="#b5b5b0" stroke-width="0.04">']
    name_col = next((c for c in ("NAME", "name", "ADMIN", "admin") if c in world.columns), None)
    for _, row in world.iterrows():
        d = " ".join(_geom_paths(row.geometry, k, y1))
        if d:
            tip = f' data-tip="{htmllib.escape(str(row[name_col]))}"' if name_col else ""
            parts.append(f'<path d="{d}"{tip}/>')
    parts.append("</g>")
    return parts


def _svg_routes(
    gdf: gpd.GeoDataFrame, names: Sequence[str], cols: Sequence[str], k: float, y1: float
) -> list[str]:
    """One SVG group per route, its legs as paths with a tooltip of figures each."""
    import html as htmllib

    esc = htmllib.escape
    parts = []
    for i, (lab, c) in enumerate(zip(names, cols)):
        sub = gdf[(gdf["route"] == i + 1) & gdf["kind"].isin(["link", "border"])]
        w = max(0.55 - 0.15 * i, 0.14)  # earlier routes wider and underneath, as route_map
        parts.append(
            f'<g class="route" data-route="{i + 1}" stroke="{esc(c)}" fill="none" '
            f'stroke-width="{w:.2f}" stroke-linecap="round" stroke-opacity="0.9">'
        )
        for _, leg in sub.iterrows():
            tip = (
                f"{lab}\n{leg['from_name']} → {leg['to_name']} ({leg['mode']}"
                f"{', border' if leg['kind'] == 'border' else ''})\n"
                f"{_fmt(leg['distance_km'], 0)} km, {_fmt(leg['time_h'])} h, "
                f"USD {_fmt(leg['cost_usd'], 0)}\n"
                f"so far: {_fmt(leg['cum_distance_km'], 0)} km, "
                f"{_fmt(float(leg['cum_time_h']) / 24.0)} days, "
                f"USD {_fmt(leg['cum_cost_usd'], 0)}"
            )
            for d in _geom_paths(leg.geometry, k, y1):
                parts.append(f'<path d="{d}" data-tip="{esc(tip)}"/>')
        parts.append("</g>")
    return parts


def _svg_marks(
    gdf: gpd.GeoDataFrame, rs: Sequence[Route], k: float, y1: float, r_mark: float
) -> list[str]:
    """The marks as one SVG group: transfer places (white circles), border crossings (black
    diamonds) and the first route's origin and destination (gold stars)."""
    import html as htmllib

    esc = htmllib.escape
    bpts, tpts = _marks(gdf)
    parts = ['<g class="marks" stroke="#333" stroke-width="0.03">']
    for name, pt in zip(tpts["name"], tpts.geometry):
        parts.append(
            f'<circle class="transfer" cx="{pt.x * k:.3f}" cy="{y1 - pt.y:.3f}" '
            f'r="{r_mark:.3f}" fill="#fff" data-tip="{esc(str(name))}"/>'
        )
    for name, pt in zip(bpts["name"], bpts.geometry):
        cx, cy, s = pt.x * k, y1 - pt.y, r_mark * 1.2
        parts.append(
            f'<path class="border" d="M{cx:.3f},{cy - s:.3f} L{cx + s:.3f},{cy:.3f} '
            f'L{cx:.3f},{cy + s:.3f} L{cx - s:.3f},{cy:.3f}Z" fill="#000" '
            f'data-tip="{esc("border crossing: " + str(name))}"/>'
        )
    ends = (
        [
            (rs[0].steps[0], "origin", rs[0].steps[0].from_name, 0),
            (rs[0].steps[-1], "destination", rs[0].steps[-1].to_name, -1),
        ]
        if rs[0].steps
        else []
    )
    for leg, where, place, end in ends:
        g = leg.geometry
        pt = g if g.geom_type == "Point" else shapely.get_point(g, end)
        parts.append(
            f'<text class="end" x="{pt.x * k:.3f}" y="{y1 - pt.y:.3f}" '
            f'font-size="{r_mark * 4:.3f}" text-anchor="middle" '
            'dominant-baseline="central" fill="gold" stroke="#333" '
            f'stroke-width="0.02" data-tip="{esc(f"{where}: {place}")}">★</text>'
        )
    parts.append("</g>")
    return parts


def _map_page(parts: Sequence[str], names: Sequence[str], cols: Sequence[str], heading: str) -> str:
    """The HTML page around the map's SVG ``parts``: heading (already escaped), legend,
    footer, style and script (element ids still ``__CORUID__``)."""
    import html as htmllib

    esc = htmllib.escape
    legend = "".join(
        f'<li><span class="sw" style="background:{esc(c)}"></span>{esc(lab)}</li>'
        for c, lab in zip(cols, names)
    )
    legend += (
        "<li>◆ border crossing</li><li>○ transfer (gauge, mode, port)</li>"
        "<li>★ origin / destination</li>"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{heading}</title><style>{_MAP_CSS}</style></head><body>"
        f'<header><h1>{heading}</h1><button id="cor-home-__CORUID__">reset view</button> '
        "wheel: zoom, drag: pan, hover: details</header>"
        + "".join(parts)
        + f'<div id="cor-tip-__CORUID__" class="cor-tip"></div>'
        f'<ul class="legend">{legend}</ul>'
        "<footer>Country outlines: Natural Earth 1:110m (public domain). Drawn by "
        "corridors; works offline.</footer>"
        f"<script>{_MAP_JS}</script></body></html>\n"
    )


def save_explore(
    routes: Route | Iterable[Route],
    path: str | os.PathLike[str],
    *,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
) -> Path:
    """Write :func:`explore`'s map as one self-contained HTML file (atomically); returns the
    path."""
    return explore(routes, labels=labels, colours=colours).save(path)
