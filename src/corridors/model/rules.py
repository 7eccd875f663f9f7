"""Link rules (``link_rules.csv``): dated closures and daily time windows of links.

A rule names links, the hours they are open each day (``"06:00-18:00"``, ``"22:00-06:00"``
across midnight, or ``"closed"``) and the dates it is in force (``valid_from``,
``valid_to``; either may be empty: since always, until further notice). What a rule does to
a route:

- ``closed``: the links are not used while the rule is in force.
- a window of ``w`` hours a day on a road whose vehicles drive ``D`` hours a day
  (``driving_day_h``): a leg that runs ``r`` hours takes ``r * D / min(D, w)`` hours, because
  only ``min(D, w)`` of the ``D`` driving hours of each day can be spent on the link. The
  extra ``r * (D / min(D, w) - 1)`` hours are the leg's ``window_h``. A window at least as
  long as the driving day costs nothing.

Which rules are in force for a query is judged on one day (:func:`reference_day`): the
query's ``date`` (a day, or the middle of a month or a year given as ``"2025-06"`` or
``"2025"``), else the middle of its ``year`` (1 July), else today.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .schema import _missing, split_list

__all__ = [
    "LinkRule",
    "parse_open_hours",
    "parse_rule_date",
    "reference_day",
    "link_rules",
    "rules_in_force",
    "window_extra_factor",
]

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")


def parse_open_hours(text: Any) -> float | None:
    """Hours a day a link is open: ``"06:00-18:00"`` -> 12.0, ``"22:00-06:00"`` -> 8.0
    (across midnight), ``"00:00-24:00"`` -> 24.0; ``"closed"`` -> None.

    Raises ``ValueError`` for anything else (a window of zero hours included: write
    ``closed``).

    >>> parse_open_hours("22:00-06:00"), parse_open_hours("closed")
    (8.0, None)
    """
    s = str(text).strip().lower()
    if s == "closed":
        return None
    m = _HOURS_RE.match(s)
    if not m:
        raise ValueError(f"{text!r} is not 'HH:MM-HH:MM' or 'closed'")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
        raise ValueError(f"{text!r}: hours are 00:00 to 24:00")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    minutes = (end - start) % (24 * 60) if end != start else 0
    if end == 24 * 60 and start == 0:
        minutes = 24 * 60
    if minutes == 0:
        raise ValueError(f"{text!r} is open no hour of the day: write 'closed'")
    return minutes / 60.0


def parse_rule_date(text: Any, *, end: bool = False) -> _dt.date:
    """The first (or, with ``end=True``, the last) day of ``"YYYY-MM-DD"``, ``"YYYY-MM"`` or
    ``"YYYY"``; a :class:`datetime.date` is returned as it is.

    Raises ``ValueError`` for anything else.

    >>> parse_rule_date("2025-02"), parse_rule_date("2025-02", end=True)
    (datetime.date(2025, 2, 1), datetime.date(2025, 2, 28))
    """
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    m = _DATE_RE.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    y = int(m.group(1))
    if m.group(3) is not None:
        return _dt.date(y, int(m.group(2)), int(m.group(3)))
    if m.group(2) is not None:
        month = int(m.group(2))
        first = _dt.date(y, month, 1)
        if not end:
            return first
        nxt = _dt.date(y + 1, 1, 1) if month == 12 else _dt.date(y, month + 1, 1)
        return nxt - _dt.timedelta(days=1)
    return _dt.date(y, 12, 31) if end else _dt.date(y, 1, 1)


def reference_day(
    date: Any = None, year: int | None = None, today: _dt.date | None = None
) -> _dt.date:
    """The day on which a query's link rules are judged.

    ``date`` given: that day, or the middle of the month (the 15th) or the year (1 July) it
    names. Else ``year``: 1 July of it. Else ``today`` (default: the system's date).

    >>> reference_day("2025-06"), reference_day(None, 2030)
    (datetime.date(2025, 6, 15), datetime.date(2030, 7, 1))
    """
    if date is not None:
        if isinstance(date, (_dt.date, _dt.datetime)):
            return parse_rule_date(date)
        m = _DATE_RE.match(str(date))
        if not m:
            raise ValueError(f"{date!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
        if m.group(3) is not None:
            return parse_rule_date(date)
        if m.group(2) is not None:
            return _dt.date(int(m.group(1)), int(m.group(2)), 15)
        return _dt.date(int(m.group(1)), 7, 1)
    if year is not None:
        return _dt.date(int(year), 7, 1)
    return today or _dt.date.today()


@dataclass(frozen=True)
class LinkRule:
    """One row of ``link_rules.csv`` as routing uses it."""

    id: str
    links: tuple[str, ...]
    mode: str
    open_h: float | None  # hours open a day; None: closed
    driving_day_h: float | None
    valid_from: _dt.date | None
    valid_to: _dt.date | None
    source: str

    @property
    def closes(self) -> bool:
        return self.open_h is None

    def in_force(self, day: _dt.date) -> bool:
        """Whether the rule applies on ``day`` (both ends of its validity included)."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to

    def describe(self) -> str:
        """``"rule 'id' (source; open 06:00-18:00 ...)"`` for messages."""
        span = f"from {self.valid_from or 'always'}" + (
            f" to {self.valid_to}" if self.valid_to else " until further notice"
        )
        what = "closed" if self.closes else f"open {self.open_h:g} h a day"
        return f"link rule {self.id!r} ({what}, {span}; source {self.source})"


def link_rules(tables: Mapping[str, pd.DataFrame]) -> tuple[LinkRule, ...]:
    """The rules of a network's (validated) ``link_rules`` table, in file order."""
    table = tables.get("link_rules")
    if table is None or table.empty:
        return ()
    out = []
    for rec in table.to_dict("records"):
        dd: Any = rec.get("driving_day_h")
        out.append(
            LinkRule(
                id=str(rec["id"]),
                links=tuple(split_list(rec["links"])),
                mode=str(rec["mode"]),
                open_h=parse_open_hours(rec["open_hours"]),
                driving_day_h=None if _missing(dd) else float(dd),
                valid_from=None
                if _missing(rec.get("valid_from"))
                else parse_rule_date(rec["valid_from"]),
                valid_to=None
                if _missing(rec.get("valid_to"))
                else parse_rule_date(rec["valid_to"], end=True),
                source=str(rec["source"]),
            )
        )
    return tuple(out)


def rules_in_force(rules: tuple[LinkRule, ...], day: _dt.date) -> tuple[LinkRule, ...]:
    """The rules that apply on ``day``."""
    return tuple(r for r in rules if r.in_force(day))


def window_extra_factor(open_h: float, driving_day_h: float) -> float:
    """Extra running time per running hour on a link open ``open_h`` hours a day for vehicles
    that drive ``driving_day_h`` hours a day: ``D / min(D, w) - 1`` (0 when ``w >= D``).

    >>> window_extra_factor(12.0, 16.0)
    0.33333333333333326
    >>> window_extra_factor(18.0, 16.0)
    0.0
    """
    return driving_day_h / min(driving_day_h, open_h) - 1.0
