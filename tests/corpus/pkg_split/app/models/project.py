"""The ``project`` table: what tasks are grouped under."""

from typing import TYPE_CHECKING

from sqlmodel import Field, Relationship

from .base import CreatedAtMixin

if TYPE_CHECKING:
    from .task import Task


class Project(CreatedAtMixin, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str | None = None

    tasks: list["Task"] = Relationship(back_populates="project")
