"""corridors: multimodal freight corridors with border crossings, gauge breaks and risk.

>>> import corridors as cor
>>> net = cor.load_network()
>>> r = cor.route(net, "Karachi", "Moscow", minimize="cost_usd")  # doctest: +SKIP
"""

from __future__ import annotations

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
