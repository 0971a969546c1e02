"""The engine and the session factory: one of each per process.

The URL comes from ``DATABASE_URL``. Hosting platforms hand out ``postgres://`` or
``postgresql://`` URLs (with a libpq ``sslmode``); ``to_async_url`` turns them into
``postgresql+asyncpg://`` with asyncpg's ``ssl``.
"""

import os
from collections.abc import AsyncIterator

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from . import models  # noqa: F401  (registers every table on SQLModel.metadata)

DATABASE_URL_ENV = "DATABASE_URL"
LOCAL_DATABASE_URL = "postgresql+asyncpg://localhost/chat"
"""Used when ``DATABASE_URL`` is unset: a local server, the current OS user, no password."""


def to_async_url(url: str | URL) -> URL:
    """``url`` in the form the asyncpg dialect accepts (a URL naming a driver keeps it)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if parsed.drivername == "postgresql+asyncpg" and "sslmode" in parsed.query:
        sslmode = parsed.query["sslmode"]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": sslmode})
    return parsed


def database_url() -> URL:
    """The URL this process connects to: ``DATABASE_URL``, or the local default."""
    return to_async_url(os.environ.get(DATABASE_URL_ENV) or LOCAL_DATABASE_URL)


engine = create_async_engine(database_url(), pool_pre_ping=True)

SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """Yield one session per request (a FastAPI dependency); it is closed whatever happens."""
    async with SessionLocal() as session:
        yield session
