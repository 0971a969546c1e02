"""`sessionmaker(class_=AsyncSession)` instead of `async_sessionmaker`.

## What it does
Finds `sessionmaker(...)` from `sqlalchemy.orm` configured to build `AsyncSession` objects
(`class_=AsyncSession`, from SQLAlchemy or SQLModel).

## Why is this bad?
This is the SQLAlchemy 1.4 idiom. `sessionmaker` is typed and documented for sync `Session`:
its `begin()` returns a sync context manager, type checkers see `Session` objects, and the
async-specific behaviour of `async_sessionmaker` (`async with factory.begin() as session`)
is missing. SQLAlchemy 2 provides `async_sessionmaker` for exactly this.

## Example
```python
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
async_session_maker = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
```

## Use instead
```python
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
async_session_maker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.analysis.edits import ensure_import, replace_node
from verifier.rules.analysis.sessions import session_flavor
from verifier.rules.base import Edit, Rule, Violation


class SessionmakerForAsync(Rule):
    code = "RDA103"
    name = "sessionmaker-for-async-session"
    skill_ref = skill_refs.SESSIONS_FACTORY
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.calls_to(n.SESSIONMAKER):
            cls = keyword(call, "class_")
            if cls is None or session_flavor(ctx, cls) is None:
                continue
            edits: list[Edit] = []
            if isinstance(call.func, ast.Name | ast.Attribute):
                edits.append(replace_node(ctx, call.func, "async_sessionmaker"))
                imported = ensure_import(ctx, "sqlalchemy.ext.asyncio", "async_sessionmaker")
                if imported is not None:
                    edits.append(imported)
            yield self.violation(
                ctx,
                call,
                "`sessionmaker(class_=AsyncSession)` is the SQLAlchemy 1.4 idiom: use "
                "`async_sessionmaker`, made for async sessions.",
                fix="replace `sessionmaker` with `async_sessionmaker` "
                "(from sqlalchemy.ext.asyncio)",
                edits=edits,
            )
