"""Transaction rules (RDA401-405): paths, handlers and begin() blocks."""

from __future__ import annotations

from tests.lint.helpers import codes

HEAD = """
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession
"""


def test_integrity_error_with_begin_nested_needs_no_rollback() -> None:
    source = (
        HEAD
        + """
async def create(session: AsyncSession, worker) -> None:
    try:
        async with session.begin_nested():
            session.add(worker)
            await session.flush()
    except IntegrityError as exc:
        raise Duplicate() from exc
"""
    )
    assert codes(source) == []


def test_integrity_error_around_other_functions_is_not_judged() -> None:
    source = (
        HEAD
        + """
async def endpoint(session: AsyncSession) -> None:
    try:
        await create_worker(session, "h", "n")
    except IntegrityError:
        raise Conflict()
"""
    )
    assert codes(source) == []


def test_integrity_error_tuple_without_rollback_fires() -> None:
    source = (
        HEAD
        + """
async def create(session: AsyncSession, worker) -> None:
    session.add(worker)
    try:
        await session.commit()
    except (IntegrityError, ValueError):
        return None
"""
    )
    assert codes(source) == ["RDA401"]


def test_several_commits_on_exclusive_paths_are_fine() -> None:
    source = (
        HEAD
        + """
async def branchy(session: AsyncSession, flag: bool) -> None:
    if flag:
        await session.commit()
        return
    await session.commit()


async def either(session: AsyncSession, flag: bool) -> None:
    if flag:
        await session.commit()
    else:
        await session.commit()


async def handler_path(session: AsyncSession) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        await session.commit()
"""
    )
    assert codes(source) == []


def test_two_commits_and_two_begin_blocks_on_one_path_fire() -> None:
    source = (
        HEAD
        + """
async def two_commits(session: AsyncSession, flag: bool) -> None:
    await session.commit()
    if flag:
        session.add(object())
    await session.commit()


async def two_blocks(session: AsyncSession) -> None:
    async with session.begin():
        session.add(object())
    async with session.begin():
        session.add(object())
"""
    )
    assert codes(source) == ["RDA404", "RDA404"]


def test_commit_in_loop_is_a_warning_and_not_checked_in_tests() -> None:
    source = (
        HEAD
        + """
async def loop(session: AsyncSession, rows) -> None:
    while rows:
        session.add(rows.pop())
        await session.commit()
"""
    )
    assert codes(source) == ["RDA402"]
    assert codes(source, "tests/test_import.py") == []


def test_broad_except_that_reraises_or_rolls_back_and_raises_is_fine() -> None:
    source = (
        HEAD
        + """
async def ok(session: AsyncSession) -> None:
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise


async def swallowed(session: AsyncSession) -> None:
    try:
        await session.commit()
    except:
        pass
"""
    )
    assert codes(source) == ["RDA403"]


def test_commit_inside_factory_begin_block() -> None:
    source = (
        HEAD
        + """
from sqlalchemy.ext.asyncio import async_sessionmaker

factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def f() -> None:
    async with factory.begin() as session:
        session.add(object())
        await session.commit()
        session.add(object())


async def g() -> None:
    async with factory() as session:
        session.add(object())
        await session.commit()
"""
    )
    assert codes(source) == ["RDA405"]
