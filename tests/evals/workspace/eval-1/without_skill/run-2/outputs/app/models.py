from sqlmodel import Field, SQLModel

from app.schemas import TaskBase  # the agent never wrote app/schemas.py


class Task(TaskBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
