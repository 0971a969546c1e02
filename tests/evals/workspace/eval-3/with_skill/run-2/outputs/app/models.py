from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)


class Message(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    role: str = Field(max_length=20)
    content: str
    token_count: int = 0
    metadata_: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSONB, sa_column_kwargs={"name": "metadata"}
    )
    created_at: datetime = Field(default_factory=datetime.utcnow)
    edited_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
