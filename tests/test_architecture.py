"""The house: one-way layers, no import cycle, old paths that still work, work done once.

The layer contract itself is checked by import-linter (``lint-imports`` in ``.ci/run``, the
contracts in ``pyproject.toml``); these tests add what it does not: no cycle between any two
modules, every old module path of release 0.1 still resolves (with a FutureWarning), module
sizes, and ``compare`` routing each answer once.
"""

from __future__ import annotations

import ast
import importlib
import warnings
from pathlib import Path

import networkx as nx
import pytest

import corridors as cor
from corridors._compat import MOVED

PACKAGE = Path(cor.__file__).resolve().parent
# Route's display accessors (chart, map, notebook HTML) import output lazily, as geopandas
# does for plot and explore: the only upward imports (docs/architecture.md).
ACCESSORS = {
    ("corridors.routes.route", "corridors.output.plot"),
    ("corridors.routes.route", "corridors.output.export"),
}
MAX_MODULE_LINES = 800
DATA_MODULES = {"corridors._compat"}  # a table of old names, not code


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Modules of corridors this file imports at run time (TYPE_CHECKING blocks left out)."""
    tree = ast.parse(path.read_text())
    me = _module_name(path).split(".")
    package = me if path.name == "__init__.py" else me[:-1]
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("corridors"):
                continue
            for a in node.names:  # "from . import x" may name a submodule
                sub = f"{mod}.{a.name}"
                out.add(sub if (PACKAGE.parent / (sub.replace(".", "/") + ".py")).exists() else mod)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("corridors")}
    return out


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        src = _module_name(path)
        for dst in _imports(path):
            if dst != src and not src.startswith(dst + "."):  # a package's own __init__
                g.add_edge(src, dst)
    return g


def test_no_import_cycle_between_modules() -> None:
    g = _graph()
    g.remove_edges_from(ACCESSORS)
    cycles = list(nx.simple_cycles(g, length_bound=6))
    assert not cycles, f"import cycles: {cycles[:5]}"


def test_the_only_upward_imports_are_the_documented_accessors() -> None:
    order = ["model", "costs", "engine", "routes", "analysis", "output", "cli"]

    def layer(mod: str) -> int | None:
        parts = mod.split(".")
        return order.index(parts[1]) if len(parts) > 1 and parts[1] in order else None

    upward = {
        (a, b)
        for a, b in _graph().edges
        if layer(a) is not None and layer(b) is not None and layer(b) > layer(a)
    }
    assert upward == ACCESSORS


def test_modules_stay_readable_in_size() -> None:
    big = {}
    for path in PACKAGE.rglob("*.py"):
        n = len(path.read_text().splitlines())
        if n > MAX_MODULE_LINES and _module_name(path) not in DATA_MODULES:
            big[_module_name(path)] = n
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"


MAX_FUNCTION_LINES = 80


def test_functions_stay_readable_in_length() -> None:
    """No function body over 80 lines (counted from the first statement after the
    docstring)."""
    long = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = node.body[0]
                doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                start = first.end_lineno + 1 if doc else first.lineno
                n = node.end_lineno - start + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{_module_name(path)}.{node.name}"] = n
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_module_paths_resolve_with_a_future_warning(old: str) -> None:
    module = importlib.import_module(f"corridors.{old}")
    for name, new in MOVED[old].items():
        if name in vars(module):  # the new package of the same name has it (corridors.cli.main)
            continue
        with pytest.warns(FutureWarning, match=f"corridors.{new}.{name}"):
            value = getattr(module, name)
        assert value is getattr(importlib.import_module(f"corridors.{new}"), name)


def test_an_unknown_old_name_is_an_attribute_error() -> None:
    module = importlib.import_module("corridors.routing")
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


def test_every_public_name_imports_from_corridors_without_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in cor.__all__:
            getattr(cor, name)


def test_compare_of_the_flagship_file_routes_each_answer_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from corridors.analysis import compare as cmp
    from corridors.analysis import scenario as scen
    from corridors.analysis.scenario import load_scenarios

    flagship = (
        Path(__file__).resolve().parent.parent
        / "examples"
        / "scenarios"
        / "trans_iranian_vs_trans_afghan.toml"
    )
    net = cor.load_network()
    scens = load_scenarios(flagship, net=net)
    calls = {"route": 0, "alternatives": 0, "check": 0, "apply": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(cmp, "route", counted("route", cmp.route))
    monkeypatch.setattr(cmp, "alternatives", counted("alternatives", cmp.alternatives))
    monkeypatch.setattr(scen, "_check_against", counted("check", scen._check_against))
    monkeypatch.setattr(scen.Scenario, "apply", counted("apply", scen.Scenario.apply))
    result = cmp._compare(net, scens, simulate_runs=50, seed=1)
    answers = {
        (row["scenario"], row["origin"], row["destination"], row["minimize"])
        for row in result.frame.to_dict("records")
    }
    assert calls["route"] + calls["alternatives"] == len(answers)
    assert calls["apply"] == len(scens)
    assert calls["check"] == 0  # load_scenarios checked them against this network already
    assert len(result.routes) == len(result.frame)


def test_old_module_paths_do_not_shadow_the_functions_of_the_same_name() -> None:
    for old in sorted(MOVED):
        importlib.import_module(f"corridors.{old}")
    assert callable(cor.pareto) and callable(cor.simulate) and callable(cor.criticality)


def test_every_public_verb_has_a_doctested_example() -> None:
    """numpydoc Examples (run by --doctest-modules) on every public function of corridors
    and on its main classes."""
    import inspect

    main_classes = {"Network", "Route", "Scenario", "Cargo"}
    missing = [
        name
        for name in cor.__all__
        if (inspect.isfunction(getattr(cor, name)) or name in main_classes)
        and "Examples\n" not in (inspect.getdoc(getattr(cor, name)) or "")
    ]
    assert not missing, f"no Examples section: {missing}"
