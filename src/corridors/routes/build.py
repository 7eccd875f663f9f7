"""TODO docstring (routing)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from ..engine.query import Query, port_areas
from ..engine.solver import _Solver
from ..engine.topology import (
    LINK,
    LOAD,
    TRANSFER,
    UNLOAD,
    Topology,
    logical_service,
    service_id,
)
from ..engine.weights import Weights, risk_arrays
from ..model.network import Network
from .risk import rows_for_route
from .route import Leg, Route, _Lazy, _made_route, _num


def _record_lookups(net: Network) -> tuple[dict[str, str], dict[str, Any], list[Any]]:
    """Place names and points by id, and link geometries by row (cached per network): a route
    is built from these without touching the frames."""
    hit = net._cache.get("record_lookups")
    if hit is None:
        places = net._places
        hit = (places["name"].to_dict(), places.geometry.to_dict(), list(net._links.geometry))
        net._cache["record_lookups"] = hit
    return hit  # type: ignore[no-any-return]


def build_route(solver: _Solver, q: Query, found: tuple[float, list[int]]) -> Route:
    """The :class:`Route` of a search result ``(objective, edge indices)`` of ``solver``.

    Only the objective is known at once: the legs, the risk rows, the sanctions regimes and
    the place kinds are made from the path on first access (:class:`Route` keeps them), so a
    caller that reads only the objective, or compares routes by their edges, pays for none.
    """
    total, edges = found
    net = solver.net
    path = tuple(edges)
    lazy: dict[str, Any] = {  # Route's lazy fields accept a _Lazy (routes.route)
        "steps": _Lazy(lambda r: _legs(solver, q, path)),
        "sanctions_regimes": _Lazy(_regimes),
        "risk_rows": _Lazy(_route_risk_rows(net)),
        "place_kinds": _Lazy(_place_kinds(net)),
    }
    return _made_route(
        query=q, network=net.name, objective=total, port_area_of=port_areas(net), **lazy
    )


# Leg fields read from an array of the same name (the query's own for wait, time,
# generalized cost and time windows), and from the risk arrays
_ARRAY_FIELDS = (
    "distance_km",
    "running_time_h",
    "wait_h",
    "dwell_h",
    "dwell_p90_h",
    "transfer_time_h",
    "transfer_p90_h",
    "terminal_time_h",
    "terminal_p90_h",
    "running_cost_usd",
    "fee_usd",
    "transfer_cost_usd",
    "terminal_cost_usd",
    "headway_h",
    "time_h",
    "cost_usd",
    "window_h",
    "wait_overlap_h",
)


# Leg fields the query itself may change (booked departures, time windows, cargo that comes
# off a ship at the origin): read from :meth:`_Solver.query_array`
_QUERY_FIELDS = (
    "wait_h",
    "time_h",
    "generalized",
    "window_h",
    "cost_usd",
    "terminal_time_h",
    "terminal_p90_h",
    "terminal_cost_usd",
    "wait_overlap_h",
)


def _legs(solver: _Solver, q: Query, edges: tuple[int, ...]) -> tuple[Leg, ...]:
    """The legs of the path ``edges`` (edge indices of ``solver``'s topology): every field
    gathered for the whole path at once, then one :class:`Leg` per edge."""
    topo, w, net = solver.topo, solver.w, solver.net
    idx = np.asarray(edges, dtype=np.int64)
    own = {k: solver.query_array(q, k) for k in _QUERY_FIELDS}
    cols: dict[str, list[float]] = {
        k: _column(own[k] if k in own else w.arrays[k], idx) for k in _ARRAY_FIELDS
    }
    cols["generalized_usd"] = _column(own["generalized"], idx)
    risk_d, risk_u = risk_arrays(net, q.cargo, q.sanctions_policy())
    cols["risk_delay_h"] = _column(risk_d, idx)
    cols["risk_usd"] = _column(risk_u, idx)
    values = [dict(zip(cols, vals)) for vals in zip(*cols.values())]
    u, v = topo.src[idx], topo.dst[idx]
    path = _Path(
        topo,
        w,
        _record_lookups(net),
        u.tolist(),
        v.tolist(),
        topo.node_place[u].tolist(),
        topo.node_place[v].tolist(),
        topo.etype[idx].tolist(),
        _handled_kinds(solver, q),
    )
    return tuple(path.leg(i, e, values[i]) for i, e in enumerate(edges))


def _handled_kinds(solver: _Solver, q: Query) -> dict[int, str]:
    """The transfer kind each loading edge at the origin takes from the port's handling of
    a ship's cargo (``origin_arrival="sea"``); empty otherwise."""
    if q.origin_arrival != "sea":
        return {}
    loads, handled = solver.sea_arrival(q)
    kinds = solver.w.transfer_kind
    return {int(le): str(kinds[te]) for le, te in zip(loads, handled) if te >= 0}


def _column(arr: np.ndarray, idx: np.ndarray) -> list[float]:
    """``arr[idx]`` as floats, every NaN the one ``math.nan`` object (see ``_num``)."""
    vals = arr[idx]
    out: list[float] = vals.tolist()
    if np.isnan(vals).any():
        out = [_num(x) for x in out]
    return out


def _route_risk_rows(net: Network) -> Any:
    def make(r: Route) -> tuple[Any, ...]:
        from ..costs.risk import risk_rows

        return tuple(rows_for_route(risk_rows(net), r))

    return make


def _regimes(r: Route) -> tuple[str, ...]:
    return tuple(sorted({g for row in r.risk_rows for g in row.sanctions}))


def _place_kinds(net: Network) -> Any:
    def make(r: Route) -> tuple[tuple[str, str], ...]:
        kinds = net._cache.get("place_kinds")
        if kinds is None:
            kinds = {str(k): str(v) for k, v in net._places["kind"].items()}
            net._cache["place_kinds"] = kinds
        visited = dict.fromkeys(p for leg in r.steps for p in (leg.from_id, leg.to_id))
        return tuple((p, kinds[p]) for p in visited)

    return make


@dataclass
class _Path:
    """What the legs of one path read: the topology, weights and record lookups, and the
    path's tail and head nodes, their places and the edge types, by position."""

    topo: Topology
    w: Weights
    lookups: tuple[dict[str, str], dict[str, Any], list[Any]]
    u: list[int]
    v: list[int]
    pu: list[int]
    pv: list[int]
    etype: list[int]
    kind_of: dict[int, str]  # transfer kinds that replace the edge's own (see _handled_kinds)

    def leg(self, i: int, e: int, values: dict[str, float]) -> Leg:
        """The :class:`Leg` of edge ``e``, the ``i``-th of the path, with its time, money
        and risk components ``values``."""
        topo = self.topo
        names, geoms, link_geoms = self.lookups
        u, v, et = self.u[i], self.v[i], self.etype[i]
        pu, pv = topo.place_ids[self.pu[i]], topo.place_ids[self.pv[i]]
        su = logical_service(topo.node_service[u])
        sv = logical_service(topo.node_service[v])
        if et == LINK:
            cu, cv = topo.place_country[self.pu[i]], topo.place_country[self.pv[i]]
            kind, mode, link_id, passages, geom = _link_leg_fields(topo, link_geoms, e)
            country = cu if cu == cv else f"{cu}-{cv}"
            tkind = None
        else:
            geom = geoms[pu]
            country = topo.place_country[self.pu[i]]
            link_id = None
            tkind = self.kind_of.get(e, self.w.transfer_kind[e])
            passages = ()
            if et == TRANSFER:
                kind, mode = "transfer", "transfer"
            else:
                kind = "terminal"
                mode = (sv if et == LOAD else su).split("-")[0]
        return Leg._make(
            seq=i,
            kind=kind,
            link_id=link_id,
            from_id=pu,
            to_id=pv,
            from_name=str(names[pu]),
            to_name=str(names[pv]),
            mode=mode,
            service=su,
            to_service=sv,
            transfer_kind=tkind,
            country=country,
            passages=passages,
            geometry=geom,
            service_id=service_id(topo.node_service[v if et != UNLOAD else u]),
            **values,
        )


def _link_leg_fields(
    topo: Topology, link_geoms: list[Any], e: int
) -> tuple[str, str, str | None, tuple[str, ...], Any]:
    """Kind, mode, link id, passages and geometry (in the direction travelled) of the link
    edge ``e``."""
    li = int(topo.elink[e])
    geom = link_geoms[li]
    if not topo.eforward[e] and geom is not None:
        geom = shapely.reverse(geom)
    kind = "border" if topo.eborder[e] else "link"
    return kind, str(topo.emode[e]), topo.link_ids[li], topo.link_passages[li], geom
