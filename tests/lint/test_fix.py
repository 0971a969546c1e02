"""``rda lint --fix``: unambiguous fixes rewrite the file, and the result is clean and parses."""

from __future__ import annotations

import ast
from pathlib import Path

from verifier.lint.runner import Options, lint_paths

BEFORE = """\
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

engine = create_async_engine(DATABASE_URL)
Factory = sessionmaker(engine, class_=AsyncSession)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(foreign_key="project.id")
    created_at: datetime = Field(default_factory=datetime.utcnow)
    updated_at: datetime = Field(default_factory=datetime.utcnow)


async def get_task(session: ModelSession, task_id: int) -> Task | None:
    result = await session.execute(select(Task).where(Task.id == task_id))
    return result.scalar_one_or_none()


async def all_tasks(session: ModelSession) -> list[Task]:
    return list((await session.execute(select(Task).limit(10))).scalars().all())
"""

AFTER = """\
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker, AsyncSession, create_async_engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Field, SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession as ModelSession

engine = create_async_engine(DATABASE_URL, pool_pre_ping=True)
Factory = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Task(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    project_id: int | None = Field(foreign_key="project.id", index=True, default=None)
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


async def get_task(session: ModelSession, task_id: int) -> Task | None:
    result = await session.exec(select(Task).where(Task.id == task_id))
    return result.one_or_none()


async def all_tasks(session: ModelSession) -> list[Task]:
    return list((await session.exec(select(Task).limit(10))).all())
"""


def test_fix_rewrites_to_the_expected_source(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    path.write_text(BEFORE, encoding="utf-8")
    report = lint_paths([path], fix=True, options=Options(fix=True, ruff=False))
    assert path.read_text(encoding="utf-8") == AFTER
    ast.parse(AFTER)
    assert report.findings == []
    assert "fix(es) applied" in (report.stages[0].note or "")


def test_fix_is_idempotent_and_leaves_unfixable_findings(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    path.write_text(AFTER + '\nURL = "postgresql+asyncpg://app:secret@db/app"\n', encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    report = lint_paths([path], fix=True, options=Options(fix=True, ruff=False))
    assert path.read_text(encoding="utf-8") == before
    assert [f.code for f in report.findings] == ["RDA601"]


def test_fix_with_ruff_applies_ruffs_safe_fixes_too(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    path.write_text(
        "import os\nfrom sqlalchemy.ext.asyncio import create_async_engine\n\n"
        'engine = create_async_engine("postgresql+asyncpg://app@db/app", echo=True)\n',
        encoding="utf-8",
    )
    report = lint_paths([path], fix=True, options=Options(fix=True))
    text = path.read_text(encoding="utf-8")
    assert "import os" not in text  # F401, fixed by ruff
    assert "echo=False" in text and "pool_pre_ping=True" in text
    assert report.findings == []


def test_positions_are_reported_after_ruffs_fixes(tmp_path: Path) -> None:
    path = tmp_path / "layer.py"
    path.write_text(
        'import os\nimport sys\nURL = "postgresql+asyncpg://app:secret@db/app"\n',
        encoding="utf-8",
    )
    report = lint_paths([path], fix=True, options=Options(fix=True))
    assert path.read_text(encoding="utf-8").startswith("URL = ")  # F401 fixes removed two lines
    assert [(f.code, f.line) for f in report.findings] == [("RDA601", 1)]


def test_fix_keeps_reporting_unparsable_files(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    report = lint_paths([tmp_path], fix=True, options=Options(fix=True))
    assert [(f.file.rsplit("/", 1)[-1], f.code) for f in report.findings] == [
        ("broken.py", "RDA000")
    ]
