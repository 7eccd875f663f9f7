"""Customizable contraction hierarchies (corridors.engine.cch) against csgraph, same run, same graph.

    python benchmarks/bench_cch.py [--sizes 10000 100000] [--repeat 3] [--cache DIR]

Per input (the bundled network; ``continental-N`` from :mod:`synth`, seeded), on the expanded
graph, mask and on-grid weights of ``route``'s first search (``run.relaxed_inputs``):

* build, paid once per topology: RoutingKit's inertial-flow order (``routingkit-cch``), our
  contraction (chordal fill, triangles), the write and the reload of the on-disk cache; and,
  for reference, RoutingKit's own C++ CCH (``routingkit_cch.CCH``) with its 32-bit metric
  (weights rounded to integers: *not* the engine's answers, only what native code costs);
* one query: csgraph one-to-all on the prebuilt matrix (baseline) against our
  customization, distance query, query with path, PHAST one-to-all, and the engine's
  tie-breaking ``engine_search.search`` with csgraph's ``dist`` against the CCH's (same path checked);
* skims 100 x 100 (a skim graph: the query's rules, loading at the 100 origins' gates,
  unloading at the 100 destinations'): csgraph from 100 sources against customization +
  :meth:`Metric.matrix` (answers checked equal);
* route on one metric per scenario: :func:`split_gates` makes the terminal rules
  structural, so one customization serves every pair; 30 random pairs, csgraph on each
  pair's own mask (matrix build + one-to-all, as ``engine_search.search``) against one CCH query
  each, and how many distances are equal;
* "avoid a country" (the country that the far route crosses most): csgraph rebuilds the
  matrix and searches again; the CCH forks the metric (``Metric.copy``), re-customizes only
  the arcs that depend on the removed edges (``Metric.update``) and queries (a full
  customization + query is recorded too); then, as a criticality sweep does, the k x k
  skims of that scenario (csgraph from k sources on the rebuilt matrix against the partial
  re-customization of the skim metric + matrix).

Writes ``results/cch.json`` and ``results/cch.md``; every speed is also a ratio against
csgraph measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy.sparse import csgraph

import corridors as cor
from corridors.engine import search as engine_search
from corridors.engine import topology as graph
from corridors.engine.cch import CCH
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import edge_csr, on_grid
from corridors.engine.weights import weights

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402
from _timing import median_time  # noqa: E402
from run import relaxed_inputs  # noqa: E402

HERE = Path(__file__).parent


def timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench(net: cor.Network, repeat: int, cache: Path, n_skim: int = 100) -> dict[str, Any]:
    o, d = synth.far_pair(net) if not net.name.startswith("pak") else ("karachi", "moscow")
    topo, m, w, s, t = relaxed_inputs(net, o, d)
    w = on_grid(w)
    pts = net.places.geometry
    lat = pts.y.to_numpy()[topo.node_place]
    lon = pts.x.to_numpy()[topo.node_place]
    res: dict[str, Any] = {
        "network": net.name,
        "links": len(net.links),
        "nodes": topo.n_nodes,
        "edges": topo.n_edges,
    }
    # --- build (once per topology), cached on disk
    for f in cache.glob("cch-*.npz"):
        f.unlink()
    res["build_s"], cch = timed(
        lambda: CCH.build(
            topo.n_nodes, topo.src, topo.dst, latitude=lat, longitude=lon, cache_dir=cache
        )
    )
    res["order_s"] = cch.timings["order_s"]
    res["contract_s"] = cch.timings["contract_s"]
    res["cache_write_s"] = res["build_s"] - res["order_s"] - res["contract_s"]
    res["cache_mib"] = sum(f.stat().st_size for f in cache.glob("cch-*.npz")) / 2**20
    res["cache_load_s"] = median_time(
        lambda: CCH.build(
            topo.n_nodes, topo.src, topo.dst, latitude=lat, longitude=lon, cache_dir=cache
        ),
        repeat,
    )
    res["arcs"], res["triangles"] = cch.n_arcs, cch.n_triangles
    res["height"] = int(cch.height.max())
    # --- one query
    matrix = edge_csr(topo, w, m)
    res["csgraph_s"] = median_time(lambda: csgraph.dijkstra(matrix, indices=s), repeat)
    ref = csgraph.dijkstra(matrix, indices=s)
    wm = np.where(m, w, np.inf)
    res["customize_s"] = median_time(lambda: cch.customize(wm), repeat)
    metric = cch.customize(wm)
    res["cch_distance_s"] = median_time(lambda: metric.distance(s, t), repeat)
    res["cch_query_path_s"] = median_time(lambda: metric.query(s, t), repeat)
    res["cch_one_to_all_s"] = median_time(lambda: metric.one_to_all(s), repeat)
    d_cch, path = metric.query(s, t)
    res["same_distance"] = bool(d_cch == ref[t] and metric.distance(s, t) == ref[t])
    res["same_one_to_all"] = bool(np.array_equal(metric.one_to_all(s), ref))
    res["search_csgraph_s"] = median_time(lambda: engine_search.search(topo, w, [m], s, t), repeat)
    res["search_cch_s"] = median_time(
        lambda: engine_search.search(topo, w, [m], s, t, dist=metric.one_to_all(s)), repeat
    )
    res["same_path"] = engine_search.search(topo, w, [m], s, t) == engine_search.search(
        topo, w, [m], s, t, dist=metric.one_to_all(s)
    )
    # --- RoutingKit's own C++ CCH (32-bit integer metric: reference only)
    try:
        import routingkit_cch as rk

        order_l = cch.order.tolist()
        tl, hl = topo.src.tolist(), topo.dst.tolist()
        res["rk_cch_build_s"], rk_cch = timed(lambda: rk.CCH(order_l, tl, hl, False))
        wi = np.where(m, np.minimum(np.round(w), 2**30), 2**31 - 1).astype(np.int64).tolist()
        res["rk_customize_s"], rk_metric = timed(lambda: rk.CCHMetric(rk_cch, wi))
        qobj = rk.CCHQuery(rk_metric)
        res["rk_query_s"] = median_time(lambda: qobj.run(s, t).distance, repeat)
    except ImportError:
        pass
    # --- skims 100 x 100
    rng = np.random.default_rng(5)
    n_places = len(topo.place_ids)
    k = min(n_skim, n_places // 2)
    pick = rng.choice(n_places, size=2 * k, replace=False)
    src_g, dst_g = topo.gate_of[pick[:k]], topo.gate_of[pick[k:]]
    q = make_query(net, o, d)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    shared = solver._shared_mask(q, extra_avoid=frozenset(), any_status=False, cargo_limits=True)
    et = topo.etype
    gm = (
        shared
        & ((et != graph.LOAD) | np.isin(topo.src, src_g))
        & ((et != graph.UNLOAD) | np.isin(topo.dst, dst_g))
    )
    wsk = on_grid(np.where(gm, solver.objective(q), 0.0))
    sk_matrix = edge_csr(topo, wsk, gm)
    res["skims_k"] = k
    reps = max(1, repeat // 2)
    res["skims_csgraph_s"] = median_time(
        lambda: csgraph.dijkstra(sk_matrix, indices=src_g)[:, dst_g], reps
    )
    wsk_inf = np.where(gm, wsk, np.inf)
    res["skims_cch_s"] = median_time(lambda: cch.customize(wsk_inf).matrix(src_g, dst_g), reps)
    sk_metric = cch.customize(wsk_inf)
    res["skims_matrix_only_s"] = median_time(lambda: sk_metric.matrix(src_g, dst_g), reps)
    res["skims_same"] = bool(
        np.array_equal(
            sk_metric.matrix(src_g, dst_g), csgraph.dijkstra(sk_matrix, indices=src_g)[:, dst_g]
        )
    )
    # --- avoid a country: the one the far route crosses most, not its ends
    _, edges = engine_search.search(topo, w, [m], s, t) or (0.0, [])
    ends = {topo.place_country[topo.node_place[s]], topo.place_country[topo.node_place[t]]}
    seen = [topo.place_country[p] for p in topo.node_place[topo.dst[edges]].tolist()]
    cands = [c for c in dict.fromkeys(seen) if c not in ends]
    if cands:
        country = max(cands, key=seen.count)
        places = [i for i, c in enumerate(topo.place_country) if c == country]
        m2 = m & ~topo.edges_touching_places(places)
        res["avoid_country"] = country

        def cs_avoid() -> float:
            return float(csgraph.dijkstra(edge_csr(topo, w, m2), indices=s)[t])

        w2 = np.where(m2, w, np.inf)

        def cch_avoid() -> float:  # fork the scenario's metric, remove the edges, query
            fork = metric.copy()
            fork.update(w2)
            return fork.distance(s, t)

        def cch_avoid_full() -> float:
            return cch.customize(w2).distance(s, t)

        fork = metric.copy()
        res["avoid_arcs_recomputed"] = fork.update(w2)
        res["avoid_cch_full_s"] = median_time(cch_avoid_full, repeat)
        res["avoid_csgraph_s"] = median_time(cs_avoid, repeat)
        res["avoid_cch_s"] = median_time(cch_avoid, repeat)
        res["avoid_same"] = bool(cs_avoid() == cch_avoid() == cch_avoid_full())
        # the sweep's case: the same scenario, then a k x k skim on it
        gm2 = gm & ~topo.edges_touching_places(places)
        wsk2 = np.where(gm2, wsk, np.inf)

        def cs_avoid_skims() -> np.ndarray:
            return csgraph.dijkstra(edge_csr(topo, wsk, gm2), indices=src_g)[:, dst_g]

        def cch_avoid_skims() -> np.ndarray:
            fork = sk_metric.copy()
            fork.update(wsk2)
            return fork.matrix(src_g, dst_g)

        res["avoid_skims_csgraph_s"] = median_time(cs_avoid_skims, reps)
        res["avoid_skims_cch_s"] = median_time(cch_avoid_skims, reps)
        res["avoid_skims_same"] = bool(np.array_equal(cs_avoid_skims(), cch_avoid_skims()))
        res["avoid_skims_vs_csgraph"] = res["avoid_skims_csgraph_s"] / res["avoid_skims_cch_s"]
    res.update(shared_metric(net, topo, lat, lon, cache, repeat))
    res["query_vs_csgraph"] = res["csgraph_s"] / res["cch_distance_s"]
    res["query_path_vs_csgraph"] = res["csgraph_s"] / res["cch_query_path_s"]
    res["customize_plus_query_vs_csgraph"] = res["csgraph_s"] / (
        res["customize_s"] + res["cch_distance_s"]
    )
    res["one_to_all_vs_csgraph"] = res["csgraph_s"] / res["cch_one_to_all_s"]
    res["search_cch_vs_csgraph"] = res["search_csgraph_s"] / res["search_cch_s"]
    res["skims_vs_csgraph"] = res["skims_csgraph_s"] / res["skims_cch_s"]
    res["skims_matrix_vs_csgraph"] = res["skims_csgraph_s"] / res["skims_matrix_only_s"]
    if "avoid_cch_s" in res:
        res["avoid_vs_csgraph"] = res["avoid_csgraph_s"] / res["avoid_cch_s"]
    if "rk_query_s" in res:
        res["rk_query_vs_csgraph"] = res["csgraph_s"] / res["rk_query_s"]
    return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in res.items()}


def split_gates(topo: graph.Topology) -> tuple[int, np.ndarray, np.ndarray]:
    """The expanded graph with every gate split in two: LOAD edges leave the gate, UNLOAD
    edges enter a copy of it (node ``n_nodes + place``). No path can pass through a gate,
    so the per-query terminal rules (loading only at the origin, unloading only at the
    destination) are no longer mask changes: one metric serves every pair. Edge indices are
    unchanged."""
    heads = topo.dst.copy()
    un = topo.etype == graph.UNLOAD
    heads[un] = topo.n_nodes + topo.node_place[topo.dst[un]]
    return topo.n_nodes + len(topo.place_ids), topo.src, heads


def shared_metric(
    net: cor.Network,
    topo: graph.Topology,
    lat: np.ndarray,
    lon: np.ndarray,
    cache: Path,
    repeat: int,
    pairs: int = 30,
) -> dict[str, Any]:
    """route()'s first search for ``pairs`` random pairs: csgraph on each pair's own mask
    and weights (``run.relaxed_inputs``: matrix build + one-to-all, as ``engine_search.search``
    does) against one customization of the scenario (the query's rules without the
    origin's and destination's) on the split-gate graph and one CCH query per pair. Counts
    the pairs whose distances are equal (they differ only where the best path re-enters the
    origin or the origin's own weights differ, e.g. a booked first departure)."""
    rng = np.random.default_rng(11)
    ids = list(topo.place_ids)
    idx = rng.choice(len(ids), size=2 * pairs, replace=False)
    n2, tails, heads = split_gates(topo)
    pl = net.places.geometry
    lat2 = np.concatenate([lat, pl.y.to_numpy()])
    lon2 = np.concatenate([lon, pl.x.to_numpy()])
    cch2 = CCH.build(n2, tails, heads, latitude=lat2, longitude=lon2, cache_dir=cache)
    o0, d0 = ids[idx[0]], ids[idx[1]]
    q = make_query(net, o0, d0)
    solver = _Solver(net, topo, weights(net, q.cargo), q)
    shared = solver._shared_mask(q, extra_avoid=frozenset(), any_status=False, cargo_limits=True)
    wsh = on_grid(np.where(shared, solver.objective(q), 0.0))
    t0 = time.perf_counter()
    metric = cch2.customize(np.where(shared, wsh, np.inf))
    customize_s = time.perf_counter() - t0
    cs_t, cch_t, equal, done = 0.0, 0.0, 0, 0
    for i in range(pairs):
        o, d = ids[idx[2 * i]], ids[idx[2 * i + 1]]
        _, m, w, s, t = relaxed_inputs(net, o, d)
        w = on_grid(w)
        t0 = time.perf_counter()
        ref = float(csgraph.dijkstra(edge_csr(topo, w, m), indices=s)[t])
        t1 = time.perf_counter()
        got = metric.distance(s, topo.n_nodes + topo.place_index[d])
        t2 = time.perf_counter()
        cs_t += t1 - t0
        cch_t += t2 - t1
        equal += int(got == ref)
        done += 1
    return {
        "shared_pairs": done,
        "shared_equal": equal,
        "shared_customize_s": customize_s,
        "shared_csgraph_per_pair_s": cs_t / done,
        "shared_cch_per_pair_s": cch_t / done,
        "shared_vs_csgraph": cs_t / (customize_s + cch_t),
    }


def markdown(record: dict[str, Any]) -> str:
    def ms(r: dict[str, Any], k: str) -> str:
        return f"{r[k] * 1000:,.1f} ms" if k in r else "-"

    def x(r: dict[str, Any], k: str) -> str:
        return f"{r[k]:,.2f}x" if k in r else "-"

    head = (
        "| input | nodes / edges | order + contract (cache load) | customize | "
        "csgraph one-to-all | CCH distance | CCH query + path | CCH one-to-all | "
        "search: csgraph / CCH dist | skims k x k: csgraph | CCH customize + matrix | "
        "avoid a country: csgraph | CCH partial re-customize + query | then k x k skims: csgraph / CCH | RoutingKit C++ query "
        "(32-bit) | route, one metric per scenario: customize; per pair csgraph / CCH "
        "(equal pairs) | same answers |"
    )
    lines = [head, "|" + "---|" * 17]
    for r in record["results"]:
        same = all(
            r.get(k, True)
            for k in (
                "same_distance",
                "same_one_to_all",
                "same_path",
                "skims_same",
                "avoid_same",
                "avoid_skims_same",
            )
        )
        lines.append(
            f"| {r['network']} | {r['nodes']:,} / {r['edges']:,} | "
            f"{r['order_s']:.2f} + {r['contract_s']:.2f} s ({ms(r, 'cache_load_s')}) | "
            f"{ms(r, 'customize_s')} | {ms(r, 'csgraph_s')} | {ms(r, 'cch_distance_s')} "
            f"({x(r, 'query_vs_csgraph')}) | {ms(r, 'cch_query_path_s')} "
            f"({x(r, 'query_path_vs_csgraph')}) | {ms(r, 'cch_one_to_all_s')} "
            f"({x(r, 'one_to_all_vs_csgraph')}) | {ms(r, 'search_csgraph_s')} / "
            f"{ms(r, 'search_cch_s')} ({x(r, 'search_cch_vs_csgraph')}) | "
            f"{r['skims_k']}x{r['skims_k']}: {ms(r, 'skims_csgraph_s')} | "
            f"{ms(r, 'skims_cch_s')} ({x(r, 'skims_vs_csgraph')}; matrix alone "
            f"{x(r, 'skims_matrix_vs_csgraph')}) | {r.get('avoid_country', '-')}: "
            f"{ms(r, 'avoid_csgraph_s')} | {ms(r, 'avoid_cch_s')} "
            f"({x(r, 'avoid_vs_csgraph')}; full {ms(r, 'avoid_cch_full_s')}) | "
            f"{ms(r, 'avoid_skims_csgraph_s')} / {ms(r, 'avoid_skims_cch_s')} "
            f"({x(r, 'avoid_skims_vs_csgraph')}) | "
            f"{ms(r, 'rk_query_s')} "
            f"({x(r, 'rk_query_vs_csgraph')}) | {ms(r, 'shared_customize_s')}; "
            f"{ms(r, 'shared_csgraph_per_pair_s')} / {ms(r, 'shared_cch_per_pair_s')} "
            f"({r.get('shared_equal', '-')}/{r.get('shared_pairs', '-')}) | "
            f"{'yes' if same else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="folder of the on-disk CCH cache (default: a temporary one)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        nets = [cor.load_network] + [lambda n=n: synth.continental(n) for n in args.sizes]
        for make in nets:
            graph._SHARED.clear()
            results.append(bench(make(), args.repeat, cache))
            print(json.dumps(results[-1]), flush=True)
    versions = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    try:
        from importlib.metadata import version

        versions["routingkit-cch"] = version("routingkit-cch")
    except Exception:  # noqa: BLE001
        pass
    record = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "versions": versions,
        "repeat": args.repeat,
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "cch.json").write_text(json.dumps(record, indent=2))
    (args.out / "cch.md").write_text(markdown(record) + "\n")
    print(markdown(record))
    return record


if __name__ == "__main__":
    main()
