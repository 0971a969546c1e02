"""Alembic environment: migrations run over an asyncpg connection.

The URL is ``taskboard.settings.settings.database_url`` (from ``DATABASE_URL``), the same one the
application's engine uses. The metadata is SQLModel's, imported through ``taskboard.models``
so that every table is registered before autogenerate compares.
"""

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from taskboard.models import SQLModel
from taskboard.settings import settings

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)


def configure(**options: Any) -> None:
    """Compare column types and server defaults too, so autogenerate sees every drift."""
    context.configure(
        target_metadata=SQLModel.metadata,
        compare_type=True,
        compare_server_default=True,
        **options,
    )


def migrate(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def migrate_online() -> None:
    """One connection, no pool: nothing outlives the command."""
    engine = create_async_engine(settings.database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(migrate)
    finally:
        await engine.dispose()


def migrate_offline() -> None:
    """``alembic upgrade --sql``: render the SQL for the dialect without connecting."""
    configure(url=settings.database_url, literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    migrate_offline()
else:
    asyncio.run(migrate_online())
