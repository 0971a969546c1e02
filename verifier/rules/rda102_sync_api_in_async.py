"""A synchronous engine, Session or database driver used inside `async def`.

## What it does
Inside an `async def`, finds calls that open or use blocking database access:
`create_engine(...)` (SQLAlchemy or SQLModel), `Session(...)`, a plain `sessionmaker()`
factory or a sync engine's `connect()`/`begin()`, and driver-level `psycopg2.connect`,
`psycopg.connect`, `sqlite3.connect`, `pymysql.connect`; also parameters of an `async def`
annotated with the sync `Session`.

## Why is this bad?
A sync driver blocks the event loop for the whole round trip to the database: while one
request waits for PostgreSQL, every other coroutine of the process is frozen. Under load the
service serialises on its slowest query. Async code needs `create_async_engine` with
`postgresql+asyncpg://` and `AsyncSession`.

## Example
```python
from sqlmodel import Session, create_engine, select

engine = create_engine("postgresql://app@db/app")


async def list_tasks() -> list[Task]:
    with Session(engine) as session:
        return list(session.exec(select(Task).limit(50)).all())
```

## Use instead
```python
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)
SessionFactory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def list_tasks() -> list[Task]:
    async with SessionFactory() as session:
        return list((await session.exec(select(Task).limit(50))).all())
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword
from verifier.rules.analysis.sessions import (
    SYNC_ENGINE,
    SYNC_FACTORY,
    SYNC_SESSION,
    scope_of,
    session_flavor,
)
from verifier.rules.base import Rule, Violation

_FIX = "use `create_async_engine` with `postgresql+asyncpg://` and an `AsyncSession`"
_BLOCKING = n.CREATE_ENGINE | n.SYNC_SESSION | n.SESSIONMAKER | n.SYNC_DRIVER_CONNECT


class SyncApiInAsync(Rule):
    code = "RDA102"
    name = "sync-database-api-in-async"
    skill_ref = skill_refs.SESSIONS_FACTORY

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        library = set(ctx.calls_to(_BLOCKING))  # the calls one of the four tests can match
        for call in ctx.nodes(ast.Call):
            if not ctx.in_async_function(call):
                continue
            func = call.func
            what = None
            if call in library:
                if imports.matches(func, n.CREATE_ENGINE):
                    what = "`create_engine()` makes a blocking engine"
                elif imports.matches(func, n.SYNC_SESSION):
                    what = "`Session()` is the blocking session"
                elif imports.matches(func, n.SESSIONMAKER):
                    cls = keyword(call, "class_")
                    if cls is None or session_flavor(ctx, cls) is None:
                        what = "`sessionmaker()` makes blocking sessions"
                elif imports.matches(func, n.SYNC_DRIVER_CONNECT):
                    what = f"`{ctx.text(func)}()` is a blocking driver call"
            else:
                scope = scope_of(ctx, ctx.function_of(call))
                binding = scope.value(func) if isinstance(func, ast.Name) else None
                if binding is not None and binding.kind == SYNC_FACTORY:
                    what = f"`{ctx.text(func)}()` opens a blocking `Session`"
                elif isinstance(func, ast.Attribute) and func.attr in ("connect", "begin"):
                    owner = scope.binding_of(func.value)
                    if owner is not None and owner.kind == SYNC_ENGINE:
                        what = f"`{ctx.text(func)}()` uses a blocking engine"
            if what:
                yield self.violation(
                    ctx, call, f"{what} inside `async def`: it blocks the event loop.", fix=_FIX
                )
        for func in ctx.async_functions:
            args = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
            scope = scope_of(ctx, func)
            for arg in args:
                binding = scope.annotation(arg.annotation)
                if binding is not None and binding.kind == SYNC_SESSION:
                    yield self.violation(
                        ctx,
                        arg,
                        f"parameter `{arg.arg}` of `async def {func.name}` is a sync `Session`: "
                        "every query through it blocks the event loop.",
                        fix="annotate it `AsyncSession` (from sqlmodel.ext.asyncio.session) "
                        "and await "
                        "its calls",
                    )
