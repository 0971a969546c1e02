"""Tables and request schemas of the task board.

Every relationship is declared ``lazy="raise"``: the repositories say what they load, and any
load they did not plan fails at once instead of becoming hidden I/O (which the async session
cannot do anyway). Status, priority and worker kind are native PostgreSQL enum types with
explicit names, so the migration can create and drop them by name. Constraints are named by
a naming convention on the shared metadata.
"""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Optional

import sqlalchemy as sa
from pydantic import field_validator
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel

RAISE = {"lazy": "raise"}

# Predictable constraint names, so migrations can refer to them (set before any table exists).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _now() -> datetime:
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
    description: str | None = Field(default=None)
    created_at: datetime = Field(default_factory=_now)

    tasks: list["Task"] = Relationship(back_populates="project", sa_relationship_kwargs=RAISE)


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = Field(
        default=WorkerKind.human, sa_type=sa.Enum(WorkerKind, name="worker_kind")
    )
    created_at: datetime = Field(default_factory=_now)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    description: str | None = Field(default=None)
    status: TaskStatus = Field(
        default=TaskStatus.pending, sa_type=sa.Enum(TaskStatus, name="task_status")
    )
    priority: TaskPriority = Field(
        default=TaskPriority.medium, sa_type=sa.Enum(TaskPriority, name="task_priority")
    )
    tags: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(JSONB, nullable=False, server_default="[]"),
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    deleted_at: datetime | None = Field(default=None)

    project: Project = Relationship(back_populates="tasks", sa_relationship_kwargs=RAISE)
    # Two foreign keys point at worker, so each side names the one it follows.
    assignee: Worker | None = Relationship(
        sa_relationship_kwargs={**RAISE, "foreign_keys": "Task.assignee_id"}
    )
    created_by: Worker = Relationship(
        sa_relationship_kwargs={**RAISE, "foreign_keys": "Task.created_by_id"}
    )
    # Optional["Task"] rather than "Task | None": SQLModel resolves the annotation at runtime.
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks", sa_relationship_kwargs={**RAISE, "remote_side": "Task.id"}
    )
    subtasks: list["Task"] = Relationship(back_populates="parent", sa_relationship_kwargs=RAISE)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    entity_type: str = Field(max_length=50)
    entity_id: int
    action: str = Field(max_length=50)
    actor_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    details: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=sa.Column(JSONB, nullable=False, server_default="{}"),
    )
    created_at: datetime = Field(default_factory=_now)


class TaskCreate(SQLModel):
    """The fields a client may set on a new task (the creator comes from the caller)."""

    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    project_id: int
    assignee_id: int | None = None
    parent_task_id: int | None = None
    priority: TaskPriority = TaskPriority.medium
    tags: list[str] = Field(default_factory=list)


class TaskUpdate(SQLModel):
    """A patch: only the fields present in the request are applied.

    ``description`` and ``assignee_id`` may be cleared with ``None``; the other columns are
    NOT NULL, so an explicit ``None`` for them is refused here, not by the database.
    """

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None

    @field_validator("title", "status", "priority", "tags")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("this field cannot be cleared")
        return value
