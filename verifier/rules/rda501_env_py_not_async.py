"""A synchronous Alembic `env.py` for an async database URL.

## What it does
Finds an Alembic `env.py` that builds a sync engine (`engine_from_config`, `create_engine`)
and never an async one (`async_engine_from_config`, `create_async_engine`, `run_sync`), while
the URL it migrates is async: a `+asyncpg`/`+aiosqlite`/`+asyncmy` URL in `env.py` itself or
in the project's `alembic.ini`. An `env.py` that deliberately converts the URL to a sync driver
(`url.replace("postgresql+asyncpg://", "postgresql+psycopg://")`,
`make_url(url).set(drivername="postgresql+psycopg")`) and migrates synchronously is fine and is
not reported.

## Why is this bad?
A sync engine cannot drive an async driver: `engine_from_config` builds a sync engine on the
asyncpg dialect and `alembic upgrade head` fails at the first statement with `MissingGreenlet:
greenlet_spawn has not been called`, so migrations never run where the async URL is used.
The async template (`alembic init -t async`) runs the migrations through
`connection.run_sync(do_run_migrations)`.

## Example
```python
# file: alembic/env.py
import os

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import app.models  # noqa: F401

config = context.config
config.set_main_option(
    "sqlalchemy.url", os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://")
)
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    section = config.get_section(config.config_ini_section)
    connectable = engine_from_config(section, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
```

## Use instead
```python
# file: alembic/env.py
import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import async_engine_from_config
from sqlmodel import SQLModel

import app.models  # noqa: F401

config = context.config
config.set_main_option(
    "sqlalchemy.url", os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://")
)
target_metadata = SQLModel.metadata


def do_run_migrations(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    section = config.get_section(config.config_ini_section)
    connectable = async_engine_from_config(section, poolclass=pool.NullPool)
    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await connectable.dispose()


asyncio.run(run_async_migrations())
```
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from verifier import skill_refs
from verifier.rules.analysis import names as n
from verifier.rules.analysis.context import FileContext, keyword, string_value
from verifier.rules.base import Rule, Violation

_ASYNC_URL = r"\+(asyncpg|aiosqlite|asyncmy|aiomysql|psycopg_async)\b"
_INI_URL = r"(?m)^\s*sqlalchemy\.url\s*=\s*(\S+)"


def _is_async(url: str) -> bool:
    return re.search(_ASYNC_URL, url) is not None


def _ini_is_async(env_path: str) -> bool:
    start = Path(env_path).resolve().parent
    for directory in [start, *start.parents][:3]:
        ini = directory / "alembic.ini"
        try:
            text = ini.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        match = re.search(_INI_URL, text)
        return bool(match and _is_async(match.group(1)))
    return False


def _converts_to_sync(ctx: FileContext) -> bool:
    """``url.replace("+asyncpg", "+psycopg")`` or ``.set(drivername="postgresql+psycopg")``."""
    for call in ctx.nodes(ast.Call):
        func = call.func
        if not isinstance(func, ast.Attribute):
            continue
        if func.attr == "replace" and len(call.args) >= 2:
            old, new = string_value(call.args[0]), string_value(call.args[1])
            if old and new is not None and _is_async(old) and not _is_async(new):
                return True
        elif func.attr == "set":
            driver = string_value(keyword(call, "drivername"))
            if driver is not None and "+" in driver and not _is_async(driver):
                return True
    return False


class EnvPyNotAsync(Rule):
    code = "RDA501"
    name = "alembic-env-not-async"
    skill_ref = skill_refs.MIGRATIONS_ENV

    def check(self, ctx: FileContext) -> Iterator[Violation]:
        if not ctx.is_alembic_env:
            return
        imports = ctx.imports
        sync_call = None
        for call in ctx.nodes(ast.Call):
            func = call.func
            if imports.matches(func, n.ASYNC_ENGINE_FROM_CONFIG | n.CREATE_ASYNC_ENGINE):
                return
            if isinstance(func, ast.Attribute) and func.attr == "run_sync":
                return
            if sync_call is None and imports.matches(func, n.ENGINE_FROM_CONFIG | n.CREATE_ENGINE):
                sync_call = call
        if sync_call is None or _converts_to_sync(ctx):
            return
        literal_async = any(
            isinstance(c.value, str) and _is_async(c.value) for c in ctx.nodes(ast.Constant)
        )
        if not literal_async and not _ini_is_async(ctx.path):
            return
        yield self.violation(
            ctx,
            sync_call,
            f"`env.py` migrates an async URL with a sync engine (`{ctx.text(sync_call.func)}`): "
            "`alembic upgrade` fails at the first statement with MissingGreenlet.",
            fix="use the async template: `async_engine_from_config(...)`, `async with "
            "connectable.connect()`, `await connection.run_sync(do_run_migrations)`",
        )
