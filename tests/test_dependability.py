"""Dependability in the comparison (corridors.dependability, compare(simulate_runs=...),
``corridors compare --simulate-runs``, TOML ``runs``/``seed``/``deadline_days``).

Oracles: a pair with one route gives exactly what ``simulate(route, common_draws=True)``
gives with the same seed; P(cheapest) and P(fastest) within a scenario are those of
``simulate`` over that scenario's routes; a scenario identical to another repeats its routes
(``same_as``) and, with common draws, every percentile.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import corridors as cor
from corridors import Network, ParameterError, ValidationError
from corridors.analysis.compare import compare
from corridors.analysis.dependability import DEPENDABILITY_COLUMNS, route_key, same_as
from corridors.analysis.scenario import Scenario
from corridors.analysis.scenario_file import simulation_settings
from corridors.analysis.simulate import simulate
from corridors.cli.compare import add_cli, run_cli

approx = pytest.approx
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "scenarios"
OD = [("Karachi", "Tashkent")]


@pytest.fixture(scope="module")
def bundled() -> Network:
    return cor.load_network()


def test_one_route_per_pair_is_simulate_with_the_same_seed(bundled: Network) -> None:
    df = compare(
        bundled,
        Scenario.baseline(),
        od=OD,
        minimize="cost_usd",
        simulate_runs=800,
        seed=5,
        deadline_h=30 * 24.0,
    )
    r = cor.route(bundled, "Karachi", "Tashkent", minimize="cost_usd")
    sim = simulate(r, runs=800, seed=5, deadline_h=30 * 24.0, net=bundled, common_draws=True)
    row = df.iloc[0]
    t = sim.percentiles("time_h", (10, 50, 90))[:, 0]
    c = sim.percentiles("cost_usd", (10, 50, 90))[:, 0]
    assert [row["time_p10_h"], row["time_p50_h"], row["time_p90_h"]] == approx(t.tolist())
    assert [row["time_p10_days"], row["time_p90_days"]] == approx([t[0] / 24, t[2] / 24])
    assert [row["cost_p10_usd"], row["cost_p50_usd"], row["cost_p90_usd"]] == approx(c.tolist())
    assert sim.on_time is not None
    assert row["p_on_time"] == approx(float(sim.on_time[0]))
    assert row["p_cheapest"] == 1.0 and row["p_fastest"] == 1.0
    assert row["time_p10_h"] <= row["time_p50_h"] <= row["time_p90_h"]


def test_best_probabilities_within_a_scenario(bundled: Network) -> None:
    df = compare(
        bundled,
        Scenario.baseline(),
        od=OD,
        minimize=["cost_usd", "time_h"],
        simulate_runs=1_000,
        seed=2,
    )
    routes = [cor.route(bundled, "Karachi", "Tashkent", minimize=m) for m in ("cost_usd", "time_h")]
    assert route_key(routes[0]) != route_key(routes[1])
    sim = simulate(routes, runs=1_000, seed=2, net=[bundled, bundled], common_draws=True)
    assert df["p_cheapest"].tolist() == approx(sim.p_cheapest.tolist())
    assert df["p_fastest"].tolist() == approx(sim.p_fastest.tolist())
    assert df["p_cheapest"].sum() == approx(1.0) and df["p_fastest"].sum() == approx(1.0)
    assert df["p_on_time"].isna().all()  # no deadline
    # the time-minimizing route is faster in most runs, the cost-minimizing one cheaper
    assert df["p_fastest"].iloc[1] > 0.5 and df["p_cheapest"].iloc[0] > 0.5


def test_identical_scenarios_repeat_routes_and_draws(bundled: Network) -> None:
    copy = Scenario(name="copy", description="the baseline again")
    closed = Scenario.from_dict(
        {"name": "torkham-closed", "closures": [{"crossing": "Torkham", "days": 30}]}
    )
    df = compare(
        bundled,
        [Scenario.baseline(), copy, closed],
        od=[("Karachi", "Tashkent"), ("Islamabad", "Kabul")],
        minimize=["cost_usd", "time_h"],
        simulate_runs=600,
        seed=9,
        deadline_h=20 * 24.0,
    )
    base = df[df["scenario"] == "baseline"].reset_index(drop=True)
    again = df[df["scenario"] == "copy"].reset_index(drop=True)
    for (_, b), (_, a) in zip(base.iterrows(), again.iterrows()):
        label = "baseline, " + b["minimize"]
        assert a["same_as"] in (label, b["same_as"])  # the earliest row with that route
        for c in DEPENDABILITY_COLUMNS:
            assert a[c] == b[c], c  # the same variates and parameters: the same numbers
    assert (base["same_as"].isin(["", "baseline, cost_usd"])).all()
    # Islamabad - Kabul goes through Torkham today: the closure scenario finds other routes
    ik = df[(df["origin"] == "Islamabad") & (df["scenario"] == "torkham-closed")]
    assert not ik["same_as"].str.startswith(("baseline", "copy")).any()
    assert (ik["time_p50_h"] > base[base["origin"] == "Islamabad"]["time_p50_h"].min()).all()
    for _, g in df.groupby(["scenario", "origin"]):  # each distinct route of a scenario once
        own = g["same_as"].str.startswith(g["scenario"].iloc[0] + ",")
        new = g[g["same_as"] == ""]
        repeated = g[~own & (g["same_as"] != "")].drop_duplicates("same_as")
        distinct = pd.concat([new, repeated])
        assert distinct["p_cheapest"].sum() == approx(1.0)
        assert distinct["p_fastest"].sum() == approx(1.0)


def test_same_as_without_simulation_and_checks(bundled: Network) -> None:
    df = compare(bundled, [Scenario.baseline(), Scenario(name="b")], od=[("Karachi", "Kabul")])
    assert "same_as" in df.columns and "p_cheapest" not in df.columns
    assert df["same_as"].tolist() == ["", "baseline, cost_usd"]
    with pytest.raises(ParameterError, match="rows"):
        same_as([{}], [])
    with pytest.raises(ParameterError, match="deadline_h"):
        compare(bundled, Scenario.baseline(), od=OD, simulate_runs=10, deadline_h=-1.0)
    with pytest.raises(ParameterError, match="deadline_h"):
        compare(bundled, Scenario.baseline(), od=OD, simulate_runs=10, deadline_h=math.nan)


def test_same_seed_same_frame_and_no_route_rows(bundled: Network) -> None:
    scens = [
        Scenario.baseline(),
        Scenario.from_dict(
            {"name": "no-iran", "closures": [{"country": "IRN"}, {"country": "AFG"}]}
        ),
    ]
    a = compare(bundled, scens, od=OD, simulate_runs=300, seed=4, deadline_h=500.0)
    b = compare(bundled, scens, od=OD, simulate_runs=300, seed=4, deadline_h=500.0)
    pd.testing.assert_frame_equal(a, b)
    nr = a[a["status"] != "ok"]
    if len(nr):  # a pair without a route has no simulated numbers
        assert nr[list(DEPENDABILITY_COLUMNS)].isna().all().all()


# ---- TOML settings and the command line -----------------------------------------------------


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="corridors")
    add_cli(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


SINGLE = """name = "base"
od = [["Karachi", "Kabul"]]
objectives = ["cost_usd", "time_h"]
runs = 300
seed = 3
deadline_days = 12.5
"""


def test_settings_from_toml(tmp_path: Path) -> None:
    p = tmp_path / "one.toml"
    p.write_text(SINGLE, encoding="utf-8")
    assert simulation_settings(p) == {"runs": 300, "seed": 3, "deadline_days": 12.5}
    assert Scenario.from_toml(p).name == "base"  # the settings are not scenario keys
    flagship = simulation_settings(EXAMPLES / "trans_iranian_vs_trans_afghan.toml")
    assert set(flagship) <= {"runs", "seed", "deadline_days"}
    bad = tmp_path / "bad.toml"
    bad.write_text(
        SINGLE.replace("runs = 300", "runs = -3")
        .replace("seed = 3", 'seed = "x"')
        .replace("12.5", "true"),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        simulation_settings(bad)
    text = str(err.value)
    assert str(bad) in text and "runs" in text and "seed" in text and "deadline_days" in text
    inner = tmp_path / "inner.toml"
    inner.write_text(
        'od = [["Karachi", "Kabul"]]\n[[scenario]]\nname = "a"\nruns = 5\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError, match=r"scenario\[0\]\.runs"):
        Scenario.from_toml(inner)  # a per-scenario runs is not a thing


def test_cli_uses_the_file_settings_and_flags_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "one.toml"
    p.write_text(SINGLE, encoding="utf-8")
    assert run_cli(_args(["compare", str(p), "--format", "json"])) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["simulation"] == {"runs": 300, "seed": 3, "deadline_days": 12.5}
    assert all(r["p_on_time"] is not None for r in out["rows"])
    first = [r["time_p90_h"] for r in out["rows"]]
    assert (
        run_cli(
            _args(["compare", str(p), "--format", "json", "--seed", "4", "--deadline-days", "1"])
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["simulation"] == {"runs": 300, "seed": 4, "deadline_days": 1.0}
    assert [r["time_p90_h"] for r in out["rows"]] != first
    assert all(r["p_on_time"] == 0.0 for r in out["rows"])  # nobody reaches Kabul in a day
    assert run_cli(_args(["compare", str(p)])) == 0
    text = capsys.readouterr().out
    assert "days P50 (P10-P90)" in text and "P(cheapest)" in text and "on time" in text
    assert "300 runs per pair, seed 3, deadline 12.5 days" in text


def test_cli_setting_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(SINGLE, encoding="utf-8")
    b.write_text(
        SINGLE.replace('"base"', '"other"').replace("seed = 3", "seed = 8"), encoding="utf-8"
    )
    assert run_cli(_args(["compare", str(a), str(b)])) == 2
    err = capsys.readouterr().err
    assert "seed" in err and str(a) in err and str(b) in err
    assert run_cli(_args(["compare", str(a), str(b), "--seed", "1"])) == 0  # the flag decides
    capsys.readouterr()
    plain = tmp_path / "plain.toml"
    plain.write_text('name = "x"\nod = [["Karachi", "Kabul"]]\n', encoding="utf-8")
    assert run_cli(_args(["compare", str(plain), "--deadline-days", "5"])) == 2
    assert "--simulate-runs" in capsys.readouterr().err
    assert run_cli(_args(["compare", str(plain), "--simulate-runs", "-2"])) == 2
    assert "--simulate-runs" in capsys.readouterr().err


def test_markdown_shows_spread_and_same_as(bundled: Network) -> None:
    from corridors.output.tables import comparison_markdown

    df = compare(
        bundled,
        [Scenario.baseline(), Scenario(name="b")],
        od=[("Karachi", "Kabul")],
        simulate_runs=200,
        seed=1,
        deadline_h=240.0,
    )
    md = comparison_markdown(df)
    header = md.splitlines()[0]
    for h in (
        "days P50 (P10-P90)",
        "USD P50 (P10-P90)",
        "on time",
        "P(cheapest)",
        "P(fastest)",
        "same as",
    ):
        assert h in header
    row = md.splitlines()[2]
    d = df.iloc[0]
    assert f"{d['time_p50_days']:,.1f} ({d['time_p10_days']:,.1f}-{d['time_p90_days']:,.1f})" in row
    assert md.splitlines()[3].rstrip(" |").endswith("baseline, cost_usd")
    assert np.isfinite(df["p_on_time"]).all()
