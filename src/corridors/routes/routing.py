"""Routes: best route by one objective, materially different alternatives, Route and Leg.

Routing runs on the expanded graph of :mod:`corridors.engine.topology`: a train that runs through keeps
its sub-node, a gauge break or mode change crosses a transfer edge with its own time and
cost, and border links carry their direction-specific dwell and fees. A route's totals are
always the sum of its legs.
"""

from __future__ import annotations

import heapq
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
import pandas as pd

from .. import errors
from ..costs.cargo import Cargo
from ..engine.bounds import BranchBounds
from ..engine.checks import (
    MAX_K,
    check_int,
    check_keywords,
)
from ..engine.link_rules import closing_rules
from ..engine.query import ROUTE_KEYWORDS, Query, _replace, make_query
from ..engine.solver import _Solver
from ..engine.topology import (
    GRID,
    LINK,
    topology,
)
from ..engine.weights import weights
from ..errors import ParameterError
from ..model.network import Network
from ..model.schema import (
    MODES,
    closed_in_month,
    link_is_usable,
    parse_gauges,
    services_of,
    split_list,
)
from .build import build_route
from .route import Leg, Route

__all__ = ["route", "alternatives", "seasonal_closures"]

ENGINES = ("csgraph", "cch")  # route's engines (route_matrix also has "auto")


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def route(
    net: Network,
    origin: str,
    destination: str,
    *,
    minimize: str = "cost_usd",
    cargo: Cargo | None = None,
    year: int | None = None,
    modes: str | Iterable[str] | None = None,
    avoid_countries: str | Iterable[str] | None = None,
    avoid_places: str | Iterable[str] | None = None,
    avoid_links: str | Iterable[str] | None = None,
    avoid_crossings: str | Iterable[str] | None = None,
    avoid_passages: str | Iterable[str] | None = None,
    via: str | Iterable[str] | None = None,
    cross_at: str | Iterable[str] | None = None,
    max_transfers: int | None = None,
    risk_aversion: float = 0.0,
    sanctions: str | Mapping[str, str] | None = None,
    departure: str = "booked",
    connections: str = "random",
    month: int | None = None,
    date: str | Any | None = None,
    origin_arrival: str = "land",
    engine: str = "csgraph",
    cch_cache: str | os.PathLike[str] | bool | None = None,
) -> Route:
    """Best route from ``origin`` to ``destination`` by one objective.

    Parameters
    ----------
    net : Network
    origin, destination : str
        Place ids, names or aliases (case and diacritics ignored).
    minimize : str, default "cost_usd"
        One of ``distance_km``, ``time_h``, ``cost_usd``, ``generalized`` (``distance``,
        ``time``, ``cost`` accepted).
    cargo : Cargo, optional
        Default: one 40 ft container (see :class:`Cargo` for the assumed value).
    year : int, optional
        Use the network as it will be in that year: planned and under-construction links are
        usable once their expected year has come. Default: today's operational links.
    modes : str or list of str, optional
        Modes allowed (``rail``, ``road``, ``sea``, ``ferry``); default all.
    avoid_countries, avoid_places, avoid_links, avoid_crossings : list, optional
        ISO3 codes; place names; link ids; border link ids or border places. A name that
        both posts of a crossing share (Torkham, Astara) means the whole crossing, in every
        option.
    avoid_passages : list of str, optional
        Sea passages not to pass (``suez``, ``bab_el_mandeb``, ``hormuz``, ...; see
        :data:`corridors.model.schema.PASSAGES`).
    via : str or list of str, optional
        Places to pass through, in order. A port where sea and land meet is a *gateway*: the
        cargo is handled there (sea <-> land), not carried past on a ship. A name both posts
        of a border crossing share (Torkham) means that crossing.
    cross_at : str or list of str, optional
        Border crossings the route must use, in the order given: a name both posts share, a
        border post or a border link id. With ``via`` too, each crossing may come before,
        between or after the via places, whichever gives the best route.
    max_transfers : int, optional
        Most transfers (gauge breaks, port handling, mode changes) allowed.
    risk_aversion : float, default 0
        With ``minimize="generalized"`` (or ``"cost_usd"``), add ``risk_aversion x`` the
        route's expected risk money (disruption delay cost, security premium, sanctions
        surcharges; :mod:`corridors.costs.risk`) to what is minimized. 0 ignores risk.
    sanctions : str or dict, optional
        Policy per sanctions regime (``{"US": "avoid", "*": "surcharge"}``) or one policy for
        all: ``ignore`` (default), ``surcharge`` (adds money to the risk terms) or ``avoid``
        (no country, place, link or passage whose risk row lists the regime is used).
    departure : {"booked", "random"}, default "booked"
        Whether the shipper books the first departure (the cargo reaches the origin terminal
        in time for it: no wait) or arrives at a random moment (half the first service's
        headway on average). Later boardings are as ``connections`` says; a gauge change
        between railways is a coordinated hand-over and never waits for a departure.
    connections : {"random", "booked"}, default "random"
        How the cargo meets each later departure: a change of service (onto a scheduled
        train, between railways' default trains), onto or off a ship or ferry, and every
        sailing after the first. ``"random"``: it waits half the departing service's headway
        on average. ``"booked"``: the forwarder times the cargo to each connection, no wait
        at changes (the hand-over, transfer, terminal and border times are still charged).
        The route reports both timings (:meth:`Route.summary`); ``booked`` never gives a
        slower route than ``random``.
    month : int, optional
        Month of travel (1-12): links whose seasonal regime (``closed_months``, until
        ``closed_until`` when that regime has ended) closes them in that month are not used
        (:func:`seasonal_closures`). Default: no seasonal closure.
    date : str or datetime.date, optional
        Date of travel (``"2025-06-10"``, ``"2025-06"``, ``"2025"``): the link rules
        (``link_rules.csv``: closures, daily time windows) in force on that day apply, a month
        or a year being judged on its middle (the 15th, 1 July). Default: the middle of
        ``year`` when given, else today (the rules in force now).
    origin_arrival : {"land", "sea"}, default "land"
        How the cargo reaches the origin. ``"land"``: it is loaded there (the terminal of the
        mode it leaves by). ``"sea"``: it comes off a ship at the origin port (Afghan transit
        cargo landed at Chabahar or Karachi), so its first leg is the port's handling from
        the ship onto the mode it leaves by (``operations.csv``: the port's ``sea`` ->
        ``road``/``rail`` row, or transshipment onto another ship) instead of the land
        loading; the wait for the first departure is as ``departure`` says. Only modes the
        port hands ship cargo to are used; an origin that is not a port is a
        ParameterError.
    engine : {"csgraph", "cch"}, default "csgraph"
        ``"cch"`` answers from a customizable contraction hierarchy
        (:mod:`corridors.engine.cch_route`): its structure is built once per topology (kept
        on disk, see ``cch_cache``), its metric once per network state, cargo, objective and
        constraints; then a query costs a few upward searches and a search of the few edges
        of its least-weight paths instead of a search of the whole graph. The answer is the
        exact search's, ties included; queries the metric cannot represent (``via``,
        ``cross_at``, ``max_transfers``, ``origin_arrival="sea"``, a time objective with the
        first departure booked) and the rare ones it cannot settle alone (a best path that
        visits a place twice, a cycle of zero-weight edges) are searched exactly.
    cch_cache : str, path or bool, optional
        Folder of the on-disk CCH structure (``engine="cch"``), as for
        :func:`corridors.skims.route_matrix`.

    Returns
    -------
    Route
        Its legs start with loading at the origin and end with unloading at the destination,
        for the mode the cargo starts and ends on; the route visits no place twice.

    Raises
    ------
    UnknownPlaceError
        For a name the network does not know (with the closest names).
    ParameterError
        For an unknown objective or mode, contradictory constraints, the same origin and
        destination, or a parameter the objective needs and the data lacks.
    NoRouteError
        When no route satisfies the query; the message names the constraint or closure that
        removed the last route.

    Examples
    --------
    >>> import math
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> r = cor.route(net, "Karachi", "Tashkent", minimize="time_h")
    >>> r.origin, r.destination
    ('karachi', 'tashkent')
    >>> math.isclose(r.time_h, sum(leg.time_h for leg in r.steps))
    True
    >>> "IRN" in cor.route(net, "Karachi", "Moscow", avoid_countries=["IRN"]).countries
    False
    """
    _check_engine("route", engine)
    seasonal = seasonal_closures(net, month, year) if month is not None else {}
    own_avoid = [avoid_links] if isinstance(avoid_links, str) else list(avoid_links or [])
    kw: dict[str, Any] = dict(
        minimize=minimize,
        cargo=cargo,
        year=year,
        modes=modes,
        avoid_countries=avoid_countries,
        avoid_places=avoid_places,
        avoid_crossings=avoid_crossings,
        avoid_passages=avoid_passages,
        via=via,
        cross_at=cross_at,
        max_transfers=max_transfers,
        risk_aversion=risk_aversion,
        sanctions=sanctions,
        departure=departure,
        connections=connections,
        date=date,
        origin_arrival=origin_arrival,
    )
    closed = own_avoid + sorted(seasonal)  # (None for none: the same query, a quicker key)
    q = make_query(net, origin, destination, avoid_links=closed or None, **kw)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q, engine, cch_cache)
    found = solver.solve(q)
    if found is None:
        if seasonal:
            q0 = make_query(net, origin, destination, avoid_links=own_avoid or None, **kw)
            solver0 = _Solver(net, topology(net), weights(net, q0.cargo), q0)
            if solver0.solve(q0) is not None:
                nm = net.places["name"].to_dict()
                raise errors.NoRouteError(
                    f"no route from {nm.get(q.origin, q.origin)} to "
                    f"{nm.get(q.destination, q.destination)} in month {month}: the routes "
                    "need links closed for the season: "
                    + "; ".join(seasonal[k] for k in sorted(seasonal)),
                    reason="season",
                )
        raise _explain(solver, q)
    return build_route(solver, q, found)


def seasonal_closures(net: Network, month: int, year: int | None = None) -> dict[str, str]:
    """Links closed in ``month`` (1-12) by their seasonal regime, with a description.

    A link's ``closed_months`` lists the months it is closed (``"12|1|2|3"``);
    ``closed_until``, when set, is the last year that regime applied (then the link is closed
    only for a query ``year`` up to it). Returns ``{link_id: "link_id (From - To, closed
    in months 12|1|2|3 until 2024)"}``.
    """
    try:
        m = int(month)
    except (TypeError, ValueError):
        raise ParameterError(f"month must be a whole number 1-12, got {month!r}") from None
    if m != month or not 1 <= m <= 12:
        raise ParameterError(f"month must be a whole number 1-12, got {month!r}")
    links = net.links
    if "closed_months" not in links.columns:
        return {}
    until_col = links["closed_until"] if "closed_until" in links.columns else [None] * len(links)
    names = net.places["name"].to_dict()
    out: dict[str, str] = {}
    for lid, cm, cu, a, b in zip(
        links.index, links["closed_months"], until_col, links["from_id"], links["to_id"]
    ):
        if split_list(cm) and closed_in_month(cm, cu, m, year):
            until = "" if cu is None or pd.isna(cu) else f" until {int(cu)}"
            out[str(lid)] = (
                f"{lid} ({names.get(a, a)} - {names.get(b, b)}, closed in months {cm}{until})"
            )
    return out


def alternatives(
    net: Network,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    minimize: str = "cost_usd",
    max_solves: int | None = None,
    engine: str = "csgraph",
    cch_cache: str | os.PathLike[str] | bool | None = None,
    **constraints: Any,
) -> list[Route]:
    """Up to ``k`` materially different routes, in order of the objective.

    Routes differ materially when they use other border crossings (by place, whatever the
    mode), other port areas (ports within 50 km form one area) or other main modes
    (:attr:`Route.signature`); routes that differ only in where a transfer happens count as
    one.

    What is guaranteed. The search branches on *features* (as Lawler's method branches on
    edges): each route found spawns sub-queries that each forbid one more of its border
    crossings, port areas, transit countries or main modes, and the best pending route is
    taken next. Every sub-query is a restriction of its parent, so routes come out in
    non-decreasing order of the objective; the first is the optimum; and route *i + 1* is the
    best route, with a new signature, among those that avoid at least one feature of each
    route it descends from. A route that uses *every* feature of an earlier route plus others
    (say the same crossing and one more) is reached only through other branches, so this is
    exact for "differs by avoiding something", not for every possible signature. When the
    search budget runs out before ``k`` routes are found, a :class:`RuntimeWarning` says so
    and fewer routes are returned: nothing is dropped silently.

    What it costs. Most branches end far above the routes returned. A branch is searched
    only when a bounded A* search (guided by the exact distance to the destination, which no
    branch can shorten; :class:`~corridors.engine.bounds.BranchBounds`) cannot prove its best
    route dearer than the branches waiting; otherwise it waits under that better bound. This
    changes how many searches run, never which routes come out or in what order (tested
    against searching every branch): ``k=10`` on a 10^5-link network takes about 10 searches
    instead of several hundred (``benchmarks/bench_alternatives.py``).

    Parameters
    ----------
    k : int
        Number of routes wanted, 1 to 50 (``corridors.engine.checks.MAX_K``; more raises
        :class:`RequestTooLargeError`); fewer are returned when fewer exist.
    max_solves : int, optional
        Cap on branches examined (default ``100 * k``): each branch that reaches the top of
        the queue counts once, whether it is searched or put off by its bound.
    minimize, constraints
        As for :func:`route`.
    engine, cch_cache
        As for :func:`route`: with ``"cch"`` every search (the first and each branch's,
        its avoided features a weight update of the customized metric) gives the exact
        search's route, so the routes and their order are the same.

    Raises
    ------
    NoRouteError
        When not even one route exists (with the reason).

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> alts = cor.alternatives(net, "Karachi", "Moscow", k=3)
    >>> len(alts)
    3
    >>> [a.cost_usd for a in alts] == sorted(a.cost_usd for a in alts)
    True
    """
    k = check_int(
        k,
        "k",
        lo=1,
        hi=MAX_K,  # type: ignore[assignment]
        hint="ask for the best few routes; more than 50 are rarely materially different",
    )
    max_solves = check_int(max_solves, "max_solves", lo=1, optional=True)
    check_keywords("alternatives", constraints, ROUTE_KEYWORDS)
    q = make_query(net, origin, destination, minimize=minimize, **constraints)
    _check_engine("alternatives", engine)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q, engine, cch_cache)
    first = solver.solve(q)
    if first is None:
        raise _explain(solver, q)
    budget = max_solves if max_solves is not None else 100 * k
    tie = count()
    best = build_route(solver, q, first)
    # Lawler-style branching, solved lazily: a branch (the parent's forbidden features plus
    # one more) is a restriction of its parent, so the parent's objective bounds it from
    # below; it waits in the heap under that bound and is searched only when it reaches the
    # top. Its place among equal objectives is fixed when it is made (the counter), so the
    # routes come out in the order an eager search would give, with far fewer searches.
    heap: list[tuple[float, int, frozenset[tuple[str, str]], Route | _Pending | None]] = [
        (best.objective, next(tie), frozenset(), best)
    ]
    made: set[frozenset[tuple[str, str]]] = {frozenset()}
    accepted: list[Route] = []
    seen: set[Any] = set()
    solves = 1
    protected = {net._places.at[p, "country"] for p in (q.origin, q.destination, *q.via)}
    exhausted = False
    bounds = BranchBounds(solver, q) if _BOUNDED else None
    step = _first_step(first[0])
    while heap and len(accepted) < k:
        key, order, forbidden, r = heapq.heappop(heap)
        if r is None or isinstance(r, _Pending):
            if r is None:  # a branch at the top for the first time: one search of the budget
                if solves >= budget:
                    exhausted = True
                    continue
                solves += 1
                r = _Pending(parent=key, tries=0, exact=False)
            if bounds is not None and not r.exact and r.tries < _BOUND_TRIES:
                # is the branch's best route worth more than what waits in the heap (and a
                # step more)? then it waits under that lower bound instead of being searched
                limit = max(heap[0][0] if heap else key, key + step * 2**r.tries)
                low, exact = bounds.lower(forbidden, limit, _BOUND_NODES)
                if math.isinf(low):
                    continue  # not even the relaxed branch has a route
                if low > key:
                    heapq.heappush(
                        heap, (low, order, forbidden, _Pending(r.parent, r.tries + 1, exact))
                    )
                    continue
            found = solver.solve(q, extra_avoid=forbidden)
            if found is not None:
                child = build_route(solver, q, found)
                heapq.heappush(heap, (max(child.objective, r.parent), order, forbidden, child))
            continue
        if r.signature not in seen:
            seen.add(r.signature)
            accepted.append(r)
        for feature in _features(r, protected):
            sub = forbidden | {feature}
            if sub in made:
                continue
            made.add(sub)
            heapq.heappush(heap, (r.objective, next(tie), sub, None))
    if exhausted and len(accepted) < k:
        warnings.warn(
            f"alternatives: the search budget ({budget} searches, max_solves) ran "
            f"out after {len(accepted)} of {k} routes; more may exist: raise "
            "max_solves",
            RuntimeWarning,
            stacklevel=2,
        )
    return accepted


def _check_engine(what: str, engine: str) -> None:
    if engine not in ENGINES:
        raise ParameterError(f"{what} engine must be one of {', '.join(ENGINES)}, got {engine!r}")


# Bounded branches (see BranchBounds): False searches every branch that reaches the top of the
# heap, as before (kept for the equivalence tests and the benchmarks)
_BOUNDED = True
_BOUND_NODES = 20_000  # nodes one bounded search may expand before the branch is searched
_BOUND_TRIES = 40  # bounded searches of one branch before it is searched (the step doubles)


@dataclass(frozen=True)
class _Pending:
    """A branch not searched yet: the objective of the route it comes from (its first bound),
    how many bounded searches raised its key, and whether the last one reached the
    destination (then its key is the relaxed optimum and only a search can tell more)."""

    parent: float
    tries: int
    exact: bool


def _first_step(best: float) -> float:
    """How far above its key the first bounded search of a branch looks (doubling with each
    try): a thousandth of the best route's objective, at least one grid unit."""
    return max(abs(best) * 1e-3, GRID)


def _features(r: Route, protected: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in r.crossing_places:
        out.append(("crossing", key))
    for area in r.port_areas:
        out.append(("port_area", area))
    for c in r.countries:
        if c not in protected:
            out.append(("country", c))
    modes = r.main_modes
    for m in modes:
        if len(modes) > 1 or m in ("sea", "ferry"):
            out.append(("mode", m))
    return out


# --------------------------------------------------------------------------------------------
# Why is there no route?
# --------------------------------------------------------------------------------------------


def _explain(solver: _Solver, q: Query) -> errors.NoRouteError:
    net = solver.net
    names = net.places["name"].to_dict()
    head = f"no route from {names[q.origin]} to {names[q.destination]}"
    relaxed = Query(q.origin, q.destination, q.minimize, q.cargo, rule_closures=False)
    if solver.solve(relaxed, any_status=True, check=False, cargo_limits=False) is None:
        return errors.NoRouteError(f"{head}: {_why_disconnected(solver, q)}", reason="disconnected")
    reasons: list[str] = []
    tags: list[str] = []
    rules = _closing_rules_reason(solver, q)
    if rules:
        reasons.append(rules)
        tags.append("link_rule")
    if (
        solver.solve(q, check=False) is None
        and solver.solve(q, check=False, cargo_limits=False) is not None
    ):
        found = solver.solve(q, check=False, cargo_limits=False)
        assert found is not None
        r = build_route(solver, q, found)
        limited = sorted(
            {
                leg.link_id
                for leg in r.steps
                if leg.link_id and not solver.w.cargo_ok[_edge_of(solver, leg)]
            }
        )
        reasons.append(
            f"every route uses links that do not take {q.cargo.describe()} "
            f"(cargo_units): {', '.join(str(x) for x in limited)}"
        )
        tags.append("cargo_units")
    fields = [
        f
        for f in (
            "year",
            "modes",
            "avoid_countries",
            "avoid_places",
            "avoid_links",
            "avoid_crossings",
            "avoid_passages",
            "via",
            "max_transfers",
        )
    ]
    for f in fields:
        default: Any = {"year": None, "modes": MODES, "max_transfers": None}.get(f, ())
        if f == "via":
            if not q.waypoints:
                continue
            trial = _replace(q, via=(), cross_at=(), waypoints=())
        else:
            if getattr(q, f) == default and f != "year":
                continue
            trial = _replace(q, **{f: default})
        found = solver.solve(trial, any_status=(f == "year"), check=False)
        if found is None:
            continue
        r = build_route(solver, trial, found)
        if f in _AVOID_WORDS:
            reasons.append(_describe_avoid(solver, f, q, r))
        else:
            reasons.append(_describe(f, q, r, net))
        tags.append(f)
    if reasons:
        return errors.NoRouteError(f"{head}: " + "; ".join(reasons), reason=",".join(tags))
    set_fields = list(q.constraints())
    return errors.NoRouteError(
        f"{head}: no single constraint is to blame; the combination of "
        f"{', '.join(set_fields) or 'the link statuses'} removes every route",
        reason="combination",
    )


def _closing_rules_reason(solver: _Solver, q: Query) -> str | None:
    """Why no route is left when the closures of the link rules in force on the query's day
    are what removes it: the rules (id, dates, source) and the closed links the best route
    without them needs; None when the rules are not to blame."""
    closed = closing_rules(solver.net, q.rules_day())
    if not closed or solver.solve(q, check=False) is not None:
        return None
    trial = _replace(q, rule_closures=False)
    found = solver.solve(trial, check=False)
    if found is None:
        return None
    r = build_route(solver, trial, found)
    used = [leg.link_id for leg in r.steps if leg.link_id in closed]
    by_rule: dict[str, list[str]] = {}
    for lid in dict.fromkeys(used):
        by_rule.setdefault(closed[str(lid)].id, []).append(str(lid))
    rules = {rule.id: rule for rule in closed.values()}
    parts = [f"{rules[rid].describe()} closes {', '.join(ids)}" for rid, ids in by_rule.items()]
    return (
        f"on {q.rules_day().isoformat()} the routes need links that the link rules close: "
        + "; ".join(parts)
        + " (give another date= or year=, or edit link_rules.csv)"
    )


def _edge_of(solver: _Solver, leg: Leg) -> int:
    """The expanded-graph edge of a link leg (for explanations)."""
    topo = solver.topo
    li = topo.link_ids.index(str(leg.link_id))
    fwd = solver.net._links.at[leg.link_id, "from_id"] == leg.from_id
    hits = np.flatnonzero((topo.elink == li) & (topo.eforward == fwd))
    return int(hits[0])


def _why_disconnected(solver: _Solver, q: Query) -> str:
    """Why the expanded graph has no path although links may join the two places: a change of
    service where no transfer is defined, or a one-way link travelled backwards."""
    import networkx as nx

    net, topo = solver.net, solver.topo
    g = nx.Graph()
    g.add_nodes_from(net.places.index)
    for lid, a, b in zip(net.links["id"], net.links["from_id"], net.links["to_id"]):
        g.add_edge(a, b, link=lid)
    if not nx.has_path(g, q.origin, q.destination):
        return (
            f"the two places are not connected in network {net.name!r} by any link, "
            "whatever the constraints"
        )
    path = nx.shortest_path(g, q.origin, q.destination)
    has_transfer = {
        (topo.node_place[int(u)], topo.node_service[int(u)], topo.node_service[int(v)])
        for u, v, t in zip(topo.src, topo.dst, topo.etype)
        if t != LINK
    }
    issues: list[str] = []
    links = net.links
    for prev, here, nxt in zip(path, path[1:], path[2:]):
        l_in = links.loc[g.edges[prev, here]["link"]]
        l_out = links.loc[g.edges[here, nxt]["link"]]
        s_in = set(services_of(l_in["mode"], parse_gauges(l_in["gauge_mm"])))
        s_out = set(services_of(l_out["mode"], parse_gauges(l_out["gauge_mm"])))
        if s_in & s_out:
            continue
        pi = topo.place_index[here]
        if not any((pi, a, b) in has_transfer for a in s_in for b in s_out):
            issues.append(
                f"at {here} the cargo must change from {'/'.join(sorted(s_in))} to "
                f"{'/'.join(sorted(s_out))} but no transfer is defined there (add an "
                f"operations.csv row; places of kind {net.places.at[here, 'kind']!r} "
                "get no default transfers)"
            )
    for a, b in zip(path, path[1:]):
        lid = g.edges[a, b]["link"]
        if bool(links.at[lid, "oneway"]) and links.at[lid, "from_id"] != a:
            issues.append(
                f"link {lid} is one-way from {links.at[lid, 'from_id']} to {links.at[lid, 'to_id']}"
            )
    detail = (
        "; ".join(issues)
        if issues
        else ("links join them, but no sequence of services and transfers does")
    )
    return f"the places are linked but no route exists whatever the constraints: {detail}"


_AVOID_WORDS = {
    "avoid_countries": ("crosses", "avoid_countries"),
    "avoid_places": ("passes", "avoid_places"),
    "avoid_links": ("uses link", "avoid_links"),
    "avoid_crossings": ("uses border crossing", "avoid_crossings"),
    "avoid_passages": ("passes", "avoid_passages"),
}


def _describe_avoid(solver: _Solver, f: str, q: Query, r: Route) -> str:
    """Name every avoided item that blocks a route: each item whose removal alone (the other
    avoided items kept) opens a route."""
    net = solver.net
    o, d = net.places.at[q.origin, "name"], net.places.at[q.destination, "name"]
    items = list(getattr(q, f))
    verb, arg = _AVOID_WORDS[f]

    def label(x: str) -> str:
        if f == "avoid_places":
            return f"{net.places.at[x, 'name']} ({x})"
        return x

    blocking = []
    for x in items:
        trial = _replace(q, **{f: tuple(i for i in items if i != x)})
        if solver.solve(trial, check=False) is not None:
            blocking.append(x)
    if len(blocking) == 1:
        return f"every route from {o} to {d} {verb} {label(blocking[0])}, which you avoided ({arg})"
    if blocking:
        return (
            f"every route from {o} to {d} {verb} at least one of "
            f"{', '.join(label(x) for x in blocking)}, which you avoided ({arg}); allowing "
            "any one of them opens a route"
        )
    on_route: list[str] = []
    for leg in r.steps:
        if f == "avoid_countries":
            hits = leg.country.split("-")
        elif f == "avoid_places":
            hits = [leg.from_id, leg.to_id]
        else:
            hits = [leg.link_id] if leg.link_id else []
        on_route += [h for h in hits if h in items and h not in on_route]
    return (
        f"every route from {o} to {d} {verb} several of the items you avoided ({arg}); "
        f"the best route without that constraint {verb} "
        f"{', '.join(label(x) for x in on_route)}"
    )


def _describe(f: str, q: Query, r: Route, net: Network) -> str:
    o, d = net.places.at[q.origin, "name"], net.places.at[q.destination, "name"]
    if f == "year":
        links = net.links
        used = {leg.link_id for leg in r.steps if leg.link_id}
        blocked = [lid for lid in used if lid is not None and not _usable(links, lid, q.year)]
        parts = []
        for lid in sorted(blocked)[:6]:
            yr = links.at[lid, "year"]
            verb = "opened" if links.at[lid, "status"] == "operational" else "expected"
            when_open = "" if pd.isna(yr) else f", {verb} {int(yr)}"
            parts.append(f"{lid} ({links.at[lid, 'status']}{when_open})")
        detail = ", ".join(parts)
        when = f"in {q.year}" if q.year is not None else "today"
        return f"every route from {o} to {d} needs links that are not open {when}: {detail}" + (
            "" if q.year else "; pass a year (e.g. year=2032) to use planned links"
        )
    if f == "modes":
        extra = [m for m in r.modes if m not in q.modes]
        return (
            f"every route from {o} to {d} needs {', '.join(extra)}, which the allowed modes "
            f"({', '.join(q.modes)}) exclude"
        )
    if f == "via":
        what = ", ".join(f"{k} {ref}" for k, ref in q.waypoints)
        return (
            f"no route from {o} to {d} that visits no place twice passes {what} under the "
            "other constraints"
        )
    if f == "max_transfers":
        return (
            f"the best route without a transfer limit needs {len(r.transfers)} transfers "
            f"(max_transfers={q.max_transfers})"
        )
    return f"constraint {f} removes every route"  # pragma: no cover


def _usable(links: Any, lid: str, year: int | None) -> bool:
    return link_is_usable(links.at[lid, "status"], links.at[lid, "year"], year)
