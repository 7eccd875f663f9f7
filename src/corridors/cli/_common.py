"""Helpers every command shares: the network a command reads and JSON on standard output."""

from __future__ import annotations

from typing import Any

from .._json import dumps_json
from ..model.io import load_network, read_network
from ..model.network import Network

__all__ = ["emit", "network"]


def network(path: str | None) -> Network:
    """The network at ``path`` (a folder or GeoPackage), or the bundled one."""
    return load_network() if path is None else read_network(path)


def emit(obj: Any) -> None:
    """Print ``obj`` as JSON (NaN written as null)."""
    print(dumps_json(obj))
