"""Routes: best route by one objective, materially different alternatives, Route and Leg.

Routing runs on the expanded graph of :mod:`corridors.graph`: a train that runs through keeps
its sub-node, a gauge break or mode change crosses a transfer edge with its own time and
cost, and border links carry their direction-specific dwell and fees. A route's totals are
always the sum of its legs.
"""

from __future__ import annotations

import difflib
import heapq
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from ._checks import (
    MAX_K,
    check_cargo,
    check_int,
    check_keywords,
    check_names,
    check_network,
    check_place,
    check_real,
    check_str,
)
from .costs import Cargo, Weights, check_weights, risk_arrays, weights
from .errors import (
    AmbiguousPlaceError,
    CorridorsError,
    NoRouteError,
    ParameterError,
    ParameterTypeError,
)
from .graph import (
    LINK,
    LOAD,
    TIE_BREAK,
    TRANSFER,
    UNLOAD,
    WATER_MODES,
    Topology,
    logical_service,
    objective_name,
    on_grid,
    search,
    service_id,
    topology,
)
from .network import (
    MODES,
    PASSAGES,
    Network,
    geodesic_km,
    link_is_usable,
    parse_gauges,
    services_of,
)
from .schema import closed_in_month, split_list

__all__ = ["Leg", "Route", "Query", "route", "alternatives", "seasonal_closures"]

MAIN_MODE_SHARE = 0.05  # a mode counts in a route's signature when it carries >= 5 % of the km
PORT_AREA_KM = 50.0  # ports closer than this to each other form one port area


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    """One step of a route: a link travelled in one direction, or a transfer at a place.

    ``kind`` is ``"link"``, ``"border"`` (a border-crossing link), ``"transfer"`` (gauge
    break, port handling, mode change, transshipment) or ``"terminal"`` (loading at the origin,
    unloading at the destination; ``transfer_kind`` says which). Times in hours, money in USD,
    distances in km. ``time_h`` = running + wait + dwell + transfer + terminal time;
    ``cost_usd`` = running cost + fee + transfer cost + terminal cost. ``headway_h`` is the
    interval of the scheduled service whose expected wait (half of it) is ``wait_h``.
    """

    seq: int
    kind: str
    link_id: str | None
    from_id: str
    to_id: str
    from_name: str
    to_name: str
    mode: str
    service: str
    to_service: str
    transfer_kind: str | None
    country: str
    distance_km: float
    running_time_h: float
    wait_h: float
    dwell_h: float
    dwell_p90_h: float
    transfer_time_h: float
    transfer_p90_h: float
    terminal_time_h: float
    terminal_p90_h: float
    running_cost_usd: float
    fee_usd: float
    transfer_cost_usd: float
    terminal_cost_usd: float
    headway_h: float
    passages: tuple[str, ...]
    risk_delay_h: float
    risk_usd: float
    time_h: float
    cost_usd: float
    generalized_usd: float
    geometry: Any = field(repr=False, compare=False)
    # the scheduled service (services.csv id) the cargo rides or boards on this leg; None
    # where it travels on the per-country defaults (speeds.csv)
    service_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The leg as a JSON-ready dict (geometry left out)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "geometry"}
        out["passages"] = list(self.passages)
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


@dataclass(frozen=True)
class Query:
    """A routing query after parsing and checking its arguments."""

    origin: str
    destination: str
    minimize: str
    cargo: Cargo
    year: int | None = None
    modes: tuple[str, ...] = MODES
    avoid_countries: tuple[str, ...] = ()
    avoid_places: tuple[str, ...] = ()
    avoid_links: tuple[str, ...] = ()
    avoid_crossings: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    max_transfers: int | None = None
    cross_at: tuple[str, ...] = ()
    avoid_passages: tuple[str, ...] = ()
    # the ordered waypoints the via and cross_at arguments resolve to: ("place", id),
    # ("gateway", port id) or ("crossing", "a|b" places of a border crossing)
    waypoints: tuple[tuple[str, str], ...] = ()
    risk_aversion: float = 0.0
    sanctions: tuple[tuple[str, str], ...] = ()  # (regime or "*", policy)
    departure: str = "booked"  # "booked": no wait for the first departure; "random": half a headway

    def sanctions_policy(self) -> str | dict[str, str]:
        """The sanctions policy as :mod:`corridors.risk` takes it."""
        return dict(self.sanctions) if self.sanctions else "ignore"

    def constraints(self) -> dict[str, Any]:
        """The constraints that are set, as a dict (for summaries and messages)."""
        out: dict[str, Any] = {}
        if self.year is not None:
            out["year"] = self.year
        if set(self.modes) != set(MODES):
            out["modes"] = list(self.modes)
        for name in ("avoid_countries", "avoid_places", "avoid_links", "avoid_crossings",
                     "avoid_passages", "via", "cross_at"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        if self.max_transfers is not None:
            out["max_transfers"] = self.max_transfers
        if self.risk_aversion:
            out["risk_aversion"] = self.risk_aversion
        if self.sanctions:
            out["sanctions"] = dict(self.sanctions)
        if self.departure != "booked":
            out["departure"] = self.departure
        return out


@dataclass(frozen=True)
class Route:
    """A route between two places: its legs, totals (sums of legs) and what it crosses.

    Attributes
    ----------
    steps : tuple of Leg
        The legs in order (``legs`` gives them as a GeoDataFrame).
    query : Query
        The query that produced the route.
    objective : float
        Value of the objective that was minimized.
    """

    steps: tuple[Leg, ...]
    query: Query
    network: str
    objective: float
    port_area_of: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    sanctions_regimes: tuple[str, ...] = field(default=(), compare=False)

    # ---- totals (always the sum of the legs) ----------------------------------------------

    def _sum(self, name: str) -> float:
        return float(math.fsum(getattr(leg, name) for leg in self.steps))

    @property
    def origin(self) -> str:
        return self.query.origin

    @property
    def destination(self) -> str:
        return self.query.destination

    @property
    def distance_km(self) -> float:
        """Total distance in km."""
        return self._sum("distance_km")

    @property
    def time_h(self) -> float:
        """Total time in hours (median border dwell and transfer times)."""
        return self._sum("time_h")

    @property
    def cost_usd(self) -> float:
        """Total money cost in USD (running cost, border fees, transfer costs)."""
        return self._sum("cost_usd")

    @property
    def generalized_usd(self) -> float:
        """Money plus the cargo's time value (holding cost and value of time), USD."""
        return self._sum("generalized_usd")

    @property
    def risk_usd(self) -> float:
        """Expected risk money of the trip in USD: disruption delay valued at the cargo's
        time value, plus security premiums and sanctions surcharges (sum of the legs; see
        :func:`corridors.risk.route_risk` for the itemised report)."""
        tv = self.query.cargo.time_value_usd_per_h
        return float(math.fsum(leg.risk_delay_h * tv + leg.risk_usd for leg in self.steps))

    @property
    def crossings(self) -> list[Leg]:
        """Border-crossing legs in order."""
        return [leg for leg in self.steps if leg.kind == "border"]

    @property
    def transfers(self) -> list[Leg]:
        """Transfer legs (gauge breaks, port handling, mode changes) in order."""
        return [leg for leg in self.steps if leg.kind == "transfer"]

    @property
    def terminals(self) -> list[Leg]:
        """Terminal legs: loading at the origin and unloading at the destination."""
        return [leg for leg in self.steps if leg.kind == "terminal"]

    def time_split(self) -> dict[str, float]:
        """Total time in hours by what it is spent on: ``running``, ``waiting`` (for scheduled
        departures), ``border`` (dwell), ``transfer`` and ``terminal``; they sum to
        :attr:`time_h`."""
        return {"running": self._sum("running_time_h"), "waiting": self._sum("wait_h"),
                "border": self._sum("dwell_h"), "transfer": self._sum("transfer_time_h"),
                "terminal": self._sum("terminal_time_h")}

    @property
    def services(self) -> list[str]:
        """The scheduled services (services.csv ids) the route rides, in order; a rail leg on
        no scheduled service runs on its country's default speed and headway (speeds.csv),
        listed as ``default:rail:<country>``."""
        out: list[str] = []
        for leg in self.steps:
            if leg.kind in ("link", "border") and leg.mode == "rail":
                name = leg.service_id or f"default:rail:{leg.country.split('-')[0]}"
                if not out or out[-1] != name:
                    out.append(name)
        return out

    @property
    def door_to_door_h(self) -> float:
        """Hours from loading at the origin to unloading at the destination, terminal
        handling included, with the first departure's wait as the query asked
        (``departure="booked"``: none; ``"random"``: half a headway). Same as :attr:`time_h`."""
        return self.time_h

    @property
    def transit_time_h(self) -> float:
        """Hours from the first departure to the last arrival: :attr:`time_h` without the
        terminal handling at either end and without any wait for the first departure."""
        parts: list[float] = []
        departed = False
        for leg in self.steps:
            t = leg.time_h - leg.terminal_time_h
            if not departed:
                t -= leg.wait_h
                departed = leg.kind in ("link", "border")
            parts.append(t)
        return float(math.fsum(parts))

    def cost_split(self) -> dict[str, float]:
        """Total money in USD by what it pays for: ``running``, ``border`` (fees),
        ``transfer`` and ``terminal``; they sum to :attr:`cost_usd`."""
        return {"running": self._sum("running_cost_usd"), "border": self._sum("fee_usd"),
                "transfer": self._sum("transfer_cost_usd"),
                "terminal": self._sum("terminal_cost_usd")}

    @property
    def countries(self) -> list[str]:
        """Countries crossed, in order (ISO3)."""
        out: list[str] = []
        for leg in self.steps:
            for c in leg.country.split("-"):
                if c != "*" and (not out or out[-1] != c) and c not in out:
                    out.append(c)
        return out

    @property
    def modes(self) -> list[str]:
        """Modes used, in order of first use."""
        out: list[str] = []
        for leg in self.steps:
            if leg.kind not in ("transfer", "terminal") and leg.mode not in out:
                out.append(leg.mode)
        return out

    @property
    def ports(self) -> list[str]:
        """Places where the cargo boards or leaves a ship or ferry, in order."""
        out: list[str] = []
        for leg in self.steps:
            if leg.kind in ("link", "border") and leg.mode in ("sea", "ferry"):
                for p in (leg.from_id, leg.to_id):
                    if p not in out:
                        out.append(p)
        return out

    @property
    def passages(self) -> list[str]:
        """Sea passages (Suez, Bab-el-Mandeb, Hormuz, ...) the route passes, in order."""
        out: list[str] = []
        for leg in self.steps:
            for p in leg.passages:
                if p not in out:
                    out.append(p)
        return out

    @property
    def crossing_places(self) -> list[str]:
        """Border crossings as ``"a|b"`` keys of their two places (mode-agnostic), in order."""
        out: list[str] = []
        for leg in self.crossings:
            key = "|".join(sorted((leg.from_id, leg.to_id)))
            if not out or out[-1] != key:
                out.append(key)
        return out

    @property
    def main_modes(self) -> tuple[str, ...]:
        """Modes that carry at least 5 % of the route's distance, sorted."""
        total = self.distance_km or 1.0
        km: dict[str, float] = {}
        for leg in self.steps:
            if leg.kind in ("link", "border"):
                km[leg.mode] = km.get(leg.mode, 0.0) + leg.distance_km
        return tuple(sorted(m for m, d in km.items() if d >= MAIN_MODE_SHARE * total))

    @property
    def signature(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """What makes a route materially different: the border crossings it uses (by their
        places, whatever the mode), the port areas where it boards or leaves ships and ferries,
        and its main modes. Routes that differ only in where a transfer happens, in crossing
        one border by road instead of rail, or in using a neighbouring terminal of the same
        port area share a signature."""
        return (tuple(self.crossing_places), tuple(self.port_areas), self.main_modes)

    @property
    def port_areas(self) -> list[str]:
        """Port areas used (ports within 50 km of each other form one area), in order."""
        areas = self.port_area_of
        out: list[str] = []
        for p in self.ports:
            a = areas.get(p, p)
            if a not in out:
                out.append(a)
        return out

    # ---- views ------------------------------------------------------------------------------

    @property
    def legs(self) -> gpd.GeoDataFrame:
        """One row per leg with cumulative distance, time and cost (EPSG:4326)."""
        rows = [leg.to_dict() for leg in self.steps]
        for row in rows:
            row["passages"] = "|".join(row["passages"])  # one text column (GeoPackage, CSV)
        gdf = gpd.GeoDataFrame(rows, geometry=[leg.geometry for leg in self.steps], crs=4326)
        if len(gdf):
            for col in ("distance_km", "time_h", "cost_usd", "generalized_usd"):
                gdf[f"cum_{col}"] = gdf[col].astype(float).cumsum()
        return gdf

    def segments(self) -> list[dict[str, Any]]:
        """Legs merged into readable runs: consecutive links on one service, borders and
        transfers as their own rows."""
        out: list[dict[str, Any]] = []
        for leg in self.steps:
            merge = (out and leg.kind == "link" and out[-1]["kind"] == "link"
                     and out[-1]["service"] == leg.service)
            if merge:
                seg = out[-1]
                seg["to_id"], seg["to_name"] = leg.to_id, leg.to_name
                seg["via"].append(leg.from_name)
                for k in ("distance_km", "time_h", "cost_usd"):
                    seg[k] += getattr(leg, k)
                if leg.country not in seg["countries"]:
                    seg["countries"].append(leg.country)
            else:
                out.append({
                    "kind": leg.kind, "from_id": leg.from_id, "to_id": leg.to_id,
                    "from_name": leg.from_name, "to_name": leg.to_name, "mode": leg.mode,
                    "service": leg.service, "to_service": leg.to_service,
                    "transfer_kind": leg.transfer_kind, "link_id": leg.link_id, "via": [],
                    "countries": [leg.country], "distance_km": leg.distance_km,
                    "time_h": leg.time_h, "cost_usd": leg.cost_usd, "dwell_h": leg.dwell_h,
                    "fee_usd": leg.fee_usd})
        return out

    def summary(self) -> dict[str, Any]:
        """Totals and what the route crosses: distance, time, cost, crossings, transfers."""
        q = self.query
        return {
            "origin": q.origin,
            "destination": q.destination,
            "network": self.network,
            "minimize": q.minimize,
            "objective": _clean(self.objective),
            "cargo": q.cargo.describe(),
            "distance_km": _clean(round(self.distance_km, 1)),
            "time_h": _clean(round(self.time_h, 1)),
            "time_days": _clean(round(self.time_h / 24.0, 2)),
            "departure": q.departure,
            "transit_time_h": _clean(round(self.transit_time_h, 1)),
            "rail_services": self.services,
            "cost_usd": _clean(round(self.cost_usd, 2)),
            "generalized_usd": _clean(round(self.generalized_usd, 2)),
            "risk_usd": _clean(round(self.risk_usd, 2)),
            "sanctions_regimes": list(self.sanctions_regimes),
            "co2e_kg": _clean(round(self.co2e_kg, 1)),
            "risk_delay_h": _clean(round(self._sum("risk_delay_h"), 2)),
            "countries": self.countries,
            "modes": self.modes,
            "n_border_crossings": len(self.crossings),
            "border_crossings": [
                {"link_id": c.link_id, "from": c.from_id, "to": c.to_id, "mode": c.mode,
                 "countries": c.country, "dwell_h": _clean(c.dwell_h),
                 "dwell_p90_h": _clean(c.dwell_p90_h), "fee_usd": _clean(c.fee_usd)}
                for c in self.crossings],
            "time_split_h": {k: _clean(round(v, 1)) for k, v in self.time_split().items()},
            "cost_split_usd": {k: _clean(round(v, 2)) for k, v in self.cost_split().items()},
            "passages": self.passages,
            "terminals": [
                {"place": t.from_id, "what": t.transfer_kind, "mode": t.mode,
                 "time_h": _clean(t.terminal_time_h), "cost_usd": _clean(t.terminal_cost_usd)}
                for t in self.terminals],
            "n_transfers": len(self.transfers),
            "transfers": [
                {"place": t.from_id, "from_service": t.service, "to_service": t.to_service,
                 "kind": t.transfer_kind, "time_h": _clean(t.transfer_time_h),
                 "cost_usd": _clean(t.transfer_cost_usd)}
                for t in self.transfers],
            "constraints": q.constraints(),
        }

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel CO2e of the shipment in kg (GLEC / ISO 14083 default factors by mode;
        see :mod:`corridors.emissions`)."""
        from .emissions import route_co2e_kg

        return float(route_co2e_kg(self))

    def tcd_chart(self, **kwargs: Any) -> Any:
        """UNESCAP time/cost-distance chart of this route (matplotlib Figure; needs the
        ``plot`` extra). See :func:`corridors.plot.tcd_chart`."""
        from .plot import tcd_chart

        return tcd_chart([self], **kwargs)

    def explore(self, **kwargs: Any) -> Any:
        """Interactive map of this route: one self-contained HTML page that works offline
        (shows in Jupyter; ``.save(path)``). See :func:`corridors.plot.explore`."""
        from .plot import explore

        return explore([self], **kwargs)

    def _repr_html_(self) -> str:
        from .export import route_html

        return route_html(self)

    def to_dict(self) -> dict[str, Any]:
        """Summary plus every leg, ready for ``json.dumps``."""
        out = self.summary()
        out["legs"] = [leg.to_dict() for leg in self.steps]
        return out

    def __repr__(self) -> str:
        return (f"<Route {self.origin} -> {self.destination}: {self.distance_km:,.0f} km, "
                f"{self.time_h / 24:.1f} days, USD {self.cost_usd:,.0f}, "
                f"{len(self.crossings)} borders, {len(self.transfers)} transfers>")


def _num(v: Any) -> float:
    """A float for a Leg field; every NaN is the one ``math.nan`` object, so that legs with
    missing values still compare equal to themselves."""
    x = float(v)
    return math.nan if math.isnan(x) else x


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


# --------------------------------------------------------------------------------------------
# Query parsing
# --------------------------------------------------------------------------------------------


def _as_tuple(v: str | Iterable[str] | None) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return tuple(v)


def make_query(
    net: Network,
    origin: str,
    destination: str,
    *,
    minimize: str = "cost_usd",
    cargo: Cargo | None = None,
    year: int | None = None,
    modes: str | Iterable[str] | None = None,
    avoid_countries: str | Iterable[str] | None = None,
    avoid_places: str | Iterable[str] | None = None,
    avoid_links: str | Iterable[str] | None = None,
    avoid_crossings: str | Iterable[str] | None = None,
    avoid_passages: str | Iterable[str] | None = None,
    via: str | Iterable[str] | None = None,
    cross_at: str | Iterable[str] | None = None,
    max_transfers: int | None = None,
    risk_aversion: float = 0.0,
    sanctions: str | Mapping[str, str] | None = None,
    departure: str = "booked",
) -> Query:
    """Check and resolve the arguments of a routing query (names -> ids).

    Types are checked first (:class:`ParameterTypeError` naming the argument), then values.
    """
    check_network(net)
    check_place(origin, "origin")
    check_place(destination, "destination")
    check_str(minimize, "minimize")
    cargo = check_cargo(cargo)
    for arg, v in (("modes", modes), ("avoid_countries", avoid_countries),
                   ("avoid_places", avoid_places), ("avoid_links", avoid_links),
                   ("avoid_crossings", avoid_crossings), ("avoid_passages", avoid_passages),
                   ("via", via), ("cross_at", cross_at)):
        check_names(v, arg)
    year = check_int(year, "year", optional=True)
    max_transfers = check_int(max_transfers, "max_transfers", lo=0, optional=True)
    risk_aversion = check_real(risk_aversion, "risk_aversion", lo=0.0)  # type: ignore[assignment]
    if sanctions is not None and not isinstance(sanctions, (str, Mapping)):
        raise ParameterTypeError("sanctions must be a policy string (ignore, surcharge, "
                                 "avoid) or a mapping regime -> policy, got "
                                 f"{type(sanctions).__name__}")
    check_str(departure, "departure")
    obj = objective_name(minimize)
    o = net.place_id(origin)
    d = net.place_id(destination)
    if o == d:
        raise ParameterError(f"origin and destination are the same place ({o!r})")
    mode_list = MODES if modes is None else _as_tuple(modes)
    mode_list = tuple(m.strip() for part in mode_list for m in part.split(",") if m.strip())
    bad = [m for m in mode_list if m not in MODES]
    if bad:
        raise ParameterError(f"unknown mode {bad[0]!r}; allowed: {', '.join(MODES)}")
    if not mode_list:
        raise ParameterError(f"no mode left to travel by; allowed: {', '.join(MODES)}")
    countries = tuple(c.strip().upper() for c in _as_tuple(avoid_countries))
    by_sanctions = tuple(c for c in _sanctioned(net, _sanctions_policy(sanctions))[0]
                         if c not in countries)
    countries += by_sanctions
    known_countries = _place_countries(net)[1]
    for c in countries:
        if c not in known_countries:
            raise ParameterError(f"unknown country {c!r} in avoid_countries; the network has: "
                                 + ", ".join(sorted(known_countries)))
    if not isinstance(risk_aversion, (int, float)) or not math.isfinite(risk_aversion) \
            or risk_aversion < 0:
        raise ParameterError(f"risk_aversion must be a finite number >= 0, got {risk_aversion!r}")
    if risk_aversion and obj not in ("generalized", "cost_usd"):
        raise ParameterError(f"risk_aversion adds money to a money objective: use minimize="
                             f"'generalized' or 'cost_usd', not {obj!r}")
    policy = _sanctions_policy(sanctions)
    places: list[str] = []
    for p in _as_tuple(avoid_places):
        places += _resolve_places(net, p)
    extra_countries, extra_places, extra_links, extra_passages = _sanctioned(net, policy)
    places += [p for p in extra_places if p not in places]
    links = _as_tuple(avoid_links)
    links += tuple(x for x in extra_links if x not in links)
    for lid in links:
        if lid not in net._links.index:
            close = difflib.get_close_matches(lid, list(net._links.index), n=4)
            raise ParameterError(f"unknown link {lid!r} in avoid_links; closest ids: "
                                 f"{', '.join(close) or 'none'}")
    crossings = tuple(_resolve_crossing(net, x) for x in _as_tuple(avoid_crossings))
    passages = tuple(p.strip().lower() for p in _as_tuple(avoid_passages))
    passages += tuple(p for p in extra_passages if p not in passages)
    for p in passages:
        if p not in PASSAGES:
            close = difflib.get_close_matches(p, PASSAGES, n=3)
            raise ParameterError(f"unknown passage {p!r} in avoid_passages; allowed: "
                                 + ", ".join(PASSAGES)
                                 + (f" (closest: {', '.join(close)})" if close else ""))
    waypoints: list[tuple[str, str]] = []
    vias: list[str] = []
    for name in _as_tuple(via):
        wp = _resolve_waypoint(net, name)
        waypoints.append(wp)
        vias.append(wp[1])
    crossing_words: list[str] = []
    for name in _as_tuple(cross_at):
        key = _crossing_key(net, name)
        waypoints.append(("crossing", key))
        crossing_words.append(key)
    ctry = _place_countries(net)[0]
    for role, pid in [("origin", o), ("destination", d)] + [
            ("via place", wp[1]) for wp in waypoints if wp[0] != "crossing"]:
        if pid in places:
            raise ParameterError(f"contradictory constraints: the {role} {pid!r} is also in "
                                 "avoid_places")
        if ctry[pid] in by_sanctions:
            raise ParameterError(
                f"contradictory constraints: the {role} {pid!r} is in {ctry[pid]}, which the "
                f"sanctions policy {_policy_text(policy)} excludes (risk.csv lists "
                f"{_regimes_on(net, ctry[pid])} sanctions on {ctry[pid]}); narrow the policy to "
                f"an issuer and target, e.g. 'US:IRN=avoid'")
        if ctry[pid] in countries:
            raise ParameterError(f"contradictory constraints: the {role} {pid!r} is in "
                                 f"{ctry[pid]}, which avoid_countries excludes")
        if role == "via place" and pid in (o, d):
            raise ParameterError(f"the via place {pid!r} is the route's origin or destination")
    for kind, ref in waypoints:
        if kind == "crossing":
            for pid in ref.split("|"):
                if ctry[pid] in countries or pid in places:
                    raise ParameterError(f"contradictory constraints: cross_at {ref!r} is at a "
                                         "place or country that is avoided")
    if max_transfers is not None and (not isinstance(max_transfers, int) or max_transfers < 0):
        raise ParameterError(f"max_transfers must be a whole number >= 0, got {max_transfers!r}")
    if year is not None and (not isinstance(year, int) or not 1800 <= year <= 2100):
        raise ParameterError(f"year must be a whole year such as 2030, got {year!r}")
    if departure not in DEPARTURES:
        raise ParameterError(f"unknown departure {departure!r}; allowed: "
                             + ", ".join(DEPARTURES) + " ('booked': the shipper times its "
                             "arrival to the first departure; 'random': it waits half a "
                             "headway on average)")
    return Query(origin=o, destination=d, minimize=obj, cargo=cargo or Cargo(), year=year,
                 modes=mode_list, avoid_countries=countries, avoid_places=tuple(places),
                 avoid_links=links, avoid_crossings=tuple(sorted({i for x in crossings for i in x})),
                 via=tuple(vias), max_transfers=max_transfers, cross_at=tuple(crossing_words),
                 avoid_passages=passages, waypoints=tuple(waypoints),
                 risk_aversion=float(risk_aversion),
                 sanctions=tuple(sorted(policy.items())) if policy else (),
                 departure=departure)


#: Keywords of :func:`make_query` that :func:`route`, :func:`alternatives` and the functions
#: built on them take as constraints.
ROUTE_KEYWORDS = ("minimize", "cargo", "year", "modes", "avoid_countries", "avoid_places",
                  "avoid_links", "avoid_crossings", "avoid_passages", "via", "cross_at",
                  "max_transfers", "risk_aversion", "sanctions", "departure")


def _record_lookups(net: Network) -> tuple[dict[str, str], dict[str, Any], list[Any]]:
    """Place names and points by id, and link geometries by row (cached per network): a route
    is built from these without touching the frames."""
    hit = net._cache.get("record_lookups")
    if hit is None:
        places = net._places
        hit = (places["name"].to_dict(), places.geometry.to_dict(), list(net._links.geometry))
        net._cache["record_lookups"] = hit
    return hit  # type: ignore[no-any-return]


def _place_countries(net: Network) -> tuple[dict[str, str], set[str]]:
    """Place id -> country, and the set of countries (cached per network)."""
    hit = net._cache.get("place_countries")
    if hit is None:
        by_place = net._places["country"].to_dict()
        hit = (by_place, set(by_place.values()))
        net._cache["place_countries"] = hit
    return hit  # type: ignore[no-any-return]


def _sanctions_policy(sanctions: str | Mapping[str, str] | None) -> dict[str, str]:
    """A sanctions policy as {regime or '*': policy}; {} means ignore everything."""
    from .risk import SANCTIONS_POLICIES, sanctions_key

    if sanctions is None:
        return {}
    policy = {"*": sanctions} if isinstance(sanctions, str) else {
        sanctions_key(k): v for k, v in sanctions.items()}
    for regime, word in policy.items():
        if word not in SANCTIONS_POLICIES:
            raise ParameterError(f"unknown sanctions policy {word!r} for {regime!r}; allowed: "
                                 + ", ".join(SANCTIONS_POLICIES))
    if all(v == "ignore" for v in policy.values()):
        return {}
    return policy


def _policy_text(policy: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(policy.items()))


def _regimes_on(net: Network, country: str) -> str:
    from .risk import risk_rows

    row = risk_rows(net).get(("country", country))
    return "|".join(row.sanctions) if row is not None and row.sanctions else "no"


def _sanctioned(net: Network, policy: Mapping[str, str]
                ) -> tuple[list[str], list[str], list[str], list[str]]:
    """Countries, places, links and passages whose risk rows list a regime to avoid."""
    out: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
    if not policy or "avoid" not in policy.values():
        return out
    from .risk import risk_rows, sanctions_policy_for

    slot = {"country": 0, "place": 1, "link": 2, "passage": 3}
    for (scope, ref), row in risk_rows(net).items():
        if any(sanctions_policy_for(policy, g, row.target) == "avoid" for g in row.sanctions):
            if ref not in out[slot[scope]]:
                out[slot[scope]].append(ref)
    return out


def _border_posts(net: Network) -> set[str]:
    links = net._links
    border = links[links["kind"] == "border"]
    return set(border["from_id"]) | set(border["to_id"])


def _shared_border_name(net: Network, name: str) -> list[str] | None:
    """The border posts that share ``name`` (Torkham, Astara), or None when the name is not
    ambiguous between border posts."""
    try:
        net.place_id(name)
        return None
    except AmbiguousPlaceError as err:
        posts = _border_posts(net)
        if all(c in posts for c in err.candidates):
            return list(err.candidates)
        raise


def _resolve_places(net: Network, name: str) -> list[str]:
    """Place ids meant by ``name``: one place, or every border post sharing the name."""
    shared = _shared_border_name(net, name)
    return shared if shared is not None else [net.place_id(name)]


def _crossing_key(net: Network, name: str) -> str:
    """``"a|b"`` (sorted place ids) of the border crossing meant by ``name``: a border link id,
    a name both posts share (Torkham), or one border post (when it has one crossing)."""
    links = net._links
    ids = _resolve_crossing(net, name)
    pairs = {"|".join(sorted((links.at[i, "from_id"], links.at[i, "to_id"]))) for i in ids}
    if len(pairs) > 1:
        raise ParameterError(f"{name!r} names {len(pairs)} border crossings "
                             f"({', '.join(sorted(pairs))}); name one of their border link ids")
    return pairs.pop()


def _resolve_waypoint(net: Network, name: str) -> tuple[str, str]:
    """What a ``via`` name means: a crossing (a name both border posts share, like Torkham),
    a gateway port (a port where sea and land meet: the cargo is handled there, sea <-> land),
    or a place to pass."""
    shared = _shared_border_name(net, name)
    if shared is not None:
        return ("crossing", _crossing_key(net, name))
    pid = net.place_id(name)
    topo = topology(net)
    svcs = {topo.node_service[n] for (p, _s), n in topo.node_of.items() if p == pid}
    water = {s for s in svcs if s in WATER_MODES}
    land = {s for s in svcs if s not in WATER_MODES and not s.endswith(":in") and s != "gate"}
    if water and land:
        return ("gateway", pid)
    return ("place", pid)


def _resolve_crossing(net: Network, name: str) -> tuple[str, ...]:
    """Border link ids meant by ``name``: a border link id, or a place on a border link (a name
    both border posts share, like Torkham, means the whole crossing)."""
    links = net._links
    if name in links.index:
        if links.at[name, "kind"] != "border":
            raise ParameterError(f"link {name!r} is not a border crossing (kind "
                                 f"{links.at[name, 'kind']!r})")
        return (name,)
    pids = _resolve_places(net, name)
    border = links[(links["kind"] == "border")
                   & (links["from_id"].isin(pids) | links["to_id"].isin(pids))]
    if border.empty:
        raise ParameterError(f"{name!r} ({pids[0]}) is not on a border crossing; border places "
                             "are: " + ", ".join(sorted(_border_posts(net))))
    return tuple(border.index)


# --------------------------------------------------------------------------------------------
# Masks and solving
# --------------------------------------------------------------------------------------------

MAX_BRANCHES = 400  # searches allowed to turn a route with a repeated place into a simple one
DEPARTURES = ("booked", "random")  # how the cargo meets the first departure (see route())


@dataclass
class _Solver:
    net: Network
    topo: Topology
    w: Weights
    q: Query

    def place_idx(self, pid: str) -> int:
        return self.topo.place_index[pid]

    def mask(self, q: Query, *, extra_avoid: frozenset[tuple[str, str]] = frozenset(),
             any_status: bool = False, cargo_limits: bool = True) -> np.ndarray:
        """Edges a query may use (before stage rules): status, modes, avoided items, cargo
        limits, and loading/unloading only at the origin and the destination.

        All but the last rule do not depend on the origin and destination (unless a port
        area is avoided: its own ports stay usable), so that part is cached per network for
        the last few queries: a batch of queries with the same constraints builds it once."""
        topo = self.topo
        ends = any(kind == "port_area" for kind, _ in extra_avoid)
        key = ("mask", q if ends else _replace(q, origin="", destination=""), extra_avoid,
               any_status, cargo_limits)
        cache: dict[Any, np.ndarray] = topo._weights.setdefault(("masks",), {})
        shared = cache.pop(key, None)
        if shared is None:
            shared = self._shared_mask(q, extra_avoid=extra_avoid, any_status=any_status,
                                       cargo_limits=cargo_limits)
            shared.flags.writeable = False
        cache[key] = shared  # most recent last (dicts keep insertion order)
        while len(cache) > 8:
            del cache[next(iter(cache))]
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
        return m

    def _shared_mask(self, q: Query, *, extra_avoid: frozenset[tuple[str, str]],
                     any_status: bool, cargo_limits: bool) -> np.ndarray:
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
            svc_mode = np.array([logical_service(s).split("-")[0] for s in topo.node_service],
                                dtype=object)
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
        protected = {q.origin, q.destination, *q.via}
        for kind, ref in extra_avoid:
            if kind == "link":
                avoid_links.add(ref)
            elif kind == "crossing":
                a, b = ref.split("|")
                avoid_links |= self.border_links_between(a, b)
            elif kind == "port_area":
                areas = port_areas(self.net)
                avoid_places |= {p for p, area in areas.items()
                                 if area == ref and p not in protected}
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
            li = np.array([i for i, lid in enumerate(topo.link_ids) if lid in avoid_links],
                          dtype=np.int64)
            m &= ~(is_link & np.isin(topo.elink, li))
        if q.avoid_passages:
            bad = set(q.avoid_passages)
            li = np.array([i for i, ps in enumerate(topo.link_passages) if bad & set(ps)],
                          dtype=np.int64)
            m &= ~(is_link & np.isin(topo.elink, li))
        return m

    def border_links_between(self, a: str, b: str) -> set[str]:
        links = self.net._links
        sel = (links["kind"] == "border") & (
            ((links["from_id"] == a) & (links["to_id"] == b))
            | ((links["from_id"] == b) & (links["to_id"] == a)))
        return set(links.index[sel])

    def first_wait(self, q: Query) -> np.ndarray:
        """Expected wait (h) per edge for the first departure, which a ``departure="booked"``
        query does not have: loading onto a train at the origin, or the first sailing from
        the origin or from a port one access link away (the city's own port, reached by
        drayage: the shipper books the sailing and trucks the box to it); zero elsewhere.
        A change onto a train away from the origin keeps its wait: trucking a box to the
        city's rail yard to board there is not a booked departure from the origin."""
        topo = self.topo
        o = self.place_idx(q.origin)
        wait = self.w.arrays["wait_h"]
        near = (topo.etype == LINK) & topo.eaccess & (topo.src_place == o)
        starts = np.unique(np.concatenate([[o], topo.dst_place[near]]))
        first = ((topo.etype == LOAD) & (topo.src == topo.gate_of[o])) | (
            (topo.etype == LINK) & np.isin(topo.src_place, starts))
        return np.where(first, wait, 0.0)

    def query_array(self, q: Query, name: str) -> np.ndarray:
        """A time or money array as the query sees it: the first departure's wait removed
        from ``time_h`` and ``generalized`` when the departure is booked."""
        arr = self.w.arrays[name]
        if q.departure != "booked" or name not in ("time_h", "generalized", "wait_h"):
            return arr
        fw = self.first_wait(q)
        coef = q.cargo.time_value_usd_per_h if name == "generalized" else 1.0
        return arr - coef * fw

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

    def advance_set(self, kind: str, ref: str) -> np.ndarray:
        """Edges that complete a waypoint: entering a place; sea <-> land handling at a
        gateway port; using a border crossing."""
        topo = self.topo
        if kind == "place":
            return topo.entering(self.place_idx(ref))
        if kind == "gateway":
            pi = self.place_idx(ref)
            water = np.array([logical_service(s) in WATER_MODES for s in topo.node_service])
            return ((topo.etype == TRANSFER) & (topo.src_place == pi)
                    & (water[topo.src] != water[topo.dst]))
        a, b = ref.split("|")
        ids = self.border_links_between(a, b)
        li = np.array([i for i, lid in enumerate(topo.link_ids) if lid in ids], dtype=np.int64)
        return (topo.etype == LINK) & np.isin(topo.elink, li)

    def solve(self, q: Query, *, extra_avoid: frozenset[tuple[str, str]] = frozenset(),
              any_status: bool = False, check: bool = True,
              cargo_limits: bool = True) -> tuple[float, list[int]] | None:
        """Best route of the query that visits no place twice, as (objective, edges)."""
        topo = self.topo
        m = self.mask(q, extra_avoid=extra_avoid, any_status=any_status,
                      cargo_limits=cargo_limits)
        objective = self.objective(q)
        if check:
            check_weights(self.w, q.minimize, m, self.net.name)
        else:
            m &= np.isfinite(objective) & (objective >= 0)
        weight = on_grid(np.where(m, objective, 0.0))
        second = self.query_array(q, TIE_BREAK[q.minimize])
        tie = on_grid(np.where(m & np.isfinite(second), second, 1e9))
        advance = [self.advance_set(k, r) for k, r in q.waypoints]
        stages = len(advance) + 1
        # stage rules for places: the origin is never re-entered; the destination is entered
        # only in the last stage; a via place or gateway only in its own stage
        rules: dict[int, int] = {self.place_idx(q.origin): -1,
                                 self.place_idx(q.destination): stages - 1}
        for i, (kind, ref) in enumerate(q.waypoints):
            if kind in ("place", "gateway"):
                rules[self.place_idx(ref)] = i
        source = int(topo.gate_of[self.place_idx(q.origin)])
        target = int(topo.gate_of[self.place_idx(q.destination)])
        found = self._simple(weight, m, rules, stages, advance, source, target,
                             q.max_transfers, tie)
        if found is None:
            return None
        # the search ranks on the grid; the route's objective is the exact sum of its edges
        return math.fsum(float(objective[e]) for e in found[1]), found[1]

    def _simple(self, weight: np.ndarray, base: np.ndarray, rules: dict[int, int], stages: int,
                advance: list[np.ndarray], source: int, target: int,
                max_transfers: int | None, tie_weight: np.ndarray | None = None
                ) -> tuple[float, list[int]] | None:
        """The best path that visits every place at most once: while the best path of the
        current restriction visits a place twice, that place joins the set of places the
        search may enter at most once (one bit of its state each, see
        :func:`~corridors.graph.search`). Each restriction only removes paths that visit a
        place twice, so every simple path stays allowed and the first simple best path is the
        best simple path."""
        topo = self.topo
        entering_cache: dict[int, np.ndarray] = {}

        def entering(p: int) -> np.ndarray:
            if p not in entering_cache:
                entering_cache[p] = topo.entering(p)
            return entering_cache[p]

        masks = []
        for s in range(stages):
            m = base.copy()
            for p, t in rules.items():
                if t != s:
                    m &= ~entering(p)
            masks.append(m)

        def run(once: tuple[int, ...]) -> tuple[float, list[int]] | None:
            return search(topo, weight, masks, source, target, advance=advance,
                          max_transfers=max_transfers, tie=tie_weight,
                          once=[entering(p) for p in once])

        def second(found_: tuple[float, list[int]]) -> float:
            if tie_weight is None:
                return 0.0
            return math.fsum(float(tie_weight[e]) for e in found_[1])

        once: tuple[int, ...] = ()
        found = run(once)
        solves = 1
        while found is not None:
            repeat = self._first_repeat(found[1], advance)
            if repeat is None:
                return found
            place = repeat[0]
            if place in once:  # cannot happen: the search enters such a place once
                raise CorridorsError(f"internal error: place {topo.place_ids[place]!r} "
                                     "visited twice though restricted to one visit")
            if solves >= MAX_BRANCHES:
                raise CorridorsError(
                    f"gave up after {solves} searches looking for a route that visits no "
                    "place twice; add via places or avoid_places to narrow the query")
            once = (*once, place)
            solves += 1
            found = run(once)
        return None

    def _first_repeat(self, edges: list[int], advance: list[np.ndarray]
                      ) -> tuple[int, list[int]] | None:
        """The first place the path visits in two separate runs, with the stage of each run."""
        topo = self.topo
        stage = 0
        runs: dict[int, list[int]] = {}
        cur = -1
        path = np.asarray(edges, dtype=np.int64)
        for e, p_from, p_to in zip(edges, topo.src_place[path].tolist(),
                                   topo.dst_place[path].tolist()):
            if cur == -1:
                cur = p_from
                runs.setdefault(p_from, []).append(stage)
            if p_to != p_from:
                runs.setdefault(p_to, []).append(stage)
                if len(runs[p_to]) > 1:
                    return p_to, runs[p_to]
            if stage < len(advance) and advance[stage][e]:
                stage += 1
        return None

    def build_route(self, q: Query, found: tuple[float, list[int]]) -> Route:
        total, edges = found
        topo, w, net = self.topo, self.w, self.net
        names, geoms, link_geoms = _record_lookups(net)
        a = {**w.arrays, **{k: self.query_array(q, k) for k in ("wait_h", "time_h",
                                                               "generalized")}}
        risk_d, risk_u = risk_arrays(net, q.cargo, q.sanctions_policy())
        steps: list[Leg] = []
        for seq, e in enumerate(edges):
            u, v = int(topo.src[e]), int(topo.dst[e])
            pu = topo.place_ids[int(topo.node_place[u])]
            pv = topo.place_ids[int(topo.node_place[v])]
            su = logical_service(topo.node_service[u])
            sv = logical_service(topo.node_service[v])
            et = int(topo.etype[e])
            passages: tuple[str, ...] = ()
            if et == LINK:
                li = int(topo.elink[e])
                geom = link_geoms[li]
                if not topo.eforward[e] and geom is not None:
                    geom = shapely.reverse(geom)
                kind = "border" if topo.eborder[e] else "link"
                cu = topo.place_country[int(topo.node_place[u])]
                cv = topo.place_country[int(topo.node_place[v])]
                country = cu if cu == cv else f"{cu}-{cv}"
                link_id: str | None = topo.link_ids[li]
                mode = str(topo.emode[e])
                tkind = None
                passages = topo.link_passages[li]
            else:
                geom = geoms[pu]
                country = topo.place_country[int(topo.node_place[u])]
                link_id = None
                tkind = w.transfer_kind[e]
                if et == TRANSFER:
                    kind, mode = "transfer", "transfer"
                else:
                    kind = "terminal"
                    mode = (sv if et == LOAD else su).split("-")[0]
            steps.append(Leg(
                seq=seq, kind=kind, link_id=link_id, from_id=pu, to_id=pv,
                from_name=str(names[pu]), to_name=str(names[pv]), mode=mode, service=su,
                to_service=sv, transfer_kind=tkind, country=country,
                distance_km=_num(a["distance_km"][e]),
                running_time_h=_num(a["running_time_h"][e]), wait_h=_num(a["wait_h"][e]),
                dwell_h=_num(a["dwell_h"][e]), dwell_p90_h=_num(a["dwell_p90_h"][e]),
                transfer_time_h=_num(a["transfer_time_h"][e]),
                transfer_p90_h=_num(a["transfer_p90_h"][e]),
                terminal_time_h=_num(a["terminal_time_h"][e]),
                terminal_p90_h=_num(a["terminal_p90_h"][e]),
                running_cost_usd=_num(a["running_cost_usd"][e]), fee_usd=_num(a["fee_usd"][e]),
                transfer_cost_usd=_num(a["transfer_cost_usd"][e]),
                terminal_cost_usd=_num(a["terminal_cost_usd"][e]),
                headway_h=_num(a["headway_h"][e]), passages=passages,
                risk_delay_h=_num(risk_d[e]), risk_usd=_num(risk_u[e]),
                time_h=_num(a["time_h"][e]), cost_usd=_num(a["cost_usd"][e]),
                generalized_usd=_num(a["generalized"][e]), geometry=geom,
                service_id=service_id(topo.node_service[v if et != UNLOAD else u])))
        r = Route(steps=tuple(steps), query=q, network=net.name, objective=total,
                  port_area_of=port_areas(net))
        from .risk import risk_rows, rows_for_route

        regimes = sorted({g for row in rows_for_route(risk_rows(net), r) for g in row.sanctions})
        return replace(r, sanctions_regimes=tuple(regimes))


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def route(
    net: Network,
    origin: str,
    destination: str,
    *,
    minimize: str = "cost_usd",
    cargo: Cargo | None = None,
    year: int | None = None,
    modes: str | Iterable[str] | None = None,
    avoid_countries: str | Iterable[str] | None = None,
    avoid_places: str | Iterable[str] | None = None,
    avoid_links: str | Iterable[str] | None = None,
    avoid_crossings: str | Iterable[str] | None = None,
    avoid_passages: str | Iterable[str] | None = None,
    via: str | Iterable[str] | None = None,
    cross_at: str | Iterable[str] | None = None,
    max_transfers: int | None = None,
    risk_aversion: float = 0.0,
    sanctions: str | Mapping[str, str] | None = None,
    departure: str = "booked",
    month: int | None = None,
) -> Route:
    """Best route from ``origin`` to ``destination`` by one objective.

    Parameters
    ----------
    net : Network
    origin, destination : str
        Place ids, names or aliases (case and diacritics ignored).
    minimize : str, default "cost_usd"
        One of ``distance_km``, ``time_h``, ``cost_usd``, ``generalized`` (``distance``,
        ``time``, ``cost`` accepted).
    cargo : Cargo, optional
        Default: one 40 ft container (see :class:`Cargo` for the assumed value).
    year : int, optional
        Use the network as it will be in that year: planned and under-construction links are
        usable once their expected year has come. Default: today's operational links.
    modes : str or list of str, optional
        Modes allowed (``rail``, ``road``, ``sea``, ``ferry``); default all.
    avoid_countries, avoid_places, avoid_links, avoid_crossings : list, optional
        ISO3 codes; place names; link ids; border link ids or border places. A name that
        both posts of a crossing share (Torkham, Astara) means the whole crossing, in every
        option.
    avoid_passages : list of str, optional
        Sea passages not to pass (``suez``, ``bab_el_mandeb``, ``hormuz``, ...; see
        :data:`corridors.network.PASSAGES`).
    via : str or list of str, optional
        Places to pass through, in order. A port where sea and land meet is a *gateway*: the
        cargo is handled there (sea <-> land), not carried past on a ship. A name both posts
        of a border crossing share (Torkham) means that crossing.
    cross_at : str or list of str, optional
        Border crossings the route must use (after the via places, in order): a name both
        posts share, a border post or a border link id.
    max_transfers : int, optional
        Most transfers (gauge breaks, port handling, mode changes) allowed.
    risk_aversion : float, default 0
        With ``minimize="generalized"`` (or ``"cost_usd"``), add ``risk_aversion x`` the
        route's expected risk money (disruption delay cost, security premium, sanctions
        surcharges; :mod:`corridors.risk`) to what is minimized. 0 ignores risk.
    sanctions : str or dict, optional
        Policy per sanctions regime (``{"US": "avoid", "*": "surcharge"}``) or one policy for
        all: ``ignore`` (default), ``surcharge`` (adds money to the risk terms) or ``avoid``
        (no country, place, link or passage whose risk row lists the regime is used).
    departure : {"booked", "random"}, default "booked"
        Whether the shipper books the first departure (the cargo reaches the origin terminal
        in time for it: no wait) or arrives at a random moment (half the first service's
        headway on average). Later boardings always wait for their service, except gauge
        changes between railways, which are coordinated hand-overs.
    month : int, optional
        Month of travel (1-12): links whose seasonal regime (``closed_months``, until
        ``closed_until`` when that regime has ended) closes them in that month are not used
        (:func:`seasonal_closures`). Default: no seasonal closure.

    Returns
    -------
    Route
        Its legs start with loading at the origin and end with unloading at the destination,
        for the mode the cargo starts and ends on; the route visits no place twice.

    Raises
    ------
    UnknownPlaceError
        For a name the network does not know (with the closest names).
    ParameterError
        For an unknown objective or mode, contradictory constraints, the same origin and
        destination, or a parameter the objective needs and the data lacks.
    NoRouteError
        When no route satisfies the query; the message names the constraint or closure that
        removed the last route.
    """
    seasonal = seasonal_closures(net, month, year) if month is not None else {}
    own_avoid = [avoid_links] if isinstance(avoid_links, str) else list(avoid_links or [])
    kw: dict[str, Any] = dict(minimize=minimize, cargo=cargo, year=year, modes=modes,
              avoid_countries=avoid_countries, avoid_places=avoid_places,
              avoid_crossings=avoid_crossings, avoid_passages=avoid_passages, via=via,
              cross_at=cross_at, max_transfers=max_transfers, risk_aversion=risk_aversion,
              sanctions=sanctions, departure=departure)
    q = make_query(net, origin, destination, avoid_links=own_avoid + sorted(seasonal), **kw)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q)
    found = solver.solve(q)
    if found is None:
        if seasonal:
            q0 = make_query(net, origin, destination, avoid_links=own_avoid or None, **kw)
            solver0 = _Solver(net, topology(net), weights(net, q0.cargo), q0)
            if solver0.solve(q0) is not None:
                nm = net.places["name"].to_dict()
                raise NoRouteError(
                    f"no route from {nm.get(q.origin, q.origin)} to "
                    f"{nm.get(q.destination, q.destination)} in month {month}: the routes "
                    "need links closed for the season: " + "; ".join(
                        seasonal[k] for k in sorted(seasonal)), reason="season")
        raise _explain(solver, q)
    return solver.build_route(q, found)


def seasonal_closures(net: Network, month: int, year: int | None = None) -> dict[str, str]:
    """Links closed in ``month`` (1-12) by their seasonal regime, with a description.

    A link's ``closed_months`` lists the months it is closed (``"12|1|2|3"``);
    ``closed_until``, when set, is the last year that regime applied (then the link is closed
    only for a query ``year`` up to it). Returns ``{link_id: "link_id (From - To, closed
    in months 12|1|2|3 until 2024)"}``.
    """
    try:
        m = int(month)
    except (TypeError, ValueError):
        raise ParameterError(f"month must be a whole number 1-12, got {month!r}") from None
    if m != month or not 1 <= m <= 12:
        raise ParameterError(f"month must be a whole number 1-12, got {month!r}")
    links = net.links
    if "closed_months" not in links.columns:
        return {}
    until_col = links["closed_until"] if "closed_until" in links.columns else [None] * len(links)
    names = net.places["name"].to_dict()
    out: dict[str, str] = {}
    for lid, cm, cu, a, b in zip(links.index, links["closed_months"], until_col,
                                 links["from_id"], links["to_id"]):
        if split_list(cm) and closed_in_month(cm, cu, m, year):
            until = "" if cu is None or pd.isna(cu) else f" until {int(cu)}"
            out[str(lid)] = (f"{lid} ({names.get(a, a)} - {names.get(b, b)}, closed in months "
                             f"{cm}{until})")
    return out


def alternatives(
    net: Network,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    minimize: str = "cost_usd",
    max_solves: int | None = None,
    **constraints: Any,
) -> list[Route]:
    """Up to ``k`` materially different routes, in order of the objective.

    Routes differ materially when they use other border crossings (by place, whatever the
    mode), other port areas (ports within 50 km form one area) or other main modes
    (:attr:`Route.signature`); routes that differ only in where a transfer happens count as
    one.

    What is guaranteed. The search branches on *features* (as Lawler's method branches on
    edges): each route found spawns sub-queries that each forbid one more of its border
    crossings, port areas, transit countries or main modes, and the best pending route is
    taken next. Every sub-query is a restriction of its parent, so routes come out in
    non-decreasing order of the objective; the first is the optimum; and route *i + 1* is the
    best route, with a new signature, among those that avoid at least one feature of each
    route it descends from. A route that uses *every* feature of an earlier route plus others
    (say the same crossing and one more) is reached only through other branches, so this is
    exact for "differs by avoiding something", not for every possible signature. When the
    search budget runs out before ``k`` routes are found, a :class:`RuntimeWarning` says so
    and fewer routes are returned: nothing is dropped silently.

    Parameters
    ----------
    k : int
        Number of routes wanted, 1 to 50 (``corridors._checks.MAX_K``; more raises
        :class:`RequestTooLargeError`); fewer are returned when fewer exist.
    max_solves : int, optional
        Cap on shortest-path searches (default ``100 * k``).
    minimize, constraints
        As for :func:`route`.

    Raises
    ------
    NoRouteError
        When not even one route exists (with the reason).
    """
    k = check_int(k, "k", lo=1, hi=MAX_K,  # type: ignore[assignment]
                  hint="ask for the best few routes; more than 50 are rarely materially "
                  "different")
    max_solves = check_int(max_solves, "max_solves", lo=1, optional=True)
    check_keywords("alternatives", constraints, ROUTE_KEYWORDS)
    q = make_query(net, origin, destination, minimize=minimize, **constraints)
    solver = _Solver(net, topology(net), weights(net, q.cargo), q)
    first = solver.solve(q)
    if first is None:
        raise _explain(solver, q)
    budget = max_solves if max_solves is not None else 100 * k
    tie = count()
    best = solver.build_route(q, first)
    heap: list[tuple[float, int, frozenset[tuple[str, str]], Route]] = [
        (best.objective, next(tie), frozenset(), best)]
    solved: set[frozenset[tuple[str, str]]] = {frozenset()}
    accepted: list[Route] = []
    seen: set[Any] = set()
    solves = 1
    protected = {net._places.at[p, "country"] for p in (q.origin, q.destination, *q.via)}
    exhausted = False
    while heap and len(accepted) < k:
        _, _, forbidden, r = heapq.heappop(heap)
        if r.signature not in seen:
            seen.add(r.signature)
            accepted.append(r)
        for feature in _features(r, protected):
            sub = forbidden | {feature}
            if sub in solved:
                continue
            if solves >= budget:
                exhausted = True
                continue
            solved.add(sub)
            solves += 1
            found = solver.solve(q, extra_avoid=sub)
            if found is not None:
                child = solver.build_route(q, found)
                heapq.heappush(heap, (child.objective, next(tie), sub, child))
    if exhausted and len(accepted) < k:
        warnings.warn(f"alternatives: the search budget ({budget} searches, max_solves) ran "
                      f"out after {len(accepted)} of {k} routes; more may exist: raise "
                      "max_solves", RuntimeWarning, stacklevel=2)
    return accepted


def _features(r: Route, protected: set[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in r.crossing_places:
        out.append(("crossing", key))
    for area in r.port_areas:
        out.append(("port_area", area))
    for c in r.countries:
        if c not in protected:
            out.append(("country", c))
    modes = r.main_modes
    for m in modes:
        if len(modes) > 1 or m in ("sea", "ferry"):
            out.append(("mode", m))
    return out


def port_areas(net: Network) -> dict[str, str]:
    """Port place id -> id of its port area: ports (ends of sea and ferry links) within
    ``PORT_AREA_KM`` of each other, linked transitively, share the area of the smallest id."""
    cached = net._cache.get("port_areas")
    if cached is not None:
        return cached
    links = net._links
    sea = links[links["mode"].isin(["sea", "ferry"])]
    ports = sorted(set(sea["from_id"]) | set(sea["to_id"]))
    parent = {p: p for p in ports}

    def find(p: str) -> str:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    from scipy.spatial import cKDTree

    geom = net._places.geometry.reindex(ports)
    lon = np.radians(geom.x.to_numpy(dtype=float))
    lat = np.radians(geom.y.to_numpy(dtype=float))
    xyz = np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    # candidate pairs by chord length on the unit sphere (a 1 % margin over the spherical
    # distance), then the exact geodesic check
    chord = 2.0 * np.sin(PORT_AREA_KM * 1.01 / 2.0 / 6371.0)
    pairs = np.array(sorted(cKDTree(xyz).query_pairs(chord)), dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        d = geodesic_km(np.degrees(lon[pairs[:, 0]]), np.degrees(lat[pairs[:, 0]]),
                        np.degrees(lon[pairs[:, 1]]), np.degrees(lat[pairs[:, 1]]))
        for (i, j), km in zip(pairs.tolist(), np.atleast_1d(d).tolist()):
            if km <= PORT_AREA_KM:
                ra, rb = find(ports[i]), find(ports[j])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    out = {p: find(p) for p in ports}
    net._cache["port_areas"] = out
    return out


# --------------------------------------------------------------------------------------------
# Why is there no route?
# --------------------------------------------------------------------------------------------


def _explain(solver: _Solver, q: Query) -> NoRouteError:
    net = solver.net
    names = net.places["name"].to_dict()
    head = f"no route from {names[q.origin]} to {names[q.destination]}"
    relaxed = Query(q.origin, q.destination, q.minimize, q.cargo)
    if solver.solve(relaxed, any_status=True, check=False, cargo_limits=False) is None:
        return NoRouteError(f"{head}: {_why_disconnected(solver, q)}", reason="disconnected")
    reasons: list[str] = []
    tags: list[str] = []
    if solver.solve(q, check=False) is None and solver.solve(
            q, check=False, cargo_limits=False) is not None:
        found = solver.solve(q, check=False, cargo_limits=False)
        assert found is not None
        r = solver.build_route(q, found)
        limited = sorted({leg.link_id for leg in r.steps if leg.link_id
                          and not solver.w.cargo_ok[_edge_of(solver, leg)]})
        reasons.append(f"every route uses links that do not take {q.cargo.describe()} "
                       f"(cargo_units): {', '.join(str(x) for x in limited)}")
        tags.append("cargo_units")
    fields = [f for f in ("year", "modes", "avoid_countries", "avoid_places", "avoid_links",
                          "avoid_crossings", "avoid_passages", "via", "max_transfers")]
    for f in fields:
        default: Any = {"year": None, "modes": MODES, "max_transfers": None}.get(f, ())
        if f == "via":
            if not q.waypoints:
                continue
            trial = _replace(q, via=(), cross_at=(), waypoints=())
        else:
            if getattr(q, f) == default and f != "year":
                continue
            trial = _replace(q, **{f: default})
        found = solver.solve(trial, any_status=(f == "year"), check=False)
        if found is None:
            continue
        r = solver.build_route(trial, found)
        if f in _AVOID_WORDS:
            reasons.append(_describe_avoid(solver, f, q, r))
        else:
            reasons.append(_describe(f, q, r, net))
        tags.append(f)
    if reasons:
        return NoRouteError(f"{head}: " + "; ".join(reasons), reason=",".join(tags))
    set_fields = list(q.constraints())
    return NoRouteError(f"{head}: no single constraint is to blame; the combination of "
                        f"{', '.join(set_fields) or 'the link statuses'} removes every route",
                        reason="combination")


def _edge_of(solver: _Solver, leg: Leg) -> int:
    """The expanded-graph edge of a link leg (for explanations)."""
    topo = solver.topo
    li = topo.link_ids.index(str(leg.link_id))
    fwd = solver.net._links.at[leg.link_id, "from_id"] == leg.from_id
    hits = np.flatnonzero((topo.elink == li) & (topo.eforward == fwd))
    return int(hits[0])


def _why_disconnected(solver: _Solver, q: Query) -> str:
    """Why the expanded graph has no path although links may join the two places: a change of
    service where no transfer is defined, or a one-way link travelled backwards."""
    net, topo = solver.net, solver.topo
    g = nx.Graph()
    g.add_nodes_from(net.places.index)
    for lid, a, b in zip(net.links["id"], net.links["from_id"], net.links["to_id"]):
        g.add_edge(a, b, link=lid)
    if not nx.has_path(g, q.origin, q.destination):
        return (f"the two places are not connected in network {net.name!r} by any link, "
                "whatever the constraints")
    path = nx.shortest_path(g, q.origin, q.destination)
    has_transfer = {(topo.node_place[int(u)], topo.node_service[int(u)],
                     topo.node_service[int(v)])
                    for u, v, t in zip(topo.src, topo.dst, topo.etype) if t != LINK}
    issues: list[str] = []
    links = net.links
    for prev, here, nxt in zip(path, path[1:], path[2:]):
        l_in = links.loc[g.edges[prev, here]["link"]]
        l_out = links.loc[g.edges[here, nxt]["link"]]
        s_in = set(services_of(l_in["mode"], parse_gauges(l_in["gauge_mm"])))
        s_out = set(services_of(l_out["mode"], parse_gauges(l_out["gauge_mm"])))
        if s_in & s_out:
            continue
        pi = topo.place_index[here]
        if not any((pi, a, b) in has_transfer for a in s_in for b in s_out):
            issues.append(f"at {here} the cargo must change from {'/'.join(sorted(s_in))} to "
                          f"{'/'.join(sorted(s_out))} but no transfer is defined there (add an "
                          f"operations.csv row; places of kind {net.places.at[here, 'kind']!r} "
                          "get no default transfers)")
    for a, b in zip(path, path[1:]):
        lid = g.edges[a, b]["link"]
        if bool(links.at[lid, "oneway"]) and links.at[lid, "from_id"] != a:
            issues.append(f"link {lid} is one-way from {links.at[lid, 'from_id']} to "
                          f"{links.at[lid, 'to_id']}")
    detail = "; ".join(issues) if issues else (
        "links join them, but no sequence of services and transfers does")
    return f"the places are linked but no route exists whatever the constraints: {detail}"


def _replace(q: Query, **changes: Any) -> Query:
    data = {f: getattr(q, f) for f in q.__dataclass_fields__}
    data.update(changes)
    return Query(**data)


_AVOID_WORDS = {
    "avoid_countries": ("crosses", "avoid_countries"),
    "avoid_places": ("passes", "avoid_places"),
    "avoid_links": ("uses link", "avoid_links"),
    "avoid_crossings": ("uses border crossing", "avoid_crossings"),
    "avoid_passages": ("passes", "avoid_passages"),
}


def _describe_avoid(solver: _Solver, f: str, q: Query, r: Route) -> str:
    """Name every avoided item that blocks a route: each item whose removal alone (the other
    avoided items kept) opens a route."""
    net = solver.net
    o, d = net.places.at[q.origin, "name"], net.places.at[q.destination, "name"]
    items = list(getattr(q, f))
    verb, arg = _AVOID_WORDS[f]

    def label(x: str) -> str:
        if f == "avoid_places":
            return f"{net.places.at[x, 'name']} ({x})"
        return x

    blocking = []
    for x in items:
        trial = _replace(q, **{f: tuple(i for i in items if i != x)})
        if solver.solve(trial, check=False) is not None:
            blocking.append(x)
    if len(blocking) == 1:
        return (f"every route from {o} to {d} {verb} {label(blocking[0])}, which you avoided "
                f"({arg})")
    if blocking:
        return (f"every route from {o} to {d} {verb} at least one of "
                f"{', '.join(label(x) for x in blocking)}, which you avoided ({arg}); allowing "
                "any one of them opens a route")
    on_route: list[str] = []
    for leg in r.steps:
        if f == "avoid_countries":
            hits = leg.country.split("-")
        elif f == "avoid_places":
            hits = [leg.from_id, leg.to_id]
        else:
            hits = [leg.link_id] if leg.link_id else []
        on_route += [h for h in hits if h in items and h not in on_route]
    return (f"every route from {o} to {d} {verb} several of the items you avoided ({arg}); "
            f"the best route without that constraint {verb} "
            f"{', '.join(label(x) for x in on_route)}")


def _describe(f: str, q: Query, r: Route, net: Network) -> str:
    o, d = net.places.at[q.origin, "name"], net.places.at[q.destination, "name"]
    if f == "year":
        links = net.links
        used = {leg.link_id for leg in r.steps if leg.link_id}
        blocked = [lid for lid in used
                   if lid is not None and not _usable(links, lid, q.year)]
        parts = []
        for lid in sorted(blocked)[:6]:
            yr = links.at[lid, "year"]
            verb = "opened" if links.at[lid, "status"] == "operational" else "expected"
            when_open = "" if pd.isna(yr) else f", {verb} {int(yr)}"
            parts.append(f"{lid} ({links.at[lid, 'status']}{when_open})")
        detail = ", ".join(parts)
        when = f"in {q.year}" if q.year is not None else "today"
        return (f"every route from {o} to {d} needs links that are not open {when}: {detail}"
                + ("" if q.year else "; pass a year (e.g. year=2032) to use planned links"))
    if f == "modes":
        extra = [m for m in r.modes if m not in q.modes]
        return (f"every route from {o} to {d} needs {', '.join(extra)}, which the allowed modes "
                f"({', '.join(q.modes)}) exclude")
    if f == "via":
        what = ", ".join(f"{k} {ref}" for k, ref in q.waypoints)
        return (f"no route from {o} to {d} that visits no place twice passes {what} under the "
                "other constraints")
    if f == "max_transfers":
        return (f"the best route without a transfer limit needs {len(r.transfers)} transfers "
                f"(max_transfers={q.max_transfers})")
    return f"constraint {f} removes every route"  # pragma: no cover


def _usable(links: Any, lid: str, year: int | None) -> bool:
    return link_is_usable(links.at[lid, "status"], links.at[lid, "year"], year)
