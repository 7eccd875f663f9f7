"""Compare the trans-Iranian and trans-Afghan corridors today and with the UAP railway (2032).

Runs ``examples/scenarios/trans_iranian_vs_trans_afghan.toml`` on the bundled network and
prints one row per scenario, origin-destination pair, objective and route. With
``--out DIR`` it also writes ``comparison.csv`` and ``comparison.md`` there.

    python examples/compare_scenarios.py [--out results/]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import corridors as cor
from corridors.analysis.compare import compare
from corridors.analysis.scenario import load_scenarios
from corridors.output.tables import comparison_text, write_comparison

HERE = Path(__file__).resolve().parent
FLAGSHIP = HERE / "scenarios" / "trans_iranian_vs_trans_afghan.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="folder for comparison.csv and comparison.md")
    args = parser.parse_args()

    net = cor.load_network()
    scenarios = load_scenarios(FLAGSHIP, net=net)
    table = compare(net, scenarios)
    print(comparison_text(table))

    ok = table[table["status"] == "ok"]
    best = ok[ok["rank"] == 1].pivot_table(
        index=["origin", "destination", "minimize"], columns="scenario", values="time_days"
    )
    print("\nTransit days of the best route, by scenario:")
    print(best.round(1).to_string())
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name in ("comparison.csv", "comparison.md"):
            write_comparison(table, out / name)
        print(f"\nwrote {out / 'comparison.csv'} and {out / 'comparison.md'}")


if __name__ == "__main__":
    main()
