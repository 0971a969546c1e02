"""An engine or session factory created inside a function that runs per call.

## What it does
Finds `create_async_engine(...)`, `create_engine(...)`, `async_sessionmaker(...)` or
`sessionmaker(...)` called inside a function body that then uses the result locally, without
returning it, storing it on an object or global, disposing of it, or being cached
(`@lru_cache`, `@cache`) or a fixture. Test files are not checked.

## Why is this bad?
An engine owns a connection pool. Creating one per request (typically inside `get_session`
or a CRUD function) opens a new pool and new TCP/TLS connections for every call and never
reuses them; the pools are not disposed, so connections pile up until PostgreSQL refuses new
ones (`too many clients already`). One engine per process, created at import or startup, is
the rule.

## Example
```python
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_session():
    engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)
    factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    async with factory() as session:
        yield session
```

## Use instead
```python
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)
factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session():
    async with factory() as session:
        yield session
```
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext
from verifier.rules.base import Rule, Violation

_MAKERS = n.CREATE_ASYNC_ENGINE | n.CREATE_ENGINE | n.ASYNC_SESSIONMAKER | n.SESSIONMAKER
# Decorators that make a function run once (or per test), not per call. ``asynccontextmanager``
# is not one: a ``get_session`` wrapped in it still runs its body on every ``async with``.
_CACHED = frozenset({"lru_cache", "cache", "cached", "fixture", "cached_property"})


class EnginePerCall(Rule):
    code = "RDA107"
    name = "engine-created-per-call"
    skill_ref = skill_refs.ENGINE_LIFETIME
    applies_to_tests = False

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if ctx.is_alembic_env:
            return
        for func in ctx.functions:
            if self._exempt(func):
                continue
            nodes = ctx.scope_nodes(func)
            created: dict[str, ast.Call] = {}
            escaped: set[str] = set()
            for node in nodes:
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                    if ctx.imports.matches(node.value.func, _MAKERS):
                        for target in node.targets:
                            if isinstance(target, ast.Name):
                                created.setdefault(target.id, node.value)
                            else:
                                escaped.add("*")  # stored on an object: its lifetime is managed
                elif isinstance(node, ast.Global | ast.Nonlocal):
                    escaped.update(node.names)
            if not created or "*" in escaped:
                continue
            for node in nodes:
                if isinstance(node, ast.Return | ast.Yield) and node.value is not None:
                    escaped.update(s.id for s in ast.walk(node.value) if isinstance(s, ast.Name))
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr == "dispose" and isinstance(node.func.value, ast.Name):
                        escaped.add(node.func.value.id)
                elif isinstance(node, ast.Assign):
                    if any(not isinstance(t, ast.Name) for t in node.targets):
                        escaped.update(
                            s.id for s in ast.walk(node.value) if isinstance(s, ast.Name)
                        )
            disposed_engines = escaped & set(created)
            for name, call in created.items():
                if name in escaped:
                    continue
                # A factory built on an engine the function disposes lives as long as it does.
                if disposed_engines and any(
                    isinstance(a, ast.Name) and a.id in disposed_engines for a in call.args
                ):
                    continue
                if "engine" in ctx.text(call.func):
                    what = "engine"
                    why = "a new connection pool each time, never reused nor disposed"
                else:
                    what = "session factory"
                    why = "factories are meant to be built once, next to the engine they wrap"
                yield self.violation(
                    ctx,
                    call,
                    f"`{func.name}` creates a new {what} (`{ctx.text(call.func)}`) on every call: "
                    f"{why}.",
                    fix=f"create the {what} once at module level (or at startup) and reuse it",
                )

    @staticmethod
    def _exempt(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in _CACHED:
                return True
        return func.name in ("main", "lifespan", "run_migrations_online", "run_async_migrations")
