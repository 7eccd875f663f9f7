"""TODO docstring (scenarios)"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ..costs.cargo import Cargo
from ..engine.topology import objective_name
from ..errors import (
    NoRouteError,
    ParameterError,
)
from ..model.network import Network
from ..routes.route import Route
from ..routes.routing import alternatives, route
from .dependability import (
    DEPENDABILITY_COLUMNS,
    PairSimulation,
    same_as,
    simulate_comparison,
)
from .scenario import Scenario
from .scenario_parts import _finite
from .sweep import Failed, Progress, check_progress, plain, run_tasks

__all__ = ["COMPARISON_COLUMNS", "compare"]


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------

COMPARISON_COLUMNS = (
    "scenario",
    "origin",
    "destination",
    "minimize",
    "rank",
    "status",
    "reason",
    "corridor",
    "same_as",
    "distance_km",
    "time_h",
    "time_days",
    "transit_time_h",
    "cost_usd",
    "generalized_usd",
    "border_time_h",
    "border_cost_usd",
    "transfer_time_h",
    "terminal_time_h",
    "waiting_time_h",
    "risk_usd",
    "co2e_kg",
    "n_transfers",
    "n_crossings",
    "countries",
    "crossings",
    "passages",
    "modes",
    "year",
    "departure",
    "connections",
    "cargo",
)
"""Columns of :func:`compare`, in order (the columns of
:data:`corridors.analysis.dependability.DEPENDABILITY_COLUMNS` follow with ``simulate_runs``)."""

SIM_COLUMNS = DEPENDABILITY_COLUMNS
MIN_CORRIDOR_PLACES = 3  # a named corridor describes a route that passes at least 3 of its places


def corridor_of(r: Route, net: Network, year: int | None = None) -> str:
    """The named corridor of ``net`` (``corridors.toml``) that the route follows most, else a
    short description (countries, main modes, border crossings: :func:`describe_route`).

    A corridor counts when it shares a main mode with the route, is usable in ``year``
    (corridors with a later ``year``, or with any year when ``year`` is None, are left out)
    and has at least 3 of its places on the route. The score is ``shared x shared / places``
    (places on the route, weighted by the share of the corridor covered); the first corridor
    with the best score wins.
    """
    on_route = {leg.from_id for leg in r.steps} | {leg.to_id for leg in r.steps}
    main = set(r.main_modes)
    best, best_score = None, 0.0
    for c in net.corridors:
        if c.get("modes") and not main & set(c["modes"]):
            continue
        cy = c.get("year")
        if cy is not None and (year is None or int(cy) > year):
            continue
        places = set(c.get("places", []))
        n = len(places & on_route)
        if n < MIN_CORRIDOR_PLACES:
            continue
        score = n * n / len(places)
        if score > best_score:
            best, best_score = c.get("name"), score
    if best is not None:
        return str(best)
    return describe_route(r)


def describe_route(r: Route) -> str:
    """``"PAK > AFG > UZB (road) via Torkham, Termez"``: countries, main modes, crossings."""
    text = f"{' > '.join(r.countries)} ({', '.join(r.main_modes)})"
    names = _crossing_names(r)
    return text + (f" via {', '.join(names)}" if names else "")


def _crossing_names(r: Route) -> list[str]:
    out: list[str] = []
    for leg in r.crossings:
        a, b = leg.from_name, leg.to_name
        common = a if a == b else f"{a}-{b}"
        if not out or out[-1] != common:
            out.append(common)
    return out


def _row(
    scen: Scenario,
    net: Network,
    o: str,
    d: str,
    minimize: str,
    rank: int,
    r: Route | None,
    reason: str | None,
) -> dict[str, Any]:
    cargo = scen.make_cargo() or Cargo()
    row: dict[str, Any] = {
        "scenario": scen.name,
        "origin": net.place(o).name,
        "destination": net.place(d).name,
        "minimize": minimize,
        "rank": rank,
        "status": "ok" if r is not None else "no route",
        "reason": reason or "",
        "year": scen.year,
        "departure": scen.departure or "booked",
        "connections": scen.connections or "random",
        "cargo": cargo.describe(),
    }
    if r is None:
        row["corridor"] = ""
        for c in COMPARISON_COLUMNS:
            row.setdefault(
                c, math.nan if c not in ("countries", "crossings", "passages", "modes") else ""
            )
        return row
    split, money = r.time_split(), r.cost_split()
    row.update(
        {
            "corridor": corridor_of(r, net, scen.year),
            "distance_km": r.distance_km,
            "time_h": r.time_h,
            "time_days": r.time_h / 24.0,
            "transit_time_h": r.transit_time_h,
            "cost_usd": r.cost_usd,
            "generalized_usd": r.generalized_usd,
            "border_time_h": split["border"],
            "border_cost_usd": money["border"],
            "transfer_time_h": split["transfer"],
            "terminal_time_h": split["terminal"],
            "waiting_time_h": split["waiting"],
            "risk_usd": r.risk_usd,
            "co2e_kg": r.co2e_kg,
            "n_transfers": len(r.transfers),
            "n_crossings": len(r.crossings),
            "countries": " > ".join(r.countries),
            "crossings": ", ".join(_crossing_names(r)),
            "passages": ", ".join(r.passages),
            "modes": ", ".join(r.modes),
        }
    )
    return row


def _run(
    task: tuple[Network, Scenario, tuple[tuple[str, str], ...], tuple[str, ...], int],
) -> tuple[list[tuple[dict[str, Any], Route | None]], Network]:
    """One scenario (a picklable task): :func:`_run_scenario` of the tuple."""
    return _run_scenario(*task)


def _run_scenario(
    net: Network,
    scen: Scenario,
    pairs: tuple[tuple[str, str], ...],
    objectives: tuple[str, ...],
    k: int,
) -> tuple[list[tuple[dict[str, Any], Route | None]], Network]:
    """One scenario: apply it, route every pair by every objective; each row with its route
    (None for no route), and the scenario's network."""
    snet = scen.apply(net)
    kwargs = scen.route_kwargs(snet)
    rows: list[tuple[dict[str, Any], Route | None]] = []
    for o, d in pairs:
        for minimize in objectives:
            try:
                if k == 1:
                    routes = [route(snet, o, d, minimize=minimize, **kwargs)]
                else:
                    routes = alternatives(snet, o, d, k=k, minimize=minimize, **kwargs)
            except NoRouteError as err:
                rows.append((_row(scen, snet, o, d, minimize, 1, None, str(err)), None))
                continue
            except ParameterError as err:
                if "contradictory" not in str(err):
                    raise
                rows.append((_row(scen, snet, o, d, minimize, 1, None, str(err)), None))
                continue
            rows += [
                (_row(scen, snet, o, d, minimize, i, r, None), r)
                for i, r in enumerate(routes, start=1)
            ]
    return rows, snet


def _run_scenario_shipped(
    net: Network, *task: Any
) -> tuple[list[tuple[dict[str, Any], Route | None]], Network]:
    """:func:`_run_scenario` on an executor: the scenario's network comes back without its
    caches (its topology and weights are a megabyte to pickle per scenario; the client
    rebuilds them only if it routes on that network again)."""
    rows, snet = _run_scenario(net, *task)
    return rows, plain(snet)


def _run_scenario_rows(
    net: Network, *task: Any
) -> tuple[list[tuple[dict[str, Any], Route | None]], None]:
    """:func:`_run_scenario` on an executor when the caller needs only the rows."""
    return _run_scenario(net, *task)[0], None


def _error_rows(
    net: Network, task: tuple[Any, ...], reason: str
) -> list[tuple[dict[str, Any], Route | None]]:
    """The rows of a scenario whose run failed on an executor: one per pair and objective,
    ``status`` ``"error"`` and the exception in ``reason``."""
    scen, pairs, objectives, _ = task
    rows: list[tuple[dict[str, Any], Route | None]] = []
    for o, d in pairs:
        for minimize in objectives:
            row = _row(scen, net, o, d, minimize, 1, None, reason)
            row["status"] = "error"
            rows.append((row, None))
    return rows


_plain = plain  # the old private name (corridors._compat)


def compare(
    net: Network,
    scenarios: Scenario | Sequence[Scenario],
    od: Sequence[tuple[str, str]] | None = None,
    *,
    k: int | None = None,
    minimize: str | Sequence[str] | None = None,
    executor: Executor | None = None,
    simulate_runs: int = 0,
    seed: int | None = None,
    deadline_h: float | None = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """Route every scenario x origin-destination pair x objective; one tidy row per route.

    Parameters
    ----------
    net : Network
        The base network (never changed).
    scenarios : Scenario or sequence of Scenario
    od : sequence of (origin, destination), optional
        Pairs for every scenario; default: each scenario's own ``od``.
    k : int, optional
        Routes per pair (materially different alternatives); default: each scenario's ``k``,
        else 1.
    minimize : str or sequence of str, optional
        Objectives; default: each scenario's ``objectives``, else ``"cost_usd"``.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Runs one task per scenario (``ThreadPoolExecutor``, ``ProcessPoolExecutor``, a Dask
        ``distributed.Client``, which receives the network once per worker, or its
        ``get_executor()``); the frame is identical to the serial run's. With an executor, a
        scenario whose run fails gives rows with ``status`` ``"error"`` and the exception in
        ``reason`` instead of failing the sweep.
    simulate_runs : int, default 0
        With > 0, a Monte Carlo of that many runs per pair over the routes of every scenario
        with common draws (:mod:`corridors.analysis.dependability`), adding P10/P50/P90 days and USD,
        ``p_on_time``, ``p_cheapest`` and ``p_fastest`` (among the routes of the scenario).
    seed : int, optional
        Seed of the simulation (the same for every pair, so results repeat).
    deadline_h : float, optional
        Deadline in hours (>= 0) for ``p_on_time`` (NaN without one).
    progress : bool or callable, optional
        Report the scenarios done: ``True`` a tqdm bar (if tqdm is installed), a function
        ``progress(done, total)`` called after each scenario, ``False`` nothing. Default: a
        bar from :data:`corridors.analysis.sweep.PROGRESS_MIN_TASKS` scenarios on an
        interactive terminal.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (then :data:`SIM_COLUMNS` with
        ``simulate_runs``), rows in the order scenario, pair, objective, rank. A pair
        without a route is one row with ``status`` ``"no route"`` and the reason; found
        routes have ``status`` ``"ok"``. ``same_as`` names the first earlier row of the pair
        with the same route (``"today, cost_usd"``), else ``""``. Times in hours (and
        days), money in USD, distances in km; ``countries`` joined with ``" > "``,
        crossings, passages and modes with ``", "``.

    Raises
    ------
    ValidationError
        For a scenario whose names the network does not know (file and key named).
    ParameterError
        For no pairs, a bad ``k``, objective, ``simulate_runs`` or ``deadline_h``.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> closed = cor.Scenario.from_dict(
    ...     {"name": "torkham-closed", "closures": [{"crossing": "Torkham", "days": 30}]}
    ... )
    >>> df = cor.compare(
    ...     net, [cor.Scenario.baseline(), closed], od=[("Karachi", "Kabul")], minimize="time_h"
    ... )
    >>> df["scenario"].tolist()
    ['baseline', 'torkham-closed']
    >>> bool(df["time_h"].iloc[1] >= df["time_h"].iloc[0])
    True
    """
    return _compare(
        net,
        scenarios,
        od,
        k=k,
        minimize=minimize,
        executor=executor,
        simulate_runs=simulate_runs,
        seed=seed,
        deadline_h=deadline_h,
        progress=progress,
        keep_nets=simulate_runs > 0,
    ).frame


@dataclass(frozen=True, eq=False)
class _Comparison:
    """What :func:`compare` computes: the frame, the route of each row, the scenario
    networks and, when simulated, each pair's simulation (for charts and maps)."""

    frame: pd.DataFrame
    routes: list[Route | None]
    nets: dict[str, Network]
    simulations: list[PairSimulation]


def _compare(
    net: Network,
    scenarios: Scenario | Sequence[Scenario],
    od: Sequence[tuple[str, str]] | None = None,
    *,
    k: int | None = None,
    minimize: str | Sequence[str] | None = None,
    executor: Executor | None = None,
    simulate_runs: int = 0,
    seed: int | None = None,
    deadline_h: float | None = None,
    progress: Progress = None,
    keep_nets: bool = True,
) -> _Comparison:
    """:func:`compare`'s work, with each row's route and each scenario's network (with
    ``keep_nets=False`` on an executor, the workers do not send the networks back: ``nets``
    is then empty; serially they cost nothing to keep)."""
    scens = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    if not scens:
        raise ParameterError("compare needs at least one scenario")
    names = [s.name for s in scens]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError(f"scenario names must be unique; repeated: {', '.join(dup)}")
    if not isinstance(simulate_runs, int) or isinstance(simulate_runs, bool) or simulate_runs < 0:
        raise ParameterError(f"simulate_runs must be a whole number >= 0, got {simulate_runs!r}")
    if deadline_h is not None and (
        isinstance(deadline_h, bool)
        or not isinstance(deadline_h, (int, float))
        or not math.isfinite(deadline_h)
        or deadline_h < 0
    ):
        raise ParameterError(
            f"deadline_h must be a finite number of hours >= 0, got {deadline_h!r}"
        )
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise ParameterError(f"k must be a whole number >= 1, got {k!r}")
    objs_arg = (
        None
        if minimize is None
        else ((minimize,) if isinstance(minimize, str) else tuple(minimize))
    )
    for w in objs_arg or ():
        objective_name(w)
    pairs_arg = None if od is None else tuple((str(a), str(b)) for a, b in od)
    check_progress(progress)
    tasks = []
    for s in scens:
        pairs = pairs_arg if pairs_arg is not None else s.od
        if not pairs:
            raise ParameterError(
                f"scenario {s.name!r} has no origin-destination pairs: pass "
                "od=[(origin, destination), ...] or give the scenario an od"
            )
        checked = s if pairs_arg is None else replace(s, od=pairs)
        checked.validate(net)
        objs = objs_arg or s.objectives or ("cost_usd",)
        tasks.append((checked, pairs, tuple(objs), k or s.k or 1))
    shipped = _run_scenario_shipped if keep_nets else _run_scenario_rows
    results = run_tasks(
        _run_scenario if executor is None else shipped,
        net,
        tasks,
        executor=executor,
        progress=progress,
        desc="scenarios",
    )
    results = [
        (_error_rows(net, t, res.reason), net) if isinstance(res, Failed) else res
        for t, res in zip(tasks, results)
    ]
    rows = [row for res, _ in results for row, _ in res]
    found = [r for res, _ in results for _, r in res]
    for row, label in zip(rows, same_as(rows, found)):
        row["same_as"] = label
    nets = {s.name: snet for s, (_, snet) in zip(scens, results) if snet is not None}
    sims: list[PairSimulation] = []
    if simulate_runs > 0:
        extra, sims = simulate_comparison(
            rows, found, nets, runs=simulate_runs, seed=seed, deadline_h=deadline_h
        )
        for row, more in zip(rows, extra):
            row.update(more)
    cols = list(COMPARISON_COLUMNS) + (list(SIM_COLUMNS) if simulate_runs > 0 else [])
    df = pd.DataFrame(rows, columns=cols)
    for c in ("rank", "n_transfers", "n_crossings", "year"):
        df[c] = df[c].astype("Int64")
    return _Comparison(df, found, nets, sims)


def _share(v: Any) -> str:
    return f"{v:.0%}" if _finite(v) else ""


def _sim_cells(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and cells of the simulation and ``same_as`` columns the frame has."""
    headers: list[str] = []
    sim = "time_p50_days" in df.columns
    if sim:
        headers += ["days P50 (P10-P90)", "USD P50 (P10-P90)"]
        on_time = "p_on_time" in df.columns and bool(df["p_on_time"].notna().any())
        headers += (["on time"] if on_time else []) + ["P(cheapest)", "P(fastest)"]
    same = "same_as" in df.columns and bool((df["same_as"].fillna("") != "").any())
    headers += ["same as"] if same else []
    cells = []
    for rec in df.to_dict("records"):
        row: list[str] = []
        if sim:
            row += [
                _spread_cell(rec, "time_p{q}_days", "{:,.1f}"),
                _spread_cell(rec, "cost_p{q}_usd", "{:,.0f}"),
            ]
            row += [_share(rec["p_on_time"])] if on_time else []
            row += [_share(rec["p_cheapest"]), _share(rec["p_fastest"])]
        if same:
            row.append(str(rec["same_as"] or ""))
        cells.append(row)
    return headers, cells


def _spread_cell(rec: Mapping[Any, Any], column: str, fmt: str) -> str:
    """``"P50 (P10-P90)"`` of ``column`` (with ``{q}`` for the percentile)."""
    lo, mid, hi = (rec.get(column.format(q=q)) for q in (10, 50, 90))
    if not all(_finite(v) for v in (lo, mid, hi)):
        return ""
    return f"{fmt.format(mid)} ({fmt.format(lo)}-{fmt.format(hi)})"
