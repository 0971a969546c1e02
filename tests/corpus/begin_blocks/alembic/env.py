"""Alembic environment (async): the database URL is assembled from POSTGRES_* variables.

Those are the variables the ``postgres`` container and docker-compose already define, so the
same ``.env`` drives both. Where they are not set (a hosting platform that hands out one
``DATABASE_URL``, as the application itself reads it) that URL is used instead. Nothing is
read from ``sqlalchemy.url`` in alembic.ini, which stays empty.
"""

import asyncio
import os
import re
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine
from tasks import models

config = context.config

if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = models.SQLModel.metadata


def database_url() -> URL | str:
    """The URL from POSTGRES_USER/PASSWORD/HOST/PORT/DB, else from DATABASE_URL.

    ``URL.create`` quotes the parts, so a password with ``@`` or ``/`` in it is safe.
    """
    if "POSTGRES_DB" in os.environ:
        return URL.create(
            "postgresql+asyncpg",
            username=os.environ.get("POSTGRES_USER", "postgres"),
            password=os.environ.get("POSTGRES_PASSWORD") or None,
            host=os.environ.get("POSTGRES_HOST", "localhost"),
            port=int(os.environ.get("POSTGRES_PORT", "5432")),
            database=os.environ["POSTGRES_DB"],
        )
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("set POSTGRES_DB (and POSTGRES_USER, ...) or DATABASE_URL")
    url = re.sub(r"^postgres(?:ql)?://", "postgresql+asyncpg://", url, count=1)
    return re.sub(r"([?&])sslmode=", r"\1ssl=", url)


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode: emit the SQL, no connection needed."""
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )

    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata)

    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    """Run the migrations over one asyncpg connection."""
    connectable = create_async_engine(database_url(), poolclass=pool.NullPool)

    async with connectable.connect() as connection:
        await connection.run_sync(do_run_migrations)

    await connectable.dispose()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode."""
    asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
