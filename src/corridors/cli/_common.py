"""Helpers every command shares: the network a command reads, JSON on standard output, and
the arguments several commands take (country codes, lists given as repeated or
comma-separated words)."""

from __future__ import annotations

from typing import Any

from .._json import dumps_json
from ..errors import CorridorsError
from ..model.io import load_network, read_network
from ..model.network import Network

__all__ = ["emit", "network", "iso3", "flat", "ISO2_TO_ISO3"]


def network(path: str | None) -> Network:
    """The network at ``path`` (a folder or GeoPackage), or the bundled one."""
    return load_network() if path is None else read_network(path)


def emit(obj: Any) -> None:
    """Print ``obj`` as JSON (NaN written as null)."""
    print(dumps_json(obj))


# ISO 3166-1 alpha-2 -> alpha-3 for the countries of the bundled region, so `--country PK` works.
ISO2_TO_ISO3 = {
    "AF": "AFG",
    "AM": "ARM",
    "AZ": "AZE",
    "CN": "CHN",
    "EG": "EGY",
    "GE": "GEO",
    "IN": "IND",
    "IR": "IRN",
    "KG": "KGZ",
    "KZ": "KAZ",
    "OM": "OMN",
    "PK": "PAK",
    "RU": "RUS",
    "TJ": "TJK",
    "TM": "TKM",
    "TR": "TUR",
    "AE": "ARE",
    "UZ": "UZB",
    "NL": "NLD",
    "DE": "DEU",
    "FI": "FIN",
}


def iso3(code: str) -> str:
    """An ISO 3166-1 alpha-3 country code from an alpha-3 or (in the bundled region) alpha-2
    one."""
    c = code.strip().upper()
    if len(c) == 2:
        if c not in ISO2_TO_ISO3:
            raise CorridorsError(
                f"unknown country code {code!r}; use ISO 3166-1 alpha-3 (e.g. PAK, IRN, AFG)"
            )
        return ISO2_TO_ISO3[c]
    if len(c) != 3 or not c.isalpha():
        raise CorridorsError(f"{code!r} is not a country code; use ISO 3166-1 alpha-3 (e.g. PAK)")
    return c


def flat(values: list[list[str]] | None) -> list[str]:
    """The words of an ``nargs="+", action="append"`` option, commas splitting them too."""
    out: list[str] = []
    for group in values or []:
        for v in group:
            out.extend(x.strip() for x in v.split(",") if x.strip())
    return out
