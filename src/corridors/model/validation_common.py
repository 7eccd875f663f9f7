"""Checks shared by the validation of places, links and tables: slugs and duplicate ids,
enumerated values, source ids and confidence levels, and the per-distinct-value row test
that lets each check run over whole columns.

Part of :mod:`corridors.model.validation`, which re-exports these names.
"""

from __future__ import annotations

import difflib
import itertools
import operator
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from .coerce import _RecordNames
from .schema import CONFIDENCE_LEVELS

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")


def _enum(
    value: Any, allowed: tuple[str, ...], file: str, rec: str, fld: str, problems: list[Problem]
) -> None:
    if value is not None and value not in allowed:
        problems.append(
            Problem(
                file, rec, fld, f"{value!r} is not allowed; allowed values: " + ", ".join(allowed)
            )
        )


def _rows_where(
    s: pd.Series, test: Any, cache: dict[Any, tuple[np.ndarray, Any]] | None = None
) -> np.ndarray:
    """Bool per row: ``test(value)``, evaluated once per distinct value (missing values one
    by one, as they are). ``cache`` keeps each column's factorization by column name, for
    several tests of one column."""
    n = len(s)
    factorized = cache.get(s.name) if cache is not None else None
    if factorized is None:
        factorized = pd.factorize(s, use_na_sentinel=True)
        if cache is not None:
            cache[s.name] = factorized
    codes, uniques = factorized
    per_value = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    out = np.zeros(n, dtype=bool)
    known = codes >= 0
    out[known] = per_value[codes[known]]
    if not known.all():
        values = s.to_numpy(dtype=object)
        unknown = np.flatnonzero(~known)
        none = np.fromiter(
            map(operator.is_, values[unknown], itertools.repeat(None)),
            dtype=bool,
            count=len(unknown),
        )
        if none.any():  # often most of them (an optional column left empty)
            out[unknown[none]] = bool(test(None))
            unknown = unknown[~none]
        singletons: dict[int, bool] = {}  # pd.NA, tested once
        for i in unknown.tolist():
            v = values[i]
            if v is None or v is pd.NA:
                hit = singletons.get(id(v))
                if hit is None:
                    hit = singletons[id(v)] = bool(test(v))
                out[i] = hit
            else:
                out[i] = bool(test(v))
    return out


def _bad_enum(
    s: pd.Series,
    allowed: tuple[str, ...],
    cache: dict[Any, tuple[np.ndarray, Any]] | None = None,
) -> np.ndarray:
    """Rows for which :func:`_enum` reports a problem."""
    return _rows_where(s, lambda v: v is not None and v not in allowed, cache)


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


def _all_slugs(ids: list[Any]) -> bool:
    """True when every id that is not None matches :data:`_ID_RE`, tested on all ids joined
    by newlines at once (C loops over one string): only slug characters and newlines, and no
    id empty or starting with ``_`` or ``-``. False means "test each id" (any other text,
    a newline inside an id included, goes to the regular expression)."""
    types = set(map(type, ids))  # C loops, no Python test per id
    if not types <= {str, type(None)}:
        return False
    given = [v for v in ids if v is not None] if type(None) in types else ids
    joined = "\n".join(given)
    if not given:
        return True
    return (
        joined != ""
        and set(joined) <= _SLUG_CHARS | {"\n"}
        and joined.count("\n") == len(given) - 1
        and not joined.startswith(("_", "-", "\n"))
        and not joined.endswith("\n")
        and "\n\n" not in joined
        and "\n_" not in joined
        and "\n-" not in joined
    )


def _check_ids(df: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    ids = df["id"].tolist()
    slug = (
        np.ones(len(ids), dtype=bool)
        if _all_slugs(ids)
        else np.fromiter(
            (v is None or _ID_RE.match(v) is not None for v in ids), dtype=bool, count=len(ids)
        )
    )
    # the first row of each id (the row the row-by-row check remembers): factorize numbers
    # the ids in order of first appearance, so first rows in order are those of codes 0, 1, ...
    codes, _ = pd.factorize(df["id"], use_na_sentinel=True)
    has = codes >= 0
    first = np.arange(len(ids))
    if has.any():
        is_first = has & ~pd.Series(codes).duplicated().to_numpy()
        first[has] = np.flatnonzero(is_first)[codes[has]]
    flagged = np.flatnonzero(~slug | (first != np.arange(len(ids))))
    for i in flagged.tolist():
        v = ids[i]
        if v is None:
            continue
        if not _ID_RE.match(v):
            problems.append(
                Problem(
                    file, f"id {v!r}", "id", "ids are slugs: lower-case letters, digits, '_' or '-'"
                )
            )
        if first[i] != i:
            problems.append(
                Problem(
                    file, f"id {v!r}", "id", f"duplicate id (rows {int(first[i]) + 1} and {i + 1})"
                )
            )


def _check_source(
    df: pd.DataFrame,
    names: _RecordNames | Sequence[str],
    file: str,
    sources: Mapping[str, str] | None,
    problems: list[Problem],
) -> None:
    if "confidence" in df.columns:
        confidence = df["confidence"]
        values = confidence.tolist()
        for i in np.flatnonzero(_bad_enum(confidence, CONFIDENCE_LEVELS)).tolist():
            _enum(values[i], CONFIDENCE_LEVELS, file, names[i], "confidence", problems)
    if not sources or "source" not in df.columns:
        return
    unknown: dict[str, list[str]] = {}  # source cell -> its ids not in sources, in order

    def bad_ids(src: Any) -> list[str]:
        if src is None:
            return []
        hit = unknown.get(src)
        if hit is None:
            hit = [sid for sid in (s.strip() for s in src.split(";")) if sid and sid not in sources]
            unknown[src] = hit
        return hit

    column = df["source"]
    values = column.tolist()
    hints: dict[str, str] = {}
    for i in np.flatnonzero(_rows_where(column, lambda v: bool(bad_ids(v)))).tolist():
        for sid in bad_ids(values[i]):
            if sid not in hints:
                close = difflib.get_close_matches(sid, list(sources), n=3)
                hints[sid] = f"; did you mean {', '.join(close)}?" if close else ""
            problems.append(
                Problem(
                    file,
                    names[i],
                    "source",
                    f"source id {sid!r} is not defined in SOURCES.md{hints[sid]}",
                )
            )
