"""TODO docstring (costs)"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..costs.cargo import _NO_SPEC, Cargo, CostModel, TransferSpec
from ..errors import ParameterError, Problem
from ..model.network import Network
from .topology import (
    ARRIVED,
    LINK,
    LOAD,
    SERVICE_SEP,
    TRANSFER,
    UNLOAD,
    WATER_MODES,
    Topology,
    logical_service,
    topology,
)

__all__ = [
    "Weights",
    "weights",
    "TIME_COMPONENTS",
    "COST_COMPONENTS",
    "check_weights",
    "routing_data_problems",
]


# --------------------------------------------------------------------------------------------
# Weights: component arrays per edge
# --------------------------------------------------------------------------------------------

TIME_COMPONENTS = ("running_time_h", "wait_h", "dwell_h", "transfer_time_h", "terminal_time_h")
COST_COMPONENTS = ("running_cost_usd", "fee_usd", "transfer_cost_usd", "terminal_cost_usd")
SPREAD_COMPONENTS = ("headway_h", "dwell_p90_h", "transfer_p90_h", "terminal_p90_h")
# hours of a sailing's wait that the port time before it already contains (operations.csv
# ``includes_departure_wait``): left out of the sailing's ``wait_h``, not a time component
OVERLAP_COMPONENT = "wait_overlap_h"


class EdgeTexts:
    """A text (or None) per edge, kept as a code per edge into the list of distinct texts
    (a few hundred texts for millions of edges). Reads like a list of ``n_edges`` texts;
    ``texts[e] = text`` sets one edge."""

    def __init__(self, n: int) -> None:
        self.code = np.full(n, -1, dtype=np.int32)  # -1: None
        self.texts: list[str | None] = []
        self._of: dict[str | None, int] = {}

    def code_of(self, text: str | None) -> int:
        """The code of ``text`` (added on first use)."""
        c = self._of.get(text)
        if c is None:
            c = self._of[text] = len(self.texts)
            self.texts.append(text)
        return c

    def __setitem__(self, e: int, text: str | None) -> None:
        self.code[e] = self.code_of(text)

    def __getitem__(self, e: int) -> str | None:
        c = int(self.code[e])
        return None if c < 0 else self.texts[c]

    def __len__(self) -> int:
        return len(self.code)

    def __iter__(self) -> Iterator[str | None]:
        return (self[e] for e in range(len(self)))

    def tolist(self) -> list[str | None]:
        """Every edge's text."""
        return list(self)


class EdgeRules(EdgeTexts):
    """The data row that priced each edge, as text: ``link 'id'`` for a link edge (made when
    read: one text per link would cost a string per link), else the stored text."""

    def __init__(self, n: int, elink: np.ndarray, link_ids: list[str]) -> None:
        super().__init__(n)
        self._elink = elink
        self._link_ids = link_ids

    def __getitem__(self, e: int) -> str | None:
        li = int(self._elink[e])
        if li >= 0:
            return f"link {self._link_ids[li]!r}"
        return super().__getitem__(e)


@dataclass
class Weights:
    """Per-edge components for one cargo, and the objectives built from them.

    ``arrays`` holds one float array per component (:data:`TIME_COMPONENTS`,
    :data:`COST_COMPONENTS`, :data:`SPREAD_COMPONENTS`) and per objective (``distance_km``,
    ``time_h``, ``cost_usd``, ``generalized``). ``missing`` maps an objective to
    {edge: reason} where the data lacks a parameter. ``cargo_ok`` says which edges accept the
    cargo unit (links' ``cargo_units``). ``transfer_kind`` and ``rule`` say, per non-link edge,
    what kind of operation it is and which data row priced it.
    """

    cargo: Cargo
    arrays: dict[str, np.ndarray]
    missing: dict[str, dict[int, str]]
    cargo_ok: np.ndarray
    transfer_kind: EdgeTexts
    rule: EdgeRules
    # arrays derived from these weights for one query shape (the first departure's waits by
    # origin, the objective and tie-break arrays on the grid; see engine.solver): the latest
    # few, kept across queries; a replaced copy starts empty
    _derived: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # queries made ready to search (engine.solver._Solver._prepared), the latest few
    _prepared: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def objective(self, name: str) -> np.ndarray:
        """The weight array of an objective."""
        return self.arrays[name]

    def combine(self, coefficients: dict[str, float | np.ndarray]) -> np.ndarray:
        """A weighted sum of components, e.g. ``{"cost_usd": 1.0, "time_h": 30.0}``."""
        out = np.zeros(len(self.cargo_ok))
        for name, c in coefficients.items():
            if name not in self.arrays:
                raise ParameterError(
                    f"unknown component {name!r}; allowed: " + ", ".join(sorted(self.arrays))
                )
            out = out + np.asarray(c) * self.arrays[name]
        return out


def weights(net: Network, cargo: Cargo) -> Weights:
    """Component and objective arrays over the edges of ``net``'s expanded graph for
    ``cargo`` (cached per network and cargo)."""
    topo = topology(net)
    hit = topo._weights.get(cargo.key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    w = _compute(net, topo, cargo)
    topo._weights[cargo.key] = w
    return w


def _compute(net: Network, topo: Topology, cargo: Cargo) -> Weights:
    """The component and objective arrays of ``cargo`` over ``topo``'s edges (uncached)."""
    cm = CostModel(net, cargo)
    n = topo.n_edges
    a = {
        name: np.zeros(n)
        for name in (*TIME_COMPONENTS, *COST_COMPONENTS, *SPREAD_COMPONENTS, OVERLAP_COMPONENT)
    }
    a["headway_h"][:] = float("nan")
    miss_t: dict[int, str] = {}
    miss_c: dict[int, str] = {}
    cargo_ok = np.ones(n, dtype=bool)
    rule_arr = EdgeRules(n, topo.elink, topo.link_ids)
    kind_arr = EdgeTexts(n)
    is_link = topo.etype == LINK

    _link_components(net, topo, cargo, cm, a, miss_t, miss_c, rule_arr, cargo_ok)
    _border_components(topo, cm, a, miss_t, miss_c)
    incl = np.zeros(n, dtype=bool)  # place edges whose row includes the departure wait
    _place_components(topo, cargo, cm, a, miss_t, miss_c, rule_arr, kind_arr, incl)
    _departure_overlaps(topo, a, incl)
    _add_objectives(net, topo, cargo, a, miss_t, miss_c, is_link)
    return Weights(
        cargo=cargo,
        arrays=a,
        missing={
            "distance_km": {},
            "time_h": miss_t,
            "cost_usd": miss_c,
            "generalized": {**miss_t, **miss_c},
            "risk": {},
        },
        cargo_ok=cargo_ok,
        transfer_kind=kind_arr,
        rule=rule_arr,
    )


def _link_components(
    net: Network,
    topo: Topology,
    cargo: Cargo,
    cm: CostModel,
    a: dict[str, np.ndarray],
    miss_t: dict[int, str],
    miss_c: dict[int, str],
    rule_arr: EdgeRules,
    cargo_ok: np.ndarray,
) -> None:
    """Running time and cost, line-haul waits (half the headway), the pricing rule and the
    cargo-unit acceptance of every link edge, in place; links without a speed or a tariff go
    to ``miss_t`` / ``miss_c``."""
    links = net._links
    le = np.flatnonzero(topo.etype == LINK)
    li = topo.elink[le]
    km = topo.edistance[le]
    # the link edges' texts only (not every edge's: topo.emode is made on first use)
    mode = np.array(topo.mode_names, dtype=object)[topo.emode_code[le]]
    ctry = np.array(topo.country_names, dtype=object)[topo.ecountry_code[le]]
    time_o = links["time_h"].to_numpy(dtype=float)[li]
    rate_o = links["usd_per_teu_km"].to_numpy(dtype=float)[li]
    headway = links["headway_h"].to_numpy(dtype=float)[li]

    run_t, pair_code = _running_time(topo, cm, links, le, li, km, mode, ctry, time_o)
    rate = _link_rates(cm, le, mode, ctry, rate_o, pair_code)
    a["running_time_h"][le] = run_t
    a["running_cost_usd"][le] = km * rate
    if topo.services and len(le):
        headway = _sailing_headways(topo, le, headway)
    has_hw = np.isfinite(headway)
    a["wait_h"][le] = np.where(has_hw, headway / 2.0, 0.0)
    a["headway_h"][le] = headway
    _link_missing(topo, cargo, le, li, mode, ctry, run_t, rate, miss_t, miss_c)
    refused = np.array([bool(u) and cargo.unit not in u for u in topo.link_cargo_units], dtype=bool)
    cargo_ok[le] = ~refused[li] if len(le) else cargo_ok[le]


def _sailing_headways(topo: Topology, le: np.ndarray, headway: np.ndarray) -> np.ndarray:
    """The headway of each link edge of ``le``: a liner string's or ferry line's own
    (services.csv) on a sailing from its quay node, none on a sailing from its on-board node
    (the box stayed on the ship: it waited when it boarded); the link's own elsewhere."""
    nan = float("nan")
    water = {n: s.headway_h for n, s in topo.services.items() if s.mode in WATER_MODES}
    if not water:
        return headway
    names = topo.node_service
    own = np.array(
        [water.get(names[u].removesuffix(ARRIVED), -1.0) for u in topo.src[le].tolist()],
        dtype=float,
    )
    on_board = np.array([names[u].endswith(ARRIVED) for u in topo.src[le].tolist()], dtype=bool)
    out = np.where(own >= 0, own, headway)
    return np.where((own >= 0) & on_board, nan, out)


def _running_time(
    topo: Topology,
    cm: CostModel,
    links: Any,
    le: np.ndarray,
    li: np.ndarray,
    km: np.ndarray,
    mode: np.ndarray,
    ctry: np.ndarray,
    time_o: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Running hours of the link edges ``le`` (their own time, else distance over the speed of
    their service, their own, or the speeds table), and the code of each edge's distinct
    (mode, country) pair."""
    nan = float("nan")
    speed_o = links["speed_kmh"].to_numpy(dtype=float)[li]
    if "speed_kmh_reverse" in links.columns:
        # a link's own speed against its from -> to direction, where the data gives one
        rev = links["speed_kmh_reverse"].to_numpy(dtype=float)[li]
        speed_o = np.where(~topo.eforward[le] & np.isfinite(rev), rev, speed_o)
    # speeds once per distinct (mode, country)
    pair_code, pairs = _mode_country_pairs(topo, le)
    table_speed = np.array([cm.speed_kmh(m, c, nan) for m, c in pairs], dtype=float)
    speed = (
        np.where(np.isfinite(speed_o), speed_o, table_speed[pair_code]) if len(le) else np.zeros(0)
    )
    if topo.services and len(le):
        # a scheduled service runs at its own published speed where it has one
        svc_speed = {name: s.speed_kmh for name, s in topo.services.items()}
        names = topo.node_service
        on_svc = np.array(
            [svc_speed.get(names[u].removesuffix(ARRIVED), nan) for u in topo.src[le].tolist()],
            dtype=float,
        )
        speed = np.where(np.isfinite(on_svc), on_svc, speed)
        time_o = np.where(np.isfinite(on_svc), nan, time_o)
    run_t = np.where(np.isfinite(time_o), time_o, km / np.where(speed > 0, speed, nan))
    return run_t, pair_code


def _link_rates(
    cm: CostModel,
    le: np.ndarray,
    mode: np.ndarray,
    ctry: np.ndarray,
    rate_o: np.ndarray,
    pair_code: np.ndarray,
) -> np.ndarray:
    """USD per km of the link edges ``le``, looked up once per distinct (mode, country,
    override)."""
    # the rate of the first edge of each (mode, country, override) (0.0 and -0.0 are one
    # override, as they were one key of a dict)
    o_code, _ = pd.factorize(rate_o, use_na_sentinel=False)
    key_code, _ = pd.factorize(pair_code * (int(o_code.max(initial=0)) + 1) + o_code)
    first = np.zeros(int(key_code.max(initial=-1)) + 1, dtype=np.int64)
    first[key_code[::-1]] = np.arange(len(key_code) - 1, -1, -1)
    key_rate = np.array(
        [cm.rate_usd_per_km(mode[j], ctry[j], rate_o[j]) for j in first.tolist()], dtype=float
    )
    return key_rate[key_code] if len(le) else np.empty(0)


def _link_missing(
    topo: Topology,
    cargo: Cargo,
    le: np.ndarray,
    li: np.ndarray,
    mode: np.ndarray,
    ctry: np.ndarray,
    run_t: np.ndarray,
    rate: np.ndarray,
    miss_t: dict[int, str],
    miss_c: dict[int, str],
) -> None:
    """The messages of link edges without a running time or a rate, in place."""
    col = {"20ft": "usd_per_teu_km", "40ft": "usd_per_feu_km"}.get(cargo.unit, "usd_per_tonne_km")
    for j in np.flatnonzero(~np.isfinite(run_t)).tolist():
        e = int(le[j])
        lid = topo.link_ids[int(li[j])]
        miss_t[e] = (
            f"link {lid!r} ({mode[j]}, {ctry[j]}): no speed: add a speeds.csv row for "
            f"({mode[j]}, {ctry[j]}) or ({mode[j]}, *), or set the link's speed_kmh "
            "or time_h"
        )
    for j in np.flatnonzero(~np.isfinite(rate)).tolist():
        e = int(le[j])
        lid = topo.link_ids[int(li[j])]
        miss_c[e] = (
            f"link {lid!r} ({mode[j]}, {ctry[j]}): no tariff for {cargo.unit} cargo: add "
            f"{col} to a tariffs.csv row for ({mode[j]}, {ctry[j]}) or ({mode[j]}, *)"
        )


def _border_components(
    topo: Topology,
    cm: CostModel,
    a: dict[str, np.ndarray],
    miss_t: dict[int, str],
    miss_c: dict[int, str],
) -> None:
    """Border dwell (median and p90) and fees of the border link edges, per direction from
    crossings.csv, in place."""
    for e in np.flatnonzero((topo.etype == LINK) & topo.eborder).tolist():
        lid = topo.link_ids[int(topo.elink[e])]
        direction = "forward" if topo.eforward[e] else "reverse"
        d50, d90, fee, _ = cm.crossing(lid, direction)
        if math.isfinite(d50):
            a["dwell_h"][e], a["dwell_p90_h"][e] = d50, d90
        else:
            miss_t[e] = f"border link {lid!r}: no crossings.csv row for direction {direction!r}"
        if math.isfinite(fee):
            a["fee_usd"][e] = fee
        else:
            miss_c[e] = (
                f"border link {lid!r}: no fee_usd in crossings.csv for direction {direction!r}"
            )


def _place_components(
    topo: Topology,
    cargo: Cargo,
    cm: CostModel,
    a: dict[str, np.ndarray],
    miss_t: dict[int, str],
    miss_c: dict[int, str],
    rule_arr: EdgeRules,
    kind_arr: EdgeTexts,
    incl: np.ndarray,
) -> None:
    """Transfers and terminals (load, unload): their time, p90, cost, kind, pricing rule,
    boarding wait and whether their row includes the departure wait (``incl``), in place.

    One spec per distinct (edge type, place kind, services) at places without rows of their
    own; every other edge (and every edge whose spec lacks a value, for its message) one by
    one, in edge order."""
    other = np.flatnonzero(topo.etype != LINK)
    svc_names = sorted(set(topo.node_service))
    specs, key_codes, one_by_one = _shared_specs(topo, cm, other, svc_names)
    complete = np.array(
        [math.isfinite(sp.time_h) and math.isfinite(sp.cost_usd) for sp, _ in specs], dtype=bool
    )
    one_by_one |= ~complete[key_codes] if len(other) else one_by_one
    fast = other[~one_by_one]
    fk = key_codes[~one_by_one]
    if len(fast):
        _apply_shared_specs(topo, cm, a, rule_arr, kind_arr, specs, fast, fk)
        incl[fast] = np.array([sp.includes_wait for sp, _ in specs], dtype=bool)[fk]
    for e in other[one_by_one].tolist():
        incl[e] = _place_edge(topo, cargo, cm, a, miss_t, miss_c, rule_arr, kind_arr, e)


def _shared_specs(
    topo: Topology, cm: CostModel, other: np.ndarray, svc_names: list[str]
) -> tuple[list[tuple[TransferSpec, str]], np.ndarray, np.ndarray]:
    """The (spec, boarding service) of each distinct (edge type, place kind, services) key of
    the non-link edges ``other``, each edge's key code, and which edges must be priced one by
    one (those at places with operations or terminal rows of their own)."""
    etype, src, dst = topo.etype, topo.src, topo.dst
    svc_code = {s: i for i, s in enumerate(svc_names)}
    logical = [logical_service(s) for s in svc_names]
    node_svc = (
        np.array([svc_code[s] for s in topo.node_service], dtype=np.int64)
        if topo.n_nodes
        else np.zeros(0, dtype=np.int64)
    )
    own_ops = {k[0] for k in cm.ops}
    own_terminals = {k[0] for k in cm.terminals}
    place_kind_code, place_kinds = pd.factorize(np.array(topo.place_kind, dtype=object))
    ot = etype[other]
    op = topo.node_place[src[other]]
    su = node_svc[src[other]]
    sv = node_svc[dst[other]]
    own = np.array([pid in own_ops or pid in own_terminals for pid in topo.place_ids], dtype=bool)
    specs: list[tuple[TransferSpec, str]] = []  # (spec, boarding service) per key
    one_by_one = own[op] if len(other) else np.zeros(0, dtype=bool)
    n_kind = max(len(place_kinds), 1)
    n_svc = max(len(svc_names), 1)
    raw = ((ot.astype(np.int64) * n_kind + place_kind_code[op]) * n_svc + su) * n_svc + sv
    raw_code, raw_keys = pd.factorize(raw)
    for key in raw_keys.tolist():
        rest, v_code = divmod(key, n_svc)
        rest, u_code = divmod(rest, n_svc)
        t, k_code = divmod(rest, n_kind)
        place_kind = str(place_kinds[k_code])
        if t == TRANSFER:
            sa, sb = logical[u_code], logical[v_code]
            spec = cm.transfer("", place_kind, sa, sb) or _NO_SPEC
            boarding = _boarding(svc_names[u_code], svc_names[v_code])
        else:
            svc = logical[v_code if t == LOAD else u_code]
            spec = cm.terminal("", svc)
            boarding = _plain(svc_names[v_code]) if t == LOAD else ""
            if not any(k in cm.terminals for k in (("*", svc), ("*", svc.split("-")[0]))):
                spec = _NO_SPEC  # its text names the place: edge by edge
        specs.append((spec, boarding))
    return specs, raw_code, one_by_one


def _apply_shared_specs(
    topo: Topology,
    cm: CostModel,
    a: dict[str, np.ndarray],
    rule_arr: EdgeRules,
    kind_arr: EdgeTexts,
    specs: list[tuple[TransferSpec, str]],
    fast: np.ndarray,
    fk: np.ndarray,
) -> None:
    """Write the complete shared specs (key codes ``fk``) onto the edges ``fast``, with the
    boarding wait of each (a scheduled service's headway, or the rail headway of the place's
    country), in place."""
    nan = float("nan")
    ft = topo.etype[fast]
    k_time = np.array([sp.time_h for sp, _ in specs], dtype=float)[fk]
    k_p90 = np.array([sp.time_p90_h for sp, _ in specs], dtype=float)[fk]
    k_cost = np.array([sp.cost_usd for sp, _ in specs], dtype=float)[fk]
    for t, tcol, pcol, ccol in (
        (TRANSFER, "transfer_time_h", "transfer_p90_h", "transfer_cost_usd"),
        (LOAD, "terminal_time_h", "terminal_p90_h", "terminal_cost_usd"),
        (UNLOAD, "terminal_time_h", "terminal_p90_h", "terminal_cost_usd"),
    ):
        sel = ft == t
        a[tcol][fast[sel]] = k_time[sel]
        a[pcol][fast[sel]] = k_p90[sel]
        a[ccol][fast[sel]] = k_cost[sel]
    key_type = np.full(len(specs), -1, dtype=np.int64)
    key_type[fk] = ft  # the edges of one key are of one type
    key_kind = [
        sp.kind if t == TRANSFER else "load" if t == LOAD else "unload"
        for (sp, _), t in zip(specs, key_type.tolist())
    ]
    kind_arr.code[fast] = np.array([kind_arr.code_of(k) for k in key_kind], dtype=np.int32)[fk]
    rule_arr.code[fast] = np.array([rule_arr.code_of(sp.row) for sp, _ in specs], dtype=np.int32)[
        fk
    ]
    rail = np.array([b.startswith("rail") and SERVICE_SEP not in b for _, b in specs], dtype=bool)[
        fk
    ]
    sched = np.array([_boarding_headway(topo, b) for _, b in specs], dtype=float)[fk]
    # a place edge's country is its place's (ecountry), looked up once per country
    countries = topo.country_names
    hw_of = np.array([cm.boarding_headway_h("rail", c) for c in countries], dtype=float)
    hw = np.where(rail, hw_of[topo.ecountry_code[fast]] if len(countries) else nan, sched)
    has = np.isfinite(hw)
    a["headway_h"][fast[has]] = hw[has]
    a["wait_h"][fast[has]] = hw[has] / 2.0


def _place_edge(
    topo: Topology,
    cargo: Cargo,
    cm: CostModel,
    a: dict[str, np.ndarray],
    miss_t: dict[int, str],
    miss_c: dict[int, str],
    rule_arr: EdgeRules,
    kind_arr: EdgeTexts,
    e: int,
) -> bool:
    """Price one transfer or terminal edge ``e`` from its place's own rows, in place; whether
    its row includes the departure wait."""
    u, v = int(topo.src[e]), int(topo.dst[e])
    pi = int(topo.node_place[u])
    pid = topo.place_ids[pi]
    t = int(topo.etype[e])
    if t == TRANSFER:
        sa = logical_service(topo.node_service[u])
        sb = logical_service(topo.node_service[v])
        spec = cm.transfer(pid, topo.place_kind[pi], sa, sb) or _NO_SPEC
        where = f"transfer {sa}->{sb} at {pid!r} ({spec.kind})"
        tcol, pcol, ccol = "transfer_time_h", "transfer_p90_h", "transfer_cost_usd"
        boarding = _boarding(topo.node_service[u], topo.node_service[v])
    else:
        svc = logical_service(topo.node_service[v if t == LOAD else u])
        spec = cm.terminal(pid, svc)
        word = "loading" if t == LOAD else "unloading"
        where = f"{word} {svc} at {pid!r}"
        tcol, pcol, ccol = "terminal_time_h", "terminal_p90_h", "terminal_cost_usd"
        boarding = _plain(topo.node_service[v]) if t == LOAD else ""
    kind_arr[e] = spec.kind if t == TRANSFER else ("load" if t == LOAD else "unload")
    rule_arr[e] = spec.row
    if math.isfinite(spec.time_h):
        a[tcol][e], a[pcol][e] = spec.time_h, spec.time_p90_h
    else:
        miss_t[e] = f"{where}: no time ({spec.row})"
    if math.isfinite(spec.cost_usd):
        a[ccol][e] = spec.cost_usd
    else:
        miss_c[e] = f"{where}: no cost for {cargo.unit} cargo ({spec.row})"
    if boarding in topo.services:
        hw_e = _boarding_headway(topo, boarding)
    elif boarding.startswith("rail"):
        hw_e = cm.boarding_headway_h("rail", topo.place_country[pi])
    else:
        hw_e = float("nan")
    if boarding:
        if math.isfinite(hw_e):
            a["headway_h"][e] = hw_e
            a["wait_h"][e] = hw_e / 2.0
    return spec.includes_wait


def _departure_overlaps(topo: Topology, a: dict[str, np.ndarray], incl: np.ndarray) -> None:
    """Take out of each sailing's wait the part the port time before it already contains,
    in place: a sailing (a link edge with a wait) from a departure node whose every entering
    operation (loading, port handling, transshipment: ``incl``) has a row that includes the
    wait for the departing ship, all with the same time ``d``, waits ``max(w - d, 0)`` instead
    of ``w``, so that the stop costs ``max(d, w)`` instead of ``d + w``; the hours taken out
    go to ``wait_overlap_h``. Exact per edge: every path onto the sailing crosses one of those
    operations, each of time ``d``. Where the operations differ (in the flag or the time) the
    wait stays whole."""
    is_link = topo.etype == LINK
    le = np.flatnonzero(is_link & (a["wait_h"] > 0))
    pe = np.flatnonzero(~is_link)
    if not len(le) or not incl[pe].any():
        return
    n = topo.n_nodes
    node = topo.dst[pe]
    t = a["transfer_time_h"][pe] + a["terminal_time_h"][pe]
    entering = np.bincount(node, minlength=n)
    flagged = np.bincount(node, weights=incl[pe].astype(float), minlength=n)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, node, t)
    np.maximum.at(hi, node, t)
    by_link = np.bincount(topo.dst[is_link], minlength=n)  # an on-board node: no overlap
    ok = (entering > 0) & (flagged == entering) & (lo == hi) & (by_link == 0)
    sel = le[ok[topo.src[le]]]
    if not len(sel):
        return
    d = lo[topo.src[sel]]
    w = a["wait_h"][sel]
    overlap = np.minimum(d, w)
    a["wait_h"][sel] = w - overlap
    a[OVERLAP_COMPONENT][sel] = overlap


def _add_objectives(
    net: Network,
    topo: Topology,
    cargo: Cargo,
    a: dict[str, np.ndarray],
    miss_t: dict[int, str],
    miss_c: dict[int, str],
    is_link: np.ndarray,
) -> None:
    """The objective arrays (time, cost, generalized, distance, risk) from the components, in
    place; an edge with a missing time or cost gets NaN there."""
    nan = float("nan")
    n = topo.n_edges
    time_h = np.zeros(n)
    for c in TIME_COMPONENTS:
        time_h = time_h + a[c]
    cost = np.zeros(n)
    for c in COST_COMPONENTS:
        cost = cost + a[c]
    if miss_t:
        time_h[list(miss_t)] = nan
    if miss_c:
        cost[list(miss_c)] = nan
    a["time_h"] = time_h
    a["cost_usd"] = cost
    a["generalized"] = cost + time_h * cargo.time_value_usd_per_h
    a["distance_km"] = np.where(is_link, topo.edistance, 0.0)
    a["risk_delay_h"], a["risk_usd"] = _edge_risk(net, topo, cargo, "ignore")
    a["risk"] = a["risk_delay_h"] * cargo.time_value_usd_per_h + a["risk_usd"]


def _boarding_headway(topo: Topology, boarding: str) -> float:
    """The headway a boarding edge waits for: a scheduled train's (services.csv); none for a
    ship's service, whose wait is its first sailing's (the link edge from its quay node);
    NaN where ``boarding`` is no scheduled service."""
    svc = topo.services.get(boarding)
    if svc is None or svc.mode in WATER_MODES:
        return float("nan")
    return svc.headway_h


def _plain(node_service: str) -> str:
    return node_service[: -len(ARRIVED)] if node_service.endswith(ARRIVED) else node_service


def _boarding(a: str, b: str) -> str:
    """The node service a transfer from ``a`` to ``b`` boards, for its departure wait.

    None for a gauge change between railways (``rail-1676 -> rail-1435``), which every source
    describes as a coordinated hand-over between the two railways' trains (the operation's
    time, from operations.csv, is the whole stop), not a fresh wait for a departure. A change
    of trains on the same track (a ``connection``, e.g. onto a scheduled service of
    services.csv) waits for the departing train."""
    a, b = _plain(a), _plain(b)
    la, lb = logical_service(a), logical_service(b)
    if la.startswith("rail") and lb.startswith("rail") and la != lb:
        return ""
    return b


def _mode_country_pairs(topo: Topology, le: np.ndarray) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """A code per edge of ``le`` for its distinct (mode, country), and the pairs (from the
    topology's integer codes, no text hashed per edge)."""
    n_c = max(len(topo.country_names), 1)
    code, keys = pd.factorize(topo.emode_code[le].astype(np.int64) * n_c + topo.ecountry_code[le])
    pairs = [(topo.mode_names[k // n_c], topo.country_names[k % n_c]) for k in keys.tolist()]
    return code.astype(np.int64), pairs


def _codes(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
    """A code per row for the distinct (first, second) pairs, numbered in order of first
    appearance, and the pairs."""
    if not len(first):
        return np.zeros(0, dtype=np.int64), []
    c1, u1 = pd.factorize(first, use_na_sentinel=False)
    c2, u2 = pd.factorize(second, use_na_sentinel=False)
    codes, combined = pd.factorize(c1.astype(np.int64) * len(u2) + c2)
    return codes.astype(np.int64), [(u1[k // len(u2)], u2[k % len(u2)]) for k in combined.tolist()]


def _edge_risk(
    net: Network, topo: Topology, cargo: Cargo, sanctions: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per-edge expected disruption delay (h) and security + sanctions money (USD) from the
    network's risk table (:func:`corridors.costs.risk.edge_risk_coded`): countries and places are
    charged on the edge that enters them (and on loading at the origin), links on their link,
    passages on each sea leg that passes them, so a route's sum is its risk."""
    from ..costs.risk import _policy, edge_risk_coded, risk_rows

    if not risk_rows(net):  # no risk table: no edge is charged (the policy is still checked)
        _policy(sanctions, None)
        return np.zeros(topo.n_edges), np.zeros(topo.n_edges)

    return edge_risk_coded(
        net,
        cargo,
        place_ids=topo.place_ids,
        place_country=topo.place_country,
        link_ids=topo.link_ids,
        link_passages=topo.link_passages,
        src_place=topo.src_place,
        dst_place=topo.dst_place,
        elink=topo.elink,
        starts=topo.etype == LOAD,
        sanctions=sanctions,
    )


def risk_arrays(net: Network, cargo: Cargo, sanctions: Any) -> tuple[np.ndarray, np.ndarray]:
    """(risk_delay_h, risk_usd) per edge under a sanctions policy (cached per network, cargo
    and policy; ``"ignore"`` is what :func:`weights` holds)."""
    topo = topology(net)
    key = ("risk", cargo.key, repr(sanctions))
    hit = topo._weights.get(key)
    if hit is None:
        hit = _edge_risk(net, topo, cargo, sanctions)
        topo._weights[key] = hit
    return hit  # type: ignore[no-any-return]


def check_weights(w: Weights, objective: str, mask: np.ndarray, net_name: str) -> None:
    """Raise ParameterError if an edge that the query may use lacks the objective's data, or
    carries a weight that is not a finite number >= 0 (a NaN never becomes 0)."""
    missing = w.missing[objective]
    bad = [e for e in missing if mask[e]]
    reasons = sorted({missing[e] for e in bad})
    arr = w.arrays[objective]
    broken = np.flatnonzero(mask & ~(np.isfinite(arr) & (arr >= 0)))
    for e in broken.tolist():
        if e not in missing:
            reasons.append(
                f"{w.rule[e] or f'edge {e}'}: {objective} weight {arr[e]!r} is "
                "not a finite number >= 0 (check its overrides and table rows)"
            )
    if not reasons:
        return
    shown = reasons[:12]
    more = f"\n  ... and {len(reasons) - len(shown)} more" if len(reasons) > len(shown) else ""
    raise ParameterError(
        f"cannot route by {objective!r} on {net_name}: {len(reasons)} parameter(s) missing or "
        "invalid:\n  " + "\n  ".join(shown) + more
    )


def _table_file(net: Network, table: str) -> str:
    origin = str(net.origin)
    if origin.lower().endswith(".gpkg"):
        return f"{origin} (layer {table})"
    if origin.startswith("<"):
        return f"{table}.csv"
    return f"{origin.rstrip('/')}/{table}.csv"


def routing_data_problems(net: Network) -> list[Problem]:
    """The parameters routing needs and the tables lack, as problems (``network validate``).

    Every link needs a speed (its own ``speed_kmh`` or ``time_h``, its service's, or a
    speeds row for its mode and country or mode and ``*``) and a tariff for every cargo unit
    (a tariffs row, or its own ``usd_per_teu_km`` scaled by a row's ratio); every transfer
    and terminal an operations row. These are the checks :func:`check_weights` makes before
    a search, run for 20 ft, 40 ft and bulk cargo over every link, whatever its status. One
    problem per missing (table, mode, country), listing up to five of the links that need it.
    """
    topo = topology(net)
    by_key: dict[tuple[str, str, str, str], list[str]] = {}
    other: dict[tuple[str, str], str] = {}
    fields = {"20ft": "usd_per_teu_km", "40ft": "usd_per_feu_km"}
    for cargo in (Cargo.container("20ft"), Cargo.container("40ft"), Cargo.bulk(1.0)):
        w = weights(net, cargo)
        for table, missing in (("speeds", w.missing["time_h"]), ("tariffs", w.missing["cost_usd"])):
            for e, reason in missing.items():
                if topo.etype[e] == LINK:
                    field = (
                        "speed_kmh"
                        if table == "speeds"
                        else fields.get(cargo.unit, "usd_per_tonne_km")
                    )
                    key = (table, str(topo.emode[e]), str(topo.ecountry[e]), field)
                    lid = topo.link_ids[int(topo.elink[e])]
                    ids = by_key.setdefault(key, [])
                    if lid not in ids:
                        ids.append(lid)
                else:
                    other[("operations", w.rule[e] or f"edge {e}")] = reason
    problems: list[Problem] = []
    for (table, mode, country, field), ids in sorted(by_key.items()):
        shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
        what = "speed" if table == "speeds" else f"tariff ({field})"
        problems.append(
            Problem(
                _table_file(net, table),
                f"({mode}, {country})",
                field,
                f"no {what} for {mode} in {country}, which {len(ids)} link(s) use ({shown}): add a "
                f"{table} row for ({mode}, {country}) or ({mode}, *)"
                + (", or set the links' speed_kmh or time_h" if table == "speeds" else ""),
            )
        )
    for (table, rule), reason in sorted(other.items()):
        problems.append(Problem(_table_file(net, table), rule, "", reason))
    return problems
