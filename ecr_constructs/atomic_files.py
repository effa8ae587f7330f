"""Files and directories replaced as transactions, and exclusive locks. Pure Python.

A kill at any instant leaves the old content or the new, never a mix:

- :func:`replace_file` writes a temporary file in the same directory, flushes and fsyncs it,
  renames it over the old file, then fsyncs the directory;
- :func:`replace_directory` puts a directory written aside in place of the old one with one
  atomic exchange (``renameat2(RENAME_EXCHANGE)`` on Linux), then removes the old one
  (:func:`directory_replaced` only once a ``with`` body succeeded, else puts it back);
- :class:`ExclusiveLock` holds ``flock(LOCK_EX)`` on a lock file, released when closed or when
  the process ends, however it ends.

A kill can leave a temporary file (``.NAME.*.tmp``) or directory behind: never the file
itself half-written.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import stat
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_POLL_SECONDS = 0.05
_LIBC = ctypes.CDLL(None, use_errno=True)


class LockBusy(Exception):
    """Another open file description holds the lock."""


def replace_file(path: Path, data: bytes) -> None:
    """Make ``data`` the content of ``path``, as a transaction (see the module).

    A new file gets the permissions of the process's umask; a replaced one keeps its own.
    :raises OSError: nothing was changed (the temporary file is removed).
    """
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    sync_directory(path.parent)


def replace_directory(new: Path, target: Path) -> None:
    """Put the directory ``new`` (beside ``target``, on the same file system) at ``target``,
    and remove the directory that was there.

    On Linux the two are exchanged in one step; elsewhere the old directory is renamed aside
    first, so a kill between the two renames leaves it, whole, at ``.NAME.*.old``.
    :raises OSError: ``target`` is unchanged.
    """
    with directory_replaced(new, target):
        pass


@contextmanager
def directory_replaced(new: Path, target: Path) -> Iterator[None]:
    """``replace_directory`` whose old directory is kept until the ``with`` body succeeds:
    an exception in the body puts it back (and removes ``new``) before it propagates, so a
    directory and a file that names its contents are replaced together or not at all."""
    if not target.exists():
        os.rename(new, target)
        old: Path | None = None
    elif _exchange(new, target):
        old = new
    else:
        old = target.with_name(f".{target.name}.{secrets.token_hex(4)}.old")
        os.rename(target, old)
        os.rename(new, target)
    try:
        yield
    except BaseException:
        if old is None:
            shutil.rmtree(target, ignore_errors=True)
        elif not (old == new and _exchange(new, target)):
            shutil.rmtree(target, ignore_errors=True)
            os.rename(old, target)
        if old == new:
            shutil.rmtree(new, ignore_errors=True)
        sync_directory(target.parent)
        raise
    if old is not None:
        shutil.rmtree(old)
    sync_directory(target.parent)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system can't."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (where the system allows fsync on it)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        with suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)


class ExclusiveLock:
    """An exclusive ``flock`` on ``path`` (created when missing, never deleted: deleting a
    lock file lets two processes lock two different files).

    :param timeout: seconds to wait for another holder. Default: 0, fail at once; None: wait
        as long as it takes.
    :raises LockBusy: another holder kept it past ``timeout``.
    :raises OSError: the lock file can't be created or opened.
    """

    def __init__(self, path: Path, *, timeout: float | None = 0.0) -> None:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        self._release = weakref.finalize(self, os.close, descriptor)
        try:
            _lock(descriptor, timeout)
        except BaseException:
            self._release()
            raise
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())

    def release(self) -> None:
        """Release the lock (again: nothing)."""
        self._release()

    @property
    def held(self) -> bool:
        return self._release.alive


def lock_holder(path: Path) -> str | None:
    """The process ID the holder of the lock at ``path`` wrote, if it can be read."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.isdigit() else None


def _lock(descriptor: int, timeout: float | None) -> None:
    if timeout is None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockBusy() from None
            time.sleep(_POLL_SECONDS)
