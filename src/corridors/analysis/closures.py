"""Closures with a duration: wait for a closed crossing, place or link to reopen, or divert?

When a crossing closes (Torkham for a month, Taftan during a war) cargo at or bound for it
can *wait* on its planned route or *divert* to the best route that avoids the closure.

Formulas (one shipment, closure of ``D`` days, cargo time value ``c`` USD/h = holding cost +
value of time):

- wait: time = planned route + ``24 D`` h; money = planned money + ``D x r`` where ``r`` is
  the daily charge of standing still at the closure (:class:`WaitCharges`): container
  detention (the carrier's box is kept), plus demurrage when the box stands in a port, plus a
  truck's standing cost when it waits on a truck; generalized = money + time x ``c``;
- divert: the best route with the closed item avoided (same objective and constraints);
- the winner is the option with the lower generalized cost; the break-even duration is
  ``B = (G_divert - G_planned) / (r + 24 c)`` days: waiting wins for closures shorter than B.
- An uncertain closure takes its duration from the risk table row of the closed place or link
  (``disruption_median_days``, ``disruption_p90_days``): lognormal with the median and p90
  (:func:`corridors.costs.risk.lognormal_sigma`); the report gives the expected duration, the wait
  option at that mean, and the probability that waiting wins, ``P(D < B)``.

The daily charges are sourced (see :data:`WAIT_CHARGES`) and can be replaced per call.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any

from ..costs.cargo import Cargo
from ..engine.checks import (
    MAX_CLOSURE_DAYS,
    check_cargo,
    check_keywords,
    check_names,
    check_network,
    check_real,
    check_str,
)
from ..engine.query import ROUTE_KEYWORDS, _resolve_crossing, _resolve_places
from ..errors import NoRouteError, ParameterError, ParameterTypeError
from ..model.network import Network
from ..routes.route import Route
from ..routes.routing import route

__all__ = ["WaitCharges", "WAIT_CHARGES", "ClosureChoice", "closure_choice"]


@dataclass(frozen=True)
class WaitCharges:
    """Daily charges of cargo standing still at a closure, USD per container (or per 20 t).

    Defaults, with their sources (reference sheet operating-facts.md):

    - ``detention_usd_per_day`` 150: container detention during the Torkham hold-ups
      (reporterly.net, 2020-11-14);
    - ``demurrage_usd_per_day`` 140: container demurrage during the Torkham hold-ups, USD
      120-160 a day (thenews.com.pk 386248, 2020), midpoint; charged when the box waits in a
      port;
    - ``truck_usd_per_day`` 70: a stranded truck's loss of about Rs 20,000 a day during the
      Taftan closure of June 2025 (arabnews.pk 2605258, 2025) at PKR 280/USD; charged when
      the cargo waits on a truck (road at the closure).

    Rail wagons waiting at a closed border pay no standing charge here: no source gives one
    (assumed 0; set ``wagon_usd_per_day`` to add it).
    """

    detention_usd_per_day: float = 150.0
    demurrage_usd_per_day: float = 140.0
    truck_usd_per_day: float = 70.0
    wagon_usd_per_day: float = 0.0
    source: str = (
        "reporterly.net 2020-11-14 (detention); thenews.com.pk 386248, 2020 "
        "(demurrage); arabnews.pk 2605258, 2025 (truck)"
    )

    def __post_init__(self) -> None:
        for name in (
            "detention_usd_per_day",
            "demurrage_usd_per_day",
            "truck_usd_per_day",
            "wagon_usd_per_day",
        ):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise ParameterError(f"{name} must be a finite number >= 0, got {v!r}")

    def per_day(self, cargo: Cargo, mode: str, in_port: bool) -> tuple[float, list[str]]:
        """USD per day for this cargo waiting on ``mode`` (and whether it waits in a port),
        with the names of the charges that apply."""
        total, what = 0.0, []
        if cargo.unit in ("20ft", "40ft"):
            total += self.detention_usd_per_day
            what.append("detention")
            if in_port:
                total += self.demurrage_usd_per_day
                what.append("demurrage")
        scale = cargo.tonnes / 20.0 if cargo.unit == "tonne" else 1.0
        if mode == "road":
            total += self.truck_usd_per_day * scale
            what.append("truck")
        elif mode == "rail" and self.wagon_usd_per_day:
            total += self.wagon_usd_per_day * scale
            what.append("wagon")
        return total, what


WAIT_CHARGES = WaitCharges()


@dataclass(frozen=True)
class ClosureChoice:
    """Wait or divert, for one closure and one shipment (see the module docstring)."""

    closed: tuple[str, ...]
    days: float
    days_p90: float | None
    uncertain: bool
    affected: bool
    planned: Route
    divert: Route | None
    wait_time_h: float
    wait_cost_usd: float
    wait_generalized_usd: float
    charge_usd_per_day: float
    charges: tuple[str, ...]
    break_even_days: float
    p_wait_wins: float | None
    winner: str
    reason: str
    source: str = field(default=WAIT_CHARGES.source)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: both options with their time, money and generalized cost."""

        def opt(r: Route | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {
                "time_h": round(r.time_h, 1),
                "time_days": round(r.time_h / 24, 2),
                "cost_usd": round(r.cost_usd, 2),
                "generalized_usd": round(r.generalized_usd, 2),
                "countries": r.countries,
                "crossings": [f"{c.from_id}>{c.to_id}" for c in r.crossings],
            }

        out = {k: v for k, v in asdict(self).items() if k not in ("planned", "divert")}
        out["closed"] = list(self.closed)
        out["charges"] = list(self.charges)
        out["planned"] = opt(self.planned)
        out["divert"] = opt(self.divert)
        out["wait"] = {
            "time_h": round(self.wait_time_h, 1),
            "time_days": round(self.wait_time_h / 24, 2),
            "cost_usd": round(self.wait_cost_usd, 2),
            "generalized_usd": round(self.wait_generalized_usd, 2),
        }
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in out.items()}


def _closed_items(net: Network, names: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """avoid_* keywords for the closed names, and the place ids they close."""
    crossings: list[str] = []
    places: list[str] = []
    links: list[str] = []
    for name in names:
        if name in net._links.index and net._links.at[name, "kind"] != "border":
            links.append(name)
            continue
        try:
            crossings += list(_resolve_crossing(net, name))
            continue
        except ParameterError:
            pass
        places += _resolve_places(net, name)
    touched = list(places)
    lk = net._links
    for lid in crossings + links:
        touched += [lk.at[lid, "from_id"], lk.at[lid, "to_id"]]
    kw: dict[str, list[str]] = {}
    if crossings:
        kw["avoid_crossings"] = crossings
    if places:
        kw["avoid_places"] = places
    if links:
        kw["avoid_links"] = links
    return kw, touched


def _risk_duration(net: Network, places: list[str], links: list[str]) -> tuple[float, float]:
    from ..costs.risk import risk_rows

    rows = risk_rows(net)
    for scope, refs in (("link", links), ("place", places)):
        for ref in refs:
            r = rows.get((scope, ref))
            if r is not None and r.median_days == r.median_days and r.median_days > 0:
                p90 = r.p90_days if r.p90_days == r.p90_days else r.median_days
                return float(r.median_days), float(p90)
    raise ParameterError(
        "no closure duration given and no risk.csv row with disruption_median_days for "
        f"{', '.join(places + links)}; pass days="
    )


def closure_choice(
    net: Network,
    origin: str,
    destination: str,
    *,
    closed: str | list[str],
    days: float | None = None,
    minimize: str = "generalized",
    cargo: Cargo | None = None,
    charges: WaitCharges | None = None,
    **constraints: Any,
) -> ClosureChoice:
    """Compare waiting for a closure to end with diverting around it.

    Parameters
    ----------
    net : Network
    origin, destination : str
        Where the cargo is now (or will start) and where it goes.
    closed : str or list of str
        What is closed: a border crossing (a name both posts share, e.g. "Torkham", a post,
        or a border link id), a place, or a link id.
    days : float, optional
        How long the closure lasts from now, 0 to 3650 days (more raises
        :class:`RequestTooLargeError`). Default: uncertain, from the risk table row of
        the closed place or link (median and p90 days).
    minimize : str, default "generalized"
        Objective for the planned and the diverted route.
    cargo : Cargo, optional
    charges : WaitCharges, optional
        Daily charges of waiting (default :data:`WAIT_CHARGES`, sourced).
    **constraints
        As for :func:`corridors.route` (not ``avoid_*`` of the closed items).

    Returns
    -------
    ClosureChoice
        Both options, the winner, the break-even duration and, for an uncertain duration,
        the probability that waiting wins.

    Raises
    ------
    ParameterError
        For negative days or unknown closed items.
    NoRouteError
        When there is no planned route at all.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> choice = cor.closure_choice(net, "Karachi", "Kabul", closed="Chaman", days=10)
    >>> choice.affected, choice.winner in ("wait", "divert")
    (True, True)
    """
    names, days, cargo, charges = _checked_args(
        net, closed, days, minimize, cargo, charges, constraints
    )
    kw, touched = _closed_items(net, names)
    planned = route(net, origin, destination, minimize=minimize, cargo=cargo, **constraints)
    used = {p for leg in planned.steps for p in (leg.from_id, leg.to_id)}
    affected = bool(used & set(touched)) or any(
        leg.link_id in kw.get("avoid_links", []) + kw.get("avoid_crossings", [])
        for leg in planned.steps
    )
    uncertain = days is None
    d, median, sigma, p90 = _duration(net, days, kw, touched)
    mode, in_port = _standstill(net, planned, kw, touched)
    per_day, what = charges.per_day(cargo, mode, in_port)
    tv = cargo.time_value_usd_per_h
    wait_time = planned.time_h + (24.0 * d if affected else 0.0)
    wait_cost = planned.cost_usd + (per_day * d if affected else 0.0)
    wait_gen = wait_cost + wait_time * tv
    divert: Route | None = None
    reason = ""
    if affected:
        merged = dict(constraints)
        for key, vals in kw.items():
            merged[key] = list(merged.get(key) or []) + vals
        try:
            divert = route(net, origin, destination, minimize=minimize, cargo=cargo, **merged)
        except NoRouteError as err:
            reason = f"no way around the closure: {err}"
    else:
        reason = "the planned route does not use what is closed: nothing to decide"
    daily = per_day + 24.0 * tv
    if divert is not None:
        gap = divert.generalized_usd - planned.generalized_usd
        break_even = gap / daily if daily > 0 else math.inf
        winner = "wait" if wait_gen <= divert.generalized_usd else "divert"
        p_wait = _p_wait_wins(break_even, median, sigma) if uncertain else None
        if not reason:
            reason = (
                f"waiting {d:.1f} days costs USD {wait_gen - planned.generalized_usd:,.0f} "
                f"more than the planned route; diverting costs USD {gap:,.0f} more; "
                f"waiting wins for closures shorter than {break_even:.1f} days"
            )
    else:
        break_even = math.inf
        winner = "wait" if affected else "planned"
        p_wait = 1.0 if uncertain and affected else None
    return ClosureChoice(
        closed=tuple(names),
        days=d,
        days_p90=p90,
        uncertain=uncertain,
        affected=affected,
        planned=planned,
        divert=divert,
        wait_time_h=wait_time,
        wait_cost_usd=wait_cost,
        wait_generalized_usd=wait_gen,
        charge_usd_per_day=per_day,
        charges=tuple(what),
        break_even_days=break_even,
        p_wait_wins=p_wait,
        winner=winner,
        reason=reason,
        source=charges.source,
    )


def _checked_args(
    net: Any,
    closed: Any,
    days: Any,
    minimize: Any,
    cargo: Any,
    charges: Any,
    constraints: dict[str, Any],
) -> tuple[list[str], float | None, Cargo, WaitCharges]:
    """:func:`closure_choice`'s arguments checked: the closed names as a list, the days, the
    cargo (default a 40 ft box) and the charges (default :data:`WAIT_CHARGES`)."""
    check_network(net)
    days = check_real(days, "days", lo=0.0, hi=MAX_CLOSURE_DAYS, optional=True, unit="days")
    check_names(closed, "closed")
    if closed is None:
        raise ParameterTypeError(
            "closed must name what is closed (a crossing, place or link "
            "id, or a list of them), got None"
        )
    check_str(minimize, "minimize")
    if charges is not None and not isinstance(charges, WaitCharges):
        raise ParameterTypeError(f"charges must be a WaitCharges, got {type(charges).__name__}")
    check_keywords(
        "closure_choice", constraints, [k for k in ROUTE_KEYWORDS if k not in ("minimize", "cargo")]
    )
    names = [closed] if isinstance(closed, str) else list(closed)
    if not names:
        raise ParameterError("closed names nothing")
    cargo = check_cargo(cargo) or Cargo()
    return names, days, cargo, charges or WAIT_CHARGES


def _duration(
    net: Network, days: float | None, kw: dict[str, list[str]], touched: list[str]
) -> tuple[float, float, float, float | None]:
    """The closure's length in days (the lognormal mean when uncertain), its median, the
    lognormal sigma (0 when given) and its p90 (None when given)."""
    if days is not None:
        d = float(days)
        return d, d, 0.0, None
    median, p90 = _risk_duration(
        net,
        kw.get("avoid_places", []) + touched,
        kw.get("avoid_links", []) + kw.get("avoid_crossings", []),
    )
    from ..costs.risk import lognormal_mean, lognormal_sigma

    sigma = lognormal_sigma(median, p90)
    return lognormal_mean(median, p90), median, sigma, p90


def _standstill(
    net: Network, planned: Route, kw: dict[str, list[str]], touched: list[str]
) -> tuple[str, bool]:
    """Where the cargo stands still: the mode of the first planned leg at a closed place
    (road when none) and whether that place is a port."""
    for leg in planned.steps:
        if leg.to_id in touched or leg.link_id in kw.get("avoid_crossings", []):
            mode = leg.mode if leg.kind != "transfer" else leg.to_service.split("-")[0]
            return mode, net._places.at[leg.to_id, "kind"] == "port"
    return "road", False


def _p_wait_wins(break_even: float, median: float, sigma: float) -> float:
    """The probability that a closure of lognormal length (``median``, ``sigma``) ends
    before ``break_even`` days, when waiting wins."""
    if break_even == math.inf:
        return 1.0
    if break_even <= 0:
        return 0.0
    if sigma > 0:
        return NormalDist().cdf((math.log(break_even) - math.log(median)) / sigma)
    return float(median < break_even)
