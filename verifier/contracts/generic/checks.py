"""The generic checks: what holds for any correct layer, one behaviour each.

Each check takes the ``Trial`` of one operation and raises ``Violation`` (or ``Warned``, its
warning-level form) with the code and what went wrong; its docstring is the sentence the
report starts with. They run in this order on each operation; the first call is shared.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from verifier.contracts import probing
from verifier.contracts.generic.returned import orm_objects, stale_columns
from verifier.contracts.generic.trial import GROWTH, Trial
from verifier.contracts.probing import Violation
from verifier.stages.context import describe

Check = Callable[[Trial], Awaitable[None]]
CHECKS: list[Check] = []
FAULT_EVENTS = "INSERT OR UPDATE OR DELETE"


class Warned(Violation):
    """A violation reported as a warning: worth fixing, but the run still exits 0."""


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def factory_location(trial: Trial) -> tuple[str | None, int | None]:
    """Where the target creates its sessions: the ``expire_on_commit`` it passes, or the call.

    Looked for in the module defining ``get_session``, then in the database module.
    """
    ctx = trial.layer.ctx
    modules = [inspect.getmodule(trial.layer.get_session), trial.layer.database]
    for wanted in ("keyword", "call"):
        for module in modules:
            try:
                file = inspect.getsourcefile(module)  # type: ignore[arg-type]
                tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
            except (TypeError, OSError, SyntaxError):
                continue
            for node in ast.walk(tree):
                if wanted == "keyword" and isinstance(node, ast.keyword):
                    if node.arg == "expire_on_commit":
                        return ctx.relative(file), node.value.lineno
                if wanted == "call" and isinstance(node, ast.Call):
                    name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                    if name.endswith(("sessionmaker", "AsyncSession")):
                        return ctx.relative(file), node.lineno
    return ctx.relative(getattr(trial.layer.database, "__file__", None)), None


def error_location(trial: Trial, exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost line of the target's that the exception came through, else the function."""
    file, line = trial.layer.ctx.location_of(exc)
    return (file, line) if file is not None else trial.where()


@check
async def returned_objects_readable(trial: Trial) -> None:
    """Every ORM object a call returns is readable after return, without I/O."""
    outcome = await trial.first()
    if outcome.error is not None:
        return
    for path, obj, state in orm_objects(outcome.result):
        stale = stale_columns(state)
        if not stale:
            continue
        cause = (
            ": the target's sessions are created with expire_on_commit=True, so commit() "
            "expired them (pass expire_on_commit=False to the session factory)"
            if outcome.expire_on_commit
            else ": expired or never loaded before the function returned (a rollback, an "
            "expire() or load_only leaves them so; refresh or reload before returning)"
        )
        where = factory_location(trial) if outcome.expire_on_commit else trial.where()
        raise Violation(
            "RDA705",
            f"{trial.name}() returned a {type(obj).__name__} ({path}) whose attributes "
            f"{', '.join(stale)} are not loaded: reading them after return needs I/O and "
            f"raises MissingGreenlet{cause}",
            where,
        )


@check
async def result_is_not_a_coroutine(trial: Trial) -> None:
    """A call returns its result, not a coroutine object it forgot to await."""
    outcome = await trial.first()
    if outcome.error is not None or not inspect.iscoroutine(outcome.result):
        return
    name = getattr(outcome.result, "__qualname__", "a coroutine")
    outcome.result.close()  # never run: no "was never awaited" warning from the target's run
    file, first, last = trial.layer.ctx.span_of_object(trial.op.function)
    raise Violation(
        "RDA101",
        f"{trial.name}() returned the coroutine object of {name}() instead of its result: "
        "an await is missing",
        (file, first),
        fix=f"write `return await {name.rsplit('.', 1)[-1]}(...)`: await the coroutine, return "
        "its result",
        **({"lines": [first, last]} if first is not None else {}),
    )


def implicit_io(exc: BaseException | None) -> bool:
    """True for the errors of I/O outside an ``await`` (a lazy load, an expired attribute):
    never a domain error a caller could expect, whatever the arguments."""
    from sqlalchemy.exc import MissingGreenlet
    from sqlalchemy.orm.exc import DetachedInstanceError

    return isinstance(exc, MissingGreenlet | DetachedInstanceError)


@check
async def no_io_outside_await(trial: Trial) -> None:
    """A call never loads lazily inside itself (MissingGreenlet or DetachedInstanceError)."""
    outcome = await trial.first()
    if not implicit_io(outcome.error):
        return
    raise Violation(
        "RDA705",
        f"{trial.name}() raised {describe(outcome.error)}: it read an attribute or relationship "
        "its query did not load, which needs I/O outside an await",
        error_location(trial, outcome.error),
        fix="load it with the query (selectinload(...), or options=[...] to session.get) or "
        'await session.refresh(obj, ["name"]) before reading it',
    )


@check
async def session_usable_after_error(trial: Trial) -> None:
    """A call that raises leaves the caller's session usable."""
    outcome = await trial.first()
    if outcome.error is None or outcome.unusable is None:
        return
    raise Violation(
        "RDA709",
        f"after {trial.name}() raised {describe(outcome.error)}, the same session is unusable: "
        f"the next statement raised {describe(outcome.unusable)} (roll back before raising)",
        error_location(trial, outcome.error),
    )


async def _constraint_probe(trial: Trial, what: str, outcome: Any) -> None:
    from sqlalchemy.exc import DBAPIError

    if outcome.error is None:
        return
    where = error_location(trial, outcome.error)
    if outcome.unusable is not None:
        raise Violation(
            "RDA709",
            f"{trial.name}() with {what} raised {describe(outcome.error)} and left the session "
            f"unusable: the next statement raised {describe(outcome.unusable)} (await "
            "session.rollback() before raising)",
            where,
        )
    if isinstance(outcome.error, DBAPIError):
        raise Warned(
            "RDA709",
            f"{trial.name}() with {what} let {type(outcome.error).__name__} escape: "
            f"{describe(outcome.error.orig or outcome.error)}; roll back and raise a domain error "
            "(a ValueError or LookupError subclass) callers can tell from a bug",
            where,
        )


@check
async def constraint_violation_is_domain_error(trial: Trial) -> None:
    """A write that breaks a constraint raises a domain error and leaves the session usable.

    A function that wrote is called again with the same arguments (a duplicate), and with ids
    of rows that do not exist (a missing reference).
    """
    first = await trial.first()
    if first.error is not None or not first.written:
        return
    again = await trial.call(trial.first_serial)
    await _constraint_probe(trial, "the same arguments a second time", again)
    if trial.plan.tables:
        missing = await trial.call(missing=True)
        await _constraint_probe(trial, "ids of rows that do not exist", missing)


@check
async def failed_write_leaves_nothing(trial: Trial) -> None:
    """When its second write fails, a function leaves none of its writes behind."""
    first = await trial.first()
    written = first.written
    known = {t.name for t in _tables()}
    if first.error is not None or len(written) < 2 or not set(written) <= known:
        return
    fault = written[1]
    await trial.reseed(trial.rows)
    probe = trial.layer.probe
    before = {t: await probing.table_digest(probe, t) for t in written}
    async with probing.fault_on(probe, fault, FAULT_EVENTS):
        outcome = await trial.call(rethrow=True)
    if outcome.error is None:
        return  # the write the fault waits for did not happen this time
    changed = [
        t for t in written if t != fault and await probing.table_digest(probe, t) != before[t]
    ]
    if changed:
        raise Violation(
            "RDA708",
            f"{trial.name}() writes {', '.join(written)}; with its write to {fault} failing, "
            f"what it wrote to {', '.join(changed)} persisted: the operation is not one "
            "transaction (flush for ids, commit once at the end)",
            trial.where(),
            statements=first.statements,
        )


def _tables() -> list[Any]:
    from verifier.stages.targetmodels import sorted_tables

    return sorted_tables()


@check
async def statements_do_not_grow(trial: Trial) -> None:
    """A call runs no more statements on three times the rows (no query per row)."""
    first = await trial.first()
    if first.error is not None:
        return
    rows = GROWTH * trial.rows
    await trial.reseed(rows)
    large = await trial.call()
    if large.error is not None:
        return
    small_count, large_count = len(first.statements), len(large.statements)
    if large_count > small_count:
        raise Violation(
            "RDA707",
            f"{trial.name}() ran {small_count} statements with {trial.rows} rows per "
            f"table and {large_count} with {rows}: the count grows with the rows it reads "
            "(a query or refresh per row); load related rows with selectinload in the query",
            trial.where(),
            statements=large.statements,
            statements_small=first.statements,
        )


@check
async def no_connection_left(trial: Trial) -> None:
    """After the calls return, no connection is left checked out or idle in a transaction."""
    checked, idle = trial.baseline
    checked_now = probing.checked_out(trial.layer.engine)
    idle_now = await probing.idle_in_transaction(trial.layer.probe)
    trial.layer.leaks = (checked_now, idle_now)
    if checked_now > checked or idle_now > idle:
        raise Violation(
            "RDA711",
            f"after {trial.name}() returned, {checked_now - checked} more connection(s) of the "
            f"target's engine were checked out of the pool and {idle_now - idle} more backend(s) "
            "were idle in transaction: close every session and connection it opens (async with)",
            trial.where(),
        )
