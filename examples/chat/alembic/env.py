"""Alembic environment of the chat layer: async, URL from ``DATABASE_URL``.

Online migrations open an asyncpg connection and run the synchronous migration code through
``connection.run_sync``; offline mode (``alembic upgrade head --sql``) only needs the dialect.
Importing ``chat.models`` registers every table, so autogenerate compares against the
complete ``SQLModel.metadata``; ``compare_type`` and ``compare_server_default`` make it report
column type and server default drift too.

A caller that holds the URL already (a test, a tool) can pass it as
``config.attributes["database_url"]`` instead of through the environment.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from chat import models  # noqa: F401  (registers every table on SQLModel.metadata)
from chat.database import database_url, to_async_url
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata

COMPARE_OPTIONS = {"compare_type": True, "compare_server_default": True}


def migration_url() -> URL:
    """The URL given by the caller, else the one the application itself uses."""
    given = config.attributes.get("database_url")
    return to_async_url(given) if given else database_url()


def run_migrations_offline() -> None:
    """Write the migration SQL to stdout without connecting (``--sql``)."""
    context.configure(
        url=migration_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **COMPARE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Migrate over one asyncpg connection; ``NullPool`` so nothing outlives the run."""
    engine = create_async_engine(migration_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
