from datetime import UTC, datetime
from enum import StrEnum
from typing import Optional

from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Status(StrEnum):
    open = "open"
    closed = "closed"


class Board(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)

    tickets: list["Ticket"] = Relationship(back_populates="board")


class Ticket(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    board_id: int = Field(foreign_key="board.id", index=True)
    title: str = Field(max_length=200)
    status: Status = Status.open
    opened_at: datetime = Field(default_factory=utc_now)

    board: Optional["Board"] = Relationship(back_populates="tickets")
