"""Fault injection for the library's writers: SIGKILL during a write, and a full disk.

Run as a script (``python tests/write_faults.py kill|full WRITER... --iterations N``) it imports
the library once, then for each writer forks a child that writes two versions A and B of the
same target alternately, as fast as it can, and kills it with SIGKILL at a random moment;
after each kill the target must hold exactly A or exactly B (byte for byte, or for a
GeoPackage layer by layer), never a mix or nothing. ``full`` forks a child whose file size is
capped (``RLIMIT_FSIZE``, what a nearly full disk looks like to a writer) and which overwrites
A with B: the write must fail with :class:`corridors.errors.WriteError`, leave A untouched and
leave no temporary file. It prints one JSON line with what happened per writer; the tests in
``test_atomic.py`` run it and check that line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402

from corridors import route  # noqa: E402
from corridors.analysis.scenario import Scenario
from corridors.errors import WriteError  # noqa: E402
from corridors.model.io import write_network  # noqa: E402
from corridors.output.export import write_routes  # noqa: E402
from corridors.output.tables import write_comparison  # noqa: E402
from netfactory import build  # noqa: E402

Writer = Callable[[Path, str], None]


def _frame(version: str, rows: int = 40_000) -> pd.DataFrame:
    n = rows if version == "A" else rows // 2
    return pd.DataFrame(
        {
            "scenario": [f"{version}-{i}" for i in range(n)],
            "time_h": [i * 0.5 for i in range(n)],
            "cost_usd": [float(i) for i in range(n)],
        }
    )


def _networks() -> dict[str, Any]:
    a = build("two_corridors")
    b = a.copy()
    b.meta = {**a.meta, "name": "version B", "description": "B " * 5000}
    return {"A": a, "B": b}


def _routes() -> dict[str, Any]:
    net = build("two_corridors")
    fast = route(net, "o", "d", minimize="time_h")
    cheap = route(net, "o", "d", minimize="distance_km")
    return {"A": [fast, cheap] * 8, "B": [cheap] * 4}


def writers() -> dict[str, Writer]:
    nets = _networks()
    routes_ = _routes()
    frames = {"A": _frame("A"), "B": _frame("B")}
    scen = {v: Scenario(name=f"scenario {v}", description=(v + " words ") * 20_000) for v in "AB"}
    return {
        "scenario_toml": lambda p, v: scen[v].write_toml(p),
        "comparison_csv": lambda p, v: write_comparison(frames[v], p),
        "routes_csv": lambda p, v: write_routes(routes_[v], p),
        "routes_md": lambda p, v: write_routes(routes_[v], p),
        "routes_gpkg": lambda p, v: write_routes(routes_[v], p),
        "network_folder": lambda p, v: write_network(nets[v], p),
        "network_gpkg": lambda p, v: write_network(nets[v], p),
    }


SUFFIX = {
    "scenario_toml": ".toml",
    "comparison_csv": ".csv",
    "routes_csv": ".csv",
    "routes_md": ".md",
    "routes_gpkg": ".gpkg",
    "network_folder": "",
    "network_gpkg": ".gpkg",
}


def snapshot(p: Path) -> Any:
    """What a reader sees at ``p``: bytes of a file, a dict of a folder's files, the layers of
    a GeoPackage as records; None when nothing is there."""
    if not p.exists():
        return None
    if p.is_dir():
        return {f.name: snapshot(f) for f in sorted(p.iterdir())}
    if p.suffix == ".gpkg":
        layers = [name for name, _ in pyogrio.list_layers(p)]
        return {name: pyogrio.read_dataframe(p, layer=name).to_json() for name in sorted(layers)}
    return p.read_bytes()


def leftovers(p: Path) -> list[str]:
    return sorted(f.name for f in p.parent.iterdir() if f.name.startswith(f".{p.name}."))


def _child_loop(write: Writer, target: Path) -> None:  # pragma: no cover - killed
    v = "A"
    while True:
        write(target, v)
        v = "B" if v == "A" else "A"


def kill_test(
    name: str, write: Writer, work: Path, iterations: int, rng: random.Random
) -> dict[str, Any]:
    d = work / name
    d.mkdir()
    refs = {}
    t0 = time.perf_counter()
    for v in "AB":
        write(d / f"ref{v}{SUFFIX[name]}", v)
        refs[v] = snapshot(d / f"ref{v}{SUFFIX[name]}")
    pair_s = time.perf_counter() - t0
    target = d / f"target{SUFFIX[name]}"
    write(target, "A")
    counts = {"A": 0, "B": 0, "bad": 0, "temp_left": 0}
    for _ in range(iterations):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            try:
                _child_loop(write, target)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.2, 1.0) * 2 * pair_s + 0.05)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if leftovers(target):
            counts["temp_left"] += 1  # killed mid-write: the next write removes it
        seen = snapshot(target)
        which = [v for v in "AB" if seen == refs[v]]
        counts[which[0] if which else "bad"] += 1
    write(target, "A")
    return {**counts, "pair_s": round(pair_s, 3), "stale_after_next_write": leftovers(target)}


def full_disk_test(name: str, write: Writer, work: Path) -> dict[str, Any]:
    d = work / name
    d.mkdir()
    target = d / f"target{SUFFIX[name]}"
    write(target, "A")
    before = snapshot(target)
    ref = d / f"refB{SUFFIX[name]}"
    write(ref, "B")
    sizes = [f.stat().st_size for f in ([*ref.iterdir()] if ref.is_dir() else [ref])]
    limit = max(sizes) // 2  # the largest file of B cannot be written whole
    pid = os.fork()
    if pid == 0:  # pragma: no cover - reported through the exit status
        code = 3
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            write(target, "B")
            code = 1  # the write did not fail
        except WriteError:
            code = 0
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            sys.stderr.write(f"{name}: {type(err).__name__}: {err}\n")
            code = 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {
        "exit": {0: "WriteError", 1: "no error", 2: "other error"}.get(code, str(code)),
        "unchanged": snapshot(target) == before,
        "temp_left": leftovers(target),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("kill", "full"))
    ap.add_argument("writers", nargs="*")
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", required=True)
    a = ap.parse_args(argv)
    all_writers = writers()
    names = a.writers or list(all_writers)
    rng = random.Random(a.seed)
    work = Path(a.work)
    out = {}
    for n in names:
        if a.mode == "kill":
            out[n] = kill_test(n, all_writers[n], work, a.iterations, rng)
        else:
            out[n] = full_disk_test(n, all_writers[n], work)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
