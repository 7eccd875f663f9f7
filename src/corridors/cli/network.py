"""``corridors network validate|info`` and ``corridors places``: inspect and validate network
data."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..errors import CorridorsError, ValidationError, exit_code
from ..model.io import BUNDLED_DEFAULT, bundled_path, read_network
from ..model.network import Network
from ..model.schema import PLACE_KINDS, SERVICE_MODES
from ..output.tables import format_table
from ._common import emit as _emit
from ._common import iso3 as _iso3
from ._common import network as _network

__all__ = [
    "add_cli",
    "cmd_network_validate",
    "cmd_network_info",
    "cmd_places",
    "coverage_markdown",
]


def add_cli(sub: Any) -> None:
    """Add ``network validate``, ``network info`` and ``places`` to the command line."""
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
    lines += _services_markdown(net)
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


def _services_markdown(net: Network) -> list[str]:
    """The scheduled services (services.csv) by mode, as Markdown table lines ([] without)."""
    table = net._tables.get("services")
    if table is None or not len(table):
        return []
    out = ["", "| scheduled services (services.csv) | services | ids |", "|---|---:|---|"]
    for mode in SERVICE_MODES:
        ids = sorted(str(i) for i, m in zip(table["id"], table["mode"]) if m == mode)
        if ids:
            out.append(f"| {mode} | {len(ids)} | {', '.join(ids)} |")
    return out


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
