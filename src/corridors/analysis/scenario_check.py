"""A scenario's names checked against a network: places, links, crossings, countries,
passages, sanctions regimes, risk rows and new links the network must know. Problems are
(key path, message) pairs, as in :mod:`corridors.analysis.scenario_file`.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from ..errors import ParameterError, UnknownPlaceError
from ..model.network import Network
from ..model.schema import PASSAGES
from .scenario_parts import SANCTIONS_REGIMES

if TYPE_CHECKING:  # pragma: no cover
    from .scenario import Scenario

__all__: list[str] = []


def _place_problem(net: Network, name: str) -> str | None:
    """Why ``name`` is not a place of ``net`` (with the closest names), or None."""
    try:
        net.place_id(name)
    except UnknownPlaceError as err:
        return str(err)
    return None


def _check_against(s: Scenario, net: Network) -> list[tuple[str, str]]:
    """Problems of a scenario's names on ``net``."""
    countries = sorted(set(net._places["country"]))
    problems: list[tuple[str, str]] = []
    for i, (o, d) in enumerate(s.od):
        for j, name in enumerate((o, d)):
            msg = _place_problem(net, name)
            if msg:
                problems.append((f"od[{i}][{j}]", msg))
    problems += _closure_problems(s, net, countries)
    problems += _multiplier_problems(s, net, countries)
    problems += _sanctions_problems(s, net)
    problems += _risk_problems(s, net, countries)
    problems += _new_link_problems(s, net)
    return problems


def _closure_problems(s: Scenario, net: Network, countries: list[str]) -> list[tuple[str, str]]:
    """Closures of links, places, crossings, countries or passages the network (or the
    scenario's new links) does not have."""
    from ..engine.query import _resolve_crossing, _resolve_places

    problems: list[tuple[str, str]] = []
    links = net._links
    new_ids = {dict(r).get("id") for r in s.new_links}
    for i, c in enumerate(s.closures):
        key = f"closures[{i}].{c.kind}"
        if c.kind == "link":
            if c.ref not in links.index and c.ref not in new_ids:
                close = difflib.get_close_matches(c.ref, list(links.index), n=4)
                problems.append(
                    (key, f"unknown link {c.ref!r}; closest ids: {', '.join(close) or 'none'}")
                )
        elif c.kind == "place":
            try:
                _resolve_places(net, c.ref)
            except UnknownPlaceError as err:
                problems.append((key, str(err)))
        elif c.kind == "crossing":
            try:
                _resolve_crossing(net, c.ref)
            except (UnknownPlaceError, ParameterError) as err:
                problems.append((key, str(err)))
        elif c.kind == "country":
            if c.ref not in countries:
                problems.append(
                    (key, f"unknown country {c.ref!r}; the network has: " + ", ".join(countries))
                )
        elif c.ref not in PASSAGES:
            close = difflib.get_close_matches(c.ref, PASSAGES, n=2)
            problems.append(
                (
                    key,
                    f"unknown passage {c.ref!r}; allowed: "
                    + ", ".join(PASSAGES)
                    + (f" (closest: {', '.join(close)})" if close else ""),
                )
            )
    return problems


#: The table a multiplier's factor scales, by factor.
_MULTIPLIER_TABLES = {
    "tariff": "tariffs",
    "speed": "speeds",
    "time": "speeds",
    "dwell": "crossings",
    "fee": "crossings",
    "transfer_cost": "operations",
    "transfer_time": "operations",
}


def _multiplier_problems(s: Scenario, net: Network, countries: list[str]) -> list[tuple[str, str]]:
    """Multipliers of an unknown country, or of a table the network does not have."""
    problems: list[tuple[str, str]] = []
    for i, m in enumerate(s.multipliers):
        if m.country is not None and m.country not in countries:
            problems.append(
                (
                    f"multipliers[{i}].country",
                    f"unknown country {m.country!r}; the network has: " + ", ".join(countries),
                )
            )
        for factor, table in _MULTIPLIER_TABLES.items():
            if getattr(m, factor) != 1.0 and table not in net._tables:
                problems.append(
                    (f"multipliers[{i}].{factor}", f"the network has no {table} table to scale")
                )
    return problems


def _sanctions_problems(s: Scenario, net: Network) -> list[tuple[str, str]]:
    """Sanctions policies of a regime neither built in nor named in the risk table."""
    known_regimes = set(SANCTIONS_REGIMES)
    risk = net._tables.get("risk")
    if risk is not None:
        for v in risk["sanctions"].dropna():
            known_regimes.update(g.strip() for g in str(v).split("|") if g.strip())
    problems: list[tuple[str, str]] = []
    for key, _ in s.sanctions:
        regime = key.partition(":")[0]
        if regime != "*" and regime not in known_regimes:
            problems.append(
                (
                    f"sanctions.{key}",
                    f"unknown regime {regime!r}; allowed: "
                    + ", ".join(sorted(known_regimes))
                    + ", *",
                )
            )
    return problems


def _risk_problems(s: Scenario, net: Network, countries: list[str]) -> list[tuple[str, str]]:
    """Risk rows of an unknown country, place (or a place by name), link or passage, and new
    risk rows without a source when the network cites its sources."""
    risk = net._tables.get("risk")
    links = net._links
    existing = set()
    if risk is not None:
        existing = set(zip(risk["scope"], risk["ref"]))
    problems: list[tuple[str, str]] = []
    for i, r in enumerate(s.risk):
        key = f"risk[{i}]"
        if r.scope == "country" and r.ref not in countries:
            problems.append(
                (
                    f"{key}.ref",
                    f"unknown country {r.ref!r}; the network has: " + ", ".join(countries),
                )
            )
        elif r.scope == "place" and r.ref not in net._places.index:
            msg = _place_problem(net, r.ref)
            problems.append(
                (
                    f"{key}.ref",
                    msg
                    or f"{r.ref!r} is a name: risk rows name a place"
                    f" by its id ({net.place_id(r.ref)!r})",
                )
            )
        elif r.scope == "link" and r.ref not in links.index:
            close = difflib.get_close_matches(r.ref, list(links.index), n=4)
            problems.append(
                (f"{key}.ref", f"unknown link {r.ref!r}; closest ids: {', '.join(close) or 'none'}")
            )
        elif r.scope == "passage" and r.ref not in PASSAGES:
            problems.append(
                (f"{key}.ref", f"unknown passage {r.ref!r}; allowed: " + ", ".join(PASSAGES))
            )
        if (r.scope, r.ref) not in existing and "source" not in r.data and net.sources:
            problems.append(
                (
                    f"{key}.source",
                    "a new risk row needs a source: an id from the "
                    "network's SOURCES.md (e.g. " + ", ".join(sorted(net.sources)[:3]) + ")",
                )
            )
    return problems


def _new_link_problems(s: Scenario, net: Network) -> list[tuple[str, str]]:
    """New links whose id the network already has, or whose ends it does not know."""
    problems: list[tuple[str, str]] = []
    for i, rec in enumerate(s.new_links):
        new = dict(rec)
        key = f"new_links[{i}]"
        if new.get("id") in net._links.index:
            problems.append((f"{key}.id", f"link {new['id']!r} already exists in the network"))
        for end in ("from_id", "to_id"):
            if isinstance(new.get(end), str):
                msg = _place_problem(net, new[end])
                if msg:
                    problems.append((f"{key}.{end}", msg))
    return problems
