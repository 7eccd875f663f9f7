"""TODO docstring (scenarios)"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..costs.risk import SANCTIONS_POLICIES as SANCTIONS_POLICIES
from ..engine.topology import OBJECTIVE_ALIASES, OBJECTIVES
from ..errors import (
    ParameterError,
)
from ..model.schema import LINK_FIELDS, MODES, TABLE_FIELDS

__all__ = [
    "Closure",
    "Multiplier",
    "RiskChange",
    "CLOSURE_KINDS",
    "MULTIPLIER_FACTORS",
    "SANCTIONS_REGIMES",
]

CLOSURE_KINDS = ("link", "place", "crossing", "country", "passage")
"""What a closure may name: a link id, a place, a border crossing (a name both border posts
share, such as ``Torkham``, a border post or a border link id), a country (ISO3) or a sea
passage (``suez``: every sea or ferry link that passes it)."""

MULTIPLIER_FACTORS = ("tariff", "speed", "time", "dwell", "fee", "transfer_cost", "transfer_time")
"""Factors a multiplier may set: ``tariff`` (tariffs.csv rows and links' ``usd_per_teu_km``),
``speed`` (speeds.csv rows and links' ``speed_kmh``; links' ``time_h`` divided by it),
``time`` (running time: speeds divided by it), ``dwell`` (border dwell, median and p90),
``fee`` (border fees), ``transfer_cost`` and ``transfer_time`` (transfers at places: gauge
breaks, port handling, mode changes; not terminal loading and unloading)."""

SANCTIONS_REGIMES = ("US", "EU", "UN", "UK")
"""Regimes named in ``risk.csv`` ``sanctions``; ``*`` in a policy means every regime."""


SCENARIO_KEYS = (
    "name",
    "description",
    "year",
    "month",
    "date",
    "departure",
    "connections",
    "cargo",
    "cargo_value_usd",
    "closures",
    "new_links",
    "multipliers",
    "risk",
    "services",
    "sanctions",
    "od",
    "objectives",
    "k",
)
SIMULATION_KEYS = ("runs", "seed", "deadline_days")
"""Top-level keys of a scenario file that set the comparison's Monte Carlo (see
:func:`simulation_settings`), not a scenario."""
SHARED_KEYS = (
    "title",
    "description",
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
    "scenario",
    *SIMULATION_KEYS,
)
CLOSURE_KEYS = (*CLOSURE_KINDS, "days", "from", "notes")
MULTIPLIER_KEYS = ("mode", "country", *MULTIPLIER_FACTORS)
RISK_VALUE_KEYS = (
    "disruption_prob_per_trip",
    "disruption_median_days",
    "disruption_p90_days",
    "security_premium_pct",
    "sanctions",
    "year",
    "source",
    "confidence",
    "notes",
)
NEW_LINK_KEYS = tuple(f.name for f in LINK_FIELDS) + ("coordinates",)
SERVICE_KEYS = tuple(f.name for f in TABLE_FIELDS["services"])
"""Fields a scenario's ``services`` row may set: those of services.csv (``id`` names the row
to change, or the row to add)."""
OBJECTIVE_WORDS = (*OBJECTIVES, *OBJECTIVE_ALIASES)  # one vocabulary: engine.topology
_CARGO_RE = re.compile(r"^(20ft|40ft|tonne|\d+(\.\d+)?t)$")


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
            raise ParameterError(
                f"unknown closure kind {self.kind!r}; allowed: " + ", ".join(CLOSURE_KINDS)
            )
        if not isinstance(self.ref, str) or not self.ref.strip():
            raise ParameterError(f"a {self.kind} closure needs a non-empty name, got {self.ref!r}")
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
        if self.country is not None and (
            not isinstance(self.country, str) or not _ISO3.match(self.country)
        ):
            raise ParameterError(
                f"country must be an ISO 3166-1 alpha-3 code such as 'IRN', got {self.country!r}"
            )
        if self.country is not None and self.mode in ("sea", "ferry"):
            raise ParameterError(
                f"{self.mode} links have no country (their tables use '*'); "
                "drop country or choose rail or road"
            )
        for name in MULTIPLIER_FACTORS:
            v = getattr(self, name)
            strict = name in ("speed", "time")
            if not _finite(v) or v < 0 or (strict and v == 0):
                raise ParameterError(
                    f"{name} must be a finite number {'>' if strict else '>='}"
                    f" 0 (a factor, 1 = unchanged), got {v!r}"
                )

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
            raise ParameterError(
                f"unknown scope {self.scope!r}; allowed: country, place, link, passage"
            )
        if not isinstance(self.ref, str) or not self.ref:
            raise ParameterError(f"ref must be a non-empty string, got {self.ref!r}")
        for k, v in self.values:
            if k not in RISK_VALUE_KEYS:
                raise ParameterError(
                    f"unknown risk field {k!r}; allowed: " + ", ".join(RISK_VALUE_KEYS)
                )
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


_ISO3 = re.compile(r"^[A-Z]{3}$")
