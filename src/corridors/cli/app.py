"""The ``corridors`` command line: a thin layer over the library. This module holds the parser,
:func:`main` and the one error handler; each command family is a module of its own
(``network``, ``route``, ``compare``, ``simulate``, ``skims``, ``criticality``, ``backtest``).

Exit codes (also in ``corridors --help``): 0 success; 2 bad input (the command line, a data
file, a scenario file or a parameter is wrong: the message names it); 3 no route satisfies the
query; 70 an internal error (a bug: a short message and where to report it; ``--debug`` prints
the traceback); 74 an output file could not be written (the old file is unchanged); 130
interrupted (Ctrl-C). ``corridors network validate`` exits 2 for an invalid network.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from .. import __version__
from ..errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CorridorsError,
    NoRouteError,
    ValidationError,
    exit_code,
)
from ..output.tables import format_table
from . import network as network_commands
from . import route as route_commands

__all__ = ["main", "format_table", "EXIT_CODES_HELP"]

EXIT_CODES_HELP = """exit codes:
  0    success
  2    bad input: the command line, a network or scenario file, or a parameter is wrong
       (the message names the file, record and field); also an invalid network in
       `network validate`
  3    no route satisfies the query (the message names the constraint)
  70   internal error, a bug in corridors: please report it (rerun with --debug for the
       traceback)
  74   an output file could not be written (disk full, read-only, a folder in the way);
       the previous file is unchanged
  130  interrupted (Ctrl-C)"""


def build_parser() -> argparse.ArgumentParser:
    """The ``corridors`` parser: every command family adds its subcommands (``network``,
    ``places``, ``route``, ``pareto``, ``closure``, ``simulate``, ``compare``, ``skim``,
    ``backtest``, ``criticality``); each sets ``func``, the function that runs it."""
    parser = argparse.ArgumentParser(
        prog="corridors",
        description="Multimodal freight corridors: routes, border crossings, gauge breaks.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"corridors {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="print the traceback of an internal error"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    network_commands.add_cli(sub)
    route_commands.add_cli(sub)

    from .backtest import add_cli as add_backtest
    from .compare import add_cli as add_compare
    from .criticality import add_cli as add_criticality
    from .simulate import add_cli as add_simulate
    from .skims import add_cli as add_skim

    add_simulate(sub)
    add_compare(sub)
    add_skim(sub)
    add_backtest(sub)
    add_criticality(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (see :data:`EXIT_CODES_HELP`).

    Every error ends here, in one handler: the library's own errors print their message
    (validation errors every problem) and exit 2, or 3 for no route, or 74 for an output that
    could not be written; anything else is a bug and exits 70 with a short message and a hint
    to report it (the traceback only with ``--debug``); Ctrl-C exits 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        _silence_stdout()
        return EXIT_OK
    except ValidationError as err:
        print(str(err), file=sys.stderr)
        return exit_code(err)
    except NoRouteError as err:
        print(f"no route: {err}", file=sys.stderr)
        return exit_code(err)
    except (
        CorridorsError,
        FileNotFoundError,
        IsADirectoryError,
        NotADirectoryError,
        PermissionError,
    ) as err:
        print(f"error: {err}", file=sys.stderr)
        return exit_code(err)
    except Exception as err:  # noqa: BLE001 - the one place that turns a bug into exit 70
        if debug:
            traceback.print_exc()
        first = (str(err).splitlines() or [""])[0][:200]
        print(
            f"internal error: {type(err).__name__}: {first}\n"
            f"This is a bug in corridors {__version__}; please report it on the "
            "project's issue tracker with the command line"
            + ("." if debug else " and the traceback that `corridors --debug ...` prints."),
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush does
    not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
