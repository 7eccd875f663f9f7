"""Criticality (corridors.criticality): close each element of a corridor in turn.

Fixture: P (Peshawar) to K (Khost) over border crossing T (Torkham, risk row p = 0.1, median
10 days, p90 40) and A, or the long way over crossing C (Chaman, 300 km more) and A; A to K
is a single road (a bridge: no detour). Oracles: every detour is ``route`` with the element
avoided; the break-even equals :func:`corridors.closure_choice`'s; the expected costs equal a
large Monte Carlo of the same formula within its error.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest import approx

import corridors as cor
import routing_fixtures as rf
from corridors import ParameterError
from corridors.analysis.closures import closure_choice
from corridors.analysis.criticality import CRITICALITY_COLUMNS, corridor_criticality, criticality
from corridors.cli.criticality import add_cli, run_cli
from corridors.costs.risk import lognormal_sigma
from corridors.output.charts import criticality_chart
from corridors.output.tables import criticality_markdown

C40 = cor.Cargo.container("40ft", value_usd=87_600)  # 1 USD/h of holding cost
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"


def _net() -> cor.Network:
    places = [
        rf.place("p", 0, "PAK", name="Peshawar"),
        rf.place("t_pk", 1, "PAK", "border_post", name="Torkham"),
        rf.place("t_af", 2, "AFG", "border_post", name="Torkham"),
        rf.place("c_pk", 1, "PAK", "border_post", name="Chaman", y=30.5),
        rf.place("c_af", 2, "AFG", "border_post", name="Spin Boldak", y=30.5),
        rf.place("a", 3, "AFG", name="Kabul"),
        rf.place("k", 4, "AFG", name="Khost"),
    ]
    links = [
        rf.link("p", "t_pk", "road", 100),
        rf.link("t_pk", "t_af", "road", 12, kind="border"),
        rf.link("t_af", "a", "road", 100),
        rf.link("p", "c_pk", "road", 250),
        rf.link("c_pk", "c_af", "road", 12, kind="border"),
        rf.link("c_af", "a", "road", 250),
        rf.link("a", "k", "road", 150),
    ]
    crossings = [
        rf.crossing(lid, d, "road", 1.0, 10.0)
        for lid in ("t_pk_t_af", "c_pk_c_af")
        for d in ("forward", "reverse")
    ]
    risk = [
        dict(
            scope="place",
            ref="t_pk",
            disruption_prob_per_trip=0.1,
            disruption_median_days=10.0,
            disruption_p90_days=40.0,
            year=2025,
        )
    ]
    return rf.build(places, links, crossings=crossings, risk=risk)


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return _net()


@pytest.fixture(scope="module")
def planned(net: cor.Network) -> cor.Route:
    return cor.route(net, "p", "k", minimize="cost_usd", cargo=C40)


@pytest.fixture(scope="module")
def table(net: cor.Network, planned: cor.Route) -> pd.DataFrame:
    return criticality(net, planned)


def test_every_element_once_and_each_detour_is_route_avoiding_it(
    net: cor.Network, planned: cor.Route, table: pd.DataFrame
) -> None:
    assert list(table.columns) == list(CRITICALITY_COLUMNS)
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    line_links = [leg.link_id for leg in planned.steps if leg.kind == "link"]
    assert sorted(table[table["item_kind"] == "link"]["item"]) == sorted(line_links)
    assert table[table["item_kind"] == "crossing"]["item"].tolist() == ["t_af|t_pk"]
    cross = table[table["item_kind"] == "crossing"].iloc[0]
    detour = cor.route(net, "p", "k", minimize="cost_usd", cargo=C40, avoid_crossings=["t_pk_t_af"])
    assert cross["status"] == "detour"
    assert cross["extra_days"] == approx((detour.time_h - planned.time_h) / 24)
    assert cross["extra_usd"] == approx(detour.cost_usd - planned.cost_usd)
    assert cross["extra_generalized_usd"] == approx(
        detour.generalized_usd - planned.generalized_usd
    )
    for lid in ("p_t_pk", "t_af_a"):  # closing a link of the Torkham road: the Chaman detour
        row = table[table["item"] == lid].iloc[0]
        assert row["extra_days"] == approx(cross["extra_days"])


def test_the_bridge_has_no_detour_and_ranks_above_other_certain_closures(
    table: pd.DataFrame,
) -> None:
    bridge = table[table["item"] == "a_k"].iloc[0]
    assert bridge["status"] == "no detour" and bridge["call"] == "wait"
    assert math.isinf(bridge["break_even_days"]) and math.isnan(bridge["extra_days"])
    risky = table[table["closure_prob"] > 0]
    assert risky["rank"].max() < bridge["rank"]  # the risky crossing first, then the bridge
    unpriced = table[(table["closure_prob"] == 0) & (table["status"] == "detour")]
    assert (unpriced["rank"] > bridge["rank"]).all()
    assert (unpriced["call"].str.startswith("wait if < ")).all()


def test_break_even_and_call_match_closure_choice(net: cor.Network, table: pd.DataFrame) -> None:
    choice = closure_choice(net, "p", "k", closed="Torkham", minimize="cost_usd", cargo=C40)
    row = table[table["item_kind"] == "crossing"].iloc[0]
    assert row["break_even_days"] == approx(choice.break_even_days)
    assert row["p_wait_wins"] == approx(choice.p_wait_wins)
    assert row["wait_usd_per_day"] == approx(choice.charge_usd_per_day + 24.0)
    assert row["call"] == ("wait" if 10.0 < choice.break_even_days else "divert")
    assert row["risk_row"] == "place:t_pk" and row["closure_prob"] == 0.1


def test_expected_cost_and_delay_agree_with_a_monte_carlo(table: pd.DataFrame) -> None:
    row = table[table["item_kind"] == "crossing"].iloc[0]
    rng = np.random.default_rng(1)
    n = 400_000
    d = 10.0 * np.exp(lognormal_sigma(10.0, 40.0) * rng.standard_normal(n))
    rest = d * rng.random(n)
    cost = 0.1 * np.minimum(row["wait_usd_per_day"] * rest, row["extra_generalized_usd"])
    delay = 0.1 * np.minimum(rest, row["extra_days"])
    for sample, got in (
        (cost, row["expected_cost_per_shipment_usd"]),
        (delay, row["expected_delay_per_shipment_days"]),
    ):
        se = float(sample.std()) / math.sqrt(n)
        assert abs(float(sample.mean()) - got) < 5 * se + 1e-3 * got
    assert row["expected_annual_cost_usd"] == approx(52 * row["expected_cost_per_shipment_usd"])
    assert row["expected_cost_per_shipment_usd"] > 0


def test_time_corridors_decide_by_days(net: cor.Network) -> None:
    fast = cor.route(net, "p", "k", minimize="time_h", cargo=C40)
    t = criticality(net, fast, shipments_per_year=10)
    row = t[t["item_kind"] == "crossing"].iloc[0]
    assert row["break_even_days"] == approx(max(row["extra_days"], 0.0))
    assert row["expected_annual_delay_days"] == approx(10 * row["expected_delay_per_shipment_days"])
    assert t.iloc[0]["item_kind"] == "crossing"  # the only closure with a probability


def test_consecutive_links_with_one_detour_are_one_section() -> None:
    bundled = cor.load_network()
    r = cor.route(bundled, "Karachi", "Tashkent", minimize="time_h")
    merged = criticality(bundled, r)
    single = criticality(bundled, r, sections=False)
    sections = merged[
        merged["item"].str.contains("|", regex=False) & (merged["item_kind"] == "link")
    ]
    assert len(sections) and len(merged) < len(single)
    # every link appears once, in a section or on its own
    ids = [x for item in merged[merged["item_kind"] == "link"]["item"] for x in item.split("|")]
    assert sorted(ids) == sorted(single[single["item_kind"] == "link"]["item"])
    sec = sections.iloc[0]
    links = sec["item"].split("|")
    assert f"{len(links)} links" in sec["item_name"]
    for lid in links:  # closing any link of the section gives the section's detour
        one = single[single["item"] == lid].iloc[0]
        assert one["extra_days"] == approx(sec["extra_days"])
        assert one["extra_usd"] == approx(sec["extra_usd"])


def test_given_items_and_bad_input(net: cor.Network, planned: cor.Route) -> None:
    t = criticality(net, planned, items=["Torkham", "a_k"])
    assert t["item"].tolist() == ["Torkham", "a_k"]
    assert t["status"].tolist() == ["detour", "no detour"]
    with pytest.raises(cor.UnknownPlaceError):
        criticality(net, planned, items=["Torkhum"])
    for bad in (0, -1.0, math.inf, True):
        with pytest.raises(ParameterError, match="shipments_per_year"):
            criticality(net, planned, shipments_per_year=bad)
    with pytest.raises(ParameterError, match="Route"):
        criticality(net, "p")  # type: ignore[arg-type]


def test_tables_and_chart(table: pd.DataFrame) -> None:
    md = criticality_markdown(table, top=3)
    lines = md.splitlines()
    assert lines[0].startswith("| corridor | # | closed |") and len(lines) == 2 + 3
    assert "NO DETOUR" in md or table.iloc[:3]["status"].eq("detour").all()
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    fig = criticality_chart(table, top=4)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("Torkham" in lab for lab in labels)
    plt.close(fig)


# ---- comparison and command line ------------------------------------------------------------


def test_corridors_of_a_comparison() -> None:
    bundled = cor.load_network()
    scens = [cor.Scenario.baseline(), cor.Scenario(name="same")]
    df = corridor_criticality(bundled, scens, od=[("Islamabad", "Kabul")], minimize="time_h")
    assert set(df["scenario"]) == {"baseline"}  # the identical scenario's corridor once
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    top = df.iloc[0]
    assert "Torkham" in top["item_name"] and top["closure_prob"] > 0


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="corridors")
    add_cli(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "s.toml"
    f.write_text(
        'name = "now"\nod = [["Islamabad", "Kabul"]]\nobjectives = ["time_h"]\n', encoding="utf-8"
    )
    out = tmp_path / "res"
    assert run_cli(_args(["criticality", str(f), "--top", "3", "--out", str(out)])) == 0
    text = capsys.readouterr().out
    assert "Torkham" in text and "break-even d" in text and "wait" in text
    for name in ("criticality.csv", "criticality.md", "criticality.png"):
        assert (out / name).stat().st_size > 0
    back = pd.read_csv(out / "criticality.csv")
    assert back["rank"].iloc[0] == 1 and len(back) > 3  # the files hold every row
    assert run_cli(_args(["criticality", str(f), "--format", "json", "--close", "Torkham"])) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert len(rows) == 1 and rows[0]["item"] == "Torkham"
    assert run_cli(_args(["criticality", str(f), "--top", "0"])) == 2
    assert "--top" in capsys.readouterr().err
    assert run_cli(_args(["criticality", str(tmp_path / "missing.toml")])) == 2
