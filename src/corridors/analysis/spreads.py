"""Spreads of the time terms that the network's tables give as a single figure: running time
by rail and road, and the late arrival of liner vessels. :func:`corridors.analysis.simulate.simulate`
draws them (see its module docstring); the terms the tables give with a median and a 90th
percentile (border dwell, transfer, port and terminal operations, closures) and the waits for a
departure (uniform over the headway) keep their own figures.

Each parameter carries its source and a confidence, as the data tables do. None was fitted to a
published end-to-end journey: they come from segment-level figures (a national rail section, a
truck driver's day, the liner industry's arrival statistics).

>>> from corridors.analysis.spreads import DEFAULT_SPREADS
>>> round(DEFAULT_SPREADS.rail_running_sigma, 3), DEFAULT_SPREADS.sea_late_share
(0.199, 0.475)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from ..errors import ParameterError

__all__ = ["Spreads", "DEFAULT_SPREADS", "SPREAD_SOURCES", "Z90"]

Z90 = 1.2815515655446004
"""The standard normal 90th percentile: a lognormal with median ``m`` and log-sd ``sigma`` has
P10 ``m exp(-sigma Z90)`` and P90 ``m exp(sigma Z90)``."""


def _sigma_from_p10_p90(p10: float, p90: float) -> float:
    """The log-sd of a lognormal whose P10 and P90 are ``p10`` and ``p90``."""
    return math.log(p90 / p10) / (2.0 * Z90)


@dataclass(frozen=True)
class Spreads:
    """Spread parameters of the terms :func:`~corridors.analysis.simulate.simulate` draws
    around a single figure of the network (all >= 0; zeros make the term deterministic).

    Attributes
    ----------
    rail_running_sigma : float
        Log-sd of a lognormal factor on the rail running time of each national section of a
        route (one draw per country per route: one railway's train, its crossings and meets
        on single track; the factor's median is 1, so the median running time is the
        network's).
    road_running_sigma : float
        Log-sd of a lognormal factor on the road running time of a route (one draw per route:
        the same truck and crew drive the whole way, so their driving day is shared).
    sea_late_share : float
        Probability that a liner voyage arrives late (1 - schedule reliability); one draw per
        voyage (a run of sea links between two port operations).
    sea_late_mean_days : float
        Mean delay of a late arrival in days; a late voyage is delayed by
        ``1 + Exponential(sea_late_mean_days - 1)`` days (late means more than a day behind
        schedule, so the delay starts at one day).
    """

    rail_running_sigma: float = _sigma_from_p10_p90(72.0, 120.0)
    road_running_sigma: float = _sigma_from_p10_p90(12.0, 20.0)
    sea_late_share: float = 0.475
    sea_late_mean_days: float = 5.3

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                raise ParameterError(f"Spreads.{f.name} must be a finite number, got {v!r}")
            if v < 0:
                raise ParameterError(f"Spreads.{f.name} must be >= 0, got {v!r}")
        if self.sea_late_share > 1:
            raise ParameterError(
                f"Spreads.sea_late_share is a probability (0 to 1), got {self.sea_late_share!r}"
            )
        if self.sea_late_share > 0 and self.sea_late_mean_days < 1:
            raise ParameterError(
                "Spreads.sea_late_mean_days must be >= 1 (a late arrival is more than a day "
                f"behind schedule), got {self.sea_late_mean_days!r}"
            )

    def scaled(self, factor: float) -> Spreads:
        """These spreads with both log-sds and the late share times ``factor`` (the share
        capped at 1), for sensitivity runs; ``0`` makes every term deterministic."""
        if not math.isfinite(factor) or factor < 0:
            raise ParameterError(f"factor must be a finite number >= 0, got {factor!r}")
        return replace(
            self,
            rail_running_sigma=self.rail_running_sigma * factor,
            road_running_sigma=self.road_running_sigma * factor,
            sea_late_share=min(1.0, self.sea_late_share * factor),
        )


DEFAULT_SPREADS = Spreads()
"""The spreads :func:`~corridors.analysis.simulate.simulate` uses by default (sources in
:data:`SPREAD_SOURCES`)."""

SPREAD_SOURCES: dict[str, tuple[str, str]] = {
    "rail_running_sigma": (
        "approx",
        "RAI director-general (newscentralasia.net, 2024-02-13): Sarakhs - Bandar Abbas "
        "(about 1,600 km) takes '3-5 days', the figure speeds.csv's IRN rail speed is taken "
        "from (its midpoint, 4 days); the range is read as the P10-P90 of that section's "
        "transit: sigma = ln(5/3) / (2 x 1.2816) = 0.199. Khorasan Railways gave 60-70 h for "
        "the same section in 2022 (Fars, 2022-07-12), inside that range. ASSUMED the same for "
        "the other railways (no trip-level spread of running time was found for RZD, KTZ, "
        "TRW, UTY or PR; CPMM publishes averages only).",
    ),
    "road_running_sigma": (
        "assumed",
        "The road running speed of speeds.csv is SWOD x D / 24 with an assumed driving day "
        "D = 16 h where no survey exists (PAK, AFG); speeds.csv states the range D = 12-20 h. "
        "That range read as the P10-P90 of a truck's driving day gives the running time's "
        "sigma = ln(20/12) / (2 x 1.2816) = 0.199. Cross-check: a survey of 2,200 Iranian "
        "long-haul truck drivers (Sadeghniiat-Haghighi et al., Chinese Journal of "
        "Traumatology 2016) found 9.3 +- 2.5 h of driving a day (coefficient of variation "
        "0.27), a wider spread between drivers than the one used here.",
    ),
    "sea_late_share": (
        "measured",
        "Sea-Intelligence, Global Liner Performance (34 trade lanes, 60+ carriers): global "
        "schedule reliability 'between 50 % and 55 %' through 2024 (GLP 152, Mar 2024: 54.6 %; "
        "GLP 158, Sep 2024: 51.4 %; GLP 160, Nov 2024: 54.8 %); 1 - 0.525 = 0.475 of "
        "arrivals late. An industry-wide figure, not one for the Gulf - South Asia strings.",
    ),
    "sea_late_mean_days": (
        "measured",
        "Sea-Intelligence GLP: average delay of LATE vessel arrivals 5.03 d (Mar 2024), 5.19 d "
        "(Jun 2024), 5.67 d (Sep 2024), 5.41 d (Nov 2024); 5.3 d used. The shape (one day "
        "plus an exponential tail) is ASSUMED: GLP publishes the mean only.",
    ),
}
"""Per parameter of :class:`Spreads`: (confidence, source and rule)."""
