"""One AsyncSession used by several coroutines at once (`gather`, `TaskGroup`, `create_task`).

## What it does
Finds an `AsyncSession` that several concurrently running awaitables use: two or more
arguments of `asyncio.gather(...)` (or a starred comprehension of them) that mention the same
session, or `create_task(...)` calls on a `TaskGroup`/`asyncio` that pass the same session more
than once or from inside a loop.

## Why is this bad?
An `AsyncSession` wraps one connection and one transaction and is not safe for concurrent use:
two coroutines interleaving on it raise `InvalidRequestError` ("This session is provisioning a
new connection; concurrent operations are not permitted") or `asyncpg`'s "another operation is
in progress", or worse, mix their statements in one transaction.

## Example
```python
import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession


async def load_dashboard(session: AsyncSession, project_id: int):
    return await asyncio.gather(
        count_tasks(session, project_id),
        list_recent_tasks(session, project_id),
    )
```

## Use instead
```python
import asyncio


async def load_dashboard(project_id: int):
    async def count() -> int:
        async with SessionFactory() as session:
            return await count_tasks(session, project_id)

    async def recent() -> list[Task]:
        async with SessionFactory() as session:
            return await list_recent_tasks(session, project_id)

    return await asyncio.gather(count(), recent())
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import SESSION, SessionScope, scope_of
from verifier.rules.base import Rule, Violation

_GATHER = frozenset({"asyncio.gather", "asyncio.wait", "asyncio.as_completed"})
_SPAWN = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.GeneratorExp, ast.SetComp)


class SessionSharedConcurrently(Rule):
    code = "RDA105"
    name = "session-shared-by-concurrent-tasks"
    skill_ref = skill_refs.SESSIONS_CONCURRENCY

    def _sessions_in(self, ctx: FileContext, node: ast.AST, scope: SessionScope) -> set[str]:
        found = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name | ast.Attribute):
                binding = scope.binding_of(sub)
                if binding is not None and binding.kind == SESSION:
                    found.add(ctx.text(sub))
        return found

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        spawned: dict[tuple[object, str], list[ast.Call]] = {}
        for call in ctx.nodes(ast.Call):
            func = call.func
            found = ctx.imports.qualname(func)
            qual = found[0] if found else ""
            if qual in _GATHER or (not (found and found[1]) and qual == "gather"):
                scope = scope_of(ctx, ctx.function_of(call))
                args = call.args
                if len(args) == 1 and isinstance(args[0], ast.List | ast.Tuple | ast.Set):
                    args = list(args[0].elts)
                counts: dict[str, int] = {}
                for arg in args:
                    names = self._sessions_in(ctx, arg, scope)
                    repeated = isinstance(arg, ast.Starred) or isinstance(
                        arg, ast.ListComp | ast.GeneratorExp | ast.SetComp
                    )
                    for name in names:
                        counts[name] = counts.get(name, 0) + (2 if repeated else 1)
                shared = sorted(name for name, count in counts.items() if count >= 2)
                if shared:
                    yield self._report(ctx, call, shared[0], "`gather()`")
                continue
            is_spawn = qual in _SPAWN or (
                isinstance(func, ast.Attribute) and func.attr in ("create_task", "start_soon")
            )
            # A spawn takes a coroutine (`tg.create_task(work(session))`); an awaited call whose
            # first argument is the session itself is a CRUD function named create_task.
            if not is_spawn or not call.args or not isinstance(call.args[0], ast.Call):
                continue
            if isinstance(ctx.parent(call), ast.Await):
                continue
            scope = scope_of(ctx, ctx.function_of(call))
            for name in self._sessions_in(ctx, call.args[0], scope):
                in_loop = any(
                    isinstance(a, _LOOPS)
                    for a in ctx.ancestors(call)[: self._depth_to_function(ctx, call)]
                )
                key = (ctx.function_of(call), name)
                spawned.setdefault(key, []).append(call)
                if in_loop:
                    spawned[key].append(call)
        for (_, name), calls in spawned.items():
            if len(calls) >= 2:
                yield self._report(ctx, calls[-1], name, "tasks")

    @staticmethod
    def _depth_to_function(ctx: FileContext, node: ast.AST) -> int:
        func = ctx.function_of(node)
        for depth, ancestor in enumerate(ctx.ancestors(node)):
            if ancestor is func:
                return depth
        return len(ctx.ancestors(node))

    def _report(self, ctx: FileContext, call: ast.Call, name: str, how: str) -> Violation:
        return self.violation(
            ctx,
            call,
            f"session `{name}` is used by several concurrent {how}: an AsyncSession is one "
            "connection and one transaction and must not be shared between running coroutines.",
            fix="give each concurrent task its own session (`async with SessionFactory() as "
            "session:` inside the task), or run the calls one after the other",
        )
