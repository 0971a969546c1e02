"""An audit hook that stops the target from reaching anything but its database and its copy.

``sys.addaudithook`` sees every ``socket.connect``, every process spawn and every file opened
or changed, whoever does it. The guard lets connections to the throwaway database through (its
unix socket directory or host:port), and writes inside the target's copy, its home and its temp
folder; it refuses everything else with ``PermissionError`` and reports each refusal as a finding
pinned to the target's line that asked for it (RDA715 network, RDA716 process, RDA717 a file
outside the copy). Audit hooks cannot be removed, which is why the child installs it before
importing a line of target code. Under bubblewrap the kernel refuses the same things anyway;
without it this hook is all there is, and code that means harm can step around it.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from verifier.findings import Finding
from verifier.stages.codes import finding

# Events that change the file system, and which of their arguments are paths.
FILE_CHANGES = {
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.mkdir": (0,),
    "os.rename": (0, 1),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.utime": (0,),
    "shutil.rmtree": (0,),
    "shutil.move": (0, 1),
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
SPAWN_EVENTS = frozenset(
    {
        "subprocess.Popen",
        "os.system",
        "os.exec",
        "os.posix_spawn",
        "os.spawn",
        "os.fork",
        "os.forkpty",
        "pty.spawn",
    }
)


def _writes(mode: object, flags: object) -> bool:
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & WRITE_FLAGS)


class SandboxRefusal(PermissionError):
    """Raised into the target when the guard refuses an operation (already reported)."""


def allowed_addresses(url: str) -> tuple[set[str], set[tuple[str, int]]]:
    """Unix socket directories and (ip, port) pairs a database URL may connect to."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    socket_dirs = {h for h in query.get("host", []) if h.startswith("/")}
    tcp: set[tuple[str, int]] = set()
    if parts.hostname and not parts.hostname.startswith("/"):
        port = parts.port or 5432
        try:
            for info in socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP):
                tcp.add((str(info[4][0]), port))
        except OSError:
            pass
    return socket_dirs, tcp


class Guard:
    """Holds the allow-list and the callback that reports refusals."""

    def __init__(
        self, urls: list[str], report: Callable[[Finding], None], target_root: Path
    ) -> None:
        self.socket_dirs: set[str] = set()
        self.tcp: set[tuple[str, int]] = set()
        for url in urls:
            dirs, tcp = allowed_addresses(url)
            self.socket_dirs |= dirs
            self.tcp |= tcp
        self.report = report
        self.root = str(target_root)
        self.stage = "import"
        self._reported: set[tuple[str, str]] = set()
        # Where the target may write: its copy, its home and temp folder, and /dev (null, tty).
        self.writable = tuple(
            os.path.realpath(p)
            for p in {self.root, os.environ.get("HOME", ""), os.environ.get("TMPDIR", ""), "/dev"}
            if p
        )

    def install(self) -> None:
        sys.addaudithook(self._hook)

    def _allowed(self, address: object) -> bool:
        if isinstance(address, (str, bytes)):
            path = address.decode() if isinstance(address, bytes) else address
            return any(str(Path(path).parent) == d.rstrip("/") for d in self.socket_dirs)
        if isinstance(address, tuple) and len(address) >= 2:
            return (str(address[0]), int(address[1])) in self.tcp
        return False

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if event == "socket.connect":
            address = args[1] if len(args) > 1 else None
            if not self._allowed(address):
                self._refuse(
                    "RDA715", f"connection to {address!r} blocked: only the database is reachable"
                )
        elif event in SPAWN_EVENTS:
            what = args[0] if args else event
            self._refuse("RDA716", f"process spawn blocked ({event}: {what!r})")
        elif event == "open":
            if len(args) >= 3 and _writes(args[1], args[2]):
                self._check_path(args[0], "writing")
        elif event in FILE_CHANGES:
            for index in FILE_CHANGES[event]:
                if index < len(args):
                    self._check_path(args[index], event)

    def _check_path(self, path: object, what: str) -> None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str):
            return  # a file descriptor: opened earlier, checked then
        real = os.path.realpath(path)
        if any(real == w or real.startswith(w + os.sep) for w in self.writable):
            return
        self._refuse("RDA717", f"{what} {path!r} blocked: only the target's copy is writable")

    def _refuse(self, code: str, message: str) -> None:
        file, line = self._target_frame()
        key = (code, f"{file}:{line}")
        if key not in self._reported:
            self._reported.add(key)
            self.report(finding(code, message, stage=self.stage, file=file, line=line))
        raise SandboxRefusal(f"rda sandbox: {message}")

    def _target_frame(self) -> tuple[str | None, int | None]:
        frame = sys._getframe(2)
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename.startswith(self.root):
                return filename[len(self.root) :].lstrip("/"), frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None, None
