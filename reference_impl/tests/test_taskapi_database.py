"""``taskapi.database``: URL conversion, the engine, the session factory and table creation.

The module builds its engine from ``DATABASE_URL`` at import, so the tests that need a real one
re-import it with ``DATABASE_URL`` pointing at an empty database of their own.
"""

import importlib
from collections.abc import AsyncIterator
from types import ModuleType

import pytest
from sqlalchemy import URL, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select
from taskapi import database
from taskapi.models import Project

from verifier.db.base import Database, DatabaseProvider


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "postgres://app@db.example.com:5432/app",
            "postgresql+asyncpg://app@db.example.com:5432/app",
        ),
        ("postgresql://db.example.com/app", "postgresql+asyncpg://db.example.com/app"),
        (
            "postgresql://u@ep-1.neon.tech/app?sslmode=require",
            "postgresql+asyncpg://u@ep-1.neon.tech/app?ssl=require",
        ),
        ("postgresql+asyncpg://db.example.com/app", "postgresql+asyncpg://db.example.com/app"),
        ("postgresql+psycopg://db.example.com/app", "postgresql+psycopg://db.example.com/app"),
    ],
)
def test_to_async_url_gives_bare_postgres_urls_the_asyncpg_driver(
    given: str, expected: str
) -> None:
    assert database.to_async_url(given).render_as_string(hide_password=False) == expected


def test_to_async_url_keeps_the_credentials() -> None:
    given = URL.create("postgres", username="app", password="from-the-environment", host="db")
    converted = database.to_async_url(given)
    assert (converted.drivername, converted.username, converted.password) == (
        "postgresql+asyncpg",
        "app",
        "from-the-environment",
    )


def test_database_url_falls_back_to_a_local_database_without_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database.database_url()
    assert url.drivername == "postgresql+asyncpg"
    assert (url.host, url.database, url.password) == ("localhost", "taskapi", None)

    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal/tasks")
    assert str(database.database_url()) == "postgresql+asyncpg://app@db.internal/tasks"


@pytest.fixture
async def app_database(
    rda_provider: DatabaseProvider,
) -> AsyncIterator[tuple[ModuleType, Database]]:
    """``taskapi.database`` re-imported with ``DATABASE_URL`` set to an empty database.

    The URL is the plain ``postgresql://`` form, so the module's own conversion is exercised.
    """
    empty = rda_provider.create_database()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DATABASE_URL", empty.sync_url)
            module = importlib.reload(database)
            try:
                yield module, empty
            finally:
                await module.engine.dispose()
        importlib.reload(database)
    finally:
        rda_provider.drop_database(empty)


async def test_the_engine_uses_database_url_and_pre_ping(
    app_database: tuple[ModuleType, Database],
) -> None:
    module, empty = app_database
    assert module.engine.url.database == empty.name
    assert module.engine.url.drivername == "postgresql+asyncpg"

    async with module.engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    killer = create_async_engine(empty.async_url)
    try:
        async with killer.connect() as conn:  # the pooled connection dies behind the pool's back
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await killer.dispose()

    async with module.engine.connect() as conn:  # pre-ping notices and reconnects
        assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1


async def test_create_db_and_tables_creates_every_table_once(
    app_database: tuple[ModuleType, Database],
) -> None:
    module, _ = app_database
    await module.create_db_and_tables()
    await module.create_db_and_tables()  # a second call finds everything in place

    async with module.engine.connect() as conn:
        tables = await conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
        assert [name for (name,) in tables] == ["audit_log", "project", "task", "worker"]


async def test_get_session_yields_a_session_whose_objects_survive_commit_and_close(
    app_database: tuple[ModuleType, Database],
) -> None:
    module, _ = app_database
    await module.create_db_and_tables()

    sessions = module.get_session()
    session = await anext(sessions)
    project = Project(name="kept")
    session.add(project)
    await session.commit()
    with pytest.raises(StopAsyncIteration):
        await anext(sessions)  # what FastAPI does after the response

    assert module.engine.pool.checkedout() == 0
    assert (project.id, project.name) == (1, "kept")  # no expiry on commit, no I/O


async def test_get_session_closes_the_session_when_the_request_fails(
    app_database: tuple[ModuleType, Database],
) -> None:
    module, _ = app_database
    await module.create_db_and_tables()

    sessions = module.get_session()
    session = await anext(sessions)
    await session.exec(select(Project))  # the session holds a connection now
    assert module.engine.pool.checkedout() == 1
    with pytest.raises(RuntimeError, match="handler failed"):
        await sessions.athrow(RuntimeError("handler failed"))

    assert module.engine.pool.checkedout() == 0
