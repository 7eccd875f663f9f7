"""Running the tasks of a sweep (scenarios of :func:`corridors.compare`, closures of
:func:`corridors.criticality`) serially or on an executor, with progress.

An executor is anything with ``submit`` (``concurrent.futures`` pools, a Dask
``distributed.Client`` or its ``get_executor()``). A Dask Client (anything with ``scatter``)
receives the network once per worker (``scatter(..., broadcast=True)``) and every task gets
the worker's copy, instead of a pickled network in each task. The scattered copy is kept
while the network lives: later sweeps of the same network on the same Client reuse it, and
with it what the workers have built for it (topology, weights), as a serial session does.
Other executors get a copy without caches in each task. On an executor a task that
fails gives its exception back in place of its result, so the caller reports it on its rows
and the other tasks' results are kept; serially, the exception propagates as from any call.
Results always come back in the order of the tasks.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterTypeError
from ..model.network import Network

__all__ = ["PROGRESS_MIN_TASKS", "Failed", "check_progress", "run_tasks"]

PROGRESS_MIN_TASKS = 10
"""With ``progress=None`` a bar shows from this many tasks, on an interactive stderr."""

Progress = bool | Callable[[int, int], Any] | None


@dataclass(frozen=True)
class Failed:
    """What a task that raised on an executor gives back: the exception's type and the first
    line of its message (``reason``), ready for a row's ``reason`` column."""

    reason: str

    @classmethod
    def of(cls, err: BaseException) -> Failed:
        return cls(f"{type(err).__name__}: {err}".splitlines()[0])


def check_progress(progress: Any) -> None:
    """Raise ParameterTypeError unless ``progress`` is None, a bool or a callable."""
    if progress is not None and not isinstance(progress, bool) and not callable(progress):
        raise ParameterTypeError(
            "progress must be True, False, None or a function progress(done, total), "
            f"got {type(progress).__name__}"
        )


class _Ticker:
    """Reports finished tasks: to a callable ``progress(done, total)``, or to a tqdm bar."""

    def __init__(self, progress: Progress, total: int, desc: str) -> None:
        self.total = total
        self.done = 0
        self.call: Callable[[int, int], Any] | None = None
        self.bar: Any = None
        if callable(progress) and not isinstance(progress, bool):
            self.call = progress
            return
        if progress is None:
            isatty = getattr(sys.stderr, "isatty", None)
            progress = total >= PROGRESS_MIN_TASKS and bool(isatty and isatty())
        if progress:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # optional: no tqdm, no bar
                return
            self.bar = tqdm(total=total, desc=desc, unit="task", file=sys.stderr, leave=False)

    def tick(self) -> None:
        self.done += 1
        if self.call is not None:
            self.call(self.done, self.total)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_tasks(
    fn: Callable[..., Any],
    net: Network,
    args: Sequence[tuple[Any, ...]],
    *,
    executor: Any = None,
    progress: Progress = None,
    desc: str = "tasks",
) -> list[Any]:
    """``[fn(net, *a) for a in args]``, serially or on ``executor``, in the order of ``args``.

    On an executor, a task that raises gives a :class:`Failed` in its place. ``fn`` must be
    a module-level function (picklable) for process pools and clusters.
    """
    ticker = _Ticker(progress, len(args), desc)
    out: list[Any] = []
    try:
        if executor is None:
            for a in args:
                out.append(fn(net, *a))
                ticker.tick()
            return out
        if callable(getattr(executor, "scatter", None)):  # Dask: the network once per worker
            shared = _scattered(executor, net)
            futures = [executor.submit(fn, shared, *a, pure=False) for a in args]
        else:
            copy = plain(net)
            futures = [executor.submit(fn, copy, *a) for a in args]
        for fut in futures:
            try:
                out.append(fut.result())
            except Exception as err:  # reported on the task's rows by the caller
                out.append(Failed.of(err))
            ticker.tick()
        return out
    finally:
        ticker.close()


_SCATTERED: weakref.WeakKeyDictionary[Network, tuple[Any, Any]] = weakref.WeakKeyDictionary()


def _scattered(client: Any, net: Network) -> Any:
    """The future of ``net``'s copy on every worker of ``client``: scattered on first use,
    then kept while ``net`` lives (one per network, for the last client used)."""
    hit = _SCATTERED.get(net)
    if hit is not None and hit[0] is client and getattr(hit[1], "status", "") == "finished":
        return hit[1]
    fut = client.scatter(plain(net), broadcast=True)
    _SCATTERED[net] = (client, fut)
    return fut


def plain(net: Network) -> Network:
    """The same network without its caches (small to pickle for an executor)."""
    return Network(
        net._places, net._links, net._tables, meta=net.meta, sources=net.sources, origin=net.origin
    )
