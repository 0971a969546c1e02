from sqlmodel import Field, Relationship, SQLModel


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    handle: str


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)

    assignee: Worker | None = Relationship()
