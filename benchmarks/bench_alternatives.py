"""``alternatives`` k=10: bounded branches against searching every branch, csgraph.yen and
networkx, in one run per input.

    python benchmarks/bench_alternatives.py [--sizes 10000 100000] [--k 10] [--repeat 3]
        [--networkx-limit 600] [--via] [--out benchmarks/results/alternatives.json]

Per input (the bundled network and the seeded ``continental-N`` of :mod:`synth`, far pair):

- ``bounded``: ``cor.alternatives(net, o, d, k=k)`` as shipped (median of ``--repeat``), with
  the searches it ran and the nodes its bounded A* searches expanded;
- ``exhaustive``: the same call with ``routes.routing._BOUNDED = False`` (every branch that
  reaches the top of the heap is searched, the method before the bounds; run once), and
  whether both return the same routes, bit for bit, in the same order;
- ``csgraph.yen``: scipy's k shortest simple paths on the expanded graph of the first search
  of ``route`` (same mask and weights, parallel edges collapsed), and whether its first
  distance equals the route's objective;
- ``networkx``: ``nx.shortest_simple_paths`` on the same graph, stopped after
  ``--networkx-limit`` seconds (then the paths it had found are reported).

With ``--via`` the k routes must pass the place a third of the way along the best route
(bounded against every branch only: yen and networkx take no via place).

Yen and networkx answer another question (k shortest *simple paths*, which on these graphs
differ by a transfer or a parallel road, not k materially different routes); they are the
baselines the issue names. Times are wall and CPU seconds (the machine is shared, so ratios
are of CPU time). Writes ``--out`` (JSON) and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import scipy
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine import bounds as engine_bounds
from corridors.engine.solver import _Solver
from corridors.engine.topology import edge_csr
from corridors.routes import routing

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402
from run import relaxed_inputs  # noqa: E402

HERE = Path(__file__).parent


class Counter:
    """Counts ``_Solver.solve`` calls and the nodes expanded by bounded searches."""

    def __init__(self) -> None:
        self.solves = 0
        self.bounds: list[engine_bounds.BranchBounds] = []
        self._solve = _Solver.solve
        self._init = engine_bounds.BranchBounds.__init__

    def __enter__(self) -> Counter:
        counter, solve, init = self, self._solve, self._init

        def counting_solve(s: _Solver, *a: Any, **kw: Any) -> Any:
            counter.solves += 1
            return solve(s, *a, **kw)

        def recording_init(b: engine_bounds.BranchBounds, *a: Any, **kw: Any) -> None:
            init(b, *a, **kw)
            counter.bounds.append(b)

        _Solver.solve = counting_solve  # type: ignore[method-assign]
        engine_bounds.BranchBounds.__init__ = recording_init  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: Any) -> None:
        _Solver.solve = self._solve  # type: ignore[method-assign]
        engine_bounds.BranchBounds.__init__ = self._init  # type: ignore[method-assign]


def answer(routes: list[cor.Route]) -> list[tuple[str, list[Any]]]:
    """Each route's exact objective and legs, to compare bit for bit."""
    return [
        (float(r.objective).hex(), [(x.kind, x.link_id, x.from_id, x.to_id) for x in r.steps])
        for r in routes
    ]


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def run_alternatives(
    net: cor.Network, o: str, d: str, k: int, flag: bool, **kw: Any
) -> dict[str, Any]:
    old = routing._BOUNDED
    routing._BOUNDED = flag
    try:
        with Counter() as c:
            t0, c0 = time.perf_counter(), time.process_time()
            routes = cor.alternatives(net, o, d, k=k, **kw)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        routing._BOUNDED = old
    return {
        "s": seconds,
        "cpu_s": cpu,
        "searches": c.solves,
        "astar_nodes": sum(b.nodes for b in c.bounds),
        "routes": len(routes),
        "answer": answer(routes),
    }


def bench(
    net: cor.Network, k: int, repeat: int, nx_limit: float, via: bool = False
) -> dict[str, Any]:
    o, d = ("karachi", "moscow") if net.name.startswith("pak") else synth.far_pair(net)
    res: dict[str, Any] = {"network": net.name, "links": len(net.links), "k": k}
    best = cor.route(net, o, d)  # warm: topology, weights, port areas, risk arrays
    kw: dict[str, Any] = {}
    if via:  # the place a third of the way along the best route
        kw["via"] = best.steps[len(best.steps) // 3].to_id
        res["via"] = kw["via"]
    first = run_alternatives(net, o, d, k, True, **kw)  # warm the bounds' caches too
    runs = [timed(lambda: cor.alternatives(net, o, d, k=k, **kw)) for _ in range(repeat)]
    res["bounded_s"] = statistics.median(wall for wall, _ in runs)
    res["bounded_cpu_s"] = statistics.median(cpu for _, cpu in runs)
    res["bounded_first_s"] = first["s"]  # includes the per-topology caches of the bounds
    res["bounded_searches"] = first["searches"]
    res["astar_nodes"] = first["astar_nodes"]
    res["routes"] = first["routes"]
    old = run_alternatives(net, o, d, k, False, **kw)
    res["exhaustive_s"] = old["s"]
    res["exhaustive_cpu_s"] = old["cpu_s"]
    res["exhaustive_searches"] = old["searches"]
    res["same_routes"] = old["answer"] == first["answer"]
    res["exhaustive_vs_bounded"] = res["exhaustive_cpu_s"] / res["bounded_cpu_s"]
    if via:  # yen and networkx have no via places
        return {key: (round(v, 4) if isinstance(v, float) else v) for key, v in res.items()}
    topo, m, w, s, t = relaxed_inputs(net, o, d)
    res["nodes"] = topo.n_nodes
    res["edges"] = topo.n_edges
    matrix = edge_csr(topo, w, m)
    t0, c0 = time.perf_counter(), time.process_time()
    dist = csgraph.yen(matrix, s, t, k, directed=True)
    res["yen_s"], res["yen_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    route_obj = cor.route(net, o, d).objective
    res["yen_first_equals_route"] = bool(
        len(dist) and abs(float(dist[0]) - route_obj) <= 1e-6 * max(1.0, route_obj)
    )
    g = nx.from_scipy_sparse_array(matrix, create_using=nx.DiGraph)
    t0, c0 = time.perf_counter(), time.process_time()
    found = 0
    for _ in nx.shortest_simple_paths(g, s, t, weight="weight"):
        found += 1
        if found >= k or time.perf_counter() - t0 > nx_limit:
            break
    res["networkx_s"], res["networkx_cpu_s"] = time.perf_counter() - t0, time.process_time() - c0
    res["networkx_paths"] = found
    # ratios of CPU time: the machine is shared, and wall times swing with its load
    for name in ("yen", "networkx"):
        res[f"{name}_vs_bounded"] = res[f"{name}_cpu_s"] / res["bounded_cpu_s"]
    return {key: (round(v, 4) if isinstance(v, float) else v) for key, v in res.items()}


def markdown(results: list[dict[str, Any]]) -> str:
    """Wall seconds (CPU seconds), searches; ratios of CPU time."""
    lines = [
        "| input | links | bounded: wall (CPU), searches | every branch: wall (CPU), searches "
        "| same routes | csgraph.yen: wall (CPU) | networkx: wall (CPU) | every branch / bounded "
        "| yen / bounded | networkx / bounded |",
        "|" + "---|" * 10,
    ]
    for r in results:
        if "yen_s" not in r:
            lines.append(
                f"| {r['network']} via {r['via']} | {r['links']:,} | {r['bounded_s']:.2f} s "
                f"({r['bounded_cpu_s']:.2f} s), {r['bounded_searches']} | "
                f"{r['exhaustive_s']:.2f} s ({r['exhaustive_cpu_s']:.2f} s), "
                f"{r['exhaustive_searches']} | {'yes' if r['same_routes'] else 'NO'} | - | - | "
                f"{r['exhaustive_vs_bounded']:.1f} | - | - |"
            )
            continue
        partial = r["networkx_paths"] < r["k"]
        nx_cell = f"{r['networkx_s']:.2f} s ({r['networkx_cpu_s']:.2f} s)"
        if partial:
            nx_cell = (
                f"> {r['networkx_s']:.0f} s ({r['networkx_cpu_s']:.0f} s): "
                f"{r['networkx_paths']} of {r['k']} paths"
            )
        lines.append(
            f"| {r['network']} | {r['links']:,} | {r['bounded_s']:.2f} s "
            f"({r['bounded_cpu_s']:.2f} s), {r['bounded_searches']} | {r['exhaustive_s']:.2f} s "
            f"({r['exhaustive_cpu_s']:.2f} s), {r['exhaustive_searches']} | "
            f"{'yes' if r['same_routes'] else 'NO'} | "
            f"{r['yen_s']:.2f} s ({r['yen_cpu_s']:.2f} s) | {nx_cell} | "
            f"{r['exhaustive_vs_bounded']:.1f} | {r['yen_vs_bounded']:.1f} | "
            f"{'>' if partial else ''}{r['networkx_vs_bounded']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--networkx-limit", type=float, default=600.0)
    parser.add_argument("--no-bundled", action="store_true")
    parser.add_argument(
        "--via", action="store_true", help="k routes through a place a third along the best"
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "alternatives.json")
    args = parser.parse_args(argv)
    nets = [] if args.no_bundled else [cor.load_network]
    nets += [lambda n=n: synth.continental(n) for n in args.sizes]
    results = []
    for make in nets:
        results.append(bench(make(), args.k, args.repeat, args.networkx_limit, args.via))
        print(json.dumps(results[-1]), flush=True)
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "versions": {
            "python": sys.version.split()[0],
            "corridors": cor.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "networkx": nx.__version__,
        },
        "repeat": args.repeat,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2))
    print(markdown(results))
    return record


if __name__ == "__main__":
    main()
