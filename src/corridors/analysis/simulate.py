"""Monte Carlo of a set of routes: percentiles of time and cost, on-time probability, which
route is fastest and cheapest, and CPMM-style indicators.

Every stochastic term of every route is drawn for many runs at once as numpy arrays, with
one generator ``numpy.random.default_rng(seed)``: the same seed and routes give the same
draws. Runs are drawn in chunks of :data:`CHUNK_RUNS`, so memory stays at a few chunk arrays
plus the ``runs x routes`` result arrays (10^6 runs of a 20-leg route fit in well under 1 GB).

Distributions (per run)
-----------------------
Spread parameters that the network's tables do not carry come from
:class:`~corridors.analysis.spreads.Spreads` (``spreads=``; sources in
:data:`~corridors.analysis.spreads.SPREAD_SOURCES`).

- Running time by rail: for each country a route's rail legs cross (a border leg counts for
  the country it leaves), their summed running time x a lognormal factor of median 1 and
  log-sd ``spreads.rail_running_sigma`` (one railway's train: one draw for the section).
- Running time by road: the route's summed road running time x a lognormal factor of median 1
  and log-sd ``spreads.road_running_sigma`` (one truck and crew: one draw for the route).
- Sea: each voyage (a run of sea links) arrives late with probability
  ``spreads.sea_late_share``, then by ``1 + Exponential(sea_late_mean_days - 1)`` days
  (Sea-Intelligence's share of late arrivals and their mean delay). Ferry running time and
  time windows (``leg.window_h``) stay deterministic.
- Wait for a scheduled departure: ``Uniform(0, headway_h)`` where the leg has a wait and a
  known headway (mean ``headway_h / 2`` = ``wait_h``); otherwise the deterministic ``wait_h``.
  A booked first departure (``route(..., departure="booked")``) and a booked connection
  (``route(..., connections="booked")``: every later boarding) have no wait to draw.
- Border dwell, transfer time, terminal time: lognormal with the leg's median (``dwell_h``,
  ``transfer_time_h``, ``terminal_time_h``) and 90th percentile (``dwell_p90_h``, ...):
  ``median x exp(sigma Z)``, ``sigma = ln(p90 / median) / 1.28155``, Z standard normal. A
  missing p90 or ``p90 == median`` makes the term deterministic.
- Disruptions: for each risk row that applies to the route (as in :mod:`corridors.costs.risk`,
  each row once per trip), ``Bernoulli(p) x U x 24 x lognormal(median_days, p90_days)``
  hours, U ~ Uniform(0, 1). ``p`` is the share of days a closure is under way, so a trip
  that meets one arrives at a uniformly random moment of it and waits the *rest* of it
  (mean: half the mean duration, as :mod:`corridors.costs.risk` charges). The length bias (a
  trip is likelier to meet a long closure than a short one) is left out: with the heavy
  lognormal tails fitted to three to six events it would multiply the expected wait several
  fold on an assumption about the tail, not on data.
  With ``closures="open_at_departure"`` a place or link row (a crossing, port or line) is
  open when the trip leaves, as on a trip that ran: closures begin at the rate
  ``p / mean duration`` per hour (a share ``p`` of the time closed), so the trip is held with
  probability ``1 - exp(-rate x t)``, ``t`` the route's hours until it reaches the row, for
  the closure's duration less the time since it began (``U x t``), if any is left.
  A row shared by several routes (the same border post, the same country) is drawn once per
  run for all of them: a closure of Torkham in a run delays every route through Torkham.
  Every other term is drawn independently for each route, unless ``common_draws=True``.
- Standing charges while a disruption holds the cargo: the daily charges of
  :class:`corridors.analysis.closures.WaitCharges` (container detention; demurrage when the box
  waits in a port; a truck's standing cost when it waits on a truck), the same that
  :func:`corridors.closure_choice` applies. The mode and place where the cargo waits are
  those of the first leg of the route that meets the row (at sea, for a passage: detention
  only).

Common draws (``common_draws=True``): every term is keyed by what it is (the wait for the
departure on a leg, the dwell on a border link in one direction, the transfer or terminal
operation at a place between two services, the disruption row), and a key met by several
routes is drawn once per run for all of them: the same uniform or standard normal variate,
scaled by each route's own median and spread. Two routes that share a border post then see
the same queue there in each run, so their difference comes only from where they differ, and
two identical routes give identical draws. Routes may come from different scenarios (pass one
network per route as ``net``): the variates are shared, the parameters are each scenario's.

With ``span="departure_to_arrival"`` the terminal operations and the first wait are left out of
the draws and of the deterministic time, as :func:`corridors.analysis.backtest.span_hours`
leaves them out of a route's time.

Time of a run = deterministic part + the draws. Cost of a run = the route's money cost
(``route.cost_usd``, deterministic) + the cargo's time value (holding cost + value of time,
``cargo.time_value_usd_per_h``) x (time of the run - the route's deterministic
``time_h``) + the standing charges of its disruption hours: a run slower than the
median-based time costs more, a faster one less. Security
premiums and sanctions surcharges are expected costs reported by :func:`corridors.routes.risk.route_risk`;
they are not drawn. With every variance zero (no headway, ``p90 == median``, no disruption) a
run gives exactly ``route.time_h`` and ``route.cost_usd``; so does a route of such legs with
``spreads=NO_SPREADS`` whatever its running legs.

Ties: the probability that a route is the fastest (cheapest) counts, in every run, each of
the routes tied at the minimum with weight 1 / (number tied); the probabilities sum to 1.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._json import json_safe
from ..costs.cargo import Cargo
from ..costs.risk import RiskRow, risk_rows
from ..engine.checks import (
    MAX_SIM_DRAWS,
    check_bool,
    check_cargo,
    check_int,
    check_limit,
    check_network,
    check_real,
)
from ..errors import ParameterError, ParameterTypeError
from ..model.network import Network
from ..routes.route import Route
from ..units import HOURS_PER_DAY
from .simulate_plan import _finite, _Plan, _plan
from .spreads import DEFAULT_SPREADS, Spreads

__all__ = [
    "simulate",
    "SimulationResult",
    "CHUNK_RUNS",
    "PERCENTILES",
    "PROGRESS_MIN_RUNS",
    "NO_SPREADS",
    "SPANS",
    "CLOSURE_MODES",
]

NO_SPREADS = Spreads(0.0, 0.0, 0.0, 0.0)
"""Spreads that leave running time and liner arrivals deterministic."""

SPANS = ("door_to_door", "departure_to_arrival")
"""What a simulated time covers (``span=``)."""

CLOSURE_MODES = ("random_day", "open_at_departure")
"""Which trip closures are drawn for (``closures=``)."""

CHUNK_RUNS = 32_768
"""Runs drawn at once. Fixed (never derived from the machine), so a seed gives the same draws
everywhere."""

PERCENTILES = (10, 50, 90, 95)
"""Percentiles reported for time and cost."""

PROGRESS_MIN_RUNS = 200_000
"""With ``progress=None`` a bar shows only from this many runs, on an interactive stderr."""


# --------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Outcome of :func:`simulate`: the draws and what they say, one entry per route.

    Attributes
    ----------
    labels : tuple of str
        One label per route (countries and modes), in the order given.
    runs : int
    seed : int
        The seed used (the entropy numpy chose when ``seed`` was None, so any run can be
        repeated).
    deadline_h : float or None
    time_h, cost_usd : numpy.ndarray
        The draws, shape ``(runs, routes)``: total time in hours and cost in USD per run.
    deterministic_time_h, deterministic_cost_usd : numpy.ndarray
        ``route.time_h`` and ``route.cost_usd`` (median-based, no disruption).
    p_fastest, p_cheapest : numpy.ndarray
        Probability that each route is the fastest / cheapest (ties split evenly); each sums
        to 1.
    mean_split_h : tuple of dict
        Mean hours by component per route: ``running``, ``waiting``, ``border``,
        ``transfer``, ``terminal``, ``disruption``.
    indicators : tuple of dict
        CPMM-style indicators per route (see :meth:`to_frame`).
    """

    labels: tuple[str, ...]
    runs: int
    seed: int
    deadline_h: float | None
    time_h: np.ndarray = field(repr=False)
    cost_usd: np.ndarray = field(repr=False)
    deterministic_time_h: np.ndarray = field(repr=False)
    deterministic_cost_usd: np.ndarray = field(repr=False)
    p_fastest: np.ndarray = field(repr=False)
    p_cheapest: np.ndarray = field(repr=False)
    mean_split_h: tuple[dict[str, float], ...] = field(repr=False)
    indicators: tuple[dict[str, float], ...] = field(repr=False)

    @property
    def n_routes(self) -> int:
        return len(self.labels)

    def _data(self, what: str) -> np.ndarray:
        if what == "time_h":
            return self.time_h
        if what == "time_days":
            return self.time_h / HOURS_PER_DAY
        if what == "cost_usd":
            return self.cost_usd
        raise ParameterError(f"unknown quantity {what!r}; allowed: time_h, time_days, cost_usd")

    def percentiles(self, what: str = "time_h", q: Sequence[float] = PERCENTILES) -> np.ndarray:
        """Percentiles ``q`` of ``time_h``, ``time_days`` or ``cost_usd``: shape
        ``(len(q), routes)``."""
        return np.percentile(self._data(what), list(q), axis=0)

    def mean(self, what: str = "time_h") -> np.ndarray:
        """Mean of ``time_h``, ``time_days`` or ``cost_usd`` per route."""
        return np.asarray(self._data(what).mean(axis=0), dtype=float)

    def prob_exceeds(self, hours: float) -> np.ndarray:
        """P(transit time > ``hours``) per route."""
        if not _finite(hours):
            raise ParameterError(f"hours must be a finite number, got {hours!r}")
        return np.asarray((self.time_h > hours).mean(axis=0), dtype=float)

    def prob_within(self, hours: float) -> np.ndarray:
        """P(transit time <= ``hours``) per route."""
        return 1.0 - self.prob_exceeds(hours)

    def p_best(self, what: str = "time_h", among: Sequence[int] | None = None) -> np.ndarray:
        """Probability that each route of ``among`` (indices; default all) has the smallest
        ``time_h`` or ``cost_usd`` of them in a run, ties split evenly; sums to 1."""
        if what not in ("time_h", "cost_usd"):
            raise ParameterError(f"unknown quantity {what!r}; allowed: time_h, cost_usd")
        cols = list(range(self.n_routes)) if among is None else [int(j) for j in among]
        if not cols or any(not 0 <= j < self.n_routes for j in cols):
            raise ParameterError(f"among must name routes 0 to {self.n_routes - 1}, got {among!r}")
        return _p_best(self._data(what)[:, cols])

    def subset(self, among: Sequence[int]) -> SimulationResult:
        """The same draws for the routes ``among`` (indices, in that order); P(fastest) and
        P(cheapest) compare those routes only."""
        cols = [int(j) for j in among]
        if not cols or any(not 0 <= j < self.n_routes for j in cols):
            raise ParameterError(f"among must name routes 0 to {self.n_routes - 1}, got {among!r}")
        return SimulationResult(
            labels=tuple(self.labels[j] for j in cols),
            runs=self.runs,
            seed=self.seed,
            deadline_h=self.deadline_h,
            time_h=self.time_h[:, cols],
            cost_usd=self.cost_usd[:, cols],
            deterministic_time_h=self.deterministic_time_h[cols],
            deterministic_cost_usd=self.deterministic_cost_usd[cols],
            p_fastest=_p_best(self.time_h[:, cols]),
            p_cheapest=_p_best(self.cost_usd[:, cols]),
            mean_split_h=tuple(self.mean_split_h[j] for j in cols),
            indicators=tuple(self.indicators[j] for j in cols),
        )

    @property
    def on_time(self) -> np.ndarray | None:
        """P(transit time <= deadline) per route, or None without a deadline."""
        return None if self.deadline_h is None else self.prob_within(self.deadline_h)

    def to_frame(self) -> pd.DataFrame:
        """One row per route: percentiles and mean of time (h and days) and cost (USD),
        deterministic time and cost, P(on time), P(fastest), P(cheapest), mean hours by
        component and the CPMM-style indicators (``speed_without_delay_kmh`` = km / running
        time; ``speed_with_delay_kmh`` = km / mean total time; ``border_time_share`` = mean
        border dwell / mean total time; ``border_cost_share`` = border fees / money cost)."""
        t = self.percentiles("time_h")
        c = self.percentiles("cost_usd")
        on_time = self.on_time
        rows = []
        for j, label in enumerate(self.labels):
            row: dict[str, Any] = {"route": j + 1, "label": label}
            for k, q in enumerate(PERCENTILES):
                row[f"time_p{q}_h"] = float(t[k, j])
            for k, q in enumerate(PERCENTILES):
                row[f"time_p{q}_days"] = float(t[k, j]) / HOURS_PER_DAY
            row["time_mean_h"] = float(self.time_h[:, j].mean())
            row["time_mean_days"] = row["time_mean_h"] / HOURS_PER_DAY
            for k, q in enumerate(PERCENTILES):
                row[f"cost_p{q}_usd"] = float(c[k, j])
            row["cost_mean_usd"] = float(self.cost_usd[:, j].mean())
            row["deterministic_time_h"] = float(self.deterministic_time_h[j])
            row["deterministic_cost_usd"] = float(self.deterministic_cost_usd[j])
            row["p_on_time"] = float(on_time[j]) if on_time is not None else math.nan
            row["p_fastest"] = float(self.p_fastest[j])
            row["p_cheapest"] = float(self.p_cheapest[j])
            for part, hours in self.mean_split_h[j].items():
                row[f"mean_{part}_h"] = hours
            row.update(self.indicators[j])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self, *, draws: bool = False) -> dict[str, Any]:
        """JSON-safe dict: settings and one record per route (as :meth:`to_frame`); with
        ``draws=True`` also the draws as lists (large)."""
        records = self.to_frame().to_dict("records")
        out: dict[str, Any] = {
            "runs": self.runs,
            "seed": self.seed,
            "deadline_h": self.deadline_h,
            "percentiles": list(PERCENTILES),
            "routes": [{str(k): json_safe(v) for k, v in r.items()} for r in records],
        }
        if draws:
            out["time_h"] = self.time_h.T.tolist()
            out["cost_usd"] = self.cost_usd.T.tolist()
        return out

    def __repr__(self) -> str:
        p50 = self.percentiles("time_days", (50,))[0]
        parts = ", ".join(f"{i + 1}: P50 {d:.1f} d" for i, d in enumerate(p50))
        return f"<SimulationResult {self.runs:,} runs x {self.n_routes} routes; {parts}>"


# --------------------------------------------------------------------------------------------
# simulate
# --------------------------------------------------------------------------------------------


def _plans(
    routes: Sequence[Route],
    net: Network | Sequence[Network] | None,
    cargo: Cargo | None,
    disruptions: bool,
    spreads: Spreads = DEFAULT_SPREADS,
    span: str = "door_to_door",
    closures: str = "random_day",
) -> list[_Plan]:
    """The plan of every route, with the risk rows of its own network."""
    if net is None or isinstance(net, Network):
        # without a network, each route's own risk rows and place kinds (found with it)
        nets: list[Network | None] = [net] * len(routes)
    else:
        nets = list(net)
        if len(nets) != len(routes) or not all(isinstance(n, Network) for n in nets):
            raise ParameterError(
                f"net must be one Network or one per route: got {len(nets)} "
                f"items for {len(routes)} routes"
            )
    by_net: dict[int, Mapping[tuple[str, str], RiskRow]] = {}
    kinds_by_net: dict[int, dict[str, str]] = {}
    plans = []
    for r, n in zip(routes, nets):
        rows = None
        kinds: dict[str, str] = {}
        if disruptions and n is not None:
            if id(n) not in by_net:
                by_net[id(n)] = risk_rows(n)
                kinds_by_net[id(n)] = {str(k): str(v) for k, v in n._places["kind"].items()}
            rows = by_net[id(n)]
            kinds = kinds_by_net[id(n)]
        elif disruptions:
            rows = {(row.scope, row.ref): row for row in r.risk_rows}
            kinds = dict(r.place_kinds)
        plans.append(
            _plan(
                r,
                cargo if cargo is not None else r.query.cargo,
                rows,
                kinds,
                spreads,
                span,
                closures,
            )
        )
    return plans


def _label(route: Route) -> str:
    return f"{' > '.join(route.countries)} ({', '.join(route.main_modes)})"


def _progress_bar(progress: bool | None, runs: int) -> Any:
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        progress = runs >= PROGRESS_MIN_RUNS and bool(isatty and isatty())
    if not progress:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # optional: no tqdm, no bar
        return None
    return tqdm(total=runs, unit="run", desc="simulate", file=sys.stderr, leave=False)


def simulate(
    routes: Route | Sequence[Route],
    *,
    runs: int = 10_000,
    seed: int | None = None,
    deadline_h: float | None = None,
    cargo: Cargo | None = None,
    progress: bool | None = None,
    net: Network | Sequence[Network] | None = None,
    disruptions: bool = True,
    common_draws: bool = False,
    spreads: Spreads | None = None,
    span: str = "door_to_door",
    closures: str = "random_day",
) -> SimulationResult:
    """Monte Carlo of routes: draw every stochastic term ``runs`` times (distributions in the
    module docstring) and summarise time in hours and cost in USD.

    Parameters
    ----------
    routes : Route or sequence of Route
        For example ``corridors.alternatives(net, o, d, k=3)``.
    runs : int, default 10,000
        Number of runs (>= 1); runs x routes may be at most 10,000,000
        (``corridors.engine.checks.MAX_SIM_DRAWS``), checked before anything is allocated.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (a whole number >= 0); the same seed and routes
        give the same draws.
    deadline_h : float, optional
        Deadline in hours (>= 0) for the on-time probability.
    cargo : Cargo, optional
        Cargo whose time value prices the drawn time (default: each route's query cargo).
    progress : bool, optional
        Show a tqdm bar (if tqdm is installed). Default: only for at least
        :data:`PROGRESS_MIN_RUNS` runs on an interactive terminal.
    net : Network or sequence of Network, optional
        A network (or one per route) whose risk table gives the disruptions instead of the
        risk rows each route carries from the network it was found on (the default; no file
        is read).
    disruptions : bool, default True
        Draw disruptions from the risk rows; False leaves them out.
    common_draws : bool, default False
        Share every draw among the routes that meet the same term (the same wait, border
        dwell, transfer, terminal or disruption; see the module docstring): common random
        numbers, for comparing routes run by run. False: only disruptions are shared.
    spreads : Spreads, optional
        Spreads of rail and road running time and of liner arrivals (default
        :data:`~corridors.analysis.spreads.DEFAULT_SPREADS`; :data:`NO_SPREADS` keeps them
        deterministic).
    span : {"door_to_door", "departure_to_arrival"}, default "door_to_door"
        What the drawn time covers: the whole route, or without the terminal operations and
        the first wait (what a published transit time from departure to arrival spans).
    closures : {"random_day", "open_at_departure"}, default "random_day"
        Which trip the closures of crossings, ports and lines (place and link risk rows) are
        drawn for: one planned for a random day, which meets a closure under way with the
        row's probability (the share of days closed) and waits the rest of it; or one that
        leaves while they are open (a trip that ran, as a published transit time), held
        only by a closure that starts before it arrives (see the module docstring).
        Passage and country rows are drawn the random-day way in both.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterTypeError
        For an argument of the wrong type (a string for ``cargo`` is parsed).
    RequestTooLargeError
        When runs x routes exceeds 10,000,000.
    ParameterError
        For no routes, ``runs`` < 1, a negative seed, a negative or non-finite deadline, a
        leg with a p90 below its median, invalid risk rows, no network for the disruptions,
        a sequence of networks whose length is not the number of routes, spreads that are
        not a Spreads, or an unknown span.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> alts = cor.alternatives(net, "Karachi", "Tashkent", k=2)
    >>> sim = simulate(alts, runs=2_000, seed=1, net=net)
    >>> float(sim.p_fastest.sum())
    1.0
    """
    routes, runs, seed, deadline_h, cargo = _checked_args(
        routes, runs, seed, deadline_h, cargo, progress, disruptions, net
    )
    if spreads is None:
        spreads = DEFAULT_SPREADS
    elif not isinstance(spreads, Spreads):
        raise ParameterError(
            f"spreads must be a corridors.analysis.spreads.Spreads, got {type(spreads).__name__}"
        )
    if span not in SPANS:
        raise ParameterError(f"unknown span {span!r}; allowed: {', '.join(SPANS)}")
    if closures not in CLOSURE_MODES:
        raise ParameterError(f"unknown closures {closures!r}; allowed: {', '.join(CLOSURE_MODES)}")
    plans = _plans(routes, net, cargo, disruptions, spreads, span, closures)
    idx, n_u, n_z = _draw_columns(plans, common_draws)
    seq = np.random.SeedSequence(seed)
    time_h, standing_usd, sums = _run(plans, idx, n_u, n_z, runs, seq, progress)

    det_t = np.asarray([p.time_h for p in plans], dtype=float)
    det_c = np.asarray([p.cost_usd for p in plans], dtype=float)
    tv = np.asarray([p.time_value_usd_per_h for p in plans], dtype=float)
    cost = (time_h - det_t) * tv + det_c + standing_usd  # no extra time: exactly det_c
    splits, indicators = _summaries(plans, time_h, standing_usd, sums, runs)
    return SimulationResult(
        labels=tuple(f"{i + 1}: {_label(r)}" for i, r in enumerate(routes)),
        runs=runs,
        seed=int(seq.entropy) if isinstance(seq.entropy, int) else 0,
        deadline_h=deadline_h,
        time_h=time_h,
        cost_usd=cost,
        deterministic_time_h=det_t,
        deterministic_cost_usd=det_c,
        p_fastest=_p_best(time_h),
        p_cheapest=_p_best(cost),
        mean_split_h=tuple(splits),
        indicators=tuple(indicators),
    )


def _checked_args(
    routes: Any,
    runs: Any,
    seed: Any,
    deadline_h: Any,
    cargo: Any,
    progress: Any,
    disruptions: Any,
    net: Any,
) -> tuple[list[Route], int, int | None, float | None, Cargo | None]:
    """:func:`simulate`'s arguments checked (the routes as a list, the cargo parsed), every
    check before anything is allocated."""
    if isinstance(routes, Route):
        routes = [routes]
    if isinstance(routes, (str, bytes, Mapping)) or not isinstance(routes, Iterable):
        raise ParameterTypeError(
            "simulate takes a Route or a list of Route objects (from "
            f"corridors.route or corridors.alternatives), got "
            f"{type(routes).__name__}"
        )
    routes = list(routes)
    if not routes:
        raise ParameterError("simulate needs at least one route")
    if not all(isinstance(r, Route) for r in routes):
        raise ParameterTypeError(
            "simulate takes Route objects (from corridors.route or corridors.alternatives)"
        )
    runs = check_int(runs, "runs", lo=1)
    check_limit(
        runs * len(routes),
        MAX_SIM_DRAWS,
        f"runs x routes ({runs:,} x {len(routes)})",
        f"use fewer runs (at most {MAX_SIM_DRAWS // len(routes):,} for "
        f"{len(routes)} route{'s' if len(routes) != 1 else ''}); 10,000 runs give "
        "percentiles to well under 1%",
    )
    seed = check_int(seed, "seed", lo=0, optional=True)
    deadline_h = check_real(deadline_h, "deadline_h", lo=0.0, optional=True, unit="h")
    if cargo is not None and not isinstance(cargo, Cargo):
        cargo = check_cargo(cargo)
    check_bool(progress, "progress", optional=True)
    check_bool(disruptions, "disruptions")
    if net is not None and not isinstance(net, Network):
        if isinstance(net, (str, bytes, Mapping)) or not isinstance(net, Sequence):
            check_network(net)  # raises, naming the type
        for i, one in enumerate(net):
            check_network(one, f"net[{i}]")
    return routes, runs, seed, deadline_h, cargo


_Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _draw_columns(plans: Sequence[_Plan], common_draws: bool) -> tuple[list[_Columns], int, int]:
    """Per route, the columns of its draws: one column of uniform variates per wait,
    late-arrival occurrence, late-arrival delay and disruption occurrence, one of standard
    normal variates per lognormal term and disruption duration; keys met by several routes share a column (the route number is part of every
    key but the disruption's unless ``common_draws``). Returns the columns and how many
    uniform and normal columns there are."""
    u_cols: dict[tuple[Any, ...], int] = {}
    z_cols: dict[tuple[Any, ...], int] = {}

    def col(cols: dict[tuple[Any, ...], int], key: tuple[Any, ...]) -> int:
        return cols.setdefault(key, len(cols))

    idx = []
    for j, p in enumerate(plans):
        own: tuple[Any, ...] = () if common_draws else (j,)
        idx.append(
            (
                np.asarray([col(u_cols, (*own, *k)) for k in p.wait_keys], dtype=np.int64),
                np.asarray([col(z_cols, (*own, *k)) for k in p.term_keys], dtype=np.int64),
                np.asarray([col(u_cols, ("risk", *k)) for k in p.disruption_keys], dtype=np.int64),
                np.asarray([col(z_cols, ("risk", *k)) for k in p.disruption_keys], dtype=np.int64),
                # the moment of the closure the trip meets: shared, like the closure itself
                np.asarray(
                    [col(u_cols, ("risk-rest", *k)) for k in p.disruption_keys], dtype=np.int64
                ),
                np.asarray([col(u_cols, (*own, *k)) for k in p.late_keys], dtype=np.int64),
                np.asarray([col(u_cols, (*own, "delay", *k)) for k in p.late_keys], dtype=np.int64),
            )
        )
    return idx, len(u_cols), len(z_cols)


def _run(
    plans: Sequence[_Plan],
    idx: Sequence[_Columns],
    n_u: int,
    n_z: int,
    runs: int,
    seq: np.random.SeedSequence,
    progress: bool | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw the runs chunk by chunk: each route's time in hours and standing charges in USD
    (runs x routes), and per route the summed waiting, border, transfer, terminal and
    disruption hours."""
    rng = np.random.default_rng(seq)
    n_routes = len(plans)
    time_h = np.empty((runs, n_routes))
    standing_usd = np.zeros((runs, n_routes))
    sums = np.zeros((n_routes, 6))  # waiting, border, transfer, terminal, running, disruption
    bar = _progress_bar(progress, runs)
    try:
        for start in range(0, runs, CHUNK_RUNS):
            n = min(CHUNK_RUNS, runs - start)
            u = rng.random((n, n_u))
            z = rng.standard_normal((n, n_z))
            for j, (p, cols) in enumerate(zip(plans, idx)):
                t, standing = _route_chunk(p, cols, u, z, n, sums[j])
                if standing is not None:
                    standing_usd[start : start + n, j] = standing
                time_h[start : start + n, j] = t
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
    return time_h, standing_usd, sums


def _route_chunk(
    p: _Plan, cols: _Columns, u: np.ndarray, z: np.ndarray, n: int, sums: np.ndarray
) -> tuple[np.ndarray, np.ndarray | None]:
    """One route's ``n`` drawn times in hours and standing charges in USD (None without
    disruptions) from the chunk's variates ``u`` and ``z``; adds to ``sums`` (the route's
    row)."""
    wi, ti, du, dz, dr, li, ld = cols
    t = np.full(n, p.base_h)
    uw = u[:, wi] * p.headways
    if wi.size:
        ws = uw.sum(axis=1)
        t += ws
        sums[0] += ws.sum()
    x = z[:, ti] * p.sigmas
    if ti.size:
        np.exp(x, out=x)
        x *= p.medians
        lo = 0
        for g, hi in enumerate(p.group_ends):
            if hi > lo:
                gs = x[:, lo:hi].sum(axis=1)
                t += gs
                sums[1 + g] += gs.sum()
            lo = hi
    if p.overlap_waits.size:  # a port time that contains the sailing's wait: max, not sum
        held_d = (
            np.where(p.overlap_terms >= 0, x[:, np.maximum(p.overlap_terms, 0)], p.overlap_fixed)
            if ti.size
            else np.broadcast_to(p.overlap_fixed, (n, p.overlap_waits.size))
        )
        both = np.minimum(uw[:, p.overlap_waits], held_d).sum(axis=1)
        t -= both
        sums[0] -= both.sum()  # reported as wait: the wait less the overlap
    if li.size:
        # a late voyage: one day plus an exponential excess (inverse transform of u)
        delay = HOURS_PER_DAY - p.late_excess_mean_h * np.log1p(-u[:, ld])
        ls = np.where(u[:, li] < p.late_share, delay, 0.0).sum(axis=1)
        t += ls
        sums[4] += ls.sum()
    if not du.size:
        return t, None
    dur = z[:, dz] * p.d_sigma
    np.exp(dur, out=dur)
    dur *= p.d_median_h
    if p.d_reach_h.any():  # open at departure: the closure began U x reach_h before arrival
        rest = np.maximum(dur - u[:, dr] * p.d_reach_h, 0.0)
        dur = np.where(p.d_reach_h > 0, rest, dur * u[:, dr])
    else:
        dur *= u[:, dr]  # the rest of a closure under way
    held = np.where(u[:, du] < p.d_prob, dur, 0.0)
    ds = held.sum(axis=1)
    t += ds
    sums[5] += ds.sum()
    return t, held @ p.standing_usd_per_h


def _summaries(
    plans: Sequence[_Plan],
    time_h: np.ndarray,
    standing_usd: np.ndarray,
    sums: np.ndarray,
    runs: int,
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """Per route, the mean time split in hours and the indicators (standing charges, speeds
    with and without delay, border shares)."""
    splits: list[dict[str, float]] = []
    indicators: list[dict[str, float]] = []
    for j, p in enumerate(plans):
        m = sums[j] / runs
        split = {
            "running": p.det_split["running"] + m[4],
            "waiting": p.det_split["waiting"] + m[0],
            "border": p.det_split["border"] + m[1],
            "transfer": p.det_split["transfer"] + m[2],
            "terminal": p.det_split["terminal"] + m[3],
            "disruption": m[5],
        }
        splits.append(split)
        mean_t = float(time_h[:, j].mean())
        run_h = split["running"]
        indicators.append(
            {
                "standing_charges_mean_usd": float(standing_usd[:, j].mean()),
                "distance_km": p.distance_km,
                "speed_without_delay_kmh": p.distance_km / run_h if run_h > 0 else math.nan,
                "speed_with_delay_kmh": p.distance_km / mean_t if mean_t > 0 else math.nan,
                "border_time_share": split["border"] / mean_t if mean_t > 0 else math.nan,
                "border_cost_share": p.border_fee_usd / p.cost_usd if p.cost_usd > 0 else math.nan,
            }
        )
    return splits, indicators


def _p_best(draws: np.ndarray) -> np.ndarray:
    """Share of runs in which each column is the smallest (ties split evenly)."""
    runs, k = draws.shape
    out = np.zeros(k)
    for start in range(0, runs, CHUNK_RUNS):
        d = draws[start : start + CHUNK_RUNS]
        tie = d == d.min(axis=1, keepdims=True)
        out += (tie / tie.sum(axis=1, keepdims=True)).sum(axis=0)
    out /= runs
    return out
