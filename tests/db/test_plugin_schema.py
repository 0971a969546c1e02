"""A project's conftest overrides ``rda_schema``: every test gets a clone of the schema.

Run as a separate pytest session in a subprocess, exactly as a user's project would load the
plugin (through its entry point), so the overridden session fixtures start clean.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

CONFTEST = """
import pytest
from sqlmodel import Field, SQLModel

from verifier.pytest_plugin import metadata_schema


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


@pytest.fixture(scope="session")
def rda_schema():
    return metadata_schema(SQLModel.metadata)
"""

TESTS = """
from sqlalchemy import text
from sqlmodel import select

from conftest import Item


async def test_clone_carries_schema_and_starts_empty(rda_session, rda_template, rda_database):
    assert rda_template is not None and rda_template.name != rda_database.name
    assert (await rda_session.exec(select(Item))).all() == []
    rda_session.add(Item(name="first"))
    await rda_session.commit()


async def test_rows_of_the_previous_test_are_gone(rda_session):
    assert (await rda_session.exec(select(Item))).all() == []


async def test_template_is_untouched_by_tests(rda_template, rda_provider):
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(rda_template.async_url)
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM item"))).scalar_one()
    finally:
        await engine.dispose()
    assert count == 0
"""

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = session
asyncio_default_test_loop_scope = session
"""


def run_session(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args, str(directory)],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_schema_override_gives_each_test_a_clean_clone(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_items.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "pytest.ini").write_text(INI)
    result = run_session(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_bad_rda_db_option_fails_with_the_accepted_values(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("def test_one(rda_database):\n    pass\n")
    (tmp_path / "pytest.ini").write_text(INI)
    result = run_session(tmp_path, "--rda-db", "nonsense")
    assert result.returncode == 1
    assert "unknown database 'nonsense'" in result.stdout
    assert "Traceback" not in result.stdout
