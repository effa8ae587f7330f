"""A fleet's shard map file, changed as a transaction. Pure Python.

Opening it takes an exclusive lock (``registry.shards.json.lock`` beside the map), then
reads the map, so nothing can change it until :meth:`ShardMapFile.close`: two synths of
one registry file never race. :meth:`ShardMapFile.commit` writes a new map the way every
state file is written (``atomic_files.replace_file``): a kill, a full disk or a second
process leaves the old map or the new one, never a mix or an empty file.
"""

from __future__ import annotations

import os
import stat
from os import PathLike
from pathlib import Path

from ...atomic_files import ExclusiveLock, LockBusy, lock_holder, replace_file
from ...errors import ConfigError, EcrConstructsError
from .placement import ShardMap

LOCK_SUFFIX = ".lock"
_READ_ONLY_HINT = "ecr-constructs synth --locked (or locked=True), which reads the map only"


class ShardMapBusyError(EcrConstructsError):
    """Another process (a synth of the same registry file) holds the shard map's lock."""


def real_map_path(path: str | PathLike[str]) -> Path:
    """``path`` with symbolic links followed (the map is written where a link leads);
    ``ConfigError`` for a link that leads nowhere: the map it stood for is lost, and a new
    one would move repositories."""
    if os.path.islink(path) and not os.path.exists(path):
        raise ConfigError(
            str(path),
            "the shard map is a symbolic link to a file that does not exist",
            given=os.readlink(path),
            allowed="restore the file it links to (or remove the link if this registry was "
            "never deployed)",
        )
    return Path(os.path.realpath(path))


def read_committed_map(path: Path) -> ShardMap:
    """The map at ``path``, read without the lock (nothing will be written: a map is always
    replaced whole, so this reads the old one or the new); ``ConfigError`` when missing."""
    previous = ShardMap.read(path)
    if previous is None:
        raise ConfigError(
            str(path),
            "the shard map is missing",
            allowed="a committed shard map: run ecr-constructs synth without --locked "
            "(or the app with locked=False) and commit the file it writes",
        )
    return previous


class ShardMapFile:
    """The shard map at ``path``, locked for a read-place-synthesize-write.

    :param lock_timeout: seconds to wait for another process's lock. Default: 0, refuse at
        once with ``ShardMapBusyError``; None: wait as long as it takes.
    :raises ShardMapBusyError: another process holds the lock.
    :raises ConfigError: the lock file can't be created, or the map can't be read
        (``ShardMap.read``).
    """

    def __init__(self, path: str | PathLike[str], *, lock_timeout: float | None = 0.0) -> None:
        self.path: Path = real_map_path(path)
        """The map's real path (symbolic links followed)."""
        lock_path = self.path.with_name(self.path.name + LOCK_SUFFIX)
        try:
            self._lock = ExclusiveLock(lock_path, timeout=lock_timeout)
        except LockBusy:
            holder = lock_holder(lock_path)
            raise ShardMapBusyError(
                str(lock_path),
                "another synth of this registry file holds the shard map's lock"
                + (f" (process {holder})" if holder else ""),
                allowed="retry when it has finished, or wait for it: --wait (lock_timeout=None)",
            ) from None
        except OSError as error:
            raise ConfigError(
                str(lock_path),
                f"cannot create the shard map's lock file: {error.strerror or error}",
                allowed=f"a writable directory beside the shard map, or {_READ_ONLY_HINT}",
            ) from None
        try:
            self.previous: ShardMap | None = ShardMap.read(self.path)
            """The map read under the lock; None when there was none."""
        except BaseException:
            self.close()
            raise

    def check_writable(self) -> None:
        """Refuse now, before anything is synthesized, a map that is read-only (no write
        permission for anyone, or none for this process)."""
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return
        if not stat.S_IMODE(mode) & 0o222 or not os.access(self.path, os.W_OK):
            raise ConfigError(
                str(self.path),
                "the shard map is read-only and must change",
                given=stat.filemode(mode),
                allowed=f"make it writable, or {_READ_ONLY_HINT} and fails when it is out of date",
            )

    def commit(self, shard_map: ShardMap) -> bool:
        """Write ``shard_map`` unless the file holds it already; True when written. The lock
        stays held until ``close``.

        :raises ConfigError: the map can't be written (the old one is unchanged).
        """
        if not self._lock.held:
            raise ConfigError(
                str(self.path),
                "the shard map file was closed before the commit",
                allowed="commit before close (or before the end of the with block)",
            )
        if shard_map == self.previous:
            return False
        self.check_writable()
        try:
            replace_file(self.path, shard_map.to_json().encode("utf-8"))
        except OSError as error:
            raise ConfigError(
                str(self.path),
                f"cannot write the shard map: {error.strerror or error}; it is unchanged",
                allowed="a writable directory with free space",
            ) from None
        self.previous = shard_map
        return True

    def close(self) -> None:
        """Release the lock (again: nothing). The end of the process releases it too."""
        self._lock.release()
