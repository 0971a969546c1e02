"""The ``worker`` table: the humans and agents that create and do tasks."""

import enum
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import Field, Relationship

from .base import CreatedAtMixin

if TYPE_CHECKING:
    from .task import Task


class WorkerKind(str, enum.Enum):
    human = "human"
    agent = "agent"


class Worker(CreatedAtMixin, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    # Stored as VARCHAR, not a PostgreSQL enum type: adding a kind needs no ALTER TYPE.
    kind: WorkerKind = Field(
        default=WorkerKind.human,
        sa_type=sa.Enum(WorkerKind, native_enum=False, length=20),
    )

    # Task has two foreign keys to worker, so each side says which one it follows.
    assigned_tasks: list["Task"] = Relationship(
        back_populates="assignee",
        sa_relationship_kwargs={"foreign_keys": "Task.assignee_id"},
    )
    created_tasks: list["Task"] = Relationship(
        back_populates="created_by",
        sa_relationship_kwargs={"foreign_keys": "Task.created_by_id"},
    )
