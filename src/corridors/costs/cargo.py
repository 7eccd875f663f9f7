"""Cargo and the cost and time model, as per-edge component arrays of the expanded graph.

Every edge of the expanded graph (:mod:`corridors.engine.topology`) gets one value per *component*;
objectives are weighted sums of components, so that scenario multipliers, risk terms and
Pareto criteria are data, not code.

Time components (hours)
    ``running_time_h``: a link's ``time_h`` override, else ``distance_km / speed_kmh`` (the
    link's ``speed_kmh``, else the speeds table by mode and country, else its ``*`` row).
    ``wait_h``: expected wait for a scheduled departure, half the headway: on a link with its
    own ``headway_h`` (ships, ferries) each time it is taken; for rail, on boarding a train
    (loading at the origin, or a transfer from road, sea or ferry into rail) from the speeds
    table's ``headway_h`` of (rail, country). A gauge change between railways is a hand-over,
    not a boarding: it costs the operation's time and no departure wait. A sailing after port
    operations whose rows include the wait for the ship (operations.csv
    ``includes_departure_wait``) waits only what the operation's time does not cover
    (``wait_overlap_h`` is the rest; see :mod:`corridors.engine.weights`). At the origin the
    wait is the query's (``departure="random"``: half a headway; ``"booked"``: none, the
    shipper times its arrival to the departure; see :mod:`corridors.routes.routing`), and so
    is every later one (``connections="random"``, the default: half a headway; ``"booked"``:
    none, the forwarder times the cargo to each connection). ``dwell_h``: median border dwell
    for the direction travelled.
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
    surcharges per trip, from the risk table: see :mod:`corridors.costs.risk`). Routing by
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

from ..errors import ParameterError
from ..model.network import Network
from ..model.schema import TRANSFER_PLACE_KINDS
from ..units import CPMM_REFERENCE_TONNES, HOURS_PER_YEAR

__all__ = ["Cargo", "CARGO_UNITS", "CostModel", "TransferSpec", "transfer_kind_between"]

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
            raise ParameterError(
                f"unknown cargo unit {self.unit!r}; allowed: " + ", ".join(CARGO_UNITS)
            )
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
        raise ParameterError(
            f"unknown cargo {text!r}; allowed: 20ft, 40ft, tonne, <N>t (e.g. 500t)"
        )

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
        return (
            self.unit,
            self.tonnes,
            self.value_usd,
            self.holding_rate_per_year,
            self.value_of_time_usd_per_h,
        )

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
    # the row's time already contains the wait for the departing ship or ferry
    # (operations.csv ``includes_departure_wait``; see engine.weights._departure_overlaps)
    includes_wait: bool = False


def _f(v: Any) -> float:
    return (
        float("nan")
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
        else float(v)
    )


def _flag(v: Any) -> bool:
    """A boolean cell (True, numpy's True); missing or anything else is False."""
    return isinstance(v, (bool, np.bool_)) and bool(v)


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
    def _index(
        df: pd.DataFrame | None, key: tuple[str, ...]
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        if df is None:
            return {}
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for rec in df.to_dict("records"):
            row = {str(k): v for k, v in rec.items()}
            out[tuple(row[k] for k in key)] = row
        return out

    # ---- links -------------------------------------------------------------------------------

    def _lookup(
        self, table: dict[tuple[Any, ...], dict[str, Any]], mode: str, country: str
    ) -> dict[str, Any] | None:
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
        return TransferSpec(
            row["kind"],
            t50,
            t90 if math.isfinite(t90) else t50,
            cost,
            row.get("source"),
            label,
            _flag(row.get("includes_departure_wait")),
        )

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
            if place_kind not in TRANSFER_PLACE_KINDS and not (a == b and place_kind == "port"):
                return None
            kind = transfer_kind_between(a, b)
            if kind == "intermodal" and place_kind == "border_post":
                kind = "transload"
                label = "operations.csv default 'transload' (rail<->road at a border post)"
            else:
                label = f"operations.csv default '{kind}'"
            row = self.op_defaults.get(kind)
            if row is None:
                why = (
                    "no operations table"
                    if not self.has["operations"]
                    else f"operations.csv has no default row for kind '{kind}'"
                )
                return TransferSpec(kind, float("nan"), float("nan"), float("nan"), None, why)
        return self._spec(row, label)

    def terminal(self, place_id: str, service: str) -> TransferSpec:
        """Loading or unloading at a place for a service (``sea``, ``rail-1676``, ``road``):
        the place's terminal row for the service, its mode or ``*``, else the mode's default."""
        mode = service.split("-")[0]
        for key, label in (
            ((place_id, service), f"operations.csv terminal {place_id} {service}"),
            ((place_id, mode), f"operations.csv terminal {place_id} {mode}"),
            ((place_id, "*"), f"operations.csv terminal {place_id} *"),
            (("*", service), f"operations.csv default terminal {service}"),
            (("*", mode), f"operations.csv default terminal {mode}"),
        ):
            row = self.terminals.get(key)
            if row is not None:
                return self._spec(row, label)
        return TransferSpec(
            "terminal",
            float("nan"),
            float("nan"),
            float("nan"),
            None,
            f"operations.csv has no terminal row for {mode} (add a row "
            f"'*,{mode},terminal,terminal,...' or one for place {place_id})",
        )
