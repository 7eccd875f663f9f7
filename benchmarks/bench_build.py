"""The network build, phase by phase: time, CPU time and peak memory.

    python benchmarks/bench_build.py [--sizes 100000 1000000] [--no-tracemalloc] [--out FILE]

Phases: ``network`` (``Network.from_geodataframes`` on frames made beforehand, which checks
and coerces them; for the bundled network, ``load_network`` reads its files too),
``topology`` (the expanded graph) and ``weights`` (every component for one cargo). Per phase:
wall and CPU seconds (the machine is shared, so CPU time is the steadier figure), the peak
resident memory of the process during the phase (Linux: the high-water mark ``VmHWM`` is
reset before each phase through ``/proc/self/clear_refs``; it includes the input frames and
the interpreter), and, in a second build under :mod:`tracemalloc`, the peak of memory
allocated by Python and numpy since the build started (inputs excluded). ``benchmarks/run.py``
reports the same figures per input.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corridors as cor
from corridors.engine import topology as graph
from corridors.engine.topology import topology
from corridors.engine.weights import weights

sys.path.insert(0, str(Path(__file__).parent))
import synth  # noqa: E402

GIB = 2.0**30


def _status(field: str) -> float | None:
    """A memory field of /proc/self/status in bytes (None where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1]) * 1024.0
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the process's resident high-water mark (Linux >= 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def measure(
    make: Callable[[], cor.Network], *, trace: bool = True
) -> tuple[cor.Network, dict[str, Any]]:
    """Build a network with ``make`` (the ``network`` phase), then its topology and weights;
    return the network (its topology cached) and the figures of every phase."""
    graph._SHARED.clear()
    gc.collect()
    out: dict[str, Any] = {"rss_inputs_gib": (_status("VmRSS") or float("nan")) / GIB}
    built: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("network", lambda: built.setdefault("net", make())),
        ("topology", lambda: topology(built["net"])),
        ("weights", lambda: weights(built["net"], cor.Cargo())),
    ]
    for name, step in steps:
        resettable = _reset_peak_rss()
        t0, c0 = time.perf_counter(), time.process_time()
        step()
        out[f"{name}_s"] = time.perf_counter() - t0
        out[f"{name}_cpu_s"] = time.process_time() - c0
        peak = _status("VmHWM") if resettable else None
        out[f"rss_{name}_gib"] = (peak or float("nan")) / GIB
    out["build_s"] = sum(out[f"{n}_s"] for n, _ in steps)
    out["build_cpu_s"] = sum(out[f"{n}_cpu_s"] for n, _ in steps)
    out["rss_peak_gib"] = max(out[f"rss_{n}_gib"] for n, _ in steps)
    net = built["net"]
    if trace:
        graph._SHARED.clear()
        gc.collect()
        traced: dict[str, Any] = {}
        tracemalloc.start()
        for name, step in [
            ("network", lambda: traced.setdefault("net", make())),
            ("topology", lambda: topology(traced["net"])),
            ("weights", lambda: weights(traced["net"], cor.Cargo())),
        ]:
            tracemalloc.reset_peak()
            step()
            out[f"traced_{name}_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out["traced_peak_mib"] = max(out[f"traced_{n}_mib"] for n, _ in steps)
        del traced
        graph._SHARED.clear()
        gc.collect()
        topology(net)  # the measured network's topology back in the shared cache
    out["load_average"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return net, out


def markdown(rows: list[dict[str, Any]]) -> str:
    """The build table of ``benchmarks/README.md``."""
    head = (
        "| input | links | network | topology | weights | build (CPU) | peak RSS per phase "
        "(network / topology / weights) | traced peak per phase | load |"
    )
    lines = [head, "|" + "---|" * 9]
    for r in rows:
        traced = (
            f"{r['traced_network_mib']:,.0f} / {r['traced_topology_mib']:,.0f} / "
            f"{r['traced_weights_mib']:,.0f} MiB"
            if "traced_network_mib" in r
            else "-"
        )
        lines.append(
            f"| {r['network']} | {r['links']:,} | {r['network_s']:.2f} s | "
            f"{r['topology_s']:.2f} s | {r['weights_s']:.2f} s | {r['build_s']:.2f} s "
            f"({r['build_cpu_s']:.2f} s) | {r['rss_network_gib']:.2f} / "
            f"{r['rss_topology_gib']:.2f} / {r['rss_weights_gib']:.2f} GiB (inputs "
            f"{r['rss_inputs_gib']:.2f}) | {traced} | {r['load_average']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--bundled", action="store_true", help="add the bundled network")
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = []
    inputs: list[tuple[str, Callable[[], Callable[[], cor.Network]]]] = []
    if args.bundled:
        inputs.append(("pak-russia", lambda: cor.load_network))
    for n in args.sizes:

        def frames_then_network(n: int = n) -> Callable[[], cor.Network]:
            frames = synth.continental_frames(n)
            return lambda: cor.Network.from_geodataframes(**frames)

        inputs.append((f"continental-{n}", frames_then_network))
    for _, prepare in inputs:
        make = prepare()
        net, row = measure(make, trace=not args.no_tracemalloc)
        row = {"network": net.name, "links": len(net.links), **row}
        rows.append({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()})
        print(json.dumps(rows[-1]), flush=True)
        del net, make
        gc.collect()
    print(markdown(rows))
    if args.out is not None:
        args.out.write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == "__main__":
    main()
