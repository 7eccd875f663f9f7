"""Hostile inputs for the fuzz tests: scenario TOML text, CLI argument vectors, network cells.

Each ``run_*`` function takes one generated input and returns what happened: ``"result"``, or
the name of the library error it raised (every one derives from ``CorridorsError``), or
``"usage"`` for an argparse usage error. Any other exception propagates: that is the bug the
fuzz tests look for. ``OUTCOMES`` counts what happened, per kind of input.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

import corridors as cor
from corridors.analysis.compare import compare
from corridors.analysis.scenario import load_scenarios
from corridors.analysis.scenario_parts import CLOSURE_KEYS, MULTIPLIER_KEYS, SCENARIO_KEYS
from corridors.cli.app import main
from corridors.errors import EXIT_INTERNAL, CorridorsError
from netfactory import build

OUTCOMES: dict[str, Counter[str]] = {
    "scenario_toml": Counter(),
    "cli_argv": Counter(),
    "network_cell": Counter(),
}


def record(kind: str, outcome: str) -> None:
    """Count an outcome; with ``CORRIDORS_FUZZ_REPORT`` set, rewrite that JSON file every 50
    inputs, so a long run that is stopped still leaves its counts."""
    OUTCOMES[kind][outcome] += 1
    target = os.environ.get("CORRIDORS_FUZZ_REPORT")
    if target and sum(OUTCOMES[kind].values()) % 50 == 0:
        write_report(Path(target))


def write_report(target: Path) -> None:
    counts = {k: dict(sorted(v.items())) for k, v in OUTCOMES.items() if v}
    totals = {k: sum(v.values()) for k, v in counts.items()}
    target.write_text(
        json.dumps({"totals": totals, "total": sum(totals.values()), "outcomes": counts}, indent=2)
    )


# --------------------------------------------------------------------------------------------
# scenario TOML text
# --------------------------------------------------------------------------------------------

NASTY_SCALARS = [
    '"x"',
    '""',
    "0",
    "-1",
    "1e308",
    "inf",
    "nan",
    "-0.0",
    "true",
    "5",
    '"20ft"',
    '"40ft"',
    '"7t"',
    '"tonne"',
    '"o"',
    '"d"',
    '"i1"',
    '"Herat"',
    '"time_h"',
    '"cost_usd"',
    '"avoid"',
    '"US"',
    "2030",
    "1799",
    "99999999999",
    '"2024-01-01"',
    "2024-01-01",
    '"\\u0000"',
    '"\u0661\u0665"',
    "[]",
    "{}",
    '["o", "d"]',
    '[["o", "d"]]',
    '[["o"]]',
    "[1, 2]",
    "{ road = 2 }",
    "1_5",
    '"' + "x" * 300 + '"',
]


def _toml_value(depth: int = 0) -> st.SearchStrategy[str]:
    scalars = st.sampled_from(NASTY_SCALARS)
    if depth >= 2:
        return scalars
    inner = _toml_value(depth + 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
        st.dictionaries(
            st.sampled_from(["mode", "place", "days", "ref", "x", "tariff"]), inner, max_size=3
        ).map(lambda d: "{ " + ", ".join(f"{k} = {v}" for k, v in d.items()) + " }"),
    )


KEYS = sorted(
    {
        *SCENARIO_KEYS,
        *CLOSURE_KEYS,
        *MULTIPLIER_KEYS,
        "title",
        "scenario",
        "bogus",
        "places",
        "ref",
        "scope",
        "from_id",
        "to_id",
        "mode",
        "coordinates",
    }
)


def _toml_line() -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(st.sampled_from(KEYS), _toml_value()).map(lambda kv: f"{kv[0]} = {kv[1]}"),
        st.sampled_from(
            [
                "[[scenario]]",
                "[[closures]]",
                "[[multipliers]]",
                "[[risk]]",
                "[[new_links]]",
                "[sanctions]",
                "[scenario]",
                "[[scenario.closures]]",
                "name = 1",
                'od = [["o", "d"]]',
                'od = [["o", "o"]]',
                "x = " + "[" * 400 + "]" * 400,
                "[" * 30,
                '"unterminated',
                "= 3",
                "a.b.c = 1",
            ]
        ),
        st.text(max_size=20),
    )


# A valid scenario, part by part; the fuzzer keeps most parts, drops some and replaces some
# values with hostile ones, so that generated files reach apply() and not only the parser.
TOP = [
    ("name", '"fuzz"'),
    ("description", '"generated"'),
    ("year", "2030"),
    ("cargo", '"20ft"'),
    ("cargo_value_usd", "50000"),
    ("od", '[["o", "d"], ["Herat", "d"]]'),
    ("objectives", '["time_h", "cost_usd"]'),
    ("k", "2"),
]
SECTIONS = [
    (
        "[[closures]]",
        [("crossing", '"i1"'), ("days", "30"), ("from", "2025-10-12"), ("notes", '"n"')],
    ),
    ("[[closures]]", [("place", '"Herat"'), ("days", "2.5")]),
    (
        "[[multipliers]]",
        [
            ("mode", '"road"'),
            ("country", '"IRN"'),
            ("tariff", "1.2"),
            ("speed", "0.9"),
            ("dwell", "2"),
        ],
    ),
    (
        "[[risk]]",
        [
            ("scope", '"country"'),
            ("ref", '"IRN"'),
            ("sanctions", '"US|UN"'),
            ("security_premium_pct", "1.0"),
            ("disruption_prob_per_trip", "0.1"),
        ],
    ),
    ("[sanctions]", [('"*"', '"surcharge"'), ("US", '"avoid"')]),
    (
        "[[new_links]]",
        [
            ("id", '"road_i1_i2_new"'),
            ("from_id", '"i1"'),
            ("to_id", '"i2"'),
            ("mode", '"road"'),
            ("kind", '"line"'),
            ("status", '"operational"'),
            ("source", '"test"'),
            ("distance_km", "1000"),
        ],
    ),
]


@st.composite
def scenario_texts(draw: Any) -> str:
    lines: list[str] = []

    def value(v: str) -> str:
        return draw(_toml_value()) if draw(st.integers(0, 11)) == 0 else v

    for k, v in TOP:
        if draw(st.integers(0, 9)):
            lines.append(f"{k} = {value(v)}")
    if draw(st.integers(0, 9)) == 0:
        lines.append(draw(_toml_line()))
    for head, items in draw(st.lists(st.sampled_from(SECTIONS), max_size=3)):
        lines.append(head)
        for k, v in items:
            if draw(st.integers(0, 9)):
                lines.append(f"{k} = {value(v)}")
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(_toml_line()))
    return "\n".join(lines) + "\n"


def run_scenario_toml(text: str, folder: Path, net: cor.Network) -> str:
    f = folder / "scenario.toml"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        scens = load_scenarios(f, net=net)
        for s in scens:
            s.apply(net)
            s.to_toml()
        compare(net, scens)
        outcome = "result"
    except CorridorsError as err:
        outcome = type(err).__name__
    record("scenario_toml", outcome)
    return outcome


# --------------------------------------------------------------------------------------------
# command lines
# --------------------------------------------------------------------------------------------

GOOD_PLACES = [
    "o",
    "d",
    "i1",
    "i2",
    "f1",
    "f2",
    "Herat",
    "Kandahar",
    "Origin",
    "Destination",
    "Mashhad",
    "Iran Gate",
]
PLACES = [*GOOD_PLACES, "nowhere", "", "o,d", "-", "--", "Herat,Kandahar"]
NUMBERS = [
    "0",
    "-1",
    "1",
    "2",
    "3",
    "51",
    "1000000",
    "1e20",
    "1e308",
    "nan",
    "inf",
    "-0",
    "1.5",
    "x",
    "1_5",
    "\u0661",
]
OPTIONS: dict[str, list[str]] = {
    "route": [
        "--minimize",
        "--k",
        "--avoid-country",
        "--avoid",
        "--avoid-link",
        "--avoid-crossing",
        "--avoid-passage",
        "--via",
        "--cross-at",
        "--modes",
        "--year",
        "--cargo",
        "--max-transfers",
        "--risk-aversion",
        "--sanctions",
        "--format",
    ],
    "pareto": [
        "--criteria",
        "--avoid-country",
        "--all",
        "--modes",
        "--year",
        "--cargo",
        "--format",
    ],
    "closure": ["--closed", "--days", "--minimize", "--cargo", "--format"],
    "simulate": ["--k", "--runs", "--seed", "--deadline-days", "--minimize", "--cargo", "--format"],
    "skim": ["--from", "--to", "--minimize", "--year", "--modes", "--avoid-country", "--format"],
    "places": ["--country", "--kind", "--format"],
}
VALUES = {
    "--minimize": ["cost_usd", "time_h", "distance_km", "generalized", "risk", "fast"],
    "--format": ["json", "csv", "table", "markdown", "xml"],
    "--modes": ["road", "rail", "road,rail", "air", ""],
    "--cargo": ["20ft", "40ft", "tonne", "5t", "-5t", "0t", "1e9t", "box"],
    "--criteria": ["time_h", "cost_usd", "risk", "distance_km", "time_h"],
    "--sanctions": ["avoid", "US=avoid", "=", "XX=bad"],
    "--avoid-country": ["IRN", "AFG", "PAK", "XX", "Iran", "TKM"],
    "--country": ["IRN", "AF", "XX", "Iran"],
    "--kind": ["city", "port", "airport"],
    "--avoid-passage": ["suez", "hormuz", "atlantis"],
}


@st.composite
def argvs(draw: Any) -> list[str]:
    cmd = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [cmd]
    if cmd in ("route", "pareto", "closure", "simulate"):
        ends = draw(
            st.sampled_from([["o", "d"], ["d", "o"], ["Origin", "Herat"], ["Kandahar", "Mashhad"]])
        )
        if draw(st.integers(0, 3)) == 0:
            ends = [draw(st.sampled_from(PLACES)), draw(st.sampled_from(PLACES))]
        argv += ends
    if cmd == "closure":
        argv += ["--closed", draw(st.sampled_from(["i1", "f1", "Herat", "o_i1", *PLACES]))]
    if cmd == "skim":
        argv += ["--from", draw(st.sampled_from(PLACES)), "--to", draw(st.sampled_from(PLACES))]
    if cmd == "simulate":
        argv += ["--runs", draw(st.sampled_from(["50", "0", "-1", "1e20", "100000000", "x"]))]
    for _ in range(draw(st.integers(0, 4))):
        opt = draw(st.sampled_from(OPTIONS[cmd]))
        if opt == "--all":
            argv.append(opt)
            continue
        pool = VALUES.get(
            opt,
            PLACES
            if opt
            in (
                "--avoid",
                "--via",
                "--cross-at",
                "--closed",
                "--from",
                "--to",
                "--avoid-link",
                "--avoid-crossing",
            )
            else NUMBERS,
        )
        junk = draw(st.integers(0, 5)) == 0
        argv += [opt, draw(st.text(max_size=6) if junk else st.sampled_from(pool))]
    return argv


def run_cli(argv: list[str], network: Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--network", str(network)])
    except SystemExit as exc:  # argparse: usage errors exit 2, --help 0
        assert exc.code in (0, 2), (argv, exc.code, err.getvalue())
        outcome = "usage"
    else:
        assert code != EXIT_INTERNAL, (argv, err.getvalue())
        assert code in (0, 2, 3, 74), (argv, code, err.getvalue())
        assert "Traceback" not in err.getvalue(), (argv, err.getvalue())
        formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"]
        if code == 0 and formats and formats[-1] == "json":  # the last --format wins
            json.loads(out.getvalue(), parse_constant=_reject_constant)
        outcome = {0: "result", 2: "exit 2", 3: "exit 3 (no route)", 74: "exit 74"}[code]
    record("cli_argv", outcome)
    return outcome


def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON output holds {name}")


# --------------------------------------------------------------------------------------------
# network table cells
# --------------------------------------------------------------------------------------------

CELLS = [
    "",
    " ",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "nan",
    "NaN",
    "inf",
    "1_5",
    "\u0661\u0665",
    "\uff11",
    "0x10",
    "1,5",
    "true",
    "null",
    "None",
    "*",
    "road",
    "air",
    "IRN",
    "o",
    "d",
    "x" * 200,
    '"',
    "\n",
    "\x00",
    "2030",
    "1799",
    "forward",
    "reverse",
    "both",
    "9" * 30,
]
TABLES = ["speeds.csv", "tariffs.csv", "crossings.csv", "operations.csv", "risk.csv"]


@st.composite
def cell_edits(draw: Any) -> tuple[str, int, int, str]:
    table = draw(st.sampled_from(TABLES + ["places.geojson", "links.geojson"]))
    row = draw(st.integers(0, 30))
    col = draw(st.integers(0, 20))
    value = draw(st.one_of(st.sampled_from(CELLS), st.text(max_size=8)))
    return table, row, col, value


def _edit_csv(f: Path, row: int, col: int, value: str) -> None:
    import csv

    with f.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    r = rows[1 + row % max(1, len(rows) - 1)] if len(rows) > 1 else rows[0]
    r[col % len(r)] = value
    with f.open("w", encoding="utf-8", newline="", errors="surrogatepass") as fh:
        csv.writer(fh).writerows(rows)


def _edit_geojson(f: Path, row: int, col: int, value: str) -> None:
    doc = json.loads(f.read_text("utf-8"))
    feats = doc["features"]
    props = feats[row % len(feats)]["properties"]
    keys = sorted(props)
    key = keys[col % len(keys)]
    props[key] = None if value == "null" else value
    f.write_text(json.dumps(doc), encoding="utf-8", errors="surrogatepass")


def run_network_cell(edit: tuple[str, int, int, str], base: Path, work: Path) -> str:
    table, row, col, value = edit
    folder = work / "net"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(base, folder)
    f = folder / table
    if f.suffix == ".csv":
        _edit_csv(f, row, col, value)
    else:
        _edit_geojson(f, row, col, value)
    try:
        net = cor.read_network(folder)
        cor.route(net, "o", "d", minimize="time_h")
        cor.route(net, "o", "d", minimize="cost_usd")
        outcome = "result"
    except CorridorsError as err:
        outcome = type(err).__name__
    record("network_cell", outcome)
    return outcome


def fuzz_network(folder: Path) -> tuple[cor.Network, Path]:
    net = build("two_corridors")
    path = cor.write_network(net, folder)
    return cor.read_network(path), path
