"""Model rules (RDA2xx): the cases the examples do not show."""

from __future__ import annotations

from pathlib import Path

from tests.lint.helpers import codes
from verifier.lint.runner import Options, lint_paths

HEAD = """
from datetime import UTC, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import Column, DateTime, ForeignKey, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableList
from sqlmodel import Field, Relationship, SQLModel
"""


def test_fk_indexed_by_table_args_unique_or_primary_key_is_fine() -> None:
    source = (
        HEAD
        + """
class Link(SQLModel, table=True):
    __table_args__ = (Index("ix_link_task_worker", "task_id", "worker_id"),)
    task_id: int = Field(foreign_key="task.id")
    worker_id: int = Field(foreign_key="worker.id", primary_key=True)
    other_id: int = Field(foreign_key="other.id", unique=True)
"""
    )
    assert codes(source) == []


def test_fk_in_sa_column_without_index_fires_once() -> None:
    source = (
        HEAD
        + """
class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=Column(sa.Integer, ForeignKey("project.id"), nullable=False))
"""
    )
    assert codes(source) == ["RDA202"]


def test_naive_datetime_forms() -> None:
    source = (
        HEAD
        + """
class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    a: datetime = Field(default_factory=datetime.now)
    b: datetime = Field(sa_column_kwargs={"onupdate": datetime.utcnow})
    c: datetime = Field(default_factory=lambda: datetime.now(UTC))
    d: datetime = Field(sa_type=DateTime(timezone=True))
    e: datetime = Field(sa_column=Column(sa.DateTime(), nullable=False))
"""
    )
    assert codes(source) == ["RDA201", "RDA201", "RDA212"]


def test_default_evaluated_at_import_forms() -> None:
    source = (
        HEAD
        + """
import uuid


class Token(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    value: str = Field(default=uuid.uuid4().hex)
    made: datetime = datetime.now(UTC)
    ok: uuid.UUID = Field(default_factory=uuid.uuid4)
"""
    )
    assert codes(source) == ["RDA211", "RDA211"]


def test_json_mutation_tracked_flagged_or_reassigned_is_fine() -> None:
    source = (
        HEAD
        + """
from sqlalchemy.orm.attributes import flag_modified


class Doc(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSONB))
    seen: list[str] = Field(default_factory=list, sa_column=Column(MutableList.as_mutable(JSONB)))


def edit(doc: Doc) -> None:
    doc.seen.append("x")
    doc.tags = [*doc.tags, "x"]


def flagged(doc: Doc) -> None:
    doc.tags.append("x")
    flag_modified(doc, "tags")


def in_place(doc: Doc, other) -> None:
    doc.tags += ["x"]
    other.tags.append("y")
"""
    )
    assert codes(source) == ["RDA205"]


def test_ambiguous_foreign_keys_reported_on_the_parent_side_too() -> None:
    source = (
        HEAD
        + """
class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list["Task"] = Relationship(back_populates="assignee")


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignee_id: int | None = Field(default=None, foreign_key="worker.id", index=True)
    created_by_id: int = Field(foreign_key="worker.id", index=True)
    assignee: Optional[Worker] = Relationship(
        back_populates="tasks", sa_relationship_kwargs={"foreign_keys": "[Task.assignee_id]"}
    )
"""
    )
    assert codes(source) == ["RDA207"]  # Worker.tasks does not say which key


def test_shared_sa_column_module_level_object() -> None:
    source = (
        HEAD
        + """
created = Column(DateTime(timezone=True), nullable=False)


class A(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=created)


class B(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=created)
"""
    )
    assert codes(source) == ["RDA206"]


def test_mixin_with_one_table_subclass_is_fine() -> None:
    source = (
        HEAD
        + """
class Stamped(SQLModel):
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class Only(Stamped, table=True):
    id: int | None = Field(default=None, primary_key=True)
"""
    )
    assert codes(source) == []


def test_postponed_annotations_break_relationships() -> None:
    source = (
        "from __future__ import annotations\n"
        + HEAD
        + """
class Worker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    tasks: list[Task] = Relationship(back_populates="assignee")
    boss: Worker = Relationship()
"""
    )
    assert codes(source) == ["RDA213"]


def test_models_in_another_file_inform_relationship_rules(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text(
        HEAD + "\n\nclass Stamped(SQLModel):\n"
        "    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True)))\n",
        encoding="utf-8",
    )
    (tmp_path / "tables.py").write_text(
        "from base import Stamped\nfrom sqlmodel import Field\n\n\n"
        "class A(Stamped, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n\n\n"
        "class B(Stamped, table=True):\n"
        "    id: int | None = Field(default=None, primary_key=True)\n",
        encoding="utf-8",
    )
    report = lint_paths([tmp_path], options=Options(ruff=False))
    assert [(f.code, f.file.rsplit("/", 1)[-1]) for f in report.findings] == [("RDA206", "base.py")]
