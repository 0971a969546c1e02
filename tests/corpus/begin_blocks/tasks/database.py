"""The process-wide engine and session factory, from ``DATABASE_URL``.

The URL is required: a service that silently falls back to some default database is worse
than one that refuses to start. Platform URLs (``postgres://``, ``postgresql://``, libpq's
``sslmode=``) are rewritten for asyncpg.
"""

import os
import re
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from tasks import models

_SYNC_SCHEME = re.compile(r"^postgres(?:ql)?://")
_SSLMODE = re.compile(r"([?&])sslmode=")


def async_database_url(raw: str) -> str:
    """``raw`` with the asyncpg driver, and ``sslmode=`` spelled ``ssl=`` as asyncpg wants."""
    return _SSLMODE.sub(r"\1ssl=", _SYNC_SCHEME.sub("postgresql+asyncpg://", raw, count=1))


def _configured_url() -> str:
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        raise RuntimeError("DATABASE_URL is not set")
    return async_database_url(raw)


engine = create_async_engine(_configured_url(), pool_pre_ping=True)

# Objects must stay readable after the commit that ends each crud call.
session_factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """A session per request (FastAPI ``Depends``); the crud functions open its transactions."""
    async with session_factory() as session:
        yield session


async def create_db_and_tables() -> None:
    """Create the enum types and tables straight from the models (tests, demos)."""
    async with engine.begin() as conn:
        await conn.run_sync(models.SQLModel.metadata.create_all)
