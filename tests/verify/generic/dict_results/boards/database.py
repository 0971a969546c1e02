import os
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

URL = os.environ["DATABASE_URL"].replace("postgres://", "postgresql+asyncpg://", 1)
URL = URL.replace("postgresql://", "postgresql+asyncpg://", 1)
engine = create_async_engine(URL, pool_pre_ping=True)
SessionFactory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionFactory() as session:
        yield session
