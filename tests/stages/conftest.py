"""Run one dynamic stage on a copy of a target, in a fresh interpreter, against real PostgreSQL.

A stage imports the target, which registers its tables on ``SQLModel.metadata`` and fills
``sys.modules``: done in the test process, one test's target would leak into the next. So each
run is a small child process that builds a ``StageContext`` the way the sandboxed child does
(the target's copy is the working directory and first on ``sys.path``, ``DATABASE_URL`` holds
the main database) and reports through an ``EventWriter`` over a pipe that the test reads with
``ChildLog``. Targets are copies of ``reference_impl/`` with one patch each, so the mutants
follow the reference as it changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reference_copies import copy_reference
from verifier.db.base import Database, DatabaseProvider
from verifier.findings import Finding, Severity
from verifier.sandbox.events import ChildLog

REFERENCE_TARGET = {
    "models": "taskapi.models",
    "database": "taskapi.database",
    "crud": "taskapi.crud",
    "alembic_ini": "alembic.ini",
}

CHILD = """
import importlib, json, os, sys
config = json.loads(sys.argv[1])
from verifier.sandbox.child import STAGE_MODULES
from verifier.sandbox.events import EventWriter
from verifier.stages.context import StageContext, TargetSpec
target = TargetSpec(**config["target"])
writer = EventWriter(int(config["fd"]))
ctx = StageContext(target=target, databases=config["databases"], writer=writer)
os.chdir(target.root)
sys.path.insert(0, target.root)
for stage in config["stages"]:
    status = importlib.import_module(STAGE_MODULES[stage]).run(ctx)
    writer.emit("result", stage=stage, status=status)
name = target.database_url_env
writer.emit("after", cwd=os.getcwd(), url=os.environ.get(name), sys_path=sys.path)
"""


@dataclass
class StageRun:
    """What a stage reported: statuses, findings, and every raw event in order."""

    statuses: dict[str, str]
    log: ChildLog
    events: list[dict[str, Any]] = field(default_factory=list)
    stderr: str = ""

    @property
    def findings(self) -> list[Finding]:
        return self.log.findings

    def codes(self, severity: Severity | None = Severity.ERROR) -> set[str]:
        return {f.code for f in self.findings if severity is None or f.severity is severity}

    def with_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def event(self, kind: str) -> dict[str, Any]:
        matching = [e for e in self.events if e.get("event") == kind]
        assert matching, f"no {kind!r} event; stderr:\n{self.stderr[-3000:]}"
        return matching[-1]

    def checks(self) -> list[str]:
        return [str(e["name"]) for e in self.events if e.get("event") == "check"]


def run_stages(
    root: Path,
    databases: dict[str, str],
    stages: tuple[str, ...] = ("migrations",),
    timeout: float = 180.0,
    **target: Any,
) -> StageRun:
    """Run ``stages`` on the target at ``root`` in a child interpreter and collect its events."""
    spec = {"root": str(root), **REFERENCE_TARGET, **target}
    read_fd, write_fd = os.pipe()
    config = json.dumps({"target": spec, "databases": databases, "fd": write_fd, "stages": stages})
    env = {**os.environ, spec.get("database_url_env", "DATABASE_URL"): databases["main"]}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, config],
            cwd=root,
            env=env,
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write_fd)
    log, events = ChildLog(), []
    with os.fdopen(read_fd, encoding="utf-8") as pipe:
        for line in pipe:
            log.feed(line)
            events.append(json.loads(line))
    try:
        _, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, stderr = proc.communicate()
        pytest.fail(f"the stage did not finish within {timeout}s:\n{stderr[-3000:]}")
    statuses = {e["stage"]: e["status"] for e in events if e.get("event") == "result"}
    if set(statuses) != set(stages):
        pytest.fail(f"the stage child crashed (exit {proc.returncode}):\n{stderr[-5000:]}")
    return StageRun(statuses, log, events, stderr)


@pytest.fixture
def reference_copy(tmp_path: Path) -> Path:
    return copy_reference(tmp_path)


@pytest.fixture
def stage_databases(
    rda_provider: DatabaseProvider, rda_database: Database
) -> Iterator[dict[str, str]]:
    """The two databases the parent hands a child: ``main`` and an empty ``migrations``."""
    migrations = rda_provider.create_database()
    try:
        yield {"main": rda_database.async_url, "migrations": migrations.async_url}
    finally:
        rda_provider.drop_database(migrations)


@pytest.fixture
def run_stage(stage_databases: dict[str, str]) -> Callable[..., StageRun]:
    def run(root: Path, **kwargs: Any) -> StageRun:
        return run_stages(root, stage_databases, **kwargs)

    return run
