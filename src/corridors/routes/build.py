"""TODO docstring (routing)"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

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
from .route import Leg, Route, _num


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
    """The :class:`Route` of a search result ``(objective, edge indices)`` of ``solver``."""
    total, edges = found
    topo, w, net = solver.topo, solver.w, solver.net
    lookups = _record_lookups(net)
    a = {**w.arrays, **{k: solver.query_array(q, k) for k in ("wait_h", "time_h", "generalized")}}
    risk = risk_arrays(net, q.cargo, q.sanctions_policy())
    steps = [_leg(topo, w, a, risk, lookups, seq, e) for seq, e in enumerate(edges)]
    r = Route(
        steps=tuple(steps), query=q, network=net.name, objective=total, port_area_of=port_areas(net)
    )
    from ..costs.risk import risk_rows

    rows = tuple(rows_for_route(risk_rows(net), r))
    regimes = sorted({g for row in rows for g in row.sanctions})
    kinds = net._cache.get("place_kinds")
    if kinds is None:
        kinds = {str(k): str(v) for k, v in net._places["kind"].items()}
        net._cache["place_kinds"] = kinds
    visited = dict.fromkeys(p for leg in steps for p in (leg.from_id, leg.to_id))
    return replace(
        r,
        sanctions_regimes=tuple(regimes),
        risk_rows=rows,
        place_kinds=tuple((p, kinds[p]) for p in visited),
    )


def _leg(
    topo: Topology,
    w: Weights,
    a: dict[str, Any],
    risk: tuple[Any, Any],
    lookups: tuple[dict[str, str], dict[str, Any], list[Any]],
    seq: int,
    e: int,
) -> Leg:
    """The :class:`Leg` of edge ``e``, the ``seq``-th of a route, with its components from the
    arrays ``a`` and ``risk`` (delay, money)."""
    names, geoms, link_geoms = lookups
    risk_d, risk_u = risk
    u, v = int(topo.src[e]), int(topo.dst[e])
    pu = topo.place_ids[int(topo.node_place[u])]
    pv = topo.place_ids[int(topo.node_place[v])]
    su = logical_service(topo.node_service[u])
    sv = logical_service(topo.node_service[v])
    et = int(topo.etype[e])
    if et == LINK:
        kind, mode, country, link_id, tkind, passages, geom = _link_leg_fields(topo, link_geoms, e)
    else:
        geom = geoms[pu]
        country = topo.place_country[int(topo.node_place[u])]
        link_id = None
        tkind = w.transfer_kind[e]
        passages = ()
        if et == TRANSFER:
            kind, mode = "transfer", "transfer"
        else:
            kind = "terminal"
            mode = (sv if et == LOAD else su).split("-")[0]
    return Leg(
        seq=seq,
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
        distance_km=_num(a["distance_km"][e]),
        running_time_h=_num(a["running_time_h"][e]),
        wait_h=_num(a["wait_h"][e]),
        dwell_h=_num(a["dwell_h"][e]),
        dwell_p90_h=_num(a["dwell_p90_h"][e]),
        transfer_time_h=_num(a["transfer_time_h"][e]),
        transfer_p90_h=_num(a["transfer_p90_h"][e]),
        terminal_time_h=_num(a["terminal_time_h"][e]),
        terminal_p90_h=_num(a["terminal_p90_h"][e]),
        running_cost_usd=_num(a["running_cost_usd"][e]),
        fee_usd=_num(a["fee_usd"][e]),
        transfer_cost_usd=_num(a["transfer_cost_usd"][e]),
        terminal_cost_usd=_num(a["terminal_cost_usd"][e]),
        headway_h=_num(a["headway_h"][e]),
        passages=passages,
        risk_delay_h=_num(risk_d[e]),
        risk_usd=_num(risk_u[e]),
        time_h=_num(a["time_h"][e]),
        cost_usd=_num(a["cost_usd"][e]),
        generalized_usd=_num(a["generalized"][e]),
        geometry=geom,
        service_id=service_id(topo.node_service[v if et != UNLOAD else u]),
    )


def _link_leg_fields(
    topo: Topology, link_geoms: list[Any], e: int
) -> tuple[str, str, str, str | None, str | None, tuple[str, ...], Any]:
    """Kind, mode, country text, link id, transfer kind (None), passages and geometry (in
    the direction travelled) of the link edge ``e``."""
    li = int(topo.elink[e])
    geom = link_geoms[li]
    if not topo.eforward[e] and geom is not None:
        geom = shapely.reverse(geom)
    kind = "border" if topo.eborder[e] else "link"
    cu = topo.place_country[int(topo.node_place[int(topo.src[e])])]
    cv = topo.place_country[int(topo.node_place[int(topo.dst[e])])]
    country = cu if cu == cv else f"{cu}-{cv}"
    return kind, str(topo.emode[e]), country, topo.link_ids[li], None, topo.link_passages[li], geom
