"""``python -m inventory.maintenance``: vacuum the stock tables from a one-off process."""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

from inventory.database import database_url


async def main() -> None:
    engine = create_async_engine(database_url(), pool_pre_ping=True)
    Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)  # expect: RDA103
    async with Session() as session:
        count = (await session.execute(text("SELECT count(*) FROM item"))).scalar_one()
        print(f"{count} items")
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE item"))
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
