"""Pieces every table shares: an aware UTC clock and the ``created_at`` column."""

from datetime import datetime, timezone

from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware: SQLModel's timestamp columns refuse naive datetimes."""
    return datetime.now(timezone.utc)


class CreatedAtMixin(SQLModel):
    """Adds ``created_at``; a non-table base, so each table gets a column of its own."""

    created_at: datetime = Field(default_factory=utcnow)
