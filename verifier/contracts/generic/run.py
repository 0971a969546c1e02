"""Run the generic checks on every operation of the target's crud modules.

An operation whose arguments cannot be built, or a layer the checks cannot drive (no crud
module, no ``get_session``, a seed the database refuses), is noted in the report, never a
finding. Each check runs under the stage's per-check deadline; one that does not finish is
RDA713 and ends the generic checks (the target may hold connections and locks).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from verifier.contracts import probing
from verifier.contracts.generic.arguments import Tables, Unbuildable, plan
from verifier.contracts.generic.calls import Layer
from verifier.contracts.generic.checks import CHECKS, Warned, implicit_io
from verifier.contracts.generic.discovery import Operation, operations
from verifier.contracts.generic.seeding import SeedFailed
from verifier.contracts.generic.trial import Skip, TablesLocked, Trial
from verifier.contracts.probing import Violation
from verifier.contracts.sessions import open_session
from verifier.findings import Severity
from verifier.stages.blame import VerifierFault, caused_by_target
from verifier.stages.codes import finding
from verifier.stages.context import StageContext, describe, import_module

STAGE = "behavior"


def note(ctx: StageContext, text: str) -> None:
    ctx.writer.emit("note", stage=STAGE, text=f"generic checks: {text}")


async def resolve(ctx: StageContext) -> Layer | str:
    """The layer to drive, or why it cannot be driven."""
    spec = ctx.target
    if not spec.crud_modules():
        return "not run, no crud module named or discovered"
    if not spec.database:
        return "not run, no database module (with get_session) named or discovered"
    database = import_module(ctx, spec.database)
    get_session = getattr(database, "get_session", None)
    if not callable(get_session):
        return f"not run, {database.__name__} has no get_session"
    try:
        async with open_session(get_session) as session:
            bind = getattr(session, "bind", None)
    except Exception as exc:
        if not caused_by_target(exc, ctx.root):
            raise VerifierFault(STAGE, exc) from exc
        return f"not run, {database.__name__}.get_session() failed: {describe(exc)}"
    engine = getattr(bind, "engine", bind) if not hasattr(bind, "sync_engine") else bind
    if not hasattr(engine, "sync_engine"):
        engine = getattr(database, "engine", None)
    if not hasattr(engine, "sync_engine"):
        return f"not run, the sessions of {database.__name__} are bound to no AsyncEngine"
    probe = probing.probe_engine(ctx.databases["main"])
    return Layer(ctx, database, get_session, engine, probe)


def located(v: Violation, trial: Trial) -> Any:
    file, line = v.where if isinstance(v.where, tuple) else trial.where()
    found = finding(
        v.code, v.message, stage=STAGE, file=file, line=line, details=v.details, fix=v.fix
    )
    if isinstance(v, Warned):
        found = found.replace(severity=Severity.WARNING)
    return found


async def run_trial(ctx: StageContext, trial: Trial, reported: set[tuple[Any, ...]]) -> bool:
    """Every check on one operation; False when the generic checks must stop.

    A defect several operations show at one place (the session factory's expire_on_commit)
    is reported once: ``reported`` holds the (code, file, line) already reported.
    """
    layer = trial.layer
    if layer.leaks is None:  # after the first operation, what the last one's check saw
        layer.leaks = (
            probing.checked_out(layer.engine),
            await probing.idle_in_transaction(layer.probe),
        )
    trial.baseline = layer.leaks
    for check in CHECKS:
        ctx.check_started(f"{check.__name__} {trial.op.name}")
        try:
            await asyncio.wait_for(check(trial), ctx.check_timeout)
        except Violation as v:
            found = located(v, trial)
            if (found.code, found.file, found.line) not in reported:
                reported.add((found.code, found.file, found.line))
                ctx.report(found)
        except Skip as exc:
            note(ctx, f"{trial.op.name} skipped ({exc})")
            return True
        except SeedFailed as exc:
            note(ctx, f"stopped, the generated rows were refused ({exc})")
            return False
        except TablesLocked as exc:
            file, line = trial.where()
            ctx.report(
                finding(
                    "RDA711",
                    f"after {trial.name}() the tables could not be emptied ({exc}): a "
                    "connection of the target still holds locks",
                    stage=STAGE,
                    file=file,
                    line=line,
                )
            )
            return False
        except TimeoutError:
            file, line = trial.where()
            ctx.report(
                finding(
                    "RDA713",
                    f"generic check '{check.__name__}' of {trial.op.name}() did not finish "
                    f"within {ctx.check_timeout:g} s: a deadlock or an exhausted connection "
                    "pool; the remaining generic checks were not run",
                    stage=STAGE,
                    file=file,
                    line=line,
                )
            )
            return False
        except Exception as exc:
            if not caused_by_target(exc, ctx.root):
                raise VerifierFault(STAGE, exc) from exc
            note(ctx, f"{check.__name__} of {trial.op.name} could not run ({describe(exc)})")
    first = trial.first_outcome
    if first is not None and first.error is not None and not implicit_io(first.error):
        note(
            ctx,
            f"{trial.op.name} raised {describe(first.error)} with generated arguments; only "
            "the session's state after the error was checked",
        )
    return True


async def drive(ctx: StageContext, layer: Layer) -> tuple[int, int]:
    modules = [import_module(ctx, name) for name in ctx.target.crud_modules()]
    ops: list[Operation] = operations(ctx, modules)
    if not ops:
        note(ctx, f"no function of {', '.join(m.__name__ for m in modules)} takes a session first")
        return 0, 0
    tables = Tables()
    called = skipped = 0
    reported: set[tuple[Any, ...]] = set()
    for op in ops:
        try:
            trial = Trial(layer, op, plan(tables, op))
        except Unbuildable as exc:
            note(ctx, f"{op.name} skipped ({exc})")
            skipped += 1
            continue
        called += 1
        if not await run_trial(ctx, trial, reported):
            break
    await probing.empty_tables(layer.probe)
    return called, skipped


async def _main(ctx: StageContext) -> bool:
    resolved = await resolve(ctx)
    if isinstance(resolved, str):
        note(ctx, resolved)
        return False
    layer = resolved
    started = time.perf_counter()
    try:
        called, skipped = await drive(ctx, layer)
    finally:
        await layer.probe.dispose()
        await layer.engine.dispose()
    names = ", ".join(ctx.target.crud_modules())
    note(
        ctx,
        f"{called} operation(s) of {names} called, {skipped} skipped "
        f"({time.perf_counter() - started:.2f} s)",
    )
    return called > 0


def run(ctx: StageContext) -> bool:
    """Run the generic checks; whether any operation was called."""
    return asyncio.run(_main(ctx))
