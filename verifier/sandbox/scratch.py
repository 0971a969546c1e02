"""The scratch folder of one run, and the sweep of those whose run was killed.

A run's sandbox copies the target into ``rda-run-*`` under the temporary directory and removes
it when the run ends. A run killed with ``kill -9`` (or by the OOM killer) removes nothing:
its throwaway databases are dropped by the next run, and so is its scratch folder here.

Whether a folder's run is still alive is known without pids (which the system reuses): the run
holds an exclusive ``flock`` on the folder's ``owner.lock`` for as long as its process lives, and
the kernel releases it when the process dies, however it dies. The sweep removes a folder only
when it is a real folder (no symlink) of this user, named ``rda-run-*``, and its lock can be
taken: a folder it cannot prove dead (another user's, one without a lock, one locked) is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import tempfile
from pathlib import Path

PREFIX = "rda-run-"
LOCK = "owner.lock"


class Scratch:
    """A fresh ``rda-run-*`` folder, locked by this process until ``remove()``."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX))
        # Locked before it gets its name, so that a sweep never sees it unlocked. O_CLOEXEC
        # (Python's default): the sandbox's processes do not inherit the lock.
        self._lock = os.open(self.path / f"{LOCK}.new", os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(self.path / f"{LOCK}.new", self.path / LOCK)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.close(self._lock)


def sweep(directory: str | None = None) -> list[Path]:
    """Remove the scratch folders of runs that died without removing them; returns them."""
    root = Path(directory or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        names = [name for name in os.listdir(root) if name.startswith(PREFIX)]
    except OSError:
        return removed
    for name in names:
        folder = root / name
        if _abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _abandoned(folder: Path) -> bool:
    try:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False  # no lock to test: not provably ours and dead
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its run holds the lock: alive
    finally:
        os.close(fd)  # closing releases the lock taken just now
    return True
