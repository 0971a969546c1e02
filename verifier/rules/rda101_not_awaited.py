"""A coroutine called without `await`: a session/engine method or the project's own `async def`.

## What it does
Finds calls such as `session.commit()`, `session.execute(stmt)`, `session.get(Task, 1)`,
`conn.run_sync(...)` or `engine.dispose()` whose result is not awaited, where the receiver is
known to be an async session, engine or connection: from its annotation (`AsyncSession`,
`Annotated[AsyncSession, Depends(...)]`, aliases like `SessionDep`), from
`async with AsyncSession(engine) as session`, from an `async_sessionmaker()` factory, from a
FastAPI `Depends(get_session)` parameter, from an attribute a base class types
(`self.session`), from `session or self.db.session`, or from an unannotated `session`
parameter of an `async def`. Also finds calls of the project's own coroutine functions left
without `await`: an `async def` of the same module or of another module of the run, or a
method of the class, its project bases or a project-typed object (`tag =
self.get_tag_by_uid(uid)`). Coroutines handed to another call (`asyncio.gather(...)`,
`create_task(...)`), or kept in a variable that is awaited or handed on later, are not
reported here.

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
from verifier.rules.analysis.callees import called_coroutine
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import (
    CONNECTION,
    ENGINE,
    SESSION,
    SQLALCHEMY,
    describe,
    scope_of,
)
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
        index = ctx.index
        own = index.functions.keys() | index.method_names if index is not None else set()
        for call in ctx.nodes(ast.Call):
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in _ANY and name not in own:
                continue
            parent = ctx.parent(call)
            if isinstance(parent, ast.Await) or self._handed_over(ctx, call, parent):
                continue
            binding = None
            if isinstance(func, ast.Attribute) and name in _ANY:
                binding = scope_of(ctx, ctx.function_of(call)).binding_of(func.value)
            if binding is None or func.attr not in _COROUTINES.get(binding.kind, ()):  # type: ignore[union-attr]
                if name in own:
                    yield from self._own_coroutine(ctx, call, parent)
                continue
            assert isinstance(func, ast.Attribute)
            if binding.kind == SESSION and func.attr == "exec" and binding.flavor == SQLALCHEMY:
                continue  # RDA109: that session has no exec at all
            receiver = ctx.text(func.value)
            shown = f"{receiver}.{func.attr}()"
            effect = _EFFECT.get(func.attr, "the call never runs")
            yield self.violation(
                ctx,
                call,
                f"`{shown}` is a coroutine of the {describe(binding)} and is not awaited: "
                f"{effect}.",
                fix=f"write `await {ctx.text(call)}`",
                edits=self._await_edit(ctx, call, parent),
            )

    def _own_coroutine(
        self, ctx: FileContext, call: ast.Call, parent: ast.AST | None
    ) -> Iterator[Violation]:
        info = called_coroutine(ctx, call)
        if info is None:
            return
        where = "" if info.path == ctx.path else f" of {info.path}"
        if isinstance(parent, ast.Assign) and len(parent.targets) == 1:
            target = ctx.text(parent.targets[0])
            effect = f"`{target}` holds a coroutine object, not its result"
        else:
            effect = "its body never runs"
        yield self.violation(
            ctx,
            call,
            f"`{ctx.text(call.func)}()` calls `async def {info.name}` (line {info.line}{where}) "
            f"without `await`: {effect}.",
            fix=f"write `await {ctx.text(call)}`",
            edits=self._await_edit(ctx, call, parent),
        )

    @staticmethod
    def _await_edit(ctx: FileContext, call: ast.Call, parent: ast.AST | None) -> tuple[Edit, ...]:
        if not ctx.in_async_function(call):
            return ()
        start, end = ctx.span(call)
        text = ctx.source[start:end]
        wrapped = (
            f"await {text}" if isinstance(parent, ast.Expr | ast.Assign) else f"(await {text})"
        )
        return (Edit(start, end, wrapped),)

    @staticmethod
    def _handed_over(ctx: FileContext, call: ast.Call, parent: ast.AST | None) -> bool:
        """Coroutines passed on (gather, create_task, a list of them) are someone else's await."""
        if isinstance(parent, ast.Call) and call is not parent.func:
            return True
        if isinstance(parent, _HANDED_OVER):
            return True
        if isinstance(parent, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return True
        if (
            isinstance(parent, ast.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)
        ):
            return _awaited_later(ctx, call, parent.targets[0].id)
        if isinstance(parent, ast.Return):
            return not isinstance(ctx.function_of(call), ast.AsyncFunctionDef)
        return False


def _awaited_later(ctx: FileContext, call: ast.Call, name: str) -> bool:
    """``coro = f()`` then ``await coro`` or ``gather(coro, ...)``: the coroutine is kept.

    A variable that is awaited is kept; one only handed to calls or collections is kept unless
    it is also used as the call's result would be (``x.attr``, ``x[i]``).
    """
    handed = used_as_result = False
    sync = not isinstance(ctx.function_of(call), ast.AsyncFunctionDef)
    for node in ctx.scope_nodes(ctx.function_of(call)):
        if not (isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)):
            continue
        use = ctx.parent(node)
        if isinstance(use, ast.Await):
            return True
        if isinstance(use, ast.Attribute | ast.Subscript):
            used_as_result = True
        elif isinstance(use, ast.Call) and use.func is not node:
            handed = True
        elif isinstance(
            use, ast.keyword | ast.Starred | ast.List | ast.Tuple | ast.Set | ast.Yield
        ):
            handed = True
        elif isinstance(use, ast.Return) and sync:
            handed = True
    return handed and not used_as_result
