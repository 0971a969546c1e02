"""The process-wide async engine and the session dependency.

The URL comes from ``app.core.config.settings``: ``DATABASE_URL`` when it is set (``postgres://``
and ``postgresql://`` are turned into ``postgresql+asyncpg://``, ``sslmode`` into ``ssl``), else
the ``POSTGRES_*`` parts.
"""

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app import models
from app.core.config import settings

engine: AsyncEngine = create_async_engine(
    settings.SQLALCHEMY_DATABASE_URI,
    echo=settings.SQL_ECHO,
    pool_pre_ping=True,
    pool_size=settings.DB_POOL_SIZE,
    max_overflow=settings.DB_MAX_OVERFLOW,
)

async_session = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    """FastAPI dependency: one session per request, closed (connection returned) afterwards."""
    async with async_session() as session:
        yield session


async def create_db_and_tables() -> None:
    """Create the tables of ``app.models`` that are missing (demos and tests; prod migrates)."""
    async with engine.begin() as conn:
        await conn.run_sync(models.metadata.create_all)
