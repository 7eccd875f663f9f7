"""Scenario sweep benchmark: ``compare`` of many scenarios, serial against a Dask
LocalCluster of worker processes, in the same run.

Input: ``--scenarios`` seeded scenarios on the bundled network (default 100): each closes
one randomly chosen border crossing, link or place of the network's corridors, or scales a
mode's tariff or a country's border dwell, and routes Karachi -> Moscow, Karachi -> Tashkent
and Gwadar Port -> Almaty by cost and time. The serial run and the cluster run must give the
same frame (checked); the figure is serial time / cluster time, with the cluster's start-up
measured apart (it includes importing corridors on the workers and a first route, which
the serial process has done before its clock starts). The network goes to each worker once
(``compare`` scatters it through the Client). Then ``criticality`` of the six baseline
corridors (each pair by cost and by time), serial against the same cluster (closures in
batches), tables checked equal.

    python benchmarks/bench_sweep.py [--scenarios 100] [--workers 2] [--out results/sweep.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

import corridors as cor
from corridors.analysis.compare import compare
from corridors.analysis.criticality import criticality
from corridors.analysis.scenario import Scenario
from corridors.analysis.scenario_parts import Closure, Multiplier

OD = (("Karachi", "Moscow"), ("Karachi", "Tashkent"), ("Gwadar Port", "Almaty"))


def scenarios(net: cor.Network, n: int, seed: int = 5) -> list[Scenario]:
    """``n`` seeded, named scenarios: closures of crossings, border links or places on the
    way, or tariff and dwell multipliers."""
    rng = random.Random(seed)
    links = net.links
    borders = sorted(links.index[links["kind"] == "border"])
    places = sorted(
        p for p in net.places.index if net.places.loc[p, "kind"] in ("city", "border_post")
    )
    countries = sorted(set(net.places["country"]))
    out = [Scenario.baseline()]
    while len(out) < n:
        i = len(out)
        pick = rng.randrange(4)
        if pick == 0:
            s = Scenario(name=f"s{i}", closures=(Closure(kind="link", ref=rng.choice(borders)),))
        elif pick == 1:
            ref = rng.choice(places)
            if ref in {"karachi", "moscow", "tashkent", "almaty"}:
                continue
            s = Scenario(name=f"s{i}", closures=(Closure(kind="place", ref=ref),))
        elif pick == 2:
            mode = rng.choice(["rail", "road", "sea"])
            s = Scenario(
                name=f"s{i}",
                multipliers=(Multiplier(mode=mode, tariff=rng.choice([0.8, 1.2, 1.5])),),
            )
        else:
            s = Scenario(
                name=f"s{i}",
                multipliers=(Multiplier(country=rng.choice(countries), dwell=2.0),),
            )
        out.append(s)
    return out


def warm() -> None:
    """Import what a sweep uses and find one route (the lazy imports, the first search)."""
    import corridors.analysis.compare  # noqa: F401
    import corridors.analysis.criticality  # noqa: F401

    cor.route(cor.load_network(), *OD[0])


def criticality_figures(net: cor.Network, client: Any) -> dict[str, Any]:
    """Criticality of the six baseline corridors (the pairs by cost and by time), serial
    against the cluster (closures in batches, the network scattered once), tables checked
    equal."""
    planned = [cor.route(net, o, d, minimize=m) for o, d in OD for m in ("cost_usd", "time_h")]
    t0 = time.perf_counter()
    serial = [criticality(net, r) for r in planned]
    t_serial = time.perf_counter() - t0
    t0 = time.perf_counter()
    swept = [criticality(net, r, executor=client) for r in planned]
    t_cluster = time.perf_counter() - t0
    for a, b in zip(serial, swept):
        pd.testing.assert_frame_equal(a, b)
    return {
        "criticality_corridors": len(planned),
        "criticality_closures": sum(len(t) for t in serial),
        "criticality_serial_s": round(t_serial, 2),
        "criticality_cluster_s": round(t_cluster, 2),
        "criticality_speedup": round(t_serial / t_cluster, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--no-profile",
        action="store_true",
        help="turn off the workers' statistical profiler (distributed.worker.profile.enabled)",
    )
    args = ap.parse_args(argv)
    import dask
    import distributed

    if args.no_profile:
        dask.config.set({"distributed.worker.profile.enabled": False})
    if __name__ != "__main__":  # imported by run.py: the workers cannot import this file
        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])

    net = cor.load_network()
    scens = scenarios(net, args.scenarios)
    kw: dict[str, Any] = {"od": OD, "minimize": ["cost_usd", "time_h"]}
    warm()
    t0, c0 = time.perf_counter(), time.process_time()
    serial = compare(net, scens, **kw)
    t_serial, c_serial = time.perf_counter() - t0, time.process_time() - c0
    t0 = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(args.workers)
        client.run(warm)  # as the serial process: corridors imported, a first route found
        t_start = time.perf_counter() - t0
        cpu0 = client.run(time.process_time)
        t0, c0 = time.perf_counter(), time.process_time()
        swept = compare(net, scens, executor=client, **kw)
        t_cluster, c_client = time.perf_counter() - t0, time.process_time() - c0
        cpu1 = client.run(time.process_time)
        c_workers = [cpu1[w] - cpu0[w] for w in cpu0]
        crit = criticality_figures(net, client)
    pd.testing.assert_frame_equal(serial, swept)
    res = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "scenarios": len(scens),
        "pairs": len(OD),
        "rows": len(serial),
        "errors": int((swept["status"] == "error").sum()),
        "workers": args.workers,
        "worker_profiler": not args.no_profile,
        "serial_s": round(t_serial, 2),
        "cluster_start_s": round(t_start, 2),
        "cluster_s": round(t_cluster, 2),
        "speedup": round(t_serial / t_cluster, 2),
        # CPU seconds: the work is the same, the wall-clock speed-up is what the machine's
        # cores give the workers (a shared, loaded machine gives them little)
        "serial_cpu_s": round(c_serial, 2),
        "cluster_client_cpu_s": round(c_client, 2),
        "cluster_worker_cpu_s": [round(c, 2) for c in c_workers],
        "cpu_share_of_workers": round(sum(c_workers) / (t_cluster * args.workers), 2),
        "serial_cpu_share": round(c_serial / t_serial, 2),
        "speedup_if_each_had_a_core": round(c_serial / max(c_workers), 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **crit,
    }
    print(json.dumps(res, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(res, indent=2) + "\n")
    return res


if __name__ == "__main__":
    main()
