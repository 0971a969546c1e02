import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Visibility(StrEnum):
    private = "private"
    shared = "shared"


class Author(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    handle: str = Field(max_length=40, unique=True)
    created_at: datetime = Field(default_factory=utc_now)

    notes: list["Note"] = Relationship(back_populates="author")


class Note(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    author_id: uuid.UUID = Field(foreign_key="author.id", index=True)
    title: str = Field(max_length=120)
    body: str = ""
    visibility: Visibility = Visibility.private
    tags: list[str] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    created_at: datetime = Field(default_factory=utc_now)

    author: Optional["Author"] = Relationship(back_populates="notes")
