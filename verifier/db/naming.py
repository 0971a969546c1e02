"""Throwaway database names, and how a janitor tells a crashed run's leftovers from a live one's.

Every database a provider creates is called ``rda_<host>_<pid>_<started>_<n>``: the host tag
(six hex digits of the host name's hash), the pid of the owning process, the Unix time the run
started and a counter. A later run can then decide, from the name alone, whether the owner is
gone: on the same host the owner is dead when no process has that pid, or when the process that
has it started after the run did (the pid was reused). A name from another host cannot be
checked that way, so only its age counts.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import socket
import time
from dataclasses import dataclass

PREFIX = "rda_"
_NAME = re.compile(r"^rda_(?P<host>[0-9a-f]{6})_(?P<pid>[0-9]+)_(?P<started>[0-9]+)_(?P<n>[0-9]+)$")
# One counter per process, shared by every provider in it, so two providers never collide.
_counter = itertools.count(1)
_current: RunTag | None = None


def host_tag() -> str:
    """Six hex digits naming this host (a hash: the name itself is nobody's business)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


@dataclass(frozen=True, slots=True)
class RunTag:
    """The owner part of a database name: which host, which process, since when."""

    host: str
    pid: int
    started: int

    @property
    def prefix(self) -> str:
        return f"{PREFIX}{self.host}_{self.pid}_{self.started}_"

    def database_name(self, number: int) -> str:
        return f"{self.prefix}{number}"


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A database name split back into its owner and counter."""

    owner: RunTag
    number: int


def current_run() -> RunTag:
    """This process's tag (recomputed after a fork, since the pid changed)."""
    global _current
    if _current is None or _current.pid != os.getpid():
        _current = RunTag(host=host_tag(), pid=os.getpid(), started=int(time.time()))
    return _current


def next_database_name() -> str:
    """A name no other database of this or any other run can have."""
    return current_run().database_name(next(_counter))


def parse(name: str) -> ParsedName | None:
    """Split a throwaway database name; ``None`` for any name this project did not make."""
    match = _NAME.match(name)
    if match is None:
        return None
    owner = RunTag(match["host"], int(match["pid"]), int(match["started"]))
    return ParsedName(owner=owner, number=int(match["n"]))


def owner_is_alive(owner: RunTag) -> bool:
    """Whether the process that made names under ``owner`` still runs (same host only)."""
    import psutil

    try:
        process = psutil.Process(owner.pid)
        # The owner's run started after its process did; a younger process reused the pid.
        return process.create_time() <= owner.started + 1
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # cannot tell: keep the database


def is_leftover(
    name: str, *, max_age: float, this_host: str | None = None, now: float | None = None
) -> bool:
    """Whether ``name`` is a throwaway database whose run is over.

    Same host: the owner process is gone. Other host: the run started more than ``max_age``
    seconds ago. Names this project did not make are never leftovers.
    """
    parsed = parse(name)
    if parsed is None:
        return False
    owner = parsed.owner
    if owner == current_run():
        return False
    if owner.host == (this_host or host_tag()):
        return not owner_is_alive(owner)
    return (now if now is not None else time.time()) - owner.started > max_age
