"""A `postgres://` or `postgresql://` URL given to `create_async_engine` unconverted.

## What it does
Finds `create_async_engine(...)` called with a URL that has no async driver: a literal
`postgres://`, `postgresql://` or `postgresql+psycopg2://` URL, or a URL read from the
environment (`os.environ[...]`, `os.getenv(...)`) and used as is, unless its default is
already an async URL (`os.environ.get("DATABASE_URL", "postgresql+asyncpg://...")`: the project
documents the form it expects). Also finds conversion code that rewrites `postgresql://` to
`postgresql+asyncpg://` but never handles `postgres://`.

## Why is this bad?
`create_async_engine` needs an async driver: a plain URL selects psycopg2 and fails with
`InvalidRequestError: The asyncio extension requires an async driver to be used`, and
`postgres://` (what Heroku, Render, Railway and many providers hand out) is not even a
SQLAlchemy dialect name (`NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres`).
The URL from the environment must be normalised to `postgresql+asyncpg://` first.

## Example
```python
import os

from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
```

## Use instead
```python
import os

from sqlalchemy.ext.asyncio import create_async_engine


def async_database_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return url


engine = create_async_engine(async_database_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword, string_value
from verifier.rules.analysis.urls import env_read
from verifier.rules.base import Rule, Violation

_SYNC_PREFIXES = ("postgres://", "postgresql://", "postgresql+psycopg2://", "postgresql+pg8000://")
_ASYNC_DRIVER = r"^[a-z]+\+(asyncpg|psycopg_async|aiosqlite|asyncmy|aiomysql)://"
_FIX = "convert it first: `postgres://` and `postgresql://` to `postgresql+asyncpg://`"


def _async_default(read: ast.AST) -> bool:
    """``os.environ.get("X", "postgresql+asyncpg://...")``: the default names an async driver."""
    if not isinstance(read, ast.Call) or len(read.args) < 2:
        return False
    default = string_value(read.args[1])
    return default is not None and bool(re.match(_ASYNC_DRIVER, default))


class PostgresUrlNotConverted(Rule):
    code = "RDA605"
    name = "postgres-url-not-converted"
    skill_ref = skill_refs.ENGINE_URL

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        for call in ctx.calls_to(n.CREATE_ASYNC_ENGINE):
            url = call.args[0] if call.args else keyword(call, "url")
            if url is None:
                continue
            problem = self._problem(ctx, call, url)
            if problem:
                yield self.violation(ctx, url, problem, fix=_FIX)
        yield from self._partial_conversions(ctx)

    def _problem(self, ctx: FileContext, call: ast.Call, url: ast.AST) -> str | None:
        literal = string_value(url)
        if literal is not None:
            if literal.startswith(_SYNC_PREFIXES):
                scheme = literal.split("://", 1)[0]
                return (
                    f"`{scheme}://` URL given to `create_async_engine`: it has no async driver "
                    "and fails at the first connection."
                )
            return None
        if env_read(ctx, url) and not _async_default(url):
            return (
                f"`{ctx.text(url)}` goes to `create_async_engine` as is: providers hand out "
                "`postgres://`/`postgresql://` URLs, which have no async driver."
            )
        if isinstance(url, ast.Name):
            source = self._assigned_value(ctx, call, url.id)
            if source is not None and env_read(ctx, source) and not _async_default(source):
                return (
                    f"`{url.id}` comes straight from `{ctx.text(source)}` and goes to "
                    "`create_async_engine` unconverted: `postgres://`/`postgresql://` URLs have no "
                    "async driver."
                )
        return None

    @staticmethod
    def _assigned_value(ctx: FileContext, call: ast.Call, name: str) -> ast.AST | None:
        func = ctx.function_of(call)
        scopes = [ctx.scope_nodes(func)] if func is not None else []
        assert ctx.tree is not None
        scopes.append(list(ctx.tree.body))
        for nodes in scopes:
            values = [
                node.value
                for node in nodes
                if isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and any(
                    isinstance(t, ast.Name) and t.id == name
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                )
            ]
            if values:
                return values[0] if len(values) == 1 else None
        return None

    def _partial_conversions(self, ctx: FileContext) -> Iterator[Violation]:
        strings = [
            c.value
            for c in ctx.nodes(ast.Constant)
            if isinstance(c.value, str) and "://" in c.value
        ]
        if any(s.startswith("postgres://") for s in strings):
            return
        for call in ctx.nodes(ast.Call):
            func = call.func
            if not (
                isinstance(func, ast.Attribute) and func.attr == "replace" and len(call.args) >= 2
            ):
                continue
            old, new = string_value(call.args[0]), string_value(call.args[1])
            if old == "postgresql://" and new is not None and new.startswith("postgresql+"):
                yield self.violation(
                    ctx,
                    call,
                    "the URL conversion handles `postgresql://` but not `postgres://`, the form "
                    "many providers hand out: that URL reaches the engine unconverted.",
                    fix="also convert `postgres://` to `postgresql+asyncpg://`",
                )
