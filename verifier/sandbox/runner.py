"""Start a sandboxed child, feed its events to the caller, and police it.

Policing means: a new session (process group) so a timeout kills everything the target started,
rlimits on memory, CPU time, file size and core dumps, an environment holding only what Python
needs plus the throwaway database URL, and the target's output captured to files so a chatty
target can neither block on a full pipe nor mix with our report.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import verifier
from verifier.sandbox.events import ChildLog

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float = 60.0  # wall clock for the whole child, seconds
    memory_mb: int = 2048  # address space
    check_timeout: float = 20.0  # one contract check (async deadlocks are caught in the child)


@dataclass
class ChildResult:
    log: ChildLog
    returncode: int | None
    timed_out: bool
    seconds: float
    stdout_tail: str
    stderr_tail: str

    @property
    def signal_name(self) -> str | None:
        if self.returncode is not None and self.returncode < 0:
            try:
                return signal.Signals(-self.returncode).name
            except ValueError:
                return f"signal {-self.returncode}"
        return None


def scrubbed_environment(database_env: dict[str, str], home: Path) -> dict[str, str]:
    """Only what Python needs to start, plus the database URL: no credentials of the user."""
    package_parent = str(Path(verifier.__file__).resolve().parent.parent)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PYTHONPATH": package_parent,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONNOUSERSITE": "1",
        "TMPDIR": str(home),
    }
    env.update(database_env)
    return env


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: the child gets SIGKILL when the verifier dies, even by ``kill -9``."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the CPU rlimit still bounds the child
        pass


def _limit(limits: Limits) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        _die_with_parent()
        memory = limits.memory_mb * MiB
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(limits.timeout) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (512 * MiB, 512 * MiB))

    return apply


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_child(
    config: dict[str, Any],
    *,
    workdir: Path,
    env: dict[str, str],
    limits: Limits,
    on_event: Callable[[ChildLog], None] | None = None,
) -> ChildResult:
    """Run ``verifier.sandbox.child`` with ``config`` and return what it reported."""
    read_fd, write_fd = os.pipe()
    scratch = Path(tempfile.mkdtemp(prefix="rda-child-", dir=workdir.parent))
    config_path = scratch / "config.json"
    config_path.write_text(
        json.dumps({**config, "event_fd": write_fd, "check_timeout": limits.check_timeout}),
        encoding="utf-8",
    )
    stdout_path, stderr_path = scratch / "stdout.txt", scratch / "stderr.txt"
    log = ChildLog()
    started = time.monotonic()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "verifier.sandbox.child", str(config_path)],
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            pass_fds=(write_fd,),
            start_new_session=True,
            preexec_fn=_limit(limits),
        )
    os.close(write_fd)
    timed_out = False
    buffer = b""
    deadline = started + limits.timeout
    with os.fdopen(read_fd, "rb", buffering=0) as events:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([events], [], [], min(remaining, 0.5))
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = events.read(65536)
            if not chunk:
                break  # the child closed the pipe: it exited
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                log.feed(line.decode("utf-8", "replace"))
            if on_event is not None and lines:
                on_event(log)
    if not timed_out:  # the pipe closed: give the child its exit, within the deadline
        try:
            proc.wait(timeout=max(0.1, min(5.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            timed_out = not log.done
    kill_group(proc.pid)  # whatever the target left behind goes with it
    returncode = proc.wait()
    result = ChildResult(
        log=log,
        returncode=None if timed_out else returncode,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        stdout_tail=_tail(stdout_path),
        stderr_tail=_tail(stderr_path),
    )
    for path in (config_path, stdout_path, stderr_path):
        path.unlink(missing_ok=True)
    scratch.rmdir()
    return result
