"""`commit()` inside a loop.

## What it does
Finds `await session.commit()` in the body of a `for`/`while` loop (test files are not
checked).

## Why is this bad?
Each iteration becomes its own transaction: a failure halfway leaves the first half written
and the rest not (no way to retry the batch as a unit), and every commit is a round trip plus
a WAL flush, so importing 1,000 rows costs 1,000 synchronous disk writes. Add all rows, then
commit once; for very large batches, commit per chunk deliberately (and say so with
`# noqa: RDA402`).

## Example
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def import_tasks(session: AsyncSession, rows: list[dict]) -> None:
    for row in rows:
        session.add(Task(**row))
        await session.commit()
```

## Use instead
```python
from sqlmodel.ext.asyncio.session import AsyncSession


async def import_tasks(session: AsyncSession, rows: list[dict]) -> None:
    session.add_all([Task(**row) for row in rows])
    await session.commit()
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis.context import FileContext
from verifier.rules.analysis.transactions import session_call
from verifier.rules.base import Rule, Violation

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_COMMIT = frozenset({"commit"})


class CommitInLoop(Rule):
    code = "RDA402"
    name = "commit-in-loop"
    severity = Severity.WARNING
    skill_ref = skill_refs.TRANSACTIONS_ATOMIC
    applies_to_tests = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for node in ctx.nodes(ast.Await):
            if not session_call(ctx, node.value, _COMMIT):
                continue
            func = ctx.function_of(node)
            loop = None
            for ancestor in ctx.ancestors(node):
                if ancestor is func:
                    break
                if isinstance(ancestor, _LOOPS):
                    loop = ancestor
                    break
            if loop is None:
                continue
            yield self.violation(
                ctx,
                node,
                f"commit inside the loop at line {loop.lineno}: one transaction per item, so a "
                "failure leaves the batch half written, and every item pays a commit.",
                fix="add every item in the loop, then commit once after it",
            )
