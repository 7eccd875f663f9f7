"""The expanded routable graph: one sub-node per service at each place, transfer edges where
services meet, and one weight array per objective.

Topology (nodes, edges, static attributes) depends only on the network and is built once per
network; weights depend on the cargo and are cached per cargo. Constraints (year, modes,
avoided countries, places, links) become boolean masks over edges, so one topology serves any
number of queries and scenarios without being rebuilt.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import networkx as nx
import numpy as np

from .costs import TRANSFER_PLACE_KINDS, Cargo, CostModel
from .errors import ParameterError
from .network import Network, link_is_usable, parse_gauges, services_of

__all__ = ["Topology", "Weights", "topology", "weights", "OBJECTIVES", "search"]

OBJECTIVES = ("distance_km", "time_h", "cost_usd", "generalized")
TIE_BREAK = 1e-9  # added to transfer edges so that ties never add pointless transfers

LINK, TRANSFER = 0, 1


@dataclass
class Topology:
    """Nodes and edges of the expanded graph of one network (cargo-independent)."""

    net: Network
    place_ids: list[str]
    place_country: list[str]
    place_kind: list[str]
    node_place: np.ndarray  # int, place index of each node
    node_service: list[str]  # service of each node
    node_of: dict[tuple[str, str], int]  # (place id, service) -> node
    src: np.ndarray
    dst: np.ndarray
    etype: np.ndarray  # LINK or TRANSFER
    elink: np.ndarray  # link row index, -1 for transfers
    eforward: np.ndarray  # bool: link traversed from from_id to to_id
    emode: np.ndarray  # object: mode of link edges, "transfer" for transfers
    eborder: np.ndarray  # bool
    edistance: np.ndarray  # km
    ecountry: list[str]  # tariff/speed country of link edges ("*" for sea/ferry)
    adjacency: list[list[tuple[int, int]]]  # node -> [(edge, head node)]
    link_ids: list[str]
    place_index: dict[str, int]
    _weights: dict[tuple[Any, ...], Weights] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.node_service)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    def usable(self, year: int | None) -> np.ndarray:
        """Edges usable in ``year`` (transfers always; links by status and opening year)."""
        links = self.net.links
        link_ok = np.array([link_is_usable(s, y, year)
                            for s, y in zip(links["status"], links["year"])], dtype=bool)
        out = np.ones(self.n_edges, dtype=bool)
        is_link = self.etype == LINK
        out[is_link] = link_ok[self.elink[is_link]]
        return out

    def edges_touching_places(self, place_idx: set[int]) -> np.ndarray:
        """Edges that start or end at any of these places."""
        if not place_idx:
            return np.zeros(self.n_edges, dtype=bool)
        places = np.fromiter(place_idx, dtype=np.int64)
        sp = self.node_place[self.src]
        dp = self.node_place[self.dst]
        return np.isin(sp, places) | np.isin(dp, places)

    def to_networkx(self, weight: np.ndarray, mask: np.ndarray | None = None) -> nx.MultiDiGraph:
        """The expanded graph as networkx (for checks and oracles): nodes are ints, edges carry
        ``weight`` and ``edge`` (index)."""
        g = nx.MultiDiGraph()
        g.add_nodes_from(range(self.n_nodes))
        for e in range(self.n_edges):
            if mask is None or mask[e]:
                g.add_edge(int(self.src[e]), int(self.dst[e]), key=e, edge=e,
                           weight=float(weight[e]))
        return g


def topology(net: Network) -> Topology:
    """The expanded graph of ``net`` (built once, cached on the network)."""
    cached = net._cache.get("topology")
    if cached is not None:
        return cached
    places = net.places
    place_ids = [str(p) for p in places["id"]]
    pidx = {p: i for i, p in enumerate(place_ids)}
    country = [str(c) for c in places["country"]]
    kind = [str(k) for k in places["kind"]]
    links = net.links
    link_ids = [str(x) for x in links["id"]]

    services: list[set[str]] = [set() for _ in place_ids]
    link_services: list[tuple[str, ...]] = []
    for a, b, mode, gauge in zip(links["from_id"], links["to_id"], links["mode"],
                                 links["gauge_mm"]):
        svcs = services_of(mode, parse_gauges(gauge))
        link_services.append(svcs)
        services[pidx[a]].update(svcs)
        services[pidx[b]].update(svcs)

    node_place: list[int] = []
    node_service: list[str] = []
    node_of: dict[tuple[str, str], int] = {}
    for i, place_svcs in enumerate(services):
        for s in sorted(place_svcs):
            node_of[(place_ids[i], s)] = len(node_service)
            node_place.append(i)
            node_service.append(s)

    src: list[int] = []
    dst: list[int] = []
    etype: list[int] = []
    elink: list[int] = []
    efwd: list[bool] = []
    emode: list[str] = []
    eborder: list[bool] = []
    edist: list[float] = []
    ecountry: list[str] = []

    def add(u: int, v: int, t: int, li: int, fwd: bool, mode: str, border: bool, km: float,
            ctry: str) -> None:
        src.append(u)
        dst.append(v)
        etype.append(t)
        elink.append(li)
        efwd.append(fwd)
        emode.append(mode)
        eborder.append(border)
        edist.append(km)
        ecountry.append(ctry)

    for li, (a, b, mode, lkind, km, oneway) in enumerate(zip(
            links["from_id"], links["to_id"], links["mode"], links["kind"],
            links["distance_km"], links["oneway"])):
        border = lkind == "border"
        for s in link_services[li]:
            u, v = node_of[(a, s)], node_of[(b, s)]
            ca = "*" if mode in ("sea", "ferry") else country[pidx[a]]
            cb = "*" if mode in ("sea", "ferry") else country[pidx[b]]
            add(u, v, LINK, li, True, mode, border, float(km), ca)
            if not oneway:
                add(v, u, LINK, li, False, mode, border, float(km), cb)

    ops = net.tables.get("operations")
    explicit: set[tuple[str, str, str]] = set()
    if ops is not None:
        for p, a, b in zip(ops["place_id"], ops["from_service"], ops["to_service"]):
            explicit.add((p, a, b))
            explicit.add((p, b, a))
    for i, place_svcs in enumerate(services):
        if len(place_svcs) < 2:
            continue
        pid = place_ids[i]
        for a in sorted(place_svcs):
            for b in sorted(place_svcs):
                if a == b:
                    continue
                if kind[i] in TRANSFER_PLACE_KINDS or (pid, a, b) in explicit:
                    add(node_of[(pid, a)], node_of[(pid, b)], TRANSFER, -1, True, "transfer",
                        False, 0.0, country[i])

    adjacency: list[list[tuple[int, int]]] = [[] for _ in node_service]
    for e, (u, v) in enumerate(zip(src, dst)):
        adjacency[u].append((e, v))

    topo = Topology(
        net=net, place_ids=place_ids, place_country=country, place_kind=kind,
        node_place=np.array(node_place, dtype=np.int64), node_service=node_service,
        node_of=node_of, src=np.array(src, dtype=np.int64), dst=np.array(dst, dtype=np.int64),
        etype=np.array(etype, dtype=np.int8), elink=np.array(elink, dtype=np.int64),
        eforward=np.array(efwd, dtype=bool), emode=np.array(emode, dtype=object),
        eborder=np.array(eborder, dtype=bool), edistance=np.array(edist, dtype=float),
        ecountry=ecountry, adjacency=adjacency, link_ids=link_ids, place_index=pidx)
    net._cache["topology"] = topo
    return topo


@dataclass
class Weights:
    """Per-edge time and cost components for one cargo, and the objective arrays.

    Component arrays (all per edge): ``running_time_h``, ``wait_h``, ``dwell_h``,
    ``dwell_p90_h``, ``transfer_time_h``, ``transfer_p90_h``, ``running_cost_usd``,
    ``fee_usd``, ``transfer_cost_usd``. Objectives: ``distance_km``, ``time_h``, ``cost_usd``,
    ``generalized``. ``missing`` maps an objective to {edge: reason} where the data lacks a
    parameter.
    """

    cargo: Cargo
    arrays: dict[str, np.ndarray]
    missing: dict[str, dict[int, str]]
    transfer_kind: list[str | None]
    transfer_rule: list[str | None]

    def objective(self, name: str) -> np.ndarray:
        return self.arrays[name]


def weights(net: Network, cargo: Cargo) -> Weights:
    """Weight arrays of the expanded graph of ``net`` for ``cargo`` (cached)."""
    topo = topology(net)
    hit = topo._weights.get(cargo.key)
    if hit is not None:
        return hit
    cm = CostModel(net, cargo)
    links = net.links
    n = topo.n_edges
    nan = float("nan")
    run_t = np.full(n, nan)
    wait = np.zeros(n)
    dwell = np.zeros(n)
    dwell90 = np.zeros(n)
    xfer_t = np.zeros(n)
    xfer_90 = np.zeros(n)
    run_c = np.full(n, nan)
    fee = np.zeros(n)
    xfer_c = np.zeros(n)
    miss_t: dict[int, str] = {}
    miss_c: dict[int, str] = {}
    t_kind: list[str | None] = [None] * n
    t_rule: list[str | None] = [None] * n

    speed_o = links["speed_kmh"].to_numpy(dtype=float)
    time_o = links["time_h"].to_numpy(dtype=float)
    rate_o = links["usd_per_teu_km"].to_numpy(dtype=float)
    headway = links["headway_h"].to_numpy(dtype=float)
    for e in range(n):
        if topo.etype[e] == LINK:
            li = int(topo.elink[e])
            mode = str(topo.emode[e])
            ctry = topo.ecountry[e]
            km = topo.edistance[e]
            lid = topo.link_ids[li]
            if math.isfinite(time_o[li]):
                run_t[e] = time_o[li]
            else:
                sp = cm.speed_kmh(mode, ctry, speed_o[li])
                if math.isfinite(sp) and sp > 0:
                    run_t[e] = km / sp
                else:
                    miss_t[e] = (f"link {lid!r} ({mode}, {ctry}): no speed: add a speeds.csv "
                                 f"row for ({mode}, {ctry}) or ({mode}, *), or set the link's "
                                 "speed_kmh or time_h")
            if math.isfinite(headway[li]):
                wait[e] = headway[li] / 2.0
            rate = cm.rate_usd_per_km(mode, ctry, rate_o[li])
            if math.isfinite(rate):
                run_c[e] = km * rate
            else:
                col = {"20ft": "usd_per_teu_km", "40ft": "usd_per_feu_km"}.get(
                    cargo.unit, "usd_per_tonne_km")
                miss_c[e] = (f"link {lid!r} ({mode}, {ctry}): no tariff for {cargo.unit} cargo: "
                             f"add {col} to a tariffs.csv row for ({mode}, {ctry}) or "
                             f"({mode}, *)")
            if topo.eborder[e]:
                direction = "forward" if topo.eforward[e] else "reverse"
                d50, d90, f, _ = cm.crossing(lid, direction)
                if math.isfinite(d50):
                    dwell[e], dwell90[e] = d50, d90
                else:
                    miss_t[e] = (f"border link {lid!r}: no crossings.csv row for direction "
                                 f"{direction!r}")
                if math.isfinite(f):
                    fee[e] = f
                else:
                    miss_c[e] = (f"border link {lid!r}: no fee_usd in crossings.csv for "
                                 f"direction {direction!r}")
        else:
            u, v = int(topo.src[e]), int(topo.dst[e])
            pi = int(topo.node_place[u])
            a, b = topo.node_service[u], topo.node_service[v]
            spec = cm.transfer(topo.place_ids[pi], topo.place_kind[pi], a, b)
            if spec is None:  # pragma: no cover - topology only builds allowed transfers
                continue
            run_t[e] = 0.0
            run_c[e] = 0.0
            t_kind[e] = spec.kind
            t_rule[e] = spec.row
            where = f"transfer {a}->{b} at {topo.place_ids[pi]!r} ({spec.kind})"
            if math.isfinite(spec.time_h):
                xfer_t[e], xfer_90[e] = spec.time_h, spec.time_p90_h
            else:
                miss_t[e] = f"{where}: no time ({spec.row}); add an operations.csv row"
            if math.isfinite(spec.cost_usd):
                xfer_c[e] = spec.cost_usd
            else:
                miss_c[e] = f"{where}: no cost for {cargo.unit} cargo ({spec.row})"

    time_h = run_t + wait + dwell + xfer_t
    cost = run_c + fee + xfer_c
    for e in miss_t:
        time_h[e] = nan
    for e in miss_c:
        cost[e] = nan
    gen = cost + time_h * cargo.time_value_usd_per_h
    miss_g = {**miss_t, **miss_c}
    arrays = {
        "distance_km": topo.edistance.copy(),
        "time_h": time_h,
        "cost_usd": cost,
        "generalized": gen,
        "running_time_h": run_t,
        "wait_h": wait,
        "dwell_h": dwell,
        "dwell_p90_h": dwell90,
        "transfer_time_h": xfer_t,
        "transfer_p90_h": xfer_90,
        "running_cost_usd": run_c,
        "fee_usd": fee,
        "transfer_cost_usd": xfer_c,
    }
    w = Weights(cargo=cargo, arrays=arrays,
                missing={"distance_km": {}, "time_h": miss_t, "cost_usd": miss_c,
                         "generalized": miss_g},
                transfer_kind=t_kind, transfer_rule=t_rule)
    topo._weights[cargo.key] = w
    return w


def check_weights(w: Weights, objective: str, mask: np.ndarray, net_name: str) -> None:
    """Raise ParameterError if an edge that the query may use lacks the objective's data."""
    missing = w.missing[objective]
    bad = [e for e in missing if mask[e]]
    if not bad:
        return
    bad.sort()
    reasons = sorted({missing[e] for e in bad})
    shown = reasons[:12]
    more = f"\n  ... and {len(reasons) - len(shown)} more" if len(reasons) > len(shown) else ""
    raise ParameterError(
        f"cannot route by {objective!r} on {net_name}: {len(reasons)} parameter(s) missing:\n  "
        + "\n  ".join(shown) + more)


def search(
    topo: Topology,
    weight: np.ndarray,
    mask: np.ndarray,
    sources: list[int],
    target_place: int,
    *,
    via_places: list[int] | tuple[int, ...] = (),
    max_transfers: int | None = None,
) -> tuple[float, list[int]] | None:
    """Least-weight path over allowed edges from any source node to any node of the target
    place, passing the via places in order, with at most ``max_transfers`` transfer edges.

    Dijkstra on states (node, via stage, transfers used). Returns (total weight, edges) or
    None when no path exists. Ties are broken by insertion order, so results are
    deterministic.
    """
    n = topo.n_nodes
    stages = len(via_places) + 1
    limit = (max_transfers + 1) if max_transfers is not None else 1
    counting = max_transfers is not None
    wl = (weight + np.where(topo.etype == TRANSFER, TIE_BREAK, 0.0)).tolist()
    allowed = mask.tolist()
    is_transfer = (topo.etype == TRANSFER).tolist()
    node_place = topo.node_place.tolist()
    adjacency = topo.adjacency
    via = list(via_places)

    dist: dict[int, float] = {}
    prev: dict[int, tuple[int, int]] = {}
    heap: list[tuple[float, int, int]] = []
    tie = count()
    for v in sources:
        st = v  # stage 0, no transfers
        if dist.get(st, math.inf) > 0.0:
            dist[st] = 0.0
            heapq.heappush(heap, (0.0, next(tie), st))
    while heap:
        d, _, st = heapq.heappop(heap)
        if d > dist.get(st, math.inf):
            continue
        v = st % n
        rest = st // n
        s = rest % stages
        k = rest // stages
        place = node_place[v]
        if s < stages - 1 and place == via[s]:
            nxt = v + n * ((s + 1) + stages * k)
            if d < dist.get(nxt, math.inf):
                dist[nxt] = d
                prev[nxt] = (st, -1)
                heapq.heappush(heap, (d, next(tie), nxt))
            continue
        if s == stages - 1 and place == target_place:
            edges: list[int] = []
            cur = st
            while cur in prev:
                p, e = prev[cur]
                if e >= 0:
                    edges.append(e)
                cur = p
            edges.reverse()
            total = float(sum(float(weight[e]) for e in edges))
            return total, edges
        for e, w in adjacency[v]:
            if not allowed[e]:
                continue
            k2 = k + 1 if (counting and is_transfer[e]) else k
            if k2 >= limit:
                continue
            nd = d + wl[e]
            st2 = w + n * (s + stages * k2)
            if nd < dist.get(st2, math.inf):
                dist[st2] = nd
                prev[st2] = (st, e)
                heapq.heappush(heap, (nd, next(tie), st2))
    return None


def objective_name(minimize: str) -> str:
    """Canonical objective name from a user's word (``cost`` -> ``cost_usd``)."""
    aliases = {"distance": "distance_km", "km": "distance_km", "time": "time_h",
               "cost": "cost_usd", "money": "cost_usd", "generalised": "generalized",
               "generalized_usd": "generalized"}
    name = aliases.get(minimize, minimize)
    if name not in OBJECTIVES:
        raise ParameterError(f"unknown objective {minimize!r}; allowed: "
                             + ", ".join(OBJECTIVES) + " (or distance, time, cost)")
    return name
