"""The Task API operations: one function, one transaction, one commit.

Every function takes the caller's session first and leaves it usable: a failed write is rolled
back before its domain error (``taskapi.errors``) is raised. Every task handed back has its
columns, ``assignee`` and ``subtasks`` loaded, so it can be read after the session is closed.

Soft delete: a task with ``deleted_at`` set is invisible. ``get_task``, ``list_tasks``,
``update_task``, ``assign_task`` and ``delete_task`` do not find it, it does not appear in any
``subtasks`` collection, and ``get_subtask_tree`` stops at it (its own subtasks are not reached
through it). Its subtasks are not deleted with it: they stay visible to ``get_task`` and
``list_tasks``.

Reads use ``populate_existing`` because the session's identity map may hold the same rows
loaded earlier with collections that a later write made stale (a parent loaded before a subtask
was added to it). ``subtasks`` is then filled by hand with ``set_committed_value`` from one query
(or, for a tree, from the rows already loaded), never by a second ``populate_existing`` load of
the same rows: that would reset the relationships of a task that is both listed and someone's
subtask, depending on the order PostgreSQL happens to return the rows in.
"""

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from .errors import (
    DuplicateHandleError,
    NotFoundError,
    ProjectNotFoundError,
    TaskNotFoundError,
    WorkerNotFoundError,
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
    utc_now,
)

UNIQUE_VIOLATION = "23505"  # PostgreSQL SQLSTATE

Row = TypeVar("Row", bound=SQLModel)


def _visible_tasks() -> SelectOfScalar[Task]:
    """Tasks that are not soft-deleted, refreshed, with their ``assignee`` loaded.

    ``selectinload`` costs one extra statement whatever the number of rows. Callers fill
    ``subtasks`` with ``_fill_subtasks``.
    """
    return (
        select(Task)
        .where(col(Task.deleted_at).is_(None))
        .options(selectinload(Task.assignee))
        .execution_options(populate_existing=True)
    )


def _attach_subtasks(tasks: list[Task], children: list[Task]) -> None:
    """Set each task's ``subtasks`` to its visible children, oldest first, with no I/O."""
    by_parent: dict[int, list[Task]] = defaultdict(list)
    for child in sorted(children, key=lambda t: (t.created_at, _id_of(t))):
        if child.parent_task_id is not None:
            by_parent[child.parent_task_id].append(child)
    for task in tasks:
        set_committed_value(task, "subtasks", by_parent.get(_id_of(task), []))


async def _fill_subtasks(session: AsyncSession, tasks: list[Task]) -> list[Task]:
    """Load the visible children of ``tasks`` in one statement and attach them."""
    if tasks:
        children = await session.exec(
            select(Task).where(
                col(Task.parent_task_id).in_([_id_of(t) for t in tasks]),
                col(Task.deleted_at).is_(None),
            )
        )
        _attach_subtasks(tasks, list(children.all()))
    return tasks


async def _get_visible_task(session: AsyncSession, task_id: int) -> Task | None:
    result = await session.exec(_visible_tasks().where(Task.id == task_id))
    task = result.one_or_none()
    if task is not None:
        await _fill_subtasks(session, [task])
    return task


async def _require(
    session: AsyncSession, model: type[Row], row_id: int, error: type[NotFoundError]
) -> Row:
    """Load a row by primary key or raise ``error`` before anything is written."""
    row = await session.get(model, row_id)
    if row is None:
        raise error(row_id)
    return row


@asynccontextmanager
async def _transaction(session: AsyncSession) -> AsyncIterator[None]:
    """Commit what the block did as one transaction; on any error roll all of it back.

    The rollback keeps the session usable for the caller after the error propagates.
    """
    try:
        yield
        await session.commit()
    except Exception:
        await session.rollback()
        raise


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    """Create a project; a name over 200 characters raises a ``ValueError`` before any write."""
    project = Project.model_validate({"name": name, "description": description})
    async with _transaction(session):
        session.add(project)
    return project


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.human
) -> Worker:
    """Create a worker; a handle already taken raises ``DuplicateHandleError``.

    ``model_validate`` checks lengths and the kind first (constructing a table model does not
    validate). The unique constraint decides about duplicates: a check before the insert would
    race with other sessions.
    """
    worker = Worker.model_validate({"handle": handle, "name": name, "kind": kind})
    session.add(worker)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            raise DuplicateHandleError(handle) from exc
        raise
    return worker


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Create a task and its ``created`` audit row in one transaction.

    Unknown project, assignee, parent (or a soft-deleted parent) or creator raise a
    ``NotFoundError`` before anything is written.
    """
    await _require(session, Project, data.project_id, ProjectNotFoundError)
    await _require(session, Worker, creator_id, WorkerNotFoundError)
    if data.assignee_id is not None:
        await _require(session, Worker, data.assignee_id, WorkerNotFoundError)
    if data.parent_task_id is not None:
        if await _get_visible_task(session, data.parent_task_id) is None:
            raise TaskNotFoundError(data.parent_task_id)

    task = Task.model_validate(data, update={"created_by_id": creator_id})
    async with _transaction(session):
        session.add(task)
        await session.flush()  # assigns task.id, which the audit row needs
        task_id = _id_of(task)
        session.add(_audit(task_id, "created", creator_id, data.model_dump(mode="json")))
    return await _reload(session, task_id)


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The task, or ``None`` when it does not exist or is soft-deleted."""
    return await _get_visible_task(session, task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """A page of a project's visible tasks, newest first; three statements whatever the size."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    statement = _visible_tasks().where(Task.project_id == project_id)
    if status is not None:
        statement = statement.where(Task.status == TaskStatus(status))
    statement = (
        statement.order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .offset(offset)
        .limit(limit)
    )
    result = await session.exec(statement)
    return await _fill_subtasks(session, list(result.all()))


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Apply the fields ``data`` sets, bump ``updated_at`` and audit the change.

    The audit row's ``details`` maps each field set to its new value (JSON-ready). An update
    that sets no field changes nothing and writes nothing.
    """
    task = await _get_visible_task(session, task_id)
    changes = data.model_dump(exclude_unset=True)
    if task is None or not changes:
        return task
    await _require(session, Worker, actor_id, WorkerNotFoundError)
    details = data.model_dump(mode="json", exclude_unset=True)
    if changes.get("assignee_id") is not None:
        await _require(session, Worker, changes["assignee_id"], WorkerNotFoundError)

    async with _transaction(session):
        task.sqlmodel_update(changes)
        task.updated_at = utc_now()
        session.add(task)
        session.add(_audit(task_id, "updated", actor_id, details))
    return await _reload(session, task_id)


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Assign a visible task to a worker; ``NotFoundError`` when either is missing."""
    task = await _get_visible_task(session, task_id)
    if task is None:
        raise TaskNotFoundError(task_id)
    await _require(session, Worker, worker_id, WorkerNotFoundError)
    await _require(session, Worker, actor_id, WorkerNotFoundError)

    async with _transaction(session):
        task.assignee_id = worker_id
        task.updated_at = utc_now()
        session.add(task)
        session.add(_audit(task_id, "assigned", actor_id, {"assignee_id": worker_id}))
    return await _reload(session, task_id)


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft-delete a visible task; ``False`` when it is missing or already deleted."""
    task = await _get_visible_task(session, task_id)
    if task is None:
        return False
    await _require(session, Worker, actor_id, WorkerNotFoundError)

    async with _transaction(session):
        task.deleted_at = utc_now()
        session.add(task)
        session.add(_audit(task_id, "deleted", actor_id, {}))
    return True


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """A visible task with ``subtasks`` loaded at every level, in two statements.

    A recursive CTE collects the ids of the visible tree and one query loads those tasks (their
    assignees come with a ``selectinload``); every node's ``subtasks`` is then attached from the
    rows already loaded, however deep the tree is.
    """
    tree = (
        select(Task.id)
        .where(Task.id == task_id, col(Task.deleted_at).is_(None))
        .cte("tree", recursive=True)
    )
    tree = tree.union(
        select(Task.id).where(
            Task.parent_task_id == tree.c.id,
            col(Task.deleted_at).is_(None),
        )
    )
    result = await session.exec(_visible_tasks().where(col(Task.id).in_(select(tree.c.id))))
    nodes = list(result.all())
    _attach_subtasks(nodes, [node for node in nodes if node.id != task_id])
    return next((node for node in nodes if node.id == task_id), None)


def _audit(task_id: int, action: str, actor_id: int, details: dict[str, Any]) -> AuditLog:
    return AuditLog(
        entity_type="task", entity_id=task_id, action=action, actor_id=actor_id, details=details
    )


def _id_of(task: Task) -> int:
    """The primary key of a flushed task (``id`` is ``None`` only before the insert)."""
    if task.id is None:
        raise RuntimeError("the task has no id: it was not flushed")
    return task.id


async def _reload(session: AsyncSession, task_id: int) -> Task:
    """Read a task back after its write, so its relationships reflect what was committed.

    Another session may soft-delete it in between; then it is as missing as any other.
    """
    task = await _get_visible_task(session, task_id)
    if task is None:
        raise TaskNotFoundError(task_id)
    return task
