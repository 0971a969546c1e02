from collections import defaultdict
from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import Board, Status, Ticket


class NoSuchBoard(LookupError):
    pass


class Page(BaseModel):
    items: list[Ticket]
    total: int


async def open_ticket(session: AsyncSession, board_id: int, title: str) -> Ticket:
    ticket = Ticket(board_id=board_id, title=title)
    session.add(ticket)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise NoSuchBoard(board_id) from exc
    return ticket


async def tickets_by_status(
    session: AsyncSession, board_id: int, limit: int = 200
) -> dict[Status, list[Ticket]]:
    result = await session.exec(
        select(Ticket).where(Ticket.board_id == board_id).order_by(col(Ticket.id)).limit(limit)
    )
    grouped: dict[Status, list[Ticket]] = defaultdict(list)
    for ticket in result.all():
        grouped[ticket.status].append(ticket)
    return dict(grouped)


async def ticket_index(session: AsyncSession, board_id: int, limit: int = 200) -> dict[int, Ticket]:
    result = await session.exec(select(Ticket).where(Ticket.board_id == board_id).limit(limit))
    return {ticket.id: ticket for ticket in result.all() if ticket.id is not None}


async def board_with_tickets(
    session: AsyncSession, board_id: int
) -> tuple[Board | None, list[Ticket]]:
    board = (
        await session.exec(
            select(Board).where(Board.id == board_id).options(selectinload(Board.tickets))
        )
    ).one_or_none()
    return board, list(board.tickets) if board is not None else []


async def page_of_tickets(
    session: AsyncSession, board_id: int, limit: int = 20, offset: int = 0
) -> Page:
    total = (
        await session.exec(
            select(func.count()).select_from(Ticket).where(Ticket.board_id == board_id)
        )
    ).one()
    items = (
        await session.exec(
            select(Ticket)
            .where(Ticket.board_id == board_id)
            .options(selectinload(Ticket.board))
            .order_by(col(Ticket.id))
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return Page(items=list(items), total=total)


async def apply_to_board(
    session: AsyncSession, board_id: int, callback: Callable[[Ticket], None]
) -> int:
    result = await session.exec(select(Ticket).where(Ticket.board_id == board_id).limit(500))
    tickets = list(result.all())
    for ticket in tickets:
        callback(ticket)
    return len(tickets)
