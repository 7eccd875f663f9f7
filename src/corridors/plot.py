"""Charts and maps of routes: UNESCAP time/cost–distance charts, static and interactive maps,
distributions of simulated transit times.

Needs the optional extra ``plot`` (matplotlib; folium for :func:`explore`):
``pip install 'corridors[plot]'``. Without it every function raises
:class:`corridors.OptionalDependencyError` naming the extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._atomic import atomic_path
from .errors import OptionalDependencyError, ParameterError
from .indicators import describe_route, tcd_series
from .routing import Route

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["tcd_chart", "route_map", "save_map", "explore", "save_explore",
           "transit_time_hist", "basemap_path", "routes_frame"]

_WHAT = {"time": ("time_days", "cumulative time (days)"),
         "cost": ("cost_usd", "cumulative cost (USD)")}
STEP_LABEL_SHARE = 0.04  # label a step when it adds at least 4 % of the route's total


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise OptionalDependencyError(
            "charts need matplotlib: install the plot extra, pip install 'corridors[plot]'"
        ) from err
    return plt


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


def tcd_chart(routes: Route | Iterable[Route], *, what: str | Sequence[str] = ("time", "cost"),
              ax: Axes | Sequence[Axes] | None = None, label_steps: bool = True,
              labels: Sequence[str] | None = None) -> Figure:
    """UNESCAP time/cost–distance chart: one line per route, steps labelled.

    Each panel plots cumulative distance (km) against cumulative time (days) or cost (USD),
    the points of :func:`corridors.indicators.tcd_series`; vertical segments are borders,
    transfers, port calls, terminals and waits. Steps adding at least 4 % of a route's total
    are marked and labelled (each place once per panel).

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

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    rs = _as_routes(routes)
    panels = [what] if isinstance(what, str) else list(what)
    for p in panels:
        if p not in _WHAT:
            raise ParameterError(f"unknown chart quantity {p!r}; allowed: time, cost")
    if ax is None:
        fig, axes_arr = plt.subplots(len(panels), 1, sharex=True, squeeze=False,
                                     figsize=(11, 4.2 * len(panels)))
        axes = list(axes_arr[:, 0])
    else:
        axes = [ax] if not isinstance(ax, Sequence) else list(ax)
        if len(axes) != len(panels):
            raise ParameterError(f"{len(panels)} panels need {len(panels)} axes, got "
                                 f"{len(axes)}")
        fig = axes[0].figure
    series = [tcd_series(r) for r in rs]
    colours = plt.get_cmap("tab10").colors
    for a, p in zip(axes, panels):
        col, ylabel = _WHAT[p]
        inc = "d_time_h" if p == "time" else "d_cost_usd"
        done: set[str] = set()
        for i, (s, lab) in enumerate(zip(series, _labels(rs, labels))):
            c = colours[i % len(colours)]
            a.plot(s["distance_km"].to_numpy(), s[col].to_numpy(), color=c, lw=1.8,
                   label=lab, gid=f"route-{i}")
            total = float(s[inc].sum())
            big = s[(s["segment"] == "step") & (s[inc] >= STEP_LABEL_SHARE * total)]
            if big.empty:
                continue
            a.plot(big["distance_km"].to_numpy(), big[col].to_numpy(), ls="none",
                   marker="o", ms=3.5, color=c, gid=f"steps-{i}")
            if label_steps:
                for _, row in big.iterrows():
                    key = str(row["place_id"])  # one label per place and panel
                    if key in done:
                        continue
                    done.add(key)
                    a.annotate(_short_label(row), (row["distance_km"], row[col]),
                               xytext=(-4, 2), textcoords="offset points", ha="right",
                               va="bottom", fontsize=6.5, color="0.25")
        a.set_ylabel(ylabel)
        a.grid(True, color="0.9", lw=0.6)
        a.set_xlim(left=0)
        a.set_ylim(bottom=0)
    axes[-1].set_xlabel("cumulative distance (km)")
    axes[0].legend(loc="upper left", fontsize=7.5, frameon=False)
    axes[0].set_title("Time/cost–distance (UNESCAP method)", fontsize=10)
    return fig


def _short_label(row: pd.Series) -> str:
    what = str(row["what"]).replace("_", " ")
    return f"{row['place_name']}: {what}"


# --------------------------------------------------------------------------------------------
# Maps
# --------------------------------------------------------------------------------------------


def basemap_path() -> Path:
    """The Natural Earth 1:110m country outlines shipped with the package."""
    here = Path(__file__).resolve().parent
    for root in (here / "_data" / "basemaps", here.parent.parent / "data" / "basemaps"):
        f = root / "ne_110m_countries.geojson"
        if f.exists():
            return f
    raise FileNotFoundError("ne_110m_countries.geojson is missing from the package data "
                            "(reinstall corridors)")


def routes_frame(routes: Route | Iterable[Route], *,
                 labels: Sequence[str] | None = None) -> gpd.GeoDataFrame:
    """The legs of several routes in one GeoDataFrame, with ``route`` (1-based number) and
    ``route_label`` columns (EPSG:4326)."""
    rs = _as_routes(routes)
    parts = []
    for i, (r, lab) in enumerate(zip(rs, _labels(rs, labels))):
        legs = r.legs
        legs.insert(0, "route_label", lab)
        legs.insert(0, "route", i + 1)
        parts.append(legs)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs=4326)


def _marks(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Border crossings (a point at each border link's exit post) and transfer places."""
    border = gdf[gdf["kind"] == "border"].drop_duplicates("link_id")
    bpts = gpd.GeoDataFrame(
        {"name": [f"{a}–{b}" for a, b in zip(border["from_name"], border["to_name"])]},
        geometry=[shapely.get_point(g, 0) for g in border.geometry], crs=4326)
    tr = gdf[gdf["kind"] == "transfer"].drop_duplicates("from_id")
    tpts = gpd.GeoDataFrame(
        {"name": [f"{n}: {k}" for n, k in zip(tr["from_name"], tr["transfer_kind"])]},
        geometry=list(tr.geometry), crs=4326)
    return bpts, tpts


def route_map(routes: Route | Iterable[Route], *, ax: Axes | None = None,
              margin_deg: float = 2.0, labels: Sequence[str] | None = None) -> Figure:
    """Static map: the routes over Natural Earth country outlines cropped to their extent.

    One colour per route; border crossings (black diamonds, named) and transfer places
    (white circles) marked; origin and destination as stars; legend by route description.
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
    colours = plt.get_cmap("tab10").colors
    handles = []
    for i, lab in enumerate(_labels(rs, labels)):
        c = colours[i % len(colours)]
        sub = gdf[(gdf["route"] == i + 1) & gdf["kind"].isin(["link", "border"])]
        # earlier routes wider and underneath, so shared track shows every colour
        sub.plot(ax=ax, color=c, lw=max(5.5 - 1.8 * i, 1.2), alpha=0.9, zorder=3 + i,
                 gid=f"route-{i}")
        handles.append(Line2D([], [], color=c, lw=2.4, label=lab))
    bpts, tpts = _marks(gdf)
    if len(tpts):
        tpts.plot(ax=ax, marker="o", color="white", edgecolor="0.2", markersize=28,
                  zorder=20, gid="transfers")
    if len(bpts):
        bpts.plot(ax=ax, marker="D", color="black", markersize=26, zorder=21, gid="borders")
        for name, pt in zip(bpts["name"], bpts.geometry):
            ax.annotate(name, (pt.x, pt.y), xytext=(4, 3), textcoords="offset points",
                        fontsize=6.5, zorder=22)
    ends = [rs[0].steps[0].geometry, rs[0].steps[-1].geometry] if rs[0].steps else []
    for g in ends:
        pt = g if g.geom_type == "Point" else shapely.get_point(g, 0)
        ax.plot(pt.x, pt.y, marker="*", ms=13, color="gold", mec="0.2", zorder=23)
    handles += [Line2D([], [], ls="none", marker="D", color="black", label="border crossing"),
                Line2D([], [], ls="none", marker="o", mfc="white", mec="0.2",
                       label="transfer (gauge, mode, port)"),
                Line2D([], [], ls="none", marker="*", ms=11, mfc="gold", mec="0.2",
                       label="origin / destination")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), fontsize=7.5,
              frameon=False)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / max(np.cos(np.radians((y0 + y1) / 2.0)), 0.2))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    return fig


def save_map(routes: Route | Iterable[Route], path: str | os.PathLike[str], *,
             dpi: int = 150, labels: Sequence[str] | None = None) -> Path:
    """Draw :func:`route_map` and save it (PNG, SVG, PDF by suffix); returns the path."""
    plt = _pyplot()
    fig = route_map(routes, labels=labels)
    out = Path(path)
    try:
        with atomic_path(out) as tmp:
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out


def explore(routes: Route | Iterable[Route], *, labels: Sequence[str] | None = None) -> Any:
    """Interactive map (folium, via ``GeoDataFrame.explore``): legs coloured by route with
    tooltips, border crossings and transfer places as markers.

    Returns
    -------
    folium.Map

    Raises
    ------
    OptionalDependencyError
        When folium is not installed (extra ``plot``).
    """
    try:
        import folium  # noqa: F401
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise OptionalDependencyError(
            "interactive maps need folium: install the plot extra, "
            "pip install 'corridors[plot]'") from err
    gdf = routes_frame(routes, labels=labels)
    moving = gdf[gdf["kind"].isin(["link", "border"])]
    cols = ["route", "route_label", "kind", "mode", "from_name", "to_name", "country",
            "distance_km", "time_h", "cost_usd", "cum_distance_km", "cum_time_h",
            "cum_cost_usd", "geometry"]
    m = moving[cols].explore(column="route_label", categorical=True, cmap="tab10",
                             style_kwds={"weight": 4, "opacity": 0.8},
                             tooltip=cols[1:-1], legend=True, name="routes")
    bpts, tpts = _marks(gdf)
    if len(tpts):
        tpts.explore(m=m, color="white", marker_kwds={"radius": 6},
                     style_kwds={"color": "#333333", "fillOpacity": 1.0}, tooltip="name",
                     name="transfers")
    if len(bpts):
        bpts.explore(m=m, color="black", marker_kwds={"radius": 6}, tooltip="name",
                     name="border crossings")
    return m


def save_explore(routes: Route | Iterable[Route], path: str | os.PathLike[str], *,
                 labels: Sequence[str] | None = None) -> Path:
    """Write :func:`explore`'s map as a standalone HTML file; returns the path."""
    out = Path(path)
    m = explore(routes, labels=labels)
    with atomic_path(out) as tmp:
        m.save(str(tmp))
    return out


# --------------------------------------------------------------------------------------------
# Simulated transit times
# --------------------------------------------------------------------------------------------


def transit_time_hist(draws_h: np.ndarray | Sequence[Sequence[float]], labels: Sequence[str],
                      ax: Axes | None = None, *, bins: int = 60, days: bool = True) -> Figure:
    """Distribution of simulated transit times, one outlined histogram per route.

    Parameters
    ----------
    draws_h : array, shape (runs, routes)
        Simulated door-to-door times in hours (for instance the draws of
        :func:`corridors.simulate`), one column per route.
    labels : sequence of str
        One label per column.
    ax : Axes, optional
    bins : int
        Bins shared by all routes.
    days : bool
        Plot days (default) rather than hours.

    The median (dashed) and 90th percentile (dotted) of each route are drawn as vertical
    lines.
    """
    plt = _pyplot()
    arr = np.asarray(draws_h, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != len(labels):
        raise ParameterError(f"draws_h must be runs x routes with one column per label; got "
                             f"shape {arr.shape} and {len(labels)} labels")
    scale = 24.0 if days else 1.0
    data = arr / scale
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.5))
    else:
        fig = ax.figure
    edges = np.histogram_bin_edges(data[np.isfinite(data)], bins=bins)
    colours = plt.get_cmap("tab10").colors
    for j, lab in enumerate(labels):
        col = data[:, j]
        col = col[np.isfinite(col)]
        c = colours[j % len(colours)]
        p50, p90 = np.percentile(col, [50, 90])
        ax.hist(col, bins=list(edges), histtype="step", lw=1.6, color=c,
                label=f"{lab} (P50 {p50:.1f}, P90 {p90:.1f})")
        ax.axvline(p50, color=c, ls="--", lw=0.9)
        ax.axvline(p90, color=c, ls=":", lw=0.9)
    ax.set_xlabel("transit time (days)" if days else "transit time (h)")
    ax.set_ylabel("runs")
    ax.legend(fontsize=7.5, frameon=False)
    return fig
