"""TODO docstring (routing)"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np

from ..errors import (
    CorridorsError,
    ParameterError,
)
from ..model.network import Network
from .link_rules import closing_rules, window_hours
from .query import Query, _replace, by_origin, port_areas
from .search import LIST_EDGES_MAX, TightInputs, _path_sum, _view, csgraph, search
from .topology import (
    LINK,
    LOAD,
    TIE_BREAK,
    TRANSFER,
    UNLOAD,
    WATER_MODES,
    Topology,
    edge_csr,
    logical_service,
    on_grid,
)
from .weights import Weights, check_weights, risk_arrays

_REWEIGHTED = ("time_h", "generalized", "wait_h")  # arrays the departure timing changes


# --------------------------------------------------------------------------------------------
# Masks and solving
# --------------------------------------------------------------------------------------------

DERIVED_KEPT = 16  # arrays kept per weights: first-departure waits, grid arrays (the latest)
SEA_ARRIVALS_KEPT = 64  # origins whose loading/ship-handling edge pairs are kept per topology
MAX_BRANCHES = 400  # searches allowed to turn a route with a repeated place into a simple one
PREPARED_BYTES = 64 * 2**20  # prepared queries kept per weights (masks, grid weights, matrix)


@dataclass
class _Plan:
    """One order of a query's waypoints, ready to search: a mask per stage, the edges that
    complete each stage, the source and target nodes, and (one stage) the matrix of the
    compiled search, made on first use."""

    masks: list[np.ndarray]
    advance: list[np.ndarray]
    source: int
    target: int
    matrix: Any = None
    # (one stage) what the search's walk back reads (search.TightInputs), made on first use
    tight: TightInputs | None = None

    def nbytes(self) -> int:
        """Bytes held (the matrix counted as if made: 12 per edge; the walk's inputs as
        16 per edge, for the in-edges it may keep)."""
        n = sum(a.nbytes for a in (*self.masks, *self.advance))
        return n + (28 * len(self.masks[0]) if len(self.masks) == 1 else 0)


@dataclass
class _Prepared:
    """A query made ready by :meth:`_Solver._prepared`."""

    objective: np.ndarray
    weight: np.ndarray
    tie: np.ndarray
    plans: list[_Plan]
    nbytes: int = 0


@dataclass
class _Solver:
    net: Network
    topo: Topology
    w: Weights
    q: Query
    # "cch": point queries from a customized contraction hierarchy where it gives the same
    # answer (solve); its on-disk structure in cch_cache (see route_matrix)
    engine: str = "csgraph"
    cch_cache: Any = None

    def place_idx(self, pid: str) -> int:
        return self.topo.place_index[pid]

    def mask(
        self,
        q: Query,
        *,
        extra_avoid: frozenset[tuple[str, str]] = frozenset(),
        any_status: bool = False,
        cargo_limits: bool = True,
    ) -> np.ndarray:
        """Edges a query may use (before stage rules): status, modes, avoided items, cargo
        limits, and loading/unloading only at the origin and the destination.

        All but the last rule do not depend on the origin and destination (unless a port
        area is avoided: its own ports stay usable), so that part is cached per network for
        the last few queries: a batch of queries with the same constraints builds it once."""
        topo = self.topo
        shared = self.shared_mask(
            q, extra_avoid=extra_avoid, any_status=any_status, cargo_limits=cargo_limits
        )
        etype = topo.etype
        m = shared.copy()
        # terminals only at the ends
        o, d = self.place_idx(q.origin), self.place_idx(q.destination)
        m &= (etype != LOAD) | (topo.src == topo.gate_of[o])
        m &= (etype != UNLOAD) | (topo.dst == topo.gate_of[d])
        # no mode or gauge change at the origin or the destination: the cargo is loaded onto
        # the mode it leaves by and unloaded from the one it arrives by (a truck loaded at a
        # rail yard only to be lifted onto a train there would pay two handlings for one)
        m &= (etype != TRANSFER) | ((topo.src_place != o) & (topo.src_place != d))
        # a route that visits no place twice never leaves its destination: without this, a
        # relaxed best path that passes through the destination and comes back (rail to the
        # port next door, then a truck back) is pruned with nothing left to branch on
        m &= (etype != LINK) | (topo.src_place != d)
        if q.origin_arrival == "sea":
            # cargo that comes off a ship leaves only by a service the port hands it to
            loads, handled = self.sea_arrival(q)
            m[loads[handled < 0]] = False
        return m

    def shared_mask(
        self,
        q: Query,
        *,
        extra_avoid: frozenset[tuple[str, str]] = frozenset(),
        any_status: bool = False,
        cargo_limits: bool = True,
    ) -> np.ndarray:
        """The rules of :meth:`mask` but the terminals at the ends (read-only), cached per
        network for the last few constraint sets (with the ends when a port area is
        avoided)."""
        ends = any(kind == "port_area" for kind, _ in extra_avoid)
        key = (
            "mask",
            q if ends else _replace(q, origin="", destination=""),
            extra_avoid,
            any_status,
            cargo_limits,
        )
        cache: dict[Any, np.ndarray] = self.topo._weights.setdefault(("masks",), {})
        shared = cache.pop(key, None)
        if shared is None:
            shared = self._shared_mask(
                q, extra_avoid=extra_avoid, any_status=any_status, cargo_limits=cargo_limits
            )
            shared.flags.writeable = False
        cache[key] = shared  # most recent last (dicts keep insertion order)
        while len(cache) > 8:
            del cache[next(iter(cache))]
        return shared

    def _shared_mask(
        self,
        q: Query,
        *,
        extra_avoid: frozenset[tuple[str, str]],
        any_status: bool,
        cargo_limits: bool,
    ) -> np.ndarray:
        """The rules of :meth:`mask` but the terminals at the ends."""
        topo = self.topo
        m = np.ones(topo.n_edges, dtype=bool) if any_status else topo.usable(q.year)
        etype = topo.etype
        modes = list(q.modes)
        # line-haul links by mode; access links (drayage to a port or yard) stay usable
        is_link = etype == LINK
        m &= ~is_link | topo.eaccess | np.isin(topo.emode, modes)
        # services: a node is usable if its mode is allowed or an access link reaches it
        svc_mode = topo._static.get("node_mode")
        if svc_mode is None:
            svc_mode = np.array(
                [logical_service(s).split("-")[0] for s in topo.node_service], dtype=object
            )
            topo._static["node_mode"] = svc_mode
        node_ok = np.isin(svc_mode, modes) | (svc_mode == "gate")
        acc = is_link & topo.eaccess
        node_ok[topo.src[acc]] = True
        node_ok[topo.dst[acc]] = True
        m &= node_ok[topo.src] & node_ok[topo.dst]
        if cargo_limits:
            m &= self.w.cargo_ok
        avoid_places = set(q.avoid_places)
        countries = set(q.avoid_countries)
        avoid_links = set(q.avoid_links) | set(q.avoid_crossings)
        if q.rule_closures:  # links closed by the link rules in force on the query's day
            avoid_links |= set(closing_rules(self.net, q.rules_day()))
        protected = {q.origin, q.destination, *q.via}
        for kind, ref in extra_avoid:
            if kind == "link":
                avoid_links.add(ref)
            elif kind == "crossing":
                a, b = ref.split("|")
                avoid_links |= self.border_links_between(a, b)
            elif kind == "port_area":
                areas = port_areas(self.net)
                avoid_places |= {
                    p for p, area in areas.items() if area == ref and p not in protected
                }
            elif kind == "place":
                avoid_places.add(ref)
            elif kind == "country":
                countries.add(ref)
            elif kind == "mode":
                m &= ~((topo.emode == ref) & ~topo.eaccess)
        pidx = {self.place_idx(p) for p in avoid_places}
        pidx |= {i for i, c in enumerate(topo.place_country) if c in countries}
        if pidx:
            m &= ~topo.edges_touching_places(pidx)
        if avoid_links:
            li = np.array(
                [i for i, lid in enumerate(topo.link_ids) if lid in avoid_links], dtype=np.int64
            )
            m &= ~(is_link & np.isin(topo.elink, li))
        if q.avoid_passages:
            bad = set(q.avoid_passages)
            li = np.array(
                [i for i, ps in enumerate(topo.link_passages) if bad & set(ps)], dtype=np.int64
            )
            m &= ~(is_link & np.isin(topo.elink, li))
        return m

    def border_links_between(self, a: str, b: str) -> set[str]:
        links = self.net._links
        sel = (links["kind"] == "border") & (
            ((links["from_id"] == a) & (links["to_id"] == b))
            | ((links["from_id"] == b) & (links["to_id"] == a))
        )
        return set(links.index[sel])

    def first_wait(self, q: Query) -> np.ndarray:
        """Expected wait (h) per edge for the first departure, which a ``departure="booked"``
        query does not have: loading onto a train at the origin, or the first sailing from
        the origin or from a port one access link away (the city's own port, reached by
        drayage: the shipper books the sailing and trucks the box to it); zero elsewhere.
        A change onto a train away from the origin keeps its wait: trucking a box to the
        city's rail yard to board there is not a booked departure from the origin."""
        cache = self.w._derived
        key = ("first_wait", q.origin)
        hit = cache.pop(key, None)
        if hit is not None:
            cache[key] = hit  # most recent last
            return hit
        out = np.where(self._first_edges(q), self.w.arrays["wait_h"], 0.0)
        out.flags.writeable = False
        cache[key] = out
        while len(cache) > DERIVED_KEPT:
            cache.pop(next(iter(cache)), None)
        return out

    def _first_edges(self, q: Query) -> np.ndarray:
        """The edges whose wait is the first departure's (see :meth:`first_wait`)."""
        topo = self.topo
        o = self.place_idx(q.origin)
        near = (topo.etype == LINK) & topo.eaccess & (topo.src_place == o)
        starts = np.unique(np.concatenate([[o], topo.dst_place[near]]))
        return ((topo.etype == LOAD) & (topo.src == topo.gate_of[o])) | (  # type: ignore[no-any-return]
            (topo.etype == LINK) & np.isin(topo.src_place, starts)
        )

    def sea_arrival(self, q: Query) -> tuple[np.ndarray, np.ndarray]:
        """For ``origin_arrival="sea"``: the loading edges at the origin and, for each, the
        transfer edge from the origin's ship-arrival node onto the same service (port
        handling, or transshipment onto another ship), -1 where the port has none.

        Raises
        ------
        ParameterError
            When the origin has no handling from a ship at all (not a port).
        """
        topo = self.topo
        cache: dict[str, tuple[np.ndarray, np.ndarray]] = topo._weights.setdefault(
            ("sea_arrival",), {}
        )
        hit = cache.get(q.origin)
        if hit is not None:
            return hit
        sea_node = topo._static.get("node_sea")
        if sea_node is None:
            sea_node = np.array([logical_service(s) == "sea" for s in topo.node_service])
            topo._static["node_sea"] = sea_node
        o = self.place_idx(q.origin)
        loads = np.flatnonzero((topo.etype == LOAD) & (topo.src == topo.gate_of[o]))
        from_ship = np.flatnonzero(
            (topo.etype == TRANSFER) & (topo.src_place == o) & sea_node[topo.src]
        )
        if not len(from_ship):
            name = self.net.places["name"].get(q.origin, q.origin)
            raise ParameterError(
                f"origin_arrival='sea': the origin {name} ({q.origin}) has no handling from a "
                "ship (it is not a port of the network); give the port as the origin (e.g. "
                "karachi_port, chabahar_port) or leave origin_arrival='land'"
            )
        onto = {int(topo.dst[e]): int(e) for e in from_ship}
        handled = np.array([onto.get(int(topo.dst[e]), -1) for e in loads], dtype=np.int64)
        cache[q.origin] = (loads, handled)
        while len(cache) > SEA_ARRIVALS_KEPT:
            del cache[next(iter(cache))]
        return loads, handled

    def _sea_arrival_array(self, q: Query, name: str, arr: np.ndarray) -> np.ndarray:
        """``arr`` with the origin's loading replaced by the port's handling from a ship
        (:meth:`sea_arrival`): the terminal time and money of each loading edge become the
        transfer's; the wait for the first departure stays the loading edge's."""
        loads, handled = self.sea_arrival(q)
        ok = handled >= 0
        le, te = loads[ok], handled[ok]
        a = self.w.arrays
        d_time = a["transfer_time_h"][te] - a["terminal_time_h"][le]
        d_cost = a["transfer_cost_usd"][te] - a["terminal_cost_usd"][le]
        out = np.array(arr, dtype=float, copy=True)
        if name == "time_h":
            out[le] += d_time
        elif name == "cost_usd":
            out[le] += d_cost
        elif name == "generalized":
            out[le] += d_cost + q.cargo.time_value_usd_per_h * d_time
        elif name == "terminal_time_h":
            out[le] = a["transfer_time_h"][te]
        elif name == "terminal_p90_h":
            out[le] = a["transfer_p90_h"][te]
        elif name == "terminal_cost_usd":
            out[le] = a["transfer_cost_usd"][te]
        else:
            return arr
        return out

    def query_array(self, q: Query, name: str) -> np.ndarray:
        """A time or money array as the query sees it: the time windows of the link rules in
        force on its day added to ``time_h`` and ``generalized`` (``window_h`` is their own
        array), the first departure's wait removed from them when the departure is booked,
        and, for cargo that comes off a ship at the origin (``origin_arrival="sea"``), the
        port's handling from the ship in place of the origin's loading (time, money and the
        terminal fields of the loading legs)."""
        coef = q.cargo.time_value_usd_per_h if name == "generalized" else 1.0
        if name == "window_h":
            win = self.window(q)
            return np.zeros(self.topo.n_edges) if win is None else win
        arr = self.w.arrays[name]
        if q.origin_arrival == "sea":
            arr = self._sea_arrival_array(q, name, arr)
        if name in ("time_h", "generalized"):
            win = self.window(q)
            if win is not None:
                arr = arr + coef * win
        if name == "wait_overlap_h":  # a sailing whose wait is off has no overlap either
            off = self._off_edges(q)
            return arr if off is None else np.where(off, 0.0, arr)
        if name not in _REWEIGHTED:
            return arr
        off = self.waits_off(q)
        return arr if off is None else arr - coef * off

    def waits_off(self, q: Query) -> np.ndarray | None:
        """Wait hours per edge that the query does not charge (None: none): the first
        departure's (:meth:`first_wait`) under ``departure="booked"``, every later
        boarding's under ``connections="booked"`` (the forwarder times the cargo to each
        connection; hand-over, transfer and border times stay), both or neither."""
        dep, con = q.departure == "booked", q.connections == "booked"
        if dep and con:
            return self.w.arrays["wait_h"]  # type: ignore[no-any-return]
        if dep:
            return self.first_wait(q)
        if con:  # exactly 0 on first departures (their wait less itself), the wait elsewhere
            return self.w.arrays["wait_h"] - self.first_wait(q)  # type: ignore[no-any-return]
        return None

    def _off_edges(self, q: Query) -> np.ndarray | None:
        """The edges whose wait the query does not charge (:meth:`waits_off`), None: none."""
        dep, con = q.departure == "booked", q.connections == "booked"
        if dep and con:
            return np.ones(self.topo.n_edges, dtype=bool)
        if dep or con:
            first = self._first_edges(q)
            return first if dep else ~first  # type: ignore[no-any-return]
        return None

    def tie_on(self, q: Query, edges: np.ndarray) -> np.ndarray:
        """The tie-break criterion of :meth:`grid_arrays` on ``edges`` alone: the same
        floats, elementwise, without an array over every edge (cargo loaded at the origin,
        ``origin_arrival="land"``)."""
        arr = self.array_on(q, TIE_BREAK[q.minimize], edges)
        return on_grid(np.where(np.isfinite(arr), arr, 1e9))

    def objective_on(self, q: Query, edges: np.ndarray) -> np.ndarray:
        """:meth:`objective` on ``edges`` alone (the same floats, elementwise)."""
        if q.minimize != "risk" and not q.risk_aversion:
            return self.array_on(q, q.minimize, edges)
        delay, usd = risk_arrays(self.net, q.cargo, q.sanctions_policy())
        risk = delay[edges] * q.cargo.time_value_usd_per_h + usd[edges]
        if q.minimize == "risk":
            return risk  # type: ignore[no-any-return]
        return self.array_on(q, q.minimize, edges) + q.risk_aversion * risk  # type: ignore[no-any-return]

    def array_on(self, q: Query, name: str, edges: np.ndarray) -> np.ndarray:
        """:meth:`query_array` on ``edges`` alone (the same floats, elementwise), for cargo
        loaded at the origin (``origin_arrival="land"``)."""
        if q.origin_arrival != "land" or name == "window_h":
            raise ValueError(f"array_on is for cargo loaded at the origin, not {name!r}")
        coef = q.cargo.time_value_usd_per_h if name == "generalized" else 1.0
        arr = self.w.arrays[name][edges]
        if name in ("time_h", "generalized"):
            win = self.window(q)
            if win is not None:
                arr = arr + coef * win[edges]
        if name not in _REWEIGHTED:
            return arr  # type: ignore[no-any-return]
        dep, con = q.departure == "booked", q.connections == "booked"
        if dep and con:
            arr = arr - coef * self.w.arrays["wait_h"][edges]
        elif dep:
            arr = arr - coef * self._first_wait_on(q, edges)
        elif con:
            arr = arr - coef * (self.w.arrays["wait_h"][edges] - self._first_wait_on(q, edges))
        return arr  # type: ignore[no-any-return]

    def first_places(self, q: Query) -> list[int]:
        """The places whose departures are first departures for :meth:`first_wait`: the
        origin and the places one access link away."""
        topo = self.topo
        o = self.place_idx(q.origin)
        from .cch_route import out_edges

        out = out_edges(topo, list(topo.nodes_at(o)))
        near = out[(topo.etype[out] == LINK) & topo.eaccess[out]]
        return sorted({o, *topo.dst_place[near].tolist()})

    def _first_wait_on(self, q: Query, edges: np.ndarray) -> np.ndarray:
        """:meth:`first_wait` on ``edges`` alone (from the origin's own out-edges)."""
        hit = self.w._derived.get(("first_wait", q.origin))
        if hit is not None:
            return hit[edges]  # type: ignore[no-any-return]
        topo = self.topo
        o = self.place_idx(q.origin)
        et = topo.etype[edges]
        first = ((et == LOAD) & (topo.src[edges] == topo.gate_of[o])) | (
            (et == LINK) & np.isin(topo.src_place[edges], self.first_places(q))
        )
        return np.where(first, self.w.arrays["wait_h"][edges], 0.0)

    def window(self, q: Query) -> np.ndarray | None:
        """Extra running hours per edge from the time windows of the link rules in force on
        the query's day (None when none applies)."""
        return window_hours(self.net, self.topo, self.w, q.rules_day())

    def objective(self, q: Query) -> np.ndarray:
        """The weight array a query minimizes: the objective, plus ``risk_aversion x risk``
        (risk under the query's sanctions policy) when risk aversion is set."""
        if q.minimize != "risk" and not q.risk_aversion:
            return self.query_array(q, q.minimize)
        delay, usd = risk_arrays(self.net, q.cargo, q.sanctions_policy())
        risk = delay * q.cargo.time_value_usd_per_h + usd
        if q.minimize == "risk":
            return risk
        return self.query_array(q, q.minimize) + q.risk_aversion * risk

    def grid_arrays(self, q: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The query's objective array, the same on the grid (:func:`on_grid`), and its
        tie-break criterion on the grid with 1e9 where it is not finite; kept per weights for
        the latest query shapes (they do not depend on the destination or the mask)."""
        key = (
            "grid",
            q.minimize,
            q.risk_aversion,
            repr(q.sanctions_policy()),
            q.departure,
            q.connections,
            q.origin if by_origin(q) else "",
            q.cargo,
        )
        cache = self.w._derived
        hit = cache.pop(key, None)
        if hit is None:
            objective = self.objective(q)
            second = self.query_array(q, TIE_BREAK[q.minimize])
            hit = (
                objective,
                on_grid(objective),
                on_grid(np.where(np.isfinite(second), second, 1e9)),
            )
            hit[1].flags.writeable = False  # (the objective may be the weights' own array)
            hit[2].flags.writeable = False
        cache[key] = hit  # most recent last
        while len(cache) > DERIVED_KEPT:
            cache.pop(next(iter(cache)), None)
        return hit

    def advance_set(self, kind: str, ref: str) -> np.ndarray:
        """Edges that complete a waypoint: entering a place; sea <-> land handling at a
        gateway port; using a border crossing."""
        topo = self.topo
        if kind == "place":
            return topo.entering(self.place_idx(ref))
        if kind == "gateway":
            pi = self.place_idx(ref)
            water = np.array([logical_service(s) in WATER_MODES for s in topo.node_service])
            return (
                (topo.etype == TRANSFER)
                & (topo.src_place == pi)
                & (water[topo.src] != water[topo.dst])
            )
        a, b = ref.split("|")
        ids = self.border_links_between(a, b)
        li = np.array([i for i, lid in enumerate(topo.link_ids) if lid in ids], dtype=np.int64)
        return (topo.etype == LINK) & np.isin(topo.elink, li)

    def solve(
        self,
        q: Query,
        *,
        extra_avoid: frozenset[tuple[str, str]] = frozenset(),
        any_status: bool = False,
        check: bool = True,
        cargo_limits: bool = True,
    ) -> tuple[float, list[int]] | None:
        """Best route of the query that visits no place twice, as (objective, edges).

        Via places are visited in the order given, and so are the ``cross_at`` crossings
        among themselves; where a query has both, every interleaving of the two sequences is
        tried (via places first is tried first) and the best route wins, ties going to the
        tie-break criterion, then to the earlier order. So ``via=port, cross_at=border``
        crosses the border before or after the port, whichever is better, instead of only
        after it.
        With ``engine="cch"`` (the solver's), the query is answered from a customized
        contraction hierarchy when it can be (the same answer, ``extra_avoid`` a weight
        update: :mod:`corridors.engine.cch_route`), else by the exact search.
        """
        if self.engine == "cch" and not any_status and check and cargo_limits:
            from . import cch_route

            hit = cch_route.solve(self, q, self.cch_cache, extra_avoid)
            if hit is not False:
                return hit  # type: ignore[return-value]
        prep = self._prepared(q, extra_avoid, any_status, check, cargo_limits)
        weight, tie = prep.weight, prep.tie
        best: tuple[tuple[float, float], list[int]] | None = None
        for plan in prep.plans:
            found = self._simple(prep, plan, q.max_transfers)
            if found is None:
                continue
            if len(prep.plans) == 1:
                best = ((0.0, 0.0), found[1])
                break
            key = (
                _path_sum(weight, found[1]),
                _path_sum(tie, found[1]),
            )
            if best is None or key < best[0]:
                best = (key, found[1])
        if best is None:
            return None
        # the search ranks on the grid; the route's objective is the exact sum of its edges
        ov = _view(np.ascontiguousarray(prep.objective, dtype=float))  # (not kept: pickles)
        path = best[1]
        return math.fsum(itemgetter(*path)(ov) if len(path) > 1 else [ov[e] for e in path]), path

    def _prepared(
        self,
        q: Query,
        extra_avoid: frozenset[tuple[str, str]],
        any_status: bool,
        check: bool,
        cargo_limits: bool,
    ) -> _Prepared:
        """What :meth:`solve` searches with, made once per query and options and kept with
        the weights for the latest few (about ``PREPARED_BYTES``): the allowed edges, the
        objective and its tie-break on the grid, and per order of the waypoints the masks of
        each stage, the edges that complete each stage and the source and target nodes.
        Everything here follows from the network, the weights and the query alone (the day
        of the link rules included: a query without a date or year is judged on today's),
        so a repeated query only searches."""
        day = q.rules_day() if q.date is None and q.year is None else None
        key = (q, extra_avoid, any_status, check, cargo_limits, day)
        cache = self.w._prepared
        hit = cache.get(key)
        if hit is not None:
            if next(reversed(cache)) != key:  # (the same query again: already the newest)
                del cache[key]
                cache[key] = hit  # most recent last
            return hit
        hit = self._prepare(q, extra_avoid, any_status, check, cargo_limits)
        cache[key] = hit  # most recent last
        while len(cache) > max(1, PREPARED_BYTES // max(hit.nbytes, 1)):
            cache.pop(next(iter(cache)), None)
        return hit

    def _prepare(
        self,
        q: Query,
        extra_avoid: frozenset[tuple[str, str]],
        any_status: bool,
        check: bool,
        cargo_limits: bool,
    ) -> _Prepared:
        m = self.mask(q, extra_avoid=extra_avoid, any_status=any_status, cargo_limits=cargo_limits)
        objective, grid_objective, grid_tie = self.grid_arrays(q)
        if check:
            check_weights(self.w, q.minimize, m, self.net.name)
        else:
            m &= np.isfinite(objective) & (objective >= 0)
        # on_grid is elementwise and keeps 0 and 1e9: the same as on_grid of the masked arrays
        weight = np.where(m, grid_objective, 0.0)
        tie = np.where(m, grid_tie, 1e9)
        for a in (m, weight, tie):
            a.flags.writeable = False
        plans = [self._plan(q, order, m) for order in _waypoint_orders(q.waypoints)]
        size = 2 * weight.nbytes + sum(p.nbytes() for p in plans)
        return _Prepared(objective, weight, tie, plans, size)

    def _plan(self, q: Query, waypoints: tuple[tuple[str, str], ...], m: np.ndarray) -> _Plan:
        """The stages of one order of the waypoints: stage rules for places (the origin is
        never re-entered; the destination is entered only in the last stage; a via place or
        gateway only in its own stage) as a mask per stage."""
        topo = self.topo
        advance = [self.advance_set(k, r) for k, r in waypoints]
        stages = len(advance) + 1
        rules: dict[int, int] = {
            self.place_idx(q.origin): -1,
            self.place_idx(q.destination): stages - 1,
        }
        for i, (kind, ref) in enumerate(waypoints):
            if kind in ("place", "gateway"):
                rules[self.place_idx(ref)] = i
        entering = {p: topo.entering(p) for p in rules}
        masks = []
        for s in range(stages):
            ms = m.copy()
            for p, t in rules.items():
                if t != s:
                    ms &= ~entering[p]
            ms.flags.writeable = False
            masks.append(ms)
        source = int(topo.gate_of[self.place_idx(q.origin)])
        target = int(topo.gate_of[self.place_idx(q.destination)])
        return _Plan(masks, advance, source, target)

    def _simple(
        self, prep: _Prepared, plan: _Plan, max_transfers: int | None
    ) -> tuple[float, list[int]] | None:
        """The best path of one order of the waypoints that visits every place at most once:
        while the best path of the current restriction visits a place twice, that place joins
        the set of places the search may enter at most once (one bit of its state each, see
        :func:`~corridors.engine.search.search`). Each restriction only removes paths that
        visit a place twice, so every simple path stays allowed and the first simple best
        path is the best simple path."""
        topo = self.topo
        weight, tie = prep.weight, prep.tie
        masks, advance = plan.masks, plan.advance
        dist = None
        if len(masks) == 1 and max_transfers is None:
            # the compiled one-to-all search on a matrix kept with the plan
            if plan.matrix is None:
                plan.matrix = edge_csr(topo, weight, masks[0])
            # (min_only: one source, the same distances, a little less work than the
            # default; on the grid every path of the least weight adds up to the same float)
            dist = csgraph().dijkstra(plan.matrix, indices=plan.source, min_only=True)
            if plan.tight is None:
                plan.tight = TightInputs.make(topo, weight, tie, masks[0])
        found = search(
            topo,
            weight,
            masks,
            plan.source,
            plan.target,
            advance=advance,
            max_transfers=max_transfers,
            dist=dist,
            tie=tie,
            on_grid=True,  # (_prepare: on_grid arrays, masked to 0 and 1e9)
            kept=plan.tight,
        )
        once: tuple[int, ...] = ()
        solves = 1
        while found is not None:
            repeat = self._first_repeat(found[1], advance)
            if repeat is None:
                return found
            place = repeat[0]
            if place in once:  # cannot happen: the search enters such a place once
                raise CorridorsError(
                    f"internal error: place {topo.place_ids[place]!r} "
                    "visited twice though restricted to one visit"
                )
            if solves >= MAX_BRANCHES:
                raise CorridorsError(
                    f"gave up after {solves} searches looking for a route that visits no "
                    "place twice; add via places or avoid_places to narrow the query"
                )
            once = (*once, place)
            solves += 1
            found = search(
                topo,
                weight,
                masks,
                plan.source,
                plan.target,
                advance=advance,
                max_transfers=max_transfers,
                tie=tie,
                once=[topo.entering(p) for p in once],
            )
        return None

    def _first_repeat(
        self, edges: list[int], advance: list[np.ndarray]
    ) -> tuple[int, list[int]] | None:
        """The first place the path visits in two separate runs, with the stage of each run."""
        topo = self.topo
        places = topo._static.get("edge_places")  # (tail place, head place) by edge, lists
        if places is None and topo.n_edges <= LIST_EDGES_MAX:
            sp, dp = topo.src_place.tolist(), topo.dst_place.tolist()
            # and the place each edge enters, -1 for an edge within a place
            places = (sp, dp, [b if a != b else -1 for a, b in zip(sp, dp)])
            topo._static["edge_places"] = places
        if places is not None:
            sp, dp, enters = places
            if not _enters_twice(edges, sp, enters):
                return None  # (the common case, read at C speed)
            p_from, p_to = [sp[e] for e in edges], [dp[e] for e in edges]
        else:
            path = np.asarray(edges, dtype=np.int64)
            p_from, p_to = topo.src_place[path].tolist(), topo.dst_place[path].tolist()
        # the places entered, in order: none twice, no repeat (the common case)
        entered = [b for a, b in zip(p_from, p_to) if a != b]
        if p_from:
            entered.append(p_from[0])
        if len(set(entered)) == len(entered):
            return None
        stage = 0
        runs: dict[int, list[int]] = {}
        cur = -1
        for e, pf, pt in zip(edges, p_from, p_to):
            if cur == -1:
                cur = pf
                runs.setdefault(pf, []).append(stage)
            if pt != pf:
                runs.setdefault(pt, []).append(stage)
                if len(runs[pt]) > 1:
                    return pt, runs[pt]
            if stage < len(advance) and advance[stage][e]:
                stage += 1
        return None


def _enters_twice(edges: list[int], sp: list[int], enters: list[int]) -> bool:
    """Whether a path (edge indices) enters a place twice or comes back to its first place:
    ``sp[e]`` is edge ``e``'s tail place, ``enters[e]`` the place it enters, -1 for none."""
    if len(edges) < 2:
        return False
    entered = itemgetter(*edges)(enters)  # a tuple
    seen = set(entered)
    seen.discard(-1)
    return len(seen) != len(entered) - entered.count(-1) or sp[edges[0]] in seen


MAX_WAYPOINT_ORDERS = 20  # interleavings of via places and crossings tried (C(6, 3))


def _waypoint_orders(
    waypoints: tuple[tuple[str, str], ...],
) -> list[tuple[tuple[str, str], ...]]:
    """The orders to try: every interleaving of the via places (in their order) with the
    crossings (in theirs), via places first first; only the given order when there are not
    both kinds or too many interleavings."""
    places = [w for w in waypoints if w[0] != "crossing"]
    crossings = [w for w in waypoints if w[0] == "crossing"]
    if not places or not crossings or math.comb(len(waypoints), len(places)) > MAX_WAYPOINT_ORDERS:
        return [waypoints]
    n = len(waypoints)
    orders = []
    for slots in itertools.combinations(range(n), len(places)):
        pi, ci = iter(places), iter(crossings)
        orders.append(tuple(next(pi) if i in slots else next(ci) for i in range(n)))
    return orders
