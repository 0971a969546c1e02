"""The files a layer example leaves out, so that ``rda verify`` can check what it does show.

A reference teaches a pattern in the files that carry it (``app/models.py``, ``app/crud.py``, a
migration, a test); the engine module, the package marker, the manifest and the Alembic setup
around them are the same in every layer, and the skill teaches them elsewhere
(``engine-pooling.md``, ``migrations.md``). They are written here once, in the form those
references teach, and added to a layer only where its examples do not give the file.
"""

from __future__ import annotations

from collections.abc import Mapping

DATABASE = '''\
"""The engine and the session factory of the layer: one of each per process."""

import os
from collections.abc import AsyncIterator

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def to_async_url(url: str | URL) -> URL:
    """``postgres://``/``postgresql://`` with the asyncpg driver, ``sslmode`` as ``ssl``."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    if "sslmode" in parsed.query:
        sslmode = parsed.query["sslmode"]
        parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": sslmode})
    return parsed


def database_url() -> URL:
    return to_async_url(os.environ["DATABASE_URL"])


engine = create_async_engine(database_url(), pool_pre_ping=True)
SessionLocal = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session
'''

ALEMBIC_INI = """\
[alembic]
script_location = %(here)s/alembic
prepend_sys_path = %(here)s
path_separator = os

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = WARNING
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''\
"""Alembic environment of the layer: async, URL from ``DATABASE_URL``, every model imported."""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from {package} import models  # noqa: F401  (registers every table on SQLModel.metadata)
from {package}.database import database_url

config = context.config
target_metadata = SQLModel.metadata
COMPARE_OPTIONS = {{"compare_type": True, "compare_server_default": True}}


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={{"paramstyle": "named"}},
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, **COMPARE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel types, e.g. AutoString)
from alembic import op
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


def manifest(
    name: str,
    package: str,
    *,
    crud: bool,
    migrations: bool,
    contract: str | None,
) -> str:
    """``pyproject.toml`` naming the layer's parts for ``rda verify``."""
    lines = [
        "[project]",
        f'name = "skill-layer-{name}"',
        'version = "0"',
        "",
        "[tool.rda]",
        f'models = "{package}.models"',
        f'database = "{package}.database"',
    ]
    if crud:
        lines.append(f'crud = "{package}.crud"')
    if migrations:
        lines.append('alembic_ini = "alembic.ini"')
    if contract is not None:
        lines.append(f'contract = "{contract}"')
    return "\n".join(lines) + "\n"


def scaffold(
    files: Mapping[str, str], name: str, package: str, contract: str | None
) -> dict[str, str]:
    """The files to add to ``files`` (a layer's own) to make a project ``rda verify`` reads."""
    added: dict[str, str] = {}
    migrations = any(path.startswith("alembic/versions/") for path in files)
    wanted = {
        f"{package}/__init__.py": "",
        f"{package}/database.py": DATABASE,
        "pyproject.toml": manifest(
            name,
            package,
            crud=f"{package}/crud.py" in files,
            migrations=migrations,
            contract=contract,
        ),
    }
    if migrations:
        wanted.update(
            {
                "alembic.ini": ALEMBIC_INI,
                "alembic/env.py": ENV_PY.format(package=package),
                "alembic/script.py.mako": SCRIPT_MAKO,
            }
        )
    for path, content in wanted.items():
        if path not in files:
            added[path] = content
    return added
