"""Doctests of the package keep the on-disk caches (CCH structures, bundled networks) in a
temporary $CORRIDORS_CACHE_DIR, not in the user's cache folder (as tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    mp = pytest.MonkeyPatch()
    mp.setenv("CORRIDORS_CACHE_DIR", str(tmp_path_factory.mktemp("corridors-cache")))
    yield None
    mp.undo()
