"""TODO docstring (routing)"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..costs.cargo import Cargo
from ..errors import (
    AmbiguousPlaceError,
    ParameterError,
    ParameterTypeError,
)
from ..model.network import Network
from ..model.rules import reference_day
from ..model.schema import (
    MODES,
    PASSAGES,
    geodesic_km,
)
from .checks import (
    check_cargo,
    check_int,
    check_names,
    check_network,
    check_place,
    check_real,
    check_str,
)
from .topology import (
    WATER_MODES,
    logical_service,
    objective_name,
    topology,
)

__all__ = ["Query"]


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
    # "random": each later boarding (a change of service, onto or off a ship or ferry) waits
    # half the departing service's headway; "booked": the cargo is timed to each connection
    connections: str = "random"
    # how the cargo reaches the origin: "land" (loaded there: the land terminal) or "sea"
    # (it comes off a ship there: the port's handling from the ship, see route())
    origin_arrival: str = "land"
    # the date of travel the link rules (link_rules.csv) are judged on: "YYYY-MM-DD", "YYYY-MM"
    # or "YYYY"; None: the middle of ``year``, else today (:func:`corridors.model.rules.
    # reference_day`)
    date: str | None = None
    # whether the closures of the link rules apply (False only to explain a NoRouteError)
    rule_closures: bool = True

    def rules_day(self) -> _dt.date:
        """The day whose link rules apply to this query."""
        return reference_day(self.date, self.year)

    def sanctions_policy(self) -> str | dict[str, str]:
        """The sanctions policy as :mod:`corridors.costs.risk` takes it."""
        return dict(self.sanctions) if self.sanctions else "ignore"

    def constraints(self) -> dict[str, Any]:
        """The constraints that are set, as a dict (for summaries and messages)."""
        out: dict[str, Any] = {}
        if self.year is not None:
            out["year"] = self.year
        if set(self.modes) != set(MODES):
            out["modes"] = list(self.modes)
        for name in (
            "avoid_countries",
            "avoid_places",
            "avoid_links",
            "avoid_crossings",
            "avoid_passages",
            "via",
            "cross_at",
        ):
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
        if self.connections != "random":
            out["connections"] = self.connections
        if self.origin_arrival != "land":
            out["origin_arrival"] = self.origin_arrival
        if self.date is not None:
            out["date"] = self.date
        return out


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
    date: str | _dt.date | None = None,
    origin_arrival: str = "land",
    connections: str = "random",
) -> Query:
    """Check and resolve the arguments of a routing query (names -> ids).

    Types are checked first (:class:`ParameterTypeError` naming the argument), then values.
    The query of the same arguments (same values of the same types) on the same network is
    kept for the latest ``QUERIES_KEPT`` (a network does not change once made).
    """
    check_network(net)
    key = _memo_key(
        (
            origin,
            destination,
            minimize,
            cargo,
            year,
            modes,
            avoid_countries,
            avoid_places,
            avoid_links,
            avoid_crossings,
            avoid_passages,
            via,
            cross_at,
            max_transfers,
            risk_aversion,
            sanctions,
            departure,
            date,
            origin_arrival,
            connections,
        )
    )
    memo: dict[tuple[Any, ...], Query] = net._cache.setdefault("queries", {})
    if key is not None:
        hit = memo.pop(key, None)
        if hit is not None:
            memo[key] = hit  # most recent last
            return hit
    q = _make_query(
        net,
        origin,
        destination,
        minimize=minimize,
        cargo=cargo,
        year=year,
        modes=modes,
        avoid_countries=avoid_countries,
        avoid_places=avoid_places,
        avoid_links=avoid_links,
        avoid_crossings=avoid_crossings,
        avoid_passages=avoid_passages,
        via=via,
        cross_at=cross_at,
        max_transfers=max_transfers,
        risk_aversion=risk_aversion,
        sanctions=sanctions,
        departure=departure,
        date=date,
        origin_arrival=origin_arrival,
        connections=connections,
    )
    if key is not None:
        memo[key] = q
        while len(memo) > QUERIES_KEPT:
            del memo[next(iter(memo))]
    return q


QUERIES_KEPT = 256  # parsed queries kept per network (make_query)
_PLAIN = frozenset({str, int, float, bool, type(None), _dt.date, _dt.datetime})


def _memo_key(args: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The arguments of :func:`make_query` as a key that tells apart values of other types
    (``1`` and ``1.0``, ``True`` and ``1``), or None when one is not a plain value (a
    mapping, an iterator, a cargo of another class): such a query is parsed every time."""
    types = tuple(map(type, args))
    if _PLAIN.issuperset(types):  # the common case: the values and their types as they are
        return (types, args)
    out: list[Any] = []
    for v in args:
        t = type(v)
        if t in _PLAIN:
            out.append((t, v))
        elif t is tuple or t is list:
            if not all(type(x) is str for x in v):
                return None
            out.append((t, tuple(v)))
        elif t is Cargo:
            fields: tuple[Any, ...] = (v.unit, v.tonnes, v.value_usd, v.holding_rate_per_year)
            fields += (v.value_of_time_usd_per_h,)
            out.append((t, tuple((type(x), x) for x in fields)))
        else:
            return None
    return tuple(out)


def _make_query(
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
    date: str | _dt.date | None = None,
    origin_arrival: str = "land",
    connections: str = "random",
) -> Query:
    """:func:`make_query` without the memo."""
    check_place(origin, "origin")
    check_place(destination, "destination")
    check_str(minimize, "minimize")
    cargo = check_cargo(cargo)
    for arg, v in (
        ("modes", modes),
        ("avoid_countries", avoid_countries),
        ("avoid_places", avoid_places),
        ("avoid_links", avoid_links),
        ("avoid_crossings", avoid_crossings),
        ("avoid_passages", avoid_passages),
        ("via", via),
        ("cross_at", cross_at),
    ):
        check_names(v, arg)
    year = check_int(year, "year", optional=True)
    max_transfers = check_int(max_transfers, "max_transfers", lo=0, optional=True)
    risk_aversion = check_real(risk_aversion, "risk_aversion", lo=0.0)  # type: ignore[assignment]
    if sanctions is not None and not isinstance(sanctions, (str, Mapping)):
        raise ParameterTypeError(
            "sanctions must be a policy string (ignore, surcharge, "
            "avoid) or a mapping regime -> policy, got "
            f"{type(sanctions).__name__}"
        )
    check_str(departure, "departure")
    check_str(connections, "connections")
    check_str(origin_arrival, "origin_arrival")
    date_text = _check_date(date)
    obj = objective_name(minimize)
    o = net.place_id(origin)
    d = net.place_id(destination)
    if o == d:
        raise ParameterError(f"origin and destination are the same place ({o!r})")
    mode_list = _resolve_modes(modes)
    countries, by_sanctions = _resolve_countries(net, avoid_countries, sanctions)
    _check_risk_aversion(risk_aversion, obj)
    policy = _sanctions_policy(sanctions)
    places, links, crossings, passages = _resolve_avoided(
        net, avoid_places, avoid_links, avoid_crossings, avoid_passages, policy
    )
    waypoints, vias, crossing_words = _resolve_waypoints(net, via, cross_at)
    _check_contradictions(net, o, d, waypoints, places, countries, by_sanctions, policy)
    _check_values(max_transfers, year, departure, connections)
    if origin_arrival not in ORIGIN_ARRIVALS:
        raise ParameterError(
            f"unknown origin_arrival {origin_arrival!r}; allowed: "
            + ", ".join(ORIGIN_ARRIVALS)
            + " ('land': the cargo is loaded at the origin; 'sea': it comes off a ship at the "
            "origin port and pays the port's handling from the ship)"
        )
    return Query(
        origin=o,
        destination=d,
        minimize=obj,
        cargo=cargo or Cargo(),
        year=year,
        modes=mode_list,
        avoid_countries=countries,
        avoid_places=tuple(places),
        avoid_links=links,
        avoid_crossings=tuple(sorted({i for x in crossings for i in x})),
        via=tuple(vias),
        max_transfers=max_transfers,
        cross_at=tuple(crossing_words),
        avoid_passages=passages,
        waypoints=tuple(waypoints),
        risk_aversion=float(risk_aversion),
        sanctions=tuple(sorted(policy.items())) if policy else (),
        departure=departure,
        connections=connections,
        date=date_text,
        origin_arrival=origin_arrival,
    )


def _check_date(date: Any) -> str | None:
    """The date of travel as text (``"2025-06-10"``, ``"2025-06"``, ``"2025"``), checked."""
    if date is None:
        return None
    if isinstance(date, _dt.datetime):
        date = date.date()
    if isinstance(date, _dt.date):
        return date.isoformat()
    if not isinstance(date, str):
        raise ParameterTypeError(
            f"date must be a date or a string such as '2025-06-10', '2025-06' or '2025', "
            f"got {type(date).__name__}"
        )
    try:
        reference_day(date)
    except ValueError:
        raise ParameterError(
            f"date {date!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (e.g. '2025-06')"
        ) from None
    return date.strip()


def _resolve_modes(modes: str | Iterable[str] | None) -> tuple[str, ...]:
    """The modes a query may travel by (comma-separated items split), checked."""
    mode_list = MODES if modes is None else _as_tuple(modes)
    mode_list = tuple(m.strip() for part in mode_list for m in part.split(",") if m.strip())
    bad = [m for m in mode_list if m not in MODES]
    if bad:
        raise ParameterError(f"unknown mode {bad[0]!r}; allowed: {', '.join(MODES)}")
    if not mode_list:
        raise ParameterError(f"no mode left to travel by; allowed: {', '.join(MODES)}")
    return mode_list


def _resolve_countries(
    net: Network,
    avoid_countries: str | Iterable[str] | None,
    sanctions: str | Mapping[str, str] | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The avoided countries (those given, then those the sanctions policy excludes), checked,
    and the ones the sanctions policy adds."""
    countries = tuple(c.strip().upper() for c in _as_tuple(avoid_countries))
    by_sanctions = tuple(
        c for c in _sanctioned(net, _sanctions_policy(sanctions))[0] if c not in countries
    )
    countries += by_sanctions
    known_countries = _place_countries(net)[1]
    for c in countries:
        if c not in known_countries:
            raise ParameterError(
                f"unknown country {c!r} in avoid_countries; the network has: "
                + ", ".join(sorted(known_countries))
            )
    return countries, by_sanctions


def _check_risk_aversion(risk_aversion: Any, obj: str) -> None:
    """Raise ParameterError unless ``risk_aversion`` is a finite number >= 0 that a money
    objective can take."""
    if (
        not isinstance(risk_aversion, (int, float))
        or not math.isfinite(risk_aversion)
        or risk_aversion < 0
    ):
        raise ParameterError(f"risk_aversion must be a finite number >= 0, got {risk_aversion!r}")
    if risk_aversion and obj not in ("generalized", "cost_usd"):
        raise ParameterError(
            f"risk_aversion adds money to a money objective: use minimize="
            f"'generalized' or 'cost_usd', not {obj!r}"
        )


def _resolve_avoided(
    net: Network,
    avoid_places: str | Iterable[str] | None,
    avoid_links: str | Iterable[str] | None,
    avoid_crossings: str | Iterable[str] | None,
    avoid_passages: str | Iterable[str] | None,
    policy: dict[str, str],
) -> tuple[list[str], tuple[str, ...], tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """The avoided places, links, crossings (their places) and passages, those given then
    those the sanctions policy adds, resolved and checked in that order."""
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
            raise ParameterError(
                f"unknown link {lid!r} in avoid_links; closest ids: {', '.join(close) or 'none'}"
            )
    crossings = tuple(_resolve_crossing(net, x) for x in _as_tuple(avoid_crossings))
    passages = tuple(p.strip().lower() for p in _as_tuple(avoid_passages))
    passages += tuple(p for p in extra_passages if p not in passages)
    for p in passages:
        if p not in PASSAGES:
            close = difflib.get_close_matches(p, PASSAGES, n=3)
            raise ParameterError(
                f"unknown passage {p!r} in avoid_passages; allowed: "
                + ", ".join(PASSAGES)
                + (f" (closest: {', '.join(close)})" if close else "")
            )
    return places, links, crossings, passages


def _resolve_waypoints(
    net: Network, via: str | Iterable[str] | None, cross_at: str | Iterable[str] | None
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """The ordered waypoints (via places, then crossings), the via place ids and the
    crossing keys."""
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
    return waypoints, vias, crossing_words


def _check_contradictions(
    net: Network,
    o: str,
    d: str,
    waypoints: list[tuple[str, str]],
    places: list[str],
    countries: tuple[str, ...],
    by_sanctions: tuple[str, ...],
    policy: dict[str, str],
) -> None:
    """Raise ParameterError if the origin, destination or a waypoint is avoided (as a place,
    a country or by the sanctions policy), or a via place is an end of the route."""
    ctry = _place_countries(net)[0]
    for role, pid in [("origin", o), ("destination", d)] + [
        ("via place", wp[1]) for wp in waypoints if wp[0] != "crossing"
    ]:
        if pid in places:
            raise ParameterError(
                f"contradictory constraints: the {role} {pid!r} is also in avoid_places"
            )
        if ctry[pid] in by_sanctions:
            raise ParameterError(
                f"contradictory constraints: the {role} {pid!r} is in {ctry[pid]}, which the "
                f"sanctions policy {_policy_text(policy)} excludes (risk.csv lists "
                f"{_regimes_on(net, ctry[pid])} sanctions on {ctry[pid]}); narrow the policy to "
                f"an issuer and target, e.g. 'US:IRN=avoid'"
            )
        if ctry[pid] in countries:
            raise ParameterError(
                f"contradictory constraints: the {role} {pid!r} is in "
                f"{ctry[pid]}, which avoid_countries excludes"
            )
        if role == "via place" and pid in (o, d):
            raise ParameterError(f"the via place {pid!r} is the route's origin or destination")
    for kind, ref in waypoints:
        if kind == "crossing":
            for pid in ref.split("|"):
                if ctry[pid] in countries or pid in places:
                    raise ParameterError(
                        f"contradictory constraints: cross_at {ref!r} is at a "
                        "place or country that is avoided"
                    )


def _check_values(max_transfers: Any, year: Any, departure: str, connections: str) -> None:
    """Raise ParameterError for a max_transfers, year, departure or connections out of
    range."""
    if max_transfers is not None and (not isinstance(max_transfers, int) or max_transfers < 0):
        raise ParameterError(f"max_transfers must be a whole number >= 0, got {max_transfers!r}")
    if year is not None and (not isinstance(year, int) or not 1800 <= year <= 2100):
        raise ParameterError(f"year must be a whole year such as 2030, got {year!r}")
    if departure not in DEPARTURES:
        raise ParameterError(
            f"unknown departure {departure!r}; allowed: "
            + ", ".join(DEPARTURES)
            + " ('booked': the shipper times its "
            "arrival to the first departure; 'random': it waits half a "
            "headway on average)"
        )
    if connections not in CONNECTIONS:
        raise ParameterError(
            f"unknown connections {connections!r}; allowed: "
            + ", ".join(CONNECTIONS)
            + " ('random': each later boarding (a change of service, onto or off a ship or "
            "ferry) waits half the departing service's headway on average; 'booked': the "
            "forwarder times the cargo to each connection, no wait at changes)"
        )


#: Keywords of :func:`make_query` that :func:`route`, :func:`alternatives` and the functions
#: built on them take as constraints.
ROUTE_KEYWORDS = (
    "minimize",
    "cargo",
    "year",
    "modes",
    "avoid_countries",
    "avoid_places",
    "avoid_links",
    "avoid_crossings",
    "avoid_passages",
    "via",
    "cross_at",
    "max_transfers",
    "risk_aversion",
    "sanctions",
    "departure",
    "connections",
    "date",
)


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
    from ..costs.risk import SANCTIONS_POLICIES, sanctions_key

    if sanctions is None:
        return {}
    policy = (
        {"*": sanctions}
        if isinstance(sanctions, str)
        else {sanctions_key(k): v for k, v in sanctions.items()}
    )
    for regime, word in policy.items():
        if word not in SANCTIONS_POLICIES:
            raise ParameterError(
                f"unknown sanctions policy {word!r} for {regime!r}; allowed: "
                + ", ".join(SANCTIONS_POLICIES)
            )
    if all(v == "ignore" for v in policy.values()):
        return {}
    return policy


def _policy_text(policy: Mapping[str, str]) -> str:
    return " ".join(f"{k}={v}" for k, v in sorted(policy.items()))


def _regimes_on(net: Network, country: str) -> str:
    from ..costs.risk import risk_rows

    row = risk_rows(net).get(("country", country))
    return "|".join(row.sanctions) if row is not None and row.sanctions else "no"


def _sanctioned(
    net: Network, policy: Mapping[str, str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """Countries, places, links and passages whose risk rows list a regime to avoid."""
    out: tuple[list[str], list[str], list[str], list[str]] = ([], [], [], [])
    if not policy or "avoid" not in policy.values():
        return out
    from ..costs.risk import risk_rows, sanctions_policy_for

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
        raise ParameterError(
            f"{name!r} names {len(pairs)} border crossings "
            f"({', '.join(sorted(pairs))}); name one of their border link ids"
        )
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
    svcs = {topo.node_service[n] for n in topo.nodes_at(topo.place_index[pid])}
    water = {s for s in svcs if logical_service(s) in WATER_MODES}
    land = {s for s in svcs if logical_service(s) not in WATER_MODES and s != "gate"}
    if water and land:
        return ("gateway", pid)
    return ("place", pid)


def _resolve_crossing(net: Network, name: str) -> tuple[str, ...]:
    """Border link ids meant by ``name``: a border link id, or a place on a border link (a name
    both border posts share, like Torkham, means the whole crossing)."""
    links = net._links
    if name in links.index:
        if links.at[name, "kind"] != "border":
            raise ParameterError(
                f"link {name!r} is not a border crossing (kind {links.at[name, 'kind']!r})"
            )
        return (name,)
    pids = _resolve_places(net, name)
    border = links[
        (links["kind"] == "border") & (links["from_id"].isin(pids) | links["to_id"].isin(pids))
    ]
    if border.empty:
        raise ParameterError(
            f"{name!r} ({pids[0]}) is not on a border crossing; border places "
            "are: " + ", ".join(sorted(_border_posts(net)))
        )
    return tuple(border.index)


DEPARTURES = ("booked", "random")  # how the cargo meets the first departure (see route())
CONNECTIONS = ("random", "booked")  # how it meets each later departure (see route())
ORIGIN_ARRIVALS = ("land", "sea")  # how the cargo reaches the origin (see route())


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
        d = geodesic_km(
            np.degrees(lon[pairs[:, 0]]),
            np.degrees(lat[pairs[:, 0]]),
            np.degrees(lon[pairs[:, 1]]),
            np.degrees(lat[pairs[:, 1]]),
        )
        for (i, j), km in zip(pairs.tolist(), np.atleast_1d(d).tolist()):
            if km <= PORT_AREA_KM:
                ra, rb = find(ports[i]), find(ports[j])
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    out = {p: find(p) for p in ports}
    net._cache["port_areas"] = out
    return out


PORT_AREA_KM = 50.0  # ports closer than this to each other form one port area


def by_origin(q: Query) -> bool:
    """Whether the query's waits depend on its origin: the first departure is timed
    otherwise than the connections (``departure="booked"`` with ``connections="random"``,
    or the reverse), so the origin's first departures weigh otherwise than the same edges
    elsewhere (:meth:`corridors.engine.solver._Solver.waits_off`)."""
    return q.departure != q.connections


def _replace(q: Query, **changes: Any) -> Query:
    data = {f: getattr(q, f) for f in q.__dataclass_fields__}
    data.update(changes)
    return Query(**data)
