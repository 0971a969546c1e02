"""A query awaited inside a loop over query results: the N+1 pattern.

## What it does
Finds awaited session queries (`session.get`, `exec`, `execute`, `scalar`, `scalars`,
`refresh`) inside a `for` loop or comprehension that iterates over the results of another query
(or a loaded relationship) and passes the loop variable to the query, or inside any loop
when the query's arguments read an attribute of the loop variable (`task.assignee_id`).

## Why is this bad?
One query for the list plus one per row: 101 round trips for 100 tasks, each paying network
latency. It is invisible with ten rows in development and dominates response time in
production. One query with `selectinload`, a join, or `WHERE id IN (...)` does the same work
in one or two round trips.

## Example
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def tasks_with_owner(session: AsyncSession, project_id: int):
    tasks = (await session.exec(select(Task).where(Task.project_id == project_id).limit(50))).all()
    out = []
    for task in tasks:
        owner = await session.get(Worker, task.created_by_id)
        out.append((task, owner))
    return out
```

## Use instead
```python
from sqlalchemy.orm import selectinload
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def tasks_with_owner(session: AsyncSession, project_id: int):
    stmt = (
        select(Task)
        .where(Task.project_id == project_id)
        .options(selectinload(Task.created_by))
        .limit(50)
    )
    tasks = (await session.exec(stmt)).all()
    return [(task, task.created_by) for task in tasks]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.queries import flow_of
from verifier.rules.base import Rule, Violation


class QueryInLoop(Rule):
    code = "RDA302"
    name = "query-in-loop"
    skill_ref = skill_refs.RELATIONSHIPS_N_PLUS_ONE

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for func in ctx.async_scopes:
            flow = flow_of(ctx, func)
            seen: set[int] = set()
            for item in flow.loops:
                if id(item.call) in seen:
                    continue
                seen.add(id(item.call))
                shown = ctx.text(item.call.func)
                yield self.violation(
                    ctx,
                    item.call,
                    f"`await {shown}(...)` runs once per `{item.target}` of the loop at line "
                    f"{getattr(item.loop, 'lineno', '?')}: N+1 queries.",
                    fix="load the related rows with the first query (`selectinload(...)`, a join) "
                    "or fetch them all at once with `where(Model.id.in_(ids))`",
                )
