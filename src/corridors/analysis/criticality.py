"""Criticality of a corridor: close each of its crossings, ports, gauge-change and other
transfer places, sea passages and links in turn, and price the closure.

For a planned route (the best route of a corridor), each element it uses is closed on its own
(or each element of a given list), and the best route that avoids it is found with the same
objective, cargo and constraints: the *detour*. Per closed element:

- the detour's extra days and USD over the planned route (``no detour`` when none exists);
- the break-even closure length ``B``: waiting wins for closures shorter than ``B`` days.
  The corridor's own objective decides: for ``time_h`` (a shipper who pays for speed)
  ``B`` is the detour's extra days; otherwise ``B = (G_detour - G_planned) / (r + 24 c)``
  days, where ``G`` is the generalized cost (money + the cargo's time value), ``c`` the
  cargo's time value in USD per hour and ``r`` the daily charges of standing still where the
  cargo meets the closure (:class:`corridors.analysis.closures.WaitCharges`: detention, demurrage in a
  port, a truck's standing cost), as in :func:`corridors.closure_choice`. A detour that costs
  no more (``B = 0``) is always taken;
- the wait-or-divert call for the element's closure length in ``risk.csv`` (median days; the
  most probable row of the element's places and links): ``wait`` when the median is shorter
  than ``B``, else ``divert``; ``P(wait wins)`` = ``P(D < B)`` for the lognormal duration
  ``D``; without a risk row the call is ``wait if < B d`` (or ``divert``, or ``wait`` with
  no detour);
- the expected cost per shipment, ``p x E[min(a U D, max(G_detour - G_planned, 0))]``,
  where ``p`` is the row's probability that a trip meets a closure under way (``risk.csv``
  ``disruption_prob_per_trip``), ``U D`` the rest of that closure (``U`` uniform, as
  :mod:`corridors.analysis.simulate` draws it), ``a = r + 24 c`` USD per day of waiting, and the
  shipper takes the cheaper of waiting and diverting; likewise the expected delay per
  shipment, ``p x E[min(U D, max(extra days, 0))]`` days. Without a detour the shipment
  waits the rest of the closure. The expectations are deterministic quadratures over
  400 x 400 quantiles of ``D`` and ``U``; the annual figures are those times
  ``shipments_per_year`` (default 52: one box a week, assumed).

Rows are ranked per corridor by the expected annual delay (``time_h`` corridors) or cost
(others), then closures with no detour, then the detour's extra days or generalized cost.

Examples
--------
>>> import corridors as cor
>>> net = cor.load_network()
>>> r = cor.route(net, "Karachi", "Kabul", minimize="cost_usd")
>>> table = criticality(net, r)
>>> bool((table["item_kind"] == "crossing").any())
True
>>> table["rank"].tolist() == list(range(1, len(table) + 1))
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from ..costs.risk import RiskRow, risk_rows
from ..errors import NoRouteError, ParameterError
from ..model.network import Network
from ..routes.route import Leg, Route
from ..routes.routing import route
from ..units import HOURS_PER_DAY
from .closures import WAIT_CHARGES, WaitCharges, _closed_items
from .sweep import Failed, Progress, check_progress, run_tasks

__all__ = [
    "criticality",
    "corridor_criticality",
    "CRITICALITY_COLUMNS",
    "ITEM_KINDS",
    "SHIPMENTS_PER_YEAR",
]

ITEM_KINDS = ("crossing", "port", "gauge_change", "transfer", "passage", "link")
"""What can be closed, in the order a corridor's elements are listed before ranking."""

SHIPMENTS_PER_YEAR = 52.0
"""Default shipments a year on a corridor for the expected annual cost (one box a week;
assumed)."""

CRITICALITY_COLUMNS = (
    "rank",
    "item_kind",
    "item",
    "item_name",
    "status",
    "detour",
    "extra_days",
    "extra_usd",
    "extra_generalized_usd",
    "wait_usd_per_day",
    "break_even_days",
    "closure_prob",
    "closure_median_days",
    "closure_p90_days",
    "call",
    "p_wait_wins",
    "expected_cost_per_shipment_usd",
    "expected_annual_cost_usd",
    "expected_delay_per_shipment_days",
    "expected_annual_delay_days",
    "risk_row",
)
"""Columns of :func:`criticality`, in order (a comparison adds its own columns in front)."""

_QUAD = 400  # quantiles of the closure length and of the share still to run

CRITICALITY_BATCHES = 16
"""Tasks at most for one route's closures on an executor (each a batch of detour searches)."""

CRITICALITY_BATCH_MIN = 4
"""Closures at least per task (but the last): a detour takes milliseconds on a small network,
a task's round trip on a cluster about as much."""


@dataclass(frozen=True)
class _Item:
    kind: str
    ref: str  # what the item is called in the table (place, link or passage id; "a|b")
    name: str
    avoid: dict[str, list[str]]  # route() keywords that close it
    places: tuple[str, ...]  # places whose risk rows apply
    links: tuple[str, ...]  # links whose risk rows apply
    leg: Leg | None  # where the cargo meets it on the planned route


# --------------------------------------------------------------------------------------------
# What a route uses
# --------------------------------------------------------------------------------------------


def _gauge(service: str) -> str | None:
    m = re.fullmatch(r"rail-(\d+)", str(service))
    return m.group(1) if m else None


def _route_items(net: Network, r: Route) -> list[_Item]:
    """Every closable element of the route, each once, grouped by kind."""
    names = net._places["name"].to_dict()
    ends = {r.origin, r.destination}
    found: dict[str, list[_Item]] = {k: [] for k in ITEM_KINDS}
    seen: set[tuple[str, str]] = set()

    def add(item: _Item) -> None:
        key = (
            "place" if item.kind in ("port", "gauge_change", "transfer") else item.kind,
            item.ref,
        )
        if key not in seen:
            seen.add(key)
            found[item.kind].append(item)

    ports = set(r.ports)
    for leg in r.steps:  # crossings, ports and transfer places first, so a port is a port
        for item in _place_items(net._links, names, leg, ports, ends):
            add(item)
    for leg in r.steps:
        for item in _passage_and_link_items(leg):
            add(item)
    return [it for k in ITEM_KINDS for it in found[k]]


def _place_items(
    links: pd.DataFrame, names: Mapping[Any, Any], leg: Leg, ports: set[str], ends: set[str]
) -> list[_Item]:
    """The crossing, ports and transfer place of one step (not the route's ends)."""
    out: list[_Item] = []
    if leg.kind == "border":
        a, b = sorted((leg.from_id, leg.to_id))
        ids = links.index[
            (links["kind"] == "border")
            & (
                ((links["from_id"] == a) & (links["to_id"] == b))
                | ((links["from_id"] == b) & (links["to_id"] == a))
            )
        ]
        out.append(
            _Item(
                "crossing",
                f"{a}|{b}",
                f"{leg.from_name} - {leg.to_name}",
                {"avoid_crossings": [str(x) for x in ids]},
                (a, b),
                tuple(str(x) for x in ids),
                leg,
            )
        )
    for pid in (leg.from_id, leg.to_id):
        if pid in ports and pid not in ends:
            out.append(
                _Item(
                    "port", pid, str(names.get(pid, pid)), {"avoid_places": [pid]}, (pid,), (), leg
                )
            )
    if leg.kind == "transfer" and leg.from_id not in ends:
        g1, g2 = _gauge(leg.service), _gauge(leg.to_service)
        kind = "gauge_change" if g1 and g2 and g1 != g2 else "transfer"
        out.append(
            _Item(
                kind,
                leg.from_id,
                f"{leg.from_name} ({leg.transfer_kind})",
                {"avoid_places": [leg.from_id]},
                (leg.from_id,),
                (),
                leg,
            )
        )
    return out


def _passage_and_link_items(leg: Leg) -> list[_Item]:
    """The sea passages of one step, and its link."""
    out = [
        _Item("passage", ps, ps.replace("_", " ").title(), {"avoid_passages": [ps]}, (), (), leg)
        for ps in leg.passages
    ]
    if leg.kind == "link" and leg.link_id is not None:
        out.append(
            _Item(
                "link",
                leg.link_id,
                f"{leg.from_name} - {leg.to_name} ({leg.mode})",
                {"avoid_links": [leg.link_id]},
                (),
                (leg.link_id,),
                leg,
            )
        )
    return out


def _given_items(net: Network, r: Route, names: Iterable[str]) -> list[_Item]:
    """Items for names the caller gives (crossing names, places, link ids), as
    :func:`corridors.closure_choice` reads them."""
    out = []
    for name in names:
        kw, touched = _closed_items(net, [str(name)])
        kind = (
            "crossing"
            if "avoid_crossings" in kw
            else "link"
            if "avoid_links" in kw
            else "port"
            if any(p in r.ports for p in kw.get("avoid_places", []))
            else "place"
        )
        met = next(
            (
                leg
                for leg in r.steps
                if leg.to_id in touched
                or leg.link_id in kw.get("avoid_links", []) + kw.get("avoid_crossings", [])
            ),
            None,
        )
        out.append(
            _Item(
                kind,
                str(name),
                str(name),
                kw,
                tuple(touched),
                tuple(kw.get("avoid_links", []) + kw.get("avoid_crossings", [])),
                met,
            )
        )
    return out


# --------------------------------------------------------------------------------------------
# Pricing a closure
# --------------------------------------------------------------------------------------------


def _risk_row(rows: Mapping[tuple[str, str], RiskRow], item: _Item) -> RiskRow | None:
    """The most probable disruption row of the item's links, places or passage."""
    cands = [rows.get(("link", x)) for x in item.links]
    cands += [rows.get(("place", x)) for x in item.places]
    if item.kind == "passage":
        cands.append(rows.get(("passage", item.ref)))
    live = [c for c in cands if c is not None and c.has_disruption]
    return max(live, key=lambda c: c.prob) if live else None


def _wait_per_day(net: Network, r: Route, item: _Item, charges: WaitCharges) -> float:
    """USD a day of standing still where the cargo meets the closure."""
    leg = item.leg
    if leg is None:
        return 0.0
    mode = leg.mode if leg.kind != "transfer" else str(leg.to_service).split("-")[0]
    in_port = item.kind == "port" or (
        leg.to_id in net._places.index
        and net._places.at[leg.to_id, "kind"] == "port"
        and item.kind != "link"
    )
    per_day, _ = charges.per_day(r.query.cargo, mode, bool(in_port))
    return float(per_day)


def _expected_cost(row: RiskRow, per_day_usd: float, cap_usd: float) -> float:
    """E[min(a U D, cap)] for a closure of lognormal length D (days) met at a uniform share U
    of it, a = ``per_day_usd`` (1 for days); deterministic quadrature on quantile midpoints."""
    q = (np.arange(_QUAD) + 0.5) / _QUAD
    z = np.asarray([NormalDist().inv_cdf(float(x)) for x in q])
    d = row.median_days * np.exp(row.sigma * z)
    rest = np.outer(d, q)  # days still to run when the shipment arrives
    return float(np.minimum(per_day_usd * rest, cap_usd).mean())


def _sections(
    items: list[_Item], detours: list[tuple[Route | None, str]], risky: list[bool]
) -> tuple[list[_Item], list[tuple[Route | None, str]]]:
    """Consecutive links of the route (each ending where the next begins) whose closures give
    the same detour and have no risk row merge into one section item."""
    from .dependability import route_key

    def same(a: tuple[Route | None, str], b: tuple[Route | None, str]) -> bool:
        if a[0] is None or b[0] is None:
            return a[0] is None and b[0] is None and a[1] == b[1]
        return route_key(a[0]) == route_key(b[0])

    out_items: list[_Item] = []
    out_detours: list[tuple[Route | None, str]] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        first, last = items[run[0]], items[run[-1]]
        if len(run) == 1 or first.leg is None or last.leg is None:
            out_items.extend(items[i] for i in run)
            out_detours.extend(detours[i] for i in run)
        else:
            links = tuple(x for i in run for x in items[i].links)
            legs = [items[i].leg for i in run]
            modes = dict.fromkeys(str(leg.mode) for leg in legs if leg is not None)
            out_items.append(
                _Item(
                    "link",
                    "|".join(links),
                    f"{first.leg.from_name} - {last.leg.to_name} ({', '.join(modes)}, "
                    f"{len(run)} links)",
                    first.avoid,
                    (),
                    links,
                    first.leg,
                )
            )
            out_detours.append(detours[run[0]])
        run.clear()

    for i, item in enumerate(items):
        joins = (
            run
            and item.kind == "link"
            and not risky[i]
            and not risky[run[-1]]
            and item.leg is not None
            and items[run[-1]].leg is not None
            and items[run[-1]].leg.to_id == item.leg.from_id  # type: ignore[union-attr]
            and same(detours[run[-1]], detours[i])
        )
        if not joins:
            flush()
        if item.kind == "link":
            run.append(i)
        else:
            out_items.append(item)
            out_detours.append(detours[i])
    flush()
    return out_items, out_detours


def _detours(net: Network, r: Route, items: Sequence[_Item]) -> list[tuple[Route | None, str]]:
    """The detours of a batch of items (one task of a sweep on an executor)."""
    return [_detour(net, r, item) for item in items]


def _find_detours(
    net: Network, r: Route, todo: list[_Item], executor: Any, progress: Any
) -> tuple[list[tuple[Route | None, str]], dict[int, str]]:
    """The detour of every item in order, serially (one task per item) or on ``executor``
    in batches (:data:`CRITICALITY_BATCHES` tasks at most, the network sent once); and the
    reason of each item whose batch failed on the executor, by position."""
    if executor is None:
        found = run_tasks(
            _detours, net, [(r, [it]) for it in todo], progress=progress, desc="closures"
        )
        return [f[0] for f in found], {}
    size = max(CRITICALITY_BATCH_MIN, math.ceil(len(todo) / CRITICALITY_BATCHES))
    batches = [todo[i : i + size] for i in range(0, len(todo), size)]
    results = run_tasks(
        _detours,
        net,
        [(r, b) for b in batches],
        executor=executor,
        progress=progress,
        desc="closures",
    )
    out: list[tuple[Route | None, str]] = []
    failed: dict[int, str] = {}
    for batch, res in zip(batches, results):
        if isinstance(res, Failed):
            failed.update({len(out) + j: res.reason for j in range(len(batch))})
            out += [(None, res.reason)] * len(batch)
        else:
            out += res
    return out, failed


def _detour(net: Network, r: Route, item: _Item) -> tuple[Route | None, str]:
    q = r.query
    kwargs: dict[str, Any] = dict(q.constraints())
    for key, vals in item.avoid.items():
        kwargs[key] = list(kwargs.get(key) or []) + list(vals)
    try:
        return route(net, q.origin, q.destination, minimize=q.minimize, cargo=q.cargo, **kwargs), ""
    except (NoRouteError, ParameterError) as err:  # no way around, or a contradiction
        return None, str(err).splitlines()[0]


def _describe(r: Route) -> str:
    names = [f"{c.from_name}-{c.to_name}" for c in r.crossings]
    text = f"{' > '.join(r.countries)} ({', '.join(r.main_modes)})"
    return text + (f" via {', '.join(dict.fromkeys(names))}" if names else "")


def criticality(
    net: Network,
    planned: Route,
    *,
    items: Sequence[str] | None = None,
    shipments_per_year: float = SHIPMENTS_PER_YEAR,
    charges: WaitCharges | None = None,
    sections: bool = True,
    executor: Any = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """Close each element of a route in turn and price the closure (module docstring).

    Parameters
    ----------
    net : Network
        The network the route was found on (its risk table gives closure probabilities and
        lengths).
    planned : Route
        The corridor's best route; its objective, cargo and constraints are kept for the
        detours.
    items : sequence of str, optional
        Close these instead (crossing names such as ``"Torkham"``, places, link ids, as
        :func:`corridors.closure_choice` reads them). Default: every crossing, port,
        gauge-change and other transfer place, sea passage and link of the route (not its
        origin and destination).
    shipments_per_year : float, default 52
        Shipments a year on the corridor, for the expected annual cost (> 0).
    charges : WaitCharges, optional
        Daily charges of waiting (default :data:`corridors.analysis.closures.WAIT_CHARGES`).
    sections : bool, default True
        Merge consecutive links whose closures give the same detour (and have no risk row)
        into one row, a section ``"A - B (rail, 4 links)"`` whose ``item`` joins the link
        ids with ``|``; False: one row per link.
    executor : concurrent.futures.Executor or distributed.Client, optional
        Finds the detours in at most :data:`CRITICALITY_BATCHES` tasks (a Dask Client
        receives the network once per worker); the table is identical to the serial one.
        A batch that fails gives rows with ``status`` ``"error"`` and the exception in
        ``detour``, ranked last, instead of failing the table.
    progress : bool or callable, optional
        Report the closures done: ``True`` a tqdm bar (if installed), a function
        ``progress(done, total)`` called after each closure (each batch on an executor),
        ``False`` nothing. Default: a bar from
        :data:`corridors.analysis.sweep.PROGRESS_MIN_TASKS` closures on an interactive
        terminal.

    Returns
    -------
    pandas.DataFrame
        One row per closed element, columns :data:`CRITICALITY_COLUMNS`, ranked (see the
        module docstring). Days in days, money in USD; ``status`` is ``detour``,
        ``no detour`` (then ``detour`` holds the reason) or, on an executor, ``error``.

    Raises
    ------
    ParameterError
        For a bad ``shipments_per_year``, or ``items`` the network does not know.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> df = cor.criticality(net, cor.route(net, "Karachi", "Tashkent"))
    >>> list(df.columns[:3])
    ['rank', 'item_kind', 'item']
    >>> bool(df["rank"].is_monotonic_increasing)
    True
    """
    if (
        isinstance(shipments_per_year, bool)
        or not isinstance(shipments_per_year, (int, float))
        or not math.isfinite(shipments_per_year)
        or shipments_per_year <= 0
    ):
        raise ParameterError(f"shipments_per_year must be a number > 0, got {shipments_per_year!r}")
    if not isinstance(planned, Route):
        raise ParameterError("criticality takes the planned Route (from corridors.route)")
    check_progress(progress)
    charges = charges or WAIT_CHARGES
    todo = _route_items(net, planned) if items is None else _given_items(net, planned, items)
    rows = risk_rows(net)
    tv = planned.query.cargo.time_value_usd_per_h
    by_time = planned.query.minimize == "time_h"
    found, failed = _find_detours(net, planned, todo, executor, progress)
    errors = {id(todo[i]): why for i, why in failed.items()}
    if sections and items is None:  # an error row never joins a section
        keep = [_risk_row(rows, it) is not None or id(it) in errors for it in todo]
        todo, found = _sections(todo, found, keep)
    out = []
    bad = []
    for item, (detour, why) in zip(todo, found):
        if id(item) in errors:
            bad.append(_error_record(item, errors[id(item)]))
            continue
        per_day = _wait_per_day(net, planned, item, charges)
        daily = per_day + HOURS_PER_DAY * tv
        rec: dict[str, Any] = {
            "item_kind": item.kind,
            "item": item.ref,
            "item_name": item.name,
            "wait_usd_per_day": daily,
        }
        gap, extra_days = _detour_fields(rec, planned, detour, why, daily, by_time)
        _risk_fields(rec, _risk_row(rows, item), gap, extra_days, daily)
        rec["expected_annual_cost_usd"] = rec["expected_cost_per_shipment_usd"] * float(
            shipments_per_year
        )
        rec["expected_annual_delay_days"] = rec["expected_delay_per_shipment_days"] * float(
            shipments_per_year
        )
        out.append(rec)
    cols = [c for c in CRITICALITY_COLUMNS if c != "rank"]
    df = pd.DataFrame(out, columns=cols)
    if len(df):
        df = _ranked(df, by_time)
    if bad:
        df = pd.concat([df, pd.DataFrame(bad, columns=cols)], ignore_index=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def _error_record(item: _Item, reason: str) -> dict[str, Any]:
    """The row of an element whose detour search failed on an executor."""
    nan = math.nan
    rec: dict[str, Any] = dict.fromkeys(CRITICALITY_COLUMNS, nan)
    del rec["rank"]
    rec.update(
        item_kind=item.kind,
        item=item.ref,
        item_name=item.name,
        status="error",
        detour=reason,
        call="",
        risk_row="",
    )
    return rec


def _detour_fields(
    rec: dict[str, Any],
    planned: Route,
    detour: Route | None,
    why: str,
    daily: float,
    by_time: bool,
) -> tuple[float, float]:
    """The detour's status, description, extra days and money and the break-even length
    of the closure, set in ``rec``; returns the extra generalized USD and extra days
    (infinite without a detour)."""
    if detour is None:
        rec.update(
            status="no detour",
            detour=why,
            extra_days=math.nan,
            extra_usd=math.nan,
            extra_generalized_usd=math.inf,
            break_even_days=math.inf,
        )
        return math.inf, math.inf
    gap = detour.generalized_usd - planned.generalized_usd
    extra_days = (detour.time_h - planned.time_h) / HOURS_PER_DAY
    b_days = max(extra_days, 0.0) if by_time else max(gap, 0.0) / daily if daily > 0 else math.inf
    rec.update(
        status="detour",
        detour=_describe(detour),
        extra_days=extra_days,
        extra_usd=detour.cost_usd - planned.cost_usd,
        extra_generalized_usd=gap,
        break_even_days=b_days,
    )
    return gap, extra_days


def _risk_fields(
    rec: dict[str, Any], risk: RiskRow | None, gap: float, extra_days: float, daily: float
) -> None:
    """The closure's probability and length from its risk row, the call (wait or divert),
    the chance that waiting wins and the expected cost and delay per shipment, set in
    ``rec`` (no risk row: no expected cost)."""
    b = rec["break_even_days"]
    if risk is None:
        rec.update(
            closure_prob=0.0,
            closure_median_days=math.nan,
            closure_p90_days=math.nan,
            p_wait_wins=math.nan,
            risk_row="",
            expected_cost_per_shipment_usd=0.0,
            expected_delay_per_shipment_days=0.0,
        )
        rec["call"] = "wait" if b == math.inf else "divert" if b <= 0 else f"wait if < {b:.1f} d"
        return
    p_wait = (
        1.0
        if b == math.inf
        else 0.0
        if b <= 0
        else NormalDist().cdf((math.log(b) - math.log(risk.median_days)) / risk.sigma)
        if risk.sigma > 0
        else float(risk.median_days < b)
    )
    rec.update(
        closure_prob=risk.prob,
        closure_median_days=risk.median_days,
        closure_p90_days=risk.p90_days,
        p_wait_wins=p_wait,
        risk_row=f"{risk.scope}:{risk.ref}",
        call="wait" if risk.median_days < b else "divert",
        expected_cost_per_shipment_usd=risk.prob * _expected_cost(risk, daily, max(gap, 0.0)),
        expected_delay_per_shipment_days=risk.prob
        * _expected_cost(risk, 1.0, max(extra_days, 0.0)),
    )


def _ranked(df: pd.DataFrame, by_time: bool) -> pd.DataFrame:
    """The rows ranked: by the expected annual delay (a corridor by time) or cost, largest
    first; then "no detour" first; then by the largest extra days or generalized USD."""
    expected = "expected_annual_delay_days" if by_time else "expected_annual_cost_usd"
    extra = "extra_days" if by_time else "extra_generalized_usd"
    keys = [
        (-float(e), s != "no detour", -float(x) if math.isfinite(x) else math.inf)
        for e, s, x in zip(df[expected], df["status"], df[extra].fillna(math.inf))
    ]
    order = sorted(range(len(df)), key=lambda i: keys[i])
    return df.iloc[order].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# The corridors of a comparison
# --------------------------------------------------------------------------------------------


def corridor_criticality(
    net: Network,
    scenarios: Any,
    od: Sequence[tuple[str, str]] | None = None,
    *,
    minimize: str | Sequence[str] | None = None,
    items: Sequence[str] | None = None,
    shipments_per_year: float = SHIPMENTS_PER_YEAR,
    charges: WaitCharges | None = None,
    executor: Any = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """:func:`criticality` of every corridor of a comparison: the best route of each
    scenario, pair and objective (each distinct route once, on its scenario's network).

    Parameters
    ----------
    net : Network
    scenarios : Scenario or sequence of Scenario
    od, minimize
        As :func:`corridors.analysis.compare.compare`.
    items, shipments_per_year, charges
        As :func:`criticality`.
    executor, progress
        As :func:`corridors.analysis.compare.compare` for the comparison, then as
        :func:`criticality` for each corridor's closures (``progress(done, total)`` counts
        each stage on its own).

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``origin``, ``destination``, ``minimize``, ``corridor`` (place names)
        and :data:`CRITICALITY_COLUMNS`, ranked within each corridor; corridors in the
        comparison's order.

    Raises
    ------
    ValidationError, ParameterError
        As :func:`corridors.analysis.compare.compare` and :func:`criticality`.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> df = cor.corridor_criticality(net, cor.Scenario.baseline(), od=[("Karachi", "Kabul")])
    >>> set(df["scenario"])
    {'baseline'}
    """
    from .compare import _compare

    result = _compare(
        net, scenarios, od, k=1, minimize=minimize, executor=executor, progress=progress
    )
    parts = []
    for rec, r in zip(result.frame.to_dict("records"), result.routes):
        if r is None or rec["same_as"]:
            continue
        table = criticality(
            result.nets[str(rec["scenario"])],
            r,
            items=items,
            shipments_per_year=shipments_per_year,
            charges=charges,
            executor=executor,
            progress=progress,
        )
        for i, col in enumerate(("scenario", "origin", "destination", "minimize", "corridor")):
            table.insert(i, col, rec[col])
        parts.append(table)
    cols = ["scenario", "origin", "destination", "minimize", "corridor", *CRITICALITY_COLUMNS]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


# --------------------------------------------------------------------------------------------
# Tables and chart
# --------------------------------------------------------------------------------------------


def _num(v: Any, fmt: str, none: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return none
    if isinstance(v, float) and math.isinf(v):
        return "none"
    return fmt.format(v)


_HEADERS = (
    "corridor",
    "#",
    "closed",
    "kind",
    "detour",
    "+days",
    "+USD",
    "break-even d",
    "p/trip",
    "median d",
    "call",
    "USD/year",
    "delay d/year",
)
