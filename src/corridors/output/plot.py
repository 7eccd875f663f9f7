"""Charts and maps of routes: UNESCAP time/cost–distance charts, static and interactive maps,
distributions of simulated transit times.

Charts need the optional extra ``plot`` (matplotlib): ``pip install 'corridors[plot]'``;
without it they raise :class:`corridors.OptionalDependencyError` naming the extra. The
interactive map (:func:`explore`) needs nothing beyond the core: it writes one self-contained
HTML page (inline SVG over the Natural Earth outlines shipped with the package) that works
offline. Every chart and map of a comparison colours a corridor alike
(:func:`corridor_colours`).
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
from ..analysis.indicators import describe_route, tcd_series
from ..errors import OptionalDependencyError, ParameterError
from ..routes.route import Route

__all__ = [
    "tcd_chart",
    "route_map",
    "save_map",
    "explore",
    "save_explore",
    "transit_time_hist",
    "time_split_chart",
    "basemap_path",
    "routes_frame",
    "corridor_colours",
    "od_title",
    "OfflineMap",
    "PALETTE",
    "MODE_STYLES",
    "TIME_PARTS",
]

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#393b79",
    "#843c39",
    "#637939",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
    "#8c6d31",
)
"""Colours of corridors in every chart and map: the ten of tab10 first (distinct from one
another), then ten darker tab20b/tab20c tones for charts with more corridors."""

_WHAT = {
    "time": ("time_days", "cumulative time (days)"),
    "cost": ("cost_usd", "cumulative cost (USD)"),
}
STEP_LABEL_SHARE = 0.04  # label a step when it adds at least 4 % of the route's total


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise OptionalDependencyError(
            "charts need matplotlib: install the plot extra, pip install 'corridors[plot]'"
        ) from err
    return plt


def corridor_colours(names: Iterable[str]) -> dict[str, str]:
    """A colour of :data:`PALETTE` per corridor name, the same in every chart and map: each
    name takes the tab10 colour its CRC-32 points to, or the next free one when another name
    of the same chart took it first (names in sorted order, so the result does not depend on
    the order they are given in); beyond ten names the darker tones follow.

    >>> c = corridor_colours(["instc-west-today", "trans-afghan-uap-rail-2032"])
    >>> c == corridor_colours(["trans-afghan-uap-rail-2032", "instc-west-today"])
    True
    >>> len(set(c.values()))
    2
    """
    import zlib

    out: dict[str, str] = {}
    used: set[int] = set()
    first = 10  # tab10 first: ten colours no one confuses
    for name in sorted(set(names)):
        h = zlib.crc32(name.encode("utf-8"))
        tries = [(h + k) % first for k in range(first)]
        tries += [first + (h + k) % (len(PALETTE) - first) for k in range(len(PALETTE) - first)]
        j = next((t for t in tries if t not in used), tries[0])
        used.add(j)
        out[name] = PALETTE[j]
    return out


def _as_routes(routes: Route | Iterable[Route]) -> list[Route]:
    rs = [routes] if isinstance(routes, Route) else list(routes)
    if not rs:
        raise ParameterError("no routes given")
    return rs


def _labels(rs: Sequence[Route], labels: Sequence[str] | None = None) -> list[str]:
    if labels is not None:
        if len(labels) != len(rs):
            raise ParameterError(f"{len(labels)} labels for {len(rs)} routes")
        return [str(x) for x in labels]
    return [f"{i + 1}. {describe_route(r)}" for i, r in enumerate(rs)]


# --------------------------------------------------------------------------------------------
# Time/cost–distance chart
# --------------------------------------------------------------------------------------------


MODE_STYLES = {"rail": "-", "road": (0, (5, 2.5)), "sea": (0, (1, 1.6)), "ferry": (0, (6, 2, 1, 2))}
"""Line style of each mode's runs in time/cost-distance charts (steps are solid, waits faint)."""


def _colour_list(rs: Sequence[Route], colours: Sequence[str] | None) -> list[str]:
    if colours is None:
        return [PALETTE[i % len(PALETTE)] for i in range(len(rs))]
    if len(colours) != len(rs):
        raise ParameterError(f"{len(colours)} colours for {len(rs)} routes")
    return [str(c) for c in colours]


def od_title(routes: Sequence[Route]) -> str:
    """``"Karachi → Moscow"`` when the routes share their origin and destination, else the
    pairs joined with ``"; "``."""
    pairs = dict.fromkeys(
        (
            r.steps[0].from_name if r.steps else r.origin,
            r.steps[-1].to_name if r.steps else r.destination,
        )
        for r in routes
    )
    return "; ".join(f"{a} → {b}" for a, b in pairs)


def _place_labels(ax: Axes, items: Sequence[tuple[float, float, str, str]]) -> int:
    """Annotate points without overlaps and inside the axes: each label tries offsets around
    its point (then further up and down) and takes the first whose box overlaps neither a
    placed label nor the frame edge; a label with no free spot is left out. Returns how many
    were left out."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    dropped = 0
    offsets = [(-4, 3), (4, 3), (-4, -11), (4, -11)]
    offsets += [
        (dx, dy * k) for k in range(2, 9) for dx, dy in ((-4, 7), (4, 7), (-4, -7), (4, -7))
    ]
    for x, y, text, colour in items:
        for dx, dy in offsets:
            ann = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="right" if dx < 0 else "left",
                va="bottom",
                fontsize=6.5,
                color=colour,
                zorder=6,
                arrowprops=None
                if abs(dy) <= 11
                else dict(arrowstyle="-", color=colour, lw=0.5, alpha=0.6),
            )
            box = ann.get_window_extent(renderer)
            inside = (
                box.x0 >= frame.x0 + 1
                and box.x1 <= frame.x1 - 1
                and box.y0 >= frame.y0 + 1
                and box.y1 <= frame.y1 - 1
            )
            if inside and not any(box.overlaps(other) for other in placed):
                placed.append(box.expanded(1.04, 1.15))
                break
            ann.remove()
        else:
            dropped += 1
    return dropped


def tcd_chart(
    routes: Route | Iterable[Route],
    *,
    what: str | Sequence[str] = ("time", "cost"),
    ax: Axes | Sequence[Axes] | None = None,
    label_steps: bool = True,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    simulation: Any = None,
    title: str | None = None,
) -> Figure:
    """UNESCAP time/cost–distance chart: one line per route, steps labelled.

    Each panel plots cumulative distance (km) against cumulative time (days) or cost (USD),
    the points of :func:`corridors.analysis.indicators.tcd_series`; runs are styled by mode
    (:data:`MODE_STYLES`), vertical segments are borders, transfers, port calls, terminals
    and waits (waits drawn faint and named as waits). Steps adding at least 4 % of a route's
    total are marked and labelled, each place once per panel, with no two labels overlapping
    and none outside the frame (a label with no free spot is left out). With a simulation,
    each route's P10–P90 of the total time and cost is a band at its destination.

    Parameters
    ----------
    routes : Route or iterable of Route
    what : "time", "cost" or a sequence of them
        One panel each, stacked, sharing the distance axis.
    ax : Axes or sequence of Axes, optional
        Where to draw (one per panel); a new figure when omitted.
    label_steps : bool
        Annotate the large steps with their place and kind.
    labels : sequence of str, optional
        Legend text per route (default: number and description).
    colours : sequence of str, optional
        One colour per route (default: :data:`PALETTE` in order; the comparison passes
        :func:`corridor_colours`).
    simulation : SimulationResult, optional
        Draws with one column per route (``time_h`` and ``cost_usd``), for the P10–P90 bands.
    title : str, optional
        Default: the origin and destination (:func:`od_title`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    from matplotlib.lines import Line2D

    rs = _as_routes(routes)
    panels = [what] if isinstance(what, str) else list(what)
    for p in panels:
        if p not in _WHAT:
            raise ParameterError(f"unknown chart quantity {p!r}; allowed: time, cost")
    cols = _colour_list(rs, colours)
    if simulation is not None and getattr(simulation, "time_h", np.empty((0, 0))).shape[1] != len(
        rs
    ):
        raise ParameterError("the simulation needs one column per route")
    if ax is None:
        fig, axes_arr = plt.subplots(
            len(panels), 1, sharex=True, squeeze=False, figsize=(11, 4.4 * len(panels))
        )
        axes = list(axes_arr[:, 0])
    else:
        axes = [ax] if not isinstance(ax, Sequence) else list(ax)
        if len(axes) != len(panels):
            raise ParameterError(f"{len(panels)} panels need {len(panels)} axes, got {len(axes)}")
        fig = axes[0].figure
    series = [tcd_series(r) for r in rs]
    names = _labels(rs, labels)
    modes_used: set[str] = set()
    for a, p in zip(axes, panels):
        col, ylabel = _WHAT[p]
        inc = "d_time_h" if p == "time" else "d_cost_usd"
        pending: list[tuple[float, float, str, str]] = []
        done: set[str] = set()
        top = 0.0
        for i, (s, c) in enumerate(zip(series, cols)):
            x, y = s["distance_km"].to_numpy(), s[col].to_numpy()
            top = max(top, float(y.max()) if len(y) else 0.0)
            for k in range(1, len(s)):
                seg, kind = s["segment"].iloc[k], s["what"].iloc[k]
                if seg == "run":
                    modes_used.add(str(kind))
                    style: Any = MODE_STYLES.get(str(kind), "-")
                    a.plot(
                        x[k - 1 : k + 1],
                        y[k - 1 : k + 1],
                        color=c,
                        lw=1.9,
                        ls=style,
                        gid=f"route-{i}",
                    )
                else:
                    a.plot(
                        x[k - 1 : k + 1],
                        y[k - 1 : k + 1],
                        color=c,
                        solid_capstyle="butt",
                        lw=4.0 if kind == "wait" else 2.2,
                        alpha=0.35 if kind == "wait" else 1.0,
                        gid=f"route-{i}",
                    )
            if simulation is not None:
                data = simulation.time_h[:, i] / 24.0 if p == "time" else simulation.cost_usd[:, i]
                lo, hi = np.percentile(data, [10, 90])
                end = float(x[-1]) if len(x) else 0.0
                a.plot(
                    [end, end],
                    [lo, hi],
                    color=c,
                    lw=7,
                    alpha=0.3,
                    solid_capstyle="butt",
                    gid=f"band-{i}",
                )
                top = max(top, float(hi))
            total = float(s[inc].sum())
            big = s[(s["segment"] == "step") & (s[inc] >= STEP_LABEL_SHARE * total)]
            if big.empty:
                continue
            a.plot(
                big["distance_km"].to_numpy(),
                big[col].to_numpy(),
                ls="none",
                marker="o",
                ms=3.5,
                color=c,
                gid=f"steps-{i}",
            )
            for _, row in big.iterrows():
                key = f"{row['place_id']}:{row['what']}"  # one label per place, kind, panel
                if key in done:
                    continue
                done.add(key)
                pending.append(
                    (float(row["distance_km"]), float(row[col]), _short_label(row, p), "0.2")
                )
        a.set_ylabel(ylabel)
        a.grid(True, color="0.9", lw=0.6)
        a.set_xlim(left=0)
        a.set_ylim(0, top * 1.08 if top > 0 else 1.0)
        if label_steps and pending:
            pending.sort(key=lambda t: -t[1])  # the big late steps first
            _place_labels(a, pending)
    axes[-1].set_xlabel("cumulative distance (km)")
    handles = [Line2D([], [], color=c, lw=2.4, label=lab) for c, lab in zip(cols, names)]
    handles += [
        Line2D([], [], color="0.3", lw=1.6, ls=MODE_STYLES[m], label=m)
        for m in MODE_STYLES
        if m in modes_used
    ]
    handles.append(Line2D([], [], color="0.3", lw=4.0, alpha=0.35, label="wait for a departure"))
    if simulation is not None:
        handles.append(
            Line2D(
                [], [], color="0.3", lw=7, alpha=0.3, label="P10–P90 at destination (Monte Carlo)"
            )
        )
    ncol = 1 if len(names) <= 4 else 2
    axes[-1].legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        fontsize=7.5,
        frameon=False,
        ncol=ncol,
    )
    axes[0].set_title(f"{title or od_title(rs)}: time/cost–distance (UNESCAP method)", fontsize=10)
    return fig


def _short_label(row: pd.Series, panel: str = "time") -> str:
    """``"Zahedan: transload 0.8 d"`` (time panel) or ``"Zahedan: transload USD 250"``."""
    what = str(row["what"]).replace("_", " ")
    if panel == "cost":
        return f"{row['place_name']}: {what} USD {float(row['d_cost_usd']):,.0f}"
    return f"{row['place_name']}: {what} {float(row['d_time_h']) / 24.0:.1f} d"


# --------------------------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------------------------


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
    handles += [
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
    ax.legend(
        handles=handles,
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
        '<g class="basemap" fill="#f2f1ec" stroke="#b5b5b0" stroke-width="0.04">',
    ]
    name_col = next((c for c in ("NAME", "name", "ADMIN", "admin") if c in world.columns), None)
    for _, row in world.iterrows():
        d = " ".join(_geom_paths(row.geometry, k, y1))
        if d:
            tip = f' data-tip="{esc(str(row[name_col]))}"' if name_col else ""
            parts.append(f'<path d="{d}"{tip}/>')
    parts.append("</g>")
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
    bpts, tpts = _marks(gdf)
    r_mark = 0.13 * max(width, height) / 20.0
    parts.append('<g class="marks" stroke="#333" stroke-width="0.03">')
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
    parts.append("</g></svg>")
    legend = "".join(
        f'<li><span class="sw" style="background:{esc(c)}"></span>{esc(lab)}</li>'
        for c, lab in zip(cols, names)
    )
    legend += (
        "<li>◆ border crossing</li><li>○ transfer (gauge, mode, port)</li>"
        "<li>★ origin / destination</li>"
    )
    heading = esc(title or od_title(rs))
    page = (
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
    # element ids unique to this map (several maps in one notebook), and the same for the
    # same map: a digest of its drawing
    uid = hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()[:10]
    return OfflineMap(page.replace("__CORUID__", uid))


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


# --------------------------------------------------------------------------------------------
# Simulated transit times
# --------------------------------------------------------------------------------------------


def transit_time_hist(
    draws_h: np.ndarray | Sequence[Sequence[float]],
    labels: Sequence[str],
    ax: Axes | None = None,
    *,
    bins: int = 60,
    days: bool = True,
    deadline_h: float | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Distribution of simulated transit times, one outlined histogram per route.

    Parameters
    ----------
    draws_h : array, shape (runs, routes)
        Simulated door-to-door times in hours (for instance the draws of
        :func:`corridors.analysis.simulate`), one column per route.
    labels : sequence of str
        One label per column.
    ax : Axes, optional
    bins : int
        Bins shared by all routes.
    days : bool
        Plot days (default) rather than hours.
    deadline_h : float, optional
        Deadline in hours, drawn as a vertical line, with each route's share of runs within it
        in the legend.
    colours : sequence of str, optional
        One colour per column (default :data:`PALETTE` in order).
    title : str, optional
        Title of the chart (the comparison gives the origin and destination).

    The median (dashed) and 90th percentile (dotted) of each route are drawn as vertical
    lines; the legend sits below the chart. The view ends at the largest 99th percentile (or
    the deadline); the axis label says which share of runs lies beyond it.
    """
    plt = _pyplot()
    arr = np.asarray(draws_h, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != len(labels):
        raise ParameterError(
            f"draws_h must be runs x routes with one column per label; got "
            f"shape {arr.shape} and {len(labels)} labels"
        )
    if colours is not None and len(colours) != len(labels):
        raise ParameterError(f"{len(colours)} colours for {len(labels)} routes")
    scale = 24.0 if days else 1.0
    data = arr / scale
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 4.8))
    else:
        fig = ax.figure
    finite = data[np.isfinite(data)]
    # the view ends at the largest 99th percentile (and the deadline): a few runs held weeks
    # by a closure would otherwise squeeze every distribution into the first bins
    hi = max(
        float(np.percentile(data[np.isfinite(data[:, j]), j], 99)) for j in range(data.shape[1])
    )
    if deadline_h is not None:
        hi = max(hi, deadline_h / scale * 1.03)
    lo = float(finite.min())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, bins + 1)
    beyond = float((data > edges[-1]).mean())
    unit = "d" if days else "h"
    for j, lab in enumerate(labels):
        col = data[:, j]
        col = col[np.isfinite(col)]
        c = colours[j] if colours is not None else PALETTE[j % len(PALETTE)]
        p50, p90 = np.percentile(col, [50, 90])
        on_time = (
            ""
            if deadline_h is None
            else f", on time {float((col <= deadline_h / scale).mean()):.0%}"
        )
        ax.hist(
            col,
            bins=list(edges),
            histtype="step",
            lw=1.6,
            color=c,
            label=f"{lab} (P50 {p50:.1f}, P90 {p90:.1f}{on_time})",
        )
        ax.axvline(p50, color=c, ls="--", lw=0.9)
        ax.axvline(p90, color=c, ls=":", lw=0.9)
    if deadline_h is not None:
        ax.axvline(
            deadline_h / scale,
            color="0.1",
            lw=1.6,
            label=f"deadline {deadline_h / scale:g} {unit}",
            gid="deadline",
        )
    ax.set_xlim(edges[0], edges[-1])
    ax.set_xlabel(
        ("door-to-door time (days)" if days else "door-to-door time (h)")
        + (
            f"; {beyond:.1%} of runs beyond the right edge (in the percentiles)"
            if beyond > 0
            else ""
        )
    )
    ax.set_ylabel("runs")
    ax.set_title(
        (f"{title}: " if title else "") + "simulated door-to-door time (dashed P50, dotted P90)",
        fontsize=10,
    )
    ax.legend(
        fontsize=7.5,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=1 if len(labels) <= 5 else 2,
    )
    return fig


TIME_PARTS = ("running", "waiting", "border", "transfer", "terminal")
"""The parts of a route's time (:meth:`corridors.Route.time_split`), in chart order."""

PART_COLOURS = {
    "running": "#4c72b0",
    "waiting": "#dd8452",
    "border": "#c44e52",
    "transfer": "#8172b3",
    "terminal": "#937860",
}


def time_split_chart(
    routes: Route | Iterable[Route],
    *,
    labels: Sequence[str] | None = None,
    colours: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Where the time goes: one horizontal bar per route, split into running, waiting for
    departures, border dwell, transfers and terminal handling (days, from
    :meth:`corridors.Route.time_split`); parts of at least a day are written on the bar and
    each route's label is drawn in its corridor colour.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    rs = _as_routes(routes)
    names = _labels(rs, labels)
    cols = _colour_list(rs, colours)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 1.2 + 0.55 * len(rs)))
    else:
        fig = ax.figure
    y = np.arange(len(rs))[::-1]
    left = np.zeros(len(rs))
    for part in TIME_PARTS:
        days = np.asarray([r.time_split()[part] / 24.0 for r in rs])
        ax.barh(
            y,
            days,
            left=left,
            color=PART_COLOURS[part],
            label=part,
            height=0.62,
            gid=f"part-{part}",
        )
        for yi, x0, d in zip(y, left, days):
            if d >= 1.0:
                ax.text(
                    x0 + d / 2, yi, f"{d:.1f}", ha="center", va="center", fontsize=7, color="white"
                )
        left += days
    for yi, total in zip(y, left):
        ax.text(total, yi, f" {total:.1f} d", va="center", fontsize=7.5)
    ax.set_yticks(y, [textwrap_label(n) for n in names], fontsize=7.5)
    for tick, c in zip(ax.get_yticklabels(), cols):
        tick.set_color(c)
    ax.set_xlim(0, float(left.max()) * 1.12 if len(left) and left.max() > 0 else 1.0)
    ax.set_xlabel("days (median-based route time)")
    ax.grid(True, axis="x", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(
        ncol=len(TIME_PARTS),
        fontsize=7.5,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18 if len(rs) > 3 else -0.3),
    )
    ax.set_title(f"{title or od_title(rs)}: where the time goes", fontsize=10)
    return fig


def textwrap_label(text: str, width: int = 48) -> str:
    """A long label wrapped on spaces into lines of about ``width`` characters."""
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text
