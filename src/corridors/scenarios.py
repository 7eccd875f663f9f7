"""Scenarios (a Python object and a TOML file), applying them to a network, and comparing them.

A :class:`Scenario` names a year (planned links open by then), the cargo, closures (links,
places, border crossings, countries, sea passages), new links, multipliers of tariffs, speeds,
border dwell and fees and transfers by mode and/or country, risk rows to override, a sanctions
policy per regime, origin-destination pairs, objectives and the number of routes per pair.
:meth:`Scenario.apply` returns a new :class:`~corridors.network.Network` (the base network is
never changed) and :meth:`Scenario.route_kwargs` the extra keywords for
:func:`corridors.route`. :func:`compare` runs scenarios x origin-destination pairs x
objectives and returns one tidy :class:`pandas.DataFrame`; :func:`write_comparison` writes it
as CSV, Markdown or Parquet. The file format is in ``docs/scenarios.md``.

Examples
--------
>>> import corridors as cor
>>> from corridors.scenarios import Scenario, compare
>>> net = cor.load_network()
>>> closed = Scenario.from_dict({"name": "torkham-closed",
...                              "closures": [{"crossing": "Torkham", "days": 30}]})
>>> new = closed.apply(net)
>>> new is not net and new.fingerprint != net.fingerprint
True
>>> table = compare(net, [Scenario.baseline(), closed], od=[("Karachi", "Kabul")])
>>> table["scenario"].tolist()
['baseline', 'torkham-closed']
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import errno
import inspect
import math
import os
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._atomic import atomic_path, write_text_atomic
from ._json import dumps_json
from .costs import Cargo
from .dependability import (
    DEPENDABILITY_COLUMNS,
    PairSimulation,
    route_key,
    same_as,
    simulate_comparison,
)
from .errors import (
    CorridorsError,
    NoRouteError,
    OptionalDependencyError,
    ParameterError,
    Problem,
    UnknownPlaceError,
    ValidationError,
    WriteError,
    exit_code,
)
from .graph import TRANSFER, logical_service, objective_name, topology
from .network import LINK_FIELDS, MODES, PASSAGES, Network
from .risk import sanctions_key
from .routing import Route, alternatives, route

__all__ = [
    "Scenario",
    "Closure",
    "Multiplier",
    "RiskChange",
    "CLOSURE_KINDS",
    "MULTIPLIER_FACTORS",
    "SANCTIONS_REGIMES",
    "COMPARISON_COLUMNS",
    "load_scenarios",
    "compare",
    "write_comparison",
    "comparison_markdown",
    "add_cli",
    "run_cli",
]

CLOSURE_KINDS = ("link", "place", "crossing", "country", "passage")
"""What a closure may name: a link id, a place, a border crossing (a name both border posts
share, such as ``Torkham``, a border post or a border link id), a country (ISO3) or a sea
passage (``suez``: every sea or ferry link that passes it)."""

MULTIPLIER_FACTORS = ("tariff", "speed", "time", "dwell", "fee", "transfer_cost",
                      "transfer_time")
"""Factors a multiplier may set: ``tariff`` (tariffs.csv rows and links' ``usd_per_teu_km``),
``speed`` (speeds.csv rows and links' ``speed_kmh``; links' ``time_h`` divided by it),
``time`` (running time: speeds divided by it), ``dwell`` (border dwell, median and p90),
``fee`` (border fees), ``transfer_cost`` and ``transfer_time`` (transfers at places: gauge
breaks, port handling, mode changes; not terminal loading and unloading)."""

SANCTIONS_REGIMES = ("US", "EU", "UN", "UK")
"""Regimes named in ``risk.csv`` ``sanctions``; ``*`` in a policy means every regime."""

SANCTIONS_POLICIES = ("ignore", "surcharge", "avoid")

SCENARIO_KEYS = ("name", "description", "year", "month", "cargo", "cargo_value_usd", "closures",
                 "new_links", "multipliers", "risk", "sanctions", "od", "objectives", "k")
SIMULATION_KEYS = ("runs", "seed", "deadline_days")
"""Top-level keys of a scenario file that set the comparison's Monte Carlo (see
:func:`simulation_settings`), not a scenario."""
SHARED_KEYS = ("title", "description", "od", "k", "objectives", "cargo", "cargo_value_usd",
               "year", "month", "scenario", *SIMULATION_KEYS)
CLOSURE_KEYS = (*CLOSURE_KINDS, "days", "from", "notes")
MULTIPLIER_KEYS = ("mode", "country", *MULTIPLIER_FACTORS)
RISK_VALUE_KEYS = ("disruption_prob_per_trip", "disruption_median_days", "disruption_p90_days",
                   "security_premium_pct", "sanctions", "year", "source", "confidence", "notes")
NEW_LINK_KEYS = tuple(f.name for f in LINK_FIELDS) + ("coordinates",)
OBJECTIVE_WORDS = ("distance_km", "time_h", "cost_usd", "generalized", "risk", "distance",
                   "time", "cost")
_CARGO_RE = re.compile(r"^(20ft|40ft|tonne|\d+(\.\d+)?t)$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


@dataclass(frozen=True)
class Closure:
    """Something closed in a scenario.

    Parameters
    ----------
    kind : {"link", "place", "crossing", "country", "passage"}
    ref : str
        Link id, place name or id, crossing name, ISO3 code or passage.
    days : float, optional
        Duration in days; None means closed for the whole scenario. Kept as data (with
        ``start``) for the wait-or-divert logic; :meth:`Scenario.apply` closes every closure.
    start : datetime.date, optional
        When the closure begins (TOML key ``from``).
    notes : str, optional
    """

    kind: str
    ref: str
    days: float | None = None
    start: dt.date | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CLOSURE_KINDS:
            raise ParameterError(f"unknown closure kind {self.kind!r}; allowed: "
                                 + ", ".join(CLOSURE_KINDS))
        if not isinstance(self.ref, str) or not self.ref.strip():
            raise ParameterError(f"a {self.kind} closure needs a non-empty name, got "
                                 f"{self.ref!r}")
        if self.days is not None and (not _finite(self.days) or self.days <= 0):
            raise ParameterError(f"days must be a number > 0, got {self.days!r}")
        if self.start is not None and not isinstance(self.start, dt.date):
            raise ParameterError(f"from must be a date (YYYY-MM-DD), got {self.start!r}")

    @property
    def whole_scenario(self) -> bool:
        """True for a closure without a duration (closed for the whole scenario)."""
        return self.days is None


@dataclass(frozen=True)
class Multiplier:
    """Factors applied to the parameters of one mode and/or country (both None: everything).

    A country multiplier applies to tariffs and speeds of links in that country (the
    country of a link is as in ``docs/data-format.md``: sea and ferry links have none), to
    the border crossings at that country's borders (both directions) and to transfers at
    places in that country.
    """

    mode: str | None = None
    country: str | None = None
    tariff: float = 1.0
    speed: float = 1.0
    time: float = 1.0
    dwell: float = 1.0
    fee: float = 1.0
    transfer_cost: float = 1.0
    transfer_time: float = 1.0

    def __post_init__(self) -> None:
        if self.mode is not None and self.mode not in MODES:
            raise ParameterError(f"unknown mode {self.mode!r}; allowed: {', '.join(MODES)}")
        if self.country is not None and (not isinstance(self.country, str)
                                         or not _ISO3.match(self.country)):
            raise ParameterError(f"country must be an ISO 3166-1 alpha-3 code such as 'IRN', "
                                 f"got {self.country!r}")
        if self.country is not None and self.mode in ("sea", "ferry"):
            raise ParameterError(f"{self.mode} links have no country (their tables use '*'); "
                                 "drop country or choose rail or road")
        for name in MULTIPLIER_FACTORS:
            v = getattr(self, name)
            strict = name in ("speed", "time")
            if not _finite(v) or v < 0 or (strict and v == 0):
                raise ParameterError(f"{name} must be a finite number {'>' if strict else '>='}"
                                     f" 0 (a factor, 1 = unchanged), got {v!r}")

    @property
    def speed_factor(self) -> float:
        """Factor on speeds: ``speed / time``."""
        return float(self.speed) / float(self.time)

    def matches(self, mode: str | None, countries: Iterable[str]) -> bool:
        """Whether a row of ``mode`` in any of ``countries`` is concerned."""
        if self.mode is not None and mode != self.mode:
            return False
        return self.country is None or self.country in set(countries)


@dataclass(frozen=True)
class RiskChange:
    """A row of ``risk.csv`` to override (or add): ``scope`` and ``ref`` name it, ``values``
    holds the fields to set (``disruption_prob_per_trip``, ``sanctions``, ...)."""

    scope: str
    ref: str
    values: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.scope not in ("country", "place", "link", "passage"):
            raise ParameterError(f"unknown scope {self.scope!r}; allowed: country, place, "
                                 "link, passage")
        if not isinstance(self.ref, str) or not self.ref:
            raise ParameterError(f"ref must be a non-empty string, got {self.ref!r}")
        for k, v in self.values:
            if k not in RISK_VALUE_KEYS:
                raise ParameterError(f"unknown risk field {k!r}; allowed: "
                                     + ", ".join(RISK_VALUE_KEYS))
            if k in ("sanctions", "source", "confidence", "notes"):
                if not isinstance(v, str):
                    raise ParameterError(f"{k} must be a string, got {v!r}")
            elif k == "year":
                if not isinstance(v, int) or isinstance(v, bool):
                    raise ParameterError(f"year must be a whole year, got {v!r}")
            elif not _finite(v) or v < 0:
                raise ParameterError(f"{k} must be a finite number >= 0, got {v!r}")
            elif k == "disruption_prob_per_trip" and v > 1:
                raise ParameterError(f"a probability is at most 1, got {v!r}")

    @property
    def data(self) -> dict[str, Any]:
        """The values as a dict."""
        return dict(self.values)


@dataclass(frozen=True)
class Scenario:
    """A scenario: what changes in the network and what to ask of it.

    Parameters
    ----------
    name : str
    description : str
    year : int, optional
        Planned and under-construction links are open once their year has come (passed to
        :func:`corridors.route` as ``year=``). None: today.
    month : int, optional
        Month of travel (1-12): links closed for the season in that month (their
        ``closed_months``, for the scenario's year) are closed (:func:`corridors.routing.
        seasonal_closures`). None: no seasonal closure.
    cargo : str, optional
        ``20ft``, ``40ft``, ``tonne`` or ``<N>t``; None: the default of :func:`route`.
    cargo_value_usd : float, optional
        Value of the goods (drives the holding cost of the generalized cost).
    closures : tuple of Closure
    new_links : tuple of dict items
        Full link records (fields of ``links.geojson``; optional ``coordinates``, a list of
        ``[lon, lat]``; default a straight line between the places).
    multipliers : tuple of Multiplier
    risk : tuple of RiskChange
    sanctions : tuple of (regime, policy)
        Policy per regime (``US``, ``EU``, ``UN``, ``UK`` or ``*``): ``ignore``,
        ``surcharge`` or ``avoid``.
    od : tuple of (origin, destination)
    objectives : tuple of str
        Words :func:`route` minimizes (``cost_usd``, ``time_h``, ...); empty: the caller's.
    k : int, optional
        Routes per origin-destination pair (materially different alternatives).
    file : str, optional
        File the scenario was read from (for messages).
    """

    name: str = "baseline"
    description: str = ""
    year: int | None = None
    cargo: str | None = None
    cargo_value_usd: float | None = None
    closures: tuple[Closure, ...] = ()
    new_links: tuple[tuple[tuple[str, Any], ...], ...] = ()
    multipliers: tuple[Multiplier, ...] = ()
    risk: tuple[RiskChange, ...] = ()
    sanctions: tuple[tuple[str, str], ...] = ()
    od: tuple[tuple[str, str], ...] = ()
    objectives: tuple[str, ...] = ()
    k: int | None = None
    month: int | None = None
    file: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems = _check_fields(self)
        if problems:
            where = self.file or "<scenario>"
            raise ValidationError([Problem(where, key, "", msg) for key, msg in problems],
                                  header=f"{len(problems)} problem"
                                  f"{'s' if len(problems) != 1 else ''} in scenario "
                                  f"{self.name!r} ({where})")

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def baseline(cls, **changes: Any) -> Scenario:
        """The network as it is today, with no change (``name="baseline"``)."""
        return cls(**{"name": "baseline", "description": "the network as it is", **changes})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, file: str | None = None,
                  net: Network | None = None) -> Scenario:
        """A scenario from a dict with the keys of a scenario TOML file.

        Raises
        ------
        ValidationError
            Listing every problem: the file, the key path (``closures[1].place``) and what is
            allowed. With ``net``, names are also checked against that network.
        """
        where = file or "<scenario>"
        problems: list[tuple[str, str]] = []
        kwargs = _parse_scenario(data, "", problems)
        if problems:
            raise _error(where, problems)
        scen = cls(**kwargs, file=file)
        if net is not None:
            scen.validate(net)
        return scen

    @classmethod
    def from_toml(cls, path: str | Path, *, net: Network | None = None) -> Scenario:
        """Read a scenario from a TOML file holding one scenario (see ``docs/scenarios.md``;
        :func:`load_scenarios` also reads files with a ``[[scenario]]`` array).

        Raises
        ------
        ValidationError
            For bytes that are not TOML, unknown keys, wrong types and bad values (and, with
            ``net``, names the network does not know); every message names the file and key.
        FileNotFoundError
            For a missing file.
        """
        data = _read_toml(path)
        if "scenario" in data:
            scenarios = _scenarios_of(data, str(path), net)
            if len(scenarios) != 1:
                raise ValidationError([Problem(str(path), "scenario", "",
                                               f"the file holds {len(scenarios)} scenarios; "
                                               "read it with load_scenarios()")],
                                      header=f"1 problem in scenario file {path}")
            return scenarios[0]
        return cls.from_dict(_without_settings(data), file=str(path), net=net)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a dict with the keys of its TOML file (empty parts left out)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        for key in ("year", "month", "cargo", "cargo_value_usd", "k"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.objectives:
            out["objectives"] = list(self.objectives)
        if self.od:
            out["od"] = [list(p) for p in self.od]
        if self.sanctions:
            out["sanctions"] = dict(self.sanctions)
        if self.closures:
            rows = []
            for c in self.closures:
                row: dict[str, Any] = {c.kind: c.ref}
                if c.days is not None:
                    row["days"] = c.days
                if c.start is not None:
                    row["from"] = c.start
                if c.notes:
                    row["notes"] = c.notes
                rows.append(row)
            out["closures"] = rows
        if self.multipliers:
            out["multipliers"] = [
                {f.name: getattr(m, f.name) for f in fields(m)
                 if getattr(m, f.name) is not None
                 and not (f.name in MULTIPLIER_FACTORS and getattr(m, f.name) == 1.0)}
                for m in self.multipliers]
        if self.risk:
            out["risk"] = [{"scope": r.scope, "ref": r.ref, **r.data} for r in self.risk]
        if self.new_links:
            out["new_links"] = [dict(rec) for rec in self.new_links]
        return out

    def to_toml(self) -> str:
        """The scenario as TOML text that :meth:`from_toml` reads back to an equal scenario."""
        return _toml_document(self.to_dict())

    def write_toml(self, path: str | Path) -> Path:
        """Write :meth:`to_toml` to ``path``; return the path."""
        p = Path(path)
        write_text_atomic(p, self.to_toml())
        return p

    # ---- using a scenario -----------------------------------------------------------------

    def make_cargo(self) -> Cargo | None:
        """The scenario's :class:`Cargo` (None when it sets neither cargo nor value)."""
        if self.cargo is None and self.cargo_value_usd is None:
            return None
        c = Cargo.parse(self.cargo) if self.cargo is not None else Cargo()
        if self.cargo_value_usd is not None:
            c = c.with_(value_usd=float(self.cargo_value_usd))
        return c

    def sanctions_policy(self) -> dict[str, str]:
        """The sanctions policy as {regime or '*': policy}."""
        return dict(self.sanctions)

    def avoided_countries(self, net: Network) -> list[str]:
        """Countries whose ``risk.csv`` ``sanctions`` lists a regime the policy avoids (the
        rule routing applies: :func:`corridors.risk.sanctions_policy_for`)."""
        from .routing import _sanctioned

        return sorted(_sanctioned(net, self.sanctions_policy())[0])

    def route_kwargs(self, net: Network | None = None) -> dict[str, Any]:
        """Extra keywords for :func:`corridors.route` and :func:`corridors.alternatives`:
        ``year``, ``cargo``, ``sanctions`` (where route takes it) and ``avoid_countries``
        (countries a sanctions ``avoid`` policy excludes; needs ``net``, the scenario's
        network, whose ``risk.csv`` says which countries a regime covers)."""
        out: dict[str, Any] = {}
        if self.year is not None:
            out["year"] = self.year
        cargo = self.make_cargo()
        if cargo is not None:
            out["cargo"] = cargo
        policy = self.sanctions_policy()
        if policy and any(v != "ignore" for v in policy.values()) and _route_takes("sanctions"):
            out["sanctions"] = policy
        if net is not None:
            avoid = self.avoided_countries(net)
            if avoid:
                out["avoid_countries"] = avoid
        return out

    def validate(self, net: Network) -> None:
        """Check every name against ``net`` (places, links, countries, crossings, regimes,
        new links, risk rows).

        Raises
        ------
        ValidationError
            Listing every problem with the file, the key path and the closest names.
        """
        problems = _check_against(self, net)
        if problems:
            raise _error(self.file or "<scenario>", problems, scenario=self.name)

    def apply(self, net: Network) -> Network:
        """A new network with the scenario's changes; ``net`` is never changed.

        Closures set link ``status`` to ``closed`` (a place or a country: every link touching
        it; a crossing: its border links; a passage: every sea and ferry link passing it);
        new links are added; multipliers scale the tables' columns and the links' overrides;
        risk rows are overridden or added. The year, cargo and sanctions are not part of the
        network: pass :meth:`route_kwargs` to :func:`corridors.route`. A scenario that changes
        nothing returns ``net`` itself (networks are immutable).

        Raises
        ------
        ValidationError
            For names the network does not know, or a result that is not a valid network.
        """
        self.validate(net)
        seasonal: list[str] = []
        if self.month is not None:
            from .routing import seasonal_closures

            seasonal = sorted(seasonal_closures(net, self.month, self.year))
        if not (self.closures or self.new_links or self.multipliers or self.risk or seasonal):
            return net
        links = net.links.copy()
        if self.new_links:
            links = _add_links(self, net, links)
        for c in self.closures:
            ids = _closure_links(net, links, c)
            links.loc[list(ids), "status"] = "closed"
        if seasonal:  # links closed for the season in the scenario's month
            links.loc[seasonal, "status"] = "closed"
        tables = {k: v.copy() for k, v in net._tables.items()}
        changed: set[str] = set()
        for m in self.multipliers:
            _apply_multiplier(net, m, links, tables, changed)
        if self.risk:
            tables["risk"] = _apply_risk(self, net, tables.get("risk"))
            changed.add("risk")
        try:
            return net.replace(links=links, **{k: tables[k] for k in sorted(changed)})
        except ValidationError as err:
            raise ValidationError(err.problems, header=f"scenario {self.name!r} "
                                  f"({self.file or '<scenario>'}) makes an invalid network") \
                from None


# --------------------------------------------------------------------------------------------
# Parsing and checking (problems are (key path, message) pairs)
# --------------------------------------------------------------------------------------------


def _error(where: str, problems: Sequence[tuple[str, str]], *,
           scenario: str | None = None) -> ValidationError:
    n = len(problems)
    what = f"scenario {scenario!r} in {where}" if scenario else f"scenario file {where}"
    return ValidationError([Problem(where, key, "", msg) for key, msg in problems],
                           header=f"{n} problem{'s' if n != 1 else ''} in {what}")


def _type_name(v: Any) -> str:
    return {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
            list: "an array", dict: "a table"}.get(type(v), type(v).__name__)


def _unknown_keys(data: Mapping[str, Any], allowed: Sequence[str], prefix: str,
                  problems: list[tuple[str, str]]) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append((f"{prefix}{key}", f"unknown key{hint}; allowed: "
                             + ", ".join(allowed)))


def _get_str(data: Mapping[str, Any], key: str, path: str, problems: list[tuple[str, str]],
             ) -> str | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        problems.append((path, f"must be a string, got {_type_name(v)} ({v!r})"))
        return None
    return v


def _get_number(data: Mapping[str, Any], key: str, path: str,
                problems: list[tuple[str, str]]) -> float | None:
    v = data.get(key)
    if v is None:
        return None
    if not _finite(v):
        problems.append((path, f"must be a finite number, got {_type_name(v)} ({v!r})"))
        return None
    return float(v)


def _get_list(data: Mapping[str, Any], key: str, path: str,
              problems: list[tuple[str, str]]) -> list[Any]:
    v = data.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        problems.append((path, f"must be an array, got {_type_name(v)} ({v!r})"))
        return []
    return v


def _parse_scenario(data: Mapping[str, Any], prefix: str,
                    problems: list[tuple[str, str]]) -> dict[str, Any]:
    """Constructor keywords of a Scenario from a TOML table, appending problems."""
    if not isinstance(data, Mapping):
        problems.append((prefix.rstrip(".") or "(file)",
                         f"a scenario must be a table, got {_type_name(data)}"))
        return {}
    _unknown_keys(data, SCENARIO_KEYS, prefix, problems)
    out: dict[str, Any] = {}
    name = _get_str(data, "name", f"{prefix}name", problems)
    if name is None and "name" not in data:
        problems.append((f"{prefix}name", "missing: every scenario needs a name"))
    out["name"] = name or "scenario"
    out["description"] = _get_str(data, "description", f"{prefix}description", problems) or ""
    if "year" in data:
        y = data["year"]
        if not isinstance(y, int) or isinstance(y, bool) or not 1800 <= y <= 2100:
            problems.append((f"{prefix}year", f"must be a whole year such as 2032, got {y!r}"))
        else:
            out["year"] = y
    if "month" in data:
        mo = data["month"]
        if not isinstance(mo, int) or isinstance(mo, bool) or not 1 <= mo <= 12:
            problems.append((f"{prefix}month", f"must be a month 1-12, got {mo!r}"))
        else:
            out["month"] = mo
    if "cargo" in data:
        c = _get_str(data, "cargo", f"{prefix}cargo", problems)
        if c is not None:
            if not _CARGO_RE.match(c.strip().lower()):
                problems.append((f"{prefix}cargo", f"unknown cargo {c!r}; allowed: 20ft, 40ft, "
                                 "tonne, <N>t (e.g. 500t)"))
            else:
                out["cargo"] = c.strip().lower()
    if "cargo_value_usd" in data:
        v = _get_number(data, "cargo_value_usd", f"{prefix}cargo_value_usd", problems)
        if v is not None and v < 0:
            problems.append((f"{prefix}cargo_value_usd", f"must be >= 0, got {v!r}"))
        elif v is not None:
            out["cargo_value_usd"] = v
    if "k" in data:
        k = data["k"]
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50:
            problems.append((f"{prefix}k", f"must be a whole number from 1 to 50, got {k!r}"))
        else:
            out["k"] = k
    objs: list[str] = []
    for i, w in enumerate(_get_list(data, "objectives", f"{prefix}objectives", problems)):
        if not isinstance(w, str) or w not in OBJECTIVE_WORDS:
            problems.append((f"{prefix}objectives[{i}]", f"unknown objective {w!r}; allowed: "
                             + ", ".join(OBJECTIVE_WORDS)))
        else:
            objs.append(w)
    out["objectives"] = tuple(objs)
    out["od"] = _parse_od(data, prefix, problems)
    if "sanctions" in data:
        s = data["sanctions"]
        pairs: list[tuple[str, str]] = []
        if not isinstance(s, Mapping):
            problems.append((f"{prefix}sanctions", "must be a table of regime = policy, e.g. "
                             f"{{US = \"avoid\"}}; got {_type_name(s)} ({s!r})"))
        else:
            for regime, policy in s.items():
                key = f"{prefix}sanctions.{regime}"
                try:
                    canon = sanctions_key(str(regime))
                except ParameterError:
                    problems.append((key, "a key is a regime code (" + ", ".join(
                        SANCTIONS_REGIMES) + "), '*', a target ('*:IRN') or both ('US:IRN'); "
                        "quote keys with a colon: \"US:IRN\" = \"avoid\""))
                    continue
                if policy not in SANCTIONS_POLICIES:
                    problems.append((key, f"unknown policy {policy!r}; allowed: "
                                     + ", ".join(SANCTIONS_POLICIES)))
                else:
                    pairs.append((canon, str(policy)))
        out["sanctions"] = tuple(sorted(pairs))
    out["closures"] = tuple(_parse_closures(data, prefix, problems))
    out["multipliers"] = tuple(_parse_multipliers(data, prefix, problems))
    out["risk"] = tuple(_parse_risk(data, prefix, problems))
    out["new_links"] = tuple(_parse_new_links(data, prefix, problems))
    return out


def _parse_od(data: Mapping[str, Any], prefix: str,
              problems: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for i, pair in enumerate(_get_list(data, "od", f"{prefix}od", problems)):
        key = f"{prefix}od[{i}]"
        if isinstance(pair, Mapping):
            _unknown_keys(pair, ("origin", "destination"), f"{key}.", problems)
            pair = [pair.get("origin"), pair.get("destination")]
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(p, str) and p.strip() for p in pair)):
            problems.append((key, "must be a pair of place names [\"Karachi\", \"Moscow\"] or "
                             f"{{origin = ..., destination = ...}}, got {pair!r}"))
            continue
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _table_rows(data: Mapping[str, Any], key: str, prefix: str,
                problems: list[tuple[str, str]]) -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    for i, row in enumerate(_get_list(data, key, f"{prefix}{key}", problems)):
        path = f"{prefix}{key}[{i}]"
        if not isinstance(row, Mapping):
            problems.append((path, f"must be a table, got {_type_name(row)} ({row!r})"))
            continue
        out.append((path, row))
    return out


def _parse_closures(data: Mapping[str, Any], prefix: str,
                    problems: list[tuple[str, str]]) -> list[Closure]:
    out: list[Closure] = []
    for path, row in _table_rows(data, "closures", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, CLOSURE_KEYS, f"{path}.", problems)
        kinds = [k for k in CLOSURE_KINDS if k in row]
        if len(kinds) != 1:
            problems.append((path, "a closure names exactly one of " + ", ".join(CLOSURE_KINDS)
                             + (f"; got {', '.join(kinds)}" if kinds else "")))
            continue
        kind = kinds[0]
        ref = _get_str(row, kind, f"{path}.{kind}", problems)
        days = _get_number(row, "days", f"{path}.days", problems)
        start: dt.date | None = None
        raw = row.get("from")
        if isinstance(raw, dt.datetime):
            start = raw.date()
        elif isinstance(raw, dt.date):
            start = raw
        elif isinstance(raw, str):
            try:
                start = dt.date.fromisoformat(raw)
            except ValueError:
                problems.append((f"{path}.from", f"must be a date YYYY-MM-DD, got {raw!r}"))
        elif raw is not None:
            problems.append((f"{path}.from", f"must be a date YYYY-MM-DD, got {_type_name(raw)}"
                             f" ({raw!r})"))
        notes = _get_str(row, "notes", f"{path}.notes", problems)
        if len(problems) > n_before or ref is None:
            continue
        try:
            out.append(Closure(kind, ref, days, start, notes))
        except ParameterError as err:
            field_ = "days" if "days" in str(err) else kind
            problems.append((f"{path}.{field_}", str(err)))
    return out


def _parse_multipliers(data: Mapping[str, Any], prefix: str,
                       problems: list[tuple[str, str]]) -> list[Multiplier]:
    out: list[Multiplier] = []
    for path, row in _table_rows(data, "multipliers", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, MULTIPLIER_KEYS, f"{path}.", problems)
        kw: dict[str, Any] = {}
        for key in ("mode", "country"):
            v = _get_str(row, key, f"{path}.{key}", problems)
            if v is not None:
                kw[key] = v
        if "mode" in kw and kw["mode"] not in MODES:
            problems.append((f"{path}.mode", f"unknown mode {kw['mode']!r}; allowed: "
                             + ", ".join(MODES)))
        if "country" in kw and not _ISO3.match(kw["country"]):
            problems.append((f"{path}.country", "must be an ISO 3166-1 alpha-3 code such as "
                             f"'IRN', got {kw['country']!r}"))
        for key in MULTIPLIER_FACTORS:
            x = _get_number(row, key, f"{path}.{key}", problems)
            if x is None:
                continue
            strict = key in ("speed", "time")
            if x < 0 or (strict and x == 0):
                problems.append((f"{path}.{key}", f"a factor must be {'>' if strict else '>='}"
                                 f" 0 (1 = unchanged), got {x!r}"))
            kw[key] = x
        if not any(k in row for k in MULTIPLIER_FACTORS) and len(problems) == n_before:
            problems.append((path, "a multiplier sets at least one of "
                             + ", ".join(MULTIPLIER_FACTORS)))
        if len(problems) > n_before:
            continue
        try:
            out.append(Multiplier(**kw))
        except ParameterError as err:
            problems.append((path, str(err)))
    return out


def _parse_risk(data: Mapping[str, Any], prefix: str,
                problems: list[tuple[str, str]]) -> list[RiskChange]:
    out: list[RiskChange] = []
    for path, row in _table_rows(data, "risk", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, ("scope", "ref", *RISK_VALUE_KEYS), f"{path}.", problems)
        scope = _get_str(row, "scope", f"{path}.scope", problems)
        ref = _get_str(row, "ref", f"{path}.ref", problems)
        for key, val in (("scope", scope), ("ref", ref)):
            if val is None and key not in row:
                problems.append((f"{path}.{key}", "missing: a risk row needs scope and ref"))
        if scope is not None and scope not in ("country", "place", "link", "passage"):
            problems.append((f"{path}.scope", f"unknown scope {scope!r}; allowed: country, "
                             "place, link, passage"))
        values: list[tuple[str, Any]] = []
        for key in RISK_VALUE_KEYS:
            if key not in row:
                continue
            v = row[key]
            try:
                RiskChange("country", "X", ((key, v),))
            except ParameterError as err:
                problems.append((f"{path}.{key}", str(err)))
                continue
            values.append((key, v))
        if len(problems) > n_before or scope is None or ref is None:
            continue
        out.append(RiskChange(scope, ref, tuple(values)))
    return out


def _parse_new_links(data: Mapping[str, Any], prefix: str,
                     problems: list[tuple[str, str]]) -> list[tuple[tuple[str, Any], ...]]:
    out: list[tuple[tuple[str, Any], ...]] = []
    types = {f.name: f.type for f in LINK_FIELDS}
    required = [f.name for f in LINK_FIELDS if f.required]
    for path, row in _table_rows(data, "new_links", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, NEW_LINK_KEYS, f"{path}.", problems)
        for key in required:
            if key not in row:
                problems.append((f"{path}.{key}", "missing: a new link needs "
                                 + ", ".join(required)))
        for key, v in row.items():
            t = types.get(str(key))
            ok = True
            if t == "str":
                ok = isinstance(v, str) or (key == "gauge_mm" and isinstance(v, int)
                                            and not isinstance(v, bool))
            elif t == "float":
                ok = _finite(v)
            elif t == "int":
                ok = isinstance(v, int) and not isinstance(v, bool)
            elif t == "bool":
                ok = isinstance(v, bool)
            elif key == "coordinates":
                ok = (isinstance(v, list) and len(v) >= 2 and all(
                    isinstance(p, list) and len(p) == 2 and all(_finite(x) for x in p)
                    for p in v))
            if not ok:
                want = {"str": "a string", "float": "a finite number", "int": "an integer",
                        "bool": "true or false"}.get(t or "", "a list of [lon, lat] pairs")
                problems.append((f"{path}.{key}", f"must be {want}, got {_type_name(v)} "
                                 f"({v!r})"))
        if len(problems) == n_before:
            out.append(tuple((str(k), v) for k, v in row.items()))
    return out


def _check_fields(s: Scenario) -> list[tuple[str, str]]:
    """Checks of a scenario built in Python (the TOML parser makes the same ones)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(s.name, str) or not s.name.strip():
        problems.append(("name", f"must be a non-empty string, got {s.name!r}"))
    if not isinstance(s.description, str):
        problems.append(("description", f"must be a string, got {s.description!r}"))
    if s.year is not None and (not isinstance(s.year, int) or isinstance(s.year, bool)
                               or not 1800 <= s.year <= 2100):
        problems.append(("year", f"must be a whole year such as 2032, got {s.year!r}"))
    if s.month is not None and (not isinstance(s.month, int) or isinstance(s.month, bool)
                                or not 1 <= s.month <= 12):
        problems.append(("month", f"must be a month 1-12, got {s.month!r}"))
    if s.cargo is not None and (not isinstance(s.cargo, str)
                                or not _CARGO_RE.match(s.cargo.strip().lower())):
        problems.append(("cargo", f"unknown cargo {s.cargo!r}; allowed: 20ft, 40ft, tonne, "
                         "<N>t"))
    if s.cargo_value_usd is not None and (not _finite(s.cargo_value_usd)
                                          or s.cargo_value_usd < 0):
        problems.append(("cargo_value_usd", f"must be a number >= 0, got {s.cargo_value_usd!r}"))
    if s.k is not None and (not isinstance(s.k, int) or isinstance(s.k, bool) or s.k < 1):
        problems.append(("k", f"must be a whole number >= 1, got {s.k!r}"))
    for i, w in enumerate(s.objectives):
        if w not in OBJECTIVE_WORDS:
            problems.append((f"objectives[{i}]", f"unknown objective {w!r}; allowed: "
                             + ", ".join(OBJECTIVE_WORDS)))
    for i, pair in enumerate(s.od):
        if (not isinstance(pair, tuple) or len(pair) != 2
                or not all(isinstance(p, str) and p for p in pair)):
            problems.append((f"od[{i}]", f"must be an (origin, destination) pair, got {pair!r}"))
    for regime, policy in s.sanctions:
        if policy not in SANCTIONS_POLICIES:
            problems.append((f"sanctions.{regime}", f"unknown policy {policy!r}; allowed: "
                             + ", ".join(SANCTIONS_POLICIES)))
    for name, cls in (("closures", Closure), ("multipliers", Multiplier),
                      ("risk", RiskChange)):
        for i, item in enumerate(getattr(s, name)):
            if not isinstance(item, cls):
                problems.append((f"{name}[{i}]", f"must be a {cls.__name__}, got {item!r}"))
    return problems


def _place_problem(net: Network, name: str) -> str | None:
    try:
        net.place_id(name)
    except UnknownPlaceError as err:
        return str(err)
    return None


def _check_against(s: Scenario, net: Network) -> list[tuple[str, str]]:
    """Problems of a scenario's names on ``net``."""
    from .routing import _resolve_crossing, _resolve_places

    problems: list[tuple[str, str]] = []
    countries = sorted(set(net._places["country"]))
    links = net._links
    new_ids = {dict(r).get("id") for r in s.new_links}
    for i, (o, d) in enumerate(s.od):
        for j, name in enumerate((o, d)):
            msg = _place_problem(net, name)
            if msg:
                problems.append((f"od[{i}][{j}]", msg))
    for i, c in enumerate(s.closures):
        key = f"closures[{i}].{c.kind}"
        if c.kind == "link":
            if c.ref not in links.index and c.ref not in new_ids:
                close = difflib.get_close_matches(c.ref, list(links.index), n=4)
                problems.append((key, f"unknown link {c.ref!r}; closest ids: "
                                 f"{', '.join(close) or 'none'}"))
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
                problems.append((key, f"unknown country {c.ref!r}; the network has: "
                                 + ", ".join(countries)))
        elif c.ref not in PASSAGES:
            close = difflib.get_close_matches(c.ref, PASSAGES, n=2)
            problems.append((key, f"unknown passage {c.ref!r}; allowed: " + ", ".join(PASSAGES)
                             + (f" (closest: {', '.join(close)})" if close else "")))
    for i, m in enumerate(s.multipliers):
        if m.country is not None and m.country not in countries:
            problems.append((f"multipliers[{i}].country", f"unknown country {m.country!r}; "
                             "the network has: " + ", ".join(countries)))
        needs = {"tariff": "tariffs", "speed": "speeds", "time": "speeds", "dwell": "crossings",
                 "fee": "crossings", "transfer_cost": "operations",
                 "transfer_time": "operations"}
        for factor, table in needs.items():
            if getattr(m, factor) != 1.0 and table not in net._tables:
                problems.append((f"multipliers[{i}].{factor}", f"the network has no {table} "
                                 "table to scale"))
    known_regimes = set(SANCTIONS_REGIMES)
    risk = net._tables.get("risk")
    if risk is not None:
        for v in risk["sanctions"].dropna():
            known_regimes.update(g.strip() for g in str(v).split("|") if g.strip())
    for key, _ in s.sanctions:
        regime = key.partition(":")[0]
        if regime != "*" and regime not in known_regimes:
            problems.append((f"sanctions.{key}", f"unknown regime {regime!r}; allowed: "
                             + ", ".join(sorted(known_regimes)) + ", *"))
    existing = set()
    if risk is not None:
        existing = set(zip(risk["scope"], risk["ref"]))
    for i, r in enumerate(s.risk):
        key = f"risk[{i}]"
        if r.scope == "country" and r.ref not in countries:
            problems.append((f"{key}.ref", f"unknown country {r.ref!r}; the network has: "
                             + ", ".join(countries)))
        elif r.scope == "place" and r.ref not in net._places.index:
            msg = _place_problem(net, r.ref)
            problems.append((f"{key}.ref", msg or f"{r.ref!r} is a name: risk rows name a place"
                             f" by its id ({net.place_id(r.ref)!r})"))
        elif r.scope == "link" and r.ref not in links.index:
            close = difflib.get_close_matches(r.ref, list(links.index), n=4)
            problems.append((f"{key}.ref", f"unknown link {r.ref!r}; closest ids: "
                             f"{', '.join(close) or 'none'}"))
        elif r.scope == "passage" and r.ref not in PASSAGES:
            problems.append((f"{key}.ref", f"unknown passage {r.ref!r}; allowed: "
                             + ", ".join(PASSAGES)))
        if (r.scope, r.ref) not in existing and "source" not in r.data and net.sources:
            problems.append((f"{key}.source", "a new risk row needs a source: an id from the "
                             "network's SOURCES.md (e.g. " + ", ".join(sorted(net.sources)[:3])
                             + ")"))
    for i, rec in enumerate(s.new_links):
        new = dict(rec)
        key = f"new_links[{i}]"
        if new.get("id") in links.index:
            problems.append((f"{key}.id", f"link {new['id']!r} already exists in the network"))
        for end in ("from_id", "to_id"):
            if isinstance(new.get(end), str):
                msg = _place_problem(net, new[end])
                if msg:
                    problems.append((f"{key}.{end}", msg))
    return problems


# --------------------------------------------------------------------------------------------
# Applying a scenario
# --------------------------------------------------------------------------------------------


def _add_links(s: Scenario, net: Network, links: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    places = net._places
    rows = []
    geoms = []
    for rec in s.new_links:
        d = dict(rec)
        coords = d.pop("coordinates", None)
        d["from_id"] = net.place_id(d["from_id"])
        d["to_id"] = net.place_id(d["to_id"])
        if "gauge_mm" in d:
            d["gauge_mm"] = str(d["gauge_mm"])
        if coords is None:
            a, b = places.loc[d["from_id"]].geometry, places.loc[d["to_id"]].geometry
            coords = [(a.x, a.y), (b.x, b.y)]
        geoms.append(shapely.LineString([(float(x), float(y)) for x, y in coords]))
        rows.append(d)
    new = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=links.crs)
    new.index = pd.Index(new["id"].tolist(), name=links.index.name)
    for col in links.columns:
        if col not in new.columns:
            new[col] = None
    out = pd.concat([links, new[list(links.columns)]])
    return gpd.GeoDataFrame(out, geometry="geometry", crs=links.crs)


def _closure_links(net: Network, links: pd.DataFrame, c: Closure) -> list[str]:
    from .routing import _resolve_crossing, _resolve_places

    if c.kind == "link":
        return [c.ref]
    if c.kind == "crossing":
        return list(_resolve_crossing(net, c.ref))
    if c.kind == "passage":
        return [lid for lid, p in zip(links.index, links["passages"])
                if isinstance(p, str) and c.ref in p.split("|")]
    if c.kind == "place":
        pids = set(_resolve_places(net, c.ref))
    else:
        pids = set(net._places.index[net._places["country"] == c.ref])
    touch = links["from_id"].isin(pids) | links["to_id"].isin(pids)
    return list(links.index[touch])


def _scale(df: pd.DataFrame, mask: Any, cols: Sequence[str], factor: float) -> None:
    if factor == 1.0 or not len(df):
        return
    for col in cols:
        if col in df.columns:
            vals = df[col].astype(float)
            df[col] = np.where(np.asarray(mask, dtype=bool), vals * factor, vals)


def _country_rows(df: pd.DataFrame, m: Multiplier, modes: Sequence[str], note: str
                  ) -> pd.DataFrame:
    """Add (mode, country) rows copied from (mode, '*') where a country multiplier needs
    them, so that it scales that country only."""
    if m.country is None:
        return df
    add = []
    for mode in modes:
        have = ((df["mode"] == mode) & (df["country"] == m.country)).any()
        star = df[(df["mode"] == mode) & (df["country"] == "*")]
        if not have and len(star):
            row = star.iloc[0].copy()
            row["country"] = m.country
            row["notes"] = f"{note}: copied from ({mode}, *)"
            add.append(row)
    if not add:
        return df
    return pd.concat([df, pd.DataFrame(add)], ignore_index=True)


def _apply_multiplier(net: Network, m: Multiplier, links: pd.DataFrame,
                      tables: dict[str, pd.DataFrame], changed: set[str]) -> None:
    land = ("rail", "road")
    modes = [m.mode] if m.mode is not None else list(land if m.country else MODES)
    note = f"scenario multiplier {m}"
    ctry = net._places["country"].to_dict()
    link_ctry = ["*" if mode in ("sea", "ferry") else ctry.get(a, "")
                 for a, mode in zip(links["from_id"], links["mode"])]
    link_sel = np.array([m.matches(mode, [c]) for mode, c in zip(links["mode"], link_ctry)],
                        dtype=bool)
    if m.tariff != 1.0:
        t = _country_rows(tables["tariffs"], m, modes, note)
        sel = [m.matches(mode, [c]) for mode, c in zip(t["mode"], t["country"])]
        _scale(t, sel, ("usd_per_teu_km", "usd_per_feu_km", "usd_per_tonne_km"), m.tariff)
        tables["tariffs"] = t
        changed.add("tariffs")
        _scale(links, link_sel, ("usd_per_teu_km",), m.tariff)
    f = m.speed_factor
    if f != 1.0:
        t = _country_rows(tables["speeds"], m, modes, note)
        sel = [m.matches(mode, [c]) for mode, c in zip(t["mode"], t["country"])]
        _scale(t, sel, ("speed_kmh",), f)
        tables["speeds"] = t
        changed.add("speeds")
        _scale(links, link_sel, ("speed_kmh",), f)
        _scale(links, link_sel, ("time_h",), 1.0 / f)
    if m.dwell != 1.0 or m.fee != 1.0:
        t = tables["crossings"]
        ends = net._links[["from_id", "to_id"]]
        sel = []
        for lid, mode in zip(t["link_id"], t["mode"]):
            a, b = ends.loc[lid] if lid in ends.index else ("", "")
            link_mode = net._links.at[lid, "mode"] if lid in net._links.index else mode
            sel.append(m.matches(link_mode, [ctry.get(a, ""), ctry.get(b, "")]))
        _scale(t, sel, ("dwell_median_h", "dwell_p90_h"), m.dwell)
        _scale(t, sel, ("fee_usd",), m.fee)
        changed.add("crossings")
    if m.transfer_cost != 1.0 or m.transfer_time != 1.0:
        tables["operations"] = _scale_transfers(net, m, tables["operations"], note)
        changed.add("operations")


def _scale_transfers(net: Network, m: Multiplier, ops: pd.DataFrame, note: str
                     ) -> pd.DataFrame:
    """Scale transfer rows (not terminal rows). Without a mode or country every transfer row
    is scaled; with one, each transfer of the network that matches gets its own row (copied
    from the default of its kind where no place row exists) and that row is scaled."""
    cost_cols = ("cost_usd_20ft", "cost_usd_40ft", "cost_usd_per_tonne")
    time_cols = ("time_median_h", "time_p90_h")
    is_transfer = (ops["kind"] != "terminal").to_numpy()
    if m.mode is None and m.country is None:
        _scale(ops, is_transfer, cost_cols, m.transfer_cost)
        _scale(ops, is_transfer, time_cols, m.transfer_time)
        return ops
    from .costs import CostModel

    topo = topology(net)
    cm = CostModel(net, Cargo())
    explicit = {(p, a, b): i for i, (p, a, b, k) in enumerate(zip(
        ops["place_id"], ops["from_service"], ops["to_service"], ops["kind"]))
        if k != "terminal" and p != "*"}
    defaults = {k: i for i, (p, k) in enumerate(zip(ops["place_id"], ops["kind"]))
                if p == "*" and k != "terminal"}
    hit: set[int] = set()
    new_rows: list[pd.Series] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for e in np.flatnonzero(topo.etype == TRANSFER).tolist():
        u, v = int(topo.src[e]), int(topo.dst[e])
        pi = int(topo.node_place[u])
        pid = topo.place_ids[pi]
        sa = logical_service(topo.node_service[u])
        sb = logical_service(topo.node_service[v])
        pair = (pid, frozenset((sa, sb)))
        if pair in seen:
            continue
        seen.add(pair)
        modes = {sa.split("-")[0], sb.split("-")[0]}
        if m.mode is not None and m.mode not in modes:
            continue
        if m.country is not None and topo.place_country[pi] != m.country:
            continue
        row_i = explicit.get((pid, sa, sb), explicit.get((pid, sb, sa)))
        if row_i is not None:
            hit.add(row_i)
            continue
        spec = cm.transfer(pid, topo.place_kind[pi], sa, sb)
        if spec is None or spec.kind not in defaults:
            continue
        row = ops.iloc[defaults[spec.kind]].copy()
        row["place_id"], row["from_service"], row["to_service"] = pid, sa, sb
        row["notes"] = f"{note}: copied from the default '{spec.kind}' row"
        new_rows.append(row)
    mask = np.zeros(len(ops), dtype=bool)
    mask[sorted(hit)] = True
    ops = ops.copy()
    _scale(ops, mask, cost_cols, m.transfer_cost)
    _scale(ops, mask, time_cols, m.transfer_time)
    if new_rows:
        added = pd.DataFrame(new_rows)
        _scale(added, np.ones(len(added), dtype=bool), cost_cols, m.transfer_cost)
        _scale(added, np.ones(len(added), dtype=bool), time_cols, m.transfer_time)
        ops = pd.concat([ops, added], ignore_index=True)
    return ops


def _apply_risk(s: Scenario, net: Network, risk: pd.DataFrame | None) -> pd.DataFrame:
    from .schema import TABLE_FIELDS

    cols = [f.name for f in TABLE_FIELDS["risk"]]
    df = risk.copy() if risk is not None else pd.DataFrame(columns=cols)
    for r in s.risk:
        sel = (df["scope"] == r.scope) & (df["ref"] == r.ref)
        values = r.data
        if sel.any():
            i = df.index[sel][0]
            for k, v in values.items():
                df[k] = df[k].astype(object)
                df.at[i, k] = v
            if "notes" not in values:
                df[["notes"]] = df[["notes"]].astype(object)
                df.at[i, "notes"] = f"scenario {s.name!r} changed " + ", ".join(values)
        else:
            row: dict[str, Any] = {c: None for c in df.columns}
            row.update({"scope": r.scope, "ref": r.ref, "confidence": "assumed",
                        "source": "scenario", "notes": f"added by scenario {s.name!r}"})
            row.update(values)
            df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    return df


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


#: Largest scenario file accepted, in bytes.
MAX_SCENARIO_BYTES = 5_000_000


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"scenario file not found: {p}")
    try:
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ValidationError([Problem(str(p), "(file)", "", f"{size:,} bytes: a scenario "
                                           f"file may have at most {MAX_SCENARIO_BYTES:,}")],
                                  header=f"1 problem in scenario file {p}")
        raw = p.read_bytes()
    except OSError as err:
        what = "a folder, not a file" if p.is_dir() else f"cannot be read: {err.strerror or err}"
        raise ValidationError([Problem(str(p), "(file)", "", what)],
                              header=f"1 problem in scenario file {p}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValidationError([Problem(str(p), "(file)", "",
                                       f"not UTF-8 text (byte {err.start}): a scenario file "
                                       "is TOML in UTF-8")],
                              header=f"1 problem in scenario file {p}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValidationError([Problem(str(p), "(file)", "", f"not valid TOML: {err}")],
                              header=f"1 problem in scenario file {p}") from None
    except RecursionError:
        raise ValidationError([Problem(str(p), "(file)", "", "nested too deep to read (a "
                                       "scenario needs at most a few levels)")],
                              header=f"1 problem in scenario file {p}") from None


def _scenarios_of(data: Mapping[str, Any], where: str, net: Network | None) -> list[Scenario]:
    problems: list[tuple[str, str]] = []
    if "scenario" not in data:
        kwargs = _parse_scenario(_without_settings(data), "", problems)
        if problems:
            raise _error(where, problems)
        scens = [Scenario(**kwargs, file=where)]
    else:
        _unknown_keys(data, SHARED_KEYS, "", problems)
        shared = {k: data[k] for k in ("od", "k", "objectives", "cargo", "cargo_value_usd",
                                       "year", "month") if k in data}
        items = data["scenario"]
        if not isinstance(items, list) or not items:
            raise _error(where, [("scenario", "must be an array of tables [[scenario]], got "
                                  f"{_type_name(items)}")])
        all_kwargs = []
        for i, item in enumerate(items):
            merged = {**shared, **item} if isinstance(item, Mapping) else item
            all_kwargs.append(_parse_scenario(merged, f"scenario[{i}].", problems))
        names = [kw.get("name") for kw in all_kwargs]
        for i, n in enumerate(names):
            if n is not None and names.index(n) != i:
                problems.append((f"scenario[{i}].name", f"duplicate scenario name {n!r}"))
        if problems:
            raise _error(where, problems)
        scens = [Scenario(**kw, file=where) for kw in all_kwargs]
    if net is not None:
        for i, s in enumerate(scens):
            found = _check_against(s, net)
            if found:
                pre = f"scenario[{i}]." if "scenario" in data else ""
                problems += [(pre + k, m) for k, m in found]
        if problems:
            raise _error(where, problems)
    return scens


def _without_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in SIMULATION_KEYS}


def simulation_settings(path: str | Path) -> dict[str, Any]:
    """The Monte Carlo settings of a scenario file: its top-level ``runs`` (whole number
    >= 0; 0 means no simulation), ``seed`` (whole number >= 0) and ``deadline_days``
    (number >= 0), those it sets, as a dict with the same keys.

    Raises
    ------
    ValidationError
        For a value of the wrong type or range (file and key named), or bytes that are not
        TOML.
    FileNotFoundError
        For a missing file.
    """
    data = _read_toml(path)
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    for key in ("runs", "seed"):
        if key in data:
            v = data[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                problems.append((key, f"must be a whole number >= 0, got {v!r}"))
            else:
                out[key] = v
    if "deadline_days" in data:
        v = data["deadline_days"]
        if isinstance(v, bool) or not _finite(v) or v < 0:
            problems.append(("deadline_days", f"must be a number of days >= 0, got {v!r}"))
        else:
            out["deadline_days"] = float(v)
    if problems:
        raise _error(str(path), problems)
    return out


def load_scenarios(path: str | Path, *, net: Network | None = None) -> list[Scenario]:
    """The scenarios of a TOML file: one scenario, or a ``[[scenario]]`` array whose entries
    share the file's top-level ``od``, ``k``, ``objectives``, ``cargo`` and ``year`` unless
    they set their own.

    Raises
    ------
    ValidationError
        As :meth:`Scenario.from_toml`.
    """
    return _scenarios_of(_read_toml(path), str(path), net)


# --------------------------------------------------------------------------------------------
# Writing TOML
# --------------------------------------------------------------------------------------------


def _toml_key(k: str) -> str:
    return k if re.match(r"^[A-Za-z0-9_-]+$", k) else _toml_str(k)


def _toml_str(s: str) -> str:
    out = s.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out.replace(chr(127), chr(92) + "u007f")}"'


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ParameterError(f"cannot write {v!r} to TOML")
        return repr(v)
    if isinstance(v, str):
        return _toml_str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, Mapping):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_value(x)}"
                               for k, x in v.items()) + "}"
    raise ParameterError(f"cannot write {type(v).__name__} to TOML")


def _toml_document(d: Mapping[str, Any]) -> str:
    lines: list[str] = []
    tables: list[tuple[str, Any]] = []
    for k, v in d.items():
        if isinstance(v, Mapping) or (isinstance(v, list) and v
                                      and all(isinstance(x, Mapping) for x in v)):
            tables.append((k, v))
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for k, v in tables:
        if isinstance(v, Mapping):
            lines += ["", f"[{_toml_key(k)}]"]
            lines += [f"{_toml_key(str(kk))} = {_toml_value(vv)}" for kk, vv in v.items()]
        else:
            for row in v:
                lines += ["", f"[[{_toml_key(k)}]]"]
                lines += [f"{_toml_key(str(kk))} = {_toml_value(vv)}" for kk, vv in row.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------------------------

COMPARISON_COLUMNS = (
    "scenario", "origin", "destination", "minimize", "rank", "status", "reason", "corridor",
    "same_as", "distance_km", "time_h", "time_days", "cost_usd", "generalized_usd", "border_time_h",
    "border_cost_usd", "transfer_time_h", "terminal_time_h", "waiting_time_h", "risk_usd",
    "co2e_kg", "n_transfers", "n_crossings", "countries", "crossings", "passages", "modes",
    "year", "cargo")
"""Columns of :func:`compare`, in order (the columns of
:data:`corridors.dependability.DEPENDABILITY_COLUMNS` follow with ``simulate_runs``)."""

SIM_COLUMNS = DEPENDABILITY_COLUMNS
MIN_CORRIDOR_PLACES = 3  # a named corridor describes a route that passes at least 3 of its places


def _route_takes(name: str) -> bool:
    return name in inspect.signature(route).parameters


def corridor_of(r: Route, net: Network, year: int | None = None) -> str:
    """The named corridor of ``net`` (``corridors.toml``) that the route follows most, else a
    short description (countries, main modes, border crossings: :func:`describe_route`).

    A corridor counts when it shares a main mode with the route, is usable in ``year``
    (corridors with a later ``year``, or with any year when ``year`` is None, are left out)
    and has at least 3 of its places on the route. The score is ``shared x shared / places``
    (places on the route, weighted by the share of the corridor covered); the first corridor
    with the best score wins.
    """
    on_route = {leg.from_id for leg in r.steps} | {leg.to_id for leg in r.steps}
    main = set(r.main_modes)
    best, best_score = None, 0.0
    for c in net.corridors:
        if c.get("modes") and not main & set(c["modes"]):
            continue
        cy = c.get("year")
        if cy is not None and (year is None or int(cy) > year):
            continue
        places = set(c.get("places", []))
        n = len(places & on_route)
        if n < MIN_CORRIDOR_PLACES:
            continue
        score = n * n / len(places)
        if score > best_score:
            best, best_score = c.get("name"), score
    if best is not None:
        return str(best)
    return describe_route(r)


def describe_route(r: Route) -> str:
    """``"PAK > AFG > UZB (road) via Torkham, Termez"``: countries, main modes, crossings."""
    text = f"{' > '.join(r.countries)} ({', '.join(r.main_modes)})"
    names = _crossing_names(r)
    return text + (f" via {', '.join(names)}" if names else "")


def _crossing_names(r: Route) -> list[str]:
    out: list[str] = []
    for leg in r.crossings:
        a, b = leg.from_name, leg.to_name
        common = a if a == b else f"{a}-{b}"
        if not out or out[-1] != common:
            out.append(common)
    return out


def _row(scen: Scenario, net: Network, o: str, d: str, minimize: str, rank: int,
         r: Route | None, reason: str | None) -> dict[str, Any]:
    cargo = scen.make_cargo() or Cargo()
    row: dict[str, Any] = {
        "scenario": scen.name, "origin": net.place(o).name, "destination": net.place(d).name,
        "minimize": minimize, "rank": rank, "status": "ok" if r is not None else "no route",
        "reason": reason or "", "year": scen.year, "cargo": cargo.describe()}
    if r is None:
        row["corridor"] = ""
        for c in COMPARISON_COLUMNS:
            row.setdefault(c, math.nan if c not in ("countries", "crossings", "passages",
                                                    "modes") else "")
        return row
    split, money = r.time_split(), r.cost_split()
    row.update({
        "corridor": corridor_of(r, net, scen.year), "distance_km": r.distance_km, "time_h": r.time_h,
        "time_days": r.time_h / 24.0, "cost_usd": r.cost_usd,
        "generalized_usd": r.generalized_usd, "border_time_h": split["border"],
        "border_cost_usd": money["border"], "transfer_time_h": split["transfer"],
        "terminal_time_h": split["terminal"], "waiting_time_h": split["waiting"],
        "risk_usd": r.risk_usd, "co2e_kg": r.co2e_kg, "n_transfers": len(r.transfers), "n_crossings": len(r.crossings),
        "countries": " > ".join(r.countries), "crossings": ", ".join(_crossing_names(r)),
        "passages": ", ".join(r.passages), "modes": ", ".join(r.modes)})
    return row


def _run(task: tuple[Network, Scenario, tuple[tuple[str, str], ...], tuple[str, ...], int]
         ) -> list[tuple[dict[str, Any], Route | None]]:
    """One scenario: apply it, route every pair by every objective (a picklable task); each
    row with its route (None for no route)."""
    net, scen, pairs, objectives, k = task
    snet = scen.apply(net)
    kwargs = scen.route_kwargs(snet)
    rows: list[tuple[dict[str, Any], Route | None]] = []
    for o, d in pairs:
        for minimize in objectives:
            try:
                if k == 1:
                    routes = [route(snet, o, d, minimize=minimize, **kwargs)]
                else:
                    routes = alternatives(snet, o, d, k=k, minimize=minimize, **kwargs)
            except NoRouteError as err:
                rows.append((_row(scen, snet, o, d, minimize, 1, None, str(err)), None))
                continue
            except ParameterError as err:
                if "contradictory" not in str(err):
                    raise
                rows.append((_row(scen, snet, o, d, minimize, 1, None, str(err)), None))
                continue
            rows += [(_row(scen, snet, o, d, minimize, i, r, None), r)
                     for i, r in enumerate(routes, start=1)]
    return rows


def _plain(net: Network) -> Network:
    """The same network without its caches (small to pickle for an executor)."""
    return Network(net._places, net._links, net._tables, meta=net.meta, sources=net.sources,
                   origin=net.origin)


def compare(net: Network, scenarios: Scenario | Sequence[Scenario],
            od: Sequence[tuple[str, str]] | None = None, *, k: int | None = None,
            minimize: str | Sequence[str] | None = None, executor: Executor | None = None,
            simulate_runs: int = 0, seed: int | None = None,
            deadline_h: float | None = None) -> pd.DataFrame:
    """Route every scenario x origin-destination pair x objective; one tidy row per route.

    Parameters
    ----------
    net : Network
        The base network (never changed).
    scenarios : Scenario or sequence of Scenario
    od : sequence of (origin, destination), optional
        Pairs for every scenario; default: each scenario's own ``od``.
    k : int, optional
        Routes per pair (materially different alternatives); default: each scenario's ``k``,
        else 1.
    minimize : str or sequence of str, optional
        Objectives; default: each scenario's ``objectives``, else ``"cost_usd"``.
    executor : concurrent.futures.Executor, optional
        Runs one task per scenario (``ThreadPoolExecutor``, ``ProcessPoolExecutor``, or a
        Dask ``distributed.Client(...).get_executor()``); the frame is identical to the serial
        run's.
    simulate_runs : int, default 0
        With > 0, a Monte Carlo of that many runs per pair over the routes of every scenario
        with common draws (:mod:`corridors.dependability`), adding P10/P50/P90 days and USD,
        ``p_on_time``, ``p_cheapest`` and ``p_fastest`` (among the routes of the scenario).
    seed : int, optional
        Seed of the simulation (the same for every pair, so results repeat).
    deadline_h : float, optional
        Deadline in hours (>= 0) for ``p_on_time`` (NaN without one).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS` (then :data:`SIM_COLUMNS` with
        ``simulate_runs``), rows in the order scenario, pair, objective, rank. A pair
        without a route is one row with ``status`` ``"no route"`` and the reason; found
        routes have ``status`` ``"ok"``. ``same_as`` names the first earlier row of the pair
        with the same route (``"today, cost_usd"``), else ``""``. Times in hours (and
        days), money in USD, distances in km; ``countries`` joined with ``" > "``,
        crossings, passages and modes with ``", "``.

    Raises
    ------
    ValidationError
        For a scenario whose names the network does not know (file and key named).
    ParameterError
        For no pairs, a bad ``k``, objective, ``simulate_runs`` or ``deadline_h``.
    """
    return _compare(net, scenarios, od, k=k, minimize=minimize, executor=executor,
                    simulate_runs=simulate_runs, seed=seed, deadline_h=deadline_h).frame


@dataclass(frozen=True, eq=False)
class _Comparison:
    """What :func:`compare` computes: the frame, the route of each row, the scenario
    networks and, when simulated, each pair's simulation (for charts and maps)."""

    frame: pd.DataFrame
    routes: list[Route | None]
    nets: dict[str, Network]
    simulations: list[PairSimulation]


def _compare(net: Network, scenarios: Scenario | Sequence[Scenario],
             od: Sequence[tuple[str, str]] | None = None, *, k: int | None = None,
             minimize: str | Sequence[str] | None = None, executor: Executor | None = None,
             simulate_runs: int = 0, seed: int | None = None,
             deadline_h: float | None = None) -> _Comparison:
    scens = [scenarios] if isinstance(scenarios, Scenario) else list(scenarios)
    if not scens:
        raise ParameterError("compare needs at least one scenario")
    names = [s.name for s in scens]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError(f"scenario names must be unique; repeated: {', '.join(dup)}")
    if not isinstance(simulate_runs, int) or isinstance(simulate_runs, bool) or simulate_runs < 0:
        raise ParameterError(f"simulate_runs must be a whole number >= 0, got {simulate_runs!r}")
    if deadline_h is not None and (isinstance(deadline_h, bool)
                                   or not isinstance(deadline_h, (int, float))
                                   or not math.isfinite(deadline_h) or deadline_h < 0):
        raise ParameterError(f"deadline_h must be a finite number of hours >= 0, got "
                             f"{deadline_h!r}")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or k < 1):
        raise ParameterError(f"k must be a whole number >= 1, got {k!r}")
    objs_arg = None if minimize is None else (
        (minimize,) if isinstance(minimize, str) else tuple(minimize))
    for w in objs_arg or ():
        objective_name(w)
    pairs_arg = None if od is None else tuple((str(a), str(b)) for a, b in od)
    plain = _plain(net)
    tasks = []
    for s in scens:
        pairs = pairs_arg if pairs_arg is not None else s.od
        if not pairs:
            raise ParameterError(f"scenario {s.name!r} has no origin-destination pairs: pass "
                                 "od=[(origin, destination), ...] or give the scenario an od")
        (s if pairs_arg is None else replace(s, od=pairs)).validate(net)
        objs = objs_arg or s.objectives or ("cost_usd",)
        tasks.append((plain, s, pairs, tuple(objs), k or s.k or 1))
    if executor is None:
        results = [_run(t) for t in tasks]
    else:
        futures = [executor.submit(_run, t) for t in tasks]
        results = [f.result() for f in futures]
    rows = [row for res in results for row, _ in res]
    found = [r for res in results for _, r in res]
    for row, label in zip(rows, same_as(rows, found)):
        row["same_as"] = label
    nets = {s.name: s.apply(plain) for s in scens}
    sims: list[PairSimulation] = []
    if simulate_runs > 0:
        extra, sims = simulate_comparison(rows, found, nets, runs=simulate_runs, seed=seed,
                                          deadline_h=deadline_h)
        for row, more in zip(rows, extra):
            row.update(more)
    cols = list(COMPARISON_COLUMNS) + (list(SIM_COLUMNS) if simulate_runs > 0 else [])
    df = pd.DataFrame(rows, columns=cols)
    for c in ("rank", "n_transfers", "n_crossings", "year"):
        df[c] = df[c].astype("Int64")
    return _Comparison(df, found, nets, sims)


# --------------------------------------------------------------------------------------------
# Writing comparisons
# --------------------------------------------------------------------------------------------

_DISPLAY = (("scenario", "scenario", None), ("origin", "from", None),
            ("destination", "to", None), ("minimize", "min", None), ("rank", "#", None),
            ("corridor", "corridor", None), ("distance_km", "km", "{:,.0f}"),
            ("time_days", "days", "{:,.1f}"), ("cost_usd", "USD", "{:,.0f}"),
            ("border_time_h", "border h", "{:,.0f}"), ("risk_usd", "risk USD", "{:,.0f}"),
            ("co2e_kg", "kg CO2e", "{:,.0f}"), ("n_crossings", "borders", None),
            ("n_transfers", "transfers", None), ("crossings", "crossings", None))


_NUMERIC_HEADERS = ("km", "days", "USD", "border h", "risk USD", "kg CO2e", "borders",
                    "transfers", "#",
                    "days P50 (P10-P90)", "USD P50 (P10-P90)", "on time", "P(cheapest)",
                    "P(fastest)")


def _spread_cell(rec: Mapping[Any, Any], column: str, fmt: str) -> str:
    """``"P50 (P10-P90)"`` of ``column`` (with ``{q}`` for the percentile)."""
    lo, mid, hi = (rec.get(column.format(q=q)) for q in (10, 50, 90))
    if not all(_finite(v) for v in (lo, mid, hi)):
        return ""
    return f"{fmt.format(mid)} ({fmt.format(lo)}-{fmt.format(hi)})"


def _share(v: Any) -> str:
    return f"{v:.0%}" if _finite(v) else ""


def _sim_cells(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """Headers and cells of the simulation and ``same_as`` columns the frame has."""
    headers: list[str] = []
    sim = "time_p50_days" in df.columns
    if sim:
        headers += ["days P50 (P10-P90)", "USD P50 (P10-P90)"]
        on_time = "p_on_time" in df.columns and bool(df["p_on_time"].notna().any())
        headers += (["on time"] if on_time else []) + ["P(cheapest)", "P(fastest)"]
    same = "same_as" in df.columns and bool((df["same_as"].fillna("") != "").any())
    headers += ["same as"] if same else []
    cells = []
    for rec in df.to_dict("records"):
        row: list[str] = []
        if sim:
            row += [_spread_cell(rec, "time_p{q}_days", "{:,.1f}"),
                    _spread_cell(rec, "cost_p{q}_usd", "{:,.0f}")]
            row += [_share(rec["p_on_time"])] if on_time else []
            row += [_share(rec["p_cheapest"]), _share(rec["p_fastest"])]
        if same:
            row.append(str(rec["same_as"] or ""))
        cells.append(row)
    return headers, cells


def _display_rows(df: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    cols = [c for c in _DISPLAY if c[0] in df.columns]
    extra, extra_cells = _sim_cells(df)
    headers = [h for _, h, _ in cols] + extra
    rows = []
    for rec, more in zip(df.to_dict("records"), extra_cells):
        out = []
        for col, _, fmt in cols:
            v = rec[col]
            if rec["status"] != "ok" and col == "corridor":
                out.append(f"NO ROUTE: {str(rec['reason']).splitlines()[0][:60]}")
            elif v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                out.append("")
            elif fmt:
                out.append(fmt.format(v))
            else:
                out.append(str(v))
        rows.append(out + more)
    return headers, rows


def comparison_text(df: pd.DataFrame) -> str:
    """The comparison as a plain-text table (the main columns)."""
    from .cli import format_table

    headers, rows = _display_rows(df)
    align = "".join("r" if h in _NUMERIC_HEADERS else "l" for h in headers)
    return format_table(rows, headers, align)


def comparison_markdown(df: pd.DataFrame) -> str:
    """The comparison as a Markdown table (the main columns)."""
    headers, rows = _display_rows(df)
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---:" if h in _NUMERIC_HEADERS else "---" for h in headers) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
    return "\n".join(lines) + "\n"


def write_comparison(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a comparison by the file's suffix: ``.csv`` (every column), ``.md`` (Markdown
    table of the main columns) or ``.parquet`` (needs pyarrow).

    Raises
    ------
    ParameterError
        For another suffix.
    OptionalDependencyError
        For ``.parquet`` without pyarrow (an ImportError naming the package to install).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        with atomic_path(p) as tmp:
            df.to_csv(tmp, index=False, lineterminator="\n")
    elif suffix in (".md", ".markdown"):
        write_text_atomic(p, comparison_markdown(df))
    elif suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise OptionalDependencyError(
                "writing .parquet needs pyarrow: pip install pyarrow (or the corridors "
                "'parquet' extra: pip install 'corridors[parquet]')") from None
        with atomic_path(p) as tmp:
            df.to_parquet(tmp, index=False)
    else:
        raise ParameterError(f"unknown comparison file type {suffix or p.name!r}; allowed: "
                             ".csv, .md, .parquet")
    return p


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def add_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``corridors compare FILE.toml [FILE2.toml ...]`` to the command line.

    Returns the parser; its ``func`` default is :func:`run_cli`.
    """
    p = subparsers.add_parser(
        "compare", help="compare scenarios (TOML files) over origin-destination pairs",
        description="Apply every scenario of the TOML files to the network, route their "
        "origin-destination pairs and print one row per scenario, pair and route.")
    p.add_argument("files", nargs="+", metavar="FILE.toml",
                   help="scenario files (one scenario, or a [[scenario]] array with shared od)")
    p.add_argument("--out", metavar="DIR", help="write comparison.csv and comparison.md here")
    p.add_argument("--network", help="folder or .gpkg (default: the bundled network)")
    p.add_argument("--format", choices=("table", "json", "csv", "markdown"), default="table")
    p.add_argument("--simulate-runs", type=int, metavar="N",
                   help="Monte Carlo runs per origin-destination pair (P10/P50/P90 days and "
                   "USD, on-time probability, P(cheapest), P(fastest)); default: the file's "
                   "'runs', else none")
    p.add_argument("--seed", type=int, help="random seed of the Monte Carlo (default: the "
                   "file's 'seed', else fresh)")
    p.add_argument("--deadline-days", type=float, metavar="D",
                   help="deadline for the on-time probability (default: the file's "
                   "'deadline_days', else none)")
    p.set_defaults(func=run_cli)
    return p


def _cli_settings(args: argparse.Namespace) -> dict[str, Any]:
    """runs, seed and deadline_days: the command line's, else the files' (which must agree)."""
    flags = {"runs": getattr(args, "simulate_runs", None), "seed": getattr(args, "seed", None),
             "deadline_days": getattr(args, "deadline_days", None)}
    found: dict[str, tuple[Any, str]] = {}
    for f in args.files:
        for key, v in simulation_settings(f).items():
            if flags[key] is None and key in found and found[key][0] != v:
                raise ParameterError(f"{key} is {found[key][0]!r} in {found[key][1]} but {v!r} "
                                     f"in {f}; set it once, or on the command line")
            found.setdefault(key, (v, f))
    out = {k: v for k, (v, _) in found.items()}
    out.update({k: v for k, v in flags.items() if v is not None})
    runs, seed, days = out.get("runs", 0), out.get("seed"), out.get("deadline_days")
    if runs < 0:
        raise ParameterError(f"--simulate-runs must be a whole number >= 0, got {runs}")
    if seed is not None and seed < 0:
        raise ParameterError(f"--seed must be a whole number >= 0, got {seed}")
    if days is not None and (not math.isfinite(days) or days < 0):
        raise ParameterError(f"--deadline-days must be a number of days >= 0, got {days}")
    if runs == 0 and days is not None:
        raise ParameterError("a deadline needs a Monte Carlo: add --simulate-runs N (or runs "
                             "= N in the scenario file)")
    return {"runs": runs, "seed": seed, "deadline_days": days}


def _sim_note(settings: Mapping[str, Any]) -> str:
    days = settings["deadline_days"]
    return (f"Monte Carlo: {settings['runs']:,} runs per pair, seed {settings['seed']}"
            + (f", deadline {days:g} days" if days is not None else "")
            + "; days and USD as P50 (P10-P90); P(cheapest) and P(fastest) among the routes "
            "of each scenario")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``corridors compare``; return the exit code (0 ok, 2 bad files or network, 74 the
    ``--out`` folder cannot be written; see :func:`corridors.errors.exit_code`)."""
    from .io import load_network, read_network

    fmt = getattr(args, "format", "table")
    network = getattr(args, "network", None)
    out = getattr(args, "out", None)
    try:
        if out:  # before the work, so a bad --out does not come after a printed table
            _output_folder(Path(out))
        net = load_network() if network is None else read_network(network)
        scens: list[Scenario] = []
        for f in args.files:
            scens += load_scenarios(f, net=net)
        settings = _cli_settings(args)
        if settings["runs"] and settings["seed"] is None:  # fresh, shown so it can be repeated
            settings["seed"] = int(np.random.default_rng().integers(2**32))
        days = settings["deadline_days"]
        result = _compare(net, scens, simulate_runs=settings["runs"], seed=settings["seed"],
                          deadline_h=None if days is None else days * 24.0)
        df = result.frame
    except ValidationError as err:
        for problem in err.problems:  # one line each: file: key: what is wrong and allowed
            print(f"error: {problem}", file=sys.stderr)
        return exit_code(err)
    except (CorridorsError, FileNotFoundError, IsADirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    if fmt == "json":
        records = [{k: _json_value(v) for k, v in r.items()} for r in df.to_dict("records")]
        sim = dict(settings) if settings["runs"] else None
        print(dumps_json({"network": net.name, "files": list(args.files), "simulation": sim,
                          "rows": records}))
    elif fmt == "csv":
        df.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif fmt == "markdown":
        print(comparison_markdown(df), end="")
    else:
        print(comparison_text(df))
        if settings["runs"]:
            print(_sim_note(settings))
    if out:
        d = Path(out)
        written = [write_comparison(df, d / "comparison.csv"),
                   write_comparison(df, d / "comparison.md")]
        note = _charts(net, result, d, settings)
        msg = "wrote " + ", ".join(str(w) for w in written) + (f"; {note}" if note else "")
        print(msg, file=sys.stderr if fmt in ("json", "csv") else sys.stdout)
    return 0


def _output_folder(d: Path) -> None:
    """Create the ``--out`` folder (and its parents) or raise :class:`WriteError` naming it."""
    if d.exists() and not d.is_dir():
        raise WriteError(f"cannot write to {d}: it is a file, not a folder",
                         errno_=errno.ENOTDIR, filename=str(d))
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WriteError(f"cannot create the output folder {d}: {err.strerror or err}",
                         errno_=err.errno, filename=str(d)) from err
    if not os.access(d, os.W_OK | os.X_OK):
        raise WriteError(f"cannot write to {d}: permission denied", errno_=errno.EACCES,
                         filename=str(d))


def _chart_groups(result: _Comparison
                  ) -> dict[tuple[str, str], list[tuple[str, str, Route]]]:
    """Per pair, each distinct route once, labelled with every row that found it, with its
    corridor: ``("today (cost_usd) = uap-railway-2032 (cost_usd): corridor", corridor,
    route)``."""
    groups: dict[tuple[str, str], dict[tuple[Any, ...], tuple[list[str], str, Route]]] = {}
    for rec, r in zip(result.frame.to_dict("records"), result.routes):
        if r is None:
            continue
        rank = rec["rank"]
        who = f"{rec['scenario']} ({rec['minimize']}{'' if rank == 1 else f' #{rank}'})"
        pair = groups.setdefault((r.origin, r.destination), {})
        key = route_key(r)
        if key in pair:
            pair[key][0].append(who)
        else:
            pair[key] = ([who], str(rec["corridor"]), r)
    return {p: [(" = ".join(w) + f": {c}", c, r) for w, c, r in items.values()]
            for p, items in groups.items()}


def _charts(net: Network, result: _Comparison, out: Path, settings: Mapping[str, Any]) -> str:
    """For each origin-destination pair, its distinct routes side by side, each corridor in
    its colour (:func:`corridors.plot.corridor_colours`): a time/cost-distance chart, the
    time split per corridor, a static map (PNG) and an interactive map (HTML), and with a
    Monte Carlo the transit-time distributions (PNG) and P10-P90 bands on the
    time/cost-distance chart, through :mod:`corridors.plot` (the ``plot`` extra). Returns a
    note of what was written."""
    try:
        from . import plot
    except ImportError as err:  # pragma: no cover - plot has no hard dependency at import
        return f"charts and maps skipped ({err})"
    written: list[str] = []
    names = net._places["name"].to_dict()
    sims = {(p.origin, p.destination): p for p in result.simulations}
    days = settings.get("deadline_days")
    try:
        for (o, d), items in _chart_groups(result).items():
            slug = re.sub(r"[^a-z0-9]+", "-", f"{names[o]}-{names[d]}".lower()).strip("-")
            labels = [lab for lab, _, _ in items]
            routes_ = [r for _, _, r in items]
            palette = plot.corridor_colours(c for _, c, _ in items)
            colours = [palette[c] for _, c, _ in items]
            sim = sims.get((o, d))
            draws = None
            if sim is not None:
                keys = [route_key(r) for r in routes_]
                draws = sim.result.subset(
                    [next(j for j, r in enumerate(sim.routes) if route_key(r) == k)
                     for k in keys])
            fig = plot.tcd_chart(routes_, labels=labels, colours=colours, simulation=draws)
            written += [str(_save_png(fig, out / f"{slug}_tcd.png"))]
            fig = plot.time_split_chart(routes_, labels=labels, colours=colours)
            written += [str(_save_png(fig, out / f"{slug}_time_split.png"))]
            written += [str(plot.save_map(routes_, out / f"{slug}_map.png", labels=labels,
                                          colours=colours))]
            written += [str(plot.save_explore(routes_, out / f"{slug}_map.html",
                                              labels=labels, colours=colours))]
            if draws is not None:
                fig = plot.transit_time_hist(draws.time_h, labels, colours=colours,
                                             deadline_h=None if days is None else days * 24.0,
                                             title=plot.od_title(routes_))
                written += [str(_save_png(fig, out / f"{slug}_transit.png"))]
    except ImportError as err:
        return f"charts and maps skipped ({err})"
    return f"{len(written)} charts and maps written to {out}"


def _save_png(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


def _save_figure(obj: Any, base: Path) -> int:
    """Save a matplotlib Figure (``.png``, then closed) or a map with ``save`` (``.html``)."""
    if hasattr(obj, "savefig"):
        import matplotlib.pyplot as plt

        try:
            with atomic_path(base.with_suffix(".png")) as tmp:
                obj.savefig(tmp)
        finally:
            plt.close(obj)
        return 1
    if hasattr(obj, "save"):
        with atomic_path(base.with_suffix(".html")) as tmp:
            obj.save(str(tmp))
        return 1
    return 0


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    return v

