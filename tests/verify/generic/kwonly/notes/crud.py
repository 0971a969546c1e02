from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from .models import Author, Note, Visibility


class HandleTaken(ValueError):
    pass


class UnknownAuthor(LookupError):
    pass


async def register_author(session: AsyncSession, *, handle: str) -> Author:
    author = Author(handle=handle)
    try:
        async with session.begin():
            session.add(author)
    except IntegrityError as exc:
        raise HandleTaken(handle) from exc
    return author


async def write_note(
    session: AsyncSession,
    *,
    author_id: uuid.UUID,
    title: str,
    visibility: Visibility,
    tags: list[str] | None = None,
) -> Note:
    if await session.get(Author, author_id) is None:
        raise UnknownAuthor(str(author_id))
    note = Note(author_id=author_id, title=title, visibility=visibility, tags=tags or [])
    session.add(note)
    await session.commit()
    return note


async def notes_of(session: AsyncSession, *, author_id: uuid.UUID, limit: int = 20) -> list[Note]:
    statement = (
        select(Note)
        .where(Note.author_id == author_id)
        .options(selectinload(Note.author))
        .order_by(col(Note.created_at).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def find_author(session: AsyncSession, *, author_id: uuid.UUID) -> Author | None:
    statement = select(Author).where(Author.id == author_id).options(selectinload(Author.notes))
    return (await session.exec(statement)).one_or_none()
