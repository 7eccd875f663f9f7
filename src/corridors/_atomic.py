"""Atomic writes: a reader sees the old file (or folder) or the new one, never a mix.

Every file the library writes goes through this module. A file is written to a temporary
file in the same directory (same file system, so the rename is atomic), flushed and fsynced,
then renamed over the target with :func:`os.replace`; the directory is fsynced so the rename
itself survives a power cut. A folder is written to a temporary folder next to it and then
swapped in: on Linux with one ``renameat2(RENAME_EXCHANGE)`` call (the path always holds a
complete folder), elsewhere with two renames; the old folder is removed only after the new
one is in place.

On an error the temporary file or folder is removed and the error is raised as
:class:`~corridors.errors.WriteError` (an ``OSError``) naming the target. Temporary names
carry the writer's process id, ``.NAME.tmp-PID-XXXXXXXX``; leftovers of a process that was
killed (SIGKILL leaves no chance to clean up) are removed by the next write to the same
target once that process is gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

from .errors import WriteError

__all__ = [
    "atomic_path",
    "atomic_folder",
    "write_text_atomic",
    "write_bytes_atomic",
    "gdal_write_errors",
    "clean_stale",
]

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _tmp_name(target: Path, kind: str) -> Path:
    return target.parent / f".{target.name}.{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def clean_stale(target: Path) -> list[Path]:
    """Remove temporary files and folders left next to ``target`` by writers that were killed
    (their process no longer exists); return what was removed."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(?:tmp|old)-(\d+)-[0-9a-f]{8}(?:\..*)?$")
    removed: list[Path] = []
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        m = pattern.match(entry.name)
        if m and not _pid_alive(int(m.group(1))):
            _remove(entry)
            removed.append(entry)
    return removed


def _fsync_file(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(d: Path) -> None:
    if sys.platform == "win32":  # pragma: no cover - directories cannot be opened there
        return
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _target(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    parent = p.parent.resolve()
    return parent / p.name


def _wrap(err: OSError, target: Path, what: str) -> WriteError:
    reason = err.strerror or str(err)
    if err.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return WriteError(
        f"cannot write {what} {target}: {reason}; the previous content (if any) is unchanged",
        errno_=err.errno,
        filename=str(target),
    )


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    *,
    keep_suffix: bool = True,
    write_errors: tuple[type[BaseException], ...] = (),
    make_parents: bool = False,
) -> Iterator[Path]:
    """A temporary path next to ``path`` to write to; renamed over ``path`` on success.

    Use it with writers that take a path (pandas, pyogrio, matplotlib, folium). The
    temporary name keeps the target's suffix when ``keep_suffix`` (writers that choose a
    format by suffix); with ``make_parents`` missing parent folders are created. On success the file is fsynced and renamed into place; on any error
    it is removed and the original error propagates; an ``OSError``, or one of
    ``write_errors`` (what a writer library raises when its own writes fail, e.g. GDAL's on a
    full disk), as :class:`~corridors.errors.WriteError` naming ``path``.
    """
    target = _target(path)
    if target.is_dir():
        raise WriteError(
            f"cannot write file {target}: it is a directory",
            errno_=errno.EISDIR,
            filename=str(target),
        )
    if make_parents:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _wrap(err, target, "file") from err
    clean_stale(target)
    tmp = _tmp_name(target, "tmp")
    if keep_suffix and target.suffix:
        tmp = tmp.with_name(tmp.name + target.suffix)
    try:
        yield tmp
        if not tmp.exists():
            raise WriteError(
                f"cannot write file {target}: the writer produced no file",
                errno_=errno.EIO,
                filename=str(target),
            )
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except WriteError:
        _remove(tmp)
        raise
    except OSError as err:
        _remove(tmp)
        raise _wrap(err, target, "file") from err
    except BaseException as err:
        _remove(tmp)
        if write_errors and isinstance(err, write_errors):
            raise WriteError(
                f"cannot write file {target}: {err}; the previous content (if any) is unchanged",
                errno_=errno.EIO,
                filename=str(target),
            ) from err
        raise


def gdal_write_errors() -> tuple[type[BaseException], ...]:
    """The errors pyogrio raises when GDAL cannot write (for :func:`atomic_path`)."""
    import pyogrio.errors

    return (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    target = _target(path)
    with atomic_path(target) as tmp:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return target


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    return write_bytes_atomic(path, text.encode(encoding))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2``); False where unsupported."""
    if not sys.platform.startswith("linux"):  # pragma: no cover
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):  # pragma: no cover - old libc
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    e = ctypes.get_errno()
    if e in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # pragma: no cover - file system
        return False
    raise OSError(e, os.strerror(e), str(b))


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary folder next to ``path`` to fill; swapped in for ``path`` on success.

    Every file in it is fsynced before the swap. The old folder (if any) is removed only
    after the new one is in place. On any error the temporary folder is removed and
    ``path`` is left as it was.
    """
    target = _target(path)
    if target.exists() and not target.is_dir():
        raise WriteError(
            f"cannot write folder {target}: a file of that name exists",
            errno_=errno.ENOTDIR,
            filename=str(target),
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _wrap(err, target, "folder") from err
    clean_stale(target)
    tmp = _tmp_name(target, "tmp")
    try:
        tmp.mkdir()
        yield tmp
        for root, _dirs, files in os.walk(tmp):
            for f in files:
                fp = Path(root) / f
                if not fp.is_symlink():
                    _fsync_file(fp)
            _fsync_dir(Path(root))
        if target.exists():
            if _exchange(tmp, target):
                _fsync_dir(target.parent)
                _remove(tmp)  # now holds the old folder
                return
            old = _tmp_name(target, "old")
            os.replace(target, old)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
            _remove(old)
        else:
            os.replace(tmp, target)
            _fsync_dir(target.parent)
    except WriteError:
        _remove(tmp)
        raise
    except OSError as err:
        _remove(tmp)
        raise _wrap(err, target, "folder") from err
    except BaseException:
        _remove(tmp)
        raise
