"""Private embedded clusters for the tests that start, stop, kill or break a server.

They never touch the shared default cluster other sessions use: each gets its own directory
(under /var/tmp when run as root, whose parents the server's system account can enter).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from verifier.db.binaries import running_as_root
from verifier.db.cluster import EmbeddedCluster
from verifier.db.embedded import EmbeddedProvider


@pytest.fixture(scope="session")
def cluster_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], Path]]:
    """A factory of fresh cluster directories; their servers are stopped and files removed."""
    made: list[Path] = []

    def make() -> Path:
        if running_as_root():
            directory = Path(tempfile.mkdtemp(prefix="rda-test-", dir="/var/tmp"))
            directory.chmod(0o755)  # our own directory: the server account must enter it
        else:
            directory = tmp_path_factory.mktemp("cluster")
        made.append(directory)
        return directory

    yield make
    for directory in made:
        try:  # stops the server at once, removes its in-memory tablespace too
            EmbeddedCluster(directory, lock_timeout=30).destroy()
        finally:
            shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def private_provider(cluster_dirs: Callable[[], Path]) -> Iterator[EmbeddedProvider]:
    """A started provider on a private cluster, shared by the tests that only create/drop."""
    provider = EmbeddedProvider(cluster_dirs())
    provider.start()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def scratch_dir(cluster_dirs: Callable[[], Path]) -> Path:
    """An initialised, stopped private cluster for tests that start, kill and restart it."""
    directory = cluster_dirs()
    provider = EmbeddedProvider(directory)
    provider.start()
    provider.stop()
    return directory


def _has_exited(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def has_exited() -> Callable[[int], bool]:
    """Whether a pid is gone; a zombie counts (the server is reaped by whoever adopted it)."""
    return _has_exited
