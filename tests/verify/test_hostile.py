"""Hostile targets: each gives a finding within the timeout, exit 1, and leaves nothing behind."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from tests.reference_copies import append, patch
from verifier.report.model import Report
from verifier.sandbox.runner import Sandbox

from .conftest import codes, sandboxed_processes

HOSTILE = {
    "infinite loop at import": ("while True:\n    pass", "RDA713"),
    "sys.exit at import": ("import sys\nsys.exit(3)", "RDA701"),
    "segfault at import": ("import ctypes\nctypes.string_at(0)", "RDA714"),
    "connection to another host": (
        "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=1)",
        "RDA715",
    ),
    "subprocess spawn": ("import subprocess\nsubprocess.run(['true'])", "RDA716"),
    "memory hog": ("hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]", "RDA714"),
}


def _strays(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline", "cwd"]):
        try:
            if proc.pid != os.getpid() and marker in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_target_is_a_finding(
    name: str,
    reference_copy: Path,
    verify: Callable[..., Report],
    rda_databases: Callable[[], set[str]],
    rda_sandbox: Sandbox,
) -> None:
    code, expected = HOSTILE[name]
    append(reference_copy, "taskapi/models.py", code)
    before = rda_databases()
    report = verify(reference_copy, stages=("import", "schema"), timeout=10, memory_mb=1024)
    assert codes(report) == {expected}, report.findings
    assert report.exit_code == 1
    assert report.seconds < 15
    assert rda_databases() == before
    assert sandboxed_processes(rda_sandbox) == []  # ours only: other rda runs have children too


def test_pool_exhaustion_deadlock_is_a_timeout_naming_the_check(
    reference_copy: Path, verify: Callable[..., Report]
) -> None:
    # One connection in the pool, and create_project holds it while asking for another.
    patch(
        reference_copy,
        "taskapi/database.py",
        "pool_pre_ping=True)",
        "pool_pre_ping=True, pool_size=1, max_overflow=0, pool_timeout=600)",
    )
    append(
        reference_copy,
        "taskapi/crud.py",
        "_create_project = create_project\n\n\n"
        "async def create_project(session, name, description=None):\n"
        "    from .database import async_session_maker\n\n"
        "    await session.connection()\n"
        "    async with async_session_maker() as other:\n"
        "        await other.connection()\n"
        "    return await _create_project(session, name, description)\n",
    )
    report = verify(reference_copy, stages=("import", "schema", "behavior"), check_timeout=2)
    assert "RDA713" in codes(report)
    timeouts = [f for f in report.findings if f.code == "RDA713"]
    assert "create_project" in timeouts[0].message
    assert report.exit_code == 1
