"""Entry point of the sandboxed child: ``python -m verifier.sandbox.child CONFIG.json``.

It installs the guard before any target code runs, then runs the requested dynamic stages in
order inside one process (importing SQLAlchemy and the target once keeps ``rda verify`` fast),
reporting through the event pipe. An exception that escapes a stage, ``sys.exit`` included,
becomes a finding about the target; the parent handles what the child cannot report itself
(signals, hangs, hard exits).
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from verifier.findings import Finding
from verifier.sandbox.events import EventWriter
from verifier.sandbox.guard import Guard
from verifier.stages.codes import finding
from verifier.stages.context import StageContext, TargetSpec, describe

STAGE_MODULES = {
    "import": "verifier.stages.importing",
    "schema": "verifier.stages.schema",
    "behavior": "verifier.stages.behavior",
    "migrations": "verifier.stages.migrations",
}
# The code of an exception that escapes a stage's own checks.
STAGE_FAILURE_CODES = {
    "import": "RDA701",
    "schema": "RDA703",
    "behavior": "RDA712",
    "migrations": "RDA802",
}
# A stage needs these to have passed first.
PREREQUISITES = {"schema": ("import",), "behavior": ("import", "schema"), "migrations": ("import",)}


class _Muted(EventWriter):
    """Swallows a silent stage's events: another child reports that stage."""

    def __init__(self) -> None:  # no pipe behind it
        pass

    def emit(self, event: str, **data: Any) -> None:
        return None


def run_stages(
    ctx: StageContext, stages: list[str], guard: Guard, silent: frozenset[str] = frozenset()
) -> None:
    statuses: dict[str, str] = {}
    writer = ctx.writer
    for stage in stages:
        ctx.writer = _Muted() if stage in silent else writer
        missing = [p for p in PREREQUISITES.get(stage, ()) if statuses.get(p, "passed") != "passed"]
        started = ctx.writer.stage_start(stage)
        if missing:
            statuses[stage] = "skipped"
            ctx.writer.stage_end(stage, "skipped", started, note=f"needs {', '.join(missing)}")
            continue
        guard.stage = stage
        before = ctx.failed_checks
        try:
            module = importlib.import_module(STAGE_MODULES[stage])
            status = module.run(ctx)
        except MemoryError as exc:
            file, line = ctx.location_of(exc)
            ctx.report(
                finding(
                    "RDA714", "the memory limit was exceeded", stage=stage, file=file, line=line
                )
            )
            status = "failed"
        except BaseException as exc:
            file, line = ctx.location_of(exc)
            code = STAGE_FAILURE_CODES[stage]
            if isinstance(exc, SystemExit):
                message = f"the target called sys.exit({exc.code!r}) during the {stage} stage"
            else:
                message = f"{stage} stage raised {describe(exc)}"
            ctx.report(finding(code, message, stage=stage, file=file, line=line))
            status = "failed"
        if status == "passed" and ctx.failed_checks > before:
            status = "failed"
        statuses[stage] = status
        ctx.writer.stage_end(stage, status, started)
    ctx.writer = writer


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    writer = EventWriter(int(config["event_fd"]))
    target = TargetSpec(**config["target"])
    ctx = StageContext(
        target=target,
        databases=dict(config["databases"]),
        writer=writer,
        check_timeout=float(config.get("check_timeout", 20.0)),
    )

    def report_guarded(f: Finding) -> None:
        ctx.report(f)

    guard = Guard(list(ctx.databases.values()), report_guarded, ctx.root)
    guard.install()
    os.chdir(ctx.root)
    sys.path.insert(0, str(ctx.root))
    t0 = time.perf_counter()
    run_stages(ctx, list(config["stages"]), guard, frozenset(config.get("silent_stages", ())))
    writer.emit("done", seconds=time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
