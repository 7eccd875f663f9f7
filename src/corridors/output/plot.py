"""Charts and maps of routes, in one namespace: ``from corridors.output import plot``.

The charts live in :mod:`corridors.output.charts` (UNESCAP time/cost–distance charts, where
the time goes, distributions of simulated transit times; the ``plot`` extra), the maps in
:mod:`corridors.output.maps` (a static map, and an interactive one that works offline and
needs nothing beyond the core). This module gives the same names as before the split.
"""

from __future__ import annotations

from .charts import (
    _WHAT,
    MODE_STYLES,
    PALETTE,
    PART_COLOURS,
    STEP_LABEL_SHARE,
    TIME_PARTS,
    _as_routes,
    _colour_list,
    _labels,
    _place_labels,
    _pyplot,
    _short_label,
    corridor_colours,
    od_title,
    tcd_chart,
    textwrap_label,
    time_split_chart,
    transit_time_hist,
)
from .maps import (
    _MAP_CSS,
    _MAP_JS,
    OfflineMap,
    _fmt,
    _geom_paths,
    _marks,
    _svg_coords,
    basemap_path,
    explore,
    route_map,
    routes_frame,
    save_explore,
    save_map,
)

__all__ = [
    "tcd_chart",
    "route_map",
    "save_map",
    "explore",
    "save_explore",
    "transit_time_hist",
    "time_split_chart",
    "basemap_path",
    "routes_frame",
    "corridor_colours",
    "od_title",
    "OfflineMap",
    "PALETTE",
    "MODE_STYLES",
    "TIME_PARTS",
]

# names of release 0.1 that corridors._compat still resolves here
_REEXPORTED = (
    _WHAT,
    PART_COLOURS,
    STEP_LABEL_SHARE,
    _as_routes,
    _colour_list,
    _labels,
    _place_labels,
    _pyplot,
    _short_label,
    textwrap_label,
    _MAP_CSS,
    _MAP_JS,
    _fmt,
    _geom_paths,
    _marks,
    _svg_coords,
)
