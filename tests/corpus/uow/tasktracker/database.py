"""Engine, session factory and the request-scoped unit of work.

``get_session`` is the FastAPI dependency: the request's work is one transaction, committed
after the endpoint returns and rolled back when it raises. The crud functions therefore never
commit; they only flush when they need database-generated values.
"""

import os
from collections.abc import AsyncIterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from . import models

ASYNC_SCHEMES = {"postgres": "postgresql+asyncpg", "postgresql": "postgresql+asyncpg"}


def asyncpg_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` get the asyncpg driver; ``sslmode`` becomes ``ssl``.

    Platforms hand out libpq-style URLs; asyncpg knows neither the bare scheme nor ``sslmode``.
    """
    parts = urlsplit(url)
    scheme = ASYNC_SCHEMES.get(parts.scheme, parts.scheme)
    query = parts.query
    if scheme == "postgresql+asyncpg":
        pairs = [
            ("ssl" if key == "sslmode" else key, value)
            for key, value in parse_qsl(query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="/")
    return urlunsplit(parts._replace(scheme=scheme, query=query))


DATABASE_URL = asyncpg_url(os.environ.get("DATABASE_URL", "postgresql://localhost/tasktracker"))

engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)

# Objects stay readable after the commit in get_session: the response is built from them.
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request: commit on success, roll back on error."""
    async with SessionLocal() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


async def create_db_and_tables() -> None:
    """Create every table the models registered (this project has no migrations)."""
    async with engine.begin() as conn:
        await conn.run_sync(models.SQLModel.metadata.create_all)
