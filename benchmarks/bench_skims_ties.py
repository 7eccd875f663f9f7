"""Ties in skims: how many pairs of a seeded bundled sample the CCH engine answers differently.

    python benchmarks/bench_skims_ties.py [--k 40] [--seed 18] [--route] [--out FILE.json]

On the bundled network (where round tariffs and road and rail along the same kilometres
make many routes tie exactly), ``k`` origins x ``k`` destinations drawn with a seeded
generator, per objective: the pairs whose ``route_matrix(..., engine="cch")`` row differs
from the csgraph engine's row in any column (objective, the four criteria, transfers,
simple), and with ``--route`` the simple csgraph rows that differ from ``route()`` (the
csgraph engine's rule; 0 expected). Also the CCH engine's time and the origins it left to
csgraph (``corridors.routes.skims_cch.STATS``, when the engine keeps it).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import corridors as cor
from corridors.errors import NoRouteError
from corridors.routes import skims_cch
from corridors.routes.skims import route_matrix

OBJECTIVES = ("cost_usd", "time_h", "distance_km", "generalized")
COLUMNS = ("objective", "distance_km", "time_h", "cost_usd", "generalized", "transfers")
ROUTE_ATTR = {"generalized": "generalized_usd"}


def differ(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Rows of two frames that differ in some column (NaN equal to NaN)."""
    out = np.zeros(len(a), dtype=bool)
    for c in COLUMNS:
        x = a[c].to_numpy(dtype=float, na_value=np.nan)
        y = b[c].to_numpy(dtype=float, na_value=np.nan)
        out |= ~((x == y) | (np.isnan(x) & np.isnan(y)))
    out |= a["simple"].to_numpy() != b["simple"].to_numpy()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=40)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--route", action="store_true", help="also compare with route()")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    net = cor.load_network()
    ids = np.asarray(sorted(net.places.index))
    rng = np.random.default_rng(args.seed)
    o = [str(x) for x in rng.choice(ids, size=args.k, replace=False)]
    d = [str(x) for x in rng.choice(ids, size=args.k, replace=False)]
    rows: list[dict[str, Any]] = []
    for objective in OBJECTIVES:
        cs = route_matrix(net, o, d, minimize=objective)
        route_matrix(net, o, d, minimize=objective, engine="cch")  # metric warm
        stats = getattr(skims_cch, "STATS", None)
        if stats is not None:
            stats.clear()
        t0 = time.perf_counter()
        cch = route_matrix(net, o, d, minimize=objective, engine="cch")
        secs = time.perf_counter() - t0
        row: dict[str, Any] = {
            "objective": objective,
            "pairs": len(cs),
            "found": int(cs["objective"].notna().sum()),
            "cch_differs": int(differ(cs, cch).sum()),
            "cch_s": round(secs, 3),
        }
        if stats is not None:
            row["stats"] = dict(stats)
        if args.route:
            bad = 0
            for r in cs.itertuples(index=False):
                if not r.simple:
                    continue
                try:
                    got = cor.route(net, r.origin, r.destination, minimize=objective)
                except NoRouteError:
                    bad += 1
                    continue
                want = [getattr(got, ROUTE_ATTR.get(c, c)) for c in COLUMNS[:-1]]
                want.append(len(got.transfers))
                have = [getattr(r, c) for c in COLUMNS]
                bad += want != have
            row["csgraph_simple_rows_not_route"] = bad
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.out is not None:
        args.out.write_text(json.dumps({"k": args.k, "seed": args.seed, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
