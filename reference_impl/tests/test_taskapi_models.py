"""The models hold the contract's schema decisions: indexes, JSONB, enums, time zones."""

from datetime import UTC

import pytest
from pydantic import ValidationError
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import RelationshipDirection, configure_mappers
from sqlmodel import SQLModel
from taskapi.models import AuditLog, Project, Task, TaskCreate, TaskStatus, Worker, utc_now


def test_the_mappers_configure_with_the_intended_join_columns() -> None:
    configure_mappers()
    relationships = sa_inspect(Task).relationships
    joins = {
        name: ({column.name for column in rel.local_columns}, rel.direction)
        for name, rel in relationships.items()
    }
    assert joins == {
        "project": ({"project_id"}, RelationshipDirection.MANYTOONE),
        "assignee": ({"assignee_id"}, RelationshipDirection.MANYTOONE),
        "created_by": ({"created_by_id"}, RelationshipDirection.MANYTOONE),
        "parent": ({"parent_task_id"}, RelationshipDirection.MANYTOONE),
        "subtasks": ({"id"}, RelationshipDirection.ONETOMANY),
    }
    assert sa_inspect(Worker).relationships["assigned_tasks"].back_populates == "assignee"
    assert sa_inspect(Project).relationships["tasks"].back_populates == "project"


def test_every_foreign_key_column_leads_an_index() -> None:
    for table in SQLModel.metadata.sorted_tables:
        leading = {index.columns[0].name for index in table.indexes}
        for fk in table.foreign_keys:
            assert fk.parent.name in leading, f"{table.name}.{fk.parent.name} has no index"


def test_jsonb_columns_are_separate_not_null_columns_with_server_defaults() -> None:
    tags, details = Task.__table__.c.tags, AuditLog.__table__.c.details
    assert tags is not details and tags.table is not details.table
    for column, default in ((tags, "[]"), (details, "{}")):
        assert isinstance(column.type, JSONB)
        assert column.nullable is False
        assert column.server_default.arg == default


def test_timestamps_are_timezone_aware_utc() -> None:
    assert utc_now().tzinfo is UTC
    columns = Task.__table__.c
    for name in ("created_at", "updated_at", "deleted_at"):
        assert columns[name].type.timezone is True
    assert Project(name="p").created_at.tzinfo is UTC


def test_task_create_validates_what_the_table_cannot() -> None:
    with pytest.raises(ValidationError, match="title"):
        TaskCreate(title="", project_id=1)
    with pytest.raises(ValidationError, match="title"):
        TaskCreate(title="x" * 501, project_id=1)
    with pytest.raises(ValidationError, match="priority"):
        TaskCreate(title="ok", project_id=1, priority="urgent")
    assert TaskCreate(title="ok", project_id=1, priority="high").priority == "high"


async def test_the_database_enums_carry_the_contract_strings(rda_engine: AsyncEngine) -> None:
    async with rda_engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) "
                "FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY t.typname"
            )
        )
        labels = dict(result.all())
    assert labels == {
        "taskstatus": ["pending", "in_progress", "review", "completed", "blocked"],
        "taskpriority": ["low", "medium", "high", "critical"],
        "workerkind": ["human", "agent"],
    }
    assert labels["taskstatus"] == [status.value for status in TaskStatus]


async def test_server_defaults_fill_rows_written_without_the_orm(rda_engine: AsyncEngine) -> None:
    async with rda_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO worker (handle, name, kind, created_at) "
                "VALUES ('w', 'W', 'human', now())"
            )
        )
        await conn.execute(text("INSERT INTO project (name, created_at) VALUES ('p', now())"))
        await conn.execute(
            text(
                "INSERT INTO task (title, status, priority, project_id, created_by_id, "
                "created_at, updated_at) VALUES ('t', 'pending', 'medium', 1, 1, now(), now())"
            )
        )
        await conn.execute(
            text(
                "INSERT INTO audit_log (entity_type, entity_id, action, created_at) "
                "VALUES ('task', 1, 'created', now())"
            )
        )
        tags = (await conn.execute(text("SELECT tags FROM task"))).scalar_one()
        details = (await conn.execute(text("SELECT details FROM audit_log"))).scalar_one()
    assert (tags, details) == ([], {})
