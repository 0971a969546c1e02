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
from verifier.sandbox import aliases, environment, relay
from verifier.sandbox.events import EventWriter
from verifier.sandbox.guard import Guard
from verifier.stages import BEHAVIOR_PARTS
from verifier.stages.blame import VerifierFault, caused_by_target
from verifier.stages.codes import finding, refused_by_sandbox
from verifier.stages.context import StageContext, TargetSpec, describe

STAGE_MODULES = {
    "import": "verifier.stages.importing",
    "build": "verifier.stages.schema.build",  # the schema built, not checked (always silent)
    "schema": "verifier.stages.schema",
    "behavior": "verifier.stages.behavior",
    "migrations": "verifier.stages.migrations",
    "erd": "verifier.stages.erd_schema",  # rda erd TARGET: the models' schema as one event
}
# The code of an exception of the target's that escapes a stage's own checks.
STAGE_FAILURE_CODES = {
    "import": "RDA701",
    "build": "RDA703",
    "schema": "RDA703",
    "behavior": "RDA712",
    "migrations": "RDA802",
    "erd": "RDA701",
}
# What a stage needs to have been *built* before it (not: "passed without findings"): a schema
# with a finding in it still carries the behaviour checks, a schema that was never built not.
NEEDS = {
    "build": ("imported",),
    "schema": ("imported",),
    "behavior": ("imported", "schema"),
}
NEED_REASONS = {
    "imported": "the target did not import",
    "schema": "no schema was built",
}


class _Muted(EventWriter):
    """Swallows a silent stage's events: another child reports that stage, or none asked."""

    def __init__(self) -> None:  # no pipe behind it
        pass

    def emit(self, event: str, **data: Any) -> None:
        return None


def run_stages(
    ctx: StageContext, stages: list[str], guard: Guard, silent: frozenset[str] = frozenset()
) -> None:
    """Run ``stages`` in order; a stage whose ground was not laid is skipped with the reason.

    An exception that escapes a stage is a finding when the target caused it
    (``verifier.stages.blame``) and an internal error of rda's otherwise: then the run stops,
    since nothing after it can be trusted.
    """
    writer = ctx.writer
    for stage in stages:
        ctx.writer = _Muted() if stage in silent else writer
        missing = [need for need in NEEDS.get(stage, ()) if need not in ctx.built]
        started = ctx.writer.stage_start(stage)
        if missing:
            note = NEED_REASONS[missing[0]]  # the first is the cause of the others
            ctx.writer.stage_end(stage, "skipped", started, note=note)
            continue
        guard.stage = stage
        before = ctx.failed_checks
        try:
            module = importlib.import_module(STAGE_MODULES[stage])
            status = module.run(ctx)
        except VerifierFault as exc:
            _internal(writer, exc)
            return
        except MemoryError as exc:
            file, line = ctx.location_of(exc)
            ctx.report(
                finding(
                    "RDA714", "the memory limit was exceeded", stage=stage, file=file, line=line
                )
            )
            status = "failed"
        except BaseException as exc:
            if not caused_by_target(exc, ctx.root):
                _internal(writer, VerifierFault(stage, exc))
                return
            file, line = ctx.location_of(exc)
            code = STAGE_FAILURE_CODES[stage]
            refused = refused_by_sandbox(exc)
            if isinstance(exc, SystemExit):
                message = f"the target called sys.exit({exc.code!r}) during the {stage} stage"
            elif refused is not None:
                code = "RDA717"
                message = (
                    f"during the {stage} stage the target reached beyond its sandbox: {refused}"
                )
            else:
                message = f"{stage} stage raised {describe(exc)}"
            ctx.report(finding(code, message, stage=stage, file=file, line=line))
            status = "failed"
        if status == "passed" and ctx.failed_checks > before:
            status = "failed"
        ctx.writer.stage_end(stage, status, started)
    ctx.writer = writer


def _internal(writer: EventWriter, exc: VerifierFault) -> None:
    writer.emit(
        "internal_error",
        stage=exc.stage,
        summary=exc.summary,
        traceback=exc.traceback[-8000:],
    )


def prepare_environment(ctx: StageContext) -> None:
    """The target's settings, then the database in every form it may read it (``environment``).

    Its ``.env`` first, the manifest's ``[tool.rda.env]`` over it, the database variables over
    both: whatever the target's files say, it only ever reaches the throwaway database.
    """
    from urllib.parse import parse_qs, urlsplit

    main_url = ctx.databases["main"]
    socket_dir = (parse_qs(urlsplit(main_url).query).get("host") or [""])[0]
    if socket_dir.startswith("/"):
        port = (parse_qs(urlsplit(main_url).query).get("port") or ["5432"])[0]
        ctx.relay_port = relay.start(f"{socket_dir}/.s.PGSQL.{port}")
    for name, value in ctx.target.dotenv.items():
        os.environ.setdefault(name, value)
    os.environ.update(
        environment.database_variables(
            ctx.target.database_url_env, main_url, ctx.relay_port, ctx.target.env
        )
    )


def main(argv: list[str]) -> int:
    """``python -m verifier.sandbox.child CONFIG.json`` (the config names the event fd)."""
    config = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    return run(config, int(config["event_fd"]))


def run(config: dict[str, Any], event_fd: int) -> int:
    """Run the configured stages, reporting on ``event_fd`` (the fork server calls this)."""
    writer = EventWriter(event_fd)
    target = TargetSpec(**config["target"])
    ctx = StageContext(
        target=target,
        databases=dict(config["databases"]),
        writer=writer,
        check_timeout=float(config.get("check_timeout", 20.0)),
        behavior_parts=tuple(config.get("behavior_parts", BEHAVIOR_PARTS)),
    )

    def report_guarded(f: Finding) -> None:
        ctx.report(f)

    prepare_environment(ctx)
    guard = Guard(list(ctx.databases.values()), report_guarded, ctx.root)
    if ctx.relay_port is not None:
        guard.tcp.add(("127.0.0.1", ctx.relay_port))
    guard.install()
    aliases.install(ctx.root)
    os.chdir(ctx.root)
    sys.path.insert(0, str(ctx.root))
    t0 = time.perf_counter()
    run_stages(ctx, list(config["stages"]), guard, frozenset(config.get("silent_stages", ())))
    writer.emit("done", seconds=time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
