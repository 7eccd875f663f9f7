"""CO2e of legs and routes from default intensity factors (g CO2e per tonne-km).

``co2e_kg = distance_km x tonnes x g_co2e_per_tkm / 1000`` for every leg that moves the
cargo (links and border links); transfers and terminals emit nothing here, because no
per-tonne hub factor has been sourced yet (GLEC gives hub defaults; add them when they are).
``tonnes`` is the cargo's mass plus, for containers and unless ``include_tare=False``, the
container's tare (:data:`CONTAINER_TARE_TONNES`, assumed typical values).

The factors live in ``corridors/data/emission_factors.csv`` (mode, subtype, value, basis,
source with URL and year, confidence); :func:`emission_factors` reads it, and every function
takes a ``factors`` frame of the same shape to override it. Which subtype a mode uses is set by
``subtypes`` (default :data:`DEFAULT_SUBTYPES`: diesel rail, the region's usual traction).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .costs import Cargo
from .errors import ParameterError
from .routing import Leg, Route

__all__ = ["emission_factors", "leg_co2e_kg", "route_co2e_kg", "co2e_frame",
           "cargo_tonnes", "CONTAINER_TARE_TONNES", "DEFAULT_SUBTYPES", "FACTOR_COLUMNS"]

CONTAINER_TARE_TONNES = {"20ft": 2.2, "40ft": 3.8}
"""Empty mass of a standard dry container in tonnes (assumed typical values)."""

DEFAULT_SUBTYPES = {"rail": "diesel", "road": "articulated_34_40t", "sea": "container",
                    "ferry": "ropax"}
"""Factor subtype used for each mode unless ``subtypes`` says otherwise."""

FACTOR_COLUMNS = ("mode", "subtype", "g_co2e_per_tkm", "basis", "source", "url", "year",
                  "confidence", "note")

_FACTORS_FILE = Path(__file__).resolve().parent / "data" / "emission_factors.csv"


@functools.lru_cache(maxsize=1)
def _bundled_factors() -> pd.DataFrame:
    return pd.read_csv(_FACTORS_FILE, dtype={"mode": str, "subtype": str})


def emission_factors() -> pd.DataFrame:
    """The bundled factor table (a copy): columns :data:`FACTOR_COLUMNS`."""
    return _bundled_factors().copy()


def cargo_tonnes(cargo: Cargo, *, include_tare: bool = True) -> float:
    """Mass carried in tonnes: the goods plus the container tare (for 20ft/40ft units)."""
    tare = CONTAINER_TARE_TONNES.get(cargo.unit, 0.0) if include_tare else 0.0
    return float(cargo.tonnes) + tare


def _factor_row(mode: str, subtypes: Mapping[str, str] | None,
                factors: pd.DataFrame | None) -> pd.Series:
    table = _bundled_factors() if factors is None else factors
    chosen = dict(DEFAULT_SUBTYPES)
    if subtypes:
        chosen.update(subtypes)
    sub = chosen.get(mode)
    hits = table[(table["mode"] == mode) & (table["subtype"] == sub)]
    if hits.empty:
        known = ", ".join(f"{m}/{s}" for m, s in zip(table["mode"], table["subtype"]))
        raise ParameterError(f"no emission factor for mode {mode!r} subtype {sub!r}; "
                             f"known: {known}")
    return hits.iloc[0]


def _moves(leg: Leg) -> bool:
    return leg.kind in ("link", "border")


def leg_co2e_kg(leg: Leg, cargo: Cargo, *, subtypes: Mapping[str, str] | None = None,
                factors: pd.DataFrame | None = None, include_tare: bool = True) -> float:
    """CO2e of one leg in kg: ``distance_km x tonnes x g_co2e_per_tkm / 1000``.

    Transfers and terminals give 0.0 (no hub factor yet).

    Raises
    ------
    ParameterError
        When the table has no factor for the leg's mode and subtype.
    """
    if not _moves(leg):
        return 0.0
    row = _factor_row(leg.mode, subtypes, factors)
    g = float(row["g_co2e_per_tkm"])
    return leg.distance_km * cargo_tonnes(cargo, include_tare=include_tare) * g / 1000.0


def route_co2e_kg(route: Route, *, cargo: Cargo | None = None,
                  subtypes: Mapping[str, str] | None = None,
                  factors: pd.DataFrame | None = None, include_tare: bool = True) -> float:
    """CO2e of a route in kg: the sum of its legs (the route's own cargo by default)."""
    c = route.query.cargo if cargo is None else cargo
    return math.fsum(leg_co2e_kg(leg, c, subtypes=subtypes, factors=factors,
                                 include_tare=include_tare) for leg in route.steps)


def co2e_frame(route: Route, *, cargo: Cargo | None = None,
               subtypes: Mapping[str, str] | None = None,
               factors: pd.DataFrame | None = None, include_tare: bool = True) -> pd.DataFrame:
    """One row per leg: the factor used, tonne-km and kg CO2e (with a running total).

    Columns: ``seq``, ``kind``, ``mode``, ``from_name``, ``to_name``, ``distance_km``,
    ``tonnes``, ``tkm``, ``subtype``, ``g_co2e_per_tkm``, ``basis``, ``confidence``,
    ``co2e_kg``, ``cum_co2e_kg``. Legs that do not move the cargo have no factor (NaN) and
    0 kg.
    """
    c = route.query.cargo if cargo is None else cargo
    t = cargo_tonnes(c, include_tare=include_tare)
    rows = []
    for leg in route.steps:
        if _moves(leg):
            f = _factor_row(leg.mode, subtypes, factors)
            g, sub, basis, conf = (float(f["g_co2e_per_tkm"]), f["subtype"], f["basis"],
                                   f["confidence"])
            tkm = leg.distance_km * t
            kg = tkm * g / 1000.0
        else:
            g, sub, basis, conf, tkm, kg = math.nan, None, None, None, 0.0, 0.0
        rows.append({"seq": leg.seq, "kind": leg.kind, "mode": leg.mode,
                     "from_name": leg.from_name, "to_name": leg.to_name,
                     "distance_km": leg.distance_km, "tonnes": t, "tkm": tkm,
                     "subtype": sub, "g_co2e_per_tkm": g, "basis": basis,
                     "confidence": conf, "co2e_kg": kg})
    df = pd.DataFrame(rows)
    df["cum_co2e_kg"] = df["co2e_kg"].cumsum() if len(df) else []
    return df
