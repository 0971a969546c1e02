"""Squawk on the SQL of a target's migrations (``alembic upgrade head --sql``).

This runs in the verifier, not in the sandboxed child: the child may not start processes, so
the migrations stage sends the offline SQL up as an ``offline_sql`` event and the verifier hands
it to :func:`lint_sql`. Squawk is the ``squawk`` binary that the ``squawk-cli`` wheel installs
next to the Python interpreter; it works offline. Its JSON reporter counts lines and columns
from 0; findings here count from 1 like every other finding. Each becomes a warning coded
``SQUAWK-<rule>`` (a warning never fails the run), pinned to the revision file whose SQL it is
about when the ``-- Running upgrade A -> B`` comments that alembic writes say which one.

The default rule set is tuned for what a new layer ships: the first migration of a new schema,
as alembic autogenerates it from SQLModel models. Squawk's rules are about locking large live
tables; the ones that matter when later migrations alter a table stay on (adding a NOT NULL
column without a default, changing a column's type, adding a constraint without NOT VALID,
renaming, dropping, timestamps without time zone...). These are excluded, each for a reason:

- ``prefer-text-field``: SQLModel maps ``str`` with ``max_length`` to ``VARCHAR(n)``, and the
  Task API contract asks for those lengths. The lock squawk warns about is taken when ``n``
  changes on a large table, not when the table is created.
- ``prefer-bigint-over-int``: SQLModel maps ``int`` to ``INTEGER`` and an ``int`` primary key to
  ``SERIAL``; every model would need ``sa_type=BigInteger`` to silence it. A table expected to
  pass two billion rows should make that choice, and can include the rule to be reminded.
- ``prefer-identity``: SQLAlchemy emits ``SERIAL`` for an integer primary key unless the model
  declares ``Identity()``, which SQLModel's ``Field(primary_key=True)`` does not. Both work.
- ``require-timeout-settings`` (squawk's ``require-lock-timeout`` and
  ``require-statement-timeout``): alembic's SQL never sets ``lock_timeout``; on tables created
  in the same migration there is no lock to wait for. Teams migrating busy tables should set
  the timeouts in ``env.py`` and include the rule.
- ``require-concurrent-index-creation`` and ``require-concurrent-index-deletion``: alembic runs
  each PostgreSQL migration in a transaction, where ``CONCURRENTLY`` is an error (it needs
  ``op.get_context().autocommit_block()``); on a new table there is nothing to block.
- ``prefer-robust-stmts``: ``IF NOT EXISTS`` makes a half-applied migration look applied.
  Alembic's PostgreSQL migrations are transactional and recorded in ``alembic_version``, so
  a failed one leaves nothing to be robust against.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from verifier import skill_refs
from verifier.errors import InfrastructureError
from verifier.findings import Finding, Severity

STAGE = "migrations"
OFFLINE_SQL_FILE = "alembic (offline SQL)"
DOCS = "https://squawkhq.com/docs/{rule}"

DEFAULT_EXCLUDED_RULES: tuple[str, ...] = (
    "prefer-text-field",
    "prefer-bigint-over-int",
    "prefer-identity",
    "require-timeout-settings",
    "require-concurrent-index-creation",
    "require-concurrent-index-deletion",
    "prefer-robust-stmts",
)

# alembic writes this comment before each revision's statements in offline mode.
_RUNNING = re.compile(r"^-- Running upgrade (?P<source>.*?) -> (?P<target>\S[^,\n]*)")


def squawk_binary() -> str:
    """The ``squawk`` executable of the squawk-cli wheel installed with this Python."""
    name = "squawk.exe" if sys.platform == "win32" else "squawk"
    candidates = [
        Path(sysconfig.get_path("scripts")) / name,  # a venv or the interpreter's prefix
        Path(sys.executable).parent / name,  # a venv used without activating it
        Path(sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user"))) / name,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise InfrastructureError(
        "squawk is not installed, so the migrations' SQL cannot be linted",
        hint="pip install squawk-cli (it ships the squawk binary)",
    )


def squawk_version() -> str | None:
    """The version of the squawk-cli package, for the report's tool versions."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("squawk-cli")
    except PackageNotFoundError:
        return None


def lint_sql(
    sql: str,
    *,
    revision_files: Mapping[str, str] | None = None,
    exclude: Iterable[str] = DEFAULT_EXCLUDED_RULES,
    include: Iterable[str] = (),
    pg_version: str | None = None,
    timeout: float = 60.0,
) -> list[Finding]:
    """Squawk's findings on ``sql`` as warnings, pinned to revision files where they can be.

    ``revision_files`` maps revision ids to their files (relative to the target), as the
    migrations stage sends them with the SQL. Raises ``InfrastructureError`` when squawk is
    missing or fails: that is the machine's problem, not the target's.
    """
    if not sql.strip():
        return []
    violations = _run_squawk(sql, list(exclude), list(include), pg_version, timeout)
    lines = sql.splitlines()
    revisions = _revision_by_line(lines)
    files = dict(revision_files or {})
    findings = [_finding(v, lines, revisions, files) for v in violations]
    return sorted(findings, key=Finding.sort_key)


def _run_squawk(
    sql: str, exclude: list[str], include: list[str], pg_version: str | None, timeout: float
) -> list[dict[str, Any]]:
    binary = squawk_binary()
    with tempfile.TemporaryDirectory(prefix="rda-squawk-") as scratch:
        # An explicit (empty) configuration keeps squawk from reading a .squawk.toml it would
        # otherwise find by walking up from the working directory.
        config = Path(scratch) / "squawk.toml"
        config.write_text("excluded_rules = []\n", encoding="utf-8")
        command = [
            binary,
            "--reporter",
            "json",
            "--config",
            str(config),
            "--stdin-filepath",
            "offline.sql",
        ]
        if exclude:
            command.append("--exclude=" + ",".join(exclude))
        if include:
            command.append("--include=" + ",".join(include))
        if pg_version:
            command.append(f"--pg-version={pg_version}")
        try:
            done = subprocess.run(  # our own binary, with arguments we built
                command,
                input=sql,
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=scratch,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise InfrastructureError(f"squawk did not finish within {timeout:.0f}s") from exc
        except OSError as exc:
            raise InfrastructureError(f"squawk could not be started: {exc}") from exc
    if done.returncode not in (0, 1):
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise InfrastructureError(f"squawk failed (exit {done.returncode}): {first}")
    try:
        data = json.loads(done.stdout or "[]")
    except ValueError as exc:
        raise InfrastructureError("squawk printed something that is not JSON") from exc
    if not isinstance(data, list):
        raise InfrastructureError("squawk's JSON report is not a list of violations")
    return [v for v in data if isinstance(v, dict)]


def _revision_by_line(lines: list[str]) -> list[str | None]:
    """For each line of the SQL, the revision whose upgrade it belongs to (None: alembic's own)."""
    current: str | None = None
    owners: list[str | None] = []
    for line in lines:
        match = _RUNNING.match(line)
        if match:
            current = match.group("target").strip()
        owners.append(current)
    return owners


def _finding(
    violation: dict[str, Any],
    lines: list[str],
    revisions: list[str | None],
    files: dict[str, str],
) -> Finding:
    rule = str(violation.get("rule_name") or "unknown")
    line0 = _int(violation.get("line"))
    col0 = _int(violation.get("column"))
    end0 = _int(violation.get("line_end"), line0)
    statement = " ".join(s.strip() for s in lines[line0 : end0 + 1] if s.strip())
    if len(statement) > 160:
        statement = statement[:157] + "..."
    revision = revisions[line0] if 0 <= line0 < len(revisions) else None
    message = str(violation.get("message") or rule)
    if rule == "syntax-error":
        message = f"squawk could not parse this SQL: {message}"
    message += f" — `{statement}`" if statement else ""
    message += f" (revision {revision})" if revision else ""
    details: dict[str, Any] = {"rule": rule, "sql_line": line0 + 1, "sql_col": col0 + 1}
    if revision:
        details["revision"] = revision
    file = files.get(revision) if revision else None
    help_text = violation.get("help")
    return Finding(
        code=f"SQUAWK-{rule}",
        message=message,
        severity=Severity.WARNING,
        file=file or OFFLINE_SQL_FILE,
        line=None if file else line0 + 1,
        col=None if file else col0 + 1,
        stage=STAGE,
        fix=f"{help_text} ({DOCS.format(rule=rule)})" if help_text else DOCS.format(rule=rule),
        skill_ref=skill_refs.MIGRATIONS_SAFETY,
        details=details,
    )


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and value >= 0 else default
