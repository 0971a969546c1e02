"""squawk on alembic's offline SQL: silent on the reference's migration, firing on unsafe DDL.

The SQL comes from the real ``alembic upgrade head --sql`` of a reference copy (offline mode
needs no database, only the dialect the URL names), and squawk is the real binary.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reference_copies import copy_reference
from verifier import skill_refs
from verifier.errors import InfrastructureError
from verifier.findings import Severity
from verifier.stages import squawk
from verifier.stages.squawk import DEFAULT_EXCLUDED_RULES, OFFLINE_SQL_FILE, lint_sql

from .test_migrations_stage import add_revision, reference_head

OFFLINE_URL = "postgresql+asyncpg://offline@localhost/offline"  # never connected to

UNSAFE_SQL = """BEGIN;

-- Running upgrade 0001 -> 0002

ALTER TABLE task ADD COLUMN estimate INTEGER NOT NULL;

UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0001';

COMMIT;
"""


def offline_sql(target: Path) -> str:
    """What `alembic upgrade head --sql` prints for the target (a child: env.py imports models)."""
    done = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", "alembic.ini", "upgrade", "head", "--sql"],
        cwd=target,
        env={**os.environ, "DATABASE_URL": OFFLINE_URL},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def reference_sql(tmp_path: Path) -> str:
    return offline_sql(copy_reference(tmp_path))


def test_reference_initial_migration_is_silent(reference_sql: str) -> None:
    assert "CREATE TABLE task" in reference_sql
    assert lint_sql(reference_sql) == []


def test_the_exclusions_are_what_keeps_the_reference_silent(reference_sql: str) -> None:
    """Without them squawk does fire on it: the exclusions are live, and each name is valid."""
    fired = {f.code for f in lint_sql(reference_sql, exclude=())}
    assert {"SQUAWK-prefer-text-field", "SQUAWK-prefer-bigint-over-int"} <= fired
    assert fired <= {f"SQUAWK-{rule}" for rule in DEFAULT_EXCLUDED_RULES} | {
        "SQUAWK-require-lock-timeout",
        "SQUAWK-require-statement-timeout",
    }


def test_not_null_column_without_default_fires() -> None:
    (found,) = lint_sql(UNSAFE_SQL)
    assert found.code == "SQUAWK-adding-required-field"
    assert found.severity is Severity.WARNING
    assert found.stage == "migrations"
    assert found.skill_ref == skill_refs.MIGRATIONS_SAFETY
    assert "ALTER TABLE task ADD COLUMN estimate INTEGER NOT NULL" in found.message
    assert found.fix and "https://squawkhq.com/docs/adding-required-field" in found.fix
    # squawk counts from 0; findings count from 1 (line 5 holds the ALTER, its column at 18)
    assert (found.file, found.line, found.col) == (OFFLINE_SQL_FILE, 5, 18)
    assert found.details["revision"] == "0002"


def test_a_finding_is_pinned_to_its_revision_file() -> None:
    (found,) = lint_sql(UNSAFE_SQL, revision_files={"0002": "alembic/versions/0002_estimate.py"})
    assert found.file == "alembic/versions/0002_estimate.py"
    assert found.line is None
    assert found.details["sql_line"] == 5


def test_a_later_revision_of_the_reference_fires_in_its_own_file(tmp_path: Path) -> None:
    target = copy_reference(tmp_path)
    head, _, _ = reference_head()
    relative = add_revision(
        target,
        "e57a",
        head,
        'op.add_column("task", sa.Column("estimate", sa.Integer(), nullable=False))',
        'op.drop_column("task", "estimate")',
    )
    findings = lint_sql(offline_sql(target), revision_files={"e57a": relative})
    assert [(f.code, f.file) for f in findings] == [("SQUAWK-adding-required-field", relative)]


def test_a_squawk_config_in_the_working_directory_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".squawk.toml").write_text(
        'excluded_rules = ["adding-required-field"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert [f.code for f in lint_sql(UNSAFE_SQL)] == ["SQUAWK-adding-required-field"]


def test_included_rules_are_passed_on() -> None:
    sql = "CREATE TABLE note (id bigint PRIMARY KEY);\n"
    assert lint_sql(sql) == []
    fired = {f.code for f in lint_sql(sql, include=["require-table-schema"])}
    assert fired == {"SQUAWK-require-table-schema"}


def test_unparseable_sql_is_a_warning_not_a_crash() -> None:
    findings = lint_sql("CREATE TABLE (;\n")
    assert findings and {f.code for f in findings} == {"SQUAWK-syntax-error"}
    assert all(f.severity is Severity.WARNING for f in findings)


def test_empty_sql_is_not_linted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(squawk, "squawk_binary", lambda: pytest.fail("squawk was started"))
    assert lint_sql("  \n") == []


def test_a_missing_binary_is_an_infrastructure_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(squawk, "squawk_binary", lambda: str(tmp_path / "no-squawk"))
    with pytest.raises(InfrastructureError, match="could not be started"):
        lint_sql(UNSAFE_SQL)


def test_an_unknown_rule_is_an_infrastructure_error() -> None:
    with pytest.raises(InfrastructureError, match="squawk failed"):
        lint_sql(UNSAFE_SQL, exclude=["no-such-rule"])


def test_the_binary_is_the_one_squawk_cli_installed() -> None:
    binary = Path(squawk.squawk_binary())
    assert binary.is_file() and os.access(binary, os.X_OK)
    version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert squawk.squawk_version() in version
