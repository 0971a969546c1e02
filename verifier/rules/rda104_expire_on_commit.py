"""AsyncSession or async_sessionmaker created without `expire_on_commit=False`.

## What it does
Finds `AsyncSession(...)`, `async_sessionmaker(...)` and `sessionmaker(class_=AsyncSession)`
calls that leave `expire_on_commit` at its default (`True`) or set it to `True`.

## Why is this bad?
With `expire_on_commit=True`, `commit()` expires every loaded object; the next attribute read
must reload it from the database. In async code that implicit I/O cannot happen: reading
`task.title` after `await session.commit()` raises `MissingGreenlet`. The classic victim is the
function that commits and then returns the object, or the FastAPI endpoint that serialises it.

## Example
```python
from collections.abc import AsyncGenerator

from sqlmodel.ext.asyncio.session import AsyncSession


async def get_session() -> AsyncGenerator[AsyncSession]:
    async with AsyncSession(engine) as session:
        yield session
```

## Use instead
```python
from collections.abc import AsyncGenerator

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

SessionFactory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncGenerator[AsyncSession]:
    async with SessionFactory() as session:
        yield session
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, has_star_kwargs, is_false, keyword
from verifier.rules.analysis.edits import add_keyword, replace_node
from verifier.rules.analysis.sessions import session_flavor
from verifier.rules.base import Rule, Violation

_MAKERS = n.ASYNC_SESSION | n.ASYNC_SESSIONMAKER | n.SESSIONMAKER


class ExpireOnCommit(Rule):
    code = "RDA104"
    name = "expire-on-commit-not-disabled"
    skill_ref = skill_refs.SESSIONS_EXPIRE
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        imports = ctx.imports
        makers = set(ctx.calls_to(_MAKERS))  # the calls one of the three tests can match
        for call in ctx.nodes(ast.Call):
            if call not in makers:
                continue
            func = call.func
            if session_flavor(ctx, func) is not None:
                what = "`AsyncSession(...)`"
            elif imports.matches(func, n.ASYNC_SESSIONMAKER):
                what = "`async_sessionmaker(...)`"
            elif imports.matches(func, n.SESSIONMAKER):
                cls = keyword(call, "class_")
                if cls is None or session_flavor(ctx, cls) is None:
                    continue
                what = "`sessionmaker(class_=AsyncSession)`"
            else:
                continue
            value = keyword(call, "expire_on_commit")
            if is_false(value) or (value is None and has_star_kwargs(call)):
                continue
            if value is not None and not (isinstance(value, ast.Constant) and value.value is True):
                continue  # computed: cannot tell
            edit = (
                replace_node(ctx, value, "False")
                if value is not None
                else add_keyword(ctx, call, "expire_on_commit=False")
            )
            yield self.violation(
                ctx,
                call,
                f"{what} keeps `expire_on_commit=True`: after `commit()` every attribute read "
                "needs I/O and raises `MissingGreenlet` in async code.",
                fix="pass `expire_on_commit=False`",
                edits=[edit],
            )
