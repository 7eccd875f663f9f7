"""Flagship comparison on the bundled network: Karachi to Moscow and to Tashkent.

For each origin-destination pair, the cheapest route, the fastest route and the best route by
generalized cost, then the k materially different alternatives by cost. Prints a table and,
with --out, writes the routes as CSV and JSON.

    python examples/route_comparison.py [--k 3] [--out results/]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

import corridors as cor

PAIRS = [("Karachi", "Moscow"), ("Karachi", "Tashkent"), ("Karachi", "Almaty")]


def compare(net: cor.Network, k: int = 3) -> pd.DataFrame:
    """One row per (pair, route): totals and what the route crosses."""
    rows = []
    cargo = cor.Cargo.container("40ft")
    for origin, destination in PAIRS:
        seen = {}
        for label, minimize in (
            ("cheapest", "cost_usd"),
            ("fastest", "time_h"),
            ("generalized", "generalized"),
        ):
            r = cor.route(net, origin, destination, minimize=minimize, cargo=cargo)
            seen.setdefault(r.signature, (label, r))
        for i, r in enumerate(cor.alternatives(net, origin, destination, k=k, cargo=cargo)):
            seen.setdefault(r.signature, (f"alternative {i + 1}", r))
        for label, r in seen.values():
            s = r.summary()
            rows.append(
                {
                    "origin": origin,
                    "destination": destination,
                    "route": label,
                    "distance_km": round(r.distance_km),
                    "days": round(r.time_h / 24, 1),
                    "cost_usd": round(r.cost_usd),
                    "generalized_usd": round(r.generalized_usd),
                    "borders": s["n_border_crossings"],
                    "transfers": s["n_transfers"],
                    "modes": "+".join(s["modes"]),
                    "countries": " > ".join(s["countries"]),
                    "crossings": ", ".join(c["link_id"] for c in s["border_crossings"]),
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    net = cor.load_network()
    table = compare(net, k=args.k)
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.max_colwidth", 60
    ):
        print(table.drop(columns=["crossings"]).to_string(index=False))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "route_comparison.csv", index=False)
        best = cor.route(net, "Karachi", "Moscow", minimize="cost_usd")
        (args.out / "karachi_moscow_cheapest.json").write_text(json.dumps(best.to_dict(), indent=2))
        print(f"\nwritten to {args.out}/")
    return table


if __name__ == "__main__":
    main()
