"""The Task API contract as module-level functions, each a thin call into a repository.

Web handlers and agent tools import these; the logic (and the transaction handling) lives in
``taskboard.repositories``.
"""

from sqlmodel.ext.asyncio.session import AsyncSession

from .models import Project, Task, TaskCreate, TaskStatus, TaskUpdate, Worker, WorkerKind
from .repositories import ProjectRepository, TaskRepository, WorkerRepository


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    return await ProjectRepository(session).create(name, description)


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.human
) -> Worker:
    """Raises ``HandleTaken`` (a ``ValueError``) when the handle exists."""
    return await WorkerRepository(session).create(handle, name, kind)


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Raises a ``NotFound`` (a ``LookupError``) for an unknown reference, writing nothing."""
    return await TaskRepository(session).create(data, creator_id)


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    return await TaskRepository(session).get(task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    return await TaskRepository(session).page(project_id, status, limit, offset)


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    return await TaskRepository(session).update(task_id, data, actor_id)


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    return await TaskRepository(session).assign(task_id, worker_id, actor_id)


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    return await TaskRepository(session).soft_delete(task_id, actor_id)


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    return await TaskRepository(session).tree(task_id)
