"""TODO docstring (criticality)"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._atomic import write_text_atomic
from .._json import json_safe
from ..analysis.criticality import SHIPMENTS_PER_YEAR, corridor_criticality
from ..errors import CorridorsError, ParameterError, ValidationError, exit_code
from ..output.charts import criticality_chart
from ..output.tables import criticality_markdown, criticality_text

__all__ = ["add_cli", "run_cli"]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``corridors criticality FILE.toml ...`` to the command line."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "criticality",
        help="close each crossing, port, transfer place and link of every "
        "corridor of a comparison in turn: detour days and USD, wait or divert, annual cost",
        description="For the best route of every scenario, pair and objective of the scenario "
        "files, close each element in turn and rank the closures.",
    )
    p.add_argument("files", nargs="+", metavar="FILE.toml", help="scenario files (as compare)")
    p.add_argument(
        "--close",
        nargs="+",
        action="append",
        metavar="NAME",
        help="close only these (crossing names, places, link ids)",
    )
    p.add_argument(
        "--shipments-per-year",
        type=float,
        default=SHIPMENTS_PER_YEAR,
        help="shipments a year per corridor for the annual cost (default 52)",
    )
    p.add_argument(
        "--top",
        type=int,
        default=5,
        help="rows per corridor in the printed table and chart (default 5; the "
        "files hold every row)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write criticality.csv, criticality.md and criticality.png here",
    )
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show (or never show) a progress bar of the scenarios, then of each corridor's closures, on stderr (needs tqdm); "
        "default: a bar from 10 of them on an interactive terminal",
    )
    p.set_defaults(func=run_cli)
    return p


def run_cli(args: argparse.Namespace) -> int:
    """Run ``corridors criticality``; return the exit code (0 ok, 2 bad files or input, 74 the
    ``--out`` folder cannot be written; see :func:`corridors.errors.exit_code`)."""
    from ..analysis.scenario import load_scenarios
    from ..model.io import load_network, read_network
    from .compare import _output_folder

    close = [n for group in (args.close or []) for n in group] or None
    try:
        if args.top < 1:
            raise ParameterError(f"--top must be >= 1, got {args.top}")
        if args.out:  # before the work, so a bad --out does not come after a printed table
            _output_folder(Path(args.out))
        net = load_network() if args.network is None else read_network(args.network)
        scens = [s for f in args.files for s in load_scenarios(f, net=net)]
        df = corridor_criticality(
            net,
            scens,
            items=close,
            shipments_per_year=args.shipments_per_year,
            progress=args.progress,
        )
    except ValidationError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return exit_code(err)
    except (CorridorsError, FileNotFoundError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    if args.format == "json":
        import json

        records = json_safe(df.to_dict("records"))
        print(
            json.dumps(
                {
                    "network": net.name,
                    "files": list(args.files),
                    "shipments_per_year": args.shipments_per_year,
                    "rows": records,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    elif args.format == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif args.format == "markdown":
        print(criticality_markdown(df, top=args.top), end="")
    else:
        print(criticality_text(df, top=args.top))
        print(
            f"Top {args.top} closures per corridor, ranked by expected annual delay (time_h "
            f"corridors) or cost ({args.shipments_per_year:g} shipments a year; closure "
            "probabilities and lengths from risk.csv), then no detour, then the detour's "
            "extra days or cost."
        )
    if args.out:
        d = Path(args.out)
        write_text_atomic(d / "criticality.csv", df.to_csv(index=False, lineterminator="\n"))
        write_text_atomic(d / "criticality.md", criticality_markdown(df))
        written = [str(d / "criticality.csv"), str(d / "criticality.md")]
        if len(df):
            try:
                fig = criticality_chart(df, top=args.top)
            except ImportError as err:
                written.append(f"chart skipped ({err})")
            else:
                from .compare import _save_png

                written.append(str(_save_png(fig, d / "criticality.png")))
        print(
            "wrote " + ", ".join(written),
            file=sys.stderr if args.format in ("json", "csv") else sys.stdout,
        )
    return 0
