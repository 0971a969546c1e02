from datetime import UTC, datetime
from typing import Optional

from sqlalchemy import DateTime
from sqlmodel import Field, Relationship, SQLModel


def now() -> datetime:
    return datetime.now(UTC)


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=now, sa_type=DateTime(timezone=True))


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=500)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)

    assignee: Worker | None = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"}
    )
    created_by: Worker = Relationship(
        sa_relationship_kwargs={"foreign_keys": "[Task.created_by_id]"}
    )
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks", sa_relationship_kwargs={"remote_side": "Task.id"}
    )
    subtasks: list["Task"] = Relationship(back_populates="parent")
