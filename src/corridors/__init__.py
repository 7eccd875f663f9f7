"""corridors: multimodal freight corridors with border crossings, gauge breaks and risk.

>>> import corridors as cor
>>> net = cor.load_network()
>>> r = cor.route(net, "Karachi", "Moscow", minimize="cost_usd")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Old module paths that share a name with a function of the package (corridors.pareto,
# corridors.simulate, corridors.criticality) are loaded now and their names removed from the
# package, so that a later "import corridors.pareto" cannot replace the function, which
# __getattr__ below gives.
from . import criticality as _criticality_module  # noqa: F401
from . import pareto as _pareto_module  # noqa: F401
from . import simulate as _simulate_module  # noqa: F401
from .costs.cargo import Cargo
from .errors import (
    AmbiguousPlaceError,
    CorridorsError,
    CrsError,
    OptionalDependencyError,
    ParameterError,
    ParameterTypeError,
    Problem,
    RequestTooLargeError,
    UnknownPlaceError,
    ValidationError,
    WriteError,
)
from .model.io import bundled_networks, load_network, read_network, write_network
from .model.network import Link, Network, Place

if TYPE_CHECKING:
    from .errors import NoRouteError
    from .routes.risk import RouteRisk, route_risk
    from .routes.route import Leg, Route
    from .routes.routing import alternatives, route

for _name in ("criticality", "pareto", "simulate"):
    globals().pop(_name, None)
del _name

__version__ = "0.1.0"

# Routing and the analysis verbs load on first use, so that "import corridors" plus
# load_network() stays light (issue 18).
_LAZY = {
    "route": "routes.routing",
    "alternatives": "routes.routing",
    "Route": "routes.route",
    "Leg": "routes.route",
    "route_risk": "routes.risk",
    "RouteRisk": "routes.risk",
    "NoRouteError": "errors",  # derives from networkx.NetworkXNoPath: made on first use
    "ClosureChoice": "analysis.closures",
    "closure_choice": "analysis.closures",
    "compare": "analysis.compare",
    "corridor_criticality": "analysis.criticality",
    "criticality": "analysis.criticality",
    "Scenario": "analysis.scenario",
    "SimulationResult": "analysis.simulate",
    "simulate": "analysis.simulate",
    "pareto": "routes.pareto",
    "route_matrix": "routes.skims",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'corridors' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"corridors.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AmbiguousPlaceError",
    "Cargo",
    "ClosureChoice",
    "closure_choice",
    "criticality",
    "corridor_criticality",
    "Leg",
    "Route",
    "alternatives",
    "pareto",
    "route",
    "route_risk",
    "RouteRisk",
    "simulate",
    "SimulationResult",
    "Scenario",
    "compare",
    "route_matrix",
    "CorridorsError",
    "CrsError",
    "Link",
    "Network",
    "NoRouteError",
    "OptionalDependencyError",
    "ParameterError",
    "ParameterTypeError",
    "RequestTooLargeError",
    "WriteError",
    "Place",
    "Problem",
    "UnknownPlaceError",
    "ValidationError",
    "bundled_networks",
    "load_network",
    "read_network",
    "write_network",
    "__version__",
]
