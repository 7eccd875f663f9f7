"""Places, links and the :class:`Network` that holds them; selection by year.

A network is two GeoDataFrames in EPSG:4326 (``places`` and ``links``) plus optional parameter
tables (tariffs, speeds, crossings, operations, risk). Inside, ``Network.graph`` is a networkx
``MultiDiGraph`` with one node per place and one edge per usable direction of each link.
The file format is described in ``docs/data-format.md``.

This module owns the value objects :class:`Place` and :class:`Link` and the
:class:`Network` itself. The vocabularies and file schemas live in :mod:`corridors.model.schema`
and the checks in :mod:`corridors.model.validation`; their public names are re-exported here, so
``from corridors.model.network import MODES, prepare_frames`` keeps working.

See Also
--------
corridors.model.schema : vocabularies, file schemas and value helpers.
corridors.model.validation : coercion and validation of the frames.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import AmbiguousPlaceError, UnknownPlaceError, ValidationError

if TYPE_CHECKING:  # imported where used: import corridors stays light (issue 18)
    import networkx as nx

# Everything public that used to be defined here is re-exported, so that imports from
# corridors.model.network keep working: the names in __all__, and those imported "as" themselves.
from .schema import CARGO_UNIT_WORDS as CARGO_UNIT_WORDS
from .schema import (
    CONFIDENCE_LEVELS,
    GAUGES_MM,
    LINK_KINDS,
    MODES,
    OPERATION_KINDS,
    PASSAGES,
    PLACE_KINDS,
    STATUSES,
    TABLE_NAMES,
    TRANSFER_KINDS,
    _missing,
    geodesic_km,
    link_is_usable,
    normalize_name,
    services_of,
)
from .schema import DIRECTIONS as DIRECTIONS
from .schema import DISTANCE_TOLERANCE as DISTANCE_TOLERANCE
from .schema import ENDPOINT_TOLERANCE_KM as ENDPOINT_TOLERANCE_KM
from .schema import LINK_FIELDS as LINK_FIELDS
from .schema import PLACE_FIELDS as PLACE_FIELDS
from .schema import RISK_SCOPES as RISK_SCOPES
from .schema import TABLE_FIELDS as TABLE_FIELDS
from .schema import TABLE_KEYS as TABLE_KEYS
from .schema import FieldSpec as FieldSpec
from .schema import parse_gauges as parse_gauges
from .schema import split_list as split_list
from .validation import coerce_frame as coerce_frame
from .validation import prepare_frames as prepare_frames
from .validation import validate_corridors as validate_corridors
from .validation import validate_links as validate_links
from .validation import validate_places as validate_places
from .validation import validate_table as validate_table

__all__ = [
    "MODES",
    "LINK_KINDS",
    "PLACE_KINDS",
    "STATUSES",
    "CONFIDENCE_LEVELS",
    "GAUGES_MM",
    "TRANSFER_KINDS",
    "OPERATION_KINDS",
    "PASSAGES",
    "TABLE_NAMES",
    "Place",
    "Link",
    "Network",
    "geodesic_km",
    "link_is_usable",
    "normalize_name",
    "services_of",
]


# --------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A node of the network: a city, port, station, junction, border post or waypoint.

    Coordinates are (lon, lat) in EPSG:4326.
    """

    id: str
    name: str
    country: str
    kind: str
    lon: float
    lat: float
    aliases: tuple[str, ...] = ()
    source: str | None = None
    confidence: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Link:
    """An edge of the network: a rail, road, sea or ferry link (border links included).

    ``distance_km`` is measured along the real alignment. ``gauge_mm`` is a set (dual-gauge
    track has two). ``year`` is the year the link opened or is expected to open.
    """

    id: str
    from_id: str
    to_id: str
    mode: str
    kind: str
    distance_km: float
    status: str
    gauge_mm: frozenset[int] = frozenset()
    year: int | None = None
    speed_kmh: float | None = None
    time_h: float | None = None
    usd_per_teu_km: float | None = None
    headway_h: float | None = None
    oneway: bool = False
    passages: tuple[str, ...] = ()
    cargo_units: tuple[str, ...] = ()
    source: str | None = None
    confidence: str | None = None
    notes: str | None = None

    @property
    def services(self) -> tuple[str, ...]:
        """Services this link carries (``rail-1435``, ``road``, ...)."""
        return services_of(self.mode, self.gauge_mm)

    @property
    def is_border(self) -> bool:
        """True for border-crossing links."""
        return self.kind == "border"


# --------------------------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------------------------


class Network:
    """A multimodal freight network: places, links and their parameter tables.

    Build one with :meth:`Network.from_geodataframes`, :func:`corridors.read_network` or
    :func:`corridors.load_network`. A network is treated as immutable: scenario changes make
    new networks.

    Attributes
    ----------
    places : geopandas.GeoDataFrame
        One row per place, indexed by id, EPSG:4326.
    links : geopandas.GeoDataFrame
        One row per link, indexed by id, EPSG:4326.
    tables : dict of pandas.DataFrame
        Parameter tables present in the data (``tariffs``, ``speeds``, ``crossings``,
        ``operations``, ``risk``).
    meta : dict
        Name, description, currency year and version (``network.toml``).
    sources : dict
        Bibliography: source id -> citation text (``SOURCES.md``).

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> net.place_id("Karachi"), net.place_id("karachi port")
    ('karachi', 'karachi_port')
    """

    def __init__(
        self,
        places: gpd.GeoDataFrame,
        links: gpd.GeoDataFrame,
        tables: Mapping[str, pd.DataFrame] | None = None,
        *,
        meta: Mapping[str, Any] | None = None,
        sources: Mapping[str, str] | None = None,
        origin: str = "<memory>",
    ) -> None:
        # Use from_geodataframes: this constructor trusts that its inputs are validated.
        self._places = places
        self._links = links
        self._tables: dict[str, pd.DataFrame] = dict(tables or {})
        self._fingerprint: str | None = None
        self.meta: dict[str, Any] = dict(meta or {})
        self.sources: dict[str, str] = dict(sources or {})
        self.origin = origin
        self._graph: nx.MultiDiGraph | None = None
        self._lookup: dict[str, set[str]] | None = None
        self._cache: dict[Any, Any] = {}

    # ---- construction ----------------------------------------------------------------------

    @classmethod
    def from_geodataframes(
        cls,
        places: gpd.GeoDataFrame,
        links: gpd.GeoDataFrame,
        *,
        tariffs: pd.DataFrame | None = None,
        speeds: pd.DataFrame | None = None,
        crossings: pd.DataFrame | None = None,
        operations: pd.DataFrame | None = None,
        risk: pd.DataFrame | None = None,
        services: pd.DataFrame | None = None,
        link_rules: pd.DataFrame | None = None,
        meta: Mapping[str, Any] | None = None,
        sources: Mapping[str, str] | None = None,
        origin: str = "<memory>",
        files: Mapping[str, str] | None = None,
    ) -> Network:
        """Validate the frames and build a network.

        Parameters
        ----------
        places, links : geopandas.GeoDataFrame
            Columns as in ``docs/data-format.md``; EPSG:4326.
        tariffs, speeds, crossings, operations, risk, services, link_rules : pandas.DataFrame, optional
            Parameter tables.
        meta : dict, optional
            Network metadata (name, description, currency_year, version).
        sources : dict, optional
            Source id -> citation. When given, every ``source`` field must cite defined ids.

        Raises
        ------
        ValidationError
            Listing every problem found (``CrsError`` for a missing or wrong CRS).

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> places = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["A", "B"],
        ...     "country": ["PAK", "PAK"], "kind": ["city", "city"], "source": ["s", "s"]},
        ...     geometry=[shapely.Point(67.0, 24.9), shapely.Point(68.4, 25.4)], crs=4326)
        >>> links = gpd.GeoDataFrame({"id": ["ab"], "from_id": ["a"], "to_id": ["b"],
        ...     "mode": ["road"], "kind": ["line"], "distance_km": [165.0],
        ...     "status": ["operational"], "source": ["s"]},
        ...     geometry=[shapely.LineString([(67.0, 24.9), (68.4, 25.4)])], crs=4326)
        >>> Network.from_geodataframes(places, links)
        <Network '<memory>': 2 places, 1 links, 165 km>
        """
        tables = {
            "tariffs": tariffs,
            "speeds": speeds,
            "crossings": crossings,
            "operations": operations,
            "risk": risk,
            "services": services,
            "link_rules": link_rules,
        }
        found: dict[str, Any] = {}
        p, l_, t, problems = prepare_frames(
            places, links, tables, sources=sources, files=files, found=found
        )
        if problems:
            raise ValidationError(
                problems,
                header=f"{len(problems)} problem"
                f"{'s' if len(problems) != 1 else ''} found in {origin}",
            )
        net = cls(p, l_, t, meta=meta, sources=sources, origin=origin)
        net._cache["validated"] = found  # reused by the first topology build
        return net

    # ---- the frames (read-only views) and edits that make new networks ---------------------

    @property
    def places(self) -> gpd.GeoDataFrame:
        """Places, one row per place, indexed by id (EPSG:4326).

        A copy-on-write view: editing it changes the copy, never this network. To change a
        network, build a new one with :meth:`replace`.
        """
        return self._places.copy(deep=False)

    @property
    def links(self) -> gpd.GeoDataFrame:
        """Links, one row per link, indexed by id (EPSG:4326); a copy-on-write view (see
        :attr:`places`)."""
        return self._links.copy(deep=False)

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]:
        """Parameter tables by name (``tariffs``, ``speeds``, ``crossings``, ``operations``,
        ``risk``): a read-only mapping of copy-on-write views (see :meth:`replace`)."""
        return MappingProxyType({k: v.copy(deep=False) for k, v in self._tables.items()})

    def replace(
        self,
        *,
        places: gpd.GeoDataFrame | None = None,
        links: gpd.GeoDataFrame | None = None,
        **tables: pd.DataFrame | None,
    ) -> Network:
        """A new, validated network with some frames replaced; this one is left unchanged.

        Parameters
        ----------
        places, links : geopandas.GeoDataFrame, optional
            New places or links (for example an edited ``net.links``).
        **tables : pandas.DataFrame or None
            New parameter tables by name (``tariffs=...``); ``None`` removes a table.

        Raises
        ------
        ValidationError
            If the new frames are not a valid network (every problem listed).
        ParameterError
            For an unknown table name.

        Examples
        --------
        >>> import corridors as cor
        >>> net = cor.load_network()
        >>> t = net.tables["tariffs"]
        >>> t["usd_per_feu_km"] = t["usd_per_feu_km"] * 10
        >>> dear = net.replace(tariffs=t)
        >>> dear is not net and dear.fingerprint != net.fingerprint
        True
        """
        from ..errors import ParameterError

        bad = sorted(set(tables) - set(TABLE_NAMES))
        if bad:
            raise ParameterError(f"unknown table {bad[0]!r}; allowed: {', '.join(TABLE_NAMES)}")
        new_tables: dict[str, pd.DataFrame | None] = {k: v.copy() for k, v in self._tables.items()}
        for k, v in tables.items():
            new_tables[k] = None if v is None else v.copy()
        return Network.from_geodataframes(
            self._places.copy() if places is None else places.copy(),
            self._links.copy() if links is None else links.copy(),
            tariffs=new_tables.get("tariffs"),
            speeds=new_tables.get("speeds"),
            crossings=new_tables.get("crossings"),
            operations=new_tables.get("operations"),
            risk=new_tables.get("risk"),
            services=new_tables.get("services"),
            link_rules=new_tables.get("link_rules"),
            meta=self.meta,
            sources=self.sources or None,
            origin=self.origin,
        )

    @property
    def fingerprint(self) -> str:
        """A hash of everything the network holds (frames, tables, metadata): equal networks
        have equal fingerprints; any change of data changes it. Use it as a cache key."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            frames: list[tuple[str, pd.DataFrame]] = [
                ("places", self._places),
                ("links", self._links),
            ]
            frames += sorted(self._tables.items())
            for name, df in frames:
                h.update(name.encode())
                h.update(",".join(map(str, df.columns)).encode())
                plain = pd.DataFrame(df).copy()
                if "geometry" in plain.columns:
                    plain["geometry"] = [None if g is None else g.wkb for g in plain["geometry"]]
                values = pd.util.hash_pandas_object(plain.astype(object), index=True)
                h.update(values.to_numpy().tobytes())
            h.update(repr(sorted(self.meta.items())).encode())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    # ---- basic facts -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        """Name of the network (from its metadata, else where it was read from)."""
        return str(self.meta.get("name", self.origin))

    def __repr__(self) -> str:
        km = float(np.nansum(self._links["distance_km"].to_numpy()))
        return (
            f"<Network {self.name!r}: {len(self._places)} places, {len(self._links)} links, "
            f"{km:,.0f} km>"
        )

    def copy(self) -> Network:
        """A deep copy (frames and tables copied)."""
        return Network(
            self._places.copy(),
            self._links.copy(),
            {k: v.copy() for k, v in self._tables.items()},
            meta=dict(self.meta),
            sources=dict(self.sources),
            origin=self.origin,
        )

    # ---- records ---------------------------------------------------------------------------

    def place(self, query: str) -> Place:
        """The place with this id, name or alias (case and diacritics ignored).

        Raises
        ------
        UnknownPlaceError
            With the closest names when nothing matches.
        AmbiguousPlaceError
            When the name matches several places.
        """
        pid = self.place_id(query)
        row = self._places.loc[pid]
        aliases = tuple(a for a in (row["aliases"] or "").split("|") if a)
        geom = row.geometry
        return Place(
            id=pid,
            name=row["name"],
            country=row["country"],
            kind=row["kind"],
            lon=float(geom.x),
            lat=float(geom.y),
            aliases=aliases,
            source=row["source"],
            confidence=row["confidence"],
            notes=row["notes"],
        )

    def place_id(self, query: str) -> str:
        """Id of the place named ``query`` (id, name or alias; case and diacritics ignored)."""
        if not isinstance(query, str) or not query.strip():
            raise UnknownPlaceError(
                str(query), [], message=f"a place must be a non-empty name or id, got {query!r}"
            )
        if query in self._places.index:
            return query
        lookup = self._name_lookup()
        key = normalize_name(query)
        ids = lookup.get(key, set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            # A city wins over its own port, station or yard of the same name.
            cities = sorted(i for i in ids if self._places.at[i, "kind"] == "city")
            if len(cities) == 1:
                return cities[0]
            raise AmbiguousPlaceError(query, sorted(ids))
        raise UnknownPlaceError(query, self.closest_names(query))

    def closest_names(self, query: str, n: int = 5) -> list[str]:
        """Up to ``n`` place names (with ids) that are closest to ``query``."""
        lookup = self._name_lookup()
        keys = difflib.get_close_matches(normalize_name(query), list(lookup), n=n, cutoff=0.5)
        out: list[str] = []
        for k in keys:
            for pid in sorted(lookup[k]):
                label = f"{self._places.at[pid, 'name']} ({pid})"
                if label not in out:
                    out.append(label)
        return out[:n]

    def _name_lookup(self) -> dict[str, set[str]]:
        if self._lookup is None:
            lookup: dict[str, set[str]] = {}
            for pid, name, aliases in zip(
                self._places["id"], self._places["name"], self._places["aliases"]
            ):
                names = [pid, name] + [a for a in (aliases or "").split("|") if a]
                for n in names:
                    if n:
                        lookup.setdefault(normalize_name(n), set()).add(pid)
            self._lookup = lookup
        return self._lookup

    def link(self, link_id: str) -> Link:
        """The link with this id.

        Raises
        ------
        KeyError
            Naming the closest link ids.
        """
        if link_id not in self._links.index:
            close = difflib.get_close_matches(str(link_id), list(self._links.index), n=5)
            raise KeyError(f"unknown link {link_id!r}; closest ids: {', '.join(close) or 'none'}")
        r = self._links.loc[link_id]
        return Link(
            id=link_id,
            from_id=r["from_id"],
            to_id=r["to_id"],
            mode=r["mode"],
            kind=r["kind"],
            distance_km=float(r["distance_km"]),
            status=r["status"],
            gauge_mm=parse_gauges(r["gauge_mm"]),
            year=None if _missing(r["year"]) else int(r["year"]),
            speed_kmh=_opt_float(r["speed_kmh"]),
            time_h=_opt_float(r["time_h"]),
            usd_per_teu_km=_opt_float(r["usd_per_teu_km"]),
            headway_h=_opt_float(r["headway_h"]),
            oneway=bool(r["oneway"]),
            passages=tuple(split_list(r["passages"])),
            cargo_units=tuple(split_list(r["cargo_units"])),
            source=r["source"],
            confidence=r["confidence"],
            notes=r["notes"],
        )

    # ---- graph and selection ---------------------------------------------------------------

    @property
    def graph(self) -> nx.MultiDiGraph:
        """networkx MultiDiGraph of every link (all statuses): nodes are place ids, edges are
        keyed by link id with attributes ``link``, ``direction``, ``mode``, ``distance_km``,
        ``status``, ``year``."""
        if self._graph is None:
            import networkx as nx

            g = nx.MultiDiGraph(name=self.name)
            for pid, name, country, kind in zip(
                self._places["id"],
                self._places["name"],
                self._places["country"],
                self._places["kind"],
            ):
                g.add_node(pid, name=name, country=country, kind=kind)
            for lid, a, b, mode, km, status, year, oneway in zip(
                self._links["id"],
                self._links["from_id"],
                self._links["to_id"],
                self._links["mode"],
                self._links["distance_km"],
                self._links["status"],
                self._links["year"],
                self._links["oneway"],
            ):
                attrs = dict(
                    link=lid,
                    mode=mode,
                    distance_km=float(km),
                    status=status,
                    year=None if _missing(year) else int(year),
                )
                g.add_edge(a, b, key=lid, direction="forward", **attrs)
                if not oneway:
                    g.add_edge(b, a, key=lid, direction="reverse", **attrs)
            self._graph = g
        return self._graph

    def usable(self, year: int | None = None) -> np.ndarray:
        """Boolean array over ``links``: which links can carry traffic in ``year``.

        See :func:`link_is_usable` for the rule.
        """
        return np.array(
            [
                link_is_usable(s, y, year)
                for s, y in zip(self._links["status"], self._links["year"])
            ],
            dtype=bool,
        )

    def select(self, *, year: int | None = None) -> Network:
        """A network with only the links usable in ``year`` (all places kept)."""
        mask = self.usable(year)
        net = Network(
            self._places,
            self._links.loc[mask].copy(),
            self._tables,
            meta=self.meta,
            sources=self.sources,
            origin=self.origin,
        )
        return net

    @property
    def corridors(self) -> list[dict[str, Any]]:
        """Named corridors of the network (``corridors.toml``): name, description, the places
        passed in order, the modes and optionally a year."""
        return list(self.meta.get("corridors", []))

    def corridor_status(self, corridor: Mapping[str, Any]) -> dict[str, Any]:
        """Whether a named corridor is connected end to end over links of its modes usable in
        its year (today without one); ``gaps`` lists the consecutive places not connected."""
        year = corridor.get("year")
        modes = set(corridor.get("modes") or MODES)
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(self._places.index)
        for a, b, mode, status, y in zip(
            self._links["from_id"],
            self._links["to_id"],
            self._links["mode"],
            self._links["status"],
            self._links["year"],
        ):
            if mode in modes and link_is_usable(status, y, year):
                g.add_edge(a, b)
        stops = list(corridor.get("places", []))
        gaps = [
            (a, b)
            for a, b in zip(stops, stops[1:])
            if a not in g or b not in g or not nx.has_path(g, a, b)
        ]
        return {
            "name": corridor.get("name"),
            "connected": not gaps,
            "gaps": gaps,
            "year": year,
            "modes": sorted(modes),
        }

    def info(self) -> dict[str, Any]:
        """Counts and lengths: places by country and kind, links and km by mode, status,
        country and kind, total km."""
        links = self._links
        ctry = self._places["country"].to_dict()
        link_country = [
            ctry.get(a)
            if ctry.get(a) == ctry.get(b)
            else "border"
            if k == "border"
            else f"{ctry.get(a)}-{ctry.get(b)}"
            for a, b, k in zip(links["from_id"], links["to_id"], links["kind"])
        ]
        km = links["distance_km"].astype(float)

        def group(keys: Iterable[Any]) -> dict[str, dict[str, float]]:
            out: dict[str, dict[str, float]] = {}
            for k, d in zip(keys, km):
                entry = out.setdefault(str(k), {"links": 0, "km": 0.0})
                entry["links"] += 1
                entry["km"] = round(entry["km"] + float(d), 1)
            return dict(sorted(out.items()))

        return {
            "name": self.name,
            "places": int(len(self._places)),
            "links": int(len(links)),
            "total_km": round(float(km.sum()), 1),
            "places_by_country": {
                str(k): int(v) for k, v in sorted(self._places["country"].value_counts().items())
            },
            "places_by_kind": {
                str(k): int(v) for k, v in sorted(self._places["kind"].value_counts().items())
            },
            "links_by_mode": group(links["mode"]),
            "links_by_status": group(links["status"]),
            "links_by_kind": group(links["kind"]),
            "links_by_country": group(link_country),
            "border_crossings": int((links["kind"] == "border").sum()),
            "tables": {k: int(len(v)) for k, v in self._tables.items()},
            "corridors": [self.corridor_status(c) for c in self.corridors],
            "sources": len(self.sources),
        }


def _opt_float(v: Any) -> float | None:
    return None if _missing(v) else float(v)


def line_between(places: gpd.GeoDataFrame, a: str, b: str) -> shapely.LineString:
    """A straight LineString from place ``a`` to place ``b`` (helper for building links)."""
    pa, pb = places.loc[a].geometry, places.loc[b].geometry
    return shapely.LineString([(pa.x, pa.y), (pb.x, pb.y)])
