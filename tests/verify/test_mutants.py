"""Every dynamic check fires on a mutant of the reference implementation, and nothing else does.

Each mutant is one deliberate change to a fresh copy of ``reference_impl`` (see ``patch``); the
verdict must be exactly the expected code(s). The static stage is left out: these prove the
dynamic checks, and several mutants are also caught statically (which the lint tests prove).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reference_copies import append, patch
from verifier.report.model import Report

from .conftest import codes

BEHAVIOR = ("import", "schema", "behavior")
WARNINGS = {"RDA204"}  # codes whose rule is a warning: the run still exits 0
SCHEMA = ("import", "schema")


@dataclass(frozen=True)
class Mutant:
    expected: set[str]
    stages: tuple[str, ...]
    apply: Callable[[Path], None]


def _expire_on_commit(t: Path) -> None:
    patch(t, "taskapi/database.py", "expire_on_commit=False", "expire_on_commit=True")


def _subtasks_not_loaded(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        "    return await _fill_subtasks(session, list(result.all()))",
        "    return list(result.all())",
    )


def _n_plus_one(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        "    return await _fill_subtasks(session, list(result.all()))",
        "    tasks = await _fill_subtasks(session, list(result.all()))\n"
        "    for task in tasks:\n"
        "        await session.refresh(task, ['assignee'])\n"
        "    return tasks",
    )


def _task_committed_before_audit(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        "        await session.flush()  # assigns task.id",
        "        await session.commit()  # assigns task.id",
    )


def _integrity_error_leaks(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        '        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:\n'
        "            raise DuplicateHandleError(handle) from exc\n"
        "        raise",
        "        raise",
    )


def _session_unusable_after_duplicate(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        "    except IntegrityError as exc:\n        await session.rollback()\n",
        "    except IntegrityError as exc:\n",
    )


def _id_race(t: Path) -> None:
    # A read-modify-write of a module-level counter across an await: concurrent calls collide.
    patch(
        t,
        "taskapi/crud.py",
        "        session.add(task)\n        await session.flush()  # assigns task.id",
        "        global _next_id\n"
        "        candidate = _next_id\n"
        "        await asyncio.sleep(0.05)\n"
        "        task.id, _next_id = candidate, candidate + 1\n"
        "        session.add(task)\n        await session.flush()  # assigns task.id",
    )
    append(t, "taskapi/crud.py", "import asyncio  # noqa: E402\n\n_next_id = 1_000_000")


def _connection_leak(t: Path) -> None:
    doc = '    """Soft-delete a visible task; ``False`` when it is missing or already deleted."""\n'
    leak = "    from .database import engine\n\n    _leaked.append(await engine.connect())\n"
    patch(t, "taskapi/crud.py", doc, doc + leak)
    append(t, "taskapi/crud.py", "_leaked = []")


def _without_alembic(t: Path) -> None:
    """Schema from create_all, so the live catalog shows what the models say."""
    shutil.rmtree(t / "alembic")
    (t / "alembic.ini").unlink()
    patch(t, "pyproject.toml", 'alembic_ini = "alembic.ini"\n', "")


def _soft_deleted_visible(t: Path) -> None:
    patch(
        t,
        "taskapi/crud.py",
        "        select(Task)\n        .where(col(Task.deleted_at).is_(None))\n",
        "        select(Task)\n",
    )


def _import_error(t: Path) -> None:
    append(t, "taskapi/crud.py", "import taskapi_helpers  # noqa: E402,F401")


def _ambiguous_foreign_keys(t: Path) -> None:
    patch(
        t,
        "taskapi/models.py",
        '        back_populates="assigned_tasks",\n'
        '        sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"},\n',
        '        back_populates="assigned_tasks",\n',
    )


def _create_all_fails(t: Path) -> None:
    _without_alembic(t)
    patch(t, "taskapi/models.py", 'server_default="[]"', 'server_default="[not json"')


def _char_name(t: Path) -> None:
    _without_alembic(t)
    patch(
        t,
        "taskapi/models.py",
        "    name: str = Field(max_length=200)\n    description",
        "    name: str = Field(sa_column=Column(CHAR(200), nullable=False))\n    description",
    )
    patch(
        t,
        "taskapi/models.py",
        "from sqlalchemy import Column",
        "from sqlalchemy import CHAR, Column",
    )


def _unindexed_foreign_key(t: Path) -> None:
    _without_alembic(t)
    patch(
        t,
        "taskapi/models.py",
        'foreign_key="worker.id", index=True)\n    created_by_id',
        'foreign_key="worker.id")\n    created_by_id',
    )


def _json_not_jsonb(t: Path) -> None:
    _without_alembic(t)
    patch(
        t,
        "taskapi/models.py",
        'sa_column=Column(JSONB, nullable=False, server_default="[]")',
        'sa_column=Column(JSON, nullable=False, server_default="[]")',
    )
    patch(
        t,
        "taskapi/models.py",
        "from sqlalchemy import Column",
        "from sqlalchemy import JSON, Column",
    )


def _naive_timestamp(t: Path) -> None:
    _without_alembic(t)
    patch(
        t,
        "taskapi/models.py",
        "    deleted_at: datetime | None = None",
        "    deleted_at: datetime | None = Field(default=None, sa_column=Column(DateTime()))",
    )
    patch(
        t,
        "taskapi/models.py",
        "from sqlalchemy import Column",
        "from sqlalchemy import Column, DateTime",
    )


def _model_column_not_migrated(t: Path) -> None:
    patch(
        t,
        "taskapi/models.py",
        "    description: str | None = None\n    created_at",
        "    description: str | None = None\n    archived: bool = False\n    created_at",
    )


MUTANTS: dict[str, Mutant] = {
    "expire_on_commit=True": Mutant({"RDA705"}, BEHAVIOR, _expire_on_commit),
    "subtasks not eager-loaded": Mutant({"RDA706"}, BEHAVIOR, _subtasks_not_loaded),
    "N+1 in list_tasks": Mutant({"RDA707"}, BEHAVIOR, _n_plus_one),
    "task committed before its audit row": Mutant(
        {"RDA708"}, BEHAVIOR, _task_committed_before_audit
    ),
    "IntegrityError leaks": Mutant({"RDA709"}, BEHAVIOR, _integrity_error_leaks),
    "no rollback after IntegrityError": Mutant(
        {"RDA709"}, BEHAVIOR, _session_unusable_after_duplicate
    ),
    "id counter raced across an await": Mutant({"RDA710"}, BEHAVIOR, _id_race),
    "connection opened and never returned": Mutant({"RDA711"}, BEHAVIOR, _connection_leak),
    "soft-deleted tasks visible": Mutant({"RDA712"}, BEHAVIOR, _soft_deleted_visible),
    "import of a missing module": Mutant({"RDA701"}, BEHAVIOR, _import_error),
    "two FKs to worker without foreign_keys": Mutant({"RDA702"}, BEHAVIOR, _ambiguous_foreign_keys),
    "create_all fails": Mutant({"RDA703"}, SCHEMA, _create_all_fails),
    "CHAR column pads the value": Mutant({"RDA704"}, SCHEMA, _char_name),
    "foreign key without index": Mutant({"RDA202"}, SCHEMA, _unindexed_foreign_key),
    "JSON instead of JSONB": Mutant({"RDA204"}, SCHEMA, _json_not_jsonb),
    "timestamp without time zone": Mutant({"RDA212"}, SCHEMA, _naive_timestamp),
    "model column missing from the migration": Mutant(
        {"RDA803"}, ("import", "migrations"), _model_column_not_migrated
    ),
}


def test_reference_is_clean(reference_copy: Path, verify: Callable[..., Report]) -> None:
    report = verify(reference_copy)
    assert report.findings == []
    assert {s.name: s.status for s in report.stages} == {
        "import": "passed",
        "schema": "passed",
        "behavior": "passed",
        "migrations": "passed",
    }


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_is_caught(name: str, reference_copy: Path, verify: Callable[..., Report]) -> None:
    mutant = MUTANTS[name]
    mutant.apply(reference_copy)
    report = verify(reference_copy, stages=mutant.stages, check_timeout=10)
    assert {f.code for f in report.findings} == mutant.expected, "\n".join(
        f"{f.code} {f.file}:{f.line} {f.message}" for f in report.findings
    )
    assert report.exit_code == (1 if codes(report) else 0)
    assert codes(report) or mutant.expected <= WARNINGS
