"""``corridors route``, ``corridors pareto`` and ``corridors closure``: routes between two
places, the non-dominated ones, and what a closure on the way costs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..costs.cargo import Cargo
from ..engine.query import CONNECTIONS
from ..errors import ParameterError
from ..model.network import Network
from ..output.tables import format_table
from ..routes.route import Route
from ..routes.routing import alternatives, route
from ._common import emit as _emit
from ._common import flat as _flat
from ._common import iso3 as _iso3
from ._common import network as _network

__all__ = [
    "add_cli",
    "cmd_route",
    "cmd_pareto",
    "cmd_closure",
    "format_routes",
    "ROUTE_CSV_COLUMNS",
]


def add_cli(sub: Any) -> None:
    """Add ``route``, ``pareto`` and ``closure`` to the command line."""
    _add_route_parser(sub)
    _add_pareto_parser(sub)
    _add_closure_parser(sub)


def _add_route_parser(sub: Any) -> None:
    """The options of ``corridors route``."""
    p_r = sub.add_parser("route", help="best route(s) between two places")
    p_r.add_argument("origin")
    p_r.add_argument("destination")
    p_r.add_argument(
        "--minimize",
        default="cost_usd",
        help="distance_km, time_h, cost_usd or generalized (default cost_usd)",
    )
    p_r.add_argument(
        "--k", type=int, default=1, help="number of materially different routes (1-50, default 1)"
    )
    p_r.add_argument("--avoid-country", nargs="+", action="append", metavar="ISO3")
    p_r.add_argument("--avoid", nargs="+", action="append", metavar="PLACE")
    p_r.add_argument("--avoid-link", nargs="+", action="append", metavar="LINK_ID")
    p_r.add_argument("--avoid-crossing", nargs="+", action="append", metavar="CROSSING")
    p_r.add_argument(
        "--avoid-passage",
        nargs="+",
        action="append",
        metavar="PASSAGE",
        help="sea passages to avoid: suez, bab_el_mandeb, hormuz, ...",
    )
    p_r.add_argument(
        "--via",
        nargs="+",
        action="append",
        metavar="PLACE",
        help="places to pass, in order (a port: the cargo is handled there; a "
        "name both border posts share: that crossing)",
    )
    p_r.add_argument(
        "--cross-at",
        nargs="+",
        action="append",
        metavar="CROSSING",
        help="border crossings the route must use (Torkham, Sarakhs, ...)",
    )
    p_r.add_argument("--modes", help="comma-separated: rail,road,sea,ferry (default all)")
    p_r.add_argument("--year", type=int, help="network as in this year (planned links open)")
    p_r.add_argument(
        "--month",
        type=int,
        choices=range(1, 13),
        metavar="1-12",
        help="month of travel: links closed for the season that month are not used",
    )
    p_r.add_argument("--date", help=_DATE_HELP)
    p_r.add_argument(
        "--departure", choices=("booked", "random"), default="booked", help=_DEPARTURE_HELP
    )
    p_r.add_argument("--connections", choices=CONNECTIONS, default="random", help=CONNECTIONS_HELP)
    p_r.add_argument("--cargo", default="40ft", help="20ft, 40ft, tonne or <N>t (default 40ft)")
    p_r.add_argument("--max-transfers", type=int)
    p_r.add_argument(
        "--risk-aversion",
        type=float,
        default=0.0,
        help="with --minimize generalized: add X times the expected risk money",
    )
    p_r.add_argument(
        "--sanctions",
        nargs="+",
        action="append",
        metavar="POLICY",
        help="ignore|surcharge|avoid, or per regime: US=avoid EU=surcharge",
    )
    p_r.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p_r.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_r.set_defaults(func=cmd_route)


_DEPARTURE_HELP = (
    "booked (default): the shipper times the cargo to the first scheduled departure, no wait "
    "for it; random: the cargo reaches the origin at a random time and waits half a headway"
)

#: ``--connections`` of route, pareto, skim and simulate (the Python API's connections=)
CONNECTIONS_HELP = (
    "random (default): each later boarding (a change of service, onto or off a ship or ferry) "
    "waits half the departing service's headway; booked: the forwarder times the cargo to "
    "each connection, no wait at changes (hand-over, transfer and border times stay)"
)

_DATE_HELP = (
    "date of travel YYYY-MM-DD, YYYY-MM or YYYY: the link rules (closures, time windows of "
    "link_rules.csv) in force that day apply (default: the middle of --year, else today)"
)


def _add_pareto_parser(sub: Any) -> None:
    """The options of ``corridors pareto``."""
    p_p = sub.add_parser("pareto", help="every non-dominated route over 2-3 criteria")
    p_p.add_argument("origin")
    p_p.add_argument("destination")
    p_p.add_argument(
        "--criteria",
        nargs="+",
        action="append",
        metavar="CRITERION",
        help="two or three of time_h, cost_usd, distance_km, generalized, "
        "risk (default time_h cost_usd risk)",
    )
    p_p.add_argument("--avoid-country", nargs="+", action="append", metavar="ISO3")
    p_p.add_argument(
        "--all", action="store_true", help="every non-dominated route, not one per corridor"
    )
    p_p.add_argument("--modes", help="comma-separated: rail,road,sea,ferry (default all)")
    p_p.add_argument("--year", type=int)
    p_p.add_argument("--date", help=_DATE_HELP)
    p_p.add_argument(
        "--departure", choices=("booked", "random"), default="booked", help=_DEPARTURE_HELP
    )
    p_p.add_argument("--connections", choices=CONNECTIONS, default="random", help=CONNECTIONS_HELP)
    p_p.add_argument("--cargo", default="40ft")
    p_p.add_argument("--network")
    p_p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_p.set_defaults(func=cmd_pareto)


def _add_closure_parser(sub: Any) -> None:
    """The options of ``corridors closure``."""
    p_c = sub.add_parser("closure", help="a crossing or place closes: wait or divert?")
    p_c.add_argument("origin")
    p_c.add_argument("destination")
    p_c.add_argument(
        "--closed",
        nargs="+",
        action="append",
        required=True,
        metavar="NAME",
        help="crossing (Torkham), place or link id that is closed",
    )
    p_c.add_argument(
        "--days",
        type=float,
        help="closure length in days, 0-3650; default: uncertain, from risk.csv",
    )
    p_c.add_argument("--minimize", default="generalized")
    p_c.add_argument("--cargo", default="40ft")
    p_c.add_argument("--network")
    p_c.add_argument("--format", choices=("table", "json"), default="table")
    p_c.set_defaults(func=cmd_closure)


# ---- route -----------------------------------------------------------------------------------


def _sanctions_arg(values: list[list[str]] | None) -> str | dict[str, str] | None:
    """``--sanctions avoid`` or ``--sanctions US=avoid EU=surcharge``."""
    words = _flat(values)
    if not words:
        return None
    if len(words) == 1 and "=" not in words[0]:
        return words[0]
    out: dict[str, str] = {}
    for w in words:
        regime, _, policy = w.partition("=")
        if not policy:
            raise ParameterError(f"--sanctions takes POLICY or REGIME=POLICY, got {w!r}")
        out[regime.strip().upper() if regime.strip() != "*" else "*"] = policy.strip()
    return out


def cmd_route(args: argparse.Namespace) -> int:
    """``corridors route``: the best route, or ``--k`` materially different ones, as a table,
    JSON or CSV of legs."""
    net = _network(args.network)
    routes = _find_routes(net, args, _route_constraints(args))
    if args.format == "json":
        _emit({"network": net.name, "routes": [r.to_dict() for r in routes]})
    elif args.format == "csv":
        _print_legs_csv(routes)
    else:
        print(format_routes(routes, net))
    return 0


def _route_constraints(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of :func:`corridors.route` that ``corridors route`` takes from its
    options (all but the month and what to minimize)."""
    return dict(
        cargo=Cargo.parse(args.cargo),
        year=args.year,
        modes=_flat([[args.modes]]) if args.modes else None,
        avoid_countries=[_iso3(c) for c in _flat(args.avoid_country)],
        avoid_places=_flat(args.avoid),
        avoid_links=_flat(args.avoid_link),
        avoid_crossings=_flat(args.avoid_crossing),
        avoid_passages=_flat(args.avoid_passage),
        via=_flat(args.via),
        cross_at=_flat(args.cross_at),
        max_transfers=args.max_transfers,
        risk_aversion=args.risk_aversion,
        sanctions=_sanctions_arg(args.sanctions),
        date=getattr(args, "date", None),
        departure=getattr(args, "departure", "booked"),
        connections=getattr(args, "connections", "random"),
    )


def _find_routes(
    net: Network, args: argparse.Namespace, constraints: dict[str, Any]
) -> list[Route]:
    """The best route (``--k 1``) or the ``--k`` alternatives; with ``--month`` the links closed
    for the season are avoided."""
    month = getattr(args, "month", None)
    if args.k > 1:
        if month is not None:  # alternatives: the seasonal closures become avoided links
            from ..routes.routing import seasonal_closures

            constraints["avoid_links"] = list(constraints["avoid_links"] or []) + sorted(
                seasonal_closures(net, month, args.year)
            )
        return alternatives(
            net, args.origin, args.destination, k=args.k, minimize=args.minimize, **constraints
        )
    return [
        route(
            net,
            args.origin,
            args.destination,
            minimize=args.minimize,
            month=month,
            **constraints,
        )
    ]


ROUTE_CSV_COLUMNS = (
    "route",
    "seq",
    "kind",
    "from_id",
    "to_id",
    "mode",
    "service",
    "to_service",
    "transfer_kind",
    "link_id",
    "country",
    "distance_km",
    "running_time_h",
    "window_h",
    "wait_h",
    "dwell_h",
    "transfer_time_h",
    "terminal_time_h",
    "time_h",
    "running_cost_usd",
    "fee_usd",
    "transfer_cost_usd",
    "terminal_cost_usd",
    "cost_usd",
    "headway_h",
    "passages",
    "cum_distance_km",
    "cum_time_h",
    "cum_cost_usd",
)
"""Columns of ``corridors route --format csv``: one row per leg of every route."""


def _print_legs_csv(routes: Sequence[Route]) -> None:
    """Every leg of every route as CSV on standard output (:data:`ROUTE_CSV_COLUMNS`)."""
    import csv

    w = csv.writer(sys.stdout, lineterminator="\n")
    cols = list(ROUTE_CSV_COLUMNS)
    w.writerow(cols)
    for i, r in enumerate(routes, start=1):
        legs = r.legs
        for rec in legs.drop(columns="geometry").to_dict("records"):
            rec["route"] = i
            w.writerow([_fmt_csv(rec.get(c)) for c in cols])


def _fmt_csv(v: Any) -> str:
    """A CSV cell: empty for None and NaN, floats to 6 significant digits."""
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if v != v else f"{v:.6g}"
    return str(v)


def format_routes(routes: Sequence[Route], net: Network) -> str:
    """Routes as text blocks a person can read at a glance."""
    names = net.places["name"].to_dict()
    blocks = []
    for i, r in enumerate(routes, start=1):
        s = r.summary()
        head = (
            f"Route {i} of {len(routes)}: {names[r.origin]} -> {names[r.destination]}  "
            f"[minimize {s['minimize']}; {s['cargo']}]"
        )
        tot = (
            f"  {s['distance_km']:,.0f} km | {r.time_h:,.0f} h = {r.time_h / 24:.1f} days | "
            f"USD {r.cost_usd:,.0f} | {s['n_border_crossings']} border crossings | "
            f"{s['n_transfers']} transfers | {' > '.join(s['countries'])}"
        )
        split = r.time_split()
        tot += (
            f"\n  door to door {r.door_to_door_h / 24:.1f} d (first departure "
            f"{s['departure']}, connections {s['connections']}); transit {r.transit_time_h / 24:.1f} d from the first "
            "departure to the last arrival"
            "\n  time: "
            + ", ".join(f"{k} {v / 24:.1f} d" for k, v in split.items())
            + (f" | passages: {', '.join(r.passages)}" if r.passages else "")
            + _services_line(r)
            + f"\n  risk: USD {r.risk_usd:,.0f} expected per trip"
            + (
                f" | sanctions regimes touched: {', '.join(r.sanctions_regimes)}"
                if r.sanctions_regimes
                else ""
            )
        )
        rows = []
        for seg in r.segments():
            if seg["kind"] == "terminal":
                word = "load" if seg["transfer_kind"] == "load" else "unload"
                what = f"{word} at {seg['from_name']}"
                svc = seg["to_service"] if word == "load" else seg["service"]
            elif seg["kind"] == "transfer":
                what = f"transfer at {seg['from_name']}"
                svc = f"{seg['service']} > {seg['to_service']} ({seg['transfer_kind']})"
            elif seg["kind"] == "border":
                what = f"BORDER {seg['from_name']} > {seg['to_name']}"
                svc = f"{seg['service']} {seg['countries'][0]}"
            else:
                via = f" (via {len(seg['via'])} stops)" if seg["via"] else ""
                what = f"{seg['from_name']} > {seg['to_name']}{via}"
                svc = seg["service"]
            rows.append(
                (
                    what,
                    svc,
                    f"{seg['distance_km']:,.0f}",
                    f"{seg['time_h']:,.1f}",
                    f"{seg['cost_usd']:,.0f}",
                )
            )
        rows.append(
            ("TOTAL", "", f"{r.distance_km:,.0f}", f"{r.time_h:,.1f}", f"{r.cost_usd:,.0f}")
        )
        table = format_table(rows, ("leg", "service", "km", "hours", "USD"), "llrrr")
        blocks.append("\n".join([head, tot, "", _indent(table)]))
    return "\n\n".join(blocks)


def _services_line(r: Route) -> str:
    """The rail services and the liner strings or ferry lines the route rides, and what a
    default one means ("" without rail, sea or ferry)."""
    line = ""
    services = r.services
    if services:
        line += "\n  rail services: " + " > ".join(services)
        if any(s.startswith("default:") for s in services):
            line += (
                " (default: a train at the country's speed and headway of speeds.csv, "
                "not a scheduled service of services.csv)"
            )
    sailings = r.sea_services
    if sailings:
        line += "\n  sea services: " + " > ".join(sailings)
        if any(s.startswith("default:") for s in sailings):
            line += (
                " (default: a sailing at the link's own headway and speed, "
                "not a string of services.csv)"
            )
    return line


def _indent(text: str) -> str:
    """Every line indented by two spaces."""
    return "\n".join("  " + line for line in text.splitlines())


# ---- pareto -----------------------------------------------------------------------------------


def cmd_pareto(args: argparse.Namespace) -> int:
    """``corridors pareto``: every non-dominated route over two or three criteria."""
    from ..routes.pareto import criteria_of, pareto

    net = _network(args.network)
    criteria = _flat(args.criteria) or ["time_h", "cost_usd", "risk"]
    front = pareto(
        net,
        args.origin,
        args.destination,
        criteria=criteria,
        cargo=Cargo.parse(args.cargo),
        year=args.year,
        date=args.date,
        departure=args.departure,
        connections=getattr(args, "connections", "random"),
        modes=_flat([[args.modes]]) if args.modes else None,
        avoid_countries=[_iso3(c) for c in _flat(args.avoid_country)],
        distinct=not args.all,
    )
    if args.format == "json":
        _emit({"network": net.name, "criteria": criteria, "routes": [r.to_dict() for r in front]})
        return 0
    names = net.places["name"].to_dict()
    rows = []
    for i, r in enumerate(front, start=1):
        vals = criteria_of(r, criteria)
        crossings = ", ".join(f"{c.from_name}-{c.to_name}" for c in r.crossings) or "-"
        rows.append(
            (
                str(i),
                *(f"{v:,.1f}" for v in vals),
                f"{r.time_h / 24:.1f}",
                f"{r.cost_usd:,.0f}",
                " > ".join(r.countries),
                crossings,
            )
        )
    if args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["route", *criteria, "days", "cost_usd", "countries", "crossings"])
        w.writerows(rows)
        return 0
    what = "all" if args.all else "one per corridor (--all for every member)"
    print(
        f"{len(front)} non-dominated routes {names[front[0].origin]} -> "
        f"{names[front[0].destination]} over {', '.join(criteria)}, {what}; none is better "
        "on every criterion than another:\n"
    )
    print(
        format_table(
            rows,
            ("#", *criteria, "days", "USD", "countries", "crossings"),
            "l" + "r" * (len(criteria) + 2) + "ll",
        )
    )
    return 0


# ---- closure ----------------------------------------------------------------------------------


def cmd_closure(args: argparse.Namespace) -> int:
    """``corridors closure``: a crossing or place closes; wait or divert?"""
    from ..analysis.closures import closure_choice

    net = _network(args.network)
    c = closure_choice(
        net,
        args.origin,
        args.destination,
        closed=_flat(args.closed),
        days=args.days,
        minimize=args.minimize,
        cargo=Cargo.parse(args.cargo),
    )
    d = c.to_dict()
    if args.format == "json":
        _emit(d)
        return 0
    names = net.places["name"].to_dict()
    how = (
        f"{c.days:.1f} days (uncertain: mean of the risk table's duration, p90 "
        f"{c.days_p90:.0f} days)"
        if c.uncertain
        else f"{c.days:g} days"
    )
    print(
        f"{names[c.planned.origin]} -> {names[c.planned.destination]}, "
        f"{', '.join(c.closed)} closed for {how}"
    )
    rows = [
        (
            "planned (no closure)",
            f"{c.planned.time_h / 24:.1f}",
            f"{c.planned.cost_usd:,.0f}",
            f"{c.planned.generalized_usd:,.0f}",
            " > ".join(c.planned.countries),
        )
    ]
    if c.affected:
        rows.append(
            (
                f"wait ({', '.join(c.charges)} USD {c.charge_usd_per_day:,.0f}/day)",
                f"{c.wait_time_h / 24:.1f}",
                f"{c.wait_cost_usd:,.0f}",
                f"{c.wait_generalized_usd:,.0f}",
                "same route",
            )
        )
    if c.divert is not None:
        rows.append(
            (
                "divert",
                f"{c.divert.time_h / 24:.1f}",
                f"{c.divert.cost_usd:,.0f}",
                f"{c.divert.generalized_usd:,.0f}",
                " > ".join(c.divert.countries)
                + " via "
                + ", ".join(f"{x.from_name}-{x.to_name}" for x in c.divert.crossings),
            )
        )
    print(format_table(rows, ("option", "days", "USD", "generalized USD", "route"), "lrrrl"))
    print(
        f"\n=> {c.winner}. {c.reason}"
        + (f"; P(waiting wins) = {c.p_wait_wins:.0%}" if c.p_wait_wins is not None else "")
    )
    return 0
