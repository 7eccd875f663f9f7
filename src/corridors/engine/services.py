"""Scheduled services (``services.csv``): the block trains, liner strings and ferry lines
that run over a sequence of links, each with its own nodes in the expanded graph
(``rail-1520~<id>``, ``sea~<id>``, ``ferry~<id>``), headway, speed and status.

A train's departure wait is charged on the edge that boards it (loading, or a transfer onto
it). A ship has two nodes per port, as the default ``sea`` and ``ferry`` services do:
``sea~<id>`` (the box is at the quay for this string's next sailing) and ``sea~<id>:in`` (the
box is on board); a sailing from the first charges the string's wait, a sailing from the
second none, so a box that stays on board through an intermediate call waits once and is not
handled there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..model.network import Network
from ..model.schema import link_is_usable

__all__ = [
    "SERVICE_SEP",
    "ServiceInfo",
    "rotation_directions",
    "scheduled_services",
    "service_node_name",
    "service_order",
    "service_runs",
]

SERVICE_SEP = "~"  # a scheduled service's nodes: "rail-1520~rzdl_instc_east"


@dataclass(frozen=True)
class ServiceInfo:
    """One scheduled service (a row of services.csv) as the topology and weights use it."""

    id: str
    node_service: str  # "rail-1520~<id>", "sea~<id>", "ferry~<id>"
    mode: str  # rail, sea or ferry
    headway_h: float
    speed_kmh: float
    status: str
    year: Any
    source: str
    until_year: Any = None  # the last year the row applies (None: no end)


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
    from ..model.validation import service_links, service_path

    links = net._links.reset_index(drop=True)
    extra: dict[int, list[str]] = {}
    info: dict[str, ServiceInfo] = {}
    table = net._tables.get("services")
    if table is not None:
        for rec in table.to_dict("records"):
            name = service_node_name(rec["mode"], rec["gauge_mm"], rec["id"])
            path = service_path(rec["path"])
            for a, b in zip(path, path[1:]):
                for row in service_links(links, rec["mode"], rec["gauge_mm"], a, b):
                    if name not in extra.setdefault(row, []):
                        extra[row].append(name)
            sp = rec.get("speed_kmh")
            info[name] = ServiceInfo(
                id=str(rec["id"]),
                node_service=name,
                mode=str(rec["mode"]),
                headway_h=float(rec["headway_h"]),
                speed_kmh=float(sp) if sp is not None and not pd.isna(sp) else float("nan"),
                status=str(rec["status"]),
                year=rec.get("year"),
                source=str(rec["source"]),
                until_year=rec.get("until_year"),
            )
    return {row: tuple(x) for row, x in extra.items()}, info


def rotation_directions(net: Network) -> dict[tuple[int, str], bool]:
    """The links a one-way rotation sails in one direction only: a ship's service whose path
    ends at the port it began from (``a|b|c|a``) calls in that order, so it is not offered
    against it. Per (link row, node service): True where it sails the link from its
    ``from_id`` to its ``to_id``, False the other way. Every other service, and a link a
    rotation sails both ways, runs both ways (absent here)."""
    from ..model.validation import service_links, service_path

    table = net._tables.get("services")
    if table is None:
        return {}
    links = net._links.reset_index(drop=True)
    from_ids = links["from_id"].tolist()
    seen: dict[tuple[int, str], set[bool]] = {}
    for rec in table.to_dict("records"):
        path = service_path(rec["path"])
        if rec["mode"] == "rail" or len(path) < 3 or path[0] != path[-1]:
            continue
        name = service_node_name(rec["mode"], rec["gauge_mm"], rec["id"])
        for a, b in zip(path, path[1:]):
            for row in service_links(links, rec["mode"], rec["gauge_mm"], a, b):
                seen.setdefault((row, name), set()).add(from_ids[row] == a)
    return {key: dirs.pop() for key, dirs in seen.items() if len(dirs) == 1}


def service_runs(svc: ServiceInfo, year: int | None) -> bool:
    """Whether a service runs in ``year`` (None: today): its status and year allow it (as a
    link's), and its ``until_year``, when given, has not passed (a row that ended runs only
    for queries of a year up to it, never today: one row per period gives a headway by
    year)."""
    if not link_is_usable(svc.status, svc.year, year):
        return False
    until = svc.until_year
    if until is None or until is pd.NA or (isinstance(until, float) and math.isnan(until)):
        return True
    return year is not None and year <= int(until)


def service_node_name(mode: Any, gauge_mm: Any, service_id: Any) -> str:
    """The node service of a scheduled service: ``rail-<gauge>~<id>`` for a train (its
    track's default service, then its id), ``sea~<id>`` or ``ferry~<id>`` for a ship."""
    if mode == "rail":
        return f"rail-{int(gauge_mm)}{SERVICE_SEP}{service_id}"
    return f"{mode}{SERVICE_SEP}{service_id}"


def service_order(name: str) -> tuple[str, int, str]:
    """Sort key of a node service (``rail-1520``, ``rail-1520~<id>``): its default service's
    name, then scheduled services before the default, so that where a scheduled service ties
    with the country's default train on every criterion, the route takes the known service
    (its nodes come first in the lexicographic search's node order)."""
    base, sep, _ = name.partition(SERVICE_SEP)
    return (base, 0 if sep else 1, name)
