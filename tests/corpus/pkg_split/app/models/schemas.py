"""Request bodies (no tables): what callers send to create and change tasks."""

from pydantic import field_validator
from sqlmodel import Field, SQLModel

from .task import TaskPriority, TaskStatus


class TaskCreate(SQLModel):
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    project_id: int
    assignee_id: int | None = None
    parent_task_id: int | None = None
    priority: TaskPriority = TaskPriority.medium
    tags: list[str] = Field(default_factory=list)


class TaskUpdate(SQLModel):
    """Every field optional; only the ones the caller sets are applied.

    ``description`` and ``assignee_id`` may be set to ``None`` to clear them; the columns of the
    others are NOT NULL, so ``None`` for them is rejected here instead of by the database.
    """

    title: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    tags: list[str] | None = None
    assignee_id: int | None = None

    @field_validator("title", "status", "priority", "tags")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not set to null")
        return value
