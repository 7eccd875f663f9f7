"""Layer 4, routes: answers to "which way?" as plain values.

Enters: a Network, a query and the engine. Leaves: :class:`Route` and :class:`Leg` (values:
totals are sums of legs), from ``routing`` (route, alternatives, the explanations of a
NoRouteError), ``pareto``, ``skims`` (OD matrices), ``risk`` (a route's risk in money) and
``emissions`` (a route's CO2e). ``build`` turns an engine path into a Route.

May import: ``corridors.engine``, ``corridors.costs``, ``corridors.model`` and the shared
modules. The only upward imports are Route's lazy accessors for its chart, map and notebook
display (``tcd_chart``, ``explore``, ``_repr_html_``), as geopandas does for ``plot``.
"""
