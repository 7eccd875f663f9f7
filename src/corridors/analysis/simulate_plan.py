"""What :func:`corridors.analysis.simulate.simulate` draws for one route: its deterministic
base, the keys and parameters of every wait, lognormal term (border, transfer, terminal,
running time by rail and road), late liner arrival and disruption on it (distributions in
:mod:`corridors.analysis.simulate`, spreads in :mod:`corridors.analysis.spreads`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..costs.cargo import Cargo
from ..costs.risk import RiskRow, lognormal_sigma
from ..errors import ParameterError
from ..routes.risk import rows_for_route
from ..routes.route import Route
from ..units import HOURS_PER_DAY
from .spreads import DEFAULT_SPREADS, Spreads

__all__: list[str] = []

_GROUPS = ("border", "transfer", "terminal", "running")


@dataclass(frozen=True)
class _Plan:
    """The stochastic terms of one route as arrays, and its deterministic parts."""

    base_h: float  # deterministic time: running time + terms without variance
    time_h: float  # the route's deterministic (median-based) time
    cost_usd: float
    time_value_usd_per_h: float
    headways: np.ndarray  # uniform waits
    wait_keys: tuple[tuple[Any, ...], ...]  # what each wait is (see the module docstring)
    medians: np.ndarray  # lognormal time terms, grouped border, transfer, terminal, running
    sigmas: np.ndarray
    term_keys: tuple[tuple[Any, ...], ...]
    group_ends: tuple[int, int, int, int]
    # a sailing's wait drawn with the port time before it, which already contains it
    # (Leg.wait_overlap_h): the pair costs max(dwell, wait), so min(dwell, wait) comes off;
    # per pair the wait's index in ``headways``, the dwell's in ``medians`` (-1: no spread,
    # then ``overlap_fixed`` is its time)
    overlap_waits: np.ndarray
    overlap_terms: np.ndarray
    overlap_fixed: np.ndarray
    late_keys: tuple[tuple[Any, ...], ...]  # liner voyages that may arrive late
    late_share: float
    late_excess_mean_h: float  # mean delay of a late arrival beyond its first day
    disruption_keys: tuple[tuple[str, str], ...]  # (scope, ref) of the risk rows
    d_prob: np.ndarray
    d_reach_h: np.ndarray  # > 0: open at departure; held for the duration less U x reach
    d_median_h: np.ndarray
    d_sigma: np.ndarray
    standing_usd_per_h: np.ndarray  # standing charges while each disruption holds the cargo
    det_split: dict[str, float]  # deterministic hours by component
    distance_km: float
    border_fee_usd: float


def _finite(x: float) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def _spread(median: float, p90: float, what: str, where: str) -> tuple[bool, float]:
    """(is stochastic, sigma) of a lognormal time term; ParameterError for bad values."""
    if not _finite(median) or median < 0:
        raise ParameterError(f"{where}: {what} median must be a finite number >= 0, got {median!r}")
    if not _finite(p90) or median == 0:
        if median == 0 and _finite(p90) and p90 > 0:
            raise ParameterError(
                f"{where}: {what} has median 0 but p90 {p90}; a lognormal needs a median > 0"
            )
        return False, 0.0
    if p90 < median:
        raise ParameterError(f"{where}: {what} p90 {p90} is below the median {median}")
    sigma = lognormal_sigma(median, p90)
    return sigma > 0, sigma


def _leg_key(leg: Any) -> tuple[Any, ...]:
    """What a leg is, whatever route it belongs to: its kind, link, places and services."""
    return (
        leg.kind,
        leg.link_id,
        leg.from_id,
        leg.to_id,
        leg.service,
        leg.to_service,
        leg.transfer_kind,
    )


def _hits(leg: Any, row: RiskRow) -> bool:
    """Whether a leg meets the place, link, passage or country of a risk row."""
    if row.scope == "place":
        return row.ref in (leg.from_id, leg.to_id)
    if row.scope == "link":
        return bool(leg.link_id == row.ref)
    if row.scope == "passage":
        return row.ref in leg.passages
    return row.ref in str(leg.country).split("-")


def _reach_h(route: Route, row: RiskRow) -> float:
    """Hours from the start of the route until it reaches the row's place, link, passage or
    country (the deterministic times of the legs before; a place met only as a leg's end
    adds that leg)."""
    before = 0.0
    for leg in route.steps:
        if _hits(leg, row):
            if row.scope == "place" and row.ref != leg.from_id:
                before += float(leg.time_h)
            return before
        before += float(leg.time_h)
    return before


def _disruption_probs(
    route: Route, disrupt: list[RiskRow], closures: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the probability that the trip is held and the hours from departure to the
    row (0 for ``random_day``, where the trip meets a closure already under way).

    ``open_at_departure`` (place and link rows: closures of a crossing, port or line): the
    trip leaves while the row is open and is held only if a closure starts before it gets
    there: ``1 - exp(-rate x reach_h)``, with ``rate = p / mean duration`` (the closures'
    onsets per hour when a share ``p`` of the time is closed). Passage and country rows keep
    the random-day probability ``p``.
    """
    probs, reach = [], []
    for row in disrupt:
        if closures == "open_at_departure" and row.scope in ("place", "link"):
            t = _reach_h(route, row)
            rate = row.prob / (row.mean_days * HOURS_PER_DAY) if row.mean_days > 0 else 0.0
            probs.append(-math.expm1(-rate * t))
            reach.append(t)
        else:
            probs.append(row.prob)
            reach.append(0.0)
    return np.asarray(probs, dtype=float), np.asarray(reach, dtype=float)


def _standing_usd_per_h(
    route: Route, row: RiskRow, cargo: Cargo, place_kinds: Mapping[str, str]
) -> float:
    """USD per hour of standing charges while the disruption of ``row`` holds the cargo: the
    charges of the first leg that meets the row, as :func:`corridors.closure_choice`."""
    from .closures import WAIT_CHARGES

    mode, in_port = "sea", False
    for leg in route.steps:
        if not _hits(leg, row):
            continue
        mode = leg.mode if leg.kind != "transfer" else str(leg.to_service).split("-")[0]
        if row.scope == "place":
            in_port = place_kinds.get(row.ref) == "port"
        break
    per_day, _ = WAIT_CHARGES.per_day(cargo, mode, in_port)
    return per_day / HOURS_PER_DAY


def _running_key(leg: Any) -> tuple[str, str] | None:
    """What a leg's running time shares a spread with: the railway of its country (a border
    leg counts for the country it leaves), or the truck of the whole route; None for other
    modes (a ship's lateness is drawn per voyage, a ferry's running time is fixed)."""
    if leg.kind not in ("link", "border") or not leg.running_time_h > 0:
        return None
    if leg.mode == "rail":
        return ("rail", str(leg.country).split("-")[0])
    if leg.mode == "road":
        return ("road", "")
    return None


def _lognormal_terms(
    leg: Any,
    key: tuple[Any, ...],
    where: str,
    skip_terminals: bool,
    terms: dict[str, list[tuple[float, float, tuple[Any, ...]]]],
    det: dict[str, float],
) -> tuple[float, float]:
    """Add a leg's border, transfer and terminal times to ``terms`` (lognormal) or ``det``
    (without spread); return the hours drawn and the hours left out of the span (a terminal
    leg's handling when ``skip_terminals``)."""
    drawn = skipped = 0.0
    for group, med, p90 in (
        ("border", leg.dwell_h, leg.dwell_p90_h),
        ("transfer", leg.transfer_time_h, leg.transfer_p90_h),
        ("terminal", leg.terminal_time_h, leg.terminal_p90_h),
    ):
        is_random, sigma = _spread(float(med), float(p90), group + " time", where)
        if group == "terminal" and skip_terminals and leg.kind == "terminal":
            skipped += med
        elif is_random:
            terms[group].append((float(med), sigma, (group, *key)))
            drawn += med
        else:
            det[group] += med
    return drawn, skipped


def _overlapped(route: Route, i: int, skip_terminals: bool) -> bool:
    """Whether leg ``i`` is a sailing whose wait overlaps the port time of the leg before it
    (drawn even when the overlap leaves no expected wait), that time being drawn too."""
    leg = route.steps[i]
    if not leg.wait_overlap_h > 0 or i == 0:
        return False
    return not (skip_terminals and route.steps[i - 1].kind == "terminal")


def _overlap_pairs(
    route: Route,
    leg_keys: list[tuple[Any, ...]],
    wait_keys: list[tuple[Any, ...]],
    term_keys: list[tuple[Any, ...]],
    skip_terminals: bool,
) -> dict[str, Any]:
    """The overlap fields of a :class:`_Plan`: each drawn sailing wait that overlaps the port
    time before it, paired with that time's lognormal term (or its fixed hours)."""
    wait_at = {k: j for j, k in enumerate(wait_keys)}
    term_at = {k: j for j, k in enumerate(term_keys)}
    waits: list[int] = []
    terms: list[int] = []
    fixed: list[float] = []
    for i in range(len(route.steps)):
        j = wait_at.get(("wait", *leg_keys[i]))
        if j is None or not _overlapped(route, i, skip_terminals):
            continue
        prev, pk = route.steps[i - 1], leg_keys[i - 1]
        t = term_at.get(("transfer", *pk), term_at.get(("terminal", *pk), -1))
        waits.append(j)
        terms.append(t)
        fixed.append(float(prev.transfer_time_h + prev.terminal_time_h))
    return dict(
        overlap_waits=np.asarray(waits, dtype=np.int64),
        overlap_terms=np.asarray(terms, dtype=np.int64),
        overlap_fixed=np.asarray(fixed, dtype=float),
    )


def _voyage_starts(route: Route) -> set[int]:
    """Indices of the legs where a liner voyage starts (a sea link after anything but a sea
    link or a sea border leg)."""
    starts: set[int] = set()
    in_voyage = False
    for i, leg in enumerate(route.steps):
        voyage = leg.kind == "link" and leg.mode == "sea"
        if voyage and not in_voyage:
            starts.add(i)
        in_voyage = voyage or (in_voyage and leg.kind == "border" and leg.mode == "sea")
    return starts


def _first_wait(route: Route) -> int | None:
    """Index of the leg whose wait is the first departure's (before the first link), as
    :func:`corridors.analysis.backtest.span_hours` finds it; None without one."""
    for i, leg in enumerate(route.steps):
        if leg.wait_h > 0:
            return i
        if leg.kind in ("link", "border"):
            return None
    return None


def _disruption_fields(
    route: Route,
    disrupt: list[RiskRow],
    cargo: Cargo,
    place_kinds: Mapping[str, str],
    closures: str,
) -> dict[str, Any]:
    """The disruption fields of a :class:`_Plan` for the rows ``disrupt``."""
    d_prob, d_reach_h = _disruption_probs(route, disrupt, closures)
    return dict(
        disruption_keys=tuple((r.scope, r.ref) for r in disrupt),
        d_prob=d_prob,
        d_reach_h=d_reach_h,
        d_median_h=np.asarray([r.median_days * HOURS_PER_DAY for r in disrupt], dtype=float),
        d_sigma=np.asarray([r.sigma for r in disrupt], dtype=float),
        standing_usd_per_h=np.asarray(
            [_standing_usd_per_h(route, r, cargo, place_kinds) for r in disrupt], dtype=float
        ),
    )


def _plan(
    route: Route,
    cargo: Cargo,
    rows: Mapping[tuple[str, str], RiskRow] | None,
    place_kinds: Mapping[str, str] | None = None,
    spreads: Spreads = DEFAULT_SPREADS,
    span: str = "door_to_door",
    closures: str = "random_day",
) -> _Plan:
    headways: list[float] = []
    wait_keys: list[tuple[Any, ...]] = []
    terms: dict[str, list[tuple[float, float, tuple[Any, ...]]]] = {g: [] for g in _GROUPS}
    base_parts: list[float] = []
    det = dict.fromkeys(("running", "waiting", "border", "transfer", "terminal"), 0.0)
    running: list[float] = []
    border_fee = 0.0
    seen: dict[tuple[Any, ...], int] = {}
    run_h: dict[tuple[str, str], float] = {}
    run_sigma = {"rail": spreads.rail_running_sigma, "road": spreads.road_running_sigma}
    late_keys: list[tuple[Any, ...]] = []
    voyages = _voyage_starts(route) if spreads.sea_late_share > 0 else set()
    # departure_to_arrival: no terminal operations, no first wait (as backtest.span_hours)
    skip_terminals = span == "departure_to_arrival"
    first_wait = _first_wait(route) if skip_terminals else None
    left_out = 0.0
    leg_keys: list[tuple[Any, ...]] = []
    for i, leg in enumerate(route.steps):
        where = f"leg {leg.seq} ({leg.kind} {leg.from_id} -> {leg.to_id})"
        if not _finite(leg.time_h):
            raise ParameterError(
                f"{where}: time_h is {leg.time_h!r}; the route cannot be simulated"
            )
        key = _leg_key(leg)
        seen[key] = seen.get(key, -1) + 1  # a leg met twice on one route: two draws
        key = (*key, seen[key])
        leg_keys.append(key)
        stoch = 0.0
        running.append(leg.running_time_h + leg.window_h)
        rkey = _running_key(leg)
        if rkey is not None and run_sigma[rkey[0]] > 0:
            run_h[rkey] = run_h.get(rkey, 0.0) + float(leg.running_time_h)
            stoch += leg.running_time_h
        if i in voyages:
            late_keys.append(("late", *key))
        wait_h = 0.0 if i == first_wait else float(leg.wait_h)  # the first: left out
        left_out += float(leg.wait_h) - wait_h
        stoch += float(leg.wait_h)
        drawn_wait = wait_h > 0 or _overlapped(route, i, skip_terminals)
        if drawn_wait and _finite(leg.headway_h) and leg.headway_h > 0:
            headways.append(float(leg.headway_h))
            wait_keys.append(("wait", *key))
        else:
            stoch -= wait_h
            det["waiting"] += wait_h
        drawn, skipped = _lognormal_terms(leg, key, where, skip_terminals, terms, det)
        stoch += drawn + skipped
        left_out += skipped
        if leg.kind == "border" and _finite(leg.fee_usd):
            border_fee += leg.fee_usd
        base_parts.append(leg.time_h - stoch if stoch else leg.time_h)
    for rkey, hours in run_h.items():
        terms["running"].append((hours, run_sigma[rkey[0]], ("running", *rkey)))
    det["running"] = math.fsum(running) - math.fsum(run_h.values())
    disrupt = [r for r in rows_for_route(rows, route) if r.has_disruption] if rows else []
    ordered = [t for g in _GROUPS for t in terms[g]]
    n_b, n_t, n_x = len(terms["border"]), len(terms["transfer"]), len(terms["terminal"])
    return _Plan(
        base_h=math.fsum(base_parts),
        time_h=route.time_h - left_out,
        cost_usd=route.cost_usd,
        time_value_usd_per_h=float(cargo.time_value_usd_per_h),
        headways=np.asarray(headways, dtype=float),
        wait_keys=tuple(wait_keys),
        **_overlap_pairs(route, leg_keys, wait_keys, [k for _, _, k in ordered], skip_terminals),
        medians=np.asarray([m for m, _, _ in ordered], dtype=float),
        sigmas=np.asarray([s for _, s, _ in ordered], dtype=float),
        term_keys=tuple(k for _, _, k in ordered),
        group_ends=(n_b, n_b + n_t, n_b + n_t + n_x, len(ordered)),
        late_keys=tuple(late_keys),
        late_share=float(spreads.sea_late_share),
        late_excess_mean_h=max(0.0, float(spreads.sea_late_mean_days) - 1.0) * HOURS_PER_DAY,
        **_disruption_fields(route, disrupt, cargo, place_kinds or {}, closures),
        det_split=det,
        distance_km=route.distance_km,
        border_fee_usd=border_fee,
    )
