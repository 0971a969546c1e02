"""Task API operations inside the request's unit of work.

None of these functions commits: ``database.get_session`` commits the request's transaction
after the endpoint returns, or rolls it back when anything raises (a domain error included).
They ``flush`` so that generated ids exist and constraint or trigger failures surface here,
inside the call, rather than at commit time.

Soft-deleted tasks (``deleted_at`` set) are invisible: no function finds them and they are
never among a task's ``subtasks``. Rows that are changed are read ``FOR UPDATE``, so two
requests changing the same task are serialised by the database.
"""

from collections import defaultdict
from collections.abc import Sequence
from enum import Enum
from typing import Any, TypeVar

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, col

from .errors import DuplicateHandleError, NotFoundError
from .models import (
    AuditLog,
    Project,
    Task,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    Worker,
    WorkerKind,
    utcnow,
)

Model = TypeVar("Model", bound=SQLModel)

CLEARABLE = {"description", "assignee_id"}
"""TaskUpdate fields whose ``None`` means "clear it"; for the others ``None`` means "keep"."""


def _live_task(task_id: int) -> Select[Task]:
    return select(Task).where(col(Task.id) == task_id, col(Task.deleted_at).is_(None))


async def _get_or_raise(session: AsyncSession, model: type[Model], ident: int) -> Model:
    row = await session.get(model, ident)
    if row is None:
        raise NotFoundError(model.__name__.lower(), ident)
    return row


def _audit(task_id: int, action: str, actor_id: int, details: dict[str, Any]) -> AuditLog:
    return AuditLog(
        entity_type="task", entity_id=task_id, action=action, actor_id=actor_id, details=details
    )


def _plain(value: Any) -> Any:
    """A JSON-ready form of a column value for the audit log."""
    return value.value if isinstance(value, Enum) else value


async def _attach_live_children(session: AsyncSession, parents: Sequence[Task]) -> list[Task]:
    """Load the live children of all ``parents`` in one query and set them as ``subtasks``.

    ``set_committed_value`` fills the collection as if it had been loaded, without I/O and
    without marking anything dirty. Returns the children (the next level of a tree).
    """
    if not parents:
        return []
    statement = (
        select(Task)
        .where(
            col(Task.parent_task_id).in_([parent.id for parent in parents]),
            col(Task.deleted_at).is_(None),
        )
        .order_by(col(Task.created_at), col(Task.id))
    )
    children = list((await session.scalars(statement)).all())
    by_parent: defaultdict[int | None, list[Task]] = defaultdict(list)
    for child in children:
        by_parent[child.parent_task_id].append(child)
    for parent in parents:
        set_committed_value(parent, "subtasks", by_parent.get(parent.id, []))
    return children


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    project = Project.model_validate({"name": name, "description": description})
    session.add(project)
    await session.flush()
    return project


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.human
) -> Worker:
    """Add a worker; a taken handle raises ``DuplicateHandleError``.

    The insert runs in a savepoint: a unique violation rolls back only the savepoint, so the
    request's earlier work survives and the session stays usable.
    """
    worker = Worker.model_validate({"handle": handle, "name": name, "kind": kind})
    try:
        async with session.begin_nested():
            session.add(worker)
    except IntegrityError as exc:
        if isinstance(exc.orig.__cause__, UniqueViolationError):
            raise DuplicateHandleError(handle) from exc
        raise
    return worker


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Add a task and its ``created`` audit row; unknown references raise ``NotFoundError``."""
    await _get_or_raise(session, Project, data.project_id)
    await _get_or_raise(session, Worker, creator_id)
    if data.assignee_id is not None:
        await _get_or_raise(session, Worker, data.assignee_id)
    if data.parent_task_id is not None:
        if await session.scalar(_live_task(data.parent_task_id)) is None:
            raise NotFoundError("task", data.parent_task_id)

    task = Task.model_validate(data, update={"created_by_id": creator_id})
    session.add(task)
    await session.flush()  # the audit row needs task.id
    assert task.id is not None
    session.add(_audit(task.id, "created", creator_id, data.model_dump(mode="json")))
    await session.flush()
    return task


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    return await session.scalar(_live_task(task_id))


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """A page of live tasks, newest first, with ``assignee`` and ``subtasks``: 3 statements."""
    statement = (
        select(Task)
        .where(col(Task.project_id) == project_id, col(Task.deleted_at).is_(None))
        .options(selectinload(col(Task.assignee)))
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .offset(offset)
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(col(Task.status) == TaskStatus(status))
    tasks = list((await session.scalars(statement)).all())
    await _attach_live_children(session, tasks)
    return tasks


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Apply the fields sent; audit each one that really changed as ``{"from", "to"}``."""
    task = await session.scalar(_live_task(task_id).with_for_update())
    if task is None:
        return None
    await _get_or_raise(session, Worker, actor_id)
    sent = {
        field: value
        for field, value in data.model_dump(exclude_unset=True).items()
        if value is not None or field in CLEARABLE
    }
    changed = {
        field: {"from": _plain(getattr(task, field)), "to": _plain(value)}
        for field, value in sent.items()
        if getattr(task, field) != value
    }
    if not changed:
        return task
    for field in changed:
        if field == "assignee_id":
            new_id = sent[field]
            task.assignee = None if new_id is None else await _get_or_raise(session, Worker, new_id)
        else:
            setattr(task, field, sent[field])
    task.updated_at = utcnow()
    session.add(_audit(task_id, "updated", actor_id, changed))
    await session.flush()
    return task


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Set the assignee; a missing task or worker raises ``NotFoundError``."""
    task = await session.scalar(_live_task(task_id).with_for_update())
    if task is None:
        raise NotFoundError("task", task_id)
    worker = await _get_or_raise(session, Worker, worker_id)
    await _get_or_raise(session, Worker, actor_id)
    previous = task.assignee_id
    task.assignee = worker
    task.updated_at = utcnow()
    session.add(_audit(task_id, "assigned", actor_id, {"from": previous, "to": worker_id}))
    await session.flush()
    return task


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft-delete: set ``deleted_at`` and audit it; ``False`` when missing or already deleted."""
    task = await session.scalar(_live_task(task_id).with_for_update())
    if task is None:
        return False
    await _get_or_raise(session, Worker, actor_id)
    task.deleted_at = utcnow()
    session.add(_audit(task_id, "deleted", actor_id, {}))
    await session.flush()
    return True


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """The task with live ``subtasks`` at every level: one query per level of the tree.

    Each round loads the children of the whole current level at once, so a wide tree costs
    no more statements than a narrow one of the same depth. ``seen`` guards against a cycle.
    """
    root = await session.scalar(_live_task(task_id))
    if root is None:
        return None
    level, seen = [root], {root.id}
    while level:
        children = await _attach_live_children(session, level)
        level = [child for child in children if child.id not in seen]
        seen.update(child.id for child in level)
    return root
