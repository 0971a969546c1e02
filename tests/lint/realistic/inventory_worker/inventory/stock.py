from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from inventory.database import Session, session_scope
from inventory.models import Item, Warehouse


class StockError(Exception):
    pass


async def restock(sku: str, amount: int) -> int:
    async with Session() as session:
        item = (await session.execute(select(Item).where(Item.sku == sku))).scalar_one()
        item.quantity += amount
        try:
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise StockError(sku) from exc
        return item.quantity


async def move(session: AsyncSession, sku: str, warehouse_code: str) -> None:
    async with session.begin():
        item = (await session.execute(select(Item).where(Item.sku == sku))).scalar_one()
        target = (
            await session.execute(select(Warehouse).where(Warehouse.code == warehouse_code))
        ).scalar_one()
        item.warehouse_id = target.id
        await session.commit()


async def report() -> dict[str, int]:
    async with session_scope() as session:
        stmt = select(Warehouse).options(selectinload(Warehouse.items)).limit(100)
        warehouses = (await session.scalars(stmt)).all()
        return {w.code: sum(i.quantity for i in w.items) for w in warehouses}
