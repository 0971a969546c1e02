"""Fixtures for a user's pytest contract, inside the sandboxed child.

They expose the target as the built-in contract sees it: its modules, a session from its own
``get_session``, its engine, the throwaway database URL and a statement counter on its engine.
Tables are emptied before each test so tests do not see each other's rows.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio

from verifier.contracts.sessions import open_session
from verifier.stages.context import StageContext, import_module

CONTEXT: StageContext | None = None


def _ctx() -> StageContext:
    assert CONTEXT is not None, "sandbox fixtures used outside rda verify"
    return CONTEXT


@pytest.fixture
def rda_target_modules() -> SimpleNamespace:
    """The target's models, database and crud modules (None where the manifest names none)."""
    ctx = _ctx()
    spec = ctx.target
    return SimpleNamespace(
        models=import_module(ctx, spec.models) if spec.models else None,
        database=import_module(ctx, spec.database) if spec.database else None,
        crud=import_module(ctx, spec.crud) if spec.crud else None,
    )


@pytest.fixture
def rda_database_url() -> str:
    return _ctx().databases["main"]


@pytest_asyncio.fixture
async def rda_engine(rda_target_modules: SimpleNamespace) -> AsyncIterator[Any]:
    engine = rda_target_modules.database.engine
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def rda_session(rda_target_modules: SimpleNamespace, rda_engine: Any) -> AsyncIterator[Any]:
    from sqlalchemy import text

    from verifier.stages.targetmodels import sorted_tables

    names = ", ".join(f'"{t.name}"' for t in sorted_tables())
    if names:
        async with rda_engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    async with open_session(rda_target_modules.database.get_session) as session:
        yield session


@pytest.fixture
def rda_statement_counter(rda_engine: Any) -> Any:
    from verifier.pytest_plugin import StatementCounter

    counter = StatementCounter(rda_engine)
    yield counter
    counter.close()
