"""Cargo and the cost and time model, as per-edge component arrays of the expanded graph.

Every edge of the expanded graph (:mod:`corridors.graph`) gets one value per *component*;
objectives are weighted sums of components, so that scenario multipliers, risk terms and
Pareto criteria are data, not code.

Time components (hours)
    ``running_time_h``: a link's ``time_h`` override, else ``distance_km / speed_kmh`` (the
    link's ``speed_kmh``, else the speeds table by mode and country, else its ``*`` row).
    ``wait_h``: expected wait for a scheduled departure, half the headway: on a link with its
    own ``headway_h`` (ships, ferries) each time it is taken; for rail, on boarding a train
    (loading at the origin, or a transfer from road, sea or ferry into rail) from the speeds
    table's ``headway_h`` of (rail, country). A gauge change between railways is a hand-over,
    not a boarding: it costs the operation's time and no departure wait. At the origin the
    wait is the query's (``departure="random"``: half a headway; ``"booked"``: none, the
    shipper times its arrival to the departure; see :mod:`corridors.routing`). ``dwell_h``: median border dwell for the direction travelled.
    ``transfer_time_h``: median time of a transfer (gauge break, port handling, mode change,
    transshipment). ``terminal_time_h``: loading at the origin and unloading at the
    destination for the mode the journey starts and ends on.
Money components (USD)
    ``running_cost_usd`` = ``distance_km x rate``, the rate from the tariffs table by mode and
    country (``usd_per_teu_km`` for a 20 ft box, ``usd_per_feu_km`` for 40 ft,
    ``usd_per_tonne_km x tonnes`` for bulk) or the link's ``usd_per_teu_km`` (scaled to 40 ft
    by the table's FEU/TEU ratio); ``fee_usd`` at borders (per container or truck; bulk pays
    ``fee / 20 t`` per tonne, CPMM's reference load); ``transfer_cost_usd``;
    ``terminal_cost_usd``.
Objectives
    ``time_h`` = sum of the time components; ``cost_usd`` = sum of the money components;
    ``generalized`` = ``cost_usd + time_h x (value_usd x holding_rate_per_year / 8760 +
    value_of_time_usd_per_h)``; ``distance_km``; ``risk`` = ``risk_delay_h x`` the same time
    value ``+ risk_usd`` (expected disruption delay, security premium and sanctions
    surcharges per trip, from the risk table: see :mod:`corridors.risk`). Routing by
    ``generalized`` with ``risk_aversion = a`` minimizes ``generalized + a x risk``.

Transfers cost the place's operations row for (place, from service, to service), or the
default row of the transfer kind where the place's kind allows default transfers. At border
posts a rail <-> road transfer is priced as a ``transload`` (the box is lifted between a wagon
and a truck at a border yard), not as a port-crane ``intermodal`` move. Terminal handling
comes from ``terminal`` rows: (place, service or mode) first, then the mode's default
(place ``*``).

A parameter that a query needs and the data lacks is an error (:class:`ParameterError`),
never a silent default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError, Problem
from .graph import (
    ARRIVED,
    LINK,
    LOAD,
    SERVICE_SEP,
    TRANSFER,
    TRANSFER_PLACE_KINDS,
    UNLOAD,
    Topology,
    logical_service,
)
from .network import Network
from .units import CPMM_REFERENCE_TONNES, HOURS_PER_YEAR

__all__ = ["Cargo", "CARGO_UNITS", "CostModel", "TransferSpec", "Weights", "weights",
           "transfer_kind_between", "TIME_COMPONENTS", "COST_COMPONENTS", "check_weights",
           "routing_data_problems"]

CARGO_UNITS = ("20ft", "40ft", "tonne")

# Defaults of Cargo. They are modelling assumptions, not sourced figures: set them for your
# shipment. Holding rate: 10 %/year, a common opportunity-cost-of-capital figure in freight
# appraisal (assumed). Value: USD 50,000 per container (assumed).
DEFAULT_VALUE_USD = 50_000.0
DEFAULT_HOLDING_RATE = 0.10
DEFAULT_CONTAINER_TONNES = {"20ft": 14.0, "40ft": 20.0}  # payload, assumed typical loads



@dataclass(frozen=True)
class Cargo:
    """What is shipped: one container (20 ft or 40 ft) or a quantity of bulk tonnes.

    Parameters
    ----------
    unit : {"20ft", "40ft", "tonne"}
        Shipment unit: one container, or ``tonnes`` of cargo priced per tonne-km.
    tonnes : float
        Mass of the goods in tonnes (for ``"tonne"`` cargo, the quantity shipped).
    value_usd : float
        Value of the goods in USD; drives inventory holding cost (assumed default 50,000).
    holding_rate_per_year : float
        Cost of capital tied up in transit, per year (assumed default 0.10).
    value_of_time_usd_per_h : float
        Extra value of one hour saved, USD/h (default 0).

    Examples
    --------
    >>> Cargo.container("20ft").unit
    '20ft'
    >>> round(Cargo.container("40ft", value_usd=87_600).holding_usd_per_h, 3)
    1.0
    """

    unit: str = "40ft"
    tonnes: float = DEFAULT_CONTAINER_TONNES["40ft"]
    value_usd: float = DEFAULT_VALUE_USD
    holding_rate_per_year: float = DEFAULT_HOLDING_RATE
    value_of_time_usd_per_h: float = 0.0

    def __post_init__(self) -> None:
        if self.unit not in CARGO_UNITS:
            raise ParameterError(f"unknown cargo unit {self.unit!r}; allowed: "
                                 + ", ".join(CARGO_UNITS))
        for name in ("tonnes", "value_usd", "holding_rate_per_year", "value_of_time_usd_per_h"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ParameterError(f"cargo {name} must be a finite number >= 0, got {v!r}")
        if self.tonnes <= 0:
            raise ParameterError(f"cargo tonnes must be positive, got {self.tonnes!r}")

    @classmethod
    def container(cls, size: str = "40ft", **kwargs: Any) -> Cargo:
        """One container of ``size`` ("20ft" or "40ft")."""
        if size not in ("20ft", "40ft"):
            raise ParameterError(f"unknown container size {size!r}; allowed: 20ft, 40ft")
        kwargs.setdefault("tonnes", DEFAULT_CONTAINER_TONNES[size])
        return cls(unit=size, **kwargs)

    @classmethod
    def bulk(cls, tonnes: float, **kwargs: Any) -> Cargo:
        """``tonnes`` of cargo priced per tonne-km."""
        return cls(unit="tonne", tonnes=tonnes, **kwargs)

    @classmethod
    def parse(cls, text: str) -> Cargo:
        """Cargo from a command-line word: ``20ft``, ``40ft``, ``tonne`` or ``<N>t``."""
        t = text.strip().lower()
        if t in ("20ft", "40ft"):
            return cls.container(t)
        if t in ("tonne", "t", "1t"):
            return cls.bulk(1.0)
        if t.endswith("t"):
            try:
                return cls.bulk(float(t[:-1]))
            except ValueError:
                pass
        raise ParameterError(f"unknown cargo {text!r}; allowed: 20ft, 40ft, tonne, <N>t (e.g. 500t)")

    def with_(self, **changes: Any) -> Cargo:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def holding_usd_per_h(self) -> float:
        """Inventory holding cost of the goods in transit, USD per hour."""
        return self.value_usd * self.holding_rate_per_year / HOURS_PER_YEAR

    @property
    def time_value_usd_per_h(self) -> float:
        """USD per hour that the generalized cost adds to money (holding + value of time)."""
        return self.holding_usd_per_h + self.value_of_time_usd_per_h

    @property
    def key(self) -> tuple[Any, ...]:
        """Hashable identity used to cache weights."""
        return (self.unit, self.tonnes, self.value_usd, self.holding_rate_per_year,
                self.value_of_time_usd_per_h)

    def describe(self) -> str:
        """Short human description, e.g. ``'40ft container (20 t, USD 50,000)'``."""
        if self.unit == "tonne":
            return f"{self.tonnes:g} t bulk (USD {self.value_usd:,.0f})"
        return f"{self.unit} container ({self.tonnes:g} t, USD {self.value_usd:,.0f})"


def transfer_kind_between(a: str, b: str) -> str:
    """Default transfer kind between two services (``rail-1435``, ``road``, ``sea``, ``ferry``)."""
    ma, mb = a.split("-")[0], b.split("-")[0]
    modes = {ma, mb}
    if ma == "rail" and mb == "rail":
        # the same track: a change between trains (a scheduled service and another train)
        return "connection" if a == b else "transload"
    if a == b and ma in ("sea", "ferry"):
        return "transshipment"
    if "sea" in modes:
        return "port_handling"
    if "ferry" in modes:
        return "ferry_terminal"
    return "intermodal"


@dataclass(frozen=True)
class TransferSpec:
    """Time and cost of one transfer (or terminal handling) at a place, for one cargo."""

    kind: str
    time_h: float
    time_p90_h: float
    cost_usd: float
    source: str | None
    row: str  # which row of operations.csv applied (for explanations)


def _f(v: Any) -> float:
    return float("nan") if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) \
        else float(v)


_NO_SPEC = TransferSpec("", float("nan"), float("nan"), float("nan"), None, "")


class CostModel:
    """Resolves tariffs, speeds, crossings and operations of a network for one cargo.

    Lookups return NaN where the data has no value; :func:`weights` records those as missing
    parameters and routing reports them before it searches.
    """

    def __init__(self, net: Network, cargo: Cargo) -> None:
        self.cargo = cargo
        t = net._tables
        self.tariffs = self._index(t.get("tariffs"), ("mode", "country"))
        self.speeds = self._index(t.get("speeds"), ("mode", "country"))
        self.crossings = self._index(t.get("crossings"), ("link_id", "direction"))
        ops = t.get("operations")
        self.ops: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.terminals: dict[tuple[str, str], dict[str, Any]] = {}
        self.op_defaults: dict[str, dict[str, Any]] = {}
        if ops is not None:
            for rec in ops.to_dict("records"):
                row = {str(k): v for k, v in rec.items()}
                if row["kind"] == "terminal":
                    self.terminals[(row["place_id"], row["from_service"])] = row
                elif row["place_id"] == "*":
                    self.op_defaults[row["kind"]] = row
                else:
                    self.ops[(row["place_id"], row["from_service"], row["to_service"])] = row
        self.has = {name: name in t for name in ("tariffs", "speeds", "crossings", "operations")}

    @staticmethod
    def _index(df: pd.DataFrame | None, key: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
        if df is None:
            return {}
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for rec in df.to_dict("records"):
            row = {str(k): v for k, v in rec.items()}
            out[tuple(row[k] for k in key)] = row
        return out

    # ---- links -------------------------------------------------------------------------------

    def _lookup(self, table: dict[tuple[Any, ...], dict[str, Any]], mode: str,
                country: str) -> dict[str, Any] | None:
        return table.get((mode, country)) or table.get((mode, "*"))

    def speed_kmh(self, mode: str, country: str, override: float) -> float:
        """Speed in km/h for a link of this mode in this country (link override first)."""
        if math.isfinite(override):
            return override
        row = self._lookup(self.speeds, mode, country)
        return _f(row["speed_kmh"]) if row else float("nan")

    def boarding_headway_h(self, mode: str, country: str) -> float:
        """Hours between scheduled departures of ``mode`` in ``country`` (speeds.csv
        ``headway_h``), NaN where the data gives none (no scheduled-service wait)."""
        row = self._lookup(self.speeds, mode, country)
        if row is None or "headway_h" not in row:
            return float("nan")
        return _f(row["headway_h"])

    def rate_usd_per_km(self, mode: str, country: str, override_teu: float) -> float:
        """Running cost in USD per km for this cargo (link override of USD/TEU-km first)."""
        row = self._lookup(self.tariffs, mode, country)
        unit = self.cargo.unit
        if math.isfinite(override_teu):
            if unit == "20ft":
                return override_teu
            if row is None:
                return float("nan")
            teu = _f(row["usd_per_teu_km"])
            other = _f(row["usd_per_feu_km"] if unit == "40ft" else row["usd_per_tonne_km"])
            ratio = other / teu if teu > 0 else float("nan")
            scale = 1.0 if unit == "40ft" else self.cargo.tonnes
            return override_teu * ratio * scale
        if row is None:
            return float("nan")
        if unit == "20ft":
            return _f(row["usd_per_teu_km"])
        if unit == "40ft":
            return _f(row["usd_per_feu_km"])
        return _f(row["usd_per_tonne_km"]) * self.cargo.tonnes

    def crossing(self, link_id: str, direction: str) -> tuple[float, float, float, str | None]:
        """(median dwell h, p90 dwell h, fee USD for this cargo, source) of a border link."""
        row = self.crossings.get((link_id, direction))
        if row is None:
            return float("nan"), float("nan"), float("nan"), None
        fee = _f(row["fee_usd"])
        if self.cargo.unit == "tonne" and math.isfinite(fee):
            fee = fee / CPMM_REFERENCE_TONNES * self.cargo.tonnes
        median = _f(row["dwell_median_h"])
        p90 = _f(row["dwell_p90_h"])
        return median, (p90 if math.isfinite(p90) else median), fee, row.get("source")

    # ---- transfers and terminals ---------------------------------------------------------------

    def _spec(self, row: dict[str, Any], label: str) -> TransferSpec:
        unit = self.cargo.unit
        if unit == "20ft":
            cost = _f(row["cost_usd_20ft"])
        elif unit == "40ft":
            cost = _f(row["cost_usd_40ft"])
        else:
            cost = _f(row["cost_usd_per_tonne"]) * self.cargo.tonnes
        t50 = _f(row["time_median_h"])
        t90 = _f(row["time_p90_h"])
        return TransferSpec(row["kind"], t50, t90 if math.isfinite(t90) else t50, cost,
                            row.get("source"), label)

    def transfer(self, place_id: str, place_kind: str, a: str, b: str) -> TransferSpec | None:
        """The transfer from service ``a`` to ``b`` at a place, or None where none is allowed.

        A row for (place, a, b) wins, then a row for (place, b, a); then the default of the
        transfer kind, at places whose kind allows default transfers. At border posts a
        rail <-> road change takes the ``transload`` default (a lift between wagon and truck
        at a border yard), not the ``intermodal`` one.
        """
        row = self.ops.get((place_id, a, b)) or self.ops.get((place_id, b, a))
        label = f"operations.csv place {place_id} {a}->{b}"
        if row is None:
            if place_kind not in TRANSFER_PLACE_KINDS and not (
                    a == b and place_kind == "port"):
                return None
            kind = transfer_kind_between(a, b)
            if kind == "intermodal" and place_kind == "border_post":
                kind = "transload"
                label = "operations.csv default 'transload' (rail<->road at a border post)"
            else:
                label = f"operations.csv default '{kind}'"
            row = self.op_defaults.get(kind)
            if row is None:
                why = ("no operations table" if not self.has["operations"]
                       else f"operations.csv has no default row for kind '{kind}'")
                return TransferSpec(kind, float("nan"), float("nan"), float("nan"), None, why)
        return self._spec(row, label)

    def terminal(self, place_id: str, service: str) -> TransferSpec:
        """Loading or unloading at a place for a service (``sea``, ``rail-1676``, ``road``):
        the place's terminal row for the service, its mode or ``*``, else the mode's default."""
        mode = service.split("-")[0]
        for key, label in (((place_id, service), f"operations.csv terminal {place_id} {service}"),
                           ((place_id, mode), f"operations.csv terminal {place_id} {mode}"),
                           ((place_id, "*"), f"operations.csv terminal {place_id} *"),
                           (("*", service), f"operations.csv default terminal {service}"),
                           (("*", mode), f"operations.csv default terminal {mode}")):
            row = self.terminals.get(key)
            if row is not None:
                return self._spec(row, label)
        return TransferSpec("terminal", float("nan"), float("nan"), float("nan"), None,
                            f"operations.csv has no terminal row for {mode} (add a row "
                            f"'*,{mode},terminal,terminal,...' or one for place {place_id})")


# --------------------------------------------------------------------------------------------
# Weights: component arrays per edge
# --------------------------------------------------------------------------------------------

TIME_COMPONENTS = ("running_time_h", "wait_h", "dwell_h", "transfer_time_h", "terminal_time_h")
COST_COMPONENTS = ("running_cost_usd", "fee_usd", "transfer_cost_usd", "terminal_cost_usd")
SPREAD_COMPONENTS = ("headway_h", "dwell_p90_h", "transfer_p90_h", "terminal_p90_h")


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
    transfer_kind: list[str | None]
    rule: list[str | None]

    def objective(self, name: str) -> np.ndarray:
        """The weight array of an objective."""
        return self.arrays[name]

    def combine(self, coefficients: dict[str, float | np.ndarray]) -> np.ndarray:
        """A weighted sum of components, e.g. ``{"cost_usd": 1.0, "time_h": 30.0}``."""
        out = np.zeros(len(self.cargo_ok))
        for name, c in coefficients.items():
            if name not in self.arrays:
                raise ParameterError(f"unknown component {name!r}; allowed: "
                                     + ", ".join(sorted(self.arrays)))
            out = out + np.asarray(c) * self.arrays[name]
        return out


def weights(net: Network, cargo: Cargo) -> Weights:
    """Component and objective arrays over the edges of ``net``'s expanded graph for
    ``cargo`` (cached per network and cargo)."""
    from .graph import topology

    topo = topology(net)
    hit = topo._weights.get(cargo.key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    w = _compute(net, topo, cargo)
    topo._weights[cargo.key] = w
    return w


def _compute(net: Network, topo: Topology, cargo: Cargo) -> Weights:
    cm = CostModel(net, cargo)
    links = net._links
    n = topo.n_edges
    nan = float("nan")
    a = {name: np.zeros(n) for name in (*TIME_COMPONENTS, *COST_COMPONENTS,
                                        *SPREAD_COMPONENTS)}
    a["headway_h"][:] = nan
    miss_t: dict[int, str] = {}
    miss_c: dict[int, str] = {}
    cargo_ok = np.ones(n, dtype=bool)

    etype = topo.etype
    is_link = etype == LINK
    le = np.flatnonzero(is_link)
    li = topo.elink[le]
    km = topo.edistance[le]
    mode = topo.emode[le]
    ctry = topo.ecountry[le]
    speed_o = links["speed_kmh"].to_numpy(dtype=float)[li]
    time_o = links["time_h"].to_numpy(dtype=float)[li]
    rate_o = links["usd_per_teu_km"].to_numpy(dtype=float)[li]
    headway = links["headway_h"].to_numpy(dtype=float)[li]

    # speeds and rates once per distinct (mode, country) and (mode, country, override)
    pair_code, pairs = _codes(mode, ctry)
    table_speed = np.array([cm.speed_kmh(m, c, nan) for m, c in pairs], dtype=float)
    speed = np.where(np.isfinite(speed_o), speed_o, table_speed[pair_code]) \
        if len(le) else np.zeros(0)
    if topo.services and len(le):
        # a scheduled service runs at its own published speed where it has one
        svc_speed = {name: s.speed_kmh for name, s in topo.services.items()}
        on_svc = np.array([svc_speed.get(topo.node_service[u], nan)
                           for u in topo.src[le].tolist()], dtype=float)
        speed = np.where(np.isfinite(on_svc), on_svc, speed)
        time_o = np.where(np.isfinite(on_svc), nan, time_o)
    run_t = np.where(np.isfinite(time_o), time_o, km / np.where(speed > 0, speed, nan))
    # the rate of the first edge of each (mode, country, override) (0.0 and -0.0 are one
    # override, as they were one key of a dict)
    o_code, _ = pd.factorize(rate_o, use_na_sentinel=False)
    key_code, _ = pd.factorize(pair_code * (int(o_code.max(initial=0)) + 1) + o_code)
    first = np.zeros(int(key_code.max(initial=-1)) + 1, dtype=np.int64)
    first[key_code[::-1]] = np.arange(len(key_code) - 1, -1, -1)
    key_rate = np.array([cm.rate_usd_per_km(mode[j], ctry[j], rate_o[j]) for j in first.tolist()],
                        dtype=float)
    rate = key_rate[key_code] if len(le) else np.empty(0)
    a["running_time_h"][le] = run_t
    a["running_cost_usd"][le] = km * rate
    has_hw = np.isfinite(headway)
    a["wait_h"][le] = np.where(has_hw, headway / 2.0, 0.0)
    a["headway_h"][le] = headway
    col = {"20ft": "usd_per_teu_km", "40ft": "usd_per_feu_km"}.get(cargo.unit, "usd_per_tonne_km")
    for j in np.flatnonzero(~np.isfinite(run_t)).tolist():
        e = int(le[j])
        lid = topo.link_ids[int(li[j])]
        miss_t[e] = (f"link {lid!r} ({mode[j]}, {ctry[j]}): no speed: add a speeds.csv row for "
                     f"({mode[j]}, {ctry[j]}) or ({mode[j]}, *), or set the link's speed_kmh "
                     "or time_h")
    for j in np.flatnonzero(~np.isfinite(rate)).tolist():
        e = int(le[j])
        lid = topo.link_ids[int(li[j])]
        miss_c[e] = (f"link {lid!r} ({mode[j]}, {ctry[j]}): no tariff for {cargo.unit} cargo: add "
                     f"{col} to a tariffs.csv row for ({mode[j]}, {ctry[j]}) or ({mode[j]}, *)")
    rule_arr = np.full(n, None, dtype=object)
    rule_arr[le] = np.array([f"link {lid!r}" for lid in topo.link_ids], dtype=object)[li] \
        if len(le) else rule_arr[le]
    refused = np.array([bool(u) and cargo.unit not in u for u in topo.link_cargo_units],
                       dtype=bool)
    cargo_ok[le] = ~refused[li] if len(le) else cargo_ok[le]

    # borders
    for e in np.flatnonzero(is_link & topo.eborder).tolist():
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
            miss_c[e] = f"border link {lid!r}: no fee_usd in crossings.csv for direction {direction!r}"

    # transfers and terminals: one spec per distinct (edge type, place kind, services) at
    # places without rows of their own; every other edge (and every edge whose spec lacks a
    # value, for its message) one by one, in edge order
    src, dst = topo.src, topo.dst
    kind_arr = np.full(n, None, dtype=object)
    other = np.flatnonzero(~is_link)
    svc_names = sorted(set(topo.node_service))
    svc_code = {s: i for i, s in enumerate(svc_names)}
    logical = [logical_service(s) for s in svc_names]
    node_svc = np.array([svc_code[s] for s in topo.node_service], dtype=np.int64) \
        if topo.n_nodes else np.zeros(0, dtype=np.int64)
    own_ops = {k[0] for k in cm.ops}
    own_terminals = {k[0] for k in cm.terminals}
    place_kind_code, place_kinds = pd.factorize(np.array(topo.place_kind, dtype=object))
    ot = etype[other]
    op = topo.node_place[src[other]]
    su = node_svc[src[other]]
    sv = node_svc[dst[other]]
    own = np.array([pid in own_ops or pid in own_terminals for pid in topo.place_ids],
                   dtype=bool)
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
    key_codes = raw_code
    complete = np.array([math.isfinite(sp.time_h) and math.isfinite(sp.cost_usd)
                         for sp, _ in specs], dtype=bool)
    one_by_one |= ~complete[key_codes] if len(other) else one_by_one
    fast = other[~one_by_one]
    fk = key_codes[~one_by_one]
    ft = etype[fast]
    if len(fast):
        k_time = np.array([sp.time_h for sp, _ in specs], dtype=float)[fk]
        k_p90 = np.array([sp.time_p90_h for sp, _ in specs], dtype=float)[fk]
        k_cost = np.array([sp.cost_usd for sp, _ in specs], dtype=float)[fk]
        for t, tcol, pcol, ccol in ((TRANSFER, "transfer_time_h", "transfer_p90_h",
                                     "transfer_cost_usd"),
                                    (LOAD, "terminal_time_h", "terminal_p90_h",
                                     "terminal_cost_usd"),
                                    (UNLOAD, "terminal_time_h", "terminal_p90_h",
                                     "terminal_cost_usd")):
            sel = ft == t
            a[tcol][fast[sel]] = k_time[sel]
            a[pcol][fast[sel]] = k_p90[sel]
            a[ccol][fast[sel]] = k_cost[sel]
        k_kind = np.array([sp.kind for sp, _ in specs], dtype=object)[fk]
        kind_arr[fast] = np.where(ft == TRANSFER, k_kind,
                                  np.where(ft == LOAD, "load", "unload")).astype(object)
        rule_arr[fast] = np.array([sp.row for sp, _ in specs], dtype=object)[fk]
        rail = np.array([b.startswith("rail") and SERVICE_SEP not in b for _, b in specs],
                        dtype=bool)[fk]
        sched = np.array([topo.services[b].headway_h if b in topo.services else nan
                          for _, b in specs], dtype=float)[fk]
        country_code, countries = pd.factorize(
            np.array(topo.place_country, dtype=object)[topo.node_place[src[fast]]])
        hw_of = np.array([cm.boarding_headway_h("rail", c) for c in countries], dtype=float)
        hw = np.where(rail, hw_of[country_code] if len(countries) else nan, sched)
        has = np.isfinite(hw)
        a["headway_h"][fast[has]] = hw[has]
        a["wait_h"][fast[has]] = hw[has] / 2.0
    for e in other[one_by_one].tolist():
        u, v = int(src[e]), int(dst[e])
        pi = int(topo.node_place[u])
        pid = topo.place_ids[pi]
        t = int(etype[e])
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
            hw_e = topo.services[boarding].headway_h
        elif boarding.startswith("rail"):
            hw_e = cm.boarding_headway_h("rail", topo.place_country[pi])
        else:
            hw_e = nan
        if boarding:
            if math.isfinite(hw_e):
                a["headway_h"][e] = hw_e
                a["wait_h"][e] = hw_e / 2.0
    kinds: list[str | None] = kind_arr.tolist()
    rules: list[str | None] = rule_arr.tolist()

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
    return Weights(cargo=cargo, arrays=a,
                   missing={"distance_km": {}, "time_h": miss_t, "cost_usd": miss_c,
                            "generalized": {**miss_t, **miss_c}, "risk": {}},
                   cargo_ok=cargo_ok, transfer_kind=kinds, rule=rules)


def _plain(node_service: str) -> str:
    return node_service[:-len(ARRIVED)] if node_service.endswith(ARRIVED) else node_service


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


def _codes(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
    """A code per row for the distinct (first, second) pairs, numbered in order of first
    appearance, and the pairs."""
    if not len(first):
        return np.zeros(0, dtype=np.int64), []
    c1, u1 = pd.factorize(first, use_na_sentinel=False)
    c2, u2 = pd.factorize(second, use_na_sentinel=False)
    codes, combined = pd.factorize(c1.astype(np.int64) * len(u2) + c2)
    return codes.astype(np.int64), [(u1[k // len(u2)], u2[k % len(u2)])
                                    for k in combined.tolist()]


def _edge_risk(net: Network, topo: Topology, cargo: Cargo,
               sanctions: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-edge expected disruption delay (h) and security + sanctions money (USD) from the
    network's risk table (:func:`corridors.risk.edge_risk_usd`): countries and places are
    charged on the edge that enters them (and on loading at the origin), links on their link,
    passages on each sea leg that passes them, so a route's sum is its risk."""
    from .risk import edge_risk_usd

    pc = topo.place_country
    sp, dp = topo.src_place, topo.dst_place
    # the country text of each (from country, to country), once per distinct pair
    code, names = pd.factorize(np.array(pc, dtype=object))
    width = max(len(names), 1)
    pair_code, pairs = pd.factorize(code[sp] * width + code[dp]) if len(pc) else \
        (np.zeros(len(sp), dtype=np.int64), np.zeros(0, dtype=np.int64))
    pair_text = [names[k // width] if k // width == k % width
                 else f"{names[k // width]}-{names[k % width]}" for k in pairs.tolist()]
    countries = np.array(pair_text, dtype=object)[pair_code].tolist() if len(sp) else []
    # link edges have their link's row in elink, other edges -1: the last item, here "none"
    elink = topo.elink.tolist()
    ids_or_none: list[str | None] = [*topo.link_ids, None]
    passages_or_none: list[tuple[str, ...]] = [*topo.link_passages, ()]
    link_ids = [ids_or_none[li] for li in elink]
    passages = [passages_or_none[li] for li in elink]
    place_ids = np.array(topo.place_ids, dtype=object)
    return edge_risk_usd(net, cargo, countries=countries,
                         places_from=place_ids[sp].tolist() if len(sp) else [],
                         places_to=place_ids[dp].tolist() if len(dp) else [],
                         link_ids=link_ids, passages=passages,
                         starts=(topo.etype == LOAD).tolist(), sanctions=sanctions)


def risk_arrays(net: Network, cargo: Cargo, sanctions: Any) -> tuple[np.ndarray, np.ndarray]:
    """(risk_delay_h, risk_usd) per edge under a sanctions policy (cached per network, cargo
    and policy; ``"ignore"`` is what :func:`weights` holds)."""
    from .graph import topology

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
            reasons.append(f"{w.rule[e] or f'edge {e}'}: {objective} weight {arr[e]!r} is "
                           "not a finite number >= 0 (check its overrides and table rows)")
    if not reasons:
        return
    shown = reasons[:12]
    more = f"\n  ... and {len(reasons) - len(shown)} more" if len(reasons) > len(shown) else ""
    raise ParameterError(
        f"cannot route by {objective!r} on {net_name}: {len(reasons)} parameter(s) missing or "
        "invalid:\n  " + "\n  ".join(shown) + more)


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
    from .graph import topology

    topo = topology(net)
    by_key: dict[tuple[str, str, str, str], list[str]] = {}
    other: dict[tuple[str, str], str] = {}
    fields = {"20ft": "usd_per_teu_km", "40ft": "usd_per_feu_km"}
    for cargo in (Cargo.container("20ft"), Cargo.container("40ft"), Cargo.bulk(1.0)):
        w = weights(net, cargo)
        for table, missing in (("speeds", w.missing["time_h"]),
                               ("tariffs", w.missing["cost_usd"])):
            for e, reason in missing.items():
                if topo.etype[e] == LINK:
                    field = ("speed_kmh" if table == "speeds"
                             else fields.get(cargo.unit, "usd_per_tonne_km"))
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
        problems.append(Problem(
            _table_file(net, table), f"({mode}, {country})", field,
            f"no {what} for {mode} in {country}, which {len(ids)} link(s) use ({shown}): add a "
            f"{table} row for ({mode}, {country}) or ({mode}, *)"
            + (", or set the links' speed_kmh or time_h" if table == "speeds" else "")))
    for (table, rule), reason in sorted(other.items()):
        problems.append(Problem(_table_file(net, table), rule, "", reason))
    return problems
