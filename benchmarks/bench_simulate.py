"""Simulation benchmark: ``corridors.simulate`` against drawing the same random numbers with
raw numpy in the same run.

Input ``route-20``: a seeded 20-leg route built from the legs of the bundled network's
Karachi -> Tashkent route, with every leg given a stochastic term: 2 terminals, 4 transfers
and 4 border crossings (lognormal, p90 = 2.5 x median), 4 scheduled waits (uniform on the
headway), 6 running legs touching the places of 4 risk rows of the bundled ``risk.csv``
(Torkham, Chaman, Taftan, Shahid Rajaee: Bernoulli x lognormal disruptions).

The baseline draws the same numbers (uniforms for waits and disruption occurrences,
standard normals for the lognormal terms and disruption durations), transforms them and
sums them per run, in the same chunks, with nothing else: the ratio is the cost of what
``simulate`` adds (planning, per-component sums, cost, percentiles, P(fastest)).

    python benchmarks/bench_simulate.py [--runs 1000000] [--repeat 3] [--out results.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import corridors as cor
from corridors.analysis.simulate import CHUNK_RUNS, simulate
from corridors.routes.risk import rows_for_route

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_time  # noqa: E402

RISK_PLACES = ("torkham_pak", "chaman", "taftan", "shahid_rajaee_port")


def route_20(net: cor.Network) -> cor.Route:
    """A 20-leg route in which every leg carries a stochastic term (see the module doc)."""
    base = cor.route(net, "Karachi", "Tashkent")
    link = next(leg for leg in base.steps if leg.kind == "link")
    zero = dict(
        wait_h=0.0,
        headway_h=float("nan"),
        dwell_h=0.0,
        dwell_p90_h=0.0,
        transfer_time_h=0.0,
        transfer_p90_h=0.0,
        terminal_time_h=0.0,
        terminal_p90_h=0.0,
    )
    rng = np.random.default_rng(20)
    legs = []
    kinds = (
        ["terminal"]
        + ["transfer"] * 4
        + ["border"] * 4
        + ["wait"] * 4
        + ["link"] * 6
        + ["terminal"]
    )
    for seq, kind in enumerate(kinds):
        med = float(rng.uniform(5, 60))
        run_h = float(rng.uniform(1, 30))
        f: dict[str, Any] = dict(zero, seq=seq, running_time_h=run_h, link_id=None)
        if kind == "terminal":
            f.update(kind="terminal", terminal_time_h=med, terminal_p90_h=2.5 * med)
        elif kind == "transfer":
            f.update(kind="transfer", transfer_time_h=med, transfer_p90_h=2.5 * med)
        elif kind == "border":
            f.update(kind="border", dwell_h=med, dwell_p90_h=2.5 * med)
        elif kind == "wait":
            f.update(kind="link", wait_h=med, headway_h=2 * med)
        else:
            i = seq - 13
            place = RISK_PLACES[i] if i < len(RISK_PLACES) else link.to_id
            f.update(kind="link", from_id=place, to_id=place)
        f["time_h"] = (
            f["running_time_h"]
            + f["wait_h"]
            + f["dwell_h"]
            + f["transfer_time_h"]
            + f["terminal_time_h"]
        )
        legs.append(dataclasses.replace(link, **f))
    return dataclasses.replace(base, steps=tuple(legs))


def raw_numpy(route: cor.Route, net: cor.Network, runs: int, seed: int) -> np.ndarray:
    """The same random numbers, transformed and summed, with plain numpy."""
    from corridors.costs.risk import lognormal_sigma, risk_rows

    legs = route.steps
    hw = np.array([leg.headway_h for leg in legs if leg.headway_h == leg.headway_h])
    med = np.array(
        [
            m
            for leg in legs
            for m, q in (
                (leg.dwell_h, leg.dwell_p90_h),
                (leg.transfer_time_h, leg.transfer_p90_h),
                (leg.terminal_time_h, leg.terminal_p90_h),
            )
            if q > m > 0
        ]
    )
    sig = np.array(
        [
            lognormal_sigma(m, q)
            for leg in legs
            for m, q in (
                (leg.dwell_h, leg.dwell_p90_h),
                (leg.transfer_time_h, leg.transfer_p90_h),
                (leg.terminal_time_h, leg.terminal_p90_h),
            )
            if q > m > 0
        ]
    )
    rows = [r for r in rows_for_route(risk_rows(net), route) if r.has_disruption]
    p = np.array([r.prob for r in rows])
    dmed = np.array([r.median_days * 24 for r in rows])
    dsig = np.array([r.sigma for r in rows])
    rng = np.random.default_rng(seed)
    out = np.empty(runs)
    for start in range(0, runs, CHUNK_RUNS):
        n = min(CHUNK_RUNS, runs - start)
        u = rng.random((n, p.size))
        dur = dmed * np.exp(dsig * rng.standard_normal((n, p.size)))
        t = np.where(u < p, dur, 0.0).sum(axis=1)
        t += (rng.random((n, hw.size)) * hw).sum(axis=1)
        t += (med * np.exp(sig * rng.standard_normal((n, med.size)))).sum(axis=1)
        out[start : start + n] = t
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    net = cor.load_network()
    r = route_20(net)
    n_terms = sum(1 for _ in r.steps)
    ours = median_time(
        lambda: simulate(r, runs=args.runs, seed=args.seed, net=net, progress=False), args.repeat
    )
    base = median_time(lambda: raw_numpy(r, net, args.runs, args.seed), args.repeat)
    res = simulate(r, runs=args.runs, seed=args.seed, net=net, progress=False)
    raw = raw_numpy(r, net, args.runs, args.seed)
    record = {
        "machine": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "corridors": cor.__version__,
        "input": "route-20",
        "legs": n_terms,
        "runs": args.runs,
        "repeat": args.repeat,
        "chunk_runs": CHUNK_RUNS,
        "simulate_s": round(ours, 4),
        "raw_numpy_s": round(base, 4),
        "simulate_vs_raw_numpy": round(ours / base, 3),
        "mean_time_h": round(float(res.time_h.mean()), 3),
        # not the same draws (another order of calls), but the same distribution
        "raw_mean_extra_h": round(float(raw.mean()), 3),
        "p50_days": round(float(res.percentiles("time_days", (50,))[0, 0]), 3),
    }
    print(json.dumps(record, indent=2))
    if args.out:
        args.out.write_text(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main()
