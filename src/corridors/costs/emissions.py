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
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import ParameterError
from .cargo import Cargo

__all__ = [
    "emission_factors",
    "cargo_tonnes",
    "CONTAINER_TARE_TONNES",
    "DEFAULT_SUBTYPES",
    "FACTOR_COLUMNS",
]

CONTAINER_TARE_TONNES = {"20ft": 2.2, "40ft": 3.8}
"""Empty mass of a standard dry container in tonnes (assumed typical values)."""

DEFAULT_SUBTYPES = {
    "rail": "diesel",
    "road": "articulated_34_40t",
    "sea": "container",
    "ferry": "ropax",
}
"""Factor subtype used for each mode unless ``subtypes`` says otherwise."""

FACTOR_COLUMNS = (
    "mode",
    "subtype",
    "g_co2e_per_tkm",
    "basis",
    "source",
    "url",
    "year",
    "confidence",
    "note",
)

_FACTORS_FILE = Path(__file__).resolve().parent.parent / "data" / "emission_factors.csv"


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


@functools.lru_cache(maxsize=1)
def _bundled_g() -> dict[tuple[str, str], float]:
    """g CO2e per tonne-km of the bundled table by (mode, subtype), first row of each."""
    t = _bundled_factors()
    out: dict[tuple[str, str], float] = {}
    for m, s, g in zip(t["mode"], t["subtype"], t["g_co2e_per_tkm"]):
        out.setdefault((m, s), float(g))
    return out


def _factor_g(mode: str, subtypes: Mapping[str, str] | None, factors: pd.DataFrame | None) -> float:
    """``g_co2e_per_tkm`` of :func:`_factor_row`: a dict lookup for the bundled table (a
    route's CO2e reads it per leg; filtering the frame cost 3 ms a leg)."""
    if factors is None:
        sub = (subtypes or {}).get(mode, DEFAULT_SUBTYPES.get(mode))
        g = _bundled_g().get((mode, sub))  # type: ignore[arg-type]
        if g is not None:
            return g
    return float(_factor_row(mode, subtypes, factors)["g_co2e_per_tkm"])


def _factor_row(
    mode: str, subtypes: Mapping[str, str] | None, factors: pd.DataFrame | None
) -> pd.Series:
    table = _bundled_factors() if factors is None else factors
    chosen = dict(DEFAULT_SUBTYPES)
    if subtypes:
        chosen.update(subtypes)
    sub = chosen.get(mode)
    hits = table[(table["mode"] == mode) & (table["subtype"] == sub)]
    if hits.empty:
        known = ", ".join(f"{m}/{s}" for m, s in zip(table["mode"], table["subtype"]))
        raise ParameterError(
            f"no emission factor for mode {mode!r} subtype {sub!r}; known: {known}"
        )
    return hits.iloc[0]
