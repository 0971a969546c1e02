"""One call of an operation through the target's own session, and what came of it.

The session comes from the target's ``get_session`` (``verifier.contracts.sessions``), so a
unit-of-work dependency commits after the call as it would in the application. Every statement
the target's engine sends from opening the session to closing it is counted. An exception of
the target's is kept in the outcome (checks decide what it means); after one, the same session
is asked for ``SELECT 1`` to see whether the caller could go on using it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from verifier.contracts.generic.discovery import Operation
from verifier.contracts.probing import counting
from verifier.contracts.sessions import open_session
from verifier.stages.context import StageContext

WRITE = re.compile(
    r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:(?:"[^"]+"|\w+)\.)?("[^"]+"|\w+)',
    re.IGNORECASE,
)


@dataclass
class Layer:
    """The target as the generic checks drive it."""

    ctx: StageContext
    database: ModuleType
    get_session: Any
    engine: Any  # the AsyncEngine the target's sessions are bound to
    probe: Any  # the verifier's own AsyncEngine on the same database
    # What is in the tables: the last seed, and whether it is intact (no call updated or
    # deleted rows since; rows a call inserted leave the seed's rows as they were).
    seeded: Any = None
    intact: bool = False
    # Connections checked out and backends idle in transaction, as last seen.
    leaks: tuple[int, int] | None = None


@dataclass
class Outcome:
    result: Any = None
    error: BaseException | None = None
    statements: list[str] = field(default_factory=list)
    # After an error, in the same session: None (not asked), or what ``SELECT 1`` raised.
    unusable: BaseException | None = None
    expire_on_commit: bool | None = None  # the session's own setting

    @property
    def written(self) -> list[str]:
        """The tables the call wrote to, in the order of their first write."""
        tables: list[str] = []
        for statement in self.statements:
            match = WRITE.match(statement)
            if match:
                name = match.group(2).strip('"')
                if name not in tables:
                    tables.append(name)
        return tables

    @property
    def changed(self) -> bool:
        """Whether the call updated or deleted rows (sent an UPDATE or a DELETE)."""
        return any(
            (m := WRITE.match(s)) is not None and not m.group(1).upper().startswith("INSERT")
            for s in self.statements
        )


async def still_usable(session: Any) -> BaseException | None:
    """What the session raises on ``SELECT 1`` (None: the caller can go on using it)."""
    from sqlalchemy import text

    try:
        await session.scalar(text("SELECT 1"))
    except Exception as exc:  # the target left the session unusable; the checks report it
        return exc
    return None


def _expire_on_commit(session: Any) -> bool | None:
    value = getattr(getattr(session, "sync_session", session), "expire_on_commit", None)
    return value if isinstance(value, bool) else None


async def invoke(
    layer: Layer, op: Operation, args: list[Any], kwargs: dict[str, Any], *, rethrow: bool = False
) -> Outcome:
    """Call ``op`` in a session of the target's own.

    With ``rethrow`` the exception leaves the session block, as it would leave a request: a
    dependency that rolls back in its ``except`` does so; the session is not asked afterwards.
    """
    outcome = Outcome()
    async with counting(layer.engine) as log:
        try:
            async with open_session(layer.get_session) as session:
                outcome.expire_on_commit = _expire_on_commit(session)
                try:
                    outcome.result = await op.call(session, args, kwargs)
                except Exception as exc:  # the target's: kept for the checks
                    outcome.error = exc
                    if rethrow:
                        raise
                    outcome.unusable = await still_usable(session)
        except Exception as exc:  # the call's own (rethrown), or get_session's exit failing
            if outcome.error is None:
                outcome.error = exc
    outcome.statements = log.statements
    if outcome.changed:
        layer.intact = False
    return outcome
