"""Sweeps (compare's scenarios, criticality's closures) on an executor and with progress:
the same tables as serially, a failed task as error rows instead of a failed sweep, progress
reported per task. Thread pools here; a Dask cluster of worker processes in test_dask.py."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest

import corridors as cor
from corridors.analysis import criticality as crit
from corridors.analysis.compare import compare
from corridors.analysis.scenario import Scenario
from corridors.analysis.scenario_parts import Closure
from corridors.analysis.sweep import Failed, run_tasks
from corridors.cli.app import main
from corridors.errors import ParameterTypeError

OD = [("Karachi", "Tashkent")]


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


@pytest.fixture(scope="module")
def planned(net) -> cor.Route:
    return cor.route(net, "Karachi", "Tashkent")


def _scenarios() -> list[Scenario]:
    return [
        Scenario.baseline(),
        Scenario(name="Torkham closed", closures=(Closure(kind="crossing", ref="Torkham"),)),
        Scenario(name="Chaman closed", closures=(Closure(kind="crossing", ref="Chaman"),)),
    ]


def test_compare_reports_progress_per_scenario(net) -> None:
    seen: list[tuple[int, int]] = []
    df = compare(net, _scenarios(), od=OD, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with ThreadPoolExecutor(2) as pool:
        seen.clear()
        swept = compare(net, _scenarios(), od=OD, executor=pool, progress=lambda *a: seen.append(a))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    pd.testing.assert_frame_equal(df, swept)


def test_progress_must_be_a_flag_or_a_function(net, planned) -> None:
    with pytest.raises(ParameterTypeError, match="progress"):
        compare(net, _scenarios(), od=OD, progress="yes")
    with pytest.raises(ParameterTypeError, match="progress"):
        crit.criticality(net, planned, progress=3)


def test_criticality_on_an_executor_equals_serial(net, planned) -> None:
    serial_seen: list[tuple[int, int]] = []
    serial = crit.criticality(net, planned, progress=lambda *a: serial_seen.append(a))
    n_items = len(crit._route_items(net, planned))
    assert serial_seen[-1] == (n_items, n_items)
    seen: list[tuple[int, int]] = []
    with ThreadPoolExecutor(2) as pool:
        swept = crit.criticality(net, planned, executor=pool, progress=lambda *a: seen.append(a))
    pd.testing.assert_frame_equal(serial, swept)
    assert seen[-1][0] == seen[-1][1] <= crit.CRITICALITY_BATCHES  # one tick per batch


def test_a_failed_batch_gives_error_rows_ranked_last(net, planned, monkeypatch) -> None:
    serial = crit.criticality(net, planned, sections=False)
    real = crit._detours

    def detours(n, r, items):
        if any(it.kind == "crossing" for it in items):
            raise RuntimeError("worker lost\nmore")
        return real(n, r, items)

    monkeypatch.setattr(crit, "_detours", detours)
    monkeypatch.setattr(crit, "CRITICALITY_BATCHES", len(serial))  # one item per batch
    monkeypatch.setattr(crit, "CRITICALITY_BATCH_MIN", 1)
    with ThreadPoolExecutor(2) as pool:
        df = crit.criticality(net, planned, sections=False, executor=pool)
    bad = df[df["status"] == "error"]
    assert len(bad) == (serial["item_kind"] == "crossing").sum() > 0
    assert set(bad["detour"]) == {"RuntimeError: worker lost"}
    assert df["rank"].tolist() == list(range(1, len(df) + 1))
    assert (df["status"] == "error").tolist()[-len(bad) :] == [True] * len(bad)  # last
    good = df[df["status"] != "error"].drop(columns="rank").reset_index(drop=True)
    want = serial[serial["item_kind"] != "crossing"].drop(columns="rank").reset_index(drop=True)
    pd.testing.assert_frame_equal(good, want)
    with pytest.raises(RuntimeError):  # serially an error is an error
        crit.criticality(net, planned, sections=False)


def test_run_tasks_keeps_order_and_turns_failures_into_failed(net) -> None:
    def task(n, i):
        if i == 2:
            raise ValueError("two\nsecond line")
        return i * 10

    with ThreadPoolExecutor(3) as pool:
        out = run_tasks(task, net, [(i,) for i in range(5)], executor=pool, progress=False)
    assert out == [0, 10, Failed("ValueError: two"), 30, 40]
    with pytest.raises(ValueError):
        run_tasks(task, net, [(i,) for i in range(5)], progress=False)


def test_cli_progress_flag_draws_a_bar_on_stderr(tmp_path, capsys) -> None:
    pytest.importorskip("tqdm")
    scen = tmp_path / "s.toml"
    scen.write_text('name = "s"\nod = [["Karachi", "Kabul"]]\n')
    code = main(["compare", str(scen), "--format", "csv", "--progress"])
    out, err = capsys.readouterr()
    assert code == 0 and "scenarios" in err and out.startswith("scenario,")
    code = main(["compare", str(scen), "--format", "csv", "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
