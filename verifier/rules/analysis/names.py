"""The library objects the rules recognise, by every import path users write them with.

Re-exports matter: ``AsyncSession`` is importable from ``sqlalchemy.ext.asyncio`` and from its
``session`` submodule, ``Column`` from ``sqlmodel`` as well as ``sqlalchemy``. Each set holds the
qualified names one object goes by (checked against the installed sources).
"""

from __future__ import annotations

SQLMODEL_ASYNC_SESSION = frozenset({"sqlmodel.ext.asyncio.session.AsyncSession"})
SQLALCHEMY_ASYNC_SESSION = frozenset(
    {"sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession"}
)
ASYNC_SESSION = SQLMODEL_ASYNC_SESSION | SQLALCHEMY_ASYNC_SESSION
SYNC_SESSION = frozenset(
    {
        "sqlmodel.Session",
        "sqlmodel.orm.session.Session",
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
    }
)
ASYNC_SESSIONMAKER = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_sessionmaker",
        "sqlalchemy.ext.asyncio.session.async_sessionmaker",
    }
)
SESSIONMAKER = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.session.sessionmaker"})
CREATE_ASYNC_ENGINE = frozenset(
    {
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.engine.create_async_engine",
    }
)
ASYNC_ENGINE_FROM_CONFIG = frozenset(
    {
        "sqlalchemy.ext.asyncio.async_engine_from_config",
        "sqlalchemy.ext.asyncio.engine.async_engine_from_config",
    }
)
CREATE_ENGINE = frozenset(
    {"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlmodel.create_engine"}
)
ENGINE_FROM_CONFIG = frozenset(
    {"sqlalchemy.engine_from_config", "sqlalchemy.engine.engine_from_config"}
)
ASYNC_ENGINE = frozenset(
    {"sqlalchemy.ext.asyncio.AsyncEngine", "sqlalchemy.ext.asyncio.engine.AsyncEngine"}
)
ASYNC_CONNECTION = frozenset(
    {"sqlalchemy.ext.asyncio.AsyncConnection", "sqlalchemy.ext.asyncio.engine.AsyncConnection"}
)
SYNC_DRIVER_CONNECT = frozenset(
    {"psycopg2.connect", "psycopg.connect", "sqlite3.connect", "pymysql.connect", "MySQLdb.connect"}
)

SQLMODEL = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
FIELD = frozenset({"sqlmodel.Field", "sqlmodel.main.Field"})
RELATIONSHIP = frozenset({"sqlmodel.Relationship", "sqlmodel.main.Relationship"})
SA_RELATIONSHIP = frozenset(
    {"sqlalchemy.orm.relationship", "sqlalchemy.orm.relationships.relationship"}
)
COLUMN = frozenset({"sqlalchemy.Column", "sqlalchemy.schema.Column", "sqlmodel.Column"})
MAPPED_COLUMN = frozenset({"sqlalchemy.orm.mapped_column"})
FOREIGN_KEY = frozenset(
    {"sqlalchemy.ForeignKey", "sqlalchemy.schema.ForeignKey", "sqlmodel.ForeignKey"}
)
INDEX = frozenset({"sqlalchemy.Index", "sqlalchemy.schema.Index", "sqlmodel.Index"})
JSON = frozenset(
    {
        "sqlalchemy.JSON",
        "sqlalchemy.types.JSON",
        "sqlmodel.JSON",
        "sqlalchemy.dialects.postgresql.JSON",
    }
)
JSONB = frozenset(
    {"sqlalchemy.dialects.postgresql.JSONB", "sqlalchemy.dialects.postgresql.json.JSONB"}
)
MUTABLE = frozenset(
    {
        "sqlalchemy.ext.mutable.MutableList",
        "sqlalchemy.ext.mutable.MutableDict",
        "sqlalchemy.ext.mutable.MutableSet",
    }
)
DATETIME_TYPE = frozenset(
    {
        "sqlalchemy.DateTime",
        "sqlalchemy.types.DateTime",
        "sqlmodel.DateTime",
        "sqlalchemy.TIMESTAMP",
        "sqlalchemy.types.TIMESTAMP",
        "sqlalchemy.dialects.postgresql.TIMESTAMP",
    }
)
TEXT = frozenset(
    {"sqlalchemy.text", "sqlmodel.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"}
)
SQLMODEL_SELECT = frozenset({"sqlmodel.select", "sqlmodel.sql.expression.select"})
SQLALCHEMY_SELECT = frozenset(
    {"sqlalchemy.select", "sqlalchemy.future.select", "sqlalchemy.sql.select"}
)
SELECT = SQLMODEL_SELECT | SQLALCHEMY_SELECT
DML = frozenset(
    {
        "sqlmodel.update",
        "sqlmodel.delete",
        "sqlmodel.insert",
        "sqlalchemy.update",
        "sqlalchemy.delete",
        "sqlalchemy.insert",
        "sqlalchemy.dialects.postgresql.insert",
    }
)
INTEGRITY_ERROR = frozenset({"sqlalchemy.exc.IntegrityError"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.params.Depends"})
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})

# datetime functions that return a naive value when called without a tz.
NAIVE_NOW = frozenset(
    {"datetime.datetime.utcnow", "datetime.datetime.now", "datetime.datetime.today"}
)
# Callables whose value changes on every call: calling one in a default freezes it at import.
PER_CALL_VALUES = NAIVE_NOW | frozenset(
    {
        "uuid.uuid4",
        "uuid.uuid1",
        "uuid.uuid7",
        "time.time",
        "datetime.date.today",
        "secrets.token_hex",
        "secrets.token_urlsafe",
        "random.random",
        "random.randint",
    }
)

# Loader options, by whether they load the attribute they name.
EAGER_LOADERS = frozenset({"selectinload", "joinedload", "subqueryload", "immediateload"})
LAZY_LOADERS = frozenset({"lazyload", "raiseload", "noload", "defaultload"})
LOADER_MODULES = ("sqlalchemy.orm", "sqlmodel")

# Coroutine methods, read from sqlalchemy/ext/asyncio (session.py, engine.py) and
# sqlmodel/ext/asyncio/session.py: calling one without ``await`` does nothing.
SESSION_COROUTINES = frozenset(
    {
        "aclose",
        "close",
        "commit",
        "connection",
        "delete",
        "delete_all",
        "exec",
        "execute",
        "flush",
        "get",
        "get_one",
        "invalidate",
        "merge",
        "merge_all",
        "refresh",
        "reset",
        "rollback",
        "run_sync",
        "scalar",
        "scalars",
        "stream",
        "stream_scalars",
    }
)
ENGINE_COROUTINES = frozenset({"dispose", "raw_connection"})
CONNECTION_COROUTINES = frozenset(
    {
        "aclose",
        "close",
        "commit",
        "exec_driver_sql",
        "execute",
        "execution_options",
        "get_isolation_level",
        "get_raw_connection",
        "invalidate",
        "rollback",
        "run_sync",
        "scalar",
        "scalars",
        "start",
        "stream",
    }
)
# Session methods that send SQL: one of these in a loop over results is an N+1.
SESSION_QUERIES = frozenset(
    {
        "exec",
        "execute",
        "get",
        "get_one",
        "refresh",
        "scalar",
        "scalars",
        "stream",
        "stream_scalars",
    }
)

# Libraries an env.py or a models package imports for their own use, never for the side effect
# of registering tables (anything else not in the standard library is the project's own).
LIBRARIES = frozenset(
    {
        "alembic",
        "sqlalchemy",
        "sqlmodel",
        "dotenv",
        "pydantic",
        "pydantic_settings",
        "asyncpg",
        "psycopg",
        "psycopg2",
        "typing_extensions",
    }
)
