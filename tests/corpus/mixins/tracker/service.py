"""Task tracker operations (the ``taskapi`` contract), the session always passed in first.

Writes run under ``@atomic``: whatever the operation flushed is committed together or rolled
back together, so a task and its audit row never exist without each other and a failed call
leaves the caller's session ready for the next one.

References are checked by the database, not by a read before the write (which could race with
another session): a foreign-key violation is mapped back to the domain error through the
constraint's name, which the naming convention in ``tracker.base`` makes predictable. Only the
parent task is read first, because a soft-deleted parent still satisfies the foreign key.

Every task returned is loaded with ``assignee`` and the visible ``subtasks`` before the commit;
``expire_on_commit=False`` keeps them readable after the session is gone.
"""

import functools
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.base import ExecutableOption
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from .base import utc_now
from .exceptions import (
    DuplicateHandle,
    NotFound,
    ProjectNotFound,
    TaskNotFound,
    WorkerNotFound,
)
from .models import (
    AuditLog,
    Project,
    Task,
    TaskCreate,
    TaskStatus,
    TaskUpdate,
    Worker,
    WorkerKind,
)

P = ParamSpec("P")
R = TypeVar("R")

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

TREE_DEPTH = -1
"""``recursion_depth`` of the tree load: -1 follows ``subtasks`` until a level comes back empty."""

MISSING_ROW: dict[str, type[NotFound]] = {
    "fk_task_project": ProjectNotFound,
    "fk_task_assignee": WorkerNotFound,
    "fk_task_created_by": WorkerNotFound,
    "fk_task_parent_task": TaskNotFound,
    "fk_audit_log_actor": WorkerNotFound,
}
"""Which missing row a violated foreign key (named by the convention) means."""

# SQLModel annotates relationships with their instance types; on the class they are instrumented
# attributes, which is what loader options take.
_assignee = cast("InstrumentedAttribute[Worker | None]", Task.assignee)
_subtasks = cast("InstrumentedAttribute[list[Task]]", Task.subtasks)
_visible_subtasks = _subtasks.and_(col(Task.deleted_at).is_(None))


def atomic(
    operation: Callable[Concatenate[AsyncSession, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[AsyncSession, P], Coroutine[Any, Any, R]]:
    """Run ``operation`` as one transaction: commit on return, roll back on any error."""

    @functools.wraps(operation)
    async def run(session: AsyncSession, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = await operation(session, *args, **kwargs)
            await session.commit()
        except Exception:
            await session.rollback()
            raise
        return result

    # ``session`` stays a named parameter (callers may pass it by keyword), which Concatenate
    # cannot express: it only describes positional-only first parameters.
    return cast("Callable[Concatenate[AsyncSession, P], Coroutine[Any, Any, R]]", run)


def _sqlstate(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _violated_constraint(exc: IntegrityError) -> str | None:
    """The constraint PostgreSQL names in the error (asyncpg keeps it on the cause)."""
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        name = getattr(error, "constraint_name", None)
        if name:
            return str(name)
    return None


async def _flush_or_not_found(session: AsyncSession, ids: dict[str, int | None]) -> None:
    """Flush; a foreign-key violation becomes the matching ``NotFound`` for ``ids[constraint]``.

    The rollback comes first, so nothing of the operation survives and the session is usable.
    """
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        constraint = _violated_constraint(exc)
        if _sqlstate(exc) != FOREIGN_KEY_VIOLATION or constraint not in MISSING_ROW:
            raise
        raise MISSING_ROW[constraint](ids.get(constraint) or 0) from exc


def _task_loads() -> Sequence[ExecutableOption]:
    return (selectinload(_assignee), selectinload(_visible_subtasks))


def _live_tasks() -> SelectOfScalar[Task]:
    return select(Task).where(col(Task.deleted_at).is_(None))


async def _load_task(session: AsyncSession, task_id: int) -> Task | None:
    """A visible task with ``assignee`` and ``subtasks`` loaded, or ``None``."""
    result = await session.exec(_live_tasks().where(Task.id == task_id).options(*_task_loads()))
    return result.first()


def _id_of(task: Task) -> int:
    if task.id is None:
        raise RuntimeError("the task has no id: it was never flushed")
    return task.id


def _forget_assignee(session: AsyncSession, task: Task) -> None:
    """Drop the loaded ``assignee`` after ``assignee_id`` changed, so the reload fetches it.

    Changing a foreign key column does not touch the relationship already loaded from it.
    """
    session.expire(task, ["assignee"])


def _drop_from_loaded_parent(session: AsyncSession, task: Task) -> None:
    """Take a soft-deleted task out of its parent's ``subtasks`` if this session loaded them.

    The counterpart of setting ``task.parent`` in ``create_task``: later reads in the same
    session reuse the loaded collection. ``set_committed_value`` changes it without making the
    removal a pending change (which would clear ``parent_task_id``).
    """
    if task.parent_task_id is None:
        return
    parent = session.identity_map.get(session.identity_key(Task, task.parent_task_id))
    if parent is None:
        return
    siblings = inspect(parent).attrs.subtasks.loaded_value
    if isinstance(siblings, list):
        set_committed_value(parent, "subtasks", [t for t in siblings if t is not task])


def _audit(task_id: int, action: str, actor_id: int, details: dict[str, Any]) -> AuditLog:
    return AuditLog(
        entity_type="task", entity_id=task_id, action=action, actor_id=actor_id, details=details
    )


@atomic
async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    """Store a new project (validated first: constructing a table model does not validate)."""
    project = Project.model_validate({"name": name, "description": description})
    session.add(project)
    await session.flush()
    return project


@atomic
async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.human
) -> Worker:
    """Store a new worker; a handle already taken raises ``DuplicateHandle``."""
    worker = Worker.model_validate({"handle": handle, "name": name, "kind": kind})
    session.add(worker)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        if _sqlstate(exc) == UNIQUE_VIOLATION:
            raise DuplicateHandle(handle) from exc
        raise
    return worker


@atomic
async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Store a task and its ``created`` audit row; unknown references raise ``NotFound``."""
    parent: Task | None = None
    if data.parent_task_id is not None:
        parent = (await session.exec(_live_tasks().where(Task.id == data.parent_task_id))).first()
        if parent is None:
            raise TaskNotFound(data.parent_task_id)

    task = Task.model_validate(data, update={"created_by_id": creator_id})
    task.parent = parent  # keeps a parent already in the session up to date as well
    session.add(task)
    ids = {
        "fk_task_project": data.project_id,
        "fk_task_assignee": data.assignee_id,
        "fk_task_created_by": creator_id,
        "fk_audit_log_actor": creator_id,
    }
    await _flush_or_not_found(session, ids)  # the INSERT ... RETURNING gives the task its id
    task_id = _id_of(task)
    session.add(_audit(task_id, "created", creator_id, data.model_dump(mode="json")))
    await _flush_or_not_found(session, ids)
    return await _reloaded(session, task_id)


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The task, unless it does not exist or is soft-deleted."""
    return await _load_task(session, task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """A page of the project's visible tasks, newest first, in three statements."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must be zero or more")
    query = _live_tasks().where(Task.project_id == project_id)
    if status is not None:
        query = query.where(Task.status == TaskStatus(status).value)
    query = (
        query.options(*_task_loads())
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await session.exec(query)).all())


@atomic
async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Apply the fields ``data`` sets and audit them; ``onupdate`` bumps ``updated_at``."""
    task = await _load_task(session, task_id)
    changes = data.model_dump(exclude_unset=True)
    if task is None or not changes:
        return task
    for field, value in changes.items():
        setattr(task, field, value)
    if "assignee_id" in changes:
        _forget_assignee(session, task)
    session.add(task)
    ids = {"fk_task_assignee": changes.get("assignee_id"), "fk_audit_log_actor": actor_id}
    await _flush_or_not_found(session, ids)
    details = data.model_dump(mode="json", exclude_unset=True)
    session.add(_audit(task_id, "updated", actor_id, details))
    await _flush_or_not_found(session, ids)
    return await _reloaded(session, task_id)


@atomic
async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Give a visible task to a worker; a missing task or worker raises ``NotFound``."""
    task = await _load_task(session, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    task.assignee_id = worker_id
    _forget_assignee(session, task)
    session.add(task)
    session.add(_audit(task_id, "assigned", actor_id, {"assignee_id": worker_id}))
    await _flush_or_not_found(
        session, {"fk_task_assignee": worker_id, "fk_audit_log_actor": actor_id}
    )
    return await _reloaded(session, task_id)


@atomic
async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft-delete a visible task and audit it; ``False`` if there is none to delete."""
    task = await _load_task(session, task_id)
    if task is None:
        return False
    task.deleted_at = utc_now()
    session.add(task)
    session.add(_audit(task_id, "deleted", actor_id, {}))
    await _flush_or_not_found(session, {"fk_audit_log_actor": actor_id})
    _drop_from_loaded_parent(session, task)
    return True


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """A visible task with its visible subtasks loaded at every level, one SELECT per level."""
    query = (
        _live_tasks()
        .where(Task.id == task_id)
        .options(
            selectinload(_assignee),
            selectinload(_visible_subtasks, recursion_depth=TREE_DEPTH),
        )
    )
    return (await session.exec(query)).first()


async def _reloaded(session: AsyncSession, task_id: int) -> Task:
    """The task just written, with its relationships, read inside the same transaction."""
    task = await _load_task(session, task_id)
    if task is None:  # soft-deleted by someone else between our write and this read
        raise TaskNotFound(task_id)
    return task
