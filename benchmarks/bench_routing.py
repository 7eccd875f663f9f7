"""Routing benchmark: corridors' search against networkx Dijkstra on the same expanded graph.

Figures are ratios against the networkx baseline measured in the same run (machines here are
shared and noisy), plus absolute medians for the record. Inputs are named and seeded:

- ``grid-N``: a synthetic N x N rail/road grid in one country (2·N·(N-1) links per mode);
- ``pak-russia``: the bundled network, Karachi -> Moscow.

    python benchmarks/bench_routing.py [--sizes 20 60 120] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

import corridors as cor
from corridors.costs import weights
from corridors.graph import LOAD, UNLOAD, search, topology


def grid_network(n: int, seed: int = 7) -> cor.Network:
    """An n x n grid of places 0.2 degrees apart with rail (1520) and road links."""
    rng = np.random.default_rng(seed)
    ids, geoms, rows = [], [], []
    for i in range(n):
        for j in range(n):
            pid = f"p{i}_{j}"
            ids.append(pid)
            geoms.append(shapely.Point(50 + 0.2 * j, 40 + 0.2 * i))
            rows.append({"id": pid, "name": pid, "country": "KAZ", "kind": "rail_station",
                         "source": "synthetic"})
    places = gpd.GeoDataFrame(rows, geometry=geoms, crs=4326)
    xy = {p: (g.x, g.y) for p, g in zip(ids, geoms)}
    links, lgeoms = [], []
    for i in range(n):
        for j in range(n):
            for di, dj in ((0, 1), (1, 0)):
                if i + di < n and j + dj < n:
                    a, b = f"p{i}_{j}", f"p{i + di}_{j + dj}"
                    gc = float(cor.network.geodesic_km(*xy[a], *xy[b]))
                    for mode in ("rail", "road"):
                        links.append({"id": f"{mode}_{a}_{b}", "from_id": a, "to_id": b,
                                      "mode": mode, "kind": "line",
                                      "gauge_mm": "1520" if mode == "rail" else None,
                                      "distance_km": gc * float(rng.uniform(1.05, 1.6)),
                                      "status": "operational", "source": "synthetic"})
                        lgeoms.append(shapely.LineString([xy[a], xy[b]]))
    links_gdf = gpd.GeoDataFrame(links, geometry=lgeoms, crs=4326)
    tariffs = pd.DataFrame([
        {"mode": "rail", "country": "*", "usd_per_teu_km": 0.15, "usd_per_feu_km": 0.24,
         "usd_per_tonne_km": 0.0075, "source": "synthetic"},
        {"mode": "road", "country": "*", "usd_per_teu_km": 1.2, "usd_per_feu_km": 1.2,
         "usd_per_tonne_km": 0.06, "source": "synthetic"}])
    speeds = pd.DataFrame([{"mode": "rail", "country": "*", "speed_kmh": 35, "source": "s"},
                           {"mode": "road", "country": "*", "speed_kmh": 20, "source": "s"}])
    ops = pd.DataFrame([{"place_id": "*", "from_service": "*", "to_service": "*",
                         "kind": "intermodal", "time_median_h": 12, "cost_usd_20ft": 44,
                         "cost_usd_40ft": 66, "cost_usd_per_tonne": 2.2, "source": "s"}]
                       + [{"place_id": "*", "from_service": m, "to_service": "terminal",
                           "kind": "terminal", "time_median_h": 4, "cost_usd_20ft": 30,
                           "cost_usd_40ft": 40, "cost_usd_per_tonne": 1.5, "source": "s"}
                          for m in ("rail", "road")])
    return cor.Network.from_geodataframes(places, links_gdf, tariffs=tariffs, speeds=speeds,
                                          operations=ops, origin=f"grid-{n}")


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(net: cor.Network, origin: str, dest: str, repeat: int) -> dict:
    t0 = time.perf_counter()
    topo = topology(net)
    t_topo = time.perf_counter() - t0
    t0 = time.perf_counter()
    w = weights(net, cor.Cargo())
    t_w = time.perf_counter() - t0
    cost = w.objective("cost_usd")
    o = topo.gate_of[topo.place_index[origin]]
    d = topo.gate_of[topo.place_index[dest]]
    # the masks route() builds: loading only at the origin, unloading only at the destination
    mask = topo.usable(None)
    mask &= (topo.etype != LOAD) | (topo.src == o)
    mask &= (topo.etype != UNLOAD) | (topo.dst == d)
    weight = mask * cost
    g = topo.to_networkx(cost, mask)
    ours = timed(lambda: search(topo, weight, [mask], int(o), int(d)), repeat)
    base = timed(lambda: nx.dijkstra_path_length(g, int(o), int(d), weight="weight"), repeat)
    full = timed(lambda: cor.route(net, origin, dest, minimize="cost_usd"), repeat)
    found = search(topo, weight, [mask], int(o), int(d))
    assert found is not None
    a = found[0]
    b = nx.dijkstra_path_length(g, int(o), int(d), weight="weight")
    return {"network": net.name, "places": len(net.places), "links": len(net.links),
            "nodes": topo.n_nodes, "edges": topo.n_edges, "build_topology_s": round(t_topo, 4),
            "build_weights_s": round(t_w, 4), "search_s": round(ours, 5),
            "networkx_dijkstra_s": round(base, 5), "route_total_s": round(full, 5),
            "search_vs_networkx": round(ours / base, 3), "same_answer": abs(a - b) < 1e-6 * b}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 60])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    results = [bench(cor.load_network(), "karachi", "moscow", args.repeat)]
    for n in args.sizes:
        results.append(bench(grid_network(n), "p0_0", f"p{n - 1}_{n - 1}", args.repeat))
    record = {"machine": platform.platform(), "python": sys.version.split()[0],
              "corridors": cor.__version__, "networkx": nx.__version__, "results": results}
    print(json.dumps(record, indent=2))
    if args.out:
        args.out.write_text(json.dumps(record, indent=2))
    return results


if __name__ == "__main__":
    main()
