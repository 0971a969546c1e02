"""Engine and sessions, configured from ``DATABASE_URL``.

Hosting platforms hand out ``postgres://`` / ``postgresql://`` URLs with libpq's ``sslmode``;
SQLAlchemy would open those with a sync driver, and asyncpg does not know ``sslmode``, so the
URL is rewritten to ``postgresql+asyncpg://`` with ``ssl`` before the engine sees it.
"""

import os
from collections.abc import AsyncGenerator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import SQLModel

_SYNC_SCHEMES = ("postgres://", "postgresql://")


def asyncpg_url(url: str) -> str:
    """``url`` with the asyncpg driver and ``sslmode=`` renamed to ``ssl=``."""
    for scheme in _SYNC_SCHEMES:
        if url.startswith(scheme):
            url = "postgresql+asyncpg://" + url[len(scheme) :]
            break
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "sslmode" for name, _ in query):
        renamed = [("ssl" if name == "sslmode" else name, value) for name, value in query]
        parts = parts._replace(query=urlencode(renamed, safe="/"))
    return urlunsplit(parts)


DATABASE_URL = asyncpg_url(os.getenv("DATABASE_URL", "postgresql+asyncpg://localhost/app"))

engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)

# expire_on_commit=False: objects handed back by crud stay readable after their commit, which
# in async code would otherwise mean a lazy refresh (MissingGreenlet).
SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncGenerator[AsyncSession, None]:
    """One session per request, for FastAPI's ``Depends``; closed when the request ends."""
    async with SessionLocal() as session:
        yield session


async def create_db_and_tables() -> None:
    """Create missing tables straight from the models (tests and demos; deployments migrate)."""
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
