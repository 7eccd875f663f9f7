"""Coercion: give each known column of a network's frames its canonical type.

:func:`coerce_frame` converts every column the schema knows (numbers, booleans, lists,
gauges), appending a :class:`~corridors.errors.Problem` for each cell it cannot read;
:func:`parse_number` is the one strict reader of a number in a text cell.
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..errors import Problem
from .schema import (
    FieldSpec,
    _missing,
)

__all__ = ["coerce_frame", "parse_number", "MAX_MAGNITUDE"]


class _RecordNames:
    """Readable record names for messages, made on demand: the id when there is one, else
    the row number (the labels of :func:`_record_ids`, without building them all)."""

    def __init__(self, df: pd.DataFrame, key: str | tuple[str, ...] | None) -> None:
        keys = (key,) if isinstance(key, str) else tuple(key or ())
        self._single = isinstance(key, str)
        # the key columns, made lists when a message first needs a name (rarely, for a
        # large frame)
        self._series = [df[k] for k in keys if k in df.columns and df[k].ndim == 1]
        self._columns: list[list[Any]] | None = None
        self._n = len(df)

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i: int) -> str:
        if self._columns is None:
            self._columns = [s.tolist() for s in self._series]
        parts = [str(col[i]) for col in self._columns if not _missing(col[i])]
        if self._single and parts:
            return f"id {parts[0]!r}"
        if parts:
            return f"row {i + 1} ({', '.join(parts)})"
        return f"row {i + 1}"


def _record_ids(df: pd.DataFrame, key: str | tuple[str, ...] | None) -> list[str]:
    """Readable record names for messages: the id when there is one, else the row number."""
    names = _RecordNames(df, key)
    return [names[i] for i in range(len(names))]


def coerce_frame(
    df: pd.DataFrame,
    fields: tuple[FieldSpec, ...],
    file: str,
    problems: list[Problem],
    *,
    key: str | tuple[str, ...] | None = "id",
) -> pd.DataFrame:
    """Return a copy of ``df`` with every known column in its canonical type.

    Strings become Python ``str`` or ``None`` (empty strings are missing values), floats become
    float64 with NaN, integers pandas ``Int64``, booleans ``bool`` (missing means False).
    Values that cannot be converted, and required fields that are absent or empty, are
    appended to ``problems``; the offending cells become missing values. Unknown columns are
    kept as they are.
    """
    out = pd.DataFrame(index=df.index)
    dup = df.columns.duplicated()
    if dup.any():  # df[name] would be a frame; keep the first column of each name
        for name in dict.fromkeys(df.columns[dup]):
            problems.append(
                Problem(
                    file,
                    "(all records)",
                    str(name),
                    "column appears more than once; the first is used",
                )
            )
        df = df.loc[:, ~dup]
    names = _RecordNames(df, key)
    present = set(df.columns)
    for spec in fields:
        if spec.name not in present:
            if spec.required:
                problems.append(
                    Problem(
                        file, "(all records)", spec.name, "required field is missing from the file"
                    )
                )
            out[spec.name] = _empty_column(len(df), spec.type, out.index)
            continue
        column, missing, errors = _convert_column(df[spec.name], spec.type, out.index)
        rows = np.flatnonzero(missing).tolist() if spec.required else sorted(errors)
        for i in rows:
            if i in errors:
                problems.append(Problem(file, names[i], spec.name, errors[i]))
            else:
                problems.append(Problem(file, names[i], spec.name, "value is required"))
        out[spec.name] = column
    for extra in df.columns:
        if extra not in out.columns and extra != "geometry":
            out[extra] = df[extra]
    return out


_SLOW = object()  # a cell the whole-column conversion leaves to :func:`_convert`


def _convert_column(
    col: pd.Series, kind: str, index: pd.Index
) -> tuple[pd.Series, np.ndarray, dict[int, str]]:
    """Convert one column as :func:`_convert` converts each cell: return the typed column,
    which cells are missing after conversion, and the error of each cell that failed.

    Plain cells (numbers of a numeric column, ``str``, ``None`` and NaN of an object column,
    ``bool`` of a boolean column) are converted over the whole column at once; any other cell
    goes through :func:`_convert`, so values and messages are those of the cell-wise path.
    """
    errors: dict[int, str] = {}
    dtype = col.dtype
    numeric = isinstance(dtype, np.dtype) and dtype.kind in "iuf"
    if kind in ("float", "int") and numeric:
        x = col.to_numpy(dtype=float)
        nan = np.isnan(x)
        if kind == "float":
            ok = np.isfinite(x) & (np.abs(x) <= MAX_MAGNITUDE)
        else:
            ok = np.isfinite(x) & (x == np.floor(x)) & (np.abs(x) < 2.0**63)
        slow = ~ok & ~nan
        if slow.any():
            cells = col.tolist()
            for i in np.flatnonzero(slow).tolist():
                _, error = _convert(cells[i], kind)  # these cells never convert
                errors[i] = error or ""
        missing = ~ok
        if kind == "float":
            values = np.where(ok, x, np.nan)
            return pd.Series(values, dtype=float, index=index), missing, errors
        ints = np.where(ok, x, 1.0).astype(np.int64)
        return (
            pd.Series(pd.arrays.IntegerArray(ints, missing.copy()), index=index),
            missing,
            errors,
        )
    if kind == "str" and isinstance(dtype, pd.StringDtype):
        fast = _pandas_text_column(col)
    elif kind == "str" and isinstance(dtype, np.dtype) and dtype.kind == "O":
        fast = _text_column(col.to_numpy(dtype=object))
    else:
        fast = None
    if fast is not None:
        values, missing = fast
        return pd.Series(values, dtype=object, index=index), missing, errors
    cells = col.tolist()
    if kind == "str":
        conv = [
            (v.strip() or None)
            if type(v) is str
            else None
            if v is None or (type(v) is float and v != v)
            else _SLOW
            for v in cells
        ]
    elif kind == "bool" and isinstance(dtype, np.dtype) and dtype.kind == "b":
        values = col.to_numpy(dtype=bool)
        return (
            pd.Series(values, dtype=bool, index=index),
            np.zeros(len(values), dtype=bool),
            errors,
        )
    elif kind == "float":
        conv = [
            v
            if type(v) is float and -math.inf < v < math.inf
            else None
            if v is None or (type(v) is float and v != v)
            else _SLOW
            for v in cells
        ]
    elif kind == "bool":
        conv = [
            v if type(v) is bool else None if v is None or (type(v) is float and v != v) else _SLOW
            for v in cells
        ]
    else:
        conv = [None if v is None or (type(v) is float and v != v) else _SLOW for v in cells]
    for i, v in enumerate(conv):
        if v is _SLOW:
            converted, error = _convert(cells[i], kind)
            conv[i] = converted
            if error:
                errors[i] = error
    missing = np.fromiter((v is None for v in conv), dtype=bool, count=len(conv))
    return _typed_column(conv, kind, index), missing, errors


def _pandas_text_column(col: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_text_column` of a pandas ``str`` column, converting each distinct text once
    and sharing it between its cells (one Python object per distinct text, not per cell)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    conv = _text_column(np.asarray(uniques, dtype=object))
    if conv is None:
        return None
    values = np.concatenate([conv[0], np.array([None], dtype=object)])[codes]  # -1 -> None
    missing = (codes < 0) | np.concatenate([conv[1], [True]])[codes]
    return values, missing


def _text_column(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A text column whose cells are all ``str`` or missing (None, NaN, ``pd.NA``), converted
    as the cell-wise path converts it (stripped, empty text missing) without a Python test per
    cell; None for any other column (it then goes cell by cell)."""
    n = len(values)
    if infer_dtype(values, skipna=False) == "string":  # every cell a str
        text = values
        null = None
    else:
        null = pd.isna(values)
        # pd.isna also takes NaT and other nulls, which the cell-wise path writes as text
        nulls = values[null]
        none = np.fromiter(
            map(operator.is_, nulls, itertools.repeat(None)), dtype=bool, count=len(nulls)
        )
        if not all(v is pd.NA or isinstance(v, float) for v in nulls[~none]):
            return None
        text = values[~null]
        if len(text) and infer_dtype(text, skipna=False) != "string":
            return None
    stripped = np.fromiter(map(str.strip, text), dtype=object, count=len(text))
    if null is None:
        out = stripped
    else:
        out = np.full(n, None, dtype=object)
        out[~null] = stripped
    empty = out == ""
    out[empty] = None
    missing = empty if null is None else empty | null
    return out, np.asarray(missing, dtype=bool)


def _empty_column(n: int, kind: str, index: pd.Index) -> pd.Series:
    """``_typed_column([None] * n, kind, index)`` (a field absent from the file), made
    without a Python value per row."""
    if kind == "float":
        return pd.Series(np.full(n, np.nan), dtype=float, index=index)
    if kind == "int":
        ints = pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        return pd.Series(ints, index=index)
    if kind == "bool":
        return pd.Series(np.zeros(n, dtype=bool), dtype=bool, index=index)
    return pd.Series(np.full(n, None, dtype=object), dtype=object, index=index)


def _typed_column(values: list[Any], kind: str, index: pd.Index) -> pd.Series:
    if kind == "float":
        return pd.Series([np.nan if v is None else v for v in values], dtype=float, index=index)
    if kind == "int":
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    if kind == "bool":
        return pd.Series(
            [bool(v) if v is not None else False for v in values], dtype=bool, index=index
        )
    # object dtype: text keeps None (not NaN) for missing values
    return pd.Series(values, dtype=object, index=index)


MAX_MAGNITUDE = 1e12

_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_number(text: str, *, what: str = "a number") -> tuple[float | None, str | None]:
    """A number written in a data file, strictly: ASCII digits, an optional sign, decimal
    point and exponent (``12``, ``-3.5``, ``1e3``); return (number, None) or (None, error).

    Python's ``float`` would also take ``1_5`` (as 15), Unicode digits (``١٥``), ``nan`` and
    ``inf``; a data file that holds them is more likely wrong than meant, so they are errors
    (an empty cell is the missing value).
    """
    s = text.strip()
    if not _NUMBER_RE.fullmatch(s):
        return None, (
            f"expected {what} written with the digits 0-9 (like 12, 3.5 or 1e3; "
            f"empty for missing), got {text!r}"
        )
    x = float(s)
    if not math.isfinite(x):
        return None, f"expected a finite number, got {text!r}"
    return x, None


_TRUE = {"true", "1", "yes", "y", "t"}

_FALSE = {"false", "0", "no", "n", "f"}


def _convert(value: Any, kind: str) -> tuple[Any, str | None]:
    """Convert one cell; return (value or None, error message or None)."""
    if _missing(value):
        return None, None
    try:
        if kind == "str":
            if isinstance(value, (list, tuple, dict)):
                return None, f"expected text, got {type(value).__name__} {value!r}"
            return str(value).strip(), None
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError
            parsed, error = parse_number(value) if isinstance(value, str) else (None, None)
            if error:
                return None, error
            number = parsed if parsed is not None else float(value)
            if math.isnan(number):
                return None, None
            if not math.isfinite(number):
                return None, f"expected a finite number, got {value!r}"
            if abs(number) > MAX_MAGNITUDE:
                return None, (
                    f"{value!r} is implausibly large (more than {MAX_MAGNITUDE:g} in "
                    "magnitude): a unit or typing error?"
                )
            return number, None
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError
            parsed, error = (
                parse_number(value, what="a whole number")
                if isinstance(value, str)
                else (None, None)
            )
            if error:
                return None, error
            number = parsed if parsed is not None else float(value)
            if not number.is_integer():
                return None, f"expected a whole number, got {value!r}"
            if abs(number) >= 2**63:  # would overflow the Int64 column
                return None, f"whole number out of range, got {value!r}"
            return int(number), None
        if kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value), None
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value), None
            text = str(value).strip().lower()
            if text in _TRUE:
                return True, None
            if text in _FALSE:
                return False, None
            return None, f"expected true or false, got {value!r}"
    except (TypeError, ValueError, OverflowError):
        pass
    expected = {
        "float": "a number",
        "int": "a whole number",
        "str": "text",
        "bool": "true or false",
    }
    return None, f"expected {expected[kind]}, got {value!r}"
