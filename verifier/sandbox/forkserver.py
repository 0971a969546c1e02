"""The process every sandboxed child is forked from: ``python -m verifier.sandbox.forkserver FD``.

Each child of ``rda verify`` imports SQLAlchemy, SQLModel, pydantic, asyncpg and Alembic before
it can import the target: most of a second of CPU, paid again by every child of every target.
The fork server pays it once per run. It starts inside the sandbox (``verifier.sandbox.
bubblewrap``), imports those libraries and the stage modules (never a line of target code),
then forks one child per request. A forked child is a fresh interpreter as far as the target is
concerned: nothing of the target is loaded, nothing is registered on SQLModel's metadata.

The server speaks a small protocol over the ``SOCK_SEQPACKET`` socket it inherits as ``FD``
(one JSON object per message, file descriptors passed alongside):

- verifier → server: ``{"op": "run", "id", "config", "workdir", "env", "memory_mb",
  "cpu_seconds"}`` with the child's event pipe, stdout and stderr; ``{"op": "kill", "id"}``;
- server → verifier: ``{"op": "ready"}`` once warm, ``{"op": "started", "id", "pid"}``,
  ``{"op": "exited", "id", "returncode"}`` (negative: the signal that ended it).

Before it runs a line of target code a child starts a session of its own, gets its rlimits, is
killed when the server dies (``PR_SET_PDEATHSIG``), drops to uid 65534 when the server runs as
root, takes the scrubbed environment it was sent and moves into its copy of the target. The
server never imports target code, and a child never returns into the server's loop.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import selectors
import signal
import socket
import sys
from typing import Any

MiB = 1024 * 1024
MESSAGE = 1 << 20
PRELOAD = (
    "sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "sqlmodel",
    "sqlmodel.ext.asyncio.session",
    "pydantic",
    "asyncpg",
    "alembic.command",
    "alembic.config",
    "alembic.autogenerate",
    "alembic.runtime.environment",
    "alembic.script",
    "verifier.sandbox.child",
    "verifier.stages.importing",
    "verifier.stages.schema",
    "verifier.stages.behavior",
    "verifier.stages.migrations",
    "verifier.contracts.taskapi.run",
    "verifier.contracts.generic.run",
)
PR_SET_PDEATHSIG = 1
# Mako (Alembic's templates) highlights its HTML error pages with pygments when pygments is
# installed, as it is wherever pytest is: some forty lexer modules, ~45 ms of the preload, for
# pages no stage renders. Kept out of the preload, mako falls back to plain escaping.
UNWANTED = ("mako.ext.pygmentplugin",)


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(sock, [data], fds)
    else:
        sock.send(data)


def receive(sock: socket.socket, max_fds: int = 4) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; (None, []) when the peer is gone."""
    data, fds, _, _ = socket.recv_fds(sock, MESSAGE, max_fds)
    if not data:
        return None, fds
    return json.loads(data), fds


def _preload() -> None:
    import importlib
    import warnings

    # Importing these libraries makes hundreds of thousands of objects, none of them garbage:
    # the collector's passes over the growing heap cost about a tenth of the import's CPU.
    # It is on again before any child is forked (a target runs as in a plain interpreter).
    gc.disable()
    blocked = [name for name in UNWANTED if name not in sys.modules]
    sys.modules.update(dict.fromkeys(blocked))  # None: importing it raises ImportError
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:  # an optional part (a contract plugin): the child imports it
                continue
    for name in blocked:  # a child that imports it itself gets it
        del sys.modules[name]
    # What the server imported lives as long as every child: out of the collector's sight, a
    # child's collections (pytest runs two at its end) walk only the objects made after the fork.
    # No collection first: it would walk the whole heap (0.09-0.15 s, measured) to free the few
    # hundred objects the imports left in cycles, which frozen cost a few kilobytes.
    gc.freeze()
    gc.enable()


def die_with_parent() -> None:
    """Linux: this process gets SIGKILL when its parent dies, even by ``kill -9``."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the CPU rlimit still bounds the process
        pass


def _die_with(parent: int) -> None:
    die_with_parent()
    if os.getppid() != parent:  # the server died before prctl took effect
        os._exit(1)


def _become_child(request: dict[str, Any], fds: list[int], server: int, control: int) -> None:
    """In the forked process: limits, identity, environment, then the stages. Never returns."""
    code = 1
    event_fd = fds[0]
    try:
        try:
            _prepare(request, fds, server, control)
        except BaseException as exc:  # our own set-up failed: rda's bug, never the target's
            _report_setup_failure(event_fd, exc)
            code = 70
            return
        from verifier.sandbox.child import run

        code = run(request["config"], event_fd)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 70
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _prepare(request: dict[str, Any], fds: list[int], server: int, control: int) -> None:
    _, stdout, stderr = fds
    os.setsid()
    _die_with(server)
    os.close(control)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    memory = int(request["memory_mb"]) * MiB
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(request["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * MiB, 512 * MiB))
    uid = request.get("uid")
    if uid is not None:  # root inside bubblewrap: become nobody before any target code runs
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["workdir"])
    sys.argv = ["verifier.sandbox.child"]
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)


def _report_setup_failure(event_fd: int, exc: BaseException) -> None:
    import traceback

    line = json.dumps(
        {
            "event": "internal_error",
            "stage": "sandbox",
            "summary": f"the sandboxed child could not be set up: {type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc))[-8000:],
        }
    )
    try:
        os.write(event_fd, (line + "\n").encode())
    except OSError:
        pass


class Server:
    """The loop: fork on "run", kill on "kill", report each child's exit."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.pid = os.getpid()
        self.children: dict[int, str] = {}  # pid -> request id
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)

    def serve(self) -> None:
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = selectors.DefaultSelector()
        selector.register(self.control, selectors.EVENT_READ)
        selector.register(self.wake_read, selectors.EVENT_READ)
        send(self.control, {"op": "ready", "pid": self.pid, "uid": os.geteuid()})
        try:
            while True:
                for key, _ in selector.select(timeout=1.0):
                    if key.fileobj == self.wake_read:
                        os.read(self.wake_read, 4096)
                    elif not self.handle():
                        return  # the verifier is gone: so are we, and by PDEATHSIG the runs
                self.reap()
        finally:
            selector.close()

    def handle(self) -> bool:
        request, fds = receive(self.control, max_fds=3)
        if request is None:
            return False
        if request.get("op") == "run":
            pid = os.fork()
            if pid == 0:
                signal.set_wakeup_fd(-1)
                for fd in (self.wake_read, self.wake_write):
                    os.close(fd)
                _become_child(request, fds, self.pid, self.control.fileno())
            for fd in fds:
                os.close(fd)
            self.children[pid] = str(request["id"])
            send(self.control, {"op": "started", "id": request["id"], "pid": pid})
        elif request.get("op") == "kill":
            for pid, ident in self.children.items():
                if ident == str(request["id"]):
                    _kill_group(pid)
        return True

    def reap(self) -> None:
        """Report every child that exited; what it left in its process group is killed first."""
        while self.children:
            try:  # peek without reaping: the group id stays reserved while the child is a zombie
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None:
                return
            _kill_group(info.si_pid)
            _, status = os.waitpid(info.si_pid, 0)
            ident = self.children.pop(info.si_pid, None)
            if ident is not None:
                send(self.control, {"op": "exited", "id": ident, "returncode": _code(status)})


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[1]))
    try:
        _preload()
    except BaseException as exc:  # a broken installation: say it and stop
        send(control, {"op": "failed", "error": f"{type(exc).__name__}: {exc}"})
        return 1
    Server(control).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
