"""Fixtures of the Task API tests: a real PostgreSQL through the ``rda`` pytest plugin.

The plugin's template database is built by the project's own migrations (``alembic upgrade
head``), so every test runs on the schema a deployment gets, in a fresh clone of its own.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from alembic import command
from sqlalchemy import func, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from taskapi import crud
from taskapi_testing import FaultInjector, People, RowCounter, alembic_config, run_alembic

from verifier.db.base import Database


@pytest.fixture(scope="session")
def rda_schema() -> Callable[[Database], None]:
    """Build the template database with the migrations, as a deployment would."""

    def build(database: Database) -> None:
        run_alembic(command.upgrade, alembic_config(database.async_url), "head")

    return build


@pytest.fixture
def session_maker(rda_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions configured like ``taskapi.database.async_session_maker``, on the test database."""
    return async_sessionmaker(rda_engine, class_=AsyncSession, expire_on_commit=False)


@pytest.fixture
async def people(session_maker: async_sessionmaker[AsyncSession]) -> People:
    async with session_maker() as session:
        project = await crud.create_project(session, "Task API", "the reference project")
        alice = await crud.create_worker(session, "alice", "Alice")
        bot = await crud.create_worker(session, "bot-1", "Bot One", kind="agent")
    assert project.id is not None and alice.id is not None and bot.id is not None
    return People(project.id, alice.id, bot.id)


@pytest.fixture
def failing_audit_inserts(rda_engine: AsyncEngine) -> FaultInjector:
    """``async with failing_audit_inserts():`` makes every insert into ``audit_log`` fail.

    A trigger raises inside the database, the way a real constraint or outage would, after the
    operation's own change was already sent: whether that change persists is what gets tested.
    """

    @asynccontextmanager
    async def failing() -> AsyncIterator[None]:
        async with rda_engine.begin() as conn:
            await conn.execute(
                text(
                    "CREATE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
                )
            )
            await conn.execute(
                text(
                    "CREATE TRIGGER injected_fault BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION injected_fault()"
                )
            )
        try:
            yield
        finally:
            async with rda_engine.begin() as conn:
                await conn.execute(text("DROP TRIGGER injected_fault ON audit_log"))
                await conn.execute(text("DROP FUNCTION injected_fault()"))

    return failing


@pytest.fixture
def count_rows(rda_engine: AsyncEngine) -> RowCounter:
    """``await count_rows("task", "deleted_at IS NULL")``: rows as the database has them.

    It reads through a connection of its own, so it sees only what was committed.
    """

    async def count(name: str, where: str = "true", **params: object) -> int:
        statement = select(func.count()).select_from(table(name)).where(text(where))
        async with rda_engine.connect() as conn:
            return int((await conn.execute(statement, params)).scalar_one())

    return count
