"""Where a private podman engine keeps its files, and the flags that confine podman to them.

A *session directory* holds one engine: image and container storage, the API socket, the service
log and ``state.json`` (the PIDs this tooling started); its run state lives in a short directory
under ``/run/rda-podman`` named after the session's path (podman limits the run root to 50
characters). Every podman call gets the
same storage flags on the command line, so nothing is read from or written to the machine's
default podman storage (a custom ``storage.conf`` was measured to stall every run by ~20 s,
flags do not). Sessions live under one cache directory, next to the cached image tarballs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

IMAGE_NAME = "localhost/rda-postgres"
DEFAULT_SESSION = "default"
# AF_UNIX socket paths are limited to 107 bytes on Linux.
MAX_SOCKET_PATH = 107
# podman refuses a run root longer than 50 characters, so it lives apart from the session
# directory, on the machine's tmpfs for run state, under a name derived from the session's path.
RUNROOT_PARENT = Path("/run/rda-podman")

# runc, not crun (crun fails on hybrid cgroups with RLIMIT_NOFILE here); capped ulimits; cgroupfs
# and file events because no systemd runs; exec sessions' conmon processes wait 5 s (not the
# default 300 s) after their command ended before they clean up and exit.
CONTAINERS_CONF = """\
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
exit_command_delay = 5
"""


def cache_root() -> Path:
    """``RDA_PODMAN_CACHE`` or the user cache directory: image tarballs and sessions."""
    override = os.environ.get("RDA_PODMAN_CACHE")
    if override:
        return Path(override).expanduser().resolve()
    from platformdirs import user_cache_path

    return user_cache_path("rda") / "podman"


def sessions_root() -> Path:
    return cache_root() / "sessions"


@dataclass(frozen=True)
class Session:
    """One private engine's directory and everything derived from it."""

    path: Path

    @classmethod
    def at(cls, directory: str | os.PathLike[str] | None) -> Session:
        path = Path(directory) if directory else sessions_root() / DEFAULT_SESSION
        return cls(path.expanduser().resolve())

    @property
    def storage(self) -> Path:
        return self.path / "storage"

    @property
    def runroot(self) -> Path:
        digest = hashlib.sha256(str(self.path).encode()).hexdigest()[:16]
        return RUNROOT_PARENT / digest

    @property
    def tmpdir(self) -> Path:
        return self.path / "tmp"

    @property
    def network_dir(self) -> Path:
        return self.path / "networks"

    @property
    def containers_conf(self) -> Path:
        return self.path / "containers.conf"

    @property
    def socket(self) -> Path:
        return self.path / "podman.sock"

    @property
    def service_log(self) -> Path:
        return self.path / "service.log"

    @property
    def state_file(self) -> Path:
        return self.path / "state.json"

    @property
    def docker_host(self) -> str:
        return f"unix://{self.socket}"

    def prepare(self) -> None:
        """Create the directories and the engine configuration (idempotent)."""
        if len(str(self.socket)) > MAX_SOCKET_PATH:
            raise EngineError(
                f"the socket path {self.socket} is longer than {MAX_SOCKET_PATH} "
                "bytes; pass a shorter --dir or set RDA_PODMAN_CACHE"
            )
        for directory in (self.storage, self.runroot, self.tmpdir, self.network_dir):
            directory.mkdir(parents=True, exist_ok=True)
        if not self.containers_conf.exists() or self.containers_conf.read_text() != CONTAINERS_CONF:
            self.containers_conf.write_text(CONTAINERS_CONF)

    def podman(self, *args: str) -> list[str]:
        """A podman command line confined to this session."""
        return [
            podman_binary(),
            "--root",
            str(self.storage),
            "--runroot",
            str(self.runroot),
            "--tmpdir",
            str(self.tmpdir),
            "--network-config-dir",
            str(self.network_dir),
            *args,
        ]

    def podman_env(self) -> dict[str, str]:
        """The environment every podman process of this session runs with."""
        return {**os.environ, "CONTAINERS_CONF": str(self.containers_conf)}

    def client_env(self, image: str) -> dict[str, str]:
        """What a testcontainers client needs to use this engine.

        The ``TESTCONTAINERS_*`` settings matter because ``/.dockerenv`` exists on these
        machines: without them testcontainers believes it runs inside a container, looks for a
        gateway and fails with ``KeyError: 'HostConfig'``. Ryuk is off: its image cannot be
        pulled, and this tooling removes what it started itself.
        """
        return {
            "DOCKER_HOST": self.docker_host,
            "TESTCONTAINERS_RYUK_DISABLED": "true",
            "TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1",
            "TESTCONTAINERS_CONNECTION_MODE": "docker_host",
            "RDA_DOCKER_IMAGE": image,
        }

    def read_state(self) -> dict[str, object]:
        try:
            state = json.loads(self.state_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        return state if isinstance(state, dict) else {}

    def write_state(self, state: dict[str, object]) -> None:
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2))
        temporary.replace(self.state_file)


def podman_binary() -> str:
    found = shutil.which("podman")
    if found is None:
        raise MissingPrerequisite("podman is not installed (apt-get install -y podman runc)")
    return found


class EngineError(Exception):
    """The private engine could not be built, started or stopped cleanly."""


class MissingPrerequisite(EngineError):
    """A tool this machine lacks: the caller may skip rather than fail."""
