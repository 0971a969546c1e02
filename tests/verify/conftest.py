"""Helpers for the verify tests: copies of the reference implementation, patched, verified.

Mutants and hostile targets are derived here from ``reference_impl/`` (copy + one patch), never
kept as hand-maintained forks, so they follow the reference as it changes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from tests.reference_copies import copy_reference
from verifier.db.base import Database, DatabaseProvider
from verifier.report.model import Report
from verifier.sandbox.runner import Limits, Sandbox
from verifier.verify.pipeline import Options, ProviderGate, sandbox_for, verify_target
from verifier.verify.target import load_target

DYNAMIC = ("import", "schema", "behavior", "migrations")


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    return copy_reference(tmp_path)


@pytest.fixture(scope="session")
def rda_sandbox(rda_provider: DatabaseProvider) -> Iterator[Sandbox]:
    """One sandbox (fork server) for the session's verifications, as one ``rda verify`` run."""
    with sandbox_for(ProviderGate(rda_provider)) as sandbox:
        yield sandbox


def sandboxed_processes(sandbox: Sandbox) -> list[psutil.Process]:
    """The processes running in the sandbox now, but bubblewrap and the fork server itself.

    The server's children are forks of it and carry its command line: they are told apart by
    being below it.
    """
    assert sandbox.server_pid is not None
    try:
        below = [
            psutil.Process(sandbox.server_pid),
            *psutil.Process(sandbox.server_pid).children(recursive=True),
        ]
    except psutil.NoSuchProcess:
        return []
    pythons = []
    for proc in below:
        try:
            if (
                "verifier.sandbox.forkserver" in " ".join(proc.cmdline())
                and "bwrap" not in proc.name()
            ):
                pythons.append(proc)
        except (psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    servers = [p for p in pythons if p.ppid() not in {q.pid for q in pythons}]
    if not servers:
        return []
    try:
        return servers[0].children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.fixture
def verify(rda_provider: DatabaseProvider, rda_sandbox: Sandbox) -> Callable[..., Report]:
    """Verify a target in-process on the session's server (the child is still sandboxed)."""

    def run(
        target: Path,
        stages: tuple[str, ...] = DYNAMIC,
        timeout: float = 60.0,
        check_timeout: float = 20.0,
        contract: str | None = None,
        memory_mb: int = 2048,
    ) -> Report:
        limits = Limits(timeout=timeout, memory_mb=memory_mb, check_timeout=check_timeout)
        options = Options(stages, limits, sandbox=rda_sandbox)
        return verify_target(load_target(target, contract), rda_provider, options)

    return run


def codes(report: Report) -> set[str]:
    return {f.code for f in report.findings if f.severity == "error"}


async def _rda_databases(database: Database) -> set[str]:
    import asyncpg

    conn = await asyncpg.connect(database.dsn)
    try:
        rows = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'rda\\_%'")
    finally:
        await conn.close()
    mine = f"_{os.getpid()}_"  # other processes may be creating theirs meanwhile
    return {r["datname"] for r in rows if mine in r["datname"]} - {database.name}


@pytest.fixture
def rda_databases(rda_database: Database) -> Callable[[], set[str]]:
    """The rda_* databases this process owns on the server (but the test's own)."""
    return lambda: asyncio.run(_rda_databases(rda_database))
