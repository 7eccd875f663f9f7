"""corridors: multimodal freight corridors with border crossings, gauge breaks and risk.

>>> import corridors as cor
>>> net = cor.load_network()
>>> r = cor.route(net, "Karachi", "Moscow", minimize="cost_usd")  # doctest: +SKIP
"""

from __future__ import annotations

# Old module paths that share a name with a function of the package (corridors.pareto,
# corridors.simulate, corridors.criticality) are imported first, so that the functions below
# bind last and a later "import corridors.pareto" does not replace the function.
from . import criticality as _criticality_module  # noqa: F401
from . import pareto as _pareto_module  # noqa: F401
from . import simulate as _simulate_module  # noqa: F401
from .analysis.closures import ClosureChoice, closure_choice
from .analysis.compare import compare
from .analysis.criticality import corridor_criticality, criticality
from .analysis.scenario import Scenario
from .analysis.simulate import SimulationResult, simulate
from .costs.cargo import Cargo
from .errors import (
    AmbiguousPlaceError,
    CorridorsError,
    CrsError,
    NoRouteError,
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
from .routes.pareto import pareto
from .routes.risk import RouteRisk, route_risk
from .routes.route import Leg, Route
from .routes.routing import alternatives, route
from .routes.skims import route_matrix

__version__ = "0.1.0"

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
