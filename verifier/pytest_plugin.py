"""pytest fixtures that give each test a fresh PostgreSQL database, cloned from a schema template.

Loaded in every pytest run through the ``pytest11`` entry point, so importing it stays cheap:
SQLAlchemy, SQLModel and the providers are imported inside the fixtures that need them.

Fixtures (override ``rda_schema`` in a conftest to build your schema once per session)::

    rda_provider           session   the provider chosen by --rda-db, started once
    rda_schema             session   None, or build(database) -> None run once on a template
    rda_template           session   the template Database built with rda_schema, or None
    rda_database           function  a fresh Database cloned from the template, dropped after
    rda_database_url       function  rda_database.async_url
    rda_engine             function  AsyncEngine on rda_database, disposed after
    rda_session            function  SQLModel AsyncSession(expire_on_commit=False), closed after
    rda_statement_counter  function  StatementCounter on rda_engine

``rda verify --contract PATH`` runs a contract with the same four names meaning the same things
(its database is the target's throwaway one, tables emptied before each test), plus
``rda_target_modules``, ``rda_target_engine`` and ``rda_target_session``: the target's own
modules, engine and ``get_session``. Those exist only there; here they fail saying so.

``metadata_schema(SQLModel.metadata)`` is a ready-made ``rda_schema`` builder.

``--rda-db`` takes what ``rda verify --db`` takes; its default is ``RDA_DATABASE_URL`` when set,
else the embedded server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from verifier.db.base import Database

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from verifier.db.base import DatabaseProvider

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the async fixtures then explain what is missing
    pytest_asyncio = None  # type: ignore[assignment]

SchemaBuilder = Callable[[Database], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rda", "relational-db-agent test databases")
    group.addoption(
        "--rda-db",
        dest="rda_db",
        metavar="SPEC",
        default=None,
        help="where test databases come from: embedded, docker, auto or a postgresql:// URL "
        "(default: RDA_DATABASE_URL if set, else embedded)",
    )


def _database_spec(config: pytest.Config) -> str:
    return config.getoption("rda_db") or os.environ.get("RDA_DATABASE_URL") or "embedded"


class StatementCounter:
    """Counts the SQL statements an engine sends, to pin a query budget (N+1 shows up here).

    Works on one or several engines (``AsyncEngine`` or sync ``Engine``); listens to
    ``before_cursor_execute`` until ``close()`` (or the end of a ``with`` block).
    ``at_most(n)`` fails the test, listing the statements, when the code inside it ran more
    than ``n``.
    """

    def __init__(self, *engines: Any) -> None:
        from sqlalchemy import event

        # Several engines on one database (inside ``rda verify``: ours and the target's) are
        # counted together: the budget is about the statements the database saw.
        self._engines = list(dict.fromkeys(getattr(e, "sync_engine", e) for e in engines))
        self.statements: list[str] = []
        for engine in self._engines:
            event.listen(engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)

    def reset(self) -> None:
        self.statements.clear()

    @contextmanager
    def at_most(self, limit: int) -> Iterator[StatementCounter]:
        """Fail the test if the block runs more than ``limit`` statements."""
        start = len(self.statements)
        yield self
        ran = self.statements[start:]
        if len(ran) > limit:
            listing = "\n".join(f"  {i}. {' '.join(sql.split())}" for i, sql in enumerate(ran, 1))
            pytest.fail(
                f"{len(ran)} SQL statements ran where at most {limit} were allowed:\n{listing}",
                pytrace=False,
            )

    def close(self) -> None:
        from sqlalchemy import event

        for engine in self._engines:
            if event.contains(engine, "before_cursor_execute", self._record):
                event.remove(engine, "before_cursor_execute", self._record)

    def __enter__(self) -> StatementCounter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _record(
        self,
        conn: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        self.statements.append(statement)


def metadata_schema(metadata: Any) -> SchemaBuilder:
    """A ``rda_schema`` builder that runs ``metadata.create_all`` (e.g. ``SQLModel.metadata``).

    It runs on a fresh event loop in a worker thread, so it works whether or not the calling
    thread has a loop, and disposes its engine so the template can be cloned.
    """

    def build(database: Database) -> None:
        import asyncio
        import threading

        from sqlalchemy.ext.asyncio import create_async_engine
        from sqlalchemy.pool import NullPool

        async def create() -> None:
            engine = create_async_engine(database.async_url, poolclass=NullPool)
            try:
                async with engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
            finally:
                await engine.dispose()

        errors: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(create())
            except BaseException as exc:  # handed back to the calling thread below
                errors.append(exc)

        worker = threading.Thread(target=run, name="rda-schema")
        worker.start()
        worker.join()
        if errors:
            raise errors[0]

    return build


@contextmanager
def _reported() -> Iterator[None]:
    """Report the verifier's own errors (no database, bad --rda-db) as one message, no traceback."""
    from verifier.errors import RdaError

    try:
        yield
    except RdaError as exc:
        raise pytest.fail.Exception(exc.render(), pytrace=False) from None


@pytest.fixture(scope="session")
def rda_provider(pytestconfig: pytest.Config) -> Iterator[DatabaseProvider]:
    """The database provider for this session, started once; its databases dropped at the end."""
    from verifier.db import get_provider

    with _reported():
        provider = get_provider(_database_spec(pytestconfig))
        provider.start()
    try:
        yield provider
    finally:
        provider.close()


@pytest.fixture(scope="session")
def rda_schema() -> SchemaBuilder | None:
    """Override to return ``build(database)``, which creates the schema in ``database``.

    It runs once per session on a template database that every test's database is cloned
    from. ``None`` (the default) gives each test an empty database. ``build`` must close the
    connections it opened (dispose its engine): PostgreSQL cannot copy a database in use.
    """
    return None


@pytest.fixture(scope="session")
def _rda_templates() -> dict[Any, Database]:
    """Templates built this session, one per ``rda_schema`` builder."""
    return {}


@pytest.fixture
def rda_template(
    rda_provider: DatabaseProvider,
    rda_schema: SchemaBuilder | None,
    _rda_templates: dict[Any, Database],
) -> Database | None:
    """The template database holding the schema, or ``None`` when there is no schema.

    Built once per session for each ``rda_schema`` builder: conftests in different folders may
    override ``rda_schema`` differently, and a session-scoped template would keep whichever
    folder's schema pytest happened to build first.
    """
    if rda_schema is None:
        return None
    if rda_schema not in _rda_templates:
        template = rda_provider.create_database()
        rda_schema(template)
        _rda_templates[rda_schema] = template
    return _rda_templates[rda_schema]


@pytest.fixture
def rda_database(
    rda_provider: DatabaseProvider, rda_template: Database | None
) -> Iterator[Database]:
    """A database of this test's own, cloned from the template, dropped after the test."""
    with _reported():
        database = rda_provider.create_database(
            template=rda_template.name if rda_template is not None else None
        )
    try:
        yield database
    finally:
        with _reported():
            rda_provider.drop_database(database)


@pytest.fixture
def rda_database_url(rda_database: Database) -> str:
    """The test database's ``postgresql+asyncpg://`` URL."""
    return rda_database.async_url


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def rda_engine(rda_database_url: str) -> Any:
        """An ``AsyncEngine`` on the test database, disposed after the test."""
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(rda_database_url)
        try:
            yield engine
        finally:
            await engine.dispose()

    @pytest_asyncio.fixture
    async def rda_session(rda_engine: AsyncEngine) -> Any:
        """A SQLModel ``AsyncSession`` on ``rda_engine`` with ``expire_on_commit=False``."""
        from sqlmodel.ext.asyncio.session import AsyncSession

        async with AsyncSession(rda_engine, expire_on_commit=False) as session:
            yield session

else:  # pragma: no cover - exercised only without pytest-asyncio

    @pytest.fixture
    def rda_engine() -> Any:
        pytest.fail("rda_engine needs pytest-asyncio: pip install pytest-asyncio", pytrace=False)

    @pytest.fixture
    def rda_session() -> Any:
        pytest.fail("rda_session needs pytest-asyncio: pip install pytest-asyncio", pytrace=False)


@pytest.fixture
def rda_statement_counter(rda_engine: AsyncEngine) -> Iterator[StatementCounter]:
    """Counts the statements run on ``rda_engine`` during the test."""
    with StatementCounter(rda_engine) as counter:
        yield counter


def _only_inside_verify(name: str) -> Any:
    def fixture() -> Any:
        pytest.fail(
            f"{name} exists only inside 'rda verify --contract PATH' (it is the verified "
            "target's own); under plain pytest use rda_engine / rda_session",
            pytrace=False,
        )

    fixture.__name__ = name
    fixture.__doc__ = f"{name}: only inside rda verify --contract PATH (fails here, saying so)."
    return pytest.fixture(name=name)(fixture)


rda_target_modules = _only_inside_verify("rda_target_modules")
rda_target_engine = _only_inside_verify("rda_target_engine")
rda_target_session = _only_inside_verify("rda_target_session")
