"""RDA101 needs to know a session from other objects: the inference cases, both ways."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import codes
from verifier.lint.runner import Options, lint_paths

SQLMODEL_SESSION = "from sqlmodel.ext.asyncio.session import AsyncSession\n"


def test_annotation_forms_are_sessions() -> None:
    source = (
        SQLMODEL_SESSION
        + """
from typing import Optional


async def a(session: AsyncSession) -> None:
    session.commit()


async def b(session: Optional[AsyncSession]) -> None:
    session.flush()


async def c(session: "AsyncSession | None") -> None:
    session.rollback()
"""
    )
    assert codes(source) == ["RDA101"] * 3


def test_annotated_alias_with_depends_is_a_session() -> None:
    source = (
        SQLMODEL_SESSION
        + """
from typing import Annotated
from fastapi import Depends

SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def endpoint(session: SessionDep) -> None:
    session.commit()
"""
    )
    assert codes(source) == ["RDA101"]


def test_async_with_constructor_and_factory_bind_sessions() -> None:
    source = (
        SQLMODEL_SESSION
        + """
from sqlalchemy.ext.asyncio import async_sessionmaker

factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def one() -> None:
    async with factory() as session:
        session.exec(query)


async def two() -> None:
    async with factory.begin() as session:
        session.get(Task, 1)


async def three() -> None:
    async with AsyncSession(engine, expire_on_commit=False) as s:
        s.refresh(task)
"""
    )
    assert codes(source) == ["RDA101"] * 3


def test_depends_parameter_on_a_local_provider_is_a_session() -> None:
    source = (
        SQLMODEL_SESSION
        + """
from collections.abc import AsyncGenerator
from fastapi import Depends


async def provide() -> AsyncGenerator[AsyncSession, None]:
    async with factory() as session:
        yield session


async def endpoint(db=Depends(provide)) -> None:
    db.commit()
"""
    )
    assert codes(source) == ["RDA101"]


def test_self_attribute_holding_a_session() -> None:
    source = (
        SQLMODEL_SESSION
        + """
class TaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def save(self, task) -> None:
        self.session.add(task)
        self.session.commit()
"""
    )
    assert codes(source) == ["RDA101"]


def test_engine_and_connection_coroutines() -> None:
    source = """
from sqlalchemy.ext.asyncio import create_async_engine

engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)


async def shutdown() -> None:
    engine.dispose()


async def ping() -> None:
    async with engine.connect() as conn:
        conn.execute(statement)
"""
    assert codes(source) == ["RDA101"] * 2


def test_factory_imported_from_another_module_of_the_run(tmp_path: Path) -> None:
    (tmp_path / "database.py").write_text(
        "from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine\n"
        "from sqlmodel.ext.asyncio.session import AsyncSession\n"
        'engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)\n'
        "Sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)\n",
        encoding="utf-8",
    )
    (tmp_path / "jobs.py").write_text(
        "from database import Sessions\n\n\nasync def job() -> None:\n"
        "    async with Sessions() as s:\n        s.commit()\n",
        encoding="utf-8",
    )
    # Linting jobs.py alone still reads database.py next to it (context, no findings).
    report = lint_paths([tmp_path / "jobs.py"], options=Options(ruff=False))
    assert [(f.code, f.line) for f in report.findings] == [("RDA101", 6)]


def test_not_sessions_stay_silent() -> None:
    source = """
import aiohttp


async def fetch(session: aiohttp.ClientSession) -> None:
    session.get("https://example.com")


async def other(repo, cache) -> None:
    repo.commit()
    cache.get("k")


async def http(session, url):
    async with session.get(url) as response:
        return await response.text()
"""
    assert codes(source) == []


def test_awaited_handed_over_and_sync_methods_are_silent() -> None:
    source = (
        SQLMODEL_SESSION
        + """
import asyncio


async def fine(session: AsyncSession, task) -> None:
    session.add(task)
    session.expunge(task)
    await session.commit()
    coros = [session.refresh(t) for t in []]
    await asyncio.wait_for(session.flush(), timeout=5)


def wrapper(session: AsyncSession):
    return session.commit()  # a sync helper handing the coroutine to its caller
"""
    )
    assert codes(source) == []


def test_name_rebound_to_something_else_is_not_trusted() -> None:
    source = (
        SQLMODEL_SESSION
        + """
async def f(session: AsyncSession) -> None:
    session = make_something_else()
    session.commit()
"""
    )
    assert codes(source) == []


def test_unannotated_session_parameter_counts_unless_a_sync_session_is_imported() -> None:
    seed_style = """
async def create_user(session):
    session.add(User(username="john"))
    session.commit()
"""
    assert codes(seed_style) == ["RDA101"]
    assert codes("from sqlmodel import Session\n" + seed_style) == []


def test_exec_on_sqlalchemy_session_is_rda109_not_rda101() -> None:
    source = """
from sqlalchemy.ext.asyncio import AsyncSession


async def f(session: AsyncSession) -> None:
    await session.exec(query)
"""
    assert codes(source) == ["RDA109"]


def test_factory_without_class_makes_sqlalchemy_sessions() -> None:
    source = """
from sqlalchemy.ext.asyncio import async_sessionmaker

factory = async_sessionmaker(engine, expire_on_commit=False)


async def f() -> None:
    async with factory() as session:
        await session.exec(query)
        await session.execute(query)
"""
    assert codes(source) == ["RDA109"]
