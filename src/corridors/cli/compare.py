"""TODO docstring (scenarios)"""

from __future__ import annotations

import argparse
import errno
import math
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .._atomic import atomic_path
from .._json import dumps_json, json_safe
from ..analysis.compare import _compare, _Comparison
from ..analysis.dependability import (
    route_key,
)
from ..analysis.scenario import Scenario, load_scenarios
from ..analysis.scenario_file import simulation_settings
from ..errors import (
    CorridorsError,
    ParameterError,
    ValidationError,
    WriteError,
    exit_code,
)
from ..model.network import Network
from ..output.tables import comparison_markdown, comparison_text, write_comparison
from ..routes.route import Route

__all__ = ["add_cli", "run_cli"]


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``corridors compare FILE.toml [FILE2.toml ...]`` to the command line.

    Returns the parser; its ``func`` default is :func:`run_cli`.
    """
    p = subparsers.add_parser(
        "compare",
        help="compare scenarios (TOML files) over origin-destination pairs",
        description="Apply every scenario of the TOML files to the network, route their "
        "origin-destination pairs and print one row per scenario, pair and route.",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE.toml",
        help="scenario files (one scenario, or a [[scenario]] array with shared od)",
    )
    p.add_argument("--out", metavar="DIR", help="write comparison.csv and comparison.md here")
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    p.add_argument(
        "--simulate-runs",
        type=int,
        metavar="N",
        help="Monte Carlo runs per origin-destination pair (P10/P50/P90 days and "
        "USD, on-time probability, P(cheapest), P(fastest)); default: the file's "
        "'runs', else none",
    )
    p.add_argument(
        "--seed",
        type=int,
        help="random seed of the Monte Carlo (default: the file's 'seed', else fresh)",
    )
    p.add_argument(
        "--deadline-days",
        type=float,
        metavar="D",
        help="deadline for the on-time probability (default: the file's "
        "'deadline_days', else none)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show (or never show) a progress bar of the scenarios on stderr (needs tqdm); "
        "default: a bar from 10 of them on an interactive terminal",
    )
    p.set_defaults(func=run_cli)
    return p


def _cli_settings(args: argparse.Namespace) -> dict[str, Any]:
    """runs, seed and deadline_days: the command line's, else the files' (which must agree)."""
    flags = {
        "runs": getattr(args, "simulate_runs", None),
        "seed": getattr(args, "seed", None),
        "deadline_days": getattr(args, "deadline_days", None),
    }
    found: dict[str, tuple[Any, str]] = {}
    for f in args.files:
        for key, v in simulation_settings(f).items():
            if flags[key] is None and key in found and found[key][0] != v:
                raise ParameterError(
                    f"{key} is {found[key][0]!r} in {found[key][1]} but {v!r} "
                    f"in {f}; set it once, or on the command line"
                )
            found.setdefault(key, (v, f))
    out = {k: v for k, (v, _) in found.items()}
    out.update({k: v for k, v in flags.items() if v is not None})
    runs, seed, days = out.get("runs", 0), out.get("seed"), out.get("deadline_days")
    if runs < 0:
        raise ParameterError(f"--simulate-runs must be a whole number >= 0, got {runs}")
    if seed is not None and seed < 0:
        raise ParameterError(f"--seed must be a whole number >= 0, got {seed}")
    if days is not None and (not math.isfinite(days) or days < 0):
        raise ParameterError(f"--deadline-days must be a number of days >= 0, got {days}")
    if runs == 0 and days is not None:
        raise ParameterError(
            "a deadline needs a Monte Carlo: add --simulate-runs N (or runs "
            "= N in the scenario file)"
        )
    return {"runs": runs, "seed": seed, "deadline_days": days}


def _sim_note(settings: Mapping[str, Any]) -> str:
    days = settings["deadline_days"]
    return (
        f"Monte Carlo: {settings['runs']:,} runs per pair, seed {settings['seed']}"
        + (f", deadline {days:g} days" if days is not None else "")
        + "; days and USD as P50 (P10-P90); P(cheapest) and P(fastest) among the routes "
        "of each scenario"
    )


def run_cli(args: argparse.Namespace) -> int:
    """Run ``corridors compare``; return the exit code (0 ok, 2 bad files or network, 74 the
    ``--out`` folder cannot be written; see :func:`corridors.errors.exit_code`)."""
    from ..model.io import load_network, read_network

    fmt = getattr(args, "format", "table")
    network = getattr(args, "network", None)
    out = getattr(args, "out", None)
    try:
        if out:  # before the work, so a bad --out does not come after a printed table
            _output_folder(Path(out))
        net = load_network() if network is None else read_network(network)
        scens: list[Scenario] = []
        for f in args.files:
            scens += load_scenarios(f, net=net)
        settings = _cli_settings(args)
        if settings["runs"] and settings["seed"] is None:  # fresh, shown so it can be repeated
            settings["seed"] = int(np.random.default_rng().integers(2**32))
        days = settings["deadline_days"]
        result = _compare(
            net,
            scens,
            simulate_runs=settings["runs"],
            seed=settings["seed"],
            deadline_h=None if days is None else days * 24.0,
            progress=getattr(args, "progress", None),
        )
        df = result.frame
    except ValidationError as err:
        for problem in err.problems:  # one line each: file: key: what is wrong and allowed
            print(f"error: {problem}", file=sys.stderr)
        return exit_code(err)
    except (CorridorsError, FileNotFoundError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    if fmt == "json":
        records = json_safe(df.to_dict("records"))
        sim = dict(settings) if settings["runs"] else None
        print(
            dumps_json(
                {"network": net.name, "files": list(args.files), "simulation": sim, "rows": records}
            )
        )
    elif fmt == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif fmt == "markdown":
        print(comparison_markdown(df), end="")
    else:
        print(comparison_text(df))
        if settings["runs"]:
            print(_sim_note(settings))
    if out:
        d = Path(out)
        written = [
            write_comparison(df, d / "comparison.csv"),
            write_comparison(df, d / "comparison.md"),
        ]
        note = _charts(net, result, d, settings)
        msg = "wrote " + ", ".join(str(w) for w in written) + (f"; {note}" if note else "")
        print(msg, file=sys.stderr if fmt in ("json", "csv") else sys.stdout)
    return 0


def _output_folder(d: Path) -> None:
    """Create the ``--out`` folder (and its parents) or raise :class:`WriteError` naming it."""
    if d.exists() and not d.is_dir():
        raise WriteError(
            f"cannot write to {d}: it is a file, not a folder",
            errno_=errno.ENOTDIR,
            filename=str(d),
        )
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteError(
            f"cannot create the output folder {d}: {err.strerror or err}",
            errno_=err.errno,
            filename=str(d),
        ) from err
    if not os.access(d, os.W_OK | os.X_OK):
        raise WriteError(
            f"cannot write to {d}: permission denied", errno_=errno.EACCES, filename=str(d)
        )


def _chart_groups(result: _Comparison) -> dict[tuple[str, str], list[tuple[str, str, Route]]]:
    """Per pair, each distinct route once, labelled with every row that found it, with its
    corridor: ``("today (cost_usd) = uap-railway-2032 (cost_usd): corridor", corridor,
    route)``."""
    groups: dict[tuple[str, str], dict[tuple[Any, ...], tuple[list[str], str, Route]]] = {}
    for rec, r in zip(result.frame.to_dict("records"), result.routes):
        if r is None:
            continue
        rank = rec["rank"]
        who = f"{rec['scenario']} ({rec['minimize']}{'' if rank == 1 else f' #{rank}'})"
        pair = groups.setdefault((r.origin, r.destination), {})
        key = route_key(r)
        if key in pair:
            pair[key][0].append(who)
        else:
            pair[key] = ([who], str(rec["corridor"]), r)
    return {
        p: [(" = ".join(w) + f": {c}", c, r) for w, c, r in items.values()]
        for p, items in groups.items()
    }


def _charts(net: Network, result: _Comparison, out: Path, settings: Mapping[str, Any]) -> str:
    """For each origin-destination pair, its distinct routes side by side, each corridor in
    its colour (:func:`corridors.output.plot.corridor_colours`): a time/cost-distance chart, the
    time split per corridor, a static map (PNG) and an interactive map (HTML), and with a
    Monte Carlo the transit-time distributions (PNG) and P10-P90 bands on the
    time/cost-distance chart, through :mod:`corridors.output.plot` (the ``plot`` extra). Returns a
    note of what was written."""
    try:
        from ..output import plot
    except ImportError as err:  # pragma: no cover - plot has no hard dependency at import
        return f"charts and maps skipped ({err})"
    written: list[str] = []
    names = net._places["name"].to_dict()
    sims = {(p.origin, p.destination): p for p in result.simulations}
    days = settings.get("deadline_days")
    try:
        for (o, d), items in _chart_groups(result).items():
            slug = re.sub(r"[^a-z0-9]+", "-", f"{names[o]}-{names[d]}".lower()).strip("-")
            labels = [lab for lab, _, _ in items]
            routes_ = [r for _, _, r in items]
            palette = plot.corridor_colours(c for _, c, _ in items)
            colours = [palette[c] for _, c, _ in items]
            sim = sims.get((o, d))
            draws = None
            if sim is not None:
                keys = [route_key(r) for r in routes_]
                draws = sim.result.subset(
                    [next(j for j, r in enumerate(sim.routes) if route_key(r) == k) for k in keys]
                )
            fig = plot.tcd_chart(routes_, labels=labels, colours=colours, simulation=draws)
            written += [str(_save_png(fig, out / f"{slug}_tcd.png"))]
            fig = plot.time_split_chart(routes_, labels=labels, colours=colours)
            written += [str(_save_png(fig, out / f"{slug}_time_split.png"))]
            written += [
                str(plot.save_map(routes_, out / f"{slug}_map.png", labels=labels, colours=colours))
            ]
            written += [
                str(
                    plot.save_explore(
                        routes_, out / f"{slug}_map.html", labels=labels, colours=colours
                    )
                )
            ]
            if draws is not None:
                fig = plot.transit_time_hist(
                    draws.time_h,
                    labels,
                    colours=colours,
                    deadline_h=None if days is None else days * 24.0,
                    title=plot.od_title(routes_),
                )
                written += [str(_save_png(fig, out / f"{slug}_transit.png"))]
    except ImportError as err:
        return f"charts and maps skipped ({err})"
    return f"{len(written)} charts and maps written to {out}"


def _save_png(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def _save_figure(obj: Any, base: Path) -> int:
    """Save a matplotlib Figure (``.png``, then closed) or a map with ``save`` (``.html``)."""
    if hasattr(obj, "savefig"):
        import matplotlib.pyplot as plt

        try:
            with atomic_path(base.with_suffix(".png")) as tmp:
                obj.savefig(tmp)
        finally:
            plt.close(obj)
        return 1
    if hasattr(obj, "save"):
        with atomic_path(base.with_suffix(".html")) as tmp:
            obj.save(str(tmp))
        return 1
    return 0
