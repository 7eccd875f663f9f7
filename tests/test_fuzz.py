"""Fuzz: hostile scenario files, command lines and network cells give a library error or a
result, never another exception (and the command line never exits 70 or prints a traceback).

Bounded for CI: ``CORRIDORS_FUZZ_EXAMPLES`` examples per kind (default 30, well under a minute
in all). A larger run, with the outcome counts written to a JSON file::

    CORRIDORS_FUZZ_EXAMPLES=3400 CORRIDORS_FUZZ_REPORT=fuzz.json \\
        .venv/bin/python -m pytest -q tests/test_fuzz.py

(``CORRIDORS_FUZZ_EXAMPLES_NETWORK_CELL=...`` and the like set one kind's count.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import fuzz_inputs as fz

EXAMPLES = int(os.environ.get("CORRIDORS_FUZZ_EXAMPLES", "30"))


def _fuzz(kind: str) -> settings:
    """Settings for one kind of input; ``CORRIDORS_FUZZ_EXAMPLES_<KIND>`` overrides the
    count for that kind (the slow network cells can get fewer in a long run)."""
    n = int(os.environ.get(f"CORRIDORS_FUZZ_EXAMPLES_{kind.upper()}", EXAMPLES))
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=n <= 30,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, fz.cor.Network, Path]:
    work = tmp_path_factory.mktemp("fuzz")
    net, path = fz.fuzz_network(work / "base")
    return work, net, path


@_fuzz("scenario_toml")
@given(text=fz.scenario_texts())
def test_scenario_files(base: tuple[Path, fz.cor.Network, Path], text: str) -> None:
    fz.run_scenario_toml(text, base[0], base[1])


@_fuzz("cli_argv")
@given(argv=fz.argvs())
def test_command_lines(base: tuple[Path, fz.cor.Network, Path], argv: list[str]) -> None:
    fz.run_cli(argv, base[2])


@_fuzz("network_cell")
@given(edit=fz.cell_edits())
def test_network_cells(
    base: tuple[Path, fz.cor.Network, Path], edit: tuple[str, int, int, str]
) -> None:
    fz.run_network_cell(edit, base[2], base[0])


@pytest.fixture(scope="module", autouse=True)
def _report() -> object:
    yield None
    target = os.environ.get("CORRIDORS_FUZZ_REPORT")
    if target:
        fz.write_report(Path(target))
