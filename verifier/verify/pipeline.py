"""``rda verify``'s work: run the stages on one target and gather one ``Report``.

The static stage runs here (it never imports the target). The dynamic stages run in sandboxed
children (``verifier.sandbox``), one per lane (``plan_lanes``), each over its own copy of the
target and against a database this run creates and drops. What a child cannot say itself (a
hang, a signal, a hard exit) is turned into a finding pinned to the stage and check that were
running. Then the findings are merged (``verifier.verify.merge``: one defect, one finding) and
each stage's status follows from them. A database or sandbox failure is never the target's
fault: it raises ``InfrastructureError`` (exit 2) and the findings of that run are discarded;
a failure of rda's own code raises ``InternalError`` (exit 2 too).
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from verifier.db.base import Database, DatabaseProvider
from verifier.errors import InfrastructureError, InternalError
from verifier.findings import Finding, Severity
from verifier.report.model import Report, StageResult
from verifier.sandbox.events import ChildLog
from verifier.sandbox.runner import (
    ChildResult,
    Limits,
    Sandbox,
    run_child,
    scrubbed_environment,
)
from verifier.stages import BEHAVIOR_PARTS, DYNAMIC_STAGES, STAGE_ORDER
from verifier.stages.codes import finding
from verifier.verify.split_stages import SharedProgress, merge_split_stages

if TYPE_CHECKING:
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
    # Two children per target pay off on idle cores; under --jobs the cores are busy already
    # and the second child's import of the target would only cost CPU.
    split_migrations: bool = True
    # The run's sandbox (one fork server for every target); None: verify_target makes one.
    sandbox: Sandbox | None = None


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
            except Exception as exc:
                detail = exc.message if isinstance(exc, InfrastructureError) else str(exc)
                raise InfrastructureError(
                    f"the database server failed during the run (dropping {database.name}: "
                    f"{detail})",
                    "check the server (rda db status) and run again; this run's findings were "
                    "discarded because they may be the server's fault, not the target's",
                ) from exc


def relative_to_target(found: Finding, root: Path) -> Finding:
    """Paths as the dynamic stages give them: relative to the target's root, not to the cwd."""
    if not found.file:
        return found
    path = Path(found.file).resolve()
    if not path.is_relative_to(root):
        return found
    return found.replace(file=path.relative_to(root).as_posix())


def static_stage(target: Target) -> tuple[list[Finding], StageResult]:
    """Stage 1 in the verifier itself: it never imports the target."""
    from verifier.lint import lint_paths

    started = time.perf_counter()
    findings = [relative_to_target(f, target.path) for f in lint_paths([target.path]).findings]
    failed = any(f.severity is Severity.ERROR for f in findings)
    status = "failed" if failed else "passed"
    return findings, StageResult("static", status, time.perf_counter() - started)


def child_findings(result: ChildResult, limits: Limits) -> list[Finding]:
    """Findings for what the child could not report itself."""
    log = result.log
    stage = log.running or "import"
    where = f"the {stage} stage" + (f" (check '{log.check}')" if log.check else "")
    if result.timed_out and result.timed_out_stage == "behavior":
        return [
            finding(
                "RDA713",
                f"the target did not finish {where} within {limits.check_timeout:g} s and was "
                "killed: a loop that never yields, or a call that blocks the event loop",
                stage="behavior",
            )
        ]
    if result.timed_out and result.timed_out_stage == "import":
        return [
            finding(
                "RDA713",
                f"importing the target did not finish within {limits.import_timeout:g} s "
                f"({where}) and was killed: a module that blocks or loops at import",
                stage="import",
            )
        ]
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


# The order a child runs its stages in: the migrations first (before anything of the target is
# imported), then the import, the schema built (silently, for the behaviour checks when another
# child reports the schema stage) or built and checked, the behaviour.
LANE_ORDER = ("migrations", "import", "build", "schema", "behavior")


@dataclass
class Lane:
    """One sandboxed child: the stages it reports, and those it runs only as prerequisites."""

    stages: list[str]
    silent: list[str] = field(default_factory=list)
    # The parts of the behavior stage it runs, when it runs that stage (both, or one of them
    # when the stage is split over two children).
    behavior: tuple[str, ...] = BEHAVIOR_PARTS

    @property
    def order(self) -> list[str]:
        """Every stage the child runs, prerequisites first."""
        wanted = set(self.stages) | set(self.silent)
        return [s for s in LANE_ORDER if s in wanted]


def prerequisites(stages: list[str]) -> list[str]:
    """What the requested stages need built first, run silently when not asked for."""
    silent = []
    if {"schema", "behavior"} & set(stages) and "import" not in stages:
        silent.append("import")
    if "behavior" in stages and "schema" not in stages:
        silent.append("build")
    return silent


def plan_lanes(target: Target, stages: list[str], split: bool = True) -> list[Lane]:
    """Spread the dynamic stages over two children that run at the same time.

    The migrations stage needs a database of its own and must run Alembic the way a developer
    does, in an interpreter that has not imported the target's models (an ``env.py`` importing
    them under another module name would otherwise define every table twice). So it runs in a
    child of its own beside import → schema → behavior; when one child per target is wanted
    (``--jobs``), it runs first in that child, before anything else is imported.

    With a contract the migrations child is done long before the other, so the behavior stage
    is split: the contract stays in the first child, the generic checks run in the migrations
    child after its migrations, on its own database (imported and built there, silently, as in
    the one-child case). Measured on two cores: the reference 3.54 -> 2.93 s, the chat example
    2.77 -> 2.54 s (medians of 8 interleaved runs). Without a contract the first child, with the
    generic checks alone, stays the shorter one: nothing is split. The report shows a split
    stage once (``merge_split_stages``). (Moving the schema checks into the migrations child
    instead was measured too: the run took as long.)
    """
    main = [s for s in stages if s != "migrations"]
    silent = prerequisites(main)
    if "migrations" not in stages or not target.spec.alembic_ini:
        return [Lane(stages, silent)]
    if not main:
        return [Lane(["migrations"])]
    if not split:
        return [Lane(stages, silent)]
    if "behavior" not in main or target.spec.contract == "none":
        return [Lane(main, silent), Lane(["migrations"])]
    return [
        Lane(main, silent, behavior=("contract",)),
        Lane(["migrations", "behavior"], ["import", "build"], behavior=("generic",)),
    ]


def contract_in_lane(target: Target, lane_dir: Path, workdir: Path) -> str:
    """The contract as the child can reach it: inside its copy, or copied next to it.

    A pytest contract is a path on the user's side; the sandbox shows the child neither the
    user's home nor ``/tmp``, only its own folder.
    """
    contract = target.spec.contract
    if contract in ("taskapi", "none"):
        return contract
    path = Path(contract)
    if path.is_relative_to(target.path):
        return str(workdir / path.relative_to(target.path))
    copy = lane_dir / "contract" / path.name
    if path.is_dir():
        shutil.copytree(path, copy, ignore=COPY_IGNORE)
    else:
        copy.parent.mkdir()
        shutil.copy2(path, copy)
    return str(copy)


def run_lane(
    target: Target,
    lane: Lane,
    gate: ProviderGate,
    options: Options,
    sandbox: Sandbox,
    progress: Progress | None,
    no_import: threading.Event | None = None,
) -> ChildResult:
    """One lane's child. ``no_import`` is set by the lane that reports the import when the
    target did not import: the other lanes' results would be discarded, so they stop."""
    lane_dir = sandbox.lane_dir()
    workdir = lane_dir / "target"
    shutil.copytree(target.path, workdir, ignore=COPY_IGNORE, symlinks=True)
    home = lane_dir / "home"
    home.mkdir()
    contract = contract_in_lane(target, lane_dir, workdir)
    sandbox.hand_over(lane_dir)
    # One database per child: when the migrations stage shares a child with the others it runs
    # first, on the still empty database, and the schema stage rebuilds it afterwards. The
    # target's modules that its env.py imported then point at the database they will use.
    database = gate.create()
    try:
        urls = {"main": database.async_url, "migrations": database.async_url}
        moved = contract != target.spec.contract and not contract.startswith(str(workdir))
        config = {
            "target": target.spec.to_dict()
            | {
                "root": str(workdir),
                "contract": contract,
                "contract_origin": target.spec.contract if moved else None,
            },
            "stages": lane.order,
            "silent_stages": lane.silent,
            "behavior_parts": list(lane.behavior),
            "databases": urls,
        }
        env = scrubbed_environment({target.spec.database_url_env: database.async_url}, home)
        seen: set[str] = set()

        reports_import = "import" in lane.stages

        def on_event(log: ChildLog) -> None:
            if reports_import and no_import is not None:
                if log.stages.get("import", {}).get("status") in ("failed", "skipped"):
                    no_import.set()
            if progress is None:
                return
            for name, info in log.stages.items():
                key = f"{name}:{info['status']}"
                if key not in seen:
                    seen.add(key)
                    progress(str(target.path), name, str(info["status"]))

        result = run_child(
            config,
            sandbox=sandbox,
            workdir=workdir,
            env=env,
            limits=options.limits,
            on_event=on_event,
            cancel=None if reports_import else no_import,
        )
        if reports_import and no_import is not None and result.log.running == "import":
            no_import.set()  # killed during the import (its budget, a crash)
        return result
    finally:
        try:
            gate.drop(database)
        finally:
            shutil.rmtree(lane_dir, ignore_errors=True)


def collect(report: Report, lane: Lane, result: ChildResult, limits: Limits) -> None:
    """Add one child's findings and stage results to the report."""
    if result.log.internal_error is not None:
        failure = result.log.internal_error
        raise InternalError(failure["summary"], failure.get("traceback"))
    report.findings.extend(result.log.findings)
    if not result.cancelled:
        report.findings.extend(child_findings(result, limits))
    report.assumptions.extend(result.log.notes)
    import_failed = result.log.stages.get("import", {}).get("status") in ("running", "failed")
    for name in lane.stages:
        info = result.log.stages.get(name)
        if result.cancelled:
            report.stages.append(StageResult(name, "skipped", note="the target did not import"))
        elif info is None and import_failed:
            report.stages.append(StageResult(name, "skipped", note="the target did not import"))
        elif info is None:
            report.stages.append(StageResult(name, "not run"))
        elif info["status"] == "running":  # the child died or was killed in it
            seconds = time.time() - float(info.get("started") or time.time())
            report.stages.append(StageResult(name, "failed", seconds))
        else:
            report.stages.append(
                StageResult(
                    name, str(info["status"]), float(info.get("seconds") or 0.0), info.get("note")
                )
            )
    if result.log.offline_sql:
        from verifier.stages.squawk import lint_sql

        report.findings.extend(
            lint_sql(result.log.offline_sql, revision_files=result.log.revision_files)
        )


def skip_migrations_without_import(report: Report) -> None:
    """A target that does not import has its migrations fail for the same reason: say it once.

    The migrations child runs beside the import; when the import failed, what it found (an
    ``env.py`` that could not import the models) is the import's finding again.
    """
    stages = {stage.name: stage for stage in report.stages}
    imported, migrations = stages.get("import"), stages.get("migrations")
    if imported is None or migrations is None or imported.status == "passed":
        return
    report.findings = [f for f in report.findings if f.stage != "migrations"]
    migrations.status, migrations.note = "skipped", "the target did not import"


def settle_statuses(report: Report) -> None:
    """A stage failed when an error-level finding is its own (merged findings count for each)."""
    from verifier.verify.merge import confirmed_stages

    failing: set[str] = set()
    for found in report.errors:
        failing |= confirmed_stages(found)
    for stage in report.stages:
        if stage.status in ("passed", "failed"):
            stage.status = "failed" if stage.name in failing else "passed"


def dynamic_stages(
    target: Target,
    gate: ProviderGate,
    options: Options,
    sandbox: Sandbox,
    report: Report,
    progress: Progress | None,
) -> None:
    stages = [s for s in DYNAMIC_STAGES if s in options.stages]
    from concurrent.futures import ThreadPoolExecutor

    lanes = plan_lanes(target, stages, options.split_migrations)
    if progress is not None and len(lanes) > 1:
        progress = SharedProgress(progress, (s for lane in lanes for s in lane.stages))
    no_import = threading.Event()
    with ThreadPoolExecutor(max_workers=len(lanes)) as pool:
        futures = [
            pool.submit(run_lane, target, lane, gate, options, sandbox, progress, no_import)
            for lane in lanes
        ]
        results = [f.result() for f in futures]
    dynamic = Report(tool="verify", target=report.target)
    for lane, result in zip(lanes, results, strict=True):
        collect(dynamic, lane, result, options.limits)
    report.findings.extend(dynamic.findings)
    report.assumptions.extend(dynamic.assumptions)
    report.stages.extend(merge_split_stages(dynamic.stages))


def sandbox_for(gate: ProviderGate, isolation: str = "auto") -> Sandbox:
    """A sandbox that reaches the gate's database server (its socket folders, or TCP)."""
    socket_dirs, needs_network = gate.provider.sandbox_access()
    return Sandbox(socket_dirs, share_network=needs_network, isolation=isolation)


def verify_target(
    target: Target,
    provider: DatabaseProvider | ProviderGate,
    options: Options,
    progress: Progress | None = None,
) -> Report:
    gate = provider if isinstance(provider, ProviderGate) else ProviderGate(provider)
    started = time.perf_counter()
    report = Report(
        tool="verify",
        target=str(target.path),
        assumptions=list(target.assumptions),
        root=str(target.path),
    )
    report.tool_versions = tool_versions()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:  # static runs while the children do
        static = pool.submit(static_stage, target) if "static" in options.stages else None
        if any(s in options.stages for s in DYNAMIC_STAGES):
            own = options.sandbox is None
            sandbox = options.sandbox or sandbox_for(gate).start()
            try:
                report.sandbox = {
                    "isolation": sandbox.describe(),
                    "database_role": gate.provider.privilege_note,
                }
                dynamic_stages(target, gate, options, sandbox, report, progress)
            finally:
                if own:
                    sandbox.close()
        if static is not None:
            findings, stage = static.result()
            report.findings.extend(findings)
            report.stages.append(stage)
            if progress:
                progress(str(target.path), "static", stage.status)
    from verifier.verify.merge import merge

    skip_migrations_without_import(report)
    report.assumptions = list(dict.fromkeys(report.assumptions))  # both children may note it
    report.findings = merge(report.findings)
    settle_statuses(report)
    order = {name: i for i, name in enumerate(STAGE_ORDER)}
    report.stages.sort(key=lambda stage: order.get(stage.name, len(order)))
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
