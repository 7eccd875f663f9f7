"""route_matrix's engines: the per-origin csgraph matrices, exact sums, and the CCH engine
(same distances as csgraph, bit for bit; its structure cached on disk per topology).

The CCH tests skip without the optional ``routingkit-cch`` package (``pip install
corridors[cch]``); the csgraph and exact-sum tests always run.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import corridors as cor
from corridors.engine.cch_skims import default_cache_dir, exact_sums
from corridors.engine.query import make_query
from corridors.engine.topology import LOAD, TRANSFER, on_grid, topology
from corridors.errors import ParameterError
from corridors.routes import skims_cch
from corridors.routes.skims import _csr_with_edges, _Prep, route_matrix

PLACES = ["karachi", "moscow", "tashkent", "gwadar_port", "almaty", "bandar_abbas", "urumqi"]


def same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, width=64),
            st.floats(0, 1e4),
            st.sampled_from([0.0, -0.0, 5e-324, 1e-310, 0.1, 1e300]),
        ),
        max_size=60,
    ),
    st.lists(st.integers(0, 60), max_size=8),
)
def test_exact_sums_equal_fsum(values: list[float], cuts: list[int]) -> None:
    x = np.array(values, dtype=float)
    ptr = np.array([0, *sorted(min(c, len(x)) for c in cuts), len(x)])
    try:
        ref = [math.fsum(x[a:b].tolist()) for a, b in zip(ptr[:-1], ptr[1:])]
    except OverflowError:  # fsum raises on an intermediate overflow: so does exact_sums
        with pytest.raises(OverflowError):
            exact_sums(x, ptr)
        return
    got = exact_sums(x, ptr)
    assert len(got) == len(ref)
    assert all(same_float(g, r) for g, r in zip(got, ref))


@given(
    st.lists(
        st.lists(st.integers(-(2**34), 2**34), min_size=1, max_size=12), min_size=1, max_size=6
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.integers(-1200, 1100),
)
def test_limb_rows_to_floats(rows: list[list[int]], e_min: int) -> None:
    """_to_floats (numpy rounding of the rows that give normal floats, Python integers for
    the others) is each row's integer times 2**e_min correctly rounded, as Python rounds
    it (or OverflowError, as Python)."""
    from corridors.engine.cch_skims import _to_floats

    want: list[float] = []
    try:
        for r in rows:
            acc = sum(limb << (32 * k) for k, limb in enumerate(r))
            want.append(acc / (1 << -e_min) if e_min < 0 else float(acc << e_min))
    except OverflowError:
        with pytest.raises(OverflowError):
            _to_floats(np.array(rows, dtype=np.int64), e_min)
        return
    got = _to_floats(np.array(rows, dtype=np.int64), e_min)
    assert all(same_float(g, w) for g, w in zip(got, want)), (got, want)


@pytest.mark.parametrize("minimize", ["cost_usd", "time_h"])
def test_origin_matrix_equals_a_fresh_one(minimize: str) -> None:
    """The base matrix patched per origin is the matrix built from the origin's own weights
    (on the grid, as route ranks) and mask (as route_matrix built it per origin before)."""
    net = cor.load_network()
    q = make_query(net, PLACES[0], PLACES[1], minimize=minimize)
    prep = _Prep.make(net, q, PLACES, PLACES)
    topo = prep.topo
    solver = prep.solver
    base = prep.base_csr()
    for i, o in enumerate(PLACES):
        oi, og = topo.place_index[o], int(prep.o_gates[i])
        q_o = dataclasses.replace(q, origin=o)
        weight = on_grid(solver.objective(q_o))
        mask = prep.allowed & ((topo.etype != LOAD) | (topo.src == og))
        mask &= (topo.etype != TRANSFER) | (topo.src_place != oi)
        ref, ref_e = _csr_with_edges(topo, weight, mask)
        got, got_e = base.for_origin(
            og, prep.wg, prep.wg_red, prep.origin_transfers(oi), prep.reweighted(oi)
        )
        assert (ref.indptr == got.indptr).all() and (ref.indices == got.indices).all()
        assert (ref.data == got.data).all() and (ref_e == got_e).all()


def test_engine_argument_is_checked() -> None:
    net = cor.load_network()
    with pytest.raises(ParameterError, match="engine"):
        route_matrix(net, ["karachi"], ["moscow"], engine="fast")


def test_auto_is_csgraph_on_a_small_network(monkeypatch: Any) -> None:
    net = cor.load_network()
    called = []
    monkeypatch.setattr(skims_cch, "_cch_paths", lambda *a: called.append(a) or [])
    route_matrix(net, ["karachi"], ["moscow"], engine="auto")
    assert not called


def test_default_cache_dir(monkeypatch: Any, tmp_path: Any) -> None:
    monkeypatch.setenv("CORRIDORS_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CORRIDORS_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    import sys

    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "x" / "corridors" / "cch"


# ---------------------------------------------------------------------------- the CCH engine
def _frames_equal_numbers(a: Any, b: Any, cols: tuple[str, ...]) -> None:
    assert list(a["origin"]) == list(b["origin"])
    assert list(a["destination"]) == list(b["destination"])
    for c in cols:
        for x, y in zip(a[c].tolist(), b[c].tolist()):
            assert same_float(float(x), float(y)), c


@pytest.mark.parametrize("minimize", ["cost_usd", "time_h", "distance_km", "generalized"])
def test_cch_engine_same_distances_as_csgraph(minimize: str, tmp_path: Any) -> None:
    pytest.importorskip("routingkit_cch")
    net = cor.load_network()
    ids = sorted(net.places.index)[::9]
    a = route_matrix(net, ids, ids, minimize=minimize)
    b = route_matrix(net, ids, ids, minimize=minimize, engine="cch", cch_cache=tmp_path)
    _frames_equal_numbers(a, b, ("objective",))
    assert (a["transfers"].isna() == b["transfers"].isna()).all()
    if minimize in ("time_h", "generalized"):  # no ties of equal weight on these objectives
        _frames_equal_numbers(a, b, ("objective", "distance_km", "time_h", "cost_usd"))
        assert (a["transfers"].fillna(-1) == b["transfers"].fillna(-1)).all()
        assert (a["simple"] == b["simple"]).all()


def test_cch_structure_is_cached_on_disk(tmp_path: Any) -> None:
    pytest.importorskip("routingkit_cch")
    net = cor.load_network()
    topo = topology(net)
    topo._static.pop("cch", None)
    route_matrix(net, PLACES, PLACES, engine="cch", cch_cache=tmp_path)
    files = list(tmp_path.glob("cch-*.npz"))
    assert len(files) == 1
    built = topo._static.pop("cch")
    assert "order_s" in built.timings and "load_s" not in built.timings
    df = route_matrix(net, PLACES, PLACES, engine="cch", cch_cache=tmp_path)
    loaded = topo._static["cch"]
    assert "load_s" in loaded.timings and "order_s" not in loaded.timings
    assert (loaded.order == built.order).all()
    assert df["objective"].notna().sum() > 0
    # a damaged file is an error naming it, not a silent rebuild
    topo._static.pop("cch")
    files[0].write_bytes(b"not a cache")
    with pytest.raises(ValueError, match="delete it"):
        route_matrix(net, PLACES, PLACES, engine="cch", cch_cache=tmp_path)
    topo._static.pop("cch", None)


def test_cch_engine_in_memory_only_and_scenarios(tmp_path: Any) -> None:
    pytest.importorskip("routingkit_cch")
    net = cor.load_network()
    topology(net)._static.pop("cch", None)
    a = route_matrix(net, PLACES, PLACES, avoid_countries="IRN")
    b = route_matrix(net, PLACES, PLACES, avoid_countries="IRN", engine="cch", cch_cache=False)
    _frames_equal_numbers(a, b, ("objective",))
    topology(net)._static.pop("cch", None)


def test_cch_engine_without_routingkit(monkeypatch: Any) -> None:
    """Without the optional package the CCH engine orders by its numpy bisection: slower
    to build, same distances."""
    import sys

    monkeypatch.setitem(sys.modules, "routingkit_cch", None)  # as if not installed
    net = cor.load_network()
    topo = topology(net)
    saved = topo._static.pop("cch", None)
    try:
        a = route_matrix(net, PLACES, PLACES, minimize="time_h")
        b = route_matrix(net, PLACES, PLACES, minimize="time_h", engine="cch", cch_cache=False)
        assert topo._static["cch"].key.endswith("-auto")
        _frames_equal_numbers(a, b, ("objective",))
    finally:
        topo._static.pop("cch", None)
        if saved is not None:
            topo._static["cch"] = saved


def test_cch_engine_repeated_and_unreachable_places(tmp_path: Any) -> None:
    """Places given twice, a place with itself, and a mode that leaves pairs without a route."""
    pytest.importorskip("routingkit_cch")
    net = cor.load_network()
    places = ["karachi", "almaty", "karachi", "urumqi"]
    for kw in ({}, {"modes": ["sea"]}, {"modes": ["road"], "minimize": "distance_km"}):
        a = route_matrix(net, places, places[::-1], **kw)
        b = route_matrix(net, places, places[::-1], engine="cch", cch_cache=tmp_path, **kw)
        _frames_equal_numbers(a, b, ("objective",))
        assert (a["simple"].isna() == b["simple"].isna()).all()
        assert (a["transfers"].isna() == b["transfers"].isna()).all()


@given(
    st.lists(
        st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, -0.0, 1e-9, 0.1, 3.0])),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.lists(st.integers(0, 29), max_size=6), min_size=1, max_size=6),
    st.lists(st.tuples(st.integers(0, 5), st.floats(-1e3, 1e3)), max_size=6),
)
def test_shared_sums_equal_fsum(values: list[float], paths: list[list[int]], extra: Any) -> None:
    """Sums per distinct shortcut, then per path, are math.fsum of the path's values."""
    from corridors.engine.cch_skims import Shared, shared_sums

    x = np.array(values)
    n = len(x)
    # distinct "shortcuts": single edges and pairs of edges
    u_edges = np.array([i % n for i in range(2 * n)], dtype=np.int64)
    u_ptr = np.concatenate([np.arange(n + 1), n + 2 * np.arange(1, n // 2 + 1)])
    u_ptr = np.unique(np.append(u_ptr, 2 * n))
    n_u = len(u_ptr) - 1
    arc_u = [u % n_u for p in paths for u in p]
    owner = [k for k, p in enumerate(paths) for _ in p]
    ex = [(k % len(paths), v) for k, v in extra]
    shared = Shared(
        u_edges, u_ptr, np.array(arc_u, dtype=np.int64), np.array(owner, dtype=np.int64)
    )
    got = shared_sums(
        x,
        shared,
        len(paths),
        np.array([k for k, _ in ex], dtype=np.int64),
        np.array([v for _, v in ex], dtype=float),
    )
    if got is None:  # exponents too far apart (subnormals): the caller sums with fsum
        return
    for k in range(len(paths)):
        terms = [
            x[e]
            for u in np.array(arc_u)[np.array(owner) == k]
            for e in u_edges[u_ptr[u] : u_ptr[u + 1]]
        ]
        terms += [v for j, v in ex if j == k]
        assert same_float(got[k], math.fsum(terms))


def test_cch_engine_on_random_networks() -> None:
    """On random networks (the routing properties' generator), every pair's objective is
    the csgraph engine's, bit for bit, and the pairs without a route are the same."""
    pytest.importorskip("routingkit_cch")
    from skims_frames import engine_frames
    from test_routing_properties import SETTINGS, queries

    @SETTINGS
    @given(queries())
    def check(q: Any) -> None:
        a, b = engine_frames(q)
        _frames_equal_numbers(a, b, ("objective",))
        assert (a["transfers"].isna() == b["transfers"].isna()).all()

    check()


def test_cli_skim_engine(capsys: Any, tmp_path: Any) -> None:
    """``corridors skim --engine cch --cch-cache DIR`` gives the csgraph command's numbers."""
    pytest.importorskip("routingkit_cch")
    from corridors.cli.app import main

    argv = ["skim", "--from", "karachi", "almaty", "--to", "moscow", "urumqi", "--format", "csv"]
    assert main(argv) == 0
    a = capsys.readouterr().out
    topology(cor.load_network())._static.pop("cch", None)
    assert main([*argv, "--engine", "cch", "--cch-cache", str(tmp_path)]) == 0
    b = capsys.readouterr().out
    assert list(tmp_path.glob("cch-*.npz"))
    rows_a = [r.split(",")[:3] for r in a.splitlines()]
    rows_b = [r.split(",")[:3] for r in b.splitlines()]
    assert rows_a == rows_b  # origin, destination, objective
