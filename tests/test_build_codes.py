"""The 10^6-link build works on codes (place, country and link indexes) instead of one Python
object per edge; each coded path must give exactly what the per-edge path gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corridors as cor
from corridors.costs.risk import edge_risk_coded, edge_risk_usd
from corridors.engine.topology import LOAD, Topology, topology


def _risk_per_edge_text(
    net: cor.Network, topo: Topology, cargo: cor.Cargo, sanctions: object
) -> tuple[np.ndarray, np.ndarray]:
    """The per-edge text inputs of :func:`edge_risk_usd` (what the engine passed before)."""
    pc = topo.place_country
    sp, dp = topo.src_place, topo.dst_place
    countries = [pc[a] if pc[a] == pc[b] else f"{pc[a]}-{pc[b]}" for a, b in zip(sp, dp)]
    ids = [*topo.link_ids, None]
    passages = [*topo.link_passages, ()]
    return edge_risk_usd(
        net,
        cargo,
        countries=countries,
        places_from=[topo.place_ids[p] for p in sp],
        places_to=[topo.place_ids[p] for p in dp],
        link_ids=[ids[li] for li in topo.elink],
        passages=[passages[li] for li in topo.elink],
        starts=(topo.etype == LOAD).tolist(),
        sanctions=sanctions,  # type: ignore[arg-type]
    )


def _coded(
    net: cor.Network, topo: Topology, cargo: cor.Cargo, sanctions: object
) -> tuple[np.ndarray, np.ndarray]:
    return edge_risk_coded(
        net,
        cargo,
        place_ids=topo.place_ids,
        place_country=topo.place_country,
        link_ids=topo.link_ids,
        link_passages=topo.link_passages,
        src_place=topo.src_place,
        dst_place=topo.dst_place,
        elink=topo.elink,
        starts=topo.etype == LOAD,
        sanctions=sanctions,  # type: ignore[arg-type]
    )


POLICIES = ["ignore", "surcharge", "avoid", {"US": "surcharge", "*:RUS": "avoid"}]


@pytest.mark.parametrize("sanctions", POLICIES)
@pytest.mark.parametrize("cargo", [cor.Cargo(), cor.Cargo.bulk(25.0)])
def test_edge_risk_coded_equals_per_edge_text_bundled(sanctions: object, cargo: cor.Cargo) -> None:
    net = cor.load_network()
    topo = topology(net)
    d0, u0 = _risk_per_edge_text(net, topo, cargo, sanctions)
    d1, u1 = _coded(net, topo, cargo, sanctions)
    assert d1.tobytes() == d0.tobytes()
    assert u1.tobytes() == u0.tobytes()
    assert (u1 > 0).any() and (d1 > 0).any()


@pytest.mark.parametrize("seed", range(4))
def test_edge_risk_coded_equals_per_edge_text_random_tables(seed: int) -> None:
    """Random subsets of the bundled risk rows (each scope alone, mixed, or none)."""
    net = cor.load_network()
    table = net.tables["risk"]
    rng = np.random.default_rng(seed)
    keep = rng.uniform(size=len(table)) < rng.uniform(0.1, 0.9)
    if seed == 0:
        keep[:] = False
    sub = net.replace(risk=table[keep].reset_index(drop=True))
    topo = topology(sub)
    for sanctions in POLICIES:
        d0, u0 = _risk_per_edge_text(sub, topo, cor.Cargo(), sanctions)
        d1, u1 = _coded(sub, topo, cor.Cargo(), sanctions)
        assert d1.tobytes() == d0.tobytes()
        assert u1.tobytes() == u0.tobytes()


def test_edge_risk_coded_rejects_unequal_lengths() -> None:
    net = cor.load_network()
    with pytest.raises(cor.ParameterError, match="one length per edge"):
        edge_risk_coded(
            net,
            cor.Cargo(),
            place_ids=[],
            place_country=[],
            link_ids=[],
            link_passages=[],
            src_place=np.zeros(2, dtype=np.int64),
            dst_place=np.zeros(1, dtype=np.int64),
            elink=np.zeros(2, dtype=np.int64),
            starts=np.zeros(2, dtype=bool),
        )


def test_risk_rows_targets_of_place_and_link_rows() -> None:
    """risk_rows looks place and link rows up in the frames' indexes."""
    net = cor.load_network()
    from corridors.costs.risk import risk_rows

    rows = risk_rows(net)
    places = net.places
    links = net.links
    for (scope, ref), row in rows.items():
        if scope == "place":
            assert row.target == str(places.at[ref, "country"])
        elif scope == "link" and ref in links.index:
            assert row.target == str(places.at[links.at[ref, "from_id"], "country"])


_CELLS = st.one_of(
    st.text(alphabet=" \tab\u00a0\u2003", max_size=4),
    st.sampled_from([None, float("nan"), np.float64("nan"), pd.NA, pd.NaT, 3, 2.5]),
    st.sampled_from([np.str_(" q "), np.str_("r"), np.float32("nan"), ["x"]]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELLS, max_size=12), st.booleans())
def test_text_column_fast_path_equals_cell_wise(cells: list[object], only_text: bool) -> None:
    """coerce's whole-column text path gives the cell-wise values, types, missing flags and
    errors (or declines the column)."""
    from corridors.model import coerce

    if only_text:
        cells = [c for c in cells if isinstance(c, str) or c is None]
    col = pd.Series(cells, dtype=object)
    fast = coerce._convert_column(col, "str", col.index)
    saved = coerce._text_column
    try:
        coerce._text_column = lambda values: None  # type: ignore[assignment]
        slow = coerce._convert_column(col, "str", col.index)
    finally:
        coerce._text_column = saved  # type: ignore[assignment]
    assert [(type(v), v) for v in fast[0]] == [(type(v), v) for v in slow[0]]
    assert fast[1].tolist() == slow[1].tolist()
    assert fast[2] == slow[2]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", " ", None, pd.NA, float("nan"), 1]), max_size=15),
    st.sampled_from(["str", "object"]),
)
def test_rows_where_by_distinct_values_equals_per_row(cells: list[object], dtype: str) -> None:
    """_rows_where (per distinct value, missing values grouped, factorization cached) gives
    what testing every row gives."""
    from corridors.model.validation_common import _rows_where

    if dtype == "str":
        cells = [c for c in cells if isinstance(c, str) or c is None]
    s = pd.Series(cells, dtype=dtype, name="col")
    seen: list[object] = []

    def test(v: object) -> bool:
        seen.append(v)
        return v is None or v is pd.NA or (isinstance(v, str) and v.strip() == "")

    cache: dict[object, tuple[np.ndarray, object]] = {}
    first = _rows_where(s, test, cache)
    again = _rows_where(s, lambda v: not test(v), cache)
    expected = [test(v) for v in s.to_numpy(dtype=object)]
    assert first.tolist() == expected
    assert again.tolist() == [not e for e in expected]


def test_nodes_at_lists_each_place_nodes_as_node_of() -> None:
    net = cor.load_network()
    topo = topology(net)
    by_place: dict[str, set[int]] = {}
    for (pid, _svc), v in topo.node_of.items():
        by_place.setdefault(pid, set()).add(v)
    for i, pid in enumerate(topo.place_ids):
        assert set(topo.nodes_at(i)) == by_place[pid]
        assert all(topo.node_of[(pid, topo.node_service[v])] == v for v in topo.nodes_at(i))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=40), st.integers(61, 5_000_000))
def test_sorted_unique_equals_numpy_unique(keys: list[int], bound: int) -> None:
    from corridors.model.codes import sorted_unique as _sorted_unique

    arr = np.array(keys, dtype=np.int64)
    assert _sorted_unique(arr, bound).tolist() == np.unique(arr).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 70), max_size=5), min_size=1, max_size=12))
def test_place_signatures_equal_per_place_tuples(sets: list[set[int]]) -> None:
    """Each place's code stands for its sorted service ranks (bit sums or, beyond 52
    services, tuples)."""
    from corridors.model.codes import set_codes as _place_signatures

    place = np.array([i for i, s in enumerate(sets) for _ in s], dtype=np.int64)
    rank = np.array([r for s in sets for r in sorted(s)], dtype=np.int64)
    code, sigs = _place_signatures(len(sets), place, rank)
    assert [sigs[c] for c in code] == [tuple(sorted(s)) for s in sets]
    assert len(set(sigs)) == len(sigs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a|b", " a ", "", None, float("nan"), pd.NA]), max_size=12))
def test_per_value_equals_per_cell(cells: list[object]) -> None:
    from corridors.model.codes import per_value as _per_value
    from corridors.model.schema import split_list

    col = pd.Series(cells, dtype=object)
    assert _per_value(col, lambda v: tuple(split_list(v))) == [tuple(split_list(v)) for v in cells]
    assert _per_value(col, str) == [str(v) for v in cells]


def test_scheduled_services_by_row_equals_the_list() -> None:
    from corridors.engine.services import _scheduled_services, scheduled_services

    net = cor.load_network()
    full, info = scheduled_services(net)
    sparse, info2 = _scheduled_services(net)
    assert sorted(info) == sorted(info2) and sparse
    assert full == [sparse.get(i, ()) for i in range(len(full))]


@pytest.mark.parametrize("kind", ["float", "int", "bool", "str"])
@pytest.mark.parametrize("n", [0, 3])
def test_empty_column_equals_typed_column_of_nones(kind: str, n: int) -> None:
    from corridors.model.coerce import _empty_column, _typed_column

    index = pd.RangeIndex(n)
    pd.testing.assert_series_equal(
        _empty_column(n, kind, index), _typed_column([None] * n, kind, index)
    )


def test_edge_mode_and_country_codes_spell_the_per_edge_texts() -> None:
    """emode and ecountry, made from integer codes, are the per-edge texts they stood for."""
    net = cor.load_network()
    topo = topology(net)
    links = net.links
    mode = links["mode"].tolist()
    from_place = [topo.place_index[p] for p in links["from_id"]]
    words = {1: "transfer", 2: "load", 3: "unload"}
    for e in range(topo.n_edges):
        li = int(topo.elink[e])
        place = int(topo.node_place[topo.src[e]])
        if li >= 0:
            water = mode[li] in ("sea", "ferry")
            assert topo.emode[e] == mode[li]
            assert topo.ecountry[e] == ("*" if water else topo.place_country[from_place[li]])
        else:
            assert topo.emode[e] == words[int(topo.etype[e])]
            assert topo.ecountry[e] == topo.place_country[place]
    assert not topo.emode.flags.writeable


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(alphabet="ab0_-\n A", max_size=4), st.integers(0, 3)),
        max_size=8,
    )
)
def test_all_slugs_only_when_every_id_matches(ids: list[object]) -> None:
    """_all_slugs (joined text) says yes only when the regular expression accepts every id."""
    from corridors.model.validation_common import _ID_RE, _all_slugs

    if _all_slugs(ids):
        assert all(v is None or (isinstance(v, str) and _ID_RE.match(v)) for v in ids)
    if all(v is None or (isinstance(v, str) and _ID_RE.fullmatch(v)) for v in ids):
        assert _all_slugs(ids)  # slugs never go id by id


@pytest.mark.parametrize(
    "ids", [["a", "b", "c"], ["a", None, "c"], ["a", "b", "a"], [], ["x"] * 3, [None]]
)
def test_link_rows_behave_as_the_dict(ids: list[str | None]) -> None:
    from corridors.model.validation_tables import _link_rows

    rows = _link_rows(ids)
    expected = {lid: i for i, lid in enumerate(ids) if lid is not None}
    for key in ["a", "b", "c", "x", "zz"]:
        assert (key in rows) == (key in expected)
        if key in expected:
            assert rows[key] == expected[key]
    assert list(rows) == list(expected)
    assert None not in rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet=" \tab\u2003", max_size=4)), max_size=12))
def test_text_column_of_pandas_strings_equals_cell_wise(cells: list[str | None]) -> None:
    """A pandas ``str`` column (pyarrow or python storage) converted once per distinct text
    gives the cell-wise values, missing flags and errors."""
    from corridors.model import coerce

    col = pd.Series(cells, dtype="str")
    fast = coerce._convert_column(col, "str", col.index)
    saved = coerce._text_column
    try:
        coerce._text_column = lambda values: None  # type: ignore[assignment]
        slow = coerce._convert_column(col, "str", col.index)
    finally:
        coerce._text_column = saved  # type: ignore[assignment]
    assert [(type(v), v) for v in fast[0]] == [(type(v), v) for v in slow[0]]
    assert fast[1].tolist() == slow[1].tolist()
    assert fast[2] == slow[2]


def test_edge_texts_read_like_lists_and_pickle() -> None:
    import pickle

    from corridors.engine.weights import EdgeRules, EdgeTexts, weights

    texts = EdgeTexts(4)
    texts[1] = "transload"
    texts[2] = None
    texts.code[3] = texts.code_of("transload")
    assert texts.tolist() == [None, "transload", None, "transload"] and len(texts.texts) == 2
    rules = EdgeRules(3, np.array([-1, 0, -1]), ["ab"])
    rules[0] = "operations row 3"
    assert list(rules) == ["operations row 3", "link 'ab'", None]
    w = weights(cor.load_network(), cor.Cargo())
    back = pickle.loads(pickle.dumps(w))
    assert back.rule.tolist() == w.rule.tolist()
    assert back.transfer_kind.tolist() == w.transfer_kind.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(-180, 180),
            st.floats(-89.9, 89.9),
            st.floats(-180, 180),
            st.floats(-89.9, 89.9),
            st.floats(0.9, 1.1),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_short_links_flagged_as_by_the_exact_geodesic(
    rows: list[tuple[float, float, float, float, float]],
) -> None:
    """The geodesic is computed only where a spherical bound cannot tell, and the links found
    shorter than it are those the exact geodesic finds."""
    import geopandas as gpd
    import shapely

    from corridors.model.schema import DISTANCE_TOLERANCE, geodesic_km
    from corridors.model.validation_links import _link_geometry_checks

    a = np.array([(r[0], r[1]) for r in rows])
    b = np.array([(r[2], r[3]) for r in rows])
    exact = geodesic_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    km = exact * np.array([r[4] for r in rows])
    ids = [f"p{i}" for i in range(2 * len(rows))]
    xy = pd.DataFrame({"x": [*a[:, 0], *b[:, 0]], "y": [*a[:, 1], *b[:, 1]]}, index=ids)
    links = gpd.GeoDataFrame(
        {
            "from_id": ids[: len(rows)],
            "to_id": ids[len(rows) :],
            "distance_km": km,
        },
        geometry=shapely.linestrings(np.stack([a, b], axis=1)),
        crs=4326,
    )
    geo = _link_geometry_checks(links, xy)
    short = (km > 0) & (km < geo["gc"] * (1 - DISTANCE_TOLERANCE))
    assert short.tolist() == ((km > 0) & (km < exact * (1 - DISTANCE_TOLERANCE))).tolist()
    computed = ~np.isnan(geo["gc"])
    assert np.array_equal(geo["gc"][computed], exact[computed])


def test_topology_from_validated_link_ends_equals_a_fresh_lookup() -> None:
    """A network built from validated frames hands the link ends' place rows to its first
    topology; the same frames without them (Network(...) directly) give the same graph."""
    from corridors.engine import topology as graph

    net = cor.load_network()
    assert "link_end_rows" in net._cache["validated"]
    plain = cor.Network(net._places, net._links, net._tables, meta=net.meta, origin="plain")
    graph._SHARED.clear()
    a = topology(net)
    graph._SHARED.clear()
    b = topology(plain)
    graph._SHARED.clear()
    for name in ("src", "dst", "elink", "etype", "node_place", "gate_of"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.node_service == b.node_service
