"""``import corridors`` plus ``load_network()`` imports none of the heavy parts a first query
or an analysis needs (scipy, networkx, matplotlib, the analysis verbs; with the network cache,
neither the file reader nor the routing modules), and NoRouteError, made on first use, is
still one class deriving from networkx's NetworkXNoPath."""

from __future__ import annotations

import pickle
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print(' '.join(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_import_and_load_stay_light() -> None:
    mods = _modules_after("import corridors as cor; cor.load_network()")
    for heavy in ("scipy", "networkx", "matplotlib", "corridors.analysis.scenario"):
        assert heavy not in mods, heavy


def test_a_cached_load_reads_no_file_and_imports_no_routing() -> None:
    """The second session loads the bundled network from the on-disk cache (the tests' own
    $CORRIDORS_CACHE_DIR): no file reader (pyogrio) and no routing module is imported."""
    code = "import corridors as cor; cor.load_network()"
    _modules_after(code)  # writes the cache if this session's folder has none yet
    mods = _modules_after(code)
    for module in ("pyogrio", "corridors.routes.routing", "corridors.engine.solver"):
        assert module not in mods, module


def test_no_route_error_made_once_and_catchable_as_networkx() -> None:
    mods = _modules_after(
        "import corridors as cor, networkx as nx\n"
        "net = cor.load_network()\n"
        "try:\n"
        "    cor.route(net, 'Karachi', 'Moscow', modes=['sea'])\n"
        "except nx.NetworkXNoPath as err:\n"
        "    assert type(err) is cor.NoRouteError, type(err)\n"
        "    assert isinstance(err, cor.CorridorsError) and err.reason\n"
        "else:\n"
        "    raise SystemExit('no error')\n"
    )
    assert "networkx" in mods


def test_no_route_error_is_one_picklable_class() -> None:
    import networkx as nx

    import corridors as cor
    from corridors import errors
    from corridors.errors import NoRouteError, exit_code

    assert cor.NoRouteError is NoRouteError is errors.NoRouteError
    assert issubclass(NoRouteError, (cor.CorridorsError,)) and issubclass(
        NoRouteError, nx.NetworkXNoPath
    )
    err = NoRouteError("no way", reason="closure")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is NoRouteError and str(back) == "no way" and back.reason == "closure"
    assert exit_code(err) == errors.EXIT_NO_ROUTE
