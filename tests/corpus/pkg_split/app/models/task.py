"""The ``task`` table, its status and priority, and the parent/subtask self-reference."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship

from .base import CreatedAtMixin, utcnow

if TYPE_CHECKING:
    from .project import Project
    from .worker import Worker


class TaskStatus(str, enum.Enum):
    pending = "pending"
    in_progress = "in_progress"
    review = "review"
    completed = "completed"
    blocked = "blocked"


class TaskPriority(str, enum.Enum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class Task(CreatedAtMixin, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    description: str | None = None
    status: TaskStatus = Field(
        default=TaskStatus.pending,
        sa_type=sa.Enum(TaskStatus, native_enum=False, length=20),
    )
    priority: TaskPriority = Field(
        default=TaskPriority.medium,
        sa_type=sa.Enum(TaskPriority, native_enum=False, length=20),
    )
    tags: list[str] = Field(
        default_factory=list,
        sa_type=JSONB,
        sa_column_kwargs={"server_default": sa.text("'[]'::jsonb")},
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None

    project: "Project" = Relationship(back_populates="tasks")
    # Optional["Worker"] rather than "Worker | None": SQLModel resolves the target from the
    # string inside, and a quoted union is not a class name.
    assignee: Optional["Worker"] = Relationship(
        back_populates="assigned_tasks",
        sa_relationship_kwargs={"foreign_keys": "Task.assignee_id"},
    )
    created_by: "Worker" = Relationship(
        back_populates="created_tasks",
        sa_relationship_kwargs={"foreign_keys": "Task.created_by_id"},
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks",
        sa_relationship_kwargs={"remote_side": "Task.id"},
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent",
        sa_relationship_kwargs={"order_by": "(Task.created_at, Task.id)"},
    )
