"""An explicit `commit()` inside an `async with session.begin():` block.

## What it does
Finds `await session.commit()` (or `await conn.commit()`) inside the body of the
`async with session.begin():`, `session.begin_nested()`, `factory.begin() as session` or
`engine.begin() as conn` block that already manages that transaction, when more of the block
runs after it. A commit that is the block's last statement only does early what the block's
exit would do, and is left alone.

## Why is this bad?
The block commits when it exits; committing inside it ends the transaction early. Everything
after the explicit commit in the block fails with `InvalidRequestError: Can't operate on closed
transaction inside context manager`, and a failure after it can no longer roll back what was
committed: the block no longer makes the work atomic.

## Example
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def move_task(session: AsyncSession, task: Task, project: Project) -> None:
    async with session.begin():
        task.project_id = project.id
        session.add(task)
        await session.commit()
        project.task_count += 1
        session.add(project)
```

## Use instead
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def move_task(session: AsyncSession, task: Task, project: Project) -> None:
    async with session.begin():
        task.project_id = project.id
        session.add(task)
        project.task_count += 1
        session.add(project)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.sessions import CONNECTION, ENGINE, FACTORY, SESSION, scope_of
from verifier.rules.analysis.transactions import own_nodes
from verifier.rules.base import Rule, Violation


def _runs_last(ctx: FileContext, node: ast.AST, block: ast.AST) -> bool:
    """True when nothing of ``block`` runs after the statement holding ``node``."""
    current: ast.AST = node
    while current is not block:
        parent = ctx.parent(current)
        if parent is None:
            return False
        if isinstance(current, ast.stmt):
            if isinstance(parent, ast.For | ast.AsyncFor | ast.While):
                return False  # the next iteration runs after it
            if isinstance(parent, ast.Try | ast.TryStar) and current not in parent.finalbody:
                if parent.finalbody or (current in parent.body and parent.orelse):
                    return False
            siblings = next(
                (
                    getattr(parent, f)
                    for f in ("body", "orelse", "finalbody", "handlers")
                    if isinstance(getattr(parent, f, None), list) and current in getattr(parent, f)
                ),
                None,
            )
            if siblings is None or siblings[-1] is not current:
                return False
        current = parent
    return True


class CommitInsideBegin(Rule):
    code = "RDA405"
    name = "commit-inside-begin-block"
    skill_ref = skill_refs.TRANSACTIONS_ATOMIC

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.AsyncWith) + ctx.nodes(ast.With):
            scope = scope_of(ctx, ctx.function_of(node))
            managed: set[str] = set()
            for item in node.items:
                expr = item.context_expr
                if not isinstance(expr, ast.Call) or not isinstance(expr.func, ast.Attribute):
                    continue
                if expr.func.attr not in ("begin", "begin_nested"):
                    continue
                owner = scope.binding_of(expr.func.value)
                if owner is None:
                    continue
                if owner.kind == SESSION:
                    managed.add(ctx.text(expr.func.value))
                elif owner.kind in (FACTORY, ENGINE) and isinstance(item.optional_vars, ast.Name):
                    managed.add(item.optional_vars.id)
            if not managed:
                continue
            for stmt in node.body:
                for sub in own_nodes(stmt):
                    if _runs_last(ctx, sub, node):
                        continue
                    if not (isinstance(sub, ast.Await) and isinstance(sub.value, ast.Call)):
                        continue
                    func = sub.value.func
                    if not (isinstance(func, ast.Attribute) and func.attr == "commit"):
                        continue
                    receiver = ctx.text(func.value)
                    binding = scope.binding_of(func.value)
                    if (
                        receiver in managed
                        and binding is not None
                        and binding.kind in (SESSION, CONNECTION)
                    ):
                        yield self.violation(
                            ctx,
                            sub,
                            f"`{receiver}.commit()` inside the `begin()` block at line "
                            f"{node.lineno}: the block already commits on exit; this ends the "
                            "transaction early and the rest of the block fails.",
                            fix="remove the explicit commit (the block commits when it exits)",
                        )
