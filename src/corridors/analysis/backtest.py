"""Backtest: compare the model with published end-to-end freight journeys.

The model is calibrated from segment-level facts (per-km tariffs, speeds, border dwell, handling
times). Published door-to-door or port-to-port journeys are kept apart, in a ``journeys.csv``
next to the network, and only *measure* the model: nothing here changes a parameter.

A journey gives an origin, a destination, the constraints the real shipment had (modes, via
places, border crossings, avoided countries, network year, box size) and an observed range of
transit days and, where published, of USD per container. :func:`backtest` routes every journey
with its constraints and reports, one row per journey, how far the model falls from the
observed range and where the model's time goes (running, waiting, border, transfer, terminal).

>>> import corridors
>>> from corridors.analysis.backtest import backtest, read_journeys, journeys_path
>>> net = corridors.load_network()
>>> journeys = read_journeys(journeys_path(), net=net)
>>> table = backtest(net, journeys)  # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..costs.cargo import Cargo
from ..errors import CorridorsError, NoRouteError, ParameterError
from ..model.network import Network
from ..model.rules import reference_day
from ..routes.route import Route
from ..routes.routing import route
from .journeys import (  # the journeys file's reader, importable from here as before
    CARGO_SIZES,
    CONFIDENCE_LEVELS,
    DAYS_UNITS,
    JOURNEY_COLUMNS,
    JOURNEYS_FILE,
    REQUIRED_COLUMNS,
    SPANS,
    journeys_path,
    read_journeys,
    rounding_interval,
)
from .spreads import Spreads

__all__ = [
    "JOURNEY_COLUMNS",
    "REQUIRED_COLUMNS",
    "CONFIDENCE_LEVELS",
    "CARGO_SIZES",
    "DAYS_UNITS",
    "JOURNEYS_FILE",
    "journeys_path",
    "read_journeys",
    "backtest",
    "backtest_summary",
    "band_position",
    "BAND_POSITIONS",
    "range_error",
    "rounding_interval",
    "span_hours",
    "SPANS",
]

_HOURS_PER_DAY = 24.0

# Leg fields of the model's time split, by the name the backtest reports them under.
_SPLIT_FIELDS: tuple[tuple[str, str], ...] = (
    ("running", "running_time_h"),
    ("waiting", "wait_h"),
    ("border", "dwell_h"),
    ("transfer", "transfer_time_h"),
    ("terminal", "terminal_time_h"),
)


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------


def range_error(model: float, low: float, high: float) -> float:
    """Model minus the nearest bound of ``[low, high]``; 0 inside the range.

    Parameters
    ----------
    model, low, high : float
        The model's figure and the observed range (same unit), ``low <= high``.

    Returns
    -------
    float
        ``model - high`` above the range (positive), ``model - low`` below it (negative),
        ``0.0`` inside it; NaN when any input is NaN.

    Examples
    --------
    >>> range_error(30.0, 20.0, 25.0), range_error(18.0, 20.0, 25.0), range_error(22.0, 20.0, 25.0)
    (5.0, -2.0, 0.0)
    """
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return math.nan
    if model > high:
        return model - high
    if model < low:
        return model - low
    return 0.0


def _relative_error(model: float, low: float, high: float) -> float:
    """(model - midpoint) / midpoint of the observed range; NaN when not defined."""
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return math.nan
    mid = (low + high) / 2.0
    return (model - mid) / mid if mid > 0 else math.nan


def _within(model: float, low: float, high: float) -> Any:
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return pd.NA
    return bool(low <= model <= high)


def _constraints_text(j: Mapping[Any, Any]) -> str:
    parts = []
    if j["modes"]:
        parts.append("modes=" + ",".join(j["modes"]))
    for col in ("via", "cross_at", "avoid_countries"):
        if j[col]:
            parts.append(f"{col}=" + "|".join(j[col]))
    if not pd.isna(j["year"]):
        parts.append(f"year={int(j['year'])}")
    if j.get("origin_arrival", "land") not in ("", "land"):
        parts.append(f"origin_arrival={j['origin_arrival']}")
    if j.get("connections", "random") not in ("", "random"):
        parts.append(f"connections={j['connections']}")
    if j.get("minimize"):
        parts.append(f"minimize={j['minimize']}")
    return "; ".join(parts)


def _route_accepts(name: str) -> bool:
    return name in inspect.signature(route).parameters


def _time_split_h(r: Route) -> dict[str, float]:
    """Hours by what they are spent on, summed over the route's legs.

    A leg field that this version of :class:`~corridors.Leg` does not have yet counts 0; a
    field that exists is summed as it is (a NaN stays NaN).
    """
    out: dict[str, float] = {}
    for label, field in _SPLIT_FIELDS:
        if r.steps and not hasattr(r.steps[0], field):
            out[label] = 0.0  # the field does not exist in this version of Leg
            continue
        out[label] = math.fsum(float(getattr(leg, field)) for leg in r.steps)
    if r.steps and hasattr(r.steps[0], "window_h"):  # time windows are running time
        out["running"] += math.fsum(float(leg.window_h) for leg in r.steps)
    return out


def span_hours(r: Route, span: str) -> float:
    """The model's hours over what an observed figure covers (see :data:`SPANS`): the whole
    route, or without the terminal legs and the wait for the first departure."""
    if span == "door_to_door":
        return r.time_h
    if span != "departure_to_arrival":
        raise ParameterError(f"unknown span {span!r}; allowed: {', '.join(SPANS)}")
    hours = [leg.time_h for leg in r.steps]
    skip = math.fsum(leg.terminal_time_h for leg in r.steps if leg.kind == "terminal")
    # the first wait: on loading (a train's headway) or on the first link (a ship's)
    for leg in r.steps:
        if leg.wait_h > 0:
            skip += leg.wait_h
            break
        if leg.kind in ("link", "border"):
            break
    return math.fsum(hours) - skip


def _crossings_text(r: Route) -> str:
    """Border crossings as ``from>to`` place ids, the mode added unless road."""
    out: list[str] = []
    for leg in r.crossings:
        label = f"{leg.from_id}>{leg.to_id}"
        if leg.mode != "road":
            label += f" ({leg.mode})"
        out.append(label)
    return "; ".join(out)


def _cargo_of(word: str, override: Cargo | str | None) -> Cargo:
    if isinstance(override, Cargo):
        return override
    if isinstance(override, str):
        return Cargo.parse(override)
    return Cargo.parse(word or "40ft")


#: Columns of the frame :func:`backtest` returns, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "id",
    "origin",
    "destination",
    "constraints",
    "cargo",
    "confidence",
    "date",
    "rules_day",
    "observed_days_min",
    "observed_days_max",
    "model_days",
    "error_days",
    "rel_error_days",
    "within_range_days",
    "days_unit",
    "rounded_days_min",
    "rounded_days_max",
    "error_days_rounded",
    "within_rounded_days",
    "observed_usd_min",
    "observed_usd_max",
    "model_usd",
    "error_usd",
    "rel_error_usd",
    "within_range_usd",
    "running_usd",
    "border_usd",
    "transfer_usd",
    "terminal_usd",
    "risk_usd_left_out",
    "model_distance_km",
    "countries",
    "crossings",
    "modes_used",
    "running_days",
    "waiting_days",
    "border_days",
    "transfer_days",
    "terminal_days",
    "model_p10_days",
    "model_p50_days",
    "model_p90_days",
    "within_band_days",
    "band_position",
    "status",
    "message",
)


def backtest(
    net: Network,
    journeys: pd.DataFrame | str | os.PathLike[str],
    *,
    minimize: str = "time_h",
    cargo: Cargo | str | None = None,
    simulate_runs: int = 0,
    seed: int = 0,
    spreads: Spreads | None = None,
    closures: str = "open_at_departure",
) -> pd.DataFrame:
    """Route every journey with its constraints and compare the model with the observation.

    Parameters
    ----------
    net : Network
        The network to test.
    journeys : pandas.DataFrame or path-like
        A frame from :func:`read_journeys`, or the path of a ``journeys.csv`` (read and
        checked against ``net``).
    minimize : str, default "time_h"
        Objective of the model's route (observed journeys are compared on their transit days,
        so the fastest route is the default). A journey's own ``minimize`` (a priced service
        whose described route is not the fastest) takes precedence.
    cargo : Cargo or str, optional
        Cargo for every journey (``"20ft"``, ``"40ft"`` or a :class:`~corridors.Cargo`);
        default: each journey's own ``cargo`` column.
    simulate_runs : int, default 0
        Monte Carlo runs per journey (:func:`corridors.analysis.simulate.simulate`, with
        disruptions); 0 skips the uncertainty band. Each journey draws from its own
        generator, seeded from ``seed`` and the journey's position, so a seed gives the same
        band for the same journeys.
    seed : int, default 0
    spreads : Spreads, optional
        Spreads of running time and liner arrivals for the band (default: those of
        :func:`~corridors.analysis.simulate.simulate`).
    closures : {"open_at_departure", "random_day"}, default "open_at_departure"
        How the band draws closures of crossings, ports and lines
        (:func:`~corridors.analysis.simulate.simulate`'s ``closures``). A published journey is
        a trip that ran (or an operator's typical time): it left while its crossings were
        open, so by default it is judged against trips that leave while they are open and
        meet only a closure that starts on the way. ``random_day`` judges it against a trip
        planned for any day, which meets a closure under way with the share of days closed.

    Returns
    -------
    pandas.DataFrame
        One row per journey (columns :data:`RESULT_COLUMNS`):

        - ``model_days``: the model route's time in days; ``error_days``: model minus the
          nearest bound of the observed range, 0 inside it (see :func:`range_error`);
          ``rel_error_days``: (model - midpoint) / midpoint of the observed range;
          ``within_range_days``: whether the model lies in the observed range;
        - ``days_unit`` (the unit the time was published in, ``""`` when not given),
          ``rounded_days_min`` / ``rounded_days_max``: the rounding interval of a single
          published figure (``x`` +- half its unit, :func:`rounding_interval`; a range as
          published), ``error_days_rounded`` and ``within_rounded_days`` against it;
        - the same for USD per container (``model_usd``, ``error_usd``, ``rel_error_usd``,
          ``within_range_usd``), NaN / NA when no cost was published. Like with like: a
          published price is a freight price (what a carrier or forwarder charges: running,
          border fees, transfers and port or terminal handling), so ``model_usd`` is the
          route's money cost :attr:`~corridors.Route.cost_usd`, split into ``running_usd``,
          ``border_usd``, ``transfer_usd`` and ``terminal_usd``. It leaves out what a freight
          quote does not contain: the expected risk money (disruption delay valued at the
          cargo's time value, security premium, sanctions surcharges; reported as
          ``risk_usd_left_out``), cargo insurance and the cargo's holding cost. Money is
          compared in nominal USD: a published price in USD of its ``date``, the model's rows
          each in USD of their own ``year`` (``PARAMETERS.md``), neither converted (freight
          rates do not follow a general price index; the rows' years are in the data);
        - ``countries`` (ISO3 joined by ``>``), ``crossings`` (border crossings as
          ``from>to`` place ids, the mode added unless road), ``modes_used``, ``model_distance_km``;
        - ``rules_day``: the day whose link rules (``link_rules.csv``: closures, time
          windows) the journey was routed under: its own ``date`` (a month judged on its
          15th, a year on 1 July), else its ``year``, else today (said in ``message``);
        - the model's time split in days: ``running_days`` (with the extra hours of time
          windows), ``waiting_days`` (for scheduled departures), ``border_days``,
          ``transfer_days``, ``terminal_days``;
        - with ``simulate_runs``: ``model_p10_days``, ``model_p50_days``, ``model_p90_days``
          of the simulated span (``simulate(..., span=)``: for ``departure_to_arrival`` the
          terminal handling and the first wait are left out of the draws), and
          ``within_band_days``: whether the observation (the midpoint of its range) lies in
          the model's P10-P90 band. A calibrated model has about 80 % of journeys in band;
          ``band_position``: where that midpoint falls among the model's percentiles, one of
          :data:`BAND_POSITIONS` (a PIT-style view: a calibrated model puts about 10 %, 40 %,
          40 % and 10 % of journeys in them; many below P10 say the model is too slow, many
          above P90 too fast, many in both tails too narrow);
        - ``status``: ``ok``, ``no_route`` (the message of the
          :class:`~corridors.NoRouteError`) or ``error`` (another error of the query, e.g. a
          constraint this version of :func:`~corridors.route` does not know; see
          ``message``).
    """
    if (
        isinstance(simulate_runs, bool)
        or not isinstance(simulate_runs, (int, np.integer))
        or simulate_runs < 0
    ):
        raise ParameterError(f"simulate_runs must be a whole number >= 0, got {simulate_runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    if closures not in ("open_at_departure", "random_day"):
        raise ParameterError(
            f"unknown closures {closures!r}; allowed: open_at_departure, random_day"
        )
    if not isinstance(journeys, pd.DataFrame):
        journeys = read_journeys(journeys, net=net)
    accepts_cross_at = _route_accepts("cross_at")
    rows: list[dict[str, Any]] = []
    for pos, j in enumerate(journeys.to_dict("records")):
        row = _observed_row(j)
        result = _route_journey(net, j, row, j.get("minimize") or minimize, cargo, accepts_cross_at)
        if result is not None:
            _model_figures(row, result, j)
            if simulate_runs and not math.isnan(row["observed_days_min"]):
                _simulated_band(
                    row,
                    result,
                    net,
                    int(simulate_runs),
                    int(seed) * 1_000 + pos,
                    str(j.get("span") or "door_to_door"),
                    spreads,
                    closures,
                )
        else:
            row.update(
                model_days=math.nan,
                model_usd=math.nan,
                **{f"{k}_usd": math.nan for k in ("running", "border", "transfer", "terminal")},
                risk_usd_left_out=math.nan,
                model_distance_km=math.nan,
                countries="",
                crossings="",
                modes_used="",
                **{f"{k}_days": math.nan for k, _ in _SPLIT_FIELDS},
            )
        days_lo, days_hi = row["observed_days_min"], row["observed_days_max"]
        usd_lo, usd_hi = row["observed_usd_min"], row["observed_usd_max"]
        m_days, m_usd = row["model_days"], row["model_usd"]
        round_lo, round_hi = rounding_interval(days_lo, days_hi, row["days_unit"])
        row.update(
            error_days=range_error(m_days, days_lo, days_hi),
            rel_error_days=_relative_error(m_days, days_lo, days_hi),
            within_range_days=_within(m_days, days_lo, days_hi),
            rounded_days_min=round_lo,
            rounded_days_max=round_hi,
            error_days_rounded=range_error(m_days, round_lo, round_hi),
            within_rounded_days=_within(m_days, round_lo, round_hi),
            error_usd=range_error(m_usd, usd_lo, usd_hi),
            rel_error_usd=_relative_error(m_usd, usd_lo, usd_hi),
            within_range_usd=_within(m_usd, usd_lo, usd_hi),
        )
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col in ("within_range_days", "within_rounded_days", "within_range_usd", "within_band_days"):
        df[col] = df[col].astype("boolean")
    df["band_position"] = [p if isinstance(p, str) else "" for p in df["band_position"]]
    df.attrs["network"] = net.name
    df.attrs["minimize"] = minimize
    df.attrs["closures"] = closures
    return df


def _observed_row(j: Mapping[Any, Any]) -> dict[str, Any]:
    """A journey's row of :func:`backtest` with what was observed, before any routing."""
    return {
        "id": j["id"],
        "origin": j["origin"],
        "destination": j["destination"],
        "constraints": _constraints_text(j),
        "cargo": j["cargo"] or "40ft",
        "confidence": j["confidence"],
        "date": j["date"],
        "observed_days_min": float(j["observed_days_min"]),
        "observed_days_max": float(j["observed_days_max"]),
        "days_unit": str(j.get("days_unit") or ""),
        "observed_usd_min": float(j["observed_usd_min"]),
        "observed_usd_max": float(j["observed_usd_max"]),
    }


def _route_journey(
    net: Network,
    j: Mapping[Any, Any],
    row: dict[str, Any],
    minimize: str,
    cargo: Cargo | str | None,
    accepts_cross_at: bool,
) -> Route | None:
    """The model's route of a journey under its constraints, or None with ``status`` and
    ``message`` set in ``row`` (no route, another error of the query, or border crossings
    this version of :func:`~corridors.route` cannot impose)."""
    kwargs: dict[str, Any] = dict(
        minimize=minimize,
        cargo=_cargo_of(j["cargo"], cargo),
        year=None if pd.isna(j["year"]) else int(j["year"]),
        modes=list(j["modes"]) or None,
        via=list(j["via"]) or None,
        avoid_countries=list(j["avoid_countries"]) or None,
    )
    if j["cross_at"] and not accepts_cross_at:
        row.update(
            status="error",
            message="this version of corridors.route() does not "
            "accept cross_at, so the journey's border crossings cannot be imposed; "
            "not routed",
        )
        return None
    if j["cross_at"]:
        kwargs["cross_at"] = list(j["cross_at"])
    if j.get("origin_arrival", "land") not in ("", "land"):
        kwargs["origin_arrival"] = j["origin_arrival"]
    if j.get("connections", "random") not in ("", "random"):
        kwargs["connections"] = j["connections"]  # the source says it was timed to them
    # the link rules (closures, time windows) in force when the journey ran: its own date,
    # else its year, else (said in the row) today's
    date = j.get("date")
    if isinstance(date, str) and date.strip() and _route_accepts("date"):
        kwargs["date"] = date.strip()
    row["rules_day"] = reference_day(kwargs.get("date"), kwargs["year"]).isoformat()
    if "date" not in kwargs and kwargs["year"] is None:
        row["rules_note"] = "no date or year: routed under today's link rules"
    try:
        return route(net, j["origin"], j["destination"], **kwargs)
    except NoRouteError as err:
        row.update(status="no_route", message=_with_note(str(err), row.pop("rules_note", "")))
    except CorridorsError as err:
        row.update(status="error", message=_with_note(str(err), row.pop("rules_note", "")))
    return None


def _with_note(message: str, note: str) -> str:
    return f"{message} ({note})" if note else message


def _model_figures(row: dict[str, Any], result: Route, j: Mapping[Any, Any]) -> None:
    """The model route's days over the journey's span, USD, distance, path and time split,
    set in ``row`` (status ``ok``)."""
    model_days = span_hours(result, str(j.get("span") or "door_to_door")) / _HOURS_PER_DAY
    split = _time_split_h(result)
    money = result.cost_split()
    row.update(
        model_days=model_days,
        model_usd=result.cost_usd,
        **{f"{k}_usd": v for k, v in money.items()},
        risk_usd_left_out=result.risk_usd,
        model_distance_km=result.distance_km,
        countries=">".join(result.countries),
        crossings=_crossings_text(result),
        modes_used=",".join(result.modes),
        **{f"{k}_days": v / _HOURS_PER_DAY for k, v in split.items()},
        status="ok",
        message=row.pop("rules_note", ""),
    )


#: Where an observation falls among the model's P10, P50 and P90 (``band_position``), with the
#: share of journeys a calibrated model puts there.
BAND_POSITIONS: tuple[tuple[str, float], ...] = (
    ("below_p10", 0.1),
    ("p10_p50", 0.4),
    ("p50_p90", 0.4),
    ("above_p90", 0.1),
)


def band_position(observed: float, p10: float, p50: float, p90: float) -> str:
    """Where ``observed`` falls among the model's percentiles: ``below_p10`` (< P10),
    ``p10_p50`` (P10 to P50, both included), ``p50_p90`` (above P50 to P90) or
    ``above_p90`` (> P90); ``""`` when any figure is NaN.

    Examples
    --------
    >>> [band_position(x, 2.0, 3.0, 5.0) for x in (1.0, 2.0, 3.0, 4.0, 6.0)]
    ['below_p10', 'p10_p50', 'p10_p50', 'p50_p90', 'above_p90']
    """
    if any(math.isnan(x) for x in (observed, p10, p50, p90)):
        return ""
    if observed < p10:
        return "below_p10"
    if observed > p90:
        return "above_p90"
    return "p10_p50" if observed <= p50 else "p50_p90"


def _simulated_band(
    row: dict[str, Any],
    result: Route,
    net: Network,
    runs: int,
    seed: int,
    span: str,
    spreads: Spreads | None,
    closures: str,
) -> None:
    """The P10, P50 and P90 of the simulated span in days, and whether the observation's
    midpoint lies in the P10-P90 band, set in ``row``."""
    from .simulate import simulate

    sim = simulate(
        result, runs=runs, seed=seed, net=net, span=span, spreads=spreads, closures=closures
    )
    q = np.percentile(sim.time_h[:, 0], [10, 50, 90]) / _HOURS_PER_DAY
    mid = (row["observed_days_min"] + row["observed_days_max"]) / 2.0
    row.update(
        model_p10_days=float(q[0]),
        model_p50_days=float(q[1]),
        model_p90_days=float(q[2]),
        within_band_days=bool(q[0] <= mid <= q[2]),
        band_position=band_position(mid, float(q[0]), float(q[1]), float(q[2])),
    )


def backtest_summary(df: pd.DataFrame) -> dict[str, Any]:
    """Summary of a backtest: how many journeys were routed and how far the model is.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame :func:`backtest` returns.

    Returns
    -------
    dict
        ``journeys``, ``routed``, ``no_route``, ``errors``; over the routed journeys:
        ``mean_abs_error_days`` (mean of ``|error_days|``), ``mean_abs_rel_error_days``,
        ``share_within_range_days``, ``days_journeys`` (routed journeys with a published
        time) and ``within_range_days`` (how many lie in their range as published); against
        the rounding intervals of single published figures: ``within_rounded_days``,
        ``mean_abs_error_days_rounded``; and the same three for USD over the journeys with a
        published cost (``usd_journeys`` of them); ``share_within_band_days``: the share of
        simulated journeys whose observation lies in the model's P10-P90 band (``band_journeys``
        of them; about 0.8 for a calibrated model) and ``band_positions``: how many of them
        fall in each :data:`BAND_POSITIONS` (below P10, P10-P50, P50-P90, above P90). Values
        are None when there is nothing to average.
    """
    ok = df[df["status"] == "ok"]

    def mean(s: pd.Series) -> float | None:
        s = s.dropna()
        return float(s.mean()) if len(s) else None

    usd = ok[ok["observed_usd_min"].notna()]
    band = ok[ok["within_band_days"].notna()]
    days = ok[ok["observed_days_min"].notna()]
    return {
        "journeys": int(len(df)),
        "routed": int(len(ok)),
        "no_route": int((df["status"] == "no_route").sum()),
        "errors": int((df["status"] == "error").sum()),
        "mean_abs_error_days": mean(ok["error_days"].abs()),
        "mean_abs_rel_error_days": mean(ok["rel_error_days"].abs()),
        "share_within_range_days": mean(ok["within_range_days"].astype(float)),
        "days_journeys": int(len(days)),
        "within_range_days": int(days["within_range_days"].fillna(False).astype(bool).sum()),
        "within_rounded_days": int(days["within_rounded_days"].fillna(False).astype(bool).sum()),
        "mean_abs_error_days_rounded": mean(ok["error_days_rounded"].abs()),
        "usd_journeys": int(len(usd)),
        "mean_abs_error_usd": mean(usd["error_usd"].abs()),
        "mean_abs_rel_error_usd": mean(usd["rel_error_usd"].abs()),
        "share_within_range_usd": mean(usd["within_range_usd"].astype(float)),
        "band_journeys": int(len(band)),
        "share_within_band_days": mean(band["within_band_days"].astype(float)),
        "band_positions": {
            name: int((band["band_position"] == name).sum()) for name, _ in BAND_POSITIONS
        },
    }
