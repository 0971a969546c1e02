"""A real Docker-compatible engine for the docker provider's tests.

Where a Docker engine answers (``DOCKER_HOST`` or the default socket), the tests use it as is.
Where none does but podman is installed, ``tools/podman/rda_podman.py`` brings up a private
podman API service with the locally built ``localhost/rda-postgres`` image for this session,
the environment testcontainers needs is set, and at the end the session is stopped and checked
to have left no process behind. Where neither exists, the engine tests skip and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from verifier.db.docker import DEFAULT_SOCKET, configured_image

PODMAN_TOOL = Path(__file__).resolve().parents[2] / "tools" / "podman" / "rda_podman.py"
EXIT_MISSING_PREREQUISITE = 3  # rda_podman.py: podman, runc or busybox-static is missing
UP_TIMEOUT = 300.0
INSTALL_HINT = "apt-get install -y podman runc busybox-static"


@dataclass(frozen=True)
class Engine:
    """The engine the tests run against."""

    kind: str  # "docker": one that was already there; "podman": brought up for this session
    docker_host: str
    image: str


def docker_engine_answers() -> bool:
    """Whether a Docker engine answers where the Docker SDK (and testcontainers) would look."""
    import docker

    try:
        client = docker.from_env(timeout=5)
    except docker.errors.DockerException:
        return False
    try:
        return bool(client.ping())
    except Exception:  # refused, timed out, not an engine: none answers
        return False
    finally:
        client.close()


def _run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PODMAN_TOOL), *args],
        capture_output=True,
        text=True,
        timeout=UP_TIMEOUT,
        check=False,
    )


def _session_leftovers(session_dir: str) -> list[str]:
    """Engine processes (podman, conmon) whose command line still names the session directory."""
    inside = f"{session_dir}/"
    leftovers = []
    for process in psutil.process_iter(["pid", "name", "cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if process.info["name"] not in ("podman", "conmon"):
            continue
        if any(inside in argument for argument in process.info["cmdline"] or ()):
            leftovers.append(f"{process.info['pid']} {process.info['name']}")
    return leftovers


def _align_loaded_testcontainers(monkeypatch: pytest.MonkeyPatch) -> None:
    """testcontainers reads its settings from the environment once, on first import.

    The provider imports it lazily, so normally the variables set here are what it reads; if
    something imported it earlier in this process, its settings object is aligned as well.
    """
    config_module = sys.modules.get("testcontainers.core.config")
    if config_module is None:
        return
    config = config_module.testcontainers_config
    monkeypatch.setattr(config, "tc_host_override", "127.0.0.1")
    docker_host_mode = config_module.ConnectionMode.docker_host
    monkeypatch.setattr(config, "connection_mode_override", docker_host_mode)
    monkeypatch.setattr(config, "ryuk_disabled", True)


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Engine]:
    """A Docker-compatible engine for the whole session (see the module docstring)."""
    if docker_engine_answers():
        yield Engine("docker", os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET, configured_image())
        return
    where = os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    if shutil.which("podman") is None:
        pytest.skip(
            f"no Docker engine answers at {where} and podman is not installed "
            f"({INSTALL_HINT} to run the docker provider's tests here)"
        )

    session_name = f"pytest-{os.getpid()}"
    up = _run_tool("up", "--session", session_name, "--owner-pid", str(os.getpid()), "--json")
    if up.returncode == EXIT_MISSING_PREREQUISITE:
        pytest.skip(f"no Docker engine answers at {where}; podman cannot stand in: {up.stderr}")
    if up.returncode != 0:
        _run_tool("down", "--session", session_name)
        pytest.fail(f"the podman engine did not come up:\n{up.stderr}", pytrace=False)
    session = json.loads(up.stdout)
    session_dir = session["dir"]
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            for name, value in session["env"].items():
                monkeypatch.setenv(name, value)
            _align_loaded_testcontainers(monkeypatch)
            yield Engine("podman", session["env"]["DOCKER_HOST"], session["image"])
    finally:
        down = _run_tool("down", "--dir", session_dir)
        leftovers = _session_leftovers(session_dir)
        if down.returncode != 0 or leftovers or Path(session_dir).exists():
            pytest.fail(
                f"the podman engine in {session_dir} was not stopped cleanly: "
                f"{down.stderr.strip()} leftover processes: {leftovers}",
                pytrace=False,
            )
