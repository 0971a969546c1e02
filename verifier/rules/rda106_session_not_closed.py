"""A session opened without `async with` and never closed.

## What it does
Finds `session = AsyncSession(engine)` or `session = SessionFactory()` assignments in a function
that neither closes the session (`await session.close()`, typically in `finally`), nor uses it
as `async with session:`, nor returns it to its caller; and sessions created at module level.

## Why is this bad?
A session holds a pooled connection from its first query until it is closed. A session that
is never closed keeps that connection checked out (and, after a failed statement, "idle in
transaction") until garbage collection gets to it; under load the pool runs dry and requests
hang on `QueuePool limit ... reached`. A module-level session is worse: every request shares
one connection and one transaction.

## Example
```python
from sqlmodel import select


async def count_tasks() -> int:
    session = SessionFactory()
    result = await session.exec(select(Task))
    return len(result.all())
```

## Use instead
```python
from sqlmodel import select


async def count_tasks() -> int:
    async with SessionFactory() as session:
        result = await session.exec(select(Task))
        return len(result.all())
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import SESSION, scope_of
from verifier.rules.base import Rule, Violation

_CLOSERS = frozenset({"close", "aclose", "invalidate"})


class SessionNotClosed(Rule):
    code = "RDA106"
    name = "session-not-closed"
    skill_ref = skill_refs.SESSIONS_LIFECYCLE

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        assert ctx.tree is not None
        module_scope = scope_of(ctx, None)
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                binding = module_scope.value(stmt.value)
                if binding is not None and binding.kind == SESSION:
                    yield self.violation(
                        ctx,
                        stmt,
                        "a session created at module level is shared by every caller and never "
                        "closed: one connection, one transaction for the whole process.",
                        fix="open a session per unit of work: `async with SessionFactory() as "
                        "session:` inside the function (or a `get_session` dependency)",
                    )
        for func in ctx.functions:
            scope = scope_of(ctx, func)
            nodes = ctx.scope_nodes(func)
            opened: dict[str, ast.Assign] = {}
            for node in nodes:
                if (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and isinstance(node.value, ast.Call)
                ):
                    binding = scope.value(node.value)
                    if binding is not None and binding.kind == SESSION:
                        opened.setdefault(node.targets[0].id, node)
            if not opened:
                continue
            handled: set[str] = set()
            for node in nodes:
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr in _CLOSERS and isinstance(node.func.value, ast.Name):
                        handled.add(node.func.value.id)
                elif isinstance(node, ast.Return | ast.Yield) and isinstance(node.value, ast.Name):
                    if isinstance(node, ast.Return):
                        handled.add(node.value.id)
                elif isinstance(node, ast.AsyncWith | ast.With):
                    for item in node.items:
                        if isinstance(item.context_expr, ast.Name):
                            handled.add(item.context_expr.id)
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Name):
                    # stored elsewhere (self.session = session): its owner closes it
                    if any(not isinstance(t, ast.Name) for t in node.targets):
                        handled.add(node.value.id)
            for name, assign in opened.items():
                if name in handled:
                    continue
                yield self.violation(
                    ctx,
                    assign,
                    f"session `{name}` is opened in `{func.name}` but never closed: its "
                    "connection stays checked out of the pool.",
                    fix=f"use `async with {ctx.text(assign.value)} as {name}:` (or close it in "
                    "`finally`)",
                )
