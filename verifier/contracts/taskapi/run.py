"""Run the Task API checks against the target, one fresh set of tables per check."""

from __future__ import annotations

import asyncio
import traceback
from typing import Any

from verifier.contracts import probing
from verifier.contracts.taskapi.adapter import (
    CRUD_FUNCTIONS,
    FIELDS,
    MODELS,
    SCHEMAS,
    TaskApi,
    Violation,
    find,
)
from verifier.contracts.taskapi.checks import CHECKS
from verifier.findings import Finding
from verifier.stages.blame import VerifierFault, caused_by_target
from verifier.stages.codes import finding, refused_by_sandbox
from verifier.stages.context import StageContext, describe, import_module

STAGE = "behavior"


def resolve(ctx: StageContext) -> TaskApi | list[Finding]:
    """The target's functions and classes, or findings saying what the contract misses."""
    spec = ctx.target
    names = [*spec.crud_modules(), spec.database, *spec.model_modules()]
    modules = [import_module(ctx, n) for n in names if n]
    cruds = [import_module(ctx, n) for n in spec.crud_modules()]
    # Several crud modules: the Task API's functions are in the one defining create_task.
    crud = next((m for m in cruds if hasattr(m, "create_task")), cruds[0] if cruds else None)
    database = import_module(ctx, ctx.target.database) if ctx.target.database else None
    problems: list[Finding] = []
    if crud is None or database is None:
        missing = "crud" if crud is None else "database"
        return [
            finding(
                "RDA712",
                f"the taskapi contract needs a {missing} module: name it in "
                f'[tool.rda] {missing} = "pkg.module"',
                stage=STAGE,
            )
        ]
    functions = {
        n: next((getattr(m, n) for m in cruds if hasattr(m, n)), None) for n in CRUD_FUNCTIONS
    }
    for name, fn in functions.items():
        if not callable(fn) or not asyncio.iscoroutinefunction(fn):
            problems.append(
                finding(
                    "RDA712",
                    f"{crud.__name__}.{name} is missing or not an async function",
                    stage=STAGE,
                    file=ctx.relative(getattr(crud, "__file__", None)),
                )
            )
    classes = {n: find(modules, n) for n in (*MODELS, *SCHEMAS)}
    for name, cls in classes.items():
        if cls is None:
            problems.append(
                finding("RDA712", f"no class {name} in the target's modules", stage=STAGE)
            )
            continue
        fields = getattr(cls, "model_fields", {})
        missing = [f for f in FIELDS[name] if f not in fields and not hasattr(cls, f)]
        if missing:
            file, line = ctx.location_of_object(cls)
            problems.append(
                finding(
                    "RDA712",
                    f"{name} lacks the contract's {', '.join(missing)}",
                    stage=STAGE,
                    file=file,
                    line=line,
                )
            )
    engine = getattr(database, "engine", None)
    if engine is None or not hasattr(engine, "sync_engine"):
        problems.append(
            finding(
                "RDA712",
                f"{database.__name__}.engine is missing or not an AsyncEngine",
                stage=STAGE,
            )
        )
    if not callable(getattr(database, "get_session", None)):
        problems.append(
            finding("RDA712", f"{database.__name__}.get_session is missing", stage=STAGE)
        )
    if problems:
        return problems
    probe = probing.probe_engine(ctx.databases["main"])
    return TaskApi(ctx, crud, database, engine, functions, classes, probe)


async def reset(api: TaskApi) -> None:
    """Empty every table before a check."""
    await probing.empty_tables(api.probe)


# SQLAlchemy's own words for defects a static rule names too: the finding takes the rule's code,
# so the static and the dynamic sighting of one defect are reported once.
RULE_OF_MESSAGE = {
    "The unique() method must be invoked": "RDA303",  # joinedload of a collection
}


def failure_code(exc: BaseException) -> str:
    """An unexpected exception's code: I/O on a returned object is the expire_on_commit bug."""
    from sqlalchemy.exc import MissingGreenlet
    from sqlalchemy.orm.exc import DetachedInstanceError

    if isinstance(exc, (MissingGreenlet, DetachedInstanceError)):
        return "RDA705"
    if refused_by_sandbox(exc) is not None:
        return "RDA717"
    for words, code in RULE_OF_MESSAGE.items():
        if words in str(exc):
            return code
    return "RDA712"


def violation_finding(api: TaskApi, v: Violation) -> Finding:
    """A violation as a finding, at the function it names or the (file, line) it carries."""
    if isinstance(v.where, str):
        file, line = api.where(v.where)
    elif isinstance(v.where, tuple):
        file, line = v.where
    else:
        file, line = None, None
    return finding(
        v.code, v.message, stage=STAGE, file=file, line=line, details=v.details, fix=v.fix
    )


async def run_checks(ctx: StageContext, api: TaskApi) -> None:
    for check in CHECKS:
        name = check.__name__
        doc = (check.__doc__ or name).strip()
        ctx.check_started(name)
        try:
            await reset(api)
        except Exception as exc:
            ctx.report(
                finding(
                    "RDA711",
                    f"before check '{name}' the tables could not be emptied ({describe(exc)}):"
                    " a connection of the target still holds locks",
                    stage=STAGE,
                )
            )
            break
        try:
            await asyncio.wait_for(check(api), ctx.check_timeout)
        except Violation as v:
            ctx.report(violation_finding(api, v))
        except TimeoutError:
            ctx.report(
                finding(
                    "RDA713",
                    f"check '{name}' ({doc}) did not finish within {ctx.check_timeout:g} s: "
                    "a deadlock or an exhausted connection pool; the remaining checks were not run",
                    stage=STAGE,
                )
            )
            return
        except Exception as exc:
            if not caused_by_target(exc, ctx.root):
                raise VerifierFault(STAGE, exc) from exc
            file, line = ctx.location_of(exc)
            ctx.report(
                finding(
                    failure_code(exc),
                    f"check '{name}' ({doc}) failed: {describe(exc)}",
                    stage=STAGE,
                    file=file,
                    line=line,
                    details={
                        "traceback": "".join(traceback.format_exception(exc, limit=-4, chain=False))
                    },
                )
            )
    await check_leaks(ctx, api)


async def check_leaks(ctx: StageContext, api: TaskApi) -> None:
    """After every call returned, no connection is checked out or idle in a transaction."""
    ctx.check_started("connection_leaks")
    checked_out = probing.checked_out(api.engine)
    idle = await probing.idle_in_transaction(api.probe)
    if checked_out or idle:
        ctx.report(
            finding(
                "RDA711",
                f"after the contract calls returned, {checked_out} connection(s) were still "
                f"checked out of the pool and {idle} backend(s) were idle in transaction",
                stage=STAGE,
                file=ctx.relative(getattr(api.database, "__file__", None)),
            )
        )


async def _main(ctx: StageContext) -> None:
    resolved = resolve(ctx)
    if isinstance(resolved, list):
        for f in resolved:
            ctx.report(f)
        return
    api = resolved
    try:
        await run_checks(ctx, api)
    finally:
        await api.probe.dispose()
        await api.engine.dispose()


def run(ctx: StageContext) -> Any:
    asyncio.run(_main(ctx))
