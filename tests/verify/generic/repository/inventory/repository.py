from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .models import Item, Movement, Warehouse


class SkuTaken(ValueError):
    pass


class CodeTaken(ValueError):
    pass


class NotFound(LookupError):
    pass


class InventoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_warehouse(self, code: str) -> Warehouse:
        """A savepoint around the insert: a taken code undoes only it, the unit goes on."""
        warehouse = Warehouse(code=code)
        try:
            async with self.session.begin_nested():
                self.session.add(warehouse)
        except IntegrityError as exc:
            raise CodeTaken(code) from exc
        return warehouse

    async def add_item(self, warehouse_id: int, sku: str) -> Item:
        item = Item(warehouse_id=warehouse_id, sku=sku)
        try:
            async with self.session.begin_nested():
                self.session.add(item)
        except IntegrityError as exc:
            if "sku" in str(exc.orig):
                raise SkuTaken(sku) from exc
            raise NotFound(warehouse_id) from exc
        return item

    async def move_stock(self, item_id: int, delta: int) -> Item:
        """Change the quantity and record the movement: one unit of work."""
        item = await self.session.get(Item, item_id)
        if item is None:
            raise NotFound(item_id)
        item.quantity += delta
        self.session.add(Movement(item_id=item_id, delta=delta))
        await self.session.flush()
        await self.session.refresh(item)
        return item

    async def items_in(self, warehouse_id: int, limit: int = 100) -> list[Item]:
        result = await self.session.execute(
            select(Item)
            .where(Item.warehouse_id == warehouse_id)
            .options(selectinload(Item.warehouse))
            .order_by(Item.sku)
            .limit(limit)
        )
        return list(result.scalars().all())
