"""Infrastructure faults are exit 2 with a clear message, and leave nothing for the next run.

These run ``rda verify`` as a whole process on a private embedded cluster (``RDA_DATA_DIR``) so
they can kill servers and verifiers without touching the server other tests share.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.reference_copies import append, copy_reference


@pytest.fixture(scope="module")
def private_cluster() -> Iterator[dict[str, str]]:
    # Under /var/tmp: the server's system user must be able to enter every parent directory,
    # and pytest's own temporary directories are private to root.
    home = Path(tempfile.mkdtemp(prefix="rda-test-cluster-", dir="/var/tmp"))
    home.chmod(0o755)  # ours, made for this: the server's user may traverse it
    env = dict(os.environ, RDA_DATA_DIR=str(home / "pg"))
    env.pop("RDA_DATABASE_URL", None)
    started = subprocess.run(
        [sys.executable, "-m", "verifier", "db", "start"], env=env, capture_output=True, text=True
    )
    assert started.returncode == 0, started.stderr
    yield env
    subprocess.run([sys.executable, "-m", "verifier", "db", "stop"], env=env, capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


def _start_verify(target: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "verifier", "verify", str(target), "--db", "embedded", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(proc: subprocess.Popen[str], marker: str, seconds: float = 60) -> list[str]:
    assert proc.stderr is not None
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return seen
    pytest.fail(f"never saw {marker!r} in rda's progress: {seen}")


def _postmaster_pid(env: dict[str, str]) -> int:
    for path in Path(env["RDA_DATA_DIR"]).rglob("postmaster.pid"):
        return int(path.read_text().split()[0])
    pytest.fail("no postmaster.pid under the private cluster")


def _status(env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "verifier", "db", "status"], env=env, capture_output=True, text=True
    )
    return proc.stdout + proc.stderr


def test_server_killed_mid_run_is_exit_2(private_cluster: dict[str, str], tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    # Slow the behaviour stage down so the server can be killed while it runs.
    append(
        target,
        "taskapi/crud.py",
        "import asyncio  # noqa: E402\n\n_create_project = create_project\n\n\n"
        "async def create_project(session, name, description=None):\n"
        "    await asyncio.sleep(3)\n"
        "    return await _create_project(session, name, description)\n",
    )
    proc = _start_verify(target, private_cluster, "--stages", "import,schema,behavior")
    _wait_for(proc, "behavior: running")
    os.kill(_postmaster_pid(private_cluster), signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert "rda: error:" in err and "database server" in err
    assert "Traceback" not in err
    # The next command brings the server back.
    subprocess.run(
        [sys.executable, "-m", "verifier", "db", "start"],
        env=private_cluster,
        check=True,
        capture_output=True,
    )


def test_kill_9_of_verify_is_cleaned_up_by_the_next_run(
    private_cluster: dict[str, str], tmp_path: Path
) -> None:
    hung = copy_reference(tmp_path / "hung")
    append(hung, "taskapi/models.py", "import time  # noqa: E402\n\ntime.sleep(600)")
    scratch_before = set(Path(tempfile.gettempdir()).glob("rda-run-*"))
    proc = _start_verify(hung, private_cluster, "--stages", "import")
    _wait_for(proc, "import: running")
    killed_scratch = set(Path(tempfile.gettempdir()).glob("rda-run-*")) - scratch_before
    assert killed_scratch, "the run should have made its scratch folder"
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the sandboxed child should be running"
    assert "throwaway databases: 0" not in _status(private_cluster)
    proc.kill()
    proc.wait()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, "the sandboxed child outlived a kill -9 of rda verify"
    clean = copy_reference(tmp_path / "clean")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            str(clean),
            "--db",
            "embedded",
            "-q",
            "--stages",
            "import",
        ],
        env=private_cluster,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "throwaway databases: 0" in _status(private_cluster)
    assert not any(folder.exists() for folder in killed_scratch)  # its copy of the target too
