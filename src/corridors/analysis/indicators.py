"""UNESCAP time/cost–distance series and CAREC CPMM-style indicators of a route.

The time/cost–distance (TCD) method of UNESCAP plots cumulative time and cost against
cumulative distance: moving along a link draws a sloped segment, and everything that takes
time or money without moving the cargo (a border, a gauge break, port handling, loading and
unloading, waiting for a scheduled departure) draws a *vertical* step at the place where it
happens. :func:`tcd_series` gives the points of that chart; :func:`cpmm_indicators` gives the
headline numbers CAREC's Corridor Performance Measurement and Monitoring (CPMM) reports.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..routes.route import Leg, Route
from ..units import HOURS_PER_DAY

__all__ = ["tcd_series", "cpmm_indicators", "cpmm_table", "describe_route", "TCD_COLUMNS"]

TCD_COLUMNS = (
    "leg_seq",
    "segment",
    "what",
    "place_id",
    "place_name",
    "mode",
    "country",
    "distance_km",
    "time_h",
    "time_days",
    "cost_usd",
    "d_time_h",
    "d_cost_usd",
    "label",
)
"""Columns of :func:`tcd_series`, in order."""

REFERENCE_KM = 500.0
"""CPMM reports time and cost per 500 km of corridor (its TFI-style normalisation)."""


def tcd_series(route: Route) -> pd.DataFrame:
    """Time/cost–distance series of a route: cumulative km, hours, days and USD per point.

    One row per point of the chart, in travel order. The first row is the origin (all
    zeros). A ``"run"`` row ends a sloped segment: the cargo moved along a link (its
    running time and running cost). A ``"step"`` row ends a vertical segment: time or money
    spent without distance, at one place, so it repeats the distance of the row before it.
    Steps, in the order they happen:

    - ``wait``: expected wait for a scheduled departure (half the headway) on a link, at the
      place the link leaves from;
    - ``border``: border dwell and fees of a border-crossing link, at its exit post (the
      link's own few km are then a run);
    - the transfer kind (``transload``, ``bogie_exchange``, ``port_handling``,
      ``intermodal``, ...): a gauge break, mode change or port call; any wait for the next
      departure that follows it is its own ``wait`` step (a 15-day wait for a monthly train
      is a wait, not a transload);
    - ``load`` / ``unload``: terminal handling at the origin and the destination.

    Steps that add neither time nor money are left out. The last row carries the route's
    totals: ``distance_km``, ``time_h`` and ``cost_usd`` of the last row equal
    :attr:`Route.distance_km`, :attr:`Route.time_h` and :attr:`Route.cost_usd`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TCD_COLUMNS`: ``leg_seq`` (the leg the row ends, -1 for the origin),
        ``segment`` (``start``, ``run`` or ``step``), ``what`` (mode for runs, the kind of
        step for steps), ``place_id``/``place_name`` (where the point is), ``mode``,
        ``country``, cumulative ``distance_km``, ``time_h``, ``time_days``, ``cost_usd``,
        the increments ``d_time_h`` and ``d_cost_usd`` of the row, and ``label`` (text for
        steps, empty for runs).
    """
    first = route.steps[0] if route.steps else None
    t = _Points()
    t.rows.append(
        _row(
            -1,
            "start",
            "origin",
            first.from_id if first else route.origin,
            first.from_name if first else route.origin,
            first.mode if first else "",
            first.country if first else "",
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            "",
        )
    )
    for leg in route.steps:
        if leg.kind in ("transfer", "terminal"):
            _handling_points(t, leg)
        else:
            _link_points(t, leg)
    return pd.DataFrame(t.rows, columns=list(TCD_COLUMNS))


class _Points:
    """The rows of :func:`tcd_series` so far, with the cumulative km, hours and USD."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.km = self.hours = self.usd = 0.0

    def step(
        self, leg: Leg, what: str, place_id: str, place_name: str, dt: float, dc: float, label: str
    ) -> None:
        """A vertical segment at one place (left out when it adds neither time nor money)."""
        if dt == 0.0 and dc == 0.0:
            return
        self.hours += dt
        self.usd += dc
        self.rows.append(
            _row(
                leg.seq,
                "step",
                what,
                place_id,
                place_name,
                leg.mode,
                leg.country,
                self.km,
                self.hours,
                self.usd,
                dt,
                dc,
                label,
            )
        )

    def run(self, leg: Leg, dt: float, dc: float) -> None:
        """A sloped segment: the cargo moved along the leg's link to its end."""
        self.km += leg.distance_km
        self.hours += dt
        self.usd += dc
        self.rows.append(
            _row(
                leg.seq,
                "run",
                leg.mode,
                leg.to_id,
                leg.to_name,
                leg.mode,
                leg.country,
                self.km,
                self.hours,
                self.usd,
                dt,
                dc,
                "",
            )
        )


def _handling_points(t: _Points, leg: Leg) -> None:
    """A transfer or terminal leg: its handling step, then any wait for the next departure
    as a step of its own."""
    what = leg.transfer_kind or leg.kind
    wait_h = _finite(leg.wait_h)
    t.step(
        leg,
        what,
        leg.from_id,
        leg.from_name,
        leg.time_h - wait_h,
        leg.cost_usd,
        _step_label(leg, what),
    )
    departing = leg.to_service if leg.kind == "transfer" else leg.mode
    t.step(
        leg,
        "wait",
        leg.from_id,
        leg.from_name,
        wait_h,
        0.0,
        f"{leg.from_name}: wait for {str(departing).split('-')[0]} departure",
    )


def _link_points(t: _Points, leg: Leg) -> None:
    """A link or border link: waiting and the border first, then the run."""
    wait_h = _finite(leg.wait_h)
    t.step(
        leg,
        "wait",
        leg.from_id,
        leg.from_name,
        wait_h,
        0.0,
        f"{leg.from_name}: wait for {leg.mode} departure",
    )
    if leg.kind == "border":
        t.step(
            leg,
            "border",
            leg.from_id,
            leg.from_name,
            _finite(leg.dwell_h),
            _finite(leg.fee_usd),
            f"{leg.from_name} → {leg.to_name}: border ({leg.country})",
        )
        t.run(leg, leg.time_h - wait_h - _finite(leg.dwell_h), leg.cost_usd - _finite(leg.fee_usd))
    else:
        t.run(leg, leg.time_h - wait_h, leg.cost_usd)


def _row(
    seq: int,
    segment: str,
    what: str,
    place_id: str,
    place_name: str,
    mode: str,
    country: str,
    km: float,
    hours: float,
    usd: float,
    dt: float,
    dc: float,
    label: str,
) -> dict[str, Any]:
    return {
        "leg_seq": seq,
        "segment": segment,
        "what": what,
        "place_id": place_id,
        "place_name": place_name,
        "mode": mode,
        "country": country,
        "distance_km": km,
        "time_h": hours,
        "time_days": hours / HOURS_PER_DAY,
        "cost_usd": usd,
        "d_time_h": dt,
        "d_cost_usd": dc,
        "label": label,
    }


def _finite(x: float) -> float:
    return 0.0 if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _step_label(leg: Leg, what: str) -> str:
    if leg.kind == "terminal":
        return f"{leg.from_name}: {what} ({leg.mode})"
    return f"{leg.from_name}: {what} ({leg.service} → {leg.to_service})"


def cpmm_indicators(route: Route) -> dict[str, float]:
    """CPMM-style indicators of a route (hours, km/h, USD, shares in 0..1).

    - ``speed_without_delay_kmh`` (SWOD): km / running time (moving time only);
    - ``speed_with_delay_kmh`` (SWD): km / total time (borders, transfers, terminals and
      waits included);
    - ``border_time_h``, ``border_time_share``: border dwell and its share of total time;
    - ``border_cost_usd``, ``border_cost_share``: border fees and their share of money cost;
    - ``border_time_per_crossing_h``, ``border_cost_per_crossing_usd``: the same per crossing
      (CPMM's time and cost to clear a border crossing point);
    - ``time_per_500km_h``, ``cost_per_500km_usd``: total time and cost per 500 km of route
      (CPMM's normalisation of corridor-section time and cost; CPMM quotes cost for a 20 t
      load, so compare like cargo);
    - ``delay_h`` (total minus running time), plus ``distance_km``, ``time_h``,
      ``running_time_h``, ``cost_usd`` and ``n_crossings``.

    Ratios whose denominator is zero are NaN.
    """
    km = route.distance_km
    total_h = route.time_h
    split = route.time_split()
    run_h = split["running"]
    cost = route.cost_usd
    border_h = split["border"]
    border_usd = route.cost_split()["border"]
    n = len(route.crossings)
    return {
        "distance_km": km,
        "time_h": total_h,
        "running_time_h": run_h,
        "delay_h": total_h - run_h,
        "cost_usd": cost,
        "speed_without_delay_kmh": _ratio(km, run_h),
        "speed_with_delay_kmh": _ratio(km, total_h),
        "border_time_h": border_h,
        "border_time_share": _ratio(border_h, total_h),
        "border_cost_usd": border_usd,
        "border_cost_share": _ratio(border_usd, cost),
        "n_crossings": float(n),
        "border_time_per_crossing_h": _ratio(border_h, n),
        "border_cost_per_crossing_usd": _ratio(border_usd, n),
        "time_per_500km_h": _ratio(total_h * REFERENCE_KM, km),
        "cost_per_500km_usd": _ratio(cost * REFERENCE_KM, km),
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def cpmm_table(routes: Route | Iterable[Route]) -> pd.DataFrame:
    """:func:`cpmm_indicators` of several routes, one row each, with a ``route`` label."""
    rs = [routes] if isinstance(routes, Route) else list(routes)
    rows = [{"route": describe_route(r), **cpmm_indicators(r)} for r in rs]
    return pd.DataFrame(rows)


def describe_route(route: Route) -> str:
    """A short label: ends, border crossings and main modes (for legends and tables).

    Examples
    --------
    ``"Karachi → Moscow via Taftan–Mirjaveh, Astara–Astara (rail, road)"``
    """
    if not route.steps:
        return f"{route.origin} → {route.destination}"
    head = f"{route.steps[0].from_name} → {route.steps[-1].to_name}"
    seen: list[str] = []
    for leg in route.crossings:
        name = f"{leg.from_name}–{leg.to_name}"
        if name not in seen:
            seen.append(name)
    via = f" via {', '.join(seen)}" if seen else ""
    modes = ", ".join(route.main_modes)
    return f"{head}{via} ({modes})" if modes else f"{head}{via}"
