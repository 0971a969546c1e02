"""The shared analysis across files: own coroutines, base-class attributes, ``or``, helpers.

Each behaviour has a case where the rule fires and cases where it must stay silent, in
several styles (module functions, methods, relative imports, decorators, async generators).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.lint.helpers import codes, lint_tree, rda


def test_own_coroutine_across_modules_by_relative_import(tmp_path: Path, monkeypatch) -> None:
    found = lint_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/services/__init__.py": "",
            "app/services/tags.py": """
                async def fetch_tag(session, uid: str):
                    return await session.get(object, uid)


                def format_tag(tag) -> str:
                    return str(tag)
            """,
            "app/api/__init__.py": "",
            "app/api/tags.py": """
                from ..services.tags import fetch_tag, format_tag


                async def show(session, uid: str) -> str:
                    tag = fetch_tag(session, uid)
                    return format_tag(tag.label)
            """,
        },
        monkeypatch,
        ruff=False,
    )
    assert found == [("app/api/tags.py", 6, "RDA101")]


_REPOSITORY = """
    class TagRepository:
        def __init__(self, session) -> None:
            self.session = session

        async def by_uid(self, uid: str):
            return await self.session.get(object, uid)

        def describe(self) -> str:
            return "tags"
"""


def test_a_class_re_exported_by_its_package_is_the_one_its_module_defines(
    tmp_path: Path, monkeypatch
) -> None:
    found = lint_tree(
        tmp_path,
        {
            "src/app/__init__.py": "",
            "src/app/repositories/__init__.py": """
                from .tags import TagRepository

                __all__ = ["TagRepository"]
            """,
            "src/app/repositories/tags.py": _REPOSITORY,
            "src/app/services/__init__.py": "",
            "src/app/services/tags.py": """
                from app.repositories import TagRepository


                async def label(session, uid: str) -> str:
                    repo = TagRepository(session)
                    tag = repo.by_uid(uid)
                    return repo.describe() + tag.label
            """,
            "src/app/api.py": """
                from .repositories import TagRepository


                async def show(session, uid: str):
                    return TagRepository(session).by_uid(uid)
            """,
        },
        monkeypatch,
        ruff=False,
    )
    assert found == [("src/app/api.py", 6, "RDA101"), ("src/app/services/tags.py", 7, "RDA101")]


def test_a_class_of_an_outside_package_or_an_ambiguous_re_export_is_silent(
    tmp_path: Path, monkeypatch
) -> None:
    found = lint_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/stores/__init__.py": "",
            "app/stores/tags.py": _REPOSITORY.replace("TagRepository", "TagStore"),
            "app/archive/__init__.py": "from .v2 import TagRepository\n",
            "app/archive/v1.py": _REPOSITORY,
            "app/archive/v2.py": _REPOSITORY,
            "app/views.py": """
                from app.archive import TagRepository
                from vendor.tags import TagStore


                async def show(session, uid: str):
                    archived = TagRepository(session).by_uid(uid)
                    return archived.label, TagStore(session).by_uid(uid).label
            """,
        },
        monkeypatch,
        ruff=False,
    )
    assert found == []


def test_a_method_called_on_a_new_instance_and_a_rebound_name() -> None:
    source = (
        _REPOSITORY
        + """

    async def show(session, uid: str):
        return TagRepository(session).by_uid(uid)


    async def kept(session, uid: str):
        return await TagRepository(session).by_uid(uid)


    async def rebound(session, uid: str):
        TagRepository = dict
        return TagRepository(session=session).get(uid)
    """
    )
    assert [(f.code, f.line) for f in rda(source)] == [("RDA101", 14)]


def test_kept_handed_on_and_non_coroutine_calls_are_silent() -> None:
    source = """
        import asyncio
        from contextlib import asynccontextmanager


        async def one(i: int) -> int:
            return i


        async def stream(n: int):
            for i in range(n):
                yield i


        @asynccontextmanager
        async def scope():
            yield 1


        async def main() -> list[int]:
            first = one(1)
            later = [one(i) for i in range(3)]
            task = asyncio.create_task(one(4))
            async for _ in stream(2):
                pass
            async with scope():
                pass
            done = await asyncio.gather(first, *later)
            return [*done, await task]


        def sync_entry() -> None:
            asyncio.run(main())
    """
    assert codes(source) == []


def test_method_of_a_base_class_and_super_call_not_awaited() -> None:
    source = """
        class Base:
            async def save(self, obj) -> None:
                ...


        class Repo(Base):
            async def save(self, obj) -> None:
                super().save(obj)

            async def create(self, obj) -> None:
                self.save(obj)
                await self.save(obj)
    """
    assert [(f.code, f.line) for f in rda(source)] == [("RDA101", 9), ("RDA101", 12)]


def test_a_method_with_the_same_name_on_another_class_is_not_confused() -> None:
    source = """
        class Cache:
            def get(self, key):
                return None


        class Store:
            async def get(self, key):
                return None


        async def read(cache: Cache, key: str):
            return cache.get(key)
    """
    assert codes(source) == []


def test_session_attribute_typed_in_a_base_class_of_another_module(
    tmp_path: Path, monkeypatch
) -> None:
    found = lint_tree(
        tmp_path,
        {
            "repo/__init__.py": "",
            "repo/base.py": """
                from sqlmodel.ext.asyncio.session import AsyncSession


                class BaseRepository:
                    def __init__(self, session: AsyncSession) -> None:
                        self.session = session
            """,
            "repo/users.py": """
                from repo.base import BaseRepository


                class UserRepository(BaseRepository):
                    async def remove(self, user) -> None:
                        await self.session.delete(user)
                        self.session.commit()
            """,
        },
        monkeypatch,
        ruff=False,
    )
    assert found == [("repo/users.py", 8, "RDA101")]


_UNIT_OF_WORK = """
    from sqlmodel.ext.asyncio.session import AsyncSession


    class UnitOfWork:
        def __init__(self, session: AsyncSession) -> None:
            self.session = session
"""
_BASE_OVER_UOW = """
    from app.{uow} import UnitOfWork


    class BaseRepository:
        def __init__(self, uow: UnitOfWork) -> None:
            self.session = uow.session
"""
_TAGS = """
    from app.m_base import BaseRepository


    class TagRepository(BaseRepository):
        async def drop(self, tag) -> None:
            await self.session.delete(tag)
            self.session.commit()
"""


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("uow", ["a_uow", "z_uow"])
def test_an_attribute_typed_through_another_class_whichever_file_comes_first(
    tmp_path: Path, monkeypatch, uow: str, jobs: int
) -> None:
    """``self.session = uow.session`` in a base class takes the type ``UnitOfWork`` gives its
    attribute, whether its file is read before or after the base's, by one process or two."""
    found = lint_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            f"app/{uow}.py": _UNIT_OF_WORK,
            "app/m_base.py": _BASE_OVER_UOW.format(uow=uow),
            "app/m_tags.py": _TAGS,
        },
        monkeypatch,
        ruff=False,
        jobs=jobs,
    )
    assert found == [("app/m_tags.py", 8, "RDA101")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_attribute_typed_through_a_sync_or_untyped_holder_is_silent(
    tmp_path: Path, monkeypatch, jobs: int
) -> None:
    """The same shape over a sync ``Session``, or over an untyped ``uow``, is not an async
    session: its ``commit()`` needs no ``await``."""
    found = lint_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a_uow.py": """
                from sqlalchemy.orm import Session


                class UnitOfWork:
                    def __init__(self, session: Session) -> None:
                        self.session = session
            """,
            "app/m_base.py": _BASE_OVER_UOW.format(uow="a_uow"),
            "app/m_tags.py": _TAGS.replace("await self.session.delete(tag)", "pass"),
            "app/n_untyped.py": """
                class Holder:
                    def __init__(self, uow) -> None:
                        self.session = uow.session

                    async def save(self) -> None:
                        self.session.commit()
            """,
        },
        monkeypatch,
        ruff=False,
        jobs=jobs,
    )
    assert found == []


def test_or_keeps_the_session_type_and_disagreement_drops_it() -> None:
    base = """
        from sqlmodel.ext.asyncio.session import AsyncSession


        class Service:
            def __init__(self, session: AsyncSession) -> None:
                self.session = session

            async def undo(self, session: AsyncSession | None = None) -> None:
                session = {value}
                session.rollback()
    """
    fired = textwrap.dedent(base).replace("{value}", "session or self.session")
    assert codes(fired) == ["RDA101"]
    unknown = textwrap.dedent(base).replace("{value}", "session or make_client()")
    assert codes(unknown) == ["RDA101"]  # the known operand decides; the unknown one is no type
    other = textwrap.dedent(base).replace("{value}", "session or 'no session'")
    assert codes(other) == []  # a str literal is bound to something else: not trusted


def test_local_session_factory_named_session_is_not_the_sync_session() -> None:
    source = """
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
        from sqlalchemy.orm import sessionmaker


        async def main(url: str) -> None:
            engine = create_async_engine(url, pool_pre_ping=True)
            Session = sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
            async with Session() as session:
                await session.commit()
            await engine.dispose()
    """
    assert codes(source) == ["RDA103"]


def test_commit_last_in_begin_is_silent_but_not_in_a_loop() -> None:
    source = """
        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine("postgresql+asyncpg://app@db/app", pool_pre_ping=True)


        async def last() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("SELECT 1"))
                if True:
                    await conn.commit()


        async def looped(rows: list[str]) -> None:
            async with engine.begin() as conn:
                for row in rows:
                    await conn.execute(text(row))
                    await conn.commit()
    """
    assert [(f.code, f.line) for f in rda(source)] == [("RDA405", 19)]


def test_rda213_fix_text_depends_on_the_future_import() -> None:
    quoted = """
        from sqlmodel import Field, Relationship, SQLModel


        class Hero(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            team: "Team | None" = Relationship()
    """
    [finding] = rda(quoted)
    assert 'Optional["Worker"]' in (finding.fix or "") and "__future__" not in (finding.fix or "")
    postponed = "from __future__ import annotations\n" + textwrap.dedent(quoted).replace(
        '"Team | None"', 'Optional["Team"]'
    )
    [finding] = rda(postponed)
    assert (finding.fix or "").startswith("remove `from __future__ import annotations`")


def test_rda605_and_rda501_stay_silent_on_deliberate_urls() -> None:
    engine = """
        import os
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(
            os.environ.get("DATABASE_URL", "postgresql+asyncpg://app@localhost/app"),
            pool_pre_ping=True,
        )
    """
    assert codes(engine) == []
    assert codes(engine.replace("postgresql+asyncpg://", "postgresql://")) == ["RDA605"]
    env = """
        import os
        from alembic import context
        from sqlalchemy import engine_from_config, pool
        from sqlmodel import SQLModel
        import app.models  # noqa: F401

        config = context.config
        url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg")
        config.set_main_option("sqlalchemy.url", "postgresql+asyncpg://app@db/app")
        target_metadata = SQLModel.metadata
        connectable = engine_from_config(config.get_section("alembic"), poolclass=pool.NullPool)
    """
    assert codes(env, "alembic/env.py") == []
    unconverted = textwrap.dedent(env).replace(
        'url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg")\n', ""
    )
    assert codes(unconverted, "alembic/env.py") == ["RDA501"]
