"""The ``corridors skim`` command: origin-destination skims (:func:`corridors.routes.skims.route_matrix`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..engine.query import CONNECTIONS, DEPARTURES
from ..errors import CorridorsError, exit_code
from ..routes.skims import route_matrix
from .route import CONNECTIONS_HELP

__all__ = ["add_cli", "run_cli"]


# --------------------------------------------------------------------------------------------
# Command line (wired by corridors.cli)
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``skim`` subcommand to the ``corridors`` command line.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``skim`` parser; its ``func`` default is :func:`run_cli`.
    """
    p = subparsers.add_parser(
        "skim",
        help="distance, time and money of the best route for many origin-destination pairs",
        description="Skims from every origin to every destination by one compiled "
        "shortest-path search per origin (routes may revisit a place: see the 'simple' "
        "column).",
    )
    p.add_argument("--from", dest="origins", nargs="+", required=True, metavar="PLACE")
    p.add_argument("--to", dest="destinations", nargs="+", required=True, metavar="PLACE")
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument("--minimize", default="cost_usd")
    p.add_argument("--year", type=int)
    p.add_argument(
        "--date",
        help="date of travel YYYY-MM-DD, YYYY-MM or YYYY: the link rules in force that day",
    )
    p.add_argument("--modes", nargs="+")
    p.add_argument("--avoid-country", dest="avoid_countries", nargs="+", metavar="ISO3")
    p.add_argument(
        "--departure",
        choices=DEPARTURES,
        default="booked",
        help="booked (default): no wait for the first departure; random: half a headway",
    )
    p.add_argument("--connections", choices=CONNECTIONS, default="random", help=CONNECTIONS_HELP)
    p.add_argument(
        "--engine",
        choices=("csgraph", "cch", "auto"),
        default="csgraph",
        help="csgraph: one compiled search per origin (default); cch: all pairs on one "
        "customizable contraction hierarchy, its structure cached on disk per network "
        "(faster for many pairs on large networks; pip install corridors[cch] for its "
        "ordering); auto: cch when installed and the matrix is large",
    )
    p.add_argument(
        "--cch-cache",
        dest="cch_cache",
        metavar="DIR",
        help="folder of the on-disk CCH structure (default: $CORRIDORS_CACHE_DIR or the "
        "user cache folder)",
    )
    p.add_argument("--format", choices=("table", "csv", "json", "markdown"), default="table")
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace, out: Any = None) -> int:
    """Run ``corridors skim``; return the exit code (2 bad input, 3 no route; see ``corridors --help``)."""
    from ..model.io import load_network, read_network

    out = out or sys.stdout
    try:
        network = getattr(args, "network", None)
        net = load_network() if network is None else read_network(network)
        df = route_matrix(
            net,
            args.origins,
            args.destinations,
            minimize=args.minimize,
            year=args.year,
            date=getattr(args, "date", None),
            modes=args.modes,
            avoid_countries=args.avoid_countries,
            departure=getattr(args, "departure", "booked"),
            connections=getattr(args, "connections", "random"),
            engine=getattr(args, "engine", "csgraph"),
            cch_cache=getattr(args, "cch_cache", None),
        )
    except CorridorsError as err:
        print(str(err), file=sys.stderr)
        return exit_code(err)
    fmt = getattr(args, "format", "table")
    if fmt == "csv":
        df.to_csv(out, index=False)
    elif fmt == "json":
        out.write(df.to_json(orient="records", indent=2) + "\n")
    elif fmt == "markdown":
        out.write(_markdown(df) + "\n")
    else:
        out.write(df.to_string(index=False, float_format=lambda x: f"{x:,.1f}") + "\n")
    return 0


def _markdown(df: pd.DataFrame) -> str:
    cols: Sequence[str] = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for rec in df.itertuples(index=False):
        lines.append(
            "| " + " | ".join(f"{v:,.1f}" if isinstance(v, float) else str(v) for v in rec) + " |"
        )
    return "\n".join(lines)
