"""Repositories: the only code that talks to the session.

Each repository wraps the caller's session. A public method that writes is decorated with
``@transactional``: it is one transaction, committed when the method returns and rolled back
when it raises, so a domain error never leaves the session half-written or unusable. Reads
never commit.

Loading is explicit: the models declare every relationship ``lazy="raise"``, and the task
reads name what they load (``assignee`` and the live ``subtasks``). Soft-deleted tasks
(``deleted_at`` set) are invisible to every read and never appear among ``subtasks``.
"""

import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import joinedload, selectinload, with_loader_criteria
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from .exceptions import HandleTaken, ProjectNotFound, TaskNotFound, WorkerNotFound
from .models import AuditLog, Project, Task, TaskCreate, TaskStatus, TaskUpdate, Worker, WorkerKind

P = ParamSpec("P")
R = TypeVar("R")
Repo = TypeVar("Repo", bound="Repository")

SUBTASK_TREE_DEPTH = 100
"""Levels ``TaskRepository.tree`` loads, one statement each; far deeper than any real board."""

_LIVE = col(Task.deleted_at).is_(None)
_LIVE_SUBTASKS = col(Task.subtasks).and_(_LIVE)


def transactional(
    method: Callable[Concatenate[Repo, P], Awaitable[R]],
) -> Callable[Concatenate[Repo, P], Awaitable[R]]:
    """Make a repository method one transaction: commit on return, roll back on any error."""

    @functools.wraps(method)
    async def run(self: Repo, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = await method(self, *args, **kwargs)
            await self.session.commit()
        except Exception:
            await self.session.rollback()
            raise
        return result

    return run


class Repository:
    """Holds the session every query of a repository goes through."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _audit(self, task_id: int, action: str, actor_id: int, details: dict[str, Any]) -> None:
        """Queue an audit row; it is written by the flush of the same transaction."""
        self.session.add(
            AuditLog(
                entity_type="task",
                entity_id=task_id,
                action=action,
                actor_id=actor_id,
                details=details,
            )
        )


class ProjectRepository(Repository):
    @transactional
    async def create(self, name: str, description: str | None = None) -> Project:
        project = Project.model_validate({"name": name, "description": description})
        self.session.add(project)
        return project

    async def require(self, project_id: int) -> Project:
        project = await self.session.get(Project, project_id)
        if project is None:
            raise ProjectNotFound(project_id)
        return project


class WorkerRepository(Repository):
    @transactional
    async def create(self, handle: str, name: str, kind: WorkerKind | str) -> Worker:
        """Insert unless the handle exists: ``ON CONFLICT DO NOTHING`` cannot race or abort.

        An existing handle inserts no row, so there is no failed statement to recover from.
        """
        candidate = Worker.model_validate({"handle": handle, "name": name, "kind": kind})
        statement = (
            insert(Worker)
            .values(**candidate.model_dump(exclude={"id"}))
            .on_conflict_do_nothing(index_elements=["handle"])
            .returning(Worker)
        )
        worker = (await self.session.exec(statement)).scalars().one_or_none()
        if worker is None:
            raise HandleTaken(handle)
        return worker

    async def require(self, worker_id: int) -> Worker:
        worker = await self.session.get(Worker, worker_id)
        if worker is None:
            raise WorkerNotFound(worker_id)
        return worker


class TaskRepository(Repository):
    def _live(self) -> SelectOfScalar[Task]:
        """Live tasks with ``assignee`` and live ``subtasks`` in the same statement.

        ``populate_existing`` refreshes rows the session already holds, so a collection loaded
        before a subtask was added or deleted is not handed back stale.
        """
        return (
            select(Task)
            .where(_LIVE)
            .options(joinedload(Task.assignee), joinedload(_LIVE_SUBTASKS))
            .execution_options(populate_existing=True)
        )

    async def get(self, task_id: int) -> Task | None:
        result = await self.session.exec(self._live().where(Task.id == task_id))
        return result.unique().one_or_none()

    async def require(self, task_id: int) -> Task:
        task = await self.get(task_id)
        if task is None:
            raise TaskNotFound(task_id)
        return task

    async def page(
        self, project_id: int, status: TaskStatus | str | None, limit: int, offset: int
    ) -> list[Task]:
        """One page, newest first; joined eager loads make it one statement for any page."""
        statement = self._live().where(Task.project_id == project_id)
        if status is not None:
            statement = statement.where(Task.status == TaskStatus(status))
        statement = (
            statement.order_by(col(Task.created_at).desc(), col(Task.id).desc())
            .limit(limit)
            .offset(offset)
        )
        result = await self.session.exec(statement)
        return list(result.unique().all())

    async def tree(self, task_id: int) -> Task | None:
        """The task with live ``subtasks`` loaded down to the leaves, one statement per level.

        The live filter is a loader criterion of the whole statement, so every recursive
        selectin level applies it once (``subtasks.and_()`` would be repeated at each level).
        """
        statement = (
            select(Task)
            .where(Task.id == task_id)
            .options(
                selectinload(col(Task.subtasks), recursion_depth=SUBTASK_TREE_DEPTH),
                with_loader_criteria(Task, _LIVE),
            )
            .execution_options(populate_existing=True)
        )
        return (await self.session.exec(statement)).one_or_none()

    @transactional
    async def create(self, data: TaskCreate, creator_id: int) -> Task:
        """Check every reference first, then write the task and its audit row together."""
        workers = WorkerRepository(self.session)
        await ProjectRepository(self.session).require(data.project_id)
        await workers.require(creator_id)
        if data.assignee_id is not None:
            await workers.require(data.assignee_id)
        if data.parent_task_id is not None:
            await self.require(data.parent_task_id)
        task = Task.model_validate(data.model_dump() | {"created_by_id": creator_id})
        self.session.add(task)
        await self.session.flush()  # the audit row needs the new id
        assert task.id is not None
        self._audit(task.id, "created", creator_id, data.model_dump(mode="json"))
        return task

    @transactional
    async def update(self, task_id: int, data: TaskUpdate, actor_id: int) -> Task | None:
        """Apply the fields the patch sets; the audit row maps each of them to its new value."""
        task = await self.get(task_id)
        changes = data.model_dump(exclude_unset=True)
        if task is None or not changes:
            return task
        workers = WorkerRepository(self.session)
        await workers.require(actor_id)
        if "assignee_id" in changes:
            # Through the relationship, so the loaded ``assignee`` does not go stale.
            new_id = changes.pop("assignee_id")
            task.assignee = None if new_id is None else await workers.require(new_id)
        for field, value in changes.items():
            setattr(task, field, value)
        task.updated_at = datetime.now(UTC)
        self._audit(task_id, "updated", actor_id, data.model_dump(mode="json", exclude_unset=True))
        return task

    @transactional
    async def assign(self, task_id: int, worker_id: int, actor_id: int) -> Task:
        task = await self.require(task_id)
        workers = WorkerRepository(self.session)
        worker = await workers.require(worker_id)
        await workers.require(actor_id)
        previous = task.assignee_id
        task.assignee = worker
        task.updated_at = datetime.now(UTC)
        self._audit(task_id, "assigned", actor_id, {"from": previous, "to": worker_id})
        return task

    @transactional
    async def soft_delete(self, task_id: int, actor_id: int) -> bool:
        """Mark the task deleted with one conditional UPDATE, so two deletes cannot both win."""
        await WorkerRepository(self.session).require(actor_id)
        statement = (
            update(Task)
            .where(col(Task.id) == task_id, _LIVE)
            .values(deleted_at=datetime.now(UTC))
            .returning(col(Task.id))
        )
        deleted = (await self.session.exec(statement)).scalar_one_or_none()
        if deleted is None:
            return False
        self._audit(task_id, "deleted", actor_id, {})
        return True
