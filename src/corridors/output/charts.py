"""Charts of routes and analyses: UNESCAP time/cost–distance charts, where the time goes,
distributions of simulated transit times, what closures cost; and the colours and labels
every chart and map of a comparison shares (:func:`corridor_colours`, :func:`od_title`).

Charts need the optional extra ``plot`` (matplotlib): ``pip install 'corridors[plot]'``;
without it they raise :class:`corridors.OptionalDependencyError` naming the extra.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analysis.indicators import describe_route, tcd_series
from ..errors import OptionalDependencyError, ParameterError
from ..routes.route import Route

__all__ = [
    "tcd_chart",
    "transit_time_hist",
    "time_split_chart",
    "criticality_chart",
    "corridor_colours",
    "od_title",
    "textwrap_label",
    "PALETTE",
    "MODE_STYLES",
    "TIME_PARTS",
    "PART_COLOURS",
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
    fig, axes = _tcd_axes(plt, ax, len(panels))
    series = [tcd_series(r) for r in rs]
    names = _labels(rs, labels)
    modes_used: set[str] = set()
    for a, p in zip(axes, panels):
        _tcd_panel(a, p, series, cols, simulation, label_steps, modes_used)
    axes[-1].set_xlabel("cumulative distance (km)")
    _tcd_legend(axes[-1], cols, names, modes_used, simulation is not None)
    axes[0].set_title(f"{title or od_title(rs)}: time/cost–distance (UNESCAP method)", fontsize=10)
    return fig


def _tcd_axes(plt: Any, ax: Axes | Sequence[Axes] | None, n: int) -> tuple[Figure, list[Axes]]:
    """The figure and one axes per panel: a new stacked figure, or the axes given (one per
    panel)."""
    if ax is None:
        fig, axes_arr = plt.subplots(n, 1, sharex=True, squeeze=False, figsize=(11, 4.4 * n))
        return fig, list(axes_arr[:, 0])
    axes = [ax] if not isinstance(ax, Sequence) else list(ax)
    if len(axes) != n:
        raise ParameterError(f"{n} panels need {n} axes, got {len(axes)}")
    return axes[0].figure, axes  # type: ignore[return-value]


def _tcd_panel(
    a: Axes,
    p: str,
    series: Sequence[pd.DataFrame],
    cols: Sequence[str],
    simulation: Any,
    label_steps: bool,
    modes_used: set[str],
) -> None:
    """One panel (``p`` is "time" or "cost") of :func:`tcd_chart`: each route's line, its
    P10–P90 band, its large steps marked, then their labels placed; adds the modes drawn to
    ``modes_used``."""
    col, ylabel = _WHAT[p]
    inc = "d_time_h" if p == "time" else "d_cost_usd"
    pending: list[tuple[float, float, str, str]] = []
    done: set[str] = set()
    top = 0.0
    for i, (s, c) in enumerate(zip(series, cols)):
        x, y = s["distance_km"].to_numpy(), s[col].to_numpy()
        top = max(top, float(y.max()) if len(y) else 0.0)
        _tcd_line(a, s, x, y, c, i, modes_used)
        if simulation is not None:
            top = max(top, _tcd_band(a, simulation, p, i, x, c))
        pending += _tcd_steps(a, s, p, col, inc, c, i, done)
    a.set_ylabel(ylabel)
    a.grid(True, color="0.9", lw=0.6)
    a.set_xlim(left=0)
    a.set_ylim(0, top * 1.08 if top > 0 else 1.0)
    if label_steps and pending:
        pending.sort(key=lambda t: -t[1])  # the big late steps first
        _place_labels(a, pending)


def _tcd_line(
    a: Axes,
    s: pd.DataFrame,
    x: np.ndarray,
    y: np.ndarray,
    c: str,
    i: int,
    modes_used: set[str],
) -> None:
    """Route ``i``'s line, segment by segment: runs styled by mode, steps solid and waits
    faint."""
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


def _tcd_band(a: Axes, simulation: Any, p: str, i: int, x: np.ndarray, c: str) -> float:
    """Route ``i``'s simulated P10–P90 of its total time or cost, a band at its destination;
    returns the P90."""
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
    return float(hi)


def _tcd_steps(
    a: Axes,
    s: pd.DataFrame,
    p: str,
    col: str,
    inc: str,
    c: str,
    i: int,
    done: set[str],
) -> list[tuple[float, float, str, str]]:
    """Mark route ``i``'s steps that add at least :data:`STEP_LABEL_SHARE` of its total;
    returns their labels still to place, one per place and kind in the panel (``done``
    holds those already taken)."""
    total = float(s[inc].sum())
    big = s[(s["segment"] == "step") & (s[inc] >= STEP_LABEL_SHARE * total)]
    if big.empty:
        return []
    a.plot(
        big["distance_km"].to_numpy(),
        big[col].to_numpy(),
        ls="none",
        marker="o",
        ms=3.5,
        color=c,
        gid=f"steps-{i}",
    )
    pending = []
    for _, row in big.iterrows():
        key = f"{row['place_id']}:{row['what']}"  # one label per place, kind, panel
        if key in done:
            continue
        done.add(key)
        pending.append((float(row["distance_km"]), float(row[col]), _short_label(row, p), "0.2"))
    return pending


def _tcd_legend(
    ax: Axes,
    cols: Sequence[str],
    names: Sequence[str],
    modes_used: set[str],
    bands: bool,
) -> None:
    """The legend below the last panel: routes, the modes drawn, waits and (with a
    simulation) the P10–P90 bands."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, lw=2.4, label=lab) for c, lab in zip(cols, names)]
    handles += [
        Line2D([], [], color="0.3", lw=1.6, ls=MODE_STYLES[m], label=m)
        for m in MODE_STYLES
        if m in modes_used
    ]
    handles.append(Line2D([], [], color="0.3", lw=4.0, alpha=0.35, label="wait for a departure"))
    if bands:
        handles.append(
            Line2D(
                [], [], color="0.3", lw=7, alpha=0.3, label="P10–P90 at destination (Monte Carlo)"
            )
        )
    ncol = 1 if len(names) <= 4 else 2
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        fontsize=7.5,
        frameon=False,
        ncol=ncol,
    )


def _short_label(row: pd.Series, panel: str = "time") -> str:
    """``"Zahedan: transload 0.8 d"`` (time panel) or ``"Zahedan: transload USD 250"``."""
    what = str(row["what"]).replace("_", " ")
    if panel == "cost":
        return f"{row['place_name']}: {what} USD {float(row['d_cost_usd']):,.0f}"
    return f"{row['place_name']}: {what} {float(row['d_time_h']) / 24.0:.1f} d"


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


def criticality_chart(df: pd.DataFrame, *, top: int = 8) -> Any:
    """Per corridor, its ``top`` most critical closures: the detour's extra days (left; "no
    detour" hatched) and the expected annual cost in USD (right). Needs the ``plot`` extra.

    Returns
    -------
    matplotlib.figure.Figure
    """
    plt = _pyplot()
    if not len(df):
        raise ParameterError("no closures to chart")
    keys = (
        ["scenario", "origin", "destination", "minimize", "corridor"]
        if "corridor" in df.columns
        else []
    )
    groups = list(df.groupby(keys, sort=False)) if keys else [(("route",), df)]
    colours = corridor_colours([str(k[-1]) for k, _ in groups])
    n = len(groups)
    heights = [min(top, len(g)) * 0.32 + 0.9 for _, g in groups]
    fig, axes = plt.subplots(
        n,
        2,
        figsize=(12, sum(heights) + 0.6),
        squeeze=False,
        gridspec_kw={"height_ratios": heights, "width_ratios": [1.4, 1]},
    )
    for (key, g), (a_days, a_usd) in zip(groups, axes):
        g = g[g["rank"] <= top].iloc[::-1]
        c = colours[str(key[-1])]
        y = np.arange(len(g))
        _criticality_days(a_days, g, y, c)
        title = " | ".join(str(k) for k in key) if keys else "route"
        a_days.set_title(title, fontsize=8, loc="left")
        _criticality_expected(a_usd, g, y, c)
        for a in (a_days, a_usd):
            a.grid(True, axis="x", color="0.9", lw=0.6)
            a.tick_params(axis="x", labelsize=7)
    axes[-1][0].set_xlabel("detour: extra days over the planned route")
    axes[-1][1].set_xlabel("expected from closure probabilities and lengths (risk.csv)")
    fig.suptitle(
        "What a closure costs each corridor: the most critical crossings, ports, "
        "transfers and links",
        fontsize=10,
    )
    fig.tight_layout(rect=(0.0, 0.0, 1.0, 1.0 - 0.45 / (sum(heights) + 0.6)))
    return fig


def _criticality_days(a_days: Axes, g: pd.DataFrame, y: np.ndarray, c: str) -> None:
    """The left panel of one corridor: each closure's detour in extra days ("no detour"
    hatched across the panel), labelled with the closed item."""
    labels = [
        f"{name} ({kind.replace('_', ' ')})" for name, kind in zip(g["item_name"], g["item_kind"])
    ]
    days = g["extra_days"].to_numpy(dtype=float)
    finite = days[np.isfinite(days)]
    span = max(float(finite.max()) if finite.size else 1.0, 1.0)
    nod = g["status"].to_numpy() == "no detour"
    a_days.barh(y, np.where(nod, span, np.nan_to_num(days)), color=c, hatch=None, alpha=0.9)
    if nod.any():
        a_days.barh(y[nod], [span] * int(nod.sum()), color="white", edgecolor=c, hatch="///")
    for yi, d, call, nd in zip(y, days, g["call"], nod):
        text = "no detour" if nd else f"{d:+.1f} d, {call}"
        a_days.annotate(
            text,
            (0, yi),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
            color="0.1",
        )
    a_days.set_yticks(y, labels, fontsize=7)
    a_days.set_xlim(min(0.0, float(np.nanmin(days)) if finite.size else 0.0), span * 1.05)


def _criticality_expected(a_usd: Axes, g: pd.DataFrame, y: np.ndarray, c: str) -> None:
    """The right panel of one corridor: each closure's expected annual delay in days (a
    corridor by time) or cost in USD."""
    by_time = str(g["minimize"].iloc[0]) == "time_h" if "minimize" in g else False
    col, unit, fmt = (
        ("expected_annual_delay_days", "expected delay, days a year", "{:,.1f}")
        if by_time
        else ("expected_annual_cost_usd", "expected cost, USD a year", "{:,.0f}")
    )
    usd = g[col].to_numpy(dtype=float)
    a_usd.barh(y, usd, color=c, alpha=0.9)
    a_usd.set_yticks(y, [""] * len(y))
    for yi, v in zip(y, usd):
        if v > 0:
            a_usd.annotate(
                fmt.format(v),
                (v, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
    a_usd.set_xlim(0, max(float(usd.max()) * 1.25, 1.0))
    a_usd.set_title(unit, fontsize=7, loc="right")
