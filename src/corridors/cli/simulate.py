"""TODO docstring (simulate)"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from ..analysis.simulate import NO_SPREADS, simulate
from ..costs.cargo import Cargo
from ..engine.query import CONNECTIONS
from ..errors import ParameterError
from ..units import HOURS_PER_DAY
from .route import CONNECTIONS_HELP

__all__ = ["add_cli", "run_cli"]


# --------------------------------------------------------------------------------------------
# Command line (wired into corridors.cli)
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``corridors simulate ORIGIN DEST ...`` to an argparse subparsers object."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="Monte Carlo of k alternative routes: P50/P90 days and USD, "
        "on-time probability, chance of being fastest and cheapest",
    )
    p.add_argument("origin")
    p.add_argument("destination")
    p.add_argument("--k", type=int, default=3, help="number of alternative routes (default 3)")
    p.add_argument(
        "--runs",
        type=int,
        default=10_000,
        help="Monte Carlo runs (default 10000; runs x routes at most 10,000,000)",
    )
    p.add_argument(
        "--seed",
        type=int,
        help="random seed, a whole number >= 0 (default: fresh; the output shows it)",
    )
    p.add_argument("--deadline-days", type=float, help="deadline for the on-time probability")
    p.add_argument(
        "--minimize",
        default="cost_usd",
        help="objective ranking the alternatives (default cost_usd)",
    )
    p.add_argument("--cargo", default="40ft", help="20ft, 40ft, tonne or <N>t (default 40ft)")
    p.add_argument("--modes", help="comma-separated: rail,road,sea,ferry (default all)")
    p.add_argument("--year", type=int, help="network as in this year (planned links open)")
    p.add_argument(
        "--date",
        help="date of travel YYYY-MM-DD, YYYY-MM or YYYY: the link rules in force that day apply",
    )
    p.add_argument(
        "--departure",
        choices=("booked", "random"),
        default="booked",
        help="booked (default): no wait for the first departure; random: half a headway",
    )
    p.add_argument(
        "--connections",
        choices=CONNECTIONS,
        default="random",
        help=CONNECTIONS_HELP + " (no wait is drawn at a booked connection)",
    )
    p.add_argument(
        "--span",
        choices=("door_to_door", "departure_to_arrival"),
        default="door_to_door",
        help="door_to_door (default): loading to unloading; departure_to_arrival: the "
        "transit time, without terminal handling and the first wait",
    )
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument(
        "--closures",
        choices=("random_day", "open_at_departure"),
        default="random_day",
        help="closures of crossings, ports and lines: for a trip planned on a random day "
        "(default; meets one under way with the share of days closed) or for one that "
        "leaves while they are open",
    )
    p.add_argument(
        "--no-spreads",
        action="store_true",
        help="keep rail and road running times and liner arrivals fixed (draw only the "
        "tables' dwell, operations, waits and closures)",
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace) -> int:
    """Run ``corridors simulate``; return the exit code (errors propagate to ``cli.main``)."""
    from ..output.tables import format_table
    from ._common import emit as _emit
    from ._common import network as _network

    net = _network(args.network)
    if args.deadline_days is not None and (
        not math.isfinite(args.deadline_days) or args.deadline_days < 0
    ):
        raise ParameterError(f"--deadline-days must be >= 0, got {args.deadline_days}")
    deadline_h = None if args.deadline_days is None else args.deadline_days * HOURS_PER_DAY
    routes = _routes(net, args)
    sim = simulate(
        routes,
        runs=args.runs,
        seed=args.seed,
        deadline_h=deadline_h,
        net=net,
        closures=getattr(args, "closures", "random_day"),
        span=getattr(args, "span", "door_to_door"),
        spreads=NO_SPREADS if getattr(args, "no_spreads", False) else None,
    )
    if args.format == "json":
        out = sim.to_dict()
        out["network"] = net.name
        for rec, r in zip(out["routes"], routes):
            rec["summary"] = r.summary()
        _emit(out)
        return 0
    frame = sim.to_frame()
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False, float_format="%.6g", lineterminator="\n")
        return 0
    rows = []
    for rec in frame.to_dict("records"):
        on_time = rec["p_on_time"]
        rows.append(
            (
                rec["label"],
                f"{rec['time_p50_days']:.1f}",
                f"{rec['time_p90_days']:.1f}",
                f"{rec['cost_p50_usd']:,.0f}",
                f"{rec['cost_p90_usd']:,.0f}",
                "-" if on_time != on_time else f"{on_time:.0%}",
                f"{rec['p_fastest']:.0%}",
                f"{rec['p_cheapest']:.0%}",
            )
        )
    names = net.places["name"].to_dict()
    o, d = routes[0].origin, routes[0].destination
    print(
        f"{names[o]} -> {names[d]}: {sim.runs:,} runs, seed {sim.seed}"
        + (f", deadline {args.deadline_days:g} days" if deadline_h is not None else "")
    )
    print(
        format_table(
            rows,
            (
                "route",
                "P50 days",
                "P90 days",
                "P50 USD",
                "P90 USD",
                "on time",
                "P(fastest)",
                "P(cheapest)",
            ),
            "lrrrrrrr",
        )
    )
    return 0


def _routes(net: Any, args: argparse.Namespace) -> list[Any]:
    """The ``--k`` alternatives the options ask for (modes, year, date, departure,
    connections, cargo)."""
    from ..routes.routing import alternatives

    return alternatives(
        net,
        args.origin,
        args.destination,
        k=args.k,
        minimize=args.minimize,
        cargo=Cargo.parse(args.cargo),
        modes=[m.strip() for m in args.modes.split(",")] if getattr(args, "modes", None) else None,
        year=getattr(args, "year", None),
        date=getattr(args, "date", None),
        departure=getattr(args, "departure", "booked"),
        connections=getattr(args, "connections", "random"),
    )
