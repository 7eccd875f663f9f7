"""Validation of the parameter tables (tariffs, speeds, crossings, operations, services,
risk): duplicate keys, negative numbers, and the row checks of each table.

Part of :mod:`corridors.model.validation`, which re-exports :func:`validate_table` and
:func:`service_link`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from .coerce import _record_ids
from .rules import parse_open_hours, parse_rule_date
from .schema import (
    DIRECTIONS,
    GAUGES_MM,
    MODES,
    OPERATION_KINDS,
    PASSAGES,
    RISK_SCOPES,
    SERVICE_MODES,
    STATUSES,
    TABLE_FIELDS,
    TABLE_KEYS,
    _missing,
    parse_gauges,
    split_list,
)
from .validation_common import _ISO3_RE, _check_source, _enum

__all__ = ["validate_table", "service_link", "service_links", "service_path"]


def validate_table(
    name: str,
    table: pd.DataFrame,
    file: str,
    places: pd.DataFrame,
    links: pd.DataFrame,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    """Append the problems of a (coerced) parameter table to ``problems``."""
    key = TABLE_KEYS[name]
    names = _record_ids(table, key)
    cells = _Columns(table)
    _check_keys(name, key, names, cells, file, problems)
    # the lookups only the tables that refer to places or links need (a network of 10^6
    # links has them built once per table that uses them, not once per table)
    place_ids: set[Any] = (
        set(places["id"].dropna().tolist())
        if name in ("operations", "services", "risk") and len(table)
        else set()
    )
    link_rows: Mapping[str, int] = (
        _link_rows(links["id"].tolist())
        if name in ("crossings", "risk", "link_rules") and len(table)
        else {}
    )
    link_kind: list[Any] = links["kind"].tolist() if name == "crossings" and len(table) else []
    for spec in TABLE_FIELDS[name]:
        if spec.type != "float":
            continue
        for rec, v in zip(names, table[spec.name].tolist()):
            if v is not None and not math.isnan(v) and v < 0:
                problems.append(Problem(file, rec, spec.name, f"must not be negative, got {v!r}"))
    for i, rec in enumerate(names):
        row = cells.row(i)
        if name in ("tariffs", "speeds"):
            _check_rate_row(name, row, file, rec, problems)
        elif name == "crossings":
            _check_crossing_row(row, file, rec, link_kind, link_rows, problems)
        elif name == "operations":
            _check_operation_row(row, file, rec, place_ids, problems)
        elif name == "services":
            _check_service(row, file, rec, place_ids, links, problems)
        elif name == "risk":
            _check_risk_row(row, file, rec, place_ids, link_rows, problems)
        elif name == "link_rules":
            _check_link_rule(row, file, rec, links, link_rows, problems)
    if name == "crossings":
        _check_crossings_complete(table, links, file, problems)
    _check_source(table, names, file, sources, problems)


def _check_link_rule(
    row: _Row,
    file: str,
    rec: str,
    links: pd.DataFrame,
    link_rows: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """A link_rules row: known links of the rule's mode, open hours ``HH:MM-HH:MM`` or
    ``closed``, a driving day (0-24 h) for a window, and valid dates in order."""
    _enum(row["mode"], MODES, file, rec, "mode", problems)
    ids = split_list(row["links"])
    if row["links"] is not None and not ids:
        problems.append(Problem(file, rec, "links", "no link id: give link ids separated by '|'"))
    for lid in ids:
        if lid not in link_rows:
            close = difflib.get_close_matches(lid, list(link_rows), n=3)
            hint = f"; closest link ids: {', '.join(close)}" if close else ""
            problems.append(Problem(file, rec, "links", f"unknown link {lid!r}{hint}"))
        elif row["mode"] is not None and links["mode"].iloc[link_rows[lid]] != row["mode"]:
            problems.append(
                Problem(
                    file,
                    rec,
                    "links",
                    f"link {lid!r} is {links['mode'].iloc[link_rows[lid]]}, not "
                    f"{row['mode']}: a rule covers links of its own mode (split the rule)",
                )
            )
    window = None
    if row["open_hours"] is not None:
        try:
            window = parse_open_hours(row["open_hours"])
        except ValueError as err:
            problems.append(
                Problem(
                    file,
                    rec,
                    "open_hours",
                    f"{err}: write the daily opening as 'HH:MM-HH:MM' (e.g. '06:00-18:00', "
                    "'22:00-06:00' across midnight) or 'closed'",
                )
            )
    dd = row["driving_day_h"]
    if dd is not None and not math.isnan(dd) and not 0 < dd <= 24:
        problems.append(
            Problem(file, rec, "driving_day_h", f"must be more than 0 and at most 24, got {dd!r}")
        )
    elif window is not None and (dd is None or math.isnan(dd)):
        problems.append(
            Problem(
                file,
                rec,
                "driving_day_h",
                "a time window needs the hours a day vehicles drive on the link (e.g. 16, "
                "marked assumed when no source gives it)",
            )
        )
    days: dict[str, Any] = {}
    for fld in ("valid_from", "valid_to"):
        v = row[fld]
        if v is None:
            continue
        try:
            days[fld] = parse_rule_date(v, end=fld == "valid_to")
        except ValueError as err:
            problems.append(Problem(file, rec, fld, f"{err}; leave empty for no limit"))
    if len(days) == 2 and days["valid_to"] < days["valid_from"]:
        problems.append(
            Problem(
                file,
                rec,
                "valid_to",
                f"{row['valid_to']!r} is before valid_from {row['valid_from']!r}",
            )
        )


def _check_keys(
    name: str,
    key: Sequence[str],
    names: Sequence[str],
    cells: _Columns,
    file: str,
    problems: list[Problem],
) -> None:
    """Each complete key of a table at most once (default operations rows once per kind)."""
    seen: dict[tuple[Any, ...], int] = {}
    for i, rec in enumerate(names):
        k = tuple(cells[c][i] for c in key)
        if name == "operations" and k[0] == "*" and cells["kind"][i] != "terminal":
            # default rows ('*', '*', '*') are one per transfer kind (docs/data-format.md)
            k = (*k, cells["kind"][i])
        if all(v is not None for v in k):
            if k in seen:
                problems.append(
                    Problem(file, rec, ",".join(key), f"duplicate key {k} (also row {seen[k] + 1})")
                )
            else:
                seen[k] = i


def _check_rate_row(name: str, row: _Row, file: str, rec: str, problems: list[Problem]) -> None:
    """A tariffs or speeds row: a known mode, an ISO3 country or '*', a positive speed and at
    least one tariff column."""
    _enum(row["mode"], MODES, file, rec, "mode", problems)
    c = row["country"]
    if c is not None and c != "*" and not _ISO3_RE.match(c):
        problems.append(Problem(file, rec, "country", f"{c!r} is not an ISO3 code or '*'"))
    if name == "speeds" and row["speed_kmh"] is not None and row["speed_kmh"] == 0:
        problems.append(Problem(file, rec, "speed_kmh", "must be positive"))
    if name == "tariffs" and all(
        _missing(row[c]) for c in ("usd_per_teu_km", "usd_per_feu_km", "usd_per_tonne_km")
    ):
        problems.append(
            Problem(
                file,
                rec,
                "usd_per_teu_km",
                "a tariff row needs at least one of usd_per_teu_km, "
                "usd_per_feu_km, usd_per_tonne_km",
            )
        )


def _check_crossing_row(
    row: _Row,
    file: str,
    rec: str,
    link_kind: Sequence[Any],
    link_rows: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """A crossings row: a known direction, a known border link and dwell p90 >= median
    (``link_kind``: the links' kinds, by row)."""
    _enum(row["direction"], DIRECTIONS, file, rec, "direction", problems)
    lid = row["link_id"]
    if lid is not None:
        if lid not in link_rows:
            close = difflib.get_close_matches(lid, list(link_rows), n=3)
            hint = f"; closest link ids: {', '.join(close)}" if close else ""
            problems.append(Problem(file, rec, "link_id", f"unknown link {lid!r}{hint}"))
        elif link_kind[link_rows[lid]] != "border":
            problems.append(
                Problem(
                    file,
                    rec,
                    "link_id",
                    f"link {lid!r} is not a border link (kind='border')",
                )
            )
    _check_p90(row["dwell_median_h"], row["dwell_p90_h"], file, rec, "dwell_p90_h", problems)


def _check_operation_row(
    row: _Row, file: str, rec: str, place_ids: set[Any], problems: list[Problem]
) -> None:
    """An operations row: a known kind and place, services that fit the kind of row, and
    time p90 >= median."""
    _enum(row["kind"], OPERATION_KINDS, file, rec, "kind", problems)
    pid = row["place_id"]
    if pid is not None and pid != "*" and pid not in place_ids:
        problems.append(Problem(file, rec, "place_id", f"unknown place {pid!r}"))
    for fld in ("from_service", "to_service"):
        s = row[fld]
        if s is None:
            continue
        if row["kind"] == "terminal":
            ok = (
                (s == "terminal")
                if fld == "to_service"
                else (s in MODES or _valid_service(s) or (pid != "*" and s == "*"))
            )
            if not ok:
                problems.append(
                    Problem(
                        file,
                        rec,
                        fld,
                        "terminal rows give the mode or service loaded or unloaded in "
                        "from_service (rail, road, sea, ferry or rail-<gauge mm>) and "
                        f"'terminal' in to_service, got {s!r}",
                    )
                )
        elif pid == "*":
            if s != "*":
                problems.append(
                    Problem(file, rec, fld, "default rows (place_id '*') use '*' for services")
                )
        elif not _valid_service(s):
            problems.append(
                Problem(
                    file,
                    rec,
                    fld,
                    f"{s!r} is not a service; allowed: rail-<gauge mm> "
                    "(e.g. rail-1435), road, sea, ferry",
                )
            )
    _check_p90(row["time_median_h"], row["time_p90_h"], file, rec, "time_p90_h", problems)


def _check_risk_row(
    row: _Row,
    file: str,
    rec: str,
    place_ids: set[Any],
    link_rows: Mapping[str, int],
    problems: list[Problem],
) -> None:
    """A risk row: a known scope, a reference that exists in it, a probability at most 1."""
    _enum(row["scope"], RISK_SCOPES, file, rec, "scope", problems)
    ref = row["ref"]
    if ref is not None:
        if row["scope"] == "place" and ref not in place_ids:
            problems.append(Problem(file, rec, "ref", f"unknown place {ref!r}"))
        elif row["scope"] == "link" and ref not in link_rows:
            problems.append(Problem(file, rec, "ref", f"unknown link {ref!r}"))
        elif row["scope"] == "passage" and ref not in PASSAGES:
            problems.append(
                Problem(
                    file,
                    rec,
                    "ref",
                    f"unknown passage {ref!r}; allowed values: " + ", ".join(PASSAGES),
                )
            )
        elif row["scope"] == "country" and not _ISO3_RE.match(ref):
            problems.append(Problem(file, rec, "ref", f"{ref!r} is not an ISO3 code"))
    p = row["disruption_prob_per_trip"]
    if not _missing(p) and p > 1:
        problems.append(
            Problem(
                file,
                rec,
                "disruption_prob_per_trip",
                f"a probability is at most 1, got {p}",
            )
        )


def _check_service(
    row: _Row,
    file: str,
    rec: str,
    place_ids: set[Any],
    links: pd.DataFrame,
    problems: list[Problem],
) -> None:
    """A scheduled service: a known mode and status, a gauge for a train (none for a ship), a
    positive headway, and a path of known places whose consecutive places a link of the
    service's mode (and gauge) joins. A liner string or ferry line may end where it began (a
    rotation); no other place may come twice."""
    _enum(row["mode"], SERVICE_MODES, file, rec, "mode", problems)
    _enum(row["status"], STATUSES, file, rec, "status", problems)
    _check_service_gauge(row, file, rec, problems)
    for fld in ("headway_h", "speed_kmh"):
        v = row[fld]
        if v is not None and not math.isnan(v) and v <= 0:
            problems.append(Problem(file, rec, fld, f"must be positive, got {v!r}"))
    first, last = row["year"], row["until_year"]
    if not _missing(first) and not _missing(last) and int(last) < int(first):
        problems.append(
            Problem(
                file,
                rec,
                "until_year",
                f"{last} is before the row's year {first}: until_year is the last year the "
                "row applies (one row per period, each with its own headway)",
            )
        )
    path = service_path(row["path"])
    if len(path) < 2:
        problems.append(
            Problem(
                file,
                rec,
                "path",
                "a service runs over at least two places ('|'-separated place ids, in order)",
            )
        )
        return
    unknown = [p for p in path if p not in place_ids]
    if unknown:
        close = difflib.get_close_matches(unknown[0], [str(p) for p in place_ids], n=3)
        problems.append(
            Problem(
                file,
                rec,
                "path",
                f"unknown place {unknown[0]!r}"
                + (f"; closest ids: {', '.join(close)}" if close else ""),
            )
        )
        return
    water = row["mode"] in WATER_SERVICE_MODES
    calls = path[:-1] if water and len(path) > 2 and path[0] == path[-1] else path
    if len(set(calls)) != len(calls):
        problems.append(
            Problem(
                file,
                rec,
                "path",
                "a service path visits a place twice" + (_rotation_hint(path) if water else ""),
            )
        )
        return
    _check_service_legs(row, file, rec, path, links, problems)


WATER_SERVICE_MODES = ("sea", "ferry")


def _rotation_hint(path: list[str]) -> str:
    """What a ship's path that visits a place twice may do instead."""
    if len(path) == 2:  # "a|a": a rotation that calls nowhere else
        return " (a rotation calls at one other port at least before it ends where it began)"
    return " (a rotation may only end at the port it began from)"


def service_path(value: Any) -> list[str]:
    """The place ids of a services.csv ``path`` (``'|'``-separated), in order."""
    return [p.strip() for p in str(value or "").split("|") if p.strip()]


def _check_service_gauge(row: _Row, file: str, rec: str, problems: list[Problem]) -> None:
    """A train runs on a gauge (``gauge_mm`` required); a ship has none (left empty)."""
    gauge, mode = row["gauge_mm"], row["mode"]
    if mode == "rail" and _missing(gauge):
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                "a rail service needs the gauge of its track (mm, e.g. 1520)",
            )
        )
    elif mode in WATER_SERVICE_MODES and not _missing(gauge):
        problems.append(
            Problem(
                file,
                rec,
                "gauge_mm",
                f"a {mode} service has no gauge, got {gauge!r}: leave gauge_mm empty",
            )
        )


def _check_service_legs(
    row: _Row, file: str, rec: str, path: list[str], links: pd.DataFrame, problems: list[Problem]
) -> None:
    """Each consecutive pair of the path is joined by a link of the service's mode (and, for
    a train, its gauge); the first pair that is not is named, with the fix."""
    mode, gauge = row["mode"], row["gauge_mm"]
    if mode in WATER_SERVICE_MODES:
        gauge = None  # a ship's links carry no gauge: a stray one is _check_service_gauge's
    for a, b in zip(path, path[1:]):
        if service_link(links, mode, gauge, a, b) is not None:
            continue
        if mode in WATER_SERVICE_MODES:
            other = [m for m in WATER_SERVICE_MODES if m != mode]
            hint = (
                f" (a {other[0]} link joins them: set mode = {other[0]!r})"
                if service_link(links, other[0], None, a, b) is not None
                else ""
            )
            text = (
                f"no {mode} link joins {a!r} and {b!r}{hint}: list the ports the {mode} "
                f"service calls at, in order, each pair joined by a {mode} link of "
                "links.geojson (add the leg as a link first)"
            )
        else:
            text = (
                f"no {mode} link of gauge {gauge} joins {a!r} and "
                f"{b!r}: list every place the service passes, in order"
            )
        problems.append(Problem(file, rec, "path", text))
        return


def service_link(links: pd.DataFrame, mode: Any, gauge: Any, a: str, b: str) -> int | None:
    """Row of the first link of ``mode`` (carrying ``gauge``, when given) between places
    ``a`` and ``b`` (either direction), or None."""
    rows = service_links(links, mode, gauge, a, b, first=True)
    return rows[0] if rows else None


def service_links(
    links: pd.DataFrame, mode: Any, gauge: Any, a: str, b: str, *, first: bool = False
) -> list[int]:
    """Rows of every link of ``mode`` (carrying ``gauge``, when given) between places ``a``
    and ``b`` in either direction (a liner string rides each of two sea routes between two
    ports, e.g. by Suez and round the Cape); only the first with ``first``."""
    ends = links["from_id"].tolist(), links["to_id"].tolist()
    modes = links["mode"].tolist()
    gauges = links["gauge_mm"].tolist()
    out: list[int] = []
    for i, (f, t) in enumerate(zip(*ends)):
        if {f, t} == {a, b} and modes[i] == mode:
            try:
                ok = _missing(gauge) or int(gauge) in parse_gauges(gauges[i])
            except (TypeError, ValueError):
                ok = False
            if ok:
                out.append(i)
                if first:
                    break
    return out


class _IndexRows(Mapping[str, int]):
    """Link id -> row for unique ids, read from a pandas index (its hash table is built in C,
    not a dict of 10^6 Python items)."""

    def __init__(self, ids: list[Any]) -> None:
        self._ids = ids
        self._index = pd.Index(ids, dtype=object)

    def __getitem__(self, key: str) -> int:
        if key is None:
            raise KeyError(key)
        return int(self._index.get_loc(key))

    def __iter__(self) -> Iterator[str]:
        return (i for i in self._ids if i is not None)

    def __len__(self) -> int:
        return sum(1 for i in self._ids if i is not None)


def _link_rows(ids: list[Any]) -> Mapping[str, int]:
    """Each link id's row (the last row of an id given twice, as a dict would keep)."""
    index = _IndexRows(ids)
    if index._index.is_unique and set(map(type, ids)) <= {str, type(None)}:
        return index
    return {lid: i for i, lid in enumerate(ids) if lid is not None}


class _Columns:
    """The cells of a table by column name, as lists made on first use (reading a cell of a
    list is much cheaper than ``table[name].iloc[i]`` or a row of ``table.iloc[i]``)."""

    def __init__(self, table: pd.DataFrame) -> None:
        self._table = table
        self._lists: dict[str, list[Any]] = {}

    def __getitem__(self, name: str) -> list[Any]:
        hit = self._lists.get(name)
        if hit is None:
            hit = self._lists[name] = self._table[name].tolist()
        return hit

    def row(self, i: int) -> _Row:
        return _Row(self, i)


class _Row:
    """One row of a :class:`_Columns`: ``row[name]`` is the cell."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: _Columns, i: int) -> None:
        self._columns = columns
        self._i = i

    def __getitem__(self, name: str) -> Any:
        return self._columns[name][self._i]


def _check_p90(p50: Any, p90: Any, file: str, rec: str, fld: str, problems: list[Problem]) -> None:
    """A 90th percentile (hours) below its median is a problem of field ``fld``."""
    if not _missing(p50) and not _missing(p90) and p90 < p50:
        problems.append(
            Problem(file, rec, fld, f"90th percentile {p90} h is below the median {p50} h")
        )


def _valid_service(s: str) -> bool:
    if s in ("road", "sea", "ferry"):
        return True
    m = re.fullmatch(r"rail-(\d+)", s)
    return m is not None and int(m.group(1)) in GAUGES_MM


def _check_crossings_complete(
    table: pd.DataFrame, links: pd.DataFrame, file: str, problems: list[Problem]
) -> None:
    have = set(zip(table["link_id"].tolist(), table["direction"].tolist()))
    border = np.flatnonzero((links["kind"] == "border").to_numpy(dtype=bool, na_value=False))
    ids, oneways = links["id"].to_numpy(dtype=object), links["oneway"].to_numpy(dtype=object)
    for lid, oneway in zip(ids[border].tolist(), oneways[border].tolist()):
        if lid is None:
            continue
        needed = ("forward",) if oneway else DIRECTIONS
        for d in needed:
            if (lid, d) not in have:
                problems.append(
                    Problem(
                        file,
                        f"link {lid!r}",
                        "direction",
                        f"border link has no crossing row for direction {d!r} "
                        "(dwell and fee are needed for each direction)",
                    )
                )
