"""`IntegrityError` caught without rolling the session back.

## What it does
Finds `except IntegrityError` handlers around session work (`commit`, `flush`, `execute`...)
whose body does not call `rollback()`, when the failing statements are not inside an
`async with session.begin_nested():` (or `begin()`) block that rolls back by itself.

## Why is this bad?
After a failed flush the session is in a "pending rollback" state: every later use raises
`PendingRollbackError: This Session's transaction has been rolled back due to a previous
exception during flush`. Translating the error into a domain exception is right, but the
session the caller still holds (a request's session, a test's session) is unusable until
someone rolls it back. The Task API contract requires the session to stay usable after a
duplicate handle.

## Example
```python
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_worker(session: AsyncSession, handle: str, name: str) -> Worker:
    worker = Worker(handle=handle, name=name)
    session.add(worker)
    try:
        await session.commit()
    except IntegrityError as exc:
        raise DuplicateHandle(handle) from exc
    return worker
```

## Use instead
```python
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession


async def create_worker(session: AsyncSession, handle: str, name: str) -> Worker:
    worker = Worker(handle=handle, name=name)
    session.add(worker)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DuplicateHandle(handle) from exc
    return worker
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.transactions import awaited_session_calls, begin_context, own_nodes
from verifier.rules.base import Rule, Violation

_WORK = frozenset(
    {"commit", "flush", "execute", "exec", "merge", "refresh", "scalar", "scalars", "get"}
)


def catches(ctx: FileContext, handler: ast.ExceptHandler, names: frozenset[str]) -> bool:
    kinds = handler.type
    if kinds is None:
        return False
    elts = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return any(ctx.imports.matches(e, names) for e in elts)


class IntegrityErrorWithoutRollback(Rule):
    code = "RDA401"
    name = "integrity-error-without-rollback"
    skill_ref = skill_refs.TRANSACTIONS_INTEGRITY

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.Try) + ctx.nodes(ast.TryStar):
            body_nodes = [sub for stmt in node.body for sub in own_nodes(stmt)]
            if not awaited_session_calls(ctx, body_nodes, _WORK):
                continue
            if any(
                isinstance(sub, ast.AsyncWith | ast.With)
                and any(begin_context(ctx, item) for item in sub.items)
                for sub in body_nodes
            ):
                continue
            for handler in node.handlers:
                if not catches(ctx, handler, n.INTEGRITY_ERROR):
                    continue
                handler_nodes = [sub for stmt in handler.body for sub in own_nodes(stmt)]
                if any(
                    isinstance(sub, ast.Call)
                    and isinstance(sub.func, ast.Attribute)
                    and sub.func.attr == "rollback"
                    for sub in handler_nodes
                ):
                    continue
                yield self.violation(
                    ctx,
                    handler,
                    "`IntegrityError` is caught without `rollback()`: the session stays in a "
                    "failed transaction and its next use raises PendingRollbackError.",
                    fix="`await session.rollback()` first in the handler, or wrap the write in "
                    "`async with session.begin_nested():`",
                )
