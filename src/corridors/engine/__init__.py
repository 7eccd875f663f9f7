"""Layer 3, the engine: the expanded graph, its per-edge weights and the exact search.

Enters: a Network and its cost rules. Leaves: arrays and edge paths, never a Route. Modules:
``topology`` (sub-nodes per service, edges, cached per network structure), ``weights`` (one
array per time and money component, per cargo), ``query`` (a validated :class:`Query` with
its constraints, name resolution of places and crossings), ``solver`` (masks per query and
the simple-path search on csgraph), ``search`` (the compiled relaxed Dijkstra and the exact
tie-breaking search), ``checks`` (argument checks shared by every public verb).

May import: ``corridors.costs``, ``corridors.model`` and the shared modules.
"""
