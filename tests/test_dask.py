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
