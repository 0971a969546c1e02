from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shop.db import Database
from shop.models import Order


class OrderError(Exception):
    pass


class OrderService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def cancel(self, order_id: int, db_session: AsyncSession | None = None) -> Order:
        db_session = db_session or self.db.session
        order = await db_session.get(Order, order_id)
        if order is None:
            raise OrderError(f"order {order_id} not found")
        order.status = "cancelled"
        db_session.add(order)
        try:
            await db_session.commit()
        except IntegrityError as exc:
            db_session.rollback()  # expect: RDA101
            raise OrderError("could not cancel") from exc
        return order

    async def count_open(self) -> int:
        stmt = select(func.count(Order.id)).where(Order.status == "open")
        result = await self.db.session.execute(stmt)  # expect: RDA108
        return result.scalar_one()
