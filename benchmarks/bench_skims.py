"""Skims (route_matrix) k x k: before, csgraph engine and CCH engine, same run, same pairs.

    python benchmarks/bench_skims.py [--sizes 10000 100000] [--k 100] [--repeat 2]
                                     [--before 9cd17f3] [--cache DIR] [--minimize cost_usd]
                                     [--cch-before REV]

Per input (``continental-N`` from :mod:`synth`, seeded; ``k`` origins and ``k`` other
destinations drawn with a seeded generator):

* ``before``: :func:`route_matrix` as it was at git revision ``--before`` (loaded from
  ``git show``; the baseline "today" of issue 18), one compiled Dijkstra per origin with a
  matrix built per origin;
* ``csgraph``: ``route_matrix(..., engine="csgraph")`` (the matrix built once, patched per
  origin);
* ``cch cold``: ``engine="cch"`` on an empty cache folder (nested-dissection order,
  contraction, cache write, customization, queries); ``cch from disk``: a new session's
  first call (structure read from the cache file, customization, queries); ``cch warm``:
  a later call on the same network and query (metric kept). ``before``, ``csgraph`` and
  ``cch warm`` run interleaved, ``--repeat`` rounds, medians (the machine's load drifts);
* ``cch warm at REV`` (``--cch-before REV``): the CCH engine as it was at git revision REV
  (``routes/skims.py``, ``routes/skims_cch.py`` and ``engine/cch_skims.py`` loaded from
  ``git show`` and swapped in for the call), warm, in the same rounds: a change to the CCH
  engine measured before and after in one run, against the same ``before``; its frame must
  equal today's in every column.

Answers: the csgraph frame must equal the ``before`` frame in every column (bit for bit);
the CCH frame must have the same objective in every row (bit for bit), and the rows whose
other columns also agree are counted (they differ only where two paths tie exactly).

Writes ``results/skims.json`` and ``results/skims.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy

import corridors as cor
from corridors.engine.topology import topology
from corridors.routes.skims import route_matrix

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402

HERE = Path(__file__).parent


def load_at(rev: str, module: str = "routes.skims", name: str = "_skims_before") -> Any:
    """``corridors.<module>`` as it was at ``rev``, as module ``name`` of the same package."""
    package, _, leaf = f"corridors.{module}".rpartition(".")
    src = subprocess.run(
        ["git", "show", f"{rev}:src/corridors/{module.replace('.', '/')}.py"],
        cwd=HERE.parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / f"{leaf}_{rev}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"{package}.{name}", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def load_before(rev: str) -> Any:
    """``corridors.routes.skims`` as it was at ``rev``, as a module of the package."""
    return load_at(rev)


@contextlib.contextmanager
def swapped(mods: dict[str, Any]) -> Iterator[None]:
    """Modules ``mods`` (full name: module) in place of the package's own while inside
    (``sys.modules`` and the package attribute, which a ``from .. import`` reads)."""
    saved = {k: sys.modules[k] for k in mods}
    try:
        for k, m in mods.items():
            sys.modules[k] = m
            package, _, leaf = k.rpartition(".")
            setattr(sys.modules[package], leaf, m)
        yield
    finally:
        for k, m in saved.items():
            sys.modules[k] = m
            package, _, leaf = k.rpartition(".")
            setattr(sys.modules[package], leaf, m)


def load_cch_at(rev: str) -> Any:
    """``route_matrix`` with the CCH engine as it was at ``rev``: a function that calls it
    with that revision's skims, skims_cch and cch_skims modules swapped in."""
    engine = load_at(rev, "engine.cch_skims", f"_cch_skims_{rev}")
    with swapped({"corridors.engine.cch_skims": engine}):
        front = load_at(rev, "routes.skims", f"_skims_{rev}")
        inner = load_at(rev, "routes.skims_cch", f"_skims_cch_{rev}")
    mods = {"corridors.engine.cch_skims": engine, "corridors.routes.skims_cch": inner}

    def run(*args: Any, **kw: Any) -> Any:
        with swapped(mods):
            return front.route_matrix(*args, **kw)

    return run


def same(a: pd.Series, b: pd.Series) -> np.ndarray:
    x, y = a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan)
    return (x == y) | (np.isnan(x) & np.isnan(y))  # type: ignore[no-any-return]


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Two skim frames equal in every column, bit for bit (NaN equal to NaN)."""
    eq = np.ones(len(a), dtype=bool)
    for c in a.columns:
        if c in ("origin", "destination", "simple"):
            eq &= (a[c] == b[c]).to_numpy()
        else:
            eq &= same(a[c].astype(float), b[c].astype(float))
    return bool(eq.all())


def bench(
    net: cor.Network,
    k: int,
    repeat: int,
    before: Any,
    cache: Path,
    minimize: str,
    cch_before: Any = None,
) -> dict[str, Any]:
    rng = np.random.default_rng(5)
    ids = np.asarray(net.places.index)
    pick = [str(x) for x in rng.choice(ids, size=2 * k, replace=False)]
    o, d = pick[:k], pick[k:]
    topo = topology(net)
    res: dict[str, Any] = {
        "network": net.name,
        "links": len(net.links),
        "edges": topo.n_edges,
        "pairs": f"{k}x{k}",
        "minimize": minimize,
    }
    route_matrix(net, o[:1], d[:2], minimize=minimize)  # warm the topology and weights
    for f in cache.glob("cch-*.npz"):
        f.unlink()
    topo._static.pop("cch", None)
    topo._weights.pop(("cch-metrics",), None)
    t0 = time.perf_counter()
    cch = route_matrix(net, o, d, minimize=minimize, engine="cch", cch_cache=cache)
    res["cch_cold_s"] = time.perf_counter() - t0
    built = topo._static["cch"]
    res["order_s"] = built.timings.get("order_s")
    res["contract_s"] = built.timings.get("contract_s")
    res["cache_write_s"] = built.timings.get("write_s")
    res["cache_mib"] = sum(f.stat().st_size for f in cache.glob("cch-*.npz")) / 2**20
    topo._static.pop("cch", None)
    topo._weights.pop(("cch-metrics",), None)
    t0 = time.perf_counter()
    route_matrix(net, o, d, minimize=minimize, engine="cch", cch_cache=cache)
    res["cch_disk_s"] = time.perf_counter() - t0
    res["cache_load_s"] = topo._static["cch"].timings.get("load_s")
    # the three engines interleaved, ``repeat`` rounds (the machine's load drifts): medians
    times: dict[str, list[float]] = {
        "before_s": [],
        "csgraph_s": [],
        "cch_warm_s": [],
        "cch_warm_rev_s": [],
    }
    ref = cs = cch_rev = None
    if cch_before is not None:  # its metric and structure warm, as today's
        cch_before(net, o, d, minimize=minimize, engine="cch", cch_cache=cache)
    for _ in range(repeat):
        if before is not None:
            t0 = time.perf_counter()
            ref = before.route_matrix(net, o, d, minimize=minimize)
            times["before_s"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cs = route_matrix(net, o, d, minimize=minimize, engine="csgraph")
        times["csgraph_s"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        cch = route_matrix(net, o, d, minimize=minimize, engine="cch", cch_cache=cache)
        times["cch_warm_s"].append(time.perf_counter() - t0)
        if cch_before is not None:
            t0 = time.perf_counter()
            cch_rev = cch_before(net, o, d, minimize=minimize, engine="cch", cch_cache=cache)
            times["cch_warm_rev_s"].append(time.perf_counter() - t0)
    for k_, v in times.items():
        if v:
            res[k_] = statistics.median(v)
    assert cs is not None
    # answers
    if before is not None:
        res["csgraph_equals_before"] = frames_equal(cs, ref)
    res["cch_same_objective"] = bool(same(cch["objective"], cs["objective"]).all())
    rows = np.ones(len(cs), dtype=bool)
    for c in ("distance_km", "time_h", "cost_usd", "generalized"):
        rows &= same(cch[c], cs[c])
    rows &= same(cch["transfers"].astype(float), cs["transfers"].astype(float))
    res["cch_rows_all_equal"] = int(rows.sum())
    if cch_rev is not None:  # today's CCH frame against the revision's
        res["cch_equals_rev"] = frames_equal(cch, cch_rev)
    res["found_pairs"] = int(cs["objective"].notna().sum())
    res["rows"] = len(cs)
    if "before_s" in res:
        res["csgraph_speedup"] = res["before_s"] / res["csgraph_s"]
        res["cch_warm_speedup"] = res["before_s"] / res["cch_warm_s"]
        res["cch_disk_speedup"] = res["before_s"] / res["cch_disk_s"]
        if "cch_warm_rev_s" in res:
            res["cch_warm_rev_speedup"] = res["before_s"] / res["cch_warm_rev_s"]
    return {k_: (round(v, 4) if isinstance(v, float) else v) for k_, v in res.items()}


def markdown(rows: list[dict[str, Any]]) -> str:
    head = (
        "| input | edges | pairs | before | csgraph | CCH cold (order + contract) | CCH from "
        "disk (load) | CCH warm | before / csgraph | before / CCH warm | csgraph = before | "
        "CCH objective = csgraph | rows all equal (of all) |"
    )
    out = [head, "|" + "---|" * 13]
    for r in rows:
        out.append(
            f"| {r['network']} | {r['edges']:,} | {r['pairs']} {r['minimize']} | "
            f"{r.get('before_s', float('nan')):.2f} s | {r['csgraph_s']:.2f} s | "
            f"{r['cch_cold_s']:.2f} s ({r['order_s']:.2f} + {r['contract_s']:.2f} s) | "
            f"{r['cch_disk_s']:.2f} s ({1000 * r['cache_load_s']:.0f} ms) | "
            f"{r['cch_warm_s']:.3f} s | {r.get('csgraph_speedup', float('nan')):.2f}x | "
            f"{r.get('cch_warm_speedup', float('nan')):.1f}x | "
            f"{r.get('csgraph_equals_before', '-')} | {r['cch_same_objective']} | "
            f"{r['cch_rows_all_equal']:,} of {r['rows']:,} |"
        )
    revs = [r for r in rows if "cch_warm_rev_s" in r]
    if revs:  # --cch-before: the CCH engine at that revision, same rounds
        out += [
            "",
            "| input | pairs | before | CCH warm at REV | CCH warm | before / CCH warm at REV "
            "| before / CCH warm | CCH = CCH at REV (every column) |",
            "|" + "---|" * 8,
        ]
        for r in revs:
            out.append(
                f"| {r['network']} | {r['pairs']} {r['minimize']} | "
                f"{r.get('before_s', float('nan')):.2f} s | {r['cch_warm_rev_s']:.3f} s | "
                f"{r['cch_warm_s']:.3f} s | {r.get('cch_warm_rev_speedup', float('nan')):.1f}x | "
                f"{r.get('cch_warm_speedup', float('nan')):.1f}x | {r['cch_equals_rev']} |"
            )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--before", default="9cd17f3", help="git revision of the baseline")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--minimize", default="cost_usd")
    ap.add_argument(
        "--cch-before", default=None, help="git revision of a CCH engine to time in the same run"
    )
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args()
    before = load_before(args.before) if args.before else None
    cch_before = load_cch_at(args.cch_before) if args.cch_before else None
    cache = args.cache or Path(tempfile.mkdtemp(prefix="cch-"))
    rows = []
    for n in args.sizes:
        net = synth.continental(n)
        r = bench(net, args.k, args.repeat, before, cache, args.minimize, cch_before)
        print(json.dumps(r), flush=True)
        rows.append(r)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "machine": platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
    }
    (args.out / "skims.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    (args.out / "skims.md").write_text(markdown(rows) + "\n")
    print(markdown(rows))


if __name__ == "__main__":
    main()
