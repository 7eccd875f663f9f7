"""The expanded routable graph: one sub-node per service at each place, transfer edges where
services meet, terminal edges at the ends of a journey, and the search.

Nodes
    ``(place, service)`` for every land service that touches a place (``rail-1676``,
    ``rail-1435``, ``rail-1520``, ``road``); for water services (``sea``, ``ferry``) two nodes,
    ``sea`` (the cargo is on board, leaving) and ``sea:in`` (the cargo has arrived by ship), so
    that a box that arrives by one ship and leaves by another crosses a *transshipment* edge
    instead of sailing through for free; and one ``gate`` node per place, where a journey
    starts (loading) and ends (unloading).
Edges
    ``LINK`` edges for each usable direction of each link and each service it carries;
    ``TRANSFER`` edges between the services that meet at a place (gauge breaks, port
    handling, mode changes, transshipment); ``LOAD`` edges ``gate -> service`` and ``UNLOAD``
    edges ``service -> gate``, which routing opens only at the origin and the destination.

The topology depends only on the structure of the network (places, links, their modes,
gauges and direction, and which transfers the operations table allows). Everything a query or
a scenario changes (year, closures, avoided items, modes, cargo) is a boolean mask over edges
or a weight array (:mod:`corridors.costs`), so one topology serves every query and scenario.
The topology is a snapshot: it copies what it needs (statuses and years included) and never
reads the network's frames again.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import ParameterError

if TYPE_CHECKING:  # imported where used: import corridors stays light (issue 18)
    import networkx as nx
from ..model.codes import per_value, positions, set_codes, sorted_unique
from ..model.network import Network
from ..model.schema import (
    TRANSFER_PLACE_KINDS,
    link_is_usable,
    parse_gauges,
    services_of,
    split_list,
)
from .csr import CSR_CACHE_BYTES as CSR_CACHE_BYTES
from .csr import edge_csr as edge_csr
from .services import (
    SERVICE_SEP,
    ServiceInfo,
    _scheduled_services,
    rotation_directions,
    service_order,
    service_runs,
)
from .services import scheduled_services as scheduled_services

__all__ = [
    "Topology",
    "topology",
    "edge_csr",
    "OBJECTIVES",
    "objective_name",
    "LINK",
    "on_grid",
    "TIE_BREAK",
    "TRANSFER",
    "LOAD",
    "UNLOAD",
    "TRANSFER_PLACE_KINDS",
    "WATER_MODES",
    "logical_service",
]

OBJECTIVES = ("distance_km", "time_h", "cost_usd", "generalized", "risk")

LINK, TRANSFER, LOAD, UNLOAD = 0, 1, 2, 3
GATE = "gate"
WATER_MODES = ("sea", "ferry")
ARRIVED = ":in"

# Place kinds where services may meet with default transfer costs (others need explicit rows).
# Place kinds where a box may go from one ship to another by default.
TRANSSHIPMENT_PLACE_KINDS = ("port",)


def logical_service(node_service: str) -> str:
    """The track service a node stands for: ``sea:in`` -> ``sea``,
    ``rail-1520~rzdl_instc_east`` (a scheduled train, services.csv) -> ``rail-1520``."""
    s = node_service[: -len(ARRIVED)] if node_service.endswith(ARRIVED) else node_service
    return s.split(SERVICE_SEP, 1)[0]


def service_id(node_service: str) -> str | None:
    """The services.csv id of a scheduled service's node, None for the default services."""
    s = node_service[: -len(ARRIVED)] if node_service.endswith(ARRIVED) else node_service
    return s.split(SERVICE_SEP, 1)[1] if SERVICE_SEP in s else None


@dataclass
class Topology:
    """Nodes and edges of the expanded graph of one network (cargo- and query-independent).

    Edge arrays are numpy arrays of length ``n_edges``; node arrays of length ``n_nodes``.
    ``link_status`` and ``link_year`` are copies of the links' status and year (by link row),
    so the topology never reads the network again.
    """

    name: str
    place_ids: list[str]
    place_country: list[str]
    place_kind: list[str]
    node_place: np.ndarray  # int, place index of each node
    node_service: list[str]  # service of each node ("rail-1435", "road", "sea", "sea:in", "gate")
    gate_of: np.ndarray  # int, gate node of each place
    src: np.ndarray
    dst: np.ndarray
    etype: np.ndarray  # LINK, TRANSFER, LOAD or UNLOAD
    elink: np.ndarray  # link row index, -1 for other edges
    eforward: np.ndarray  # bool: link traversed from from_id to to_id
    emode_code: np.ndarray  # int: mode of each edge in mode_names (text: ``emode``)
    mode_names: tuple[str, ...]  # link modes, then "transfer", "load", "unload"
    eborder: np.ndarray  # bool
    eaccess: np.ndarray  # bool: link of kind "access" (drayage between a city and its terminal)
    edistance: np.ndarray  # km
    ecountry_code: np.ndarray  # int: tariff/speed country in country_names (``ecountry``)
    country_names: tuple[str, ...]  # place countries, then "*" (sea and ferry links)
    link_ids: list[str]
    link_status: list[str]
    link_year: list[Any]
    link_passages: list[tuple[str, ...]]
    link_cargo_units: list[tuple[str, ...]]
    place_index: dict[str, int]
    # caches derived from the structure only (adjacency, edge orders): shared, by reference,
    # by every topology of the same structure (dataclasses.replace keeps the same dict)
    _static: dict[str, Any] = field(default_factory=dict)
    _weights: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    # scheduled services (services.csv) by node service name
    services: dict[str, ServiceInfo] = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        return len(self.node_service)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    @property
    def node_of(self) -> dict[tuple[str, str], int]:
        """(place id, node service) -> node (a dict of every node, built on first use; the
        engine itself looks nodes up by place: :meth:`nodes_at`)."""
        hit = self._static.get("node_of")
        if hit is None:
            ids = self.place_ids
            hit = {
                (ids[p], s): v
                for v, (p, s) in enumerate(zip(self.node_place.tolist(), self.node_service))
            }
            self._static["node_of"] = hit
        return hit  # type: ignore[no-any-return]

    def nodes_at(self, place: int) -> range:
        """The nodes of place index ``place`` (consecutive: its gate, then its services)."""
        start = int(self.gate_of[place])
        end = int(self.gate_of[place + 1]) if place + 1 < len(self.gate_of) else self.n_nodes
        return range(start, end)

    @property
    def emode(self) -> np.ndarray:
        """Mode text of each edge (made on first use): link mode, transfer, load, unload."""
        return self._names("emode", self.mode_names, self.emode_code)

    @property
    def ecountry(self) -> np.ndarray:
        """Country text of each edge (made on first use): a link's from-place country (``*``
        for sea and ferry), a place edge's place country."""
        return self._names("ecountry", self.country_names, self.ecountry_code)

    def _names(self, key: str, names: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
        hit = self._static.get(key)
        if hit is None:
            hit = self._static[key] = np.array(names, dtype=object)[codes]
            hit.flags.writeable = False
        return hit  # type: ignore[no-any-return]

    @property
    def adjacency(self) -> list[list[tuple[int, int]]]:
        """node -> [(edge, head node)], in edge order (built on first use)."""
        adj = self._static.get("adjacency")
        if adj is None:
            adj = [[] for _ in range(self.n_nodes)]
            for e, (u, v) in enumerate(zip(self.src.tolist(), self.dst.tolist())):
                adj[u].append((e, v))
            self._static["adjacency"] = adj
        return adj  # type: ignore[no-any-return]

    @property
    def in_adjacency(self) -> list[list[tuple[int, int]]]:
        """node -> [(edge, tail node)] of the edges into it, in edge order (built on first
        use)."""
        adj = self._static.get("in_adjacency")
        if adj is None:
            adj = [[] for _ in range(self.n_nodes)]
            for e, (u, v) in enumerate(zip(self.src.tolist(), self.dst.tolist())):
                adj[v].append((e, u))
            self._static["in_adjacency"] = adj
        return adj  # type: ignore[no-any-return]

    def _static_array(self, name: str) -> np.ndarray:
        """A read-only array derived from the structure, computed once."""
        hit = self._static.get(name)
        if hit is None:
            if name == "src_place":
                hit = self.node_place[self.src]
            elif name == "dst_place":
                hit = self.node_place[self.dst]
            elif name == "out_order":  # edges by (tail, head, edge)
                hit = np.lexsort((self.dst, self.src))
            elif name == "in_order":  # edges by (head, edge)
                hit = np.argsort(self.dst, kind="stable")
            elif name == "in_ptr":  # in_order[in_ptr[v]:in_ptr[v + 1]] enter node v
                hit = np.zeros(self.n_nodes + 1, dtype=np.int64)
                np.cumsum(np.bincount(self.dst, minlength=self.n_nodes), out=hit[1:])
            elif name == "is_transfer":
                hit = self.etype == TRANSFER
            else:
                raise KeyError(name)
            hit.flags.writeable = False
            self._static[name] = hit
        return hit  # type: ignore[no-any-return]

    @property
    def src_place(self) -> np.ndarray:
        return self._static_array("src_place")

    @property
    def dst_place(self) -> np.ndarray:
        return self._static_array("dst_place")

    def usable(self, year: int | None) -> np.ndarray:
        """Edges usable in ``year`` (non-link edges always; links by status and year)."""
        cache_key = ("usable", year)
        hit = self._weights.get(cache_key)
        if hit is not None:
            return np.asarray(hit).copy()
        link_ok = np.array(
            [link_is_usable(s, y, year) for s, y in zip(self.link_status, self.link_year)],
            dtype=bool,
        )
        out = np.ones(self.n_edges, dtype=bool)
        is_link = self.etype == LINK
        out[is_link] = link_ok[self.elink[is_link]]
        if self.services:
            # a scheduled service runs only while its own status, year and until_year allow
            closed = {name for name, s in self.services.items() if not service_runs(s, year)}
            if closed:  # both nodes of a ship's service (``sea~<id>``, ``sea~<id>:in``)
                node_closed = np.array(
                    [s.removesuffix(ARRIVED) in closed for s in self.node_service], dtype=bool
                )
                out &= ~(node_closed[self.src] | node_closed[self.dst])
        self._weights[cache_key] = out
        return out.copy()

    def edges_touching_places(self, place_idx: set[int] | Sequence[int]) -> np.ndarray:
        """Edges that start or end at any of these places."""
        if not len(place_idx):
            return np.zeros(self.n_edges, dtype=bool)
        places = np.fromiter(place_idx, dtype=np.int64)
        return np.isin(self.src_place, places) | np.isin(self.dst_place, places)

    def entering(self, place: int) -> np.ndarray:
        """Edges that enter ``place`` from another place (link edges)."""
        return (self.dst_place == place) & (self.src_place != place)

    def to_networkx(self, weight: np.ndarray, mask: np.ndarray | None = None) -> nx.MultiDiGraph:
        """The expanded graph as networkx (for checks and oracles): nodes are ints, edges carry
        ``weight`` and ``edge`` (index)."""
        import networkx as nx

        g = nx.MultiDiGraph()
        g.add_nodes_from(range(self.n_nodes))
        for e in range(self.n_edges):
            if mask is None or mask[e]:
                g.add_edge(
                    int(self.src[e]), int(self.dst[e]), key=e, edge=e, weight=float(weight[e])
                )
        return g


def _explicit_pairs(net: Network) -> set[tuple[str, str, str]]:
    ops = net._tables.get("operations")
    out: set[tuple[str, str, str]] = set()
    if ops is None:
        return out
    for p, a, b, kind in zip(ops["place_id"], ops["from_service"], ops["to_service"], ops["kind"]):
        if kind == "terminal" or p == "*":
            continue
        out.add((p, a, b))
        out.add((p, b, a))
    return out


_SHARED: OrderedDict[str, Topology] = OrderedDict()  # structure key -> topology
_SHARED_MAX = 8


def structure_key(net: Network) -> str:
    """A hash of what the expanded graph's shape depends on: place ids and kinds, links' ends,
    modes, gauges, kinds and direction, and which places have explicit transfer rows. Networks
    that differ only in parameters (tariffs, speeds, dwell, status, year, distances) share it,
    so a scenario is a new set of masks and weights on the same topology, not a rebuild."""
    places, links = net._places, net._links
    h = hashlib.sha256()
    h.update("\x1f".join(places.index.astype(str).tolist()).encode())
    for col in (places["kind"].astype(str), places["country"].astype(str)):
        _hash_codes(h, col)
    for name in ("from_id", "to_id"):
        h.update("\x1f".join(map(str, links[name].tolist())).encode())
    for name in ("mode", "kind", "gauge_mm", "oneway"):  # few distinct values: by codes
        _hash_codes(h, links[name])
    h.update("\x1f".join(links.index.astype(str).tolist()).encode())
    h.update(repr(sorted(_explicit_pairs(net))).encode())
    services = net._tables.get("services")
    if services is not None:  # scheduled services add nodes and edges (and carry statuses)
        h.update(services.to_csv(index=False).encode())
    return h.hexdigest()


def _hash_codes(h: Any, column: pd.Series) -> None:
    """Add a column of few distinct values to a hash: its distinct values as text, in order
    of first appearance, then the code of every row (no text per row)."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    h.update("\x1f".join(map(str, uniques)).encode() + b"\x1e")
    h.update(codes.astype(np.int64).tobytes())


def topology(net: Network) -> Topology:
    """The expanded graph of ``net``: built once per network structure and cached.

    Networks with the same structure (:func:`structure_key`), such as a scenario of another
    network, share the node and edge arrays; each gets its own copy of the link attributes
    that are not structure (status, year, passages, cargo limits) and its own weights.
    """
    cached = net._cache.get("topology")
    if cached is not None:
        return cached
    key = structure_key(net)
    shared = _SHARED.get(key)
    if shared is not None:
        _SHARED.move_to_end(key)
        links = net._links
        topo = replace(
            shared,
            name=net.name,
            **_link_attributes(links)._asdict(),
            edistance=_edge_distance(shared, links),
            _weights={},
        )
        net._cache["topology"] = topo
        return topo
    topo = _build(net)
    _SHARED[key] = topo
    while len(_SHARED) > _SHARED_MAX:
        _SHARED.popitem(last=False)
    net._cache["topology"] = topo
    return topo


class _LinkAttributes(NamedTuple):
    """The links' attributes a topology copies (not structure), by link row."""

    link_status: list[str]
    link_year: list[Any]
    link_passages: list[tuple[str, ...]]
    link_cargo_units: list[tuple[str, ...]]


def _link_attributes(links: Any) -> _LinkAttributes:
    """Status, year, passages and cargo units of every link (each distinct text parsed
    once)."""
    return _LinkAttributes(
        link_status=per_value(links["status"], str),
        link_year=links["year"].tolist(),
        link_passages=per_value(links["passages"], lambda v: tuple(split_list(v))),
        link_cargo_units=per_value(links["cargo_units"], lambda v: tuple(split_list(v))),
    )


def _edge_distance(topo: Topology, links: Any) -> np.ndarray:
    km = links["distance_km"].to_numpy(dtype=float)
    out = np.zeros(topo.n_edges)
    is_link = topo.etype == LINK
    out[is_link] = km[topo.elink[is_link]]
    return out


class _Nodes(NamedTuple):
    """The node layout of a topology: per place its gate, then its services' nodes."""

    gate_of: np.ndarray  # gate node per place
    node_place: np.ndarray  # place per node
    node_service: list[str]  # node service per node
    dep_at: np.ndarray  # (place, service rank) -> departing node or -1
    arr_at: np.ndarray  # (place, service rank) -> arriving node (``:in`` for water services)
    pair_place: np.ndarray  # place of each distinct (place, service rank) pair, sorted
    pair_rank: np.ndarray  # service rank of each such pair


def _build(net: Network) -> Topology:
    """The expanded graph of ``net`` (uncached; see :func:`topology`)."""
    places = net._places
    place_ids = list(map(str, places.index.tolist()))
    pidx = dict(zip(place_ids, range(len(place_ids))))
    country = per_value(places["country"], str)
    kind = per_value(places["kind"], str)
    links = net._links
    link_mode = links["mode"].to_numpy(dtype=object)
    svc_names, item_link, item_rank, service_info = _link_services(net, link_mode)
    a_place, b_place = _end_rows(net, place_ids, pidx)
    nodes = _nodes(len(place_ids), svc_names, a_place, b_place, item_link, item_rank)
    on_board = np.array(
        [SERVICE_SEP in x and logical_service(x) in WATER_MODES for x in svc_names], dtype=bool
    )
    item_dir = _item_directions(net, svc_names, item_link, item_rank)
    li, fwd, l_src, l_dst = _link_edges(
        net, nodes, a_place, b_place, item_link, item_rank, on_board, item_dir
    )
    m_code, m_names = pd.factorize(link_mode, use_na_sentinel=False)
    c_code, c_names = pd.factorize(np.array(country, dtype=object), use_na_sentinel=False)
    # a link is priced and timed by the country of its from-place in both directions, so the
    # two directions of a cross-border link differ only by what the data says per direction
    l_country = np.where(np.isin(link_mode, WATER_MODES)[li], len(c_names), c_code[a_place[li]])
    e_place, p_type, p_src, p_dst, p_mode = _place_edges(net, place_ids, kind, svc_names, nodes)
    n_link, n_other = len(li), len(e_place)
    lkind = links["kind"].to_numpy(dtype=object)
    link_km = links["distance_km"].to_numpy(dtype=float)
    return Topology(
        name=net.name,
        place_ids=place_ids,
        place_country=country,
        place_kind=kind,
        node_place=nodes.node_place,
        node_service=nodes.node_service,
        gate_of=nodes.gate_of,
        src=np.concatenate([l_src, p_src]).astype(np.int64),
        dst=np.concatenate([l_dst, p_dst]).astype(np.int64),
        etype=np.concatenate([np.full(n_link, LINK, dtype=np.int8), p_type]),
        elink=np.concatenate([li, np.full(n_other, -1, dtype=np.int64)]),
        eforward=np.concatenate([fwd, np.ones(n_other, dtype=bool)]),
        emode_code=np.concatenate([m_code[li], len(m_names) + p_mode]).astype(np.int32),
        mode_names=(*map(str, m_names), *_PLACE_EDGE_MODES),
        eborder=np.concatenate(
            [(lkind == "border").astype(bool)[li], np.zeros(n_other, dtype=bool)]
        ),
        eaccess=np.concatenate(
            [(lkind == "access").astype(bool)[li], np.zeros(n_other, dtype=bool)]
        ),
        edistance=np.concatenate([link_km[li], np.zeros(n_other)]),
        ecountry_code=np.concatenate([l_country, c_code[e_place]]).astype(np.int32),
        country_names=(*map(str, c_names), "*"),
        link_ids=list(map(str, links.index.tolist())),
        **_link_attributes(links)._asdict(),
        place_index=pidx,
        services=service_info,
    )


def _end_rows(
    net: Network, place_ids: list[str], pidx: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The place row of each link's from and to place: as validation found them, when the
    network was built from validated frames (no problem found), else looked up."""
    links = net._links
    ends = net._cache.get("validated", {}).get("link_end_rows")
    if (
        ends is not None
        and len(ends[0]) == len(ends[1]) == len(links)
        and len(pidx) == len(place_ids)
        and all(len(e) == 0 or (e.min() >= 0 and e.max() < len(place_ids)) for e in ends)
    ):
        return ends[0].astype(np.int64), ends[1].astype(np.int64)
    return positions(place_ids, pidx, links["from_id"]), positions(place_ids, pidx, links["to_id"])


def _link_services(
    net: Network, link_mode: np.ndarray
) -> tuple[list[str], np.ndarray, np.ndarray, dict[str, ServiceInfo]]:
    """The sorted service names, one item per (link, service) in link order and the link's
    service order (its link and its service's rank), and the scheduled services' info.

    The services of each link are found once per distinct (mode, gauge, scheduled services);
    a service is numbered by its rank among all service names, so that sorting ranks sorts
    names."""
    links = net._links
    extra, service_info = _scheduled_services(net)
    # combos per distinct (mode, gauge), then (mode, gauge, services) where services run
    gauge = links["gauge_mm"].to_numpy(dtype=object)
    m_code, m_uniq = pd.factorize(link_mode, use_na_sentinel=False)
    g_code, g_uniq = pd.factorize(gauge, use_na_sentinel=False)
    n_g = max(len(g_uniq), 1)
    combo_code, base = pd.factorize(m_code.astype(np.int64) * n_g + g_code)
    combo_of = combo_code.astype(np.int64)
    combos: dict[tuple[Any, Any, Any], int] = {
        (m_uniq[k // n_g], g_uniq[k % n_g], ()): i for i, k in enumerate(base.tolist())
    }
    keys = list(combos)
    for row, x in sorted(extra.items()):
        k = (link_mode[row], gauge[row], x)
        if k not in combos:
            combos[k] = len(keys)
            keys.append(k)
        combo_of[row] = combos[k]
    combo_svcs = [services_of(m, parse_gauges(g)) + x for m, g, x in keys]
    # scheduled services first: where one ties with the default train, the route takes it
    svc_names = sorted({s for svcs in combo_svcs for s in svcs}, key=service_order)
    rank = {s: r for r, s in enumerate(svc_names)}
    combo_n = np.array([len(svcs) for svcs in combo_svcs], dtype=np.int64)
    combo_ranks = np.array([rank[s] for svcs in combo_svcs for s in svcs], dtype=np.int64)
    combo_off = np.zeros(len(combo_svcs) + 1, dtype=np.int64)
    np.cumsum(combo_n, out=combo_off[1:])

    # one item per (link, service), in link order and the link's service order
    per_link = combo_n[combo_of]
    item_link = np.repeat(np.arange(len(links), dtype=np.int64), per_link)
    first_item = np.zeros(len(links) + 1, dtype=np.int64)
    np.cumsum(per_link, out=first_item[1:])
    item_pos = np.arange(len(item_link), dtype=np.int64) - first_item[item_link]
    item_rank = combo_ranks[combo_off[combo_of[item_link]] + item_pos]
    return svc_names, item_link, item_rank, service_info


def _nodes(
    n_places: int,
    svc_names: list[str],
    a_place: np.ndarray,
    b_place: np.ndarray,
    item_link: np.ndarray,
    item_rank: np.ndarray,
) -> _Nodes:
    """The nodes: per place its gate, then its services in sorted order (water ones twice:
    leaving, then arrived; a liner string's or ferry line's too: at the quay for its next
    sailing, then on board)."""
    svc_water = np.array([logical_service(s) in WATER_MODES for s in svc_names], dtype=bool)
    n_svc = max(len(svc_names), 1)
    pair_key = sorted_unique(
        np.concatenate(
            [a_place[item_link] * n_svc + item_rank, b_place[item_link] * n_svc + item_rank]
        ),
        n_places * n_svc,
    )
    pair_place = pair_key // n_svc
    pair_rank = pair_key % n_svc
    pair_size = (
        np.where(svc_water[pair_rank], 2, 1) if len(svc_names) else np.zeros(0, dtype=np.int64)
    )
    before = np.zeros(len(pair_key) + 1, dtype=np.int64)
    np.cumsum(pair_size, out=before[1:])
    pair_node = pair_place + 1 + before[:-1]
    size_of_place = np.bincount(pair_place, weights=pair_size, minlength=n_places).astype(np.int64)
    place_before = np.zeros(n_places, dtype=np.int64)
    np.cumsum(size_of_place[:-1], out=place_before[1:])
    gate_of = np.arange(n_places, dtype=np.int64) + place_before
    n_nodes = n_places + int(before[-1])
    node_place_a = np.empty(n_nodes, dtype=np.int64)
    node_svc = np.empty(n_nodes, dtype=object)
    node_place_a[gate_of] = np.arange(n_places, dtype=np.int64)
    node_svc[gate_of] = GATE
    names_arr = np.array(svc_names, dtype=object)
    node_place_a[pair_node] = pair_place
    node_svc[pair_node] = names_arr[pair_rank] if len(svc_names) else np.zeros(0, dtype=object)
    water_pair = pair_size == 2
    node_place_a[pair_node[water_pair] + 1] = pair_place[water_pair]
    node_svc[pair_node[water_pair] + 1] = (
        np.array([s + ARRIVED for s in svc_names], dtype=object)[pair_rank[water_pair]]
        if water_pair.any()
        else np.zeros(0, dtype=object)
    )
    dep_at = np.full((n_places, n_svc), -1, dtype=np.int64)
    dep_at[pair_place, pair_rank] = pair_node
    arr_at = dep_at + svc_water[np.newaxis, :] if len(svc_names) else dep_at
    return _Nodes(gate_of, node_place_a, node_svc.tolist(), dep_at, arr_at, pair_place, pair_rank)


def _item_directions(
    net: Network, svc_names: list[str], item_link: np.ndarray, item_rank: np.ndarray
) -> np.ndarray:
    """Per item, 0 where its service runs both ways over the link, 1 forward only, 2 reverse
    only (a one-way rotation: :func:`~corridors.engine.services.rotation_directions`)."""
    item_dir = np.zeros(len(item_link), dtype=np.int8)
    rot = rotation_directions(net)
    if rot:
        rank = {s: r for r, s in enumerate(svc_names)}
        key = item_link * max(len(svc_names), 1) + item_rank
        for (row, name), forward in rot.items():
            if name in rank:
                hit = key == row * max(len(svc_names), 1) + rank[name]
                item_dir[hit] = 1 if forward else 2
    return item_dir


def _link_edges(
    net: Network,
    nodes: _Nodes,
    a_place: np.ndarray,
    b_place: np.ndarray,
    item_link: np.ndarray,
    item_rank: np.ndarray,
    on_board: np.ndarray,
    item_dir: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The link edges, per item forward, then reverse unless one-way (the link, or the item's
    service: ``item_dir``): each edge's link row, direction (True: forward), source and
    target node. Then, for the items of a ship's scheduled service (``on_board`` by rank), the
    same sailings from the on-board node (the box stays on the ship through the call): their
    own edges, after all the others."""
    twoway = np.array([not o for o in net._links["oneway"].tolist()], dtype=bool)
    n_dir = np.where(twoway[item_link] & (item_dir == 0), 2, 1)
    edge_item = np.repeat(np.arange(len(item_link), dtype=np.int64), n_dir)
    first_dir = np.zeros(len(item_link) + 1, dtype=np.int64)
    np.cumsum(n_dir, out=first_dir[1:])
    fwd = (np.arange(len(edge_item), dtype=np.int64) - first_dir[edge_item]) == 0
    fwd &= ~((item_dir[edge_item] == 2) & twoway[item_link[edge_item]])
    li = item_link[edge_item]
    r = item_rank[edge_item]
    tail = np.where(fwd, a_place[li], b_place[li])
    head = np.where(fwd, b_place[li], a_place[li])
    src = nodes.dep_at[tail, r]
    stay = np.flatnonzero(on_board[r]) if len(on_board) else np.zeros(0, dtype=np.int64)
    if len(stay):
        li = np.concatenate([li, li[stay]])
        fwd = np.concatenate([fwd, fwd[stay]])
        src = np.concatenate([src, nodes.arr_at[tail[stay], r[stay]]])
        head, r = np.concatenate([head, head[stay]]), np.concatenate([r, r[stay]])
    return li, fwd, src, nodes.arr_at[head, r]


def _place_edges(
    net: Network, place_ids: list[str], kind: list[str], svc_names: list[str], nodes: _Nodes
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The transfer, load and unload edges, place by place: each edge's place, type, source
    and target node, and mode (index in :data:`_PLACE_EDGE_MODES`)."""
    e_place, entry = _place_entries(net, place_ids, kind, svc_names, nodes)

    def node(which: np.ndarray, rk: np.ndarray) -> np.ndarray:
        out = nodes.gate_of[e_place].copy()
        dep = which == _DEP
        arr = which == _ARR
        out[dep] = nodes.dep_at[e_place[dep], rk[dep]]
        out[arr] = nodes.arr_at[e_place[arr], rk[arr]]
        return out

    p_type = entry[:, 0].astype(np.int8)
    p_src = node(entry[:, 1], entry[:, 2])
    p_dst = node(entry[:, 3], entry[:, 4])
    p_mode = np.searchsorted(np.array([TRANSFER, LOAD, UNLOAD]), p_type)
    return e_place, p_type, p_src, p_dst, p_mode


def _place_entries(
    net: Network, place_ids: list[str], kind: list[str], svc_names: list[str], nodes: _Nodes
) -> tuple[np.ndarray, np.ndarray]:
    """Each place edge's place and its template entry ``(type, which, rank, which, rank)``:
    from a template per (services, kind) or, at places with explicit transfer rows, per
    place."""
    n_places = len(place_ids)
    explicit = _explicit_pairs(net)
    explicit_places = {p for p, _, _ in explicit}
    sig_code, sigs = set_codes(n_places, nodes.pair_place, nodes.pair_rank)
    kind_code, kinds = pd.factorize(np.array(kind, dtype=object), use_na_sentinel=False)
    # a template per distinct (services, kind) and one per place with explicit transfer rows
    group, group_keys = pd.factorize(sig_code * max(len(kinds), 1) + kind_code)
    place_template = group.astype(np.int64)
    rows: list[list[tuple[int, int, int, int, int]]] = []
    for key in group_keys.tolist():
        sig, k = sigs[key // max(len(kinds), 1)], str(kinds[key % max(len(kinds), 1)])
        rows.append(_place_template(sig, svc_names, k, "", set()))
    own = [i for i, pid in enumerate(place_ids) if pid in explicit_places] if explicit else []
    for i in own:
        sig = sigs[sig_code[i]]
        place_template[i] = len(rows)
        rows.append(_place_template(sig, svc_names, kind[i], place_ids[i], explicit))
    t_len = np.array([len(t) for t in rows] + [0], dtype=np.int64)
    t_off = np.zeros(len(t_len), dtype=np.int64)
    np.cumsum(t_len[:-1], out=t_off[1:])
    flat = np.array([e for t in rows for e in t] or np.zeros((0, 5)), dtype=np.int64).reshape(-1, 5)
    counts = t_len[place_template]
    e_place = np.repeat(np.arange(n_places, dtype=np.int64), counts)
    e_first = np.zeros(n_places + 1, dtype=np.int64)
    np.cumsum(counts, out=e_first[1:])
    entry = flat[
        t_off[place_template[e_place]] + np.arange(len(e_place), dtype=np.int64) - e_first[e_place]
    ]
    return e_place, entry


_PLACE_EDGE_MODES = ("transfer", "load", "unload")  # the emode text of place edges, by type
_GATE, _DEP, _ARR = 0, 1, 2  # the node of a template edge end: gate, service, arrived service


def _place_template(
    sig: tuple[int, ...],
    svc_names: list[str],
    kind: str,
    pid: str,
    explicit: set[tuple[str, str, str]],
) -> list[tuple[int, int, int, int, int]]:
    """The transfer, load and unload edges of a place with services ``sig`` (ranks, sorted),
    in the order of the place loop: ``(edge type, tail end, tail rank, head end, head rank)``."""
    out: list[tuple[int, int, int, int, int]] = []
    for ra in sig:
        a = svc_names[ra]
        for rb in sig:
            b = svc_names[rb]
            if a == b:
                if a in WATER_MODES and (
                    kind in TRANSSHIPMENT_PLACE_KINDS or (pid, a, a) in explicit
                ):
                    out.append((TRANSFER, _ARR, ra, _DEP, ra))
                continue
            if kind in TRANSFER_PLACE_KINDS or (pid, a, b) in explicit:
                out.append((TRANSFER, _ARR, ra, _DEP, rb))
    for rs in sig:
        out.append((LOAD, _GATE, 0, _DEP, rs))
        out.append((UNLOAD, _ARR, rs, _GATE, 0))
    return out


# --------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------


GRID = 2.0**-20


def on_grid(weight: np.ndarray) -> np.ndarray:
    """Weights rounded to multiples of 2**-20 (about 1e-6): sums of such numbers below 2**32
    are exact in float64, so two routes of equal total compare equal whatever the order in
    which their legs are added, and ties go to the tie-breaking criterion, not to noise."""
    return np.round(np.asarray(weight, dtype=float) / GRID) * GRID


# The criterion that breaks ties of each objective (then fewer transfers, then a stable order)
TIE_BREAK = {
    "distance_km": "time_h",
    "time_h": "cost_usd",
    "cost_usd": "time_h",
    "generalized": "time_h",
    "risk": "time_h",
}


OBJECTIVE_ALIASES = {
    "distance": "distance_km",
    "km": "distance_km",
    "time": "time_h",
    "cost": "cost_usd",
    "money": "cost_usd",
    "generalised": "generalized",
    "generalized_usd": "generalized",
    "risk_usd": "risk",
}
"""The words a user may write for an objective (Python, the command line and scenario
files alike) and the objective each means."""


def objective_name(minimize: str) -> str:
    """Canonical objective name from a user's word (``cost`` -> ``cost_usd``)."""
    name = OBJECTIVE_ALIASES.get(minimize, minimize)
    if name not in OBJECTIVES:
        raise ParameterError(
            f"unknown objective {minimize!r}; allowed: "
            + ", ".join(OBJECTIVES)
            + " (or distance, time, cost)"
        )
    return name
