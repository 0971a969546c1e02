"""Tables and API schemas, SQLModel's "multiple models" way (``TaskBase`` -> table, create, update).

- Enumerations have UPPER_CASE member names and lower-case values; the PostgreSQL enum types
  store the values (``values_callable``), which are what the API speaks.
- Timestamps are ``datetime`` fields, which SQLModel maps to ``timestamptz`` and refuses to bind
  naive; every default comes from ``utc_now``.
- Relationships are ``lazy="raise"``: code that forgets to eager-load fails loudly in tests
  instead of issuing a hidden query (or a ``MissingGreenlet`` in production).
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    return datetime.now(UTC)


def _pg_enum(enum: type[StrEnum], name: str) -> sa.Enum:
    """A PostgreSQL enum type holding the members' values (SQLAlchemy would store the names)."""
    return sa.Enum(enum, name=name, values_callable=lambda members: [m.value for m in members])


class WorkerKind(StrEnum):
    HUMAN = "human"
    AGENT = "agent"


class TaskStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    REVIEW = "review"
    COMPLETED = "completed"
    BLOCKED = "blocked"


class TaskPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


RAISE = {"lazy": "raise"}


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=utc_now)

    tasks: list["Task"] = Relationship(back_populates="project", sa_relationship_kwargs=RAISE)


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = Field(default=WorkerKind.HUMAN, sa_type=_pg_enum(WorkerKind, "worker_kind"))
    created_at: datetime = Field(default_factory=utc_now)

    assigned_tasks: list["Task"] = Relationship(
        back_populates="assignee",
        sa_relationship_kwargs={**RAISE, "foreign_keys": "[Task.assignee_id]"},
    )
    created_tasks: list["Task"] = Relationship(
        back_populates="created_by",
        sa_relationship_kwargs={**RAISE, "foreign_keys": "[Task.created_by_id]"},
    )


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=500)
    description: str | None = Field(default=None)
    priority: TaskPriority = Field(
        default=TaskPriority.MEDIUM, sa_type=_pg_enum(TaskPriority, "task_priority")
    )
    tags: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)


class Task(TaskBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    status: TaskStatus = Field(
        default=TaskStatus.PENDING, sa_type=_pg_enum(TaskStatus, "task_status")
    )
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    deleted_at: datetime | None = Field(default=None)

    project: Project = Relationship(back_populates="tasks", sa_relationship_kwargs=RAISE)
    assignee: Worker | None = Relationship(
        back_populates="assigned_tasks",
        sa_relationship_kwargs={**RAISE, "foreign_keys": "[Task.assignee_id]"},
    )
    created_by: Worker = Relationship(
        back_populates="created_tasks",
        sa_relationship_kwargs={**RAISE, "foreign_keys": "[Task.created_by_id]"},
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks",
        sa_relationship_kwargs={**RAISE, "remote_side": "[Task.id]"},
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent",
        sa_relationship_kwargs={**RAISE, "order_by": "[Task.created_at, Task.id]"},
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
    created_at: datetime = Field(default_factory=utc_now)


class TaskCreate(TaskBase):
    """Request body of "create a task"; the creator comes from the authenticated user."""


class TaskUpdate(SQLModel):
    """Request body of "update a task": every field optional, only those sent are applied."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None


metadata = SQLModel.metadata
"""Every table above, as ``create_db_and_tables()`` and Alembic's ``env.py`` use it."""
