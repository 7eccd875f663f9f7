"""The ``corridors`` command line: a thin layer over the library.

Exit codes (also in ``corridors --help``): 0 success; 2 bad input (the command line, a data
file, a scenario file or a parameter is wrong: the message names it); 3 no route satisfies the
query; 70 an internal error (a bug: a short message and where to report it; ``--debug`` prints
the traceback); 74 an output file could not be written (the old file is unchanged); 130
interrupted (Ctrl-C). ``corridors network validate`` exits 2 for an invalid network.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..costs.cargo import Cargo
from ..errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CorridorsError,
    NoRouteError,
    ParameterError,
    ValidationError,
    exit_code,
)
from ..model.io import BUNDLED_DEFAULT, bundled_path, read_network
from ..model.network import Network
from ..model.schema import PLACE_KINDS
from ..output.tables import format_table
from ..routes.route import Route
from ..routes.routing import alternatives, route
from ._common import emit as _emit
from ._common import network as _network

__all__ = ["main", "format_table", "EXIT_CODES_HELP"]

EXIT_CODES_HELP = """exit codes:
  0    success
  2    bad input: the command line, a network or scenario file, or a parameter is wrong
       (the message names the file, record and field); also an invalid network in
       `network validate`
  3    no route satisfies the query (the message names the constraint)
  70   internal error, a bug in corridors: please report it (rerun with --debug for the
       traceback)
  74   an output file could not be written (disk full, read-only, a folder in the way);
       the previous file is unchanged
  130  interrupted (Ctrl-C)"""

# ISO 3166-1 alpha-2 -> alpha-3 for the countries of the bundled region, so `--country PK` works.
ISO2_TO_ISO3 = {
    "AF": "AFG",
    "AM": "ARM",
    "AZ": "AZE",
    "CN": "CHN",
    "EG": "EGY",
    "GE": "GEO",
    "IN": "IND",
    "IR": "IRN",
    "KG": "KGZ",
    "KZ": "KAZ",
    "OM": "OMN",
    "PK": "PAK",
    "RU": "RUS",
    "TJ": "TJK",
    "TM": "TKM",
    "TR": "TUR",
    "AE": "ARE",
    "UZ": "UZB",
    "NL": "NLD",
    "DE": "DEU",
    "FI": "FIN",
}


def _iso3(code: str) -> str:
    c = code.strip().upper()
    if len(c) == 2:
        if c not in ISO2_TO_ISO3:
            raise CorridorsError(
                f"unknown country code {code!r}; use ISO 3166-1 alpha-3 (e.g. PAK, IRN, AFG)"
            )
        return ISO2_TO_ISO3[c]
    if len(c) != 3 or not c.isalpha():
        raise CorridorsError(f"{code!r} is not a country code; use ISO 3166-1 alpha-3 (e.g. PAK)")
    return c


# ---- network ---------------------------------------------------------------------------------


def cmd_network_validate(args: argparse.Namespace) -> int:
    from ..engine.weights import routing_data_problems

    path = args.path or str(bundled_path(BUNDLED_DEFAULT))
    try:
        net = read_network(path)
        missing = routing_data_problems(net)
        if missing:
            n = len(missing)
            raise ValidationError(
                missing,
                header=f"{n} problem{'s' if n != 1 else ''} found "
                f"in {path}: routing needs data the tables lack",
            )
    except FileNotFoundError as err:
        if args.format == "json":
            _emit(
                {
                    "path": path,
                    "valid": False,
                    "problems": [
                        {"file": path, "record": "(file)", "field": "", "message": str(err)}
                    ],
                }
            )
        else:
            print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    except ValidationError as err:
        if args.format == "json":
            _emit({"path": path, "valid": False, "problems": [p.__dict__ for p in err.problems]})
        else:
            print(str(err))
            n = len(err.problems)
            print(f"\n{path}: INVALID ({n} problem{'s' if n != 1 else ''})")
        return exit_code(err)
    if args.format == "json":
        _emit(
            {
                "path": path,
                "valid": True,
                "problems": [],
                "places": len(net.places),
                "links": len(net.links),
            }
        )
    else:
        print(f"{path}: valid ({len(net.places)} places, {len(net.links)} links)")
    return 0


def cmd_network_info(args: argparse.Namespace) -> int:
    net = _network(args.path)
    info = net.info()
    if args.format == "json":
        _emit(info)
        return 0
    if args.format == "markdown":
        print(coverage_markdown(net))
        return 0
    meta = net.meta
    print(
        f"{info['name']}: {info['places']} places, {info['links']} links, "
        f"{info['total_km']:,.0f} km, {info['border_crossings']} border-crossing links"
    )
    if meta.get("description"):
        print(meta["description"])
    for title, key in (
        ("by mode", "links_by_mode"),
        ("by status", "links_by_status"),
        ("by kind", "links_by_kind"),
        ("by country", "links_by_country"),
    ):
        rows = [(k, v["links"], f"{v['km']:,.0f}") for k, v in info[key].items()]
        print(f"\nLinks {title}:")
        print(format_table(rows, ("", "links", "km"), "lrr"))
    print("\nPlaces by country:")
    print(format_table(list(info["places_by_country"].items()), ("country", "places"), "lr"))
    if info["tables"]:
        print(
            "\nParameter tables: " + ", ".join(f"{k} ({v} rows)" for k, v in info["tables"].items())
        )
    print(f"Sources cited: {info['sources']}")
    if info["corridors"]:
        ok = sum(c["connected"] for c in info["corridors"])
        print(f"\nNamed corridors: {len(info['corridors'])} ({ok} connected end to end)")
        corridor_rows = [
            (
                c["name"],
                ",".join(c["modes"]),
                c["year"] or "today",
                "yes" if c["connected"] else "NO: " + "; ".join(f"{a}-{b}" for a, b in c["gaps"]),
            )
            for c in info["corridors"]
        ]
        print(format_table(corridor_rows, ("corridor", "modes", "year", "connected")))
    return 0


def coverage_markdown(net: Network) -> str:
    """Coverage tables in Markdown: places and links by country and mode, km by status."""
    places, links = net.places, net.links
    ctry = places["country"].to_dict()
    link_ctry = [
        ctry[a] if ctry[a] == ctry[b] else "cross-border"
        for a, b in zip(links["from_id"], links["to_id"])
    ]
    modes = ["rail", "road", "sea", "ferry"]
    countries = sorted(set(places["country"])) + ["cross-border"]
    lines = [
        "| country | places | " + " | ".join(f"{m} links (km)" for m in modes) + " |",
        "|---|---:|" + "---:|" * len(modes),
    ]
    for c in countries:
        n_pl = int((places["country"] == c).sum())
        cells = []
        for m in modes:
            sel = [(k == c and mm == m) for k, mm in zip(link_ctry, links["mode"])]
            n = sum(sel)
            km = float(links.loc[sel, "distance_km"].sum()) if n else 0.0
            cells.append(f"{n} ({km:,.0f})" if n else "–")
        lines.append(
            f"| {c} | {n_pl if c != 'cross-border' else '–'} | " + " | ".join(cells) + " |"
        )
    info = net.info()
    lines += ["", "| status | links | km |", "|---|---:|---:|"]
    for status, v in info["links_by_status"].items():
        lines.append(f"| {status} | {v['links']} | {v['km']:,.0f} |")
    if net.corridors:
        lines += [
            "",
            "| corridor | modes | usable | connected | what it contains |",
            "|---|---|---|---|---|",
        ]
        for c, st in zip(net.corridors, info["corridors"]):
            desc = str(c.get("description", "")).replace("|", "/")
            lines.append(
                f"| {c['name']} | {', '.join(st['modes'])} | "
                f"{st['year'] or 'today'} | {'yes' if st['connected'] else 'NO'} | {desc} |"
            )
    return "\n".join(lines)


# ---- places ----------------------------------------------------------------------------------


def cmd_places(args: argparse.Namespace) -> int:
    net = _network(args.network)
    df = net.places
    if args.country:
        code = _iso3(args.country)
        present = sorted(set(net.places["country"]))
        if code not in present:
            raise CorridorsError(
                f"no places in country {code}; the network has: " + ", ".join(present)
            )
        df = df[df["country"] == code]
    if args.kind:
        if args.kind not in PLACE_KINDS:
            raise CorridorsError(
                f"unknown place kind {args.kind!r}; allowed: {', '.join(PLACE_KINDS)}"
            )
        df = df[df["kind"] == args.kind]
    rows = [
        (
            r.id,
            r.name,
            r.country,
            r.kind,
            f"{r.geometry.y:.4f}",
            f"{r.geometry.x:.4f}",
            r.aliases or "",
        )
        for r in df.sort_values(["country", "id"]).itertuples()
    ]
    headers = ("id", "name", "country", "kind", "lat", "lon", "aliases")
    if args.format == "json":
        _emit([dict(zip(headers, r)) for r in rows])
    elif args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(headers)
        w.writerows(rows)
    else:
        print(format_table(rows, headers))
        print(f"\n{len(rows)} places")
    return 0


# ---- route -----------------------------------------------------------------------------------


def _flat(values: list[list[str]] | None) -> list[str]:
    out: list[str] = []
    for group in values or []:
        for v in group:
            out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


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
    net = _network(args.network)
    constraints: dict[str, Any] = dict(
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
    )
    month = getattr(args, "month", None)
    if args.k > 1:
        if month is not None:  # alternatives: the seasonal closures become avoided links
            from ..routes.routing import seasonal_closures

            constraints["avoid_links"] = list(constraints["avoid_links"] or []) + sorted(
                seasonal_closures(net, month, args.year)
            )
        routes = alternatives(
            net, args.origin, args.destination, k=args.k, minimize=args.minimize, **constraints
        )
    else:
        routes = [
            route(
                net,
                args.origin,
                args.destination,
                minimize=args.minimize,
                month=month,
                **constraints,
            )
        ]
    if args.format == "json":
        _emit({"network": net.name, "routes": [r.to_dict() for r in routes]})
    elif args.format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        cols = [
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
        ]
        w.writerow(cols)
        for i, r in enumerate(routes, start=1):
            legs = r.legs
            for rec in legs.drop(columns="geometry").to_dict("records"):
                rec["route"] = i
                w.writerow([_fmt_csv(rec.get(c)) for c in cols])
    else:
        print(format_routes(routes, net))
    return 0


def _fmt_csv(v: Any) -> str:
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
            "\n  time: "
            + ", ".join(f"{k} {v / 24:.1f} d" for k, v in split.items())
            + (f" | passages: {', '.join(r.passages)}" if r.passages else "")
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


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


# ---- pareto -----------------------------------------------------------------------------------


def cmd_pareto(args: argparse.Namespace) -> int:
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


# ---- parser ----------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corridors",
        description="Multimodal freight corridors: routes, border crossings, gauge breaks.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"corridors {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an internal error"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_net = sub.add_parser("network", help="inspect and validate network data")
    net_sub = p_net.add_subparsers(dest="network_command", required=True)
    p_val = net_sub.add_parser(
        "validate",
        help="validate a network folder or GeoPackage, "
        "including the speeds, tariffs and operations routing needs "
        "for every link; exit 2 listing every problem",
    )
    p_val.add_argument("path", nargs="?", help="folder or .gpkg (default: the bundled network)")
    p_val.add_argument("--format", choices=("text", "json"), default="text")
    p_val.set_defaults(func=cmd_network_validate)
    p_info = net_sub.add_parser("info", help="counts by mode, country and status; total km")
    p_info.add_argument("path", nargs="?", help="folder or .gpkg (default: the bundled network)")
    p_info.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p_info.set_defaults(func=cmd_network_info)

    p_pl = sub.add_parser("places", help="list places with ids and names")
    p_pl.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p_pl.add_argument("--country", help="ISO3 (or ISO2) country code")
    p_pl.add_argument("--kind", help=f"one of {', '.join(PLACE_KINDS)}")
    p_pl.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_pl.set_defaults(func=cmd_places)

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
    p_p.add_argument("--cargo", default="40ft")
    p_p.add_argument("--network")
    p_p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p_p.set_defaults(func=cmd_pareto)

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

    from .backtest import add_cli as add_backtest
    from .compare import add_cli as add_compare
    from .criticality import add_cli as add_criticality
    from .simulate import add_cli as add_simulate
    from .skims import add_cli as add_skim

    add_simulate(sub)
    add_compare(sub)
    add_skim(sub)
    add_backtest(sub)
    add_criticality(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (see :data:`EXIT_CODES_HELP`).

    Every error ends here, in one handler: the library's own errors print their message
    (validation errors every problem) and exit 2, or 3 for no route, or 74 for an output that
    could not be written; anything else is a bug and exits 70 with a short message and a hint
    to report it (the traceback only with ``--debug``); Ctrl-C exits 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        _silence_stdout()
        return EXIT_OK
    except ValidationError as err:
        print(str(err), file=sys.stderr)
        return exit_code(err)
    except NoRouteError as err:
        print(f"no route: {err}", file=sys.stderr)
        return exit_code(err)
    except (
        CorridorsError,
        FileNotFoundError,
        IsADirectoryError,
        NotADirectoryError,
        PermissionError,
    ) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    except Exception as err:  # noqa: BLE001 - the one place that turns a bug into exit 70
        if debug:
            traceback.print_exc()
        first = (str(err).splitlines() or [""])[0][:200]
        print(
            f"internal error: {type(err).__name__}: {first}\n"
            f"This is a bug in corridors {__version__}; please report it on the "
            "project's issue tracker with the command line"
            + ("." if debug else " and the traceback that `corridors --debug ...` prints."),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush does
    not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
