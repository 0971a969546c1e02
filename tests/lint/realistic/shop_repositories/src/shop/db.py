"""The process-wide engine and the session of one unit of work."""

import os

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql+asyncpg://shop@localhost:5432/shop")

engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)
session_factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Database:
    """Holds the session of the current unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
