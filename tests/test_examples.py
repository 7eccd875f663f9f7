"""The examples run as users run them: every script in examples/ and every notebook's code."""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_example_script_runs(script: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", [str(script), "--out", str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed nothing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_example_notebook_runs(notebook: Path, monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    """Execute the code cells in order in one namespace (what 'Run all' does)."""
    monkeypatch.chdir(tmp_path)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, object] = {"__name__": "__main__"}
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    assert code_cells, f"{notebook.name} has no code"
    for i, cell in enumerate(code_cells):
        source = "".join(cell["source"])
        try:
            exec(compile(source, f"{notebook.name}[cell {i}]", "exec"), namespace)
        except Exception as err:  # pragma: no cover - the message is the point
            raise AssertionError(f"{notebook.name}, code cell {i} failed: {err!r}\n{source}") from err
