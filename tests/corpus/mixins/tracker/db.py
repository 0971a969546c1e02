"""Engine and session factory, configured once per process from ``DATABASE_URL``.

Platforms hand out ``postgres://`` URLs (libpq style, ``sslmode=``); the async engine needs the
``postgresql+asyncpg`` driver and asyncpg's ``ssl=`` parameter, so ``async_url`` rewrites both.
The pool is sized explicitly: a web worker's concurrency should not silently queue on the
default five connections, and ``pool_pre_ping``/``pool_recycle`` survive server-side timeouts.
"""

import os
from collections.abc import AsyncGenerator

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from .base import TableBase
from .models import AuditLog, Project, Task, Worker

TABLES = (Project, Worker, Task, AuditLog)
"""Importing the models is what puts them on ``TableBase.metadata``."""

DEFAULT_URL = "postgresql+asyncpg:///tracker"
"""A local server over its default socket, as the current OS user; for development only."""


def async_url(raw: str) -> URL:
    """``raw`` with the asyncpg driver and ``ssl`` instead of libpq's ``sslmode``."""
    url = make_url(raw)
    if url.drivername in {"postgres", "postgresql"}:
        url = url.set(drivername="postgresql+asyncpg")
    if url.drivername == "postgresql+asyncpg" and "sslmode" in url.query:
        mode = url.query["sslmode"]
        url = url.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
    return url


def configured_url() -> URL:
    """The URL from ``DATABASE_URL``, or the local development database."""
    return async_url(os.environ.get("DATABASE_URL", DEFAULT_URL))


engine: AsyncEngine = create_async_engine(
    configured_url(),
    pool_size=10,
    max_overflow=5,
    pool_pre_ping=True,
    pool_recycle=1800,
)

SessionFactory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncGenerator[AsyncSession, None]:
    """One session per request (FastAPI ``Depends``); closing it returns the connection."""
    async with SessionFactory() as session:
        yield session


async def create_db_and_tables() -> None:
    """Create missing tables straight from the models (tests and demos; production migrates)."""
    async with engine.begin() as connection:
        await connection.run_sync(TableBase.metadata.create_all)
