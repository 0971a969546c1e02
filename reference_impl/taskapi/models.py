"""Tables and API schemas of the Task API (contract ``taskapi``, version 1).

Importing this module registers every table on ``SQLModel.metadata``, which is what
``create_db_and_tables()`` and Alembic's ``env.py`` rely on.

Choices worth knowing:

- Timestamps are plain ``datetime`` fields: SQLModel stores them as ``timestamptz`` and refuses
  naive values, so every default goes through ``utc_now()``.
- Status, priority and worker kind are ``StrEnum``s whose member names equal their values, so the
  PostgreSQL enum labels are the strings the contract speaks of (``"in_progress"``), and comparing
  a member with its plain string is true.
- JSONB fields each get a Column of their own (a Column object belongs to exactly one table).
- ``worker`` is referenced twice from ``task``, so both sides name their ``foreign_keys``;
  ``parent``/``subtasks`` is a self-reference, so ``parent`` names its ``remote_side``.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

from pydantic import model_validator
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    """The current time, timezone-aware in UTC (the only kind the timestamp columns accept)."""
    return datetime.now(UTC)


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
    created_at: datetime = Field(default_factory=utc_now)

    tasks: list["Task"] = Relationship(back_populates="project")


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = WorkerKind.human
    created_at: datetime = Field(default_factory=utc_now)

    assigned_tasks: list["Task"] = Relationship(
        back_populates="assignee",
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"},
    )
    created_tasks: list["Task"] = Relationship(
        back_populates="created_by",
        sa_relationship_kwargs={"foreign_keys": "[Task.created_by_id]"},
    )


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    description: str | None = None
    status: TaskStatus = TaskStatus.pending
    priority: TaskPriority = TaskPriority.medium
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default="[]"),
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    deleted_at: datetime | None = None

    project: Project = Relationship(back_populates="tasks")
    assignee: Worker | None = Relationship(
        back_populates="assigned_tasks",
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"},
    )
    created_by: Worker = Relationship(
        back_populates="created_tasks",
        sa_relationship_kwargs={"foreign_keys": "[Task.created_by_id]"},
    )
    # Optional["Task"], not "Task | None": SQLAlchemy resolves the string "Task" by class name,
    # and the module cannot use `from __future__ import annotations` (SQLModel needs real
    # annotations to find relationship targets).
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks",
        sa_relationship_kwargs={"remote_side": "Task.id", "foreign_keys": "[Task.parent_task_id]"},
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent",
        sa_relationship_kwargs={"foreign_keys": "[Task.parent_task_id]"},
    )


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=50)
    entity_id: int
    action: str = Field(max_length=50)
    actor_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default="{}"),
    )
    created_at: datetime = Field(default_factory=utc_now)


class TaskCreate(SQLModel):
    """What a caller sends to create a task; the creator is a separate argument."""

    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    project_id: int
    assignee_id: int | None = None
    parent_task_id: int | None = None
    priority: TaskPriority = TaskPriority.medium
    tags: list[str] = Field(default_factory=list)


class TaskUpdate(SQLModel):
    """A partial update: only the fields a caller sets are applied.

    ``None`` means "clear it" for ``description`` and ``assignee_id``; the other fields cannot be
    cleared, so an explicit ``None`` for them is rejected here rather than by the database.
    Moving a task to another project or parent is not an update and is not offered.
    """

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None

    @model_validator(mode="after")
    def _required_fields_are_not_cleared(self) -> "TaskUpdate":
        cleared = sorted(
            name
            for name in ("title", "status", "priority", "tags")
            if name in self.model_fields_set and getattr(self, name) is None
        )
        if cleared:
            raise ValueError(f"these fields cannot be set to None: {', '.join(cleared)}")
        return self
