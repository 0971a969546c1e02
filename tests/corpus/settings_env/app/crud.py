"""CRUD operations of the Task API; each takes the request's session first and commits once.

On any failure the transaction is rolled back before the error leaves the function, so the
caller's session is usable for the next call; expected failures surface as the domain errors
of ``app.errors`` (``LookupError``/``ValueError`` subclasses), never as SQLAlchemy exceptions.
Referenced rows are checked before anything is written.

Relationships are ``lazy="raise"`` (``app.models``), so every task handed back has ``assignee``
and ``subtasks`` loaded explicitly; soft-deleted tasks never appear, not even as subtasks.
"""

from collections import defaultdict
from typing import Any, cast

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import (
    DuplicateHandle,
    InvalidUpdate,
    ProjectNotFound,
    TaskNotFound,
    WorkerNotFound,
)
from app.models import (
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

NOT_NULL_FIELDS = ("title", "status", "priority", "tags")
"""``TaskUpdate`` fields whose columns are NOT NULL: ``None`` cannot clear them."""

# On the class, SQLModel relationships are instrumented attributes (their annotations describe
# instances), which is what the loader options take.
ASSIGNEE = cast("InstrumentedAttribute[Worker | None]", Task.assignee)
SUBTASKS = cast("InstrumentedAttribute[list[Task]]", Task.subtasks)
LIVE_SUBTASKS = SUBTASKS.and_(col(Task.deleted_at).is_(None))


def _audit(task: Task, action: str, actor_id: int, details: dict[str, Any]) -> AuditLog:
    if task.id is None:
        raise RuntimeError("audit of a task that was never flushed")
    return AuditLog(
        entity_type="task", entity_id=task.id, action=action, actor_id=actor_id, details=details
    )


def _refresh_loaded_subtasks(
    session: AsyncSession,
    parent_id: int | None,
    *,
    add: Task | None = None,
    remove: Task | None = None,
) -> None:
    """Keep a parent's ``subtasks`` that this session already loaded in step with a write.

    Reads in the same session reuse loaded collections instead of querying again, so a created
    or soft-deleted subtask would otherwise be missing from (or linger in) them.
    """
    if parent_id is None:
        return
    parent = session.identity_map.get(session.identity_key(Task, parent_id))
    if parent is None or "subtasks" in inspect(parent).unloaded:
        return
    current = [t for t in parent.subtasks if t is not remove]
    set_committed_value(parent, "subtasks", [*current, add] if add is not None else current)


async def _exists(session: AsyncSession, model: type[SQLModel], row_id: int) -> bool:
    """Whether a row with this primary key exists (a one-column query: no object loaded)."""
    pk = inspect(model).primary_key[0]
    result = await session.exec(select(pk).where(pk == row_id))
    return result.first() is not None


async def _live_task(session: AsyncSession, task_id: int) -> Task | None:
    """A task that is not soft-deleted, with ``assignee`` and its live ``subtasks`` loaded."""
    result = await session.exec(
        select(Task)
        .where(Task.id == task_id, col(Task.deleted_at).is_(None))
        .options(selectinload(ASSIGNEE), selectinload(LIVE_SUBTASKS))
    )
    return result.first()


async def create_project(
    session: AsyncSession, name: str, description: str | None = None
) -> Project:
    """Create a project; ``model_validate`` enforces the length limits a table model skips."""
    project = Project.model_validate({"name": name, "description": description})
    session.add(project)
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    return project


async def create_worker(
    session: AsyncSession, handle: str, name: str, kind: WorkerKind | str = WorkerKind.HUMAN
) -> Worker:
    """Create a worker; the unique index on ``handle`` decides about duplicates (no race)."""
    worker = Worker.model_validate({"handle": handle, "name": name, "kind": kind})
    session.add(worker)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise DuplicateHandle(handle) from exc
    return worker


async def create_task(session: AsyncSession, data: TaskCreate, creator_id: int) -> Task:
    """Create a task and its ``created`` audit row in one transaction."""
    if not await _exists(session, Project, data.project_id):
        raise ProjectNotFound(data.project_id)
    if not await _exists(session, Worker, creator_id):
        raise WorkerNotFound(creator_id)
    assignee = None
    if data.assignee_id is not None:
        assignee = await session.get(Worker, data.assignee_id)
        if assignee is None:
            raise WorkerNotFound(data.assignee_id)
    if data.parent_task_id is not None:
        parent_alive = await session.exec(
            select(Task.id).where(Task.id == data.parent_task_id, col(Task.deleted_at).is_(None))
        )
        if parent_alive.first() is None:
            raise TaskNotFound(data.parent_task_id)

    task = Task.model_validate(data, update={"created_by_id": creator_id})
    task.assignee = assignee
    session.add(task)
    try:
        await session.flush()
        session.add(_audit(task, "created", creator_id, data.model_dump(mode="json")))
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    set_committed_value(task, "subtasks", [])  # brand new: it has none
    _refresh_loaded_subtasks(session, task.parent_task_id, add=task)
    return task


async def get_task(session: AsyncSession, task_id: int) -> Task | None:
    """The task, or ``None`` when it does not exist or was soft-deleted."""
    return await _live_task(session, task_id)


async def list_tasks(
    session: AsyncSession,
    project_id: int,
    status: TaskStatus | str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Task]:
    """One page of a project's tasks, newest first; three queries whatever the page size."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset cannot be negative")
    statement = select(Task).where(Task.project_id == project_id, col(Task.deleted_at).is_(None))
    if status is not None:
        statement = statement.where(Task.status == TaskStatus(status))
    statement = (
        statement.options(selectinload(ASSIGNEE), selectinload(LIVE_SUBTASKS))
        .order_by(col(Task.created_at).desc(), col(Task.id).desc())
        .offset(offset)
        .limit(limit)
    )
    result = await session.exec(statement)
    return list(result.all())


async def update_task(
    session: AsyncSession, task_id: int, data: TaskUpdate, actor_id: int
) -> Task | None:
    """Apply the fields sent, bump ``updated_at``, and audit the new values."""
    task = await _live_task(session, task_id)
    if task is None:
        return None
    changes = data.model_dump(exclude_unset=True)
    cleared = [name for name in NOT_NULL_FIELDS if name in changes and changes[name] is None]
    if cleared:
        raise InvalidUpdate(f"cannot clear {', '.join(cleared)}")
    if not changes:
        return task
    if not await _exists(session, Worker, actor_id):
        raise WorkerNotFound(actor_id)
    new_assignee = None
    if changes.get("assignee_id") is not None:
        new_assignee = await session.get(Worker, changes["assignee_id"])
        if new_assignee is None:
            raise WorkerNotFound(changes["assignee_id"])

    task.sqlmodel_update(changes)
    if "assignee_id" in changes:
        task.assignee = new_assignee
    task.updated_at = utc_now()
    session.add(task)
    session.add(_audit(task, "updated", actor_id, data.model_dump(mode="json", exclude_unset=True)))
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    return task


async def assign_task(session: AsyncSession, task_id: int, worker_id: int, actor_id: int) -> Task:
    """Hand a task to a worker; setting the relationship keeps ``task.assignee`` current."""
    task = await _live_task(session, task_id)
    if task is None:
        raise TaskNotFound(task_id)
    worker = await session.get(Worker, worker_id)
    if worker is None:
        raise WorkerNotFound(worker_id)
    if not await _exists(session, Worker, actor_id):
        raise WorkerNotFound(actor_id)

    task.assignee = worker
    task.updated_at = utc_now()
    session.add(task)
    session.add(_audit(task, "assigned", actor_id, {"assignee_id": worker_id}))
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    return task


async def delete_task(session: AsyncSession, task_id: int, actor_id: int) -> bool:
    """Soft delete: set ``deleted_at`` and audit it; ``False`` when there is nothing to delete."""
    result = await session.exec(
        select(Task).where(Task.id == task_id, col(Task.deleted_at).is_(None))
    )
    task = result.first()
    if task is None:
        return False
    if not await _exists(session, Worker, actor_id):
        raise WorkerNotFound(actor_id)

    task.deleted_at = task.updated_at = utc_now()
    session.add(task)
    session.add(_audit(task, "deleted", actor_id, {}))
    try:
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    _refresh_loaded_subtasks(session, task.parent_task_id, remove=task)
    return True


async def get_subtask_tree(session: AsyncSession, task_id: int) -> Task | None:
    """The task with live subtasks at every depth, in two queries (tree rows, assignees).

    A recursive CTE walks down from the task, stopping at soft-deleted ones; the collections
    are then filled from the rows already fetched, oldest subtask first.
    """
    tree = (
        select(col(Task.id).label("id"))
        .where(Task.id == task_id, col(Task.deleted_at).is_(None))
        .cte("tree", recursive=True)
    )
    tree = tree.union(
        select(col(Task.id))
        .join(tree, col(Task.parent_task_id) == tree.c.id)
        .where(col(Task.deleted_at).is_(None))
    )
    result = await session.exec(
        select(Task).join(tree, col(Task.id) == tree.c.id).options(selectinload(ASSIGNEE))
    )
    nodes = {node.id: node for node in result.all()}
    root = nodes.get(task_id)
    if root is None:
        return None

    children: defaultdict[int, list[Task]] = defaultdict(list)
    for node in sorted(nodes.values(), key=lambda n: (n.created_at, n.id or 0)):
        if node is not root and node.parent_task_id is not None:
            children[node.parent_task_id].append(node)
            set_committed_value(node, "parent", nodes[node.parent_task_id])
    for node_id, node in nodes.items():
        set_committed_value(node, "subtasks", children.get(node_id or 0, []))
    return root
