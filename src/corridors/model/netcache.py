"""An on-disk cache of the bundled networks as :func:`~corridors.load_network` reads them.

Reading the bundled folder (GeoJSON through pyogrio, CSV and TOML tables) and validating it
takes most of ``load_network()`` (about 80 ms of CPU, several times that on a loaded
machine). The validated network is kept in one pickle file per key, in
``$CORRIDORS_CACHE_DIR`` if set, else the user cache folder (``~/.cache/corridors/networks``
on Linux). The key is a SHA-256 of everything the result depends on: every file of the
network's folder (names and bytes), the folder's path, every ``.py`` file of the corridors
package (the readers and validation), and the versions of Python, numpy, pandas, geopandas,
shapely and pyogrio. A changed file, library or corridors release gives another key, so a
cached network is never stale; an old file is simply not read again.

A file is written atomically (:mod:`corridors._atomic`), and its key is stored in it and
checked on reading: a damaged file is an error naming it (delete it, or load with
``cache=False``), never a silent rebuild. When the folder cannot be written, the network is
returned with a :class:`RuntimeWarning` that names the folder. Only the bundled networks,
whose files ship with the package, are cached; :func:`~corridors.read_network` of a folder
always reads it. The cache holds pickles: point ``$CORRIDORS_CACHE_DIR`` only at a folder
you own.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CorridorsError

if TYPE_CHECKING:
    from .network import Network

__all__ = ["CACHE_ENV", "cache_dir", "network_key", "load_cached"]

#: Environment variable naming the cache folder (shared with the CCH cache).
CACHE_ENV = "CORRIDORS_CACHE_DIR"
FORMAT = 1  # of the cache files; part of the key
_LIBRARIES = ("numpy", "pandas", "geopandas", "shapely", "pyogrio")
_code_hash: str | None = None  # of the package's sources, once per process


def cache_dir() -> Path:
    """``$CORRIDORS_CACHE_DIR`` if set, else the user cache folder (``$XDG_CACHE_HOME`` or
    ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on Windows)
    with ``corridors/networks`` appended."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return base / "corridors" / "networks"


def _package_hash() -> str:
    """SHA-256 of every ``.py`` file of the corridors package (relative name and bytes)."""
    global _code_hash
    if _code_hash is None:
        root = Path(__file__).resolve().parent.parent
        h = hashlib.sha256()
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
        _code_hash = h.hexdigest()
    return _code_hash


def _versions() -> str:
    from importlib import metadata

    out = [platform.python_implementation(), platform.python_version()]
    for name in _LIBRARIES:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} -")
    return "\n".join(out)


def network_key(folder: Path) -> str:
    """The cache key of the network in ``folder``: SHA-256 of the cache format, the
    corridors sources, the library versions, the folder's path and every file in it (name,
    size and bytes; sub-folders are not read by the reader and are left out)."""
    h = hashlib.sha256()
    h.update(f"corridors network cache {FORMAT}\n".encode())
    h.update(_package_hash().encode() + b"\n")
    h.update(_versions().encode() + b"\n")
    h.update(str(folder.resolve()).encode() + b"\n")
    for p in sorted(folder.iterdir()):
        if p.is_file():
            data = p.read_bytes()
            h.update(f"{p.name}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def load_cached(folder: Path, read: Callable[[Path], Network]) -> Network:
    """The network of ``folder`` from the cache, else ``read(folder)`` (then kept).

    Raises
    ------
    CorridorsError
        When the cache file of this key cannot be read back (damaged, or not written by
        this cache): the message names the file to delete.
    """
    key = network_key(folder)
    path = cache_dir() / f"network-{folder.name}-{key[:40]}.pickle"
    if path.is_file():
        return _read(path, key)
    net = read(folder)
    from .._atomic import write_bytes_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, pickle.dumps((key, net), protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as err:
        warnings.warn(
            f"the network cache could not be written to {path.parent} ({err}); the network "
            f"is read from its files each time. Set {CACHE_ENV} to a writable folder, or "
            "load with cache=False",
            RuntimeWarning,
            stacklevel=3,
        )
    return net


def _read(path: Path, key: str) -> Network:
    from .network import Network

    fix = "delete it (it is made again on the next load), or load with cache=False"
    try:
        with path.open("rb") as f:
            stored = pickle.load(f)
    except Exception as err:  # noqa: BLE001 - any failure to unpickle is a damaged file
        raise CorridorsError(
            f"the network cache file {path} cannot be read ({type(err).__name__}: {err}); {fix}"
        ) from err
    ok = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key
    if not ok or not isinstance(stored[1], Network):
        raise CorridorsError(
            f"the network cache file {path} does not hold the network of its key; {fix}"
        )
    return stored[1]
