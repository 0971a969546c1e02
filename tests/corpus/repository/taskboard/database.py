"""Engine and sessions, configured from ``taskboard.settings``.

One engine per process. Sessions keep their objects loaded after commit
(``expire_on_commit=False``): the repositories return ORM objects that outlive the session.
"""

from collections.abc import AsyncGenerator

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import AuditLog, Project, Task, Worker
from .settings import settings

TABLES = (Project, Worker, Task, AuditLog)
"""Imported for their side effect as much as for use: they register on SQLModel.metadata."""

engine = create_async_engine(
    settings.database_url, pool_size=settings.pool_size, pool_pre_ping=True
)
session_factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncGenerator[AsyncSession, None]:
    """A FastAPI dependency: one session per request, closed when the request ends.

    Transactions are the repositories' business, so nothing is committed here.
    """
    async with session_factory() as session:
        yield session


async def create_db_and_tables() -> None:
    """Create missing tables directly (tests and demos; real databases run the migrations)."""
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
