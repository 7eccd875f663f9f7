"""Pareto routes: the non-dominated set over two or three criteria.

A route A *dominates* B when A is no worse than B on every criterion and better on one.
:func:`pareto` returns every route that no other route dominates (one route per distinct
vector of criteria values), found by multi-criteria label setting (Martins' algorithm) on the
expanded graph of :mod:`corridors.engine.topology`: labels (a vector of criteria, the stage of the
query's waypoints, the path) are taken from a queue in lexicographic order; a label that is
dominated by a label already settled at its node, or by a route already found, is dropped.
With non-negative edge criteria the labels that reach the destination's gate are exactly the
non-dominated routes.

Routes never visit a place twice: a label does not extend into a place its own path has left.
Dominance does not look at the places a path has visited, so a non-dominated route that can
only be completed through a place its dominating twin has used could in principle be missed;
on networks like the bundled one this does not arise (the property tests check the result
against brute-force enumeration on small random networks).
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..costs.cargo import Cargo
from ..engine.checks import check_bool, check_int, check_keywords, check_real
from ..engine.query import ROUTE_KEYWORDS, make_query
from ..engine.solver import _Solver
from ..engine.topology import TRANSFER, objective_name, topology
from ..engine.weights import check_weights, weights
from ..errors import ParameterError, ParameterTypeError, RequestTooLargeError
from .build import build_route
from .route import Route
from .routing import _explain

__all__ = ["pareto", "CRITERIA", "dominates"]

CRITERIA = ("distance_km", "time_h", "cost_usd", "generalized", "risk")
MAX_LABELS = 200_000
#: Default cap on the seconds one :func:`pareto` search may take.
MAX_SECONDS = 60.0
#: The clock is read every this many labels taken from the queue.
CLOCK_EVERY = 2048


def dominates(a: Sequence[float], b: Sequence[float], tol: float = 1e-9) -> bool:
    """Whether criteria vector ``a`` dominates ``b`` (no worse everywhere, better somewhere)."""
    no_worse = all(x <= y + tol * max(1.0, abs(y)) for x, y in zip(a, b))
    better = any(x < y - tol * max(1.0, abs(y)) for x, y in zip(a, b))
    return no_worse and better


def _criterion(name: str) -> str:
    try:
        return objective_name(name)
    except ParameterError:
        raise ParameterError(
            f"unknown criterion {name!r}; allowed: "
            + ", ".join(CRITERIA)
            + " (or distance, time, cost)"
        ) from None


def pareto(
    net: Any,
    origin: str,
    destination: str,
    *,
    criteria: Iterable[str] = ("time_h", "cost_usd"),
    cargo: Cargo | None = None,
    max_labels: int = MAX_LABELS,
    max_seconds: float = MAX_SECONDS,
    distinct: bool = False,
    **constraints: Any,
) -> list[Route]:
    """Every non-dominated route from ``origin`` to ``destination`` over two or three criteria.

    Parameters
    ----------
    net : Network
    origin, destination : str
        Place ids, names or aliases.
    criteria : sequence of str
        Two or three of ``distance_km``, ``time_h``, ``cost_usd``, ``generalized``, ``risk``
        (expected risk money per trip: :mod:`corridors.costs.risk`; ``time``, ``cost``,
        ``distance`` accepted).
    cargo : Cargo, optional
        Default: one 40 ft container.
    max_labels : int, default 200,000
        Safety cap on labels created; past it the search stops with
        :class:`RequestTooLargeError` rather than return a front that may be incomplete.
    max_seconds : float, default 60
        Cap on the search's wall-clock seconds; past it the search stops with
        :class:`RequestTooLargeError` (three criteria on a large network can take minutes).
    distinct : bool, default False
        Keep one member per materially different route (:attr:`Route.signature`): the one
        best on the first criterion. Every member is still non-dominated; the front is
        thinned to one route per corridor for reading.
    **constraints
        As for :func:`corridors.route` (``modes``, ``year``, ``avoid_*``, ``via``,
        ``cross_at``, ``max_transfers`` is not supported here).

    Returns
    -------
    list of Route
        Sorted by the first criterion; each route's ``objective`` is its first criterion and
        ``route.criteria`` (via :func:`criteria_of`) gives the whole vector.

    Raises
    ------
    ParameterError
        For an unknown or repeated criterion, fewer than two or more than three criteria, or a
        parameter a criterion needs and the data lacks.
    NoRouteError
        When no route exists (with the reason).
    ParameterTypeError
        For an argument of the wrong type (``criteria=None``, a misspelt keyword).
    RequestTooLargeError
        When ``max_labels`` or ``max_seconds`` is exceeded.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> front = cor.pareto(net, "Karachi", "Tashkent", criteria=("time_h", "cost_usd"))
    >>> all(a.time_h <= b.time_h for a, b in zip(front, front[1:]))
    True
    """
    if isinstance(criteria, str) or not isinstance(criteria, Iterable):
        raise ParameterTypeError(
            "criteria takes a list of two or three criterion names "
            f"(e.g. ['time_h', 'cost_usd']), got {type(criteria).__name__}"
        )
    criteria = list(criteria)
    for c in criteria:
        if not isinstance(c, str):
            raise ParameterTypeError(
                f"criteria holds {type(c).__name__} {c!r}; each criterion "
                "is a name: " + ", ".join(CRITERIA)
            )
    max_labels = check_int(max_labels, "max_labels", lo=1)  # type: ignore[assignment]
    max_seconds = check_real(max_seconds, "max_seconds", lo=0.0)  # type: ignore[assignment]
    check_bool(distinct, "distinct")
    check_keywords(
        "pareto", constraints, [k for k in ROUTE_KEYWORDS if k not in ("minimize", "cargo")]
    )
    names = [_criterion(c) for c in criteria]
    if not 2 <= len(names) <= 3:
        raise ParameterError(f"pareto needs two or three criteria, got {len(names)}")
    if len(set(names)) != len(names):
        raise ParameterError(f"criteria repeat: {names}")
    if "max_transfers" in constraints:
        raise ParameterError("pareto does not take max_transfers; filter the front instead")
    q = make_query(net, origin, destination, minimize=names[0], cargo=cargo, **constraints)
    topo = topology(net)
    w = weights(net, q.cargo)
    solver = _Solver(net, topo, w, q)
    mask = solver.mask(q)
    for name in names:
        check_weights(w, name, mask, net.name)
    if solver.solve(q, check=False) is None:
        raise _explain(solver, q)
    arrays = [np.where(mask, solver.objective(replace(q, minimize=n)), 0.0) for n in names]
    edges = _label_setting(solver, q, mask, arrays, max_labels, max_seconds)
    routes = []
    for vec, path in edges:
        r = build_route(solver, q, (vec[0], path))
        routes.append(r)
    routes.sort(key=lambda r: (r.objective, *_values(r, names)))
    if distinct:
        seen: set[Any] = set()
        kept = []
        for r in routes:
            if r.signature not in seen:
                seen.add(r.signature)
                kept.append(r)
        routes = kept
    return routes


def _values(r: Route, names: Sequence[str]) -> tuple[float, ...]:
    return tuple(criteria_of(r, names))


def criteria_of(r: Route, names: Sequence[str]) -> list[float]:
    """The criteria values of a route (sums of its legs)."""
    attr = {
        "distance_km": "distance_km",
        "time_h": "time_h",
        "cost_usd": "cost_usd",
        "generalized": "generalized_usd",
        "risk": "risk_usd",
    }
    return [float(getattr(r, attr[_criterion(n)])) for n in names]


@dataclass(frozen=True)
class _LabelGraph:
    """What the label-setting search reads, as plain lists (cheap to index in Python)."""

    n: int  # nodes of the expanded graph
    stages: int  # waypoints + 1
    adv: list[list[bool]]  # per stage: the edges that reach its waypoint (none in the last)
    allowed: list[bool]
    cols: list[list[float]]  # per criterion: the edge weights
    adjacency: Any
    node_place: list[int]
    is_transfer: list[bool]
    source: int
    target: int
    origin_place: int
    dest_place: int
    via_stage: dict[int, int]  # place of a via waypoint -> its stage


def _label_graph(
    solver: _Solver, q: Any, mask: np.ndarray, arrays: list[np.ndarray]
) -> _LabelGraph:
    """The lists the label-setting search of query ``q`` reads."""
    topo = solver.topo
    advance = [solver.advance_set(k, r).tolist() for k, r in q.waypoints]
    return _LabelGraph(
        n=topo.n_nodes,
        stages=len(advance) + 1,
        adv=advance + [[False] * topo.n_edges],
        allowed=mask.tolist(),
        cols=[a.tolist() for a in arrays],
        adjacency=topo.adjacency,
        node_place=topo.node_place.tolist(),
        is_transfer=(topo.etype == TRANSFER).tolist(),
        source=int(topo.gate_of[solver.place_idx(q.origin)]),
        target=int(topo.gate_of[solver.place_idx(q.destination)]),
        origin_place=solver.place_idx(q.origin),
        dest_place=solver.place_idx(q.destination),
        via_stage={
            solver.place_idx(ref): i
            for i, (k, ref) in enumerate(q.waypoints)
            if k in ("place", "gateway")
        },
    )


def _label_setting(
    solver: _Solver,
    q: Any,
    mask: np.ndarray,
    arrays: list[np.ndarray],
    max_labels: int,
    max_seconds: float = MAX_SECONDS,
) -> list[tuple[tuple[float, ...], list[int]]]:
    """The non-dominated paths of query ``q`` over the criteria ``arrays`` (Martins' label
    setting; see the module docstring), each with its criteria summed along the path."""
    g = _label_graph(solver, q, mask, arrays)
    n, stages, adv, allowed, cols = g.n, g.stages, g.adv, g.allowed, g.cols
    adjacency, node_place, is_transfer = g.adjacency, g.node_place, g.is_transfer
    target, origin_place, dest_place, via_stage = (
        g.target,
        g.origin_place,
        g.dest_place,
        g.via_stage,
    )

    # label: (vector, transfers, id); store parent pointers by id
    parent: list[int] = [-1]
    edge_of: list[int] = [-1]
    places_of: list[frozenset[int]] = [frozenset({origin_place})]
    settled: dict[int, list[tuple[float, ...]]] = {}
    found: list[tuple[tuple[float, ...], int]] = []
    zero = tuple(0.0 for _ in arrays)
    heap: list[tuple[tuple[float, ...], int, int, int]] = [(zero, 0, 0, g.source)]
    count = 1

    def dominated(vec: tuple[float, ...], others: list[tuple[float, ...]]) -> bool:
        return any(o == vec or dominates(o, vec) for o in others)

    deadline = time.monotonic() + max_seconds
    pops = 0
    while heap:
        pops += 1
        if pops % CLOCK_EVERY == 0 and time.monotonic() > deadline:
            raise _too_slow(max_seconds, count)
        vec, ntr, lid, st = heapq.heappop(heap)
        v = st % n
        s = st // n
        if dominated(vec, [f for f, _ in found]):
            continue
        bucket = settled.setdefault(st, [])
        if dominated(vec, bucket):
            continue
        bucket.append(vec)
        if v == target and s == stages - 1:
            found.append((vec, lid))
            continue
        here = node_place[v]
        ok_adv = adv[s]
        for e, u in adjacency[v]:
            if not allowed[e]:
                continue
            p2 = node_place[u]
            s2 = s + 1 if ok_adv[e] else s
            if p2 != here:
                # never re-enter a place the path has visited; destination and waypoints only
                # in their own stage
                if p2 in places_of[lid] or p2 == origin_place:
                    continue
                if p2 == dest_place and s != stages - 1 and s2 != stages - 1:
                    continue
                if p2 in via_stage and via_stage[p2] != s:
                    continue
            vec2 = tuple(a + c[e] for a, c in zip(vec, cols))
            st2 = u + n * s2
            if dominated(vec2, settled.get(st2, [])):
                continue
            if dominated(vec2, [f for f, _ in found]):
                continue
            parent.append(lid)
            edge_of.append(e)
            places_of.append(places_of[lid] | {p2} if p2 != here else places_of[lid])
            heapq.heappush(heap, (vec2, ntr + (1 if is_transfer[e] else 0), count, st2))
            count += 1
            if count > max_labels:
                raise _too_many(max_labels)
    return _front_paths(found, parent, edge_of, arrays)


def _too_slow(max_seconds: float, count: int) -> RequestTooLargeError:
    """The error of a label setting that ran out of time."""
    return RequestTooLargeError(
        f"pareto stopped after {max_seconds:g} s ({count:,} labels) without finishing; "
        "the front would be incomplete. Narrow the query (two criteria, modes, "
        "avoid_*, via) or raise max_seconds"
    )


def _too_many(max_labels: int) -> RequestTooLargeError:
    """The error of a label setting that made too many labels."""
    return RequestTooLargeError(
        f"pareto stopped after {max_labels:,} labels without finishing; the front "
        "would be incomplete. Narrow the query (modes, avoid_*, via) or raise "
        "max_labels"
    )


def _front_paths(
    found: list[tuple[tuple[float, ...], int]],
    parent: list[int],
    edge_of: list[int],
    arrays: list[np.ndarray],
) -> list[tuple[tuple[float, ...], list[int]]]:
    """The edge path of each label found (following parent pointers), with its criteria
    summed exactly (``math.fsum``) along it."""
    out: list[tuple[tuple[float, ...], list[int]]] = []
    for _vec, lid in found:
        path: list[int] = []
        cur = lid
        while cur > 0:
            path.append(edge_of[cur])
            cur = parent[cur]
        path.reverse()
        out.append((tuple(math.fsum(arrays[i][e] for e in path) for i in range(len(arrays))), path))
    return out
