"""``rda db start|status|stop`` as a user runs them, on a private cluster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest


def rda(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("rda")
    assert executable is not None, "the rda command is not installed (pip install -e .)"
    env = {**os.environ, "RDA_DATA_DIR": str(data_dir)}
    return subprocess.run([executable, *args], capture_output=True, text=True, env=env, timeout=120)


def test_start_status_stop(
    cluster_dirs: Callable[[], Path], has_exited: Callable[[int], bool]
) -> None:
    data_dir = cluster_dirs()

    started = rda("db", "start", data_dir=data_dir)
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout

    status = rda("db", "status", data_dir=data_dir)
    assert status.returncode == 0, status.stderr
    assert "running" in status.stdout
    assert f"socket:   {data_dir}/run" in status.stdout
    assert f"data:     {data_dir}/pg" in status.stdout
    assert "postgresql+asyncpg://postgres:***@/postgres?host=" in status.stdout
    assert f"password: in {data_dir}/superuser.password" in status.stdout

    as_json = json.loads(rda("db", "status", "--json", data_dir=data_dir).stdout)
    assert as_json["running"] is True and psutil.pid_exists(as_json["pid"])
    assert as_json["version"].startswith("18")

    again = rda("db", "start", data_dir=data_dir)
    assert again.returncode == 0 and "already running" in again.stdout

    stopped = rda("db", "stop", data_dir=data_dir)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert has_exited(as_json["pid"])

    after = rda("db", "status", data_dir=data_dir)
    assert after.returncode == 3  # "not running", as systemctl says it; 2 is for errors
    assert "not running" in after.stdout and "rda db start" in after.stdout

    twice = rda("db", "stop", data_dir=data_dir)
    assert twice.returncode == 0 and "was not running" in twice.stdout


def test_failure_is_a_message_and_exit_2_not_a_traceback(
    cluster_dirs: Callable[[], Path],
) -> None:
    data_dir = cluster_dirs()
    pgdata = data_dir / "pg18"
    pgdata.mkdir()
    (pgdata / "stray.txt").write_text("not a cluster")
    result = rda("db", "start", data_dir=data_dir)
    assert result.returncode == 2
    assert result.stderr.startswith("rda: error:")
    assert "hint:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("db",), ("db", "restart")])
def test_bad_arguments_are_a_usage_error(args: tuple[str, ...], tmp_path: Path) -> None:
    result = rda(*args, data_dir=tmp_path)
    assert result.returncode == 2
    assert "usage: rda db" in result.stderr


def test_help_explains_the_commands(tmp_path: Path) -> None:
    result = rda("db", "--help", data_dir=tmp_path)
    assert result.returncode == 0
    for word in ("start", "stop", "status", "RDA_DATA_DIR", "Exit codes"):
        assert word in result.stdout
