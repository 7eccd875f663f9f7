"""Places, links and the :class:`Network` that holds them; validation; selection by year.

A network is two GeoDataFrames in EPSG:4326 (``places`` and ``links``) plus optional parameter
tables (tariffs, speeds, crossings, operations, risk). Inside, ``Network.graph`` is a networkx
``MultiDiGraph`` with one node per place and one edge per usable direction of each link.
The file format is described in ``docs/data-format.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from .errors import AmbiguousPlaceError, CrsError, Problem, UnknownPlaceError, ValidationError

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

MODES = ("rail", "road", "sea", "ferry")
LINK_KINDS = ("line", "border", "access")
PLACE_KINDS = ("port", "rail_station", "junction", "city", "dry_port", "border_post", "waypoint")
STATUSES = ("operational", "under_construction", "planned", "closed")
CONFIDENCE_LEVELS = ("measured", "derived", "approx", "estimated", "assumed")
GAUGES_MM = (1000, 1067, 1435, 1520, 1524, 1668, 1676)
TRANSFER_KINDS = ("transload", "bogie_exchange", "port_handling", "intermodal", "ferry_terminal",
                  "transshipment")
# Rows of operations.csv: transfers between services, and terminal handling (loading at the
# origin, unloading at the destination) by mode.
OPERATION_KINDS = (*TRANSFER_KINDS, "terminal")
# Sea passages a sea or ferry link may pass (links.passages, risk.csv scope 'passage').
PASSAGES = ("suez", "bab_el_mandeb", "hormuz", "bosporus", "dardanelles", "gibraltar",
            "cape_of_good_hope", "english_channel", "danish_straits", "kerch", "malacca",
            "volga_caspian_canal")
CARGO_UNIT_WORDS = ("20ft", "40ft", "tonne")
DIRECTIONS = ("forward", "reverse")
RISK_SCOPES = ("country", "place", "link", "passage")
TABLE_NAMES = ("tariffs", "speeds", "crossings", "operations", "risk")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")
_GEOD = Geod(ellps="WGS84")

# Tolerances of the geometric checks.
DISTANCE_TOLERANCE = 0.02  # a link may be at most 2 % shorter than the great circle of its ends
ENDPOINT_TOLERANCE_KM = 2.0  # a link's geometry must start/end within this of its places


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One column of a file: its name, its type and whether a value is required."""

    name: str
    type: str  # "str", "float", "int", "bool"
    required: bool = False


def _fields(*specs: tuple[str, str, bool]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(n, t, r) for n, t, r in specs)


PLACE_FIELDS = _fields(
    ("id", "str", True),
    ("name", "str", True),
    ("aliases", "str", False),
    ("country", "str", True),
    ("kind", "str", True),
    ("source", "str", True),
    ("confidence", "str", False),
    ("notes", "str", False),
)

LINK_FIELDS = _fields(
    ("id", "str", True),
    ("from_id", "str", True),
    ("to_id", "str", True),
    ("mode", "str", True),
    ("kind", "str", True),
    ("gauge_mm", "str", False),
    ("distance_km", "float", True),
    ("status", "str", True),
    ("year", "int", False),
    ("speed_kmh", "float", False),
    ("time_h", "float", False),
    ("usd_per_teu_km", "float", False),
    ("headway_h", "float", False),
    ("oneway", "bool", False),
    ("passages", "str", False),
    ("cargo_units", "str", False),
    ("source", "str", True),
    ("confidence", "str", False),
    ("notes", "str", False),
)

_COMMON = (("year", "int", False), ("source", "str", True), ("confidence", "str", False),
           ("notes", "str", False))

TABLE_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "tariffs": _fields(
        ("mode", "str", True),
        ("country", "str", True),
        ("usd_per_teu_km", "float", False),
        ("usd_per_feu_km", "float", False),
        ("usd_per_tonne_km", "float", False),
        *_COMMON,
    ),
    "speeds": _fields(
        ("mode", "str", True),
        ("country", "str", True),
        ("speed_kmh", "float", True),
        ("headway_h", "float", False),
        ("source", "str", True),
        ("confidence", "str", False),
        ("notes", "str", False),
    ),
    "crossings": _fields(
        ("link_id", "str", True),
        ("direction", "str", True),
        ("mode", "str", False),
        ("dwell_median_h", "float", True),
        ("dwell_p90_h", "float", False),
        ("fee_usd", "float", False),
        *_COMMON,
    ),
    "operations": _fields(
        ("place_id", "str", True),
        ("from_service", "str", True),
        ("to_service", "str", True),
        ("kind", "str", True),
        ("time_median_h", "float", True),
        ("time_p90_h", "float", False),
        ("cost_usd_20ft", "float", False),
        ("cost_usd_40ft", "float", False),
        ("cost_usd_per_tonne", "float", False),
        *_COMMON,
    ),
    "risk": _fields(
        ("scope", "str", True),
        ("ref", "str", True),
        ("disruption_prob_per_trip", "float", False),
        ("disruption_median_days", "float", False),
        ("disruption_p90_days", "float", False),
        ("security_premium_pct", "float", False),
        ("sanctions", "str", False),
        *_COMMON,
    ),
}

# Keys that must be unique in each table.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "tariffs": ("mode", "country"),
    "speeds": ("mode", "country"),
    "crossings": ("link_id", "direction"),
    "operations": ("place_id", "from_service", "to_service"),
    "risk": ("scope", "ref"),
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


# Letters with a diacritic that NFKD does not decompose (Azerbaijani/Turkish dotless i, ...).
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d",
                               "Đ": "D", "ħ": "h", "Ħ": "H"})


def normalize_name(text: str) -> str:
    """Fold a place name for lookup: no case, no diacritics, punctuation as single spaces.

    >>> normalize_name("  Bandar-e Anzālī ")
    'bandar e anzali'
    >>> normalize_name("Bakı")
    'baki'
    """
    decomposed = unicodedata.normalize("NFKD", str(text)).translate(_UNDECOMPOSED)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.casefold().replace("_", " ")
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def geodesic_km(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
    """Geodesic (WGS84) distance in km between points given as (lon, lat) arrays."""
    arrays = [np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2)]
    _, _, dist_m = _GEOD.inv(arrays[0], arrays[1], arrays[2], arrays[3])
    return np.asarray(dist_m, dtype=float) / 1000.0


def parse_gauges(value: Any) -> frozenset[int]:
    """Gauges in mm from a ``gauge_mm`` cell such as ``"1435|1520"``; empty for missing.

    Raises ``ValueError`` for anything that is not ``|``-separated whole numbers.
    """
    if _missing(value):
        return frozenset()
    parts = [p.strip() for p in str(value).replace(",", "|").split("|") if p.strip()]
    gauges = set()
    for p in parts:
        number = float(p)
        if not number.is_integer():
            raise ValueError(p)
        gauges.add(int(number))
    return frozenset(gauges)


def services_of(mode: str, gauges: Iterable[int] = ()) -> tuple[str, ...]:
    """Service names of a link: ``rail-<gauge>`` per gauge for rail, else the mode itself."""
    if mode == "rail":
        return tuple(f"rail-{g}" for g in sorted(gauges))
    return (mode,)


def link_is_usable(status: str, year_open: Any, year: int | None) -> bool:
    """Whether a link of this status and opening year can carry traffic in ``year``.

    With ``year=None`` (today), only operational links are usable. With a year, operational
    links are usable unless they opened later, and under-construction or planned links are
    usable once their expected year has come. Closed links are never usable.
    """
    if status == "closed":
        return False
    known = not _missing(year_open)
    if status == "operational":
        return year is None or not known or int(year_open) <= year
    if status in ("under_construction", "planned"):
        return year is not None and known and int(year_open) <= year
    return False


def split_list(value: Any) -> list[str]:
    """Words of a pipe-separated text field (``"suez|bab_el_mandeb"``); empty for no value."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return []
    return [w.strip() for w in str(value).split("|") if w.strip()]


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and value.strip() == "":
        return True
    return False


def _as_str(value: Any) -> str | None:
    return None if _missing(value) else str(value)


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
# Coercion and validation
# --------------------------------------------------------------------------------------------


def _record_ids(df: pd.DataFrame, key: str | tuple[str, ...] | None) -> list[str]:
    """Readable record names for messages: the id when there is one, else the row number."""
    out = []
    keys = (key,) if isinstance(key, str) else tuple(key or ())
    columns = [df[k].tolist() for k in keys if k in df.columns and df[k].ndim == 1]
    for i in range(len(df)):
        label = f"row {i + 1}"
        parts = [str(col[i]) for col in columns if not _missing(col[i])]
        if isinstance(key, str) and parts:
            label = f"id {parts[0]!r}"
        elif parts:
            label = f"row {i + 1} ({', '.join(parts)})"
        out.append(label)
    return out


def coerce_frame(
    df: pd.DataFrame,
    fields: tuple[FieldSpec, ...],
    file: str,
    problems: list[Problem],
    *,
    key: str | tuple[str, ...] | None = "id",
) -> pd.DataFrame:
    """Return a copy of ``df`` with every known column in its canonical type.

    Strings become Python ``str`` or ``None`` (empty strings are missing values), floats become
    float64 with NaN, integers pandas ``Int64``, booleans ``bool`` (missing means False).
    Values that cannot be converted, and required fields that are absent or empty, are
    appended to ``problems``; the offending cells become missing values. Unknown columns are
    kept as they are.
    """
    out = pd.DataFrame(index=df.index)
    dup = df.columns.duplicated()
    if dup.any():  # df[name] would be a frame; keep the first column of each name
        for name in dict.fromkeys(df.columns[dup]):
            problems.append(Problem(file, "(all records)", str(name),
                                    "column appears more than once; the first is used"))
        df = df.loc[:, ~dup]
    names = _record_ids(df, key)
    present = set(df.columns)
    for spec in fields:
        if spec.name not in present:
            if spec.required:
                problems.append(Problem(file, "(all records)", spec.name,
                                        "required field is missing from the file"))
            out[spec.name] = _typed_column([None] * len(df), spec.type, out.index)
            continue
        col = df[spec.name]
        values: list[Any] = []
        for i, v in enumerate(col.tolist()):
            converted, error = _convert(v, spec.type)
            if error:
                problems.append(Problem(file, names[i], spec.name, error))
            elif spec.required and converted is None:
                problems.append(Problem(file, names[i], spec.name, "value is required"))
            values.append(converted)
        out[spec.name] = _typed_column(values, spec.type, out.index)
    for extra in df.columns:
        if extra not in out.columns and extra != "geometry":
            out[extra] = df[extra]
    return out


def _typed_column(values: list[Any], kind: str, index: pd.Index) -> pd.Series:
    if kind == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype=float, index=index)
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    if kind == "bool":
        return pd.Series([bool(v) if v is not None else False for v in values], dtype=bool,
                         index=index)
    # object dtype: text keeps None (not NaN) for missing values
    return pd.Series(values, dtype=object, index=index)


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def _convert(value: Any, kind: str) -> tuple[Any, str | None]:
    """Convert one cell; return (value or None, error message or None)."""
    if _missing(value):
        return None, None
    try:
        if kind == "str":
            if isinstance(value, (list, tuple, dict)):
                return None, f"expected text, got {type(value).__name__} {value!r}"
            return str(value).strip(), None
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if math.isnan(number):
                return None, None
            if not math.isfinite(number):
                return None, f"expected a finite number, got {value!r}"
            return number, None
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
            if not number.is_integer():
                return None, f"expected a whole number, got {value!r}"
            if abs(number) >= 2**63:  # would overflow the Int64 column
                return None, f"whole number out of range, got {value!r}"
            return int(number), None
        if kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value), None
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value), None
            text = str(value).strip().lower()
            if text in _TRUE:
                return True, None
            if text in _FALSE:
                return False, None
            return None, f"expected true or false, got {value!r}"
    except (TypeError, ValueError, OverflowError):
        pass
    expected = {"float": "a number", "int": "a whole number", "str": "text", "bool": "true or false"}
    return None, f"expected {expected[kind]}, got {value!r}"


def _check_crs(gdf: gpd.GeoDataFrame, file: str, problems: list[Problem]) -> None:
    if gdf.crs is None:
        problems.append(Problem(file, "(all records)", "geometry",
                                "data has no CRS; set it if the coordinates are lon/lat "
                                "(gdf.set_crs(4326)), otherwise set the CRS they are in and "
                                "reproject with gdf.to_crs(4326)"))
    elif gdf.crs.to_epsg() != 4326:
        problems.append(Problem(file, "(all records)", "geometry",
                                f"CRS is {gdf.crs.to_string()}, not EPSG:4326; reproject with "
                                "gdf.to_crs(4326) (or ogr2ogr -t_srs EPSG:4326)"))


def _enum(value: Any, allowed: tuple[str, ...], file: str, rec: str, fld: str,
          problems: list[Problem]) -> None:
    if value is not None and value not in allowed:
        problems.append(Problem(file, rec, fld, f"{value!r} is not allowed; allowed values: "
                                + ", ".join(allowed)))


def _check_ids(df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for i, v in enumerate(df["id"].tolist()):
        if v is None:
            continue
        if not _ID_RE.match(v):
            problems.append(Problem(file, f"id {v!r}", "id",
                                    "ids are slugs: lower-case letters, digits, '_' or '-'"))
        if v in seen:
            problems.append(Problem(file, f"id {v!r}", "id",
                                    f"duplicate id (rows {seen[v] + 1} and {i + 1})"))
        else:
            seen[v] = i


def _check_source(df: pd.DataFrame, names: list[str], file: str, sources: Mapping[str, str] | None,
                  problems: list[Problem]) -> None:
    if "confidence" in df.columns:
        for rec, conf in zip(names, df["confidence"].tolist()):
            _enum(conf, CONFIDENCE_LEVELS, file, rec, "confidence", problems)
    if not sources or "source" not in df.columns:
        return
    for rec, src in zip(names, df["source"].tolist()):
        if src is None:
            continue
        for sid in (s.strip() for s in src.split(";")):
            if sid and sid not in sources:
                close = difflib.get_close_matches(sid, list(sources), n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                problems.append(Problem(file, rec, "source",
                                        f"source id {sid!r} is not defined in SOURCES.md{hint}"))


def validate_places(places: gpd.GeoDataFrame, file: str, sources: Mapping[str, str] | None,
                    problems: list[Problem]) -> None:
    """Append the problems of a (coerced) places frame to ``problems``."""
    _check_ids(places, file, problems)
    names = _record_ids(places, "id")
    for i, row in enumerate(places.itertuples(index=False)):
        rec = names[i]
        _enum(row.kind, PLACE_KINDS, file, rec, "kind", problems)
        if row.country is not None and not _ISO3_RE.match(row.country):
            problems.append(Problem(file, rec, "country",
                                    f"{row.country!r} is not an ISO 3166-1 alpha-3 code (e.g. PAK)"))
        geom = places.geometry.iloc[i]
        if geom is None or geom.is_empty:
            problems.append(Problem(file, rec, "geometry", "missing geometry; a Point is required"))
        elif geom.geom_type != "Point":
            problems.append(Problem(file, rec, "geometry",
                                    f"{geom.geom_type} found; places must be Points"))
        elif not (-180 <= geom.x <= 180 and -90 <= geom.y <= 90):
            problems.append(Problem(file, rec, "geometry",
                                    f"({geom.x}, {geom.y}) is not a (lon, lat) in degrees"))
    _check_source(places, names, file, sources, problems)


def validate_links(links: gpd.GeoDataFrame, places: gpd.GeoDataFrame, file: str,
                   sources: Mapping[str, str] | None, problems: list[Problem]) -> None:
    """Append the problems of a (coerced) links frame to ``problems``."""
    _check_ids(links, file, problems)
    names = _record_ids(links, "id")
    place_ids = [p for p in places["id"].tolist() if p is not None]
    xy: dict[str, tuple[float, float]] = {}
    country: dict[str, str | None] = {}
    for pid, geom, ctry in zip(places["id"].tolist(), places.geometry.tolist(),
                               places["country"].tolist()):
        if pid is not None and geom is not None and not geom.is_empty and geom.geom_type == "Point":
            xy[pid] = (geom.x, geom.y)
        country[pid] = ctry
    known = set(place_ids)
    geo = _link_geometry_checks(links, xy)
    for i, row in enumerate(links.itertuples(index=False)):
        rec = names[i]
        _enum(row.mode, MODES, file, rec, "mode", problems)
        _enum(row.kind, LINK_KINDS, file, rec, "kind", problems)
        _enum(row.status, STATUSES, file, rec, "status", problems)
        for word in split_list(row.passages):
            if word not in PASSAGES:
                problems.append(Problem(file, rec, "passages",
                                        f"unknown passage {word!r}; allowed values: "
                                        + ", ".join(PASSAGES)))
        if split_list(row.passages) and row.mode not in ("sea", "ferry"):
            problems.append(Problem(file, rec, "passages",
                                    f"only sea and ferry links pass sea passages ({row.mode} link)"))
        for word in split_list(row.cargo_units):
            if word not in CARGO_UNIT_WORDS:
                problems.append(Problem(file, rec, "cargo_units",
                                        f"unknown cargo unit {word!r}; allowed values: "
                                        + ", ".join(CARGO_UNIT_WORDS) + " (empty: all)"))
        for fld in ("from_id", "to_id"):
            pid = getattr(row, fld)
            if pid is not None and pid not in known:
                close = difflib.get_close_matches(pid, place_ids, n=3)
                hint = f"; closest place ids: {', '.join(close)}" if close else ""
                problems.append(Problem(file, rec, fld, f"unknown place {pid!r}{hint}"))
        if row.from_id is not None and row.from_id == row.to_id:
            problems.append(Problem(file, rec, "to_id", "a link cannot start and end at one place"))
        # gauges
        try:
            gauges = parse_gauges(row.gauge_mm)
        except ValueError:
            gauges = frozenset()
            problems.append(Problem(file, rec, "gauge_mm",
                                    f"{row.gauge_mm!r} is not a gauge; use whole mm, several "
                                    "separated by '|' (e.g. 1435|1520)"))
        else:
            if row.mode == "rail" and not gauges:
                problems.append(Problem(file, rec, "gauge_mm",
                                        "rail links need a gauge in mm; allowed values: "
                                        + ", ".join(map(str, GAUGES_MM))))
            bad = sorted(g for g in gauges if g not in GAUGES_MM)
            if bad:
                problems.append(Problem(file, rec, "gauge_mm",
                                        f"unknown gauge {bad}; allowed values: "
                                        + ", ".join(map(str, GAUGES_MM))))
            if row.mode in ("road", "sea", "ferry") and gauges:
                problems.append(Problem(file, rec, "gauge_mm",
                                        f"only rail links have a gauge ({row.mode} link has {row.gauge_mm!r})"))
        # numbers
        for fld in ("distance_km", "speed_kmh", "time_h", "headway_h"):
            v = getattr(row, fld)
            if v is not None and not math.isnan(v) and v <= 0:
                problems.append(Problem(file, rec, fld, f"must be positive, got {v!r}"))
        if row.usd_per_teu_km is not None and not math.isnan(row.usd_per_teu_km) and row.usd_per_teu_km < 0:
            problems.append(Problem(file, rec, "usd_per_teu_km", "must not be negative"))
        if row.year is not None and row.year is not pd.NA and not (1800 <= int(row.year) <= 2100):
            problems.append(Problem(file, rec, "year", f"{row.year} is not a plausible year"))
        if row.status in ("planned", "under_construction") and (row.year is None or row.year is pd.NA):
            problems.append(Problem(file, rec, "year",
                                    f"a {row.status} link needs the year it is expected to open "
                                    "(mark it confidence 'assumed' if no source gives one)"))
        if row.kind == "border" and row.from_id in country and row.to_id in country:
            if country[row.from_id] is not None and country[row.from_id] == country[row.to_id]:
                problems.append(Problem(file, rec, "kind",
                                        f"a border link must join two countries; both ends are in "
                                        f"{country[row.from_id]}"))
        # geometry (distances precomputed for all links at once)
        geom_type = geo["type"][i]
        if geom_type is None:
            problems.append(Problem(file, rec, "geometry", "missing geometry; a LineString is required"))
        elif geom_type != "LineString":
            problems.append(Problem(file, rec, "geometry",
                                    f"{geom_type} found; links must be LineStrings "
                                    "(merge parts with shapely.line_merge)"))
        elif geo["ends_known"][i]:
            d_start, d_end = geo["d_start"][i], geo["d_end"][i]
            if d_start > ENDPOINT_TOLERANCE_KM or d_end > ENDPOINT_TOLERANCE_KM:
                if geo["rev_start"][i] <= ENDPOINT_TOLERANCE_KM and \
                        geo["rev_end"][i] <= ENDPOINT_TOLERANCE_KM:
                    msg = (f"geometry runs from {row.to_id!r} to {row.from_id!r}; reverse it "
                           "(shapely.reverse) or swap from_id and to_id")
                else:
                    msg = (f"geometry ends lie {d_start:.1f} km and {d_end:.1f} km from places "
                           f"{row.from_id!r} and {row.to_id!r} (at most "
                           f"{ENDPOINT_TOLERANCE_KM:g} km allowed)")
                problems.append(Problem(file, rec, "geometry", msg))
        if geo["ends_known"][i] and row.distance_km is not None \
                and not math.isnan(row.distance_km) and row.distance_km > 0:
            gc = geo["gc"][i]
            if row.distance_km < gc * (1 - DISTANCE_TOLERANCE):
                problems.append(Problem(file, rec, "distance_km",
                                        f"{row.distance_km:g} km is shorter than the great-circle "
                                        f"distance between its places ({gc:.1f} km); distances are "
                                        "along the real alignment, or a place is misplaced"))
    _check_source(links, names, file, sources, problems)


def _link_geometry_checks(links: gpd.GeoDataFrame,
                          xy: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """Vectorised distances for the link checks: great circle between the places, and from
    each geometry end to its place (and to the other place, to detect reversed lines)."""
    n = len(links)
    geoms = np.asarray(links.geometry.to_numpy(), dtype=object)
    types: list[str | None] = [None if g is None or g.is_empty else g.geom_type for g in geoms]
    nan = (np.nan, np.nan)
    a = np.array([xy.get(p, nan) if p is not None else nan for p in links["from_id"]], dtype=float)
    b = np.array([xy.get(p, nan) if p is not None else nan for p in links["to_id"]], dtype=float)
    a = a.reshape(n, 2)
    b = b.reshape(n, 2)
    ends_known = ~(np.isnan(a).any(axis=1) | np.isnan(b).any(axis=1))
    is_line = np.array([t == "LineString" for t in types], dtype=bool)
    first = np.full((n, 2), np.nan)
    last = np.full((n, 2), np.nan)
    if is_line.any():
        lines = geoms[is_line]
        p0 = shapely.get_point(lines, 0)
        p1 = shapely.get_point(lines, -1)
        first[is_line] = np.column_stack([shapely.get_x(p0), shapely.get_y(p0)])
        last[is_line] = np.column_stack([shapely.get_x(p1), shapely.get_y(p1)])

    def dist(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        ok = ~(np.isnan(u).any(axis=1) | np.isnan(v).any(axis=1))
        out = np.full(n, np.nan)
        if ok.any():
            out[ok] = geodesic_km(u[ok, 0], u[ok, 1], v[ok, 0], v[ok, 1])
        return out

    return {"type": types, "ends_known": ends_known, "gc": dist(a, b),
            "d_start": dist(first, a), "d_end": dist(last, b),
            "rev_start": dist(first, b), "rev_end": dist(last, a)}


def validate_table(name: str, table: pd.DataFrame, file: str, places: pd.DataFrame,
                   links: pd.DataFrame, sources: Mapping[str, str] | None,
                   problems: list[Problem]) -> None:
    """Append the problems of a (coerced) parameter table to ``problems``."""
    key = TABLE_KEYS[name]
    names = _record_ids(table, key)
    seen: dict[tuple[Any, ...], int] = {}
    for i, rec in enumerate(names):
        k = tuple(table[c].iloc[i] for c in key)
        if name == "operations" and k[0] == "*" and table["kind"].iloc[i] != "terminal":
            # default rows ('*', '*', '*') are one per transfer kind (docs/data-format.md)
            k = (*k, table["kind"].iloc[i])
        if all(v is not None for v in k):
            if k in seen:
                problems.append(Problem(file, rec, ",".join(key),
                                        f"duplicate key {k} (also row {seen[k] + 1})"))
            else:
                seen[k] = i
    place_ids = set(places["id"].dropna().tolist())
    link_rows = {lid: i for i, lid in enumerate(links["id"].tolist()) if lid is not None}
    countries = set(places["country"].dropna().tolist())
    for spec in TABLE_FIELDS[name]:
        if spec.type != "float":
            continue
        for rec, v in zip(names, table[spec.name].tolist()):
            if v is not None and not math.isnan(v) and v < 0:
                problems.append(Problem(file, rec, spec.name, f"must not be negative, got {v!r}"))
    for i, rec in enumerate(names):
        row = table.iloc[i]
        if name in ("tariffs", "speeds"):
            _enum(row["mode"], MODES, file, rec, "mode", problems)
            c = row["country"]
            if c is not None and c != "*" and not _ISO3_RE.match(c):
                problems.append(Problem(file, rec, "country", f"{c!r} is not an ISO3 code or '*'"))
            if name == "speeds" and row["speed_kmh"] is not None and row["speed_kmh"] == 0:
                problems.append(Problem(file, rec, "speed_kmh", "must be positive"))
            if name == "tariffs" and all(
                    _missing(row[c]) for c in ("usd_per_teu_km", "usd_per_feu_km", "usd_per_tonne_km")):
                problems.append(Problem(file, rec, "usd_per_teu_km",
                                        "a tariff row needs at least one of usd_per_teu_km, "
                                        "usd_per_feu_km, usd_per_tonne_km"))
        elif name == "crossings":
            _enum(row["direction"], DIRECTIONS, file, rec, "direction", problems)
            lid = row["link_id"]
            if lid is not None:
                if lid not in link_rows:
                    close = difflib.get_close_matches(lid, list(link_rows), n=3)
                    hint = f"; closest link ids: {', '.join(close)}" if close else ""
                    problems.append(Problem(file, rec, "link_id", f"unknown link {lid!r}{hint}"))
                elif links["kind"].iloc[link_rows[lid]] != "border":
                    problems.append(Problem(file, rec, "link_id",
                                            f"link {lid!r} is not a border link (kind='border')"))
            p50, p90 = row["dwell_median_h"], row["dwell_p90_h"]
            if not _missing(p50) and not _missing(p90) and p90 < p50:
                problems.append(Problem(file, rec, "dwell_p90_h",
                                        f"90th percentile {p90} h is below the median {p50} h"))
        elif name == "operations":
            _enum(row["kind"], OPERATION_KINDS, file, rec, "kind", problems)
            pid = row["place_id"]
            if pid is not None and pid != "*" and pid not in place_ids:
                problems.append(Problem(file, rec, "place_id", f"unknown place {pid!r}"))
            for fld in ("from_service", "to_service"):
                s = row[fld]
                if s is None:
                    continue
                if row["kind"] == "terminal":
                    ok = (s == "terminal") if fld == "to_service" else (
                        s in MODES or _valid_service(s) or (pid != "*" and s == "*"))
                    if not ok:
                        problems.append(Problem(
                            file, rec, fld,
                            "terminal rows give the mode or service loaded or unloaded in "
                            "from_service (rail, road, sea, ferry or rail-<gauge mm>) and "
                            f"'terminal' in to_service, got {s!r}"))
                elif pid == "*":
                    if s != "*":
                        problems.append(Problem(file, rec, fld,
                                                "default rows (place_id '*') use '*' for services"))
                elif not _valid_service(s):
                    problems.append(Problem(file, rec, fld,
                                            f"{s!r} is not a service; allowed: rail-<gauge mm> "
                                            "(e.g. rail-1435), road, sea, ferry"))
            p50, p90 = row["time_median_h"], row["time_p90_h"]
            if not _missing(p50) and not _missing(p90) and p90 < p50:
                problems.append(Problem(file, rec, "time_p90_h",
                                        f"90th percentile {p90} h is below the median {p50} h"))
        elif name == "risk":
            _enum(row["scope"], RISK_SCOPES, file, rec, "scope", problems)
            ref = row["ref"]
            if ref is not None:
                if row["scope"] == "place" and ref not in place_ids:
                    problems.append(Problem(file, rec, "ref", f"unknown place {ref!r}"))
                elif row["scope"] == "link" and ref not in link_rows:
                    problems.append(Problem(file, rec, "ref", f"unknown link {ref!r}"))
                elif row["scope"] == "passage" and ref not in PASSAGES:
                    problems.append(Problem(file, rec, "ref", f"unknown passage {ref!r}; "
                                            "allowed values: " + ", ".join(PASSAGES)))
                elif row["scope"] == "country" and not _ISO3_RE.match(ref):
                    problems.append(Problem(file, rec, "ref", f"{ref!r} is not an ISO3 code"))
            p = row["disruption_prob_per_trip"]
            if not _missing(p) and p > 1:
                problems.append(Problem(file, rec, "disruption_prob_per_trip",
                                        f"a probability is at most 1, got {p}"))
    if name == "crossings":
        _check_crossings_complete(table, links, file, problems)
    _check_source(table, names, file, sources, problems)
    del countries


def _valid_service(s: str) -> bool:
    if s in ("road", "sea", "ferry"):
        return True
    m = re.fullmatch(r"rail-(\d+)", s)
    return m is not None and int(m.group(1)) in GAUGES_MM


def _check_crossings_complete(table: pd.DataFrame, links: pd.DataFrame, file: str,
                              problems: list[Problem]) -> None:
    have = set(zip(table["link_id"].tolist(), table["direction"].tolist()))
    for lid, kind, oneway in zip(links["id"].tolist(), links["kind"].tolist(),
                                 links["oneway"].tolist()):
        if kind != "border" or lid is None:
            continue
        needed = ("forward",) if oneway else DIRECTIONS
        for d in needed:
            if (lid, d) not in have:
                problems.append(Problem(file, f"link {lid!r}", "direction",
                                        f"border link has no crossing row for direction {d!r} "
                                        "(dwell and fee are needed for each direction)"))


def validate_corridors(corridors: Any, file: str, place_ids: set[str],
                       problems: list[Problem]) -> None:
    """Append the problems of a ``corridors.toml`` list to ``problems``."""
    if not isinstance(corridors, list):
        problems.append(Problem(file, "(file)", "corridor",
                                "expected [[corridor]] tables (an array of tables)"))
        return
    for i, c in enumerate(corridors):
        rec = f"corridor {c.get('name', i + 1)!r}" if isinstance(c, dict) else f"corridor {i + 1}"
        if not isinstance(c, dict):
            problems.append(Problem(file, rec, "", "expected a table"))
            continue
        if not isinstance(c.get("name"), str):
            problems.append(Problem(file, rec, "name", "a corridor needs a name"))
        stops = c.get("places")
        if not isinstance(stops, list) or len(stops) < 2:
            problems.append(Problem(file, rec, "places", "a list of at least two place ids"))
        else:
            for pid in stops:
                if pid not in place_ids:
                    close = difflib.get_close_matches(str(pid), sorted(place_ids), n=3)
                    hint = f"; closest place ids: {', '.join(close)}" if close else ""
                    problems.append(Problem(file, rec, "places", f"unknown place {pid!r}{hint}"))
        for m in c.get("modes", []) or []:
            if m not in MODES:
                problems.append(Problem(file, rec, "modes",
                                        f"{m!r} is not allowed; allowed values: {', '.join(MODES)}"))
        y = c.get("year")
        if y is not None and not (isinstance(y, int) and 1800 <= y <= 2100):
            problems.append(Problem(file, rec, "year", f"{y!r} is not a year"))


def prepare_frames(
    places: gpd.GeoDataFrame,
    links: gpd.GeoDataFrame,
    tables: Mapping[str, pd.DataFrame | None] | None = None,
    *,
    sources: Mapping[str, str] | None = None,
    files: Mapping[str, str] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict[str, pd.DataFrame], list[Problem]]:
    """Coerce and validate the frames of a network; return them with the list of problems."""
    files = dict(files or {})
    problems: list[Problem] = []
    fp = files.get("places", "places")
    fl = files.get("links", "links")
    for gdf, f in ((places, fp), (links, fl)):
        if not isinstance(gdf, gpd.GeoDataFrame):
            raise ValidationError([Problem(f, "(all records)", "geometry",
                                           f"expected a GeoDataFrame, got {type(gdf).__name__}")])
    crs_problems: list[Problem] = []
    _check_crs(places, fp, crs_problems)
    _check_crs(links, fl, crs_problems)
    if crs_problems:
        raise CrsError(crs_problems)
    p = gpd.GeoDataFrame(coerce_frame(places, PLACE_FIELDS, fp, problems, key="id"),
                         geometry=places.geometry.to_numpy(), crs=places.crs)
    l_ = gpd.GeoDataFrame(coerce_frame(links, LINK_FIELDS, fl, problems, key="id"),
                          geometry=links.geometry.to_numpy(), crs=links.crs)
    validate_places(p, fp, sources, problems)
    validate_links(l_, p, fl, sources, problems)
    out_tables: dict[str, pd.DataFrame] = {}
    for name, table in (tables or {}).items():
        if table is None:
            continue
        if name not in TABLE_FIELDS:
            raise ValueError(f"unknown table {name!r}; allowed: {', '.join(TABLE_NAMES)}")
        f = files.get(name, name)
        t = coerce_frame(table, TABLE_FIELDS[name], f, problems, key=TABLE_KEYS[name])
        validate_table(name, t, f, p, l_, sources, problems)
        out_tables[name] = t.reset_index(drop=True)
    p.index = pd.Index(p["id"].tolist())
    l_.index = pd.Index(l_["id"].tolist())
    return p, l_, out_tables, problems


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
    """

    def __init__(self, places: gpd.GeoDataFrame, links: gpd.GeoDataFrame,
                 tables: Mapping[str, pd.DataFrame] | None = None, *,
                 meta: Mapping[str, Any] | None = None, sources: Mapping[str, str] | None = None,
                 origin: str = "<memory>") -> None:
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
        tariffs, speeds, crossings, operations, risk : pandas.DataFrame, optional
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
        tables = {"tariffs": tariffs, "speeds": speeds, "crossings": crossings,
                  "operations": operations, "risk": risk}
        p, l_, t, problems = prepare_frames(places, links, tables, sources=sources, files=files)
        if problems:
            raise ValidationError(problems, header=f"{len(problems)} problem"
                                  f"{'s' if len(problems) != 1 else ''} found in {origin}")
        return cls(p, l_, t, meta=meta, sources=sources, origin=origin)

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

    def replace(self, *, places: gpd.GeoDataFrame | None = None,
                links: gpd.GeoDataFrame | None = None, **tables: pd.DataFrame | None) -> Network:
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
        from .errors import ParameterError

        bad = sorted(set(tables) - set(TABLE_NAMES))
        if bad:
            raise ParameterError(f"unknown table {bad[0]!r}; allowed: {', '.join(TABLE_NAMES)}")
        new_tables: dict[str, pd.DataFrame | None] = {k: v.copy() for k, v in
                                                      self._tables.items()}
        for k, v in tables.items():
            new_tables[k] = None if v is None else v.copy()
        return Network.from_geodataframes(
            self._places.copy() if places is None else places.copy(),
            self._links.copy() if links is None else links.copy(),
            tariffs=new_tables.get("tariffs"), speeds=new_tables.get("speeds"),
            crossings=new_tables.get("crossings"), operations=new_tables.get("operations"),
            risk=new_tables.get("risk"), meta=self.meta, sources=self.sources or None,
            origin=self.origin)

    @property
    def fingerprint(self) -> str:
        """A hash of everything the network holds (frames, tables, metadata): equal networks
        have equal fingerprints; any change of data changes it. Use it as a cache key."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            frames: list[tuple[str, pd.DataFrame]] = [("places", self._places),
                                                      ("links", self._links)]
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
        return (f"<Network {self.name!r}: {len(self._places)} places, {len(self._links)} links, "
                f"{km:,.0f} km>")

    def copy(self) -> Network:
        """A deep copy (frames and tables copied)."""
        return Network(self._places.copy(), self._links.copy(),
                       {k: v.copy() for k, v in self._tables.items()},
                       meta=dict(self.meta), sources=dict(self.sources), origin=self.origin)

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
        return Place(id=pid, name=row["name"], country=row["country"], kind=row["kind"],
                     lon=float(geom.x), lat=float(geom.y), aliases=aliases,
                     source=row["source"], confidence=row["confidence"], notes=row["notes"])

    def place_id(self, query: str) -> str:
        """Id of the place named ``query`` (id, name or alias; case and diacritics ignored)."""
        if not isinstance(query, str) or not query.strip():
            raise UnknownPlaceError(str(query), [], message=f"a place must be a non-empty name "
                                    f"or id, got {query!r}")
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
            for pid, name, aliases in zip(self._places["id"], self._places["name"],
                                          self._places["aliases"]):
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
            id=link_id, from_id=r["from_id"], to_id=r["to_id"], mode=r["mode"], kind=r["kind"],
            distance_km=float(r["distance_km"]), status=r["status"],
            gauge_mm=parse_gauges(r["gauge_mm"]),
            year=None if _missing(r["year"]) else int(r["year"]),
            speed_kmh=_opt_float(r["speed_kmh"]), time_h=_opt_float(r["time_h"]),
            usd_per_teu_km=_opt_float(r["usd_per_teu_km"]), headway_h=_opt_float(r["headway_h"]),
            oneway=bool(r["oneway"]), passages=tuple(split_list(r["passages"])),
            cargo_units=tuple(split_list(r["cargo_units"])), source=r["source"], confidence=r["confidence"],
            notes=r["notes"])

    # ---- graph and selection ---------------------------------------------------------------

    @property
    def graph(self) -> nx.MultiDiGraph:
        """networkx MultiDiGraph of every link (all statuses): nodes are place ids, edges are
        keyed by link id with attributes ``link``, ``direction``, ``mode``, ``distance_km``,
        ``status``, ``year``."""
        if self._graph is None:
            g = nx.MultiDiGraph(name=self.name)
            for pid, name, country, kind in zip(self._places["id"], self._places["name"],
                                                self._places["country"], self._places["kind"]):
                g.add_node(pid, name=name, country=country, kind=kind)
            for lid, a, b, mode, km, status, year, oneway in zip(
                    self._links["id"], self._links["from_id"], self._links["to_id"],
                    self._links["mode"], self._links["distance_km"], self._links["status"],
                    self._links["year"], self._links["oneway"]):
                attrs = dict(link=lid, mode=mode, distance_km=float(km), status=status,
                             year=None if _missing(year) else int(year))
                g.add_edge(a, b, key=lid, direction="forward", **attrs)
                if not oneway:
                    g.add_edge(b, a, key=lid, direction="reverse", **attrs)
            self._graph = g
        return self._graph

    def usable(self, year: int | None = None) -> np.ndarray:
        """Boolean array over ``links``: which links can carry traffic in ``year``.

        See :func:`link_is_usable` for the rule.
        """
        return np.array([link_is_usable(s, y, year)
                         for s, y in zip(self._links["status"], self._links["year"])], dtype=bool)

    def select(self, *, year: int | None = None) -> Network:
        """A network with only the links usable in ``year`` (all places kept)."""
        mask = self.usable(year)
        net = Network(self._places, self._links.loc[mask].copy(), self._tables, meta=self.meta,
                      sources=self.sources, origin=self.origin)
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
        g = nx.Graph()
        g.add_nodes_from(self._places.index)
        for a, b, mode, status, y in zip(self._links["from_id"], self._links["to_id"],
                                         self._links["mode"], self._links["status"],
                                         self._links["year"]):
            if mode in modes and link_is_usable(status, y, year):
                g.add_edge(a, b)
        stops = list(corridor.get("places", []))
        gaps = [(a, b) for a, b in zip(stops, stops[1:])
                if a not in g or b not in g or not nx.has_path(g, a, b)]
        return {"name": corridor.get("name"), "connected": not gaps, "gaps": gaps,
                "year": year, "modes": sorted(modes)}

    def info(self) -> dict[str, Any]:
        """Counts and lengths: places by country and kind, links and km by mode, status,
        country and kind, total km."""
        links = self._links
        ctry = self._places["country"].to_dict()
        link_country = [
            ctry.get(a) if ctry.get(a) == ctry.get(b) else "border"
            if k == "border" else f"{ctry.get(a)}-{ctry.get(b)}"
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
            "places_by_country": {str(k): int(v) for k, v in
                                  sorted(self._places["country"].value_counts().items())},
            "places_by_kind": {str(k): int(v) for k, v in
                               sorted(self._places["kind"].value_counts().items())},
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

