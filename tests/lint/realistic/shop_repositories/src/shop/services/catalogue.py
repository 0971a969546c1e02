from sqlalchemy.orm import selectinload
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shop.models import Category, Order


async def breadcrumbs(session: AsyncSession, category_id: int) -> list[str]:
    """Names from the root down to ``category_id``."""
    node = await session.get(Category, category_id)
    names: list[str] = []
    while node is not None:
        names.append(node.name)
        if node.parent_id is None:
            break
        node = await session.get(Category, node.parent_id)  # expect: RDA302
    return list(reversed(names))


async def _load_order(session: AsyncSession, order_id: int) -> Order:
    result = await session.exec(select(Order).where(Order.id == order_id))
    return result.one()


async def _load_order_with_lines(session: AsyncSession, order_id: int) -> Order:
    stmt = select(Order).where(Order.id == order_id).options(selectinload(Order.lines))
    return (await session.exec(stmt)).one()


async def order_total(session: AsyncSession, order_id: int) -> float:
    order = await _load_order(session, order_id)
    return float(sum(line.price for line in order.lines))  # expect: RDA301


async def order_products(session: AsyncSession, order_id: int) -> list[str]:
    order = await _load_order_with_lines(session, order_id)
    return [line.product for line in order.lines]


async def page_of_orders(session: AsyncSession, after_id: int = 0) -> list[Order]:
    """Keyset pagination: one query per page, not per row."""
    pages: list[Order] = []
    last_id = after_id
    while len(pages) < 500:
        stmt = select(Order).where(Order.id > last_id).order_by(Order.id).limit(100)
        batch = list((await session.exec(stmt)).all())
        if not batch:
            break
        pages.extend(batch)
        last = batch[-1]
        last_id = last.id or 0
    return pages
