"""A PostgreSQL engine without `pool_pre_ping=True`.

## What it does
Finds `create_async_engine(...)` calls without `pool_pre_ping=True`, unless the URL is a
SQLite literal, a `poolclass` is given (`NullPool` has nothing to ping), or `**kwargs` may
carry it. Test files, pytest fixtures and Alembic's `env.py` are not checked.

## Why is this bad?
Pooled connections die behind the application's back: managed PostgreSQL (Neon, Supabase,
RDS) closes idle connections, failovers and restarts drop them, NAT gateways forget them. The
next request that checks out a dead connection fails with `ConnectionDoesNotExistError` or
`connection was closed in the middle of operation`. `pool_pre_ping` tests each connection on
checkout and replaces dead ones transparently.

## Example
```python
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(DATABASE_URL, pool_size=5, max_overflow=10)
```

## Use instead
```python
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(DATABASE_URL, pool_size=5, max_overflow=10, pool_pre_ping=True)
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.findings import Severity
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import (
    FileContext,
    has_star_kwargs,
    is_true,
    keyword,
    string_value,
)
from verifier.rules.analysis.edits import add_keyword
from verifier.rules.base import Rule, Violation


def _mentions_sqlite(ctx: FileContext, node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "sqlite" in sub.value
        for sub in ast.walk(node)
    )


class NoPoolPrePing(Rule):
    code = "RDA604"
    name = "engine-without-pool-pre-ping"
    severity = Severity.WARNING
    skill_ref = skill_refs.ENGINE_POOLING
    applies_to_tests = False
    fixable = True

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if ctx.is_alembic_env:
            return
        for call in ctx.calls_to(n.CREATE_ASYNC_ENGINE):
            if ctx.in_test_fixture(call):
                continue
            ping = keyword(call, "pool_pre_ping")
            if is_true(ping) or (ping is not None and not isinstance(ping, ast.Constant)):
                continue
            if keyword(call, "poolclass") is not None or has_star_kwargs(call):
                continue
            if self._sqlite(ctx, call):
                continue
            yield self.violation(
                ctx,
                call,
                "engine without `pool_pre_ping=True`: connections dropped by the server, a "
                "failover or a proxy fail the next request that checks them out.",
                fix="add `pool_pre_ping=True`",
                edits=[add_keyword(ctx, call, "pool_pre_ping=True")] if ping is None else [],
            )

    @staticmethod
    def _sqlite(ctx: FileContext, call: ast.Call) -> bool:
        """A SQLite engine: a sqlite URL, SQLite-only connect_args, or inside `if ...sqlite...`."""
        node = call.args[0] if call.args else keyword(call, "url")
        if isinstance(node, ast.Name) and ctx.tree is not None:
            values = [
                stmt.value
                for stmt in ctx.tree.body
                if isinstance(stmt, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets)
            ]
            node = values[0] if len(values) == 1 else node
        url = string_value(node)
        if url is not None and url.startswith("sqlite"):
            return True
        args = keyword(call, "connect_args")
        if args is not None and "check_same_thread" in ctx.text(args):
            return True
        return any(
            isinstance(a, ast.If) and _mentions_sqlite(ctx, a.test) for a in ctx.ancestors(call)
        )
