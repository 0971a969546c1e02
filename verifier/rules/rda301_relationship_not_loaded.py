"""A relationship read in async code on an object whose query did not load it.

## What it does
Follows a query through an `async def` (`select(Task)`, `session.get(Task, id)`, their results,
loops over them) and finds reads of a relationship attribute (`task.assignee`,
`project.tasks`) that the query did not load with `selectinload`/`joinedload` (or
`refresh(obj, ["attr"])`) and that the model does not load eagerly by default (`lazy="selectin"`).
The relationships are read from the models of every file in the run.

## Why is this bad?
An unloaded relationship is loaded lazily, with I/O, on first access. The async session cannot
do implicit I/O: the read raises `MissingGreenlet: greenlet_spawn has not been called`. Inside a
loop it would also be one query per row (N+1), which is why the async stack forbids it.

## Example
```python
from sqlmodel import Field, Relationship, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    assignee: Worker | None = Relationship()


async def assignee_names(session: AsyncSession) -> list[str]:
    tasks = (await session.exec(select(Task).limit(100))).all()
    return [task.assignee.name for task in tasks if task.assignee]
```

## Use instead
```python
from sqlalchemy.orm import selectinload
from sqlmodel import Field, Relationship, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    assignee: Worker | None = Relationship()


async def assignee_names(session: AsyncSession) -> list[str]:
    stmt = select(Task).options(selectinload(Task.assignee)).limit(100)
    tasks = (await session.exec(stmt)).all()
    return [task.assignee.name for task in tasks if task.assignee]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.queries import flow_of
from verifier.rules.base import Rule, Violation


class RelationshipNotLoaded(Rule):
    code = "RDA301"
    name = "relationship-not-eager-loaded"
    skill_ref = skill_refs.RELATIONSHIPS_EAGER

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if ctx.index is None or not ctx.index.models:
            return
        for func in ctx.async_scopes:
            flow = flow_of(ctx, func)
            for access in flow.unloaded:
                where = ""
                if access.origin is not None and hasattr(access.origin, "lineno"):
                    where = f" (query at line {access.origin.lineno})"  # type: ignore[attr-defined]
                yield self.violation(
                    ctx,
                    access.node,
                    f"`{ctx.text(access.node)}` reads relationship `{access.model}."
                    f"{access.relationship}`, which its query{where} does not load: the lazy "
                    "load raises MissingGreenlet in async code.",
                    fix=f"add `.options(selectinload({access.model}.{access.relationship}))` to "
                    "the query (or `options=[...]` to `session.get`)",
                )
