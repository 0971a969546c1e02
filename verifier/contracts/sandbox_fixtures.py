"""Fixtures for a user's pytest contract, inside the sandboxed child of ``rda verify``.

Two sets, named so that a name means one thing wherever a test runs:

- ``rda_database_url``, ``rda_engine``, ``rda_session``, ``rda_statement_counter`` mean what they
  mean under plain pytest with the project's plugin (``verifier.pytest_plugin``): the test
  database's URL, an engine of the verifier's own on it, a SQLModel ``AsyncSession`` with
  ``expire_on_commit=False`` on that engine, and a counter of the statements the test database
  saw (here also those sent through the target's engine);
- ``rda_target_modules``, ``rda_target_engine``, ``rda_target_session`` are the target as the
  built-in checks see it: its modules, its own engine, and a session from its own
  ``get_session``. They exist only inside ``rda verify``; under plain pytest they fail with a
  message saying so.

Every test starts with empty tables (the schema the target builds, emptied before each test),
as each plain pytest test starts on a fresh database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio

from verifier.contracts.sessions import open_session
from verifier.stages.context import StageContext, import_module

CONTEXT: StageContext | None = None
LOCK_TIMEOUT = "3s"  # what emptying the tables waits for a lock a test left behind


def _ctx() -> StageContext:
    assert CONTEXT is not None, "sandbox fixtures used outside rda verify"
    return CONTEXT


@pytest.fixture
def rda_target_modules() -> SimpleNamespace:
    """The target's modules: ``models``, ``database``, ``crud`` (the first of each, or None),
    and ``models_modules``/``crud_modules`` (all of them)."""
    ctx = _ctx()
    spec = ctx.target
    models = [import_module(ctx, name) for name in spec.model_modules()]
    crud = [import_module(ctx, name) for name in spec.crud_modules()]
    return SimpleNamespace(
        models=models[0] if models else None,
        database=import_module(ctx, spec.database) if spec.database else None,
        crud=crud[0] if crud else None,
        models_modules=models,
        crud_modules=crud,
    )


@pytest.fixture
def rda_database_url() -> str:
    """The test database's ``postgresql+asyncpg://`` URL."""
    return _ctx().databases["main"]


class _Emptier:
    """Empties the target's tables through one connection of the verifier's own.

    Each test runs on an event loop of its own (pytest-asyncio), and an asyncpg connection
    belongs to the loop that opened it: emptying from the test's loop would connect anew for
    every test (an engine, a login, the dialect's first queries: most of a test's set-up). So
    the connection lives on a loop in a thread of its own for the whole contract run, and each
    test waits there for its ``TRUNCATE``.
    """

    def __init__(self, url: str) -> None:
        import asyncio
        import threading

        from sqlalchemy.ext.asyncio import create_async_engine

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="rda-empty-tables", daemon=True
        )
        self._thread.start()
        self._engine = create_async_engine(url, pool_size=1, max_overflow=0)

    def empty(self, names: str) -> None:
        """``TRUNCATE`` the tables named (ids restart, as on a fresh database)."""
        import asyncio

        from sqlalchemy import text

        async def truncate() -> None:
            async with self._engine.begin() as conn:
                # A connection of the target still holding a lock fails the test, not hangs it.
                await conn.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
                await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

        asyncio.run_coroutine_threadsafe(truncate(), self._loop).result()

    def close(self) -> None:
        import asyncio

        asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


@pytest.fixture(scope="session")
def _rda_emptier() -> Iterator[_Emptier]:
    emptier = _Emptier(_ctx().databases["main"])
    try:
        yield emptier
    finally:
        emptier.close()


@pytest.fixture(autouse=True)
def _rda_empty_tables(_rda_emptier: _Emptier) -> None:
    """Empty the target's tables before each test: each test starts as on a fresh database."""
    from verifier.stages.targetmodels import sorted_tables

    names = ", ".join(f'"{t.name}"' for t in sorted_tables())
    if names:
        _rda_emptier.empty(names)


@pytest_asyncio.fixture
async def rda_engine(rda_database_url: str) -> AsyncIterator[Any]:
    """An ``AsyncEngine`` of the verifier's own on the test database, disposed after the test."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(rda_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def rda_session(rda_engine: Any) -> AsyncIterator[Any]:
    """A SQLModel ``AsyncSession`` on ``rda_engine`` with ``expire_on_commit=False``."""
    from sqlmodel.ext.asyncio.session import AsyncSession

    async with AsyncSession(rda_engine, expire_on_commit=False) as session:
        yield session


@pytest_asyncio.fixture
async def rda_target_engine(rda_target_modules: SimpleNamespace) -> AsyncIterator[Any]:
    """The target's own engine (its ``database.engine``), disposed after the test."""
    database = rda_target_modules.database
    engine = getattr(database, "engine", None)
    if engine is None:
        pytest.fail("the target's database module has no engine", pytrace=False)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def rda_target_session(
    rda_target_modules: SimpleNamespace, rda_target_engine: Any
) -> AsyncIterator[Any]:
    """A session from the target's own ``get_session``, driven the way FastAPI drives it."""
    get_session = getattr(rda_target_modules.database, "get_session", None)
    if get_session is None:
        pytest.fail("the target's database module has no get_session", pytrace=False)
    async with open_session(get_session) as session:
        yield session


@pytest.fixture
def rda_statement_counter(rda_engine: Any, rda_target_modules: SimpleNamespace) -> Iterator[Any]:
    """Counts the statements the test database saw, through our engine or the target's."""
    from verifier.pytest_plugin import StatementCounter

    target_engine = getattr(rda_target_modules.database, "engine", None)
    engines = [rda_engine] + ([target_engine] if target_engine is not None else [])
    with StatementCounter(*engines) as counter:
        yield counter
