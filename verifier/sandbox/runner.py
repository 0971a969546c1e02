"""Start the sandbox, hand it children to run, feed their events to the caller, police them.

One ``Sandbox`` serves a whole ``rda verify`` run: a fork server (``verifier.sandbox.forkserver``)
started inside bubblewrap when the machine has it (``verifier.sandbox.bubblewrap``), which forks
one child per lane of every target. Policing means: a wall-clock deadline for the whole child
and a budget for its import stage, after which its process group is killed; rlimits on memory,
CPU time, file size and core dumps; an environment holding only what Python needs plus the
throwaway database; the target's output captured to files, so a chatty target can neither block
on a full pipe nor mix with the report. ``close()`` kills whatever still runs (Ctrl-C ends here).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import verifier
from verifier.errors import InfrastructureError
from verifier.sandbox import bubblewrap
from verifier.sandbox.events import ChildLog
from verifier.sandbox.forkserver import die_with_parent, receive, send
from verifier.sandbox.scratch import Scratch, sweep

MiB = 1024 * 1024
READY_TIMEOUT = 120.0  # the fork server imports SQLAlchemy & co. once; a loaded machine is slow


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float = 60.0  # wall clock for the whole child, seconds
    memory_mb: int = 2048  # address space
    check_timeout: float = 20.0  # one contract check (async deadlocks are caught in the child)
    import_timeout: float = 30.0  # the import stage: a module that hangs at import


@dataclass
class ChildResult:
    log: ChildLog
    returncode: int | None
    timed_out: bool
    seconds: float
    stdout_tail: str
    stderr_tail: str
    timed_out_stage: str | None = None  # the stage whose own budget ran out (import)
    cancelled: bool = False  # stopped because its results were no longer wanted

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


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


class _Slot:
    """What the fork server said about one child."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.exited = threading.Event()
        self.pid: int | None = None
        self.returncode: int | None = None


class Sandbox:
    """The fork server of one run, and the scratch folder it may write (the targets' copies).

    ``socket_dirs``: folders of the database's unix sockets (bound into the sandbox).
    ``share_network``: the database is reached over TCP, so the network cannot be cut.
    """

    def __init__(
        self,
        socket_dirs: list[str] | None = None,
        share_network: bool = False,
        isolation: str = "auto",
    ) -> None:
        self.socket_dirs = list(socket_dirs or [])
        self.share_network = share_network
        self.isolation = isolation  # "auto": bubblewrap where it works; "audit-hook": never
        sweep()  # the scratch folders of runs killed before they could remove theirs
        self._scratch = Scratch()
        self.scratch = self._scratch.path
        self.kind = "audit-hook only"
        self.reason = ""
        self._slots: dict[str, _Slot] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._failure: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self.server_pid: int | None = None  # the fork server's pid as the verifier sees it
        self.drops_to_nobody = False
        self.uid_reason = ""  # why it runs as root inside bubblewrap, when it does
        self._closed = False
        self.lost = False  # the server died under a run (not by close()): every child with it

    # -- lifetime ---------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Start the fork server (in bubblewrap when usable); returns at once, it warms up."""
        available = bubblewrap.availability(self.isolation)
        inner = [sys.executable, "-P", "-m", "verifier.sandbox.forkserver"]
        parent_end, server_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        inner.append(str(server_end.fileno()))
        if available.usable:
            self.kind = "bubblewrap"
            wall = bubblewrap.Wall(self.scratch, self.socket_dirs, self.share_network)
            if os.geteuid() == 0:
                closed = bubblewrap.unreachable_for_nobody(wall)
                self.drops_to_nobody = closed is None
                if closed is not None:
                    self.uid_reason = f"as root: {closed} is closed to uid 65534"
            os.chmod(self.scratch, 0o711)  # others may pass through, not list: lanes hide
            command = wall.command(inner)
            if self.share_network:
                self.reason = "network shared: the database is reached over TCP"
        else:
            self.reason = available.reason
            command = inner
        env = scrubbed_environment({}, self.scratch)
        self._log = self.scratch / "sandbox.log"
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                command,
                cwd=self.scratch,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(server_end.fileno(),),
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        server_end.close()
        self._sock = parent_end
        threading.Thread(target=self._read, name="rda-sandbox", daemon=True).start()
        return self

    @property
    def access(self) -> tuple[list[str], bool]:
        """What it was made to reach, as ``DatabaseProvider.sandbox_access`` says it."""
        return self.socket_dirs, self.share_network

    def describe(self) -> str:
        """For the report: which sandbox ran, and what it could not do."""
        if self.kind == "bubblewrap":
            who = "as uid 65534, " if self.drops_to_nobody else ""
            if self.uid_reason:
                who = f"{self.uid_reason}, "
            net = self.reason or "no network"
            return f"bubblewrap ({who}read-only system, private /tmp, no home, {net})"
        return f"audit-hook only ({self.reason})"

    def close(self) -> None:
        """Kill every child and the server, and remove the scratch folder."""
        if self._closed:
            return
        self._closed = True
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)
        if self._sock is not None:
            self._sock.close()
        with self._lock:
            for slot in self._slots.values():
                if not slot.exited.is_set():
                    slot.returncode = -signal.SIGKILL
                    slot.exited.set()
        self._scratch.remove()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- lanes ------------------------------------------------------------------------------

    def lane_dir(self) -> Path:
        """A folder of its own for one child (a name the others cannot guess or list)."""
        return Path(tempfile.mkdtemp(prefix="lane-", dir=self.scratch))

    def hand_over(self, path: Path) -> None:
        """Make ``path`` (a target's copy, a home) the child's own: uid 65534 writes there."""
        if not self.drops_to_nobody:
            return
        nobody = bubblewrap.NOBODY
        os.chown(path, nobody, nobody)
        for folder, dirs, files in os.walk(path):
            for name in (*dirs, *files):
                with contextlib.suppress(OSError):
                    os.chown(os.path.join(folder, name), nobody, nobody, follow_symlinks=False)

    def run(
        self,
        config: dict[str, Any],
        *,
        workdir: Path,
        env: dict[str, str],
        limits: Limits,
        event_fd: int,
        stdout: int,
        stderr: int,
    ) -> tuple[str, _Slot]:
        """Ask the server for a child; its id and slot (started when the server says so)."""
        self._wait_ready()
        ident = str(next(self._ids))
        slot = _Slot()
        with self._lock:
            self._slots[ident] = slot
        request = {
            "op": "run",
            "id": ident,
            "config": config,
            "workdir": str(workdir),
            "env": env,
            "memory_mb": limits.memory_mb,
            "cpu_seconds": int(limits.timeout) + 5,
            "uid": bubblewrap.NOBODY if self.drops_to_nobody else None,
        }
        assert self._sock is not None
        try:
            send(self._sock, request, [event_fd, stdout, stderr])
        except OSError as exc:
            raise InfrastructureError(f"the sandbox is gone: {exc}", self._log_hint()) from None
        return ident, slot

    def kill(self, ident: str) -> None:
        if self._sock is not None and not self._closed:
            with contextlib.suppress(OSError):
                send(self._sock, {"op": "kill", "id": ident})

    # -- internals --------------------------------------------------------------------------

    def _wait_ready(self) -> None:
        if not self._ready.wait(READY_TIMEOUT) or self._failure:
            raise InfrastructureError(
                "the sandbox did not start: "
                + (self._failure or f"no answer within {READY_TIMEOUT:g} s"),
                self._log_hint(),
            )

    def _log_hint(self) -> str:
        tail = _tail(self._log, 1500).strip() if hasattr(self, "_log") else ""
        hint = "RDA_SANDBOX=audit-hook runs without bubblewrap"
        return f"{hint}; the sandbox said: {tail}" if tail else hint

    def _read(self) -> None:
        assert self._sock is not None
        while True:
            try:
                message, fds = receive(self._sock)
            except (OSError, ValueError):
                message, fds = None, []
            for fd in fds:
                os.close(fd)
            if message is None:
                break
            op = message.get("op")
            if op == "ready":
                self.server_pid = self._proc.pid if self._proc else None
                self._ready.set()
            elif op == "failed":
                self._failure = str(message.get("error"))
                self._ready.set()
            elif op in ("started", "exited"):
                with self._lock:
                    slot = self._slots.get(str(message.get("id")))
                if slot is None:
                    continue
                if op == "started":
                    slot.pid = int(message["pid"])
                    slot.started.set()
                else:
                    slot.returncode = int(message["returncode"])
                    slot.started.set()
                    slot.exited.set()
        # The server is gone (killed, crashed, or closed): every child went with it.
        if self._failure is None and not self._ready.is_set():
            self._failure = "the sandbox exited while starting"
        if not self._closed:
            self.lost = True
        self._ready.set()
        with self._lock:
            for slot in self._slots.values():
                if not slot.exited.is_set():
                    slot.returncode = -signal.SIGKILL
                    slot.started.set()
                    slot.exited.set()


def run_child(
    config: dict[str, Any],
    *,
    sandbox: Sandbox,
    workdir: Path,
    env: dict[str, str],
    limits: Limits,
    on_event: Callable[[ChildLog], None] | None = None,
    cancel: threading.Event | None = None,
) -> ChildResult:
    """Run the stages of ``config`` in a child of ``sandbox``: what it reported, how it ended.

    ``cancel``: when set, the child is killed and its result marked ``cancelled``.
    """
    read_fd, write_fd = os.pipe()
    logs = Path(tempfile.mkdtemp(prefix="out-", dir=workdir.parent))
    stdout_path, stderr_path = logs / "stdout.txt", logs / "stderr.txt"
    log = ChildLog()
    started = time.monotonic()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        try:
            ident, slot = sandbox.run(
                {**config, "check_timeout": limits.check_timeout},
                workdir=workdir,
                env=env,
                limits=limits,
                event_fd=write_fd,
                stdout=out.fileno(),
                stderr=err.fileno(),
            )
        finally:
            os.close(write_fd)
    timed_out = False
    cancelled = False
    timed_out_stage: str | None = None
    buffer = b""
    deadline = started + limits.timeout
    with os.fdopen(read_fd, "rb", buffering=0) as events:
        while True:
            if cancel is not None and cancel.is_set():
                cancelled = True
                break
            now = time.monotonic()
            budget = _stage_deadline(log, limits)
            if now >= deadline or (budget is not None and now >= budget):
                timed_out = True
                timed_out_stage = log.running if now < deadline else None
                break
            wait = min(deadline, budget or deadline) - now
            ready, _, _ = select.select([events], [], [], min(wait, 0.5))
            if not ready:
                if slot.exited.is_set():
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
    if cancelled:
        pass
    elif not timed_out and not slot.exited.wait(max(0.1, min(5.0, deadline - time.monotonic()))):
        timed_out = not log.done
    sandbox.kill(ident)  # whatever the target left behind goes with it
    slot.exited.wait(10)
    if sandbox.lost and not log.done and not cancelled:
        raise InfrastructureError(
            "the sandbox's fork server died during the run (out of memory, or killed), and the "
            "children with it",
            "run again; this run's findings were discarded: they would be the sandbox's, not "
            "the target's. " + sandbox._log_hint(),
        )
    result = ChildResult(
        log=log,
        returncode=None if timed_out else slot.returncode,
        timed_out=timed_out,
        seconds=time.monotonic() - started,
        stdout_tail=_tail(stdout_path),
        stderr_tail=_tail(stderr_path),
        timed_out_stage=timed_out_stage,
        cancelled=cancelled,
    )
    shutil.rmtree(logs, ignore_errors=True)
    return result


CHECK_GRACE = 5.0  # beyond --check-timeout: the child's own wait_for gets the first word


def _stage_deadline(log: ChildLog, limits: Limits) -> float | None:
    """When the running stage overruns a budget of its own (monotonic time), if any.

    The import stage has ``import_timeout``. A behaviour check has ``check_timeout``, which the
    child enforces itself with ``asyncio.wait_for``; a check that never yields to the event loop
    (a CPU-bound loop) cannot be interrupted from inside, so the parent ends it a little later.
    """
    if log.running == "import":
        began = log.stages.get("import", {}).get("started_monotonic")
        return None if began is None else float(began) + limits.import_timeout
    if log.running == "behavior" and log.check_started is not None:
        return log.check_started + limits.check_timeout + CHECK_GRACE
    return None
