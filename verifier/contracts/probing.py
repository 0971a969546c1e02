"""What every behaviour contract needs around the target's calls, shared by all of them.

The verifier's own *probe* (an engine on the throwaway database that the target never sees)
looks at what really got written, empties the tables between checks, injects faults with a
trigger and counts the backends left idle in a transaction; a listener on the target's engine
counts the statements a call sends. A check that fails raises ``Violation``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

FAULT = "rda_injected_fault"


class Violation(Exception):
    """A check failed: ``code`` and the message the report prints, pinned to ``where``;
    ``fix`` replaces the code's fix text when the case needs other advice."""

    def __init__(
        self, code: str, message: str, where: Any = None, *, fix: str | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where
        self.fix = fix
        self.details = details


@dataclass
class StatementLog:
    """The statements an engine sent, each on one line and cut to 300 characters."""

    statements: list[str] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:300])


@asynccontextmanager
async def counting(engine: Any) -> AsyncIterator[StatementLog]:
    """Count the statements ``engine`` (an ``AsyncEngine``) sends while the block runs."""
    from sqlalchemy import event

    log = StatementLog()
    event.listen(engine.sync_engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", log)


def probe_engine(url: str) -> Any:
    """The verifier's own engine: pooled, since checks look at the database dozens of times."""
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(url, pool_size=2, max_overflow=0)


async def scalar(probe: Any, sql: str, **params: Any) -> Any:
    from sqlalchemy import text

    async with probe.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def execute(probe: Any, *statements: str) -> None:
    """Run statements in one transaction of the probe (never through the target)."""
    from sqlalchemy import text

    async with probe.begin() as conn:
        for sql in statements:
            await conn.execute(text(sql))


async def empty_tables(probe: Any) -> None:
    """Empty every table (DELETE, children first: cheaper than TRUNCATE on a handful of rows)."""
    from verifier.stages.targetmodels import sorted_tables

    tables = reversed(sorted_tables())
    await execute(
        probe, "SET LOCAL lock_timeout = '3s'", *(f'DELETE FROM "{t.name}"' for t in tables)
    )


async def idle_in_transaction(probe: Any) -> int:
    """Backends of this database (but the probe's own) left idle inside a transaction."""
    return int(
        await scalar(
            probe,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
        )
    )


def checked_out(engine: Any) -> int:
    """Connections of the target's engine checked out of its pool now."""
    pool = engine.pool
    return int(pool.checkedout()) if hasattr(pool, "checkedout") else 0


@asynccontextmanager
async def fault_on(probe: Any, table: str, events: str = "INSERT") -> AsyncIterator[None]:
    """While the block runs, every row written to ``table`` (``events``) raises an error.

    The second write of an operation fails this way: what the operation wrote before it must
    not persist.
    """
    await execute(
        probe,
        f"CREATE FUNCTION {FAULT}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'rda injected fault'; END $$",
        f'CREATE TRIGGER {FAULT} BEFORE {events} ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {FAULT}()",
    )
    try:
        yield
    finally:
        await execute(
            probe,
            f'DROP TRIGGER IF EXISTS {FAULT} ON "{table}"',
            f"DROP FUNCTION IF EXISTS {FAULT}()",
        )


async def table_digest(probe: Any, table: str) -> str:
    """A digest of every row of ``table``: equal digests, equal contents."""
    return str(
        await scalar(
            probe,
            "SELECT coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') "
            f'FROM "{table}" t',
        )
    )
