"""Loading rules (RDA301-304): what a query loads, followed through one async function."""

from __future__ import annotations

from tests.lint.helpers import codes, rda

MODELS = """
from typing import Optional

from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Field, Relationship, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession


class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list["Task"] = Relationship(back_populates="assignee")


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list["Task"] = Relationship(
        back_populates="project", sa_relationship_kwargs={"lazy": "selectin"}
    )


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    parent_task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    project: Project = Relationship(back_populates="tasks")
    assignee: Optional[Worker] = Relationship(back_populates="tasks")
    parent: Optional["Task"] = Relationship(
        back_populates="subtasks", sa_relationship_kwargs={"remote_side": "Task.id"}
    )
    subtasks: list["Task"] = Relationship(back_populates="parent")
"""


def test_loaded_relationships_are_silent() -> None:
    source = (
        MODELS
        + """
async def f(session: AsyncSession, task_id: int):
    stmt = select(Task).where(Task.id == task_id)
    stmt = stmt.options(selectinload(Task.assignee), selectinload(Task.subtasks))
    task = (await session.exec(stmt)).one()
    one = await session.get(Task, task_id, options=[joinedload(Task.assignee)])
    two = await session.get(Task, task_id)
    await session.refresh(two, ["assignee"])
    return task.assignee, task.subtasks, one.assignee, two.assignee
"""
    )
    assert codes(source) == []


def test_unloaded_reads_fire_once_per_line() -> None:
    source = (
        MODELS
        + """
async def f(session: AsyncSession, task_id: int):
    task = await session.get(Task, task_id)
    tasks = (await session.exec(select(Task).limit(10))).all()
    names = [t.assignee.id for t in tasks if t.assignee]
    return task.subtasks, names
"""
    )
    found = [(f.code, f.line) for f in rda(source)]
    assert ("RDA301", len(MODELS.splitlines()) + 5) in found
    assert ("RDA301", len(MODELS.splitlines()) + 6) in found
    assert len(found) == 2


def test_nested_paths_recursion_and_filtered_loads() -> None:
    source = (
        MODELS
        + """
async def tree(session: AsyncSession, task_id: int):
    stmt = select(Task).options(selectinload(Task.subtasks, recursion_depth=5))
    root = (await session.exec(stmt.where(Task.id == task_id))).one()
    return [child.subtasks for child in root.subtasks]


async def nested(session: AsyncSession):
    stmt = select(Task).options(
        selectinload(Task.subtasks).selectinload(Task.assignee),
        selectinload(Task.assignee.and_(Worker.id > 0)),
    ).limit(5)
    tasks = (await session.exec(stmt)).all()
    return [(s.assignee, t.assignee) for t in tasks for s in t.subtasks]


async def too_deep(session: AsyncSession):
    stmt = select(Task).options(selectinload(Task.subtasks)).limit(5)
    tasks = (await session.exec(stmt)).all()
    return [s.assignee for t in tasks for s in t.subtasks]
"""
    )
    found = [(f.code, f.line) for f in rda(source)]
    assert found == [("RDA301", len(MODELS.splitlines()) + 20)]


def test_lazy_selectin_and_unknown_instances_are_silent() -> None:
    source = (
        MODELS
        + """
async def f(session: AsyncSession, task: Task, project_id: int):
    project = await session.get(Project, project_id)
    return project.tasks, task.assignee, Task(title="x").subtasks
"""
    )
    assert codes(source) == []


def test_query_in_loop_over_results_and_attribute_keyed_queries() -> None:
    source = (
        MODELS
        + """
async def a(session: AsyncSession):
    tasks = (await session.exec(select(Task).limit(10))).all()
    for task in tasks:
        await session.refresh(task)


async def b(session: AsyncSession, tasks: list[Task]):
    return [await session.get(Worker, t.assignee_id) for t in tasks]


async def fine(session: AsyncSession, ids: list[int]):
    for batch in ids:
        await session.exec(select(Task).where(Task.id == batch))
"""
    )
    assert codes(source) == ["RDA302", "RDA302"]


def test_joinedload_collection_needs_unique() -> None:
    source = (
        MODELS
        + """
async def bad(session: AsyncSession):
    result = await session.exec(select(Worker).options(joinedload(Worker.tasks)).limit(5))
    return result.all()


async def good(session: AsyncSession):
    result = await session.exec(select(Worker).options(joinedload(Worker.tasks)).limit(5))
    return result.unique().all()


async def scalar_relationship(session: AsyncSession):
    result = await session.exec(select(Task).options(joinedload(Task.assignee)).limit(5))
    return result.all()
"""
    )
    assert codes(source) == ["RDA303"]


def test_unbounded_list_only_for_public_list_functions() -> None:
    source = (
        MODELS
        + """
async def list_workers(session: AsyncSession):
    result = await session.exec(select(Worker))
    return list(result.all())


async def _all_workers(session: AsyncSession):
    return (await session.exec(select(Worker))).all()


async def subtasks_of(session: AsyncSession, task_id: int) -> int:
    return len((await session.exec(select(Task).where(Task.parent_task_id == task_id))).all())


async def list_page(session: AsyncSession, limit: int = 50):
    stmt = select(Worker)
    if limit:
        stmt = stmt.limit(limit)
    return (await session.exec(stmt)).all()
"""
    )
    assert codes(source) == ["RDA304"]


def test_unbounded_list_is_not_checked_in_tests() -> None:
    source = (
        MODELS
        + """
async def list_workers(session: AsyncSession):
    return (await session.exec(select(Worker))).all()
"""
    )
    assert codes(source, "tests/test_workers.py") == []
