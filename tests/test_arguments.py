"""Public entry points check their arguments: the library's errors, naming the argument."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pytest

import corridors as cor
from corridors import alternatives, route
from corridors._json import dumps_json
from corridors.analysis.closures import closure_choice
from corridors.analysis.simulate import simulate
from corridors.cli.app import main
from corridors.engine.checks import MAX_K, MAX_SIM_DRAWS
from corridors.errors import ParameterError, ParameterTypeError, RequestTooLargeError
from corridors.routes.pareto import pareto
from corridors.routes.skims import route_matrix
from netfactory import build


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return build("two_corridors")


@pytest.fixture(scope="module")
def one(net: cor.Network) -> cor.Route:
    return route(net, "o", "d")


def test_type_errors_are_both_the_librarys_and_builtin() -> None:
    assert issubclass(ParameterTypeError, ParameterError)
    assert issubclass(ParameterTypeError, TypeError)
    assert issubclass(RequestTooLargeError, ValueError)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(origin=5), ParameterTypeError, "origin must be a place"),
        (dict(destination=None), ParameterTypeError, "destination must be a place"),
        (dict(origin="   "), ParameterError, "origin is empty"),
        (dict(minimize=3), ParameterTypeError, "minimize must be a string"),
        (dict(cargo=40), ParameterTypeError, "cargo must be a Cargo or a string"),
        (dict(cargo="forty"), ParameterError, "forty"),
        (dict(modes=5), ParameterTypeError, "modes takes a string or a list"),
        (dict(avoid_places=[1, 2]), ParameterTypeError, "avoid_places[0] must be a string"),
        (dict(avoid_countries={"IRN": 1}), ParameterTypeError, "avoid_countries takes"),
        (dict(year=2030.5), ParameterTypeError, "year must be a whole number"),
        (dict(year=True), ParameterTypeError, "year must be a whole number"),
        (dict(max_transfers=-1), ParameterError, "max_transfers must be >= 0"),
        (dict(risk_aversion="high"), ParameterTypeError, "risk_aversion must be a number"),
        (dict(risk_aversion=math.inf), ParameterError, "risk_aversion must be a finite number"),
        (dict(sanctions=3), ParameterTypeError, "sanctions must be a policy string"),
        (dict(departure=None), ParameterTypeError, "departure must be a string"),
    ],
)
def test_route_checks_types_and_ranges(
    net: cor.Network, kwargs: dict[str, Any], exc: type, words: str
) -> None:
    args = {"origin": "o", "destination": "d", **kwargs}
    with pytest.raises(exc) as info:
        route(net, args.pop("origin"), args.pop("destination"), **args)
    assert words in str(info.value)


def test_route_takes_a_cargo_string(net: cor.Network) -> None:
    assert route(net, "o", "d", cargo="40ft").cost_usd == route(net, "o", "d").cost_usd
    assert route(net, "o", "d", cargo="20ft").cost_usd <= route(net, "o", "d").cost_usd


def test_not_a_network_is_named(net: cor.Network) -> None:
    with pytest.raises(ParameterTypeError, match="net must be a corridors Network"):
        route("net.gpkg", "o", "d")  # type: ignore[arg-type]


def test_alternatives_k_limits_and_misspelt_keywords(net: cor.Network) -> None:
    with pytest.raises(RequestTooLargeError, match=f"k must be <= {MAX_K}, got 1000000"):
        alternatives(net, "o", "d", k=1_000_000)
    with pytest.raises(ParameterError, match="k must be >= 1"):
        alternatives(net, "o", "d", k=0)
    with pytest.raises(ParameterTypeError, match="k must be a whole number"):
        alternatives(net, "o", "d", k=2.0)
    with pytest.raises(
        ParameterTypeError,
        match="alternatives\\(\\) got an unexpected keyword "
        "argument 'avoid_country'; did you mean 'avoid_countries'",
    ):
        alternatives(net, "o", "d", avoid_country=["IRN"])
    assert len(alternatives(net, "o", "d", k=np.int64(2))) == 2


def test_pareto_arguments(net: cor.Network) -> None:
    with pytest.raises(ParameterTypeError, match="criteria takes a list"):
        pareto(net, "o", "d", criteria=None)  # type: ignore[arg-type]
    with pytest.raises(ParameterTypeError, match="criteria takes a list"):
        pareto(net, "o", "d", criteria="time_h")
    with pytest.raises(ParameterTypeError, match="criteria holds int"):
        pareto(net, "o", "d", criteria=["time_h", 2])  # type: ignore[list-item]
    with pytest.raises(ParameterTypeError, match="pareto\\(\\) got an unexpected keyword"):
        pareto(net, "o", "d", avoid=["IRN"])
    with pytest.raises(ParameterError, match="max_labels must be >= 1"):
        pareto(net, "o", "d", max_labels=0)
    with pytest.raises(RequestTooLargeError, match="pareto stopped after 5 labels"):
        pareto(net, "o", "d", max_labels=5)


def test_pareto_time_limit(net: cor.Network, monkeypatch: pytest.MonkeyPatch) -> None:
    par = sys.modules["corridors.routes.pareto"]
    clock = iter(range(0, 10**9, 7))  # every reading of the clock is 7 s later

    class FakeTime:
        @staticmethod
        def monotonic() -> float:
            return float(next(clock))

    monkeypatch.setattr(par, "time", FakeTime)
    monkeypatch.setattr(par, "CLOCK_EVERY", 1)
    with pytest.raises(RequestTooLargeError, match="pareto stopped after 5 s"):
        pareto(net, "o", "d", max_seconds=5)
    monkeypatch.setattr(par, "CLOCK_EVERY", 10**9)  # the clock never read: it finishes
    assert len(pareto(net, "o", "d", max_seconds=5)) >= 1


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        (dict(runs=1.5), ParameterTypeError, "runs must be a whole number"),
        (dict(runs=0), ParameterError, "runs must be >= 1"),
        (dict(seed=-1), ParameterError, "seed must be >= 0"),
        (dict(seed=1.5), ParameterTypeError, "seed must be a whole number"),
        (dict(deadline_h=-3.0), ParameterError, "deadline_h must be >= 0"),
        (dict(deadline_h=math.nan), ParameterError, "deadline_h must be a finite number"),
        (dict(cargo=20), ParameterTypeError, "cargo must be a Cargo"),
        (dict(progress="yes"), ParameterTypeError, "progress must be True or False"),
        (dict(net="bundled"), ParameterTypeError, "net must be a corridors Network"),
    ],
)
def test_simulate_checks_arguments(
    one: cor.Route, kwargs: dict[str, Any], exc: type, words: str
) -> None:
    with pytest.raises(exc) as info:
        simulate(one, disruptions=False, **{"runs": 100, **kwargs})
    assert words in str(info.value)


def test_simulate_refuses_too_many_draws_before_allocating(one: cor.Route) -> None:
    with pytest.raises(RequestTooLargeError, match="runs x routes") as info:
        simulate([one, one], runs=MAX_SIM_DRAWS, disruptions=False)
    assert f"at most {MAX_SIM_DRAWS // 2:,}" in str(info.value)
    with pytest.raises(ParameterTypeError, match="list of Route"):
        simulate("route", disruptions=False)  # type: ignore[arg-type]
    sim = simulate(one, runs=200, seed=3, cargo="20ft", disruptions=False)
    assert sim.runs == 200


def test_route_matrix_arguments(net: cor.Network) -> None:
    with pytest.raises(ParameterTypeError, match="origins takes a string or a list"):
        route_matrix(net, 0, ["d"])  # type: ignore[arg-type]
    with pytest.raises(ParameterTypeError, match="net must be"):
        route_matrix(None, ["o"], ["d"])  # type: ignore[arg-type]


def test_closure_days_are_bounded(net: cor.Network) -> None:
    with pytest.raises(RequestTooLargeError, match="days must be <= 3650 days, got 1e\\+308"):
        closure_choice(net, "o", "d", closed="i1", days=1e308)
    with pytest.raises(ParameterError, match="days must be a finite number"):
        closure_choice(net, "o", "d", closed="i1", days=math.inf)
    with pytest.raises(ParameterTypeError, match="closed takes a string or a list"):
        closure_choice(net, "o", "d", closed=7)  # type: ignore[arg-type]
    with pytest.raises(ParameterTypeError, match="closure_choice\\(\\) got an unexpected"):
        closure_choice(net, "o", "d", closed="i1", days=2, avoid_country="AFG")


def test_json_output_is_strict() -> None:
    text = dumps_json(
        {
            "a": math.inf,
            "b": [math.nan, np.float64(-math.inf)],
            "c": np.int64(3),
            "d": np.bool_(True),
        }
    )
    assert json.loads(text) == {"a": None, "b": [None, None], "c": 3, "d": True}
    assert "Infinity" not in text and "NaN" not in text


@pytest.mark.parametrize(
    "argv, code, words",
    [
        (["simulate", "o", "d", "--seed", "-1"], 2, "seed must be >= 0"),
        (["simulate", "o", "d", "--runs", "100000000", "--k", "1"], 2, "runs x routes"),
        (["route", "o", "d", "--k", "1000000"], 2, "k must be <= 50"),
        (
            ["closure", "o", "d", "--closed", "i1", "--days", "1e308", "--format", "json"],
            2,
            "days must be <= 3650",
        ),
    ],
)
def test_cli_limits_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, argv: list[str], code: int, words: str
) -> None:
    path = cor.write_network(build("two_corridors"), tmp_path / "n")
    got = main([*argv, "--network", str(path)])
    out, err = capsys.readouterr()
    assert got == code and out == ""
    assert words in err and "Traceback" not in err
