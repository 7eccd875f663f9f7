"""Origin-destination skims: the best route's distance, time and money for many pairs at once.

:func:`route_matrix` runs one compiled Dijkstra (:func:`scipy.sparse.csgraph.dijkstra`) per
origin over the expanded graph (:mod:`corridors.engine.topology`) with the same edge masks and weights as
:func:`corridors.route`, and reads the other criteria along each best path.

Skims are *relaxed*: they do not enforce that a route visits no place twice (``route`` does,
by branch and bound). On least-weight paths with non-negative weights a revisit is rare (it
needs a detour through a place that pays, such as leaving a place by road to come back to it
by rail); the column ``simple`` says, per pair, whether the skim's path visits every place at
most once. Where it does, the skim's objective equals the objective of ``route`` for the pair
(up to the order of float summation when two paths tie). Where it does not, ``route`` gives a
route that is no better (or none).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..costs.cargo import Cargo
from ..engine.checks import check_limit, check_names, check_network
from ..engine.query import Query, make_query
from ..engine.solver import _Solver
from ..engine.topology import LOAD, TRANSFER, UNLOAD, Topology, topology
from ..engine.weights import check_weights, weights
from ..errors import ParameterError, ParameterTypeError
from ..model.network import Network

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["route_matrix", "SKIM_COLUMNS"]

CRITERIA = ("distance_km", "time_h", "cost_usd", "generalized")
#: Most origin-destination pairs one :func:`route_matrix` call computes.
MAX_PAIRS = 1_000_000
SKIM_COLUMNS = ("origin", "destination", "objective", *CRITERIA, "transfers", "simple")


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
) -> pd.DataFrame:
    """Best-route skims (km, h, USD) from every origin to every destination.

    Parameters
    ----------
    net : Network
    origins, destinations : str or list of str
        Place ids, names or aliases.
    minimize : str, default "cost_usd"
        The objective each pair's path minimizes (as in :func:`corridors.route`).
    cargo, year, modes, avoid_countries
        As in :func:`corridors.route`.

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
        For an unknown objective or mode, or an objective the data lacks for an edge the
        query may use.

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
    )
    topo = topology(net)
    w = weights(net, q.cargo)
    solver = _Solver(net, topo, w, q)
    # the query's mask (_Solver.mask) but for its two terminal rules, which are the only
    # rules that depend on the origin and destination
    shared = solver._shared_mask(q, extra_avoid=frozenset(), any_status=False, cargo_limits=True)
    etype = topo.etype
    o_gates = topo.gate_of[[topo.place_index[p] for p in o_ids]]
    d_gates = topo.gate_of[[topo.place_index[p] for p in d_ids]]
    loads = (etype == LOAD) & np.isin(topo.src, o_gates)
    unloads = (etype == UNLOAD) & np.isin(topo.dst, d_gates)
    graph_mask = shared & (etype != UNLOAD) & ((etype != LOAD) | loads)
    check_weights(w, q.minimize, graph_mask | (shared & unloads), net.name)
    ends = _destination_ends(topo, shared, unloads)
    rows: list[dict[str, Any]] = []
    for o, og in zip(o_ids, o_gates.tolist()):
        rows += _origin_rows(solver, q, graph_mask, shared, ends, o, og, d_ids, d_gates.tolist())
    out = pd.DataFrame(rows, columns=list(SKIM_COLUMNS))
    out["transfers"] = out["transfers"].astype("Int64")
    out["simple"] = out["simple"].astype(bool)
    return out


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
    by_head = np.argsort(topo.dst, kind="stable")
    heads = topo.dst[by_head]
    for e in np.flatnonzero(shared & unloads).tolist():
        s_node = int(topo.src[e])
        lo, hi = np.searchsorted(heads, [s_node, s_node + 1])
        f = by_head[lo:hi]
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


def _origin_rows(
    solver: _Solver,
    q: Query,
    graph_mask: np.ndarray,
    shared: np.ndarray,
    ends: dict[int, tuple[np.ndarray, np.ndarray]],
    o: str,
    og: int,
    d_ids: list[str],
    d_gates: list[int],
) -> list[dict[str, Any]]:
    """The skim rows of one origin: one compiled Dijkstra, then each destination's best
    last two edges and the criteria summed along the path."""
    topo = solver.topo
    etype, is_transfer = topo.etype, topo.etype == TRANSFER
    oi = topo.place_index[o]
    # per origin, as route has it: loading only here, no change of mode at the origin,
    # and (a booked departure) no wait for the first departure from it
    q_o = dataclasses.replace(q, origin=o)
    weight = np.where(shared, solver.objective(q_o), 0.0)
    crit = {name: solver.query_array(q_o, name) for name in CRITERIA}
    mask_o = graph_mask & ((etype != LOAD) | (topo.src == og))
    mask_o &= ~is_transfer | (topo.src_place != oi)
    matrix, entry_edge = _csr_with_edges(topo, weight, mask_o)
    keys = _entry_keys(matrix)
    from scipy.sparse import csgraph

    dist, pred = csgraph.dijkstra(matrix, indices=og, return_predecessors=True)
    pred_list: list[int] | None = None
    rows = []
    for d, dg in zip(d_ids, d_gates):
        row = _empty_row(o, d)
        rows.append(row)
        pair = ends.get(dg)
        if o == d or pair is None:
            continue
        fs, es = pair
        ok = mask_o[fs]
        fs, es = fs[ok], es[ok]
        totals = dist[topo.src[fs]] + weight[fs] + weight[es]
        if not len(totals) or not math.isfinite(float(totals.min())):
            continue
        best = int(np.argmin(totals))
        if pred_list is None:
            pred_list = pred.tolist()
        nodes = [int(topo.src[fs[best]])]
        while nodes[-1] != og:
            nodes.append(pred_list[nodes[-1]])
        nodes.reverse()
        pos = np.searchsorted(
            keys,
            np.asarray(nodes[:-1], dtype=np.int64) * topo.n_nodes
            + np.asarray(nodes[1:], dtype=np.int64),
        )
        path = np.concatenate([entry_edge[pos], [fs[best], es[best]]]).astype(np.int64)
        row["objective"] = math.fsum(weight[path].tolist())
        for name in CRITERIA:
            row[name] = math.fsum(crit[name][path].tolist())
        row["transfers"] = int(is_transfer[path].sum())
        row["simple"] = _simple(topo, path)
    return rows


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
