"""`joinedload` of a collection whose result is read without `.unique()`.

## What it does
Finds queries with `.options(joinedload(Model.collection))`, where the relationship is a list
in the model, whose result is consumed (`.all()`, `.first()`, `.one()`, ...) without calling
`.unique()` first.

## Why is this bad?
A joined eager load of a collection returns one row per child, so the parent appears once per
child. SQLAlchemy 2 refuses to guess: it raises `InvalidRequestError: The unique() method must be
invoked on this Result, as it contains results that include joined eager loads against
collections`. (With `selectinload`, which most collection loads should use, `unique()` is not
needed.)

## Example
```python
from sqlalchemy.orm import joinedload
from sqlmodel import Field, Relationship, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list["Task"] = Relationship(back_populates="project")


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    project: Project = Relationship(back_populates="tasks")


async def projects_with_tasks(session: AsyncSession) -> list[Project]:
    result = await session.exec(select(Project).options(joinedload(Project.tasks)).limit(20))
    return list(result.all())
```

## Use instead
```python
from sqlalchemy.orm import joinedload
from sqlmodel import Field, Relationship, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list["Task"] = Relationship(back_populates="project")


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    project: Project = Relationship(back_populates="tasks")


async def projects_with_tasks(session: AsyncSession) -> list[Project]:
    result = await session.exec(select(Project).options(joinedload(Project.tasks)).limit(20))
    return list(result.unique().all())
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.queries import flow_of
from verifier.rules.base import Rule, Violation


class JoinedloadWithoutUnique(Rule):
    code = "RDA303"
    name = "joinedload-collection-without-unique"
    skill_ref = skill_refs.RELATIONSHIPS_JOINEDLOAD

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if ctx.index is None or not ctx.index.models:
            return
        for func in ctx.async_scopes:
            flow = flow_of(ctx, func)
            for node, value in flow.not_uniqued:
                rels = ", ".join(f"`{value.model}.{r}`" for r in value.joined_collections)
                yield self.violation(
                    ctx,
                    node,
                    f"result with `joinedload` of collection {rels} is read without `.unique()`: "
                    "SQLAlchemy raises InvalidRequestError.",
                    fix="call `.unique()` before `.all()`/`.first()`, or use `selectinload` for "
                    "collections",
                )
