"""The target as the checks see it: its functions, its sessions, its models and a probe.

Everything the checks call goes through the target's *own* ``get_session`` and ``crud``
functions, so the verdict is about the code as it will run. The probe is the verifier's own
connection to the throwaway database, used to look at what really got written.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from verifier.contracts import probing
from verifier.contracts.probing import StatementLog, Violation
from verifier.contracts.sessions import open_session
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
# The attributes the contract (DESIGN.md section 6) promises on each class.
FIELDS = {
    "Project": ("id", "name", "description", "created_at"),
    "Worker": ("id", "handle", "name", "kind", "created_at"),
    "Task": (
        "id",
        "title",
        "description",
        "status",
        "priority",
        "tags",
        "project_id",
        "assignee_id",
        "created_by_id",
        "parent_task_id",
        "created_at",
        "updated_at",
        "deleted_at",
        "assignee",
        "subtasks",
    ),
    "AuditLog": ("id", "entity_type", "entity_id", "action", "actor_id", "details", "created_at"),
    "TaskCreate": (
        "title",
        "description",
        "project_id",
        "assignee_id",
        "parent_task_id",
        "priority",
        "tags",
    ),
    "TaskUpdate": ("title", "description", "status", "priority", "tags", "assignee_id"),
}
# What each function returns: a class of the target, "bool", and "?" for "or None", "[]" a list.
RETURNS = {
    "create_project": "Project",
    "create_worker": "Worker",
    "create_task": "Task",
    "get_task": "Task?",
    "list_tasks": "Task[]",
    "update_task": "Task?",
    "assign_task": "Task",
    "delete_task": "bool",
    "get_subtask_tree": "Task?",
}


def value_of(value: Any) -> Any:
    """Enum members and plain strings compare alike (``TaskStatus.pending`` == ``"pending"``)."""
    return getattr(value, "value", value)


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
        """A session exactly as FastAPI's ``Depends(get_session)`` hands it out.

        A generator dependency is driven the way FastAPI drives it (through
        ``contextlib.asynccontextmanager``): the code after its ``yield`` runs when the request
        ends, so a ``get_session`` that commits there (the unit-of-work style) commits, and an
        exception is thrown into it so that its ``except`` can roll back.
        """
        async with open_session(self.database.get_session) as session:
            yield session

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        async with self.session() as session:
            result = await self.functions[name](session, *args, **kwargs)
        self.check_returns(name, result)
        return result

    def check_returns(self, name: str, result: Any) -> None:
        """The result is of the kind the contract promises (else RDA712, not a crash of ours)."""
        expected = RETURNS.get(name)
        if expected is None:
            return
        optional, many = expected.endswith("?"), expected.endswith("[]")
        kind = expected.rstrip("?").removesuffix("[]")
        if optional and result is None:
            return
        items = result if many and isinstance(result, list | tuple) else [result]
        if many and not isinstance(result, list | tuple):
            raise Violation("RDA712", f"{name}() returned {_shown(result)}, not a list", name)
        cls = bool if kind == "bool" else self.classes[kind]
        for item in items:
            if not isinstance(item, cls):
                raise Violation(
                    "RDA712",
                    f"{name}() returned {_shown(item)}, expected "
                    + ("a list of " if many else "")
                    + (cls.__name__ if kind != "bool" else "True or False")
                    + (" or None" if optional else ""),
                    name,
                )

    def schema(self, name: str, **values: Any) -> Any:
        """One of the target's API schemas, built from contract values."""
        try:
            return self.classes[name](**values)
        except Exception as exc:  # the target's schema refuses what the contract sends
            raise Violation(
                "RDA712",
                f"{name}({', '.join(f'{k}={v!r}' for k, v in values.items())}) raised "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
                name,
            ) from exc

    def table(self, model: str) -> str:
        return str(self.classes[model].__table__.name)

    async def scalar(self, sql: str, **params: Any) -> Any:
        return await probing.scalar(self.probe, sql, **params)

    async def execute(self, *statements: str) -> None:
        """Run statements in one transaction of the probe (never through the target)."""
        await probing.execute(self.probe, *statements)

    async def count(self, model: str, where: str = "true", **params: Any) -> int:
        return int(
            await self.scalar(f'SELECT count(*) FROM "{self.table(model)}" WHERE {where}', **params)
        )

    @asynccontextmanager
    async def counting(self) -> AsyncIterator[StatementLog]:
        """Count the statements the target's engine sends while the block runs."""
        async with probing.counting(self.engine) as log:
            yield log

    def where(self, name: str) -> tuple[str | None, int | None]:
        """File and line of a target function (or model) for a finding."""
        obj = self.functions.get(name) or self.classes.get(name)
        if obj is None:
            return self.ctx.relative(getattr(self.crud, "__file__", None)), None
        return self.ctx.location_of_object(obj)


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:80]}"


def find(modules: list[ModuleType], name: str) -> Any | None:
    for module in modules:
        value = getattr(module, name, None)
        if value is not None:
            return value
    return None
