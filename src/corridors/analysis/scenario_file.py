"""TODO docstring (scenarios)"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from ..costs.risk import sanctions_key
from ..engine.query import CONNECTIONS, DEPARTURES
from ..errors import (
    ParameterError,
    Problem,
    ValidationError,
)
from ..model.schema import LINK_FIELDS, MODES, TABLE_FIELDS
from .scenario_parts import (
    _CARGO_RE,
    _ISO3,
    CLOSURE_KEYS,
    CLOSURE_KINDS,
    MULTIPLIER_FACTORS,
    MULTIPLIER_KEYS,
    NEW_LINK_KEYS,
    OBJECTIVE_WORDS,
    RISK_VALUE_KEYS,
    SANCTIONS_POLICIES,
    SANCTIONS_REGIMES,
    SCENARIO_KEYS,
    SERVICE_KEYS,
    SIMULATION_KEYS,
    Closure,
    Multiplier,
    RiskChange,
    _finite,
)

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["simulation_settings"]


# --------------------------------------------------------------------------------------------
# Parsing and checking (problems are (key path, message) pairs)
# --------------------------------------------------------------------------------------------


def _error(
    where: str, problems: Sequence[tuple[str, str]], *, scenario: str | None = None
) -> ValidationError:
    n = len(problems)
    what = f"scenario {scenario!r} in {where}" if scenario else f"scenario file {where}"
    return ValidationError(
        [Problem(where, key, "", msg) for key, msg in problems],
        header=f"{n} problem{'s' if n != 1 else ''} in {what}",
    )


def _type_name(v: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "a table",
    }.get(type(v), type(v).__name__)


def _unknown_keys(
    data: Mapping[str, Any], allowed: Sequence[str], prefix: str, problems: list[tuple[str, str]]
) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                (f"{prefix}{key}", f"unknown key{hint}; allowed: " + ", ".join(allowed))
            )


def _get_str(
    data: Mapping[str, Any],
    key: str,
    path: str,
    problems: list[tuple[str, str]],
) -> str | None:
    v = data.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        problems.append((path, f"must be a string, got {_type_name(v)} ({v!r})"))
        return None
    return v


def _get_number(
    data: Mapping[str, Any], key: str, path: str, problems: list[tuple[str, str]]
) -> float | None:
    v = data.get(key)
    if v is None:
        return None
    if not _finite(v):
        problems.append((path, f"must be a finite number, got {_type_name(v)} ({v!r})"))
        return None
    return float(v)


def _get_list(
    data: Mapping[str, Any], key: str, path: str, problems: list[tuple[str, str]]
) -> list[Any]:
    v = data.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        problems.append((path, f"must be an array, got {_type_name(v)} ({v!r})"))
        return []
    return v


def _parse_scenario(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    """Constructor keywords of a Scenario from a TOML table, appending problems."""
    if not isinstance(data, Mapping):
        problems.append(
            (prefix.rstrip(".") or "(file)", f"a scenario must be a table, got {_type_name(data)}")
        )
        return {}
    _unknown_keys(data, SCENARIO_KEYS, prefix, problems)
    out: dict[str, Any] = {}
    name = _get_str(data, "name", f"{prefix}name", problems)
    if name is None and "name" not in data:
        problems.append((f"{prefix}name", "missing: every scenario needs a name"))
    out["name"] = name or "scenario"
    out["description"] = _get_str(data, "description", f"{prefix}description", problems) or ""
    out.update(_parse_settings(data, prefix, problems))
    objs: list[str] = []
    for i, w in enumerate(_get_list(data, "objectives", f"{prefix}objectives", problems)):
        if not isinstance(w, str) or w not in OBJECTIVE_WORDS:
            problems.append(
                (
                    f"{prefix}objectives[{i}]",
                    f"unknown objective {w!r}; allowed: " + ", ".join(OBJECTIVE_WORDS),
                )
            )
        else:
            objs.append(w)
    out["objectives"] = tuple(objs)
    out["od"] = _parse_od(data, prefix, problems)
    if "sanctions" in data:
        out["sanctions"] = _parse_sanctions(data["sanctions"], prefix, problems)
    out["closures"] = tuple(_parse_closures(data, prefix, problems))
    out["multipliers"] = tuple(_parse_multipliers(data, prefix, problems))
    out["risk"] = tuple(_parse_risk(data, prefix, problems))
    out["new_links"] = tuple(_parse_new_links(data, prefix, problems))
    out["services"] = tuple(_parse_services(data, prefix, problems))
    return out


def _parse_settings(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> dict[str, Any]:
    """The scenario's ``year``, ``month``, ``cargo``, ``cargo_value_usd`` and ``k`` that are
    given and allowed, appending problems for the others."""
    out: dict[str, Any] = {}
    if "year" in data:
        y = data["year"]
        if not isinstance(y, int) or isinstance(y, bool) or not 1800 <= y <= 2100:
            problems.append((f"{prefix}year", f"must be a whole year such as 2032, got {y!r}"))
        else:
            out["year"] = y
    if "month" in data:
        mo = data["month"]
        if not isinstance(mo, int) or isinstance(mo, bool) or not 1 <= mo <= 12:
            problems.append((f"{prefix}month", f"must be a month 1-12, got {mo!r}"))
        else:
            out["month"] = mo
    if "date" in data:
        problem = _date_problem(data["date"])
        if problem:
            problems.append((f"{prefix}date", problem))
        else:
            out["date"] = data["date"].strip()
    if "departure" in data:
        dep = data["departure"]
        if dep not in DEPARTURES:
            problems.append(
                (f"{prefix}departure", f"must be one of {', '.join(DEPARTURES)}, got {dep!r}")
            )
        else:
            out["departure"] = dep
    if "connections" in data:
        con = data["connections"]
        if con not in CONNECTIONS:
            problems.append(
                (f"{prefix}connections", f"must be one of {', '.join(CONNECTIONS)}, got {con!r}")
            )
        else:
            out["connections"] = con
    if "cargo" in data:
        c = _get_str(data, "cargo", f"{prefix}cargo", problems)
        if c is not None:
            if not _CARGO_RE.match(c.strip().lower()):
                problems.append(
                    (
                        f"{prefix}cargo",
                        f"unknown cargo {c!r}; allowed: 20ft, 40ft, tonne, <N>t (e.g. 500t)",
                    )
                )
            else:
                out["cargo"] = c.strip().lower()
    if "cargo_value_usd" in data:
        v = _get_number(data, "cargo_value_usd", f"{prefix}cargo_value_usd", problems)
        if v is not None and v < 0:
            problems.append((f"{prefix}cargo_value_usd", f"must be >= 0, got {v!r}"))
        elif v is not None:
            out["cargo_value_usd"] = v
    if "k" in data:
        k = data["k"]
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 50:
            problems.append((f"{prefix}k", f"must be a whole number from 1 to 50, got {k!r}"))
        else:
            out["k"] = k
    return out


def _parse_sanctions(
    s: Any, prefix: str, problems: list[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """The ``sanctions`` table as sorted (regime key, policy) pairs, appending problems."""
    pairs: list[tuple[str, str]] = []
    if not isinstance(s, Mapping):
        problems.append(
            (
                f"{prefix}sanctions",
                "must be a table of regime = policy, e.g. "
                f'{{US = "avoid"}}; got {_type_name(s)} ({s!r})',
            )
        )
        return ()
    for regime, policy in s.items():
        key = f"{prefix}sanctions.{regime}"
        try:
            canon = sanctions_key(str(regime))
        except ParameterError:
            problems.append(
                (
                    key,
                    "a key is a regime code ("
                    + ", ".join(SANCTIONS_REGIMES)
                    + "), '*', a target ('*:IRN') or both ('US:IRN'); "
                    'quote keys with a colon: "US:IRN" = "avoid"',
                )
            )
            continue
        if policy not in SANCTIONS_POLICIES:
            problems.append(
                (
                    key,
                    f"unknown policy {policy!r}; allowed: " + ", ".join(SANCTIONS_POLICIES),
                )
            )
        else:
            pairs.append((canon, str(policy)))
    return tuple(sorted(pairs))


def _parse_od(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for i, pair in enumerate(_get_list(data, "od", f"{prefix}od", problems)):
        key = f"{prefix}od[{i}]"
        if isinstance(pair, Mapping):
            _unknown_keys(pair, ("origin", "destination"), f"{key}.", problems)
            pair = [pair.get("origin"), pair.get("destination")]
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(p, str) and p.strip() for p in pair)
        ):
            problems.append(
                (
                    key,
                    'must be a pair of place names ["Karachi", "Moscow"] or '
                    f"{{origin = ..., destination = ...}}, got {pair!r}",
                )
            )
            continue
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _table_rows(
    data: Mapping[str, Any], key: str, prefix: str, problems: list[tuple[str, str]]
) -> list[tuple[str, Mapping[str, Any]]]:
    out: list[tuple[str, Mapping[str, Any]]] = []
    for i, row in enumerate(_get_list(data, key, f"{prefix}{key}", problems)):
        path = f"{prefix}{key}[{i}]"
        if not isinstance(row, Mapping):
            problems.append((path, f"must be a table, got {_type_name(row)} ({row!r})"))
            continue
        out.append((path, row))
    return out


def _parse_closures(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> list[Closure]:
    out: list[Closure] = []
    for path, row in _table_rows(data, "closures", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, CLOSURE_KEYS, f"{path}.", problems)
        kinds = [k for k in CLOSURE_KINDS if k in row]
        if len(kinds) != 1:
            problems.append(
                (
                    path,
                    "a closure names exactly one of "
                    + ", ".join(CLOSURE_KINDS)
                    + (f"; got {', '.join(kinds)}" if kinds else ""),
                )
            )
            continue
        kind = kinds[0]
        ref = _get_str(row, kind, f"{path}.{kind}", problems)
        days = _get_number(row, "days", f"{path}.days", problems)
        start: dt.date | None = None
        raw = row.get("from")
        if isinstance(raw, dt.datetime):
            start = raw.date()
        elif isinstance(raw, dt.date):
            start = raw
        elif isinstance(raw, str):
            try:
                start = dt.date.fromisoformat(raw)
            except ValueError:
                problems.append((f"{path}.from", f"must be a date YYYY-MM-DD, got {raw!r}"))
        elif raw is not None:
            problems.append(
                (f"{path}.from", f"must be a date YYYY-MM-DD, got {_type_name(raw)} ({raw!r})")
            )
        notes = _get_str(row, "notes", f"{path}.notes", problems)
        if len(problems) > n_before or ref is None:
            continue
        try:
            out.append(Closure(kind, ref, days, start, notes))
        except ParameterError as err:
            field_ = "days" if "days" in str(err) else kind
            problems.append((f"{path}.{field_}", str(err)))
    return out


def _parse_multipliers(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> list[Multiplier]:
    out: list[Multiplier] = []
    for path, row in _table_rows(data, "multipliers", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, MULTIPLIER_KEYS, f"{path}.", problems)
        kw: dict[str, Any] = {}
        for key in ("mode", "country"):
            v = _get_str(row, key, f"{path}.{key}", problems)
            if v is not None:
                kw[key] = v
        if "mode" in kw and kw["mode"] not in MODES:
            problems.append(
                (f"{path}.mode", f"unknown mode {kw['mode']!r}; allowed: " + ", ".join(MODES))
            )
        if "country" in kw and not _ISO3.match(kw["country"]):
            problems.append(
                (
                    f"{path}.country",
                    f"must be an ISO 3166-1 alpha-3 code such as 'IRN', got {kw['country']!r}",
                )
            )
        for key in MULTIPLIER_FACTORS:
            x = _get_number(row, key, f"{path}.{key}", problems)
            if x is None:
                continue
            strict = key in ("speed", "time")
            if x < 0 or (strict and x == 0):
                problems.append(
                    (
                        f"{path}.{key}",
                        f"a factor must be {'>' if strict else '>='} 0 (1 = unchanged), got {x!r}",
                    )
                )
            kw[key] = x
        if not any(k in row for k in MULTIPLIER_FACTORS) and len(problems) == n_before:
            problems.append(
                (path, "a multiplier sets at least one of " + ", ".join(MULTIPLIER_FACTORS))
            )
        if len(problems) > n_before:
            continue
        try:
            out.append(Multiplier(**kw))
        except ParameterError as err:
            problems.append((path, str(err)))
    return out


def _parse_risk(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> list[RiskChange]:
    out: list[RiskChange] = []
    for path, row in _table_rows(data, "risk", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, ("scope", "ref", *RISK_VALUE_KEYS), f"{path}.", problems)
        scope = _get_str(row, "scope", f"{path}.scope", problems)
        ref = _get_str(row, "ref", f"{path}.ref", problems)
        for key, val in (("scope", scope), ("ref", ref)):
            if val is None and key not in row:
                problems.append((f"{path}.{key}", "missing: a risk row needs scope and ref"))
        if scope is not None and scope not in ("country", "place", "link", "passage"):
            problems.append(
                (
                    f"{path}.scope",
                    f"unknown scope {scope!r}; allowed: country, place, link, passage",
                )
            )
        values: list[tuple[str, Any]] = []
        for key in RISK_VALUE_KEYS:
            if key not in row:
                continue
            v = row[key]
            try:
                RiskChange("country", "X", ((key, v),))
            except ParameterError as err:
                problems.append((f"{path}.{key}", str(err)))
                continue
            values.append((key, v))
        if len(problems) > n_before or scope is None or ref is None:
            continue
        out.append(RiskChange(scope, ref, tuple(values)))
    return out


def _parse_new_links(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> list[tuple[tuple[str, Any], ...]]:
    out: list[tuple[tuple[str, Any], ...]] = []
    types = {f.name: f.type for f in LINK_FIELDS}
    required = [f.name for f in LINK_FIELDS if f.required]
    for path, row in _table_rows(data, "new_links", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, NEW_LINK_KEYS, f"{path}.", problems)
        for key in required:
            if key not in row:
                problems.append(
                    (f"{path}.{key}", "missing: a new link needs " + ", ".join(required))
                )
        for key, v in row.items():
            t = types.get(str(key))
            ok = True
            if t == "str":
                ok = isinstance(v, str) or (
                    key == "gauge_mm" and isinstance(v, int) and not isinstance(v, bool)
                )
            elif t == "float":
                ok = _finite(v)
            elif t == "int":
                ok = isinstance(v, int) and not isinstance(v, bool)
            elif t == "bool":
                ok = isinstance(v, bool)
            elif key == "coordinates":
                ok = (
                    isinstance(v, list)
                    and len(v) >= 2
                    and all(
                        isinstance(p, list) and len(p) == 2 and all(_finite(x) for x in p)
                        for p in v
                    )
                )
            if not ok:
                want = {
                    "str": "a string",
                    "float": "a finite number",
                    "int": "an integer",
                    "bool": "true or false",
                }.get(t or "", "a list of [lon, lat] pairs")
                problems.append((f"{path}.{key}", f"must be {want}, got {_type_name(v)} ({v!r})"))
        if len(problems) == n_before:
            out.append(tuple((str(k), v) for k, v in row.items()))
    return out


def _parse_services(
    data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]
) -> list[tuple[tuple[str, Any], ...]]:
    """The scenario's services.csv rows to change (by ``id``) or add, each a tuple of
    (field, value) items; a field of the wrong type is a problem named by its key path."""
    out: list[tuple[tuple[str, Any], ...]] = []
    for path, row in _table_rows(data, "services", prefix, problems):
        n_before = len(problems)
        _unknown_keys(row, SERVICE_KEYS, f"{path}.", problems)
        if not isinstance(row.get("id"), str) or not row.get("id"):
            problems.append((f"{path}.id", "missing: a service row names its services.csv id"))
        for key, v in row.items():
            problem = service_value_problem(str(key), v)
            if problem:
                problems.append((f"{path}.{key}", problem))
        if len(problems) == n_before:
            out.append(tuple((str(k), v) for k, v in row.items()))
    return out


def service_value_problem(key: str, v: Any) -> str | None:
    """What is wrong with the value of a services.csv field in a scenario, or None."""
    t = next((f.type for f in TABLE_FIELDS["services"] if f.name == key), None)
    if t == "str" and not isinstance(v, str):
        return f"must be a string, got {_type_name(v)} ({v!r})"
    if t == "int" and (not isinstance(v, int) or isinstance(v, bool)):
        return f"must be an integer, got {_type_name(v)} ({v!r})"
    if t == "float" and not _finite(v):
        return f"must be a finite number, got {_type_name(v)} ({v!r})"
    return None


def _date_problem(value: Any) -> str | None:
    """What is wrong with a scenario's ``date`` (the day whose link rules apply), or None."""
    from ..model.rules import reference_day

    if isinstance(value, str):
        try:
            reference_day(value)
            return None
        except ValueError:
            pass
    return f"must be a date such as '2025-06-10', '2025-06' or '2025' (a string), got {value!r}"


def _check_fields(s: Scenario) -> list[tuple[str, str]]:
    """Checks of a scenario built in Python (the TOML parser makes the same ones)."""
    problems: list[tuple[str, str]] = []
    if not isinstance(s.name, str) or not s.name.strip():
        problems.append(("name", f"must be a non-empty string, got {s.name!r}"))
    if not isinstance(s.description, str):
        problems.append(("description", f"must be a string, got {s.description!r}"))
    if s.year is not None and (
        not isinstance(s.year, int) or isinstance(s.year, bool) or not 1800 <= s.year <= 2100
    ):
        problems.append(("year", f"must be a whole year such as 2032, got {s.year!r}"))
    if s.month is not None and (
        not isinstance(s.month, int) or isinstance(s.month, bool) or not 1 <= s.month <= 12
    ):
        problems.append(("month", f"must be a month 1-12, got {s.month!r}"))
    if s.date is not None and _date_problem(s.date):
        problems.append(("date", str(_date_problem(s.date))))
    if s.departure is not None and s.departure not in DEPARTURES:
        problems.append(
            ("departure", f"must be one of {', '.join(DEPARTURES)}, got {s.departure!r}")
        )
    if s.connections is not None and s.connections not in CONNECTIONS:
        problems.append(
            ("connections", f"must be one of {', '.join(CONNECTIONS)}, got {s.connections!r}")
        )
    if s.cargo is not None and (
        not isinstance(s.cargo, str) or not _CARGO_RE.match(s.cargo.strip().lower())
    ):
        problems.append(("cargo", f"unknown cargo {s.cargo!r}; allowed: 20ft, 40ft, tonne, <N>t"))
    if s.cargo_value_usd is not None and (not _finite(s.cargo_value_usd) or s.cargo_value_usd < 0):
        problems.append(("cargo_value_usd", f"must be a number >= 0, got {s.cargo_value_usd!r}"))
    if s.k is not None and (not isinstance(s.k, int) or isinstance(s.k, bool) or s.k < 1):
        problems.append(("k", f"must be a whole number >= 1, got {s.k!r}"))
    for i, w in enumerate(s.objectives):
        if w not in OBJECTIVE_WORDS:
            problems.append(
                (
                    f"objectives[{i}]",
                    f"unknown objective {w!r}; allowed: " + ", ".join(OBJECTIVE_WORDS),
                )
            )
    for i, pair in enumerate(s.od):
        if (
            not isinstance(pair, tuple)
            or len(pair) != 2
            or not all(isinstance(p, str) and p for p in pair)
        ):
            problems.append((f"od[{i}]", f"must be an (origin, destination) pair, got {pair!r}"))
    for regime, policy in s.sanctions:
        if policy not in SANCTIONS_POLICIES:
            problems.append(
                (
                    f"sanctions.{regime}",
                    f"unknown policy {policy!r}; allowed: " + ", ".join(SANCTIONS_POLICIES),
                )
            )
    for i, rec in enumerate(s.services):
        row = dict(rec) if isinstance(rec, tuple) else None
        if row is None or not isinstance(row.get("id"), str) or not row["id"]:
            problems.append((f"services[{i}]", "must name its services.csv id (id = '...')"))
            continue
        for key, v in row.items():
            problem = (
                f"unknown field; allowed: {', '.join(SERVICE_KEYS)}"
                if key not in SERVICE_KEYS
                else service_value_problem(key, v)
            )
            if problem:
                problems.append((f"services[{i}].{key}", problem))
    for name, cls in (("closures", Closure), ("multipliers", Multiplier), ("risk", RiskChange)):
        for i, item in enumerate(getattr(s, name)):
            if not isinstance(item, cls):
                problems.append((f"{name}[{i}]", f"must be a {cls.__name__}, got {item!r}"))
    return problems


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


#: Largest scenario file accepted, in bytes.
MAX_SCENARIO_BYTES = 5_000_000


def _read_toml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"scenario file not found: {p}")
    try:
        size = p.stat().st_size
        if size > MAX_SCENARIO_BYTES:
            raise ValidationError(
                [
                    Problem(
                        str(p),
                        "(file)",
                        "",
                        f"{size:,} bytes: a scenario file may have at most {MAX_SCENARIO_BYTES:,}",
                    )
                ],
                header=f"1 problem in scenario file {p}",
            )
        raw = p.read_bytes()
    except OSError as err:
        what = "a folder, not a file" if p.is_dir() else f"cannot be read: {err.strerror or err}"
        raise ValidationError(
            [Problem(str(p), "(file)", "", what)], header=f"1 problem in scenario file {p}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValidationError(
            [
                Problem(
                    str(p),
                    "(file)",
                    "",
                    f"not UTF-8 text (byte {err.start}): a scenario file is TOML in UTF-8",
                )
            ],
            header=f"1 problem in scenario file {p}",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ValidationError(
            [Problem(str(p), "(file)", "", f"not valid TOML: {err}")],
            header=f"1 problem in scenario file {p}",
        ) from None
    except RecursionError:
        raise ValidationError(
            [
                Problem(
                    str(p),
                    "(file)",
                    "",
                    "nested too deep to read (a scenario needs at most a few levels)",
                )
            ],
            header=f"1 problem in scenario file {p}",
        ) from None


def _without_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in SIMULATION_KEYS}


def simulation_settings(path: str | Path) -> dict[str, Any]:
    """The Monte Carlo settings of a scenario file: its top-level ``runs`` (whole number
    >= 0; 0 means no simulation), ``seed`` (whole number >= 0) and ``deadline_days``
    (number >= 0), those it sets, as a dict with the same keys.

    Raises
    ------
    ValidationError
        For a value of the wrong type or range (file and key named), or bytes that are not
        TOML.
    FileNotFoundError
        For a missing file.
    """
    data = _read_toml(path)
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {}
    for key in ("runs", "seed"):
        if key in data:
            v = data[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                problems.append((key, f"must be a whole number >= 0, got {v!r}"))
            else:
                out[key] = v
    if "deadline_days" in data:
        v = data["deadline_days"]
        if isinstance(v, bool) or not _finite(v) or v < 0:
            problems.append(("deadline_days", f"must be a number of days >= 0, got {v!r}"))
        else:
            out["deadline_days"] = float(v)
    if problems:
        raise _error(str(path), problems)
    return out


# --------------------------------------------------------------------------------------------
# Writing TOML
# --------------------------------------------------------------------------------------------


def _toml_ready(v: Any) -> Any:
    """``v`` checked for TOML: text, whole numbers, finite floats, booleans, dates, and lists
    and tables of them (keys as text); anything else is a ParameterError."""
    if isinstance(v, (bool, int, str, dt.date)):
        return v
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ParameterError(f"cannot write {v!r} to TOML")
        return v
    if isinstance(v, (list, tuple)):
        return [_toml_ready(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _toml_ready(x) for k, x in v.items()}
    raise ParameterError(f"cannot write {type(v).__name__} to TOML")


def _toml_document(d: Mapping[str, Any]) -> str:
    """A scenario's dict as TOML text (tomli-w) that tomllib reads back to equal values:
    plain keys first, then tables and arrays of tables."""
    return tomli_w.dumps(_toml_ready(d))
