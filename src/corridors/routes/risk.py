"""TODO docstring (risk)"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .._json import json_safe
from ..costs.cargo import Cargo
from ..costs.risk import RiskRow, _Policy, _policy, risk_rows
from ..model.network import Network
from ..units import HOURS_PER_DAY
from .route import Route

__all__ = ["RouteRisk", "route_risk", "rows_for_route"]


# --------------------------------------------------------------------------------------------
# Route risk
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRisk:
    """The risk terms of one route, per trip, in hours and USD.

    Attributes
    ----------
    components : tuple of dict
        One dict per term: ``what`` (``disruption``, ``security``, ``sanctions``), ``scope``,
        ``ref``, ``probability`` (disruptions), ``median_days``, ``p90_days``,
        ``duration_days`` (the mean duration of a disruption), ``delay_h`` (expected),
        ``regime`` and ``policy`` (sanctions), ``usd``, ``source``, ``confidence``.
    expected_delay_h : float
        Sum of p x mean duration / 2 over the disruption rows, hours (the rest of a
        disruption under way).
    expected_delay_cost_usd : float
        ``expected_delay_h`` x the cargo's time value (holding cost + value of time), USD.
    security_usd, sanctions_usd : float
        Security premium and sanctions surcharge, USD.
    risk_usd : float
        ``expected_delay_cost_usd + security_usd + sanctions_usd``; equals the sum of the
        components' ``usd``.
    score : float
        ``1000 x risk_usd / cargo value``: risk in per mille of the cargo value (NaN for
        cargo of no value).
    p_disruption : float
        Probability of at least one disruption on the trip, ``1 - prod(1 - p_r)`` (rows
        independent).
    regimes : tuple of str
        Sanctions regimes the route touches (union, sorted), whatever the policy.
    avoided : tuple of str
        Regimes touched whose policy is ``avoid``; ``compliant`` is False when any.
    """

    components: tuple[dict[str, Any], ...]
    expected_delay_h: float
    expected_delay_cost_usd: float
    security_usd: float
    sanctions_usd: float
    risk_usd: float
    score: float
    p_disruption: float
    regimes: tuple[str, ...]
    avoided: tuple[str, ...]
    cargo_value_usd: float
    time_value_usd_per_h: float
    policies: dict[str, str] = field(default_factory=dict)

    @property
    def compliant(self) -> bool:
        """False when the route touches a regime whose policy is ``avoid``."""
        return not self.avoided

    @property
    def disruptions(self) -> list[dict[str, Any]]:
        """The disruption components (what simulate draws)."""
        return [c for c in self.components if c["what"] == "disruption"]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: totals, score, regimes, compliance and components (NaN -> None)."""
        out: dict[str, Any] = {
            "expected_delay_h": self.expected_delay_h,
            "expected_delay_days": self.expected_delay_h / HOURS_PER_DAY,
            "expected_delay_cost_usd": self.expected_delay_cost_usd,
            "security_usd": self.security_usd,
            "sanctions_usd": self.sanctions_usd,
            "risk_usd": self.risk_usd,
            "score": self.score,
            "score_unit": "per mille of cargo value",
            "p_disruption": self.p_disruption,
            "regimes": list(self.regimes),
            "avoided": list(self.avoided),
            "compliant": self.compliant,
            "policies": dict(self.policies),
            "cargo_value_usd": self.cargo_value_usd,
            "time_value_usd_per_h": self.time_value_usd_per_h,
            "components": [dict(c) for c in self.components],
        }
        return json_safe(out)


def route_risk(
    net: Network,
    route: Route,
    *,
    cargo: Cargo | None = None,
    sanctions: str | Mapping[str, str] = "ignore",
    surcharge_pct: float | Mapping[str, float] | None = None,
) -> RouteRisk:
    """Risk terms of a route per trip: expected disruption delay and its cost, security
    premium and sanctions exposure, in hours and USD (formulas in the module docstring).

    Parameters
    ----------
    net : Network
        The network the route was found on (its ``risk`` table; no table means no risk).
    route : Route
    cargo : Cargo, optional
        Default: the cargo of the route's query.
    sanctions : str or dict, default "ignore"
        Policy for every regime (``ignore``, ``surcharge``, ``avoid``), or a dict regime ->
        policy (key ``"*"`` for the others, default ``ignore``).
    surcharge_pct : float or dict, optional
        Percent of cargo value charged per regime exposure under ``surcharge``; a dict by
        regime (key ``"*"`` for the others). Default :data:`SANCTIONS_SURCHARGE_PCT`
        (assumed).

    Returns
    -------
    RouteRisk

    Raises
    ------
    ParameterError
        For invalid risk rows (every bad row named), an unknown policy or a surcharge
        outside [0, 100].

    Examples
    --------
    >>> import math
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> risk = cor.route_risk(net, cor.route(net, "Karachi", "Tashkent"))
    >>> math.isclose(
    ...     risk.risk_usd, risk.security_usd + risk.sanctions_usd + risk.expected_delay_cost_usd
    ... )
    True
    """
    cargo = cargo if cargo is not None else route.query.cargo
    pol = _policy(sanctions, surcharge_pct)
    rows = rows_for_route(risk_rows(net), route)
    value = float(cargo.value_usd)
    tv = float(cargo.time_value_usd_per_h)
    comps: list[dict[str, Any]] = []
    regimes: set[str] = set()
    avoided: set[str] = set()
    no_disruption = 1.0
    for r in rows:
        comps += _row_components(r, pol, value, tv, regimes, avoided)
        if r.has_disruption:
            no_disruption *= 1.0 - r.prob
    delay_h = math.fsum(c["delay_h"] for c in comps)
    delay_usd = math.fsum(c["usd"] for c in comps if c["what"] == "disruption")
    sec = math.fsum(c["usd"] for c in comps if c["what"] == "security")
    sanc = math.fsum(c["usd"] for c in comps if c["what"] == "sanctions")
    total = math.fsum(c["usd"] for c in comps)
    score = 1000.0 * total / value if value > 0 else math.nan
    return RouteRisk(
        components=tuple(comps),
        expected_delay_h=delay_h,
        expected_delay_cost_usd=delay_usd,
        security_usd=sec,
        sanctions_usd=sanc,
        risk_usd=total,
        score=score,
        p_disruption=1.0 - no_disruption,
        regimes=tuple(sorted(regimes)),
        avoided=tuple(sorted(avoided)),
        cargo_value_usd=value,
        time_value_usd_per_h=tv,
        policies={"*": "ignore", **pol.by_key},
    )


def _row_components(
    r: RiskRow,
    pol: _Policy,
    value: float,
    tv: float,
    regimes: set[str],
    avoided: set[str],
) -> list[dict[str, Any]]:
    """The components of one risk row (disruption, security, one per sanctions regime) for
    cargo worth ``value`` USD at ``tv`` USD per hour; the row's regimes are added to
    ``regimes``, those the policy avoids to ``avoided``."""
    comps: list[dict[str, Any]] = []
    base = {
        "scope": r.scope,
        "ref": r.ref,
        "source": r.source,
        "confidence": r.confidence,
        "as_of": r.as_of,
    }
    if r.has_disruption:
        delay = r.expected_delay_h
        comps.append(
            {
                "what": "disruption",
                **base,
                "probability": r.prob,
                "median_days": r.median_days,
                "p90_days": r.p90_days,
                "sigma": r.sigma,
                "duration_days": r.mean_days,
                "delay_h": delay,
                "usd": delay * tv,
            }
        )
    if r.security_pct > 0:
        comps.append(
            {
                "what": "security",
                **base,
                "pct": r.security_pct,
                "delay_h": 0.0,
                "usd": r.security_pct / 100.0 * value,
            }
        )
    charged = pol.charged(r)
    for g in r.sanctions:
        regimes.add(g)
        policy = pol.policy(g, r.target)
        if policy == "avoid":
            avoided.add(g)
        # no stacking: only the largest surcharge of the row is charged
        pct = pol.pct(g) if g == charged else 0.0
        comps.append(
            {
                "what": "sanctions",
                **base,
                "regime": g,
                "target": r.target,
                "policy": policy,
                "pct": pct,
                "delay_h": 0.0,
                "usd": pct / 100.0 * value,
            }
        )
    return comps


def rows_for_route(rows: Mapping[tuple[str, str], RiskRow], route: Route) -> list[RiskRow]:
    """The risk rows that apply to a route, each once, in the order the route meets them."""
    out: dict[tuple[str, str], RiskRow] = {}

    def add(scope: str, ref: str | None) -> None:
        if ref is None:
            return
        key = (scope, ref)
        if key in rows and key not in out:
            out[key] = rows[key]

    for leg in route.steps:
        for c in _leg_countries(leg.country):
            add("country", c)
        add("place", leg.from_id)
        add("place", leg.to_id)
        add("link", leg.link_id)
        for ps in leg.passages:
            add("passage", ps)
    return list(out.values())


def _leg_countries(country: str | None) -> list[str]:
    if not country:
        return []
    return [c for c in str(country).split("-") if c and c != "*"]
