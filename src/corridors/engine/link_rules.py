"""What the link rules in force on a query's day do to the expanded graph: the links they
close and the extra running hours their time windows add (:mod:`corridors.model.rules`)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ..model.network import Network
from ..model.rules import LinkRule, link_rules, rules_in_force, window_extra_factor
from .topology import LINK, Topology
from .weights import Weights

__all__ = ["network_rules", "closing_rules", "window_hours"]


def network_rules(net: Network) -> tuple[LinkRule, ...]:
    """The rules of ``net``'s ``link_rules`` table (cached per network)."""
    hit = net._cache.get("link_rules")
    if hit is None:
        hit = link_rules(net._tables)
        net._cache["link_rules"] = hit
    return hit  # type: ignore[no-any-return]


def closing_rules(net: Network, day: dt.date) -> dict[str, LinkRule]:
    """Link id -> the first rule (in file order) that closes it on ``day``."""
    out: dict[str, LinkRule] = {}
    for rule in rules_in_force(network_rules(net), day):
        if rule.closes:
            for lid in rule.links:
                out.setdefault(lid, rule)
    return out


def window_hours(net: Network, topo: Topology, w: Weights, day: dt.date) -> np.ndarray | None:
    """Extra hours per edge from the time windows in force on ``day``: a link edge that runs
    ``r`` hours gets ``r * (D / min(D, w) - 1)`` (the shortest window where several cover a
    link); None when no window applies that day."""
    windows = [
        r
        for r in rules_in_force(network_rules(net), day)
        if not r.closes and r.driving_day_h is not None
    ]
    if not windows:
        return None
    key = ("link_windows", tuple(r.id for r in windows), w.cargo.key)
    hit = topo._weights.get(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    row_of = {lid: i for i, lid in enumerate(topo.link_ids)}
    factor = np.zeros(len(topo.link_ids))
    for r in windows:
        assert r.open_h is not None and r.driving_day_h is not None
        f = window_extra_factor(r.open_h, r.driving_day_h)
        for lid in r.links:
            i = row_of.get(lid)
            if i is not None:
                factor[i] = max(factor[i], f)
    is_link = topo.etype == LINK
    per_edge = np.zeros(topo.n_edges)
    per_edge[is_link] = factor[topo.elink[is_link]]
    out = w.arrays["running_time_h"] * per_edge
    out.flags.writeable = False
    topo._weights[key] = out
    return out
