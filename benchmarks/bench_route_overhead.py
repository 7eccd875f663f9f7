"""Per-query overhead on the bundled network: a warm ``route()`` against csgraph on the same
expanded graph, where the rest of the time goes, and ``import corridors`` + ``load_network()``.

For each pair (far ones, by cost): the median of ``--repeat`` warm calls of
``csgraph.dijkstra`` from the origin on the prebuilt CSR matrix of the query's first search
(the baseline, as in ``run.py``), of ``route()``, and of its parts: ``make_query`` (kept per
argument set), the solver's ``solve`` (the query made ready once: masks, weights on the grid,
matrix; then the search and its simple-path checks), ``search`` as ``solve`` runs it (the
compiled Dijkstra on the kept matrix with ``min_only``, then the exact tie-breaking on the
tight edges, with the inputs the plan keeps for it),
``tie_s`` (that tie-breaking alone, given the distances), ``build_route`` (lazy: the legs are
not made) and making the legs on first access. Import + load is the median of ``--imports``
fresh interpreters: with the on-disk cache of the bundled network (the first run writes it),
without it (``load_network(cache=False)``), and the libraries alone.

    python benchmarks/bench_route_overhead.py [--repeat 300] [--imports 5] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from _timing import median_time
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine import search as engine_search
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import edge_csr, topology
from corridors.engine.weights import weights
from corridors.routes.build import build_route

PAIRS = (("karachi", "moscow"), ("gwadar_port", "almaty"), ("karachi", "tashkent"))

IMPORT_AND_LOAD = (
    "import time; t = time.perf_counter(); import corridors as cor; "
    "cor.load_network(); print(time.perf_counter() - t)"
)
IMPORT_AND_LOAD_UNCACHED = (
    "import time; t = time.perf_counter(); import corridors as cor; "
    "cor.load_network(cache=False); print(time.perf_counter() - t)"
)
# what a network needs in any case (its frames, geometries and file reader): the floor
IMPORT_DEPS = (
    "import time; t = time.perf_counter(); import numpy, pandas, geopandas, shapely, pyogrio; "
    "print(time.perf_counter() - t)"
)


def pair_figures(net: cor.Network, o: str, d: str, repeat: int) -> dict[str, Any]:
    """Medians (seconds) and ratios to csgraph for one pair."""
    q = make_query(net, o, d)
    topo = topology(net)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    m = solver.mask(q) & ~topo.entering(topo.place_index[q.origin])
    w = np.where(m, solver.objective(q), 0.0)
    s = int(topo.gate_of[topo.place_index[q.origin]])
    cor.route(net, o, d)  # warm: caches of the network, its topology and weights
    matrix = edge_csr(topo, w, m)
    found = solver.solve(q)
    assert found is not None
    res: dict[str, Any] = {"pair": f"{o} - {d}", "edges": len(found[1])}
    res["csgraph_s"] = median_time(lambda: csgraph.dijkstra(matrix, indices=s), repeat)
    res["route_s"] = median_time(lambda: cor.route(net, o, d), repeat)
    res["make_query_s"] = median_time(lambda: make_query(net, o, d), repeat)
    res["solve_s"] = median_time(
        lambda: _Solver(net, topology(net), weights(net, q.cargo), q).solve(q), repeat
    )
    prep = solver._prepared(q, frozenset(), False, True, True)
    (plan,) = prep.plans
    gw, gt, masks = prep.weight, prep.tie, plan.masks
    dist = csgraph.dijkstra(plan.matrix, indices=plan.source)
    kept = plan.tight  # what the walk back reads, kept with the plan by solve

    def run_search(d: np.ndarray | None) -> Any:
        if d is None:
            d = csgraph.dijkstra(plan.matrix, indices=plan.source, min_only=True)
        return engine_search.search(
            topo, gw, masks, plan.source, plan.target, dist=d, tie=gt, on_grid=True, kept=kept
        )

    res["search_s"] = median_time(lambda: run_search(None), repeat)
    res["tie_s"] = median_time(lambda: run_search(dist), repeat)
    res["build_route_s"] = median_time(lambda: build_route(solver, q, found), repeat)
    res["legs_s"] = median_time(lambda: build_route(solver, q, found).steps, repeat)
    for k in ("route", "search", "solve"):
        res[f"{k}_vs_csgraph"] = res[f"{k}_s"] / res["csgraph_s"]
    return res


def import_and_load(n: int) -> tuple[float, float, float]:
    """Median seconds of ``import corridors`` + ``load_network()`` (cached, then uncached),
    and of importing the libraries a network needs anyway (numpy, pandas, geopandas, shapely,
    pyogrio), in fresh interpreters, alternating."""
    ours, uncached, deps = [], [], []
    subprocess.run([sys.executable, "-c", IMPORT_AND_LOAD], check=True, capture_output=True)
    for _ in range(n):
        for code, times in (
            (IMPORT_AND_LOAD, ours),
            (IMPORT_AND_LOAD_UNCACHED, uncached),
            (IMPORT_DEPS, deps),
        ):
            out = subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            )
            times.append(float(out.stdout.strip()))
    return statistics.median(ours), statistics.median(uncached), statistics.median(deps)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=300)
    ap.add_argument("--imports", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    net = cor.load_network()
    rows = [pair_figures(net, o, d, args.repeat) for o, d in PAIRS]
    res = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "pairs": [
            {k: (round(v, 7) if isinstance(v, float) else v) for k, v in r.items()} for r in rows
        ],
    }
    ours, uncached, deps = import_and_load(args.imports)
    res["import_and_load_s"] = round(ours, 3)
    res["import_and_load_uncached_s"] = round(uncached, 3)
    res["import_dependencies_s"] = round(deps, 3)
    res["import_and_load_vs_dependencies"] = round(ours / deps, 2)
    print(json.dumps(res, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
