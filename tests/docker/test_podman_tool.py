"""``tools/podman/rda_podman.py``: a second ``up`` reuses what the first made, ``down`` leaves no
process, mount, container or directory behind (not even the conmon processes that exec sessions
leave waiting), and ``sweep`` stops a session whose owner died. Runs where podman can (root,
podman, runc and busybox-static installed); skips elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import psutil
import pytest

PODMAN_TOOL = Path(__file__).resolve().parents[2] / "tools" / "podman" / "rda_podman.py"
EXIT_MISSING_PREREQUISITE = 3
INSTALL_HINT = "apt-get install -y podman runc busybox-static"

pytestmark = pytest.mark.skipif(
    shutil.which("podman") is None or os.geteuid() != 0,
    reason=f"the podman tooling needs root and podman ({INSTALL_HINT})",
)


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PODMAN_TOOL), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def up(*args: str) -> dict[str, object]:
    result = tool("up", "--json", *args)
    if result.returncode == EXIT_MISSING_PREREQUISITE:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def engine_processes(directory: str) -> list[int]:
    """podman/conmon processes (not zombies) whose command line names a path in ``directory``."""
    inside = f"{directory}/"
    found = []
    for process in psutil.process_iter(["pid", "name", "cmdline", "status"]):
        if process.info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if process.info["name"] in ("podman", "conmon") and any(
            inside in argument for argument in process.info["cmdline"] or ()
        ):
            found.append(process.info["pid"])
    return found


def mounts_below(directory: str) -> list[str]:
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return [point for point in points if point.startswith(f"{directory}/")]


@pytest.fixture
def session_name() -> Iterator[str]:
    """A fresh session name; whatever a failed test left is stopped afterwards."""
    name = f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield name
    tool("down", "--session", name)


def test_second_up_reuses_image_and_service(session_name: str) -> None:
    first = up("--session", session_name)
    second = up("--session", session_name)
    assert first["image_imported"] is True and first["service_started"] is True
    assert second["image_imported"] is False and second["service_started"] is False
    assert second["service_pid"] == first["service_pid"]
    assert second["env"] == first["env"]


def test_down_leaves_nothing_behind(session_name: str) -> None:
    session = up("--session", session_name)
    directory, env = str(session["dir"]), session["env"]
    assert isinstance(env, dict)
    client = docker.DockerClient(base_url=env["DOCKER_HOST"], timeout=60)
    try:
        container = client.containers.run(
            env["RDA_DOCKER_IMAGE"],
            detach=True,
            environment={"POSTGRES_PASSWORD": "secret"},
            ports={"5432/tcp": None},
        )
        for _ in range(2):  # each exec leaves a conmon waiting out its exit delay
            assert container.exec_run(["true"]).exit_code == 0
    finally:
        client.close()
    assert len(engine_processes(directory)) >= 3  # the service, the container's and the execs'

    down = tool("down", "--session", session_name)

    assert down.returncode == 0, down.stderr
    assert engine_processes(directory) == []
    assert mounts_below(directory) == []
    assert not Path(directory).exists()


def test_sweep_stops_a_session_whose_owner_died(session_name: str) -> None:
    owner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        session = up("--session", session_name, "--owner-pid", str(owner.pid))
    finally:
        owner.kill()
        owner.wait()
    directory = str(session["dir"])
    assert engine_processes(directory) != []

    swept = tool("sweep")

    assert swept.returncode == 0, swept.stderr
    assert f"stopped abandoned session {directory}" in swept.stdout
    assert engine_processes(directory) == []
    assert not Path(directory).exists()


def test_session_with_a_live_owner_is_not_swept(session_name: str) -> None:
    session = up("--session", session_name, "--owner-pid", str(os.getpid()))
    directory = str(session["dir"])

    swept = tool("sweep")

    assert swept.returncode == 0, swept.stderr
    assert directory not in swept.stdout
    assert engine_processes(directory) != []
    assert Path(directory).exists()


def test_session_name_must_be_one_path_component() -> None:
    result = tool("up", "--session", "../elsewhere")
    assert result.returncode == 1
    assert "one path component" in result.stderr
