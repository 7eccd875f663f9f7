"""Origin-destination skims: the best route's distance, time and money for many pairs at once.

:func:`route_matrix` answers every pair over the expanded graph
(:mod:`corridors.engine.topology`) with the same edge masks and weights as
:func:`corridors.route` (ranked, as ``route`` ranks, on the engine's grid:
:func:`corridors.engine.topology.on_grid`), and sums the criteria along each best path
(correctly rounded sums, as :func:`math.fsum`). Two engines give the same answers:
``"csgraph"`` runs one compiled Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) per origin;
``"cch"`` answers all pairs on one customizable contraction hierarchy
(:mod:`corridors.engine.cch_skims`), kept per topology on disk and per scenario in memory.
Distances are the same bit for bit. Where several paths have exactly the same objective,
both engines pick the one ``route`` picks, by ``route``'s tie rule (the tie-break criterion,
then fewer transfers, then the search's stable order: :mod:`corridors.engine.lex`), so that
the other columns are ``route``'s too: the CCH engine counts each pair's least-objective
paths and settles the pairs with two or more by that rule on every one of their
least-objective paths (:mod:`corridors.routes.skims_cch`).

Skims are *relaxed*: they do not enforce that a route visits no place twice (``route`` does,
by branch and bound). On least-weight paths with non-negative weights a revisit is rare (it
needs a detour through a place that pays, such as leaving a place by road to come back to it
by rail); the column ``simple`` says, per pair, whether the skim's path visits every place at
most once. Where it does, the skim's path is the route of ``route`` for the pair (with
either engine). Where it does not, ``route`` gives a route that is no better (or none).
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..costs.cargo import Cargo
from ..engine.cch_skims import Shared, shared_sums
from ..engine.checks import check_limit, check_names, check_network
from ..engine.lex import Lex
from ..engine.query import Query, _replace, by_origin, make_query
from ..engine.solver import _Solver
from ..engine.topology import (
    LINK,
    LOAD,
    TIE_BREAK,
    TRANSFER,
    UNLOAD,
    Topology,
    on_grid,
    topology,
)
from ..engine.weights import check_weights, weights
from ..errors import ParameterError, ParameterTypeError
from ..model.network import Network

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["route_matrix", "SKIM_COLUMNS", "ENGINES"]

CRITERIA = ("distance_km", "time_h", "cost_usd", "generalized")
#: Most origin-destination pairs one :func:`route_matrix` call computes.
MAX_PAIRS = 1_000_000
SKIM_COLUMNS = ("origin", "destination", "objective", *CRITERIA, "transfers", "simple")


#: Engines of :func:`route_matrix`.
ENGINES = ("csgraph", "cch", "auto")
#: ``engine="auto"`` takes the CCH from this many expanded edges and origins on (below, the
#: per-origin csgraph search is as fast: measured in ``benchmarks/bench_cch.py``).
AUTO_MIN_EDGES = 100_000
AUTO_MIN_ORIGINS = 20


def route_matrix(
    net: Network,
    origins: str | Iterable[str],
    destinations: str | Iterable[str],
    *,
    minimize: str = "cost_usd",
    cargo: Cargo | None = None,
    year: int | None = None,
    modes: str | Iterable[str] | None = None,
    avoid_countries: str | Iterable[str] | None = None,
    date: str | Any | None = None,
    departure: str = "booked",
    connections: str = "random",
    engine: str = "csgraph",
    cch_cache: str | os.PathLike[str] | bool | None = None,
) -> pd.DataFrame:
    """Best-route skims (km, h, USD) from every origin to every destination.

    Parameters
    ----------
    net : Network
    origins, destinations : str or list of str
        Place ids, names or aliases.
    minimize : str, default "cost_usd"
        The objective each pair's path minimizes (as in :func:`corridors.route`).
    cargo, year, modes, avoid_countries, date, departure, connections
        As in :func:`corridors.route` (``date``: the link rules of that day; ``departure``
        and ``connections``: the wait for the first departure and at each later change).
    engine : {"csgraph", "cch", "auto"}, default "csgraph"
        ``"csgraph"``: one compiled Dijkstra per origin. ``"cch"``: a customizable
        contraction hierarchy (:mod:`corridors.engine.cch`; the nested-dissection order of
        the optional ``routingkit-cch`` package when installed, ``pip install
        corridors[cch]``): its structure is built once per topology and kept on disk, its
        metric once per network state, cargo and query, then all pairs are answered
        together; origins whose own rules change a weight the search ranks on (a first
        departure timed otherwise than the connections, under a time objective) and paths that would change mode at the
        origin are searched by csgraph. Same answers as ``"csgraph"``, every column, ties
        included (see the module docstring). ``"auto"``: ``"cch"`` when
        ``routingkit-cch`` is installed and the matrix is large (at least 100,000 expanded
        edges and 20 origins), else ``"csgraph"``.
    cch_cache : str, path or bool, optional
        Folder of the on-disk CCH structure (``engine="cch"``): default
        ``$CORRIDORS_CACHE_DIR`` or the user cache folder
        (:func:`corridors.engine.cch_skims.default_cache_dir`); ``False`` keeps it in memory
        only.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, destination), origins in the order given, then destinations:
        ``origin`` and ``destination`` (place ids), ``objective`` (what was minimized),
        ``distance_km``, ``time_h``, ``cost_usd``, ``generalized`` (USD), ``transfers`` and
        ``simple`` (the path visits no place twice; see the module docstring). A pair with no
        route, or of the same place, has NaN numbers and ``simple`` False.

    Raises
    ------
    ParameterTypeError
        For an argument of the wrong type (a number for a place, not a Network).
    RequestTooLargeError
        For more than 1,000,000 origin-destination pairs (``MAX_PAIRS``).
    UnknownPlaceError
        For a name the network does not know.
    ParameterError
        For an unknown objective, mode or engine, or an objective the data lacks for an
        edge the query may use.

    Examples
    --------
    >>> import corridors as cor
    >>> from corridors.routes.skims import route_matrix
    >>> net = cor.load_network()
    >>> df = route_matrix(net, ["karachi"], ["moscow", "tashkent"], minimize="time_h")
    >>> list(df["destination"])
    ['moscow', 'tashkent']
    >>> bool((df["time_h"] > 0).all())
    True
    """
    if not isinstance(engine, str) or engine not in ENGINES:
        raise ParameterError(
            f"route_matrix engine must be one of {', '.join(ENGINES)}, got {engine!r}"
        )
    o_ids, d_ids = _pair_ids(net, origins, destinations)
    everything = list(dict.fromkeys(o_ids + d_ids))
    # any two different places make the query: the masks' other rules do not depend on them
    q = make_query(
        net,
        everything[0],
        everything[1],
        minimize=minimize,
        cargo=cargo,
        year=year,
        modes=modes,
        avoid_countries=avoid_countries,
        date=date,
        departure=departure,
        connections=connections,
    )
    prep = _Prep.make(net, q, o_ids, d_ids)
    if engine == "auto":
        from ..engine.cch_skims import have_routingkit

        big = prep.topo.n_edges >= AUTO_MIN_EDGES and len(o_ids) >= AUTO_MIN_ORIGINS
        engine = "cch" if big and have_routingkit() else "csgraph"
    # the paths of a block of pairs are summed into the frame as soon as they are found, so
    # that only one block's edges are held at a time
    frame = _Frame(prep)
    if engine == "cch":
        from .skims_cch import _cch_paths

        rest = _cch_paths(prep, lambda *paths: frame.add(_Block(*paths)), cch_cache)
    else:
        rest = list(range(len(o_ids)))
    for i in rest:
        frame.add(_csgraph_paths(prep, i))
    return frame.result()


@dataclass
class _Block:
    """Paths of some pairs: pair indices (origin-major: ``i * len(d_ids) + j``), their edges
    concatenated and the boundaries (``edges[ptr[k]:ptr[k + 1]]`` for ``pairs[k]``)."""

    pairs: np.ndarray
    edges: np.ndarray
    ptr: np.ndarray
    shared: Shared | None = None  # the paths but their last two edges, by CCH shortcut


@dataclass
class _Prep:
    """What every origin shares: the query's masks, weights (ranked on the engine's grid,
    reported raw), the destinations' last edges, and the per-origin rule sets."""

    net: Network
    topo: Topology
    solver: _Solver
    q: Query
    o_ids: list[str]
    d_ids: list[str]
    o_gates: np.ndarray
    d_gates: np.ndarray
    allowed: np.ndarray  # the query's rules, no unloading, loading at every gate
    booked: bool  # first departures timed otherwise than connections (per origin)
    wr: np.ndarray  # ranking weight (inf outside the rules), the origin's own loading wait removed
    wr_red: np.ndarray  # ranking weight with every edge timed as a first departure
    raw: dict[str, np.ndarray]  # reported arrays (objective and criteria), as wr
    raw_red: dict[str, np.ndarray]  # reported arrays, as wr_red
    wg: np.ndarray  # wr on the grid (the objective route ranks on)
    wg_red: np.ndarray  # wr_red on the grid
    tg: np.ndarray  # the tie-break criterion on the grid (1e9 where not finite), as wr
    tg_red: np.ndarray  # the same, as wr_red
    ends: dict[int, tuple[np.ndarray, np.ndarray]]
    twins: dict[str, str]  # a criterion whose arrays are the objective's
    _by_place: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _starts: dict[int, np.ndarray] = field(default_factory=dict)
    _csr: Any = None

    @classmethod
    def make(cls, net: Network, q: Query, o_ids: list[str], d_ids: list[str]) -> _Prep:
        topo = topology(net)
        w = weights(net, q.cargo)
        solver = _Solver(net, topo, w, q)
        shared = _shared_mask(solver, q)
        etype = topo.etype
        o_gates = topo.gate_of[[topo.place_index[p] for p in o_ids]]
        d_gates = topo.gate_of[[topo.place_index[p] for p in d_ids]]
        loads = (etype == LOAD) & np.isin(topo.src, o_gates)
        unloads = (etype == UNLOAD) & np.isin(topo.dst, d_gates)
        graph_mask = shared & (etype != UNLOAD) & ((etype != LOAD) | loads)
        check_weights(w, q.minimize, graph_mask | (shared & unloads), net.name)
        booked = by_origin(q)
        # every departure timed as the connections are (solver.query_array with departure=
        # q.connections), and every edge timed as a first departure (a solver whose
        # first_wait is every edge's wait): an origin's arrays are the second on its
        # first-departure edges, the first elsewhere
        q_plain = dataclasses.replace(q, departure=q.connections)
        red_solver = _AllFirst(net, topo, w, q) if booked else solver
        names = ("objective", *CRITERIA)
        raw: dict[str, np.ndarray] = {}
        raw_red: dict[str, np.ndarray] = {}
        is_load = etype == LOAD
        for name in names:
            if name == "objective":
                plain, red = solver.objective(q_plain), red_solver.objective(q)
            else:
                plain, red = solver.query_array(q_plain, name), red_solver.query_array(q, name)
            # loading is only ever the first edge, from the origin's own gate
            raw[name] = np.where(is_load, red, plain)
            raw_red[name] = red
        allowed = shared & (etype != UNLOAD)
        # ranking weights of every edge the query may use (unloading too: the last edge)
        wr = np.where(shared, raw["objective"], np.inf)
        wr_red = np.where(shared, raw_red["objective"], np.inf) if booked else wr
        # the tie-break criterion of route (engine.solver._Solver.grid_arrays), on the grid
        tie_name = TIE_BREAK[q.minimize]
        tie_plain = solver.query_array(q_plain, tie_name)
        tie_red = red_solver.query_array(q, tie_name)
        tg_red = on_grid(np.where(np.isfinite(tie_red), tie_red, 1e9))
        tg = np.where(is_load, tg_red, on_grid(np.where(np.isfinite(tie_plain), tie_plain, 1e9)))
        wg = on_grid(wr)  # inf stays inf
        wg_red = on_grid(wr_red) if booked else wg
        ends = _destination_ends(topo, shared, unloads)
        twins = {
            name: "objective"
            for name in CRITERIA
            if np.array_equal(raw[name], raw["objective"], equal_nan=True)
            and np.array_equal(raw_red[name], raw_red["objective"], equal_nan=True)
        }
        return cls(
            net,
            topo,
            solver,
            q,
            o_ids,
            d_ids,
            o_gates,
            d_gates,
            allowed,
            booked,
            wr,
            wr_red,
            raw,
            raw_red,
            wg,
            wg_red,
            tg,
            tg_red,
            ends,
            twins,
        )

    # -------------------------------------------------------------- per-origin rule sets
    def _edges_by_src_place(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Edges of one kind ("link", "access", "transfer") grouped by their tail's place:
        (edges, pointer per place)."""
        hit = self._by_place.get(kind) or self.topo._static.get(f"skims_by_place_{kind}")
        if hit is None:
            topo = self.topo
            etype = topo.etype
            sel = {
                "link": etype == LINK,
                "access": (etype == LINK) & topo.eaccess,
                "transfer": etype == TRANSFER,
            }[kind]
            e = np.flatnonzero(sel)
            e = e[np.argsort(topo.src_place[e], kind="stable")]
            ptr = np.zeros(len(topo.place_ids) + 1, dtype=np.int64)
            np.cumsum(np.bincount(topo.src_place[e], minlength=len(topo.place_ids)), out=ptr[1:])
            hit = self._by_place[kind] = self.topo._static[f"skims_by_place_{kind}"] = (e, ptr)
        return hit

    def _from_places(self, kind: str, places: np.ndarray) -> np.ndarray:
        e, ptr = self._edges_by_src_place(kind)
        if not len(places):
            return e[:0]
        return np.concatenate([e[ptr[p] : ptr[p + 1]] for p in places.tolist()])

    def first_links(self, oi: int) -> np.ndarray:
        """The origin's first-departure links (as :meth:`_Solver.first_wait`): links leaving
        the origin or a place one access link away; empty unless the first departure is
        timed otherwise than the connections."""
        if not self.booked:
            return np.zeros(0, dtype=np.int64)
        return np.sort(self._from_places("link", self.starts(oi)))

    def origin_transfers(self, oi: int) -> np.ndarray:
        """Changes of mode or gauge at the origin (route never changes there)."""
        return self._from_places("transfer", np.array([oi]))

    def reweighted(self, oi: int, *, grid: bool = False) -> np.ndarray:
        """The origin's first-departure links whose ranking weight differs from ``wr`` (on
        the grid with ``grid``)."""
        f = self.first_links(oi)
        if grid:
            return f[on_grid(self.wr_red[f]) != on_grid(self.wr[f])]
        return f[self.wr_red[f] != self.wr[f]]

    # -------------------------------------------------------------- the frame
    def starts(self, oi: int) -> np.ndarray:
        """The places whose links are the origin's first departures (:meth:`first_links`),
        kept per origin (the CCH engine asks for each origin's several times)."""
        hit = self._starts.get(oi)
        if hit is None:
            near = self.topo.dst_place[self._from_places("access", np.array([oi]))]
            hit = self._starts[oi] = np.unique(np.concatenate([[oi], near])).astype(np.int64)
        return hit

    def _start_keys(self) -> np.ndarray:
        """``i * n_places + place`` for every origin ``i`` and place of its first departures."""
        n_pl = len(self.topo.place_ids)
        idx = self.topo.place_index
        return np.unique(
            np.concatenate([i * n_pl + self.starts(idx[o]) for i, o in enumerate(self.o_ids)])
        )

    # -------------------------------------------------------------- csgraph
    def base_csr(self) -> _BaseCSR:
        if self._csr is None:
            self._csr = _BaseCSR.make(self.topo, self.wg, self.allowed)
        return self._csr  # type: ignore[no-any-return]


def _shared_mask(solver: _Solver, q: Query) -> np.ndarray:
    """The query's rules but the terminals (:meth:`_Solver._shared_mask`), kept with the
    network's masks under the key :meth:`_Solver.mask` uses (read-only)."""
    key: tuple[Any, ...] = (
        "mask",
        _replace(q, origin="", destination=""),
        frozenset(),
        False,
        True,
    )
    cache: dict[Any, np.ndarray] = solver.topo._weights.setdefault(("masks",), {})
    hit = cache.get(key)
    if hit is None:
        hit = solver._shared_mask(q, extra_avoid=frozenset(), any_status=False, cargo_limits=True)
        hit.flags.writeable = False
        cache[key] = hit
        while len(cache) > 8:
            del cache[next(iter(cache))]
    return hit


class _Frame:
    """The skims frame, filled block by block (pair ``i * len(d_ids) + j``)."""

    def __init__(self, prep: _Prep) -> None:
        self.prep = prep
        n_o, n_d = len(prep.o_ids), len(prep.d_ids)
        self.n_d = n_d
        n_pairs = n_o * n_d
        self.cols: dict[str, Any] = {
            "origin": np.repeat(np.asarray(prep.o_ids, dtype=object), n_d),
            "destination": np.tile(np.asarray(prep.d_ids, dtype=object), n_o),
        }
        for name in ("objective", *CRITERIA):
            self.cols[name] = np.full(n_pairs, np.nan)
        self.tr = np.zeros(n_pairs, dtype=np.int64)
        self.found = np.zeros(n_pairs, dtype=bool)
        self.simple = np.zeros(n_pairs, dtype=bool)
        self.starts = prep._start_keys() if prep.booked else None

    def add(self, b: _Block) -> None:
        """Sum one block's paths into the frame."""
        if not len(b.pairs):
            return
        prep, topo, cols = self.prep, self.prep.topo, self.cols
        pairs, flat, ptr = b.pairs, b.edges, b.ptr
        owner = np.repeat(np.arange(len(pairs)), np.diff(ptr))
        # per origin, its first-departure links use the reduced arrays
        red_here = np.zeros(len(flat), dtype=bool)
        if self.starts is not None:
            n_pl, starts = len(topo.place_ids), self.starts
            link = np.flatnonzero(topo.etype[flat] == LINK)
            key = (pairs[owner[link]] // max(self.n_d, 1)) * n_pl + topo.src_place[flat[link]]
            pos = np.minimum(np.searchsorted(starts, key), len(starts) - 1)
            red_here[link[starts[pos] == key]] = True
        ov = np.flatnonzero(red_here)
        for name in ("objective", *CRITERIA):
            twin = prep.twins.get(name)
            if twin is not None:
                cols[name][pairs] = cols[twin][pairs]  # the same array: the same sums
                continue
            base, red = prep.raw[name], prep.raw_red[name]
            sums = None
            if b.shared is not None:  # the CCH's paths: sums per distinct shortcut
                last = np.concatenate([ptr[1:] - 2, ptr[1:] - 1])
                sums = shared_sums(
                    base,
                    b.shared,
                    len(pairs),
                    np.concatenate([owner[last], owner[ov], owner[ov]]),
                    np.concatenate([base[flat[last]], red[flat[ov]], -base[flat[ov]]]),
                )
            if sums is None:
                vals = np.where(red_here, red[flat], base[flat]) if len(ov) else base[flat]
                sums = _fsums(vals, ptr)
            cols[name][pairs] = sums
        # every path has its last two edges at least
        self.tr[pairs] = np.add.reduceat((topo.etype[flat] == TRANSFER).astype(np.int64), ptr[:-1])
        self.found[pairs] = True
        self.simple[pairs] = _simple_many(topo, flat, ptr)

    def result(self) -> pd.DataFrame:
        transfers = pd.array(self.tr, dtype="Int64")
        transfers[~self.found] = pd.NA
        self.cols["transfers"] = transfers
        self.cols["simple"] = self.simple
        return pd.DataFrame(self.cols, columns=list(SKIM_COLUMNS))


class _AllFirst(_Solver):
    """A solver for which every edge is a first departure (its wait as the query's
    ``departure`` says): the reduced arrays, computed by the solver's own code."""

    def first_wait(self, q: Query) -> np.ndarray:
        return self.w.arrays["wait_h"]  # type: ignore[no-any-return]


@dataclass
class _BaseCSR:
    """The CSR matrix of the allowed edges at the base weights, with each stored entry's
    parallel edges (sorted by weight, then edge index), so that an origin's matrix is the
    base with a few entries changed or removed."""

    n: int
    entry_s: np.ndarray
    entry_d: np.ndarray
    entry_w: np.ndarray
    entry_e: np.ndarray
    gate_entry: np.ndarray  # entry of a loading edge (a gate's row)
    members: np.ndarray  # allowed edges sorted by (tail, head, weight, edge)
    member_ptr: np.ndarray  # entry k's members: members[member_ptr[k]:member_ptr[k + 1]]
    edge_entry: np.ndarray  # entry of each edge (-1: not allowed)

    @classmethod
    def make(cls, topo: Topology, wg: np.ndarray, allowed: np.ndarray) -> _BaseCSR:
        e = np.flatnonzero(allowed)
        s, d, w = topo.src[e], topo.dst[e], wg[e]
        order = np.lexsort((e, w, d, s))
        e, s, d, w = e[order], s[order], d[order], w[order]
        first = np.ones(len(e), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        starts = np.flatnonzero(first)
        edge_entry = np.full(topo.n_edges, -1, dtype=np.int64)
        edge_entry[e] = np.cumsum(first) - 1
        return cls(
            n=topo.n_nodes,
            entry_s=s[starts],
            entry_d=d[starts],
            entry_w=w[starts].astype(float),
            entry_e=e[starts],
            gate_entry=topo.etype[e[starts]] == LOAD,
            members=e,
            member_ptr=np.append(starts, len(e)),
            edge_entry=edge_entry,
        )

    def for_origin(
        self, og: int, wg: np.ndarray, wg_red: np.ndarray, removed: np.ndarray, red: np.ndarray
    ) -> tuple[sparse.csr_matrix, np.ndarray]:
        """The origin's matrix and each entry's edge: loading only from gate ``og``, edges
        ``removed`` dropped, edges ``red`` at ``wg_red``; equal to
        ``_csr_with_edges(topo, weight, mask)`` of the origin's weight and mask."""
        data = self.entry_w.copy()
        ent_e = self.entry_e.copy()
        keep = ~self.gate_entry | (self.entry_s == og)
        touched = np.unique(self.edge_entry[np.concatenate([removed, red])])
        touched = touched[touched >= 0]
        if len(touched):
            gone = np.zeros(0, dtype=np.int64) if not len(removed) else np.unique(removed)
            redset = np.unique(red)
            for k in touched.tolist():
                mem = self.members[self.member_ptr[k] : self.member_ptr[k + 1]]
                mem = mem[~np.isin(mem, gone)]
                if not len(mem):
                    keep[k] = False
                    continue
                w = np.where(np.isin(mem, redset), wg_red[mem], wg[mem])
                best = np.lexsort((mem, w))[0]
                data[k], ent_e[k] = w[best], mem[best]
        s, d = self.entry_s[keep], self.entry_d[keep]
        indptr = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(s, minlength=self.n), out=indptr[1:])
        from scipy import sparse

        matrix = sparse.csr_matrix(
            (data[keep], d.astype(np.int32), indptr.astype(np.int32)), shape=(self.n, self.n)
        )
        return matrix, ent_e[keep]


def _csgraph_paths(prep: _Prep, i: int) -> _Block:
    """Origin ``i``'s paths, the very routes :func:`corridors.route` ranks first.

    ``route`` runs a Dijkstra on the key (objective, tie-break criterion, transfers), all
    on the grid (:func:`~corridors.engine.topology.on_grid`, so sums are exact), a node's
    predecessor being the first settled one that attains its key (the least key, then the
    least node number, then the least edge number). Here the same, for every destination at
    once: one compiled Dijkstra per criterion, each on the edges that are tight for the
    ones before (:func:`_lex_keys`), then each node's predecessor by that rule and each
    destination's best last two edges."""
    topo = prep.topo
    o = prep.o_ids[i]
    og = int(prep.o_gates[i])
    oi = topo.place_index[o]
    red = prep.reweighted(oi)
    removed = prep.origin_transfers(oi)
    matrix, _ = prep.base_csr().for_origin(og, prep.wg, prep.wg_red, removed, red)
    changed = len(red) or len(removed)
    w = prep.wg.copy() if changed else prep.wg
    t = prep.tg.copy() if changed else prep.tg
    w[red], t[red] = prep.wg_red[red], prep.tg_red[red]
    w[removed] = np.inf
    from scipy.sparse import csgraph

    d1 = csgraph.dijkstra(matrix, indices=og)
    lex = Lex(topo, prep.allowed, og, w, t, d1)
    n_d = len(prep.d_ids)
    pairs: list[int] = []
    paths: list[np.ndarray] = []
    etype, src = topo.etype, topo.src
    pred_list: list[int] | None = None
    src_list: list[int] = prep.topo._static.get("skims_src_list") or prep.topo._static.setdefault(
        "skims_src_list", src.tolist()
    )
    for j, (d, dg) in enumerate(zip(prep.d_ids, prep.d_gates.tolist())):
        pair = prep.ends.get(dg)
        if o == d or pair is None:
            continue
        fs, es = pair
        ok = prep.allowed[fs] & ((etype[fs] != LOAD) | (src[fs] == og))
        ok &= np.isfinite(w[fs]) & np.isfinite(w[es]) & np.isfinite(d1[src[fs]])
        fs, es = fs[ok], es[ok]
        if not len(fs):
            continue
        tails = src[fs]
        tot1 = d1[tails] + w[fs] + w[es]
        at_min = np.flatnonzero(tot1 == tot1.min())
        if len(at_min) == 1:
            best = int(at_min[0])
        else:  # route's choice among the least objectives: the least tie-break, transfers;
            # then the last node's key, number and unloading edge; then the tail's key,
            # number and the edge into the last node (f and unloading are no transfers)
            fs, es, tails = fs[at_min], es[at_min], tails[at_min]
            k1, k2, k3 = lex.d1[tails], lex.d2[tails], lex.d3[tails]
            v1, v2 = k1 + w[fs], k2 + t[fs]
            tot2 = v2 + t[es]
            best = int(np.lexsort((fs, tails, k3, k2, k1, es, src[es], k3, v2, v1, k3, tot2))[0])
        if pred_list is None:
            pred_list = lex.pred_edge.tolist()
        path = [int(es[best]), int(fs[best])]
        v = int(tails[best])
        while v != og:
            e = pred_list[v]
            path.append(e)
            v = src_list[e]
        path.reverse()
        pairs.append(i * n_d + j)
        paths.append(np.asarray(path, dtype=np.int64))
    lens = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
    ptr = np.zeros(len(paths) + 1, dtype=np.int64)
    np.cumsum(lens, out=ptr[1:])
    edges = np.concatenate(paths) if paths else np.zeros(0, dtype=np.int64)
    return _Block(np.asarray(pairs, dtype=np.int64), edges, ptr)


def _pair_ids(
    net: Network, origins: str | Iterable[str], destinations: str | Iterable[str]
) -> tuple[list[str], list[str]]:
    """Place ids of the origins and destinations, checked (types, names, the pair limit)."""
    check_network(net)
    check_names(origins, "origins")
    check_names(destinations, "destinations")
    if origins is None or destinations is None:
        raise ParameterTypeError(
            "route_matrix needs origins and destinations (a place or a list of places), got None"
        )
    o_ids = [net.place_id(p) for p in _as_list(origins)]
    d_ids = [net.place_id(p) for p in _as_list(destinations)]
    check_limit(
        len(o_ids) * len(d_ids),
        MAX_PAIRS,
        "origins x destinations",
        "split the matrix into blocks of origins",
    )
    if len(set(o_ids) | set(d_ids)) < 2:
        raise ParameterError("route_matrix needs at least two different places")
    return o_ids, d_ids


def _destination_ends(
    topo: Topology, shared: np.ndarray, unloads: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per destination gate, the last two edges into it: an edge that is not a change of
    mode or gauge at the destination (route never changes there), then the unloading edge."""
    etype, is_transfer = topo.etype, topo.etype == TRANSFER
    ends: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    by_head = topo._static_array("in_order")  # edges by (head, edge), built once
    in_ptr = topo._static_array("in_ptr")
    for e in np.flatnonzero(shared & unloads).tolist():
        s_node = int(topo.src[e])
        f = by_head[in_ptr[s_node] : in_ptr[s_node + 1]]
        f = f[shared[f] & ~is_transfer[f] & (etype[f] != UNLOAD)]
        fs, es = ends.get(int(topo.dst[e]), (np.empty(0, np.int64), np.empty(0, np.int64)))
        ends[int(topo.dst[e])] = (np.append(fs, f), np.append(es, np.full(len(f), e)))
    return ends


def _empty_row(o: str, d: str) -> dict[str, Any]:
    return {
        "origin": o,
        "destination": d,
        "objective": math.nan,
        **dict.fromkeys(CRITERIA, math.nan),
        "transfers": math.nan,
        "simple": False,
    }


def _as_list(v: str | Iterable[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _csr_with_edges(
    topo: Topology, weight: np.ndarray, mask: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The allowed edges as a CSR matrix with, per stored entry, the edge it stands for:
    parallel edges collapse to the least weight (the lowest edge index among equals, as
    :func:`corridors.engine.search.search` prefers); zero weights stay explicit entries."""
    n = topo.n_nodes
    e = np.flatnonzero(mask)
    s, d, w = topo.src[e], topo.dst[e], weight[e]
    order = np.lexsort((e, w, d, s))
    e, s, d, w = e[order], s[order], d[order], w[order]
    if len(e):
        first = np.ones(len(e), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
        e, s, d, w = e[first], s[first], d[first], w[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(s, minlength=n), out=indptr[1:])
    from scipy import sparse

    matrix = sparse.csr_matrix(
        (w.astype(float), d.astype(np.int32), indptr.astype(np.int32)), shape=(n, n)
    )
    return matrix, e


def _entry_keys(matrix: sparse.csr_matrix) -> np.ndarray:
    """``tail * n + head`` of each stored entry (sorted, as the matrix is canonical)."""
    n = matrix.shape[0]
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(matrix.indptr))
    return tails * n + matrix.indices.astype(np.int64)  # type: ignore[no-any-return]


def _simple(topo: Topology, path: np.ndarray) -> bool:
    """Whether the path's places, with consecutive repeats merged, are all different."""
    places = topo.node_place[np.append(topo.src[path[:1]], topo.dst[path])]
    runs = places[np.append(True, places[1:] != places[:-1])]
    return bool(len(np.unique(runs)) == len(runs))


def _fsums(values: np.ndarray, ptr: np.ndarray) -> list[float]:
    """``math.fsum`` of each segment ``values[ptr[k]:ptr[k + 1]]`` (correctly rounded, so
    the order of the path's edges does not matter)."""
    vals = values.tolist()
    fsum = math.fsum
    bounds = ptr.tolist()
    return [fsum(vals[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def _simple_many(topo: Topology, flat: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """:func:`_simple` of every path ``flat[ptr[k]:ptr[k + 1]]`` at once: the places of a
    path, consecutive repeats merged, are its first place and the head place of every edge
    that changes place; the path is simple when they are all different."""
    n = len(ptr) - 1
    out = np.ones(n, dtype=bool)
    lens = np.diff(ptr)
    has = np.flatnonzero(lens > 0)
    if not len(has):
        return out
    n_pl = len(topo.place_ids)
    sp, dp = topo.src_place[flat], topo.dst_place[flat]
    moves = np.flatnonzero(sp != dp)
    owner = np.repeat(np.arange(n, dtype=np.int64), lens)
    keys = np.concatenate([has * n_pl + sp[ptr[has]], owner[moves] * n_pl + dp[moves]])
    if n * n_pl < 2**31:
        keys = keys.astype(np.int32)  # sorts faster
    keys.sort()
    dup = keys[1:][keys[1:] == keys[:-1]]
    out[np.unique(dup // n_pl)] = False
    return out
