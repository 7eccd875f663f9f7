"""Shared fixtures: small named networks built with :mod:`netfactory`.

Each fixture is a validated :class:`corridors.Network` with a full set of parameter tables
(tariffs, speeds, crossings, operations, risk), small enough to check routes by hand:

``tiny_line``
    a - b - c in PAK, two road links (170 km and 300 km).
``gauge_break``
    a --rail 1676--> z (gauge break, transload 36 h / 350 USD) --rail 1435--> b, and a longer
    dual-gauge (1435|1676) detour a -> y -> b.
``border_pair``
    p1 -> p2 (PAK) --road border p2_q2--> q2 -> q1 (AFG); dwell 10 h forward, 30 h reverse.
``two_corridors``
    o (PAK) to d (TKM) west through IRN (o-i1-i2-d) or east through AFG (o-f1-f2-d).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# --import-mode=importlib does not put tests/ on sys.path; the test modules import netfactory.
_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import netfactory  # noqa: E402
from corridors import Network  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _cch_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``route_matrix(engine="cch")`` keeps its structure, and ``load_network()`` the
    bundled networks as read, in ``$CORRIDORS_CACHE_DIR``: the tests write there, not in the
    user's cache folder."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CORRIDORS_CACHE_DIR", str(tmp_path_factory.mktemp("cch-cache")))
    yield None
    mp.undo()


@pytest.fixture
def tiny_line() -> Network:
    return netfactory.build("tiny_line")


@pytest.fixture
def gauge_break() -> Network:
    return netfactory.build("gauge_break")


@pytest.fixture
def border_pair() -> Network:
    return netfactory.build("border_pair")


@pytest.fixture
def two_corridors() -> Network:
    return netfactory.build("two_corridors")


@pytest.fixture(params=sorted(netfactory.SPECS))
def any_fixture_network(request: pytest.FixtureRequest) -> Network:
    """Each named network in turn."""
    return netfactory.build(request.param)
