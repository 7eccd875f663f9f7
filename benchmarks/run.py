"""The benchmark suite: corridors against baselines on the same expanded graph, same run.

    python benchmarks/run.py [--large] [--scgraph] [--repeat 3]

Inputs (seeded): the bundled network, ``continental-10000`` and ``continental-100000``
(:mod:`synth`), ``continental-1000000`` with ``--large``, and the world railways of the
``scgraph-data`` package with ``--scgraph`` (if installed). Per input: build of the network's
topology + weights (time and tracemalloc peak), ``route`` for one far pair, skims (10 x 10)
with :func:`corridors.skims.route_matrix`, ``alternatives`` k=10 (up to 10^5 links; against
csgraph.yen and networkx in ``bench_alternatives.py``), ``pareto`` (bundled), ``simulate``
(bundled). Baselines, on the same expanded graph, mask and weights:
``scipy.sparse.csgraph.dijkstra`` on the prebuilt CSR matrix (one source, all nodes),
networkx Dijkstra (single pair; single source for skims), igraph if installed. Writes
``results/latest.json`` and ``results/latest.md`` (machine, versions, medians, ratios).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import scipy
import shapely
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine import search as engine_search
from corridors.engine import topology as graph
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import edge_csr, topology
from corridors.engine.weights import weights
from corridors.routes.skims import route_matrix

sys.path.insert(0, str(Path(__file__).parent))
import bench_build  # noqa: E402
import synth  # noqa: E402
from _timing import median_time  # noqa: E402

HERE = Path(__file__).parent


def build_cost(make: Callable[[], cor.Network]) -> tuple[cor.Network, dict[str, float]]:
    """The build of a network, phase by phase (network, topology, weights): wall and CPU
    time, peak RSS per phase and tracemalloc peak per phase (:func:`bench_build.measure`);
    ``peak_mib`` is the largest traced peak."""
    net, figures = bench_build.measure(make)
    return net, {**figures, "peak_mib": figures["traced_peak_mib"]}


def relaxed_inputs(
    net: cor.Network, o: str, d: str
) -> tuple[Any, np.ndarray, np.ndarray, int, int]:
    """The first search of route(): mask, weights, source and target."""
    q = make_query(net, o, d)
    topo = topology(net)
    s = _Solver(net, topo, weights(net, q.cargo), q)
    m = s.mask(q) & ~topo.entering(topo.place_index[q.origin])
    w = np.where(m, s.objective(q), 0.0)
    return (
        topo,
        m,
        w,
        int(topo.gate_of[topo.place_index[q.origin]]),
        int(topo.gate_of[topo.place_index[q.destination]]),
    )


def route_search(net: cor.Network, o: str, d: str) -> Any:
    """The search of route() as its solver runs it, as a function of nothing: the compiled
    Dijkstra on the query's kept matrix, then the exact tie-break on the tight edges."""
    q = make_query(net, o, d)
    topo = topology(net)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    solver.solve(q)  # makes the query's plan and matrix
    prep = solver._prepared(q, frozenset(), False, True, True)
    (plan,) = prep.plans

    def run() -> Any:
        dist = csgraph.dijkstra(plan.matrix, indices=plan.source, min_only=True)
        return engine_search.search(
            topo,
            prep.weight,
            plan.masks,
            plan.source,
            plan.target,
            dist=dist,
            tie=prep.tie,
            on_grid=True,
        )

    return run


def to_networkx(topo: graph.Topology, w: np.ndarray, m: np.ndarray) -> nx.DiGraph:
    e = np.flatnonzero(m)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(topo.n_nodes))
    g.add_weighted_edges_from(zip(topo.src[e].tolist(), topo.dst[e].tolist(), w[e].tolist()))
    return g


def bench(
    net: cor.Network,
    build: dict[str, float],
    repeat: int,
    *,
    extras: bool,
    baselines_nx: bool = True,
    alternatives: bool | None = None,
) -> dict[str, Any]:
    o, d = synth.far_pair(net) if not net.name.startswith("pak") else ("karachi", "moscow")
    if net.name.startswith("scgraph"):
        o, d = far_pair_connected(net)
    topo, m, w, s, t = relaxed_inputs(net, o, d)
    res: dict[str, Any] = {
        "network": net.name,
        "places": len(net.places),
        "links": len(net.links),
        "nodes": topo.n_nodes,
        "edges": topo.n_edges,
        **{k: round(v, 3) for k, v in build.items()},
    }
    cor.route(net, o, d)  # warm: port areas, risk arrays, mask cache
    t0 = time.perf_counter()
    matrix = edge_csr(topo, w, m)
    res["csr_build_s"] = time.perf_counter() - t0
    res["route_s"] = median_time(lambda: cor.route(net, o, d), repeat)
    res.update(cch_point_queries(net, o, d, repeat))
    res["search_s"] = median_time(route_search(net, o, d), repeat)
    res["csgraph_s"] = median_time(lambda: csgraph.dijkstra(matrix, indices=s), repeat)
    route_obj = cor.route(net, o, d).objective
    cs = float(csgraph.dijkstra(matrix, indices=s)[t])
    res["same_answer"] = bool(abs(route_obj - cs) <= 1e-9 * max(1.0, cs))
    if baselines_nx:
        g = to_networkx(topo, w, m)
        res["networkx_s"] = median_time(
            lambda: nx.dijkstra_path_length(g, s, t, weight="weight"), repeat
        )
    try:
        import igraph as ig

        e = np.flatnonzero(m)
        gi = ig.Graph(
            n=topo.n_nodes, edges=np.column_stack([topo.src[e], topo.dst[e]]), directed=True
        )
        wi = w[e].tolist()
        res["igraph_s"] = median_time(lambda: gi.distances(s, t, weights=wi), repeat)
    except ImportError:
        pass
    # skims: 10 x 10 places spread over the network
    rng = np.random.default_rng(5)
    ids = np.asarray(net.places.index)
    pick = [str(x) for x in rng.choice(ids, size=min(20, len(ids)), replace=False)]
    origins, dests = pick[:10], pick[10:]
    route_matrix(net, origins[:1], dests)  # warm
    res["skims_10x10_s"] = median_time(
        lambda: route_matrix(net, origins, dests), max(1, repeat // 2)
    )
    gates = [int(topo.gate_of[topo.place_index[p]]) for p in origins]
    # the skims' graph: the query's rules, loading at the origins, no unloading
    q = make_query(net, o, d)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    shared = solver._shared_mask(q, extra_avoid=frozenset(), any_status=False, cargo_limits=True)
    et = topo.etype
    gm = shared & (et != graph.UNLOAD) & ((et != graph.LOAD) | np.isin(topo.src, gates))
    wsk = np.where(shared, solver.objective(q), 0.0)
    matrix = edge_csr(topo, wsk, gm)
    if baselines_nx:
        g = to_networkx(topo, wsk, gm)
    res["skims_csgraph_s"] = median_time(
        lambda: csgraph.dijkstra(matrix, indices=gates), max(1, repeat // 2)
    )
    if baselines_nx:
        res["skims_networkx_s"] = median_time(
            lambda: [nx.single_source_dijkstra_path_length(g, x, weight="weight") for x in gates], 1
        )
    if extras if alternatives is None else alternatives:
        res["alternatives_k10_s"] = median_time(lambda: cor.alternatives(net, o, d, k=10), 1)
    if extras and net.name.startswith("pak"):
        res["pareto_s"] = median_time(lambda: cor.pareto(net, o, d), 1)
        if hasattr(cor, "simulate"):
            r = cor.route(net, o, d)
            res["simulate_10k_s"] = median_time(
                lambda: cor.simulate(r, runs=10_000, seed=1), repeat
            )
    res["route_vs_csgraph"] = res["route_s"] / res["csgraph_s"]
    res["route_cch_vs_csgraph"] = res["route_cch_s"] / res["csgraph_s"]
    if net.name.startswith("scgraph"):
        res.update(scgraph_baseline(o, d, repeat))
        for k in ("route", "route_cch", "csgraph"):
            res[f"{k}_vs_scgraph"] = res[f"{k}_s"] / res["scgraph_s"]
    res["search_vs_csgraph"] = res["search_s"] / res["csgraph_s"]
    if "networkx_s" in res:
        res["networkx_vs_route"] = res["networkx_s"] / res["route_s"]
        res["skims_networkx_vs_ours"] = res["skims_networkx_s"] / res["skims_10x10_s"]
    res["skims_vs_csgraph"] = res["skims_10x10_s"] / res["skims_csgraph_s"]
    if "igraph_s" in res:
        res["route_vs_igraph"] = res["route_s"] / res["igraph_s"]
    return {k: (round(v, 5) if isinstance(v, float) else v) for k, v in res.items()}


def cch_point_queries(net: cor.Network, o: str, d: str, repeat: int) -> dict[str, Any]:
    """``route(engine="cch")`` on the far pair: its first call (the CCH structure from the
    disk cache or ordered, and the metric customized), then warm; whether the metric
    answered (not the exact search) and whether the answer is the csgraph engine's."""
    from corridors.engine import cch_route

    t0 = time.perf_counter()
    first = cor.route(net, o, d, engine="cch")
    out: dict[str, Any] = {"route_cch_first_s": time.perf_counter() - t0}
    before = cch_route.STATS["cch"]
    out["route_cch_s"] = median_time(lambda: cor.route(net, o, d, engine="cch"), repeat)
    out["route_cch_answered"] = cch_route.STATS["cch"] > before
    # the hierarchy's own query on the route's metric, between the first and the last
    # node of the route (the metric has no loading or unloading edges): the distance alone,
    # and every edge of every least-weight path (what route's tie rule then ranks)
    q = make_query(net, o, d)
    solver = _Solver(net, graph.topology(net), weights(net, q.cargo), q, "cch")
    found = solver.solve(q)
    metric = cch_route._route_metric(solver, q, None).metric
    if found is not None:
        topo = solver.topo
        a, b = int(topo.dst[found[1][0]]), int(topo.src[found[1][-1]])
        out["cch_distance_s"] = median_time(lambda: metric.query(a, b, path=False), repeat)
        out["cch_subgraph_s"] = median_time(
            lambda: cch_route.shortest_subgraph(
                metric, np.array([a]), np.zeros(1), np.array([b]), np.zeros(1)
            ),
            repeat,
        )
    exact = cor.route(net, o, d)
    out["route_cch_same"] = bool(
        exact.objective == first.objective
        and [x.link_id for x in exact.steps] == [x.link_id for x in first.steps]
    )
    return out


def scgraph_baseline(o: str, d: str, repeat: int) -> dict[str, Any]:
    """scgraph's C++ Dijkstra (``scgraph.cpp.Graph.dijkstra``) on its own node graph of the
    world railways, between the same two stations, and its length in km."""
    import scgraph.cpp

    adj, _ = _scgraph_data()
    g = scgraph.cpp.Graph(adj)
    a, b = int(o[1:]), int(d[1:])
    return {
        "scgraph_s": median_time(lambda: g.dijkstra(a, b), repeat),
        "scgraph_km": round(float(g.dijkstra(a, b)["length"]), 3),
    }


_SCGRAPH: list[tuple[list[dict[int, float]], list[list[float]]]] = []


def _scgraph_data() -> tuple[list[dict[int, float]], list[list[float]]]:
    """The adjacency and node coordinates of scgraph-data's world railways (parsed once)."""
    if not _SCGRAPH:
        import scgraph_data

        path = Path(scgraph_data.__file__).parent / "world_railways.py"
        graph_adj: list[dict[int, float]] = []
        nodes: list[list[float]] = []
        for line in path.read_text().splitlines():
            if line.startswith("graph="):
                graph_adj = ast.literal_eval(line[len("graph=") :])
            elif line.startswith("nodes="):
                nodes = ast.literal_eval(line[len("nodes=") :])
        _SCGRAPH.append((graph_adj, nodes))
    return _SCGRAPH[0]


def far_pair_connected(net: cor.Network) -> tuple[str, str]:
    """The westmost and eastmost places of the largest connected set of places."""
    from scipy import sparse

    idx = {p: i for i, p in enumerate(net.places.index)}
    a = np.array([idx[p] for p in net.links["from_id"]])
    b = np.array([idx[p] for p in net.links["to_id"]])
    adj = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(len(idx), len(idx)))
    _, label = csgraph.connected_components(adj, directed=False)
    big = label == np.bincount(label).argmax()
    x = net.places.geometry.x.to_numpy()
    ids = np.asarray(net.places.index)
    return str(ids[big][np.argmin(x[big])]), str(ids[big][np.argmax(x[big])])


def scgraph_railways() -> cor.Network | None:
    """The world railways of scgraph-data, converted through the public API (its loader
    imports ``scgraph.core``, gone in scgraph 3, so the data file is parsed directly)."""
    try:
        graph_adj, nodes = _scgraph_data()
    except ImportError:
        return None
    lat = np.array([p[0] for p in nodes])
    lon = np.array([p[1] for p in nodes])
    a, b, km = [], [], []
    for i, nb in enumerate(graph_adj):
        for j, dist in nb.items():
            if i < j:
                a.append(i)
                b.append(j)
                km.append(max(float(dist), 0.001))
    fa, ta = np.array(a), np.array(b)
    used = np.unique(np.concatenate([fa, ta]))
    ids = np.char.add("n", np.arange(len(nodes)).astype(str))
    places = gpd.GeoDataFrame(
        {
            "id": ids[used],
            "name": ids[used],
            "country": "WLD",
            "kind": "rail_station",
            "source": "scgraph-data",
        },
        geometry=shapely.points(lon[used], lat[used]),
        crs=4326,
    )
    coords = np.stack(
        [np.column_stack([lon[fa], lat[fa]]), np.column_stack([lon[ta], lat[ta]])], axis=1
    )
    links = gpd.GeoDataFrame(
        {
            "id": np.char.add("r", np.arange(len(fa)).astype(str)),
            "from_id": ids[fa],
            "to_id": ids[ta],
            "mode": "rail",
            "kind": "line",
            "gauge_mm": "1435",
            "distance_km": km,
            "status": "operational",
            "source": "scgraph-data",
        },
        geometry=shapely.linestrings(coords),
        crs=4326,
    )
    tariffs = pd.DataFrame(
        [
            {
                "mode": "rail",
                "country": "*",
                "usd_per_teu_km": 0.15,
                "usd_per_feu_km": 0.24,
                "usd_per_tonne_km": 0.0075,
                "source": "s",
            }
        ]
    )
    speeds = pd.DataFrame([{"mode": "rail", "country": "*", "speed_kmh": 35, "source": "s"}])
    ops = pd.DataFrame(
        [
            {
                "place_id": "*",
                "from_service": "rail",
                "to_service": "terminal",
                "kind": "terminal",
                "time_median_h": 4,
                "cost_usd_20ft": 30,
                "cost_usd_40ft": 40,
                "cost_usd_per_tonne": 1.5,
                "source": "s",
            }
        ]
    )
    return cor.Network.from_geodataframes(
        places,
        links,
        tariffs=tariffs,
        speeds=speeds,
        operations=ops,
        origin="scgraph-world-railways",
    )


def _build_row(net: cor.Network, build: dict[str, Any]) -> dict[str, Any]:
    row = {"network": net.name, "places": len(net.places), "links": len(net.links), **build}
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}


def markdown(record: dict[str, Any]) -> str:
    head = (
        "| input | links | expanded edges | network + topology + weights build | peak MiB | route "
        "| search / csgraph | route / csgraph | networkx / route | route / igraph | skims 10x10 "
        "| networkx / skims | skims / csgraph | alternatives k=10 | pareto |"
    )
    lines = [head, "|" + "---|" * 15]

    def f(r: dict[str, Any], k: str, fmt: str = "{:.2f}") -> str:
        return fmt.format(r[k]) if k in r else "-"

    def ms(r: dict[str, Any], k: str) -> str:
        return f"{r[k] * 1000:,.1f} ms" if k in r else "-"

    for r in record["results"]:
        lines.append(
            f"| {r['network']} | {r['links']:,} | {r['edges']:,} | "
            f"{r['build_s']:.2f} s ({r['network_s']:.2f} + {r['topology_s']:.2f} + "
            f"{r['weights_s']:.2f}) | {r['peak_mib']:,.0f} | {ms(r, 'route_s')} | "
            f"{f(r, 'search_vs_csgraph')} | {f(r, 'route_vs_csgraph')} | {f(r, 'networkx_vs_route')} | "
            f"{f(r, 'route_vs_igraph')} | {ms(r, 'skims_10x10_s')} | "
            f"{f(r, 'skims_networkx_vs_ours')} | {f(r, 'skims_vs_csgraph')} | "
            f"{ms(r, 'alternatives_k10_s')} | {ms(r, 'pareto_s')} |"
        )
    return "\n".join(lines)


def point_markdown(record: dict[str, Any]) -> str:
    """The point-query table (issue 18): route on each engine against csgraph's one-to-all
    on the same expanded graph and, for the world railways, scgraph's C++ Dijkstra on its
    own node graph, all in one run."""
    head = (
        "| input | route (csgraph) | route (cch, warm metric) | csgraph one-to-all | scgraph "
        "Dijkstra | route / csgraph | route cch / csgraph | route / scgraph | route cch / "
        "scgraph | cch first call | cch answered, same route | CCH distance query | CCH "
        "every shortest path |"
    )
    lines = [head, "|" + "---|" * 13]

    def f(r: dict[str, Any], k: str) -> str:
        return f"{r[k]:.2f}" if k in r else "-"

    def ms(r: dict[str, Any], k: str) -> str:
        return f"{r[k] * 1000:,.1f} ms" if k in r else "-"

    for r in record["results"]:
        if "route_cch_s" not in r:
            continue
        same = f"{r['route_cch_answered']}, {r['route_cch_same']}"
        lines.append(
            f"| {r['network']} | {ms(r, 'route_s')} | {ms(r, 'route_cch_s')} | "
            f"{ms(r, 'csgraph_s')} | {ms(r, 'scgraph_s')} | {f(r, 'route_vs_csgraph')} | "
            f"{f(r, 'route_cch_vs_csgraph')} | {f(r, 'route_vs_scgraph')} | "
            f"{f(r, 'route_cch_vs_scgraph')} | {r['route_cch_first_s']:.2f} s | {same} | "
            f"{ms(r, 'cch_distance_s')} | {ms(r, 'cch_subgraph_s')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--large", action="store_true", help="add the 10^6-link network")
    parser.add_argument("--scgraph", action="store_true", help="add scgraph-data railways")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--only", nargs="*", default=None, help="inputs to run by name (pak-russia, continental-N)"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="measure the build of each input, no queries"
    )
    parser.add_argument(
        "--overhead",
        action="store_true",
        help="add bench_route_overhead.py: bundled warm route and import + load (issue 18)",
    )
    parser.add_argument(
        "--sweep",
        type=int,
        metavar="N",
        default=0,
        help="add bench_sweep.py: N scenarios serial against a 2-process Dask cluster",
    )
    args = parser.parse_args(argv)
    sizes = list(args.sizes) + ([1_000_000] if args.large else [])
    results = []

    def wanted(name: str) -> bool:
        return args.only is None or name in args.only

    if wanted("pak-russia"):
        net, build = build_cost(cor.load_network)
        if args.build_only:
            results.append(_build_row(net, build))
        else:
            results.append(bench(net, build, args.repeat, extras=True))
        print(json.dumps(results[-1]), flush=True)
    for n in [n for n in sizes if wanted(f"continental-{n}")]:
        frames = synth.continental_frames(n)
        net, build = build_cost(lambda frames=frames: cor.Network.from_geodataframes(**frames))
        del frames
        if args.build_only:
            results.append(_build_row(net, build))
            print(json.dumps(results[-1]), flush=True)
            continue
        results.append(
            bench(
                net,
                build,
                args.repeat,
                extras=n <= 10_000,
                baselines_nx=n <= 100_000,
                alternatives=n <= 100_000,
            )
        )
        print(json.dumps(results[-1]), flush=True)
    if args.scgraph and wanted("scgraph-world-railways"):
        rail = scgraph_railways()
        if rail is not None:
            net, build = build_cost(lambda: rail)
            results.append(bench(net, build, args.repeat, extras=False))
            print(json.dumps(results[-1]), flush=True)
    versions = {
        "python": sys.version.split()[0],
        "corridors": cor.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": nx.__version__,
        "pandas": pd.__version__,
    }
    try:
        import igraph

        versions["igraph"] = igraph.__version__
    except ImportError:
        pass
    extra: dict[str, Any] = {}
    if args.overhead:
        import bench_route_overhead

        extra["route_overhead"] = bench_route_overhead.main(["--repeat", str(args.repeat * 60)])
    if args.sweep:
        import bench_sweep

        extra["sweep"] = bench_sweep.main(["--scenarios", str(args.sweep), "--workers", "2"])
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
        "repeat": args.repeat,
        "results": results,
        **extra,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    if args.build_only:
        table = bench_build.markdown(results)
        (args.out / "build.json").write_text(json.dumps(record, indent=2))
        (args.out / "build.md").write_text(table + "\n")
        print(table)
        return record
    (args.out / "latest.json").write_text(json.dumps(record, indent=2))
    (args.out / "latest.md").write_text(
        markdown(record)
        + "\n\n"
        + point_markdown(record)
        + "\n\n"
        + bench_build.markdown(results)
        + "\n"
    )
    print(markdown(record))
    print(point_markdown(record))
    print(bench_build.markdown(results))
    return record


if __name__ == "__main__":
    main()
