"""Tables of the chat history layer: ``user``, ``conversation``, ``message``.

Importing this module registers every table on ``SQLModel.metadata`` (Alembic's ``env.py``
relies on it).

Choices worth knowing:

- Timestamps are timezone-aware UTC (``utc_now``); SQLModel stores them as ``timestamptz``.
- ``Message.role`` is a ``StrEnum`` whose member names equal their values, so the PostgreSQL enum
  labels are the strings an LLM API speaks (``"assistant"``).
- ``Message.meta`` is JSONB with a server default (provider details: finish reason, tool calls);
  ``metadata`` is taken by SQLAlchemy's declarative base, hence the name.
- Every foreign key is indexed; ``conversation.messages`` is ordered oldest first.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (the only kind the timestamp columns accept)."""
    return datetime.now(UTC)


class MessageRole(StrEnum):
    user = "user"
    assistant = "assistant"
    system = "system"


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now)

    conversations: list["Conversation"] = Relationship(back_populates="user")


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)

    user: Optional["User"] = Relationship(back_populates="conversations")
    messages: list["Message"] = Relationship(
        back_populates="conversation",
        sa_relationship_kwargs={"order_by": "[Message.created_at, Message.id]"},
    )


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    role: MessageRole
    content: str
    tokens_used: int | None = None
    model: str | None = Field(default=None, max_length=100)
    meta: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default="{}"),
    )
    created_at: datetime = Field(default_factory=utc_now)

    conversation: Optional["Conversation"] = Relationship(back_populates="messages")
