"""An operation that commits more than once on one path: not atomic.

## What it does
Finds `async def` functions in which a single path of execution awaits `session.commit()` (or
closes an `async with session.begin():` block) two or more times. Branches that exclude each
other (`if`/`else`, early `return`) are counted separately; loops are RDA402's job. Test files
are not checked.

## Why is this bad?
The first commit makes its writes permanent. If anything between the commits fails, the
operation is half done: the task exists without its audit log, the money left one account and
never reached the other. One operation, one transaction: `flush()` to get generated ids, one
`commit()` at the end.

## Example
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    task = Task(**data.model_dump(), created_by_id=creator_id)
    session.add(task)
    await session.commit()
    session.add(AuditLog(entity_type="task", entity_id=task.id, action="created"))
    await session.commit()
    return task
```

## Use instead
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    task = Task(**data.model_dump(), created_by_id=creator_id)
    session.add(task)
    await session.flush()
    session.add(AuditLog(entity_type="task", entity_id=task.id, action="created"))
    await session.commit()
    return task
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.transactions import CommitPaths
from verifier.rules.base import Rule, Violation


class SeveralCommitsPerOperation(Rule):
    code = "RDA404"
    name = "several-commits-per-operation"
    skill_ref = skill_refs.TRANSACTIONS_ATOMIC
    applies_to_tests = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        candidates = {
            ctx.function_of(node)
            for node in ctx.nodes(ast.Attribute)
            if node.attr in ("commit", "begin")
        }
        for func in ctx.async_functions:
            if func not in candidates:
                continue  # nothing in it commits
            paths = CommitPaths(ctx, func)
            count = paths.max_commits()
            if count < 2 or len(paths.sites) < 2:
                continue
            sites = sorted(paths.sites, key=lambda s: (s.lineno, s.col_offset))  # type: ignore[attr-defined]
            yield self.violation(
                ctx,
                sites[1],
                f"`{func.name}` commits {count} times on one path: if a step after the first "
                "commit fails, the operation is left half written.",
                fix="use `await session.flush()` where you need generated ids and commit once at "
                "the end (or one `async with session.begin():` block)",
            )
