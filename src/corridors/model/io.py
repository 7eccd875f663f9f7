"""Reading and writing networks (a folder of GeoJSON/CSV files, or a GeoPackage); bundled data.

A network folder holds ``places.geojson``, ``links.geojson`` and optionally ``tariffs.csv``,
``speeds.csv``, ``crossings.csv``, ``operations.csv``, ``risk.csv``, ``network.toml`` and
``SOURCES.md`` (see ``docs/data-format.md``). A GeoPackage holds the layers ``places`` and
``links`` and the same tables as attribute-only layers, plus ``meta`` and ``sources``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io as _io
import json
import math
import os
import re
import shutil
import tomllib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import tomli_w

from .._atomic import atomic_folder, atomic_path, gdal_write_errors
from ..errors import Problem, ValidationError
from .network import Network
from .schema import LINK_FIELDS, PLACE_FIELDS, TABLE_FIELDS, TABLE_NAMES, FieldSpec
from .validation import prepare_frames, validate_corridors

__all__ = [
    "read_network",
    "write_network",
    "load_network",
    "bundled_networks",
    "bundled_path",
    "parse_sources_md",
]

BUNDLED_DEFAULT = "pak-russia"
_SOURCE_ID_RE = re.compile(r"\*\*\[([A-Za-z0-9_.:\-]+)\]\*\*")


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


def read_network(path: str | os.PathLike[str], *, validate: bool = True) -> Network:
    """Read a network from a folder of GeoJSON/CSV files or from a GeoPackage.

    Parameters
    ----------
    path : str or Path
        A folder with ``places.geojson`` and ``links.geojson`` (and optional tables), or a
        ``.gpkg`` file with layers ``places`` and ``links``.
    validate : bool, default True
        Kept for symmetry with tools that only inspect files; a network is always validated
        before it is returned, so ``False`` only skips the source-id cross-check.

    Returns
    -------
    Network

    Raises
    ------
    ValidationError
        Listing every problem in every file (unreadable files included), each with the file,
        the record id, the field and what is allowed.
    FileNotFoundError
        When ``path`` does not exist.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     again = cor.read_network(cor.write_network(net, Path(d) / "net.gpkg"))
    >>> again.fingerprint == net.fingerprint
    True
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(
            f"no network at {str(p)!r}: expected a folder with "
            "places.geojson and links.geojson, or a .gpkg file"
        )
    if p.is_dir():
        raw = _read_folder(p)
    elif p.suffix.lower() == ".gpkg":
        raw = _read_gpkg(p)
    else:
        raise ValidationError(
            [
                Problem(
                    str(p),
                    "(file)",
                    "",
                    "not a network: give a folder of GeoJSON/CSV files or a .gpkg file",
                )
            ]
        )
    problems: list[Problem] = raw["problems"]
    if raw["places"] is None or raw["links"] is None:
        raise ValidationError(problems, header=f"cannot read the network at {p}")
    sources = raw["sources"] if validate else None
    try:
        found: dict[str, Any] = {}
        places, links, tables, more = prepare_frames(
            raw["places"],
            raw["links"],
            raw["tables"],
            sources=sources or None,
            files=raw["files"],
            found=found,
        )
    except ValidationError as err:  # CRS problems stop early; report with the read problems
        raise ValidationError(problems + err.problems, header=f"problems found in {p}") from None
    problems = problems + more
    if "corridors" in raw["meta"]:
        validate_corridors(
            raw["meta"]["corridors"],
            raw["files"].get("corridors", str(p)),
            set(places.index),
            problems,
        )
    if problems:
        n = len(problems)
        raise ValidationError(problems, header=f"{n} problem{'s' if n != 1 else ''} found in {p}")
    net = Network(places, links, tables, meta=raw["meta"], sources=raw["sources"], origin=str(p))
    net._cache["validated"] = found  # reused by the first topology build
    return net


def _read_folder(folder: Path) -> dict[str, Any]:
    problems: list[Problem] = []
    files: dict[str, str] = {}
    out: dict[str, Any] = {
        "problems": problems,
        "files": files,
        "tables": {},
        "meta": {},
        "sources": {},
    }
    for layer in ("places", "links"):
        f = folder / f"{layer}.geojson"
        files[layer] = str(f)
        if not f.exists():
            problems.append(
                Problem(str(f), "(file)", "", f"missing: a network folder needs {layer}.geojson")
            )
            out[layer] = None
            continue
        out[layer] = _read_vector(f, None, problems)
    for name in TABLE_NAMES:
        f = folder / f"{name}.csv"
        if f.exists():
            files[name] = str(f)
            out["tables"][name] = _read_csv(f, problems)
    meta_file = folder / "network.toml"
    if meta_file.exists():
        meta = read_toml_file(meta_file, problems)
        if meta is not None:
            out["meta"] = meta
    cor_file = folder / "corridors.toml"
    if cor_file.exists():
        files["corridors"] = str(cor_file)
        doc = read_toml_file(cor_file, problems)
        if doc is not None:
            out["meta"]["corridors"] = doc.get("corridor", [])
    src_file = folder / "SOURCES.md"
    if src_file.exists():
        text = read_text_file(src_file, problems)
        if text is not None:
            out["sources"] = parse_sources_md(text)
    name = out["meta"].get("name", folder.name)
    if not isinstance(name, str):
        problems.append(
            Problem(str(meta_file), "name", "name", f"{name!r} is not a network name (a string)")
        )
    out["meta"]["name"] = str(name)
    return out


#: Largest text file (TOML, Markdown) the readers accept, in bytes.
MAX_TEXT_BYTES = 50_000_000


def read_text_file(f: Path, problems: list[Problem], *, what: str = "text") -> str | None:
    """The UTF-8 text of ``f``; on any failure (a folder, unreadable, too large, not UTF-8)
    a problem naming the file is appended and None returned."""
    try:
        size = f.stat().st_size
        if f.is_dir():
            raise IsADirectoryError(f"{f} is a folder, not a file")
        if size > MAX_TEXT_BYTES:
            problems.append(
                Problem(
                    str(f),
                    "(file)",
                    "",
                    f"{size:,} bytes: larger than the "
                    f"{MAX_TEXT_BYTES:,} bytes a {what} file may have",
                )
            )
            return None
        return f.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        problems.append(
            Problem(
                str(f),
                "(file)",
                "",
                f"not UTF-8 {what}: byte "
                f"{err.object[err.start : err.start + 1]!r} at offset {err.start}",
            )
        )
    except OSError as err:
        problems.append(Problem(str(f), "(file)", "", f"cannot be read: {err.strerror or err}"))
    return None


def read_toml_file(f: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """The TOML document in ``f``; on any failure (see :func:`read_text_file`, invalid TOML,
    nesting too deep for the parser) a problem naming the file is appended and None
    returned."""
    text = read_text_file(f, problems, what="TOML")
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        problems.append(Problem(str(f), "(file)", "", f"not valid TOML: {err}"))
    except RecursionError:
        problems.append(
            Problem(str(f), "(file)", "", "not valid TOML here: nested too deep to read")
        )
    return None


def _read_vector(f: Path, layer: str | None, problems: list[Problem]) -> gpd.GeoDataFrame | None:
    where = str(f) if layer is None else f"{f} (layer {layer})"
    try:
        with _gdal_warnings() as notes:
            gdf = gpd.read_file(f, layer=layer, engine="pyogrio")
    except Exception as err:  # pyogrio/GDAL raise several types for unreadable files
        problems.append(Problem(where, "(file)", "", f"cannot be read: {_short(err, notes)}"))
        return None
    if not isinstance(gdf, gpd.GeoDataFrame):
        problems.append(Problem(where, "(file)", "geometry", "has no geometry column"))
        return None
    return gdf


def _read_csv(f: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        # no newline translation: a quoted cell may hold a line break (\r\n, \r or \n)
        text = f.read_bytes().decode("utf-8")
        rows = list(csv.reader(_io.StringIO(text, newline="")))
    except (UnicodeDecodeError, csv.Error) as err:
        problems.append(Problem(str(f), "(file)", "", f"not a UTF-8 CSV file: {_short(err)}"))
        return None
    except OSError as err:
        problems.append(Problem(str(f), "(file)", "", f"cannot be read: {err.strerror or err}"))
        return None
    if not rows:
        problems.append(Problem(str(f), "(file)", "", "empty file: a header row is required"))
        return None
    header = [h.strip() for h in rows[0]]
    body = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            problems.append(
                Problem(str(f), f"line {i}", "", f"{len(r)} cells but the header has {len(header)}")
            )
            continue
        body.append(r)
    return pd.DataFrame(body, columns=header, dtype=object)


def _read_gpkg(f: Path) -> dict[str, Any]:
    problems: list[Problem] = []
    files = {"places": f"{f} (layer places)", "links": f"{f} (layer links)"}
    out: dict[str, Any] = {
        "problems": problems,
        "files": files,
        "tables": {},
        "meta": {},
        "sources": {},
        "places": None,
        "links": None,
    }
    import pyogrio  # here: a cached load_network() reads no file (issue 18)

    try:
        with _gdal_warnings() as notes:
            layers = {str(name) for name, _ in pyogrio.list_layers(f)}
    except Exception as err:
        problems.append(
            Problem(str(f), "(file)", "", f"cannot be read as a GeoPackage: {_short(err, notes)}")
        )
        return out
    for layer in ("places", "links"):
        if layer not in layers:
            problems.append(
                Problem(
                    str(f),
                    "(file)",
                    "",
                    f"missing layer {layer!r}; found: {', '.join(sorted(layers)) or 'none'}",
                )
            )
        else:
            out[layer] = _read_vector(f, layer, problems)
    for name in TABLE_NAMES:
        if name in layers:
            files[name] = f"{f} (layer {name})"
            table = _read_table_layer(f, name, problems)
            if table is not None:
                out["tables"][name] = table
    if "meta" in layers:
        meta = _read_table_layer(f, "meta", problems)
        if meta is not None and {"key", "value"} <= set(meta.columns):
            for k, v in zip(meta["key"], meta["value"]):
                try:
                    out["meta"][str(k)] = json.loads(v)
                except (TypeError, json.JSONDecodeError):
                    out["meta"][str(k)] = v
    if "sources" in layers:
        src = _read_table_layer(f, "sources", problems)
        if src is not None and {"id", "text"} <= set(src.columns):
            out["sources"] = {str(k): str(v) for k, v in zip(src["id"], src["text"])}
    out["meta"].setdefault("name", f.stem)
    return out


def _read_table_layer(f: Path, layer: str, problems: list[Problem]) -> pd.DataFrame | None:
    import pyogrio

    try:
        with _gdal_warnings() as notes:
            df = pyogrio.read_dataframe(f, layer=layer, read_geometry=False)
    except Exception as err:
        problems.append(
            Problem(f"{f} (layer {layer})", "(file)", "", f"cannot be read: {_short(err, notes)}")
        )
        return None
    return pd.DataFrame(df)


@contextlib.contextmanager
def _gdal_warnings() -> Iterator[list[str]]:
    """Collect the warnings GDAL emits (through pyogrio) while a file is read.

    pyogrio issues them from a C error handler: under ``-W error`` (``filterwarnings = error``)
    they would become unraisable exceptions instead of reaching the caller. When the read fails
    their text goes into the problem; when it succeeds they are issued again from here.
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield notes
        finally:
            notes.extend(str(w.message) for w in caught)
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=3)


def _short(err: BaseException, notes: Iterable[str] = ()) -> str:
    text = " ".join("; ".join([*notes, str(err)]).split())
    return (text[:300] + "...") if len(text) > 300 else (text or type(err).__name__)


def parse_sources_md(text: str) -> dict[str, str]:
    """Source id -> citation line, from a ``SOURCES.md`` whose entries start ``**[id]**``."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _SOURCE_ID_RE.search(line)
        if m:
            out[m.group(1)] = line[m.end() :].strip(" -:\t") or m.group(1)
    return out


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write_network(net: Network, path: str | os.PathLike[str]) -> Path:
    """Write a network to a folder (GeoJSON + CSV) or, for a ``.gpkg`` path, a GeoPackage.

    Writing is atomic (:mod:`corridors._atomic`): everything is written to a temporary file
    or folder next to ``path``, fsynced, then renamed (a folder swapped) into place, so a
    crash leaves the old network or the new one, never a mix and never nothing.
    Files in an existing folder that are not part of the network (build scripts, notes) are
    kept. Reading the result back gives the same network.

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     folder = cor.write_network(net, Path(d) / "my-network")
    ...     sorted(p.name for p in folder.glob("*.geojson"))
    ['links.geojson', 'places.geojson']
    """
    p = Path(path)
    if p.suffix.lower() == ".gpkg":
        _write_gpkg(net, p)
    else:
        _write_folder(net, p)
    return p


def _write_folder(net: Network, folder: Path) -> None:
    with atomic_folder(folder) as tmp:
        folder = tmp.parent / folder.name
        written = {"places.geojson", "links.geojson"}
        (tmp / "places.geojson").write_text(
            _geojson(net.places, PLACE_FIELDS, "places"), encoding="utf-8"
        )
        (tmp / "links.geojson").write_text(
            _geojson(net.links, LINK_FIELDS, "links"), encoding="utf-8"
        )
        for name, table in net.tables.items():
            (tmp / f"{name}.csv").write_text(_csv(table, TABLE_FIELDS[name]), encoding="utf-8")
            written.add(f"{name}.csv")
        meta = {k: v for k, v in net.meta.items() if k != "corridors"}
        if meta:
            (tmp / "network.toml").write_text(_toml(meta), encoding="utf-8")
            written.add("network.toml")
        if net.corridors:
            existing = folder / "corridors.toml"
            if _same_file_content(
                existing, lambda text: tomllib.loads(text).get("corridor") == net.corridors
            ):
                shutil.copy2(existing, tmp / "corridors.toml")  # keep its comments
            else:
                body = _toml({"corridor": list(net.corridors)})
                (tmp / "corridors.toml").write_text(body, encoding="utf-8")
            written.add("corridors.toml")
        if net.sources:
            existing = folder / "SOURCES.md"
            if _same_file_content(existing, lambda text: parse_sources_md(text) == net.sources):
                shutil.copy2(existing, tmp / "SOURCES.md")  # keep the hand-written document
            else:
                (tmp / "SOURCES.md").write_text(_sources_md(net.sources), encoding="utf-8")
            written.add("SOURCES.md")
        if folder.is_dir():
            for entry in folder.iterdir():
                stale_table = entry.name in {f"{n}.csv" for n in TABLE_NAMES} | {
                    "network.toml",
                    "SOURCES.md",
                    "corridors.toml",
                }
                if entry.name in written or stale_table:
                    continue
                if entry.is_dir():
                    shutil.copytree(entry, tmp / entry.name, symlinks=True)
                else:
                    shutil.copy2(entry, tmp / entry.name)


def _same_file_content(f: Path, same: Callable[[str], bool]) -> bool:
    """True when ``f`` is a readable UTF-8 file whose text ``same`` accepts (so it can be
    copied as it is); False for a missing, unreadable or unparsable file (it is rewritten)."""
    if not f.is_file():
        return False
    try:
        return bool(same(f.read_text("utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False


def _write_gpkg(net: Network, f: Path) -> None:
    import pyogrio

    with atomic_path(f, write_errors=gdal_write_errors(), make_parents=True) as tmp:
        _frame_for_file(net.places, PLACE_FIELDS).to_file(
            tmp, layer="places", driver="GPKG", engine="pyogrio"
        )
        _frame_for_file(net.links, LINK_FIELDS).to_file(
            tmp, layer="links", driver="GPKG", engine="pyogrio"
        )
        for name, table in net.tables.items():
            pyogrio.write_dataframe(_table_for_file(table, TABLE_FIELDS[name]), tmp, layer=name)
        if net.meta:
            meta = pd.DataFrame(
                {
                    "key": list(net.meta),
                    "value": [json.dumps(v, default=str) for v in net.meta.values()],
                }
            )
            pyogrio.write_dataframe(meta, tmp, layer="meta")
        if net.sources:
            src = pd.DataFrame({"id": list(net.sources), "text": list(net.sources.values())})
            pyogrio.write_dataframe(src, tmp, layer="sources")


def _ordered_columns(df: pd.DataFrame, fields: Iterable[FieldSpec]) -> list[str]:
    names = [s.name for s in fields]
    return names + [c for c in df.columns if c not in names and c != "geometry"]


def _frame_for_file(gdf: gpd.GeoDataFrame, fields: tuple[FieldSpec, ...]) -> gpd.GeoDataFrame:
    cols = _ordered_columns(gdf, fields)
    out = gpd.GeoDataFrame(
        gdf[cols].reset_index(drop=True), geometry=gdf.geometry.to_numpy(), crs=gdf.crs
    )
    return out


def _table_for_file(df: pd.DataFrame, fields: tuple[FieldSpec, ...]) -> pd.DataFrame:
    return df[_ordered_columns(df, fields)].reset_index(drop=True)


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    return str(v)


def _geojson(gdf: gpd.GeoDataFrame, fields: tuple[FieldSpec, ...], name: str) -> str:
    """Diff-friendly GeoJSON: one feature per line, floats written exactly (repr)."""
    cols = _ordered_columns(gdf, fields)
    lines = []
    records = zip(*(gdf[c].tolist() for c in cols), gdf.geometry.tolist())
    for rec in records:
        props = {c: _json_value(v) for c, v in zip(cols, rec[:-1])}
        geom = rec[-1]
        geometry = None if geom is None or geom.is_empty else shapely.geometry.mapping(geom)
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, allow_nan=False))
    head = json.dumps({"type": "FeatureCollection", "name": name})[:-1]
    return head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"


def _csv_value(v: Any) -> str:
    v = _json_value(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _csv(df: pd.DataFrame, fields: tuple[FieldSpec, ...]) -> str:
    cols = _ordered_columns(df, fields)
    lines = [_csv_row(cols)]
    for rec in zip(*(df[c].tolist() for c in cols)):
        lines.append(_csv_row([_csv_value(v) for v in rec]))
    return "".join(line + "\n" for line in lines)


def _csv_row(cells: Iterable[str]) -> str:
    # csv.writer with lineterminator="\n" leaves a cell holding a bare "\r" unquoted, which
    # then reads back as a line break; quote every cell with a delimiter, quote or line break.
    return ",".join(
        f'"{c.replace(chr(34), chr(34) * 2)}"' if any(ch in c for ch in ',"\r\n') else c
        for c in map(str, cells)
    )


def _toml_value(v: Any) -> Any:
    """``v`` as a value tomli-w writes: TOML's own types as they are (lists and tables
    through), keys as text, anything else as its text."""
    if isinstance(v, (bool, str, dt.date)):
        return v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, (list, tuple)):
        return [_toml_value(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): _toml_value(x) for k, x in v.items()}
    return str(v)


def _toml(doc: Mapping[str, Any]) -> str:
    """``doc`` as TOML text (tomli-w) that tomllib reads back to equal values."""
    return tomli_w.dumps(_toml_value(doc))


def _sources_md(sources: Mapping[str, str]) -> str:
    lines = ["# Sources", ""]
    lines += [f"- **[{k}]** {v}" for k, v in sources.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Bundled networks
# --------------------------------------------------------------------------------------------


def _bundled_roots() -> list[Path]:
    here = Path(__file__).resolve().parent.parent  # the corridors package
    return [
        here / "_data" / "networks",  # installed wheel
        here.parent.parent / "data" / "networks",  # source checkout (editable install)
    ]


def bundled_networks() -> list[str]:
    """Names of the networks shipped with the package.

    Examples
    --------
    >>> import corridors as cor
    >>> cor.bundled_networks()
    ['pak-russia']
    """
    names: set[str] = set()
    for root in _bundled_roots():
        if root.is_dir():
            names |= {d.name for d in root.iterdir() if (d / "places.geojson").exists()}
    return sorted(names)


def bundled_path(name: str = BUNDLED_DEFAULT) -> Path:
    """Folder of the bundled network ``name``.

    Raises
    ------
    ValueError
        When no bundled network has that name (the message lists those that exist).
    """
    for root in _bundled_roots():
        candidate = root / name
        if (candidate / "places.geojson").exists():
            return candidate
    available = bundled_networks()
    raise ValueError(
        f"no bundled network named {name!r}; available: "
        f"{', '.join(available) or 'none (the package data is missing: reinstall)'}"
    )


def load_network(name: str = BUNDLED_DEFAULT, *, cache: bool = True) -> Network:
    """Load a network shipped with the package (by default ``pak-russia``).

    The network as read and validated is kept on disk (:mod:`corridors.model.netcache`:
    ``$CORRIDORS_CACHE_DIR`` or the user cache folder), keyed by a hash of the network's
    files, the corridors sources and the library versions, so a later session loads it
    without parsing; a changed file gives another key, never a stale network.
    ``cache=False`` reads the files and writes nothing.

    Examples
    --------
    >>> import corridors as cor
    >>> net = cor.load_network()
    >>> net.place("Karachi").country
    'PAK'
    """
    folder = bundled_path(name)
    if not cache:
        return read_network(folder)
    from .netcache import load_cached

    return load_cached(folder, read_network)
