"""Backtest: compare the model with published end-to-end freight journeys.

The model is calibrated from segment-level facts (per-km tariffs, speeds, border dwell, handling
times). Published door-to-door or port-to-port journeys are kept apart, in a ``journeys.csv``
next to the network, and only *measure* the model: nothing here changes a parameter.

A journey gives an origin, a destination, the constraints the real shipment had (modes, via
places, border crossings, avoided countries, network year, box size) and an observed range of
transit days and, where published, of USD per container. :func:`backtest` routes every journey
with its constraints and reports, one row per journey, how far the model falls from the
observed range and where the model's time goes (running, waiting, border, transfer, terminal).

>>> import corridors
>>> from corridors.analysis.backtest import backtest, read_journeys, journeys_path
>>> net = corridors.load_network()
>>> journeys = read_journeys(journeys_path(), net=net)
>>> table = backtest(net, journeys)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import inspect
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..costs.cargo import Cargo
from ..errors import (
    AmbiguousPlaceError,
    CorridorsError,
    NoRouteError,
    ParameterError,
    Problem,
    UnknownPlaceError,
    ValidationError,
)
from ..model.coerce import parse_number
from ..model.io import BUNDLED_DEFAULT, bundled_path
from ..model.network import Network
from ..model.schema import MODES
from ..routes.route import Route
from ..routes.routing import route

__all__ = [
    "JOURNEY_COLUMNS",
    "REQUIRED_COLUMNS",
    "CONFIDENCE_LEVELS",
    "CARGO_SIZES",
    "JOURNEYS_FILE",
    "journeys_path",
    "read_journeys",
    "backtest",
    "backtest_summary",
    "range_error",
    "span_hours",
    "SPANS",
]

JOURNEYS_FILE = "journeys.csv"

#: Columns of ``journeys.csv`` in their documented order.
JOURNEY_COLUMNS: tuple[str, ...] = (
    "id",
    "origin",
    "destination",
    "modes",
    "via",
    "cross_at",
    "avoid_countries",
    "year",
    "cargo",
    "observed_days_min",
    "observed_days_max",
    "observed_usd_min",
    "observed_usd_max",
    "date",
    "span",
    "source",
    "confidence",
    "notes",
)
#: What an observed time covers: ``door_to_door`` (loading at the origin to unloading at the
#: destination, waiting for the first departure included) or ``departure_to_arrival`` (a
#: timetable or port-to-port figure: from the departure of the first service to the arrival
#: of the last, without terminal handling at either end or the wait for the first departure).
SPANS: tuple[str, ...] = ("door_to_door", "departure_to_arrival")
#: Columns that must be present and filled in every row.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "origin",
    "destination",
    "cargo",
    "observed_days_min",
    "observed_days_max",
    "date",
    "source",
    "confidence",
)
CONFIDENCE_LEVELS: tuple[str, ...] = ("measured", "approx", "assumed")
CARGO_SIZES: tuple[str, ...] = ("20ft", "40ft")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_LIST_FIELDS = ("via", "cross_at", "avoid_countries")  # "|"-separated
_HOURS_PER_DAY = 24.0

# Leg fields of the model's time split, by the name the backtest reports them under.
_SPLIT_FIELDS: tuple[tuple[str, str], ...] = (
    ("running", "running_time_h"),
    ("waiting", "wait_h"),
    ("border", "dwell_h"),
    ("transfer", "transfer_time_h"),
    ("terminal", "terminal_time_h"),
)


# --------------------------------------------------------------------------------------------
# Reading and validation
# --------------------------------------------------------------------------------------------


def journeys_path(network: str | os.PathLike[str] | None = None) -> Path:
    """Path of the ``journeys.csv`` of a network folder (default: the bundled network).

    Parameters
    ----------
    network : path-like, optional
        A network folder. Default: the bundled ``pak-russia`` network.

    Returns
    -------
    pathlib.Path
        ``<folder>/journeys.csv`` (which may not exist).
    """
    folder = bundled_path(BUNDLED_DEFAULT) if network is None else Path(network)
    return folder / JOURNEYS_FILE


def _cell(value: Any) -> str:
    """A CSV cell as stripped text; missing values become ``""``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _split(text: str, sep: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(sep) if p.strip())


def _number(text: str) -> float | None:
    """A number written with the digits 0-9 (strictly: see
    :func:`corridors.model.validation.parse_number`), or None."""
    x, _error = parse_number(text)
    return x


def _place_problem(net: Network, name: str) -> str | None:
    """Why ``name`` is not a place of ``net`` (with the closest names), or None."""
    try:
        net.place_id(name)
    except AmbiguousPlaceError as err:
        return f"{err}"
    except UnknownPlaceError as err:
        names = err.suggestions or net.closest_names(name)
        hint = (
            ("; closest names: " + ", ".join(names))
            if names
            else ("; `corridors places` lists the places of the network")
        )
        return f"unknown place {name!r}{hint}"
    return None


def _crossing_problem(net: Network, name: str) -> str | None:
    """Why ``name`` does not name a border crossing of ``net``, or None.

    Accepted: a border link id, a border post (id, name or alias), or a name that several
    places share when at least one of them is a border post (``Torkham``).
    """
    links = net.links
    if name in links.index and links.at[name, "kind"] == "border":
        return None
    kinds = net.places["kind"]
    try:
        pid = net.place_id(name)
    except AmbiguousPlaceError as err:
        if any(kinds.get(c) == "border_post" for c in err.candidates):
            return None
        return (
            f"{name!r} matches {', '.join(err.candidates)}, none of them a border post; "
            "give a border post or a border link id"
        )
    except UnknownPlaceError as err:
        names = err.suggestions or net.closest_names(name)
        hint = ("; closest names: " + ", ".join(names)) if names else ""
        return f"unknown border crossing {name!r}{hint}"
    if kinds.get(pid) != "border_post":
        return (
            f"{name!r} is place {pid!r} of kind {kinds.get(pid)!r}, not a border post; "
            "give a border post (e.g. Torkham, Taftan) or a border link id"
        )
    return None


def read_journeys(path: str | os.PathLike[str], *, net: Network | None = None) -> pd.DataFrame:
    """Read and check a ``journeys.csv`` file; report every problem at once.

    Parameters
    ----------
    path : path-like
        The CSV file (columns: see :data:`JOURNEY_COLUMNS` and ``docs/data-format.md``).
    net : Network, optional
        When given, the origin, destination and via places, the border crossings and the
        countries are also checked against this network (unknown names come with the
        closest names the network knows).

    Returns
    -------
    pandas.DataFrame
        One row per journey, indexed by position, with the columns of
        :data:`JOURNEY_COLUMNS`: ``modes``, ``via``, ``cross_at`` and ``avoid_countries`` as
        tuples of str; ``year`` as a nullable integer; the observed figures as floats (NaN
        when not published); the text columns as str (``""`` when empty).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValidationError
        Listing every problem, each with the file, the record (the journey id, or
        ``row N`` when the id is missing), the field and what is allowed.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"journeys file not found: {path}")
    if path.is_dir():
        raise ValidationError(
            [Problem(str(path), "(file)", "", "cannot be read as CSV: it is a folder, not a file")],
            header=f"cannot read {path}",
        )
    fname = str(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in (reader.fieldnames or [])]
            raw_rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    except UnicodeDecodeError as err:
        raise ValidationError(
            [
                Problem(
                    fname,
                    "(file)",
                    "",
                    f"not UTF-8 text: byte "
                    f"{err.object[err.start : err.start + 1]!r} at offset "
                    f"{err.start}; save the file as UTF-8",
                )
            ],
            header=f"cannot read {fname}",
        ) from None
    except (OSError, csv.Error) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ValidationError(
            [Problem(fname, "(file)", "", f"cannot be read as CSV: {reason}")],
            header=f"cannot read {fname}",
        ) from None
    problems: list[Problem] = []
    for col in REQUIRED_COLUMNS:
        if col not in header:
            problems.append(
                Problem(
                    fname,
                    "(header)",
                    col,
                    "missing column; required: " + ", ".join(REQUIRED_COLUMNS),
                )
            )
    for col in header:
        if col not in JOURNEY_COLUMNS:
            problems.append(
                Problem(
                    fname, "(header)", col, "unknown column; allowed: " + ", ".join(JOURNEY_COLUMNS)
                )
            )
    if problems:
        raise ValidationError(
            problems,
            header=f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found in {fname}",
        )
    countries = set(net.places["country"]) if net is not None else set()
    seen: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    for n, row in enumerate(raw_rows, start=1):
        text = {c: _cell(row.get(c)) for c in JOURNEY_COLUMNS}
        rid = text["id"] or f"row {n}"

        def bad(field: str, message: str, rid: str = rid) -> None:
            problems.append(Problem(fname, rid, field, message))

        for col in REQUIRED_COLUMNS:
            if not text[col]:
                fix = {
                    "source": "cite the publication: title or URL and year",
                    "id": "give a short slug such as karachi-moscow-rail-2025",
                }.get(col, "fill it in")
                bad(col, f"missing value; {fix}")
        if text["id"]:
            if not _ID_RE.match(text["id"]):
                bad("id", "use a slug: lower-case letters, digits, '.', '_' and '-'")
            if text["id"] in seen:
                bad("id", f"duplicate id (also row {seen[text['id']]}); ids must be unique")
            seen.setdefault(text["id"], n)
        for col in ("origin", "destination"):
            if text[col] and net is not None:
                msg = _place_problem(net, text[col])
                if msg:
                    bad(col, msg)
        if text["origin"] and text["origin"] == text["destination"]:
            bad("destination", "the destination is the origin; give two different places")
        modes = tuple(m.lower() for m in _split(text["modes"], ","))
        for m in modes:
            if m not in MODES:
                bad("modes", f"unknown mode {m!r}; allowed: {', '.join(MODES)} (comma-separated)")
        lists = {col: _split(text[col], "|") for col in _LIST_FIELDS}
        if net is not None:
            for name in lists["via"]:
                msg = _place_problem(net, name)
                if msg:
                    bad("via", msg)
            for name in lists["cross_at"]:
                msg = _crossing_problem(net, name)
                if msg:
                    bad("cross_at", msg)
        avoid = tuple(c.upper() for c in lists["avoid_countries"])
        for c in avoid:
            if not (len(c) == 3 and c.isalpha()):
                bad(
                    "avoid_countries",
                    f"{c!r} is not an ISO 3166-1 alpha-3 code (e.g. AFG); "
                    "separate several with '|'",
                )
            elif net is not None and c not in countries:
                bad(
                    "avoid_countries",
                    f"unknown country {c!r}; the network has: " + ", ".join(sorted(countries)),
                )
        year: int | None = None
        if text["year"]:
            y = _number(text["year"])
            if y is None or y != int(y) or not 1800 <= y <= 2100:
                bad(
                    "year",
                    f"{text['year']!r} is not a year; give a whole year such as 2030 "
                    "or leave it empty for today's network",
                )
            else:
                year = int(y)
        if text["cargo"] and text["cargo"].lower() not in CARGO_SIZES:
            bad("cargo", f"unknown cargo {text['cargo']!r}; allowed: {', '.join(CARGO_SIZES)}")
        values: dict[str, float] = {}
        for col in (
            "observed_days_min",
            "observed_days_max",
            "observed_usd_min",
            "observed_usd_max",
        ):
            if not text[col]:
                values[col] = math.nan
                continue
            x = _number(text[col])
            unit = "days" if "days" in col else "USD"
            if x is None:
                bad(
                    col,
                    f"{text[col]!r} is not a number of {unit} (write it with the digits "
                    "0-9, like 12.5)",
                )
                values[col] = math.nan
            elif x < 0 or (unit == "days" and x == 0):
                bad(col, f"{x:g} {unit} is not possible; give a positive number")
                values[col] = math.nan
            else:
                values[col] = x
        for what in ("days", "usd"):
            lo, hi = values[f"observed_{what}_min"], values[f"observed_{what}_max"]
            if (
                what == "usd"
                and (math.isnan(lo) != math.isnan(hi))
                and (text["observed_usd_min"] or text["observed_usd_max"])
            ):
                missing = "observed_usd_max" if math.isnan(hi) else "observed_usd_min"
                if not text[missing]:
                    bad(
                        missing,
                        "give both USD bounds (equal when one figure is published) or neither",
                    )
            if not (math.isnan(lo) or math.isnan(hi)) and lo > hi:
                bad(f"observed_{what}_min", f"min {lo:g} is greater than max {hi:g}; swap them")
        if text["span"] and text["span"] not in SPANS:
            bad(
                "span",
                f"unknown span {text['span']!r}; allowed: {', '.join(SPANS)} (empty: door_to_door)",
            )
        if text["date"] and not _valid_date(text["date"]):
            bad("date", f"{text['date']!r} is not a date; give YYYY or YYYY-MM")
        if text["confidence"] and text["confidence"] not in CONFIDENCE_LEVELS:
            bad(
                "confidence",
                f"unknown confidence {text['confidence']!r}; allowed: "
                + ", ".join(CONFIDENCE_LEVELS),
            )
        records.append(
            {
                **text,
                "span": text["span"] or "door_to_door",
                "modes": modes,
                "via": lists["via"],
                "cross_at": lists["cross_at"],
                "avoid_countries": avoid,
                "year": year,
                "cargo": text["cargo"].lower(),
                **values,
            }
        )
    if problems:
        n = len(problems)
        raise ValidationError(
            problems, header=f"{n} problem{'s' if n != 1 else ''} found in {fname}"
        )
    df = pd.DataFrame(records, columns=list(JOURNEY_COLUMNS))
    df["year"] = df["year"].astype("Int64")
    for col in ("observed_days_min", "observed_days_max", "observed_usd_min", "observed_usd_max"):
        df[col] = df[col].astype(float)
    df.attrs["path"] = fname
    return df


def _valid_date(text: str) -> bool:
    m = _DATE_RE.match(text)
    if not m:
        return False
    return m.group(2) is None or 1 <= int(m.group(2)) <= 12


# --------------------------------------------------------------------------------------------
# Backtest
# --------------------------------------------------------------------------------------------


def range_error(model: float, low: float, high: float) -> float:
    """Model minus the nearest bound of ``[low, high]``; 0 inside the range.

    Parameters
    ----------
    model, low, high : float
        The model's figure and the observed range (same unit), ``low <= high``.

    Returns
    -------
    float
        ``model - high`` above the range (positive), ``model - low`` below it (negative),
        ``0.0`` inside it; NaN when any input is NaN.

    Examples
    --------
    >>> range_error(30.0, 20.0, 25.0), range_error(18.0, 20.0, 25.0), range_error(22.0, 20.0, 25.0)
    (5.0, -2.0, 0.0)
    """
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return math.nan
    if model > high:
        return model - high
    if model < low:
        return model - low
    return 0.0


def _relative_error(model: float, low: float, high: float) -> float:
    """(model - midpoint) / midpoint of the observed range; NaN when not defined."""
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return math.nan
    mid = (low + high) / 2.0
    return (model - mid) / mid if mid > 0 else math.nan


def _within(model: float, low: float, high: float) -> Any:
    if math.isnan(model) or math.isnan(low) or math.isnan(high):
        return pd.NA
    return bool(low <= model <= high)


def _constraints_text(j: Mapping[Any, Any]) -> str:
    parts = []
    if j["modes"]:
        parts.append("modes=" + ",".join(j["modes"]))
    for col in ("via", "cross_at", "avoid_countries"):
        if j[col]:
            parts.append(f"{col}=" + "|".join(j[col]))
    if not pd.isna(j["year"]):
        parts.append(f"year={int(j['year'])}")
    return "; ".join(parts)


def _route_accepts(name: str) -> bool:
    return name in inspect.signature(route).parameters


def _time_split_h(r: Route) -> dict[str, float]:
    """Hours by what they are spent on, summed over the route's legs.

    A leg field that this version of :class:`~corridors.Leg` does not have yet counts 0; a
    field that exists is summed as it is (a NaN stays NaN).
    """
    out: dict[str, float] = {}
    for label, field in _SPLIT_FIELDS:
        if r.steps and not hasattr(r.steps[0], field):
            out[label] = 0.0  # the field does not exist in this version of Leg
            continue
        out[label] = math.fsum(float(getattr(leg, field)) for leg in r.steps)
    return out


def span_hours(r: Route, span: str) -> float:
    """The model's hours over what an observed figure covers (see :data:`SPANS`): the whole
    route, or without the terminal legs and the wait for the first departure."""
    if span == "door_to_door":
        return r.time_h
    if span != "departure_to_arrival":
        raise ParameterError(f"unknown span {span!r}; allowed: {', '.join(SPANS)}")
    hours = [leg.time_h for leg in r.steps]
    skip = math.fsum(leg.terminal_time_h for leg in r.steps if leg.kind == "terminal")
    # the first wait: on loading (a train's headway) or on the first link (a ship's)
    for leg in r.steps:
        if leg.wait_h > 0:
            skip += leg.wait_h
            break
        if leg.kind in ("link", "border"):
            break
    return math.fsum(hours) - skip


def _crossings_text(r: Route) -> str:
    """Border crossings as ``from>to`` place ids, the mode added unless road."""
    out: list[str] = []
    for leg in r.crossings:
        label = f"{leg.from_id}>{leg.to_id}"
        if leg.mode != "road":
            label += f" ({leg.mode})"
        out.append(label)
    return "; ".join(out)


def _cargo_of(word: str, override: Cargo | str | None) -> Cargo:
    if isinstance(override, Cargo):
        return override
    if isinstance(override, str):
        return Cargo.parse(override)
    return Cargo.parse(word or "40ft")


#: Columns of the frame :func:`backtest` returns, in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "id",
    "origin",
    "destination",
    "constraints",
    "cargo",
    "confidence",
    "date",
    "observed_days_min",
    "observed_days_max",
    "model_days",
    "error_days",
    "rel_error_days",
    "within_range_days",
    "observed_usd_min",
    "observed_usd_max",
    "model_usd",
    "error_usd",
    "rel_error_usd",
    "within_range_usd",
    "model_distance_km",
    "countries",
    "crossings",
    "modes_used",
    "running_days",
    "waiting_days",
    "border_days",
    "transfer_days",
    "terminal_days",
    "model_p10_days",
    "model_p50_days",
    "model_p90_days",
    "within_band_days",
    "status",
    "message",
)


def backtest(
    net: Network,
    journeys: pd.DataFrame | str | os.PathLike[str],
    *,
    minimize: str = "time_h",
    cargo: Cargo | str | None = None,
    simulate_runs: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Route every journey with its constraints and compare the model with the observation.

    Parameters
    ----------
    net : Network
        The network to test.
    journeys : pandas.DataFrame or path-like
        A frame from :func:`read_journeys`, or the path of a ``journeys.csv`` (read and
        checked against ``net``).
    minimize : str, default "time_h"
        Objective of the model's route (observed journeys are compared on their transit days,
        so the fastest route is the default).
    cargo : Cargo or str, optional
        Cargo for every journey (``"20ft"``, ``"40ft"`` or a :class:`~corridors.Cargo`);
        default: each journey's own ``cargo`` column.
    simulate_runs : int, default 0
        Monte Carlo runs per journey (:func:`corridors.analysis.simulate.simulate`, with
        disruptions); 0 skips the uncertainty band. Each journey draws from its own
        generator, seeded from ``seed`` and the journey's position, so a seed gives the same
        band for the same journeys.
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row per journey (columns :data:`RESULT_COLUMNS`):

        - ``model_days``: the model route's time in days; ``error_days``: model minus the
          nearest bound of the observed range, 0 inside it (see :func:`range_error`);
          ``rel_error_days``: (model - midpoint) / midpoint of the observed range;
          ``within_range_days``: whether the model lies in the observed range;
        - the same for USD per container (``model_usd``, ``error_usd``, ``rel_error_usd``,
          ``within_range_usd``), NaN / NA when no cost was published;
        - ``countries`` (ISO3 joined by ``>``), ``crossings`` (border crossings as
          ``from>to`` place ids, the mode added unless road), ``modes_used``, ``model_distance_km``;
        - the model's time split in days: ``running_days``, ``waiting_days`` (for scheduled
          departures), ``border_days``, ``transfer_days``, ``terminal_days``;
        - with ``simulate_runs``: ``model_p10_days``, ``model_p50_days``, ``model_p90_days``
          of the simulated span (the draws less the deterministic part the span leaves out:
          terminal handling and the first wait for ``departure_to_arrival``), and
          ``within_band_days``: whether the observation (the midpoint of its range) lies in
          the model's P10-P90 band. A calibrated model has about 80 % of journeys in band;
        - ``status``: ``ok``, ``no_route`` (the message of the
          :class:`~corridors.NoRouteError`) or ``error`` (another error of the query, e.g. a
          constraint this version of :func:`~corridors.route` does not know; see
          ``message``).
    """
    if (
        isinstance(simulate_runs, bool)
        or not isinstance(simulate_runs, (int, np.integer))
        or simulate_runs < 0
    ):
        raise ParameterError(f"simulate_runs must be a whole number >= 0, got {simulate_runs!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    if not isinstance(journeys, pd.DataFrame):
        journeys = read_journeys(journeys, net=net)
    accepts_cross_at = _route_accepts("cross_at")
    rows: list[dict[str, Any]] = []
    for pos, j in enumerate(journeys.to_dict("records")):
        days_lo, days_hi = float(j["observed_days_min"]), float(j["observed_days_max"])
        usd_lo, usd_hi = float(j["observed_usd_min"]), float(j["observed_usd_max"])
        row: dict[str, Any] = {
            "id": j["id"],
            "origin": j["origin"],
            "destination": j["destination"],
            "constraints": _constraints_text(j),
            "cargo": j["cargo"] or "40ft",
            "confidence": j["confidence"],
            "date": j["date"],
            "observed_days_min": days_lo,
            "observed_days_max": days_hi,
            "observed_usd_min": usd_lo,
            "observed_usd_max": usd_hi,
        }
        kwargs: dict[str, Any] = dict(
            minimize=minimize,
            cargo=_cargo_of(j["cargo"], cargo),
            year=None if pd.isna(j["year"]) else int(j["year"]),
            modes=list(j["modes"]) or None,
            via=list(j["via"]) or None,
            avoid_countries=list(j["avoid_countries"]) or None,
        )
        result: Route | None = None
        if j["cross_at"] and not accepts_cross_at:
            row.update(
                status="error",
                message="this version of corridors.route() does not "
                "accept cross_at, so the journey's border crossings cannot be imposed; "
                "not routed",
            )
        else:
            if j["cross_at"]:
                kwargs["cross_at"] = list(j["cross_at"])
            try:
                result = route(net, j["origin"], j["destination"], **kwargs)
            except NoRouteError as err:
                row.update(status="no_route", message=str(err))
            except CorridorsError as err:
                row.update(status="error", message=str(err))
        if result is not None:
            model_days = span_hours(result, str(j.get("span") or "door_to_door")) / _HOURS_PER_DAY
            model_usd = result.cost_usd
            split = _time_split_h(result)
            row.update(
                model_days=model_days,
                model_usd=model_usd,
                model_distance_km=result.distance_km,
                countries=">".join(result.countries),
                crossings=_crossings_text(result),
                modes_used=",".join(result.modes),
                **{f"{k}_days": v / _HOURS_PER_DAY for k, v in split.items()},
                status="ok",
                message="",
            )
            if simulate_runs:
                from .simulate import simulate

                sim = simulate(
                    result, runs=int(simulate_runs), seed=int(seed) * 1_000 + pos, net=net
                )
                left_out = result.time_h - model_days * _HOURS_PER_DAY
                q = np.percentile(sim.time_h[:, 0] - left_out, [10, 50, 90]) / _HOURS_PER_DAY
                mid = (days_lo + days_hi) / 2.0
                row.update(
                    model_p10_days=float(q[0]),
                    model_p50_days=float(q[1]),
                    model_p90_days=float(q[2]),
                    within_band_days=bool(q[0] <= mid <= q[2]),
                )
        else:
            row.update(
                model_days=math.nan,
                model_usd=math.nan,
                model_distance_km=math.nan,
                countries="",
                crossings="",
                modes_used="",
                **{f"{k}_days": math.nan for k, _ in _SPLIT_FIELDS},
            )
        m_days, m_usd = row["model_days"], row["model_usd"]
        row.update(
            error_days=range_error(m_days, days_lo, days_hi),
            rel_error_days=_relative_error(m_days, days_lo, days_hi),
            within_range_days=_within(m_days, days_lo, days_hi),
            error_usd=range_error(m_usd, usd_lo, usd_hi),
            rel_error_usd=_relative_error(m_usd, usd_lo, usd_hi),
            within_range_usd=_within(m_usd, usd_lo, usd_hi),
        )
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for col in ("within_range_days", "within_range_usd", "within_band_days"):
        df[col] = df[col].astype("boolean")
    df.attrs["network"] = net.name
    df.attrs["minimize"] = minimize
    return df


def backtest_summary(df: pd.DataFrame) -> dict[str, Any]:
    """Summary of a backtest: how many journeys were routed and how far the model is.

    Parameters
    ----------
    df : pandas.DataFrame
        The frame :func:`backtest` returns.

    Returns
    -------
    dict
        ``journeys``, ``routed``, ``no_route``, ``errors``; over the routed journeys:
        ``mean_abs_error_days`` (mean of ``|error_days|``), ``mean_abs_rel_error_days``,
        ``share_within_range_days``; and the same three for USD over the journeys with a
        published cost (``usd_journeys`` of them); ``share_within_band_days``: the share of
        simulated journeys whose observation lies in the model's P10-P90 band (``band_journeys``
        of them; about 0.8 for a calibrated model). Values are None when there is nothing to
        average.
    """
    ok = df[df["status"] == "ok"]

    def mean(s: pd.Series) -> float | None:
        s = s.dropna()
        return float(s.mean()) if len(s) else None

    usd = ok[ok["observed_usd_min"].notna()]
    band = ok[ok["within_band_days"].notna()]
    return {
        "journeys": int(len(df)),
        "routed": int(len(ok)),
        "no_route": int((df["status"] == "no_route").sum()),
        "errors": int((df["status"] == "error").sum()),
        "mean_abs_error_days": mean(ok["error_days"].abs()),
        "mean_abs_rel_error_days": mean(ok["rel_error_days"].abs()),
        "share_within_range_days": mean(ok["within_range_days"].astype(float)),
        "usd_journeys": int(len(usd)),
        "mean_abs_error_usd": mean(usd["error_usd"].abs()),
        "mean_abs_rel_error_usd": mean(usd["rel_error_usd"].abs()),
        "share_within_range_usd": mean(usd["within_range_usd"].astype(float)),
        "band_journeys": int(len(band)),
        "share_within_band_days": mean(band["within_band_days"].astype(float)),
    }
