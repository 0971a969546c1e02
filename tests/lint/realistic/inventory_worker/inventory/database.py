import os
from contextlib import asynccontextmanager
from typing import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import sessionmaker


def database_url() -> str:
    url = os.environ["DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


engine = create_async_engine(database_url(), pool_pre_ping=True)
Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)  # expect: RDA103


@asynccontextmanager
async def session_scope() -> AsyncIterator[AsyncSession]:
    async with Session() as session:
        try:
            yield session
            await session.commit()
        except Exception:
            await session.rollback()
            raise


@asynccontextmanager
async def get_session(url: str) -> AsyncIterator[AsyncSession]:
    """One-off session for a maintenance command against another database."""
    other = create_async_engine(url, pool_pre_ping=True)  # expect: RDA107
    factory = async_sessionmaker(other, expire_on_commit=False)  # expect: RDA107
    async with factory() as session:
        yield session


async def ensure_extensions() -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        await conn.commit()


async def reset_counters() -> None:
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE counter SET value = 0"))
        await conn.commit()  # expect: RDA405
        await conn.execute(text("UPDATE counter_log SET cleared = true"))
