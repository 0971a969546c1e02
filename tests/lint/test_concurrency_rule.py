"""RDA105 tells a spawned coroutine from a CRUD function that happens to be named create_task."""

from __future__ import annotations

from tests.lint.helpers import codes

HEADER = "import asyncio\nfrom sqlmodel.ext.asyncio.session import AsyncSession\n"


def test_task_group_spawns_sharing_a_session_fire() -> None:
    source = (
        HEADER
        + """

async def work(session: AsyncSession, n: int) -> None:
    await session.commit()


async def run(session: AsyncSession) -> None:
    async with asyncio.TaskGroup() as tg:
        for n in range(3):
            tg.create_task(work(session, n))
"""
    )
    assert codes(source) == ["RDA105"]


def test_awaited_crud_create_task_in_a_loop_is_silent() -> None:
    source = (
        HEADER
        + """
from app import crud


async def seed(session: AsyncSession, items: list[object]) -> None:
    for item in items:
        await crud.create_task(session, item, 1)
"""
    )
    assert codes(source) == []
