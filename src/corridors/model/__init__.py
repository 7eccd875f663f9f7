"""Layer 1, the model: what a network *is*, before anything is computed on it.

Enters: files (GeoJSON, GeoPackage, CSV, TOML) and frames. Leaves: a validated, immutable
:class:`~corridors.model.network.Network` (places, links, services and tables, with name
resolution). Modules: ``schema`` (fields, kinds, units of every table), ``validation`` (every
problem at once), ``network`` and ``io`` (read, write, bundled datasets).

May import: ``corridors.errors``, ``corridors.units``, ``corridors._atomic``,
``corridors._json``. Nothing else of corridors.
"""
