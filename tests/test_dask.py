"""Scenario and closure sweeps on a real Dask cluster: one LocalCluster of two worker
*processes* shared by the module. ``compare``, ``criticality`` and ``corridor_criticality``
with the Client (the network scattered to each worker once) or its executor give the serial
tables; a scenario that fails on a worker is error rows, not a failed sweep. Skipped without
the ``dask`` extra."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

import corridors as cor
from corridors.analysis.compare import compare
from corridors.analysis.criticality import (
    CRITICALITY_BATCHES,
    corridor_criticality,
    criticality,
)
from corridors.analysis.scenario import Scenario
from corridors.analysis.scenario_parts import Closure, Multiplier
from corridors.routes.skims import route_matrix

distributed = pytest.importorskip("distributed")

OD = [("Karachi", "Tashkent"), ("Gwadar Port", "Almaty")]

pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning"),  # a busy port: the cluster picks another
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def net() -> cor.Network:
    return cor.load_network()


def _scenarios() -> list[Scenario]:
    return [
        Scenario.baseline(),
        Scenario(name="rail dearer", multipliers=(Multiplier(mode="rail", tariff=1.5),)),
        Scenario(name="Torkham closed", closures=(Closure(kind="crossing", ref="Torkham"),)),
    ]


def test_two_worker_processes(client) -> None:
    import os

    assert len(client.scheduler_info()["workers"]) == 2
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2 and os.getpid() not in pids


def test_compare_on_the_cluster_equals_serial(client, net) -> None:
    serial = compare(net, _scenarios(), od=OD, minimize=["cost_usd", "time_h"])
    seen: list[tuple[int, int]] = []
    swept = compare(
        net,
        _scenarios(),
        od=OD,
        minimize=["cost_usd", "time_h"],
        executor=client,
        progress=lambda *a: seen.append(a),
    )
    pd.testing.assert_frame_equal(serial, swept)
    assert seen == [(1, 3), (2, 3), (3, 3)]
    via_executor = compare(
        net, _scenarios(), od=OD, minimize=["cost_usd", "time_h"], executor=client.get_executor()
    )
    pd.testing.assert_frame_equal(serial, via_executor)


def test_skims_as_dask_tasks_equal_serial(client, net) -> None:
    places = ["karachi", "tashkent", "almaty", "moscow"]
    serial = [route_matrix(net, [o], places, minimize="time_h") for o in places]
    futures = [client.submit(route_matrix, net, [o], places, minimize="time_h") for o in places]
    for want, fut in zip(serial, futures):
        pd.testing.assert_frame_equal(want, fut.result())


def test_the_network_is_scattered_once(client, net) -> None:
    spy = _ScatterSpy(client)
    swept = compare(net, _scenarios()[:2], od=OD[:1], minimize="cost_usd", executor=spy)
    pd.testing.assert_frame_equal(
        compare(net, _scenarios()[:2], od=OD[:1], minimize="cost_usd"), swept
    )
    assert spy.scattered == [("Network", True)]  # once, to every worker
    spy.scattered.clear()
    spy.submitted.clear()
    planned = cor.route(net, "Karachi", "Tashkent")
    criticality(net, planned, executor=spy)
    assert spy.scattered == []  # the same network: the workers' copy is reused
    assert 1 < len(spy.submitted) <= CRITICALITY_BATCHES  # batches of closures
    criticality(net.replace(), planned, executor=spy)
    assert spy.scattered == [("Network", True)]  # another network: sent once


class _ScatterSpy:
    """A Client that records what is scattered and how many tasks are submitted."""

    def __init__(self, client) -> None:
        self.client = client
        self.scattered: list[tuple[str, bool]] = []
        self.submitted: list[str] = []

    def scatter(self, data, broadcast=False):
        self.scattered.append((type(data).__name__, broadcast))
        return self.client.scatter(data, broadcast=broadcast)

    def submit(self, fn, *args, **kwargs):
        self.submitted.append(fn.__name__)
        return self.client.submit(fn, *args, **kwargs)


def test_criticality_on_the_cluster_equals_serial(client, net) -> None:
    planned = cor.route(net, "Karachi", "Tashkent", minimize="time_h")
    pd.testing.assert_frame_equal(
        criticality(net, planned), criticality(net, planned, executor=client)
    )
    scens = _scenarios()[::2]
    pd.testing.assert_frame_equal(
        corridor_criticality(net, scens, od=OD[:1]),
        corridor_criticality(net, scens, od=OD[:1], executor=client),
    )


class _Broken(Scenario):
    """A scenario that fails where it is applied (on a worker)."""

    def apply(self, net):
        raise RuntimeError("disk on fire\nsecond line")


def test_a_scenario_failing_on_a_worker_is_error_rows(client, net) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import tests
    try:
        scens = [Scenario.baseline(), _Broken(name="broken")]
        df = compare(net, scens, od=OD, minimize=["cost_usd", "time_h"], executor=client)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    broken = df[df["scenario"] == "broken"]
    assert len(broken) == len(OD) * 2
    assert set(broken["status"]) == {"error"}
    assert set(broken["reason"]) == {"RuntimeError: disk on fire"}
    assert set(df[df["scenario"] == "baseline"]["status"]) == {"ok"}
