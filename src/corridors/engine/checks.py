"""Argument checks for the public entry points: types and ranges, raising the library's errors.

Each check names the argument and says what it takes, so a caller never sees a TypeError or
AttributeError from deep inside the library. Types are :class:`ParameterTypeError` (a
``TypeError``), ranges :class:`ParameterError` (a ``ValueError``), documented limits
:class:`RequestTooLargeError`.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from ..costs.cargo import Cargo
from ..errors import ParameterError, ParameterTypeError, RequestTooLargeError
from ..model.network import Network

__all__ = [
    "MAX_K",
    "MAX_SIM_DRAWS",
    "MAX_CLOSURE_DAYS",
    "check_network",
    "check_place",
    "check_names",
    "check_int",
    "check_real",
    "check_bool",
    "check_str",
    "check_keywords",
    "check_cargo",
    "check_limit",
]

#: Most alternatives one call returns (``alternatives(k=...)``, ``--k``).
MAX_K = 50
#: Most Monte Carlo route-runs one ``simulate`` call draws (runs x routes); about 80 MB of
#: times at 8 bytes a draw, checked before anything is allocated.
MAX_SIM_DRAWS = 10_000_000
#: Longest closure in days (ten years).
MAX_CLOSURE_DAYS = 3650.0


def _type_name(v: Any) -> str:
    return type(v).__name__


def check_network(net: Any, arg: str = "net") -> None:
    """``net`` must be a :class:`~corridors.model.network.Network`."""
    if not isinstance(net, Network):
        raise ParameterTypeError(
            f"{arg} must be a corridors Network (from load_network or "
            f"read_network), got {_type_name(net)}"
        )


def check_place(v: Any, arg: str) -> str:
    """A place argument: a non-empty string (id, name or alias)."""
    if not isinstance(v, str):
        raise ParameterTypeError(
            f"{arg} must be a place id, name or alias (a string), got {_type_name(v)} {v!r}"[:200]
        )
    if not v.strip():
        raise ParameterError(f"{arg} is empty; give a place id, name or alias")
    return v


def check_str(v: Any, arg: str, *, optional: bool = False) -> str | None:
    """A string argument (None allowed when ``optional``)."""
    if v is None and optional:
        return None
    if not isinstance(v, str):
        raise ParameterTypeError(f"{arg} must be a string, got {_type_name(v)} {v!r}"[:200])
    return v


def check_names(v: Any, arg: str) -> None:
    """None, a string, or an iterable of strings (not a mapping, not bytes)."""
    if v is None or isinstance(v, str):
        return
    if isinstance(v, (bytes, Mapping)) or not isinstance(v, Iterable):
        raise ParameterTypeError(f"{arg} takes a string or a list of strings, got {_type_name(v)}")
    for i, x in enumerate(v):
        if not isinstance(x, str):
            raise ParameterTypeError(
                f"{arg}[{i}] must be a string, got {_type_name(x)} {x!r}"[:200]
            )


def check_int(
    v: Any,
    arg: str,
    *,
    lo: int | None = None,
    hi: int | None = None,
    optional: bool = False,
    hint: str = "",
) -> int | None:
    """A whole number (not a bool, not a float) in ``[lo, hi]``; above ``hi`` is a
    :class:`RequestTooLargeError`."""
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ParameterTypeError(f"{arg} must be a whole number, got {_type_name(v)} {v!r}"[:200])
    n = int(v)
    if lo is not None and n < lo:
        raise ParameterError(f"{arg} must be >= {lo}, got {n}")
    if hi is not None and n > hi:
        raise RequestTooLargeError(
            f"{arg} must be <= {hi}, got {n}" + (f"; {hint}" if hint else "")
        )
    return n


def check_real(
    v: Any,
    arg: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    optional: bool = False,
    unit: str = "",
) -> float | None:
    """A finite real number in ``[lo, hi]`` (bools rejected)."""
    if v is None and optional:
        return None
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ParameterTypeError(f"{arg} must be a number, got {_type_name(v)} {v!r}"[:200])
    x = float(v)
    if not math.isfinite(x):
        raise ParameterError(f"{arg} must be a finite number, got {x!r}")
    u = f" {unit}" if unit else ""
    if lo is not None and x < lo:
        raise ParameterError(f"{arg} must be >= {lo:g}{u}, got {x:g}")
    if hi is not None and x > hi:
        raise RequestTooLargeError(f"{arg} must be <= {hi:g}{u}, got {x:g}")
    return x


def check_bool(v: Any, arg: str, *, optional: bool = False) -> bool | None:
    if v is None and optional:
        return None
    if not isinstance(v, bool):
        raise ParameterTypeError(f"{arg} must be True or False, got {_type_name(v)} {v!r}"[:200])
    return v


def check_cargo(v: Any, arg: str = "cargo") -> Any:
    """None, a :class:`~corridors.costs.Cargo`, or a cargo string (``20ft``, ``40ft``,
    ``tonne``, ``<N>t``) parsed with :meth:`Cargo.parse`."""
    if v is None or isinstance(v, Cargo):
        return v
    if isinstance(v, str):
        return Cargo.parse(v)
    raise ParameterTypeError(
        f"{arg} must be a Cargo or a string such as '40ft', '20ft', "
        f"'tonne' or '25t', got {_type_name(v)}"
    )


def check_keywords(fn: str, given: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """Every keyword in ``given`` must be one ``fn`` takes; a misspelt one is named with the
    closest allowed keyword."""
    allowed = sorted(allowed)
    for key in given:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            raise ParameterTypeError(
                f"{fn}() got an unexpected keyword argument {key!r}"
                + (f"; did you mean {close[0]!r}?" if close else "")
                + f" It takes: {', '.join(allowed)}"
            )


def check_limit(value: float, limit: float, what: str, hint: str) -> None:
    """Raise :class:`RequestTooLargeError` when ``value`` exceeds ``limit``."""
    if value > limit:
        raise RequestTooLargeError(
            f"{what} is {value:,.0f}, over the limit of {limit:,.0f}; {hint}"
        )
