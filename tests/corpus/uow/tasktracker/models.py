"""Tables and request schemas, in the SQLModel "base class + table class" style.

``TaskBase`` holds the fields a client may send; ``Task`` (the table) and ``TaskCreate`` (the
request body) both inherit them, so the two cannot drift apart.

Timestamps are ``timestamptz`` columns with a database default (``now()``, for rows written by
other tools) and a Python default of an aware UTC datetime (so the ORM knows the value without
reading it back). Enums are stored as plain ``VARCHAR`` (``native_enum=False``): adding a status
later is then no ``ALTER TYPE``.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    """Aware UTC now: the only kind of datetime these columns are given."""
    return datetime.now(UTC)


def varchar_enum(enum: type[StrEnum]) -> sa.Enum:
    return sa.Enum(enum, native_enum=False, length=20)


class WorkerKind(StrEnum):
    human = "human"
    agent = "agent"


class TaskStatus(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    review = "review"
    completed = "completed"
    blocked = "blocked"


class TaskPriority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str | None = None
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )

    tasks: list["Task"] = Relationship(back_populates="project")


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = Field(default=WorkerKind.human, sa_type=varchar_enum(WorkerKind))
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )

    assigned_tasks: list["Task"] = Relationship(
        back_populates="assignee",
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"},
    )


class TaskBase(SQLModel):
    title: str = Field(max_length=500)
    description: str | None = None
    priority: TaskPriority = Field(default=TaskPriority.medium, sa_type=varchar_enum(TaskPriority))
    tags: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)


class Task(TaskBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: TaskStatus = Field(default=TaskStatus.pending, sa_type=varchar_enum(TaskStatus))
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )
    deleted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))

    project: Project = Relationship(back_populates="tasks")
    assignee: Worker | None = Relationship(
        back_populates="assigned_tasks",
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"},
    )
    created_by: Worker = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Task.created_by_id]"},
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks",
        sa_relationship_kwargs={"remote_side": "[Task.id]"},
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent",
        sa_relationship_kwargs={"order_by": "[Task.created_at, Task.id]"},
    )


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=50)
    entity_id: int = Field(index=True)
    action: str = Field(max_length=50)
    actor_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"server_default": sa.func.now()},
    )


class TaskCreate(TaskBase):
    """The request body of "create a task"; the creator is the authenticated caller."""

    title: str = Field(min_length=1, max_length=500)


class TaskUpdate(SQLModel):
    """A PATCH body: every field optional, only the ones sent are applied.

    ``None`` clears ``description`` and ``assignee_id``; for the NOT NULL columns it is
    ignored by ``crud.update_task`` rather than written.
    """

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None
