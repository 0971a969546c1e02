"""``rda verify``'s work: run the stages on one target and gather one ``Report``.

The static stage runs here (it never imports the target). The dynamic stages run in one
sandboxed child over a temporary copy of the target, against databases this run creates and
drops. What the child cannot say itself (a hang, a signal, a hard exit) is turned into a finding
pinned to the stage and check that were running. A database failure is never the target's
fault: it raises ``InfrastructureError`` (exit 2) and the findings of that run are discarded.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verifier.db.base import Database, DatabaseProvider
from verifier.errors import InfrastructureError
from verifier.findings import Finding, Severity
from verifier.report.model import Report, StageResult
from verifier.sandbox.events import ChildLog
from verifier.sandbox.runner import ChildResult, Limits, run_child, scrubbed_environment
from verifier.stages import DYNAMIC_STAGES, STAGE_ORDER
from verifier.stages.codes import finding
from verifier.verify.target import Target

COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    "node_modules",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
)
Progress = Callable[[str, str, str], None]  # (target, stage, status)


@dataclass
class Options:
    stages: tuple[str, ...] = STAGE_ORDER
    limits: Limits = field(default_factory=Limits)


class ProviderGate:
    """Serialises calls to one provider from several ``--jobs`` threads."""

    def __init__(self, provider: DatabaseProvider) -> None:
        self.provider = provider
        self._lock = threading.Lock()

    def create(self) -> Database:
        with self._lock:
            try:
                return self.provider.create_database()
            except InfrastructureError:
                raise
            except Exception as exc:
                raise InfrastructureError(f"could not create a throwaway database: {exc}") from exc

    def drop(self, database: Database) -> None:
        with self._lock:
            try:
                self.provider.drop_database(database)
            except InfrastructureError:
                raise
            except Exception as exc:
                raise InfrastructureError(
                    f"the database server failed during the run (dropping {database.name}: {exc})",
                    "check the server (rda db status) and run again; findings of this run were "
                    "discarded because they may be the server's fault, not the target's",
                ) from exc


def static_stage(target: Target, report: Report) -> None:
    from verifier.lint import lint_paths

    started = time.perf_counter()
    lint_report = lint_paths([target.path])
    report.findings.extend(lint_report.findings)
    failed = any(f.severity is Severity.ERROR for f in lint_report.findings)
    report.stages.append(
        StageResult("static", "failed" if failed else "passed", time.perf_counter() - started)
    )


def child_findings(result: ChildResult, limits: Limits) -> list[Finding]:
    """Findings for what the child could not report itself."""
    log = result.log
    stage = log.running or "import"
    where = f"the {stage} stage" + (f" (check '{log.check}')" if log.check else "")
    if result.timed_out:
        return [
            finding(
                "RDA713",
                f"the target did not finish {where} within {limits.timeout:g} s and was killed",
                stage=stage,
            )
        ]
    if log.done and result.returncode == 0:
        return []
    if result.signal_name:
        hint = " (the memory limit?)" if result.signal_name == "SIGKILL" else ""
        message = f"the target's process died with {result.signal_name}{hint} during {where}"
    elif "MemoryError" in result.stderr_tail:
        message = f"the target exceeded the memory limit ({limits.memory_mb} MiB) during {where}"
    else:
        message = f"the target's process exited with status {result.returncode} during {where}"
    tail = result.stderr_tail.strip().splitlines()[-3:]
    return [finding("RDA714", message, stage=stage, details={"stderr": "\n".join(tail)})]


def dynamic_stages(
    target: Target,
    gate: ProviderGate,
    options: Options,
    report: Report,
    progress: Progress | None,
) -> None:
    stages = [s for s in DYNAMIC_STAGES if s in options.stages]
    with tempfile.TemporaryDirectory(prefix="rda-verify-") as tmp:
        workdir = Path(tmp) / "target"
        shutil.copytree(target.path, workdir, ignore=COPY_IGNORE, symlinks=True)
        home = Path(tmp) / "home"
        home.mkdir()
        databases: dict[str, Database] = {}
        try:
            databases["main"] = gate.create()
            if "migrations" in stages and target.spec.alembic_ini:
                databases["migrations"] = gate.create()
            spec = target.spec.to_dict() | {"root": str(workdir)}
            config = {
                "target": spec,
                "stages": stages,
                "databases": {role: db.async_url for role, db in databases.items()},
            }
            env = scrubbed_environment(
                {target.spec.database_url_env: databases["main"].async_url}, home
            )
            seen: set[str] = set()

            def on_event(log: ChildLog) -> None:
                if progress is None:
                    return
                for name, info in log.stages.items():
                    key = f"{name}:{info['status']}"
                    if key not in seen:
                        seen.add(key)
                        progress(str(target.path), name, str(info["status"]))

            result = run_child(
                config, workdir=workdir, env=env, limits=options.limits, on_event=on_event
            )
        finally:
            for db in databases.values():
                gate.drop(db)
    report.findings.extend(result.log.findings)
    report.findings.extend(child_findings(result, options.limits))
    report.assumptions.extend(result.log.notes)
    for name in stages:
        info = result.log.stages.get(name)
        if info is None:
            report.stages.append(StageResult(name, "not run"))
        else:
            status = "failed" if info["status"] == "running" else str(info["status"])
            report.stages.append(
                StageResult(name, status, float(info.get("seconds") or 0.0), info.get("note"))
            )
    if result.log.offline_sql:
        from verifier.stages.squawk import lint_sql

        report.findings.extend(
            lint_sql(result.log.offline_sql, revision_files=result.log.revision_files)
        )


def verify_target(
    target: Target,
    provider: DatabaseProvider | ProviderGate,
    options: Options,
    progress: Progress | None = None,
) -> Report:
    gate = provider if isinstance(provider, ProviderGate) else ProviderGate(provider)
    started = time.perf_counter()
    report = Report(tool="verify", target=str(target.path), assumptions=list(target.assumptions))
    report.tool_versions = tool_versions()
    if "static" in options.stages:
        if progress:
            progress(str(target.path), "static", "start")
        static_stage(target, report)
        if progress:
            progress(str(target.path), "static", report.stages[-1].status)
    if any(s in options.stages for s in DYNAMIC_STAGES):
        dynamic_stages(target, gate, options, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for dist in (
        "relational-db-agent",
        "sqlalchemy",
        "sqlmodel",
        "asyncpg",
        "alembic",
        "ruff",
        "squawk-cli",
    ):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            continue
    return versions
