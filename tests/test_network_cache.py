"""The on-disk cache of load_network() (issue 18, corridors.model.netcache): a cached network
is the network its files give; a changed file, however small, is read again (never stale); a
damaged cache file is an error naming it; an unwritable folder warns and still loads."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import corridors as cor
from corridors.errors import CorridorsError
from corridors.model import netcache
from corridors.model.io import bundled_path, read_network


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(netcache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the bundled network's folder (files only, as the reader reads them)."""
    out = tmp_path / "net"
    out.mkdir()
    for p in bundled_path().iterdir():
        if p.is_file():
            shutil.copy2(p, out / p.name)
    return out


def _same(a: cor.Network, b: cor.Network) -> None:
    assert a.fingerprint == b.fingerprint
    assert a.places.equals(b.places) and a.links.equals(b.links)
    assert a.tables.keys() == b.tables.keys()
    assert all(a.tables[k].equals(b.tables[k]) for k in a.tables)
    assert (a.meta, a.sources, a.origin) == (b.meta, b.sources, b.origin)


def test_load_network_is_the_same_network_from_the_cache(cache):
    first = cor.load_network()
    assert len(list(cache.glob("network-pak-russia-*.pickle"))) == 1
    again = cor.load_network()
    assert again is not first
    _same(again, first)
    _same(again, cor.load_network(cache=False))
    r1, r2 = cor.route(first, "Karachi", "Moscow"), cor.route(again, "Karachi", "Moscow")
    assert r1 == r2 and r1.cost_usd == r2.cost_usd


def test_cache_false_writes_nothing(cache):
    cor.load_network(cache=False)
    assert not cache.exists() or not any(cache.iterdir())


def test_a_changed_file_is_read_again(cache, copy):
    before = netcache.load_cached(copy, read_network)
    tariffs = copy / "tariffs.csv"
    text = tariffs.read_text()
    lines = text.splitlines(keepends=True)
    # one digit of one tariff row, the file's size unchanged
    i = next(k for k, line in enumerate(lines[1:], 1) if "0." in line)
    j = lines[i].index("0.") + 2
    digit = lines[i][j]
    lines[i] = lines[i][:j] + ("1" if digit != "1" else "2") + lines[i][j + 1 :]
    tariffs.write_text("".join(lines))
    after = netcache.load_cached(copy, read_network)
    assert len(list(cache.glob("network-net-*.pickle"))) == 2
    _same(after, read_network(copy))
    assert not after.tables["tariffs"].equals(before.tables["tariffs"])


def test_a_damaged_cache_file_is_an_error_naming_it(cache, copy):
    netcache.load_cached(copy, read_network)
    (path,) = cache.glob("network-net-*.pickle")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(CorridorsError, match="cannot be read") as err:
        netcache.load_cached(copy, read_network)
    assert str(path) in str(err.value) and "delete it" in str(err.value)


def test_a_file_of_another_key_is_an_error(cache, copy):
    net = read_network(copy)
    path = cache / f"network-net-{netcache.network_key(copy)[:40]}.pickle"
    cache.mkdir()
    path.write_bytes(pickle.dumps(("another key", net)))
    with pytest.raises(CorridorsError, match="does not hold the network of its key"):
        netcache.load_cached(copy, read_network)


def test_an_unwritable_cache_folder_warns_and_loads(tmp_path, monkeypatch, copy):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    monkeypatch.setenv(netcache.CACHE_ENV, str(blocker / "cache"))
    with pytest.warns(RuntimeWarning, match="could not be written"):
        net = netcache.load_cached(copy, read_network)
    _same(net, read_network(copy))
