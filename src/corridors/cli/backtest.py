"""TODO docstring (backtest)"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._json import dumps_json, json_safe
from ..analysis.backtest import (
    CARGO_SIZES,
    backtest,
    backtest_summary,
    journeys_path,
    read_journeys,
)
from ..errors import (
    CorridorsError,
    ValidationError,
    exit_code,
)
from ..model.io import load_network, read_network
from ..output.tables import (
    _POSITION_SHORT,
    _fmt,
    _fmt_range,
    _isnan,
    _split_text,
    _summary_lines,
    _yes_no,
    backtest_markdown,
)

__all__ = ["add_cli", "run_cli"]


# --------------------------------------------------------------------------------------------
# Command line (wired into corridors.cli by ``add_cli``)
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``backtest`` subcommand to the ``corridors`` command line.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``parser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The ``backtest`` parser; its ``func`` default is :func:`run_cli`.
    """
    p = subparsers.add_parser(
        "backtest",
        help="compare the model with published end-to-end journeys",
        description="Route every journey of a journeys.csv with its constraints and compare "
        "the model's days and USD with the observed ranges (the journeys measure the model; "
        "they are never used to calibrate it).",
    )
    p.add_argument(
        "file",
        nargs="?",
        help="journeys CSV (default: journeys.csv of --network, or of the bundled network)",
    )
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument(
        "--minimize", default="time_h", help="objective of the model's routes (default time_h)"
    )
    p.add_argument(
        "--cargo", choices=CARGO_SIZES, help="cargo for every journey (default: each journey's own)"
    )
    p.add_argument(
        "--simulate-runs",
        type=int,
        default=2_000,
        metavar="N",
        help="Monte Carlo runs per journey for the model's P10-P90 band and its "
        "calibration (default 2000; 0 skips it)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed of the band (default 0)")
    p.add_argument(
        "--closures",
        choices=("open_at_departure", "random_day"),
        default="open_at_departure",
        help="closures in the band: for a trip that leaves while its crossings are open "
        "(a trip that ran; default) or for one planned on a random day",
    )
    p.add_argument("--format", choices=("table", "json", "markdown", "csv"), default="table")
    p.set_defaults(func=run_cli)
    return p


def _default_file(network: str | None) -> Path:
    if network is not None and Path(network).is_dir():
        candidate = journeys_path(network)
        if candidate.is_file():
            return candidate
    return journeys_path()


def _emit(obj: Any) -> None:
    print(dumps_json(obj))


def _text_table(df: pd.DataFrame) -> str:
    from ..output.tables import format_table

    rows = []
    for r in df.to_dict("records"):
        rows.append(
            (
                r["id"],
                _fmt_range(r["observed_days_min"], r["observed_days_max"], "g"),
                _fmt(r["model_days"], ".1f"),
                _fmt(r["error_days"], ".1f", signed=True),
                _yes_no(r["within_range_days"]),
                _yes_no(r["within_rounded_days"]),
                ""
                if _isnan(r["model_p10_days"])
                else f"{r['model_p10_days']:.1f}-{r['model_p50_days']:.1f}"
                f"-{r['model_p90_days']:.1f}",
                _yes_no(r["within_band_days"]),
                _POSITION_SHORT.get(str(r.get("band_position") or ""), ""),
                _fmt_range(r["observed_usd_min"], r["observed_usd_max"], ",.0f"),
                _fmt(r["model_usd"], ",.0f") if not math.isnan(r["observed_usd_min"]) else "",
                r["countries"] if r["status"] == "ok" else r["status"],
                _split_text(r),
            )
        )
    table = format_table(
        rows,
        (
            "journey",
            "obs d",
            "model d",
            "err d",
            "in",
            "in rnd",
            "P10-P50-P90 d",
            "in band",
            "obs vs band",
            "obs USD",
            "model USD",
            "route",
            "run/wait/brd/xfer/term d",
        ),
        "lrrrllrllrrll",
    )
    notes = [
        f"  {r['id']}: {str(r['message']).splitlines()[0]}"
        for r in df.to_dict("records")
        if r["status"] != "ok"
    ]
    out = [table]
    if notes:
        out += ["", "Not routed:"] + notes
    return "\n".join(out + [""] + _summary_lines(df))


def run_cli(args: argparse.Namespace) -> int:
    """Run ``corridors backtest``; return the exit code.

    0 when the backtest ran (journeys without a route are rows of the report); 2 when the
    journeys file or the network is missing or invalid (the message lists every problem).
    """
    fmt = getattr(args, "format", "table")
    network = getattr(args, "network", None)
    path = Path(args.file) if getattr(args, "file", None) else _default_file(network)
    try:
        net = load_network() if network is None else read_network(network)
        journeys = read_journeys(path, net=net)
        df = backtest(
            net,
            journeys,
            minimize=getattr(args, "minimize", "time_h"),
            cargo=getattr(args, "cargo", None),
            simulate_runs=getattr(args, "simulate_runs", 0),
            seed=getattr(args, "seed", 0),
            closures=getattr(args, "closures", "open_at_departure"),
        )
    except ValidationError as err:
        if fmt == "json":
            _emit(
                {"file": str(path), "valid": False, "problems": [p.__dict__ for p in err.problems]}
            )
        else:
            print(str(err), file=sys.stderr)
        return exit_code(err)
    except (CorridorsError, FileNotFoundError, IsADirectoryError, PermissionError) as err:
        if fmt == "json":
            _emit(
                {
                    "file": str(path),
                    "valid": False,
                    "problems": [
                        {"file": str(path), "record": "(file)", "field": "", "message": str(err)}
                    ],
                }
            )
        else:
            print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    if fmt == "json":
        records = json_safe(df.to_dict("records"))
        _emit(
            {
                "network": net.name,
                "file": str(path),
                "minimize": df.attrs.get("minimize"),
                "summary": backtest_summary(df),
                "journeys": records,
            }
        )
    elif fmt == "markdown":
        print(backtest_markdown(df))
    elif fmt == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(_text_table(df))
    return 0


def _main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - manual use
    parser = argparse.ArgumentParser(prog="corridors")
    add_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))
