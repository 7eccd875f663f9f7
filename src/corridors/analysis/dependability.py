"""Dependability of a comparison: which corridor arrives on time, and how often it is the
cheapest or the fastest.

:func:`corridors.analysis.compare.compare` with ``simulate_runs > 0`` hands its routes here. For
each origin-destination pair, every route of every scenario (each distinct route of a
scenario once) is drawn in one Monte Carlo (:func:`corridors.analysis.simulate.simulate`) with
``common_draws=True``: a term that several routes meet (the queue at one border post, the
wait for one ferry, a closure of one crossing) takes the same variate in each run for all of
them, scaled by each scenario's own parameters. So a route that two scenarios share gives the
same distribution in both when its parameters are the same, and the difference between two
corridors comes only from where they differ.

Per row of the comparison this adds P10/P50/P90 of the door-to-door time (hours and days)
and of the money cost (USD: the route's cost plus the cargo's time value for the time above
or below the median-based time, as in :mod:`corridors.analysis.simulate`), the probability of arriving
within the deadline, and the probabilities that the route is the cheapest and the fastest
among the distinct routes of its scenario and pair (ties split evenly; they sum to 1 over
those routes).

:func:`same_as` says which rows repeat an earlier row's route: the same legs (links, places,
services and transfers in the same order, each with the same time and money) for the same
pair, in the same or another scenario.

Examples
--------
>>> import corridors as cor
>>> from corridors import Scenario, compare
>>> net = cor.load_network()
>>> df = compare(net, [Scenario.baseline(), Scenario(name="2032", year=2032)],
...              od=[("Karachi", "Tashkent")], simulate_runs=500, seed=1,
...              deadline_h=30 * 24)
>>> bool((df["time_p10_h"] <= df["time_p90_h"]).all())
True
>>> df.groupby("scenario")["p_cheapest"].sum().round(6).tolist()
[1.0, 1.0]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..model.network import Network
from ..routes.route import Route
from ..units import HOURS_PER_DAY
from .simulate import SimulationResult, simulate

__all__ = ["DEPENDABILITY_COLUMNS", "PairSimulation", "route_key", "same_as", "simulate_comparison"]

DEPENDABILITY_COLUMNS = (
    "time_p10_h",
    "time_p50_h",
    "time_p90_h",
    "time_p10_days",
    "time_p50_days",
    "time_p90_days",
    "cost_p10_usd",
    "cost_p50_usd",
    "cost_p90_usd",
    "p_on_time",
    "p_cheapest",
    "p_fastest",
)
"""Columns a simulated comparison adds (``p_on_time`` is NaN without a deadline)."""

_QUANTILES = (10, 50, 90)


def route_key(r: Route) -> tuple[tuple[Any, ...], ...]:
    """What makes two routes the same route: their legs in order (kind, link, from and to
    place, services, transfer kind) with the same hours and USD (to 1e-6), so a scenario that
    only makes a route dearer gives another route."""
    return tuple(
        (
            leg.kind,
            leg.link_id,
            leg.from_id,
            leg.to_id,
            leg.service,
            leg.to_service,
            leg.transfer_kind,
            round(leg.time_h, 6),
            round(leg.cost_usd, 6),
        )
        for leg in r.steps
    )


def _row_label(row: Mapping[str, Any]) -> str:
    rank = row.get("rank")
    tail = f" #{rank}" if rank not in (None, 1) else ""
    return f"{row['scenario']}, {row['minimize']}{tail}"


def same_as(rows: Sequence[Mapping[str, Any]], routes: Sequence[Route | None]) -> list[str]:
    """For each row, the first earlier row of the same origin-destination pair whose route is
    the same (:func:`route_key`), as ``"scenario, objective"`` (``" #rank"`` after the
    objective for alternatives beyond the first); ``""`` for a new route or no route."""
    if len(rows) != len(routes):
        raise ParameterError(f"{len(rows)} rows for {len(routes)} routes")
    first: dict[tuple[Any, ...], str] = {}
    out = []
    for row, r in zip(rows, routes):
        if r is None:
            out.append("")
            continue
        key = (r.origin, r.destination, route_key(r))
        if key in first:
            out.append(first[key])
        else:
            first[key] = _row_label(row)
            out.append("")
    return out


@dataclass(frozen=True, eq=False)
class PairSimulation:
    """The Monte Carlo of one origin-destination pair of a comparison.

    Attributes
    ----------
    origin, destination : str
        Place ids.
    scenarios : tuple of str
        The scenario of each simulated route (one column of ``result`` each).
    labels : tuple of str
        ``"scenario, objective"`` of the first row that found each route.
    routes : tuple of Route
    result : SimulationResult
        Draws with common random numbers; its ``p_fastest`` and ``p_cheapest`` compare every
        column, while the comparison's columns compare within a scenario.
    """

    origin: str
    destination: str
    scenarios: tuple[str, ...]
    labels: tuple[str, ...]
    routes: tuple[Route, ...]
    result: SimulationResult


def simulate_comparison(
    rows: Sequence[Mapping[str, Any]],
    routes: Sequence[Route | None],
    nets: Mapping[str, Network],
    *,
    runs: int,
    seed: int | None = None,
    deadline_h: float | None = None,
) -> tuple[list[dict[str, float]], list[PairSimulation]]:
    """Monte Carlo of the routes of a comparison, one simulation per pair (see the module
    docstring).

    Parameters
    ----------
    rows : sequence of mappings
        Comparison rows with ``scenario``, ``minimize`` and ``rank``.
    routes : sequence of Route or None
        The route of each row (None where the row has no route).
    nets : mapping of scenario name to Network
        The network each scenario's routes were found on (its risk table).
    runs : int
        Monte Carlo runs per pair (>= 1).
    seed : int, optional
        Seed of every pair's simulation (so results repeat).
    deadline_h : float, optional
        Deadline in hours for ``p_on_time``.

    Returns
    -------
    (list of dict, list of PairSimulation)
        The :data:`DEPENDABILITY_COLUMNS` of each row (NaN where the row has no route) and the
        simulation of each pair, in the order the pairs first appear.

    Raises
    ------
    ParameterError
        As :func:`corridors.analysis.simulate.simulate`, or for a scenario missing from ``nets``.
    """
    if len(rows) != len(routes):
        raise ParameterError(f"{len(rows)} rows for {len(routes)} routes")
    # distinct routes per pair; within a pair one column per (scenario, route)
    pairs: dict[tuple[str, str], list[tuple[str, str, Route]]] = {}
    column_of: list[tuple[tuple[str, str], int] | None] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row, r in zip(rows, routes):
        if r is None:
            column_of.append(None)
            continue
        scen = str(row["scenario"])
        if scen not in nets:
            raise ParameterError(f"no network for scenario {scen!r}")
        pair = (r.origin, r.destination)
        key = (pair, scen, route_key(r))
        if key not in seen:
            cols = pairs.setdefault(pair, [])
            seen[key] = len(cols)
            cols.append((scen, _row_label(row), r))
        column_of.append((pair, seen[key]))
    sims: dict[tuple[str, str], PairSimulation] = {}
    stats: dict[tuple[str, str], np.ndarray] = {}
    for pair, cols in pairs.items():
        res = simulate(
            [r for _, _, r in cols],
            runs=runs,
            seed=seed,
            deadline_h=deadline_h,
            net=[nets[s] for s, _, _ in cols],
            common_draws=True,
            progress=False,
        )
        sims[pair] = PairSimulation(
            pair[0],
            pair[1],
            tuple(s for s, _, _ in cols),
            tuple(lab for _, lab, _ in cols),
            tuple(r for _, _, r in cols),
            res,
        )
        stats[pair] = _column_stats(res, [s for s, _, _ in cols])
    out: list[dict[str, float]] = []
    for where in column_of:
        if where is None:
            out.append(dict.fromkeys(DEPENDABILITY_COLUMNS, math.nan))
        else:
            pair, j = where
            out.append(dict(zip(DEPENDABILITY_COLUMNS, stats[pair][j].tolist())))
    return out, list(sims.values())


def _column_stats(res: SimulationResult, scenarios: Sequence[str]) -> np.ndarray:
    """Per column of a pair's simulation, the values of :data:`DEPENDABILITY_COLUMNS`."""
    t = res.percentiles("time_h", _QUANTILES)
    c = res.percentiles("cost_usd", _QUANTILES)
    on_time = res.on_time
    p_cheap = np.zeros(res.n_routes)
    p_fast = np.zeros(res.n_routes)
    for scen in dict.fromkeys(scenarios):
        among = [j for j, s in enumerate(scenarios) if s == scen]
        p_cheap[among] = res.p_best("cost_usd", among)
        p_fast[among] = res.p_best("time_h", among)
    table = np.column_stack(
        [
            t[0],
            t[1],
            t[2],
            t[0] / HOURS_PER_DAY,
            t[1] / HOURS_PER_DAY,
            t[2] / HOURS_PER_DAY,
            c[0],
            c[1],
            c[2],
            on_time if on_time is not None else np.full(res.n_routes, math.nan),
            p_cheap,
            p_fast,
        ]
    )
    return table
