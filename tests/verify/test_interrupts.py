"""Ctrl-C and hangs: a stuck run ends when the user asks, a hanging import at its own budget.

These run ``rda verify`` as a whole process, the way a user's terminal does.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.reference_copies import append
from verifier.db.base import DatabaseProvider

HANG_IN_BEHAVIOUR = (
    "_create_project = create_project\n\n\n"
    "async def create_project(session, name, description=None):\n"
    "    while True:\n"
    "        pass\n"
)


def descendants(pid: int) -> list[psutil.Process]:
    """Everything a run started (the sandbox, its fork server, the children): its own only."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    return [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def leftovers(provider: DatabaseProvider, pid: int) -> list[str]:
    admin = provider._provider()  # type: ignore[attr-defined]
    names = admin.connection().fetch_column(
        "SELECT datname FROM pg_database WHERE datname LIKE $1 "
        "UNION ALL SELECT rolname FROM pg_roles WHERE rolname LIKE $1",
        f"rda\\_%\\_{pid}\\_%",
    )
    return [str(n) for n in names]


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "verifier", "verify", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(proc: subprocess.Popen[str], marker: str, seconds: float = 60) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if marker in line:
            return
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"never saw {marker!r}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupt_ends_a_stuck_run_within_two_seconds(
    signum: int, reference_copy: Path, rda_provider: DatabaseProvider
) -> None:
    append(reference_copy, "taskapi/crud.py", HANG_IN_BEHAVIOUR)
    proc = start(str(reference_copy))
    wait_for(proc, "behavior: running")
    time.sleep(0.5)  # the check is spinning now
    assert leftovers(rda_provider, proc.pid)  # its database and role exist while it runs
    started = descendants(proc.pid)
    assert any("verifier.sandbox.forkserver" in " ".join(p.cmdline()) for p in started)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert took < 2.0, f"took {took:.2f} s"
    assert "rda: interrupted" in err and "Traceback" not in err
    time.sleep(0.3)  # the children die by PDEATHSIG, a moment after their server
    assert alive(started) == []
    assert leftovers(rda_provider, proc.pid) == []


def test_a_hanging_import_is_reported_at_the_import_budget(reference_copy: Path) -> None:
    append(reference_copy, "taskapi/models.py", "while True:\n    pass")
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            str(reference_copy),
            "--stages",
            "import,schema",
            "--import-timeout",
            "3",
            "--format",
            "json",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["code"] == "RDA713" and "importing the target" in finding["message"]
    assert took < 15, f"took {took:.1f} s with a 3 s import budget"


def test_a_check_that_never_yields_is_ended_at_its_budget(reference_copy: Path) -> None:
    append(reference_copy, "taskapi/crud.py", HANG_IN_BEHAVIOUR)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "verifier",
            "verify",
            str(reference_copy),
            "--stages",
            "import,schema,behavior",
            "--check-timeout",
            "2",
            "--format",
            "json",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["code"] == "RDA713" and "create_project_and_worker" in finding["message"]
    assert time.monotonic() - started < 30


def test_a_run_leaves_no_process_behind(reference_copy: Path) -> None:
    proc = start(str(reference_copy))
    wait_for(proc, "behavior: running")
    started = descendants(proc.pid)
    assert started
    proc.communicate(timeout=120)
    assert proc.returncode == 0
    time.sleep(0.2)
    assert alive(started) == []


def test_a_sandbox_that_dies_under_a_run_is_exit_2_not_a_finding(reference_copy: Path) -> None:
    append(reference_copy, "taskapi/crud.py", HANG_IN_BEHAVIOUR)
    proc = start(str(reference_copy), "--format", "json")
    wait_for(proc, "behavior: running")
    pythons = [
        p
        for p in descendants(proc.pid)
        if "verifier.sandbox.forkserver" in " ".join(p.cmdline()) and "bwrap" not in p.name()
    ]
    # The fork server is the python whose parent is not one (its children are forks of it).
    (server,) = [p for p in pythons if p.ppid() not in {q.pid for q in pythons}]
    server.kill()  # as the OOM killer would
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, out + err
    assert out == "" and "fork server died" in err and "Traceback" not in err


def test_an_import_budget_bounds_the_whole_run(reference_copy: Path) -> None:
    """The migrations child would import the same module through env.py: it is stopped too."""
    append(reference_copy, "taskapi/models.py", "import time\ntime.sleep(60)")
    started = time.monotonic()
    command = [sys.executable, "-m", "verifier", "verify", str(reference_copy)]
    proc = subprocess.run(
        [*command, "--import-timeout", "3", "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["code"] for f in report["findings"]] == ["RDA713"]
    stages = {s["name"]: s for s in report["stages"]}
    assert stages["import"]["status"] == "failed" and stages["import"]["seconds"] >= 2.5
    for name in ("schema", "behavior", "migrations"):
        assert stages[name]["status"] == "skipped"
        assert stages[name]["note"] == "the target did not import"
    assert took < 15, f"took {took:.1f} s with a 3 s import budget"
