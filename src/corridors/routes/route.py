"""TODO docstring (routing)"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import geopandas as gpd

from ..costs.risk import RiskRow
from ..engine.query import Query

__all__ = ["Leg", "Route"]

MAIN_MODE_SHARE = 0.05  # a mode counts in a route's signature when it carries >= 5 % of the km


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    """One step of a route: a link travelled in one direction, or a transfer at a place.

    ``kind`` is ``"link"``, ``"border"`` (a border-crossing link), ``"transfer"`` (gauge
    break, port handling, mode change, transshipment) or ``"terminal"`` (loading at the origin,
    unloading at the destination; ``transfer_kind`` says which). Times in hours, money in USD,
    distances in km. ``time_h`` = running + window + wait + dwell + transfer + terminal
    time, where ``window_h`` is the extra running time a daily time window of the link
    (``link_rules.csv``) adds;
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
    # extra running hours from a daily time window of the link (link_rules.csv)
    window_h: float = 0.0
    # hours of this sailing's wait that the port time before it already contains
    # (operations.csv includes_departure_wait): left out of wait_h, so the stop costs
    # max(dwell, wait); simulate draws the two and keeps their maximum
    wait_overlap_h: float = 0.0

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled with every NaN the one ``math.nan`` object again (see ``_num``), so that a
        leg sent to a worker and back still equals itself."""
        self.__dict__.update({k: _num(v) if type(v) is float else v for k, v in state.items()})

    @classmethod
    def _make(cls, **values: Any) -> Leg:
        """A leg from every field by name, without the frozen ``__init__``'s one
        ``object.__setattr__`` per field (a route's legs are made in bulk)."""
        if len(values) != len(_LEG_FIELDS) or not _LEG_FIELDS.issuperset(values):
            raise TypeError(f"Leg._make needs exactly the fields {sorted(_LEG_FIELDS)}")
        leg = object.__new__(cls)
        leg.__dict__.update(values)
        return leg

    def to_dict(self) -> dict[str, Any]:
        """The leg as a JSON-ready dict (geometry left out)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "geometry"}
        out["passages"] = list(self.passages)
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


_LEG_FIELDS = frozenset(Leg.__dataclass_fields__)


@dataclass(frozen=True)
class Route:
    """A route between two places: its legs, totals (sums of legs) and what it crosses.

    Attributes
    ----------
    steps : tuple of Leg
        The legs in order (``legs`` gives them as a GeoDataFrame). A route found by
        :func:`corridors.route` makes them from its path on first access (then keeps them),
        as it does ``sanctions_regimes``, ``risk_rows`` and ``place_kinds``: a sweep that
        reads only a route's objective never pays for its legs.
    query : Query
        The query that produced the route.
    objective : float
        Value of the objective that was minimized.

    Examples
    --------
    >>> import math
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> r = cor.route(net, "Karachi", "Moscow")
    >>> r.origin, r.destination
    ('karachi', 'moscow')
    >>> math.isclose(r.cost_usd, sum(leg.cost_usd for leg in r.steps))
    True
    >>> sorted(r.time_split())
    ['border', 'running', 'terminal', 'transfer', 'waiting']
    """

    steps: tuple[Leg, ...]
    query: Query
    network: str
    objective: float
    port_area_of: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    sanctions_regimes: tuple[str, ...] = field(default=(), compare=False)
    #: the risk rows of the route's network that apply to it, in the order it meets them,
    #: and the kind of each place it visits: what simulate needs besides the legs, so that a
    #: route is simulated without its network
    risk_rows: tuple[RiskRow, ...] = field(default=(), repr=False, compare=False)
    place_kinds: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    # ---- totals (always the sum of the legs) ----------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Pickled with every lazy field made (a route sent to or from a worker carries its
        legs, not the search structures they are made from)."""
        for name in _LAZY_FIELDS:
            getattr(self, name)
        return dict(self.__dict__)

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
        :func:`corridors.routes.risk.route_risk` for the itemised report)."""
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
        """Total time in hours by what it is spent on: ``running`` (with the extra hours of
        time windows, :attr:`window_h`), ``waiting`` (for scheduled departures, as the
        query's ``departure`` and ``connections`` time them: :attr:`timing`), ``border``
        (dwell), ``transfer`` and ``terminal``; they sum to :attr:`time_h`."""
        return {
            "running": float(math.fsum(leg.running_time_h + leg.window_h for leg in self.steps)),
            "waiting": self._sum("wait_h"),
            "border": self._sum("dwell_h"),
            "transfer": self._sum("transfer_time_h"),
            "terminal": self._sum("terminal_time_h"),
        }

    @property
    def timing(self) -> dict[str, str]:
        """How the route times its departures: ``{"departure": "booked" | "random",
        "connections": "random" | "booked"}`` (the query's; see :func:`corridors.route`)."""
        return {"departure": self.query.departure, "connections": self.query.connections}

    @property
    def window_h(self) -> float:
        """Extra running hours from the daily time windows of links (``link_rules.csv``) in
        force on the query's day; part of ``running`` in :meth:`time_split`."""
        return self._sum("window_h")

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
    def sea_services(self) -> list[str]:
        """The liner strings and ferry lines (services.csv ids) the route sails on, in order
        (a string ridden over two calls is listed once); a sailing on no known service takes
        its link's own headway and speed (links.geojson) and is listed as
        ``default:<mode>:<link id>``."""
        out: list[str] = []
        for leg in self.steps:
            if leg.kind == "link" and leg.mode in ("sea", "ferry"):
                name = leg.service_id or f"default:{leg.mode}:{leg.link_id}"
                if not out or out[-1] != name:
                    out.append(name)
        return out

    @property
    def door_to_door_h(self) -> float:
        """Hours from loading at the origin to unloading at the destination, terminal
        handling included, with the first departure's wait as the query asked
        (``departure="booked"``: none; ``"random"``: half a headway) and the waits at later
        changes as it asked (``connections="random"``: half a headway; ``"booked"``: none).
        Same as :attr:`time_h`."""
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
        return {
            "running": self._sum("running_cost_usd"),
            "border": self._sum("fee_usd"),
            "transfer": self._sum("transfer_cost_usd"),
            "terminal": self._sum("terminal_cost_usd"),
        }

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
            merge = (
                out
                and leg.kind == "link"
                and out[-1]["kind"] == "link"
                and out[-1]["service"] == leg.service
            )
            if merge:
                seg = out[-1]
                seg["to_id"], seg["to_name"] = leg.to_id, leg.to_name
                seg["via"].append(leg.from_name)
                for k in ("distance_km", "time_h", "cost_usd"):
                    seg[k] += getattr(leg, k)
                if leg.country not in seg["countries"]:
                    seg["countries"].append(leg.country)
            else:
                out.append(
                    {
                        "kind": leg.kind,
                        "from_id": leg.from_id,
                        "to_id": leg.to_id,
                        "from_name": leg.from_name,
                        "to_name": leg.to_name,
                        "mode": leg.mode,
                        "service": leg.service,
                        "to_service": leg.to_service,
                        "transfer_kind": leg.transfer_kind,
                        "link_id": leg.link_id,
                        "via": [],
                        "countries": [leg.country],
                        "distance_km": leg.distance_km,
                        "time_h": leg.time_h,
                        "cost_usd": leg.cost_usd,
                        "dwell_h": leg.dwell_h,
                        "fee_usd": leg.fee_usd,
                    }
                )
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
            "connections": q.connections,
            "transit_time_h": _clean(round(self.transit_time_h, 1)),
            "rail_services": self.services,
            "sea_services": self.sea_services,
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
                {
                    "link_id": c.link_id,
                    "from": c.from_id,
                    "to": c.to_id,
                    "mode": c.mode,
                    "countries": c.country,
                    "dwell_h": _clean(c.dwell_h),
                    "dwell_p90_h": _clean(c.dwell_p90_h),
                    "fee_usd": _clean(c.fee_usd),
                }
                for c in self.crossings
            ],
            "time_split_h": {k: _clean(round(v, 1)) for k, v in self.time_split().items()},
            "cost_split_usd": {k: _clean(round(v, 2)) for k, v in self.cost_split().items()},
            "passages": self.passages,
            "terminals": [
                {
                    "place": t.from_id,
                    "what": t.transfer_kind,
                    "mode": t.mode,
                    "time_h": _clean(t.terminal_time_h),
                    "cost_usd": _clean(t.terminal_cost_usd),
                }
                for t in self.terminals
            ],
            "n_transfers": len(self.transfers),
            "transfers": [
                {
                    "place": t.from_id,
                    "from_service": t.service,
                    "to_service": t.to_service,
                    "kind": t.transfer_kind,
                    "time_h": _clean(t.transfer_time_h),
                    "cost_usd": _clean(t.transfer_cost_usd),
                }
                for t in self.transfers
            ],
            "constraints": q.constraints(),
        }

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel CO2e of the shipment in kg (GLEC / ISO 14083 default factors by mode;
        see :mod:`corridors.routes.emissions`)."""
        from .emissions import route_co2e_kg

        return float(route_co2e_kg(self))

    def tcd_chart(self, **kwargs: Any) -> Any:
        """UNESCAP time/cost-distance chart of this route (matplotlib Figure; needs the
        ``plot`` extra). See :func:`corridors.output.plot.tcd_chart`."""
        from ..output.plot import tcd_chart

        return tcd_chart([self], **kwargs)

    def explore(self, **kwargs: Any) -> Any:
        """Interactive map of this route: one self-contained HTML page that works offline
        (shows in Jupyter; ``.save(path)``). See :func:`corridors.output.plot.explore`."""
        from ..output.plot import explore

        return explore([self], **kwargs)

    def _repr_html_(self) -> str:
        from ..output.export import route_html

        return route_html(self)

    def to_dict(self) -> dict[str, Any]:
        """Summary plus every leg, ready for ``json.dumps``."""
        out = self.summary()
        out["legs"] = [leg.to_dict() for leg in self.steps]
        return out

    def __repr__(self) -> str:
        return (
            f"<Route {self.origin} -> {self.destination}: {self.distance_km:,.0f} km, "
            f"{self.time_h / 24:.1f} days, USD {self.cost_usd:,.0f}, "
            f"{len(self.crossings)} borders, {len(self.transfers)} transfers>"
        )


class _Lazy:
    """A field value given as a function of the route, made on first access (then kept)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[Route], Any]) -> None:
        self.make = make


class _LazyField:
    """Descriptor of a :class:`Route` field that may hold a :class:`_Lazy`: reading it makes
    the value once and stores it in the instance (a frozen dataclass sets fields with
    ``object.__setattr__``, which this data descriptor receives)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        v = obj.__dict__[self.name]
        if type(v) is _Lazy:
            v = v.make(obj)
            obj.__dict__[self.name] = v
        return v

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


_LAZY_FIELDS = ("steps", "sanctions_regimes", "risk_rows", "place_kinds")
for _name in _LAZY_FIELDS:  # after @dataclass: its __init__ keeps the fields' defaults
    setattr(Route, _name, _LazyField(_name))


# Route's fields in order, at their plain defaults (None for those without one: required)
_ROUTE_TEMPLATE = {f.name: (f.default if f.default is not MISSING else None) for f in fields(Route)}
_ROUTE_REQUIRED = {f.name for f in fields(Route) if f.default is MISSING}


def _made_route(**values: Any) -> Route:
    """A :class:`Route` of these field values (every field without a plain default given),
    made without the dataclass's ``__init__``, whose frozen assignments cost a call per field
    (the lazy ones through their descriptor): the warm path of ``route()`` builds one per
    query (issue 18). Its fields are set in their order, as ``__init__`` sets them."""
    if not _ROUTE_REQUIRED <= values.keys():
        raise TypeError(f"a Route needs the fields {sorted(_ROUTE_REQUIRED)}")
    r = object.__new__(Route)
    state = r.__dict__
    state.update(_ROUTE_TEMPLATE)
    state.update(values)
    return r


def _num(v: Any) -> float:
    """A float for a Leg field; every NaN is the one ``math.nan`` object, so that legs with
    missing values still compare equal to themselves."""
    x = float(v)
    return math.nan if math.isnan(x) else x


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v
