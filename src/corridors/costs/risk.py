"""Risk terms of a route: disruption delay, security premium and sanctions exposure, in money.

The inputs are the rows of the network's ``risk`` table (``risk.csv``, see
``docs/data-format.md``), one per ``(scope, ref)``: ``country`` (ISO3), ``place`` (id),
``link`` (id) or ``passage`` (``suez``, ``hormuz``, ...).

Which rows apply to a route
---------------------------
A leg touches the country rows of the countries it runs in (``leg.country`` split on ``-``;
``*`` is no country), the place rows of ``leg.from_id`` and ``leg.to_id``, the link row of
``leg.link_id`` and the passage rows of ``leg.passages``. A route's rows are the union over its
legs: **each row counts once per route (per trip)**, however many legs touch it, because the
table's figures are per trip (``disruption_prob_per_trip``) or per country crossed (the
security premium).

Formulas
--------
Per trip, for one row r that applies; cargo value V USD, time value c USD/h.
Duration of a disruption: lognormal with median ``m = disruption_median_days`` and 90th
percentile ``q = disruption_p90_days``:

    sigma_r = ln(q / m) / z90,          z90 = Phi^-1(0.9) = 1.28155
    mean_r  = m * exp(sigma_r^2 / 2)    (days; a missing q means a fixed duration m)

    expected delay        d_r = p_r * mean_r / 2 * 24                 [h]
    expected delay cost   D_r = d_r * c,   c = cargo.holding_usd_per_h + value_of_time_usd_per_h
    security premium      S_r = security_premium_pct_r / 100 * V     [USD]
    sanctions surcharge   X_r = sum over regimes g of row r with policy "surcharge" of
                                surcharge_pct_g / 100 * V                [USD]

``p_r`` is the share of days a disruption is under way, so a trip meets one with probability
``p_r``, at a uniformly random moment of it, and waits the rest: half its duration on average
(:mod:`corridors.analysis.simulate` draws the same; the length bias towards long closures is left out,
see there).

Totals: ``expected_delay_h = sum d_r``, ``expected_delay_cost_usd = sum D_r``,
``security_usd = sum S_r``, ``sanctions_usd = sum X_r``,
``risk_usd = expected_delay_cost_usd + security_usd + sanctions_usd`` and the score

    score = 1000 * risk_usd / V          (per mille of the cargo value; NaN when V = 0)

Sanctions are keyed by issuer and target. A regime listed in a row's ``sanctions`` (``US``,
``EU``, ...) is an issuer; the row's target is its country (a country row's ``ref``, the
country of a place row's place or of a link row's from-place; passages have none). A policy
is a mapping whose keys are ``"*"`` (everything), an issuer (``"US"``, same as ``"US:*"``), a
target (``"*:IRN"``) or both (``"US:IRN"``); the most specific key applies, in the order
``US:IRN``, ``US``, ``*:IRN``, ``*`` (:func:`sanctions_policy_for`).

Surcharges do not stack within a row: a row that several regimes under policy ``surcharge``
list charges the largest of their percentages once (the same intermediary, insurer and
checks serve every regime that targets one country). Rows add up, so the money stays additive
over legs (see :func:`edge_risk_usd`): a route pays at most ``max surcharge_pct`` once per
sanctioned row it meets (:func:`sanctions_cap_pct`; with the bundled data, Iran and Russia,
2 x 2 % = 4 % of the cargo value). Policies: ``ignore`` (reported in ``regimes``, no money),
``surcharge`` (the money above; the default percentage :data:`SANCTIONS_SURCHARGE_PCT` is an
*assumed* figure) and ``avoid`` (no money; the route is flagged non-compliant,
``compliant = False``, and the regime is listed in ``avoided``; avoiding such routes is the
router's job).

Validation: a probability outside [0, 1], a negative duration or premium, a p90 below its
median, a probability without a median: :class:`ParameterError` naming every bad row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..model.network import Network
from ..units import HOURS_PER_DAY
from .cargo import Cargo

__all__ = [
    "RiskRow",
    "risk_rows",
    "edge_risk_usd",
    "edge_risk_coded",
    "lognormal_sigma",
    "lognormal_mean",
    "SANCTIONS_POLICIES",
    "SANCTIONS_SURCHARGE_PCT",
    "Z90",
    "sanctions_policy_for",
    "sanctions_key",
    "sanctions_cap_pct",
]

Z90 = NormalDist().inv_cdf(0.9)
"""The 90th percentile of the standard normal distribution (1.2815515655...)."""

SANCTIONS_POLICIES = ("ignore", "surcharge", "avoid")

SANCTIONS_SURCHARGE_PCT = 2.0
"""Assumed sanctions surcharge, percent of cargo value per regime exposure (policy
``surcharge``). An *assumed* modelling default with no specific source: it stands for the
extra cost of paying through intermediaries, of insurance outside the International Group P&I
clubs and of compliance checks. Give your own figure with ``surcharge_pct``."""

SCOPES = ("country", "place", "link", "passage")


def lognormal_sigma(median: float, p90: float) -> float:
    """Shape sigma of a lognormal with this median and 90th percentile: ln(p90/median)/z90.

    Zero when ``p90`` is missing (NaN) or equal to the median, or when the median is 0.

    >>> round(lognormal_sigma(10.0, 20.0), 4)
    0.5409
    """
    if not math.isfinite(p90) or median <= 0 or p90 == median:
        return 0.0
    return math.log(p90 / median) / Z90


def lognormal_mean(median: float, p90: float) -> float:
    """Mean of a lognormal with this median and 90th percentile: median * exp(sigma^2 / 2).

    >>> lognormal_mean(5.0, 5.0)
    5.0
    """
    s = lognormal_sigma(median, p90)
    return median * math.exp(0.5 * s * s)


# --------------------------------------------------------------------------------------------
# The risk table, parsed and checked
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskRow:
    """One row of the risk table, checked, with its derived lognormal parameters.

    ``prob`` is 0 where the table has no disruption; ``median_days``/``p90_days`` NaN where
    missing; ``sigma`` and ``mean_days`` follow :func:`lognormal_sigma` and
    :func:`lognormal_mean`; ``security_pct`` is 0 where missing.
    """

    scope: str
    ref: str
    prob: float
    median_days: float
    p90_days: float
    sigma: float
    mean_days: float
    security_pct: float
    sanctions: tuple[str, ...]
    source: str
    confidence: str
    label: str
    target: str = ""  # the sanctioned country (country rows: ref; places and links: theirs)
    as_of: str = ""  # the month of the newest evidence behind the row (YYYY-MM), "" if unknown

    @property
    def expected_delay_h(self) -> float:
        """Expected delay per trip in hours: prob x mean duration / 2 x 24 (a trip that meets
        a disruption under way waits the rest of it: half of it on average)."""
        if self.prob == 0.0:
            return 0.0
        return self.prob * self.mean_days / 2.0 * HOURS_PER_DAY

    @property
    def has_disruption(self) -> bool:
        """True when the row can delay a trip (probability and duration above 0)."""
        return self.prob > 0.0 and self.median_days > 0.0


def _num(v: Any) -> float:
    if v is None or v is pd.NA:
        return math.nan
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x


def _text(v: Any) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def parse_risk_table(table: pd.DataFrame | None) -> dict[tuple[str, str], RiskRow]:
    """Check a risk table and return its rows by ``(scope, ref)``.

    Raises
    ------
    ParameterError
        Listing every bad row (probability outside [0, 1], negative duration or premium,
        p90 below the median, a probability without a median duration, unknown scope).
    """
    out: dict[tuple[str, str], RiskRow] = {}
    if table is None or len(table) == 0:
        return out
    problems: list[str] = []
    for i, rec in enumerate(table.to_dict("records")):
        scope, ref = _text(rec.get("scope")), _text(rec.get("ref"))
        label = f"risk row {i + 1} ({scope} {ref})"
        p = _num(rec.get("disruption_prob_per_trip"))
        m = _num(rec.get("disruption_median_days"))
        q = _num(rec.get("disruption_p90_days"))
        sec = _num(rec.get("security_premium_pct"))
        bad: list[str] = []
        if scope not in SCOPES:
            bad.append(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
        if not ref:
            bad.append("ref is empty")
        if math.isfinite(p) and not 0.0 <= p <= 1.0:
            bad.append(f"disruption_prob_per_trip {p} is outside [0, 1]")
        if math.isinf(p):
            bad.append("disruption_prob_per_trip is infinite")
        for name, v in (
            ("disruption_median_days", m),
            ("disruption_p90_days", q),
            ("security_premium_pct", sec),
        ):
            if math.isinf(v) or (math.isfinite(v) and v < 0):
                bad.append(f"{name} must be a finite number >= 0, got {v}")
        if math.isfinite(sec) and sec > 100:
            bad.append(f"security_premium_pct {sec} is above 100 (it is a percent of value)")
        if math.isfinite(m) and math.isfinite(q) and q < m:
            bad.append(f"disruption_p90_days {q} is below the median {m}")
        if math.isfinite(m) and m == 0 and math.isfinite(q) and q > 0:
            bad.append("a lognormal duration needs a median > 0 when p90 > 0")
        if math.isfinite(p) and p > 0 and not math.isfinite(m):
            bad.append("disruption_prob_per_trip is given but disruption_median_days is not")
        as_of = _text(rec.get("as_of")).strip()
        if as_of and not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])(-[0-3]\d)?", as_of):
            bad.append(f"as_of {as_of!r} is not a month or date (YYYY-MM or YYYY-MM-DD)")
        if bad:
            problems += [f"{label}: {b}" for b in bad]
            continue
        prob = p if math.isfinite(p) else 0.0
        sanctions = tuple(
            s.strip().upper() for s in _text(rec.get("sanctions")).split("|") if s.strip()
        )
        sigma = lognormal_sigma(m, q) if math.isfinite(m) else 0.0
        mean = m * math.exp(0.5 * sigma * sigma) if math.isfinite(m) else math.nan
        out[(scope, ref)] = RiskRow(
            scope=scope,
            ref=ref,
            prob=prob,
            median_days=m,
            p90_days=q,
            sigma=sigma,
            mean_days=mean,
            security_pct=sec if math.isfinite(sec) else 0.0,
            sanctions=sanctions,
            source=_text(rec.get("source")),
            confidence=_text(rec.get("confidence")),
            label=label,
            target=ref if scope == "country" else "",
            as_of=as_of,
        )
    if problems:
        raise ParameterError("invalid risk table:\n  - " + "\n  - ".join(problems))
    return out


def risk_rows(net: Network) -> dict[tuple[str, str], RiskRow]:
    """The network's risk rows by ``(scope, ref)``, checked (cached on the network).

    Raises
    ------
    ParameterError
        For invalid rows (see :func:`parse_risk_table`).
    """
    cached = net._cache.get("risk_rows")
    if cached is None:
        cached = parse_risk_table(net._tables.get("risk"))
        # look the few place and link rows up in the indexes (no dict of every link)
        country = net._places["country"]
        from_id = net._links["from_id"]
        for key, row in cached.items():
            if row.scope == "place":
                cached[key] = replace(row, target=str(country.get(row.ref, "")))
            elif row.scope == "link" and row.ref in from_id.index:
                cached[key] = replace(row, target=str(country.get(from_id[row.ref], "")))
        net._cache["risk_rows"] = cached
    return dict(cached)


# --------------------------------------------------------------------------------------------
# Sanctions policy
# --------------------------------------------------------------------------------------------


_CODE = re.compile(r"^[A-Z]{2,5}$")


def sanctions_key(key: str) -> str:
    """A policy key in its canonical form: ``"*"``, ``"US"`` (issuer; ``"US:*"`` too),
    ``"*:IRN"`` (target) or ``"US:IRN"`` (issuer and target), upper case.

    >>> sanctions_key("us:irn"), sanctions_key("US:*"), sanctions_key("*:irn")
    ('US:IRN', 'US', '*:IRN')

    Raises
    ------
    ParameterError
        For any other form.
    """
    text = str(key).strip().upper()
    issuer, sep, target = text.partition(":")
    issuer, target = issuer.strip(), target.strip()
    ok_issuer = issuer == "*" or bool(_CODE.match(issuer))
    ok_target = not sep or target == "*" or bool(re.match(r"^[A-Z]{3}$", target))
    if not (ok_issuer and ok_target):
        raise ParameterError(
            f"bad sanctions key {key!r}: use '*', an issuer ('US'), a target ('*:IRN', an ISO3 "
            "country code) or both ('US:IRN')"
        )
    if not sep or target == "*":
        return issuer
    return f"{issuer}:{target}"


def sanctions_policy_for(policy: Mapping[str, str], issuer: str, target: str) -> str:
    """The policy that applies to sanctions of ``issuer`` on ``target`` (a country code, or
    "" for rows without one): the most specific key of ``policy`` among ``issuer:target``,
    ``issuer``, ``*:target`` and ``*``; ``ignore`` when none matches. Keys must be canonical
    (:func:`sanctions_key`).

    >>> sanctions_policy_for({"US:IRN": "avoid", "*": "surcharge"}, "US", "RUS")
    'surcharge'
    >>> sanctions_policy_for({"US:IRN": "avoid", "*": "surcharge"}, "US", "IRN")
    'avoid'
    """
    keys = (
        ([f"{issuer}:{target}"] if target else [])
        + [issuer]
        + ([f"*:{target}"] if target else [])
        + ["*"]
    )
    for k in keys:
        if k in policy:
            return policy[k]
    return "ignore"


def _policies(sanctions: str | Mapping[str, str]) -> dict[str, str]:
    """Policy by canonical key (``*`` = default) from a policy word or a mapping."""
    if isinstance(sanctions, str):
        by = {"*": sanctions}
    else:
        by = {sanctions_key(k): v for k, v in sanctions.items()}
    for regime, pol in by.items():
        if pol not in SANCTIONS_POLICIES:
            raise ParameterError(
                f"unknown sanctions policy {pol!r} for regime {regime!r}; "
                f"allowed: {', '.join(SANCTIONS_POLICIES)}"
            )
    return by


def _surcharges(
    surcharge_pct: float | Mapping[str, float] | None,
) -> tuple[float, dict[str, float]]:
    if surcharge_pct is None:
        default, by = SANCTIONS_SURCHARGE_PCT, {}
    elif isinstance(surcharge_pct, Mapping):
        by = {str(k).upper(): float(v) for k, v in surcharge_pct.items()}
        default = by.pop("*", SANCTIONS_SURCHARGE_PCT)
    else:
        default, by = float(surcharge_pct), {}
    for regime, v in [("*", default), *by.items()]:
        if not math.isfinite(v) or not 0.0 <= v <= 100.0:
            raise ParameterError(
                f"surcharge_pct for regime {regime!r} must be within "
                f"[0, 100] (percent of cargo value), got {v!r}"
            )
    return default, by


@dataclass(frozen=True)
class _Policy:
    by_key: dict[str, str]
    pct_default: float
    pct_by_regime: dict[str, float]

    def policy(self, regime: str, target: str = "") -> str:
        return sanctions_policy_for(self.by_key, regime, target)

    def pct(self, regime: str) -> float:
        return self.pct_by_regime.get(regime, self.pct_default)

    def charged(self, row: RiskRow) -> str | None:
        """The one regime whose surcharge the row charges: the largest percentage among its
        regimes under policy ``surcharge`` (the first listed among equals); None if none."""
        best: str | None = None
        for g in row.sanctions:
            if self.policy(g, row.target) == "surcharge" and (
                best is None or self.pct(g) > self.pct(best)
            ):
                best = g
        return best

    def row_usd(self, row: RiskRow, value_usd: float) -> float:
        """Sanctions surcharge of one row in USD (no stacking: see :meth:`charged`)."""
        g = self.charged(row)
        return 0.0 if g is None else self.pct(g) / 100.0 * value_usd


def _policy(
    sanctions: str | Mapping[str, str], surcharge_pct: float | Mapping[str, float] | None
) -> _Policy:
    by = _policies(sanctions)
    pd_, pby = _surcharges(surcharge_pct)
    return _Policy(by, pd_, pby)


def sanctions_cap_pct(
    net: Network, surcharge_pct: float | Mapping[str, float] | None = None
) -> float:
    """The most a route can pay in sanctions surcharges, percent of the cargo value: the
    largest regime percentage once per risk row that lists a regime (surcharges do not stack
    within a row; see the module docstring)."""
    pct_default, by = _surcharges(surcharge_pct)
    top = 0.0
    for row in risk_rows(net).values():
        if row.sanctions:
            top += max(by.get(g, pct_default) for g in row.sanctions)
    return top


# --------------------------------------------------------------------------------------------
# Per-edge risk, for edge weights
# --------------------------------------------------------------------------------------------


def _as_list(v: Sequence[Any] | np.ndarray) -> list[Any]:
    return v.tolist() if isinstance(v, np.ndarray) else list(v)


def edge_risk_usd(
    net: Network,
    cargo: Cargo,
    *,
    countries: Sequence[str | None] | np.ndarray,
    places_from: Sequence[str] | np.ndarray,
    places_to: Sequence[str] | np.ndarray,
    link_ids: Sequence[str | None] | np.ndarray,
    passages: Sequence[Iterable[str] | str | None] | np.ndarray,
    starts: Sequence[bool] | np.ndarray | None = None,
    sanctions: str | Mapping[str, str] = "ignore",
    surcharge_pct: float | Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Risk per edge for edge weights: (expected delay hours, security + sanctions USD).

    Every argument is a sequence with one entry per edge. ``countries`` holds leg country
    strings (``"PAK"``, ``"PAK-IRN"`` for an edge between two countries, ``"*"`` for none);
    ``passages`` tuples (or ``|``-separated strings) of passage ids; ``starts`` is True on the
    edges a route starts with (loading at the origin, graph edge type ``LOAD``).

    So that the sum over a route's edges equals the route-level total of
    :func:`route_risk`, each row is charged on the edge where the route *enters* what it
    covers: a country row on an edge ``"A-B"`` (border links, and sea or ferry links between
    countries) for ``B``, and on a start edge for its own country; a place row on an edge that
    enters the place (``places_to`` differs from ``places_from``), and on a start edge for its
    place; a link row on its link; a passage row on each edge passing it. Routes visit no place
    twice, so place rows count once; a route that leaves a country and comes back, or passes
    one sea passage on two legs, is charged twice here (the edge sum is then an upper bound of
    the route total). Delay hours become money as ``hours x cargo.time_value_usd_per_h``.

    Returns
    -------
    delay_h, usd : numpy.ndarray of float
        Expected disruption delay in hours, and security premium plus sanctions surcharge in
        USD (regimes with policy ``surcharge``; ``avoid`` adds no money), per edge.

    Raises
    ------
    ParameterError
        When the sequences differ in length, or for invalid risk rows or policies.
    """
    cl, pf, pt = _as_list(countries), _as_list(places_from), _as_list(places_to)
    li, ps = _as_list(link_ids), _as_list(passages)
    n = len(cl)
    st = [False] * n if starts is None else [bool(x) for x in _as_list(starts)]
    lengths = {
        "countries": n,
        "places_from": len(pf),
        "places_to": len(pt),
        "link_ids": len(li),
        "passages": len(ps),
        "starts": len(st),
    }
    if len(set(lengths.values())) != 1:
        raise ParameterError(
            "edge_risk_usd needs sequences of one length per edge, got "
            + ", ".join(f"{k}={v}" for k, v in lengths.items())
        )
    by_scope = _scope_charges(net, cargo, sanctions, surcharge_pct)
    delay = np.zeros(n)
    usd = np.zeros(n)
    if n == 0 or not any(by_scope.values()):
        return delay, usd

    def charge(scope: str, refs: pd.Series, where: np.ndarray) -> None:
        table = by_scope[scope]
        if not table or not where.any():
            return
        d_map = {k: v[0] for k, v in table.items()}
        u_map = {k: v[1] for k, v in table.items()}
        sel = refs[where]
        delay[where] += sel.map(d_map).fillna(0.0).to_numpy(dtype=float)
        usd[where] += sel.map(u_map).fillna(0.0).to_numpy(dtype=float)

    s_country = pd.Series(["" if c is None else str(c) for c in cl], dtype=object)
    parts = s_country.str.partition("-")
    first, second = parts[0], parts[2]
    starts_arr = np.asarray(st, dtype=bool)
    s_from = pd.Series([str(p) for p in pf], dtype=object)
    s_to = pd.Series([str(p) for p in pt], dtype=object)
    # countries: entered on "A-B" edges, own country on start edges
    charge("country", second, (second != "").to_numpy())
    charge("country", first, starts_arr)
    # places: entered when the edge changes place; the origin on start edges
    charge("place", s_to, (s_from != s_to).to_numpy())
    charge("place", s_from, starts_arr)
    # links
    s_link = pd.Series(["" if x is None else str(x) for x in li], dtype=object)
    charge("link", s_link, (s_link != "").to_numpy())
    # passages (few edges have any)
    table = by_scope["passage"]
    if table:
        for i, p in enumerate(ps):
            if not p:
                continue
            ids = p.split("|") if isinstance(p, str) else list(p)
            for pid in ids:
                if pid in table:
                    delay[i] += table[pid][0]
                    usd[i] += table[pid][1]
    return delay, usd


def _scope_charges(
    net: Network,
    cargo: Cargo,
    sanctions: str | Mapping[str, str],
    surcharge_pct: float | Mapping[str, float] | None,
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per scope, ``ref -> (expected delay h, security + sanctions USD)`` of each risk row
    (the policy is checked even when the table is empty)."""
    pol = _policy(sanctions, surcharge_pct)
    value = float(cargo.value_usd)
    by_scope: dict[str, dict[str, tuple[float, float]]] = {s: {} for s in SCOPES}
    for (scope, ref), r in risk_rows(net).items():
        by_scope[scope][ref] = (
            r.expected_delay_h,
            r.security_pct / 100.0 * value + pol.row_usd(r, value),
        )
    return by_scope


def edge_risk_coded(
    net: Network,
    cargo: Cargo,
    *,
    place_ids: Sequence[str],
    place_country: Sequence[str],
    link_ids: Sequence[str],
    link_passages: Sequence[tuple[str, ...]],
    src_place: np.ndarray,
    dst_place: np.ndarray,
    elink: np.ndarray,
    starts: np.ndarray,
    sanctions: str | Mapping[str, str] = "ignore",
    surcharge_pct: float | Mapping[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`edge_risk_usd` for edges given by codes instead of one text per edge.

    ``src_place`` and ``dst_place`` are each edge's place indexes into ``place_ids`` (whose
    countries are ``place_country``), ``elink`` its link row into ``link_ids`` and
    ``link_passages`` (-1 for edges that are no link), ``starts`` True on start edges. Each
    row's charge is looked up once per place, country or link, then gathered per edge; the
    charges are added in the order of :func:`edge_risk_usd`, so both give the same floats
    (country entered, origin country, place entered, origin place, link, passages).
    """
    n = len(src_place)
    if not (len(dst_place) == len(elink) == len(starts) == n):
        raise ParameterError(
            "edge_risk_coded needs arrays of one length per edge, got "
            f"src_place={n}, dst_place={len(dst_place)}, elink={len(elink)}, "
            f"starts={len(starts)}"
        )
    by_scope = _scope_charges(net, cargo, sanctions, surcharge_pct)
    delay = np.zeros(n)
    usd = np.zeros(n)
    if n == 0 or not any(by_scope.values()):
        return delay, usd
    src_place = np.asarray(src_place, dtype=np.int64)
    dst_place = np.asarray(dst_place, dtype=np.int64)
    elink = np.asarray(elink, dtype=np.int64)
    starts = np.asarray(starts, dtype=bool)

    def per_item(scope: str, refs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        table = by_scope[scope]
        d = np.zeros(len(refs))
        u = np.zeros(len(refs))
        if table:
            for i, ref in enumerate(refs):
                hit = table.get(ref)
                if hit is not None:
                    d[i], u[i] = hit
        return d, u

    def charge(values: tuple[np.ndarray, np.ndarray], item: np.ndarray, where: np.ndarray) -> None:
        if where.any():
            delay[where] += values[0][item[where]]
            usd[where] += values[1][item[where]]

    if by_scope["country"]:
        code, names = pd.factorize(np.asarray(place_country, dtype=object))
        per_country = per_item("country", [str(c) for c in names])
        c_src, c_dst = code[src_place], code[dst_place]
        charge(per_country, c_dst, c_src != c_dst)  # entered on edges between two countries
        charge(per_country, c_src, starts)  # the origin's country on start edges
    if by_scope["place"]:
        per_place = per_item("place", place_ids)
        charge(per_place, dst_place, src_place != dst_place)  # entered
        charge(per_place, src_place, starts)  # the origin
    is_link = elink >= 0
    if by_scope["link"]:
        charge(per_item("link", link_ids), elink, is_link)
    table = by_scope["passage"]
    if table:
        has = np.fromiter((bool(p) for p in link_passages), dtype=bool, count=len(link_passages))
        edges = np.flatnonzero(is_link & has[np.where(is_link, elink, 0)])
        for i, li in zip(edges.tolist(), elink[edges].tolist()):
            for pid in link_passages[li]:
                if pid in table:
                    delay[i] += table[pid][0]
                    usd[i] += table[pid][1]
    return delay, usd
