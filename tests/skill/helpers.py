"""Helpers for the skill checks: copies of the real skills to break, and a shared linter.

Breaking a copy of the real skill (not a toy) proves each check on the content it guards. The
linter is the real one (``verifier.lint.lint_source``), memoised for the session: a broken copy
differs from the original in one place, so every other example is linted once in all.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from verifier.findings import Finding
from verifier.report.model import Report
from verifier.skill.check import check_skill

ROOT = Path(__file__).resolve().parents[2]
SKILL = ROOT / "skills" / "relational-db-agent"
EXPERTISE = ROOT / ".claude" / "skills" / "building-with-sqlmodel-async"
REFERENCE = ROOT / "reference_impl"

# Three changes to a copy of the skill that lint clean and only running the examples sees: the
# tree loaded one level deep (reading the grandchildren needs a lazy load), the model's JSONB
# server default dropped while the migration keeps it, and a runnable example reading a row
# that is not there.
TREE_DOC = "references/relationships-n-plus-one.md"
JSONB_DOC = "references/models-indexing.md"
RUNNABLE_DOC = "references/transactions-errors.md"
TREE_LOADER = "selectinload(Task.subtasks, recursion_depth=MAX_DEPTH)"
JSONB_MODEL_DEFAULT = """        sa_type=JSONB,
        sa_column_kwargs={"server_default": text("'[]'::jsonb")},
    )
    details"""
RUNNABLE_READ = "again = await session.get(Account, first_id)"


@cache
def _lint(source: str, filename: str) -> tuple[Finding, ...]:
    from verifier.lint import lint_source

    return tuple(lint_source(source, filename))


def cached_lint(source: str, filename: str) -> Sequence[Finding]:
    return _lint(source, filename)


def copy_skill(source: Path, dest_parent: Path, name: str | None = None) -> Path:
    dest = dest_parent / (name or source.resolve().name)
    shutil.copytree(source.resolve(), dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace ``old`` once in ``path``; fail loudly if the content moved on."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is no longer in {path.name}: update the test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def static_check(path: Path) -> Report:
    """Everything but running the runnable examples (that has tests of its own)."""
    return check_skill(path, lint=cached_lint, run=False)


def findings(report: Report, code: str) -> list[Finding]:
    return [f for f in report.findings if f.code == code]


def break_where_only_running_sees(skill: Path) -> None:
    """Apply the three changes above to the copy ``skill``."""
    replace_in(skill / TREE_DOC, TREE_LOADER, "selectinload(Task.subtasks)")
    replace_in(skill / JSONB_DOC, JSONB_MODEL_DEFAULT, "        sa_type=JSONB,\n    )\n    details")
    replace_in(
        skill / RUNNABLE_DOC, RUNNABLE_READ, RUNNABLE_READ.replace("first_id", "first_id + 1000")
    )
