"""Scenario sweeps on a real Dask cluster (in-process LocalCluster, one worker, one thread):
``compare(..., executor=client.get_executor())`` gives the serial run's frame, and skims run
as executor tasks give the serial skims. Skipped without the ``dask`` extra."""

from __future__ import annotations

import pandas as pd
import pytest

import corridors as cor
from corridors.analysis.compare import compare
from corridors.analysis.scenario import Scenario
from corridors.analysis.scenario_parts import Closure, Multiplier
from corridors.routes.skims import route_matrix

distributed = pytest.importorskip("distributed")

OD = [("Karachi", "Tashkent"), ("Gwadar Port", "Almaty")]


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_compare_on_dask_equals_serial(client) -> None:
    net = cor.load_network()
    scens = [
        Scenario.baseline(),
        Scenario(name="rail dearer", multipliers=(Multiplier(mode="rail", tariff=1.5),)),
        Scenario(name="Torkham closed", closures=(Closure(kind="crossing", ref="Torkham"),)),
    ]
    serial = compare(net, scens, od=OD, minimize=["cost_usd", "time_h"])
    swept = compare(
        net, scens, od=OD, minimize=["cost_usd", "time_h"], executor=client.get_executor()
    )
    pd.testing.assert_frame_equal(serial, swept)
    assert set(swept["scenario"]) == {s.name for s in scens}


def test_skims_as_dask_tasks_equal_serial(client) -> None:
    net = cor.load_network()
    places = ["karachi", "tashkent", "almaty", "moscow"]
    serial = [route_matrix(net, [o], places, minimize="time_h") for o in places]
    executor = client.get_executor()
    futures = [executor.submit(route_matrix, net, [o], places, minimize="time_h") for o in places]
    for want, fut in zip(serial, futures):
        pd.testing.assert_frame_equal(want, fut.result())


@pytest.mark.filterwarnings("ignore::UserWarning")  # a busy port: the cluster picks another
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_compare_on_two_worker_processes_scatters_the_network_once() -> None:
    """A LocalCluster of two worker *processes*: a Client as executor sends the network to
    each worker once (scatter with broadcast) and gives the serial frame."""
    net = cor.load_network()
    scens = [
        Scenario.baseline(),
        Scenario(name="Torkham closed", closures=(Closure(kind="crossing", ref="Torkham"),)),
    ]
    serial = compare(net, scens, od=OD[:1], minimize="cost_usd")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        spy = _ScatterSpy(c)
        swept = compare(net, scens, od=OD[:1], minimize="cost_usd", executor=spy)
    pd.testing.assert_frame_equal(serial, swept)
    assert spy.scattered == [("Network", True)]  # once, to every worker


class _ScatterSpy:
    """A Client that records what is scattered."""

    def __init__(self, client) -> None:
        self.client = client
        self.scattered: list[tuple[str, bool]] = []

    def scatter(self, data, broadcast=False):
        self.scattered.append((type(data).__name__, broadcast))
        return self.client.scatter(data, broadcast=broadcast)

    def submit(self, *args, **kwargs):
        return self.client.submit(*args, **kwargs)


def test_a_failing_scenario_is_an_error_row_not_a_failed_sweep(monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    net = cor.load_network()
    real_apply = Scenario.apply

    def apply(self, n):
        if self.name == "broken":
            raise RuntimeError("disk on fire\nsecond line")
        return real_apply(self, n)

    monkeypatch.setattr(Scenario, "apply", apply)
    scens = [Scenario.baseline(), Scenario(name="broken")]
    with ThreadPoolExecutor(2) as pool:
        df = compare(net, scens, od=OD, minimize=["cost_usd", "time_h"], executor=pool)
    broken = df[df["scenario"] == "broken"]
    assert len(broken) == len(OD) * 2
    assert set(broken["status"]) == {"error"}
    assert set(broken["reason"]) == {"RuntimeError: disk on fire"}
    assert set(df[df["scenario"] == "baseline"]["status"]) == {"ok"}
