"""Tables and request schemas of the Task API, in one module.

Status, priority and worker kind are PostgreSQL enum types (``task_status``, ``task_priority``,
``worker_kind``). The Python members are UPPER_CASE, so ``values_callable`` makes the database
labels the lower-case values the API speaks (``"in_progress"``), not the member names.

Every column that needs more than SQLModel infers gets its own ``sa_column=Column(...)``: a
Column object belongs to one table, so none is shared.
"""

import enum
from datetime import UTC, datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, Relationship, SQLModel


def utc_now() -> datetime:
    """Aware UTC now: the timestamp columns are ``timestamptz`` and naive values are refused."""
    return datetime.now(UTC)


def _labels(enum_cls: type[enum.Enum]) -> list[str]:
    return [str(member.value) for member in enum_cls]


def _pg_enum(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    return sa.Enum(enum_cls, name=name, values_callable=_labels)


def _timestamp_column() -> Column[datetime]:
    """NOT NULL timestamptz with ``now()`` as server default, for rows inserted by hand."""
    return Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


class WorkerKind(str, enum.Enum):
    HUMAN = "human"
    AGENT = "agent"


class TaskStatus(str, enum.Enum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    REVIEW = "review"
    COMPLETED = "completed"
    BLOCKED = "blocked"


class TaskPriority(str, enum.Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_column=_timestamp_column())


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=200)
    kind: WorkerKind = Field(
        default=WorkerKind.HUMAN,
        sa_column=Column(_pg_enum(WorkerKind, "worker_kind"), nullable=False),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=_timestamp_column())


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    description: str | None = None
    status: TaskStatus = Field(
        default=TaskStatus.PENDING,
        sa_column=Column(_pg_enum(TaskStatus, "task_status"), nullable=False),
    )
    priority: TaskPriority = Field(
        default=TaskPriority.MEDIUM,
        sa_column=Column(_pg_enum(TaskPriority, "task_priority"), nullable=False),
    )
    tags: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_column=_timestamp_column())
    updated_at: datetime = Field(default_factory=utc_now, sa_column=_timestamp_column())
    deleted_at: datetime | None = Field(default=None)

    # One-directional: nothing here needs worker.tasks or project.tasks.
    project: Project = Relationship()
    # Two foreign keys point at worker: the join of each relationship is spelled out.
    assignee: Optional[Worker] = Relationship(
        sa_relationship_kwargs={"primaryjoin": "Task.assignee_id == Worker.id"}
    )
    created_by: Worker = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Task.created_by_id]"}
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks", sa_relationship_kwargs={"remote_side": "[Task.id]"}
    )
    subtasks: list["Task"] = Relationship(
        back_populates="parent", sa_relationship_kwargs={"order_by": "Task.id"}
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
        sa_column=Column(JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    created_at: datetime = Field(default_factory=utc_now, sa_column=_timestamp_column())


class TaskCreate(SQLModel):
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    project_id: int
    assignee_id: int | None = None
    parent_task_id: int | None = None
    priority: TaskPriority = TaskPriority.MEDIUM
    tags: list[str] = Field(default_factory=list)


class TaskUpdate(SQLModel):
    """A patch: fields left out are untouched; ``None`` clears description or assignee."""

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the caller set; ``None`` for a NOT NULL column is a ``ValueError``."""
        values = self.model_dump(exclude_unset=True)
        cleared = [
            k for k in ("title", "status", "priority", "tags") if k in values and values[k] is None
        ]
        if cleared:
            raise ValueError(f"cannot set {', '.join(cleared)} to null")
        return values
