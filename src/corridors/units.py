"""Unit conversions. Every conversion factor of the library lives here."""

from __future__ import annotations

__all__ = [
    "KM_PER_NMI",
    "KMH_PER_KNOT",
    "HOURS_PER_DAY",
    "HOURS_PER_YEAR",
    "CPMM_REFERENCE_TONNES",
    "knots_to_kmh",
    "nmi_to_km",
    "hours_to_days",
    "days_to_hours",
]

KM_PER_NMI = 1.852
"""Kilometres per international nautical mile."""

KMH_PER_KNOT = 1.852
"""km/h per knot."""

HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8760.0

CPMM_REFERENCE_TONNES = 20.0
"""Reference load of CAREC CPMM cost indicators (TFI2, TFI3): one 20 t truck or container."""


def knots_to_kmh(knots: float) -> float:
    """Speed in km/h from a speed in knots."""
    return knots * KMH_PER_KNOT


def nmi_to_km(nmi: float) -> float:
    """Distance in km from a distance in nautical miles."""
    return nmi * KM_PER_NMI


def hours_to_days(hours: float) -> float:
    """Duration in days from a duration in hours."""
    return hours / HOURS_PER_DAY


def days_to_hours(days: float) -> float:
    """Duration in hours from a duration in days."""
    return days * HOURS_PER_DAY
