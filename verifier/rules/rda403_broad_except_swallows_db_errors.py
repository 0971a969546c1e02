"""A broad `except` around session work that swallows the error.

## What it does
Finds `except:`, `except Exception`, `except BaseException`, `except SQLAlchemyError` or
`except DBAPIError` handlers around awaited session work whose body never raises, so the
database error ends there (logged at best).

## Why is this bad?
The caller cannot tell "not found" from "the database rejected the write": it goes on as if the
operation succeeded, returns `None` or an empty list to the agent, and the data is silently
missing. Catch the specific error you can handle (`IntegrityError` to a domain error), roll
back, and let everything else propagate.

## Example
```python
import logging

from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)


async def save_task(session: AsyncSession, task: Task) -> Task | None:
    try:
        session.add(task)
        await session.commit()
        return task
    except Exception:
        log.exception("could not save task")
        return None
```

## Use instead
```python
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession


async def save_task(session: AsyncSession, task: Task) -> Task:
    try:
        session.add(task)
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise TaskConflict(task.title) from exc
    return task
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.transactions import awaited_session_calls, own_nodes
from verifier.rules.base import Rule, Violation

_BROAD = frozenset(
    {
        "builtins.Exception",
        "builtins.BaseException",
        "sqlalchemy.exc.SQLAlchemyError",
        "sqlalchemy.exc.DBAPIError",
        "sqlalchemy.exc.DatabaseError",
    }
)


class BroadExceptSwallowsDbErrors(Rule):
    code = "RDA403"
    name = "broad-except-swallows-database-errors"
    severity = Severity.WARNING
    skill_ref = skill_refs.TRANSACTIONS_EXCEPT
    supersedes = ("E722",)

    def _broad(self, ctx: FileContext, handler: ast.ExceptHandler) -> str | None:
        if handler.type is None:
            return "except:"
        elts = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for elt in elts:
            if isinstance(elt, ast.Name) and elt.id in ("Exception", "BaseException"):
                if elt.id not in ctx.imports.aliases:
                    return f"except {elt.id}"
            if ctx.imports.matches(elt, _BROAD):
                return f"except {ctx.text(elt)}"
        return None

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.Try) + ctx.nodes(ast.TryStar):
            body_nodes = [sub for stmt in node.body for sub in own_nodes(stmt)]
            if not awaited_session_calls(ctx, body_nodes):
                continue
            for handler in node.handlers:
                what = self._broad(ctx, handler)
                if what is None:
                    continue
                handler_nodes = [sub for stmt in handler.body for sub in own_nodes(stmt)]
                if any(isinstance(sub, ast.Raise) for sub in handler_nodes):
                    continue
                yield self.violation(
                    ctx,
                    handler,
                    f"`{what}` around session work never re-raises: database errors are "
                    "swallowed and the caller believes the operation succeeded.",
                    fix="catch the specific error you handle (e.g. IntegrityError -> domain "
                    "error, after rollback) and let the rest propagate (`raise`)",
                )
