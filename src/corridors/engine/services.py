"""Scheduled services (``services.csv``): the trains that run over a sequence of links, each
with its own nodes in the expanded graph (``rail-1520~<id>``), headway, speed and status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model.network import Network

__all__ = ["SERVICE_SEP", "ServiceInfo", "scheduled_services", "service_order"]

SERVICE_SEP = "~"  # a scheduled service's nodes: "rail-1520~rzdl_instc_east"


@dataclass(frozen=True)
class ServiceInfo:
    """One scheduled service (a row of services.csv) as the topology and weights use it."""

    id: str
    node_service: str  # "rail-1520~<id>"
    headway_h: float
    speed_kmh: float
    status: str
    year: Any
    source: str


def scheduled_services(net: Network) -> tuple[list[tuple[str, ...]], dict[str, ServiceInfo]]:
    """Per link row, the node services of the scheduled services that run over it, and the
    services by node service name (from the network's ``services`` table)."""
    extra, info = _scheduled_services(net)
    return [extra.get(i, ()) for i in range(len(net._links))], info


def _scheduled_services(
    net: Network,
) -> tuple[dict[int, tuple[str, ...]], dict[str, ServiceInfo]]:
    """:func:`scheduled_services` with the node services only of the link rows that have
    any (a dict by row: few links carry a scheduled service)."""
    from ..model.validation import service_link

    links = net._links
    extra: dict[int, list[str]] = {}
    info: dict[str, ServiceInfo] = {}
    table = net._tables.get("services")
    if table is not None:
        for rec in table.to_dict("records"):
            name = f"{rec['mode']}-{int(rec['gauge_mm'])}{SERVICE_SEP}{rec['id']}"
            path = [p.strip() for p in str(rec["path"]).split("|") if p.strip()]
            for a, b in zip(path, path[1:]):
                row = service_link(links.reset_index(drop=True), rec["mode"], rec["gauge_mm"], a, b)
                if row is not None and name not in extra.setdefault(row, []):
                    extra[row].append(name)
            sp = rec.get("speed_kmh")
            info[name] = ServiceInfo(
                id=str(rec["id"]),
                node_service=name,
                headway_h=float(rec["headway_h"]),
                speed_kmh=float(sp) if sp is not None and not pd.isna(sp) else float("nan"),
                status=str(rec["status"]),
                year=rec.get("year"),
                source=str(rec["source"]),
            )
    return {row: tuple(x) for row, x in extra.items()}, info


def service_order(name: str) -> tuple[str, int, str]:
    """Sort key of a node service (``rail-1520``, ``rail-1520~<id>``): its default service's
    name, then scheduled services before the default, so that where a scheduled service ties
    with the country's default train on every criterion, the route takes the known service
    (its nodes come first in the lexicographic search's node order)."""
    base, sep, _ = name.partition(SERVICE_SEP)
    return (base, 0 if sep else 1, name)
