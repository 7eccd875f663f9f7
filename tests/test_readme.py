"""The README stays true: its two commands, its coverage table and its tour code."""

from __future__ import annotations

import re
from pathlib import Path

import corridors as cor
from corridors.cli.network import coverage_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_two_commands() -> None:
    head = README.split("\n## ")[0]
    first_two = [body.strip() for lang, body in BLOCKS[:2]]
    assert all(b in head for b in first_two)
    install_and_run, install_and_test = first_two
    assert "pip install" in install_and_run and "corridors " in install_and_run
    assert "pip install" in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = BLOCKS[1][1].strip().replace("python3", '"$PY"')
    assert test_command in ci


def test_coverage_table_matches_the_bundled_network() -> None:
    assert coverage_markdown(cor.load_network()).strip() in README


def test_tour_code_runs() -> None:
    code = next(body for lang, body in BLOCKS if lang == "python")
    exec(compile(code, "README tour", "exec"), {"__name__": "__readme__"})


def test_ci_runs_the_readme_main_job() -> None:
    """The CI main job runs the README's flagship comparison with the same options (only the
    output folder differs)."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace("\\\n", " ")
    job = re.search(r"corridors (compare .*?) --out results/", BLOCKS[0][1])
    assert job is not None
    assert re.search(r"/bin/corridors " + re.escape(job.group(1)) + r"\s+--out ", ci)
    assert "--simulate-runs" in job.group(1) and "--deadline-days" in job.group(1)
