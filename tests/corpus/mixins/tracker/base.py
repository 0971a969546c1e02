"""The pieces every table is built from: one MetaData with a naming convention, and mixins.

Constraint and index names come from ``NAMING_CONVENTION`` so the hand-written migration can
spell them out (``pk_task``, ``fk_task_project``) and autogenerate still sees no difference.
The mixins are non-table SQLModel classes: SQLModel builds a fresh ``Column`` from their fields
for every table that inherits them, so nothing is shared between tables.
"""

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utc_now() -> datetime:
    """Aware UTC "now": timestamp columns never hold naive values."""
    return datetime.now(UTC)


def _referent(constraint: sa.ForeignKeyConstraint, table: sa.Table) -> str:
    """The foreign key's first column without its ``_id`` suffix (``project_id`` -> ``project``)."""
    column = constraint.columns[0].name if constraint.columns else constraint.column_keys[0]
    return column.removesuffix("_id")


NAMING_CONVENTION: dict[str, Any] = {
    "referent": _referent,
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(referent)s",
    "pk": "pk_%(table_name)s",
}


class TableBase(SQLModel):
    """Base of every table: puts them on the metadata that carries the naming convention."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class IdMixin(SQLModel):
    """A surrogate integer primary key (a sequence-backed ``SERIAL`` in PostgreSQL)."""

    id: int | None = Field(default=None, primary_key=True)


class TimestampMixin(SQLModel):
    """``created_at``/``updated_at`` as ``timestamptz``, set in Python and by the server.

    The Python default gives the ORM the value without a round trip; the server default covers
    rows written by raw SQL. ``onupdate`` bumps ``updated_at`` on every ORM UPDATE.
    """

    created_at: datetime = Field(
        default_factory=utc_now,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.text("now()")},
        nullable=False,
    )
    updated_at: datetime = Field(
        default_factory=utc_now,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.text("now()"), "onupdate": utc_now},
        nullable=False,
    )
