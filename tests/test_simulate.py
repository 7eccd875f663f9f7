"""Monte Carlo of routes (corridors.simulate): exactness without variance, seeds, analytic
means within confidence intervals, P(fastest), bad input, progress bar, CLI hook.

``sim_net``: A --rail 1676, 200 km--> Z (rail station: default transload rail-1676 ->
rail-1435, 20 h, p90 40 h) --rail 1435, 200 km--> Q (PAK border post) ==rail border 10 km==>
R (AFG) --rail 1435, 100 km--> S. Crossing q_r forward: dwell 10 h, p90 20 h, USD 80. A risk
row on place Q: p = 0.3, median 2 days, p90 4 days. Every spread can be switched off.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import types

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corridors as cor
import routing_fixtures as rf
from corridors.analysis.simulate import NO_SPREADS, SimulationResult, simulate
from corridors.cli.simulate import add_cli, run_cli
from corridors.costs.risk import Z90
from corridors.errors import ParameterError
from corridors.routes.risk import route_risk

# the package exports the function simulate, which hides the submodule of the same name
simmod = sys.modules["corridors.analysis.simulate"]

approx = pytest.approx


def sim0(*args: object, **kwargs: object) -> SimulationResult:
    """simulate with the running-time and liner spreads off: the tests of the terms the
    network's tables give (dwell, transfer, waits, closures) see those terms alone."""
    return simulate(*args, spreads=NO_SPREADS, **kwargs)  # type: ignore[arg-type]


def sim_net(
    *,
    dwell_p90: float = 20.0,
    transfer_p90: float = 40.0,
    headway: float | None = None,
    p: float = 0.3,
    med_days: float = 2.0,
    p90_days: float = 4.0,
) -> cor.Network:
    places = [
        rf.place("a", 0, kind="rail_station", name="Alpha"),
        rf.place("z", 1, kind="rail_station", name="Zulu"),
        rf.place("q", 2, kind="border_post", name="Quebec"),
        rf.place("r", 2.05, "AFG", kind="border_post", name="Romeo"),
        rf.place("s", 3, "AFG", kind="rail_station", name="Sierra"),
    ]
    links = [
        rf.link("a", "z", "rail", 200, gauge_mm="1676"),
        rf.link("z", "q", "rail", 200, gauge_mm="1435"),
        rf.link("q", "r", "rail", 10, gauge_mm="1435", kind="border"),
        rf.link("r", "s", "rail", 100, gauge_mm="1435"),
    ]
    ops = [
        dict(o, time_p90_h=transfer_p90) if o["kind"] == "transload" else o for o in rf.DEFAULT_OPS
    ]
    speeds = [
        dict(s, headway_h=headway) if s["mode"] == "rail" and headway else s for s in rf.SPEEDS
    ]
    crossings = [
        rf.crossing("q_r", "forward", "rail", 10.0, 80.0, p90=dwell_p90),
        rf.crossing("q_r", "reverse", "rail", 10.0, 80.0, p90=dwell_p90),
    ]
    risk = [
        dict(
            scope="place",
            ref="q",
            disruption_prob_per_trip=p,
            disruption_median_days=med_days,
            disruption_p90_days=p90_days,
            security_premium_pct=0.5,
            year=2025,
            confidence="assumed",
        )
    ]
    return rf.build(
        places, links, name="sim", operations=ops, speeds=speeds, crossings=crossings, risk=risk
    )


def ferry_net(headway: float = 24.0) -> cor.Network:
    places = [
        rf.place("x", 0, kind="port", name="Xport"),
        rf.place("y", 2, kind="port", name="Yport"),
    ]
    return rf.build(places, [rf.link("x", "y", "ferry", 200, headway_h=headway)], name="ferry")


def zero_net() -> cor.Network:
    return sim_net(dwell_p90=10.0, transfer_p90=20.0, p=0.0)


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return sim_net()


@pytest.fixture(scope="module")
def r(net: cor.Network) -> cor.Route:
    return cor.route(net, "a", "s")


# ---- no variance: exactly the deterministic answer ---------------------------------------------


def test_zero_variance_gives_the_deterministic_time_and_cost() -> None:
    net = zero_net()
    route = cor.route(net, "a", "s")
    assert any(leg.kind == "transfer" for leg in route.steps)
    assert any(leg.kind == "border" for leg in route.steps)
    res = sim0(route, runs=1_000, seed=3, net=net)
    assert res.time_h.shape == (1_000, 1)
    assert np.all(res.time_h == route.time_h)
    assert np.all(res.cost_usd == route.cost_usd)
    assert res.percentiles("time_h")[:, 0].tolist() == [route.time_h] * 4
    assert res.prob_within(route.time_h)[0] == 1.0
    assert res.prob_exceeds(route.time_h - 1e-6)[0] == 1.0


def test_a_disruption_under_way_holds_the_rest_of_it() -> None:
    """p = 1 and p90 == median (a fixed 2-day closure, always under way): each run waits the
    rest of it, uniform on [0, 48] h, and pays the time value and the standing charges
    (container detention, 150 USD a day, at a rail border post: no port, no truck)."""
    net = sim_net(dwell_p90=10.0, transfer_p90=20.0, p=1.0, med_days=2.0, p90_days=2.0)
    route = cor.route(net, "a", "s")
    res = sim0(route, runs=20_000, seed=0, net=net)
    held = res.time_h[:, 0] - route.time_h
    assert held.min() >= 0.0 and held.max() <= 48.0
    assert _within(held, 24.0)
    assert np.percentile(held, 90) == approx(43.2, rel=0.02)
    tv = route.query.cargo.time_value_usd_per_h
    assert res.cost_usd[:, 0] == approx(route.cost_usd + held * (tv + 150.0 / 24.0))
    frame = res.to_frame()
    assert frame["standing_charges_mean_usd"][0] == approx(float(held.mean()) * 150.0 / 24.0)
    assert route_risk(net, route).expected_delay_h == approx(24.0)
    assert sim0(route, runs=10, seed=0, disruptions=False).time_h == approx(route.time_h)


# ---- seeds -----------------------------------------------------------------------------------------


def test_same_seed_same_draws_different_seed_different(net: cor.Network, r: cor.Route) -> None:
    a = simulate([r, r], runs=500, seed=11, net=net)
    b = simulate([r, r], runs=500, seed=11, net=net)
    c = simulate([r, r], runs=500, seed=12, net=net)
    assert np.array_equal(a.time_h, b.time_h) and np.array_equal(a.cost_usd, b.cost_usd)
    assert not np.array_equal(a.time_h, c.time_h)
    assert a.seed == 11
    fresh = simulate(r, runs=50, net=net)
    again = simulate(r, runs=50, seed=fresh.seed, net=net)
    assert np.array_equal(fresh.time_h, again.time_h)  # a seedless run can be repeated


def test_chunks_cover_every_run(
    net: cor.Network, r: cor.Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simmod, "CHUNK_RUNS", 7)
    res = simulate([r, r], runs=50, seed=1, net=net)
    assert res.time_h.shape == (50, 2)
    assert np.all(res.time_h >= r.time_h - r.time_split()["border"] - r.time_split()["transfer"])
    assert len(set(res.time_h[:, 0].tolist())) == 50  # every run drawn, none left empty


# ---- analytic means -----------------------------------------------------------------------------


def _within(sample: np.ndarray, mean: float, k: float = 5.0) -> bool:
    se = float(sample.std(ddof=1)) / math.sqrt(sample.size)
    return abs(float(sample.mean()) - mean) <= k * se


def test_mean_matches_the_analytic_mean(net: cor.Network, r: cor.Route) -> None:
    """E[time] = deterministic time + sum of median x (exp(sigma^2/2) - 1) over lognormal
    terms + p x 24 x mean duration / 2 of the disruption (the rest of one under way)."""
    s_dwell = math.log(20 / 10) / Z90
    s_transfer = math.log(40 / 20) / Z90
    s_dis = math.log(4 / 2) / Z90
    expected = (
        r.time_h
        + 10 * (math.exp(s_dwell**2 / 2) - 1)
        + 20 * (math.exp(s_transfer**2 / 2) - 1)
        + 0.3 * 24 * 2 * math.exp(s_dis**2 / 2) / 2
    )
    res = sim0(r, runs=200_000, seed=5, net=net)
    assert _within(res.time_h[:, 0], expected)
    dis_h = 0.3 * 48 * math.exp(s_dis**2 / 2) / 2
    assert res.mean_split_h[0]["disruption"] == approx(dis_h, rel=0.03)
    assert res.mean_split_h[0]["disruption"] == approx(
        route_risk(net, r).expected_delay_h, rel=0.03
    )
    tv = r.query.cargo.time_value_usd_per_h
    assert _within(
        res.cost_usd[:, 0], r.cost_usd + tv * (expected - r.time_h) + dis_h * 150.0 / 24.0
    )


def test_lognormal_median_and_p90_of_a_border_dwell() -> None:
    net = sim_net(dwell_p90=30.0, transfer_p90=20.0, p=0.0)
    route = cor.route(net, "a", "s")
    res = sim0(route, runs=200_000, seed=9, net=net)
    extra = res.time_h[:, 0] - (route.time_h - 10.0)  # the dwell alone
    assert np.median(extra) == approx(10.0, rel=0.01)
    assert np.percentile(extra, 90) == approx(30.0, rel=0.02)
    assert _within(extra, 10.0 * math.exp((math.log(3) / Z90) ** 2 / 2))


def test_uniform_wait_for_a_scheduled_ferry() -> None:
    net = ferry_net(24.0)
    # a random arrival at the quay waits half the headway on average; a booked departure none
    assert sum(leg.wait_h for leg in cor.route(net, "x", "y").steps) == 0.0
    route = cor.route(net, "x", "y", departure="random")
    assert sum(leg.wait_h for leg in route.steps) == 12.0
    res = simulate(route, runs=100_000, seed=2, net=net)
    wait = res.time_h[:, 0] - (route.time_h - 12.0)
    assert wait.min() >= 0.0 and wait.max() <= 24.0
    assert _within(wait, 12.0)
    assert res.mean_split_h[0]["waiting"] == approx(12.0, rel=0.01)


def test_bernoulli_share_of_disrupted_runs() -> None:
    net = sim_net(dwell_p90=10.0, transfer_p90=20.0, p=0.3)
    route = cor.route(net, "a", "s")
    n = 100_000
    res = sim0(route, runs=n, seed=4, net=net)
    share = float((res.time_h[:, 0] > route.time_h).mean())
    assert abs(share - 0.3) <= 5 * math.sqrt(0.3 * 0.7 / n)


# ---- comparisons between routes -------------------------------------------------------------


def test_p_fastest_and_cheapest_sum_to_one(net: cor.Network, r: cor.Route) -> None:
    other = cor.route(zero_net(), "a", "s")
    res = simulate([r, other], runs=5_000, seed=8, net=net)
    assert res.p_fastest.sum() == approx(1.0) and res.p_cheapest.sum() == approx(1.0)
    assert np.all((res.p_fastest >= 0) & (res.p_fastest <= 1))


def test_ties_are_split_evenly() -> None:
    net = zero_net()
    route = cor.route(net, "a", "s")
    res = sim0([route, route, route], runs=100, seed=0, net=net)
    assert res.p_fastest == approx([1 / 3] * 3)
    assert res.p_cheapest == approx([1 / 3] * 3)


def test_a_shared_risk_row_is_one_event_for_every_route() -> None:
    """Two copies of a route whose only spread is the disruption at Q: each run draws the
    closure once for both, so they always tie."""
    net = sim_net(dwell_p90=10.0, transfer_p90=20.0, p=0.3)
    route = cor.route(net, "a", "s")
    res = sim0([route, route], runs=2_000, seed=1, net=net)
    assert np.array_equal(res.time_h[:, 0], res.time_h[:, 1])
    assert res.p_fastest == approx([0.5, 0.5])


def test_common_draws_make_identical_routes_identical(net: cor.Network, r: cor.Route) -> None:
    independent = simulate([r, r], runs=2_000, seed=3, net=net)
    assert not np.array_equal(independent.time_h[:, 0], independent.time_h[:, 1])
    common = simulate([r, r], runs=2_000, seed=3, net=net, common_draws=True)
    assert np.array_equal(common.time_h[:, 0], common.time_h[:, 1])
    assert common.p_fastest == approx([0.5, 0.5])
    # one route alone draws the same columns as with common draws
    alone = simulate(r, runs=2_000, seed=3, net=net, common_draws=True)
    assert np.array_equal(alone.time_h[:, 0], common.time_h[:, 0])


def test_common_draws_order_runs_by_the_parameters() -> None:
    """The same route in two scenarios (the second with a likelier and longer closure at Q:
    p 0.6 instead of 0.3, median 3 days instead of 2, same spread) is never faster in any
    run with common draws, and slower exactly in the runs its closure happens; with
    independent draws it is often faster."""
    base, worse = sim_net(), sim_net(p=0.6, med_days=3.0, p90_days=6.0)
    r1, r2 = cor.route(base, "a", "s"), cor.route(worse, "a", "s")
    assert r1.time_h == r2.time_h
    res = simulate([r1, r2], runs=5_000, seed=2, net=[base, worse], common_draws=True)
    slower = res.time_h[:, 1] > res.time_h[:, 0]
    assert np.all(res.time_h[:, 1] >= res.time_h[:, 0])
    assert abs(float(slower.mean()) - 0.6) < 0.03  # every run the closure hits the second
    assert np.all(res.time_h[~slower, 1] == res.time_h[~slower, 0])
    indep = simulate([r1, r2], runs=5_000, seed=2, net=[base, worse])
    assert np.any(indep.time_h[:, 1] < indep.time_h[:, 0])
    with pytest.raises(ParameterError, match="one per route"):
        simulate([r1, r2], runs=10, net=[base])


def test_deadline_and_tables(net: cor.Network, r: cor.Route) -> None:
    res = sim0(r, runs=4_000, seed=6, deadline_h=r.time_h + 24.0, net=net)
    assert res.on_time is not None
    assert res.on_time[0] == approx(float((res.time_h[:, 0] <= r.time_h + 24.0).mean()))
    assert res.prob_exceeds(100.0) + res.prob_within(100.0) == approx([1.0])
    frame = res.to_frame()
    assert len(frame) == 1
    for col in (
        "time_p50_days",
        "time_p90_days",
        "cost_p50_usd",
        "cost_p90_usd",
        "p_on_time",
        "p_fastest",
        "p_cheapest",
        "speed_without_delay_kmh",
        "speed_with_delay_kmh",
        "border_time_share",
        "border_cost_share",
        "mean_border_h",
    ):
        assert col in frame.columns
    row = frame.iloc[0]
    assert row["speed_without_delay_kmh"] == approx(r.distance_km / r.time_split()["running"])
    assert row["speed_with_delay_kmh"] == approx(r.distance_km / res.time_h[:, 0].mean())
    assert row["border_cost_share"] == approx(80.0 / r.cost_usd)
    assert row["border_time_share"] == approx(row["mean_border_h"] / row["time_mean_h"])
    out = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert out["runs"] == 4_000 and len(out["routes"]) == 1
    assert len(res.to_dict(draws=True)["time_h"][0]) == 4_000
    assert sim0(r, runs=10, seed=1, net=net).to_frame()["p_on_time"].isna().all()
    assert "SimulationResult" in repr(res)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    dwell=st.floats(0.5, 100.0),
    dwell_ratio=st.floats(1.0, 4.0),
    transfer=st.floats(0.5, 100.0),
    transfer_ratio=st.floats(1.0, 4.0),
    headway=st.one_of(st.just(math.nan), st.floats(1.0, 200.0)),
    runs=st.integers(1, 300),
    seed=st.integers(0, 2**32),
)
def test_property_percentiles_ordered(
    r: cor.Route,
    net: cor.Network,
    dwell: float,
    dwell_ratio: float,
    transfer: float,
    transfer_ratio: float,
    headway: float,
    runs: int,
    seed: int,
) -> None:
    steps = []
    for leg in r.steps:
        if leg.kind == "border":
            leg = dataclasses.replace(leg, dwell_h=dwell, dwell_p90_h=dwell * dwell_ratio)
        elif leg.kind == "transfer":
            leg = dataclasses.replace(
                leg, transfer_time_h=transfer, transfer_p90_h=transfer * transfer_ratio
            )
        elif leg.kind == "terminal" and leg.seq == 0:
            wait = 0.0 if math.isnan(headway) else headway / 2
            leg = dataclasses.replace(leg, headway_h=headway, wait_h=wait)
        steps.append(
            dataclasses.replace(
                leg,
                time_h=leg.running_time_h
                + leg.wait_h
                + leg.dwell_h
                + leg.transfer_time_h
                + leg.terminal_time_h,
            )
        )
    route = dataclasses.replace(r, steps=tuple(steps))
    res = sim0([route, r], runs=runs, seed=seed, net=net)
    for what in ("time_h", "cost_usd"):
        p = res.percentiles(what)
        assert np.all(np.diff(p, axis=0) >= -1e-9 * np.abs(p[1:]))
    assert res.p_fastest.sum() == approx(1.0) and res.p_cheapest.sum() == approx(1.0)
    running = route.time_split()["running"]
    assert np.all(res.time_h[:, 0] >= running - 1e-9)


# ---- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(runs=0), "runs"),
        (dict(runs=-5), "runs"),
        (dict(runs=2.5), "runs"),
        (dict(runs=True), "runs"),
        (dict(deadline_h=-1.0), "deadline"),
        (dict(deadline_h=math.nan), "deadline"),
    ],
)
def test_bad_input(net: cor.Network, r: cor.Route, kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        simulate(r, net=net, **kwargs)


def test_bad_routes(net: cor.Network, r: cor.Route) -> None:
    with pytest.raises(ParameterError, match="at least one route"):
        simulate([], net=net)
    with pytest.raises(ParameterError, match="Route objects"):
        simulate(["a"], net=net)  # type: ignore[list-item]
    # a route carries the risk rows of its own network: no network needed, none loaded
    a = simulate(r, runs=500, seed=3)
    b = simulate(r, runs=500, seed=3, net=net)
    assert np.array_equal(a.time_h, b.time_h)
    bad = dataclasses.replace(
        r,
        steps=tuple(
            dataclasses.replace(leg, dwell_p90_h=leg.dwell_h / 2) if leg.kind == "border" else leg
            for leg in r.steps
        ),
    )
    with pytest.raises(ParameterError, match="below the median"):
        simulate(bad, net=net)


def test_bundled_routes_without_net() -> None:
    net = cor.load_network()
    alts = cor.alternatives(net, "Karachi", "Tashkent", k=2)
    a = simulate(alts, runs=2_000, seed=1)
    b = simulate(alts, runs=2_000, seed=1, net=net)
    assert np.array_equal(a.time_h, b.time_h)
    assert a.p_fastest.sum() == approx(1.0)


# ---- progress bar ---------------------------------------------------------------------------------


class _FakeBar:
    made: list[_FakeBar] = []

    def __init__(self, total: int, **kwargs: object) -> None:
        self.total, self.n, self.closed = total, 0, False
        _FakeBar.made.append(self)

    def update(self, n: int) -> None:
        self.n += n

    def close(self) -> None:
        self.closed = True


def test_progress_bar_only_when_asked(
    net: cor.Network,
    r: cor.Route,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = _FakeBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    monkeypatch.setattr(simmod, "CHUNK_RUNS", 100)
    _FakeBar.made.clear()
    simulate(r, runs=250, seed=0, net=net, progress=True)
    assert len(_FakeBar.made) == 1
    bar = _FakeBar.made[0]
    assert bar.total == 250 and bar.n == 250 and bar.closed
    simulate(r, runs=250, seed=0, net=net, progress=False)
    simulate(r, runs=250, seed=0, net=net)  # default: not a terminal here, no bar
    assert len(_FakeBar.made) == 1
    # without tqdm: no bar and no error
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    simulate(r, runs=250, seed=0, net=net, progress=True)
    assert capsys.readouterr().err == ""


# ---- CLI hook ------------------------------------------------------------------------------------


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="corridors")
    sub = parser.add_subparsers(dest="command", required=True)
    add_cli(sub)
    return parser.parse_args(argv)


def test_cli_table_json_csv(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse(
        [
            "simulate",
            "Karachi",
            "Tashkent",
            "--k",
            "2",
            "--runs",
            "2000",
            "--seed",
            "1",
            "--deadline-days",
            "45",
        ]
    )
    assert args.func is run_cli
    assert run_cli(args) == 0
    out = capsys.readouterr().out
    assert "P(fastest)" in out and "P90 days" in out and "seed 1" in out
    assert (
        run_cli(
            _parse(
                [
                    "simulate",
                    "Karachi",
                    "Tashkent",
                    "--k",
                    "2",
                    "--runs",
                    "500",
                    "--seed",
                    "1",
                    "--format",
                    "json",
                ]
            )
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["runs"] == 500 and len(data["routes"]) == 2
    assert sum(rt["p_fastest"] for rt in data["routes"]) == approx(1.0)
    assert (
        run_cli(
            _parse(
                [
                    "simulate",
                    "Karachi",
                    "Tashkent",
                    "--k",
                    "1",
                    "--runs",
                    "100",
                    "--seed",
                    "1",
                    "--format",
                    "csv",
                ]
            )
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("route,label,") and len(lines) == 2


def test_cli_bad_runs_and_deadline() -> None:
    with pytest.raises(ParameterError, match="runs"):
        run_cli(_parse(["simulate", "Karachi", "Tashkent", "--k", "1", "--runs", "0"]))
    with pytest.raises(ParameterError, match="deadline"):
        run_cli(_parse(["simulate", "Karachi", "Tashkent", "--deadline-days", "-1"]))


def test_result_type(net: cor.Network, r: cor.Route) -> None:
    assert isinstance(simulate(r, runs=1, seed=0, net=net), SimulationResult)


def test_cli_route_options_reach_the_routes_and_span_the_draws(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--modes/--year/--departure choose the routes as route() would; --span leaves the
    terminals and the first wait out of the draws, as simulate(span=) does."""
    argv = ["simulate", "Karachi", "Tashkent", "--k", "1", "--runs", "300", "--seed", "3"]
    opts = ["--modes", "rail", "--year", "2032", "--departure", "random"]
    span = ["--span", "departure_to_arrival", "--format", "json"]
    assert run_cli(_parse([*argv, *opts, *span])) == 0
    data = json.loads(capsys.readouterr().out)
    summary = data["routes"][0]["summary"]
    net = cor.load_network()
    r = cor.route(net, "Karachi", "Tashkent", modes=["rail"], year=2032, departure="random")
    assert summary["departure"] == "random" and summary["modes"] == r.modes == ["rail"]
    assert summary["time_h"] == approx(round(r.time_h, 1))
    expected = cor.simulate(r, runs=300, seed=3, net=net, span="departure_to_arrival").to_dict()[
        "routes"
    ][0]
    assert data["routes"][0]["time_p50_h"] == approx(expected["time_p50_h"])
