"""A coroutine method of an AsyncSession, AsyncEngine or AsyncConnection called without `await`.

## What it does
Finds calls such as `session.commit()`, `session.execute(stmt)`, `session.get(Task, 1)`,
`conn.run_sync(...)` or `engine.dispose()` whose result is not awaited, where the receiver is
known to be an async session, engine or connection: from its annotation (`AsyncSession`,
`Annotated[AsyncSession, Depends(...)]`, aliases like `SessionDep`), from
`async with AsyncSession(engine) as session`, from an `async_sessionmaker()` factory, from a
FastAPI `Depends(get_session)` parameter, or from an unannotated `session` parameter of an
`async def`. Coroutines handed to another call (`asyncio.gather(...)`, `create_task(...)`)
are not reported here.

## Why is this bad?
Calling a coroutine function only creates a coroutine object. Without `await` nothing runs:
the commit never happens, the query never reaches the database, and the code goes on with a
coroutine where it expected a result (Python only warns "coroutine was never awaited" when it
is garbage-collected). Data silently fails to persist.

## Example
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    session.commit()
    return user
```

## Use instead
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.commit()
    return user
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import CONNECTION, ENGINE, SESSION, SQLALCHEMY, describe
from verifier.rules.base import Edit, Rule, Violation

_COROUTINES = {
    SESSION: n.SESSION_COROUTINES,
    ENGINE: n.ENGINE_COROUTINES,
    CONNECTION: n.CONNECTION_COROUTINES,
}
_ANY = n.SESSION_COROUTINES | n.ENGINE_COROUTINES | n.CONNECTION_COROUTINES
_EFFECT = {
    "commit": "nothing is committed",
    "rollback": "nothing is rolled back",
    "flush": "nothing is flushed",
    "close": "the session is never closed",
    "delete": "nothing is deleted",
    "refresh": "nothing is refreshed",
    "dispose": "the pool is never disposed",
}
# Parents that hand the coroutine on (to gather(), a list of tasks) or use it as a context
# manager (`async with session.get(url)` is an HTTP client's idiom, not a forgotten await).
_HANDED_OVER = (ast.List, ast.Tuple, ast.Set, ast.Starred, ast.keyword, ast.Lambda, ast.withitem)


class NotAwaited(Rule):
    code = "RDA101"
    name = "async-call-not-awaited"
    skill_ref = skill_refs.SESSIONS_AWAIT
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.nodes(ast.Call):
            func = call.func
            if not isinstance(func, ast.Attribute) or func.attr not in _ANY:
                continue
            parent = ctx.parent(call)
            if isinstance(parent, ast.Await) or self._handed_over(ctx, call, parent):
                continue
            binding = ctx.sessions(ctx.function_of(call)).binding_of(func.value)
            if binding is None or func.attr not in _COROUTINES.get(binding.kind, ()):
                continue
            if binding.kind == SESSION and func.attr == "exec" and binding.flavor == SQLALCHEMY:
                continue  # RDA109: that session has no exec at all
            receiver = ctx.text(func.value)
            shown = f"{receiver}.{func.attr}()"
            effect = _EFFECT.get(func.attr, "the call never runs")
            edits: tuple[Edit, ...] = ()
            if ctx.in_async_function(call):
                start, end = ctx.span(call)
                text = ctx.source[start:end]
                wrapped = (
                    f"await {text}"
                    if isinstance(parent, ast.Expr | ast.Assign)
                    else f"(await {text})"
                )
                edits = (Edit(start, end, wrapped),)
            yield self.violation(
                ctx,
                call,
                f"`{shown}` is a coroutine of the {describe(binding)} and is not awaited: "
                f"{effect}.",
                fix=f"write `await {ctx.text(call)}`",
                edits=edits,
            )

    @staticmethod
    def _handed_over(ctx: FileContext, call: ast.Call, parent: ast.AST | None) -> bool:
        """Coroutines passed on (gather, create_task, a list of them) are someone else's await."""
        if isinstance(parent, ast.Call) and call is not parent.func:
            return True
        if isinstance(parent, _HANDED_OVER):
            return True
        if isinstance(parent, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return True
        if isinstance(parent, ast.Return):
            return not isinstance(ctx.function_of(call), ast.AsyncFunctionDef)
        return False
