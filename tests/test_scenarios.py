"""Scenarios: TOML files, apply (never mutating the base), compare and its writers, the CLI.

Oracles: the comparison's numbers are those of :func:`corridors.route` called directly on the
scenario's network with its keywords; multipliers are checked leg by leg against the base
network's route; executors give the serial frame exactly.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import pickle
import tomllib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors as cor
import netfactory
from corridors import Network, ParameterError, ValidationError
from corridors.analysis.compare import COMPARISON_COLUMNS, compare
from corridors.analysis.scenario import Scenario, load_scenarios
from corridors.analysis.scenario_parts import Closure, Multiplier, RiskChange
from corridors.cli.compare import add_cli, run_cli
from corridors.output.tables import comparison_markdown, write_comparison

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
FILES = sorted(EXAMPLES.glob("*.toml"))
FLAGSHIP = EXAMPLES / "trans_iranian_vs_trans_afghan.toml"


@pytest.fixture(scope="module")
def bundled() -> Network:
    return cor.load_network()


def _frames(net: Network) -> dict[str, pd.DataFrame]:
    out = {"places": pd.DataFrame(net.places).copy(), "links": pd.DataFrame(net.links).copy()}
    out.update({k: v.copy() for k, v in net.tables.items()})
    return out


def _assert_unchanged(net: Network, before: dict[str, pd.DataFrame], fp: str) -> None:
    assert net.fingerprint == fp
    after = _frames(net)
    assert set(after) == set(before)
    for k in before:
        pd.testing.assert_frame_equal(after[k], before[k])


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def test_example_files_exist() -> None:
    names = {p.name for p in FILES}
    assert {
        "trans_iranian_vs_trans_afghan.toml",
        "torkham_closure.toml",
        "iran_sanctions_tightened.toml",
        "gwadar_vs_chabahar.toml",
        "instc_vs_suez.toml",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_example_loads_applies_and_runs(path: Path, bundled: Network) -> None:
    before, fp = _frames(bundled), bundled.fingerprint
    scens = load_scenarios(path, net=bundled)
    assert scens and all(s.od for s in scens)
    for s in scens:
        new = s.apply(bundled)
        assert isinstance(new, Network)
    df = compare(bundled, scens)
    assert list(df.columns) == list(COMPARISON_COLUMNS)
    assert set(df["scenario"]) == {s.name for s in scens}
    assert (df["status"] == "ok").any()
    _assert_unchanged(bundled, before, fp)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_to_toml_round_trip(path: Path, tmp_path: Path) -> None:
    for s in load_scenarios(path):
        back = tmp_path / "back.toml"
        s.write_toml(back)
        again = Scenario.from_toml(back)
        assert again == s
        assert again.to_toml() == s.to_toml()


def test_single_scenario_file_and_baseline(tmp_path: Path) -> None:
    s = Scenario.from_toml(EXAMPLES / "torkham_closure.toml")
    assert s.name == "torkham-closed-30d"
    assert s.closures == (
        Closure("crossing", "Torkham", 30.0, s.closures[0].start, s.closures[0].notes),
    )
    assert str(s.closures[0].start) == "2025-10-12"
    assert not s.closures[0].whole_scenario
    b = Scenario.baseline()
    assert b.name == "baseline" and b.route_kwargs() == {}
    assert Scenario.from_toml(b.write_toml(tmp_path / "b.toml")) == b


def test_multi_scenario_file_needs_load_scenarios() -> None:
    with pytest.raises(ValidationError, match="load_scenarios"):
        Scenario.from_toml(FLAGSHIP)


def test_shared_keys_and_override(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    p.write_text(
        'od = [["Karachi", "Moscow"]]\nk = 2\n[[scenario]]\nname = "a"\n'
        '[[scenario]]\nname = "b"\nk = 1\nod = [{origin = "Karachi", '
        'destination = "Tashkent"}]\n',
        encoding="utf-8",
    )
    a, b = load_scenarios(p)
    assert a.od == (("Karachi", "Moscow"),) and a.k == 2
    assert b.od == (("Karachi", "Tashkent"),) and b.k == 1


def test_departure_key_reaches_route_and_compare(tmp_path: Path, bundled: Network) -> None:
    """A shared ``departure`` that a scenario overrides; compare routes as route() does."""
    p = tmp_path / "s.toml"
    p.write_text(
        'od = [["Karachi", "Tashkent"]]\ndeparture = "random"\n[[scenario]]\nname = "walk-in"\n'
        '[[scenario]]\nname = "booked"\ndeparture = "booked"\n',
        encoding="utf-8",
    )
    walk_in, booked = load_scenarios(p)
    assert walk_in.departure == "random" and booked.departure == "booked"
    assert walk_in.route_kwargs()["departure"] == "random"
    assert Scenario.from_toml(walk_in.write_toml(tmp_path / "w.toml")) == walk_in
    df = compare(bundled, [walk_in, booked], minimize="time_h")
    for scen in (walk_in, booked):
        r = cor.route(bundled, "Karachi", "Tashkent", minimize="time_h", departure=scen.departure)
        row = df[df["scenario"] == scen.name].iloc[0]
        assert row["time_h"] == pytest.approx(r.time_h)
    assert Scenario.baseline().route_kwargs() == {}


def test_bad_departure_names_file_and_key(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text('name = "x"\ndeparture = "whenever"\n', encoding="utf-8")
    with pytest.raises(ValidationError, match="departure") as exc:
        Scenario.from_toml(p)
    assert "bad.toml" in str(exc.value) and "booked, random" in str(exc.value)
    with pytest.raises(ValidationError, match="departure"):
        Scenario(name="x", departure="sometime")


# --------------------------------------------------------------------------------------------
# apply
# --------------------------------------------------------------------------------------------


def test_closures_by_kind(bundled: Network) -> None:
    links = bundled.links
    s = Scenario(
        name="c",
        closures=(
            Closure("crossing", "Torkham"),
            Closure("passage", "suez"),
            Closure("country", "AZE"),
            Closure("link", "rail_taftan_mirjaveh"),
        ),
    )
    new = s.apply(bundled)
    closed = set(new.links.index[new.links["status"] == "closed"])
    was = set(links.index[links["status"] == "closed"])
    torkham = {lid for lid in links.index if "torkham_pak_torkham_afg" in lid}
    suez = {
        lid
        for lid, p in zip(links.index, links["passages"])
        if isinstance(p, str) and "suez" in p.split("|")
    }
    aze = set(bundled.places.index[bundled.places["country"] == "AZE"])
    touching = set(links.index[links["from_id"].isin(aze) | links["to_id"].isin(aze)])
    assert torkham and suez and touching
    assert closed == was | torkham | suez | touching | {"rail_taftan_mirjaveh"}
    assert (bundled.links["status"] == links["status"]).all()


def test_place_closure_closes_every_link_touching_it(border_pair: Network) -> None:
    new = Scenario(name="p", closures=(Closure("place", "Torkham"),)).apply(border_pair)
    st_ = new.links["status"].to_dict()
    assert st_ == {"p1_p2": "closed", "p2_q2": "closed", "q2_q1": "closed"}
    with pytest.raises(cor.NoRouteError):
        cor.route(new, "p1", "q1")


def test_no_change_returns_the_network(two_corridors: Network) -> None:
    assert Scenario.baseline().apply(two_corridors) is two_corridors


def test_tariff_and_dwell_multipliers_by_country(two_corridors: Network) -> None:
    base = cor.route(two_corridors, "o", "d", avoid_countries=["AFG"])
    s = Scenario(
        name="irn", multipliers=(Multiplier(mode="road", country="IRN", tariff=2.0, dwell=3.0),)
    )
    new = s.apply(two_corridors)
    t = new.tables["tariffs"]
    assert ((t["mode"] == "road") & (t["country"] == "IRN")).sum() == 1
    r = cor.route(new, "o", "d", avoid_countries=["AFG"])
    assert [leg.link_id for leg in r.steps] == [leg.link_id for leg in base.steps]
    for a, b in zip(base.steps, r.steps):
        src_irn = a.country.split("-")[0] == "IRN"
        assert b.running_cost_usd == pytest.approx(a.running_cost_usd * (2.0 if src_irn else 1.0))
        touches_irn = "IRN" in a.country.split("-")
        assert b.dwell_h == pytest.approx(a.dwell_h * (3.0 if touches_irn else 1.0))
        assert b.fee_usd == pytest.approx(a.fee_usd)
        assert b.running_time_h == pytest.approx(a.running_time_h)
    # the other corridor is untouched
    east0 = cor.route(two_corridors, "o", "d", avoid_countries=["IRN"])
    east1 = cor.route(new, "o", "d", avoid_countries=["IRN"])
    assert east1.cost_usd == pytest.approx(east0.cost_usd)
    assert east1.time_h == pytest.approx(east0.time_h)


def test_speed_time_and_transfer_multipliers(gauge_break: Network) -> None:
    base = cor.route(gauge_break, "a", "b", minimize="time_h")
    s = Scenario(
        name="slow",
        multipliers=(
            Multiplier(mode="rail", time=2.0),
            Multiplier(country="PAK", transfer_time=0.5, transfer_cost=2.0),
        ),
    )
    new = s.apply(gauge_break)
    r = cor.route(new, "a", "b", minimize="time_h")
    assert (
        sum(leg.running_time_h for leg in r.steps)
        == pytest.approx(2 * sum(leg.running_time_h for leg in base.steps))
        or r.steps != base.steps
    )
    z = cor.route(new, "a", "b", via="z")
    z0 = cor.route(gauge_break, "a", "b", via="z")
    for a, b in zip(z0.transfers, z.transfers):
        assert b.transfer_time_h == pytest.approx(a.transfer_time_h * 0.5)
        assert b.transfer_cost_usd == pytest.approx(a.transfer_cost_usd * 2.0)
    assert z.transfers


def test_global_transfer_multiplier_scales_defaults(bundled: Network) -> None:
    s = Scenario(name="t", multipliers=(Multiplier(transfer_cost=1.5),))
    new = s.apply(bundled)
    r0 = cor.route(bundled, "Karachi", "Tashkent")
    r1 = cor.route(new, "Karachi", "Tashkent", avoid_countries=[], via=None)
    c0 = sum(leg.transfer_cost_usd for leg in r0.transfers)
    assert r1.cost_usd >= r0.cost_usd - 1e-9
    if [leg.link_id for leg in r1.steps] == [leg.link_id for leg in r0.steps]:
        assert sum(leg.transfer_cost_usd for leg in r1.transfers) == pytest.approx(1.5 * c0)


def test_new_link_and_risk_change(two_corridors: Network) -> None:
    s = Scenario.from_dict(
        {
            "name": "shortcut",
            "new_links": [
                {
                    "id": "o_d",
                    "from_id": "Origin",
                    "to_id": "Destination",
                    "mode": "road",
                    "kind": "border",
                    "distance_km": 1000.0,
                    "status": "planned",
                    "year": 2030,
                    "source": "s",
                }
            ],
            "risk": [{"scope": "country", "ref": "IRN", "security_premium_pct": 3.0}],
        },
        net=two_corridors,
    )
    # a border link needs crossings rows: the result is validated and the error names it
    with pytest.raises(ValidationError, match="o_d"):
        s.apply(two_corridors)
    line = Scenario.from_dict(
        {
            "name": "line",
            "year": 2030,
            "new_links": [
                {
                    "id": "o_d",
                    "from_id": "Origin",
                    "to_id": "Destination",
                    "mode": "rail",
                    "gauge_mm": "1435",
                    "kind": "line",
                    "distance_km": 1000.0,
                    "status": "planned",
                    "year": 2030,
                    "source": "s",
                }
            ],
        }
    )
    new = line.apply(two_corridors)
    assert "o_d" in new.links.index and "o_d" not in two_corridors.links.index
    r = cor.route(new, "o", "d", **line.route_kwargs(new))
    assert [leg.link_id for leg in r.steps if leg.link_id] == ["o_d"]
    with pytest.raises(cor.NoRouteError):
        cor.route(new, "o", "d", modes="rail")  # planned: not open today


def test_risk_change_overrides_row(bundled: Network) -> None:
    s = Scenario(name="r", risk=(RiskChange("country", "IRN", (("security_premium_pct", 2.0),)),))
    new = s.apply(bundled)
    risk = new.tables["risk"].set_index(["scope", "ref"])
    assert risk.loc[("country", "IRN"), "security_premium_pct"] == 2.0
    old = bundled.tables["risk"].set_index(["scope", "ref"])
    assert old.loc[("country", "IRN"), "security_premium_pct"] == 0.5
    assert len(risk) == len(old)


def test_sanctions_avoid_becomes_avoid_countries(bundled: Network) -> None:
    s = Scenario(name="s", sanctions=(("UN", "avoid"), ("*", "surcharge")))
    kw = s.route_kwargs(bundled)
    assert kw["avoid_countries"] == ["IRN"]
    r = cor.route(bundled, "Karachi", "Tashkent", **kw)
    assert "IRN" not in r.countries
    s2 = Scenario(name="s2", sanctions=(("US", "surcharge"),))
    assert "avoid_countries" not in s2.route_kwargs(bundled)


def test_sanctions_key_by_issuer_and_target(tmp_path: Path, bundled: Network) -> None:
    """A TOML key 'US:IRN' avoids Iran as a target of US sanctions, not every country that
    lists a US regime; the key is kept in canonical form."""
    p = tmp_path / "t.toml"
    p.write_text(VALID.replace('US = "surcharge"', '"us:irn" = "avoid"'), encoding="utf-8")
    (s,) = load_scenarios(p, net=bundled)
    assert s.sanctions == (("US:IRN", "avoid"),)
    assert s.avoided_countries(bundled) == ["IRN"]


def test_cargo_and_year_kwargs() -> None:
    s = Scenario(name="c", cargo="20ft", cargo_value_usd=80_000.0, year=2032)
    kw = s.route_kwargs()
    assert kw["year"] == 2032
    assert kw["cargo"].unit == "20ft" and kw["cargo"].value_usd == 80_000.0
    assert Scenario(name="b", cargo="500t").make_cargo().tonnes == 500.0  # type: ignore[union-attr]


_CLOSABLE = ["o_i1", "i1_i2", "i2_d", "o_f1", "f1_f2", "f2_d"]

scenario_strategy = st.builds(
    lambda closures, mults, name: Scenario(
        name=name, closures=tuple(closures), multipliers=tuple(mults)
    ),
    st.lists(
        st.one_of(
            st.builds(Closure, st.just("link"), st.sampled_from(_CLOSABLE)),
            st.builds(Closure, st.just("place"), st.sampled_from(["Mashhad", "Kandahar", "Herat"])),
            st.builds(Closure, st.just("country"), st.sampled_from(["IRN", "AFG"])),
            st.builds(Closure, st.just("crossing"), st.sampled_from(["o_i1", "f2_d", "i2_d"])),
        ),
        max_size=3,
    ),
    st.lists(
        st.builds(
            Multiplier,
            mode=st.sampled_from([None, "road"]),
            country=st.sampled_from([None, "IRN", "AFG", "PAK"]),
            tariff=st.floats(0.0, 5.0),
            speed=st.floats(0.1, 5.0),
            dwell=st.floats(0.0, 5.0),
            fee=st.floats(0.0, 5.0),
            transfer_cost=st.floats(0.0, 3.0),
        ),
        max_size=3,
    ),
    st.text("abcdefgh-", min_size=1, max_size=8),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scen=scenario_strategy)
def test_apply_never_mutates_the_base(scen: Scenario) -> None:
    net = netfactory.build("two_corridors")
    before, fp = _frames(net), net.fingerprint
    new = scen.apply(net)
    _assert_unchanged(net, before, fp)
    if scen.closures or scen.multipliers:
        assert new is not net
    # the base still routes as before
    assert (
        cor.route(net, "o", "d").cost_usd
        == cor.route(netfactory.build("two_corridors"), "o", "d").cost_usd
    )
    df = compare(net, scen, od=[("o", "d")])
    assert len(df) >= 1 and set(df["status"]) <= {"ok", "no route"}
    _assert_unchanged(net, before, fp)


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship(bundled: Network) -> tuple[list[Scenario], pd.DataFrame]:
    scens = load_scenarios(FLAGSHIP, net=bundled)
    return scens, compare(bundled, scens)


def test_compare_equals_route(
    bundled: Network, flagship: tuple[list[Scenario], pd.DataFrame]
) -> None:
    scens, df = flagship
    assert len(df) == sum(len(s.od) * len(s.objectives) for s in scens)
    by_name = {s.name: s for s in scens}
    for row in df.to_dict("records"):
        s = by_name[row["scenario"]]
        snet = s.apply(bundled)
        r = cor.route(
            snet,
            row["origin"],
            row["destination"],
            minimize=row["minimize"],
            **s.route_kwargs(snet),
        )
        assert row["status"] == "ok"
        assert row["distance_km"] == r.distance_km
        assert row["time_h"] == r.time_h
        assert row["cost_usd"] == r.cost_usd
        assert row["generalized_usd"] == r.generalized_usd
        assert row["time_days"] == r.time_h / 24.0
        assert row["transit_time_h"] == r.transit_time_h
        assert row["departure"] == (s.departure or "booked")
        split, money = r.time_split(), r.cost_split()
        assert row["border_time_h"] == split["border"]
        assert row["border_cost_usd"] == money["border"]
        assert row["transfer_time_h"] == split["transfer"]
        assert row["terminal_time_h"] == split["terminal"]
        assert row["waiting_time_h"] == split["waiting"]
        assert row["n_transfers"] == len(r.transfers)
        assert row["n_crossings"] == len(r.crossings)
        assert row["countries"] == " > ".join(r.countries)
        assert row["modes"] == ", ".join(r.modes)
        assert row["year"] == (s.year if s.year is not None else pd.NA) or (
            s.year is None and pd.isna(row["year"])
        )


def test_flagship_trans_afghan_in_2032(flagship: tuple[list[Scenario], pd.DataFrame]) -> None:
    _, df = flagship
    row = df[
        (df["scenario"] == "uap-railway-2032")
        & (df["destination"] == "Tashkent")
        & (df["minimize"] == "cost_usd")
    ].iloc[0]
    assert "AFG" in row["countries"]
    today = df[
        (df["scenario"] == "today")
        & (df["destination"] == "Tashkent")
        & (df["minimize"] == "cost_usd")
    ].iloc[0]
    assert "AFG" not in today["countries"] and row["cost_usd"] < today["cost_usd"]


def test_compare_od_argument_k_and_minimize(bundled: Network) -> None:
    df = compare(
        bundled,
        [Scenario.baseline()],
        od=[("Karachi", "Tashkent")],
        k=2,
        minimize=["cost_usd", "time_h"],
    )
    assert df[["minimize", "rank"]].values.tolist() == [
        ["cost_usd", 1],
        ["cost_usd", 2],
        ["time_h", 1],
        ["time_h", 2],
    ]
    alts = cor.alternatives(bundled, "Karachi", "Tashkent", k=2)
    assert df["cost_usd"].tolist()[:2] == [r.cost_usd for r in alts]


def test_no_route_is_a_row(two_corridors: Network) -> None:
    s = Scenario(name="shut", closures=(Closure("link", "i1_i2"), Closure("link", "f1_f2")))
    df = compare(two_corridors, [Scenario.baseline(), s], od=[("o", "d")])
    assert df["status"].tolist() == ["ok", "no route"]
    assert df["reason"].iloc[1]
    assert math.isnan(df["cost_usd"].iloc[1])


def test_compare_errors(bundled: Network) -> None:
    with pytest.raises(ParameterError, match="origin-destination"):
        compare(bundled, [Scenario.baseline()])
    with pytest.raises(ParameterError, match="unique"):
        compare(bundled, [Scenario.baseline(), Scenario.baseline()], od=[("Karachi", "Kabul")])
    with pytest.raises(ValidationError, match="od\\[0\\]\\[1\\]"):
        compare(bundled, [Scenario.baseline()], od=[("Karachi", "Moscw")])
    with pytest.raises(ParameterError):
        compare(bundled, [Scenario.baseline()], od=[("Karachi", "Kabul")], minimize="fast")


def test_network_pickles(bundled: Network) -> None:
    again = pickle.loads(pickle.dumps(bundled))
    assert again.fingerprint == bundled.fingerprint


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_executor_gives_the_serial_frame(kind: str, bundled: Network) -> None:
    scens = load_scenarios(EXAMPLES / "torkham_closure.toml", net=bundled) + load_scenarios(
        FLAGSHIP, net=bundled
    )
    serial = compare(bundled, scens, od=[("Karachi", "Tashkent"), ("Islamabad", "Kabul")])
    if kind == "thread":
        with ThreadPoolExecutor(max_workers=3) as ex:
            par = compare(
                bundled, scens, od=[("Karachi", "Tashkent"), ("Islamabad", "Kabul")], executor=ex
            )
    else:
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
            par = compare(
                bundled, scens, od=[("Karachi", "Tashkent"), ("Islamabad", "Kabul")], executor=ex
            )
    pd.testing.assert_frame_equal(serial, par)


def test_simulation_columns(bundled: Network) -> None:
    df = compare(
        bundled, [Scenario.baseline()], od=[("Karachi", "Tashkent")], k=2, simulate_runs=300, seed=3
    )
    for c in ("time_p50_h", "time_p90_h", "cost_p50_usd", "cost_p90_usd"):
        assert df[c].notna().all()
    assert (df["time_p90_h"] >= df["time_p50_h"]).all()
    again = compare(
        bundled, [Scenario.baseline()], od=[("Karachi", "Tashkent")], k=2, simulate_runs=300, seed=3
    )
    pd.testing.assert_frame_equal(df, again)
    with pytest.raises(ParameterError):
        compare(bundled, [Scenario.baseline()], od=[("Karachi", "Tashkent")], simulate_runs=-1)


def test_writers(flagship: tuple[list[Scenario], pd.DataFrame], tmp_path: Path) -> None:
    _, df = flagship
    csv = write_comparison(df, tmp_path / "c.csv")
    back = pd.read_csv(csv)
    assert list(back.columns) == list(df.columns) and len(back) == len(df)
    assert back["cost_usd"].tolist() == pytest.approx(df["cost_usd"].tolist())
    md = write_comparison(df, tmp_path / "c.md").read_text(encoding="utf-8")
    assert md == comparison_markdown(df) and md.count("\n") == len(df) + 2
    with pytest.raises(ParameterError, match=".xlsx"):
        write_comparison(df, tmp_path / "c.xlsx")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pyarrow"):
            write_comparison(df, tmp_path / "c.parquet")
    else:  # pragma: no cover - depends on the environment
        pd.testing.assert_frame_equal(
            pd.read_parquet(write_comparison(df, tmp_path / "c.parquet")), df, check_dtype=False
        )


# --------------------------------------------------------------------------------------------
# Bad files: every problem names the file and the key
# --------------------------------------------------------------------------------------------

VALID = """\
name = "torkham"
description = "Torkham closed"
year = 2030
cargo = "40ft"
od = [["Karachi", "Tashkent"]]
objectives = ["cost_usd"]
k = 1

[sanctions]
US = "surcharge"

[[closures]]
crossing = "Torkham"
days = 30

[[closures]]
place = "Chaman"

[[multipliers]]
mode = "rail"
country = "IRN"
tariff = 1.2
"""


def _load(path: Path, bundled: Network) -> None:
    for s in load_scenarios(path, net=bundled):
        s.apply(bundled)


def test_valid_text_loads(tmp_path: Path, bundled: Network) -> None:
    p = tmp_path / "ok.toml"
    p.write_text(VALID, encoding="utf-8")
    _load(p, bundled)


@pytest.mark.parametrize(
    "text, key, words",
    [
        (VALID.replace('name = "torkham"', 'name = "torkham"\nyaer = 2030'), "yaer", "year"),
        (VALID.replace('place = "Chaman"', 'place = "Chamann"'), "closures[1].place", "Chaman"),
        (VALID.replace('place = "Chaman"', 'plaec = "Chaman"'), "closures[1]", "place"),
        (VALID.replace("tariff = 1.2", "tariff = -1.2"), "multipliers[0].tariff", ">= 0"),
        (VALID.replace("tariff = 1.2", 'tariff = "x"'), "multipliers[0].tariff", "number"),
        (VALID.replace('country = "IRN"', 'country = "XXX"'), "multipliers[0].country", "IRN"),
        (VALID.replace("days = 30", "days = -3"), "closures[0].days", "> 0"),
        (VALID.replace('US = "surcharge"', 'US = "ban"'), "sanctions.US", "avoid"),
        (VALID.replace('US = "surcharge"', '"US:IRAN" = "avoid"'), "sanctions.US:IRAN", "US:IRN"),
        (VALID.replace('US = "surcharge"', '"XX:IRN" = "avoid"'), "sanctions.XX:IRN", "unknown"),
        (VALID.replace("year = 2030", 'year = "2030"'), "year", "2032"),
        (VALID.replace('cargo = "40ft"', 'cargo = "30ft"'), "cargo", "20ft"),
        (
            VALID.replace('objectives = ["cost_usd"]', 'objectives = ["cheap"]'),
            "objectives[0]",
            "cost_usd",
        ),
        (VALID.replace('[["Karachi", "Tashkent"]]', '[["Karachi"]]'), "od[0]", "pair"),
        (
            VALID.replace('[["Karachi", "Tashkent"]]', '[["Karachi", "Taskent"]]'),
            "od[0][1]",
            "Tashkent",
        ),
        (VALID + '\n[[closures]]\ncountry = "ZZZ"\n', "closures[2].country", "PAK"),
        (VALID + '\n[[closures]]\npassage = "panama"\n', "closures[2].passage", "suez"),
        (
            VALID + '\n[[risk]]\nscope = "country"\nref = "IRN"\nsanctions = 3\n',
            "risk[0].sanctions",
            "string",
        ),
        (VALID + "\n[[new_links]]\nid = 5\n", "new_links[0].id", "string"),
        (VALID.replace("k = 1", "k = 0"), "k", "1 to 50"),
    ],
)
def test_bad_file_names_file_and_key(
    tmp_path: Path, bundled: Network, text: str, key: str, words: str
) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        _load(p, bundled)
    msg = str(info.value)
    assert str(p) in msg
    assert f": {key}:" in msg or f": {key}." in msg, msg
    assert words in msg, msg


def test_bad_toml_bytes(tmp_path: Path, bundled: Network) -> None:
    p = tmp_path / "broken.toml"
    p.write_bytes(b'name = "x\n[[closures]\n')
    with pytest.raises(ValidationError, match="not valid TOML") as info:
        _load(p, bundled)
    assert str(p) in str(info.value)
    p.write_bytes(b'name = "\xff\xfe"\n')
    with pytest.raises(ValidationError, match="UTF-8"):
        _load(p, bundled)


_VALID_DATA = tomllib.loads(VALID)


def _paths(d: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(d, dict):
        for k, v in d.items():
            out.append((*prefix, k))
            out += _paths(v, (*prefix, k))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out += _paths(v, (*prefix, i))
    return out


_LEAVES = _paths(_VALID_DATA)
_BAD_VALUES = st.one_of(
    st.integers(-10, 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["x", "place"]), st.integers(), max_size=2),
)


def _set(d: Any, path: tuple[Any, ...], value: Any) -> None:
    for p in path[:-1]:
        d = d[p]
    d[path[-1]] = value


def _toml_of(d: Any) -> str:
    from corridors.analysis.scenario_file import _toml_document

    return _toml_document(d)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    path=st.sampled_from(_LEAVES),
    value=_BAD_VALUES,
    extra=st.sampled_from([None, "colour", "closure", "multipliers"]),
)
def test_corrupted_files_give_clear_errors(
    tmp_path: Path, bundled: Network, path: tuple[Any, ...], value: Any, extra: str | None
) -> None:
    import copy

    data = copy.deepcopy(_VALID_DATA)
    _set(data, path, value)
    if extra == "colour":
        data["colour"] = "red"
    elif (
        extra == "closure"
        and isinstance(data["closures"], list)
        and data["closures"]
        and isinstance(data["closures"][0], dict)
    ):
        data["closures"][0]["colour"] = 1
    p = tmp_path / "corrupt.toml"
    try:
        text = _toml_of(data)
    except ParameterError:  # NaN or infinity: not TOML; write it raw instead
        text = VALID.replace("tariff = 1.2", f"tariff = {value!r}")
    p.write_text(text, encoding="utf-8")
    try:
        _load(p, bundled)
    except (ValidationError, ParameterError) as err:
        msg = str(err)
        assert str(p) in msg, msg
    # a corruption may be valid (another place, another number): then it loaded


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), cut=st.integers(0, len(VALID)))
def test_random_bytes_give_clear_errors(
    tmp_path: Path, bundled: Network, data: bytes, cut: int
) -> None:
    p = tmp_path / "bytes.toml"
    p.write_bytes(VALID.encode()[:cut] + data)
    try:
        _load(p, bundled)
    except (ValidationError, ParameterError) as err:
        assert str(p) in str(err)


def test_python_construction_errors() -> None:
    with pytest.raises(ParameterError, match="tariff"):
        Multiplier(tariff=-1.0)
    with pytest.raises(ParameterError, match="sea"):
        Multiplier(mode="sea", country="IRN")
    with pytest.raises(ParameterError, match="closure kind"):
        Closure("river", "x")
    with pytest.raises(ValidationError, match="year"):
        Scenario(name="x", year=3000)


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="corridors")
    add_cli(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli_compare_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "res"
    code = run_cli(_args(["compare", str(EXAMPLES / "torkham_closure.toml"), "--out", str(out)]))
    assert code == 0
    text = capsys.readouterr().out
    assert "torkham-closed-30d" in text
    closed_rows = [line for line in text.splitlines() if line.startswith("torkham-closed-30d")]
    assert closed_rows and not any("Torkham" in line for line in closed_rows)
    assert "charts and maps" in text  # written, or skipped and said so
    assert (out / "comparison.csv").is_file() and (out / "comparison.md").is_file()


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
def test_cli_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(_args(["compare", str(EXAMPLES / "torkham_closure.toml"), "--format", fmt])) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        import json

        rows = json.loads(out)["rows"]
        assert rows and rows[0]["scenario"] == "torkham-closed-30d"
    elif fmt == "csv":
        assert out.startswith("scenario,origin,destination")
    else:
        assert out.startswith("| scenario |")


def test_cli_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(VALID.replace('place = "Chaman"', 'place = "Chamann"'), encoding="utf-8")
    assert run_cli(_args(["compare", str(p)])) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(p) in err[0] and "closures[1].place" in err[0]
    assert run_cli(_args(["compare", str(tmp_path / "missing.toml")])) == 2
