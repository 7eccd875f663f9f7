"""Scenarios (a Python object and a TOML file), applying them to a network, and comparing them.

A :class:`Scenario` names a year (planned links open by then), the cargo, closures (links,
places, border crossings, countries, sea passages), new links, multipliers of tariffs, speeds,
border dwell and fees and transfers by mode and/or country, risk rows to override, a sanctions
policy per regime, origin-destination pairs, objectives and the number of routes per pair.
:meth:`Scenario.apply` returns a new :class:`~corridors.model.network.Network` (the base network is
never changed) and :meth:`Scenario.route_kwargs` the extra keywords for
:func:`corridors.route`. :func:`compare` runs scenarios x origin-destination pairs x
objectives and returns one tidy :class:`pandas.DataFrame`; :func:`write_comparison` writes it
as CSV, Markdown or Parquet. The file format is in ``docs/scenarios.md``.

Examples
--------
>>> import corridors as cor
>>> from corridors import Scenario, compare
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

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .._atomic import write_text_atomic
from ..costs.cargo import Cargo
from ..engine.topology import TRANSFER, logical_service, topology
from ..errors import (
    Problem,
    ValidationError,
)
from ..model.network import Network
from ..model.schema import MODES
from ..routes.routing import route
from .scenario_check import _check_against
from .scenario_file import (
    _check_fields,
    _error,
    _parse_scenario,
    _read_toml,
    _toml_document,
    _type_name,
    _unknown_keys,
    _without_settings,
)
from .scenario_parts import MULTIPLIER_FACTORS, SHARED_KEYS, Closure, Multiplier, RiskChange

__all__ = ["Scenario", "load_scenarios"]


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
        ``closed_months``, for the scenario's year) are closed (:func:`corridors.routes.routing.
        seasonal_closures`). None: no seasonal closure.
    date : str, optional
        Date of travel (``"2025-06-10"``, ``"2025-06"``, ``"2025"``): the link rules of
        ``link_rules.csv`` (closures, time windows) in force that day apply (passed to
        :func:`corridors.route` as ``date=``). None: the middle of ``year``, else today.
    departure : {"booked", "random"}, optional
        Whether the shipper books the first departure (no wait for it) or the cargo reaches
        the origin at a random time (half a headway); passed to :func:`corridors.route` as
        ``departure=``. None: route's default, ``"booked"``.
    connections : {"random", "booked"}, optional
        Whether the cargo waits half a headway at each later change of service (``random``)
        or is timed to each connection (``booked``: no wait at changes); passed to
        :func:`corridors.route` as ``connections=``. None: route's default, ``"random"``.
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
    services : tuple of dict items
        services.csv rows to change or add (block trains, liner strings, ferry lines): ``id``
        names the row; the other fields (``headway_h``, ``speed_kmh``, ``status``, ``path``,
        ...) replace its values, or, for an id the network lacks, make a new row (with every
        field a row needs). ``status = "closed"`` stops a service.
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

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> closed = cor.Scenario.from_dict(
    ...     {"name": "torkham-closed", "closures": [{"crossing": "Torkham", "days": 30}]}
    ... )
    >>> closed.apply(net) is net
    False
    >>> cor.Scenario.from_dict(closed.to_dict()) == closed
    True
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
    services: tuple[tuple[tuple[str, Any], ...], ...] = ()
    sanctions: tuple[tuple[str, str], ...] = ()
    od: tuple[tuple[str, str], ...] = ()
    objectives: tuple[str, ...] = ()
    k: int | None = None
    month: int | None = None
    date: str | None = None
    departure: str | None = None
    connections: str | None = None
    file: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # rows given as mappings (as a user writes them) become the (field, value) items that
        # from_dict builds, so both spellings make the same scenario
        for name in ("new_links", "services"):
            recs = getattr(self, name)
            if isinstance(recs, (list, tuple)) and any(isinstance(r, Mapping) for r in recs):
                items = tuple(
                    tuple((str(k), v) for k, v in r.items()) if isinstance(r, Mapping) else r
                    for r in recs
                )
                object.__setattr__(self, name, items)
        problems = _check_fields(self)
        if problems:
            where = self.file or "<scenario>"
            raise ValidationError(
                [Problem(where, key, "", msg) for key, msg in problems],
                header=f"{len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''} in scenario "
                f"{self.name!r} ({where})",
            )

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def baseline(cls, **changes: Any) -> Scenario:
        """The network as it is today, with no change (``name="baseline"``)."""
        return cls(**{"name": "baseline", "description": "the network as it is", **changes})

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, file: str | None = None, net: Network | None = None
    ) -> Scenario:
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
                raise ValidationError(
                    [
                        Problem(
                            str(path),
                            "scenario",
                            "",
                            f"the file holds {len(scenarios)} scenarios; "
                            "read it with load_scenarios()",
                        )
                    ],
                    header=f"1 problem in scenario file {path}",
                )
            return scenarios[0]
        return cls.from_dict(_without_settings(data), file=str(path), net=net)

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a dict with the keys of its TOML file (empty parts left out)."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        for key in (
            "year",
            "month",
            "date",
            "departure",
            "connections",
            "cargo",
            "cargo_value_usd",
            "k",
        ):
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
                {
                    f.name: getattr(m, f.name)
                    for f in fields(m)
                    if getattr(m, f.name) is not None
                    and not (f.name in MULTIPLIER_FACTORS and getattr(m, f.name) == 1.0)
                }
                for m in self.multipliers
            ]
        if self.risk:
            out["risk"] = [{"scope": r.scope, "ref": r.ref, **r.data} for r in self.risk]
        if self.new_links:
            out["new_links"] = [dict(rec) for rec in self.new_links]
        if self.services:
            out["services"] = [dict(rec) for rec in self.services]
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
        rule routing applies: :func:`corridors.costs.risk.sanctions_policy_for`)."""
        from ..engine.query import _sanctioned

        return sorted(_sanctioned(net, self.sanctions_policy())[0])

    def route_kwargs(self, net: Network | None = None) -> dict[str, Any]:
        """Extra keywords for :func:`corridors.route` and :func:`corridors.alternatives`:
        ``year``, ``date``, ``departure``, ``connections``, ``cargo``, ``sanctions`` (where
        route takes it) and ``avoid_countries`` (countries a sanctions ``avoid`` policy
        excludes; needs ``net``, the scenario's network, whose ``risk.csv`` says which
        countries a regime covers)."""
        out: dict[str, Any] = {}
        if self.year is not None:
            out["year"] = self.year
        if self.date is not None:
            out["date"] = self.date
        if self.departure is not None:
            out["departure"] = self.departure
        if self.connections is not None:
            out["connections"] = self.connections
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
        key = ("scenario checked", repr(self))  # once per network (immutable; cache per net)
        if key in net._cache:
            return
        problems = _check_against(self, net)
        if problems:
            raise _error(self.file or "<scenario>", problems, scenario=self.name)
        net._cache[key] = True

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
            from ..routes.routing import seasonal_closures

            seasonal = sorted(seasonal_closures(net, self.month, self.year))
        if not (
            self.closures
            or self.new_links
            or self.multipliers
            or self.risk
            or self.services
            or seasonal
        ):
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
        if self.services:
            tables["services"] = _apply_services(self, tables.get("services"))
            changed.add("services")
        try:
            return net.replace(links=links, **{k: tables[k] for k in sorted(changed)})
        except ValidationError as err:
            raise ValidationError(
                err.problems,
                header=f"scenario {self.name!r} "
                f"({self.file or '<scenario>'}) makes an invalid network",
            ) from None


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
    from ..engine.query import _resolve_crossing, _resolve_places

    if c.kind == "link":
        return [c.ref]
    if c.kind == "crossing":
        return list(_resolve_crossing(net, c.ref))
    if c.kind == "passage":
        return [
            lid
            for lid, p in zip(links.index, links["passages"])
            if isinstance(p, str) and c.ref in p.split("|")
        ]
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


def _country_rows(df: pd.DataFrame, m: Multiplier, modes: Sequence[str], note: str) -> pd.DataFrame:
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


def _apply_multiplier(
    net: Network,
    m: Multiplier,
    links: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    changed: set[str],
) -> None:
    land = ("rail", "road")
    modes = [m.mode] if m.mode is not None else list(land if m.country else MODES)
    note = f"scenario multiplier {m}"
    ctry = net._places["country"].to_dict()
    link_ctry = [
        "*" if mode in ("sea", "ferry") else ctry.get(a, "")
        for a, mode in zip(links["from_id"], links["mode"])
    ]
    link_sel = np.array(
        [m.matches(mode, [c]) for mode, c in zip(links["mode"], link_ctry)], dtype=bool
    )
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
        _scale(links, link_sel, ("speed_kmh", "speed_kmh_reverse"), f)
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


def _scale_transfers(net: Network, m: Multiplier, ops: pd.DataFrame, note: str) -> pd.DataFrame:
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
    from ..costs.cargo import CostModel

    topo = topology(net)
    cm = CostModel(net, Cargo())
    explicit = {
        (p, a, b): i
        for i, (p, a, b, k) in enumerate(
            zip(ops["place_id"], ops["from_service"], ops["to_service"], ops["kind"])
        )
        if k != "terminal" and p != "*"
    }
    defaults = {
        k: i
        for i, (p, k) in enumerate(zip(ops["place_id"], ops["kind"]))
        if p == "*" and k != "terminal"
    }
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


def _apply_services(s: Scenario, services: pd.DataFrame | None) -> pd.DataFrame:
    """services.csv with the scenario's rows applied: the fields of a known id replaced, an
    unknown id added (the network's validation then checks every row as it checks the file)."""
    from ..model.schema import TABLE_FIELDS

    cols = [f.name for f in TABLE_FIELDS["services"]]
    df = services.copy() if services is not None else pd.DataFrame(columns=cols)
    df = df.astype(object)
    for rec in s.services:
        values = dict(rec)
        sel = df["id"] == values["id"]
        if sel.any():
            i = df.index[sel][0]
            for k, v in values.items():
                df.at[i, k] = v
            if "notes" not in values:
                df.at[i, "notes"] = f"scenario {s.name!r} changed " + ", ".join(
                    k for k in values if k != "id"
                )
        else:
            row: dict[str, Any] = {c: None for c in df.columns}
            row.update(values)
            df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    return df


def _apply_risk(s: Scenario, net: Network, risk: pd.DataFrame | None) -> pd.DataFrame:
    from ..model.schema import TABLE_FIELDS

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
            row.update(
                {
                    "scope": r.scope,
                    "ref": r.ref,
                    "confidence": "assumed",
                    "source": "scenario",
                    "notes": f"added by scenario {s.name!r}",
                }
            )
            row.update(values)
            df = pd.concat([df, pd.DataFrame([row])], ignore_index=True)
    return df


def _route_takes(name: str) -> bool:
    return name in inspect.signature(route).parameters


def _scenarios_of(data: Mapping[str, Any], where: str, net: Network | None) -> list[Scenario]:
    problems: list[tuple[str, str]] = []
    if "scenario" not in data:
        kwargs = _parse_scenario(_without_settings(data), "", problems)
        if problems:
            raise _error(where, problems)
        scens = [Scenario(**kwargs, file=where)]
    else:
        _unknown_keys(data, SHARED_KEYS, "", problems)
        shared = {
            k: data[k]
            for k in (
                "od",
                "k",
                "objectives",
                "cargo",
                "cargo_value_usd",
                "year",
                "month",
                "date",
                "departure",
                "connections",
            )
            if k in data
        }
        items = data["scenario"]
        if not isinstance(items, list) or not items:
            raise _error(
                where,
                [("scenario", f"must be an array of tables [[scenario]], got {_type_name(items)}")],
            )
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
        for s in scens:  # checked against this network: compare and apply need not again
            net._cache[("scenario checked", repr(s))] = True
    return scens


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
