"""Tables and request schemas of the tracker, assembled from the mixins in ``tracker.base``.

Enumerations are ``str, Enum`` classes kept in ``VARCHAR(20)`` columns rather than PostgreSQL
enum types: adding a member later needs no ``ALTER TYPE``. Rows read back hold the plain string,
which compares equal to the member. JSONB columns get string server defaults (``'[]'``,
``'{}'``) so rows inserted outside the ORM are valid too.

``TaskFields`` holds what a client may send and the table stores alike (SQLModel's "multiple
models" pattern): ``Task`` adds the server-managed columns, ``TaskCreate`` adds validation.
"""

from datetime import datetime
from enum import Enum
from typing import Any, Optional

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

from .base import IdMixin, TableBase, TimestampMixin


class WorkerKind(str, Enum):
    human = "human"
    agent = "agent"


class TaskStatus(str, Enum):
    pending = "pending"
    in_progress = "in_progress"
    review = "review"
    completed = "completed"
    blocked = "blocked"


class TaskPriority(str, Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Project(TimestampMixin, IdMixin, TableBase, table=True):
    name: str = Field(max_length=200)
    description: str | None = None

    tasks: list["Task"] = Relationship(back_populates="project")


class Worker(TimestampMixin, IdMixin, TableBase, table=True):
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = Field(default=WorkerKind.human, sa_type=sa.String(20))

    assigned_tasks: list["Task"] = Relationship(
        back_populates="assignee",
        sa_relationship_kwargs={"foreign_keys": "Task.assignee_id"},
    )
    created_tasks: list["Task"] = Relationship(
        back_populates="created_by",
        sa_relationship_kwargs={"foreign_keys": "Task.created_by_id"},
    )


class TaskFields(SQLModel):
    """Columns a client chooses; shared by the table and ``TaskCreate``."""

    title: str = Field(max_length=500)
    description: str | None = None
    priority: TaskPriority = Field(default=TaskPriority.medium, sa_type=sa.String(20))
    tags: list[str] = Field(
        default_factory=list,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": "[]"},
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)


class Task(TaskFields, TimestampMixin, IdMixin, TableBase, table=True):
    status: TaskStatus = Field(default=TaskStatus.pending, sa_type=sa.String(20))
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    deleted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))

    project: Project = Relationship(back_populates="tasks")
    assignee: Worker | None = Relationship(
        back_populates="assigned_tasks",
        sa_relationship_kwargs={"foreign_keys": "Task.assignee_id"},
    )
    created_by: Worker = Relationship(
        back_populates="created_tasks",
        sa_relationship_kwargs={"foreign_keys": "Task.created_by_id"},
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks",
        sa_relationship_kwargs={"remote_side": "Task.id", "foreign_keys": "Task.parent_task_id"},
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent",
        sa_relationship_kwargs={
            "foreign_keys": "Task.parent_task_id",
            "order_by": "[Task.created_at, Task.id]",
        },
    )


class AuditLog(TimestampMixin, IdMixin, TableBase, table=True):
    __tablename__ = "audit_log"

    entity_type: str = Field(max_length=50)
    entity_id: int
    action: str = Field(max_length=50)
    actor_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": "{}"},
    )


class TaskCreate(TaskFields):
    """Body of a create request; the creator is passed separately."""

    title: str = Field(min_length=1, max_length=500)


class TaskUpdate(SQLModel):
    """A partial update: only the fields present in the request are applied.

    ``description`` and ``assignee_id`` may be cleared with ``None``; the other columns are
    NOT NULL, so an explicit ``None`` for them is refused here instead of by the database.
    """

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None

    @field_validator("title", "status", "priority", "tags")
    @classmethod
    def _not_cleared(cls, value: object) -> object:
        """Runs only for values actually given, so an omitted field stays "not set"."""
        if value is None:
            raise ValueError("this field cannot be cleared")
        return value
