"""The Task API operations, as plain module-level functions taking the session first.

Each write commits once, with its audit row in the same transaction. Referenced rows are
looked up before anything is written, so a ``NotFoundError`` needs no rollback and expires
nothing; a write that fails is rolled back before the error propagates, so the caller's session
stays usable either way. Tasks are handed back with ``assignee`` and ``subtasks`` loaded (the
session is configured with ``expire_on_commit=False``), so they can be read after the session
is gone.

Soft-deleted tasks (``deleted_at`` set) are invisible everywhere: ``with_loader_criteria``
filters them out of every ``Task`` load of a query, relationship loads included, so they never
show up in a ``subtasks`` collection either.

Writes keep the objects already in the session consistent through the relationships rather
than by re-reading them: a new task is attached to its ``parent`` (the backref appends it to a
loaded ``parent.subtasks``), an assignment sets ``task.assignee``, and a soft-deleted task is
taken out of an in-memory parent's ``subtasks``. Reads therefore never need ``populate_existing``,
which would reset the relationships of every row it touches that the query does not load again.
"""

import enum
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, with_loader_criteria
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.base import ExecutableOption
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.exceptions import HandleTakenError, NotFoundError
from app.models import (
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

ModelT = TypeVar("ModelT", bound=SQLModel)

UNIQUE_VIOLATION = "23505"
SUBTASK_TREE_DEPTH = 10
"""Levels below the root that ``get_subtask_tree`` loads (one SELECT per level)."""


def _live_tasks_only() -> ExecutableOption:
    """Hide soft-deleted tasks from every Task entity the query loads, relationships too."""
    return with_loader_criteria(Task, col(Task.deleted_at).is_(None), include_aliases=True)


def _with_relations() -> list[ExecutableOption]:
    """Live rows only, with ``assignee`` and ``subtasks``: one SELECT each, whatever the rows."""
    return [_live_tasks_only(), selectinload(Task.assignee), selectinload(Task.subtasks)]


async def _fetch_task(session: AsyncSession, task_id: int, *, lock: bool = False) -> Task | None:
    """A live task with ``assignee`` and ``subtasks`` loaded, or ``None``.

    ``lock`` takes the row with ``FOR UPDATE`` until the commit, so a concurrent delete or
    change of the same task waits (and PostgreSQL re-checks ``deleted_at`` after the wait).
    """
    statement = select(Task).where(Task.id == task_id).options(*_with_relations())
    if lock:
        statement = statement.with_for_update(of=Task)
    return (await session.exec(statement)).one_or_none()


async def _get_or_raise(session: AsyncSession, model: type[ModelT], row_id: int) -> ModelT:
    row = await session.get(model, row_id)
    if row is None:
        raise NotFoundError(model, row_id)
    return row


def _audit(action: str, task_id: int, actor_id: int, details: dict[str, Any]) -> AuditLog:
    return AuditLog(
        entity_type="task", entity_id=task_id, action=action, actor_id=actor_id, details=details
    )


def _jsonable(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def _task_id(task: Task) -> int:
    if task.id is None:
        raise RuntimeError("the task has not been flushed")
    return task.id


async def _commit_or_rollback(session: AsyncSession) -> None:
    """Commit; on failure roll back (the session stays usable) and re-raise."""
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    """Insert a project and return it."""
    project = Project(name=name, description=description)
    session.add(project)
    await _commit_or_rollback(session)
    return project


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = "human"
) -> Worker:
    """Insert a worker; a taken handle raises ``HandleTakenError``.

    The insert runs in a SAVEPOINT: when the unique constraint rejects it only the savepoint
    is rolled back, so nothing else the session holds is expired and the session goes on. The
    constraint decides (not a SELECT first), which also holds under concurrent inserts.
    """
    worker = Worker(handle=handle, name=name, kind=WorkerKind(kind))
    try:
        async with session.begin_nested():
            session.add(worker)
    except IntegrityError as exc:
        if getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
            raise
        raise HandleTakenError(handle) from exc
    await _commit_or_rollback(session)
    return worker


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Insert a task and its ``created`` audit row in one transaction.

    Every referenced row is looked up first, so an unknown one raises ``NotFoundError`` before
    anything is written (a soft-deleted task cannot become a parent).
    """
    project = await _get_or_raise(session, Project, data.project_id)
    creator = await _get_or_raise(session, Worker, creator_id)
    assignee = None
    if data.assignee_id is not None:
        assignee = await _get_or_raise(session, Worker, data.assignee_id)
    parent = None
    if data.parent_task_id is not None:
        parent = await session.get(Task, data.parent_task_id)
        if parent is None or parent.deleted_at is not None:
            raise NotFoundError(Task, data.parent_task_id)

    task = Task(
        **data.model_dump(),
        created_by_id=creator_id,
        project=project,
        created_by=creator,
        assignee=assignee,
        parent=parent,
    )
    session.add(task)
    try:
        await session.flush()  # the audit row needs the new id
        session.add(_audit("created", _task_id(task), creator_id, data.model_dump(mode="json")))
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    set_committed_value(task, "subtasks", [])  # brand new: it cannot have subtasks yet
    return task


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The task with its assignee and subtasks, or ``None`` if missing or soft-deleted."""
    return await _fetch_task(session, task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """A page of the project's tasks, newest first, in three statements whatever the size."""
    statement = (
        select(Task)
        .where(Task.project_id == project_id)
        .options(*_with_relations())
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        statement = statement.where(Task.status == TaskStatus(status))
    return list((await session.exec(statement)).all())


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Apply the fields the caller set; audit them as ``{field: {"old": ..., "new": ...}}``.

    Only fields whose value really changes are written and audited; when none does, nothing
    is written and ``updated_at`` stays as it was. The workers are looked up before the task
    row is locked, so a ``NotFoundError`` never leaves a lock behind.
    """
    requested = data.model_dump(exclude_unset=True)
    await _get_or_raise(session, Worker, actor_id)
    new_assignee = None
    if requested.get("assignee_id") is not None:
        new_assignee = await _get_or_raise(session, Worker, requested["assignee_id"])

    task = await _fetch_task(session, task_id, lock=True)
    if task is None:
        return None
    changes = {
        field: {"old": _jsonable(getattr(task, field)), "new": _jsonable(value)}
        for field, value in requested.items()
        if getattr(task, field) != value
    }
    for field in changes:
        if field == "assignee_id":  # through the relationship, so task.assignee follows
            task.assignee = new_assignee
        else:
            setattr(task, field, requested[field])
    if changes:
        task.updated_at = utcnow()
        session.add(_audit("updated", task_id, actor_id, changes))
    await _commit_or_rollback(session)  # with no changes: only ends the lock
    return task


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Make ``worker_id`` the assignee; ``NotFoundError`` if the task or a worker is missing."""
    worker = await _get_or_raise(session, Worker, worker_id)
    await _get_or_raise(session, Worker, actor_id)
    task = await _fetch_task(session, task_id, lock=True)
    if task is None:
        raise NotFoundError(Task, task_id)
    task.assignee = worker
    task.updated_at = utcnow()
    session.add(_audit("assigned", task_id, actor_id, {"assignee_id": worker_id}))
    await _commit_or_rollback(session)
    return task


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft-delete the task (audited); ``False`` if it is missing or already deleted.

    The row is read ``FOR UPDATE``: of two concurrent deletes the second waits, then finds
    the task deleted and returns ``False``, so exactly one audit row is written.
    """
    await _get_or_raise(session, Worker, actor_id)
    live = select(Task).where(Task.id == task_id).options(_live_tasks_only())
    task = (await session.exec(live.with_for_update())).one_or_none()
    if task is None:
        return False
    task.deleted_at = utcnow()
    session.add(_audit("deleted", task_id, actor_id, {}))
    await _commit_or_rollback(session)
    _drop_from_loaded_parent(session, task)
    return True


def _drop_from_loaded_parent(session: AsyncSession, task: Task) -> None:
    """Take a deleted task out of its parent's ``subtasks`` if that parent is in memory.

    ``set_committed_value`` changes the loaded collection only: removing the task from it
    through the relationship would, on the next flush, clear its ``parent_task_id``.
    """
    if task.parent_task_id is None:
        return
    parent = session.identity_map.get(session.identity_key(Task, task.parent_task_id))
    if parent is not None and "subtasks" not in inspect(parent).unloaded:
        remaining = [child for child in parent.subtasks if child is not task]
        set_committed_value(parent, "subtasks", remaining)


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """The task with ``subtasks`` loaded ``SUBTASK_TREE_DEPTH`` levels down.

    ``selectinload(..., recursion_depth=N)`` runs one SELECT per level (and stops at the first
    empty one), so the count follows the depth of the tree, not the number of its tasks.
    """
    statement = (
        select(Task)
        .where(Task.id == task_id)
        .options(
            _live_tasks_only(),
            selectinload(Task.subtasks, recursion_depth=SUBTASK_TREE_DEPTH),
        )
    )
    return (await session.exec(statement)).one_or_none()
