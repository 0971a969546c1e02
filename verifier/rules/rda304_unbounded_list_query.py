"""A public list function that returns every matching row: no `limit()`.

## What it does
Finds public `async def` functions named like list endpoints (`list_*`, `get_all_*`,
`search_*`, `find_all_*`) or annotated to return a list, that return the `.all()` of a
`select()` on a model without `.limit()`. Test files are not checked.

## Why is this bad?
The number of rows returned grows with the table. A list endpoint that was fast with a
hundred tasks serialises a million of them, holds them all in memory and times out; an agent
calling it in a loop multiplies that. Public list functions need a bounded page
(`limit`/`offset` parameters with a sane default, as the Task API contract's `list_tasks`).

## Example
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def list_projects(session: AsyncSession) -> list[Project]:
    result = await session.exec(select(Project).order_by(Project.id))
    return list(result.all())
```

## Use instead
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def list_projects(session: AsyncSession, limit: int = 50, offset: int = 0) -> list[Project]:
    result = await session.exec(select(Project).order_by(Project.id).offset(offset).limit(limit))
    return list(result.all())
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.queries import flow_of
from verifier.rules.base import Rule, Violation

_LIST_NAME = r"^(list|get_all|search|find_all|all)(_|$)"
_LIST_RETURN = r"^(list|List|Sequence|tuple|Tuple)\["


class UnboundedListQuery(Rule):
    code = "RDA304"
    name = "unbounded-list-query"
    severity = Severity.WARNING
    skill_ref = skill_refs.CRUD_PAGINATION
    applies_to_tests = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for func in ctx.async_functions:
            if func.name.startswith("_") or isinstance(
                ctx.parent(func), ast.FunctionDef | ast.AsyncFunctionDef
            ):
                continue
            returns = ctx.text(func.returns) if func.returns is not None else ""
            if not (re.match(_LIST_NAME, func.name) or re.match(_LIST_RETURN, returns)):
                continue
            for ret, value in flow_of(ctx, func).unbounded_returns:
                yield self.violation(
                    ctx,
                    ret,
                    f"`{func.name}` returns every `{value.model}` row the query matches: no "
                    "`limit()`, so the response grows with the table.",
                    fix="add `limit: int = 50, offset: int = 0` parameters and "
                    "`.offset(offset).limit(limit)` to the query",
                )
