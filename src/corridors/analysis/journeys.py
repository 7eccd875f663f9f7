"""The journeys file: published end-to-end freight journeys that :func:`corridors.analysis.
backtest.backtest` compares the model with (``journeys.csv`` next to a network; columns in
``docs/data-format.md``). :func:`read_journeys` reads and checks one, reporting every problem
at once.
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import (
    AmbiguousPlaceError,
    ParameterError,
    Problem,
    UnknownPlaceError,
    ValidationError,
)
from ..model.coerce import parse_number
from ..model.io import BUNDLED_DEFAULT, bundled_path
from ..model.network import Network
from ..model.schema import MODES

__all__ = [
    "JOURNEY_COLUMNS",
    "REQUIRED_COLUMNS",
    "CONFIDENCE_LEVELS",
    "CARGO_SIZES",
    "JOURNEYS_FILE",
    "SPANS",
    "DAYS_UNITS",
    "JOURNEY_OBJECTIVES",
    "journeys_path",
    "read_journeys",
    "rounding_interval",
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
    "days_unit",
    "observed_usd_min",
    "observed_usd_max",
    "date",
    "span",
    "origin_arrival",
    "connections",
    "minimize",
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
#: Required columns whose value may be empty: a journey with a published cost and no time
#: (a tariff quote) leaves its days empty; every row has days, USD or both.
OPTIONAL_VALUES: tuple[str, ...] = ("observed_days_min", "observed_days_max")
CONFIDENCE_LEVELS: tuple[str, ...] = ("measured", "approx", "assumed")
#: How a journey's cargo reached its origin (``origin_arrival`` of :func:`corridors.route`):
#: ``land`` (loaded there; the default) or ``sea`` (it came off a ship at the origin port).
ORIGIN_ARRIVALS: tuple[str, ...] = ("land", "sea")
#: How a journey's cargo met its later departures (``connections`` of :func:`corridors.route`):
#: ``random`` (half a headway at each change; the default) or ``booked`` (timed to each
#: connection, no wait at changes), set to ``booked`` only where the journey's own source
#: says the cargo was timed to its connections (the notes quote the words).
JOURNEY_CONNECTIONS: tuple[str, ...] = ("random", "booked")
#: The objective a journey's own route is found by (``minimize`` column; empty: the
#: backtest's, ``time_h`` by default). ``cost_usd`` is for a priced service offer whose
#: described route (an operator's rail service, say) is not the fastest one under the
#: journey's other constraints: the notes must say why.
JOURNEY_OBJECTIVES: tuple[str, ...] = ("time_h", "cost_usd")
#: The unit a published time was given in, in days: a single figure ``x`` given in a unit
#: ``u`` (``"12 days"``, ``"32 hours"``, ``"in a week"``) stands for anything that rounds to
#: it, ``x - u/2`` to ``x + u/2`` (see :func:`rounding_interval`).
DAYS_UNITS: dict[str, float] = {"hour": 1.0 / 24.0, "day": 1.0, "week": 7.0}
CARGO_SIZES: tuple[str, ...] = ("20ft", "40ft")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_LIST_FIELDS = ("via", "cross_at", "avoid_countries")  # "|"-separated
_OBSERVED = ("observed_days_min", "observed_days_max", "observed_usd_min", "observed_usd_max")


def rounding_interval(low: float, high: float, unit: str) -> tuple[float, float]:
    """The interval a published time stands for once its rounding is allowed for.

    A single figure (``low == high``) given in ``unit`` covers everything that rounds to it:
    ``x - u/2`` to ``x + u/2``, with ``u`` the unit in days (:data:`DAYS_UNITS`). A range, or
    a figure without a unit (``unit == ""``), is taken as published.

    Parameters
    ----------
    low, high : float
        The observed days (NaN when not published).
    unit : str
        ``"hour"``, ``"day"``, ``"week"`` or ``""``.

    Returns
    -------
    tuple of float
        The rounding interval in days.

    Raises
    ------
    ParameterError
        For a unit that is not one of :data:`DAYS_UNITS` (or empty).

    Examples
    --------
    >>> rounding_interval(12.0, 12.0, "day")
    (11.5, 12.5)
    >>> rounding_interval(7.0, 7.0, "week")
    (3.5, 10.5)
    >>> rounding_interval(20.0, 25.0, "day")
    (20.0, 25.0)
    """
    if unit and unit not in DAYS_UNITS:
        raise ParameterError(f"unknown days_unit {unit!r}; allowed: {', '.join(DAYS_UNITS)}")
    if not unit or low != high or math.isnan(low):
        return low, high
    half = DAYS_UNITS[unit] / 2.0
    return low - half, high + half


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
    """The non-empty stripped parts of ``text`` between ``sep``."""
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
    fname, header, raw_rows = _read_rows(Path(path))
    _check_header(fname, header)
    countries = set(net.places["country"]) if net is not None else set()
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    records = [
        _check_journey(fname, n, row, net, countries, seen, problems)
        for n, row in enumerate(raw_rows, start=1)
    ]
    if problems:
        n = len(problems)
        raise ValidationError(
            problems, header=f"{n} problem{'s' if n != 1 else ''} found in {fname}"
        )
    df = pd.DataFrame(records, columns=list(JOURNEY_COLUMNS))
    df["year"] = df["year"].astype("Int64")
    for col in _OBSERVED:
        df[col] = df[col].astype(float)
    df.attrs["path"] = fname
    return df


def _read_rows(path: Path) -> tuple[str, list[str], list[dict[str, Any]]]:
    """The file name, the header (stripped) and the rows of a journeys file as dicts keyed by
    stripped column names; a file that cannot be read as UTF-8 CSV is a ValidationError."""
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
    return fname, header, raw_rows


def _check_header(fname: str, header: list[str]) -> None:
    """Every required column present and no unknown one, or a ValidationError listing all."""
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


_Bad = Callable[[str, str], None]  # bad(field, message): one problem of the journey


def _check_journey(
    fname: str,
    n: int,
    row: dict[str, Any],
    net: Network | None,
    countries: set[str],
    seen: dict[str, int],
    problems: list[Problem],
) -> dict[str, Any]:
    """Row ``n`` of the file as a record of :func:`read_journeys`' frame; its problems are
    added to ``problems`` in the order of the columns (``seen``: the ids of earlier rows)."""
    text = {c: _cell(row.get(c)) for c in JOURNEY_COLUMNS}
    rid = text["id"] or f"row {n}"

    def bad(field: str, message: str) -> None:
        problems.append(Problem(fname, rid, field, message))

    _check_required_and_id(text, n, seen, bad)
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
        _check_via_and_crossings(net, lists, bad)
    avoid = tuple(c.upper() for c in lists["avoid_countries"])
    _check_countries(avoid, net, countries, bad)
    year = _year(text["year"], bad)
    if text["cargo"] and text["cargo"].lower() not in CARGO_SIZES:
        bad("cargo", f"unknown cargo {text['cargo']!r}; allowed: {', '.join(CARGO_SIZES)}")
    values = _observed_values(text, bad)
    _check_days_unit(text, values, bad)
    _check_labels(text, bad)
    return {
        **text,
        "span": text["span"] or "door_to_door",
        "origin_arrival": text["origin_arrival"] or "land",
        "connections": text["connections"] or "random",
        "modes": modes,
        "via": lists["via"],
        "cross_at": lists["cross_at"],
        "avoid_countries": avoid,
        "year": year,
        "cargo": text["cargo"].lower(),
        **values,
    }


def _check_required_and_id(text: dict[str, str], n: int, seen: dict[str, int], bad: _Bad) -> None:
    """Every required value filled in; the id a slug no earlier row has."""
    for col in REQUIRED_COLUMNS:
        if not text[col] and col not in OPTIONAL_VALUES:
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


def _check_via_and_crossings(net: Network, lists: dict[str, tuple[str, ...]], bad: _Bad) -> None:
    """The via places and border crossings named in the network."""
    for name in lists["via"]:
        msg = _place_problem(net, name)
        if msg:
            bad("via", msg)
    for name in lists["cross_at"]:
        msg = _crossing_problem(net, name)
        if msg:
            bad("cross_at", msg)


def _check_countries(
    avoid: tuple[str, ...], net: Network | None, countries: set[str], bad: _Bad
) -> None:
    """The avoided countries ISO 3166-1 alpha-3 codes (of the network, when given)."""
    for c in avoid:
        if not (len(c) == 3 and c.isalpha()):
            bad(
                "avoid_countries",
                f"{c!r} is not an ISO 3166-1 alpha-3 code (e.g. AFG); separate several with '|'",
            )
        elif net is not None and c not in countries:
            bad(
                "avoid_countries",
                f"unknown country {c!r}; the network has: " + ", ".join(sorted(countries)),
            )


def _year(text: str, bad: _Bad) -> int | None:
    """The network year of a journey (None: today's network, or not a year)."""
    if not text:
        return None
    y = _number(text)
    if y is None or y != int(y) or not 1800 <= y <= 2100:
        bad(
            "year",
            f"{text!r} is not a year; give a whole year such as 2030 "
            "or leave it empty for today's network",
        )
        return None
    return int(y)


def _observed_values(text: dict[str, str], bad: _Bad) -> dict[str, float]:
    """The observed days and USD as floats (NaN when empty or wrong); both USD bounds or
    neither, and each minimum at most its maximum."""
    values: dict[str, float] = {}
    for col in _OBSERVED:
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
    if not any(text[c] for c in _OBSERVED):
        bad(
            "observed_days_min",
            "missing value; give the observed days (min and max), the USD, or both",
        )
    for what in ("days", "usd"):
        lo, hi = values[f"observed_{what}_min"], values[f"observed_{what}_max"]
        if (math.isnan(lo) != math.isnan(hi)) and (
            text[f"observed_{what}_min"] or text[f"observed_{what}_max"]
        ):
            missing = f"observed_{what}_max" if math.isnan(hi) else f"observed_{what}_min"
            if not text[missing]:
                unit = "day" if what == "days" else "USD"
                bad(
                    missing,
                    f"give both {unit} bounds (equal when one figure is published) or neither",
                )
        if not (math.isnan(lo) or math.isnan(hi)) and lo > hi:
            bad(f"observed_{what}_min", f"min {lo:g} is greater than max {hi:g}; swap them")
    return values


def _check_days_unit(text: dict[str, str], values: dict[str, float], bad: _Bad) -> None:
    """The unit of the published days among :data:`DAYS_UNITS`, given only with days, and a
    single figure a whole number of that unit (within 5 %: ``1.3333`` days is 32 hours)."""
    unit = text["days_unit"]
    if not unit:
        return
    if unit not in DAYS_UNITS:
        bad("days_unit", f"unknown unit {unit!r}; allowed: {', '.join(DAYS_UNITS)} (or empty)")
        return
    lo, hi = values["observed_days_min"], values["observed_days_max"]
    if math.isnan(lo) or math.isnan(hi):
        if not (text["observed_days_min"] or text["observed_days_max"]):
            bad("days_unit", "a unit without observed days; leave it empty or give the days")
        return
    if lo == hi:
        n = lo / DAYS_UNITS[unit]
        if abs(n - round(n)) > 0.05:
            bad(
                "days_unit",
                f"{lo:g} days is {n:.2f} {unit}s, not a whole number of {unit}s; give the "
                f"figure as published (e.g. 32 hours = 1.3333 days) or another unit",
            )


def _check_labels(text: dict[str, str], bad: _Bad) -> None:
    """The span, origin arrival, connections, objective, date and confidence among the
    allowed words."""
    if text["span"] and text["span"] not in SPANS:
        bad(
            "span",
            f"unknown span {text['span']!r}; allowed: {', '.join(SPANS)} (empty: door_to_door)",
        )
    if text["origin_arrival"] and text["origin_arrival"] not in ORIGIN_ARRIVALS:
        bad(
            "origin_arrival",
            f"unknown origin_arrival {text['origin_arrival']!r}; allowed: "
            f"{', '.join(ORIGIN_ARRIVALS)} (empty: land)",
        )
    if text["connections"] and text["connections"] not in JOURNEY_CONNECTIONS:
        bad(
            "connections",
            f"unknown connections {text['connections']!r}; allowed: "
            f"{', '.join(JOURNEY_CONNECTIONS)} (empty: random)",
        )
    if text["minimize"] and text["minimize"] not in JOURNEY_OBJECTIVES:
        bad(
            "minimize",
            f"unknown objective {text['minimize']!r}; allowed: "
            f"{', '.join(JOURNEY_OBJECTIVES)} (empty: the backtest's objective)",
        )
    if text["date"] and not _valid_date(text["date"]):
        bad("date", f"{text['date']!r} is not a date; give YYYY or YYYY-MM")
    if text["confidence"] and text["confidence"] not in CONFIDENCE_LEVELS:
        bad(
            "confidence",
            f"unknown confidence {text['confidence']!r}; allowed: " + ", ".join(CONFIDENCE_LEVELS),
        )


def _valid_date(text: str) -> bool:
    """``YYYY`` or ``YYYY-MM`` with a month 01-12."""
    m = _DATE_RE.match(text)
    if not m:
        return False
    return m.group(2) is None or 1 <= int(m.group(2)) <= 12
