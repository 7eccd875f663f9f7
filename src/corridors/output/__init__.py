"""Layer 6, output: what a reader sees.

Enters: routes and analysis results. Leaves: text and Markdown tables (``tables``), charts
(``charts``) and maps (``maps``), both also in ``plot`` (the ``plot`` extra), GeoPackage /
GeoJSON / CSV exports (``export``). Every file is written atomically (``corridors._atomic``).

May import: ``corridors.analysis`` and every layer below.
"""
