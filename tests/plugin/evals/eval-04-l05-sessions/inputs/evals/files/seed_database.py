# ruff: noqa  (an eval input that is wrong on purpose)
# A session module as older tutorials write it. The eval asks for it to be fixed.
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine(
    "postgresql+asyncpg://user:pass@localhost/taskdb",
    pool_pre_ping=True,
    pool_size=5,
)


async def get_session():
    async with AsyncSession(engine) as session:
        yield session
