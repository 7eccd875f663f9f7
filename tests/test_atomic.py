"""Every writer of the library is atomic: old content or new content, never a mix, no leftovers.

The kill and full-disk tests run ``tests/write_faults.py`` in a subprocess (it forks the
writers and kills them with SIGKILL, or caps their file size); see that module.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import corridors._atomic as atomic
from corridors import route
from corridors.analysis.scenario import Scenario
from corridors.errors import WriteError
from corridors.model.io import read_network, write_network
from corridors.output.export import write_routes
from corridors.output.tables import write_comparison
from netfactory import build

HERE = Path(__file__).resolve().parent
WRITERS = (
    "scenario_toml",
    "comparison_csv",
    "routes_csv",
    "routes_md",
    "routes_gpkg",
    "network_folder",
    "network_gpkg",
)


def _leftovers(d: Path) -> list[str]:
    return sorted(p.name for p in d.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


def _write(kind: str, path: Path, version: str) -> None:
    net = build("two_corridors")
    if kind == "scenario_toml":
        Scenario(name=f"s{version}").write_toml(path)
    elif kind == "comparison_csv":
        write_comparison(pd.DataFrame({"v": [version] * 3}), path)
    elif kind.startswith("routes_"):
        obj = "time_h" if version == "A" else "distance_km"
        write_routes(route(net, "o", "d", minimize=obj), path)
    else:
        variant = net.copy()
        variant.meta = {**net.meta, "name": f"net {version}"}
        write_network(variant, path)


def _content(p: Path) -> Any:
    if p.is_dir():
        return {f.name: f.read_bytes() for f in sorted(p.iterdir())}
    return p.read_bytes()


SUFFIX = {
    "scenario_toml": ".toml",
    "comparison_csv": ".csv",
    "routes_csv": ".csv",
    "routes_md": ".md",
    "routes_gpkg": ".gpkg",
    "network_folder": "",
    "network_gpkg": ".gpkg",
}


def test_text_write_replaces_the_file_and_leaves_nothing_else(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    atomic.write_text_atomic(f, "old")
    atomic.write_text_atomic(f, "new ü")
    assert f.read_text("utf-8") == "new ü"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


@pytest.mark.parametrize("kind", WRITERS)
def test_a_write_that_fails_midway_keeps_the_old_content(
    tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / f"target{SUFFIX[kind]}"
    _write(kind, target, "A")
    before = _content(target)

    def disk_full(p: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(p))

    monkeypatch.setattr(atomic, "_fsync_file", disk_full)
    with pytest.raises(WriteError, match="no space left") as info:
        _write(kind, target, "B")
    assert isinstance(info.value, OSError) and info.value.errno == errno.ENOSPC
    assert str(target.name) in str(info.value)
    assert _content(target) == before
    assert _leftovers(tmp_path) == []


def test_a_pandas_writer_that_dies_halfway_leaves_the_old_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "c.csv"
    write_comparison(pd.DataFrame({"v": [1, 2, 3]}), target)
    before = target.read_bytes()

    def half(self: pd.DataFrame, path: Any, **kw: Any) -> None:
        Path(path).write_text("v\n1\n")  # half of the new table, then the disk fills up
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half)
    with pytest.raises(WriteError):
        write_comparison(pd.DataFrame({"v": [4, 5, 6, 7]}), target)
    assert target.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_a_network_folder_that_fails_halfway_is_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import corridors.model.io as cio

    folder = tmp_path / "net"
    net = build("two_corridors")
    write_network(net, folder)
    (folder / "build.py").write_text("# kept\n")
    before = _content(folder)

    def boom(*a: Any, **k: Any) -> str:
        raise RuntimeError("simulated crash after some tables were written")

    monkeypatch.setattr(cio, "_sources_md", boom)
    changed = net.copy()
    changed.sources = {"x": "changed source"}
    with pytest.raises(RuntimeError, match="simulated crash"):
        write_network(changed, folder)
    assert _content(folder) == before
    assert _leftovers(tmp_path) == []
    assert len(read_network(folder).links) == len(net.links)


def test_an_interrupt_during_a_write_removes_the_temporary_file(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic.atomic_path(f) as tmp:
            tmp.write_text("half")
            raise KeyboardInterrupt
    assert f.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_a_folder_in_the_way_is_a_write_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(WriteError, match="x.csv: it is a directory"):
        write_comparison(pd.DataFrame({"v": [1]}), tmp_path / "x.csv")
    (tmp_path / "f").write_text("a file")
    with pytest.raises(WriteError, match="a file of that name exists"):
        write_network(build("tiny_line"), tmp_path / "f")
    assert _leftovers(tmp_path) == []


def test_a_read_only_folder_is_a_write_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(WriteError, match="ro"):
            atomic.write_text_atomic(d / "a.txt", "x")
    finally:
        d.chmod(0o700)


def test_leftovers_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".a.txt.tmp-{dead_pid}-0123abcd.txt"
    stale.write_text("half")
    stale_dir = tmp_path / f".a.txt.old-{dead_pid}-0123abcd"
    stale_dir.mkdir()
    live = tmp_path / f".a.txt.tmp-{os.getppid()}-89abcdef.txt"  # a live process's write
    live.write_text("in progress")
    atomic.write_text_atomic(tmp_path / "a.txt", "new")
    assert not stale.exists() and not stale_dir.exists()
    assert live.exists()


def test_a_folder_swap_keeps_the_path_filled(tmp_path: Path) -> None:
    folder = tmp_path / "n"
    write_network(build("tiny_line"), folder)
    with atomic.atomic_folder(folder) as tmp:
        (tmp / "only.txt").write_text("new")
        assert (folder / "places.geojson").exists()  # the old folder until the swap
    assert sorted(p.name for p in folder.iterdir()) == ["only.txt"]
    assert _leftovers(tmp_path) == []


def _faults(mode: str, tmp_path: Path, *extra: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONWARNINGS": "ignore",
    }
    res = subprocess.run(
        [sys.executable, str(HERE / "write_faults.py"), mode, "--work", str(tmp_path), *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert res.returncode == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def test_sigkill_during_a_write_leaves_the_old_or_the_new_content(tmp_path: Path) -> None:
    iterations = int(os.environ.get("CORRIDORS_KILL_ITERATIONS", "3"))
    out = _faults("kill", tmp_path, "--iterations", str(iterations), "--seed", "7")
    assert set(out) == set(WRITERS)
    for kind, r in out.items():
        assert r["bad"] == 0, (kind, r)
        assert r["A"] + r["B"] == iterations, (kind, r)
        assert r["stale_after_next_write"] == [], (kind, r)


def test_a_full_disk_fails_cleanly_and_keeps_the_old_content(tmp_path: Path) -> None:
    out = _faults("full", tmp_path)
    assert set(out) == set(WRITERS)
    for kind, r in out.items():
        assert r == {"exit": "WriteError", "unchanged": True, "temp_left": []}, (kind, r)
