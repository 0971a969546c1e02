"""The outer wall: bubblewrap (``bwrap``) around the sandboxed processes, when the machine has it.

The audit hook (``verifier.sandbox.guard``) lives inside the target's own interpreter: it
reports what the code tries, but code that means harm can step around it (``ctypes``, a C
extension). bubblewrap puts the processes in namespaces of their own instead, enforced by the
kernel:

- the whole system read-only (``--ro-bind / /``), a private ``/tmp``, fresh ``/dev`` and
  ``/proc``;
- the run's scratch folder (the copies of the targets) the only place written to;
- no home directory: the invoking user's home, and the cluster's folder with its password file,
  are empty ``tmpfs`` mounts, with only what Python itself needs bound back read-only;
- no network when the database is reached over a unix socket (its folder is bound in): a
  network namespace with nothing but loopback; with a database over TCP the network is shared
  and only the audit hook stands between the target and it;
- as root, the processes drop to the unprivileged ``nobody`` (65534) before any target code runs;
- the sandbox dies with the verifier (``--die-with-parent``) and its pid namespace with it.

Where ``bwrap`` is missing or refused (no user namespaces for an unprivileged user, say), the
audit hook alone guards, and the report says so (``sandbox: audit-hook only``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOBODY = 65534


@dataclass(frozen=True)
class Availability:
    usable: bool
    reason: str  # why not, when not usable


def availability(isolation: str = "auto") -> Availability:
    """Whether bubblewrap is to be used: asked for (``auto``), installed and working here."""
    if isolation == "audit-hook":
        return Availability(False, "asked for the audit hook alone")
    if os.environ.get("RDA_SANDBOX") == "audit-hook":
        return Availability(False, "RDA_SANDBOX=audit-hook asks for the audit hook alone")
    return _probe()


@functools.cache
def _probe() -> Availability:
    """Whether ``bwrap`` exists here and can make a sandbox (probed once per process)."""
    binary = shutil.which("bwrap")
    if binary is None:
        return Availability(
            False, "bwrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
        )
    probe = [binary, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Availability(False, f"bwrap could not run: {exc}")
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no reason given"])[-1]
        return Availability(False, f"bwrap refused to make a sandbox here: {detail}")
    return Availability(True, "")


@dataclass
class Wall:
    """What the sandbox lets through: the writable scratch, the database sockets, the network."""

    scratch: Path
    socket_dirs: list[str] = field(default_factory=list)
    share_network: bool = False

    def command(self, inner: list[str]) -> list[str]:
        """``bwrap ... -- inner``."""
        args = [
            shutil.which("bwrap") or "bwrap",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session",
        ]  # fmt: skip
        if os.geteuid() != 0:
            # Unprivileged bwrap needs a user namespace. As root there is none, so that the
            # processes can drop to the real, unprivileged uid 65534 inside.
            args.append("--unshare-user")
        if not self.share_network:
            args.append("--unshare-net")
        for folder in self.hidden_folders():
            args += ["--tmpfs", folder]
        hidden = self.masked()
        made: set[str] = set()
        for path in [*self.readable_again(), *self.socket_dirs]:
            # bwrap would make the folders leading to a bind inside a tmpfs 0700: make them
            # traversable first, or uid 65534 could not reach what is bound there.
            for folder in _between(hidden, path):
                if folder not in made:
                    made.add(folder)
                    args += ["--perms", "0755", "--dir", folder]
            args += ["--ro-bind", path, path]
        args += ["--bind", str(self.scratch), str(self.scratch), "--chdir", str(self.scratch)]
        return [*args, "--", *inner]

    def hidden_folders(self) -> list[str]:
        """Home directories (the invoking user's, root's) and the embedded cluster's folder."""
        hidden = {str(Path.home())}
        if os.geteuid() == 0:
            hidden.add("/root")
        from verifier.db.locations import default_cluster_dir

        hidden.add(str(default_cluster_dir()))
        return sorted(h for h in hidden if os.path.isdir(h) and h != "/")

    def masked(self) -> list[str]:
        """Every folder the sandbox replaces by an empty one: the hidden ones and /tmp."""
        return sorted({*self.hidden_folders(), "/tmp"})

    def readable_again(self) -> list[str]:
        """What Python needs that a hidden folder would hide: its prefixes and import paths."""
        wanted = python_paths() | {sys.exec_prefix, sys.executable}
        wanted.add(os.path.realpath(sys.executable))
        hidden = self.masked()
        needed = set()
        for path in wanted:
            real = os.path.realpath(path)
            for candidate in {path, real}:
                if any(candidate == h or candidate.startswith(h + os.sep) for h in hidden):
                    if os.path.exists(candidate):
                        needed.add(candidate)
        # Bind the outermost folders only (an inner bind under an outer one is redundant).
        outer = sorted(needed, key=len)
        kept: list[str] = []
        for path in outer:
            if not any(path == k or path.startswith(k + os.sep) for k in kept):
                kept.append(path)
        return sorted(kept)


def python_paths() -> set[str]:
    """The folders the interpreter imports from: its prefixes, the verifier, ``sys.path``."""
    import verifier

    wanted = {sys.prefix, sys.base_prefix, str(Path(verifier.__file__).resolve().parent.parent)}
    wanted.update(p for p in sys.path if p and os.path.isdir(p))
    return wanted


def unreachable_for_nobody(wall: Wall, paths: set[str] | None = None) -> str | None:
    """A folder Python needs that uid 65534 could not enter, or None when it can reach all.

    The processes drop to 65534 only when it can still import everything: a virtualenv or a
    checkout in a 0700 folder (``mktemp -d`` makes them so) would break every import done
    after the drop. Folders inside a hidden one, up to a bind, are made 0755 by the wall.
    """
    import stat

    masked = wall.masked()
    binds = wall.readable_again()
    for path in sorted(os.path.realpath(p) for p in (python_paths() if paths is None else paths)):
        bind = next((b for b in binds if path == b or path.startswith(b + os.sep)), None)
        parts = Path(path).parts
        for depth in range(1, len(parts) + 1):
            folder = str(Path(*parts[:depth]))
            inside_mask = any(folder == m or folder.startswith(m + os.sep) for m in masked)
            if inside_mask and bind is not None and len(folder) < len(bind):
                continue  # made traversable by the wall (or the mask itself, 0755)
            try:
                mode = os.stat(folder).st_mode
            except OSError:
                continue
            if not mode & stat.S_IXOTH:
                return folder
    return None


def _between(hidden: list[str], path: str) -> list[str]:
    """The folders strictly between the hidden folder holding ``path`` and ``path``."""
    for top in hidden:
        if path.startswith(top + os.sep):
            parts = Path(path).relative_to(top).parts[:-1]
            return [str(Path(top, *parts[: i + 1])) for i in range(len(parts))]
    return []
