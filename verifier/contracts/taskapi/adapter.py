"""The target as the checks see it: its functions, its sessions, its models and a probe.

Everything the checks call goes through the target's *own* ``get_session`` and ``crud``
functions, so the verdict is about the code as it will run. The probe is the verifier's own
connection to the throwaway database, used to look at what really got written.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from verifier.stages.context import StageContext

CRUD_FUNCTIONS = (
    "create_project",
    "create_worker",
    "create_task",
    "get_task",
    "list_tasks",
    "update_task",
    "assign_task",
    "delete_task",
    "get_subtask_tree",
)
MODELS = ("Project", "Worker", "Task", "AuditLog")
SCHEMAS = ("TaskCreate", "TaskUpdate")


class Violation(Exception):
    """A check failed: ``code`` and the message the report prints, pinned to ``where``."""

    def __init__(self, code: str, message: str, where: Any = None, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.where = where
        self.details = details


def value_of(value: Any) -> Any:
    """Enum members and plain strings compare alike (``TaskStatus.pending`` == ``"pending"``)."""
    return getattr(value, "value", value)


@dataclass
class StatementLog:
    statements: list[str] = field(default_factory=list)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:300])


@dataclass
class TaskApi:
    ctx: StageContext
    crud: ModuleType
    database: ModuleType
    engine: Any
    functions: dict[str, Any]
    classes: dict[str, Any]
    probe: Any  # the verifier's own AsyncEngine on the same database

    @asynccontextmanager
    async def session(self) -> AsyncIterator[Any]:
        """A session exactly as the target's FastAPI dependency hands it out."""
        produced = self.database.get_session()
        if inspect.isasyncgen(produced):
            session = await produced.__anext__()
            try:
                yield session
            finally:
                await produced.aclose()
        else:  # a plain factory: the target returns a session, we close it
            session = await produced if inspect.isawaitable(produced) else produced
            try:
                yield session
            finally:
                await session.close()

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        async with self.session() as session:
            return await self.functions[name](session, *args, **kwargs)

    def schema(self, name: str, **values: Any) -> Any:
        return self.classes[name](**values)

    def table(self, model: str) -> str:
        return str(self.classes[model].__table__.name)

    async def scalar(self, sql: str, **params: Any) -> Any:
        from sqlalchemy import text

        async with self.probe.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar()

    async def execute(self, *statements: str) -> None:
        """Run statements in one transaction of the probe (never through the target)."""
        from sqlalchemy import text

        async with self.probe.begin() as conn:
            for sql in statements:
                await conn.execute(text(sql))

    async def count(self, model: str, where: str = "true", **params: Any) -> int:
        return int(
            await self.scalar(f'SELECT count(*) FROM "{self.table(model)}" WHERE {where}', **params)
        )

    @asynccontextmanager
    async def counting(self) -> AsyncIterator[StatementLog]:
        """Count the statements the target's engine sends while the block runs."""
        from sqlalchemy import event

        log = StatementLog()
        event.listen(self.engine.sync_engine, "before_cursor_execute", log)
        try:
            yield log
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", log)

    def where(self, name: str) -> tuple[str | None, int | None]:
        """File and line of a target function (or model) for a finding."""
        obj = self.functions.get(name) or self.classes.get(name)
        if obj is None:
            return self.ctx.relative(getattr(self.crud, "__file__", None)), None
        return self.ctx.location_of_object(obj)


def find(modules: list[ModuleType], name: str) -> Any | None:
    for module in modules:
        value = getattr(module, name, None)
        if value is not None:
            return value
    return None
