"""Layer 5, analysis: what the routes mean for a shipper or a ministry.

Enters: Networks and routes. Leaves: frames and result values: ``simulate`` (Monte Carlo
of a route's time and cost), ``closures`` (wait or divert), ``criticality``, ``dependability``
(simulated comparison rows), ``backtest`` (the model against published journeys),
``indicators`` (CPMM and time/cost-distance series), ``scenario_parts``, ``scenario_file`` and
``scenario`` (a Scenario, its TOML form and how it changes a network) and ``compare``
(scenarios x pairs -> one tidy frame plus the routes behind it).

May import: ``corridors.routes`` and every layer below. No file is written here.
"""
