"""Vocabularies and file schemas of a network, and the small pure helpers they need.

This module owns what a network's files may say: the allowed values of the enumerated fields
(:data:`MODES`, :data:`LINK_KINDS`, :data:`PLACE_KINDS`, :data:`STATUSES`, ...), the columns
of each file and their types (:class:`FieldSpec`, :data:`PLACE_FIELDS`, :data:`LINK_FIELDS`,
:data:`TABLE_FIELDS`, :data:`TABLE_KEYS`), the tolerances of the geometric checks, and the
helpers that read single values (:func:`normalize_name`, :func:`parse_gauges`,
:func:`split_list`, :func:`services_of`, :func:`link_is_usable`, :func:`geodesic_km`).
It imports nothing from the rest of the package. The file format is described in
``docs/data-format.md``.

See Also
--------
corridors.model.validation : checks frames against these schemas.
corridors.model.network : the :class:`~corridors.model.network.Network` built from checked frames.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyproj import Geod

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
    "CARGO_UNIT_WORDS",
    "DIRECTIONS",
    "RISK_SCOPES",
    "TABLE_NAMES",
    "DISTANCE_TOLERANCE",
    "ENDPOINT_TOLERANCE_KM",
    "FieldSpec",
    "PLACE_FIELDS",
    "LINK_FIELDS",
    "TABLE_FIELDS",
    "TABLE_KEYS",
    "normalize_name",
    "geodesic_km",
    "parse_gauges",
    "services_of",
    "link_is_usable",
    "split_list",
]

MODES = ("rail", "road", "sea", "ferry")
LINK_KINDS = ("line", "border", "access")
PLACE_KINDS = ("port", "rail_station", "junction", "city", "dry_port", "border_post", "waypoint")
STATUSES = ("operational", "under_construction", "planned", "closed")
CONFIDENCE_LEVELS = ("measured", "derived", "approx", "estimated", "assumed")
GAUGES_MM = (1000, 1067, 1435, 1520, 1524, 1668, 1676)
TRANSFER_KINDS = (
    "transload",
    "bogie_exchange",
    "port_handling",
    "intermodal",
    "ferry_terminal",
    "transshipment",
    "connection",
)
# Rows of operations.csv: transfers between services, and terminal handling (loading at the
# origin, unloading at the destination) by mode.
OPERATION_KINDS = (*TRANSFER_KINDS, "terminal")
# Sea passages a sea or ferry link may pass (links.passages, risk.csv scope 'passage').
PASSAGES = (
    "suez",
    "bab_el_mandeb",
    "hormuz",
    "bosporus",
    "dardanelles",
    "gibraltar",
    "cape_of_good_hope",
    "english_channel",
    "danish_straits",
    "kerch",
    "malacca",
    "volga_caspian_canal",
)
CARGO_UNIT_WORDS = ("20ft", "40ft", "tonne")
DIRECTIONS = ("forward", "reverse")
RISK_SCOPES = ("country", "place", "link", "passage")
TABLE_NAMES = ("tariffs", "speeds", "crossings", "operations", "risk", "services", "link_rules")
# Modes a scheduled service (services.csv) may run on: block trains (rail, with a gauge),
# liner strings (sea) and ferry lines (ferry).
SERVICE_MODES = ("rail", "sea", "ferry")

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
    ("speed_kmh_reverse", "float", False),
    ("time_h", "float", False),
    ("usd_per_teu_km", "float", False),
    ("headway_h", "float", False),
    ("oneway", "bool", False),
    ("passages", "str", False),
    ("cargo_units", "str", False),
    ("closed_months", "str", False),
    ("closed_until", "int", False),
    ("source", "str", True),
    ("confidence", "str", False),
    ("notes", "str", False),
)

_COMMON = (
    ("year", "int", False),
    ("source", "str", True),
    ("confidence", "str", False),
    ("notes", "str", False),
)

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
        ("includes_departure_wait", "bool", False),
        *_COMMON,
    ),
    "services": _fields(
        ("id", "str", True),
        ("operator", "str", False),
        ("mode", "str", True),
        ("gauge_mm", "int", False),  # required for rail, empty for sea and ferry
        ("path", "str", True),
        ("headway_h", "float", True),
        ("speed_kmh", "float", False),
        ("status", "str", True),
        ("until_year", "int", False),  # last year the row applies (a headway by period)
        *_COMMON,
    ),
    "link_rules": _fields(
        ("id", "str", True),
        ("links", "str", True),
        ("mode", "str", True),
        ("open_hours", "str", True),
        ("driving_day_h", "float", False),
        ("valid_from", "str", False),
        ("valid_to", "str", False),
        ("source", "str", True),
        ("confidence", "str", False),
        ("notes", "str", False),
    ),
    "risk": _fields(
        ("scope", "str", True),
        ("ref", "str", True),
        ("disruption_prob_per_trip", "float", False),
        ("disruption_median_days", "float", False),
        ("disruption_p90_days", "float", False),
        ("security_premium_pct", "float", False),
        ("sanctions", "str", False),
        ("as_of", "str", False),
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
    "services": ("id",),
    "link_rules": ("id",),
}


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


# Letters with a diacritic that NFKD does not decompose (Azerbaijani/Turkish dotless i, ...).
_UNDECOMPOSED = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H"}
)


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


def closed_in_month(
    closed_months: Any, closed_until: Any, month: int, year: int | None = None
) -> bool:
    """Whether a link with this seasonal regime is closed in ``month`` (1-12).

    ``closed_months`` is a ``|``-separated list of months (``"12|1|2|3"``); ``closed_until``,
    when given, is the last year the regime applied (a regime that has ended, such as the
    Khunjerab Pass before its year-round opening of December 2024). ``year`` is the query's
    year (None: today, i.e. only regimes still in force).
    """
    months = {int(m) for m in split_list(closed_months)}
    if month not in months:
        return False
    try:
        until = None if closed_until is None or pd.isna(closed_until) else int(closed_until)
    except (TypeError, ValueError):
        until = None
    if until is None:
        return True
    return year is not None and year <= until


TRANSFER_PLACE_KINDS = ("port", "dry_port", "city", "rail_station", "border_post")
