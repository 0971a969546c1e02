"""The Task API operations: each one is exactly one ``async with session.begin():`` block.

The block commits when it ends and rolls back when anything escapes it, so no function calls
``commit()`` or ``rollback()`` itself, and a failed call leaves the session usable (and outside
any transaction) for the next one. Reads get a block too: they end their transaction instead of
leaving the connection idle in one. The functions therefore expect a session that is not
already inside a transaction, as ``tasks.database.get_session`` hands it out.

References are checked by the database: an unknown project, worker or creator surfaces as a
foreign-key violation when the block flushes, and is translated into the matching
``NotFound`` (the constraint names are PostgreSQL's defaults, ``<table>_<column>_fkey``, which
both the migration and ``create_all`` produce). A soft-deleted parent still satisfies the
foreign key, so the parent is looked up explicitly.

Returned tasks have ``assignee`` and ``subtasks`` loaded; the session keeps objects after
commit (``expire_on_commit=False``), so they are readable once the session is closed. A call
that fails rolls its block back, and a rollback expires every object the session holds (a
foreign-key violation aborts the PostgreSQL transaction, so there is no way around it here):
after catching an error, re-read what you still need.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from tasks.errors import DuplicateHandle, NotFound, ProjectNotFound, TaskNotFound, WorkerNotFound
from tasks.models import (
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

UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"

_LIVE = col(Task.deleted_at).is_(None)


def _violated(exc: IntegrityError, sqlstate: str) -> str | None:
    """The name of the constraint ``exc`` violated, if its SQLSTATE is ``sqlstate``.

    asyncpg's own exception (the ``__cause__`` of the DBAPI error SQLAlchemy wraps) carries the
    constraint name.
    """
    if getattr(exc.orig, "sqlstate", None) != sqlstate:
        return None
    return getattr(getattr(exc.orig, "__cause__", None), "constraint_name", None)


def _missing_reference(exc: IntegrityError, by_constraint: Mapping[str, NotFound]) -> NotFound:
    """The domain error for a foreign-key violation, or ``exc`` itself when it is another one."""
    error = by_constraint.get(_violated(exc, FOREIGN_KEY_VIOLATION) or "")
    if error is None:
        raise exc
    return error


def _with_relations() -> Sequence[Any]:
    """``assignee`` and the live ``subtasks``: one SELECT each, whatever the number of rows."""
    return (selectinload(Task.assignee), selectinload(Task.subtasks.and_(_LIVE)))


def _audit(task_id: int, action: str, actor_id: int, details: dict[str, Any]) -> AuditLog:
    return AuditLog(
        entity_type="task", entity_id=task_id, action=action, actor_id=actor_id, details=details
    )


async def _live_task(session: AsyncSession, task_id: int, *, lock: bool = False) -> Task | None:
    statement = select(Task).where(col(Task.id) == task_id, _LIVE).options(*_with_relations())
    if lock:  # a concurrent delete or update of the same task waits for our block
        statement = statement.with_for_update(of=Task)
    return (await session.execute(statement)).scalar_one_or_none()


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    """Insert a project."""
    project = Project(name=name, description=description)
    async with session.begin():
        session.add(project)
    return project


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.HUMAN
) -> Worker:
    """Insert a worker; ``DuplicateHandle`` when the unique constraint on handle says so."""
    worker = Worker(handle=handle, name=name, kind=WorkerKind(kind))
    try:
        async with session.begin():
            session.add(worker)
    except IntegrityError as exc:  # the block has already rolled back
        if _violated(exc, UNIQUE_VIOLATION) is None:
            raise
        raise DuplicateHandle(handle) from exc
    return worker


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Insert a task with its ``created`` audit row; unknown references raise ``NotFound``."""
    try:
        async with session.begin():
            parent = None
            if data.parent_task_id is not None:
                parent = await session.get(Task, data.parent_task_id)
                if parent is None or parent.deleted_at is not None:
                    raise TaskNotFound(data.parent_task_id)
            # Through ``parent`` so that a parent already in the session lists the new subtask.
            task = Task(**data.model_dump(), created_by_id=creator_id, parent=parent)
            session.add(task)
            await session.flush()
            assert task.id is not None
            session.add(_audit(task.id, "created", creator_id, data.model_dump(mode="json")))
            await session.flush()
            await session.refresh(task, attribute_names=["assignee"])
            set_committed_value(task, "subtasks", [])  # new: nothing can point at it yet
    except IntegrityError as exc:
        raise _missing_reference(
            exc,
            {
                "task_project_id_fkey": ProjectNotFound(data.project_id),
                "task_created_by_id_fkey": WorkerNotFound(creator_id),
                "task_assignee_id_fkey": WorkerNotFound(data.assignee_id or 0),
                "task_parent_task_id_fkey": TaskNotFound(data.parent_task_id or 0),
            },
        ) from exc
    return task


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The live task with assignee and subtasks, or ``None``."""
    async with session.begin():
        return await _live_task(session, task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """One page of the project's live tasks, newest first (three statements)."""
    statement = (
        select(Task)
        .where(col(Task.project_id) == project_id, _LIVE)
        .options(*_with_relations())
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .offset(offset)
        .limit(limit)
    )
    if status is not None:
        statement = statement.where(col(Task.status) == TaskStatus(status))
    async with session.begin():
        return list((await session.execute(statement)).scalars())


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Patch the task; the audit row's details hold the new value of each changed field."""
    requested = data.changes()
    try:
        async with session.begin():
            task = await _live_task(session, task_id, lock=True)
            if task is None:
                return None
            changed = {k: v for k, v in requested.items() if getattr(task, k) != v}
            if not changed:
                return task
            task.sqlmodel_update(changed)
            task.updated_at = utc_now()
            details = data.model_dump(mode="json", include=set(changed))
            session.add(_audit(task_id, "updated", actor_id, details))
            await session.flush()
            if "assignee_id" in changed:
                await session.refresh(task, attribute_names=["assignee"])
    except IntegrityError as exc:
        raise _missing_reference(
            exc,
            {
                "task_assignee_id_fkey": WorkerNotFound(requested.get("assignee_id") or 0),
                "audit_log_actor_id_fkey": WorkerNotFound(actor_id),
            },
        ) from exc
    return task


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Set the assignee; ``TaskNotFound`` / ``WorkerNotFound`` for unknown ids."""
    try:
        async with session.begin():
            task = await _live_task(session, task_id, lock=True)
            if task is None:
                raise TaskNotFound(task_id)
            task.assignee_id = worker_id
            task.updated_at = utc_now()
            session.add(_audit(task_id, "assigned", actor_id, {"assignee_id": worker_id}))
            await session.flush()
            await session.refresh(task, attribute_names=["assignee"])
    except IntegrityError as exc:
        raise _missing_reference(
            exc,
            {
                "task_assignee_id_fkey": WorkerNotFound(worker_id),
                "audit_log_actor_id_fkey": WorkerNotFound(actor_id),
            },
        ) from exc
    return task


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft-delete with one conditional UPDATE; ``False`` when missing or already deleted.

    ``WHERE deleted_at IS NULL`` makes the check and the write one statement, so of two
    concurrent deletes exactly one returns ``True`` and writes the audit row. The ORM update
    also sets ``deleted_at`` on the task if this session holds it.
    """
    statement = (
        update(Task)
        .where(col(Task.id) == task_id, _LIVE)
        .values(deleted_at=utc_now())
        .returning(col(Task.parent_task_id))
    )
    try:
        async with session.begin():
            row = (await session.execute(statement)).one_or_none()
            if row is None:
                return False
            session.add(_audit(task_id, "deleted", actor_id, {}))
    except IntegrityError as exc:
        raise _missing_reference(
            exc, {"audit_log_actor_id_fkey": WorkerNotFound(actor_id)}
        ) from exc
    _forget_subtask(session, row.parent_task_id, task_id)
    return True


def _forget_subtask(session: AsyncSession, parent_id: int | None, task_id: int) -> None:
    """Drop a deleted task from its parent's ``subtasks`` if the session holds that list."""
    if parent_id is None:
        return
    parent = session.identity_map.get(session.identity_key(Task, parent_id))
    if parent is not None and "subtasks" not in inspect(parent).unloaded:
        kept = [child for child in parent.subtasks if child.id != task_id]
        set_committed_value(parent, "subtasks", kept)


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """The live task with every level of live subtasks attached, in two statements.

    A recursive CTE walks ``parent_task_id`` down from the root (stopping at deleted tasks) and
    returns the ids of the whole tree; one SELECT loads those tasks, and ``subtasks`` is set on
    each of them from that result with ``set_committed_value``, which marks the collection
    loaded without any further query.
    """
    tree = select(col(Task.id)).where(col(Task.id) == task_id, _LIVE).cte("tree", recursive=True)
    tree = tree.union(
        select(col(Task.id)).join(tree, col(Task.parent_task_id) == tree.c.id).where(_LIVE)
    )
    async with session.begin():
        ids = list((await session.execute(select(tree.c.id))).scalars())
        if not ids:
            return None
        nodes = list((await session.execute(select(Task).where(col(Task.id).in_(ids)))).scalars())
    children: dict[int, list[Task]] = defaultdict(list)
    for node in sorted(nodes, key=lambda n: n.id or 0):
        if node.parent_task_id is not None and node.id != task_id:
            children[node.parent_task_id].append(node)
    root = None
    for node in nodes:
        set_committed_value(node, "subtasks", children.get(node.id or 0, []))
        if node.id == task_id:
            root = node
    return root
