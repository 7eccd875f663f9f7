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
def test_example_script_runs(
    script: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "argv", [str(script), "--out", str(tmp_path)])
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out
    assert out.strip(), f"{script.name} printed nothing"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_example_notebook_runs(
    notebook: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
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
            raise AssertionError(
                f"{notebook.name}, code cell {i} failed: {err!r}\n{source}"
            ) from err


# Statements that produce no output in a notebook: a cell made only of these may store none.
_SILENT = (
    "Import",
    "ImportFrom",
    "Assign",
    "AnnAssign",
    "AugAssign",
    "FunctionDef",
    "AsyncFunctionDef",
    "ClassDef",
    "Assert",
    "Pass",
)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_example_notebook_outputs_stored(notebook: Path) -> None:
    """Notebooks are stored executed, so they read on a code host: every code cell that shows
    something (an expression, a print, a loop...) has its outputs, and none is an error."""
    import ast

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    for i, cell in enumerate(code_cells):
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        assert not errors, (
            f"{notebook.name}, code cell {i} stores an error: "
            f"{errors[0].get('ename')}: {errors[0].get('evalue')}"
        )
        body = ast.parse("".join(cell["source"])).body
        silent = all(type(node).__name__ in _SILENT for node in body)
        assert silent or outputs, (
            f"{notebook.name}, code cell {i} has no stored outputs: "
            "execute the notebook and save it with its outputs"
        )
