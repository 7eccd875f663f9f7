"""TODO docstring (emissions)"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from ..costs.cargo import Cargo
from ..costs.emissions import _factor_g, _factor_row, cargo_tonnes

if TYPE_CHECKING:  # Route imports this module lazily for its co2e_kg
    from .route import Leg, Route

__all__ = ["leg_co2e_kg", "route_co2e_kg", "co2e_frame"]


def _moves(leg: Leg) -> bool:
    return leg.kind in ("link", "border")


def leg_co2e_kg(
    leg: Leg,
    cargo: Cargo,
    *,
    subtypes: Mapping[str, str] | None = None,
    factors: pd.DataFrame | None = None,
    include_tare: bool = True,
) -> float:
    """CO2e of one leg in kg: ``distance_km x tonnes x g_co2e_per_tkm / 1000``.

    Transfers and terminals give 0.0 (no hub factor yet).

    Raises
    ------
    ParameterError
        When the table has no factor for the leg's mode and subtype.
    """
    if not _moves(leg):
        return 0.0
    g = _factor_g(leg.mode, subtypes, factors)
    return leg.distance_km * cargo_tonnes(cargo, include_tare=include_tare) * g / 1000.0


def route_co2e_kg(
    route: Route,
    *,
    cargo: Cargo | None = None,
    subtypes: Mapping[str, str] | None = None,
    factors: pd.DataFrame | None = None,
    include_tare: bool = True,
) -> float:
    """CO2e of a route in kg: the sum of its legs (the route's own cargo by default)."""
    c = route.query.cargo if cargo is None else cargo
    return math.fsum(
        leg_co2e_kg(leg, c, subtypes=subtypes, factors=factors, include_tare=include_tare)
        for leg in route.steps
    )


def co2e_frame(
    route: Route,
    *,
    cargo: Cargo | None = None,
    subtypes: Mapping[str, str] | None = None,
    factors: pd.DataFrame | None = None,
    include_tare: bool = True,
) -> pd.DataFrame:
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
            g, sub, basis, conf = (
                float(f["g_co2e_per_tkm"]),
                f["subtype"],
                f["basis"],
                f["confidence"],
            )
            tkm = leg.distance_km * t
            kg = tkm * g / 1000.0
        else:
            g, sub, basis, conf, tkm, kg = math.nan, None, None, None, 0.0, 0.0
        rows.append(
            {
                "seq": leg.seq,
                "kind": leg.kind,
                "mode": leg.mode,
                "from_name": leg.from_name,
                "to_name": leg.to_name,
                "distance_km": leg.distance_km,
                "tonnes": t,
                "tkm": tkm,
                "subtype": sub,
                "g_co2e_per_tkm": g,
                "basis": basis,
                "confidence": conf,
                "co2e_kg": kg,
            }
        )
    df = pd.DataFrame(rows)
    df["cum_co2e_kg"] = df["co2e_kg"].cumsum() if len(df) else []
    return df
