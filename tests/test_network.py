"""Network construction, validation rules, place lookup, selection by year, info()."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

import corridors as cor
from corridors.errors import AmbiguousPlaceError, CrsError, UnknownPlaceError, ValidationError
from corridors.model.schema import (
    GAUGES_MM,
    LINK_KINDS,
    MODES,
    STATUSES,
    geodesic_km,
    link_is_usable,
    normalize_name,
    parse_gauges,
)
from netfactory import (
    build,
    links_frame,
    make_network,
    places_frame,
    spec_border_pair,
    spec_tiny_line,
    table_frame,
)

# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

PLACES = [
    dict(id="a", name="Alpha", country="PAK", kind="city", lon=67.00, lat=24.90),
    dict(id="b", name="Bravo", country="PAK", kind="junction", lon=68.40, lat=25.40),
    dict(id="c", name="Charlie", country="AFG", kind="city", lon=68.90, lat=27.70),
]
GC_AB = float(geodesic_km(67.00, 24.90, 68.40, 25.40))


def frames(places=None, links=None):
    """Raw (places, links) frames of a small valid network, optionally replaced."""
    places = PLACES if places is None else places
    if links is None:
        links = [
            dict(id="ab", from_id="a", to_id="b", mode="road"),
            dict(id="bc", from_id="b", to_id="c", mode="rail", gauge_mm="1676"),
        ]
    return places_frame(places), links_frame(links, places)


def validation_error(places, links, **tables) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        cor.Network.from_geodataframes(places, links, **tables)
    return info.value


def find(
    err: ValidationError,
    *,
    record: str | None = None,
    field: str | None = None,
    contains: str = "",
    file: str | None = None,
) -> cor.Problem:
    """The one problem matching; fails listing every problem otherwise."""
    hits = [
        p
        for p in err.problems
        if (record is None or p.record == record)
        and (field is None or p.field == field)
        and contains in p.message
        and (file is None or p.file == file)
    ]
    assert hits, f"no problem with record={record!r} field={field!r} {contains!r} in:\n{err}"
    return hits[0]


# --------------------------------------------------------------------------------------------
# construction
# --------------------------------------------------------------------------------------------


def test_make_network_builds_validated_network(tiny_line):
    assert isinstance(tiny_line, cor.Network)
    assert list(tiny_line.places.index) == ["a", "b", "c"]
    assert list(tiny_line.links.index) == ["ab", "bc"]
    assert tiny_line.places.crs.to_epsg() == 4326
    assert repr(tiny_line) == "<Network '<memory>': 3 places, 2 links, 470 km>"
    assert set(tiny_line.tables) == {"tariffs", "speeds", "crossings", "operations", "risk"}


def test_coerced_column_types(tiny_line):
    links = tiny_line.links
    assert links["distance_km"].dtype == np.float64
    assert str(links["year"].dtype) == "Int64"
    assert links["oneway"].dtype == bool
    assert links["gauge_mm"].tolist() == [None, None]  # missing text is None, never NaN
    assert links["year"].iloc[1] is pd.NA


def test_place_and_link_value_objects(tiny_line, gauge_break):
    p = tiny_line.place("a")
    assert p == cor.Place(
        id="a",
        name="Alpha",
        country="PAK",
        kind="city",
        lon=67.0,
        lat=24.9,
        aliases=("Alfa", "Álpha Town"),
        source="test",
    )
    link = tiny_line.link("ab")
    assert (link.from_id, link.to_id, link.distance_km, link.year) == ("a", "b", 170.0, 1990)
    assert link.services == ("road",) and not link.is_border and not link.oneway
    dual = gauge_break.link("ay")
    assert dual.gauge_mm == frozenset({1435, 1676})
    assert dual.services == ("rail-1435", "rail-1676")


def test_unknown_link_is_a_keyerror_naming_close_ids(tiny_line):
    with pytest.raises(KeyError, match="closest ids: ab"):
        tiny_line.link("abx")


def test_graph_has_both_directions_unless_oneway():
    net = make_network(
        PLACES,
        [
            dict(id="ab", from_id="a", to_id="b", mode="road"),
            dict(id="bc", from_id="b", to_id="c", mode="road", oneway=True),
        ],
    )
    g = net.graph
    assert isinstance(g, nx.MultiDiGraph)
    assert set(g.edges(keys=True)) == {("a", "b", "ab"), ("b", "a", "ab"), ("b", "c", "bc")}
    assert g.edges["b", "a", "ab"]["direction"] == "reverse"
    assert g.nodes["c"]["country"] == "AFG"


def test_copy_is_independent(tiny_line):
    other = tiny_line.copy()
    links = other.links
    links.loc["ab", "distance_km"] = 200.0  # edits a copy-on-write view, not the network
    assert tiny_line.links.loc["ab", "distance_km"] == 170.0
    assert other.links.loc["ab", "distance_km"] == 170.0
    assert other.replace(links=links).links.loc["ab", "distance_km"] == 200.0


def test_fixture_networks_are_valid(any_fixture_network):
    net = any_fixture_network
    assert len(net.places) >= 3
    assert all(len(t) >= 0 for t in net.tables.values())
    # every border link has both crossing directions (a validation rule)
    borders = net.links.index[net.links["kind"] == "border"]
    rows = set(zip(net.tables["crossings"]["link_id"], net.tables["crossings"]["direction"]))
    assert all((b, d) in rows for b in borders for d in ("forward", "reverse"))


def test_border_pair_dwell_differs_by_direction(border_pair):
    c = border_pair.tables["crossings"].set_index("direction")
    assert c.loc["forward", "dwell_median_h"] == 10.0
    assert c.loc["reverse", "dwell_median_h"] == 30.0


def test_from_geodataframes_rejects_plain_dataframes():
    places, links = frames()
    with pytest.raises(ValidationError, match="expected a GeoDataFrame"):
        cor.Network.from_geodataframes(pd.DataFrame(places.drop(columns="geometry")), links)


def test_unknown_columns_are_kept():
    places, links = frames()
    links["operator"] = ["PR", "NLC"]
    net = cor.Network.from_geodataframes(places, links)
    assert net.links["operator"].tolist() == ["PR", "NLC"]


def test_unknown_table_name_is_rejected():
    places, links = frames()
    with pytest.raises(ValueError, match="unknown table"):
        cor.model.network.prepare_frames(places, links, {"tolls": pd.DataFrame()})


# --------------------------------------------------------------------------------------------
# validation rules: one test per rule, each naming record and field
# --------------------------------------------------------------------------------------------


def test_missing_place_id():
    places, links = frames()
    places.loc[1, "id"] = None
    err = validation_error(places, links)
    find(err, record="row 2", field="id", contains="required", file="places")


def test_missing_required_column():
    places, links = frames()
    err = validation_error(places, links.drop(columns="distance_km"))
    find(err, record="(all records)", field="distance_km", contains="missing", file="links")


@pytest.mark.parametrize("layer", ["places", "links"])
def test_duplicate_ids(layer):
    places, links = frames()
    df = places if layer == "places" else links
    dup_id = df["id"].iloc[0]
    df.loc[1, "id"] = dup_id
    err = validation_error(places, links)
    p = find(err, record=f"id {dup_id!r}", field="id", contains="duplicate", file=layer)
    assert "rows 1 and 2" in p.message


def test_id_must_be_a_slug():
    places, links = frames()
    places.loc[0, "id"] = "Karachi Port"
    links.loc[0, "from_id"] = "Karachi Port"
    err = validation_error(places, links)
    find(err, record="id 'Karachi Port'", field="id", contains="slug")


@pytest.mark.parametrize("field", ["from_id", "to_id"])
def test_link_naming_unknown_place(field):
    places, links = frames()
    links.loc[0, field] = "bravo"  # close to "b"? no: close-match hint only when similar
    err = validation_error(places, links)
    find(err, record="id 'ab'", field=field, contains="unknown place 'bravo'")


def test_unknown_place_hint_lists_close_ids():
    places = PLACES + [
        dict(
            id="karachi_port", name="Karachi Port", country="PAK", kind="port", lon=66.98, lat=24.84
        )
    ]
    p, links = frames(
        places=places,
        links=[
            dict(
                id="x",
                from_id="karachi_prt",
                to_id="a",
                mode="road",
                distance_km=20.0,
                geometry=shapely.LineString([(66.98, 24.84), (67.0, 24.9)]),
            )
        ],
    )
    err = validation_error(p, links)
    find(err, record="id 'x'", field="from_id", contains="closest place ids: karachi_port")


@pytest.mark.parametrize(
    "field, bad, allowed",
    [
        ("mode", "air", MODES),
        ("kind", "bridge", LINK_KINDS),
        ("status", "open", STATUSES),
    ],
)
def test_unknown_enum_lists_allowed_values(field, bad, allowed):
    places, links = frames()
    links.loc[0, field] = bad
    err = validation_error(places, links)
    p = find(err, record="id 'ab'", field=field, contains=repr(bad))
    assert all(v in p.message for v in allowed), p.message


def test_unknown_place_kind_and_country():
    places, links = frames()
    places.loc[0, "kind"] = "airport"
    places.loc[1, "country"] = "PK"
    err = validation_error(places, links)
    assert "rail_station" in find(err, record="id 'a'", field="kind").message
    find(err, record="id 'b'", field="country", contains="ISO 3166-1 alpha-3")


@pytest.mark.parametrize(
    "value, contains",
    [
        (float("nan"), "required"),
        (None, "required"),
        (0.0, "must be positive"),
        (-5.0, "must be positive"),
        ("far", "expected a number"),
        (float("inf"), "finite"),
    ],
)
def test_bad_distances(value, contains):
    places, links = frames()
    links["distance_km"] = links["distance_km"].astype(object)
    links.loc[0, "distance_km"] = value
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="distance_km", contains=contains)


@pytest.mark.parametrize("factor, ok", [(1.0, True), (0.985, True), (0.975, False), (0.5, False)])
def test_distance_shorter_than_great_circle_tolerance_two_percent(factor, ok):
    places, links = frames(
        links=[dict(id="ab", from_id="a", to_id="b", mode="road", distance_km=GC_AB * factor)]
    )
    if ok:
        cor.Network.from_geodataframes(places, links)
    else:
        err = validation_error(places, links)
        find(err, record="id 'ab'", field="distance_km", contains="shorter than the great-circle")


@pytest.mark.parametrize("shift_deg, ok", [(0.005, True), (0.05, False), (1.0, False)])
def test_geometry_ends_far_from_places(shift_deg, ok):
    line = shapely.LineString([(67.0 + shift_deg, 24.9), (68.4, 25.4)])
    places, links = frames(
        links=[dict(id="ab", from_id="a", to_id="b", mode="road", geometry=line)]
    )
    if ok:
        cor.Network.from_geodataframes(places, links)
    else:
        err = validation_error(places, links)
        p = find(err, record="id 'ab'", field="geometry", contains="km from places")
        assert "'a'" in p.message and "'b'" in p.message


def test_reversed_geometry_says_reverse_it():
    line = shapely.LineString([(68.4, 25.4), (67.0, 24.9)])
    places, links = frames(
        links=[dict(id="ab", from_id="a", to_id="b", mode="road", geometry=line)]
    )
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="geometry", contains="reverse")


@pytest.mark.parametrize(
    "geom, contains",
    [
        (None, "missing geometry"),
        (shapely.Point(67.0, 24.9), "must be LineStrings"),
        (
            shapely.MultiLineString([[(67.0, 24.9), (67.5, 25.0)], [(67.5, 25.0), (68.4, 25.4)]]),
            "line_merge",
        ),
    ],
)
def test_link_geometry_type(geom, contains):
    places, links = frames(
        links=[dict(id="ab", from_id="a", to_id="b", mode="road", geometry=geom)]
    )
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="geometry", contains=contains)


def test_place_geometry_must_be_lonlat_point():
    places, links = frames()
    places.loc[0, "geometry"] = shapely.LineString([(67, 24.9), (67.1, 25)])
    places.loc[2, "geometry"] = shapely.Point(7_500_000.0, 3_000_000.0)
    err = validation_error(places, links)
    find(err, record="id 'a'", field="geometry", contains="must be Points")
    find(err, record="id 'c'", field="geometry", contains="not a (lon, lat)")


def test_no_crs_is_a_crs_error_saying_how_to_fix():
    places, links = frames()
    places = places.set_crs(None, allow_override=True)
    with pytest.raises(CrsError) as info:
        cor.Network.from_geodataframes(places, links)
    p = find(info.value, record="(all records)", field="geometry", file="places")
    assert "no CRS" in p.message and "set_crs(4326)" in p.message and "to_crs(4326)" in p.message
    assert isinstance(info.value, ValidationError) and isinstance(info.value, ValueError)


def test_non_wgs84_crs_is_a_crs_error_saying_how_to_reproject():
    places, links = frames()
    links = links.to_crs(3857)
    with pytest.raises(CrsError) as info:
        cor.Network.from_geodataframes(places, links)
    p = find(info.value, field="geometry", file="links")
    assert "EPSG:3857" in p.message and "to_crs(4326)" in p.message


def test_rail_link_without_gauge_lists_gauges():
    places, links = frames()
    links.loc[1, "gauge_mm"] = None
    err = validation_error(places, links)
    p = find(err, record="id 'bc'", field="gauge_mm", contains="need a gauge")
    assert all(str(g) in p.message for g in GAUGES_MM)


@pytest.mark.parametrize(
    "mode, gauge, contains",
    [
        ("rail", "1000 mm", "is not a gauge"),
        ("rail", "1435|1600", "unknown gauge [1600]"),
        ("road", "1435", "only rail links have a gauge"),
    ],
)
def test_bad_gauges(mode, gauge, contains):
    places, links = frames()
    links.loc[1, "mode"] = mode
    links.loc[1, "gauge_mm"] = gauge
    err = validation_error(places, links)
    find(err, record="id 'bc'", field="gauge_mm", contains=contains)


@pytest.mark.parametrize("layer", ["places", "links"])
def test_records_without_source(layer):
    places, links = frames()
    df = places if layer == "places" else links
    rid = df["id"].iloc[1]
    df.loc[1, "source"] = "  "
    err = validation_error(places, links)
    find(err, record=f"id {rid!r}", field="source", contains="required", file=layer)


def test_table_rows_without_source():
    net_spec = spec_tiny_line()
    tariffs = table_frame(net_spec["tariffs"], "tariffs")
    tariffs.loc[2, "source"] = None
    places, links = frames(net_spec["places"], net_spec["links"])
    err = validation_error(places, links, tariffs=tariffs)
    find(err, record="row 3 (sea, *)", field="source", file="tariffs")


def test_source_ids_must_be_defined_when_sources_given():
    places, links = frames()
    links.loc[0, "source"] = "test; wiki-ml1"
    with pytest.raises(ValidationError) as info:
        cor.Network.from_geodataframes(places, links, sources={"test": "T", "wiki-ml2": "W"})
    p = find(info.value, record="id 'ab'", field="source", contains="'wiki-ml1'")
    assert "did you mean wiki-ml2" in p.message


def test_bad_confidence_lists_levels():
    places, links = frames()
    places.loc[0, "confidence"] = "guess"
    err = validation_error(places, links)
    assert "estimated" in find(err, record="id 'a'", field="confidence").message


def test_planned_link_needs_year_and_year_plausible():
    places, links = frames()
    links.loc[0, "status"] = "planned"
    links["year"] = pd.array([None, 1066], dtype="Int64")
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="year", contains="expected to open")
    find(err, record="id 'bc'", field="year", contains="not a plausible year")


def test_link_from_place_to_itself():
    places, links = frames(
        links=[dict(id="aa", from_id="a", to_id="a", mode="road", distance_km=1.0)]
    )
    err = validation_error(places, links)
    find(err, record="id 'aa'", field="to_id", contains="cannot start and end")


def test_border_link_within_one_country():
    places, links = frames()
    links.loc[0, "kind"] = "border"
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="kind", contains="join two countries")


def test_other_numbers_must_be_positive():
    places, links = frames()
    links["speed_kmh"] = [0.0, 50.0]
    links["time_h"] = [1.0, -1.0]
    links["usd_per_teu_km"] = [-0.1, 1.0]
    err = validation_error(places, links)
    find(err, record="id 'ab'", field="speed_kmh", contains="positive")
    find(err, record="id 'bc'", field="time_h", contains="positive")
    find(err, record="id 'ab'", field="usd_per_teu_km", contains="negative")


@pytest.mark.parametrize(
    "field, value, contains",
    [
        ("year", 2020.5, "whole number"),
        ("year", "soon", "whole number"),
        ("year", 10**30, "out of range"),
        ("oneway", "maybe", "true or false"),
        ("name", ["x"], "expected text"),
        ("distance_km", {"km": 3}, "expected a number"),
        ("distance_km", True, "expected a number"),
    ],
)
def test_values_of_the_wrong_type(field, value, contains):
    places, links = frames()
    df = places if field == "name" else links
    df[field] = df[field].astype(object)
    df.at[0, field] = value
    err = validation_error(places, links)
    find(err, field=field, contains=contains)


def test_duplicate_column_is_reported_not_a_crash():
    places, links = frames()
    links = links.copy()
    links.insert(3, "dup", links["mode"])
    links.columns = [*links.columns[:3], "mode", *links.columns[4:]]
    err = validation_error(places, links)
    find(err, record="(all records)", field="mode", contains="more than once")


def test_crossings_rules():
    spec = spec_border_pair()
    places, links = frames(spec["places"], spec["links"])
    crossings = table_frame(spec["crossings"], "crossings")
    crossings.loc[1, "direction"] = "backward"
    extra = {**spec["crossings"][0], "link_id": "p1_p2", "source": "test"}
    crossings = pd.concat([crossings, pd.DataFrame([extra])], ignore_index=True)
    crossings.loc[0, "dwell_p90_h"] = 1.0
    err = validation_error(places, links, crossings=crossings)
    find(err, field="direction", contains="'backward' is not allowed")
    find(err, record="link 'p2_q2'", field="direction", contains="'reverse'")
    find(err, field="link_id", contains="not a border link")
    find(err, field="dwell_p90_h", contains="below the median")


def test_crossings_unknown_link_and_duplicate_key():
    spec = spec_border_pair()
    places, links = frames(spec["places"], spec["links"])
    crossings = table_frame(spec["crossings"] + [spec["crossings"][0]], "crossings")
    crossings.loc[1, "link_id"] = "p2_q3"
    err = validation_error(places, links, crossings=crossings)
    find(err, field="link_id", contains="closest link ids: p2_q2")
    find(err, field="link_id,direction", contains="duplicate key")


def test_operations_rules():
    spec = spec_tiny_line()
    places, links = frames(spec["places"], spec["links"])
    ops = table_frame(
        spec["operations"]
        + [
            dict(
                place_id="zz",
                from_service="road",
                to_service="rail-1435",
                kind="intermodal",
                time_median_h=1.0,
            ),
            dict(
                place_id="a",
                from_service="rail-999",
                to_service="road",
                kind="teleport",
                time_median_h=5.0,
                time_p90_h=2.0,
            ),
            dict(
                place_id="*",
                from_service="road",
                to_service="*",
                kind="intermodal",
                time_median_h=1.0,
            ),
        ],
        "operations",
    )
    err = validation_error(places, links, operations=ops)
    find(err, field="place_id", contains="unknown place 'zz'")
    find(err, field="from_service", contains="'rail-999' is not a service")
    find(err, field="kind", contains="ferry_terminal")
    find(err, field="time_p90_h", contains="below the median")
    find(err, field="from_service", contains="use '*' for services")


def test_operations_defaults_one_per_kind_are_not_duplicates(tiny_line):
    ops = tiny_line.tables["operations"]
    # ('*','*','*') once per transfer kind, and one terminal row per mode
    assert (ops["place_id"] == "*").sum() == 10


def test_tariffs_speeds_risk_rules():
    spec = spec_tiny_line()
    places, links = frames(spec["places"], spec["links"])
    tariffs = table_frame(
        [
            dict(mode="road", country="Pakistan", usd_per_teu_km=-1.0),
            dict(mode="boat", country="*"),
        ],
        "tariffs",
    )
    speeds = table_frame([dict(mode="road", country="*", speed_kmh=0.0)], "speeds")
    risk = table_frame(
        [
            dict(scope="place", ref="nowhere"),
            dict(scope="link", ref="zz"),
            dict(scope="country", ref="pak", disruption_prob_per_trip=1.5),
            dict(scope="planet", ref="earth"),
        ],
        "risk",
    )
    err = validation_error(places, links, tariffs=tariffs, speeds=speeds, risk=risk)
    find(err, file="tariffs", field="country", contains="ISO3")
    find(err, file="tariffs", field="usd_per_teu_km", contains="negative")
    find(err, file="tariffs", field="mode", contains="'boat'")
    find(err, file="tariffs", field="usd_per_teu_km", contains="at least one of")
    find(err, file="speeds", field="speed_kmh", contains="positive")
    find(err, file="risk", field="ref", contains="unknown place 'nowhere'")
    find(err, file="risk", field="ref", contains="unknown link 'zz'")
    find(err, file="risk", field="ref", contains="ISO3")
    find(err, file="risk", field="disruption_prob_per_trip", contains="at most 1")
    find(err, file="risk", field="scope", contains="'planet'")


def test_several_problems_reported_at_once():
    places, links = frames()
    places.loc[1, "country"] = "pakistan"
    places.loc[2, "source"] = None
    links.loc[0, "mode"] = "air"
    links.loc[0, "distance_km"] = -3.0
    links.loc[1, "gauge_mm"] = None
    links.loc[1, "to_id"] = "nowhere"
    err = validation_error(places, links)
    expected = [
        ("id 'b'", "country"),
        ("id 'c'", "source"),
        ("id 'ab'", "mode"),
        ("id 'ab'", "distance_km"),
        ("id 'bc'", "gauge_mm"),
        ("id 'bc'", "to_id"),
    ]
    for record, field in expected:
        find(err, record=record, field=field)
    assert len(err.problems) >= len(expected)
    text = str(err)
    assert text.startswith(f"{len(err.problems)} problems found in <memory>:")
    assert all(str(p) in text for p in err.problems)


def test_problem_str_names_file_record_field():
    p = cor.Problem("links.geojson", "id 'ab'", "mode", "bad")
    assert str(p) == "links.geojson: id 'ab': mode: bad"
    assert str(cor.Problem("f", "(file)", "", "gone")) == "f: (file): gone"


def test_files_mapping_names_the_file_in_problems():
    places, links = frames()
    links.loc[0, "mode"] = "air"
    with pytest.raises(ValidationError) as info:
        cor.Network.from_geodataframes(places, links, files={"links": "net/links.geojson"})
    find(info.value, file="net/links.geojson", field="mode")


# --------------------------------------------------------------------------------------------
# exception tree
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exc, bases",
    [
        (cor.ValidationError, (cor.CorridorsError, ValueError)),
        (cor.CrsError, (cor.ValidationError, ValueError)),
        (cor.UnknownPlaceError, (cor.CorridorsError, KeyError)),
        (cor.AmbiguousPlaceError, (cor.UnknownPlaceError, KeyError)),
        (cor.ParameterError, (cor.CorridorsError, ValueError)),
        (cor.NoRouteError, (cor.CorridorsError, nx.NetworkXNoPath)),
        (cor.OptionalDependencyError, (cor.CorridorsError, ImportError)),
    ],
)
def test_exception_tree(exc, bases):
    assert all(issubclass(exc, b) for b in bases)


def test_unknown_place_error_str_is_the_message_not_a_repr():
    err = UnknownPlaceError("Krachi", ["Karachi (karachi)"])
    assert str(err) == "unknown place 'Krachi'; closest names: Karachi (karachi)"
    assert "corridors places" in str(UnknownPlaceError("x"))


# --------------------------------------------------------------------------------------------
# place lookup
# --------------------------------------------------------------------------------------------

LOOKUP_PLACES = [
    dict(
        id="anzali_port",
        name="Anzali Port",
        country="IRN",
        kind="port",
        lon=49.47,
        lat=37.47,
        aliases="Bandar-e Anzālī|Enzeli",
    ),
    dict(id="astrakhan", name="Astrakhan", country="RUS", kind="city", lon=48.03, lat=46.35),
    dict(id="astrakhan_port", name="Astrakhan", country="RUS", kind="port", lon=48.00, lat=46.30),
    dict(
        id="olya",
        name="Olya",
        country="RUS",
        kind="port",
        lon=47.83,
        lat=45.78,
        aliases="Port Olya",
    ),
    dict(id="olya_2", name="Olya", country="RUS", kind="rail_station", lon=47.85, lat=45.77),
    dict(
        id="baku",
        name="Bakı",
        country="AZE",
        kind="city",
        lon=49.87,
        lat=40.41,
        aliases="Baku|Alat",
    ),
]


@pytest.fixture
def lookup_net():
    return make_network(
        LOOKUP_PLACES, [dict(id="ab", from_id="astrakhan", to_id="olya", mode="road")]
    )


@pytest.mark.parametrize(
    "query, pid",
    [
        ("anzali_port", "anzali_port"),  # id
        ("Anzali Port", "anzali_port"),  # name
        ("ANZALI port", "anzali_port"),  # case
        ("  anzali   port ", "anzali_port"),  # spaces
        ("Bandar-e Anzālī", "anzali_port"),  # alias, exact
        ("bandar e anzali", "anzali_port"),  # alias without diacritics or hyphen
        ("BANDAR-E-ANZALI", "anzali_port"),
        ("enzeli", "anzali_port"),
        ("Baki", "baku"),  # name with diacritics found without them
        ("Bakı", "baku"),
        ("baku", "baku"),  # id and alias
        ("Astrakhan", "astrakhan"),  # city wins over its port of the same name
        ("port olya", "olya"),
    ],
)
def test_place_lookup(lookup_net, query, pid):
    assert lookup_net.place_id(query) == pid
    assert lookup_net.place(query).id == pid


def test_unknown_place_lists_closest_names(lookup_net):
    with pytest.raises(UnknownPlaceError) as info:
        lookup_net.place("Anzaly Prt")
    err = info.value
    assert isinstance(err, KeyError) and not isinstance(err, AmbiguousPlaceError)
    assert "Anzali Port (anzali_port)" in err.suggestions
    assert "closest names" in str(err) and "Anzali Port (anzali_port)" in str(err)
    assert err.query == "Anzaly Prt"


def test_unknown_place_without_close_names(lookup_net):
    with pytest.raises(KeyError, match="corridors places"):
        lookup_net.place_id("Vladivostok")


@pytest.mark.parametrize("query", ["", "   ", None, 42])
def test_empty_or_non_text_place_query(lookup_net, query):
    with pytest.raises(UnknownPlaceError, match="non-empty name"):
        lookup_net.place_id(query)


def test_ambiguous_place_name(lookup_net, border_pair):
    with pytest.raises(AmbiguousPlaceError) as info:
        lookup_net.place_id("OLYA")  # port and station, neither a city
    assert info.value.candidates == ["olya", "olya_2"]
    assert "olya, olya_2" in str(info.value) and isinstance(info.value, KeyError)
    with pytest.raises(AmbiguousPlaceError, match="p2, q2"):
        border_pair.place("Torkham")


def test_normalize_name():
    assert normalize_name("  Bandar-e Anzālī ") == "bandar e anzali"
    assert normalize_name("Türkmenbaşy_Port") == "turkmenbasy port"
    assert normalize_name("ŁÓDŹ") == normalize_name("łódź") == "lodz"


def test_parse_gauges():
    assert parse_gauges("1435|1520") == {1435, 1520}
    assert parse_gauges(" 1676 ") == {1676}
    assert parse_gauges(None) == frozenset() and parse_gauges(float("nan")) == frozenset()
    with pytest.raises(ValueError):
        parse_gauges("1435.5")


# --------------------------------------------------------------------------------------------
# usability and selection by year
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, year_open, year, usable",
    [
        ("operational", None, None, True),
        ("operational", 2000, None, True),
        (
            "operational",
            2030,
            None,
            True,
        ),  # year=None means "as in the data": operational is usable
        ("operational", None, 1900, True),  # unknown age: assumed always there
        ("operational", 2000, 1999, False),
        ("operational", 2000, 2000, True),
        ("operational", math.nan, 2020, True),
        ("operational", pd.NA, 2020, True),
        ("under_construction", 2027, None, False),
        ("under_construction", 2027, 2026, False),
        ("under_construction", 2027, 2027, True),
        ("under_construction", None, 2100, False),
        ("planned", 2030, None, False),
        ("planned", 2030, 2029, False),
        ("planned", 2030, 2035, True),
        ("planned", None, 2100, False),
        ("closed", None, None, False),
        ("closed", 1990, 2020, False),
        ("closed", 1990, 1980, False),
        ("bogus", 2000, 2020, False),
    ],
)
def test_link_is_usable(status, year_open, year, usable):
    assert link_is_usable(status, year_open, year) is usable


@pytest.fixture
def timeline_net():
    links = [
        dict(id="op", from_id="a", to_id="b", mode="road"),
        dict(id="op2000", from_id="a", to_id="b", mode="road", year=2000),
        dict(
            id="uc2027", from_id="b", to_id="c", mode="road", status="under_construction", year=2027
        ),
        dict(id="pl2030", from_id="a", to_id="c", mode="road", status="planned", year=2030),
        dict(id="cl", from_id="a", to_id="c", mode="road", status="closed", year=1980),
    ]
    return make_network(PLACES, links)


@pytest.mark.parametrize(
    "year, expected",
    [
        (None, ["op", "op2000"]),
        (1995, ["op"]),
        (2026, ["op", "op2000"]),
        (2027, ["op", "op2000", "uc2027"]),
        (2031, ["op", "op2000", "uc2027", "pl2030"]),
    ],
)
def test_select_year(timeline_net, year, expected):
    sel = timeline_net.select(year=year)
    assert list(sel.links.index) == expected
    assert list(sel.places.index) == ["a", "b", "c"]  # all places kept
    assert sorted(k for _, _, k in sel.graph.edges(keys=True)) == sorted(expected * 2)
    assert timeline_net.usable(year).tolist() == [
        lid in expected for lid in timeline_net.links.index
    ]
    assert len(timeline_net.links) == 5  # the original is unchanged


def test_select_keeps_tables_and_meta(tiny_line):
    sel = tiny_line.select(year=2024)
    assert set(sel.tables) == set(tiny_line.tables) and sel.meta == tiny_line.meta


def test_select_is_keyword_only(timeline_net):
    with pytest.raises(TypeError):
        timeline_net.select(2020)


# --------------------------------------------------------------------------------------------
# info
# --------------------------------------------------------------------------------------------


def test_info_counts(border_pair):
    info = border_pair.info()
    km = border_pair.links["distance_km"]
    assert info["name"] == "<memory>"
    assert (info["places"], info["links"], info["border_crossings"]) == (4, 3, 1)
    assert info["total_km"] == round(float(km.sum()), 1)
    assert info["places_by_country"] == {"AFG": 2, "PAK": 2}
    assert info["places_by_kind"] == {"border_post": 2, "city": 2}
    assert info["links_by_mode"] == {"road": {"links": 3, "km": round(float(km.sum()), 1)}}
    assert info["links_by_kind"]["border"] == {"links": 1, "km": 3.0}
    assert info["links_by_kind"]["line"]["links"] == 2
    assert set(info["links_by_country"]) == {"AFG", "PAK", "border"}
    assert info["links_by_status"] == {"operational": {"links": 3, "km": info["total_km"]}}
    assert info["tables"] == {
        "tariffs": 6,
        "speeds": 6,
        "crossings": 2,
        "operations": 10,
        "risk": 2,
    }
    assert info["sources"] == 0


def test_info_link_between_countries_not_a_border():
    net = make_network(
        PLACES, [dict(id="bc", from_id="b", to_id="c", mode="road")], meta={"name": "demo"}
    )
    info = net.info()
    assert info["name"] == "demo" and net.name == "demo"
    assert info["links_by_country"] == {
        "PAK-AFG": {"links": 1, "km": round(net.links["distance_km"].iloc[0], 1)}
    }
    assert info["tables"] == {}


def test_info_by_status(timeline_net):
    info = timeline_net.info()
    assert {k: v["links"] for k, v in info["links_by_status"].items()} == {
        "closed": 1,
        "operational": 2,
        "planned": 1,
        "under_construction": 1,
    }


def test_build_with_changes():
    spec = spec_tiny_line()
    net = build("tiny_line", links=spec["links"][:1])
    assert list(net.links.index) == ["ab"]
