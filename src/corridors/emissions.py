"""Deprecated path: the names of ``corridors.emissions`` now live in the layer folders (see
:data:`corridors._compat.MOVED`); importing them from here warns and works until 0.3."""

from ._compat import moved_getattr

__getattr__ = moved_getattr("emissions")
