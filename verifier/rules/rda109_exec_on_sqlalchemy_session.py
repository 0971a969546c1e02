"""`session.exec()` on SQLAlchemy's AsyncSession, which has no `exec`.

## What it does
Finds `exec(...)` calls on a session whose class is SQLAlchemy's `AsyncSession`: annotated
with `AsyncSession` imported from `sqlalchemy.ext.asyncio`, or made by an
`async_sessionmaker(engine)` without `class_=` SQLModel's `AsyncSession`.

## Why is this bad?
`exec()` exists only on SQLModel's `AsyncSession` (`sqlmodel.ext.asyncio.session`). On
SQLAlchemy's class the call raises `AttributeError: 'AsyncSession' object has no attribute
'exec'` at run time, on the first request that reaches it. The two classes have the same name,
so the wrong import is easy to write and hard to see.

## Example
```python
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select


async def list_projects(session: AsyncSession) -> list[Project]:
    result = await session.exec(select(Project).limit(100))
    return list(result.all())
```

## Use instead
```python
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession


async def list_projects(session: AsyncSession) -> list[Project]:
    result = await session.exec(select(Project).limit(100))
    return list(result.all())
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import SESSION, SQLALCHEMY, scope_of
from verifier.rules.base import Rule, Violation


class ExecOnSqlalchemySession(Rule):
    code = "RDA109"
    name = "exec-on-sqlalchemy-session"
    skill_ref = skill_refs.SESSIONS_EXEC

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.nodes(ast.Call):
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr != "exec":
                continue
            binding = scope_of(ctx, ctx.function_of(call)).binding_of(func.value)
            if binding is None or binding.kind != SESSION or binding.flavor != SQLALCHEMY:
                continue
            yield self.violation(
                ctx,
                call,
                f"`{ctx.text(func.value)}` is SQLAlchemy's AsyncSession, which has no `exec()`: "
                "this raises AttributeError at run time.",
                fix="import `AsyncSession` from `sqlmodel.ext.asyncio.session` (and pass "
                "`class_=AsyncSession` to `async_sessionmaker`)",
            )
