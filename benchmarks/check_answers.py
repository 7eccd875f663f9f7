"""Record or check routing answers on the bundled network, bit for bit.

A performance change must not change any answer. Run ``record`` before the change and
``check`` after it: every query's objective (as ``float.hex``), edge list and leg ids must be
identical, and every query that raised must raise the same error type.

    python benchmarks/check_answers.py record benchmarks/results/answers.json
    python benchmarks/check_answers.py check benchmarks/results/answers.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

import corridors as cor
from corridors.engine.query import make_query
from corridors.engine.solver import _Solver
from corridors.engine.topology import topology
from corridors.engine.weights import weights

OBJECTIVES = ("distance_km", "time_h", "cost_usd", "generalized")


def queries(net: cor.Network, seed: int = 11, n_pairs: int = 60) -> list[dict[str, Any]]:
    """Seeded queries: random pairs by every objective, plus constrained ones."""
    rng = random.Random(seed)
    ids = sorted(net.places.index)
    out: list[dict[str, Any]] = []
    for _ in range(n_pairs):
        o, d = rng.sample(ids, 2)
        for obj in OBJECTIVES:
            out.append({"origin": o, "destination": d, "minimize": obj})
    countries = sorted(set(net.places["country"]))
    for _ in range(40):
        o, d = rng.sample(ids, 2)
        q: dict[str, Any] = {"origin": o, "destination": d, "minimize": rng.choice(OBJECTIVES)}
        pick = rng.randrange(6)
        if pick == 0:
            q["max_transfers"] = rng.randrange(0, 4)
        elif pick == 1:
            q["modes"] = rng.sample(["rail", "road", "sea", "ferry"], rng.randrange(1, 4))
        elif pick == 2:
            q["avoid_countries"] = [rng.choice(countries)]
        elif pick == 3:
            q["via"] = [rng.choice(ids)]
        elif pick == 4:
            q["year"] = rng.choice([2030, 2040])
        else:
            q["avoid_places"] = rng.sample(ids, 3)
        out.append(q)
    for o, d in [("karachi", "moscow"), ("gwadar_port", "almaty"), ("karachi", "tashkent")]:
        out.append({"origin": o, "destination": d, "minimize": "cost_usd", "k": 5})
    return out


def answer(net: cor.Network, q: dict[str, Any]) -> dict[str, Any]:
    args = dict(q)
    o, d = args.pop("origin"), args.pop("destination")
    try:
        if "k" in args:
            rs = cor.alternatives(net, o, d, **args)
            return {
                "routes": [[leg.link_id or leg.kind for leg in r.steps] for r in rs],
                "objectives": [float(r.cost_usd).hex() for r in rs],
            }
        qq = make_query(net, o, d, **args)
        solver = _Solver(net, topology(net), weights(net, qq.cargo), qq)
        found = solver.solve(qq)
        if found is None:
            return {"none": True}
        r = cor.route(net, o, d, **args)
        return {
            "objective": found[0].hex(),
            "edges": found[1],
            "legs": [leg.link_id or leg.kind for leg in r.steps],
            "route_objective": float(r.objective).hex(),
        }
    except cor.CorridorsError as exc:
        return {"error": type(exc).__name__}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["record", "check"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    net = cor.load_network()
    got = [{"query": q, "answer": answer(net, q)} for q in queries(net)]
    if args.action == "record":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(json.dumps(got, indent=1))
        print(f"recorded {len(got)} answers")
        return 0
    want = json.loads(args.path.read_text())
    bad = [(w["query"], w["answer"], g["answer"]) for w, g in zip(want, got) if w != g]
    for q, w, g in bad[:10]:
        print("DIFFERENT", q, "\n  before", w, "\n  after ", g)
    print(f"{len(got) - len(bad)} of {len(got)} answers identical")
    return 1 if bad or len(want) != len(got) else 0


if __name__ == "__main__":
    sys.exit(main())
