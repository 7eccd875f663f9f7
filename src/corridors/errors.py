"""The exception tree of corridors.

Every error the library raises on purpose derives from :class:`CorridorsError` and from the
builtin exception a caller would expect (``ValueError``, ``KeyError``, ``ImportError``), so
``except ValueError`` keeps working for code that does not know this library.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CorridorsError",
    "ValidationError",
    "CrsError",
    "Problem",
    "UnknownPlaceError",
    "AmbiguousPlaceError",
    "ParameterError",
    "ParameterTypeError",
    "RequestTooLargeError",
    "WriteError",
    "NoRouteError",
    "OptionalDependencyError",
    "EXIT_OK",
    "EXIT_BAD_INPUT",
    "EXIT_NO_ROUTE",
    "EXIT_INTERNAL",
    "EXIT_CANNOT_WRITE",
    "EXIT_INTERRUPTED",
    "exit_code",
]

#: Exit codes of the ``corridors`` command (see ``corridors --help``).
EXIT_OK = 0
EXIT_BAD_INPUT = 2  # the command line, a data file, a scenario or a parameter is wrong
EXIT_NO_ROUTE = 3  # the query is valid but no route satisfies it
EXIT_INTERNAL = 70  # a bug in corridors (sysexits EX_SOFTWARE)
EXIT_CANNOT_WRITE = 74  # an output file could not be written (sysexits EX_IOERR)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class CorridorsError(Exception):
    """Base class of every error raised by corridors."""


@dataclass(frozen=True)
class Problem:
    """One problem found while validating a network.

    Attributes
    ----------
    file : str
        File (or layer, or ``<memory>``) the record comes from.
    record : str
        Record id, or ``row N`` for tables without ids.
    field : str
        Field (column) the problem is about; empty when it is about the whole record.
    message : str
        What is wrong and what is allowed.
    """

    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.record}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class ValidationError(CorridorsError, ValueError):
    """A network (or a parameter table) is invalid.

    ``problems`` lists every problem found, not just the first; ``str(err)`` prints them all,
    one per line, each naming the file, the record, the field and what is allowed.
    """

    def __init__(self, problems: Iterable[Problem], *, header: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = header or f"{n} problem{'s' if n != 1 else ''} found in the network"
        lines = [head + ":"] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class CrsError(ValidationError):
    """Geometry without a coordinate reference system, or not in EPSG:4326."""


class UnknownPlaceError(CorridorsError, KeyError):
    """A place name, alias or id that the network does not know.

    ``suggestions`` holds the closest names the network does know.
    """

    def __init__(self, query: str, suggestions: Sequence[str] = (), *, message: str | None = None):
        self.query = query
        self.suggestions = list(suggestions)
        if message is None:
            message = f"unknown place {query!r}"
            if self.suggestions:
                message += "; closest names: " + ", ".join(self.suggestions)
            else:
                message += "; `corridors places` lists the places of the network"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would print the repr of the message
        return self.message


class AmbiguousPlaceError(UnknownPlaceError):
    """A name that matches several places; ``candidates`` lists their ids."""

    def __init__(self, query: str, candidates: Sequence[str]):
        self.candidates = list(candidates)
        msg = (
            f"place name {query!r} is ambiguous: it matches {', '.join(self.candidates)}; "
            "pass one of these ids instead"
        )
        super().__init__(query, self.candidates, message=msg)


class ParameterError(CorridorsError, ValueError):
    """A bad argument or a model parameter that is missing for the query at hand."""


class ParameterTypeError(ParameterError, TypeError):
    """An argument of the wrong type (the message names the argument and the expected type)."""


class RequestTooLargeError(ParameterError):
    """A request over one of the documented limits (``k``, runs x routes, pareto labels or
    time, closure days); the message names the argument, the limit and how to stay under it."""


class WriteError(CorridorsError, OSError):
    """A file or folder could not be written; the previous content at the path is unchanged.

    ``filename`` is the target path and ``errno`` the operating system's error number.
    """

    def __init__(
        self, message: str, *, errno_: int | None = None, filename: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errno = errno_
        self.filename = filename

    def __str__(self) -> str:
        return self.message


if TYPE_CHECKING:

    class NoRouteError(CorridorsError, nx.NetworkXNoPath):
        """No route satisfies the query (see :func:`_no_route_error`)."""

        reason: str | None

        def __init__(self, message: str, *, reason: str | None = None): ...


_NO_ROUTE_LOCK = threading.Lock()


def _no_route_error() -> type:
    """The class ``NoRouteError``, made on first use: it derives from networkx's
    ``NetworkXNoPath`` (so ``except networkx.NetworkXNoPath`` catches it), and importing
    networkx costs about 0.1 s, which ``import corridors`` does not pay (issue 18)."""
    with _NO_ROUTE_LOCK:
        made: type | None = globals().get("NoRouteError")
        if made is None:
            import networkx as nx

            class NoRouteError(CorridorsError, nx.NetworkXNoPath):  # type: ignore[no-redef]
                """No route satisfies the query; the message says which constraint removed
                the last one (``reason`` names it)."""

                def __init__(self, message: str, *, reason: str | None = None):
                    self.reason = reason
                    super().__init__(message)

            NoRouteError.__qualname__ = "NoRouteError"  # pickled as corridors.errors.NoRouteError
            globals()["NoRouteError"] = made = NoRouteError
        return made


def __getattr__(name: str) -> Any:
    if name == "NoRouteError":
        return _no_route_error()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class OptionalDependencyError(CorridorsError, ImportError):
    """A feature needs an optional extra that is not installed (the message names it)."""


def exit_code(err: BaseException) -> int:
    """The ``corridors`` exit code for an error: 3 no route, 74 an output that could not be
    written, 2 any other error of this library (bad data, parameters, places) or an input file
    that cannot be opened, 130 an interrupt, 70 anything else (a bug)."""
    if isinstance(err, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    no_route = globals().get("NoRouteError")  # not made yet: no error is one
    if no_route is not None and isinstance(err, no_route):
        return EXIT_NO_ROUTE
    if isinstance(err, WriteError):
        return EXIT_CANNOT_WRITE
    if isinstance(
        err,
        (CorridorsError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError),
    ):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL
